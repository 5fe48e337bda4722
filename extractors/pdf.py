"""PDF -> Document; pages without a text layer go to OCR (extractors.ocr).

Each page is read once: its words (with font and size) from pdfium's characters, its ruled
tables by pdfplumber's table finder over the edges of pdfium's paths (pdfplumber reads the
pages pdfium cannot: rotated, slanted text; and every page as the reference, reader=
"pdfplumber"); words inside a table's cells become cell text, the rest body lines.
Running headers, footers and page numbers are dropped, footnotes set apart, then body lines
are joined into paragraphs and tables continued across pages stitched into one.
"""
from __future__ import annotations

import ctypes
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from types import SimpleNamespace

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extractors import PDFIUM, sha256_of
from extractors.blocks import clean, split_label, table_block, text_block
from extractors.limits import check_pages
from extractors.layout import Frame, Line, cell_text, cells_bbox, continues, make_lines, paragraph_text
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
    with PDFIUM:
        n_pages = _check(path)
        check_pages(path, n_pages)
        pages = _read_pages(path, reader)
        if not any(p.lines or p.tables for p in pages):
            pages_ocr = range(len(pages))
        else:
            pages_ocr = [i for i, p in enumerate(pages) if not (p.lines or p.tables)]
        pages_ocr = _drawn(path, list(pages_ocr))
    if pages_ocr:
        from extractors.ocr import ocr_pdf_pages

        for i, scanned in ocr_pdf_pages(path, pages_ocr).items():
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


def _read_pages(path: Path, reader: str | None) -> list[Page]:
    try:
        with pdfplumber.open(path) as pdf:
            pages = []
            fast = pdfium.PdfDocument(str(path)) if (reader or LAYOUT.pdf_reader) == "pdfium" else None
            for k, page in enumerate(pdf.pages):
                pages.append(_read_fast(fast[k], page) if fast is not None else _read_page(page))
                page.close()   # drop its parsed objects: memory stays that of one page
            if fast is not None:
                fast.close()
            return pages
    except ExtractionError:
        raise
    except Exception as e:  # pdfminer raises many types on damaged files
        raise ExtractionError(path, f"damaged or truncated PDF, cannot be parsed ({type(e).__name__}: {e})") from e


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


def _drawn(path: Path, indexes: list[int]) -> list[int]:
    """The pages among indexes that draw anything (page objects or annotations): a blank
    page has nothing to OCR."""
    if not indexes:
        return []
    pdf = pdfium.PdfDocument(str(path))
    try:
        pages = [(i, pdf[i]) for i in indexes]
        return [i for i, page in pages
                if pdfium_c.FPDFPage_CountObjects(page) or pdfium_c.FPDFPage_GetAnnotCount(page)]
    finally:
        pdf.close()


def _read_fast(fast, page) -> Page:
    """A page read with pdfium (its characters, and its paths' edges for pdfplumber's table
    finder); pdfplumber reads the pages pdfium cannot (_pdfium_words)."""
    try:
        words = _pdfium_words(fast)
        if words is None:
            return _read_page(page)
        tables = _pdfium_tables(fast) if words else []
        return _layout(words, tables, page.page_number, float(page.width), float(page.height))
    finally:
        fast.close()


def _pdfium_words(page) -> list[dict] | None:
    """The page's words as pdfplumber's extract_words gives them, from pdfium's characters:
    each box from the character's origin, advance width and font size (top-left origin).
    None for a page pdfplumber must read: one that is rotated, whose media box is not at the
    origin or differs from its crop box, or that holds text that is not upright."""
    media = page.get_mediabox()
    if page.get_rotation() or media[:2] != (0, 0) or media != page.get_cropbox():
        return None
    text_page = page.get_textpage()
    try:
        chars = _chars(text_page.raw, page.get_height())
    finally:
        text_page.close()
    return None if chars is None else _words(chars)


# FPDFText_GetTextObject giving the object's address: a key for what its characters share
_text_object = ctypes.cast(pdfium_c.FPDFText_GetTextObject,
                           ctypes.CFUNCTYPE(ctypes.c_void_p, pdfium_c.FPDF_TEXTPAGE, ctypes.c_int))


def _chars(raw, height: float) -> list[tuple] | None:
    """The characters of a text page as (text, x0, x1, top, bottom, fontname, size), without
    the spaces and line breaks pdfium infers; None if one is not upright. Size and advance
    width are the font's scaled by the character's matrix (text matrix, horizontal scaling
    and page transformation), as pdfminer measures them; font and matrix are those of the
    character's text object, read once per object, widths once per character and object."""
    chars = []
    objects: dict[int, tuple] = {}
    widths: dict[tuple, float] = {}
    name, x, y = ctypes.create_string_buffer(256), ctypes.c_double(), ctypes.c_double()
    width, box, m = ctypes.c_float(), pdfium_c.FS_RECTF(), pdfium_c.FS_MATRIX()
    for i in range(pdfium_c.FPDFText_CountChars(raw)):
        address = _text_object(raw, i)
        if address is None:   # a line break pdfium infers
            continue
        code = pdfium_c.FPDFText_GetUnicode(raw, i)
        if code == 32 and pdfium_c.FPDFText_IsGenerated(raw, i):   # a space pdfium infers
            continue
        if address not in objects:
            pdfium_c.FPDFText_GetMatrix(raw, i, m)
            if m.b or m.c or m.a <= 0 or m.d <= 0:
                return None
            pdfium_c.FPDFText_GetFontInfo(raw, i, name, 256, None)
            font_size = pdfium_c.FPDFText_GetFontSize(raw, i)
            objects[address] = (name.value.decode("utf-8", "replace"), font_size * m.d, font_size, m.a,
                                pdfium_c.FPDFTextObj_GetFont(ctypes.cast(address, pdfium_c.FPDF_PAGEOBJECT)))
        fontname, size, font_size, scale_x, font = objects[address]
        pdfium_c.FPDFText_GetCharOrigin(raw, i, x, y)
        advance = widths.get((address, code))
        if advance is None:
            if pdfium_c.FPDFFont_GetGlyphWidth(font, code, font_size, width) and width.value > 0:
                advance = widths[address, code] = width.value * scale_x
            else:   # the font gives no width for the character: the right of its loose box
                pdfium_c.FPDFText_GetLooseCharBox(raw, i, box)
                advance = box.right - x.value
        bottom = height - y.value
        chars.append(("-" if code == 2 else chr(code), x.value, x.value + advance,   # 2: a hyphen ending a line
                      bottom - size, bottom, fontname, size))
    return chars


def _words(chars: list[tuple]) -> list[dict]:
    """pdfplumber's extract_words (its default tolerances, fontname and size kept) over upright
    characters: runs of one font and size, each cut into lines of tops chained within 3 points
    and sorted by x0, the lines into words at blanks, at gaps over 3 points and where x0 goes
    back."""
    from pdfplumber.utils.text import LIGATURES
    words = []

    def add(word: list[tuple]) -> None:
        if word:
            top, bottom = min([c[3] for c in word]), max([c[4] for c in word])
            x0, x1 = word[0][1], max([c[2] for c in word])   # sorted by x0
            words.append({"text": "".join(LIGATURES.get(c[0], c[0]) for c in word), "x0": x0, "x1": x1,
                          "top": top, "doctop": top, "bottom": bottom, "upright": True,
                          "height": bottom - top, "width": x1 - x0, "direction": "ltr",
                          "fontname": word[0][5], "size": word[0][6]})

    for _, run in itertools.groupby(chars, key=itemgetter(5, 6)):
        run = list(run)
        line_of, line, last = {}, 0, None
        for top in sorted({c[3] for c in run}):
            line += last is not None and top > last + 3
            line_of[top], last = line, top
        word: list[tuple] = []
        for c in sorted(run, key=lambda c: (line_of[c[3]], c[1])):
            if c[0].isspace():
                add(word)
                word = []
            elif word and (line_of[c[3]] != line_of[word[-1][3]] or c[1] < word[-1][1]
                           or c[1] > word[-1][2] + 3 or abs(c[3] - word[-1][3]) > 3):
                add(word)
                word = [c]
            else:
                word.append(c)
        add(word)
    return words


def _pdfium_tables(page) -> list:
    """The page's ruled tables: pdfplumber's table finder over the edges of pdfium's paths."""
    from pdfplumber.table import TableFinder
    edges = _pdfium_edges(page)
    if not edges:
        return []
    stand_in = SimpleNamespace(edges=edges, bbox=(0, 0, page.get_width(), page.get_height()))
    return TableFinder(stand_in, dict(LAYOUT.table_finder)).tables


def _pdfium_edges(page) -> list[dict]:
    """pdfplumber's page.edges from pdfium's path objects (those inside form XObjects too):
    each subpath made a line, a rectangle or a curve as pdfminer makes them, and its edges as
    pdfplumber derives them (line edges, then rectangles', then curves'), top-left origin."""
    height = page.get_height()
    kinds: dict[str, list] = {"line": [], "rect": [], "curve": []}

    def walk(objects, outer: list) -> None:
        for obj in objects:
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind not in (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM):
                continue
            m = pdfium_c.FS_MATRIX()
            pdfium_c.FPDFPageObj_GetMatrix(obj, m)
            matrices = [(m.a, m.b, m.c, m.d, m.e, m.f)] + outer
            if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
                walk([pdfium_c.FPDFFormObj_GetObject(obj, i)
                      for i in range(pdfium_c.FPDFFormObj_CountObjects(obj))], matrices)
                continue
            for shape, pts in _subpaths(obj, matrices):
                pts = [(x, height - y) for x, y in pts]
                kind, found = _shape(shape, pts)
                kinds[kind].append(found)

    walk([pdfium_c.FPDFPage_GetObject(page, i) for i in range(pdfium_c.FPDFPage_CountObjects(page))], [])
    line = lambda p, q: _edge(p, q, "line", "h" if p[1] == q[1] else "v")
    curve = lambda p, q: _edge(p, q, "curve_edge", "v" if p[0] == q[0] else "h" if p[1] == q[1] else None)
    rect = lambda x0, top, x1, bottom: [_edge((x0, top), (x1, top), "rect_edge", "h"),
                                        _edge((x0, bottom), (x1, bottom), "rect_edge", "h"),
                                        _edge((x0, top), (x0, bottom), "rect_edge", "v"),
                                        _edge((x1, top), (x1, bottom), "rect_edge", "v")]
    return ([line(*pts) for pts in kinds["line"]] + [e for box in kinds["rect"] for e in rect(*box)]
            + [curve(p, q) for pts in kinds["curve"] for p, q in zip(pts, pts[1:])])


def _subpaths(obj, matrices: list) -> list[tuple[str, list]]:
    """A path object's subpaths as pdfminer reads them: the shape ("m", "l", "c" per segment,
    "h" closing) and the end point of each segment in page space (a closing "h" at the start)."""
    out: list[tuple[str, list]] = []
    x, y = ctypes.c_float(), ctypes.c_float()
    bezier = 0
    for i in range(pdfium_c.FPDFPath_CountSegments(obj)):
        seg = pdfium_c.FPDFPath_GetPathSegment(obj, i)
        kind = pdfium_c.FPDFPathSegment_GetType(seg)
        if kind == pdfium_c.FPDF_SEGMENT_BEZIERTO:   # two control points, then the end point
            bezier = (bezier + 1) % 3
            if bezier:
                continue
        pdfium_c.FPDFPathSegment_GetPoint(seg, x, y)
        point = (x.value, y.value)
        for a, b, c, d, e, f in matrices:
            point = (a * point[0] + c * point[1] + e, b * point[0] + d * point[1] + f)
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO:
            out.append(("m", [point]))
            continue
        if not out:
            continue
        shape, pts = out[-1]
        shape += "c" if kind == pdfium_c.FPDF_SEGMENT_BEZIERTO else "l"
        pts.append(point)
        if pdfium_c.FPDFPathSegment_GetClose(seg):
            shape += "h"
            pts.append(pts[0])
        out[-1] = (shape, pts)
    return [(shape, pts) for shape, pts in out if len(shape) > 1]


def _shape(shape: str, pts: list) -> tuple[str, object]:
    """pdfminer's reading of one subpath: ("line", (p, q)), ("rect", (x0, top, x1, bottom))
    or ("curve", points)."""
    if len(shape) > 3 and shape.endswith("lh") and pts[-2] == pts[0]:   # a redundant "l"
        shape, pts = shape[:-2] + "h", pts[:-1]
    if shape in ("ml", "mlh"):
        return "line", (pts[0], pts[1])
    if shape in ("mlllh", "mllll") and pts[0] == pts[4]:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = pts[:4]
        if (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0):
            return "rect", (min(x0, x2), min(y0, y2), max(x0, x2), max(y0, y2))
    return "curve", pts


def _edge(p: tuple, q: tuple, object_type: str, orientation: str | None) -> dict:
    x0, x1, top, bottom = min(p[0], q[0]), max(p[0], q[0]), min(p[1], q[1]), max(p[1], q[1])
    return {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0,
            "height": bottom - top, "orientation": orientation, "object_type": object_type}


def _read_page(page) -> Page:
    """Body lines and tables of one page, read by pdfplumber."""
    words = page.extract_words(extra_attrs=["fontname", "size"])
    tables = page.find_tables(dict(LAYOUT.table_finder)) if words else []
    return _layout(words, tables, page.page_number, float(page.width), float(page.height))


def _layout(words: list[dict], tables: list, number: int, width: float, height: float,
            lines_of=make_lines) -> Page:
    """Body lines and tables of one page: words inside a table's cells become cell text.
    tables: pdfplumber tables, or each table's cells (x0, top, x1, bottom)."""
    out = Page(number, width, height)
    if not words:
        return out
    grids = [t if isinstance(t, list) else t.cells for t in tables]
    grids = [cells for cells in grids if len(cells) > 1]
    in_cells: list[dict[tuple, list[dict]]] = [{} for _ in grids]
    body = []
    for w in words:
        cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
        for i, cells in enumerate(grids):
            cell = _cell_at(cells, cx, cy)
            if cell is not None:
                in_cells[i].setdefault(cell, []).append(w)
                break
        else:
            body.append(w)
    out.lines = lines_of(body, number)
    for cells, cell_words in zip(grids, in_cells):
        texts = {cell: cell_text(lines_of(ws, number)) for cell, ws in cell_words.items()}
        bbox = cells_bbox(cells)
        out.tables.append(Table(_grid(cells, texts), number, bbox[1], _row_boxes(cells, bbox)))
    return out


def _read_scanned(page: Page, scanned) -> Page:
    """Body lines and ruled tables of a scanned page from its OCR'd words (extractors.ocr)."""
    from extractors.ocr import ocr_lines

    out = _layout(scanned.words, scanned.tables, page.number, page.width, page.height, ocr_lines)
    out.ocr = True
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
