"""OCR of PDF pages without a text layer: pages rendered with pypdfium2, read by Tesseract's
Vietnamese model through pytesseract (no network). Words come back with their boxes, so the
lines go through the same paragraph rules as a text layer (extractors.layout)."""
from __future__ import annotations

import os
import re
import statistics
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pypdfium2 as pdfium
import pytesseract

from extractors.layout import Line, row_lines
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


def ocr_pdf_pages(path: Path, indexes: list[int]) -> dict[int, list[Line]]:
    """Lines of the given 0-based pages, OCR'd two pages at a time (one per core)."""
    _check_tesseract(path)
    pdf = pdfium.PdfDocument(str(path))
    try:   # pdfium is not thread-safe: render here, recognise in threads
        images = [pdf[i].render(scale=DPI / 72, grayscale=True).to_pil() for i in indexes]
    finally:
        pdf.close()
    # Tesseract's own threads fight each other on small machines: one thread per process.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    with ThreadPoolExecutor(max_workers=max(1, min(len(images), os.cpu_count() or 1))) as pool:
        data = list(pool.map(_read_image, images))
    return {i: _lines(d, i + 1) for i, d in zip(indexes, data)}


def _check_tesseract(path: Path) -> None:
    try:
        langs = pytesseract.get_languages()
    except (pytesseract.TesseractNotFoundError, OSError) as e:
        raise ExtractionError(path, "scanned pages need OCR but Tesseract is not installed "
                                    "(apt-get install tesseract-ocr tesseract-ocr-vie)") from e
    if LANG not in langs:
        raise ExtractionError(path, f"scanned pages need OCR but Tesseract has no '{LANG}' model "
                                    "(apt-get install tesseract-ocr-vie)")


def _read_image(image) -> dict:
    return pytesseract.image_to_data(image, lang=LANG, output_type=pytesseract.Output.DICT)


def _lines(data: dict, page: int) -> list[Line]:
    """Tesseract's words, grouped by its own lines, as Lines in points."""
    scale = 72 / DPI
    rows: dict[tuple, list[dict]] = {}
    for i, text in enumerate(data["text"]):
        if not text.strip():
            continue
        x, y, w, h = (data[k][i] * scale for k in ("left", "top", "width", "height"))
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        rows.setdefault(key, []).append({"text": text, "x0": x, "x1": x + w, "top": y, "bottom": y + h})
    if not rows:
        return []
    heights = [max(w["bottom"] for w in r) - min(w["top"] for w in r) for r in rows.values()]
    size = 0.75 * statistics.median(heights)   # one size per page: OCR boxes vary with diacritics
    lines = [line for row in rows.values() for line in row_lines(row, page, ocr=True, size=size)]
    for line in lines:
        line.text = mend_digits(_GLUED_LABEL.sub(r"\1 ", line.text))
    return sorted(lines, key=lambda ln: (ln.top, ln.x0))
