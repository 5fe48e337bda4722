"""Task matching between versions, plan identity and the derived section tree (no database)."""
from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from gold_plans import gold_plans
from store import identity, loading
from schemas.plan import PlanMeta, Task
from store.changes import compare, similarity

PLANS = [p for _, p in gold_plans()]


def test_identical_tasks_have_no_changes():
    for plan in PLANS:
        assert compare(plan.tasks, copy.deepcopy(plan.tasks)) == []


def test_reworded_and_renumbered_tasks_are_changed_not_replaced():
    old = copy.deepcopy(PLANS[2].tasks[:6])
    new = copy.deepcopy(old)
    new[1].text = new[1].text.replace("Xây dựng", "Xây dựng và ban hành")
    new.insert(0, Task(part="tasks", code="1", text="Nhiệm vụ hoàn toàn mới về chuyển đổi số"))
    for k, t in enumerate(new[1:], 2):
        t.code = str(k)                           # every old task renumbered by one
    changes = compare(old, new)
    assert [(c.kind, c.code) for c in changes][0] == ("added", "1")
    changed = [c for c in changes if c.kind == "changed"]
    assert len(changed) == 6 and all("code" in c.fields for c in changed)
    assert set(changed[1].fields) == {"code", "text"}
    assert not [c for c in changes if c.kind == "removed"]


def test_a_different_task_under_the_same_code_is_removed_and_added():
    old = [Task(part="tasks", code="1", text="Tổ chức hội thảo khoa học cấp tỉnh hằng năm")]
    new = [Task(part="tasks", code="1", text="Rà soát quy hoạch mạng lưới trường học")]
    assert [c.kind for c in compare(old, new)] == ["removed", "added"]


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_random_edits_are_found_exactly(data):
    plan = data.draw(st.sampled_from(PLANS))
    n = len(plan.tasks)
    removed = set(data.draw(st.lists(st.integers(0, n - 1), max_size=3, unique=True)))
    edited = set(data.draw(st.lists(st.integers(0, n - 1), max_size=3, unique=True))) - removed
    new = []
    for i, t in enumerate(copy.deepcopy(plan.tasks)):
        if i in removed:
            continue
        if i in edited:
            t.lead = t.lead + ["Sở Ngoại vụ"]
        new.append(t)
    changes = compare(plan.tasks, new)
    assert sorted((c.kind, c.code) for c in changes) == sorted(
        [("removed", plan.tasks[i].code) for i in removed]
        + [("changed", plan.tasks[i].code) for i in edited])


def test_similarity_ignores_accents_and_case():
    assert similarity("Sở Tài chính chủ trì", "so tai chinh CHU TRI") == 1.0
    assert similarity("", "") == 1.0 and similarity("a", "") == 0.0


def test_plan_identity():
    key = identity.plan_key
    assert key(PlanMeta("Ninh Thuận", "3021 /KH-UBND")) == key(PlanMeta("Ninh Thuan", "3021/kh-ubnd"))
    assert key(PlanMeta("Ninh Thuận", "3021/KH-UBND")) != key(PlanMeta("Kon Tum", "3021/KH-UBND"))
    titled = key(PlanMeta("Kon Tum", None, title="Triển khai “Chiến lược”, đến năm 2030"))
    assert titled == key(PlanMeta("Kon Tum", " ", title="triển khai Chiến lược đến năm 2030"))
    assert titled.startswith("kon tum|t:")
    assert key(PlanMeta(), "004_x") == "|doc:004_x"


def test_sections_follow_codes_and_groups():
    plan = PLANS[0]                                # prose: codes II.1.a … III.3
    rows, of_task = loading.sections(plan.tasks)
    by_code = {r["code"]: r for r in rows}
    assert {"II", "II.1", "II.2", "II.2.a", "III"} <= set(by_code)
    assert by_code["II.2.a"]["parent"] == by_code["II.2"]["position"]
    assert by_code["II"]["parent"] is None
    assert by_code["II.1"]["title"] == plan.tasks[0].group
    assert rows[of_task[2]]["code"] == "II.2.a"    # II.2.a.1 sits in II.2.a
    flat = PLANS[2]                                # table: codes 1 … 47, groups as rows
    rows, of_task = loading.sections(flat.tasks)
    first = rows[of_task[0]]
    assert first["code"] is None and first["title"] == flat.tasks[0].group
    assert all(p is not None for p in of_task)
