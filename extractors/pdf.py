"""PDF -> Document with pdfplumber; pages without a text layer go to OCR (extractors.ocr).

Each page is read once: its words (with font and size) and its ruled tables come from the
same cached page objects; words inside a table's cells become cell text, the rest body lines.
Running headers, footers and page numbers are dropped, footnotes set apart, then body lines
are joined into paragraphs and tables continued across pages stitched into one.
"""
from __future__ import annotations

import ctypes
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extractors import sha256_of
from extractors.blocks import clean, split_label, table_block, text_block
from extractors.limits import check_pages
from extractors.layout import Frame, Line, cell_text, continues, make_lines, paragraph_text
from extractors.settings import LAYOUT
from schemas.document import Block, Document, ExtractionError
from schemas.text import dice, fold_words

_PAGE_NO = re.compile(r"[-–—(\[]?\s*(?:trang\s*)?\d{1,3}(?:\s*/\s*\d{1,3})?\s*[-–—)\]]?", re.I)
_NOTE_MARK = re.compile(r"(?:\d{1,3}|[*†‡]+|\(\d{1,3}\))(?!\d)")


@dataclass
class Table:
    rows: list[list[str]]
    page: int
    top: float
    boxes: list[tuple] = field(default_factory=list)   # each row's box


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    ocr: bool = False


def read_pdf(path: str | Path, reader: str | None = None) -> Document:
    """reader: "pdfplumber" or "pdfium" (default: LAYOUT.pdf_reader, see settings)."""
    path = Path(path)
    n_pages = _check(path)
    check_pages(path, n_pages)
    try:
        with pdfplumber.open(path) as pdf:
            pages = []
            fast = pdfium.PdfDocument(str(path)) if (reader or LAYOUT.pdf_reader) == "pdfium" else None
            for k, page in enumerate(pdf.pages):
                words = _pdfium_words(fast[k]) if fast is not None else None
                if words is not None:
                    pages.append(_read_words(words, page.page_number, float(page.width),
                                             float(page.height)))
                else:
                    pages.append(_read_page(page))
                page.close()   # drop its parsed objects: memory stays that of one page
            if fast is not None:
                fast.close()
    except ExtractionError:
        raise
    except Exception as e:  # pdfminer raises many types on damaged files
        raise ExtractionError(path, f"damaged or truncated PDF, cannot be parsed ({type(e).__name__}: {e})") from e
    if not any(p.lines or p.tables for p in pages):
        pages_ocr = range(len(pages))
    else:
        pages_ocr = [i for i, p in enumerate(pages) if not (p.lines or p.tables)]
    if pages_ocr:
        from extractors.ocr import ocr_pdf_pages

        for i, scanned in ocr_pdf_pages(path, list(pages_ocr)).items():
            pages[i] = _read_scanned(pages[i], scanned)
    _drop_running_lines(pages)
    footnotes = _take_footnotes(pages)
    blocks = _assemble(pages)
    if not blocks:
        raise ExtractionError(path, "no readable text (no text layer, and OCR found none)")
    n_ocr = sum(p.ocr for p in pages)
    extractor = "tesseract" if n_ocr == len(pages) else "pdfplumber+tesseract" if n_ocr else "pdfplumber"
    return Document(str(path), sha256_of(path), "pdf", n_pages, blocks, footnotes,
                    extractor=extractor, ocr=n_ocr > 0)


def _check(path: Path) -> int:
    """Page count, or a clear error for encrypted, truncated or damaged files."""
    with open(path, "rb") as f:
        f.seek(max(0, path.stat().st_size - 2048))
        tail = f.read()
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        if "password" in str(e).lower():
            raise ExtractionError(path, "encrypted; remove the password and retry") from e
        raise ExtractionError(path, f"damaged or truncated PDF, cannot be opened ({e})") from e
    try:
        if b"%%EOF" not in tail:
            raise ExtractionError(path, "truncated PDF (no end-of-file marker); get a complete copy")
        return len(pdf)
    finally:
        pdf.close()


def _has_paths(page) -> bool:
    """Whether the page draws lines or rectangles (paths): only such a page can hold a ruled
    table, and goes to pdfplumber's table finder."""
    return any(pdfium_c.FPDFPageObj_GetType(pdfium_c.FPDFPage_GetObject(page, i))
               == pdfium_c.FPDF_PAGEOBJ_PATH for i in range(pdfium_c.FPDFPage_CountObjects(page)))


def _pdfium_words(page) -> list[dict] | None:
    """The page's words as pdfplumber's extract_words gives them, from pdfium's characters:
    boxes from the character origin, advance and font size (top-left origin), fonts by name.
    None for a page pdfplumber must read: one that draws lines or rectangles (a ruled table?),
    is rotated or holds text that is not upright."""
    from pdfplumber.utils.text import WordExtractor
    if page.get_rotation() or _has_paths(page):
        return None
    text_page = page.get_textpage()
    height = page.get_height()
    raw, name = text_page.raw, ctypes.create_string_buffer(256)
    chars = []
    box, x, y = pdfium_c.FS_RECTF(), ctypes.c_double(), ctypes.c_double()
    for i in range(pdfium_c.FPDFText_CountChars(raw)):
        if pdfium_c.FPDFText_IsGenerated(raw, i):
            continue
        if pdfium_c.FPDFText_GetCharAngle(raw, i) != 0:
            text_page.close()
            return None
        pdfium_c.FPDFText_GetLooseCharBox(raw, i, box)
        pdfium_c.FPDFText_GetCharOrigin(raw, i, x, y)
        size = pdfium_c.FPDFText_GetFontSize(raw, i)
        pdfium_c.FPDFText_GetFontInfo(raw, i, name, 256, None)
        bottom = height - y.value
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        chars.append({"text": "-" if code == 2 else chr(code), "x0": box.left,   # 2: a hyphen ending a line
                      "x1": box.right, "top": bottom - size, "bottom": bottom,
                      "doctop": bottom - size, "size": size, "upright": True,
                      "fontname": name.value.decode("utf-8", "replace")})
    text_page.close()
    return WordExtractor(extra_attrs=["fontname", "size"]).extract_words(chars)


def _read_words(words: list[dict], number: int, width: float, height: float) -> Page:
    """Body lines of a page without tables."""
    return Page(number, width, height, lines=make_lines(words, number) if words else [])


def _read_page(page) -> Page:
    """Body lines and tables of one page, from one pass over its words."""
    out = Page(page.page_number, float(page.width), float(page.height))
    words = page.extract_words(extra_attrs=["fontname", "size"])
    if not words:
        return out
    tables = [t for t in page.find_tables(dict(LAYOUT.table_finder)) if len(t.cells) > 1]
    in_cells: list[dict[tuple, list[dict]]] = [{} for _ in tables]
    body = []
    for w in words:
        cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
        for i, t in enumerate(tables):
            cell = _cell_at(t.cells, cx, cy)
            if cell is not None:
                in_cells[i].setdefault(cell, []).append(w)
                break
        else:
            body.append(w)
    out.lines = make_lines(body, page.page_number)
    for t, cell_words in zip(tables, in_cells):
        texts = {cell: cell_text(make_lines(ws, page.page_number)) for cell, ws in cell_words.items()}
        out.tables.append(Table(_grid(t.cells, texts), page.page_number, t.bbox[1],
                                _row_boxes(t.cells, t.bbox)))
    return out


def _read_scanned(page: Page, scanned) -> Page:
    """Body lines and ruled tables of a scanned page from its OCR'd words (extractors.ocr)."""
    from extractors.ocr import ocr_lines

    out = Page(page.number, page.width, page.height, ocr=True)
    in_cells: list[dict[tuple, list[dict]]] = [{} for _ in scanned.tables]
    body = []
    for w in scanned.words:
        cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
        for i, cells in enumerate(scanned.tables):
            cell = _cell_at(cells, cx, cy)
            if cell is not None:
                in_cells[i].setdefault(cell, []).append(w)
                break
        else:
            body.append(w)
    out.lines = ocr_lines(body, page.number)
    for cells, cell_words in zip(scanned.tables, in_cells):
        texts = {cell: cell_text(ocr_lines(ws, page.number)) for cell, ws in cell_words.items()}
        bbox = (min(c[0] for c in cells), min(c[1] for c in cells), max(c[2] for c in cells), max(c[3] for c in cells))
        out.tables.append(Table(_grid(cells, texts), page.number, bbox[1], _row_boxes(cells, bbox)))
    return out


def _cell_at(cells, x: float, y: float):
    for c in cells:
        if c[0] <= x < c[2] and c[1] <= y < c[3]:
            return c
    return None


def _grid(cells, texts: dict) -> list[list[str]]:
    """Rows of cell texts on the table's full grid: a cell spanning columns gives its text in
    its first column and "" in the others; a cell spanning rows repeats its text in each."""
    xs = sorted({c[0] for c in cells})
    ys = sorted({c[1] for c in cells})
    rows = []
    for y in ys:
        row = []
        for x in xs:
            cell = _cell_at(cells, x + 0.5, y + 0.5)
            row.append(texts.get(cell, "") if cell is not None and cell[0] > x - 0.5 else "")
        rows.append(row)
    return rows


def _row_boxes(cells, bbox) -> list[tuple]:
    """The box of each row of the table's full grid (as _grid makes them): the table's width,
    from the row's top to the next row's top (the table's bottom for the last)."""
    ys = sorted({c[1] for c in cells}) + [bbox[3]]
    return [(bbox[0], top, bbox[2], bottom) for top, bottom in zip(ys, ys[1:])]


def _drop_running_lines(pages: list[Page]) -> None:
    """Remove page numbers and running headers/footers: lines at the top or bottom edge of a
    page that are a bare page number, or that repeat (digits aside) on half the pages."""
    edges: list[list[Line]] = []
    for page in pages:
        lines = page.lines
        edge, margin = LAYOUT.edge_lines, LAYOUT.margin
        top = [ln for ln in lines[:edge] if ln.bottom < margin * page.height]
        bottom = [ln for ln in lines[-edge:] if ln.top > (1 - margin) * page.height]
        if page.tables:   # a line above/below a table is an edge only if outside the table
            top = [ln for ln in top if ln.bottom <= min(t.top for t in page.tables)]
        edges.append(list({id(ln): ln for ln in top + bottom}.values()))
    key = lambda ln: re.sub(r"\d+", "#", ln.text.casefold())
    seen = Counter(k for page_edges in edges for k in {key(ln) for ln in page_edges})
    running = {k for k, n in seen.items()
               if n >= LAYOUT.running_min and n >= LAYOUT.running_share * len(pages)}
    for page, page_edges in zip(pages, edges):
        drop = {id(ln) for ln in page_edges if _PAGE_NO.fullmatch(ln.text.strip()) or key(ln) in running}
        page.lines = [ln for ln in page.lines if id(ln) not in drop]


def _body_size(pages: list[Page]) -> float:
    sizes = Counter()
    for page in pages:
        for ln in page.lines:
            sizes[round(ln.size, 1)] += len(ln.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _take_footnotes(pages: list[Page]) -> list[str]:
    """Move footnotes out of the body: the run of small-print lines closing a page's lower
    half, when it starts with a note marker ("1", "*", "(2)")."""
    size = _body_size(pages)
    notes: list[str] = []
    for page in pages:
        lines = page.lines
        k = len(lines)
        while (k > 1 and lines[k - 1].size < LAYOUT.footnote_size * size
               and lines[k - 1].top > LAYOUT.footnote_zone * page.height):
            k -= 1
        zone = lines[k:]
        if not zone or not _NOTE_MARK.match(zone[0].text):
            continue
        page.lines = lines[:k]
        frame = Frame.of(zone, Frame(min(ln.x0 for ln in zone), max(ln.x1 for ln in zone), 1e9))
        current: list[Line] = []
        for ln in zone:
            if current and (_NOTE_MARK.match(ln.text) or not continues(current[-1], ln, frame, False)):
                notes.append(clean(paragraph_text(current)))
                current = []
            current.append(ln)
        notes.append(clean(paragraph_text(current)))
    return notes


def _frames(pages: list[Page]) -> dict[int, Frame]:
    """Each page's text frame; pages with few body lines borrow one from pages of their shape."""
    by_shape: dict[tuple, list[Line]] = {}
    for p in pages:
        by_shape.setdefault((round(p.width), round(p.height)), []).extend(p.lines)
    shape_frame = {}
    for shape, lines in by_shape.items():
        left, right, gap = LAYOUT.blank_frame
        shape_frame[shape] = Frame.of(lines) if lines else Frame(left * shape[0], right * shape[0], gap)
    return {p.number: Frame.of(p.lines, shape_frame[(round(p.width), round(p.height))]) for p in pages}


def _assemble(pages: list[Page]) -> list[Block]:
    """Body lines and tables in reading order -> blocks; a table that opens a page right after
    a table closing the previous one continues it."""
    frames = _frames(pages)
    items: list = []          # list[Line] paragraphs and dict tables, in order
    for page in pages:
        elements = sorted([(ln.top, 0, ln) for ln in page.lines] + [(t.top, 1, t) for t in page.tables],
                          key=lambda e: (e[0], e[1]))
        for _, _, el in elements:
            if isinstance(el, Table):
                last = items[-1] if items else None
                if (isinstance(last, dict) and last["pages"][-1] == el.page - 1
                        and len(last["rows"][0]) == len(el.rows[0])):
                    _stitch(last, el)
                else:
                    items.append({"rows": list(el.rows), "pages": [el.page] * len(el.rows),
                                  "boxes": list(el.boxes)})
            elif (items and isinstance(items[-1], list)
                  and continues(items[-1][-1], el, frames[items[-1][-1].page], len(items[-1]) == 1)):
                items[-1].append(el)
            else:
                items.append([el])
    blocks = []
    for item in items:
        if isinstance(item, dict):
            block = table_block(item["rows"], row_pages=item["pages"], page=item["pages"][0],
                                row_boxes=item["boxes"])
        else:
            first = [ln for ln in item if ln.page == item[0].page]
            box = (min(ln.x0 for ln in first), min(ln.top for ln in first),
                   max(ln.x1 for ln in first), max(ln.bottom for ln in first))
            block = text_block(paragraph_text(item), page=item[0].page, bbox=box,
                               bold=all(ln.bold for ln in item), ocr=item[0].ocr)
        if block is not None:
            block.index = len(blocks)
            blocks.append(block)
    return blocks


def _stitch(acc: dict, table: Table) -> None:
    """Append a table's continuation: repeated header rows dropped, and a first row whose
    number cell is empty (a row split by the page break) merged into the last row."""
    rows = list(table.rows)
    k = 0
    while k < len(rows) - 1 and k < len(acc["rows"]) and _same_row(rows[k], acc["rows"][k]):
        k += 1
    rows, boxes = rows[k:], table.boxes[k:]
    if rows and not rows[0][0].strip() and any(c.strip() for c in rows[0]):
        acc["rows"][-1] = [_join_split(a, b) for a, b in zip(acc["rows"][-1], rows[0])]
        rows, boxes = rows[1:], boxes[1:]
    acc["rows"].extend(rows)
    acc["pages"].extend([table.page] * len(rows))
    acc["boxes"].extend(boxes)


def _same_row(a: list[str], b: list[str]) -> bool:
    """The same header row, spelling aside (OCR reads a repeated header a little differently)."""
    return dice(Counter(fold_words(" ".join(a))), Counter(fold_words(" ".join(b)))) >= 0.8


def _join_split(a: str, b: str) -> str:
    """Join the two halves of a cell split by a page break."""
    if not a or not b:
        return a or b
    label, _ = split_label(b)
    return a + ("\n" if label and not label[0].isalnum() else " ") + b
