"""Reading the plans database: plans, versions as §5 records, task queries, diffs."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, column, exists, func, select, table
from sqlalchemy.engine import Connection
from sqlalchemy.orm import aliased

from schemas.plan import Deadline, Plan, PlanMeta, Task
from store.changes import TaskChange, compare
from store.db_tables import (Agency, AgencyAlias, DeadlineRow, IngestionRun, PlanRow, PlanVersion,
                             SourceFile, TaskAgency, TaskRow)
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
    return [(r.id, Task(part=r.part, code=r.code, text=r.text, group=r.group_name,
                        result=r.result, page=r.page, block=r.block, **details[r.id]))
            for r in rows]


def _version(conn: Connection, plan_id: int, version: int | None, name: str | int):
    """A version row of the plan (default: current); LookupError naming the plan as `name`."""
    q = select(PlanVersion).where(PlanVersion.plan_id == plan_id)
    q = q.where(PlanVersion.is_current) if version is None else q.where(
        PlanVersion.version == version)
    row = conn.execute(q).one_or_none()
    if row is None:
        count = conn.execute(select(func.count()).where(PlanVersion.plan_id == plan_id)).scalar()
        raise LookupError(f"plan {name} has no version {version or '(current)'}; it has "
                          f"versions 1 to {count}" if count else f"no plan {name}")
    return row


def _plan(conn: Connection, v) -> Plan:
    meta = PlanMeta(province=v.province, number=v.number, issued=v.issued, title=v.title,
                    signer=v.signer)
    return Plan(document=v.document, meta=meta, tasks=[t for _, t in read_tasks(conn, v.id)])


def plan_records(engine: Engine, plan: int | str, version: int | None = None) -> list[dict]:
    """The §5 records (plan line, then one line per task) of a version (default: current),
    exactly as Plan.to_records() gave them when that version was loaded. plan: an id (int)
    or what resolve_plan() takes; errors name it as given."""
    plan_id = plan if isinstance(plan, int) else resolve_plan(engine, plan)
    with engine.connect() as conn:
        return _plan(conn, _version(conn, plan_id, version, plan)).to_records()


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
    Each row: plan_id, plan_key, plan_label, province, plan_number, plan_title, version, task_id and the
    task's §5 fields (document, part, code, group, text, result, lead, support, deadlines,
    source).
    """
    if with_predecessors and not agency:
        raise ValueError("with_predecessors needs an agency")
    q = (select(TaskRow.id, PlanRow.id.label("plan_id"), PlanRow.key.label("plan_key"),
                PlanVersion.province, PlanVersion.number, PlanVersion.title,
                PlanVersion.version, PlanVersion.document)
         .join(PlanVersion, PlanVersion.id == TaskRow.version_id)
         .join(PlanRow, PlanRow.id == PlanVersion.plan_id)
         .where(PlanVersion.is_current).order_by(PlanRow.id, TaskRow.position))
    if plan is not None:
        q = q.where(PlanRow.id == resolve_plan(engine, plan))
    bodies = {}
    if with_predecessors:
        with engine.connect() as conn:
            bodies = successor_bodies(conn, agency, province)
    elif province:
        q = q.where(PlanRow.key.like(_like(province.strip())[1:-1] + "|%", escape="\\"))
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
    with engine.connect() as conn:
        rows = conn.execute(q).all()
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
    out = []
    for r in rows:
        t, d = tasks[r.id], details[r.id]
        task = Task(part=t.part, code=t.code, text=t.text, group=t.group_name, result=t.result,
                    page=t.page, block=t.block, **d)
        record = Plan(r.document, PlanMeta(), [task]).to_records()[1]
        out.append(dict(plan_id=r.plan_id, plan_key=r.plan_key,
                        plan_label=plan_label(r.plan_key, r.number), province=r.province,
                        plan_number=r.number, plan_title=r.title, version=r.version,
                        task_id=r.id, **record,
                        **({"as_named": named.get(r.id, [])} if with_predecessors else {})))
    return out



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
