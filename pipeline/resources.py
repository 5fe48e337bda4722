"""Load the language data files in pipeline/patterns/ once, checking their shape.

Every file: `#` starts a comment line, cells are separated by tabs. A line `ex <TAB> text
[<TAB> expected]` is an example of the row above it (tests/test_patterns.py runs them all);
a row that cannot be used raises PatternError naming the file and line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from schemas.text import strip_marks

PATTERNS = Path(__file__).parent / "patterns"

# cells per row (fewest, most) of each file; rules files take examples
COLUMNS = {
    "abbreviations.tsv": (2, 2),
    "agencies.tsv": (2, 4),
    "agency_heads.txt": (1, 2),
    "collective_heads.txt": (1, 2),
    "connectors.txt": (1, 1),
    "deadlines.tsv": (2, 8),
    "local_levels.tsv": (2, 4),
    "name_stopwords.txt": (1, 1),
    "provinces.txt": (1, 1),
    "roles.tsv": (2, 2),
    "sections.tsv": (2, 2),
    "surnames.txt": (1, 1),
    "table_columns.tsv": (2, 2),
    "fields.tsv": (2, 2),
    "grammar.tsv": (2, 3),
    "ocr_labels.tsv": (2, 2),
}


class PatternError(ValueError):
    """A row of a language data file that cannot be used; the message starts with file:line."""


@dataclass(frozen=True)
class Example:
    text: str
    expected: str | None
    source: str           # "deadlines.tsv:41"


class Row(tuple):
    """One row's cells, with where it stands and the examples written under it."""
    source: str
    examples: list[Example]

    def fail(self, message: str):
        raise PatternError(f"{self.source}: {message}")

    def one_of(self, value: str, allowed, what: str) -> str:
        if value not in allowed:
            self.fail(f"unknown {what} {value!r} (expected one of: {', '.join(sorted(allowed))})")
        return value

    def regex(self, pattern: str, flags: int = re.I) -> re.Pattern:
        try:
            return re.compile(pattern, flags)
        except re.error as exc:
            self.fail(f"bad regular expression: {exc}")


@cache
def rows(name: str) -> tuple[Row, ...]:
    """Tab-separated rows of a data file, comments and blank lines skipped, examples attached."""
    fewest, most = COLUMNS[name]
    out: list[Row] = []
    for number, line in enumerate((PATTERNS / name).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        source = f"{name}:{number}"
        cells = [cell.strip() for cell in line.split("\t")]
        if cells[0] == "ex":
            if not out or len(cells) not in (2, 3) or not cells[1]:
                raise PatternError(f"{source}: an example is `ex <TAB> text [<TAB> expected]` under a row")
            out[-1].examples.append(Example(cells[1], cells[2] if len(cells) == 3 else None, source))
            continue
        while len(cells) > fewest and not cells[-1]:
            cells.pop()
        if not fewest <= len(cells) <= most:
            raise PatternError(f"{source}: {len(cells)} columns, expected {fewest}"
                               + (f" to {most}" if most != fewest else ""))
        row = Row(cells)
        row.source, row.examples = source, []
        out.append(row)
    return tuple(out)


@cache
def named_patterns() -> dict[str, re.Pattern]:
    """The named phrase patterns of grammar.tsv."""
    flags = {"": re.I, "case": 0, "dotall": re.I | re.S, "folded": re.I, "folded_case": 0}
    out = {}
    for row in rows("grammar.tsv"):
        name, regex, *flag = row
        flag = row.one_of(flag[0] if flag else "", flags, "flag")
        out[name] = row.regex(strip_marks(regex) if flag.startswith("folded") else regex, flags[flag])
    return out


def pattern(name: str) -> re.Pattern:
    """A named phrase pattern of grammar.tsv."""
    try:
        return named_patterns()[name]
    except KeyError:
        raise PatternError(f"grammar.tsv: no pattern named {name!r}") from None


@cache
def words(name: str) -> tuple[str, ...]:
    """Whitespace-separated words of a word-list file."""
    return tuple(w for row in rows(name) for cell in row for w in cell.split())


@cache
def lines(name: str) -> tuple[str, ...]:
    return tuple(row[0] for row in rows(name))
