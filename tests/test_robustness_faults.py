"""Faults during an ingest run: the database connection killed mid-load, the PostgreSQL
server stopped and started again mid-run, the ingesting process killed mid-load. The run
fails clearly or retries; afterwards the database holds whole versions only, and running
again loads what is missing.

The server stop/start test stops the shared local server: it runs only when
PLANS_TEST_PG_RESTART=1 (CI, as root with pg_ctlcluster) and never under pytest-xdist.
"""
from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from flows import steps
import store
from store import loading
from store_fixtures import PG_URL, db_url, fresh_database, pg_admin  # noqa: F401
from test_robustness_input import RAW, corpus, whole_versions

SAMPLES, text_variant = corpus.SAMPLES, corpus.text_variant

PLANS = 10


def make_folder(folder: Path, n: int = PLANS) -> list[str]:
    """n distinct text plans (fast to read) plus one DOCX sample."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n - 1):
        (folder / f"plan{i:02d}.txt").write_text(
            text_variant(SAMPLES[i % len(SAMPLES)], 11 + i, 8000 + i), encoding="utf-8")
    shutil.copy(sorted((RAW / "docx").glob("*.docx"))[1], folder / "sample.docx")
    return steps.collect([str(folder)])


def tagged(url: str, name: str) -> str:
    """The URL with application_name set: its connections can be found and killed."""
    return make_url(url).update_query_dict({"application_name": name}).render_as_string(
        hide_password=False)


def check_complete(url: str, files: list[str]) -> None:
    """Running again loads what is missing: one whole version per file's plan."""
    again = steps.ingest_files(files, url)
    assert not again.failed, [(o.path, o.error) for o in again.failed]
    state = whole_versions(steps.engine(url))
    assert (state["plans"], state["versions"]) == (len(files), len(files))


# -- the connection killed mid-load ----------------------------------------------------------

@pytest.mark.postgres
def test_connection_killed_inside_loads(request, tmp_path, monkeypatch):
    """Every other load has its connection terminated after writing its version's rows; one
    file's connection is killed on every attempt."""
    with fresh_database(request, "postgresql", tmp_path) as base:
        url = tagged(base, f"plans-fault-{uuid.uuid4().hex[:8]}")
        files = make_folder(tmp_path / "plans")
        admin = request.getfixturevalue("pg_admin")
        original = loading._write_version
        attempts: dict[str, int] = {}
        always = "8003/KH-UBND"           # plan03.txt: its connection dies on every attempt

        def write_then_lose_connection(conn, plan_id, number, plan, digest, now):
            out = original(conn, plan_id, number, plan, digest, now)
            key = plan.meta.number or ""
            attempts[key] = attempts.get(key, 0) + 1
            odd = key.startswith("80") and int(key[:4]) % 2 == 1
            if key == always or (odd and attempts[key] == 1):
                pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
                with admin.begin() as c:
                    c.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
            return out

        monkeypatch.setattr(loading, "_write_version", write_then_lose_connection)
        summary = steps.ingest_files(files, url)
        monkeypatch.setattr(loading, "_write_version", original)

        by_name = {Path(o.path).name: o for o in summary.outcomes}
        failed = [n for n, o in by_name.items() if o.status == steps.FAILED]
        for name in failed:          # a failure says the connection was lost
            assert "connection" in by_name[name].error.lower(), by_name[name].error
        assert failed == ["plan03.txt"]    # the others were retried on a new connection
        assert attempts[always] == loading.ATTEMPTS
        whole_versions(steps.engine(url))
        check_complete(url, files)
        steps.engine.cache_clear()


@pytest.mark.postgres
def test_connections_killed_at_random(request, tmp_path):
    """Another session terminates the run's connections every 0.2 s while it loads."""
    with fresh_database(request, "postgresql", tmp_path) as base:
        name = f"plans-fault-{uuid.uuid4().hex[:8]}"
        url = tagged(base, name)
        files = make_folder(tmp_path / "plans")
        admin = request.getfixturevalue("pg_admin")
        steps.engine(url)            # migrated before the killing starts
        stop = threading.Event()
        killed = [0]

        def killer():
            while not stop.wait(0.2):
                with admin.begin() as c:
                    killed[0] += len(c.execute(text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = :n AND pid <> pg_backend_pid()"),
                        {"n": name}).all())

        thread = threading.Thread(target=killer, daemon=True)
        thread.start()
        try:
            summary = steps.ingest_files(files, url)
        finally:
            stop.set()
            thread.join()
        assert killed[0] > 0
        for o in summary.failed:
            assert o.error and "\n" not in o.error
        whole_versions(steps.engine(url))
        check_complete(url, files)
        steps.engine.cache_clear()


# -- the server stopped mid-run ------------------------------------------------------------------

def _cluster() -> list[str] | None:
    if not shutil.which("pg_ctlcluster") or not Path("/etc/postgresql").is_dir():
        return None
    versions = sorted(os.listdir("/etc/postgresql"))
    return ["pg_ctlcluster", "--skip-systemctl-redirect", versions[0], "main"] if versions else None


def _pg(action: str) -> None:
    """stop or start the cluster (starting a running cluster is a harmless error)."""
    subprocess.run(_cluster() + [action], capture_output=True, timeout=120)


def _wait_ready(timeout: float = 60) -> None:
    host = make_url(PG_URL).host or "127.0.0.1"
    port = str(make_url(PG_URL).port or 5432)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if subprocess.run(["pg_isready", "-q", "-h", host, "-p", port]).returncode == 0:
            return
        time.sleep(0.5)
    raise AssertionError("PostgreSQL did not come back")


@pytest.mark.postgres
@pytest.mark.skipif(os.environ.get("PLANS_TEST_PG_RESTART") != "1" or "PYTEST_XDIST_WORKER"
                    in os.environ or _cluster() is None,
                    reason="stops the shared PostgreSQL server: set PLANS_TEST_PG_RESTART=1 "
                           "(needs pg_ctlcluster, root, no xdist)")
def test_server_stopped_and_started_mid_run(request, tmp_path):
    with fresh_database(request, "postgresql", tmp_path) as url:
        files = make_folder(tmp_path / "plans")
        steps.engine(url)
        restarted = threading.Event()

        def stop_during_load(path, stage, outcome=None):
            if stage == "find" and path == files[3] and not restarted.is_set():
                _pg("stop")
                threading.Timer(2.0, lambda: (_pg("start"), restarted.set())).start()

        unsubscribe = steps.listen(stop_during_load)
        try:
            summary = steps.ingest_files(files, url)
        finally:
            unsubscribe()
            restarted.wait(60)
            _pg("start")
            _wait_ready()
            request.getfixturevalue("pg_admin").dispose()   # its connections died with the server
        for o in summary.failed:    # failed clearly, or retried until the server was back
            assert o.error and "\n" not in o.error
        whole_versions(steps.engine(url))
        check_complete(url, files)
        steps.engine.cache_clear()


# -- the ingesting process killed ------------------------------------------------------------------

def ingest_and_hang(url: str, files: list[str], hang_at: int, inside) -> None:
    """Ingest files; inside the load of file `hang_at`, after its rows are written, stop for
    good (the parent kills this process there)."""
    original = loading._write_version
    count = [0]

    def write_then_hang(*args, **kwargs):
        out = original(*args, **kwargs)
        count[0] += 1
        if count[0] == hang_at:
            inside.set()
            time.sleep(300)
        return out

    loading._write_version = write_then_hang
    steps.ingest_files(files, url)


def ingest(url: str, files: list[str]) -> None:
    steps.ingest_files(files, url)


def test_process_killed_mid_load_leaves_no_half_version(db_url, tmp_path):
    files = make_folder(tmp_path / "plans")
    ctx = multiprocessing.get_context("spawn")
    inside = ctx.Event()
    child = ctx.Process(target=ingest_and_hang, args=(db_url, files, 4, inside))
    child.start()
    try:
        deadline = time.monotonic() + 120
        while not inside.wait(0.5):
            assert child.is_alive() and time.monotonic() < deadline, \
                "the child never reached the middle of its load"
    finally:
        child.kill()
        child.join(timeout=30)
    state = whole_versions(store.connect(db_url))
    assert state["versions"] == 3          # the three loads before; nothing of the fourth
    check_complete(db_url, files)
    steps.engine.cache_clear()


def test_process_killed_at_random_times(db_url, tmp_path):
    files = make_folder(tmp_path / "plans")
    rng = random.Random(7)
    ctx = multiprocessing.get_context("spawn")
    eng = store.connect(db_url)
    for _ in range(3):
        child = ctx.Process(target=ingest, args=(db_url, files))
        child.start()
        time.sleep(rng.uniform(4.0, 7.0))    # process start (~3 s), then some loads
        child.kill()
        child.join(timeout=30)
        whole_versions(eng)
    eng.dispose()
    check_complete(db_url, files)
    steps.engine.cache_clear()
