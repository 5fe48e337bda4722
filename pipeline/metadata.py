"""Plan metadata: province, number, issue date, title, signer (EXTRACTION.md §1)."""
from __future__ import annotations

import re
from functools import cache

from pipeline.resources import lines, pattern, words
from pipeline.text import fold, strip_marks, tone_normalize
from schemas.document import Block
from schemas.numbering import split_label
from schemas.plan import PlanMeta

NAME_TAIL = re.compile(r"((?:[A-ZĐÀ-Ỹ][a-zà-ỹđ]+\s*){2,6})$")      # "… CHỦ TỊCH Võ Tấn Đức"


@cache
def provinces() -> dict[str, str]:
    return {fold(p): p for p in lines("provinces.txt")}


def iso_date(day: str, month: str, year: str) -> str:
    """Full or partial ISO date from possibly blank day/month ("", "02", "2025" → "2025-02")."""
    if month and 1 <= int(month) <= 12:
        if day and 1 <= int(day) <= 31:
            return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
        return f"{int(year):04d}-{int(month):02d}"
    return f"{int(year):04d}"


def find_province(texts: list[str]) -> str | None:
    """From the place-date line, a "TỈNH X" header line, or the most frequent "tỉnh X"; none
    for a central body's document ("BỘ NỘI VỤ", "… CỦA CHÍNH PHỦ": "Hà Nội, ngày …" is where
    it was signed, not its province)."""
    header = [strip_marks(t) for t in texts[:8]]
    if any(pattern("central_issuer").search(t) for t in header) \
            and not any(pattern("local_issuer").search(t) for t in header):
        return None
    table = provinces()
    for text in texts[:15]:
        for m in pattern("place_date").finditer(text):
            place = _province_suffix(m.group(1), table)
            if place:
                return place
        m = pattern("province_header").match(text)
        if m and fold(m.group(1)) in table:
            return table[fold(m.group(1))]
    counts: dict[str, int] = {}
    for text in texts:
        for m in pattern("province_mention").finditer(text):
            name = m.group(1).split()
            for n in range(len(name), 0, -1):
                key = fold(" ".join(name[:n]))
                if key in table:
                    counts[table[key]] = counts.get(table[key], 0) + 1
                    break
    return max(counts, key=counts.get) if counts else None


def _province_suffix(words_before: str, table: dict[str, str]) -> str | None:
    """The province named by the last words before ", ngày" ("… Hạnh phúc Kon Tum" → Kon Tum)."""
    tokens = words_before.split()
    for n in range(min(4, len(tokens)), 0, -1):
        key = fold(" ".join(tokens[-n:]))
        if key in table:
            return table[key]
    return None


def find_number_and_date(texts: list[str]) -> tuple[str | None, str | None]:
    number = issued = None
    for text in texts[:15]:
        m = pattern("number").search(text)
        if m:        # a blank number ("Số: /KH-UBND") may still be printed in the appendix caption
            number = f"{m.group(1)}/{m.group(2).upper()}" if m.group(1) else None
            break
    head = " ".join(texts[:15])        # the place-date line may be split over blocks
    place = next((m for m in pattern("place_date").finditer(head) if _province_suffix(m.group(1), provinces())),
                 None)
    d = pattern("date_words").match(head, place.start("date")) if place else None
    if d:
        issued = iso_date(*d.groups())
    for text in texts:
        if pattern("caption").search(text):
            m = pattern("caption_number").search(text)
            if m and m.group(1) and not number:
                number = f"{m.group(1)}/{m.group(2).upper()}"
            d = pattern("date_slash").search(text) or pattern("date_words").search(text)
            if d and (issued is None or len(iso_date(*d.groups())) > len(issued)):
                issued = iso_date(*d.groups())
    return number or None, issued


def find_title(texts: list[str]) -> str | None:
    """The words after "KẾ HOẠCH": the rest of its line, or the next line(s), up to the
    preamble ("Thực hiện …", "Căn cứ …"); in a letter, its subject line ("V/v …")."""
    for i, text in enumerate(texts[:80]):     # a decision carrying a plan: after its articles
        m = pattern("plan_word").search(strip_marks(text))      # OCR: "KẺ HOẠCH"
        if not m:
            continue
        rest = text[m.end():].strip()
        if len(rest.split()) >= 3:
            parts = [rest]
        else:
            carried = any(pattern("decision_word").match(strip_marks(t)) for t in texts[:i])
            parts = texts[i + 1:i + 2] + _continuation(texts[i + 2:i + 5], carried)
        title = re.sub(r"\s+", " ", " ".join(parts)).strip()
        stop = pattern("title_stop").search(title, 1)
        return title[:stop.start()].strip() if stop else title or None
    for i, text in enumerate(texts[:30]):
        m = pattern("subject").match(text)                      # a letter's "V/v …" line
        if m:
            title = re.sub(r"\s+", " ", " ".join([m.group(1)] + _subject_lines(texts[i + 1:i + 8]))).strip()
            return title[:1].upper() + title[1:]
    return None


def _subject_lines(texts: list[str]) -> list[str]:
    """The lines a letter's subject wraps onto in its narrow header column: up to the
    salutation ("Kính gửi:") or a labelled line, each short or starting in lower case."""
    out = []
    for text in texts:
        if text.rstrip().endswith(":") or split_label(text)[0] or not (text[:1].islower() or len(text) <= 60):
            break
        out.append(text)
    return out


def _continuation(texts: list[str], carried: bool = False) -> list[str]:
    """The lines that go on a title: each starts in lower case (a wrapped line) or with "("
    ("(Ban hành kèm theo Nghị quyết số …)"). In a plan carried by a decision, the caption
    "(Kèm theo Quyết định số …)" names that decision, not the plan."""
    out = []
    for text in texts:
        if not (text[:1].islower() or text.startswith("(")):
            break
        if carried and text.startswith("(") and pattern("caption_decision").search(strip_marks(text)):
            break
        out.append(text)
    return out


@cache
def surnames() -> frozenset[str]:
    return frozenset(words("surnames.txt"))


def find_signer(texts: list[str], ocr: bool = False) -> str | None:
    """The signing person's name: the last line after the signature title that reads as a name
    (in an OCR'd document, also one whose surname's first letter was misread)."""
    signing = False
    name = None
    for text in texts:
        if pattern("signature").match(strip_marks(text)):     # folded: OCR'd marks
            signing = True
            tail = NAME_TAIL.search(text)      # the name on the title's own line
            name = (person_name(tail.group(1)) if tail else None) or name
            continue
        if not signing:
            continue
        candidate = person_name(text) or (ocr_person_name(text) if ocr else None)
        if candidate:
            name = candidate
        elif name and len(text) > 60:
            break       # past the signature block
    return name


def person_name(text: str) -> str | None:
    tokens = text.strip().split()
    if not 2 <= len(tokens) <= 6 or any(not t[0].isupper() or t.isupper() and len(t) > 1 for t in tokens):
        return None
    for i, t in enumerate(tokens):
        if t in surnames() and len(tokens) - i >= 2:
            return " ".join(tokens[i:])
    return None


def ocr_person_name(text: str) -> str | None:
    """A name whose surname OCR misread in its first letter ("*<:=frân Văn Lâu" → "Trần Văn
    Lâu"): specks dropped, the given names capitalised, and exactly one known surname that
    differs from the first word only there."""
    tokens = re.sub(r"^[\W\d_]+", "", text).split()
    if not 3 <= len(tokens) <= 4 or not all(t[0].isupper() and not t.isupper() for t in tokens[1:]):
        return None
    first = fold(tokens[0])
    found = [s for s in surnames() if len(fold(s)) == len(first) > 1 and fold(s)[1:] == first[1:]
             and fold(s)[0] != first[0]]
    return " ".join([found[0], *tokens[1:]]) if len(found) == 1 else None


def find_meta(blocks: list[Block]) -> PlanMeta:
    texts = []
    for b in blocks:
        if b.kind == "table":
            texts.extend(line for row in b.rows or [] for cell in row for line in cell.split("\n"))
        else:
            texts.append(f"{b.label} {b.text}" if b.label else b.text)
    texts = [tone_normalize(t).strip() for t in texts if t.strip()]
    number, issued = find_number_and_date(texts)
    return PlanMeta(province=find_province(texts), number=number, issued=issued,
                    title=find_title(texts), signer=find_signer(texts, any(b.ocr for b in blocks)))
