"""Control characters are never part of a plan's words: terminal escape sequences (ESC [ … m)
and C0/C1 controls are removed from everything an extractor read; tabs and line breaks stay,
vertical tab and form feed become spaces."""
from __future__ import annotations

import re

from schemas.document import Document

ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?")
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """`text` without escape sequences and control characters (\\v and \\f → space)."""
    if text is None:
        return text
    text = ESCAPE_SEQUENCE.sub("", text)
    return CONTROL.sub("", text.replace("\x0b", " ").replace("\x0c", " "))


def clean_document(document: Document) -> Document:
    """The document with control characters removed from every block, cell and footnote."""
    for block in document.blocks:
        block.text = strip_controls(block.text)
        block.label = strip_controls(block.label)
        if block.rows:
            block.rows = [[strip_controls(c) for c in row] for row in block.rows]
    document.footnotes = [strip_controls(f) for f in document.footnotes]
    return document
