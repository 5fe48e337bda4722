"""Four processes ingest overlapping folders into one database at once (SQLite and
PostgreSQL): every plan is loaded once, every file's bytes are stored once, versions whole."""
from __future__ import annotations

import multiprocessing
import shutil
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from flows import steps
from store.db_tables import IngestionRun
from store_fixtures import db_url, pg_admin  # noqa: F401
from test_robustness_input import RAW, corpus, whole_versions

WORKERS = 4
PER_FOLDER = 3


def ingest(url: str, folders: list[str], barrier, results) -> None:
    files = steps.collect(folders)
    steps.engine(url)               # connect (and migrate) before the race
    barrier.wait()
    summary = steps.ingest_files(files, url, trigger=f"worker-{folders[0][-1]}")
    results.put([(o.path, o.status, o.error) for o in summary.outcomes])


def test_four_processes_ingest_overlapping_folders(db_url, tmp_path):
    # folders s0..s3 of distinct plans; worker i ingests s_i and s_(i+1): every file twice
    folders = []
    for k in range(WORKERS):
        f = tmp_path / f"s{k}"
        f.mkdir()
        for j in range(PER_FOLDER):
            i = k * PER_FOLDER + j
            (f / f"plan{i:02d}.txt").write_text(
                corpus.text_variant(corpus.SAMPLES[i % len(corpus.SAMPLES)], 31 + i, 9000 + i),
                encoding="utf-8")
        folders.append(str(f))
    # the same bytes under two names in two folders: stored once
    docx = sorted((RAW / "docx").glob("*.docx"))[0]
    shutil.copy(docx, tmp_path / "s0" / "copy-a.docx")
    shutil.copy(docx, tmp_path / "s2" / "copy-b.docx")
    plans = WORKERS * PER_FOLDER + 1

    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(WORKERS), ctx.Queue()
    procs = [ctx.Process(target=ingest, args=(db_url, [folders[i], folders[(i + 1) % WORKERS]],
                                              barrier, results)) for i in range(WORKERS)]
    for p in procs:
        p.start()
    outcomes = [x for _ in procs for x in results.get(timeout=300)]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0

    assert [o for o in outcomes if o[1] == steps.FAILED] == []
    loaded = Counter(Path(path).name for path, status, _ in outcomes
                     if status in ("loaded", "new_source", "new_version"))
    # each plan loaded by exactly one worker; the other worker skipped it or found it unchanged
    assert sum(loaded.values()) == plans
    assert all(n == 1 for n in loaded.values())
    assert {s for _, s, _ in outcomes} <= {"loaded", steps.SKIPPED, "unchanged"}

    engine = steps.engine(db_url)
    state = whole_versions(engine)
    assert (state["plans"], state["versions"], state["sources"]) == (plans, plans, plans)
    with engine.connect() as conn:
        ok = conn.execute(select(IngestionRun.outcome).where(IngestionRun.status == "ok")).all()
    assert Counter(o for o, in ok) == {"loaded": plans}
    steps.engine.cache_clear()
