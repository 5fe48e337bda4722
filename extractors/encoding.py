"""Vietnamese typed in a legacy 8-bit font (TCVN3/ABC ".VnTime", VNI "VNI-Times") reads as
Latin-1 letters and symbols: "Kế hoạch" comes out "KÕ ho¹ch" (TCVN3) or "Keá hoaïch" (VNI).
`legacy_encoding(text)` tells such text from Unicode Vietnamese by counting both kinds of
characters; the extractors refuse it with a message naming the encoding."""
from __future__ import annotations

import re

# Letters only Unicode Vietnamese has (not in Latin-1): ă đ ĩ ũ ơ ư and the precomposed block.
_VIETNAMESE = re.compile("[ăĂđĐĩĨũŨơƠưƯ\u1ea0-\u1ef9]")
# Latin-1 characters Vietnamese never uses (its own à á â ã è é ê ì í ò ó ô õ ù ú ý excluded,
# and the symbols real documents carry: NBSP « » ° § · × ±).
_LATIN1_FOREIGN = re.compile("[\u00a1-\u00ff]")
_KEEP = set("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ«»°§·×±")
MIN_MARKS = 8                            # fewer foreign characters: too little to say


def legacy_encoding(text: str) -> str | None:
    """"VNI" or "TCVN3" when `text` looks like Vietnamese in that legacy encoding read as
    Latin-1, else None."""
    marks = [c for c in _LATIN1_FOREIGN.findall(text) if c not in _KEEP]
    if len(marks) < MIN_MARKS:
        return None
    if len(marks) <= 2 * len(_VIETNAMESE.findall(text)):
        return None
    # TCVN3 puts its most frequent letters (â ê ô ơ ư đ à á ạ) at A8–B9, shown as symbols;
    # VNI writes a base letter followed by a Latin-1 letter (Vieät, ñ = đ).
    symbols = sum("\u00a1" <= c <= "\u00bf" for c in marks)
    return "TCVN3" if symbols * 4 >= len(marks) else "VNI"


def legacy_message(encoding: str) -> str:
    font = "VNI-Times" if encoding == "VNI" else ".VnTime"
    return (f"the text looks like {encoding}-encoded Vietnamese (a legacy font such as {font}), "
            "not Unicode; convert it to Unicode (e.g. with UniKey's converter) and retry")
