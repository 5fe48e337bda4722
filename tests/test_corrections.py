"""Source locations and corrections, on SQLite and PostgreSQL: where each task is in each
source file; corrections stored as a layer, re-applied to the matched task of later
versions, reported when their task is gone, written all or nothing; the gold export."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pdfplumber
import pytest

import store
from extractors import read
from pipeline import find_plan
from store_fixtures import db, db_url, pg_admin  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
PLAN = "001_49944c2a62862d7a"          # 3021/KH-UBND, prose tasks
TABLE_PLAN = "002_e23fc6cdf670e7ca"    # a task table
DEADLINE_TASK = "Giao Sở Nội vụ nghiên cứu"      # II.2.c, due "trong năm 2020"
REMOVED_TASK = "b) Sở Thông tin và Truyền thông chủ trì, phối hợp với các Sở, ngành, địa phương"


def ingest(engine, path: Path) -> store.LoadResult:
    doc = read(path)
    return store.load(engine, doc, find_plan(doc))


def task_of(engine, plan_id: int, start: str) -> dict:
    return next(i for i in store.review(engine, plan_id)["tasks"]
                if i["record"]["text"].startswith(start))


def amended(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the sample text plan with one passage changed (an amended plan)."""
    text = (RAW / "txt" / f"{PLAN}.txt").read_text(encoding="utf-8")
    assert old in text
    out = tmp_path / f"amended-{len(list(tmp_path.iterdir()))}" / f"{PLAN}.txt"
    out.parent.mkdir()
    out.write_text(text.replace(old, new), encoding="utf-8")
    return out


@pytest.mark.parametrize("stem", [PLAN, TABLE_PLAN])
def test_pdf_tasks_keep_page_and_box_inside_the_page(stem):
    doc = read(RAW / "pdf" / f"{stem}.pdf")
    plan = find_plan(doc)
    with pdfplumber.open(RAW / "pdf" / f"{stem}.pdf") as pdf:
        sizes = [(p.width, p.height) for p in pdf.pages]
    for t in plan.tasks:
        assert t.page and t.bbox and t.block_index is not None, t.code
        x0, top, x1, bottom = t.bbox
        width, height = sizes[t.page - 1]
        assert 0 <= x0 < x1 <= width + 1 and 0 <= top < bottom <= height + 1, (t.code, t.bbox)
    rows = [t for t in plan.tasks if t.block == "table"]
    if stem == TABLE_PLAN:
        assert rows and all(t.row is not None for t in rows)
        same_page = [(a, b) for a, b in zip(rows, rows[1:]) if a.page == b.page]
        assert same_page and all(a.bbox[1] < b.bbox[1] for a, b in same_page)   # rows go down


def test_every_source_file_keeps_its_locations(db):
    for form in ("txt", "pdf", "docx"):
        ingest(db, RAW / form / f"{PLAN}.{form}")
    data = store.review(db, store.resolve_plan(db, "3021/KH-UBND"))
    for item in data["tasks"]:
        formats = {loc["format"]: loc for loc in item["locations"]}
        assert set(formats) == {"txt", "pdf", "docx"}
        assert formats["pdf"]["page"] == item["record"]["source"]["page"] or \
            item["record"]["source"]["page"] is None
        assert formats["pdf"]["bbox"] is not None and formats["txt"]["bbox"] is None
        assert formats["txt"]["block_index"] is not None


def test_a_correction_is_applied_and_follows_its_task_into_new_versions(db, tmp_path):
    ingest(db, RAW / "txt" / f"{PLAN}.txt")
    plan_id = store.resolve_plan(db, "3021/KH-UBND")
    item = task_of(db, plan_id, DEADLINE_TASK)
    assert item["record"]["lead"] == ["Sở Nội vụ"]
    store.correct(db, item["task_id"], {"lead": ["Sở Nội vụ", "Sở Khoa học và Công nghệ"]},
                  author="analyst", reason="both lead")
    fixed = task_of(db, plan_id, DEADLINE_TASK)
    assert fixed["record"]["lead"] == ["Sở Nội vụ", "Sở Khoa học và Công nghệ"]
    assert set(fixed["corrected"]) == {"lead"} and fixed["corrected"]["lead"]["old"] == ["Sở Nội vụ"]
    # the same value again, or the extracted one in other words, is no correction
    assert store.correct(db, item["task_id"], {"lead": "Sở Nội vụ; Sở Khoa học và Công nghệ",
                                                "text": "  " + item["record"]["text"]}, author="b") == []

    # the plan amended: this task now due in 2021; the new version's task gets the correction
    result = ingest(db, amended(tmp_path, "khen thưởng của tỉnh trong năm 2020",
                                "khen thưởng của tỉnh trong năm 2021"))
    assert result.status == "new_version"
    moved = task_of(db, plan_id, DEADLINE_TASK)
    assert moved["task_id"] != item["task_id"]
    assert moved["record"]["deadlines"][0]["due"] == "2021-12-31"
    assert moved["record"]["lead"] == ["Sở Nội vụ", "Sở Khoa học và Công nghệ"]
    rows = store.query_tasks(db, agency="khoa hoc va cong nghe", role="lead", plan=plan_id)
    assert moved["task_id"] in [r["task_id"] for r in rows]
    assert next(r for r in rows if r["task_id"] == moved["task_id"])["corrected"] == ["lead"]
    assert store.plan_records(db, plan_id, 1, marks=True)[1:] == \
        [{**r, "corrected": []} for r in store.plan_records(db, plan_id, 1)[1:]]   # old version: as loaded
    assert store.list_corrections(db, plan_id, unmatched=True) == []


def test_a_correction_whose_task_was_removed_is_reported(db, tmp_path):
    ingest(db, RAW / "txt" / f"{PLAN}.txt")
    plan_id = store.resolve_plan(db, "3021/KH-UBND")
    gone = task_of(db, plan_id, "Sở Thông tin và Truyền thông chủ trì")
    store.correct(db, gone["task_id"], {"support": ["Sở Nội vụ"]}, author="analyst")
    text = (RAW / "txt" / f"{PLAN}.txt").read_text(encoding="utf-8")
    paragraph = next(p for p in text.split("\n\n") if p.startswith(REMOVED_TASK))
    assert ingest(db, amended(tmp_path, paragraph, "")).status == "new_version"
    unmatched = store.list_corrections(db, plan_id, unmatched=True)
    assert [(c["field"], c["new"], c["code"]) for c in unmatched] == \
        [("support", ["Sở Nội vụ"], gone["record"]["code"])]
    assert store.review(db, plan_id)["unmatched"][0]["id"] == unmatched[0]["id"]
    assert all("Sở Nội vụ" not in t["support"] or not t["text"].startswith("Sở Thông tin")
               for t in store.plan_records(db, plan_id)[1:])
    # the task comes back in a later version: the correction finds it again
    assert ingest(db, RAW / "txt" / f"{PLAN}.txt").status == "new_version"
    back = task_of(db, plan_id, "Sở Thông tin và Truyền thông chủ trì")
    assert back["record"]["support"] == ["Sở Nội vụ"]
    assert store.list_corrections(db, plan_id, unmatched=True) == []


def test_a_failed_correction_write_leaves_nothing(db):
    ingest(db, RAW / "txt" / f"{PLAN}.txt")
    plan_id = store.resolve_plan(db, "3021/KH-UBND")
    item = task_of(db, plan_id, DEADLINE_TASK)
    store.correct(db, item["task_id"], {"text": "Sở Nội vụ bổ sung tiêu chí"}, author="a")
    before = store.list_corrections(db)
    bad = {"text": "another text", "lead": ["Sở Tài chính"],
           "deadlines": [{"raw": "sớm", "kind": "soon"}]}           # the last field is invalid
    with pytest.raises(ValueError, match="kind 'soon'"):
        store.correct(db, item["task_id"], bad, author="a")
    assert store.list_corrections(db) == before                     # nothing superseded, nothing added
    assert task_of(db, plan_id, "Sở Nội vụ bổ sung")["record"]["lead"] == ["Sở Nội vụ"]
    with pytest.raises(ValueError, match="empty"):
        store.add_task(db, plan_id, {"text": "  "}, author="a")
    assert store.list_corrections(db) == before


def test_delete_add_review_and_the_exports(db, tmp_path):
    ingest(db, RAW / "txt" / f"{PLAN}.txt")
    plan_id = store.resolve_plan(db, "3021/KH-UBND")
    loaded = store.plan_records(db, plan_id)
    wrong = task_of(db, plan_id, DEADLINE_TASK)
    store.correct(db, wrong["task_id"], {"delete": True}, author="a", reason="not a task")
    store.add_task(db, plan_id, {"code": "II.9", "text": "Tổ chức hội thảo khoa học",
                                 "lead": "Sở Khoa học và Công nghệ; Sở Nội vụ",
                                 "deadlines": [{"raw": "trong quý II/2021", "kind": "quarter",
                                                "value": "2021-Q2", "due": "2021-06-30"}]},
                   author="a", reason="missed")
    store.mark_reviewed(db, plan_id, author="a")
    records = store.plan_records(db, plan_id)
    texts = [r["text"] for r in records[1:]]
    assert len(records) == len(loaded)                       # one deleted, one added
    assert wrong["record"]["text"] not in texts and texts[-1] == "Tổ chức hội thảo khoa học"
    assert records[-1]["lead"] == ["Sở Khoa học và Công nghệ", "Sở Nội vụ"]
    data = store.review(db, plan_id)
    assert data["reviewed"]["new"] == data["version"] == 1
    assert sum(i["deleted"] for i in data["tasks"]) == 1

    store.export(db, "jsonl", tmp_path / "t.jsonl")
    lines = [json.loads(x) for x in (tmp_path / "t.jsonl").read_text(encoding="utf-8").splitlines()]
    assert lines == records                                   # the §5 contract, no extra field
    assert set(lines[1]) == set(loaded[1])
    store.export(db, "csv", tmp_path / "t.csv")
    with open(tmp_path / "t.csv", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["corrected"] for r in rows if r["corrected"]] == ["add"]
    assert rows[-1]["text"] == "Tổ chức hội thảo khoa học"
    assert store.query_tasks(db, due_before="2021-06-30", plan=plan_id)[-1]["task_id"] is None


def test_gold_export_scores_as_the_export_and_carries_corrections(tmp_path):
    engine = store.connect(f"sqlite:///{tmp_path / 'plans.db'}")
    for path in sorted((RAW / "txt").iterdir()):
        ingest(engine, path)
    gold = tmp_path / "gold"
    assert store.export(engine, "gold", gold) == 5
    assert sorted(p.name for p in gold.iterdir()) == sorted(p.name for p in (ROOT / "tests" / "gold").iterdir())

    def score(joined=tmp_path / "all.jsonl") -> dict:
        if joined.name == "all.jsonl":
            joined.write_text("".join(p.read_text(encoding="utf-8") for p in sorted(gold.iterdir())),
                              encoding="utf-8")
        out = subprocess.run([sys.executable, str(ROOT / "tests" / "score.py"), str(joined),
                              str(ROOT / "tests" / "gold"), "--json"],
                             capture_output=True, text=True, check=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    figures = score()
    store.export(engine, "jsonl", tmp_path / "export.jsonl")
    assert figures == score(tmp_path / "export.jsonl")        # the same plans as the §5 export
    assert figures["task_f1"] == 1.0 and figures["lead_f1"] > 0.99
    plan_id = store.resolve_plan(engine, "3021/KH-UBND")
    item = task_of(engine, plan_id, DEADLINE_TASK)
    store.correct(engine, item["task_id"], {"lead": ["Sở Tài chính"]}, author="a")
    store.export(engine, "gold", gold)
    lines = [json.loads(x) for x in (gold / f"{PLAN}.jsonl").read_text(encoding="utf-8").splitlines()]
    assert next(r for r in lines[1:] if r["text"].startswith(DEADLINE_TASK))["lead"] == ["Sở Tài chính"]
    assert score()["lead_f1"] < 1.0


def test_the_current_tasks_view_shows_corrected_values(db):
    from sqlalchemy import text
    ingest(db, RAW / "txt" / f"{PLAN}.txt")
    plan_id = store.resolve_plan(db, "3021/KH-UBND")
    fixed = task_of(db, plan_id, DEADLINE_TASK)
    wrong = task_of(db, plan_id, "Sở Thông tin và Truyền thông chủ trì")
    store.correct(db, fixed["task_id"], {
        "lead": ["Sở Nội vụ", "Sở Tài chính, Kế hoạch"], "support": ["Sở Xây dựng"], "text": "Bổ sung tiêu chí",
        "deadlines": [{"raw": "trong quý II/2021", "kind": "quarter", "value": "2021-Q2", "due": "2021-06-30"},
                      {"raw": "thường xuyên", "kind": "ongoing"}]}, author="a")
    store.correct(db, wrong["task_id"], {"delete": True}, author="a")

    def view() -> dict:
        with db.connect() as conn:
            return {r.task_id: r for r in conn.execute(text("SELECT * FROM v_current_tasks"))}
    rows = view()
    records = {i["task_id"]: i for i in store.review(db, plan_id)["tasks"]}
    assert wrong["task_id"] not in rows and len(rows) == len(records) - 1
    row = rows[fixed["task_id"]]
    assert (row.lead, row.support, row.text) == ("Sở Nội vụ; Sở Tài chính, Kế hoạch", "Sở Xây dựng", "Bổ sung tiêu chí")
    assert row.deadlines == "trong quý II/2021 (quarter 2021-Q2, due 2021-06-30); thường xuyên (ongoing)"
    assert str(row.earliest_due) == "2021-06-30"
    assert row.corrected == "deadlines; lead; support; text"
    for task_id, r in rows.items():          # the others: as extracted, nothing marked
        if task_id != fixed["task_id"]:
            rec = records[task_id]["record"]
            assert (r.lead or "", r.text, r.corrected) == ("; ".join(rec["lead"]), rec["text"], None)
    store.correct(db, wrong["task_id"], {"delete": False}, author="a")    # restored
    assert wrong["task_id"] in view()
