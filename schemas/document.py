"""The document model every extractor produces: an ordered list of located blocks.

Extractors know files, not Vietnamese; the pipeline reads only this model.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "list_item", "table"]
Box = tuple[float, float, float, float]   # x0, top, x1, bottom in PDF points, from the page's top left


class ExtractionError(Exception):
    """A file could not be read as a plan document. The message names the file and the cause."""

    def __init__(self, path: str, cause: str):
        self.path = str(path)
        self.cause = cause
        super().__init__(f"{path}: {cause}")

    def __reduce__(self):   # pickled whole, e.g. from a worker process
        return type(self), (self.path, self.cause)


@dataclass
class Block:
    """One unit of the body in reading order.

    `text` is Unicode NFC with wrapped lines joined. For list items, `label` is the printed
    or rebuilt numbering ("I.", "1.", "a)", "-", "+") and `text` is what follows it; for other
    kinds `label` is None and any printed number stays in `text`. Tables carry `rows` (lists of
    cell strings, merged cells resolved, continuation rows stitched) and `text` holds the rows
    joined by newlines with cells separated by " | ".
    """

    kind: BlockKind
    text: str
    label: str | None = None
    rows: list[list[str]] | None = None
    page: int | None = None          # 1-based page (PDF)
    index: int = 0                   # position in the document's block list / DOCX body index
    line: int | None = None          # 1-based source line (text files)
    bold: bool = False               # whole block set in bold (headings in prose plans)
    ocr: bool = False                # text came from OCR
    row_pages: list[int | None] | None = None  # page of each table row (PDF)
    bbox: Box | None = None          # where on `page` the block starts (PDF)
    row_boxes: list[Box | None] | None = None  # each table row's box on its row_pages page (PDF)


@dataclass
class Document:
    path: str
    sha256: str
    format: Literal["pdf", "docx", "txt", "md", "doc", "odt"]
    pages: int | None
    blocks: list[Block] = field(default_factory=list)
    footnotes: list[str] = field(default_factory=list)
    extractor: str = ""              # e.g. "pdfplumber", "python-docx", "tesseract"
    ocr: bool = False

    @property
    def name(self) -> str:
        """The file's name without its extension: the export's `document` field."""
        from pathlib import Path

        return Path(self.path).stem
