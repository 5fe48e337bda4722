"""Exports: the current plan versions, with the analysts' corrections applied, as JSON
Lines, CSV, Excel or gold files (one §5 file per plan, the format of tests/gold).

Each format is one writer (lists of §5 records, one list per plan → a file or, for gold, a
folder; returns the count written) registered in EXPORTERS; a new format is one more function
there. Task records carry "corrected" (the corrected fields): CSV and Excel show it as a
column; the §5 formats (jsonl, gold) leave it out, the contract has no such field.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from schemas.plan import PlanMeta, describe_deadline
from store.identity import plan_key, plan_label
from store.reading import list_plans, plan_records, resolve_plan

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ["plan", "province", "plan_number", "issued", "plan_title", "document", "part",
           "code", "group", "text", "result", "lead", "support", "deadlines", "earliest_due",
           "page", "block", "corrected"]


def contract(record: dict) -> dict:
    """A record as §5 has it (without the "corrected" marks)."""
    return {k: v for k, v in record.items() if k != "corrected"}


def write_jsonl(plans: list[list[dict]], out: Path) -> int:
    lines = [json.dumps(contract(r), ensure_ascii=False) for records in plans for r in records]
    out.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return len(lines)


def write_gold(plans: list[list[dict]], out: Path) -> int:
    """One <document>.jsonl per plan in the folder `out` (the gold files of tests/gold, for
    tests/score.py): reviewed plans become regression cases. Returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    for records in plans:
        write_atomic(write_jsonl, [records], out / f"{records[0]['document']}.jsonl")
    return len(plans)


def deadline_text(d: dict) -> str:
    """"trong quý II/2025 (quarter 2025-Q2, due 2025-06-30)", as in the v_current_tasks view."""
    return f"{d['raw']} ({describe_deadline(d)})"


def label(head: dict) -> str:
    """A plan's label (identity.plan_label) from its §5 plan record."""
    meta = head["plan"]
    return plan_label(plan_key(PlanMeta(**meta), head["document"]), meta.get("number"))


def task_frame(plans: list[list[dict]]) -> pd.DataFrame:
    """One row per task; lists joined with "; " (agency names contain commas)."""
    import pandas as pd   # imported when exporting only: it costs every `import store` ~0.5 s

    rows = []
    for head, *tasks in plans:
        meta = head["plan"]
        for t in tasks:
            dues = [d["due"] for d in t["deadlines"] if d.get("due")]
            rows.append({
                "plan": label(head), "province": meta.get("province"),
                "plan_number": meta.get("number"), "issued": meta.get("issued"),
                "plan_title": meta.get("title"), "document": t["document"],
                "part": t["part"], "code": t["code"], "group": t["group"], "text": t["text"],
                "result": t["result"], "lead": "; ".join(t["lead"]),
                "support": "; ".join(t["support"]),
                "deadlines": "; ".join(deadline_text(d) for d in t["deadlines"]),
                "earliest_due": min(dues) if dues else None,
                "page": t["source"]["page"], "block": t["source"]["block"],
                "corrected": ", ".join(t.get("corrected") or [])})
    return pd.DataFrame(rows, columns=COLUMNS)


# A cell a spreadsheet would run as a formula (OWASP CSV injection): = + @ tab CR first, or
# a minus not followed by a space and a word (a "- Sở …" bullet stays as typed).
FORMULA_START = re.compile(r"[=+@\t\r]|-(?!\s+[^\W\d_])")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")   # what an .xlsx cannot hold


def as_text(value):
    """A document string made inert for spreadsheets: a leading apostrophe before a
    formula-like start (Excel shows the rest as text)."""
    if isinstance(value, str) and FORMULA_START.match(value):
        return "'" + value
    return value


def check_cells(frame: pd.DataFrame) -> None:
    """Raise ValueError naming the plan, task and field of the first control character."""
    for row in frame.itertuples(index=False):
        for col, value in zip(COLUMNS, row):
            if isinstance(value, str) and CONTROL.search(value):
                char = CONTROL.search(value).group()
                raise ValueError(f"plan {row[0]}, task {row[7]}: field {col!r} holds the control "
                                 f"character {char!r}, which Excel cannot store; load the plan "
                                 "again to clean it, or export jsonl")


def write_atomic(writer, plans: list[list[dict]], out: Path) -> int:
    """Run writer into a temporary file beside `out`, then rename it into place: a failed
    export leaves the previous file as it was."""
    tmp = out.with_name(f".{out.stem}.{os.getpid()}.tmp{out.suffix}")
    try:
        n = writer(plans, tmp)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return n


def write_csv(plans: list[list[dict]], out: Path) -> int:
    frame = task_frame(plans).map(as_text)
    frame.to_csv(out, index=False, encoding="utf-8-sig")   # the BOM makes Excel read UTF-8
    return len(frame)


def _sheet_name(label: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "-", label)[:28] or "plan"
    name, n = base, 1
    while name.lower() in used:
        n += 1
        name = f"{base[:25]} ({n})"
    used.add(name.lower())
    return name


def write_xlsx(plans: list[list[dict]], out: Path) -> int:
    """An "All tasks" sheet and one sheet per plan, each with a frozen header, autofilter
    and readable column widths."""
    import pandas as pd

    frame = task_frame(plans)
    check_cells(frame)
    widths = {"text": 80, "result": 40, "group": 40, "lead": 40, "support": 40,
              "deadlines": 50, "plan_title": 40}
    used = {"all tasks"}
    with pd.ExcelWriter(out, engine="openpyxl") as xl:
        sheets = [("All tasks", frame)]
        for records in plans:
            sheets.append((_sheet_name(label(records[0]), used), task_frame([records])))
        for name, part in sheets:
            part.to_excel(xl, sheet_name=name, index=False)
            ws = xl.sheets[name]
            ws.auto_filter.ref = ws.dimensions
            ws.freeze_panes = "A2"
            for cells in ws.iter_rows(min_row=2):
                for cell in cells:
                    if cell.data_type == "f":   # document text, never a live formula
                        cell.data_type = "s"
            for k, col in enumerate(COLUMNS):
                ws.column_dimensions[ws.cell(row=1, column=k + 1).column_letter].width = \
                    widths.get(col, 14)
    return len(frame)


def write_sheets(sheets: dict[str, list[dict]], out: Path) -> int:
    """An Excel workbook of plain rows, one sheet per name (frozen header, autofilter; text
    made inert like the task export); written atomically. Returns the rows written."""
    import pandas as pd

    def write(_, tmp: Path) -> int:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
            for name, rows in sheets.items():
                pd.DataFrame(rows).map(as_text).to_excel(xl, sheet_name=name[:31], index=False)
                ws = xl.sheets[name[:31]]
                ws.auto_filter.ref = ws.dimensions
                ws.freeze_panes = "A2"
        return sum(len(rows) for rows in sheets.values())
    return write_atomic(write, [], Path(out))


EXPORTERS = {"jsonl": write_jsonl, "csv": write_csv, "xlsx": write_xlsx, "gold": write_gold}
FOLDER_FORMATS = {"gold"}
EXPORT_FORMATS = tuple(EXPORTERS)


def export(engine: Engine, fmt: str, out: Path, plan: str | int | None = None) -> int:
    """Write the current versions of all plans (or of `plan`, see resolve_plan()) to `out`.

    fmt "jsonl": the §5 format, per plan a plan line then its task lines; returns lines
    written. "csv" / "xlsx": one row per task with a plan column, agencies and deadlines as
    readable text (xlsx: an "All tasks" sheet plus a sheet per plan, autofilter on) and a
    "corrected" column; returns task rows written. "gold": `out` is a folder, one §5 file
    per plan; returns files written.
    """
    if fmt not in EXPORTERS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORTERS)}")
    ids = [resolve_plan(engine, plan)] if plan is not None else [p["id"] for p in list_plans(engine)]
    records = [plan_records(engine, i, marks=True) for i in ids]
    out = Path(out)
    if fmt in FOLDER_FORMATS:
        return EXPORTERS[fmt](records, out)
    out.parent.mkdir(parents=True, exist_ok=True)
    return write_atomic(EXPORTERS[fmt], records, out)
