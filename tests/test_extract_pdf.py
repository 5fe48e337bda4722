"""PDF extractor: layout rules on small hand-made PDFs, and the sample plans in data/raw."""
from __future__ import annotations

from pathlib import Path

import pytest

from extract_files import grid, paragraph, pdf_bytes, text
from extractors import read

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
LOREM = ("the provincial people committee assigns the department of science and technology "
         "to lead the work with other departments and report every quarter on the results")


def write(tmp_path: Path, pages: list[dict], name: str = "plan.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(pdf_bytes(pages))
    return path


def body_page(n: int, items: list[tuple]) -> dict:
    """A page with a running header, a page number at the bottom and the given body."""
    return {"items": [text(200, 30, "UBND TINH NINH THUAN - KE HOACH", 10),
                      text(290, 805, f"- {n} -", 10)] + items}


def test_paragraphs_labels_headers_page_numbers_footnotes(tmp_path):
    items, top = paragraph(72, 72, 110, "I. MUC DICH, YEU CAU", bold=True)
    p, top = paragraph(108, 72, top, "Intro " + LOREM + " " + LOREM)
    items += p
    p, top = paragraph(108, 72, top, "1. " + LOREM)
    items += p
    p, top = paragraph(108, 72, top, "- " + LOREM)
    items += p
    p, top = paragraph(108, 72, top, "a) Short item")
    items += p
    p, top = paragraph(108, 72, top, "Second block " + LOREM + " " + LOREM, chars=60)
    items += p[:4]            # the paragraph runs on to page 2
    items += [text(72, 760, "1 A footnote explaining the decision number.", 9),
              text(72, 771, "and its second line", 9)]
    page2 = p[4:]
    for i, item in enumerate(page2):
        page2[i] = item[:2] + (110 + 16 * i,) + item[3:]
    pdf = write(tmp_path, [body_page(1, items), body_page(2, page2), body_page(3, paragraph(108, 72, 110, "b) " + LOREM)[0])])

    doc = read(pdf)
    texts = [(b.kind, b.label, b.text[:20], b.page) for b in doc.blocks]
    assert texts == [
        ("list_item", "I.", "MUC DICH, YEU CAU", 1),
        ("paragraph", None, "Intro the provincial", 1),
        ("list_item", "1.", "the provincial peopl", 1),
        ("list_item", "-", "the provincial peopl", 1),
        ("list_item", "a)", "Short item", 1),
        ("paragraph", None, "Second block the pro", 1),
        ("list_item", "b)", "the provincial peopl", 3),
    ]
    assert doc.blocks[0].bold and not doc.blocks[1].bold
    assert doc.blocks[1].text == "Intro " + LOREM + " " + LOREM        # wrapped lines joined
    assert doc.blocks[5].text == "Second block " + LOREM + " " + LOREM  # across the page break
    assert doc.footnotes == ["1 A footnote explaining the decision number. and its second line"]
    assert [b.index for b in doc.blocks] == list(range(len(doc.blocks)))
    assert doc.format == "pdf" and doc.pages == 3 and doc.extractor == "pdfplumber" and not doc.ocr


def test_a_blank_page_is_not_ocrd(tmp_path, monkeypatch):
    import extractors.ocr
    monkeypatch.setattr(extractors.ocr, "ocr_pdf_pages", lambda *a: pytest.fail("a blank page went to OCR"))
    doc = read(write(tmp_path, [{"items": []}, {"items": paragraph(108, 72, 100, "1. " + LOREM)[0]}]))
    assert doc.extractor == "pdfplumber" and not doc.ocr and doc.pages == 2
    assert [(b.label, b.text, b.page) for b in doc.blocks] == [("1.", LOREM, 2)]


def table_page(top_rows: list[list[str]], xs: list[float], top: float, pitch: float = 20,
               skip: frozenset = frozenset(), extra: list | None = None, **page) -> dict:
    ys = [top + pitch * i for i in range(len(top_rows) + 1)]
    items = grid(xs, ys, skip) + (extra or [])
    for r, row in enumerate(top_rows):
        for c, cell in enumerate(row):
            if cell:
                items.append(text(xs[c] + 4, ys[r] + 4, cell, 10))
    return dict(page, items=items)


def test_table_merged_cells_and_page_continuation(tmp_path):
    xs = [60, 100, 300, 420, 530]
    header = ["TT", "Task", "Lead", "Deadline"]
    # page 1: a group row spanning columns 1-3, and a lead cell spanning two rows
    page1 = table_page([header, ["I", "Group of tasks", "", ""], ["1", "Write the plan", "Dept A", "Q2/2025"],
                        ["2", "Run the survey", "", "2025"], ["3", "Start the work", "Dept C", "- Plan in Q1"]],
                       xs, 100, skip=frozenset({("v", 2, 1), ("v", 3, 1), ("h", 3, 2)}),
                       extra=paragraph(72, 72, 60, "Table of tasks")[0])
    # page 2: the header repeated, then the rest of row 3 (its number cell empty), then row 4
    page2 = table_page([header, ["", "and finish it", "", "- Report in Q3"], ["4", "Close", "Dept D", "2026"]],
                       xs, 40)
    doc = read(write(tmp_path, [page1, page2]))
    assert [b.kind for b in doc.blocks] == ["paragraph", "table"]
    table = doc.blocks[1]
    assert table.rows == [
        header,
        ["I", "Group of tasks", "", ""],
        ["1", "Write the plan", "Dept A", "Q2/2025"],
        ["2", "Run the survey", "Dept A", "2025"],
        ["3", "Start the work and finish it", "Dept C", "- Plan in Q1\n- Report in Q3"],
        ["4", "Close", "Dept D", "2026"],
    ]
    assert table.row_pages == [1, 1, 1, 1, 1, 2]
    assert table.page == 1
    assert table.text.splitlines()[4] == "3 | Start the work and finish it | Dept C | - Plan in Q1 - Report in Q3"


def test_rotated_landscape_page(tmp_path):
    portrait = {"items": paragraph(108, 72, 100, "1. " + LOREM)[0]}
    landscape = table_page([["TT", "Task"], ["1", "Rotated row"]], [60, 120, 700], 80,
                           rotate=90, width=842, height=595)
    doc = read(write(tmp_path, [portrait, landscape]))
    assert doc.blocks[0].text == LOREM
    assert doc.blocks[1].rows == [["TT", "Task"], ["1", "Rotated row"]] and doc.blocks[1].page == 2


def test_sample_002_task_table():
    doc = read(next((RAW / "pdf").glob("002_*.pdf")))
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert len(tables) == 1, "the appendix table runs over 18 landscape pages as one table"
    rows = tables[0].rows
    assert rows[0][:2] == ["TT", "Nhiệm vụ"] and len(rows) == 61
    assert {len(r) for r in rows} == {6}
    assert sum(r[0] == "TT" for r in rows) == 1, "repeated header rows dropped"
    numbers = [r[0] for r in rows if r[0].isdigit()]
    assert numbers == [str(i) for i in range(1, 51)]
    group = next(r for r in rows if r[0] == "II")
    assert group[2:] == ["", "", "", ""], "a group row spanning columns fills the covered cells with ''"
    row3 = next(r for r in rows if r[0] == "3")      # split by the page 3/4 break
    assert row3[5] == "- Kế hoạch hoàn thành trước tháng 01 hằng năm\n- Các nhiệm vụ cụ thể được triển khai theo KH"
    assert "đổi mới sáng tạo của từng cơ quan, đơn vị" in row3[4]
    assert tables[0].row_pages[0] == 3 and tables[0].row_pages[-1] == 20
    assert tables[0].row_pages == sorted(tables[0].row_pages)


def test_sample_text_is_nfc_and_whitespace_clean():
    import unicodedata

    for path in sorted((RAW / "pdf").glob("*.pdf"))[:2]:
        for b in read(path).blocks:
            assert b.text == unicodedata.normalize("NFC", b.text)
            assert "  " not in b.text and b.text == b.text.strip()


def test_ocr_digits_read_as_letters_inside_numbers():
    """Tesseract reads 1 as I/l/Ì/Ï and 0 as O inside numbers; a run holding a real digit is
    a number, a word is left alone."""
    from extractors.ocr import mend_digits
    assert mend_digits("hoàn thành trước ngày 3 Ì tháng 10 năm 2025") == "hoàn thành trước ngày 31 tháng 10 năm 2025"
    assert mend_digits("Nghị quyết số I7/NQ-CP ngày 0l tháng 0I năm 2O21") == "Nghị quyết số 17/NQ-CP ngày 01 tháng 01 năm 2021"
    for kept in ("Ông Il Sung", "Đại hội XIII", "tiêu chuẩn ISO 9001", "tháng lÌ"):
        assert mend_digits(kept) == kept


def _scan(width=2480, height=3508):
    import numpy as np
    return np.full((height, width), 250, dtype=np.uint8)


def test_ruled_table_found_in_a_faint_broken_scan():
    """A scanned table's rules are faint, broken and fade out before the border; its cells
    are still found (3 × 3 here), and the rules' mask lies on the rules only."""
    from extractors.ocr import DPI, ruled_cells
    page = _scan()
    xs, ys = (200, 500, 1400, 2300), (400, 500, 900, 1300)
    for y in ys:
        page[y:y + 3, xs[0]:xs[-1] + 3] = 200
    for x in xs:
        page[ys[0]:ys[-1] + 3, x:x + 3] = 200
    page[600:750, xs[-1]:xs[-1] + 3] = 250          # the right border broken
    page[900:903, xs[0] + 1:xs[1]] = 238            # a row rule faded over the first column
    tables, rules = ruled_cells(page)
    points = 72 / DPI
    assert len(tables) == 1
    assert sorted((round(c[0] / points, -1), round(c[1] / points, -1)) for c in tables[0]) == sorted(
        (x, y) for x in xs[:-1] for y in ys[:-1])
    assert rules[401, 1000] and not rules[700, 1000]


def test_no_table_in_scanned_text():
    """Rows of glyph-sized marks (a page of text) hold no rules and no table."""
    import random
    from extractors.ocr import ruled_cells
    page, rng = _scan(), random.Random(7)
    for top in range(300, 3200, 70):
        x = 200
        while x < 2250:
            w = rng.randint(8, 28)
            page[top:top + 32, x:x + w] = 40
            x += w + rng.randint(4, 14)
    assert ruled_cells(page)[0] == []
