"""Read plan files (PDF, scanned PDF, DOCX, text/Markdown, legacy .doc/.odt) into a Document.

Extractors know files, not Vietnamese: they return ordered, located blocks in Unicode NFC.
"""
from __future__ import annotations

import hashlib
import importlib
import threading
import zipfile
from pathlib import Path

from schemas.document import Document, ExtractionError

# One reader per file suffix: (format, module, function `read_…(path) -> Document`). A new
# format is one module in extractors/ registered here; modules are imported when first used.
# pdfium is not thread-safe: every use of it (reading, rendering) holds this lock, so that
# PDFs read in threads (the Prefect thread runner, the review server) take turns.
PDFIUM = threading.RLock()

READERS = {
    ".pdf": ("pdf", "extractors.pdf", "read_pdf"),
    ".docx": ("docx", "extractors.docx", "read_docx"),
    ".txt": ("txt", "extractors.text", "read_text"),
    ".md": ("md", "extractors.text", "read_text"),
    ".doc": ("doc", "extractors.legacy", "read_legacy"),
    ".odt": ("odt", "extractors.legacy", "read_legacy"),
}
SUFFIXES = {suffix: fmt for suffix, (fmt, _, _) in READERS.items()}


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
    if path.suffix.lower() not in READERS:
        raise ExtractionError(path, f"unsupported file type {path.suffix or '(none)'!r}; "
                                    f"expected {', '.join(list(READERS)[:-1])} or {list(READERS)[-1]}")
    fmt, module, function = READERS[path.suffix.lower()]
    if path.stat().st_size == 0:
        raise ExtractionError(path, "the file is empty (0 bytes)")
    check_content(path, fmt)
    from extractors.limits import check_size
    check_size(path)
    from extractors.controls import clean_document
    document = clean_document(getattr(importlib.import_module(module), function)(path))
    check_encoding(document)
    return document


def check_encoding(document: Document) -> None:
    """Refuse text typed in a legacy Vietnamese font (TCVN3, VNI): it reads as garbage."""
    from extractors.encoding import legacy_encoding, legacy_message
    text = "\n".join(b.text for b in document.blocks)
    encoding = legacy_encoding(text)
    if encoding:
        raise ExtractionError(document.path, legacy_message(encoding))


_MAGIC = [(b"%PDF-", "a PDF file"), (b"PK\x03\x04", "a ZIP archive"), (b"PK\x05\x06", "an empty ZIP archive"),
          (b"\xd0\xcf\x11\xe0", "a legacy Office file (.doc/.xls)"), (b"{\\rtf", "an RTF document"),
          (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
          (b"II*\x00", "a TIFF image"), (b"MM\x00*", "a TIFF image"), (b"BM", "a BMP image")]


def describe(head: bytes) -> str:
    """What the first bytes of a file say it is."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "a WebP image"
    return "neither a PDF nor a Word document"


def check_content(path: Path, fmt: str) -> None:
    """Refuse a file whose content does not match its extension (an image or a ZIP renamed
    .pdf/.docx), naming what it really is."""
    with open(path, "rb") as f:
        head = f.read(1024)
    if fmt == "pdf" and b"%PDF-" not in head:
        raise ExtractionError(path, f"not a PDF: the file is {describe(head)}")
    if fmt in ("docx", "odt"):
        if not head.startswith(b"PK\x03\x04"):
            raise ExtractionError(path, f"not a {fmt.upper()} document: the file is {describe(head)}")
        member = "word/document.xml" if fmt == "docx" else "content.xml"
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError) as e:
            raise ExtractionError(path, f"damaged or truncated {fmt.upper()} (ZIP container unreadable: {e})") from e
        if member not in names:
            raise ExtractionError(path, f"not a {fmt.upper()} document: a ZIP archive without {member}")
    if fmt in ("txt", "md") and not head.startswith(b"BM") and describe(head) != describe(b""):
        raise ExtractionError(path, f"not a text file: the file is {describe(head)}")
    if fmt == "doc" and describe(head).endswith("image"):
        raise ExtractionError(path, f"not a Word document: the file is {describe(head)}")
