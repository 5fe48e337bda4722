"""Read plan files (PDF, scanned PDF, DOCX, text/Markdown, legacy .doc/.odt) into a Document.

Extractors know files, not Vietnamese: they return ordered, located blocks in Unicode NFC.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from schemas.document import Document, ExtractionError

SUFFIXES = {".pdf": "pdf", ".docx": "docx", ".txt": "txt", ".md": "md", ".doc": "doc", ".odt": "odt"}


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read(path: str | Path) -> Document:
    """Read one file into a Document; raise ExtractionError naming the file and the cause."""
    path = Path(path)
    if not path.is_file():
        raise ExtractionError(path, "no such file")
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise ExtractionError(path, f"unsupported file type {path.suffix or '(none)'!r}; "
                                    "expected .pdf, .docx, .txt, .md, .doc or .odt")
    if path.stat().st_size == 0:
        raise ExtractionError(path, "the file is empty (0 bytes)")
    if fmt in ("txt", "md"):
        from extractors.text import read_text
        return read_text(path)
    if fmt == "pdf":
        from extractors.pdf import read_pdf
        return read_pdf(path)
    if fmt == "docx":
        from extractors.docx import read_docx
        return read_docx(path)
    from extractors.legacy import read_legacy
    return read_legacy(path)
