"""Accent- and case-blind text comparison, shared by the pipeline and the store."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter


def strip_marks(text: str) -> str:
    """Text without diacritics (đ → d), case kept: the form OCR-damaged headings are
    matched in ("TÓ CHỨC THỰC HIỆN" and "TỔ CHỨC THỰC HIỆN" are both "TO CHUC THUC HIEN")."""
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


def fold(text: str | None) -> str:
    """Lower case without diacritics (đ → d): for keys and forgiving comparisons."""
    return strip_marks((text or "").lower())


def fold_words(text: str) -> list[str]:
    """The words of `text`, folded."""
    return re.findall(r"[a-z0-9]+", fold(text))


def dice(a: Counter, b: Counter) -> float:
    """Token overlap (Dice coefficient) of two bags of words; two empty bags are the same."""
    if not a or not b:
        return float(a == b)
    return 2 * sum((a & b).values()) / (sum(a.values()) + sum(b.values()))
