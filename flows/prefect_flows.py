"""The ingest stages of flows.steps as Prefect tasks, and the flows that run them.

Importing this module imports Prefect (~2 s); `flows` imports it only when a flow run is
wanted. The flows call `steps.ingest_file` with the stages below, so they run exactly the code
the in-process path runs, plus Prefect's retries, caching, concurrency and run history:

* database stages retry transient errors (a locked SQLite file, a dropped connection): as
  Prefect tasks in the one-file flow, as plain retried calls in the folder flow's batches;
* extract (and, in the one-file flow, find) is cached on the file's SHA-256 and the parser's
  code version, so a file already read (into any database) is not read again;
* `ingest_folder` runs files concurrently with the task runner named by PLANS_TASK_RUNNER
  (or `run_folder(runner=…)`): threads (default), processes, or Dask (prefect-dask); with
  threads, `run_folder` parses in a pool of processes (one per CPU), as `plans ingest` does.
"""
from __future__ import annotations

import contextlib
import logging
import os
import time

from prefect import flow, get_run_logger, settings, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import as_completed
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner
from types import SimpleNamespace

from flows import steps

DB_RETRIES = 3
DB_RETRY_DELAYS = [1, 2, 4]
WORKERS = 4
BATCHES = 2 * WORKERS    # task runs per folder run: a few per worker, so that loads even out


def transient(task, task_run, state) -> bool:
    """Retry only errors that may pass: a busy/locked database or a lost connection."""
    return passing(state.result(raise_on_failure=False))


def passing(error: BaseException) -> bool:
    from sqlalchemy import exc as sa
    if isinstance(error, (sa.OperationalError, sa.InterfaceError, sa.TimeoutError)):
        return True
    return isinstance(error, sa.DBAPIError) and error.connection_invalidated


def retrying(stage):
    """A database stage retried in this process as the database tasks are by Prefect (same
    errors, same delays): a folder run's batches pay no task run per file for them."""
    def run(*args, **kwargs):
        for delay in DB_RETRY_DELAYS + [None]:
            try:
                return stage(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 — re-raised unless it may pass
                if delay is None or not passing(exc):
                    raise
                time.sleep(delay)
    return run


def quiet() -> None:
    """No Prefect log lines on this process's console (the run history keeps them all).

    Prefect's console handler sits on the root logger, where libraries also add their own
    (underthesea calls logging.basicConfig): stop Prefect's records before they get there.
    """
    logging.getLogger("prefect").propagate = False


def task_runner(name: str | None = None, workers: int = WORKERS, console_log: bool = True):
    """The folder flow's concurrency, chosen by name (default: $PLANS_TASK_RUNNER, else threads).

    "threads": files in a thread pool (parsing holds the GIL: little gain on CPU, fine for I/O);
    "processes": a process pool on this machine; "dask": a local Dask cluster of `workers`
    processes; "dask://HOST:8786": the Dask scheduler at that address, whose workers may be on
    other machines. Dask needs `pip install prefect-dask` and, for processes to report their
    task runs, a Prefect server (PREFECT_API_URL).
    """
    name = name or os.environ.get("PLANS_TASK_RUNNER") or "threads"
    if name == "threads":
        return ThreadPoolTaskRunner(max_workers=workers)
    if name == "processes":
        return ProcessPoolTaskRunner(max_workers=workers,
                                     initializer=None if console_log else quiet)
    if name == "dask" or name.startswith("dask://"):
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError:
            raise RuntimeError(f"task runner {name!r} needs prefect-dask: pip install prefect-dask")
        if name == "dask":
            return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1})
        return DaskTaskRunner(address="tcp://" + name.removeprefix("dask://"))
    raise ValueError(f"unknown task runner {name!r}: use threads, processes, dask or "
                     "dask://HOST:PORT")


def _extract_key(context, parameters) -> str:
    return f"extract-{steps.fingerprint(parameters['path'])}-{steps.code_version()}"


def _find_key(context, parameters) -> str:
    return f"find-{parameters['document'].sha256}-{steps.code_version()}"


_db = dict(retries=DB_RETRIES, retry_delay_seconds=DB_RETRY_DELAYS, retry_condition_fn=transient,
           cache_policy=NO_CACHE)

# A folder run on the thread runner parses in a pool of processes (parsing holds the GIL):
# the extract task hands its file to a worker, which finds the plan too; find picks it up.
_pool = None
_parsed: dict[str, tuple] = {}


def extract(path: str):
    """steps.extract, run by a worker process of the folder run's pool when there is one."""
    if _pool is None:
        return steps.extract(path)
    document, plan, failed = _pool.submit(steps.parse, path).result()
    if failed and failed[0] == "extract":
        raise failed[1] from steps.WorkerTraceback(failed[2])
    _parsed[document.sha256] = (plan, failed)
    return document


def find(document):
    """steps.find, or the plan the pool's worker found with the extract."""
    plan, failed = _parsed.pop(document.sha256, (None, None))
    if failed:
        raise failed[1] from steps.WorkerTraceback(failed[2])
    return plan if plan is not None else steps.find(document)


TASKS = SimpleNamespace(
    fingerprint=task(steps.fingerprint, name="fingerprint", cache_policy=NO_CACHE,
                     task_run_name="fingerprint {path}"),
    seen=task(steps.seen, name="already-loaded", **_db),
    # parses are cached on disk, not kept in memory: a folder run's memory stays flat in N
    extract=task(extract, name="extract", cache_key_fn=_extract_key,
                 task_run_name="extract {path}", cache_result_in_memory=False),
    find=task(find, name="find-tasks", cache_key_fn=_find_key, cache_result_in_memory=False),
    load=task(steps.load, name="load", **_db),
    record=task(steps.record, name="record-run", **_db),
)


def _stages(force: bool) -> SimpleNamespace:
    if not force:
        return TASKS
    return SimpleNamespace(**{**vars(TASKS), "extract": TASKS.extract.with_options(refresh_cache=True),
                              "find": TASKS.find.with_options(refresh_cache=True)})


def _batch_stages(force: bool) -> SimpleNamespace:
    """A batch's stages: extraction as the cached task (OCR and PDF reading are the cost worth
    keeping), finding the plan and the database stages as plain calls, the latter retried: a
    task run per file and stage cost more than finding the plan again."""
    tasks = _stages(force)
    return SimpleNamespace(fingerprint=steps.fingerprint, seen=retrying(steps.seen), extract=tasks.extract,
                           find=find, load=retrying(steps.load), record=retrying(steps.record))


@task(name="ingest-batch", cache_policy=NO_CACHE, task_run_name="ingest {groups[0][0]} …",
      cache_result_in_memory=False)
def ingest_batch(groups: list[list[str]], db: str, trigger: str, force: bool,
                 sha256s: dict[str, str | None]) -> list[steps.Outcome]:
    """A batch of plans, each plan's copies (steps.copies) one after the other in load order:
    one task run per batch, so Prefect's per-task cost is paid per batch, not per file."""
    return [steps.ingest_file(p, db, trigger=trigger, force=force, stages=_batch_stages(force),
                              sha256=sha256s.get(p)) for group in groups for p in group]


def batches(groups: list[list[str]], n: int) -> list[list[list[str]]]:
    """The groups dealt into at most n batches of about equal size, in order."""
    size = -(-len(groups) // max(1, n))
    return [groups[k:k + size] for k in range(0, len(groups), size)]


@flow(name="ingest-file")
def ingest_file(path: str, db: str | None = None, trigger: str = "flow",
                force: bool = False) -> steps.Outcome:
    """Ingest one file: fingerprint → (already loaded? skip) → extract → find tasks → load."""
    db = steps.database_url(db)
    steps.engine(db)   # connect and migrate once, before any file: a bad URL fails here
    out = steps.ingest_file(path, db, trigger=trigger, force=force, stages=_stages(force))
    get_run_logger().info("%s: %s (%s tasks)%s", path, out.status, out.tasks,
                          f" — {out.error}" if out.error else "")
    return out


@flow(name="ingest-folder", task_runner=task_runner())
def ingest_folder(paths: list[str], db: str | None = None, trigger: str = "flow",
                  force: bool = False, batch_count: int = BATCHES) -> steps.Summary:
    """Ingest files, folders and globs concurrently, in at most `batch_count` task runs;
    bad files are reported, not fatal.

    Returns a Summary: each file's outcome (loaded / new version / unchanged / failed with the
    cause) and the files loaded before from these folders that are no longer there.
    """
    t0 = time.perf_counter()
    db = steps.database_url(db)
    steps.engine(db)
    files = steps.collect(paths)
    context = FlowRunContext.get()
    in_processes = isinstance(context.task_runner, ProcessPoolTaskRunner)
    borrowed = in_processes and not os.environ.get("PREFECT_API_URL")
    if borrowed:
        # Worker processes inherit the environment; without a server URL each one would start
        # a temporary Prefect server of its own (~10 s each): point them at this run's server.
        os.environ["PREFECT_API_URL"] = str(context.client.api_url).rstrip("/")
    try:
        # files are fingerprinted and unchanged ones skipped by plain calls, not task runs:
        # re-ingestion stays cheap, and new files go on with their SHA-256 already known
        checked = {} if force else {f: steps.check_loaded(f, db, trigger) for f in files}
        outcomes = {f: out for f, (_, out) in checked.items() if out}
        todo = [f for f in files if f not in outcomes]
        shas = {f: checked.get(f, (None, None))[0] for f in todo}
        futures = ingest_batch.map(
            batches(steps.copies(todo), batch_count), db=unmapped(db), trigger=unmapped(trigger),
            force=unmapped(force), sha256s=unmapped(shas)) if todo else []
        for future in as_completed(futures):
            for out in future.result():
                outcomes[out.path] = out
                if in_processes:   # listeners live in this process; threads told them already
                    steps.notify(out.path, "done", out)
    finally:
        if borrowed:
            del os.environ["PREFECT_API_URL"]
    summary = steps.Summary([outcomes[f] for f in files], steps.removed(db, paths),
                            run_id=str(context.flow_run.id))
    summary.seconds = time.perf_counter() - t0
    log = get_run_logger()
    log.info("%d files: %s; %d tasks", len(files), summary.counts(), summary.tasks)
    for o in summary.failed:
        log.warning("failed %s: %s", o.path, o.error)
    for p in summary.removed:
        log.warning("removed since last load: %s", p)
    return summary


_heartbeatless: tuple = (None, None)      # (the settings, the same without heartbeats)


def _without_heartbeats():
    """The current Prefect settings with flow-run heartbeats off: nobody watches a temporary
    server's heartbeats, and stopping the heartbeat thread costs up to a second a run (ten
    times an unchanged folder's re-ingest). Built once: building settings takes ~0.1 s."""
    global _heartbeatless
    import prefect.context
    current = prefect.context.get_settings_context()
    if _heartbeatless[0] is not current.settings:
        _heartbeatless = (current.settings, current.settings.copy_with_update(
            updates={settings.PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}))
    return prefect.context.SettingsContext(profile=current.profile, settings=_heartbeatless[1])


def run_folder(paths: list[str], db: str | None = None, *, trigger: str = "flow",
               force: bool = False, workers: int = WORKERS, runner: str | None = None,
               console_log: bool = True) -> steps.Summary:
    """Run ingest_folder with the named task runner (see task_runner) and `workers`.
    console_log=False keeps Prefect's log lines off the console (see quiet)."""
    if not console_log:
        quiet()
    beats = contextlib.nullcontext()
    if not os.environ.get("PREFECT_API_URL"):
        from flows.orphans import die_with_parent
        die_with_parent()   # the temporary server dies with this process, logs to a file
        beats = _without_heartbeats()
    chosen = task_runner(runner, workers, console_log)
    if type(chosen).__name__ == "DaskTaskRunner" and not os.environ.get("PREFECT_API_URL"):
        raise RuntimeError("the Dask task runner needs a Prefect server, or each Dask worker "
                           "starts a temporary one: run `prefect server start` and set "
                           "PREFECT_API_URL=http://HOST:4200/api")
    global _pool
    if isinstance(chosen, ThreadPoolTaskRunner) and workers > 1:
        _pool = steps.parsing_pool(min(workers, os.cpu_count() or 1))
    try:
        with beats:
            return ingest_folder.with_options(task_runner=chosen)(paths, db, trigger, force,
                                                              2 * workers)
    finally:
        if _pool is not None:
            _pool.shutdown(cancel_futures=True)
            _pool = None
            _parsed.clear()
