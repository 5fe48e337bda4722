"""Read views for other systems: v_current_tasks, v_task_agencies, v_agency_workload,
v_deadlines, v_plan_changes (columns documented in docs/schema.md; keep them stable).

The SQL is the same on SQLite and PostgreSQL except for ordered string aggregation
(group_concat over an ordered subquery / string_agg … ORDER BY).

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CURRENT = """task t
    JOIN plan_version v ON v.id = t.version_id AND v.is_current
    JOIN plan p ON p.id = v.plan_id"""
PLAN_COLUMNS = """p.id AS plan_id, p.key AS plan_key, v.province, v.number AS plan_number,
    v.title AS plan_title, v.version"""


def _joined(value: str, source: str, order: str) -> str:
    """The '; '-joined values of a correlated subquery, in `order`."""
    if op.get_bind().dialect.name == "postgresql":
        return f"(SELECT string_agg({value}, '; ' ORDER BY {order}) FROM {source})"
    return (f"(SELECT group_concat(x, '; ') FROM "
            f"(SELECT {value} AS x FROM {source} ORDER BY {order}))")


def _agencies(role: str) -> str:
    return _joined("a.name", "task_agency ta JOIN agency a ON a.id = ta.agency_id "
                   f"WHERE ta.task_id = t.id AND ta.role = '{role}'", "ta.position")


DEADLINE_TEXT = ("d.raw || ' (' || d.kind || COALESCE(' ' || d.value, '') "
                 "|| COALESCE(', due ' || CAST(d.due AS VARCHAR(10)), '') || ')'")


def views() -> dict[str, str]:
    return {
        "v_current_tasks": f"""
SELECT t.id AS task_id, {PLAN_COLUMNS}, v.document,
    t.position, t.part, t.code, t.group_name, t.text, t.result,
    {_agencies('lead')} AS lead,
    {_agencies('support')} AS support,
    {_joined(DEADLINE_TEXT, 'deadline d WHERE d.task_id = t.id', 'd.position')} AS deadlines,
    (SELECT MIN(d.due) FROM deadline d WHERE d.task_id = t.id) AS earliest_due,
    t.page, t.block
FROM {CURRENT}""",
        "v_task_agencies": f"""
SELECT t.id AS task_id, {PLAN_COLUMNS}, t.part, t.code, t.text,
    ta.role, ta.position AS agency_position, a.id AS agency_id, a.name AS agency,
    a.kind AS agency_kind, a.province AS agency_province
FROM {CURRENT}
    JOIN task_agency ta ON ta.task_id = t.id
    JOIN agency a ON a.id = ta.agency_id""",
        "v_agency_workload": """
SELECT agency_id, agency, agency_kind, agency_province, role,
    COUNT(DISTINCT task_id) AS task_count, COUNT(DISTINCT plan_id) AS plan_count
FROM v_task_agencies
GROUP BY agency_id, agency, agency_kind, agency_province, role""",
        "v_deadlines": f"""
SELECT d.id AS deadline_id, t.id AS task_id, {PLAN_COLUMNS}, t.part, t.code, t.text,
    d.position, d.raw, d.kind, d.value, d.due, d.start, d.recurrence, d.anchor
FROM {CURRENT}
    JOIN deadline d ON d.task_id = t.id""",
        "v_plan_changes": """
SELECT c.id AS change_id, p.id AS plan_id, p.key AS plan_key, nv.number AS plan_number,
    nv.title AS plan_title, nv.document, ov.version AS old_version, nv.version AS new_version,
    nv.is_current AS is_latest, nv.valid_from AS changed_at, c.position, c.kind, c.code,
    c.text, c.details
FROM task_change c
    JOIN plan p ON p.id = c.plan_id
    JOIN plan_version ov ON ov.id = c.old_version_id
    JOIN plan_version nv ON nv.id = c.new_version_id""",
    }


def upgrade() -> None:
    for name, sql in views().items():
        op.execute(f"CREATE VIEW {name} AS {sql}")


def downgrade() -> None:
    for name in reversed(list(views())):
        op.execute(f"DROP VIEW {name}")
