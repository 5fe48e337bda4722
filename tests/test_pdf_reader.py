"""The fast PDF reader gives the reference Document: characters and table edges from pdfium
(LAYOUT.pdf_reader = "pdfium", the default) against pdfplumber on every page ("pdfplumber"),
block by block, on every sample PDF, every corpus PDF of ../shared and hand-made pages (rotated;
scaled text and a table inside a form XObject)."""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from conftest import require_or_skip
from extract_files import grid, paragraph, pdf_bytes, raw, text
from extractors.pdf import read_pdf
from extractors.settings import LAYOUT

ROOT = Path(__file__).parent.parent
SHARED = ROOT.parent / "shared" / "corpus"
LOREM = ("Cac so, ban, nganh va dia phuong trien khai thuc hien ke hoach nay theo chuc nang "
         "nhiem vu duoc giao, bao cao ket qua ve So Khoa hoc va Cong nghe truoc ngay 15/11.")


def corpus_pdfs() -> list[Path]:
    """The sample PDFs, then the shared corpus's (its copies of the samples left out)."""
    samples = sorted((ROOT / "data/raw/pdf").glob("*.pdf"))
    names = {p.name for p in samples}
    shared = [p for p in sorted(SHARED.glob("**/*.pdf"))
              if p.name not in names and "scanned" not in p.parts]
    return samples + shared


def same_document(path: Path) -> None:
    fast, reference = read_pdf(path, reader="pdfium"), read_pdf(path, reader="pdfplumber")
    assert fast.extractor == reference.extractor and fast.pages == reference.pages
    assert fast.footnotes == reference.footnotes
    assert len(fast.blocks) == len(reference.blocks)
    for a, b in zip(fast.blocks, reference.blocks):
        one, other = asdict(a), asdict(b)
        boxes = [(one.pop(k), other.pop(k)) for k in ("bbox", "row_boxes")]
        assert one == other, f"{path.name}: block {b.index} differs"
        assert all(close(x, y) for x, y in boxes), f"{path.name}: block {b.index} is elsewhere"


def close(a, b, points: float = 3.0) -> bool:
    """Boxes (or lists of boxes) the same up to `points`: the readers measure glyph edges
    slightly differently; a box only places the review's highlight."""
    if a is None or b is None or isinstance(a[0], (int, float)):
        return a == b or (a is not None and b is not None and all(abs(x - y) <= points for x, y in zip(a, b)))
    return len(a) == len(b) and all(close(x, y, points) for x, y in zip(a, b))


def test_the_fast_reader_is_the_default():
    assert LAYOUT.pdf_reader == "pdfium"


@pytest.mark.parametrize("name", [p.name for p in sorted((ROOT / "data/raw/pdf").glob("*.pdf"))])
def test_same_document_on_the_samples(name):
    same_document(ROOT / "data/raw/pdf" / name)


def test_same_document_on_the_shared_corpus():
    pdfs = corpus_pdfs()[len(list((ROOT / "data/raw/pdf").glob("*.pdf"))):]
    if not pdfs:
        require_or_skip(f"the shared corpus is not at {SHARED}")
    for path in pdfs:
        same_document(path)


def test_same_document_on_a_rotated_page(tmp_path):
    items = paragraph(108, 72, 100, "1. " + LOREM)[0]
    path = tmp_path / "rotated.pdf"
    path.write_bytes(pdf_bytes([{"items": items}, {"items": items, "rotate": 90,
                                                   "width": 842, "height": 595}]))
    same_document(path)


def test_same_document_with_scaled_text_and_a_table_in_a_form(tmp_path):
    """Text sized by its text matrix or squeezed by horizontal scaling, and a ruled table (lines
    and a filled rectangle) drawn inside a form XObject placed scaled and moved: pdfium's
    matrices give pdfminer's boxes and edges."""
    import pypdfium2 as pdfium

    xs, ys = [60, 100, 300, 420], [100, 120, 140, 160]
    rows = [["TT", "Task", "Lead"], ["1", "Write the plan", "Dept A"], ["2", "Run the survey", "Dept B"]]
    cells = [text(x + 4, y + 4, s, 10) for y, row in zip(ys, rows) for x, s in zip(xs, row)]
    bottom = raw("60 681.75 360 0.5 re f")   # the bottom rule as a thin filled rectangle
    table = pdfium.PdfDocument(pdf_bytes([{"items": grid(xs, ys, {("h", 3, c) for c in range(3)})
                                           + [bottom] + cells}]))
    items = [raw(f"BT /F1 1 Tf 12 0 0 12 72 {y} Tm ({line}) Tj ET")
             for y, line in ((300, LOREM[:60]), (284, LOREM[60:120]), (268, LOREM[120:]))]
    items.append(raw(f"BT /F1 12 Tf 80 Tz 72 240 Td ({LOREM[:70]}) Tj ET"))
    document = pdfium.PdfDocument(pdf_bytes([{"items": items}]))
    form = table.page_as_xobject(0, document).as_pageobject()
    form.transform(pdfium.PdfMatrix().scale(0.8, 0.8).translate(40, 60))
    page = document[0]
    page.insert_obj(form)
    page.gen_content()
    path = tmp_path / "form.pdf"
    document.save(path)
    same_document(path)
    assert read_pdf(path).blocks[0].rows == rows


def test_words_as_pdfplumbers_word_extractor_groups_them():
    """extractors.pdf._words is pdfplumber's WordExtractor (as read_pdf configures it) over
    the characters' tuples: the same words on every page of the sample PDFs."""
    import pypdfium2 as pdfium
    from pdfplumber.utils.text import WordExtractor

    from extractors.pdf import _chars, _words

    keys = ("text", "x0", "x1", "top", "bottom", "fontname", "size")
    for path in sorted((ROOT / "data/raw/pdf").glob("*.pdf")):
        pdf = pdfium.PdfDocument(str(path))
        for page in pdf:
            chars = _chars(page.get_textpage().raw, page.get_height())
            dicts = [dict(zip(keys, c), doctop=c[3], upright=True) for c in chars]
            assert _words(chars) == WordExtractor(extra_attrs=["fontname", "size"]).extract_words(dicts)
        pdf.close()
