"""The Alembic migrations build exactly the models' schema, on SQLite and PostgreSQL."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

import store
from store import connection
from store.db_tables import metadata
from store_fixtures import db_url, pg_admin  # noqa: F401

VIEWS = {"v_current_tasks", "v_task_agencies", "v_agency_workload", "v_deadlines",
         "v_plan_changes", "v_agency_successor", "v_due", "v_corrections"}


def config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(connection.MIGRATIONS))
    return cfg


def head() -> str:
    return ScriptDirectory.from_config(config()).get_current_head()


def diffs(engine) -> list:
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                metadata)


def test_upgrade_creates_the_models_schema_and_views(db_url):
    assert store.upgrade(db_url) == head()
    assert store.upgrade(db_url) == head()          # idempotent
    eng = connection.engine(db_url)
    try:
        assert diffs(eng) == []
        names = inspect(eng)
        assert set(names.get_table_names()) == set(metadata.tables) | {"alembic_version"}
        assert set(names.get_view_names()) == VIEWS
        for table in metadata.sorted_tables:      # compare_metadata skips CHECK constraints
            assert ({c["name"] for c in names.get_check_constraints(table.name)}
                    == {c.name for c in table.constraints if c.name.startswith("ck_")})
        for view in VIEWS:                            # every view compiles and runs
            with eng.connect() as conn:
                assert conn.exec_driver_sql(f"SELECT * FROM {view}").all() == []
    finally:
        eng.dispose()


def test_downgrade_to_base_and_up_again(db_url):
    eng = store.connect(db_url)
    try:
        for target in ("base", "head"):
            with connection.write_transaction(eng) as conn:
                cfg = config()
                cfg.attributes["connection"] = conn
                (command.downgrade if target == "base" else command.upgrade)(cfg, target)
            names = inspect(eng)
            names.clear_cache()
            tables = set(names.get_table_names()) - {"alembic_version"}
            assert tables == (set() if target == "base" else set(metadata.tables))
        assert diffs(eng) == []
    finally:
        eng.dispose()


def test_naming_convention_names_every_constraint():
    for table in metadata.tables.values():
        for c in list(table.constraints) + list(table.indexes):
            assert c.name and c.name.split("_")[0] in {"pk", "fk", "uq", "ck", "ix"}, c


def test_alembic_command_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    ini = Path(store.__file__).parent / "alembic.ini"
    env = {**os.environ, "PLANS_DB_URL": url}
    subprocess.run([sys.executable, "-m", "alembic", "-c", str(ini), "upgrade", "head"],
                   check=True, env=env, cwd=tmp_path, capture_output=True)
    out = subprocess.run([sys.executable, "-m", "alembic", "-c", str(ini), "current"],
                         check=True, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert head() in out.stdout


def test_unreachable_database_raises_a_helpful_error(tmp_path):
    with pytest.raises(store.DatabaseError) as info:
        store.connect("postgresql+psycopg://someone:s3cret@127.0.0.1:1/nowhere")
    message = str(info.value)
    assert "s3cret" not in message and "someone:***@127.0.0.1:1/nowhere" in message
    assert "server is running" in message
    with pytest.raises(store.DatabaseError, match="folder exists"):
        store.connect(f"sqlite:///{tmp_path / 'missing' / 'x.db'}")
    with pytest.raises(store.DatabaseError):
        store.connect("nosuchdialect://x")


def test_default_url_is_a_sqlite_file_under_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("PLANS_DB_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert store.default_url() == f"sqlite:///{tmp_path / 'data/processed/plans.db'}"
    assert (tmp_path / "data/processed").is_dir()
    monkeypatch.setenv("PLANS_DB_URL", "sqlite:///elsewhere.db")
    assert store.default_url() == "sqlite:///elsewhere.db"


def test_sqlite_connections_get_wal_busy_timeout_and_foreign_keys(tmp_path):
    eng = store.connect(f"sqlite:///{tmp_path / 'p.db'}")
    with eng.connect() as conn:
        pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == connection.BUSY_TIMEOUT_MS
    eng.dispose()
