"""Review and correct (issue 15): task_location (where each task is in each source file) and
correction (analysts' corrections, applied on reading); the v_corrections view; and
v_current_tasks with the corrections applied (deleted tasks left out; lead, support, text,
deadlines and earliest_due corrected) and a last column `corrected` naming the corrected fields.

Revision ID: 0003_15
Revises: 0002
"""
import importlib.util
from pathlib import Path

from alembic import op
import sqlalchemy as sa

revision = "0003_15"
down_revision = "0003_14"
branch_labels = None
depends_on = None

V_CORRECTIONS = """
SELECT c.id AS correction_id, p.id AS plan_id, p.key AS plan_key, c.version AS corrected_version,
    c.task_id, c.task_code, c.task_text, c.field, c.old_value, c.new_value, c.author,
    c.created_at, c.reason, c.status,
    CASE WHEN c.field IN ('add', 'reviewed') OR c.task_id IS NOT NULL THEN 1 ELSE 0 END AS matched
FROM correction c
    JOIN plan p ON p.id = c.plan_id"""



def _views_0002():
    spec = importlib.util.spec_from_file_location("views_0002", Path(__file__).with_name("0002_views.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cond(field: str) -> str:
    """The active correction `c` of `field` of the task `t`."""
    return f"c.task_id = t.id AND c.status = 'active' AND c.field = '{field}'"


def _active(field: str) -> str:
    return f"correction c WHERE {_cond(field)}"


def current_tasks() -> str:
    """v_current_tasks of 0002 with the active corrections applied."""
    v2 = _views_0002()
    pg = op.get_bind().dialect.name == "postgresql"

    def items(field: str, value: str, order: str, table: str) -> str:
        """'; '-joined `value` over the JSON list items `j` of a task's active correction."""
        if pg:
            return (f"(SELECT string_agg({value}, '; ' ORDER BY {order}) FROM correction c, "
                    f"{table} WITH ORDINALITY AS j(value, ord) WHERE {_cond(field)})")
        return (f"(SELECT group_concat(x, '; ') FROM (SELECT {value} AS x FROM correction c, "
                f"json_each(c.new_value) j WHERE {_cond(field)} ORDER BY {order}))")

    def fixed(field: str, corrected: str, extracted: str) -> str:
        return f"CASE WHEN EXISTS (SELECT 1 FROM {_active(field)}) THEN {corrected} ELSE {extracted} END"

    key = (lambda k: f"(j.value ->> '{k}')") if pg else (lambda k: f"json_extract(j.value, '$.{k}')")
    order = "j.ord" if pg else "CAST(j.key AS INTEGER)"
    deadline = (f"{key('raw')} || ' (' || {key('kind')} || COALESCE(' ' || {key('value')}, '') "
                f"|| COALESCE(', due ' || {key('due')}, '') || ')'")
    due = f"CAST({key('due')} AS DATE)" if pg else key("due")
    text = "c.new_value #>> '{}'" if pg else "json_extract(c.new_value, '$')"
    names = {role: fixed(role, items(role, "j.value", order, "json_array_elements_text(c.new_value)"),
                         v2._agencies(role)) for role in ("lead", "support")}
    deadlines = fixed("deadlines", items("deadlines", deadline, order, "json_array_elements(c.new_value)"),
                      v2._joined(v2.DEADLINE_TEXT, "deadline d WHERE d.task_id = t.id", "d.position"))
    json_table = "json_array_elements(c.new_value) AS j" if pg else "json_each(c.new_value) j"
    earliest = fixed("deadlines", f"(SELECT MIN({due}) FROM correction c, {json_table} "
                                  f"WHERE {_cond('deadlines')})",
                     "(SELECT MIN(d.due) FROM deadline d WHERE d.task_id = t.id)")
    corrected = v2._joined("c.field", "correction c WHERE c.task_id = t.id AND c.status = 'active' "
                           "AND c.field <> 'delete'", "c.field")
    return f"""
SELECT t.id AS task_id, {v2.PLAN_COLUMNS}, v.document,
    t.position, t.part, t.code, t.group_name,
    {fixed("text", f"(SELECT {text} FROM {_active('text')})", "t.text")} AS text, t.result,
    {names["lead"]} AS lead,
    {names["support"]} AS support,
    {deadlines} AS deadlines,
    {earliest} AS earliest_due,
    t.page, t.block, {corrected} AS corrected
FROM {v2.CURRENT}
WHERE NOT EXISTS (SELECT 1 FROM {_active("delete")} AND CAST(c.new_value AS TEXT) = 'true')"""


def upgrade() -> None:
    op.create_table(
        "task_location",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("x0", sa.Float(), nullable=True),
        sa.Column("top", sa.Float(), nullable=True),
        sa.Column("x1", sa.Float(), nullable=True),
        sa.Column("bottom", sa.Float(), nullable=True),
        sa.Column("block_index", sa.Integer(), nullable=True),
        sa.Column("row", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["source_id"], ["source_file.id"],
                                name=op.f("fk_task_location_source_id_source_file"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"],
                                name=op.f("fk_task_location_task_id_task"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("task_id", "source_id", name=op.f("pk_task_location")),
    )
    op.create_index(op.f("ix_task_location_source_id"), "task_location", ["source_id"])
    op.create_table(
        "correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("task_code", sa.String(length=100), nullable=True),
        sa.Column("task_text", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=20), nullable=False),
        sa.Column("old_value", sa.JSON(), nullable=True),
        sa.Column("new_value", sa.JSON(), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.CheckConstraint("field IN ('lead', 'support', 'deadlines', 'text', 'delete', 'add', 'reviewed')",
                           name=op.f("ck_correction_field")),
        sa.CheckConstraint("status IN ('active', 'superseded')", name=op.f("ck_correction_status")),
        sa.ForeignKeyConstraint(["plan_id"], ["plan.id"], name=op.f("fk_correction_plan_id_plan"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"], name=op.f("fk_correction_task_id_task"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correction")),
    )
    op.create_index(op.f("ix_correction_plan_id"), "correction", ["plan_id"])
    op.create_index(op.f("ix_correction_task_id"), "correction", ["task_id"])
    op.execute(f"CREATE VIEW v_corrections AS {V_CORRECTIONS}")
    op.execute("DROP VIEW v_current_tasks")
    op.execute(f"CREATE VIEW v_current_tasks AS {current_tasks()}")


def downgrade() -> None:
    op.execute("DROP VIEW v_current_tasks")
    op.execute(f"CREATE VIEW v_current_tasks AS {_views_0002().views()['v_current_tasks']}")
    op.execute("DROP VIEW v_corrections")
    op.drop_table("correction")
    op.drop_table("task_location")
