"""Deadline grammar (patterns/deadlines.tsv) → normalized Deadline items (EXTRACTION.md §4)."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache

from pipeline.resources import Row, pattern, rows
from pipeline.text import expand_abbreviations, tone_normalize
from schemas.plan import DEADLINE_KINDS, Deadline

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
GROUPS = {"day", "month", "year", "q", "half", "n", "unit", "anchor", "weekday", "sunday", "from"}
NEEDS = {"date": {"day", "month", "year"}, "month": {"month", "year"}, "quarter": {"q", "year"},
         "half_year": {"half", "year"}, "year": {"year"}, "start": {"year"}, "relative": {"n", "unit"}}
RECURRENCE = re.compile(r"^(?:P\d+[DWMY])?$")


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    where: str           # "any" or "cell"
    pattern: re.Pattern
    options: dict        # recurrence=, before=1, or a fixed value for a group absent from the text
    row: Row             # where it is written, with its examples


@dataclass(frozen=True)
class Grammar:
    rules: tuple[Rule, ...]
    vetoes: tuple[re.Pattern, ...]
    veto_rows: tuple[Row, ...]
    spreads: tuple[re.Pattern, ...]      # one recurrence, several anchors: groups head, items, tail
    words: dict[str, dict[str, str]]     # "unit" → {"ngày": "D", …}, "weekday", "half", "anchor_prefix"


def _expand(row: Row, regex: str, macros: dict[str, str]) -> str:
    for _ in range(5):   # macros may use macros
        regex = re.sub(r"%([A-Z]+)", lambda m: macros.get(m.group(1)) or row.fail(f"unknown macro %{m.group(1)}"),
                       regex)
    return regex


def _rule(row: Row, macros: dict[str, str]) -> Rule:
    if len(row) < 5:
        row.fail("a rule is: rule <TAB> name <TAB> kind <TAB> where <TAB> regex [<TAB> option=value …]")
    _, name, kind, where, regex, *opts = row
    row.one_of(kind, DEADLINE_KINDS, "kind")
    row.one_of(where, {"any", "cell"}, "where")
    pattern = row.regex(_expand(row, regex, macros))
    row.one_of(",".join(sorted(set(pattern.groupindex) - GROUPS)) or "-", {"-"}, "group(s)")
    options = {}
    for opt in opts:
        option, equals, value = opt.partition("=")
        row.one_of(option, {"recurrence", "before"} | GROUPS, "option")
        if not equals or option == "recurrence" and not RECURRENCE.match(value) or option == "before" and value != "1":
            row.fail(f"bad option {opt!r}")
        options[option] = value
    missing = NEEDS.get(kind, set()) - set(pattern.groupindex) - set(options)
    if missing:
        row.fail(f"a {kind} rule needs the group(s) {', '.join(sorted(missing))}")
    return Rule(name, kind, where, pattern, options, row)


@cache
def grammar() -> Grammar:
    """The rules, vetoes and words of patterns/deadlines.tsv, checked as they load."""
    macros: dict[str, str] = {}
    rules, vetoes, veto_rows, spreads = [], [], [], []
    words: dict[str, dict[str, str]] = {"unit": {}, "weekday": {}, "half": {}, "anchor_prefix": {}}
    for row in rows("deadlines.tsv"):
        if row[0].startswith("@"):
            macros[row[0][1:]] = row[1]
        elif row[0] == "rule":
            rules.append(_rule(row, macros))
        elif row[0] == "veto":
            vetoes.append(row.regex(_expand(row, row[1], macros)))
            veto_rows.append(row)
        elif row[0] == "spread":
            spreads.append(row.regex(_expand(row, row[1], macros)))
            if {"head", "items", "tail"} - set(spreads[-1].groupindex):
                row.fail("a spread needs the groups head, items and tail")
        else:
            row.one_of(row[0], words, "row kind")
            if len(row) != 3:
                row.fail(f"a word row is: {row[0]} <TAB> word <TAB> value")
            words[row[0]][row[1].lower()] = row[2]
    return Grammar(tuple(rules), tuple(vetoes), tuple(veto_rows), tuple(spreads), words)


def _int(value: str | None) -> int | None:
    return int(value) if value else None


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _clean_anchor(anchor: str | None) -> str | None:
    if not anchor:
        return None
    anchor = anchor.strip(" ,.;:()")
    first, _, rest = anchor.partition(" ")
    if first.lower() in grammar().words["anchor_prefix"]:
        anchor = rest.strip()
    return expand_abbreviations(anchor) or None


def build(rule: Rule, m: re.Match, raw: str) -> Deadline | None:
    """Turn a rule's match into a Deadline; None when the groups do not make a valid date."""
    g = rule.options | {k: v for k, v in m.groupdict().items() if v}
    year, month, day = _int(g.get("year")), _int(g.get("month")), _int(g.get("day"))
    kind = rule.kind
    d = Deadline(raw=raw, kind=kind)
    try:
        if kind == "date":
            due = date(year, month, day)
            d.value = d.due = due.isoformat()
        elif kind == "month":
            d.value = f"{year:04d}-{month:02d}"
            first = date(year, month, 1)
            due = first - timedelta(days=1) if rule.options.get("before") else _last_day(year, month)
            d.due = due.isoformat()
        elif kind == "quarter":
            q = ROMAN.get(g["q"].upper()) or int(g["q"])
            d.value = f"{year:04d}-Q{q}"
            d.due = _last_day(year, 3 * q).isoformat()
        elif kind == "half_year":
            half = int(grammar().words["half"][g["half"].lower()])
            d.value = f"{year:04d}-H{half}"
            d.due = _last_day(year, 6 * half).isoformat()
        elif kind == "year":
            d.value = f"{year:04d}"
            d.due = f"{year:04d}-12-31"
            if g.get("from"):
                d.start = f"{int(g['from']):04d}-01-01"
        elif kind == "start":
            d.value = f"{year:04d}" if month is None else f"{year:04d}-{month:02d}"
            d.start = date(year, month or 1, 1).isoformat()
        elif kind == "recurring":
            d.recurrence = rule.options.get("recurrence", "P1Y") or None
            weekday = g.get("weekday")
            if weekday or g.get("sunday"):
                number = 7 if g.get("sunday") else int(grammar().words["weekday"].get(weekday.lower(), 0)) or int(weekday) - 1
                d.value = f"XXXX-WXX-{number}"
            elif day and month:
                date(2000, month, day)  # validates, leap year allowed
                d.value = f"XXXX-{month:02d}-{day:02d}"
            elif month:
                d.value = f"XXXX-{month:02d}"
            elif day:
                d.value = f"XXXX-XX-{day:02d}"
        elif kind == "relative":
            unit = grammar().words["unit"][g["unit"].lower()]
            d.value = f"PT{int(g['n'])}{unit}" if unit == "H" else f"P{int(g['n'])}{unit}"
            d.anchor = _clean_anchor(g.get("anchor"))
        elif kind == "event":
            d.anchor = _clean_anchor(g.get("anchor"))
    except (ValueError, TypeError, KeyError):
        return None
    return d


def _vetoed(text: str, start: int, end: int) -> bool:
    return any(v.start() <= start and end <= v.end()
               for veto in grammar().vetoes for v in veto.finditer(text))


def match_item(text: str, prose: bool = False) -> tuple[Rule, Deadline] | None:
    """The first rule that fits a deadline cell item (with `prose`, of the rules for prose),
    and what it reads."""
    norm = expand_abbreviations(tone_normalize(text)).strip()
    for rule in grammar().rules:
        if prose and rule.where != "any":
            continue
        for m in rule.pattern.finditer(norm):
            if not _vetoed(norm, m.start(), m.end()):
                d = build(rule, m, text.strip())
                if d:
                    return rule, d
    return None


def parse_item(text: str) -> Deadline | None:
    """One deadline cell item ("Đề án hoàn thành trong quý II/2025"): the first rule that fits."""
    found = match_item(text)
    return found[1] if found else None


def split_cell(cell: str) -> list[str]:
    """A deadline cell's items: one per line or dash bullet ("- Đề án … - Các hoạt động …")."""
    parts = re.split(r"\n+|(?:^|\s)[-–•]\s+(?!\d{4}\b)(?=\S)", cell)    # not "2026 - 2030"
    return [p.strip(" ;,") for p in parts if p and p.strip(" ;,.")]


def spreads_in(norm: str) -> list[tuple[int, int, list[str]]]:
    """Recurrences with several anchors ("tháng 1, 6 và 8 hằng năm"): each span, and the
    phrase of each anchor ("tháng 1 hằng năm", …)."""
    out: list[tuple[int, int, list[str]]] = []
    for spread in grammar().spreads:
        for m in spread.finditer(norm):
            if any(m.start() < e and s < m.end() for s, e, _ in out):
                continue
            unit = re.escape(m.group("head").split()[-1])      # "tháng 01, tháng 6": the unit again
            items = re.split(rf"{pattern('anchor_joiner').pattern}(?:{unit}\s+)?", m.group("items"), flags=re.I)
            out.append((m.start(), m.end(), [f"{m.group('head')} {i} {m.group('tail')}" for i in items if i]))
    return out


def parse_cell(cell: str) -> list[Deadline]:
    items = []
    for part in split_cell(cell):
        spread = spreads_in(expand_abbreviations(tone_normalize(part)))
        for d in [parse_item(p) for _, _, phrases in spread for p in phrases] if spread else [parse_item(part)]:
            if d:
                items.append(d)
    return dedupe(items)


def _sentence_at(text: str, start: int, end: int) -> str:
    left = max(text.rfind(". ", 0, start), text.rfind("; ", 0, start))
    right_candidates = [i for i in (text.find(". ", end), text.find("; ", end)) if i >= 0]
    right = min(right_candidates) if right_candidates else len(text)
    return text[left + 1 if left >= 0 else 0:right].strip(" .;")


def find_in_prose(text: str) -> list[Deadline]:
    """Every deadline phrase in a prose item, in text order, non-overlapping by rule priority."""
    norm = tone_normalize(text)
    taken: list[tuple[int, int, Deadline]] = []
    for start, end, phrases in spreads_in(norm):
        for d in filter(None, map(parse_item, phrases)):
            taken.append((start, end, replace(d, raw=_sentence_at(text, start, end))))
    for rule in grammar().rules:
        if rule.where != "any":
            continue
        for m in rule.pattern.finditer(norm):
            if any(m.start() < e and s < m.end() for s, e, _ in taken):
                continue
            if _vetoed(norm, m.start(), m.end()):
                continue
            d = build(rule, m, _sentence_at(text, m.start(), m.end()))
            if d:
                taken.append((m.start(), m.end(), d))
    return dedupe([d for _, _, d in sorted(taken, key=lambda t: t[0])])


def key(d: Deadline) -> tuple:
    if d.kind in ("ongoing", "event"):
        return (d.kind, "")
    if d.kind == "recurring":
        return (d.kind, d.value, d.recurrence)
    if d.kind == "start":
        return (d.kind, d.start)
    return (d.kind, d.due or d.value)


def dedupe(items: list[Deadline]) -> list[Deadline]:
    """Drop repeats of the same (kind, date); a dated recurrence absorbs an undated one."""
    seen, out = set(), []
    dated = {d.recurrence for d in items if d.kind == "recurring" and d.value}
    periods = {d.recurrence for d in items if d.kind == "recurring"} - {None}
    for d in items:
        if d.kind == "recurring" and not d.value and (d.recurrence in dated
                                                      or d.recurrence is None and periods):
            continue      # "định kỳ" beside "hằng tháng" adds nothing
        k = key(d)
        if k not in seen:
            seen.add(k)
            out.append(d)
    return out
