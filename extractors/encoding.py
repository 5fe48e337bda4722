"""Vietnamese typed in a legacy 8-bit font (TCVN3/ABC ".VnTime", VNI "VNI-Times") reads as
Latin-1 letters and symbols: "Kế hoạch" comes out "KÕ ho¹ch" (TCVN3) or "Keá hoaïch" (VNI).
`legacy_encoding(text)` tells such text from Unicode Vietnamese by counting both kinds of
characters; the extractors refuse it with a message naming the encoding. `not_utf8(raw)`
says why bytes are not UTF-8: a stray byte in UTF-8 text, a legacy encoding or another one."""
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


def not_utf8(raw: bytes) -> str:
    """Why `raw`, which is not valid UTF-8, cannot be read. Text whose other non-ASCII
    characters decode as UTF-8 has stray bytes: the offset of the first is named (read as
    Latin-1, its Vietnamese would pass for TCVN3)."""
    try:
        raw.decode("utf-8")
        return "valid UTF-8"
    except UnicodeDecodeError as e:
        first = e.start
    text = raw.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    if sum(ord(c) > 127 for c in text) - bad > bad:
        return (f"invalid UTF-8 at byte {first} (0x{raw[first]:02x}"
                f"{f'; {bad} bad sequences in all' if bad > 1 else ''}); the rest is UTF-8: "
                "remove or retype the damaged characters there and save the file as UTF-8")
    encoding = legacy_encoding(raw.decode("cp1252", errors="replace"))
    if encoding:
        return f"not UTF-8: {legacy_message(encoding)}"
    return ("not UTF-8 text (legacy encodings such as TCVN3/VNI are not supported; "
            "save the file as UTF-8)")
