"""The same plan read from its PDF, DOCX and text renderings gives the same list items and
table rows; the scanned PDF of plan 003 gives its headings and items through OCR.

Items are compared after normalization (casefold, whitespace collapsed, punctuation stripped
at the ends). Tolerance: two items match when they are equal, or when their common span (the
shorter one's length) has a similarity ratio of at least 0.9. This covers two genuine
differences between the renderings: the PDF of 004 breaks words inside a too-narrow table cell
("Nân g cao"), and the text files lost paragraph boundaries, so a paragraph that follows an
item may be run into it. At most a tenth of a document's items may need the tolerance.
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

import pytest

from extractors import read

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
PLANS = ["000", "001", "002", "003", "004"]
RATIO = 0.9


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.casefold()).strip(" .,;:!?-–")


@lru_cache(maxsize=None)
def items(path: Path) -> list[str]:
    """List items (label and text) and table rows (cells joined), in document order."""
    out = []
    for b in read(path).blocks:
        if b.kind == "list_item":
            out.append(norm(f"{b.label} {b.text}"))
        elif b.kind == "table":
            out += [norm(" ".join(row)) for row in b.rows]
    return out


def close(a: str, b: str) -> bool:
    n = min(len(a), len(b))
    return a == b or (n > 0 and SequenceMatcher(None, a[:n], b[:n], autojunk=False).ratio() >= RATIO)


def source(fmt: str, plan: str) -> Path:
    return next((RAW / fmt).glob(f"{plan}_*.{fmt}"))


def assert_same(a: list[str], b: list[str]) -> None:
    assert len(a) == len(b), f"{len(a)} vs {len(b)} items"
    far = [(x, y) for x, y in zip(a, b) if not close(x, y)]
    assert not far, f"items differ: {far[:3]}"
    tolerated = sum(x != y for x, y in zip(a, b))
    assert tolerated <= len(a) / 10, f"{tolerated} of {len(a)} items needed the similarity tolerance"


@pytest.mark.parametrize("plan", PLANS)
def test_pdf_and_docx_agree(plan):
    assert_same(items(source("pdf", plan)), items(source("docx", plan)))


@pytest.mark.parametrize("plan", PLANS)
def test_pdf_and_text_agree(plan):
    assert_same(items(source("pdf", plan)), items(source("txt", plan)))


@pytest.fixture(scope="module")
def scanned():
    """The scanned 003, OCR'd once for the module (about 20 s on two cores)."""
    return read(next((RAW / "scanned").glob("003_*.pdf")))


@pytest.mark.slow
def test_scanned_plan_through_ocr(scanned):
    assert scanned.ocr and scanned.extractor == "tesseract" and scanned.pages == 10
    assert all(b.ocr for b in scanned.blocks)
    texts = [norm(b.text) for b in scanned.blocks]
    assert "tổ chức thực hiện" in texts
    assert "nhiệm vụ, giải pháp chủ yếu" in texts
    expected = items(source("pdf", "003"))
    got = [norm(f"{b.label} {b.text}") for b in scanned.blocks if b.kind == "list_item"]
    found = sum(any(SequenceMatcher(None, e, g, autojunk=False).ratio() >= 0.8 for g in got) for e in expected)
    assert found >= 0.9 * len(expected), f"{found} of {len(expected)} items found"


@pytest.mark.slow
def test_mixed_pdf_ocrs_only_pages_without_text(tmp_path):
    import pypdfium2 as pdfium

    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(pdfium.PdfDocument(str(source("pdf", "000"))), [0])
    mixed.import_pages(pdfium.PdfDocument(str(next((RAW / "scanned").glob("003_*.pdf")))), [0])
    mixed.save(tmp_path / "mixed.pdf")
    doc = read(tmp_path / "mixed.pdf")
    assert doc.ocr and doc.extractor == "pdfplumber+tesseract" and doc.pages == 2
    assert {b.page for b in doc.blocks if b.ocr} == {2}
    assert {b.page for b in doc.blocks if not b.ocr} == {1}
    assert doc.blocks[0].text == "KẾ HOẠCH"
    assert any(b.label == "I." and norm(b.text) == "mục đích, yêu cầu" for b in doc.blocks if b.page == 2)
