"""Reading the plans database: plans, versions as §5 records, task queries, diffs."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, column, exists, func, select, table
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from schemas.plan import Deadline, Plan, PlanMeta, Task
from store import corrections
from store.changes import TaskChange, compare
from store.db_tables import (Agency, AgencyAlias, Correction, DeadlineRow, IngestionRun, PlanRow,
                             PlanVersion, SourceFile, TaskAgency, TaskLocation, TaskRow)
from store.identity import fold, plan_label


def _task_details(conn: Connection, task_ids: list[int]) -> dict[int, dict]:
    """lead, support and deadlines of these tasks, in their listed order."""
    out = {i: {"lead": [], "support": [], "deadlines": []} for i in task_ids}
    for chunk in (task_ids[k:k + 500] for k in range(0, len(task_ids), 500)):
        for tid, role, name in conn.execute(
                select(TaskAgency.task_id, TaskAgency.role, Agency.name)
                .join(Agency, Agency.id == TaskAgency.agency_id)
                .where(TaskAgency.task_id.in_(chunk))
                .order_by(TaskAgency.task_id, TaskAgency.role, TaskAgency.position)):
            out[tid][role].append(name)
        for d in conn.execute(select(DeadlineRow).where(DeadlineRow.task_id.in_(chunk))
                              .order_by(DeadlineRow.task_id, DeadlineRow.position)):
            out[d.task_id]["deadlines"].append(Deadline(
                raw=d.raw, kind=d.kind, value=d.value, due=_iso(d.due), start=_iso(d.start),
                recurrence=d.recurrence, anchor=d.anchor))
    return out


def _iso(d: date | str | None) -> str | None:
    return d.isoformat() if isinstance(d, date) else d


def read_tasks(conn: Connection, version_id: int) -> list[tuple[int, Task]]:
    """(task id, Task) of a version, in order (for loading and diffs inside the store)."""
    rows = conn.execute(select(TaskRow).where(TaskRow.version_id == version_id)
                        .order_by(TaskRow.position)).all()
    details = _task_details(conn, [r.id for r in rows])
    return [(r.id, _task(r, details[r.id])) for r in rows]


def _task(r, details: dict) -> Task:
    return Task(part=r.part, code=r.code, text=r.text, group=r.group_name, result=r.result,
                page=r.page, block=r.block, **details)


def read_task(conn: Connection, task_id: int) -> Task:
    """One task as extracted."""
    r = conn.execute(select(TaskRow).where(TaskRow.id == task_id)).one()
    return _task(r, _task_details(conn, [task_id])[task_id])


def _version(conn: Connection, plan_id: int, version: int | None, name: str | int | None = None):
    """A version row of the plan (default: current); LookupError naming the plan as `name`."""
    q = select(PlanVersion).where(PlanVersion.plan_id == plan_id)
    q = q.where(PlanVersion.is_current) if version is None else q.where(
        PlanVersion.version == version)
    row = conn.execute(q).one_or_none()
    if row is None:
        count = conn.execute(select(func.count()).where(PlanVersion.plan_id == plan_id)).scalar()
        name = plan_id if name is None else name
        raise LookupError(f"plan {name} has no version {version or '(current)'}; it has "
                          f"versions 1 to {count}" if count else f"no plan {name}")
    return row


def _plan(conn: Connection, v) -> Plan:
    return _plan_with_ids(conn, v)[0]


def plan_records(engine: Engine, plan: int | str, version: int | None = None, *,
                 corrected: bool = True, marks: bool = False) -> list[dict]:
    """The §5 records (plan line, then one line per task) of a version (default: current),
    as Plan.to_records() gave them when that version was loaded; for the current version
    with the analysts' corrections applied (deleted tasks left out, added ones last) unless
    `corrected` is False. marks: each task record also names its corrected fields
    ("corrected": ["lead", …], [] when none; not a §5 field). plan: an id (int) or what
    resolve_plan() takes; errors name it as given."""
    plan_id = plan if isinstance(plan, int) else resolve_plan(engine, plan)
    with engine.connect() as conn:
        v = _version(conn, plan_id, version, plan)
        if not (corrected and v.is_current):
            records = _plan(conn, v).to_records()
            return records if not marks else records[:1] + [{**r, "corrected": []} for r in records[1:]]
        return _corrected_records(conn, v, marks)


def _layered(conn: Connection, v) -> tuple[list[dict], list[dict]]:
    """(the plan line, corrections.apply() items) of a current version."""
    plan = _plan_with_ids(conn, v)
    head, *records = plan[0].to_records()
    items = corrections.apply(list(zip(plan[1], records)), corrections.active(conn, [v.plan_id]),
                              v.document)
    return [head], items


def _plan_with_ids(conn: Connection, v) -> tuple[Plan, list[int]]:
    tasks = read_tasks(conn, v.id)
    meta = PlanMeta(province=v.province, number=v.number, issued=v.issued, title=v.title,
                    signer=v.signer)
    return Plan(document=v.document, meta=meta, tasks=[t for _, t in tasks]), [i for i, _ in tasks]


def _corrected_records(conn: Connection, v, marks: bool) -> list[dict]:
    head, items = _layered(conn, v)
    return head + [{**i["record"], **({"corrected": sorted(i["corrected"])} if marks else {})}
                   for i in items if not i["deleted"]]


def review(engine: Engine, plan_id: int) -> dict:
    """What the review app shows of a plan's current version: "head" (the plan line),
    "version", "tasks" (corrections.apply() items, deleted ones included, each with its
    "locations": page, box, block_index, row, source_id, format and path of each source
    file), "reviewed" (the latest reviewed mark or None) and "unmatched" (task corrections
    whose task is no longer in the plan)."""
    with engine.connect() as conn:
        v = _version(conn, plan_id, None)
        head, items = _layered(conn, v)
        ids = [i["task_id"] for i in items if i["task_id"] is not None]
        where: dict[int, list[dict]] = {i: [] for i in ids}
        for chunk in (ids[k:k + 500] for k in range(0, len(ids), 500)):
            for r in conn.execute(select(*TaskLocation.__table__.c, SourceFile.format, SourceFile.path)
                                  .join(SourceFile, SourceFile.id == TaskLocation.source_id)
                                  .where(TaskLocation.task_id.in_(chunk))
                                  .order_by(TaskLocation.task_id, SourceFile.id)):
                loc = r
                box = (loc.x0, loc.top, loc.x1, loc.bottom) if loc.x0 is not None else None
                where[loc.task_id].append(dict(source_id=loc.source_id, format=r.format,
                                               path=r.path, page=loc.page, bbox=box,
                                               block_index=loc.block_index, row=loc.row))
        for i in items:
            i["locations"] = where.get(i["task_id"], [])
        every = [corrections.as_dict(c) for c in conn.execute(
            select(Correction).where(Correction.plan_id == plan_id).order_by(Correction.id))]
    marks = [c for c in every if c["field"] == "reviewed" and c["status"] == "active"]
    return {"head": head[0], "version": v.version, "tasks": items,
            "reviewed": marks[-1] if marks else None,
            "unmatched": [c for c in every if not c["matched"] and c["status"] == "active"]}


def list_corrections(engine: Engine, plan_id: int | None = None,
                     unmatched: bool = False) -> list[dict]:
    """Every correction (of a plan), oldest first: id, plan_id, task_id, code and text (the
    task as extracted when corrected), version, field, old, new, author, created_at, reason,
    status (active or superseded), matched. unmatched: only the active corrections whose
    task is no longer in the plan."""
    q = select(Correction).order_by(Correction.id)
    if plan_id is not None:
        q = q.where(Correction.plan_id == plan_id)
    with engine.connect() as conn:
        rows = [corrections.as_dict(c) for c in conn.execute(q)]
    return [c for c in rows if not unmatched or (not c["matched"] and c["status"] == "active")]


def task_location(engine: Engine, task_id: int, source_id: int) -> dict | None:
    """Where a task is in one source file: path, format, page, bbox, block_index, row."""
    with engine.connect() as conn:
        r = conn.execute(select(*TaskLocation.__table__.c, SourceFile.format, SourceFile.path)
                         .join(SourceFile, SourceFile.id == TaskLocation.source_id)
                         .where(TaskLocation.task_id == task_id,
                                TaskLocation.source_id == source_id)).first()
    if r is None:
        return None
    loc = r
    return dict(path=r.path, format=r.format, page=loc.page, block_index=loc.block_index,
                row=loc.row, bbox=(loc.x0, loc.top, loc.x1, loc.bottom) if loc.x0 is not None else None)


def list_plans(engine: Engine) -> list[dict]:
    """Every plan with its current version: id, key, label (identity.plan_label), province,
    number, title, document, version, versions, tasks, sources, last_loaded (last successful
    load)."""
    other = aliased(PlanVersion)
    versions = (select(func.count()).select_from(other).where(other.plan_id == PlanRow.id)
                .scalar_subquery())
    sources = (select(func.count()).select_from(SourceFile)
               .join(other, other.id == SourceFile.version_id)
               .where(other.plan_id == PlanRow.id).scalar_subquery())
    last = (select(func.max(IngestionRun.finished_at))
            .where(IngestionRun.plan_id == PlanRow.id, IngestionRun.status == "ok")
            .scalar_subquery())
    q = (select(PlanRow.id, PlanRow.key, PlanVersion.province, PlanVersion.number,
                PlanVersion.title, PlanVersion.document, PlanVersion.version,
                versions.label("versions"), PlanVersion.task_count.label("tasks"),
                sources.label("sources"), last.label("last_loaded"))
         .join(PlanVersion, (PlanVersion.plan_id == PlanRow.id) & PlanVersion.is_current)
         .order_by(PlanRow.id))
    with engine.connect() as conn:
        return [{**r._mapping, "label": plan_label(r.key, r.number)} for r in conn.execute(q)]


def resolve_plan(engine: Engine, ref: str | int) -> int:
    """The plan id for `ref`: an id, a number ("3021/KH-UBND"), a document name (source file
    stem), a plan key, or a unique title substring (accent- and case-blind). Raises
    LookupError saying what matched."""
    plans = list_plans(engine)
    ref_s = str(ref).strip()
    if ref_s.isdigit() and any(p["id"] == int(ref_s) for p in plans):
        return int(ref_s)
    number = "".join(ref_s.split()).upper()
    with engine.connect() as conn:
        stems = conn.execute(select(PlanVersion.plan_id).join(
            SourceFile, SourceFile.version_id == PlanVersion.id).where(
            SourceFile.name == ref_s)).scalars().all()
        stems += conn.execute(select(PlanVersion.plan_id).where(
            PlanVersion.document == ref_s)).scalars().all()
    tests = [
        lambda p: p["number"] is not None and "".join(p["number"].split()).upper() == number,
        lambda p: p["id"] in stems,
        lambda p: ref_s in (p["key"], p["label"]),
        lambda p: fold(ref_s) in fold(p["title"]),
    ]
    for test in tests:
        hits = [p for p in plans if test(p)]
        if len(hits) == 1:
            return hits[0]["id"]
        if len(hits) > 1:
            listed = "; ".join(f"{p['id']}: {p['label']} {p['title'] or ''}"[:100]
                               for p in hits)
            raise LookupError(f"{ref_s} matches {len(hits)} plans ({listed}); "
                              "give the plan id or number")
    known = ", ".join(f"{p['id']} ({p['label']})" for p in plans) or "none"
    raise LookupError(f"no plan {ref_s}; give a plan id, number, document name or "
                      f"a title fragment (loaded plans: {known})")


def diff(engine: Engine, plan: int | str, old: int | None = None,
         new: int | None = None) -> list[TaskChange]:
    """Task changes from version `old` to version `new` (default: the current version and
    the one before it; [] when the plan has a single version). plan: as for plan_records."""
    plan_id = plan if isinstance(plan, int) else resolve_plan(engine, plan)
    with engine.connect() as conn:
        new_v = _version(conn, plan_id, new, plan)
        old_number = new_v.version - 1 if old is None else old
        if old_number < 1:
            return []
        old_v = _version(conn, plan_id, old_number, plan)
        return compare([t for _, t in read_tasks(conn, old_v.id)],
                       [t for _, t in read_tasks(conn, new_v.id)])


def _like(text: str) -> str:
    escaped = fold(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


AGENCY_SUCCESSOR = table("v_agency_successor", column("agency_id"), column("agency"),
                         column("agency_province"), column("successor"),
                         column("successor_province"))


def successor_bodies(conn: Connection, agency: str, province: str | None) -> dict[int, tuple]:
    """Stored agencies whose current successor (v_agency_successor) is named `agency`
    (substring, accent- and case-blind) in `province` (accent- and case-blind, any if None):
    agency id → (name, province) as stored, the body itself included."""
    want, where = fold(agency).strip(), fold(province).strip() if province else None
    return {r.agency_id: (r.agency, r.agency_province)
            for r in conn.execute(select(AGENCY_SUCCESSOR))
            if want in fold(r.successor) and (where is None or fold(r.successor_province) == where)}


def query_tasks(engine: Engine, *, agency: str | None = None, role: str | None = None,
                due_before: date | str | None = None, due_after: date | str | None = None,
                kind: str | None = None, overdue_on: date | str | None = None,
                province: str | None = None, plan: str | int | None = None,
                with_predecessors: bool = False) -> list[dict]:
    """Tasks of current plan versions matching every given filter, in plan and task order.

    agency: substring of an agency's canonical name or any alias, accent- and case-blind
    (with role: in that role). due_before / due_after / kind: one deadline of the task is
    due on or before / on or after these dates and of this kind. overdue_on: a deadline is
    due before that date. province: accent- and case-blind. plan: see resolve_plan().
    with_predecessors (with agency): the tasks of every body whose current successor
    (v_agency_successor) is that agency, of `province` when given (the successor's province,
    not the plan's); each row then has `as_named`: the names the plan used for it,
    [{"agency", "province", "role"}].
    Each row: plan_id, plan_key, plan_label, province, plan_number, plan_title, version,
    task_id and the task's §5 fields (document, part, code, group, text, result, lead,
    support, deadlines, source) with the analysts' corrections applied, and "corrected" (the
    corrected fields; a task added by an analyst has task_id None and ["add"]). A corrected
    task is matched against the filters by its corrected values (agency: its names, not
    their aliases).
    """
    if with_predecessors and not agency:
        raise ValueError("with_predecessors needs an agency")
    base = (select(TaskRow.id, PlanRow.id.label("plan_id"), PlanRow.key.label("plan_key"),
                   PlanVersion.province, PlanVersion.number, PlanVersion.title,
                   PlanVersion.version, PlanVersion.document)
            .join(PlanVersion, PlanVersion.id == TaskRow.version_id)
            .join(PlanRow, PlanRow.id == PlanVersion.plan_id)
            .where(PlanVersion.is_current).order_by(PlanRow.id, TaskRow.position))
    if plan is not None:
        base = base.where(PlanRow.id == resolve_plan(engine, plan))
    bodies = {}
    if with_predecessors:
        with engine.connect() as conn:
            bodies = successor_bodies(conn, agency, province)
    elif province:
        base = base.where(PlanRow.key.like(_like(province.strip())[1:-1] + "|%", escape="\\"))
    q = base
    if agency or role:
        link = select(TaskAgency.task_id).where(TaskAgency.task_id == TaskRow.id)
        if role:
            link = link.where(TaskAgency.role == role)
        if with_predecessors:
            link = link.where(TaskAgency.agency_id.in_(list(bodies)))
        elif agency:
            link = link.join(AgencyAlias, AgencyAlias.agency_id == TaskAgency.agency_id).where(
                AgencyAlias.alias_key.like(_like(agency), escape="\\"))
        q = q.where(exists(link))
    if due_before or due_after or kind:
        d = select(DeadlineRow.id).where(DeadlineRow.task_id == TaskRow.id)
        if due_before:
            d = d.where(DeadlineRow.due <= _day(due_before))
        if due_after:
            d = d.where(DeadlineRow.due >= _day(due_after))
        if kind:
            d = d.where(DeadlineRow.kind == kind)
        q = q.where(exists(d))
    if overdue_on:
        q = q.where(exists(select(DeadlineRow.id).where(DeadlineRow.task_id == TaskRow.id,
                                                        DeadlineRow.due < _day(overdue_on))))
    filters = dict(agency=agency, role=role, due_before=due_before, due_after=due_after,
                   kind=kind, overdue_on=overdue_on)
    with engine.connect() as conn:
        plans = {r.plan_id: r for r in conn.execute(base.with_only_columns(
            PlanRow.id.label("plan_id"), PlanRow.key.label("plan_key"), PlanVersion.province,
            PlanVersion.number, PlanVersion.title, PlanVersion.version,
            PlanVersion.document).distinct().order_by(None))}
        fixes = corrections.active(conn, sorted(plans))
        fixed = {c["task_id"] for c in fixes if c["task_id"] is not None}
        rows = conn.execute(q).all()
        if fixed and any(filters.values()) and not with_predecessors:
            seen = {r.id for r in rows}      # corrected values may match where extracted did not
            rows += [r for r in conn.execute(base.where(TaskRow.id.in_(fixed))) if r.id not in seen]
        details = _task_details(conn, [r.id for r in rows])
        tasks = {r.id: r for r in conn.execute(select(TaskRow).where(
            TaskRow.id.in_([r.id for r in rows])))} if rows else {}
        named: dict[int, list[dict]] = {}
        if with_predecessors and rows:
            for link in conn.execute(select(TaskAgency).where(
                    TaskAgency.task_id.in_([r.id for r in rows]),
                    TaskAgency.agency_id.in_(list(bodies)))
                    .order_by(TaskAgency.task_id, TaskAgency.role, TaskAgency.position)):
                if role is None or link.role == role:
                    name, where = bodies[link.agency_id]
                    named.setdefault(link.task_id, []).append(
                        dict(agency=name, province=where, role=link.role))
    items: list[tuple[int | None, int, dict]] = []
    for r in rows:
        record = Plan(r.document, PlanMeta(), [_task(tasks[r.id], details[r.id])]).to_records()[1]
        items.append((r.id, r.plan_id, record))
    out = []
    for plan_id, p in sorted(plans.items()):
        mine = sorted((i, rec) for i, pid, rec in items if pid == plan_id)
        applied = corrections.apply(mine, [c for c in fixes if c["plan_id"] == plan_id], p.document)
        for a in applied:
            if a["deleted"] or ((a["corrected"] or a["task_id"] in fixed) and any(filters.values())
                                and not with_predecessors and not _passes(a["record"], **filters)):
                continue
            if with_predecessors and a["task_id"] not in named:
                continue
            out.append(dict(plan_id=plan_id, plan_key=p.plan_key, plan_label=plan_label(p.plan_key, p.number),
                            province=p.province, plan_number=p.number, plan_title=p.title,
                            version=p.version, task_id=a["task_id"], **a["record"],
                            corrected=sorted(a["corrected"]),
                            **({"as_named": named.get(a["task_id"], [])} if with_predecessors else {})))
    return out


def _passes(record: dict, *, agency, role, due_before, due_after, kind, overdue_on) -> bool:
    """Whether a (corrected) task record matches query_tasks' filters."""
    names = record[role] if role else record["lead"] + record["support"]
    if (agency or role) and not any(fold(agency or "") in fold(n) for n in names):
        return False
    dls = record["deadlines"]
    if (due_before or due_after or kind) and not any(
            (not due_before or (d["due"] and d["due"] <= str(_day(due_before))))
            and (not due_after or (d["due"] and d["due"] >= str(_day(due_after))))
            and (not kind or d["kind"] == kind) for d in dls):
        return False
    return not overdue_on or any(d["due"] and d["due"] < str(_day(overdue_on)) for d in dls)



def loaded_paths(engine: Engine) -> list[str]:
    """The paths of every source file loaded, sorted (without repeats)."""
    with engine.connect() as conn:
        return sorted(set(conn.execute(select(SourceFile.path)).scalars()))


def list_agencies(engine: Engine, province: str | None = None) -> list[dict]:
    """Every stored agency with its task counts in current plan versions as lead and as
    support, its aliases and its current successor (v_agency_successor). province (accent-
    and case-blind): the agency's own or its successor's. Sorted by province, then name.
    Each row: agency_id, name, province, kind, scope, lead_tasks, support_tasks, aliases,
    successor, successor_province, successor_since."""
    counts = (select(TaskAgency.agency_id, TaskAgency.role, func.count(func.distinct(TaskRow.id)))
              .join(TaskRow, TaskRow.id == TaskAgency.task_id)
              .join(PlanVersion, (PlanVersion.id == TaskRow.version_id) & PlanVersion.is_current)
              .group_by(TaskAgency.agency_id, TaskAgency.role))
    successor = table("v_agency_successor", column("agency_id"), column("successor"),
                      column("successor_province"), column("since"))
    with engine.connect() as conn:
        tasks = {(a, role): n for a, role, n in conn.execute(counts)}
        aliases: dict[int, list[str]] = {}
        for agency_id, alias in conn.execute(select(AgencyAlias.agency_id, AgencyAlias.alias)
                                             .order_by(AgencyAlias.agency_id, AgencyAlias.alias)):
            aliases.setdefault(agency_id, []).append(alias)
        after = {r.agency_id: r for r in conn.execute(select(successor))}
        agencies = conn.execute(select(Agency).order_by(Agency.province, Agency.name)).all()
    want = fold(province).strip() if province else None
    out = []
    for a in agencies:
        s = after.get(a.id)
        if want is not None and want not in (fold(a.province), fold(s.successor_province if s else "")):
            continue
        moved = s is not None and (s.successor, s.successor_province) != (a.name, a.province)
        out.append(dict(agency_id=a.id, name=a.name, province=a.province, kind=a.kind,
                        scope=a.scope, lead_tasks=tasks.get((a.id, "lead"), 0),
                        support_tasks=tasks.get((a.id, "support"), 0),
                        aliases=[x for x in aliases.get(a.id, []) if x != a.name],
                        successor=s.successor if moved else None,
                        successor_province=s.successor_province if moved else None,
                        successor_since=_iso(s.since) if moved else None))
    return out
