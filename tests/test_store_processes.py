"""Loads in other processes: two at once both succeed; one killed mid-load changes nothing."""
from __future__ import annotations

import copy
import multiprocessing
import time

from gold_plans import fake_document, gold_plans
import store
from store import loading
from store_fixtures import db, db_url, pg_admin  # noqa: F401
from test_store import amend, load_gold, runs, snapshot

ROUNDS = 3   # versions per plan each worker loads


def variant(plan, n: int):
    """The plan with its first task's text changed (a new version each round)."""
    new = copy.deepcopy(plan)
    if n:
        new.tasks[0].text += f" (sửa đổi lần {n})"
    return new


def load_many(url: str, which: list[int], barrier, results) -> None:
    eng = store.connect(url)
    barrier.wait()
    plans = gold_plans()
    done = []
    for n in range(ROUNDS):
        for i in which:
            plan = variant(plans[i][1], n)
            r = store.load(eng, fake_document(plan, salt=str(n)), plan, trigger=f"worker{which}")
            done.append((i, r.status, r.version))
    results.put(done)
    eng.dispose()


def test_two_processes_load_different_plans_at_once(db_url):
    """On a new database: the two also create the schema at once."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    # plans 0, 1 and 2 share agencies of one province: both workers insert them
    workers = [ctx.Process(target=load_many, args=(db_url, which, barrier, results))
               for which in ([0, 3], [1, 2, 4])]
    for w in workers:
        w.start()
    done = sorted(x for _ in workers for x in results.get(timeout=60))
    for w in workers:
        w.join(timeout=30)
        assert w.exitcode == 0
    expected = sorted((i, "loaded" if n == 0 else "new_version", n + 1)
                      for i in range(5) for n in range(ROUNDS))
    assert done == expected
    db = store.connect(db_url)
    assert {s for s, _, _ in runs(db)} == {"ok"}
    with db.connect() as conn:   # one worker's load was under way while the other's ran
        overlaps = conn.exec_driver_sql(
            "SELECT count(*) FROM ingestion_run a JOIN ingestion_run b ON a.trigger < b.trigger"
            " AND a.started_at < b.finished_at AND b.started_at < a.finished_at").scalar()
    assert overlaps > 0
    plans = store.list_plans(db)
    assert [(p["version"], p["versions"]) for p in plans] == [(ROUNDS, ROUNDS)] * 5
    for doc, plan in gold_plans():
        pid = store.resolve_plan(db, plan.document)
        assert store.plan_records(db, pid) == variant(plan, ROUNDS - 1).to_records()
    with db.connect() as conn:   # every agency once per province despite the race
        dupes = conn.exec_driver_sql("SELECT name, province FROM agency GROUP BY name, province "
                                     "HAVING count(*) > 1").all()
    assert dupes == []
    db.dispose()


def load_and_hang(url: str, inside) -> None:
    """Load an amended plan, stopping for good inside the transaction."""
    def hang(*args, **kwargs):
        inside.set()
        time.sleep(120)

    loading._write_changes = hang
    eng = store.connect(url)
    doc, plan = gold_plans()[2]
    amended = amend(plan)[0]
    store.load(eng, fake_document(amended, salt="killed"), amended)


def test_a_load_killed_halfway_leaves_the_database_unchanged(db, db_url):
    load_gold(db)
    before = snapshot(db)
    ctx = multiprocessing.get_context("spawn")
    inside = ctx.Event()
    child = ctx.Process(target=load_and_hang, args=(db_url, inside))
    child.start()
    assert inside.wait(timeout=60), "the child never reached the middle of its load"
    child.kill()
    child.join(timeout=30)
    assert snapshot(db) == before
    # the database is usable: the same load now succeeds
    doc, plan = gold_plans()[2]
    amended = amend(plan)[0]
    r = store.load(db, fake_document(amended, salt="killed"), amended)
    assert (r.status, r.version, len(r.changes)) == ("new_version", 2, 3)
