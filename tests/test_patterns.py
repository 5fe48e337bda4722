"""Every language data file loads cleanly, every rule has an example written beside it
(`ex <TAB> text <TAB> expected` under the rule, HeidelTime/Duckling style), and every example
reads as written, by the rule it stands under. Expected values are written by hand."""
from __future__ import annotations

import dataclasses
import re

import pytest

from pipeline import resources
from pipeline.agencies import agencies_in, find_roles, gazetteer, local_level_in_force, matching_form
from pipeline.deadlines import find_in_prose, grammar, match_item, parse_cell
from pipeline.resources import Example, PatternError, Row, pattern, rows
from extractors.blocks import text_block
from pipeline.structure import _sections, attribution, is_boilerplate, mend_ocr_labels, section_of
from pipeline.tables import _columns, column_role
from pipeline.text import expand_abbreviations, fold, strip_marks, tone_normalize
from schemas.plan import describe_deadline


def _found(m: re.Match | None) -> str:
    if not m:
        return "none"
    groups = [g.strip() for g in m.groups() if g and g.strip()]
    return " | ".join(groups) if groups else m.group(0).strip()


def _deadline(row: Row, ex: Example) -> str:
    if row[0] == "spread":
        assert grammar().spreads[[r for r in rows("deadlines.tsv") if r[0] == "spread"].index(row)].search(
            tone_normalize(ex.text)), "the spread does not match"
        return " | ".join(describe_deadline(dataclasses.asdict(d), details=True) for d in parse_cell(ex.text))
    if row[0] == "veto":
        veto = grammar().vetoes[grammar().veto_rows.index(row)]
        assert veto.search(expand_abbreviations(tone_normalize(ex.text))), "the veto does not match"
        return "none" if not find_in_prose(ex.text) else "a deadline"
    rule = next(r for r in grammar().rules if r.row is row)
    found = match_item(ex.text, prose=rule.where == "any")
    if found is None:
        return "none"
    assert found[0] is rule, f"read by rule {found[0].name} ({found[0].row.source}), not {rule.name}"
    return describe_deadline(dataclasses.asdict(found[1]), details=True)


def _first_row(table, row: Row, text: str) -> None:
    first = next((r for r, (_, p) in zip(rows(row.source.split(":")[0]), table) if p.search(text)), None)
    assert first is row, f"matched first by {first.source if first else 'no row'}"


def _section(row: Row, ex: Example) -> str:
    part = section_of(ex.text)
    if part == row[0]:
        text = pattern("heading_label").sub("", tone_normalize(ex.text), count=1)
        _first_row(_sections(True), row, text)
    return part or "none"


def _column(row: Row, ex: Example) -> str:
    role = column_role(ex.text)
    if role == row[0]:
        _first_row(_columns(), row, re.sub(r"\s+", " ", tone_normalize(ex.text)).strip(" .:*"))
    return role or "none"


def _field(row: Row, ex: Example) -> str:
    if row[0] == "boilerplate":
        return "boilerplate" if is_boilerplate(ex.text) else "none"
    found = attribution(ex.text)
    return f"{found[0]}: {found[1]}" if found else "none"


def _roles(text: str, default: str | None = None) -> str:
    lead, support = find_roles(text, default=default)
    return "; ".join([f"lead {n}" for n in lead] + [f"support {n}" for n in support]) or "none"


def _role(row: Row, ex: Example) -> str:
    assert fold(row[0]) in fold(ex.text), "the example does not contain the cue"
    return _roles(ex.text)


def _names(row: Row, ex: Example) -> str:
    return "; ".join(agencies_in(ex.text)) or "none"


def _local(row: Row, ex: Example) -> str:
    if row[0] == "merged":
        name, _, issued = ex.text.partition(" @ ")
        return local_level_in_force(name, issued)
    if row[0] == "unit":
        assert fold(row[1]) in fold(ex.text), "the example does not contain the unit word"
    return _names(row, ex)


def _grammar(row: Row, ex: Example) -> str:
    folded = len(row) > 2 and row[2].startswith("folded")
    return _found(pattern(row[0]).search(strip_marks(ex.text) if folded else ex.text))


def _head(row: Row, ex: Example) -> str:
    names = agencies_in(ex.text)
    assert any(n.startswith(row[0]) for n in names), "no body named with this head"
    assert not any(gazetteer().lookup(n) for n in names), "found in the gazetteer, not by its head noun"
    return "; ".join(names)


def _ocr_labels(row: Row, ex: Example) -> str:
    blocks = [text_block(text, ocr=True) for text in ex.text.split(" / ")]
    return " / ".join(b.label or "none" for b in mend_ocr_labels(blocks))


# file → (which rows need examples, how an example reads)
RULE_FILES = {
    "deadlines.tsv": (lambda row: row[0] in ("rule", "veto", "spread"), _deadline),
    "sections.tsv": (lambda row: True, _section),
    "table_columns.tsv": (lambda row: True, _column),
    "fields.tsv": (lambda row: True, _field),
    "roles.tsv": (lambda row: True, _role),
    "local_levels.tsv": (lambda row: True, _local),
    "grammar.tsv": (lambda row: True, _grammar),
    "agency_heads.txt": (lambda row: True, _head),
    "collective_heads.txt": (lambda row: True, _names),
    "ocr_labels.tsv": (lambda row: True, _ocr_labels),
}

RULES = [row for name, (needs, _) in RULE_FILES.items() for row in rows(name) if needs(row)]
EXAMPLES = [(row, ex) for row in RULES for ex in row.examples]


def test_every_file_is_declared_and_loads():
    on_disk = {p.name for p in resources.PATTERNS.iterdir() if not p.name.startswith(".")}
    assert on_disk == set(resources.COLUMNS)
    for name in on_disk:
        assert rows(name), name
    gazetteer(), grammar(), _sections(True), _columns(), resources.named_patterns()


@pytest.mark.parametrize("row", RULES, ids=lambda row: row.source)
def test_every_rule_has_an_example(row):
    assert row.examples, f"{row.source}: write an example under this rule (ex <TAB> text <TAB> expected)"


@pytest.mark.parametrize("row,ex", EXAMPLES, ids=lambda x: x.source if isinstance(x, Example) else "")
def test_example(row, ex):
    read = RULE_FILES[row.source.split(":")[0]][1]
    assert read(row, ex) == ex.expected, ex.source


@pytest.mark.parametrize("row", rows("agencies.tsv"), ids=lambda row: row.source)
def test_gazetteer_aliases_name_their_body(row):
    """Each spelling listed in the gazetteer reads as its canonical body (its own example)."""
    canonical, aliases = row[0], row[2] if len(row) > 2 else ""
    names = [n.strip() for n in canonical.split(" + ")]
    for alias in ([canonical] if len(names) == 1 else []) + [a for a in aliases.split(" | ") if a]:
        assert [a.name for a in gazetteer().lookup(matching_form(alias)) or ()] == names, alias


@pytest.mark.parametrize("text,error", [
    ("rule\tq\tquater\tany\tquý\\s*(?P<q>[1-4])\\s*(?P<year>\\d{4})", "unknown kind 'quater'"),
    ("rule\tq\tquarter\tevery\tquý\\s*(?P<q>[1-4])\\s*(?P<year>\\d{4})", "unknown where 'every'"),
    ("rule\tq\tquarter\tany\tquý\\s*(?P<quarter>[1-4])\\s*(?P<year>\\d{4})", "unknown group(s) 'quarter'"),
    ("rule\tq\tquarter\tany\tquý\\s*(?P<q>[1-4])\\s*(?P<year>\\d{4})\treccurence=P3M", "unknown option 'reccurence'"),
    ("rule\tq\trecurring\tany\thằng quý\trecurrence=3M", "bad option 'recurrence=3M'"),
    ("rule\tq\tquarter\tany\tquý\\s*(?P<q>[1-4])", "a quarter rule needs the group(s) year"),
    ("rule\tq\tquarter\tany\tquý\\s*(?P<q>[1-4])\\s*(?P<year>%YAER)", "unknown macro %YAER"),
    ("rule\tq\tquarter\tany\tquý\\s*(?P<q>[1-4]", "bad regular expression"),
    ("rulle\tq\tquarter\tany\tquý", "unknown row kind 'rulle'"),
    ("spread\ttháng\\s+(?P<items>\\d+)", "a spread needs the groups head, items and tail"),
    ("ex\ttrong quý II/2025\tquarter 2025-Q2\textra", "an example is"),
])
def test_a_bad_rule_is_an_error_naming_file_and_line(tmp_path, monkeypatch, text, error):
    lines = (resources.PATTERNS / "deadlines.tsv").read_text(encoding="utf-8").splitlines()
    at = 1 + next(i for i, line in enumerate(lines) if line.startswith("#") is False and not line.startswith("@"))
    lines.insert(at - 1, text)
    for path in resources.PATTERNS.iterdir():
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "deadlines.tsv").write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setattr(resources, "PATTERNS", tmp_path)
    resources.rows.cache_clear()
    grammar.cache_clear()
    try:
        with pytest.raises(PatternError) as caught:
            grammar()
        assert str(caught.value).startswith(f"deadlines.tsv:{at}: ") and error in str(caught.value)
    finally:
        resources.rows.cache_clear()
        grammar.cache_clear()


@pytest.mark.parametrize("name,line,error", [
    ("sections.tsv", "purpos\tmục\\s+đích", "unknown part 'purpos'"),
    ("table_columns.tsv", "leader\tchủ\\s+trì", "unknown column role 'leader'"),
    ("roles.tsv", "giao\tlead_afterr", "unknown effect 'lead_afterr'"),
    ("fields.tsv", "deadlines\tthời hạn", "unknown kind 'deadlines'"),
    ("agencies.tsv", "Sở Du lịch\tsoo", "unknown kind 'soo'"),
    ("agencies.tsv", "Sở Du lịch\tso\t\tregion", "unknown scope 'region'"),
    ("agency_heads.txt", "Vụ\tlowercase", "unknown flag 'lowercase'"),
    ("local_levels.tsv", "unit\tbản\tvillage", "unknown level 'village'"),
    ("grammar.tsv", "number\t\\d+\tcasee", "unknown flag 'casee'"),
    ("roles.tsv", "giao\tlead_after\textra", "3 columns, expected 2"),
])
def test_every_file_names_its_bad_line(tmp_path, monkeypatch, name, line, error):
    from pipeline import agencies, structure, tables

    for path in resources.PATTERNS.iterdir():
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    text = (tmp_path / name).read_text(encoding="utf-8").rstrip("\n")
    (tmp_path / name).write_text(f"{text}\n{line}\n", encoding="utf-8")
    at = len(text.split("\n")) + 1
    monkeypatch.setattr(resources, "PATTERNS", tmp_path)
    loaders = [resources.rows, resources.named_patterns, agencies.gazetteer, agencies.local_levels, agencies.head_flags,
               agencies._cues, agencies.field_regex, structure._sections, tables._columns]
    for f in loaders:
        f.cache_clear()
    try:
        with pytest.raises(PatternError) as caught:
            agencies.gazetteer(), agencies.local_levels(), agencies._cues(), agencies.field_regex("deadline")
            structure._sections(True), tables._columns(), resources.named_patterns()
        assert str(caught.value).startswith(f"{name}:{at}: ") and error in str(caught.value)
    finally:
        for f in loaders:
            f.cache_clear()
