"""Bad input gives ExtractionError naming the file and the cause; legacy formats go through
LibreOffice; `python -m extractors` prints an outline. The bad files are made here."""
from __future__ import annotations

import os
import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from extract_files import pdf_bytes, text
from extractors import read
from extractors.__main__ import main
from schemas.document import ExtractionError

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
SAMPLE_PDF = next((RAW / "pdf").glob("000_*.pdf"))
SAMPLE_DOCX = next((RAW / "docx").glob("000_*.docx"))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def fails(path: Path, *words: str) -> str:
    with pytest.raises(ExtractionError) as e:
        read(path)
    message = str(e.value)
    assert e.value.path == str(path) and message.startswith(str(path))
    for word in words:
        assert word in message, message
    return message


def test_missing_empty_and_unsupported(tmp_path):
    fails(tmp_path / "absent.pdf", "no such file")
    (tmp_path / "empty.pdf").write_bytes(b"")
    fails(tmp_path / "empty.pdf", "empty")
    (tmp_path / "plan.xlsx").write_bytes(b"PK\x03\x04")
    fails(tmp_path / "plan.xlsx", "unsupported file type")


def test_damaged_pdfs(tmp_path):
    raw = SAMPLE_PDF.read_bytes()
    (tmp_path / "half.pdf").write_bytes(raw[: len(raw) // 2])
    fails(tmp_path / "half.pdf", "truncated PDF")
    (tmp_path / "tail.pdf").write_bytes(raw[:-300])
    fails(tmp_path / "tail.pdf", "truncated PDF")
    (tmp_path / "garbage.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(2000) + b"\n%%EOF\n")
    fails(tmp_path / "garbage.pdf", "damaged or truncated PDF")


def test_encrypted_pdf(tmp_path):
    path = tmp_path / "locked.pdf"
    path.write_bytes(pdf_bytes([{"items": [text(72, 72, "secret plan")]}], password="s3cret"))
    fails(path, "encrypted; remove the password and retry")


def test_renamed_files(tmp_path):
    (tmp_path / "image.pdf").write_bytes(PNG)
    fails(tmp_path / "image.pdf", "not a PDF", "PNG image")
    (tmp_path / "image.docx").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 64)
    fails(tmp_path / "image.docx", "not a DOCX", "JPEG image")
    (tmp_path / "report.docx").write_bytes(SAMPLE_PDF.read_bytes())
    fails(tmp_path / "report.docx", "PDF file")
    with zipfile.ZipFile(tmp_path / "archive.docx", "w") as z:
        z.writestr("readme.txt", "not a document")
    fails(tmp_path / "archive.docx", "ZIP archive without word/document.xml")
    shutil.copy(tmp_path / "archive.docx", tmp_path / "archive.pdf")
    fails(tmp_path / "archive.pdf", "not a PDF", "ZIP archive")
    (tmp_path / "cut.docx").write_bytes(SAMPLE_DOCX.read_bytes()[:5000])
    fails(tmp_path / "cut.docx", "damaged or truncated DOCX")


def test_files_without_text(tmp_path):
    (tmp_path / "blank.pdf").write_bytes(pdf_bytes([{"items": []}]))
    fails(tmp_path / "blank.pdf", "no readable text")
    import docx

    docx.Document().save(tmp_path / "blank.docx")
    fails(tmp_path / "blank.docx", "no readable text")


def test_legacy_without_libreoffice(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 64)
    fails(tmp_path / "old.doc", "LibreOffice", "apt-get install libreoffice-writer")


def test_legacy_through_soffice(tmp_path, monkeypatch):
    """A stand-in soffice that 'converts' by copying a sample DOCX into --outdir."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "soffice"
    script.write_text(f"""#!/bin/sh
while [ $# -gt 1 ]; do [ "$1" = "--outdir" ] && out="$2"; shift; done
cp "{SAMPLE_DOCX}" "$out/$(basename "$1" | sed 's/\\.[^.]*$//').docx"
""")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    odt = tmp_path / "old.odt"
    with zipfile.ZipFile(odt, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<office:document-content/>")
    doc = read(odt)
    assert doc.format == "odt" and doc.path == str(odt) and doc.extractor == "libreoffice+python-docx"
    assert doc.blocks[0].text == "KẾ HOẠCH"


def test_outline_cli(capsys, tmp_path):
    assert main([str(next((RAW / "docx").glob("002_*.docx")))]) == 0
    out = capsys.readouterr().out
    assert "list_item I. MỤC ĐÍCH, YÊU CẦU" in out
    assert "table 61 rows × 6 cols" in out
    assert main([str(tmp_path / "absent.pdf")]) == 1
    assert "no such file" in capsys.readouterr().err
