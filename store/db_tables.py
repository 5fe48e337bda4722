"""The normalized database tables (SQLAlchemy 2.0 models).

A plan (kế hoạch) has versions; each version has its source files, its section tree, its
tasks (nhiệm vụ) with their agencies (cơ quan chủ trì / phối hợp) and deadlines (thời gian
hoàn thành). Loads are recorded in ingestion_run, differences between versions in task_change.
docs/schema.md documents every table and view; the Alembic migrations in store/migrations
create them. Change a model only together with a new migration.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, DateTime, Float, ForeignKey, Index,
                        Integer, MetaData, String, Text, UniqueConstraint, text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from schemas.plan import AGENCY_SCOPES, DEADLINE_KINDS, ROLES

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

PARTS = ("tasks", "implementation")
BLOCKS = ("table", "paragraph")
SHARES = ("whole", "part")
RUN_STATUSES = ("ok", "skipped", "failed")
LOAD_OUTCOMES = ("loaded", "new_version", "new_source", "unchanged")
CHANGE_KINDS = ("added", "removed", "changed")
CORRECTION_FIELDS = ("lead", "support", "deadlines", "text", "delete", "add", "reviewed")
CORRECTION_STATUSES = ("active", "superseded")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class PlanRow(Base):
    """One plan, whatever its versions: identified by province + number, or province +
    normalized title when the number is blank (`key`)."""

    __tablename__ = "plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(1000), unique=True)
    province: Mapped[str | None] = mapped_column(String(100))
    number: Mapped[str | None] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PlanVersion(Base):
    """One distinct content of a plan. Exactly one version per plan is current; superseded
    versions are kept with `valid_to` set. The metadata columns are the plan line of the §5
    export as extracted for this version; `document` is the file stem the version came from."""

    __tablename__ = "plan_version"
    __table_args__ = (
        UniqueConstraint("plan_id", "version"),
        CheckConstraint("version >= 1", name="version_positive"),
        CheckConstraint("(valid_to IS NULL) = is_current", name="current_is_open"),
        Index("uq_plan_version_current", "plan_id", unique=True,
              sqlite_where=text("is_current"), postgresql_where=text("is_current")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[str] = mapped_column(String(500))
    province: Mapped[str | None] = mapped_column(String(100))
    number: Mapped[str | None] = mapped_column(String(100))
    issued: Mapped[str | None] = mapped_column(String(10))
    title: Mapped[str | None] = mapped_column(Text)
    signer: Mapped[str | None] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    task_count: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    is_current: Mapped[bool] = mapped_column(Boolean)


class SourceFile(Base):
    """A file whose extraction gave a version (the PDF and the DOCX of one plan are two
    sources of one version). The same bytes are never loaded twice (`sha256` is unique)."""

    __tablename__ = "source_file"
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id", ondelete="CASCADE"),
                                            index=True)
    path: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(500), index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    format: Mapped[str] = mapped_column(String(10))
    pages: Mapped[int | None] = mapped_column(Integer)
    extractor: Mapped[str] = mapped_column(String(100))
    ocr: Mapped[bool] = mapped_column(Boolean)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Section(Base):
    """The enumeration tree of a version, derived from task codes and groups: one row per
    code prefix ("II", "II.2", "II.2.a"), titled with the group its tasks share where there is
    one, plus one untitled-code row per group whose tasks have no common code prefix."""

    __tablename__ = "section"
    __table_args__ = (UniqueConstraint("version_id", "position"),
                      CheckConstraint(_in("part", PARTS), name="part"))
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"),
                                                  index=True)
    position: Mapped[int] = mapped_column(Integer)
    part: Mapped[str] = mapped_column(String(20))
    code: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(Text)


class TaskRow(Base):
    """One task of a version, in export order (`position`, 0-based)."""

    __tablename__ = "task"
    __table_args__ = (UniqueConstraint("version_id", "position"),
                      Index(None, "version_id", "code"),
                      CheckConstraint(_in("part", PARTS), name="part"),
                      CheckConstraint(_in("block", BLOCKS), name="block"))
    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("plan_version.id", ondelete="CASCADE"))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("section.id", ondelete="SET NULL"),
                                                   index=True)
    position: Mapped[int] = mapped_column(Integer)
    part: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(100))
    group_name: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    page: Mapped[int | None] = mapped_column(Integer)
    block: Mapped[str] = mapped_column(String(20))


class Agency(Base):
    """A body within its scope: a canonical name and the province it belongs to ('' for
    central bodies, e.g. ministries): "Sở Tài chính" of Ninh Thuận is not that of Kon Tum.
    `kind` and `scope` are the pipeline's (Plan.agencies), taken as given."""

    __tablename__ = "agency"
    __table_args__ = (UniqueConstraint("name", "province"),
                      CheckConstraint(_in("scope", AGENCY_SCOPES), name="scope"))
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    province: Mapped[str] = mapped_column(String(100), server_default="")
    kind: Mapped[str] = mapped_column(String(20))
    name_key: Mapped[str] = mapped_column(String(500), index=True)
    scope: Mapped[str] = mapped_column(String(20), server_default="province")


class AgencyAlias(Base):
    """Every spelling of an agency seen in a plan (the canonical name included);
    `alias_key` is lowercase without diacritics for accent-insensitive search."""

    __tablename__ = "agency_alias"
    __table_args__ = (UniqueConstraint("agency_id", "alias"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(500))
    alias_key: Mapped[str] = mapped_column(String(500), index=True)


class Succession(Base):
    """Which body succeeded which (store/successions.tsv): `predecessor` of
    `predecessor_province` became `successor` of `successor_province` on `effective`. "*" as
    a province means every province (a department merge), as a successor province the
    predecessor's own; "*" as a body means every body of the province (a province merge), as
    a successor body the same name. share "part": only some duties moved (not followed by
    v_agency_successor)."""

    __tablename__ = "succession"
    __table_args__ = (UniqueConstraint("predecessor", "predecessor_province", "successor",
                                       "successor_province", name="uq_succession_rule"),
                      CheckConstraint(_in("share", SHARES), name="share"))
    id: Mapped[int] = mapped_column(primary_key=True)
    predecessor: Mapped[str] = mapped_column(String(500))
    predecessor_province: Mapped[str] = mapped_column(String(100))
    successor: Mapped[str] = mapped_column(String(500))
    successor_province: Mapped[str] = mapped_column(String(100))
    effective: Mapped[date] = mapped_column(Date)
    share: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(Text)


class TaskAgency(Base):
    """An agency's role in a task: lead (chủ trì) or support (phối hợp), in listed order."""

    __tablename__ = "task_agency"
    __table_args__ = (Index(None, "agency_id", "role"),
                      CheckConstraint(_in("role", ROLES), name="role"))
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"),
                                         primary_key=True)
    role: Mapped[str] = mapped_column(String(10), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))


class DeadlineRow(Base):
    """One normalized deadline item of a task (contract §4), in listed order."""

    __tablename__ = "deadline"
    __table_args__ = (UniqueConstraint("task_id", "position"),
                      CheckConstraint(_in("kind", DEADLINE_KINDS), name="kind"))
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    raw: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str | None] = mapped_column(String(50))
    due: Mapped[date | None] = mapped_column(Date, index=True)
    start: Mapped[date | None] = mapped_column(Date)
    recurrence: Mapped[str | None] = mapped_column(String(20))
    anchor: Mapped[str | None] = mapped_column(Text)


class IngestionRun(Base):
    """One attempt to load a file: ok, skipped (bytes already loaded) or failed (`error`)."""

    __tablename__ = "ingestion_run"
    __table_args__ = (CheckConstraint(_in("status", RUN_STATUSES), name="status"),
                      CheckConstraint(f"outcome IS NULL OR {_in('outcome', LOAD_OUTCOMES)}",
                                      name="outcome"))
    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    duration_s: Mapped[float] = mapped_column(Float)
    trigger: Mapped[str] = mapped_column(String(50))
    triggered_by: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str | None] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    counts: Mapped[dict | None] = mapped_column(JSON)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id", ondelete="SET NULL"),
                                                index=True)
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_version.id", ondelete="SET NULL"))


class TaskChangeRow(Base):
    """A difference between a version and the one it superseded: a task added, removed, or
    changed (`details`: {field: {"old": …, "new": …}})."""

    __tablename__ = "task_change"
    __table_args__ = (UniqueConstraint("new_version_id", "position"),
                      CheckConstraint(_in("kind", CHANGE_KINDS), name="kind"))
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    old_version_id: Mapped[int] = mapped_column(
        ForeignKey("plan_version.id", ondelete="CASCADE"))
    new_version_id: Mapped[int] = mapped_column(
        ForeignKey("plan_version.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    code: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    old_task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="SET NULL"))
    new_task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="SET NULL"))
    details: Mapped[dict | None] = mapped_column(JSON)


class TaskLocation(Base):
    """Where a task is in one source file of its version: the PDF page and box (x0, top, x1,
    bottom in points from the page's top left), the block's index in the extracted
    document and the table row's index in that block."""

    __tablename__ = "task_location"
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"),
                                         primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source_file.id", ondelete="CASCADE"),
                                           primary_key=True, index=True)
    page: Mapped[int | None] = mapped_column(Integer)
    x0: Mapped[float | None] = mapped_column(Float)
    top: Mapped[float | None] = mapped_column(Float)
    x1: Mapped[float | None] = mapped_column(Float)
    bottom: Mapped[float | None] = mapped_column(Float)
    block_index: Mapped[int | None] = mapped_column(Integer)
    row: Mapped[int | None] = mapped_column(Integer)


class Correction(Base):
    """An analyst's correction, kept apart from what was extracted and applied on reading.

    `field`: lead, support, deadlines, text (new_value: the corrected value, old_value: the
    extracted one), delete (the task is wrong), add (a missed task: new_value is its §5
    record) or reviewed (the plan was checked; new_value: the version). A task correction is
    anchored on the task as extracted (`task_code`, `task_text`) and points at that task in
    the current version (`task_id`); each new version re-points it by the matching of
    versions (store/changes.py), NULL when its task is gone: an unmatched correction, kept
    and reported. A newer correction of the same task and field supersedes the older one.
    """

    __tablename__ = "correction"
    __table_args__ = (CheckConstraint(_in("field", CORRECTION_FIELDS), name="field"),
                      CheckConstraint(_in("status", CORRECTION_STATUSES), name="status"))
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="SET NULL"),
                                                index=True)
    task_code: Mapped[str | None] = mapped_column(String(100))
    task_text: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(20))
    old_value: Mapped[object | None] = mapped_column(JSON)
    new_value: Mapped[object | None] = mapped_column(JSON)
    author: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))


metadata = Base.metadata
