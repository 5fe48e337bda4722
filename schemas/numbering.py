"""Numbering labels ("I.", "1.", "1.1.", "a)", "(1)", "-", "+"): the one place that knows
them, shared by the Document builders (extractors) and the plan reader (pipeline), so that
neither reaches into the other."""
from __future__ import annotations

import re

# An enumeration label at the start of a paragraph: "I.", "II -", "1.", "1.1.", "3.3.", "2)",
# "a)", "đ)", "a.", "-", "–", "•", "+", "*". Arabic labels need a closing "." or ")" (or a
# second level) so that a wrapped line starting with a year is not taken for one.
LABEL = re.compile(
    r"""^\s*(?P<label>
        (?:[IVXLC]{1,6}\s*[.)/-])               # Roman
      | (?:\d{1,3}(?:\.\d{1,3})+\.?)            # 1.1 / 1.1. / 3.3.2
      | (?:\d{1,3}[.)])                         # 1. / 2)
      | (?:[a-zđ][).])                          # a) đ) a.
      | (?:\((?:\d{1,3}|[a-zđ])\))                # (1) (a)
      | (?:[-–—•+*])                            # dash, bullet, plus, star
    )(?=\s|$)""",
    re.VERBOSE,
)


def split_label(text: str) -> tuple[str | None, str]:
    """Split a leading enumeration label off a paragraph: ("1.", "Sở Tài chính …")."""
    m = LABEL.match(text)
    if not m:
        return None, text.strip()
    label = re.sub(r"\s+", "", m.group("label"))
    return label, text[m.end():].strip()


def starts_lower(text: str) -> bool:
    first = next((c for c in text if c.isalnum() or c in "(“\""), "")
    return first.islower() or (first.isdigit() and split_label(text)[0] is None)


def style(label: str) -> str:
    """The numbering style of a label; items of one style are siblings ("(1)" apart from "1.")."""
    core = label_code(label)
    if label.startswith("("):
        return "paren-" + ("arabic" if core.isdigit() else "letter")
    if label in ("-", "–", "—", "•"):
        return "dash"
    if label in ("+", "*"):
        return label
    if re.fullmatch(r"[IVXLC]+", core):
        return "roman"
    if re.fullmatch(r"\d+(?:\.\d+)+", core):
        return f"multi{core.count('.') + 1}"
    if core.isdigit():
        return "arabic"
    return "letter"


def label_code(label: str) -> str:
    """A label without its brackets and closing punctuation ("(1)" → "1", "II." → "II")."""
    return label.strip("(").rstrip(".)/-").strip()


# A task table's number cell: a group row ("II"), a numbered row ("1.", "1.2"), a sub-row ("-").
ROMAN_CELL = re.compile(r"^[IVXLC]+\.?$")
NUMBER_CELL = re.compile(r"^\d+(?:\.\d+)*\.?$")
DASH_CELL = re.compile(r"^[-–•+]$")
