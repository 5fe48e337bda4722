"""Agencies as bodies within their scope (issue 14): the store takes each agency's kind and
scope from the Plan (the pipeline's), one row per body, spellings as aliases; new versions
and other plans reuse the rows. SQLite and PostgreSQL."""
from __future__ import annotations

import copy
from collections import Counter

from sqlalchemy import select

from gold_plans import fake_document, gold_plans
from pipeline import process
from pipeline.agencies import profiles
from schemas.document import Document
from schemas.plan import PlanMeta
import store
from store.db_tables import Agency, AgencyAlias, TaskAgency
from store_fixtures import db, db_url, pg_admin  # noqa: F401
from test_store import amend, load_gold

SAMPLE = "data/raw/txt/002_e23fc6cdf670e7ca.txt"    # Ninh Thuận; its task 41 names BCH Quân sự tỉnh
PROVINCE_BODIES = ["Bộ Chỉ huy Quân sự tỉnh", "Ngân hàng Nhà nước chi nhánh tỉnh"]


def agencies(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(Agency.name, Agency.province, Agency.kind, Agency.scope)
            .order_by(Agency.name, Agency.province))]


def in_two_provinces():
    """The sample plan of Ninh Thuận as the pipeline reads it, its first task also supported
    by the State Bank branch and a ministry, and the same plan issued by Kon Tum."""
    ninh_thuan = process(SAMPLE)
    task = next(t for t in ninh_thuan.tasks if "Bộ Chỉ huy Quân sự tỉnh" in t.lead)
    task.support += ["Ngân hàng Nhà nước chi nhánh tỉnh", "Bộ Khoa học và Công nghệ"]
    ninh_thuan.agencies = profiles(sorted({n for t in ninh_thuan.tasks for n in t.lead + t.support}))
    kon_tum = copy.deepcopy(ninh_thuan)
    kon_tum.meta = PlanMeta(province="Kon Tum", number="99/KH-UBND", issued=ninh_thuan.meta.issued,
                            title=ninh_thuan.meta.title)
    kon_tum.document += "_kontum"
    return ninh_thuan, kon_tum


def document(plan) -> Document:
    return fake_document(plan, "txt")


def test_province_bodies_are_one_row_per_province_and_ministries_one_row(db):
    for plan in in_two_provinces():
        store.load(db, document(plan), plan)
    rows = agencies(db)
    for name in PROVINCE_BODIES:
        assert [(p, s) for n, p, _, s in rows if n == name] == [
            ("Kon Tum", "province"), ("Ninh Thuận", "province")]
    assert [(p, k, s) for n, p, k, s in rows if n == "Bộ Khoa học và Công nghệ"] == [
        ("", "other", "central")]
    assert ("Bộ Chỉ huy Quân sự tỉnh", "Ninh Thuận", "security", "province") in rows
    assert [r for r in store.query_tasks(db, agency="Bộ Chỉ huy Quân sự", province="Kon Tum")] \
        and all(r["province"] == "Kon Tum"
                for r in store.query_tasks(db, agency="Bộ Chỉ huy Quân sự", province="Kon Tum"))


def test_a_name_the_plan_does_not_describe_is_a_provincial_body(db):
    plan = copy.deepcopy(gold_plans()[0][1])
    plan.agencies = {}
    store.load(db, document(plan), plan)
    assert {(p, k, s) for _, p, k, s in agencies(db)} == {(plan.meta.province, "other", "province")}


def test_an_amended_plan_reuses_its_agencies(db):
    load_gold(db)
    before = agencies(db)
    doc, plan = gold_plans()[2]
    amended = amend(plan)[0]
    assert store.load(db, fake_document(amended, salt="amended"), amended).status == "new_version"
    after = agencies(db)
    assert after == before           # "Sở Nội vụ" added by the amendment was already a body there
    pairs = Counter((n, p) for n, p, _, _ in after)
    assert max(pairs.values()) == 1
    expected = {(n, "" if p.agencies[n].scope == "central" else p.meta.province)
                for _, p in gold_plans() for t in p.tasks for n in t.lead + t.support}
    assert set(pairs) == expected
    with db.connect() as conn:        # both versions' tasks point at the same rows
        used = conn.execute(select(TaskAgency.agency_id).distinct()).scalars().all()
        assert len(used) == len(after)


def test_spellings_are_aliases_of_one_body(db):
    first, = [p for _, p in gold_plans() if p.meta.number == "3021/KH-UBND"]
    first = copy.deepcopy(first)
    first.aliases = {"Sở Khoa học và Công nghệ": ["Sở KH&CN"]}
    store.load(db, document(first), first)
    again = copy.deepcopy(first)                   # another plan of the province, other spelling
    again.meta.number, again.document = "77/KH-UBND", first.document + "_b"
    again.aliases = {"Sở Khoa học và Công nghệ": ["Sở KHCN"]}
    store.load(db, document(again), again)
    with db.connect() as conn:
        rows = conn.execute(select(Agency.id, AgencyAlias.alias).join(
            AgencyAlias, AgencyAlias.agency_id == Agency.id).where(
            Agency.name == "Sở Khoa học và Công nghệ")).all()
    assert len({i for i, _ in rows}) == 1
    assert {a for _, a in rows} == {"Sở Khoa học và Công nghệ", "Sở KH&CN", "Sở KHCN"}
    listed, = [r for r in store.list_agencies(db) if r["name"] == "Sở Khoa học và Công nghệ"]
    assert listed["aliases"] == ["Sở KH&CN", "Sở KHCN"]
