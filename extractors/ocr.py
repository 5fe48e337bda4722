"""OCR of PDF pages without a text layer: pages rendered with pypdfium2, read by Tesseract's
Vietnamese model through pytesseract (no network). Words come back with their boxes, so the
lines go through the same paragraph rules as a text layer (extractors.layout). Ruled tables
are found in the page image (its long dark runs, given to pdfplumber's own edge-to-cell
functions) and their rules erased before recognition; words are then placed in cells."""
from __future__ import annotations

import os
import re
import statistics
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytesseract
from PIL import Image
from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges

from extractors import PDFIUM
from extractors.layout import Line, cells_bbox, row_lines
from extractors.settings import LAYOUT
from schemas.document import ExtractionError

DPI = 300
LANG = "vie"
# A label OCR glued to its word ("I.MỤC", "2.Yêu"): split so that it reads as a label.
_GLUED_LABEL = re.compile(r"^((?:[IVXLC]{1,6}|\d{1,3}(?:\.\d{1,3})*)[.)])(?=[^\W\d_])")
# Letters Tesseract reads for digits inside a number ("3Ï tháng 7", "ngày 0l", "I7/NQ-CP",
# "3 Ì tháng 10"): a run of digits and look-alikes holding a real digit is a number.
_LOOK_ALIKES = str.maketrans("IlÌÏÍ|Oo", "11111100")
_SPLIT_NUMBER = re.compile(r"(?<!\w)(\d) ([ÌÏ])(?!\w)")
_NUMBER_RUN = re.compile(r"(?<!\w)(?=[IlÌÏÍ|Oo]*\d)[\dIlÌÏÍ|Oo]{2,4}(?!\w)")


def mend_digits(text: str) -> str:
    """Digits OCR read as letters, inside a number: "3Ï" → "31", "0l" → "01"."""
    text = _SPLIT_NUMBER.sub(r"\1\2", text)
    return _NUMBER_RUN.sub(lambda m: m.group(0).translate(_LOOK_ALIKES), text)


@dataclass
class ScannedPage:
    words: list[dict]                 # Tesseract's words in points, with their line's key
    tables: list[list[tuple]]         # each ruled table's cells (x0, top, x1, bottom) in points


def ocr_pdf_pages(path: Path, indexes: list[int]) -> dict[int, ScannedPage]:
    """Words and ruled tables of the given 0-based pages, OCR'd two pages at a time (one per core)."""
    _check_tesseract(path)
    with PDFIUM:   # pdfium is not thread-safe: render here, recognise in threads
        pdf = pdfium.PdfDocument(str(path))
        try:
            images = [pdf[i].render(scale=DPI / 72, grayscale=True).to_pil() for i in indexes]
        finally:
            pdf.close()
    # Tesseract's own threads fight each other on small machines: one thread per process.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    with ThreadPoolExecutor(max_workers=max(1, min(len(images), os.cpu_count() or 1))) as pool:
        pages = list(pool.map(_read_image, images))
    return dict(zip(indexes, pages))


def _check_tesseract(path: Path) -> None:
    try:
        langs = pytesseract.get_languages()
    except (pytesseract.TesseractNotFoundError, OSError) as e:
        raise ExtractionError(path, "scanned pages need OCR but Tesseract is not installed "
                                    "(apt-get install tesseract-ocr tesseract-ocr-vie)") from e
    if LANG not in langs:
        raise ExtractionError(path, f"scanned pages need OCR but Tesseract has no '{LANG}' model "
                                    "(apt-get install tesseract-ocr-vie)")


def _read_image(image) -> ScannedPage:
    pixels = np.array(image)
    tables, rules = ruled_cells(pixels)
    pixels[rules] = 255                    # rules erased: Tesseract reads no "|" from them
    data = pytesseract.image_to_data(Image.fromarray(pixels), lang=LANG, output_type=pytesseract.Output.DICT)
    return ScannedPage(_words(data), tables)


def ruled_cells(pixels: np.ndarray) -> tuple[list[list[tuple]], np.ndarray]:
    """The cells of the ruled tables in a page image (points), and the rules' pixel mask.
    Rules are runs of dark pixels longer than a word (LAYOUT.scan_*); broken or faint scanned
    rules are joined by pdfplumber's merge_edges before its intersection and cell functions."""
    dark = pixels < LAYOUT.scan_gray
    across = _filled(dark, 1)
    wide = dark.copy()                     # a slightly skewed vertical rule stays one run
    wide[:, 1:] |= dark[:, :-1]
    wide[:, :-1] |= dark[:, 1:]
    down = _filled(wide, 0)
    scale, rules = 72 / DPI, np.zeros_like(dark)
    edges = []
    for row, start, end in _runs(across, LAYOUT.scan_h_min * DPI):
        rules[max(row - 2, 0):row + 3, start:end] = True
        edges.append({"orientation": "h", "x0": start * scale, "x1": end * scale, "top": row * scale,
                      "bottom": row * scale, "width": (end - start) * scale, "height": 0})
    for col, start, end in _runs(down.T, LAYOUT.scan_v_min * DPI):
        rules[start:end, max(col - 2, 0):col + 3] = True
        edges.append({"orientation": "v", "x0": col * scale, "x1": col * scale, "top": start * scale,
                      "bottom": end * scale, "width": 0, "height": (end - start) * scale})
    snap = LAYOUT.table_finder["snap_tolerance"]
    edges = merge_edges(edges, snap, snap, LAYOUT.scan_join, LAYOUT.scan_join)
    width = pixels.shape[1] * scale
    edges = merge_edges(edges + _borders(edges, snap, LAYOUT.scan_table_width * width), snap, snap,
                        LAYOUT.scan_join, LAYOUT.scan_join)
    edges = _extended(edges, pixels, snap)
    cells = intersections_to_cells(edges_to_intersections(edges, snap, snap))
    tables = [t for t in cells_to_tables(cells)
              if len({c[0] for c in t}) > 1 and len({c[1] for c in t}) > 1
              and max(c[2] for c in t) - min(c[0] for c in t) >= LAYOUT.scan_table_width * width]
    inside = np.zeros_like(dark)           # only a table's own rules are erased, never text
    for t in tables:
        x0, top, x1, bottom = (round(v / scale) for v in cells_bbox(t))
        inside[max(top - 3, 0):bottom + 4, max(x0 - 3, 0):x1 + 4] = True
    return tables, rules & dark & inside


def _borders(edges: list[dict], snap: float, shortest: float) -> list[dict]:
    """A table's left and right borders where long horizontal rules end together (a faint
    scanned border may be lost): a vertical edge through each such set of ends."""
    rules = [e for e in edges if e["orientation"] == "h" and e["width"] >= shortest]
    out = []
    for end in ("x0", "x1"):
        group: list[dict] = []
        for e in sorted(rules, key=lambda e: e[end]) + [None]:
            if e is not None and (not group or e[end] - group[-1][end] <= snap):
                group.append(e)
                continue
            if len(group) > 1:
                x, top, bottom = group[0][end], min(g["top"] for g in group), max(g["top"] for g in group)
                out.append({"orientation": "v", "x0": x, "x1": x, "top": top, "bottom": bottom,
                            "width": 0, "height": bottom - top})
            group = [e] if e is not None else []
    return out


def _extended(edges: list[dict], pixels: np.ndarray, snap: float) -> list[dict]:
    """Rules carried on to a crossing rule they stop short of, where the page still shows
    them all the way, fainter (a scanned rule fades before the border; a merged cell's missing
    rule is blank paper and stays missing)."""
    scale = DPI / 72
    out = []
    for e in edges:
        e = dict(e)
        h = e["orientation"] == "h"
        lo, hi, at, pos = ("x0", "x1", "top", "x0") if h else ("top", "bottom", "x0", "top")
        across = [c[pos] for c in edges if c["orientation"] != e["orientation"]
                  and c["top" if h else "x0"] - snap <= e[at] <= c["bottom" if h else "x1"] + snap]
        line = round(e[at] * scale)
        band = pixels[max(line - 2, 0):line + 3, :].min(axis=0) if h else pixels[:, max(line - 2, 0):line + 3].min(axis=1)
        for end, beyond in ((lo, lambda p: p < e[lo]), (hi, lambda p: p > e[hi])):
            for p in sorted(filter(beyond, across), key=lambda p: -abs(p - e[end])):   # farthest first
                a, b = sorted((round(p * scale), round(e[end] * scale)))
                if b > a and (band[a:b] < LAYOUT.scan_faint).mean() >= LAYOUT.scan_fill:
                    e[end] = p
                    break
        e["width" if h else "height"] = e[hi] - e[lo]
        out.append(e)
    return out


def _filled(dark: np.ndarray, axis: int, k: int = 4) -> np.ndarray:
    """Pixels with at least LAYOUT.scan_fill of the 2k+1 pixels around them along `axis` dark:
    bridges the gaps of a broken rule."""
    sums = np.cumsum(dark, axis=axis, dtype=np.int32)
    sums = np.concatenate([np.zeros_like(sums.take([0], axis=axis)), sums], axis=axis)
    n = dark.shape[axis]
    around = sums.take(np.clip(np.arange(n) + k + 1, 0, n), axis=axis) - sums.take(np.clip(np.arange(n) - k, 0, n), axis=axis)
    return around >= LAYOUT.scan_fill * (2 * k + 1)


def _runs(mask: np.ndarray, shortest: float):
    """(row, start, end) of each run of True in each row, at least `shortest` long."""
    padded = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    step = np.diff(padded, axis=1)
    rows, starts = np.nonzero(step == 1)
    _, ends = np.nonzero(step == -1)
    keep = ends - starts >= shortest
    return zip(rows[keep], starts[keep], ends[keep])


def _words(data: dict) -> list[dict]:
    scale = 72 / DPI
    out = []
    for i, text in enumerate(data["text"]):
        if text.strip():
            x, y, w, h = (data[k][i] * scale for k in ("left", "top", "width", "height"))
            out.append({"text": text, "x0": x, "x1": x + w, "top": y, "bottom": y + h,
                        "line": (data["block_num"][i], data["par_num"][i], data["line_num"][i])})
    return out


def ocr_lines(words: list[dict], page: int) -> list[Line]:
    """Tesseract's words, grouped by its own lines, as Lines."""
    rows: dict[tuple, list[dict]] = {}
    for word in words:
        rows.setdefault(word["line"], []).append(word)
    if not rows:
        return []
    heights = [max(w["bottom"] for w in r) - min(w["top"] for w in r) for r in rows.values()]
    size = 0.75 * statistics.median(heights)   # one size per page: OCR boxes vary with diacritics
    lines = [line for row in rows.values() for line in row_lines(row, page, ocr=True, size=size)]
    for line in lines:
        line.text = mend_digits(_GLUED_LABEL.sub(r"\1 ", line.text))
    lines = [ln for ln in lines if any(c.isalnum() for c in ln.text)]     # specks: ":", "'", "=,"
    return sorted(lines, key=lambda ln: (ln.top, ln.x0))
