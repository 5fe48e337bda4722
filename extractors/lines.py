"""Format-independent text helpers: joining hard-wrapped lines (numbering labels: schemas.numbering).

Used by every extractor that sees lines rather than paragraphs (text files, PDF, OCR).
"""
from __future__ import annotations

import re
import unicodedata

from extractors.settings import LAYOUT
from schemas.numbering import split_label, starts_lower

def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean(text: str) -> str:
    """NFC with whitespace (incl. non-breaking spaces) collapsed to single spaces."""
    return re.sub(r"\s+", " ", nfc(text).replace("\u00a0", " ")).strip()


def is_caps_line(text: str) -> bool:
    """A line set in capitals ("KẾ HOẠCH", "III. TỔ CHỨC THỰC HIỆN")."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def continues(previous: str, line: str, gap: bool, full: bool, hard_break: bool = False) -> bool:
    """Whether `line` continues the paragraph ending in `previous` (a wrapped line).

    `gap`: blank lines stand between them; `full`: the previous line ran to the wrap width;
    `hard_break`: the previous line ended in two spaces (a Markdown line break).
    A label always starts a new paragraph; a lower-case start always continues; otherwise a
    line continues only when no blank line separates them, neither is set in capitals, and
    the previous line ran to the margin (a short line is a heading or a paragraph's end).
    """
    if split_label(line)[0] is not None:
        return False
    if starts_lower(line) and not is_caps_line(previous):
        return True
    if gap or hard_break or is_caps_line(previous) or is_caps_line(line):
        return False
    return full


def wrap_width(lengths: list[int]) -> int:
    """The width hard-wrapped lines run to: a high percentile of the line lengths."""
    if not lengths:
        return 0
    ordered = sorted(lengths)
    return ordered[int(LAYOUT.wrap_share * (len(ordered) - 1))]


def join_lines(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Join hard-wrapped lines into paragraphs: [(first line number, paragraph text)].

    `lines` are (line number, text) in order; blank lines mark possible paragraph gaps.
    """
    cleaned = [(number, clean(raw), raw.endswith("  ")) for number, raw in lines]
    width = wrap_width([len(text) for _, text, _ in cleaned if text])
    paragraphs: list[tuple[int, list[str]]] = []   # lines joined once at the end: linear
    gap, previous, hard_break = True, "", False
    for number, line, breaks in cleaned:
        if not line:
            gap = True
            continue
        full = len(previous) >= LAYOUT.full_line * width
        if paragraphs and continues(previous, line, gap, full, hard_break):
            paragraphs[-1][1].append(line)
        else:
            paragraphs.append((number, [line]))
        gap, previous, hard_break = False, line, breaks
    return [(start, " ".join(parts)) for start, parts in paragraphs]
