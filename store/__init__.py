"""The plans database: connect and migrate, identity, load, query, diff, export.

    import store
    engine = store.connect()                 # PLANS_DB_URL, else data/processed/plans.db
    if store.find_source(engine, doc.sha256) is None:
        result = store.load(engine, doc, plan, trigger="cli")
    store.export(engine, "jsonl", Path("out/tasks.jsonl"))
    store.correct(engine, task_id, {"lead": ["Sở Tài chính"]}, author="an", reason="…")

The names below are the store's public API: code outside store/ (flows/, plans/) uses only
these, never the tables (store.db_tables) nor the modules behind them. docs/schema.md
documents the tables and views.
"""
from store.changes import TaskChange
from store.corrections import add_task, correct, mark_reviewed
from store.connection import DatabaseError, connect, default_url, shown_url, upgrade
from store.due import due_tasks, next_occurrence
from store.exporters import EXPORT_FORMATS, export, write_sheets
from store.identity import plan_label
from store.loading import LoadResult, current_since, find_source, load, record_run
from store.successions import load_successions
from store.reading import (diff, list_agencies, list_corrections, list_plans, loaded_paths,
                           plan_records, query_tasks, resolve_plan, review, task_location)

__all__ = ["EXPORT_FORMATS", "DatabaseError", "LoadResult", "TaskChange", "add_task", "connect",
           "correct", "current_since", "default_url", "diff", "due_tasks", "export", "find_source",
           "list_agencies", "list_corrections", "list_plans", "load", "load_successions",
           "loaded_paths", "mark_reviewed", "next_occurrence", "plan_label", "plan_records",
           "query_tasks", "record_run", "resolve_plan", "review", "shown_url", "task_location",
           "upgrade", "write_sheets"]
