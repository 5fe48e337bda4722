"""Blocks built the same way for PDF, OCR and DOCX: NFC, collapsed whitespace, enumeration
labels split off list items (schemas.numbering.split_label), tables padded to one width."""
from __future__ import annotations

import re

from extractors.lines import nfc
from schemas.numbering import split_label
from schemas.document import Block

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\ufeff"))
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def clean(text: str) -> str:
    """NFC, invisible characters removed, runs of spaces collapsed, each line stripped and
    empty lines dropped (newlines are kept: they separate paragraphs inside table cells)."""
    text = nfc(text).translate(_INVISIBLE)
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def text_block(text: str, **where) -> Block | None:
    """A paragraph's Block: list_item when it starts with a label, else paragraph."""
    text = clean(text).replace("\n", " ")
    if not text:
        return None
    label, rest = split_label(text)
    if label is not None:
        return Block("list_item", rest, label=label, **where)
    return Block("paragraph", text, **where)


def table_block(rows: list[list[str]], row_pages: list[int] | None = None,
                row_boxes: list | None = None, **where) -> Block | None:
    """A table's Block; cells cleaned, rows padded to the widest row, empty rows dropped
    (with their entries in row_pages and row_boxes)."""
    kept = [(i, [clean(c or "") for c in row]) for i, row in enumerate(rows)]
    kept = [(i, row) for i, row in kept if any(row)]
    if not kept:
        return None
    width = max(len(row) for _, row in kept)
    rows = [row + [""] * (width - len(row)) for _, row in kept]
    if row_pages is not None:
        row_pages = [row_pages[i] for i, _ in kept]
    if row_boxes is not None:
        row_boxes = [row_boxes[i] for i, _ in kept]
    return Block("table", table_text(rows), rows=rows, row_pages=row_pages,
                 row_boxes=row_boxes, bbox=row_boxes[0] if row_boxes else None, **where)


def table_text(rows: list[list[str]]) -> str:
    return "\n".join(" | ".join(cell.replace("\n", " ") for cell in row) for row in rows)
