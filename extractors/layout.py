"""Page geometry to text: words -> lines -> paragraphs, for PDF text layers and OCR alike.

A word is a dict with at least text, x0, x1, top, bottom (points, origin top-left), as
pdfplumber's extract_words gives (plus fontname and size when known).
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from schemas.numbering import split_label
from extractors.settings import LAYOUT

_BOLD = re.compile(r"bold|black|heavy|semibold|demi|,b\b", re.I)
_BULLETS = ("-", "–", "—", "•", "+", "*", "▪", "►", "●", "○", "◦")


@dataclass
class Line:
    """One printed line (or one column segment of it) on a page."""

    words: list[dict]
    page: int
    size: float
    split: bool = False          # shares its row with other segments (columns): a paragraph alone
    ocr: bool = False
    x0: float = field(init=False)
    x1: float = field(init=False)
    top: float = field(init=False)
    bottom: float = field(init=False)
    text: str = field(init=False)

    def __post_init__(self):
        self.x0 = self.words[0]["x0"]
        self.x1 = max(w["x1"] for w in self.words)
        self.top = min(w["top"] for w in self.words)
        self.bottom = max(w["bottom"] for w in self.words)
        self.text = join_words(self.words, self.size)

    @property
    def bold(self) -> bool:
        return all(_BOLD.search(w.get("fontname") or "") for w in self.words)

    @property
    def first_word_width(self) -> float:
        return self.words[0]["x1"] - self.words[0]["x0"]

    @property
    def text_start(self) -> float | None:
        """x0 of the text after a leading label ("a) Sở …" -> x0 of "Sở"), for hanging indents."""
        if len(self.words) > 1 and split_label(self.words[0]["text"] + " x")[0] is not None:
            return self.words[1]["x0"]
        return None


def join_words(words: list[dict], size: float) -> str:
    """Words in x order joined by spaces, except pieces that touch (a font change mid-word)."""
    out = [words[0]["text"]]
    for prev, word in zip(words, words[1:]):
        out.append(("" if word["x0"] - prev["x1"] < LAYOUT.touching * size else " ") + word["text"])
    return "".join(out)


def word_size(word: dict) -> float:
    return word.get("size") or (word["bottom"] - word["top"])


def make_lines(words: list[dict], page: int) -> list[Line]:
    """Group words into lines top to bottom (see row_lines)."""
    rows: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if rows:
            first = rows[-1][0]
            if word["top"] - first["top"] < LAYOUT.same_row * (first["bottom"] - first["top"]):
                rows[-1].append(word)
                continue
        rows.append([word])
    return [line for row in rows for line in row_lines(row, page)]


def row_lines(row: list[dict], page: int, ocr: bool = False, size: float | None = None) -> list[Line]:
    """The words of one printed row as Lines, split where a gap is wide enough to be a
    column boundary."""
    row = sorted(row, key=lambda w: w["x0"])
    size = size or statistics.median(word_size(w) for w in row)
    segments = [[row[0]]]
    for prev, word in zip(row, row[1:]):
        if word["x0"] - prev["x1"] > max(LAYOUT.column_gap * size, LAYOUT.column_gap_min):
            segments.append([])
        segments[-1].append(word)
    return [Line(seg, page, size, split=len(segments) > 1, ocr=ocr) for seg in segments]


@dataclass
class Frame:
    """The text area of a page: paragraphs are judged against its left and right edges."""

    left: float
    right: float
    gap: float        # vertical gap between lines above which a new paragraph starts

    @classmethod
    def of(cls, lines: list[Line], default: "Frame | None" = None) -> "Frame":
        if len(lines) < LAYOUT.frame_min_lines and default is not None:
            return default
        x0s = sorted(line.x0 for line in lines)
        x1s = sorted(line.x1 for line in lines)
        gaps = sorted(b.top - a.bottom for a, b in zip(lines, lines[1:])
                      if a.page == b.page and b.top > a.bottom)
        size = statistics.median(line.size for line in lines) if lines else LAYOUT.frame_size
        gap = gaps[len(gaps) // 2] if gaps else LAYOUT.frame_line_gap * size
        return cls(x0s[int(len(x0s) * LAYOUT.frame_left)] if x0s else 0,
                   x1s[int(len(x1s) * LAYOUT.frame_right)] if x1s else 0,
                   gap + LAYOUT.paragraph_gap * size)


def _centered(line: Line, frame: Frame) -> bool:
    """Indented from the left edge as much as from the right one."""
    left, right = line.x0 - frame.left, frame.right - line.x1
    return (left > LAYOUT.centered_indent * line.size
            and abs(left - right) < LAYOUT.centered * line.size)


def continues(prev: Line, cur: Line, frame: Frame, first: bool) -> bool:
    """Does `cur` continue the paragraph whose last line is `prev`?

    Only if prev was full: cur's first word would not have fitted on it (lines wrapped by
    the page width). A first-line indent (cur indented from prev, or prev and cur both
    indented as first lines) or a blank gap starts a new paragraph; a centred paragraph's
    lines, and a hanging indent after a label, do not.
    `first` says prev is its paragraph's first line.
    """
    if prev.split or cur.split or prev.ocr != cur.ocr:
        return False
    if split_label(cur.text)[0] in ("-", "–", "•", "+") and prev.text.rstrip()[-1:] in ".;:!?":
        return False      # "… mầm bệnh." then "- Hướng dẫn …": a new item, however full the line
    if prev.page == cur.page and cur.top - prev.bottom > frame.gap:
        return False
    if abs(cur.size - prev.size) > LAYOUT.size_change * prev.size:
        return False
    centered = _centered(prev, frame) and _centered(cur, frame)
    room = (frame.right - frame.left) - (prev.x1 - prev.x0) if centered else frame.right - prev.x1
    if (cur.first_word_width + LAYOUT.word_slack * prev.size
            < room - LAYOUT.room_slack * prev.size):
        return False
    tol = LAYOUT.indent * prev.size
    if centered:
        return True
    if cur.x0 > prev.x0 + tol:
        hang = prev.text_start if first else None
        return hang is not None and abs(cur.x0 - hang) < tol
    if first and prev.x0 > frame.left + tol and abs(cur.x0 - prev.x0) < tol:
        return False      # two first-line indents in a row: two paragraphs
    return True


def join_lines(a: str, b: str) -> str:
    """Join a wrapped line to the next: with a space, or with nothing after a line broken at a
    hyphen inside a word ("số 20-" + "NQ/TW"). Words themselves are never hyphenated."""
    if not a:
        return b
    if a[-1] in "-–" and len(a) > 1 and not a[-2].isspace():
        return a + b
    return a + " " + b


def paragraph_text(lines: list[Line]) -> str:
    out = ""
    for line in lines:
        out = join_lines(out, line.text)
    return out


def cell_text(lines: list[Line]) -> str:
    """Text of a table cell: wrapped lines joined by spaces, a new line before each dash item."""
    out = ""
    for line in lines:
        first = line.words[0]["text"]
        if out and first.startswith(_BULLETS) and split_label(line.text)[0]:
            out += "\n" + line.text
        else:
            out = join_lines(out, line.text)
    return out


def cells_bbox(cells: list[tuple]) -> tuple[float, float, float, float]:
    """The box (x0, top, x1, bottom) around a table's cells."""
    return (min(c[0] for c in cells), min(c[1] for c in cells), max(c[2] for c in cells), max(c[3] for c in cells))
