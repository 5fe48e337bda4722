"""Database fixtures for the store tests: `db_url` and `db` run a test on SQLite and on the
PostgreSQL server (PLANS_TEST_PG_URL), each test in a fresh SQLite file or a fresh
PostgreSQL schema that is dropped afterwards. Import the fixtures into a test module:

    from store_fixtures import db, db_url, pg_admin  # noqa: F401

or use fresh_database() in a fixture of wider scope.
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

import store
from conftest import require_or_skip

PG_URL = os.environ.get("PLANS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def pg_admin():
    """An engine on the PostgreSQL test database; skips (fails under PLANS_REQUIRE_ALL=1)
    when the server is unreachable."""
    eng = create_engine(PG_URL, connect_args={"connect_timeout": 5})
    try:
        with eng.connect():
            pass
    except OperationalError as exc:
        require_or_skip(f"PostgreSQL server unreachable at {make_url(PG_URL)!r} (set "
                    f"PLANS_TEST_PG_URL): {str(exc).splitlines()[0]}")
    yield eng
    eng.dispose()


def pg_schema_url(schema: str) -> str:
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


@contextmanager
def fresh_database(request, backend: str, folder: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file in `folder`, or a new PostgreSQL schema
    (dropped afterwards)."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'plans.db'}"
        return
    admin = request.getfixturevalue("pg_admin")
    schema = f"plans_test_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield pg_schema_url(schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    with fresh_database(request, request.param, tmp_path) as url:
        yield url


@pytest.fixture
def db(db_url):
    """A migrated engine on an empty database."""
    eng = store.connect(db_url)
    yield eng
    eng.dispose()
