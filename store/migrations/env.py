"""Alembic environment for the plans database.

Run through store.upgrade()/connect(), which hand over an open connection in
`config.attributes["connection"]`, or from the command line (`alembic -c store/alembic.ini
upgrade head`), which opens PLANS_DB_URL (else the default SQLite file).
"""
from logging.config import fileConfig

from alembic import context
from sqlalchemy import text

from store.connection import engine as open_engine, write_transaction
from store.db_tables import metadata

MIGRATION_LOCK = 472_215_001  # PostgreSQL advisory lock: one migrating process at a time


def run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    if context.config.config_file_name:
        fileConfig(context.config.config_file_name, disable_existing_loggers=False)
    engine = open_engine(context.config.get_main_option("sqlalchemy.url") or None)
    with write_transaction(engine) as conn:
        run(conn)
    engine.dispose()
