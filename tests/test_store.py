"""The store on SQLite and PostgreSQL: loading the gold plans, re-loading, other sources,
amendments, failed loads, the read API and the exports."""
from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from gold_plans import fake_document, gold_plans, plan_from_records
from schemas.plan import Deadline
import store
from store import loading
from store.db_tables import IngestionRun, metadata
from store_fixtures import db, db_url, pg_admin  # noqa: F401

ROOT = Path(__file__).parent
Q2_DUE = "2025-06-30"


def snapshot(engine, skip=()) -> dict[str, list]:
    """Every row of every table, in primary-key order."""
    out = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name not in skip:
                out[table.name] = [tuple(r) for r in conn.execute(
                    select(table).order_by(*table.primary_key.columns))]
    return out


def runs(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(IngestionRun.status, IngestionRun.outcome, IngestionRun.error)
                            .order_by(IngestionRun.id)).all()


def load_gold(engine) -> list[store.LoadResult]:
    return [store.load(engine, doc, plan, trigger="test") for doc, plan in gold_plans()]


def amend(plan):
    """The gold plan with one task removed, one deadline changed and one agency added."""
    new = copy.deepcopy(plan)
    removed = new.tasks.pop(4)
    dated = next(t for t in new.tasks if "Sở Tài chính" in t.lead and any(
        d.due and d.due != Q2_DUE for d in t.deadlines))   # moved into 2025-Q2
    k = next(k for k, d in enumerate(dated.deadlines) if d.due)
    dated.deadlines[k] = Deadline(raw="Trong quý II năm 2025", kind="quarter", value="2025-Q2",
                                  due=Q2_DUE)
    widened = next(t for t in new.tasks if t is not dated and t.lead)
    widened.support.append("Sở Nội vụ")
    return new, removed, dated, widened


def test_load_gold_round_trips_and_scores_perfectly(db, tmp_path):
    results = load_gold(db)
    assert [r.status for r in results] == ["loaded"] * 5
    assert [r.version for r in results] == [1] * 5
    for (doc, plan), r in zip(gold_plans(), results):
        assert r.tasks == len(plan.tasks)
        assert store.plan_records(db, r.plan_id) == plan.to_records()
    out = tmp_path / "export.jsonl"
    assert store.export(db, "jsonl", out) == sum(len(p.tasks) + 1 for _, p in gold_plans())
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert exported == [rec for _, p in gold_plans() for rec in p.to_records()]
    with db.connect() as conn:
        sections = conn.exec_driver_sql("SELECT count(*) FROM section").scalar()
        placed = conn.exec_driver_sql("SELECT count(section_id) FROM task").scalar()
    assert sections > 20 and placed > 0.9 * sum(len(p.tasks) for _, p in gold_plans())
    score = subprocess.run([sys.executable, str(ROOT / "score.py"), str(out), str(ROOT / "gold"),
                            "--json"], capture_output=True, text=True, check=True)
    figures = json.loads(score.stdout.strip().splitlines()[-1])
    for name in ("task_p", "task_r", "task_f1", "lead_f1", "support_f1", "deadline_acc",
                 "meta_acc", "part_acc"):
        assert figures[name] == 1.0, name


def test_same_bytes_again_change_nothing(db):
    first = load_gold(db)
    before = snapshot(db, skip={"ingestion_run"})
    again = load_gold(db)
    assert [r.status for r in again] == ["unchanged"] * 5
    assert [(r.plan_id, r.version) for r in again] == [(r.plan_id, r.version) for r in first]
    assert snapshot(db, skip={"ingestion_run"}) == before
    assert [s for s, _, _ in runs(db)] == ["ok"] * 5 + ["skipped"] * 5
    doc, _ = gold_plans()[0]
    assert store.find_source(db, doc.sha256)["plan_id"] == first[0].plan_id
    assert store.find_source(db, "0" * 64) is None


def test_other_format_with_same_tasks_is_another_source(db):
    doc, plan = gold_plans()[1]
    first = store.load(db, doc, plan)
    docx = copy.deepcopy(plan)
    for t in docx.tasks:            # DOCX has no pages; the tasks are the same
        t.page = None
    docx.meta.signer = None
    r = store.load(db, fake_document(docx, "docx"), docx)
    assert (r.status, r.plan_id, r.version) == ("new_source", first.plan_id, 1)
    [row] = store.list_plans(db)
    assert (row["versions"], row["sources"], row["tasks"]) == (1, 2, len(plan.tasks))
    assert store.plan_records(db, r.plan_id) == plan.to_records()


def test_amended_copy_gives_exactly_three_changes(db):
    load_gold(db)
    doc, plan = gold_plans()[2]
    amended, removed, dated, widened = amend(plan)
    r = store.load(db, fake_document(amended, salt="amended"), amended)
    assert (r.status, r.version, r.tasks) == ("new_version", 2, len(plan.tasks) - 1)
    kinds = sorted((c.kind, c.code, tuple(c.fields)) for c in r.changes)
    assert kinds == sorted([("removed", removed.code, ()),
                            ("changed", dated.code, ("deadlines",)),
                            ("changed", widened.code, ("support",))])
    change = next(c for c in r.changes if c.code == widened.code)
    assert change.fields["support"]["new"] == change.fields["support"]["old"] + ["Sở Nội vụ"]
    assert store.diff(db, r.plan_id) == r.changes
    assert store.diff(db, r.plan_id, 1, 2) == r.changes
    assert store.diff(db, r.plan_id, 2, 1)[0].kind in {"added", "changed"}
    # the old version is kept, the new one is current
    assert store.plan_records(db, r.plan_id, 1) == plan.to_records()
    assert store.plan_records(db, r.plan_id) == amended.to_records()
    assert store.plan_records(db, r.plan_id, 2) == amended.to_records()
    [row] = [p for p in store.list_plans(db) if p["id"] == r.plan_id]
    assert (row["version"], row["versions"]) == (2, 2)
    with db.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM task_change").scalar() == 3
    # loading the amended file again changes nothing; the original again reverts the
    # amendment as version 3
    assert store.load(db, fake_document(amended, salt="amended"), amended).status == "unchanged"
    assert (store.load(db, doc, plan).status, store.load(db, doc, plan).status) == (
        "new_version", "unchanged")


def test_failure_inside_the_transaction_leaves_the_database_unchanged(db, monkeypatch):
    load_gold(db)
    doc, plan = gold_plans()[0]
    amended, *_ = amend(plan)
    before = snapshot(db, skip={"ingestion_run"})
    n_runs = len(runs(db))

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(loading, "_write_changes", boom)   # after the new version is written
    with pytest.raises(RuntimeError, match="disk on fire") as info:
        store.load(db, fake_document(amended, salt="x"), amended)
    assert "recorded as failed ingestion_run" in info.value.__notes__[0]
    assert snapshot(db, skip={"ingestion_run"}) == before
    assert runs(db)[n_runs:] == [("failed", None, "RuntimeError: disk on fire")]


def test_bad_data_fails_the_load_with_its_cause(db):
    doc, plan = gold_plans()[0]
    bad = copy.deepcopy(plan)
    bad.tasks[3].deadlines = [Deadline(raw="quý 13", kind="quarter", due="2025-13-01")]
    with pytest.raises(ValueError, match="not an ISO date"):
        store.load(db, doc, bad)
    reference = {"ingestion_run", "succession"}   # succession: the data file the migration loads
    assert snapshot(db, skip=reference) == {t: [] for t in snapshot(db, reference)}
    [(status, _, error)] = runs(db)
    assert status == "failed" and "2025-13-01" in error


def test_record_run_for_skipped_and_failed_files(db):
    run = store.record_run(db, path="data/raw/pdf/x.pdf", sha256=None, status="failed",
                           trigger="flow", error="ExtractionError: no text", counts={"pages": 0})
    assert runs(db) == [("failed", None, "ExtractionError: no text")] and run >= 1


def test_read_api(db):
    results = load_gold(db)
    plans = store.list_plans(db)
    assert [p["id"] for p in plans] == [r.plan_id for r in results]
    assert plans[1]["number"] == "3021/KH-UBND" and plans[1]["tasks"] == 25
    assert store.resolve_plan(db, "3021/KH-UBND") == results[1].plan_id
    assert store.resolve_plan(db, "3229 /kh-ubnd") == results[4].plan_id
    assert store.resolve_plan(db, str(results[3].plan_id)) == results[3].plan_id
    assert store.resolve_plan(db, "003_49a8354a5f205a74") == results[3].plan_id
    assert store.resolve_plan(db, "nghi quyet so 57") == results[2].plan_id
    with pytest.raises(LookupError, match="matches 3 plans"):
        store.resolve_plan(db, "triển khai thực hiện")
    with pytest.raises(LookupError, match="no plan "):
        store.resolve_plan(db, "nothing like this")

    gold = [rec for _, p in gold_plans() for rec in p.to_records()[1:]]
    leads = store.query_tasks(db, agency="so tai chinh", role="lead")   # accent-blind
    assert len(leads) == sum("Sở Tài chính" in t["lead"] for t in gold)
    q1 = store.query_tasks(db, agency="Sở Tài chính", due_after="2025-01-01",
                           due_before="2025-03-31")
    assert [(t["document"], t["code"]) for t in q1] == [("002_e23fc6cdf670e7ca", "47")]
    assert q1[0]["lead"] == ["Sở Tài chính", "Sở Khoa học và Công nghệ"]
    kon_tum = store.query_tasks(db, province="kon tum")
    assert len(kon_tum) == 38 and {t["plan_id"] for t in kon_tum} == {results[3].plan_id}
    assert len(store.query_tasks(db, plan="3021/KH-UBND")) == 25
    assert len(store.query_tasks(db, kind="recurring")) == sum(
        any(d["kind"] == "recurring" for d in t["deadlines"]) for t in gold)
    assert len(store.query_tasks(db, overdue_on="2023-01-01")) == sum(
        any(d["due"] and d["due"] < "2023-01-01" for d in t["deadlines"]) for t in gold)
    assert store.query_tasks(db, agency="100%_no_such") == []


def test_csv_and_xlsx_exports(db, tmp_path):
    import openpyxl
    import pandas as pd

    load_gold(db)
    n = sum(len(p.tasks) for _, p in gold_plans())
    assert store.export(db, "csv", tmp_path / "t.csv") == n
    frame = pd.read_csv(tmp_path / "t.csv", encoding="utf-8-sig")
    assert len(frame) == n and "Sở Khoa học và Công nghệ" in " ".join(frame["lead"].dropna())
    assert store.export(db, "xlsx", tmp_path / "t.xlsx") == n
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert book.sheetnames[0] == "All tasks" and len(book.sheetnames) == 6
    assert "3021-KH-UBND" in book.sheetnames
    for ws in book.worksheets:
        assert ws.auto_filter.ref and ws["A1"].value == "plan"
    assert book["All tasks"].max_row == n + 1
    assert store.export(db, "jsonl", tmp_path / "one.jsonl", plan="3021/KH-UBND") == 26
    with pytest.raises(ValueError, match="unknown export format"):
        store.export(db, "pdf", tmp_path / "x.pdf")


def test_plan_from_records_inverts_to_records():
    for _, plan in gold_plans():
        assert plan_from_records(plan.to_records()).to_records() == plan.to_records()


def test_values_too_long_for_their_column_fail_alike_on_both_databases(db):
    doc, plan = gold_plans()[0]
    bad = copy.deepcopy(plan)
    bad.tasks[0].lead = ["Sở " + "rất dài " * 80]
    with pytest.raises(ValueError, match="name longer than 500"):
        store.load(db, doc, bad)
    assert runs(db)[0][0] == "failed"


def test_aliases_are_stored_and_searchable(db):
    doc, plan = gold_plans()[1]
    plan = copy.deepcopy(plan)
    plan.aliases = {"Sở Khoa học và Công nghệ": ["Sở KH&CN", "Sở KHCN"]}
    store.load(db, doc, plan)
    hits = store.query_tasks(db, agency="sở kh&cn", role="lead")
    assert hits and all("Sở Khoa học và Công nghệ" in t["lead"] for t in hits)
    assert len(hits) == sum("Sở Khoa học và Công nghệ" in t.lead for t in plan.tasks)
