"""Task tables: columns recognised by what their header cells mean (patterns/table_columns.tsv),
group rows, rows that only introduce sub-rows, and "-" sub-rows."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pipeline.resources import rows
from pipeline.text import tone_normalize
from schemas.numbering import DASH_CELL, NUMBER_CELL, ROMAN_CELL



COLUMN_ROLES = {"task", "number", "lead", "support", "deadline", "result", "monitor"}


@cache
def _columns() -> tuple[tuple[str, re.Pattern], ...]:
    return tuple((row.one_of(row[0], COLUMN_ROLES, "column role"), row.regex(row[1]))
                 for row in rows("table_columns.tsv"))


def column_role(cell: str) -> str | None:
    text = re.sub(r"\s+", " ", tone_normalize(cell)).strip(" .:*")
    for role, pattern in _columns():
        if pattern.search(text):
            return role
    return None


@dataclass
class Columns:
    roles: dict[str, int]        # role → column index
    header_rows: int

    def cell(self, row: list[str], role: str) -> str:
        i = self.roles.get(role)
        return row[i].strip() if i is not None and i < len(row) else ""


def read_header(table: list[list[str]]) -> Columns | None:
    """Column roles from the first one or two rows ("Cơ quan thực hiện" over "Chủ trì |
    Phối hợp"); None when this is not a task table."""
    two_rows = len(table) > 1 and _looks_like_header(table[1])
    for header_rows in ((2, 1) if two_rows else (1,)):
        roles: dict[str, int] = {}
        width = max(len(r) for r in table[:header_rows])
        for i in range(width):
            cells = [r[i] for r in table[:header_rows] if i < len(r) and r[i].strip()]
            # a two-row header: the lower cell is the more specific ("Chủ trì" under "Cơ quan thực hiện")
            for cell in reversed(cells):
                role = column_role(cell)
                if role:
                    roles.setdefault(role, i)
                    break
        if "task" in roles and ({"lead", "deadline"} & roles.keys()):
            return Columns(roles, header_rows)
    return None


def _looks_like_header(row: list[str]) -> bool:
    return all(len(c) < 60 for c in row) and not any(NUMBER_CELL.match(c.strip()) for c in row) \
        and any(column_role(c) for c in row if c)


@dataclass
class TableRow:
    kind: str                     # "group", "intro", "task"
    number: str                   # printed number ("1", "2.1", "I", "-")
    row: list[str]
    index: int                    # position in the table, header rows included


def classify_rows(table: list[list[str]], columns: Columns) -> list[TableRow]:
    """Label each body row: a group row (spans the table or has a Roman number), a row that
    only introduces "-" sub-rows, or a task."""
    out: list[TableRow] = []
    body = table[columns.header_rows:]
    number_col = columns.roles.get("number")
    for i, row in enumerate(body):
        if _is_column_numbering(row):
            continue       # a row "(1) (2) (3) …" under the header
        number = row[number_col].strip() if number_col is not None and number_col < len(row) else ""
        filled = [c for j, c in enumerate(row) if c.strip() and j != number_col]
        task_text = columns.cell(row, "task")
        others = [columns.cell(row, r) for r in ("lead", "support", "deadline", "result")]
        if not filled or _repeats_header(row):
            continue       # empty, or the header repeated before a section of rows
        if ROMAN_CELL.match(number) or len(filled) == 1 and (not any(others) or not task_text):
            text = task_text or filled[0]
            label = re.match(r"^\s*(\d+(?:\.\d+)*)\.?\s+", text)
            out.append(TableRow("group", number or (label.group(1) if label else ""), row, columns.header_rows + i))
            continue
        nxt = body[i + 1] if i + 1 < len(body) else None
        next_number = nxt[number_col].strip() if nxt and number_col is not None and number_col < len(nxt) else ""
        introduces = NUMBER_CELL.match(number) and DASH_CELL.match(next_number)
        if introduces and (not columns.cell(row, "lead") or task_text.rstrip().endswith(":")):
            out.append(TableRow("intro", number.rstrip("."), row, columns.header_rows + i))   # "45 | … về:" then "-" rows
            continue
        out.append(TableRow("task", number.rstrip("."), row, columns.header_rows + i))
    return out


def _repeats_header(row: list[str]) -> bool:
    """The header printed again before a section of rows ("Nội dung | Đơn vị thực hiện | …")."""
    cells = [c for c in row if c.strip()]
    return all(len(c) < 40 for c in cells) and sum(bool(column_role(c)) for c in cells) >= 3


def _is_column_numbering(row: list[str]) -> bool:
    return all(re.fullmatch(r"\(?\d{1,2}\)?", c.strip()) for c in row if c.strip()) and len(row) > 2
