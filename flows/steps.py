"""The ingest stages as plain functions: fingerprint → (already loaded?) → extract → find → load.

No Prefect here. `ingest_file` runs the stages for one file; it is given the stages to call, so
the in-process path (`PLAIN`) and the Prefect flows (the same functions wrapped as tasks, see
`flows.prefect_flows`) run the same code in the same order. Parsing lives in extractors/ and
pipeline/, the database in store/; this module only sequences them and records outcomes.
"""
from __future__ import annotations

import functools
import glob
import hashlib
import time
import traceback
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

# Outcome.status values: the store's load statuses plus the two this module decides itself.
SKIPPED = "skipped"        # the file's bytes were loaded before: nothing extracted
FAILED = "failed"
STATUSES = ("loaded", "new_version", "new_source", "unchanged", SKIPPED, FAILED)


@dataclass
class Outcome:
    """What happened to one file."""

    path: str
    status: str
    plan: str | None = None        # the plan's label (store.plan_label)
    plan_id: int | None = None
    version: int | None = None
    tasks: int = 0
    error: str | None = None       # one line: the cause
    trace: str | None = None       # the traceback, for --debug
    seconds: float = 0.0
    sha256: str | None = None


@dataclass
class Summary:
    """What a run over several files did."""

    outcomes: list[Outcome] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)   # paths loaded before, now gone
    seconds: float = 0.0
    run_id: str | None = None                           # the Prefect flow run, if any

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATUSES}
        for o in self.outcomes:
            out[o.status] = out.get(o.status, 0) + 1
        return {s: n for s, n in out.items() if n}

    @property
    def tasks(self) -> int:
        return sum(o.tasks for o in self.outcomes)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == FAILED]

    def to_dict(self) -> dict:
        return {"counts": self.counts(), "tasks": self.tasks, "removed": self.removed,
                "seconds": round(self.seconds, 3), "run_id": self.run_id,
                "files": [asdict(o) for o in self.outcomes]}


# -- listeners: progress reporting for whoever runs the stages in this process (the CLI) ----

_listeners: list[Callable[[str, str, Outcome | None], None]] = []


def listen(fn: Callable[[str, str, Outcome | None], None]) -> Callable[[], None]:
    """Call fn(path, stage, outcome) as each file passes each stage; returns an unsubscribe.

    stage is one of "start", "fingerprint", "extract", "find", "load", "done" (outcome set
    only for "done"). Listeners must be quick and thread-safe; their errors are ignored.
    """
    _listeners.append(fn)
    return lambda: _listeners.remove(fn) if fn in _listeners else None


def notify(path: str, stage: str, outcome: Outcome | None = None) -> None:
    for fn in list(_listeners):
        try:
            fn(path, stage, outcome)
        except Exception:   # a broken progress bar must not fail an ingest
            pass


# -- the stages -------------------------------------------------------------------------------

def database_url(db: str | None) -> str:
    """db, a bare file path read as a SQLite file (sqlite:///…), else store.default_url()."""
    import store
    if db and "://" not in db:
        return f"sqlite:///{Path(db).resolve()}"
    return db or store.default_url()


@functools.lru_cache(maxsize=8)
def engine(db: str):
    """One engine per database URL per process (connecting migrates the schema to head)."""
    import store
    return store.connect(db)


def fingerprint(path: str) -> str:
    """SHA-256 of the file's bytes: the identity of a source file."""
    from extractors import sha256_of
    from schemas.document import ExtractionError
    if not Path(path).is_file():
        raise ExtractionError(path, "no such file" if not Path(path).exists() else "not a file")
    return sha256_of(Path(path))


def seen(db: str, sha256: str, path: str | None = None) -> dict | None:
    """The source already loaded from these exact bytes, if any, when the file is to be
    skipped: not when its bytes are an earlier version's and the file was written after the
    current version was loaded (an amendment reverted: see reverted())."""
    import store
    known = store.find_source(engine(db), sha256)
    return None if known and path and reverted(db, known, path) else known


def reverted(db: str, known: dict, path: str) -> bool:
    """Whether a file holding an earlier version's bytes was written after the plan's current
    version was loaded. An old copy lying beside the new one is not a revert."""
    import store
    if known["is_current"]:
        return False
    since = store.current_since(engine(db), known["plan_id"])
    written = datetime.fromtimestamp(Path(path).stat().st_mtime, timezone.utc)
    return since is not None and written > since


def extract(path: str):
    """File → Document (raises ExtractionError)."""
    import extractors
    return extractors.read(path)


def find(document):
    """Document → Plan."""
    import pipeline
    return pipeline.find_plan(document)


def load(db: str, document, plan, trigger: str, started: datetime):
    """Plan → database, in one transaction; returns the store's LoadResult."""
    import store
    return store.load(engine(db), document, plan, trigger=trigger, started=started)


def record(db: str, **run) -> int:
    """Record a run the store's load did not record itself (skipped or failed)."""
    import store
    return store.record_run(engine(db), **run)


PLAIN = SimpleNamespace(fingerprint=fingerprint, seen=seen, extract=extract, find=find,
                        load=load, record=record)


def cause(exc: BaseException) -> str:
    """One line saying what went wrong (the ExtractionError message already names the file)."""
    from schemas.document import ExtractionError
    if isinstance(exc, ExtractionError):
        return exc.cause
    text = " ".join(str(exc).split()) or "(no message)"
    if len(text) > 300:
        text = text[:297] + "..."
    return f"{type(exc).__name__}: {text}"


def skip(path: str, db: str, sha: str, known: dict, trigger: str, started: datetime,
         stages=PLAIN) -> Outcome:
    """Record a file whose bytes were loaded before as skipped, without reading it."""
    stages.record(db, path=str(Path(path).resolve()), sha256=sha, status=SKIPPED,
                  trigger=trigger, started=started,
                  plan_id=known["plan_id"], version_id=known["version_id"],
                  counts={"tasks": known["task_count"]})
    import store
    return Outcome(path, SKIPPED, plan=store.plan_label(known["plan_key"]),
                   plan_id=known["plan_id"], version=known["version"],
                   tasks=known["task_count"], sha256=sha)


def check_loaded(path: str, db: str, trigger: str) -> tuple[str | None, Outcome | None]:
    """(SHA-256, skipped outcome) by plain calls, no Prefect task runs: the outcome is set
    when the bytes were loaded before. (None, None) when checking failed: the file's own
    ingest then reports why."""
    started, t0 = datetime.now(timezone.utc), time.perf_counter()
    try:
        sha = fingerprint(path)
        known = seen(db, sha, path)
        if not known:
            return sha, None
        notify(path, "start")
        out = skip(path, db, sha, known, trigger, started)
    except Exception:  # noqa: BLE001 — the file's own ingest reports the cause
        return None, None
    out.seconds = time.perf_counter() - t0
    notify(path, "done", out)
    return sha, out


def ingest_file(path: str, db: str, *, trigger: str = "cli", force: bool = False,
                stages=PLAIN, sha256: str | None = None) -> Outcome:
    """Run the stages for one file and record the outcome; never raises for a bad file.

    A file whose bytes were loaded before is recorded as skipped without being read
    (unless force). Any exception becomes a failed outcome recorded in the runs table.
    `sha256`: the file was fingerprinted and found new already (check_loaded); the store
    still reports "unchanged" if another process loaded the same bytes meanwhile.
    """
    path = str(path)
    stored = str(Path(path).resolve())   # the database keeps absolute paths, whatever the cwd
    started = datetime.now(timezone.utc)
    t0 = time.perf_counter()
    sha, stage = None, "fingerprint"
    notify(path, "start")
    try:
        sha = sha256 or stages.fingerprint(path)
        notify(path, "fingerprint")
        known = None if force or sha256 else stages.seen(db, sha, path)
        if known:
            out = skip(path, db, sha, known, trigger, started, stages)
        else:
            stage = "extract"
            # A parse cached by Prefect may come from a copy of these bytes under another
            # name: the file's identity is this path, whatever the cache returned.
            document = replace(stages.extract(path), path=stored)
            notify(path, "extract")
            stage = "find"
            plan = replace(stages.find(document), document=document.name)
            notify(path, "find")
            stage = "load"
            res = stages.load(db, document, plan, trigger, started)
            notify(path, "load")
            import store
            out = Outcome(path, res.status, plan=store.plan_label(res.plan_key, plan.meta.number),
                          plan_id=res.plan_id,
                          version=res.version, tasks=res.tasks, sha256=sha)
    except Exception as exc:  # noqa: BLE001 — every failure is reported, the run goes on
        out = Outcome(path, FAILED, error=cause(exc), trace=traceback.format_exc(), sha256=sha)
        if stage != "load":   # store.load records its own failures
            try:
                stages.record(db, path=stored, sha256=sha, status=FAILED, trigger=trigger,
                              started=started, error=f"{stage}: {out.error}")
            except Exception:  # the database itself is failing; the outcome still says why
                pass
    out.seconds = time.perf_counter() - t0
    notify(path, "done", out)
    return out


def collect(inputs: list[str]) -> list[str]:
    """Files named by paths, folders (searched recursively for plan files) and globs.

    A name that matches nothing is kept, so that it is reported as a failed file.
    """
    from extractors import SUFFIXES
    out: list[str] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir():
            out += sorted(str(f) for f in p.rglob("*")
                          if f.is_file() and f.suffix.lower() in SUFFIXES
                          and not any(part.startswith(".") for part in f.relative_to(p).parts))
        elif p.exists() or not glob.has_magic(item):
            out.append(str(p))
        else:
            out += sorted(f for f in glob.glob(item, recursive=True) if Path(f).is_file()) or [item]
    seen_paths: set[str] = set()
    return [f for f in out if not (f in seen_paths or seen_paths.add(f))]


LOAD_ORDER = (".docx", ".md", ".txt", ".odt", ".doc", ".pdf")   # a PDF may be a scan: last


def copies(files: list[str]) -> list[list[str]]:
    """Files grouped by name (the copies of one plan in several formats or folders), each
    group in a fixed order, text-layer formats first, then by path: copies of a plan load one
    after the other in the same order on every run, whatever the concurrency."""
    groups: dict[str, list[str]] = {}
    for f in files:
        groups.setdefault(Path(f).stem, []).append(f)
    rank = {s: k for k, s in enumerate(LOAD_ORDER)}
    return [sorted(g, key=lambda f: (rank.get(Path(f).suffix.lower(), 0), f))
            for g in groups.values()]


def ingest_files(paths: list[str], db: str, *, trigger: str = "cli", force: bool = False,
                 workers: int = 1) -> Summary:
    """The in-process path, no Prefect: files are parsed (extract → find) by `workers`
    processes and loaded by this one, the only writer, each file in turn in load order
    (copies of a plan one after the other, see copies()). With one worker, or one file to
    parse, everything runs in this process. The outcomes are the same whatever `workers`."""
    t0 = time.perf_counter()
    order = [p for group in copies(paths) for p in group]
    shas = {} if force else {p: _quiet_fingerprint(p) for p in order}
    todo = [p for p in order if force or (shas[p] and not seen(db, shas[p], p))]
    if workers > 1 and len(todo) > 1:
        with Parsing(todo, workers) as parsed:
            stages = SimpleNamespace(**{**vars(PLAIN), "extract": parsed.extract,
                                        "find": parsed.find,
                                        "fingerprint": lambda p: shas.get(p) or fingerprint(p)})
            done = {p: ingest_file(p, db, trigger=trigger, force=force, stages=stages)
                    for p in order}
    else:
        done = {p: ingest_file(p, db, trigger=trigger, force=force) for p in order}
    summary = Summary([done[p] for p in paths])
    summary.seconds = time.perf_counter() - t0
    return summary


def _quiet_fingerprint(path: str) -> str | None:
    """The SHA-256, or None when the file cannot be read (its ingest then reports why)."""
    try:
        return fingerprint(path)
    except Exception:  # noqa: BLE001
        return None


def parse(path: str):
    """extract → find, in a worker process: (document, plan, None), or what was parsed and
    (stage, exception, traceback) for the stage that failed."""
    document, stage = None, "extract"
    try:
        document = replace(extract(path), path=str(Path(path).resolve()))   # as ingest_file
        stage = "find"
        return document, find(document), None
    except Exception as exc:  # noqa: BLE001 — re-raised by Parsing in the loading process
        import pickle
        try:
            pickle.dumps(exc)
        except Exception:  # noqa: BLE001
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        return document, None, (stage, exc, traceback.format_exc())


def parsing_pool(workers: int):
    """Processes that parse (see parse). forkserver: workers fork from a clean server that
    imported the parsers once, not from this process (its database connections and threads
    stay its own)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["flows.steps", "extractors", "pipeline"])
    return ProcessPoolExecutor(workers, mp_context=context)


class WorkerTraceback(Exception):
    """Where a parse failed in a worker process (shown under --debug)."""


class Parsing:
    """Files parsed by a process pool, a bounded number ahead of the loading process, in
    the order they will be loaded: memory holds a few parses, whatever the folder's size.
    `extract(path)` and `find(document)` hand back the results as the stages would (raising
    the worker's exception); a file not submitted is parsed here."""

    def __init__(self, paths: list[str], workers: int):
        self.queue, self.workers, self.futures = list(paths), workers, {}
        self.pool = None

    def __enter__(self):
        self.pool = parsing_pool(self.workers)
        self._submit()
        return self

    def __exit__(self, *exc):
        self.pool.shutdown(cancel_futures=True)

    def _submit(self) -> None:
        while self.queue and len(self.futures) < 2 * self.workers:
            path = self.queue.pop(0)
            self.futures[path] = self.pool.submit(parse, path)

    def extract(self, path: str):
        if path not in self.futures:
            if path in self.queue:          # loaded out of turn: parse it now, here
                self.queue.remove(path)
            self.result = parse(path)
        else:
            self.result = self.futures.pop(path).result()
            self._submit()
        document, _, failed = self.result
        if failed and failed[0] == "extract":
            raise failed[1] from WorkerTraceback(failed[2])
        return document

    def find(self, document):
        _, plan, failed = self.result
        if failed:
            raise failed[1] from WorkerTraceback(failed[2])
        return plan


def removed(db: str, inputs: list[str]) -> list[str]:
    """Files loaded before from the given folders that are no longer there (reported only:
    their plans stay in the database)."""
    folders = [Path(p).resolve() for p in inputs if Path(p).is_dir()]
    if not folders:
        return []
    import store
    paths = store.loaded_paths(engine(db))
    return [p for p in paths
            if any(Path(p).resolve().is_relative_to(f) for f in folders) and not Path(p).exists()]


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of the extractor and pipeline code and data files: part of every cache key, so
    a parse cached by Prefect is reused only while the code that produced it is unchanged."""
    import extractors
    import pipeline
    h = hashlib.sha256()
    for pkg in (extractors, pipeline):
        root = Path(pkg.__file__).parent
        for f in sorted(root.rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts:
                h.update(str(f.relative_to(root)).encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:16]
