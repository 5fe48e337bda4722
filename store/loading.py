"""Loading plans: each extracted file in one transaction, as a new plan, a new version or
one more source of the current version; every attempt recorded as an ingestion_run.

A failed load leaves the database as it was and is recorded as a failed ingestion_run.
"""
from __future__ import annotations

import getpass
import random
import socket
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, OperationalError

from schemas.document import Document
from schemas.plan import AGENCY_SCOPES, DEADLINE_KINDS, AgencyProfile, Plan, PlanMeta, Task
from store.changes import TaskChange, compare, match, same_up_to_noise
from store.connection import write_transaction
from store.corrections import repoint
from store.db_tables import (BLOCKS, PARTS, Agency, AgencyAlias, DeadlineRow, IngestionRun,
                             PlanRow, PlanVersion, Section, SourceFile, TaskAgency, TaskChangeRow,
                             TaskLocation, TaskRow)
from store.identity import content_hash, fold, plan_key
from store.reading import read_tasks

ATTEMPTS = 6              # a load retried on "database is locked", deadlocks, racing inserts


@dataclass
class LoadResult:
    """What load() did. status: "loaded" (a new plan), "new_version" (the plan's tasks
    changed: `changes` lists the differences), "new_source" (same tasks from another file or
    format) or "unchanged" (these bytes were loaded before)."""

    status: str
    plan_id: int
    plan_key: str
    version: int
    tasks: int
    changes: list[TaskChange] = field(default_factory=list)
    run_id: int | None = None



def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso_date(value: str | None, what: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} {value!r} is not an ISO date (YYYY-MM-DD)") from None


def _insert_ignore(conn: Connection, model, columns: list[str]):
    """INSERT … ON CONFLICT (columns) DO NOTHING: safe when another process inserts the same
    row at the same time."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(model).on_conflict_do_nothing(index_elements=columns)


# --- runs ----------------------------------------------------------------------------------

def _run_row(*, path, sha256, status, trigger, error=None, counts=None, started=None,
             plan_id=None, version_id=None, outcome=None) -> dict:
    started = started or _now()
    finished = _now()
    if started.tzinfo is None:
        started = started.astimezone(timezone.utc)
    try:
        who = f"{getpass.getuser()}@{socket.gethostname()}"
    except Exception:
        who = socket.gethostname()
    return dict(started_at=started, finished_at=finished,
                duration_s=max(0.0, (finished - started).total_seconds()), trigger=trigger,
                triggered_by=who, path=str(path), sha256=sha256, status=status,
                outcome=outcome, error=error, counts=counts, plan_id=plan_id,
                version_id=version_id)


def _insert_run(conn: Connection, **kw) -> int:
    row = _run_row(**kw)
    return conn.execute(insert(IngestionRun).returning(IngestionRun.id), row).scalar_one()


def record_run(engine: Engine, *, path, sha256, status, trigger, error=None, counts=None,
               started=None, plan_id=None, version_id=None) -> int:
    """Record an ingestion_run in its own transaction (status ok/skipped/failed); for runs that
    never reach load(), e.g. a skipped file or a failed extraction. Returns the run id."""
    with write_transaction(engine) as conn:
        return _insert_run(conn, path=path, sha256=sha256, status=status, trigger=trigger,
                           error=error, counts=counts, started=started, plan_id=plan_id,
                           version_id=version_id)


# --- loading -------------------------------------------------------------------------------

def _source_query():
    return (select(SourceFile.path, SourceFile.sha256, SourceFile.format, SourceFile.loaded_at,
                   PlanVersion.id.label("version_id"), PlanVersion.version,
                   PlanVersion.is_current, PlanVersion.task_count, PlanRow.id.label("plan_id"),
                   PlanRow.key.label("plan_key"))
            .join(PlanVersion, PlanVersion.id == SourceFile.version_id)
            .join(PlanRow, PlanRow.id == PlanVersion.plan_id))


def find_source(engine: Engine, sha256: str) -> dict | None:
    """The loaded file with these bytes (path, sha256, format, loaded_at, plan_id, plan_key,
    version_id, version, is_current, task_count), or None: a cheap check before extracting."""
    with engine.connect() as conn:
        row = conn.execute(_source_query().where(SourceFile.sha256 == sha256)).first()
    return dict(row._mapping) if row else None


def current_since(engine: Engine, plan_id: int) -> datetime | None:
    """When the plan's current version became current (UTC)."""
    with engine.connect() as conn:
        since = conn.execute(select(PlanVersion.valid_from).where(
            PlanVersion.plan_id == plan_id, PlanVersion.is_current)).scalar()
    return since.replace(tzinfo=timezone.utc) if since and since.tzinfo is None else since


def _transient(exc: Exception) -> bool:
    if getattr(exc, "connection_invalidated", False):   # connection lost: a new one may do
        return True
    msg = str(exc).lower()
    if isinstance(exc, IntegrityError):   # a racing insert of the same row: retry sees it
        return "unique" in msg or getattr(exc.orig, "sqlstate", None) == "23505"
    code = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return "database is locked" in msg or "deadlock" in msg or code in ("40P01", "40001")


def load(engine: Engine, document: Document, plan: Plan, *, trigger: str = "cli",
         started: datetime | None = None) -> LoadResult:
    """Load one extracted file in one transaction: identify the plan, compare with its
    current version, write, record the ingestion_run.

    Same bytes as a loaded file → "unchanged" (run "skipped"). Same tasks as the current
    version → "new_source" (one more source file). Different tasks → "new_version": the new
    version becomes current, the old one is kept, task_change rows are written. On any error
    the transaction rolls back, a "failed" run is recorded with the cause, and the exception
    is re-raised. Retries on SQLite "database is locked", PostgreSQL deadlocks and a lost
    connection (the load is then redone from the start on a new connection).
    """
    started = started or _now()
    for attempt in range(ATTEMPTS):
        try:
            with write_transaction(engine) as conn:
                return _load(conn, document, plan, trigger, started)
        except (OperationalError, IntegrityError) as exc:
            if attempt + 1 < ATTEMPTS and _transient(exc):
                time.sleep(random.uniform(0.05, 0.2) * 2 ** attempt)
                continue
            _record_failure(engine, document, trigger, started, exc)
            raise
        except Exception as exc:
            _record_failure(engine, document, trigger, started, exc)
            raise
    raise AssertionError("unreachable")


def _cause(exc: Exception) -> str:
    """The error for ingestion_run: the driver's message, not SQLAlchemy's parameter dump."""
    inner = getattr(exc, "orig", None) or exc
    return f"{type(inner).__name__}: {inner}"[:2000]


def _record_failure(engine, document, trigger, started, exc: Exception) -> None:
    try:
        run_id = record_run(engine, path=document.path, sha256=document.sha256,
                            status="failed", trigger=trigger, started=started,
                            error=_cause(exc))
        exc.add_note(f"recorded as failed ingestion_run {run_id}")
    except Exception as again:   # the database itself is gone: the original error matters
        exc.add_note(f"the failed run could not be recorded: {again}")


def check(plan: Plan) -> None:
    """Raise ValueError naming the values the schema would reject: part, block or deadline
    kind outside the CHECK lists, dates that are not ISO, strings longer than their column
    (PostgreSQL enforces lengths, SQLite does not: checking here keeps both alike)."""
    problems = []

    def fits(value, column, where):
        if value is not None and len(value) > column.type.length:
            problems.append(f"{where}: {column.name} longer than {column.type.length} "
                            f"characters: {value[:60]!r}…")

    for name in ("province", "number", "issued", "signer"):
        fits(getattr(plan.meta, name), getattr(PlanVersion, name), "plan")
    fits(plan.document, PlanVersion.document, "plan")
    for t in plan.tasks:
        where = f"task {t.code or '(no code)'}"
        fits(t.code, TaskRow.code, where)
        for name in t.lead + t.support:
            fits(name, Agency.name, where)
        if t.part not in PARTS:
            problems.append(f"{where}: part {t.part!r} is not one of {', '.join(PARTS)}")
        if t.block not in BLOCKS:
            problems.append(f"{where}: block {t.block!r} is not one of {', '.join(BLOCKS)}")
        for d in t.deadlines:
            if d.kind not in DEADLINE_KINDS:
                problems.append(f"{where}: deadline kind {d.kind!r} is not one of "
                                f"{', '.join(DEADLINE_KINDS)}")
            fits(d.value, DeadlineRow.value, where)
            fits(d.recurrence, DeadlineRow.recurrence, where)
            for name in ("due", "start"):
                try:
                    _iso_date(getattr(d, name), f"{where}: deadline {name}")
                except ValueError as exc:
                    problems.append(str(exc))
    for name, profile in plan.agencies.items():
        fits(profile.kind, Agency.kind, f"agency {name}")
        if profile.scope not in AGENCY_SCOPES:
            problems.append(f"agency {name}: scope {profile.scope!r} is not one of "
                            f"{', '.join(AGENCY_SCOPES)}")
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise ValueError(f"plan {plan.document}: " + "; ".join(problems[:5]) + more)


def _load(conn: Connection, document: Document, plan: Plan, trigger: str,
          started: datetime) -> LoadResult:
    known = conn.execute(_source_query().where(SourceFile.sha256 == document.sha256)).first()
    if known and not known.is_current:
        # an earlier version's bytes again (an amendment reverted): the file's source row
        # moves to what its content makes current below (a new version, or the current one)
        conn.execute(SourceFile.__table__.delete().where(SourceFile.sha256 == document.sha256))
    elif known:
        run_id = _insert_run(conn, path=document.path, sha256=document.sha256,
                             status="skipped", outcome="unchanged", trigger=trigger,
                             started=started, plan_id=known.plan_id,
                             version_id=known.version_id, counts={"tasks": known.task_count})
        return LoadResult("unchanged", known.plan_id, known.plan_key, known.version,
                          known.task_count, [], run_id)

    check(plan)
    key = plan_key(plan.meta, plan.document)
    plan_id = _plan_id(conn, key, plan.meta)
    current = conn.execute(select(PlanVersion).where(PlanVersion.plan_id == plan_id,
                                                     PlanVersion.is_current)).one_or_none()
    digest, now, changes = content_hash(plan.tasks), _now(), []
    same = current if current is not None and current.content_hash == digest else \
        _ocr_copy_of(conn, document, plan, plan_id)
    if current is None:
        status, number = "loaded", 1
    elif same is not None:
        status, number = "new_source", same.version
    else:
        status, number = "new_version", current.version + 1
        conn.execute(update(PlanVersion).where(PlanVersion.id == current.id)
                     .values(is_current=False, valid_to=now))
    if status == "new_source":
        version_id = same.id
        task_ids = [i for i, _ in read_tasks(conn, same.id)]   # same tasks, same order
    else:
        version_id, task_ids = _write_version(conn, plan_id, number, plan, digest, now)
    if status == "new_version":
        old = read_tasks(conn, current.id)
        pairs = match([t for _, t in old], plan.tasks)
        changes = compare([t for _, t in old], plan.tasks, pairs)
        _write_changes(conn, plan_id, current.id, version_id, changes,
                       [i for i, _ in old], task_ids)
        repoint(conn, plan_id, [i for i, _ in old], task_ids, plan.tasks, pairs)
    source_id = conn.execute(insert(SourceFile).returning(SourceFile.id), dict(
        version_id=version_id, path=str(document.path), name=document.name,
        sha256=document.sha256, format=document.format, pages=document.pages,
        extractor=document.extractor or "", ocr=bool(document.ocr), loaded_at=now)).scalar_one()
    _write_locations(conn, source_id, task_ids, plan.tasks)
    counts = {"tasks": len(plan.tasks), "changes": len(changes),
              "agencies": len({a for t in plan.tasks for a in t.lead + t.support}),
              "deadlines": sum(len(t.deadlines) for t in plan.tasks)}
    run_id = _insert_run(conn, path=document.path, sha256=document.sha256, status="ok",
                         outcome=status, trigger=trigger, started=started, plan_id=plan_id,
                         version_id=version_id, counts=counts)
    return LoadResult(status, plan_id, key, number, len(plan.tasks), changes, run_id)


def _write_locations(conn: Connection, source_id: int, task_ids: list[int],
                     tasks: list[Task]) -> None:
    """Where each task is in this source file (page, box, block, row)."""
    rows = [dict(task_id=tid, source_id=source_id, page=t.page, block_index=t.block_index,
                 row=t.row, **dict(zip(("x0", "top", "x1", "bottom"), t.bbox or (None,) * 4)))
            for tid, t in zip(task_ids, tasks)]
    if rows:
        conn.execute(insert(TaskLocation), rows)


def _ocr_copy_of(conn: Connection, document: Document, plan: Plan, plan_id: int):
    """The version (newest first) an OCR read says up to OCR noise, or None: a scan is one
    more source of that version, never a version of its own by order alone."""
    if not document.ocr:
        return None
    for v in conn.execute(select(PlanVersion).where(PlanVersion.plan_id == plan_id)
                          .order_by(PlanVersion.version.desc())):
        if same_up_to_noise([t for _, t in read_tasks(conn, v.id)], plan.tasks):
            return v
    return None


def _plan_id(conn: Connection, key: str, meta: PlanMeta) -> int:
    """The plan with this key, created if new, locked until commit (PostgreSQL)."""
    conn.execute(_insert_ignore(conn, PlanRow, ["key"]),
                 dict(key=key, province=meta.province, number=meta.number, created_at=_now()))
    return conn.execute(select(PlanRow.id).where(PlanRow.key == key).with_for_update()).scalar_one()


def _write_version(conn: Connection, plan_id: int, number: int, plan: Plan, digest: str,
                   now: datetime) -> tuple[int, list[int]]:
    """Insert a current plan_version with its sections, tasks, agencies and deadlines;
    returns the version id and the task ids in order."""
    m = plan.meta
    version_id = conn.execute(insert(PlanVersion).returning(PlanVersion.id), dict(
        plan_id=plan_id, version=number, document=plan.document, province=m.province,
        number=m.number, issued=m.issued, title=m.title, signer=m.signer,
        content_hash=digest, task_count=len(plan.tasks), valid_from=now, valid_to=None,
        is_current=True)).scalar_one()
    if not plan.tasks:
        return version_id, []
    section_of = _write_sections(conn, version_id, plan.tasks)
    rows = [dict(version_id=version_id, section_id=section_of[i], position=i, part=t.part,
                 code=t.code, group_name=t.group, text=t.text, result=t.result, page=t.page,
                 block=t.block) for i, t in enumerate(plan.tasks)]
    task_ids = list(conn.execute(
        insert(TaskRow).returning(TaskRow.id, sort_by_parameter_order=True), rows).scalars())
    agency_ids = _agency_ids(conn, plan)
    links = [dict(task_id=tid, role=role, position=k, agency_id=agency_ids[name])
             for tid, t in zip(task_ids, plan.tasks)
             for role, names in (("lead", t.lead), ("support", t.support))
             for k, name in enumerate(names)]
    if links:
        conn.execute(insert(TaskAgency), links)
    deadlines = [dict(task_id=tid, position=k, raw=d.raw, kind=d.kind, value=d.value,
                      due=_iso_date(d.due, f"task {t.code}: deadline due"),
                      start=_iso_date(d.start, f"task {t.code}: deadline start"),
                      recurrence=d.recurrence, anchor=d.anchor)
                 for tid, t in zip(task_ids, plan.tasks) for k, d in enumerate(t.deadlines)]
    if deadlines:
        conn.execute(insert(DeadlineRow), deadlines)
    return version_id, task_ids


def agency_row(name: str, plan: Plan) -> dict:
    """The agency row a plan's name stands for: the body within its scope, as the pipeline
    described it (Plan.agencies; a name it did not describe is a provincial body of kind
    "other"). Central bodies have province ''; every other scope the plan's province."""
    profile = plan.agencies.get(name) or AgencyProfile()
    province = "" if profile.scope == "central" else (plan.meta.province or "")
    return dict(name=name, province=province, kind=profile.kind, scope=profile.scope,
                name_key=fold(name))


def _agency_ids(conn: Connection, plan: Plan) -> dict[str, int]:
    """Ids of the plan's agencies (canonical name → id), inserting new ones and their
    aliases; a body already stored (another plan, an earlier version) keeps its row. Rows go
    in sorted order so concurrent loads cannot deadlock."""
    names = sorted({n for t in plan.tasks for n in t.lead + t.support})
    if not names:
        return {}
    rows = sorted((agency_row(n, plan) for n in names), key=lambda r: (r["name"], r["province"]))
    conn.execute(_insert_ignore(conn, Agency, ["name", "province"]), rows)
    scope = {r["name"]: r["province"] for r in rows}
    found = conn.execute(select(Agency.id, Agency.name, Agency.province)
                         .where(Agency.name.in_(names))).all()
    ids = {name: id_ for id_, name, prov in found if scope[name] == prov}
    limit = AgencyAlias.alias.type.length
    aliases = sorted({(ids[n], a) for n in names for a in [n, *plan.aliases.get(n, [])]
                      if a and len(a) <= limit})
    conn.execute(_insert_ignore(conn, AgencyAlias, ["agency_id", "alias"]),
                 [dict(agency_id=i, alias=a, alias_key=fold(a)) for i, a in aliases])
    return ids


def sections(tasks: list[Task]) -> tuple[list[dict], list[int | None]]:
    """The enumeration tree derived from codes and groups.

    Returns rows (position, part, code, title, parent: position or None) and, per task, the
    position of its section (its deepest code prefix, else its group's row). A group titles
    the code prefix its tasks share; a group with no shared prefix gets a row of its own.
    """
    rows: dict[tuple, dict] = {}

    def add(key, part, code, title, parent):
        if key not in rows:
            rows[key] = dict(position=len(rows), part=part, code=code, title=title,
                             parent=rows[parent]["position"] if parent else None)
        return rows[key]

    prefixes = []
    for t in tasks:
        parts = t.code.split(".")[:-1]
        keys = [(t.part, ".".join(parts[:n])) for n in range(1, len(parts) + 1)]
        for n, k in enumerate(keys):
            add(k, t.part, k[1], None, keys[n - 1] if n else None)
        prefixes.append(parts)
    groups: dict[tuple, list[int]] = {}
    for i, t in enumerate(tasks):
        if t.group:
            groups.setdefault((t.part, t.group), []).append(i)
    group_row = {}
    for (part, title), members in groups.items():
        common = prefixes[members[0]]
        for i in members[1:]:
            n = 0
            while n < min(len(common), len(prefixes[i])) and common[n] == prefixes[i][n]:
                n += 1
            common = common[:n]
        key = (part, ".".join(common))
        if common and rows[key]["title"] in (None, title):
            rows[key]["title"] = title
        else:
            group_row[(part, title)] = add(("group", part, title), part, None, title,
                                           key if common else None)
    of_task = []
    for i, t in enumerate(tasks):
        if prefixes[i]:
            of_task.append(rows[(t.part, ".".join(prefixes[i]))]["position"])
        else:
            row = group_row.get((t.part, t.group))
            of_task.append(row["position"] if row else None)
    return list(rows.values()), of_task


def _write_sections(conn: Connection, version_id: int, tasks: list[Task]) -> list[int | None]:
    rows, of_task = sections(tasks)
    ids: list[int] = []
    for r in rows:
        parent = ids[r["parent"]] if r["parent"] is not None else None
        ids.append(conn.execute(insert(Section).returning(Section.id), dict(
            version_id=version_id, parent_id=parent, position=r["position"], part=r["part"],
            code=r["code"], title=r["title"])).scalar_one())
    return [ids[p] if p is not None else None for p in of_task]


def _write_changes(conn, plan_id, old_version_id, new_version_id, changes, old_ids, new_ids):
    if changes:
        conn.execute(insert(TaskChangeRow), [dict(
            plan_id=plan_id, old_version_id=old_version_id, new_version_id=new_version_id,
            position=k, kind=c.kind, code=c.code, text=c.text, details=c.fields or None,
            old_task_id=old_ids[c.old_index] if c.old_index is not None else None,
            new_task_id=new_ids[c.new_index] if c.new_index is not None else None)
            for k, c in enumerate(changes)])

