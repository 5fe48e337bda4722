"""The Prefect flows, under one session-scoped Prefect test harness (12–19 s to enter).

Over a copy of the DOCX samples plus a bad file: the folder flow loads every sample and
reports the bad file; a second run skips everything; an edited sample becomes a new version;
a removed sample is reported; a parse is cached on the file's bytes (a fresh database gets
the plans without parsing again); a locked database is retried; `plans ingest` on a folder
runs the same flow.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")   # before Prefect imports

import pytest
from typer.testing import CliRunner

import extractors
from flows import steps
from plans.cli import app
import store

ROOT = Path(__file__).parent.parent
SAMPLES = sorted((ROOT / "data/raw/docx").glob("*.docx"))
EDITED = "001_49944c2a62862d7a.docx"



@pytest.fixture(scope="session")
def prefect(tmp_path_factory):
    """Prefect's test harness (a temporary server and database) with a fresh result store,
    entered once for every flow test; yields flows.prefect_flows."""
    from prefect.settings import PREFECT_LOCAL_STORAGE_PATH, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180), temporary_settings(   # slow on a busy machine
            {PREFECT_LOCAL_STORAGE_PATH: tmp_path_factory.mktemp("prefect-results")}):
        from flows import prefect_flows
        yield prefect_flows


@pytest.fixture
def folder(tmp_path):
    """A copy of the DOCX samples plus a file that is not a DOCX."""
    f = tmp_path / "plans"
    f.mkdir()
    for s in SAMPLES:
        shutil.copy(s, f / s.name)
    (f / "broken.docx").write_bytes(b"this is not a zip archive")
    return f


@pytest.fixture
def parses(monkeypatch):
    """The files actually extracted (not served from Prefect's cache), from any thread."""
    seen, lock, read = [], threading.Lock(), extractors.read

    def counting(path):
        with lock:
            seen.append(Path(path).name)
        return read(path)

    monkeypatch.setattr(extractors, "read", counting)
    return seen


def edit(path: Path) -> None:
    """Change one task of a DOCX plan: a deadline appended to its text."""
    import docx
    d = docx.Document(path)
    p = next(p for p in d.paragraphs if p.text.startswith("- Tham mưu triển khai thực hiện"))
    p.runs[-1].text = p.runs[-1].text.rstrip(" ;.") + ", hoàn thành trong quý IV/2026;"
    d.save(path)


def statuses(summary) -> dict[str, str]:
    return {Path(o.path).name: o.status for o in summary.outcomes}


def test_folder_flow_load_skip_edit_remove(prefect, folder, tmp_path, parses):
    url = f"sqlite:///{tmp_path / 'plans.db'}"

    first = prefect.ingest_folder([str(folder)], url)
    assert statuses(first) == {**{s.name: "loaded" for s in SAMPLES}, "broken.docx": "failed"}
    (bad,) = first.failed
    assert bad.error and "\n" not in bad.error
    assert first.run_id and first.tasks > 100
    engine = store.connect(url)
    assert len(store.list_plans(engine)) == len(SAMPLES)
    runs = dict(engine.connect().exec_driver_sql(
        "select status, count(*) from ingestion_run group by status").all())
    assert runs == {"ok": len(SAMPLES), "failed": 1}

    parses.clear()
    second = prefect.ingest_folder([str(folder)], url)
    assert statuses(second) == {**{s.name: "skipped" for s in SAMPLES}, "broken.docx": "failed"}
    assert parses == ["broken.docx"]          # unchanged files are not even read

    edit(folder / EDITED)
    (folder / SAMPLES[0].name).unlink()
    third = prefect.ingest_folder([str(folder)], url)
    assert statuses(third)[EDITED] == "new_version"
    assert {s for n, s in statuses(third).items() if n != EDITED} == {"skipped", "failed"}
    assert third.removed == [str(folder / SAMPLES[0].name)]
    plan = store.resolve_plan(engine, "3021/KH-UBND")
    assert [c.kind for c in store.diff(engine, plan)] == ["changed"]


def test_a_parse_is_cached_on_the_file_bytes(prefect, folder, tmp_path, parses):
    """A second database gets the same plans without parsing: Prefect's cache, keyed on
    SHA-256 and the parser's code version."""
    (folder / "broken.docx").unlink()
    prefect.ingest_folder([str(folder)], f"sqlite:///{tmp_path / 'a.db'}")
    parses.clear()
    other = prefect.ingest_folder([str(folder)], f"sqlite:///{tmp_path / 'b.db'}")
    assert set(statuses(other).values()) == {"loaded"}
    assert parses == []
    forced = prefect.ingest_folder([str(folder)], f"sqlite:///{tmp_path / 'b.db'}", force=True)
    assert set(statuses(forced).values()) == {"unchanged"} and len(parses) == len(SAMPLES)

    # the same bytes under another name: served from the cache, recorded under their own name
    renamed = tmp_path / "elsewhere" / "renamed.docx"
    renamed.parent.mkdir()
    shutil.copy(SAMPLES[1], renamed)
    parses.clear()
    url = f"sqlite:///{tmp_path / 'c.db'}"
    (out,) = prefect.ingest_folder([str(renamed.parent)], url).outcomes
    assert out.status == "loaded" and parses == []
    engine = store.connect(url)
    assert store.find_source(engine, out.sha256)["path"] == str(renamed)
    assert store.plan_records(engine, out.plan_id)[0]["document"] == "renamed"


@pytest.fixture
def locked_once(monkeypatch):
    """store.load fails once with "database is locked", then loads; the calls made."""
    from sqlalchemy.exc import OperationalError
    calls, load = [], store.load

    def load_after_a_lock(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("INSERT …", {}, Exception("database is locked"))
        return load(*args, **kwargs)

    monkeypatch.setattr(store, "load", load_after_a_lock)
    return calls


def test_one_file_flow_retries_a_locked_database(prefect, tmp_path, locked_once):
    out = prefect.ingest_file(str(SAMPLES[2]), f"sqlite:///{tmp_path / 'p.db'}")
    assert out.status == "loaded" and len(locked_once) == 2


def test_folder_flow_retries_a_locked_database(prefect, folder, tmp_path, locked_once, monkeypatch):
    """The folder flow's batches retry their database stages in-process, as the tasks do."""
    monkeypatch.setattr(prefect, "DB_RETRY_DELAYS", [0, 0, 0])
    (folder / "broken.docx").unlink()
    summary = prefect.ingest_folder([str(folder)], f"sqlite:///{tmp_path / 'p.db'}")
    assert set(statuses(summary).values()) == {"loaded"} and len(locked_once) == len(SAMPLES) + 1


def test_flow_does_not_retry_a_bad_file(prefect, tmp_path):
    bad = tmp_path / "empty.pdf"
    bad.write_bytes(b"")
    out = prefect.ingest_file(str(bad), f"sqlite:///{tmp_path / 'p.db'}")
    assert out.status == "failed" and "empty" in out.error


def test_bad_database_url_fails_the_flow_before_any_file(prefect, folder):
    with pytest.raises(store.DatabaseError, match="cannot open the plans database"):
        prefect.ingest_folder([str(folder)], "sqlite:////nonexistent/folder/plans.db")


def test_cli_ingest_of_a_folder_with_flow_runs_the_flow(prefect, folder, tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(app, ["ingest", str(folder), "--flow", "--db", url])
    assert result.exit_code == 1                        # the broken file
    assert "Prefect flow run" in result.stderr
    assert f"{len(SAMPLES)} loaded, 1 failed" in result.stdout
    assert "Traceback" not in result.output
    again = CliRunner().invoke(app, ["ingest", *map(str, SAMPLES), "--db", url])
    assert again.exit_code == 0 and f"{len(SAMPLES)} skipped" in again.stdout


def test_in_process_and_flow_give_the_same_database(prefect, folder, tmp_path):
    """The in-process path (process pool) and the folder flow: same outcomes, same plans,
    tasks and ingestion runs, in the same order."""
    from test_ingest_pool import database_content
    files = steps.collect([str(folder)])
    direct = steps.ingest_files(files, f"sqlite:///{tmp_path / 'd.db'}", workers=2)
    flowed = prefect.ingest_folder([str(folder)], f"sqlite:///{tmp_path / 'f.db'}")
    key = [(Path(o.path).name, o.status, o.plan, o.tasks) for o in direct.outcomes]
    assert key == [(Path(o.path).name, o.status, o.plan, o.tasks) for o in flowed.outcomes]
    assert (database_content(f"sqlite:///{tmp_path / 'd.db'}", ordered=False)
            == database_content(f"sqlite:///{tmp_path / 'f.db'}", ordered=False))


def test_task_runner_is_chosen_by_name(prefect, monkeypatch):
    from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner
    assert isinstance(prefect.task_runner(), ThreadPoolTaskRunner)
    monkeypatch.setenv("PLANS_TASK_RUNNER", "processes")
    assert isinstance(prefect.task_runner(workers=2), ProcessPoolTaskRunner)
    with pytest.raises(ValueError, match="unknown task runner 'gpu'"):
        prefect.task_runner("gpu")
    try:
        import prefect_dask  # noqa: F401
    except ImportError:
        with pytest.raises(RuntimeError, match="pip install prefect-dask"):
            prefect.task_runner("dask://scheduler:8786")


def test_dask_cluster_of_two_workers_gives_the_same_database(prefect, folder, tmp_path, monkeypatch):
    """The flow on a local Dask cluster of two worker processes (`pip install -e ".[scale]"`)
    loads what the in-process path loads. The workers report to the harness's server."""
    from conftest import require_or_skip
    try:
        import prefect_dask  # noqa: F401
    except ImportError:
        require_or_skip('prefect-dask is not installed: pip install -e ".[scale]"')
    from prefect.settings import PREFECT_API_URL
    from test_ingest_pool import database_content
    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())
    dasked = prefect.run_folder([str(folder)], f"sqlite:///{tmp_path / 'k.db'}", workers=2,
                                runner="dask", console_log=False)
    direct = steps.ingest_files(steps.collect([str(folder)]), f"sqlite:///{tmp_path / 'd.db'}")
    assert statuses(dasked) == statuses(direct)
    assert (database_content(f"sqlite:///{tmp_path / 'k.db'}", ordered=False)
            == database_content(f"sqlite:///{tmp_path / 'd.db'}", ordered=False))


def test_a_one_off_run_sends_no_heartbeats(prefect):
    """Without a configured server nobody watches flow-run heartbeats, and stopping their
    thread cost ~1 s a run: run_folder turns them off for its run only."""
    from prefect.settings import get_current_settings
    default = get_current_settings().flows.heartbeat_frequency
    with prefect._without_heartbeats():
        assert get_current_settings().flows.heartbeat_frequency is None
    assert get_current_settings().flows.heartbeat_frequency == default is not None
