"""Agencies as bodies within their scope, the 2025 successions, and the views that follow them
(issue 14): agency.scope (the pipeline's, taken as given) and agency.kind without the store's
old four-kind CHECK; the succession table, filled from store/successions.tsv; the views
v_agency_successor and v_due (columns documented in docs/schema.md).

On SQLite a CHECK constraint cannot be dropped: the agency table is rebuilt in place (the views
are dropped and re-created around it; foreign keys are deferred to the commit, when every
task_agency and agency_alias row again finds its agency).

Revision ID: 0003_14
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

from schemas.plan import AGENCY_SCOPES
from store.successions import read_successions, replace_successions

revision = "0003_14"
down_revision = "0002"
branch_labels = None
depends_on = None

SCOPES = ", ".join(f"'{s}'" for s in AGENCY_SCOPES)

# A whole succession applies to a body (name, province) when it names the body or '*' and the
# province or '*' (not for central bodies, province ''), and takes effect on or after the date
# the body itself came to be (successions are followed forward in time). Of the rules that
# apply, the earliest goes first, and on one date a rule naming the body before a '*' one.
APPLIES = """({s}.predecessor = c.name OR {s}.predecessor = '*')
        AND ({s}.predecessor_province = c.province
             OR ({s}.predecessor_province = '*' AND c.province <> ''))
        AND {s}.share = 'whole'
        AND (c.since IS NULL OR {s}.effective >= c.since)"""

AGENCY_SUCCESSOR = f"""
WITH RECURSIVE chain (agency_id, name, province, since, steps) AS (
    SELECT a.id, a.name, a.province, CAST(NULL AS DATE), 0 FROM agency a
    UNION ALL
    SELECT c.agency_id,
        CASE WHEN s.successor = '*' THEN c.name ELSE s.successor END,
        CASE WHEN s.successor_province = '*' THEN c.province ELSE s.successor_province END,
        s.effective, c.steps + 1
    FROM chain c JOIN succession s ON {APPLIES.format(s='s')}
    WHERE c.steps < 20
      AND NOT EXISTS (SELECT 1 FROM succession e WHERE {APPLIES.format(s='e')}
                      AND (e.effective < s.effective OR (e.effective = s.effective
                           AND e.predecessor <> '*' AND s.predecessor = '*')))
)
SELECT DISTINCT a.id AS agency_id, a.name AS agency, a.province AS agency_province,
    a.kind AS agency_kind, a.scope AS agency_scope,
    c.name AS successor, c.province AS successor_province, sa.id AS successor_id,
    c.since, c.steps
FROM chain c
    JOIN agency a ON a.id = c.agency_id
    LEFT JOIN agency sa ON sa.name = c.name AND sa.province = c.province
WHERE NOT EXISTS (SELECT 1 FROM succession s WHERE {APPLIES.format(s='s')})"""


def _yearly_next_due() -> str:
    """The next occurrence, from today, of a yearly recurring deadline with a day
    (value XXXX-MM-DD, recurrence P1Y or none); NULL otherwise."""
    if op.get_bind().dialect.name == "postgresql":
        this_year = ("make_date(CAST(EXTRACT(YEAR FROM CURRENT_DATE) AS INTEGER), "
                     "CAST(substr(d.value, 6, 2) AS INTEGER), CAST(substr(d.value, 9, 2) AS INTEGER))")
        return (f"CASE WHEN d.value ~ '^XXXX-[0-9]{{2}}-[0-9]{{2}}$' THEN CASE "
                f"WHEN {this_year} >= CURRENT_DATE THEN {this_year} "
                f"ELSE CAST({this_year} + INTERVAL '1 year' AS DATE) END END")
    this_year = "(strftime('%Y', 'now') || substr(d.value, 5))"
    return (f"CASE WHEN d.value GLOB 'XXXX-[0-9][0-9]-[0-9][0-9]' THEN CASE "
            f"WHEN {this_year} >= date('now') THEN {this_year} "
            f"ELSE (CAST(strftime('%Y', 'now') AS INTEGER) + 1) || substr(d.value, 5) END END")


def _due() -> str:
    return f"""
SELECT d.id AS deadline_id, t.id AS task_id, p.id AS plan_id, v.province,
    v.number AS plan_number, v.title AS plan_title, v.document, t.code, t.text,
    d.raw, d.kind, d.value, d.recurrence,
    CASE WHEN d.kind IN ('date', 'month', 'quarter', 'half_year', 'year') THEN d.due
         WHEN d.kind = 'recurring' AND COALESCE(d.recurrence, 'P1Y') = 'P1Y'
         THEN {_yearly_next_due()} END AS next_due,
    d.kind = 'ongoing' OR (d.kind = 'recurring' AND d.value IS NULL) AS apart
FROM task t
    JOIN plan_version v ON v.id = t.version_id AND v.is_current
    JOIN plan p ON p.id = v.plan_id
    JOIN deadline d ON d.task_id = t.id
WHERE d.kind IN ('date', 'month', 'quarter', 'half_year', 'year', 'recurring', 'ongoing')"""


def views() -> dict[str, str]:
    return {"v_agency_successor": AGENCY_SUCCESSOR, "v_due": _due()}


AGENCY_COLUMNS = f"""
    id INTEGER NOT NULL,
    name VARCHAR(500) NOT NULL,
    province VARCHAR(100) DEFAULT '' NOT NULL,
    kind VARCHAR(20) NOT NULL,
    name_key VARCHAR(500) NOT NULL,
    scope VARCHAR(20) DEFAULT 'province' NOT NULL,
    CONSTRAINT pk_agency PRIMARY KEY (id),
    CONSTRAINT uq_agency_name_province UNIQUE (name, province),
    CONSTRAINT ck_agency_scope CHECK (scope IN ({SCOPES}))"""


OLD_AGENCY_COLUMNS = """
    id INTEGER NOT NULL,
    name VARCHAR(500) NOT NULL,
    province VARCHAR(100) DEFAULT '' NOT NULL,
    kind VARCHAR(20) NOT NULL,
    name_key VARCHAR(500) NOT NULL,
    CONSTRAINT pk_agency PRIMARY KEY (id),
    CONSTRAINT uq_agency_name_province UNIQUE (name, province),
    CONSTRAINT ck_agency_kind CHECK (kind IN ('so', 'ubnd', 'collective', 'other'))"""


def _rebuild_sqlite_agency(columns: str, copy: str) -> None:
    """Re-create the agency table with `columns`, its rows from `copy` (a SELECT list over
    the old table), keeping ids; the views around it are dropped and re-created."""
    conn = op.get_bind()
    saved = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'view' ORDER BY rowid").all()
    conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    for name, _ in reversed(saved):
        conn.exec_driver_sql(f"DROP VIEW {name}")
    conn.exec_driver_sql("CREATE TEMP TABLE agency_copy AS SELECT * FROM agency")
    conn.exec_driver_sql("DROP TABLE agency")
    conn.exec_driver_sql(f"CREATE TABLE agency ({columns})")
    conn.exec_driver_sql(f"INSERT INTO agency SELECT {copy} FROM agency_copy")
    conn.exec_driver_sql("DROP TABLE agency_copy")
    conn.exec_driver_sql("CREATE INDEX ix_agency_name_key ON agency (name_key)")
    for _, sql in saved:
        conn.exec_driver_sql(sql)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite_agency(AGENCY_COLUMNS, "id, name, province, kind, name_key, "
                               "CASE WHEN province = '' THEN 'central' ELSE 'province' END")
    else:
        op.drop_constraint(op.f("ck_agency_kind"), "agency", type_="check")
        op.add_column("agency", sa.Column("scope", sa.String(20), server_default="province",
                                          nullable=False))
        op.create_check_constraint(op.f("ck_agency_scope"), "agency", f"scope IN ({SCOPES})")
        op.execute("UPDATE agency SET scope = 'central' WHERE province = ''")
    op.create_table(
        "succession",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("predecessor", sa.String(500), nullable=False),
        sa.Column("predecessor_province", sa.String(100), nullable=False),
        sa.Column("successor", sa.String(500), nullable=False),
        sa.Column("successor_province", sa.String(100), nullable=False),
        sa.Column("effective", sa.Date(), nullable=False),
        sa.Column("share", sa.String(10), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.CheckConstraint("share IN ('whole', 'part')", name=op.f("ck_succession_share")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_succession")),
        sa.UniqueConstraint("predecessor", "predecessor_province", "successor",
                            "successor_province",
                            name=op.f("uq_succession_rule")),
    )
    replace_successions(op.get_bind(), read_successions())
    for name, sql in views().items():
        op.execute(f"CREATE VIEW {name} AS {sql}")


def downgrade() -> None:
    for name in reversed(list(views())):
        op.execute(f"DROP VIEW {name}")
    op.drop_table("succession")
    old_kind = ("CASE WHEN kind IN ('so', 'ubnd', 'collective', 'other') THEN kind "
                "ELSE 'other' END")
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite_agency(OLD_AGENCY_COLUMNS, f"id, name, province, {old_kind}, name_key")
    else:
        op.execute(f"UPDATE agency SET kind = {old_kind}")
        op.drop_constraint(op.f("ck_agency_scope"), "agency", type_="check")
        op.drop_column("agency", "scope")
        op.create_check_constraint(op.f("ck_agency_kind"), "agency",
                                   "kind IN ('so', 'ubnd', 'collective', 'other')")
