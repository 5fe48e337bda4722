"""Connecting to the plans database and migrating it (Alembic, store/migrations).

    engine = connect()          # PLANS_DB_URL, else data/processed/plans.db, migrated to head
"""
from __future__ import annotations

import os
import re
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url

DEFAULT_PATH = Path("data/processed/plans.db")
MIGRATIONS = Path(__file__).parent / "migrations"
BUSY_TIMEOUT_MS = 30_000


class DatabaseError(Exception):
    """The database cannot be opened or migrated. The message names the URL (password
    hidden), the cause and what to check."""



def default_url() -> str:
    """PLANS_DB_URL, else the SQLite file data/processed/plans.db under the current directory
    (the folder is created)."""
    if os.environ.get("PLANS_DB_URL"):
        return os.environ["PLANS_DB_URL"]
    path = Path.cwd() / DEFAULT_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def shown_url(url: str) -> str:
    """The URL with its password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable URL>"


def _advice(url: str) -> str:
    if url.startswith("sqlite"):
        return "check that the file's folder exists and is writable"
    return ("check the URL (PLANS_DB_URL or the --db option), that the server is running "
            "and that the user may create tables")


def engine(url: str | None = None) -> Engine:
    """An engine for `url` (default_url() if None) without migrating. On SQLite every
    connection gets WAL, a busy timeout and foreign keys on; see write_transaction()."""
    url = url or default_url()
    try:
        eng = create_engine(url)
    except Exception as exc:
        raise DatabaseError(f"cannot open the plans database {shown_url(url)}: {exc}; "
                            f"{_advice(url)}") from exc
    if eng.dialect.name == "sqlite":
        event.listen(eng, "connect", _sqlite_connect)
        event.listen(eng, "begin", _sqlite_begin)
    return eng


def _sqlite_connect(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None   # the driver's own BEGIN is replaced by _sqlite_begin
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the write lock up front: a deferred transaction that reads, then writes,
    # fails at once with "database is locked" instead of waiting for the busy timeout.
    write = conn.get_execution_options().get("plans_write")
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@contextmanager
def write_transaction(eng: Engine) -> Iterator[Connection]:
    """A connection in a transaction that will write (SQLite: BEGIN IMMEDIATE). Commits on
    success, rolls back on any exception."""
    with eng.connect() as conn:
        conn.execution_options(plans_write=True)
        with conn.begin():
            yield conn


def upgrade(url: str | None = None) -> str:
    """Create or upgrade the database to the newest schema (alembic upgrade head); returns
    the revision. Raises DatabaseError."""
    eng = engine(url)
    try:
        return _upgrade(eng)
    finally:
        eng.dispose()


def _upgrade(eng: Engine) -> str:
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.util import CommandError

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    try:
        with write_transaction(eng) as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            return MigrationContext.configure(conn).get_current_revision()
    except Exception as exc:
        cause = f"{type(exc).__name__}: {exc}".splitlines()[0]
        hint = ("the database was migrated by a newer version of this program; upgrade it"
                if isinstance(exc, CommandError) else _advice(str(eng.url)))
        raise DatabaseError(f"cannot open the plans database {eng.url}: {cause}; "
                            f"{hint}") from exc


@cache
def heads() -> frozenset[str]:
    """The newest revisions of store/migrations/versions, read from the files' `revision` and
    `down_revision` lines (no Alembic import: it costs a read command ~0.6 s)."""
    revisions, parents = set(), set()
    for f in (MIGRATIONS / "versions").glob("*.py"):
        text = f.read_text(encoding="utf-8")
        revisions |= set(re.findall(r"^revision\s*=\s*['\"]([^'\"]+)", text, re.M))
        parents |= set(re.findall(r"['\"]([^'\"]+)['\"]",
                                  "".join(re.findall(r"^down_revision\s*=.*$", text, re.M))))
    return frozenset(revisions - parents)


def at_head(eng: Engine) -> bool:
    """Whether the database is already at the newest schema (then connect() runs no Alembic)."""
    try:
        with eng.connect() as conn:
            rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except Exception:   # no version table yet, or no database: Alembic says what is wrong
        return False
    return frozenset(r[0] for r in rows) == heads()


def connect(url: str | None = None) -> Engine:
    """An engine on `url` (default_url() if None), migrated to the newest schema. Raises
    DatabaseError when the database cannot be reached or migrated."""
    eng = engine(url)
    try:
        if not at_head(eng):
            _upgrade(eng)
    except DatabaseError:
        eng.dispose()
        raise
    return eng

