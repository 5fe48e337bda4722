"""Load the language data files in pipeline/patterns/ once: `#` starts a comment line."""
from __future__ import annotations

from functools import cache
from pathlib import Path

PATTERNS = Path(__file__).parent / "patterns"


@cache
def rows(name: str) -> tuple[tuple[str, ...], ...]:
    """Tab-separated rows of a data file, comments and blank lines skipped."""
    out = []
    for line in (PATTERNS / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            out.append(tuple(cell.strip() for cell in line.split("\t")))
    return tuple(out)


@cache
def words(name: str) -> tuple[str, ...]:
    """Whitespace-separated words of a data file (or one entry per line for `lines=True` files)."""
    return tuple(w for row in rows(name) for cell in row for w in cell.split())


@cache
def lines(name: str) -> tuple[str, ...]:
    return tuple(row[0] for row in rows(name))
