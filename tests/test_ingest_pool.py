"""The in-process folder ingest: files parsed by a process pool, loaded by one writer.

Over copies of one plan in several formats, other plans and a bad file: one worker and two
give the same database (plans, tasks, sources and the ingestion runs in the same order);
a folder ingest with no PREFECT_API_URL never imports Prefect (so starts no server).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flows import steps
import store

ROOT = Path(__file__).parent.parent
RAW = ROOT / "data/raw"
FILES = [*sorted((RAW / "docx").glob("00[0-3]_*.docx")), *sorted((RAW / "txt").glob("00[12]_*.txt")),
         *sorted((RAW / "pdf").glob("00[23]_*.pdf"))]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Copies of four plans (two of them in three formats) in subfolders, and a bad file."""
    f = tmp_path_factory.mktemp("pool") / "plans"
    for s in FILES:
        (f / s.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(s, f / s.parent.name / s.name)
    (f / "docx" / "broken.docx").write_bytes(b"this is not a zip archive")
    return f


def database_content(url: str, ordered: bool = True) -> tuple:
    """Everything an ingest leaves that does not depend on the clock: the plans, each plan's
    records, and the ingestion runs in the order they were recorded. ordered=False: the same
    without database ids and load order (plans loaded concurrently, as by the flow)."""
    engine = store.connect(url)
    plans = [{k: v for k, v in p.items() if k != "last_loaded"} for p in store.list_plans(engine)]
    records = [store.plan_records(engine, p["id"]) for p in plans]
    with engine.connect() as conn:
        runs = [tuple(r) for r in conn.exec_driver_sql(
            "SELECT path, sha256, status, outcome, error, counts, plan_id, version_id "
            "FROM ingestion_run ORDER BY id")]
    engine.dispose()
    if ordered:
        return plans, records, runs
    by_key = sorted(zip(plans, records), key=lambda pr: pr[0]["key"])
    return ([{k: v for k, v in p.items() if k != "id"} for p, _ in by_key],
            [json.dumps(r, sort_keys=True, default=str) for _, r in by_key],
            sorted(repr(r[:-2]) for r in runs))


def test_one_worker_and_two_give_the_same_database(folder, tmp_path):
    files = steps.collect([str(folder)])
    one = steps.ingest_files(files, f"sqlite:///{tmp_path / 'one.db'}", workers=1)
    two = steps.ingest_files(files, f"sqlite:///{tmp_path / 'two.db'}", workers=2)
    key = lambda s: [(o.path, o.status, o.plan, o.version, o.tasks, o.error) for o in s.outcomes]
    assert key(one) == key(two)
    assert {o.status for o in one.outcomes} == {"loaded", "new_source", "failed"}
    assert [Path(o.path).name for o in one.failed] == ["broken.docx"]
    content = database_content(f"sqlite:///{tmp_path / 'one.db'}")
    assert content == database_content(f"sqlite:///{tmp_path / 'two.db'}")
    runs = content[2]
    assert len(runs) == len(files)
    # copies of a plan load text-layer formats first: the PDF of each plan after its DOCX
    order = [Path(r[0]).name for r in runs]
    for pdf in (RAW / "pdf").glob("00[23]_*.pdf"):
        assert order.index(pdf.name) > order.index(pdf.with_suffix(".docx").name)

    again = steps.ingest_files(files, f"sqlite:///{tmp_path / 'two.db'}", workers=2)
    assert {o.status for o in again.outcomes} == {"skipped", "failed"}


def test_a_failed_parse_in_a_worker_names_the_file_and_the_stage(folder, tmp_path):
    files = steps.collect([str(folder / "docx")])
    summary = steps.ingest_files(files, f"sqlite:///{tmp_path / 'p.db'}", workers=2)
    (bad,) = summary.failed
    assert bad.error and "\n" not in bad.error and "not a DOCX document" in bad.error
    assert "WorkerTraceback" in bad.trace     # --debug shows where the worker failed
    with store.connect(f"sqlite:///{tmp_path / 'p.db'}").connect() as conn:
        (error,) = conn.exec_driver_sql(
            "SELECT error FROM ingestion_run WHERE status = 'failed'").one()
    assert error.startswith("extract: ")


def test_folder_ingest_without_a_prefect_server_imports_no_prefect(folder, tmp_path):
    """No PREFECT_API_URL: `plans ingest FOLDER` runs in-process with the pool; Prefect is
    never imported, so no temporary server starts (a clean interpreter)."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    code = ("import sys\nfrom plans.cli import main\n"
            f"sys.argv = ['plans', 'ingest', {str(folder)!r}, '--workers', '2', '--db', {url!r}]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
            "print('PREFECT' if 'prefect' in sys.modules else 'NO-PREFECT', code)\n")
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=600)
    assert done.stdout.strip().splitlines()[-1] == "NO-PREFECT 1", done.stderr   # broken.docx
    assert "Prefect flow run" not in done.stderr
    assert "failed: " in done.stderr and "broken.docx" in done.stderr
    plans, _, runs = database_content(url)
    assert len(plans) == 4 and len(runs) == len(FILES) + 1
