"""`plans due` and store.due_tasks on the sample plans with a fixed "today" (issue 14): the
expected lists are read from the gold files with the contract's rules written out here.
SQLite and PostgreSQL."""
from __future__ import annotations

import re
import subprocess
import sys
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from gold_plans import fake_document, gold_plans
import store
from store_fixtures import BACKENDS, fresh_database, pg_admin  # noqa: F401

DATED = {"date", "month", "quarter", "half_year", "year"}


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request, tmp_path_factory):
    with fresh_database(request, request.param, tmp_path_factory.mktemp("due")) as url:
        db = store.connect(url)
        for doc, plan in gold_plans():
            store.load(db, doc, plan)
        yield db, url
        db.dispose()


def gold_tasks(lead: str | None = None):
    for _, plan in gold_plans():
        for t in plan.tasks:
            if lead is None or lead in t.lead:
                yield plan.document, t


def expected_november(lead: str | None = None) -> list[tuple]:
    """Due from 2025-11-01 within 30 days: dated deadlines due in [11-01, 12-01], and yearly
    recurrences on a day of November (XXXX-11-DD, P1Y) on that day of 2025."""
    out = []
    for doc, t in gold_tasks(lead):
        for d in t.deadlines:
            if d.kind in DATED and d.due and "2025-11-01" <= d.due <= "2025-12-01":
                out.append((d.due, doc, t.code))
            m = re.fullmatch(r"XXXX-11-(\d\d)", d.value or "")
            if d.kind == "recurring" and m and d.recurrence == "P1Y":
                out.append((f"2025-11-{m.group(1)}", doc, t.code))
    return sorted(out)


def got(rows) -> list[tuple]:
    return sorted((r["next_due"], r["document"], r["code"]) for r in rows)


def test_due_within_30_days(loaded):
    db, _ = loaded
    dated, _ = store.due_tasks(db, date(2025, 11, 1), within_days=30)
    assert got(dated) == expected_november()
    assert any(r["deadline"]["value"] == "XXXX-11-05" and r["next_due"] == "2025-11-05"
               for r in dated)
    assert [r["next_due"] for r in dated] == sorted(r["next_due"] for r in dated)


def test_a_half_yearly_recurrence_falls_on_its_second_date(loaded):
    db, _ = loaded
    dated, _ = store.due_tasks(db, date(2025, 12, 20), within_days=15)
    half = [(doc, t.code) for doc, t in gold_tasks() for d in t.deadlines
            if d.value == "XXXX-06-30" and d.recurrence == "P6M"]
    assert half
    assert {(r["document"], r["code"]) for r in dated if r["next_due"] == "2025-12-30"
            and r["deadline"]["kind"] == "recurring"} == set(half)
    expected_dated = sorted((d.due, doc, t.code) for doc, t in gold_tasks() for d in t.deadlines
                            if d.kind in DATED and d.due and "2025-12-20" <= d.due <= "2026-01-04")
    assert [r for r in got(dated) if r[1:] not in half] == expected_dated


def test_overdue_and_ongoing_apart(loaded):
    db, _ = loaded
    overdue, apart = store.due_tasks(db, date(2025, 7, 1), overdue=True)
    assert got(overdue) == sorted((d.due, doc, t.code) for doc, t in gold_tasks()
                                  for d in t.deadlines if d.kind in DATED and d.due
                                  and d.due < "2025-07-01")
    assert apart == []
    _, apart = store.due_tasks(db, date(2025, 7, 1))
    assert sorted((r["document"], r["code"]) for r in apart) == sorted(
        (doc, t.code) for doc, t in gold_tasks() if any(
            d.kind == "ongoing" or (d.kind == "recurring" and not d.value) for d in t.deadlines))


def test_an_agency_s_due_list(loaded):
    db, _ = loaded
    lead = "Sở Khoa học và Công nghệ"
    dated, _ = store.due_tasks(db, date(2025, 11, 1), within_days=30, agency=lead, role="lead")
    assert got(dated) == expected_november(lead)


def test_cli_due_writes_excel(loaded, tmp_path):
    _, url = loaded
    out = tmp_path / "due.xlsx"
    run = subprocess.run([sys.executable, "-m", "plans.cli", "due", "--within", "30d",
                          "--today", "2025-11-01", "--db", url, "-o", str(out)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    expected = expected_november()
    assert f"{len(expected)} due deadlines" in run.stdout
    book = load_workbook(out)
    rows = list(book["Due"].iter_rows(values_only=True))
    header = rows[0]
    assert sorted((r[header.index("due")], r[header.index("code")]) for r in rows[1:]) == \
        sorted((d, code) for d, _, code in expected)
    assert book["Ongoing"].max_row > 1
    bad = subprocess.run([sys.executable, "-m", "plans.cli", "due", "--within", "soon",
                          "--db", url], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "--within 'soon'" in bad.stderr


def test_the_due_view_agrees_on_dated_deadlines(loaded):
    db, _ = loaded
    with db.connect() as conn:
        rows = conn.execute(text("SELECT document, code, kind, value, next_due, apart FROM v_due")).all()
    dated = sorted((doc, code, str(nd)) for doc, code, kind, _, nd, _ in rows if kind in DATED and nd)
    assert dated == sorted((doc, t.code, d.due) for doc, t in gold_tasks() for d in t.deadlines
                           if d.kind in DATED and d.due)
    today = date.today().isoformat()
    for doc, code, kind, value, nd, apart in rows:
        if kind == "recurring" and value and re.fullmatch(r"XXXX-\d\d-\d\d", value) and nd:
            assert str(nd)[4:] == value[4:] and str(nd) >= today
        assert bool(apart) == (kind == "ongoing" or (kind == "recurring" and value is None))
