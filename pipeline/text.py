"""Vietnamese text normalization shared by the matchers."""
from __future__ import annotations

import logging
import re
import unicodedata
from functools import cache

_handlers = list(logging.root.handlers)
from underthesea.pipeline.text_normalize import token_normalize  # noqa: E402

logging.root.handlers[:] = _handlers   # underthesea calls logging.basicConfig on import

from pipeline.resources import rows  # noqa: E402
from schemas.text import fold, fold_words, strip_marks  # noqa: E402,F401  (used through pipeline.text)

WORD = re.compile(r"\w+")


def tone_normalize(text: str) -> str:
    """NFC, one spelling of tone marks ("hoá" → "hóa", "Uỷ" → "Ủy"), via underthesea's
    per-token normalizer applied word by word (so offsets and punctuation stay put)."""
    text = unicodedata.normalize("NFC", text)
    return WORD.sub(lambda m: token_normalize(m.group()), text)


@cache
def _abbreviations() -> re.Pattern:
    keys = sorted((r[0] for r in rows("abbreviations.tsv")), key=len, reverse=True)
    return re.compile(r"(?<![\w&/-])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w&/])")


@cache
def _expansions() -> dict[str, str]:
    return {r[0]: r[1] for r in rows("abbreviations.tsv")}


def expand_abbreviations(text: str) -> str:
    """UBND → Ủy ban nhân dân, KH&CN → Khoa học và Công nghệ, … (abbreviations.tsv)."""
    table = _expansions()
    return _abbreviations().sub(lambda m: table[m.group(1)], text)


def normalize(text: str) -> str:
    """The form every matcher reads: tone marks normalized, abbreviations expanded,
    whitespace collapsed."""
    text = expand_abbreviations(tone_normalize(text))
    return re.sub(r"\s+", " ", text).strip()


