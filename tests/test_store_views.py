"""The example queries of docs/schema.md answer correctly on SQLite and PostgreSQL."""
from __future__ import annotations

import copy
import re
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import text

from gold_plans import fake_document, gold_plans
from schemas.plan import Deadline
import store
from store_fixtures import BACKENDS, fresh_database, pg_admin  # noqa: F401
from test_store import amend, load_gold

DOC = Path(__file__).parents[1] / "docs" / "schema.md"
AMENDED = 2   # the gold plan amended in these tests (the one implementing Nghị quyết 57)


def documented_queries() -> dict[str, str]:
    """query id → SQL, from the `<!-- query: id -->` blocks of docs/schema.md."""
    found = re.findall(r"<!-- query: (\w+) -->\s*```sql\n(.*?)```", DOC.read_text("utf-8"), re.S)
    return dict(found)


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request, tmp_path_factory):
    """Gold plans, plan 2 amended, one failed load: (engine, current plans, LoadResult)."""
    with fresh_database(request, request.param, tmp_path_factory.mktemp("views")) as url:
        db = store.connect(url)
        yield load_scenario(db)
        db.dispose()


def load_scenario(db):
    load_gold(db)
    doc, plan = gold_plans()[AMENDED]
    amended = amend(plan)[0]
    result = store.load(db, fake_document(amended, salt="amended"), amended)
    bad = copy.deepcopy(gold_plans()[0][1])
    bad.tasks[0].deadlines = [Deadline(raw="?", kind="soon")]
    with pytest.raises(ValueError):
        store.load(db, fake_document(bad, salt="bad"), bad, trigger="test")
    plans = [p for _, p in gold_plans()]
    plans[AMENDED] = amended
    return db, plans, result


def run(engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(str(v) if hasattr(v, "isoformat") else v for v in row)
                for row in conn.execute(text(sql))]


def test_every_documented_query_is_checked():
    assert set(documented_queries()) == set(EXPECTED)


def tasks_of(plans):
    for plan in plans:
        for t in plan.tasks:
            yield plan, t


def lead_due_quarter(rows, plans, result):
    expected = sorted((p.meta.number, t.code, d.due) for p, t in tasks_of(plans)
                      if "Sở Tài chính" in t.lead for d in t.deadlines
                      if d.due and "2025-04-01" <= d.due <= "2025-06-30")
    assert expected, "the amendment moves a Sở Tài chính deadline into 2025-Q2"
    assert sorted((r[0], r[2], r[5]) for r in rows) == expected


def latest_amendment(rows, plans, result):
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        (1, 2, c.kind, c.code) for c in result.changes]
    assert len(rows) == 3


def agency_workload(rows, plans, result):
    tasks, plan_sets = defaultdict(int), defaultdict(set)
    for p, t in tasks_of(plans):
        for role, names in (("lead", t.lead), ("support", t.support)):
            for name in set(names):
                key = (name, "" if p.agencies[name].scope == "central" else p.meta.province, role)
                tasks[key] += 1
                plan_sets[key].add(p.document)
    assert sorted((r[0], r[1], r[2], r[3], r[4]) for r in rows) == sorted(
        (*k, n, len(plan_sets[k])) for k, n in tasks.items())
    assert rows[0][:4] == ("Sở Khoa học và Công nghệ", "Ninh Thuận", "lead", 53)


def deadlines_window(rows, plans, result):
    expected = sorted((p.meta.number, t.code, d.kind, d.due) for p, t in tasks_of(plans)
                      for d in t.deadlines if d.due and "2025-01-01" <= d.due <= "2025-06-30")
    assert sorted((r[0], r[2], r[3], r[5]) for r in rows) == expected and expected
    assert [r[5] for r in rows] == sorted(r[5] for r in rows)


def plan_tasks(rows, plans, result):
    plan = next(p for p in plans if p.meta.number == "3021/KH-UBND")
    assert [r[0] for r in rows] == [t.code for t in plan.tasks]
    assert [r[2] or "" for r in rows] == ["; ".join(t.lead) for t in plan.tasks]
    assert [r[3] or "" for r in rows] == ["; ".join(t.support) for t in plan.tasks]
    with_due = [(r[0], r[5]) for r in rows if r[5]]
    assert with_due == [(t.code, min(d.due for d in t.deadlines if d.due))
                        for t in plan.tasks if any(d.due for d in t.deadlines)]
    dated = next(r for r in rows if r[4])
    assert "(" in dated[4] and dated[4].startswith(plan.tasks[[r[0] for r in rows].index(
        dated[0])].deadlines[0].raw)


def failed_runs(rows, plans, result):
    assert len(rows) == 1 and rows[0][1] == "test" and "soon" in rows[0][3]


def versions(rows, plans, result):
    assert len(rows) == 6 and [r[1] for r in rows].count(2) == 1
    assert sum(bool(r[2]) for r in rows) == 5


# The 2025 successions, written by hand from store/successions.tsv for the sample provinces.
MERGED = {"Ninh Thuận": "Khánh Hòa", "Bình Thuận": "Lâm Đồng", "Kon Tum": "Quảng Ngãi"}


def planning_successors(rows, plans, result):
    provinces = {p.meta.province for p, t in tasks_of(plans)
                 if "Sở Kế hoạch và Đầu tư" in t.lead + t.support}
    assert [r[:4] for r in rows] == [("Sở Kế hoạch và Đầu tư", p, "Sở Tài chính", MERGED[p])
                                     for p in sorted(provinces)] and len(provinces) >= 2
    assert {str(r[4]) for r in rows} == {"2025-07-01"}


def finance_with_predecessors(rows, plans, result):
    expected = sorted((p.meta.number, t.code, name, role) for p, t in tasks_of(plans)
                      if MERGED.get(p.meta.province) == "Lâm Đồng"
                      for role, names in (("lead", t.lead), ("support", t.support))
                      for name in names if name in ("Sở Tài chính", "Sở Kế hoạch và Đầu tư"))
    assert sorted((r[0], r[1], r[2], r[4]) for r in rows) == expected
    assert ("3229/KH-UBND", "5.1", "Sở Kế hoạch và Đầu tư", "lead") in expected
    assert {r[3] for r in rows} == {"Bình Thuận"}


def due_in_window(rows, plans, result):
    from store.due import next_occurrence
    from datetime import date
    today = date.today()
    expected = sorted([(p.meta.number, t.code, d.kind, d.due) for p, t in tasks_of(plans)
                       for d in t.deadlines if d.kind != "recurring" and d.due
                       and "2025-10-01" <= d.due <= "2025-12-31"] +
                      [(p.meta.number, t.code, d.kind, str(when)) for p, t in tasks_of(plans)
                       for d in t.deadlines if d.kind == "recurring" and d.recurrence == "P1Y"
                       and (when := next_occurrence(d.value, d.recurrence, today))
                       and len(d.value) == 10 and "2025-10-01" <= str(when) <= "2025-12-31"],
                      key=str)
    assert sorted(((r[0], r[1], r[2], str(r[3])) for r in rows), key=str) == expected and expected


EXPECTED = {f.__name__: f for f in (lead_due_quarter, latest_amendment, agency_workload,
                                    deadlines_window, plan_tasks, failed_runs, versions,
                                    planning_successors, finance_with_predecessors,
                                    due_in_window)}


@pytest.mark.parametrize("query", sorted(EXPECTED))
def test_documented_query(loaded, query):
    engine, plans, result = loaded
    EXPECTED[query](run(engine, documented_queries()[query]), plans, result)
