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


def fold_words(text: str) -> list[str]:
    """The words of `text`, folded (for token-overlap similarity)."""
    return re.findall(r"[a-z0-9]+", fold(text))


def strip_marks(text: str) -> str:
    """Text without diacritics (đ → d), case kept: the form OCR-damaged headings are
    matched in ("TÓ CHỨC THỰC HIỆN" and "TỔ CHỨC THỰC HIỆN" are both "TO CHUC THUC HIEN")."""
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


def fold(text: str) -> str:
    """Lower case without diacritics (đ → d): for forgiving comparisons."""
    return strip_marks(text.lower())
