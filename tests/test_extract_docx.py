"""DOCX extractor: Word numbering, headings, bold, merged and nested cells on a document built
here with python-docx, and the sample plans in data/raw."""
from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from extractors import read

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"

LEVELS = [("upperRoman", "%1."), ("decimal", "%2."), ("lowerLetter", "%3)"), ("bullet", "-")]


def add_list(document, num_id: int = 90) -> None:
    """A four-level list definition: I. / 1. / a) / -"""
    numbering = document.part.numbering_part.element
    lvls = "".join(f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                   f'<w:lvlText w:val="{text}"/></w:lvl>' for i, (fmt, text) in enumerate(LEVELS))
    abstract = parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{num_id}">{lvls}</w:abstractNum>')
    numbering.insert(0, abstract)       # abstractNum elements come before num elements
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}">'
                               f'<w:abstractNumId w:val="{num_id}"/></w:num>'))


def numbered(document, text: str, ilvl: int, num_id: int = 90):
    p = document.add_paragraph(text)
    p._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    return p


def build(path: Path) -> Path:
    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "Running header"
    d.sections[0].footer.paragraphs[0].text = "Page footer"
    add_list(d)
    d.add_heading("KẾ HOẠCH", level=1)
    d.add_paragraph().add_run("Bold opening line").bold = True
    mixed = d.add_paragraph()
    mixed.add_run("Partly ").bold = True
    mixed.add_run("bold")
    numbered(d, "MỤC ĐÍCH", 0)
    numbered(d, "Nhiệm vụ một", 1)
    numbered(d, "Sở Tài chính", 2)
    numbered(d, "Sở Nội vụ", 2)
    numbered(d, "Rà soát quy định", 3)
    numbered(d, "Nhiệm vụ hai", 1)
    numbered(d, "Sở Y tế", 2)
    numbered(d, "TỔ CHỨC THỰC HIỆN", 0)
    numbered(d, "Nhiệm vụ ba", 1)
    d.add_paragraph("")
    d.add_paragraph("a) Printed label in the text")
    d.add_paragraph("Style-numbered item", style="List Number")

    t = d.add_table(rows=4, cols=3)
    for c, h in enumerate(["TT", "Nhiệm vụ", "Thời gian"]):
        t.cell(0, c).text = h
    group = t.cell(1, 0).merge(t.cell(1, 2))              # gridSpan 3
    group.text = "I. Nhóm nhiệm vụ"
    t.cell(2, 0).text, t.cell(3, 0).text = "1", "2"
    t.cell(2, 1).text = "Xây dựng đề án"
    t.cell(3, 1).text = "Triển khai"
    time = t.cell(2, 2).merge(t.cell(3, 2))               # vMerge over two rows
    time.text = "Quý II/2025"
    time.add_paragraph("- Thường xuyên")
    inner = t.cell(3, 1).add_table(rows=1, cols=2)         # nested table
    inner.cell(0, 0).text, inner.cell(0, 1).text = "con A", "con B"
    d.add_paragraph("After the table")
    d.save(path)
    return path


def test_built_document(tmp_path):
    doc = read(build(tmp_path / "built.docx"))
    got = [(b.kind, b.label, b.text, b.bold) for b in doc.blocks if b.kind != "table"]
    assert got == [
        ("heading", None, "KẾ HOẠCH", True),
        ("paragraph", None, "Bold opening line", True),
        ("paragraph", None, "Partly bold", False),
        ("list_item", "I.", "MỤC ĐÍCH", False),
        ("list_item", "1.", "Nhiệm vụ một", False),
        ("list_item", "a)", "Sở Tài chính", False),
        ("list_item", "b)", "Sở Nội vụ", False),
        ("list_item", "-", "Rà soát quy định", False),
        ("list_item", "2.", "Nhiệm vụ hai", False),
        ("list_item", "a)", "Sở Y tế", False),
        ("list_item", "II.", "TỔ CHỨC THỰC HIỆN", False),
        ("list_item", "1.", "Nhiệm vụ ba", False),
        ("list_item", "a)", "Printed label in the text", False),
        ("list_item", "1.", "Style-numbered item", False),
        ("paragraph", None, "After the table", False),
    ]
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.rows == [
        ["TT", "Nhiệm vụ", "Thời gian"],
        ["I. Nhóm nhiệm vụ", "", ""],
        ["1", "Xây dựng đề án", "Quý II/2025\n- Thường xuyên"],
        ["2", "Triển khai\ncon A\ncon B", "Quý II/2025\n- Thường xuyên"],
    ]
    assert table.text.splitlines()[1] == "I. Nhóm nhiệm vụ |  | "
    all_text = " ".join(b.text for b in doc.blocks)
    assert "Running header" not in all_text and "Page footer" not in all_text
    assert [b.index for b in doc.blocks] == list(range(len(doc.blocks)))
    assert doc.format == "docx" and doc.extractor == "python-docx" and len(doc.sha256) == 64


def test_numbering_formats():
    from extractors.docx import _format

    assert [_format(n, "upperRoman") for n in (1, 4, 9, 14)] == ["I", "IV", "IX", "XIV"]
    assert [_format(n, "lowerLetter") for n in (1, 5, 26, 27)] == ["a", "e", "z", "aa"]
    assert _format(3, "decimalZero") == "03"


def test_sample_004_body_and_appendix_table():
    doc = read(next((RAW / "docx").glob("004_*.docx")))
    items = [b for b in doc.blocks if b.kind == "list_item"]
    assert [b.label for b in items[:3]] == ["I.", "1.", "2."]
    assert any(b.label == "3.3." and b.text.startswith("Sở Khoa học và Công nghệ chủ trì") for b in items)
    table = next(b for b in doc.blocks if b.kind == "table")
    assert len(table.rows) == 38 and {len(r) for r in table.rows} == {5}
    assert table.rows[2] == ["2. Tăng cường sự lãnh đạo của Đảng đối với phát triển khoa học, công nghệ và "
                             "đổi mới sáng tạo", "", "", "", ""]
