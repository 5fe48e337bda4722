"""Following the 2025 reorganisation (issue 14): v_agency_successor gives every stored agency
its current successor; `plans tasks --with-predecessors` finds the tasks of the bodies an
agency succeeded. Expected answers come from the gold files and the successions written by
hand in these tests. SQLite and PostgreSQL."""
from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest
from sqlalchemy import text

from gold_plans import fake_document, gold_plans
from schemas.plan import PlanMeta
import store
from store_fixtures import BACKENDS, fresh_database, pg_admin  # noqa: F401

MERGED_INTO_LAM_DONG = {"Lâm Đồng", "Bình Thuận", "Đắk Nông"}
FINANCE = {"Sở Tài chính", "Sở Kế hoạch và Đầu tư"}   # Sở Tài chính and what it absorbed


def other_province(plan, province: str, number: str):
    """The gold plan as if issued by another province (2026), under another number."""
    new = copy.deepcopy(plan)
    new.meta = PlanMeta(province=province, number=number, issued="2026-01-15", title=plan.meta.title)
    new.document += "_" + number.split("/")[0]
    return new


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request, tmp_path_factory):
    """The gold plans, plus plan 001 as if issued by Lâm Đồng and by Hà Nội (not merged)."""
    with fresh_database(request, request.param, tmp_path_factory.mktemp("succ")) as url:
        db = store.connect(url)
        plans = [p for _, p in gold_plans()]
        plans += [other_province(plans[1], "Lâm Đồng", "501/KH-UBND"),
                  other_province(plans[1], "Hà Nội", "502/KH-UBND")]
        for p in plans:
            store.load(db, fake_document(p), p)
        yield db, url, plans
        db.dispose()


def successors(db) -> dict[tuple, tuple]:
    with db.connect() as conn:
        rows = conn.execute(text("SELECT agency, agency_province, successor, successor_province, "
                                 "successor_id, steps FROM v_agency_successor")).all()
    out = {}
    for a, ap, s, sp, sid, steps in rows:
        assert (a, ap) not in out, f"{a} of {ap} has two current successors"
        out[(a, ap)] = (s, sp, sid is not None, steps)
    return out


def test_every_agency_has_one_current_successor(loaded):
    db, _, plans = loaded
    got = successors(db)
    with db.connect() as conn:
        assert len(got) == conn.execute(text("SELECT COUNT(*) FROM agency")).scalar()
    assert got[("Sở Kế hoạch và Đầu tư", "Bình Thuận")] == ("Sở Tài chính", "Lâm Đồng", True, 2)
    assert got[("Sở Kế hoạch và Đầu tư", "Kon Tum")] == ("Sở Tài chính", "Quảng Ngãi", False, 2)
    assert got[("Sở Tài chính", "Bình Thuận")] == ("Sở Tài chính", "Lâm Đồng", True, 1)
    assert got[("Sở Thông tin và Truyền thông", "Ninh Thuận")] == (
        "Sở Khoa học và Công nghệ", "Khánh Hòa", False, 2)
    assert got[("Sở Tài nguyên và Môi trường", "Kon Tum")] == (
        "Sở Nông nghiệp và Môi trường", "Quảng Ngãi", False, 2)
    assert got[("Đài Phát thanh và Truyền hình tỉnh", "Ninh Thuận")] == (
        "Báo và Phát thanh, Truyền hình tỉnh", "Khánh Hòa", False, 2)
    assert got[("Báo Bình Thuận", "Bình Thuận")][:2] == ("Báo và Phát thanh, Truyền hình tỉnh", "Lâm Đồng")
    assert got[("Sở Tài chính", "Lâm Đồng")] == ("Sở Tài chính", "Lâm Đồng", True, 0)
    assert got[("Sở Tài chính", "Hà Nội")] == ("Sở Tài chính", "Hà Nội", True, 0)
    assert got[("Sở Kế hoạch và Đầu tư", "Hà Nội")] == ("Sở Tài chính", "Hà Nội", True, 1)


def expected_finance_tasks(plans) -> set[tuple]:
    return {(p.meta.number, t.code) for p in plans if p.meta.province in MERGED_INTO_LAM_DONG
            for t in p.tasks if FINANCE & set(t.lead + t.support)}


def test_with_predecessors_finds_the_bodies_sở_tài_chính_succeeded(loaded):
    db, _, plans = loaded
    rows = store.query_tasks(db, agency="Sở Tài chính", province="Lâm Đồng", with_predecessors=True)
    assert {(r["plan_number"], r["code"]) for r in rows} == expected_finance_tasks(plans)
    bình_thuận, = [p for p in plans if p.meta.number == "3229/KH-UBND"]   # 2024, Bình Thuận
    planning = [t for t in bình_thuận.tasks if "Sở Kế hoạch và Đầu tư" in t.lead]
    assert planning, "the 2024 Bình Thuận sample gives Sở Kế hoạch và Đầu tư a task"
    by_code = {(r["plan_number"], r["code"]): r for r in rows}
    for t in planning:
        assert {"agency": "Sở Kế hoạch và Đầu tư", "province": "Bình Thuận", "role": "lead"} in \
            by_code[("3229/KH-UBND", t.code)]["as_named"]
    without = store.query_tasks(db, agency="Sở Tài chính", province="Lâm Đồng")
    assert not {("3229/KH-UBND", t.code) for t in planning} & {
        (r["plan_number"], r["code"]) for r in without}
    assert {r["plan_number"] for r in without} == {"501/KH-UBND"}
    assert all("as_named" not in r for r in without)


def test_with_predecessors_keeps_other_provinces_apart(loaded):
    db, _, plans = loaded
    rows = store.query_tasks(db, agency="tai chinh", province="Quang Ngai", with_predecessors=True)
    assert {(r["plan_number"], r["code"]) for r in rows} == {
        (p.meta.number, t.code) for p in plans if p.meta.province == "Kon Tum"
        for t in p.tasks if FINANCE & set(t.lead + t.support)}
    assert {a["province"] for r in rows for a in r["as_named"]} == {"Kon Tum"}
    leads = store.query_tasks(db, agency="Sở Tài chính", province="Lâm Đồng", role="lead",
                              with_predecessors=True)
    assert leads and all(a["role"] == "lead" for r in leads for a in r["as_named"])


def test_cli_with_predecessors(loaded):
    _, url, plans = loaded
    cmd = [sys.executable, "-m", "plans.cli", "tasks", "--agency", "Sở Tài chính",
           "--province", "Lâm Đồng", "--db", url]
    out = subprocess.run(cmd + ["--with-predecessors", "--json"], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert {(r["plan_number"], r["code"]) for r in rows} == expected_finance_tasks(plans)
    table = subprocess.run(cmd + ["--with-predecessors"], capture_output=True, text=True, timeout=120)
    assert "As named" in table.stdout and "Sở Kế hoạch và Đầu tư" in table.stdout
    bare = subprocess.run(cmd[:4] + ["--with-predecessors", "--db", url], capture_output=True,
                          text=True, timeout=120)
    assert bare.returncode == 1 and "--with-predecessors needs --agency" in bare.stderr


def test_agencies_with_task_counts_and_successor(loaded):
    db, url, plans = loaded
    rows = store.list_agencies(db, "Lâm Đồng")
    expected = {}
    for p in plans:
        if p.meta.province in MERGED_INTO_LAM_DONG:
            for t in p.tasks:
                for role in ("lead", "support"):
                    for n in getattr(t, role):
                        counts = expected.setdefault((n, p.meta.province), {"lead": 0, "support": 0})
                        counts[role] += 1
    assert {(r["name"], r["province"]): {"lead": r["lead_tasks"], "support": r["support_tasks"]}
            for r in rows} == expected
    by_key = {(r["name"], r["province"]): r for r in rows}
    planning = by_key[("Sở Kế hoạch và Đầu tư", "Bình Thuận")]
    assert (planning["successor"], planning["successor_province"], planning["successor_since"]) \
        == ("Sở Tài chính", "Lâm Đồng", "2025-07-01")
    assert by_key[("Sở Tài chính", "Lâm Đồng")]["successor"] is None
    assert by_key[("Sở Tài chính", "Lâm Đồng")]["kind"] == "so"
    out = subprocess.run([sys.executable, "-m", "plans.cli", "agencies", "--province", "lam dong",
                          "--json", "--db", url], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert sorted(json.loads(line)["agency_id"] for line in out.stdout.splitlines()) == \
        sorted(r["agency_id"] for r in rows)


def test_the_readme_analyst_commands_run(loaded, tmp_path):
    import shlex
    from pathlib import Path
    readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    block = readme.split("### Agencies, the 2025 reorganisation")[1].split("```sh")[1].split("```")[0]
    commands = [shlex.split(line) for line in block.splitlines() if line.startswith("plans ")]
    assert [c[1] for c in commands] == ["tasks", "due", "due", "agencies"]
    _, url, _ = loaded
    for c in commands:
        args = [str(tmp_path / a) if a.endswith(".xlsx") else a for a in c[1:]]
        out = subprocess.run([sys.executable, "-m", "plans.cli", *args, "--db", url],
                             capture_output=True, text=True, timeout=120, cwd=tmp_path)
        assert out.returncode == 0, (c, out.stderr)
    assert (tmp_path / "due.xlsx").exists()
