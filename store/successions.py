"""The 2025 reorganisation as data: store/successions.tsv → the `succession` table.

    store.load_successions(engine)       # replace the table with the file's rows (re-runnable)

The view v_agency_successor follows the whole successions from every stored agency to its
current successor (docs/schema.md).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine, delete, insert
from sqlalchemy.engine import Connection

from store.connection import write_transaction
from store.db_tables import SHARES, Succession

SUCCESSIONS = Path(__file__).parent / "successions.tsv"
COLUMNS = ("predecessor", "predecessor_province", "successor", "successor_province",
           "effective", "share", "source")


def read_successions(path: Path = SUCCESSIONS) -> list[dict]:
    """The rows of a successions file as dicts of COLUMNS (effective as a date). Raises
    ValueError naming the file, the line and the cause."""
    out, header = [], None
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split("\t")]
        where = f"{Path(path).name}:{number}"
        if header is None:
            if tuple(cells) != COLUMNS:
                raise ValueError(f"{where}: the header row must name the columns "
                                 f"{', '.join(COLUMNS)}")
            header = cells
            continue
        if len(cells) != len(COLUMNS) or not all(cells):
            raise ValueError(f"{where}: {len(COLUMNS)} non-empty tab-separated cells expected, "
                             f"got {len(cells)}")
        row = dict(zip(COLUMNS, cells))
        try:
            row["effective"] = date.fromisoformat(row["effective"])
        except ValueError:
            raise ValueError(f"{where}: effective {row['effective']!r} is not an ISO date") from None
        if row["share"] not in SHARES:
            raise ValueError(f"{where}: share {row['share']!r} is not one of {', '.join(SHARES)}")
        if (row["predecessor"] == "*") != (row["successor"] == "*"):
            raise ValueError(f"{where}: '*' as a body stands on both sides or on neither")
        if row["predecessor"] == "*" and "*" in (row["predecessor_province"], row["successor_province"]):
            raise ValueError(f"{where}: a province merger (body '*') names both provinces")
        if row["predecessor_province"] == "*" and row["successor_province"] != "*":
            raise ValueError(f"{where}: a rule for every province keeps the province ('*')")
        out.append(row)
    if header is None:
        raise ValueError(f"{Path(path).name}: no header row")
    return out


def replace_successions(conn: Connection, rows: list[dict]) -> int:
    """Replace the succession table's rows by `rows` (in the caller's transaction)."""
    conn.execute(delete(Succession))
    if rows:
        conn.execute(insert(Succession), rows)
    return len(rows)


def load_successions(engine: Engine, path: Path = SUCCESSIONS) -> int:
    """Replace the succession table with the rows of `path` in one transaction; returns how
    many. Running it again with the same file changes nothing."""
    rows = read_successions(path)
    with write_transaction(engine) as conn:
        return replace_successions(conn, rows)
