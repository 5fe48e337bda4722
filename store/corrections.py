"""Corrections: an analyst's fixes, kept as a layer over what was extracted.

A correction changes one field of a task (lead, support, deadlines, text), deletes a task,
adds a missed one, or marks a plan reviewed. Each is one `correction` row (who, when, why);
what was extracted stays untouched and the corrections are applied on reading. A task
correction points at its task in the current version; loading a new version re-points it by
the matching of versions (store/changes.py), or leaves it unmatched (reported, never
dropped). Every write is one transaction: a bad value leaves nothing written.
"""
from __future__ import annotations

import unicodedata
from dataclasses import asdict
from datetime import date, datetime, timezone

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.engine import Connection

from schemas.plan import DEADLINE_KINDS, Task
from store.changes import match
from store.connection import write_transaction
from store.db_tables import PARTS, Agency, Correction, PlanVersion, TaskRow

TASK_FIELDS = ("lead", "support", "deadlines", "text")
DEADLINE_KEYS = ("raw", "kind", "value", "due", "start", "recurrence", "anchor")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _names(value, field: str) -> list[str]:
    if isinstance(value, str):
        value = value.replace(";", "\n").splitlines()
    out: list[str] = []
    for name in value or []:
        name = unicodedata.normalize("NFC", " ".join(str(name).split()))
        if len(name) > Agency.name.type.length:
            raise ValueError(f"{field}: agency name longer than {Agency.name.type.length} "
                             f"characters: {name[:60]!r}…")
        if name and name not in out:
            out.append(name)
    return out


def _deadlines(value) -> list[dict]:
    out = []
    for d in value or []:
        d = {k: (d.get(k) or None) for k in DEADLINE_KEYS}
        if d["kind"] not in DEADLINE_KINDS:
            raise ValueError(f"deadlines: kind {d['kind']!r} is not one of {', '.join(DEADLINE_KINDS)}")
        for key in ("due", "start"):
            if d[key] is not None:
                try:
                    date.fromisoformat(d[key])
                except (TypeError, ValueError):
                    raise ValueError(f"deadlines: {key} {d[key]!r} is not an ISO date "
                                     "(YYYY-MM-DD)") from None
        d["raw"] = d["raw"] or ""
        out.append(d)
    return out


def _text(value) -> str:
    text = unicodedata.normalize("NFC", " ".join(str(value or "").split()))
    if not text:
        raise ValueError("text: a task's text cannot be empty (delete the task instead)")
    return text


def clean_value(field: str, value):
    """The stored form of a corrected value; ValueError naming the field when it is bad."""
    if field in ("lead", "support"):
        return _names(value, field)
    if field == "deadlines":
        return _deadlines(value)
    if field == "text":
        return _text(value)
    if field == "delete":
        return bool(value)
    raise ValueError(f"unknown field {field!r}; correct one of {', '.join(TASK_FIELDS)} or delete")


def extracted(task: Task, field: str):
    """A task's value of `field` as the §5 record has it."""
    if field == "deadlines":
        return [asdict(d) for d in task.deadlines]
    if field == "delete":
        return False
    return list(getattr(task, field)) if field in ("lead", "support") else getattr(task, field)


def _current_version(conn: Connection, plan_id: int):
    v = conn.execute(select(PlanVersion).where(PlanVersion.plan_id == plan_id,
                                               PlanVersion.is_current)).one_or_none()
    if v is None:
        raise LookupError(f"no plan with id {plan_id}")
    return v


def _supersede(conn: Connection, plan_id: int, field: str, task_id: int | None) -> None:
    q = update(Correction).where(Correction.plan_id == plan_id, Correction.field == field,
                                 Correction.status == "active")
    q = q.where(Correction.task_id == task_id) if task_id is not None else q
    conn.execute(q.values(status="superseded"))


def _insert(conn: Connection, **row) -> int:
    return conn.execute(insert(Correction).returning(Correction.id),
                        dict(created_at=_now(), status="active", **row)).scalar_one()


def correct(engine: Engine, task_id: int, changes: dict, *, author: str,
            reason: str | None = None) -> list[int]:
    """Correct a task of a current version: changes maps lead / support (names, a list or
    one string of lines or "; "-separated), deadlines (§5 deadline dicts), text, delete
    (True: the task is wrong; False: restore it) to the new value. A value equal to the one
    shown now is no change; a field's newer correction supersedes its older one. One
    transaction: a bad value (ValueError) leaves nothing written. Returns the new ids."""
    from store.reading import read_task
    with write_transaction(engine) as conn:
        row = conn.execute(select(TaskRow.id, PlanVersion.plan_id, PlanVersion.version,
                                  PlanVersion.is_current)
                           .join(PlanVersion, PlanVersion.id == TaskRow.version_id)
                           .where(TaskRow.id == task_id)).one_or_none()
        if row is None:
            raise LookupError(f"no task with id {task_id}")
        if not row.is_current:
            raise ValueError(f"task {task_id} belongs to an old version; correct the current one")
        task = read_task(conn, task_id)
        shown = {c["field"]: c["new"] for c in active(conn, [row.plan_id]) if c["task_id"] == task_id}
        ids = []
        for field, value in changes.items():
            value = clean_value(field, value)
            if value == clean_value(field, shown.get(field, extracted(task, field))):
                continue
            _supersede(conn, row.plan_id, field, task_id)
            ids.append(_insert(conn, plan_id=row.plan_id, task_id=task_id, task_code=task.code,
                               task_text=task.text, version=row.version, field=field,
                               old_value=extracted(task, field) if field in TASK_FIELDS else None,
                               new_value=value, author=author, reason=reason))
        return ids


def add_task(engine: Engine, plan_id: int, record: dict, *, author: str,
             reason: str | None = None) -> int:
    """Add a task the extraction missed to the plan: record holds its §5 fields (text
    required; part, code, group, result, lead, support, deadlines optional)."""
    part = record.get("part") or "tasks"
    if part not in PARTS:
        raise ValueError(f"part {part!r} is not one of {', '.join(PARTS)}")
    task = {"part": part, "code": str(record.get("code") or "").strip()[:100],
            "group": record.get("group") or None, "text": _text(record.get("text")),
            "result": record.get("result") or None,
            "lead": _names(record.get("lead"), "lead"),
            "support": _names(record.get("support"), "support"),
            "deadlines": _deadlines(record.get("deadlines"))}
    with write_transaction(engine) as conn:
        v = _current_version(conn, plan_id)
        return _insert(conn, plan_id=plan_id, task_id=None, task_code=task["code"],
                       task_text=task["text"], version=v.version, field="add", old_value=None,
                       new_value=task, author=author, reason=reason)


def mark_reviewed(engine: Engine, plan_id: int, *, author: str, reason: str | None = None) -> int:
    """Record that an analyst checked the plan's current version."""
    with write_transaction(engine) as conn:
        v = _current_version(conn, plan_id)
        _supersede(conn, plan_id, "reviewed", None)
        return _insert(conn, plan_id=plan_id, task_id=None, task_code=None, task_text=None,
                       version=v.version, field="reviewed", old_value=None,
                       new_value=v.version, author=author, reason=reason)


def repoint(conn: Connection, plan_id: int, old_ids: list[int], new_ids: list[int],
            new_tasks: list[Task], pairs: dict[int, int]) -> None:
    """After a new version is written: each task correction follows its task by the
    version matching (`pairs`, old index → new index), or becomes unmatched (task_id NULL);
    corrections unmatched before are matched again by their anchor (code and text)."""
    position = {tid: i for i, tid in enumerate(old_ids)}
    rows = conn.execute(select(Correction.id, Correction.task_id, Correction.task_code,
                               Correction.task_text)
                        .where(Correction.plan_id == plan_id,
                               Correction.field.in_(TASK_FIELDS + ("delete",)))).all()
    lost = []
    for r in rows:
        if r.task_id is None:
            lost.append(r)
            continue
        i = position.get(r.task_id)
        target = new_ids[pairs[i]] if i is not None and i in pairs else None
        conn.execute(update(Correction).where(Correction.id == r.id).values(task_id=target))
    if lost:
        anchors = [Task(part="tasks", code=r.task_code or "", text=r.task_text or "") for r in lost]
        for i, j in match(anchors, new_tasks).items():
            conn.execute(update(Correction).where(Correction.id == lost[i].id)
                         .values(task_id=new_ids[j]))


def as_dict(c) -> dict:
    """A correction row as the store's functions return it."""
    return {"id": c.id, "plan_id": c.plan_id, "task_id": c.task_id, "code": c.task_code,
            "text": c.task_text, "version": c.version, "field": c.field, "old": c.old_value,
            "new": c.new_value, "author": c.author, "created_at": c.created_at,
            "reason": c.reason, "status": c.status,
            "matched": c.field in ("add", "reviewed") or c.task_id is not None}


def active(conn: Connection, plan_ids: list[int]) -> list[dict]:
    """The active corrections of these plans, oldest first."""
    if not plan_ids:
        return []
    return [as_dict(c) for c in conn.execute(
        select(Correction).where(Correction.plan_id.in_(plan_ids), Correction.status == "active")
        .order_by(Correction.id))]


def apply(items: list[tuple[int | None, dict]], corrections: list[dict],
          document: str) -> list[dict]:
    """Task records with these corrections applied: each {"task_id", "record" (§5, corrected),
    "corrected" ({field: correction}), "deleted"}, then the added tasks (task_id None)."""
    by_task: dict[int, dict[str, dict]] = {}
    for c in corrections:
        if c["task_id"] is not None and c["field"] in TASK_FIELDS + ("delete",):
            by_task.setdefault(c["task_id"], {})[c["field"]] = c
    out = []
    for task_id, record in items:
        fixes = by_task.get(task_id, {})
        record = {**record, **{f: c["new"] for f, c in fixes.items() if f in TASK_FIELDS}}
        deleted = bool(fixes.get("delete", {}).get("new"))
        out.append({"task_id": task_id, "record": record, "deleted": deleted,
                    "corrected": {f: c for f, c in fixes.items() if f != "delete" or deleted}})
    for c in corrections:
        if c["field"] == "add":
            record = {"document": document, **c["new"], "source": {"page": None, "block": "paragraph"}}
            out.append({"task_id": None, "record": record, "deleted": False,
                        "corrected": {"add": c}})
    return out
