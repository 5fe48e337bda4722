"""Review and correct (issue 15): task_location (where each task is in each source file) and
correction (analysts' corrections, applied on reading), and the v_corrections view.

Revision ID: 0003_15
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003_15"
down_revision = "0002"
branch_labels = None
depends_on = None

V_CORRECTIONS = """
SELECT c.id AS correction_id, p.id AS plan_id, p.key AS plan_key, c.version AS corrected_version,
    c.task_id, c.task_code, c.task_text, c.field, c.old_value, c.new_value, c.author,
    c.created_at, c.reason, c.status,
    CASE WHEN c.field IN ('add', 'reviewed') OR c.task_id IS NOT NULL THEN 1 ELSE 0 END AS matched
FROM correction c
    JOIN plan p ON p.id = c.plan_id"""


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


def downgrade() -> None:
    op.execute("DROP VIEW v_corrections")
    op.drop_table("correction")
    op.drop_table("task_location")
