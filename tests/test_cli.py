"""The `plans` command line, driven with typer's test runner (and once as a subprocess).

Reading commands run on a database loaded with the gold plans (no extraction needed);
ingest runs the real extractors and pipeline in-process (--no-flow / one file). The
Prefect path of ingest is tested in test_flows.py, under the Prefect test harness.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gold_plans import fake_document, gold_plans
from plans.cli import app
import store
from store.connection import engine as open_engine
from store.identity import fold

ROOT = Path(__file__).parent.parent
DOCX = sorted((ROOT / "data/raw/docx").glob("*.docx"))
COMMANDS = ["ingest", "list", "show", "tasks", "diff", "export", "review", "serve", "db upgrade"]


def plans(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


def one_error_line(result) -> str:
    """The error output: exactly one line, no traceback."""
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def gold_db(tmp_path_factory):
    """A database holding the five gold plans; 001 also has a second version."""
    url = f"sqlite:///{tmp_path_factory.mktemp('gold') / 'plans.db'}"
    engine = store.connect(url)
    for document, plan in gold_plans():
        store.load(engine, document, plan)
        if plan.document.startswith("001"):
            plan.tasks[0].text += " và báo cáo kết quả"
            plan.tasks.pop()
            store.load(engine, fake_document(plan, salt="edited"), plan)
    engine.dispose()
    return url


def gold_tasks() -> list[dict]:
    return [r for _, p in gold_plans() for r in p.to_records()[1:]]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(name):
    result = plans(*name.split(), "--help")
    assert result.exit_code == 0
    assert "Example" in result.output and "--db" in result.output


def test_list_shows_plans_versions_and_counts(gold_db):
    result = plans("list", "--db", gold_db)
    assert result.exit_code == 0, result.output
    assert "3021/KH-UBND" in result.output and "2 of 2" in result.output
    assert result.output.count("1 of 1") == 4


def test_show_prints_metadata_and_every_task(gold_db):
    result = plans("show", "3229/KH-UBND", "--db", gold_db)
    assert result.exit_code == 0, result.output
    assert "Bình Thuận" in result.output and "37 tasks" in result.output
    assert "Sở Khoa học và Công nghệ" in result.output


def test_tasks_led_by_so_tai_chinh(gold_db):
    expected = [t for t in gold_tasks() if any("so tai chinh" in fold(a) for a in t["lead"])]
    expected = [t for t in expected if not (t["document"].startswith("001"))]
    result = plans("tasks", "--agency", "Sở Tài chính", "--role", "lead", "--json", "--db", gold_db)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and all(any("Tài chính" in a for a in r["lead"]) for r in rows)
    # 001's current version is the edited one: compare on the other plans only
    assert len([r for r in rows if not r["document"].startswith("001")]) == len(expected)
    table = plans("tasks", "--agency", "tai chinh", "--role", "lead", "--db", gold_db)
    assert table.exit_code == 0 and f"{len(rows)} tasks" in table.output


def test_tasks_filters_by_date_kind_and_province(gold_db):
    result = plans("tasks", "--due-before", "2025-06-30", "--kind", "quarter",
                   "--province", "Kon Tum", "--json", "--db", gold_db)
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert all(r["province"] == "Kon Tum" for r in rows)
    assert all(any(d["kind"] == "quarter" and d["due"] <= "2025-06-30" for d in r["deadlines"])
               for r in rows)
    overdue = plans("tasks", "--overdue-on", "2023-01-01", "--json", "--db", gold_db)
    assert overdue.exit_code == 0 and overdue.stdout.strip()


@pytest.mark.parametrize("args, cause", [
    (["--due-before", "30/6/2025"], "is not a date"),
    (["--role", "boss"], "use lead or support"),
    (["--kind", "soon"], "use one of"),
    (["--plan", "no such plan"], "no plan "),
])
def test_tasks_bad_filters_are_one_line(gold_db, args, cause):
    result = plans("tasks", *args, "--db", gold_db)
    assert result.exit_code == 1
    assert cause in one_error_line(result)


def test_diff_between_versions(gold_db):
    result = plans("diff", "3021/KH-UBND", "--db", gold_db)
    assert result.exit_code == 0, result.output
    assert "changed" in result.output and "removed" in result.output
    assert "2 changes" in result.output


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "xlsx"])
def test_export(gold_db, tmp_path, fmt):
    out = tmp_path / f"tasks.{fmt}"
    result = plans("export", "--format", fmt, "--db", gold_db, "-o", out)
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 1000
    if fmt == "jsonl":
        lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert sum("plan" in r for r in lines) == 5
    if fmt == "xlsx":
        import pandas as pd
        assert len(pd.read_excel(out, sheet_name=0)) == len(gold_tasks()) - 1


def test_export_format_from_suffix_and_unknown_format(gold_db, tmp_path):
    assert plans("export", "-o", tmp_path / "t.csv", "--db", gold_db).exit_code == 0
    result = plans("export", "-o", tmp_path / "t.pdf", "--db", gold_db)
    assert result.exit_code == 1 and "unknown format" in one_error_line(result)


def test_review_writes_a_page(gold_db, tmp_path):
    out = tmp_path / "review.html"
    result = plans("review", "3229/KH-UBND", "-o", out, "--db", gold_db)
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.count('<tr class="task') == 37 and '<meta charset="utf-8">' in html


def test_unknown_plan_is_one_line(gold_db):
    result = plans("show", "9999/KH-UBND", "--db", gold_db)
    assert result.exit_code == 1
    assert "no plan " in one_error_line(result)


def test_db_upgrade(tmp_path):
    result = plans("db", "upgrade", "--db", f"sqlite:///{tmp_path / 'new.db'}")
    assert result.exit_code == 0 and "is at revision" in result.output


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://nobody:secret@127.0.0.1:9/plans",
    "sqlite:////nonexistent/folder/plans.db",
    "nosuchdb://x",
])
@pytest.mark.parametrize("command", [["list"], ["ingest", DOCX[0]], ["db", "upgrade"]])
def test_database_that_cannot_connect_is_one_line(url, command):
    result = plans(*command, "--db", url)
    assert result.exit_code == 1
    line = one_error_line(result)
    assert ("cannot open the plans database" in line or "no plans database at" in line)
    assert "secret" not in line


def test_debug_shows_the_traceback():
    result = plans("list", "--db", "nosuchdb://x", "--debug")
    assert result.exit_code == 1 and "Traceback" in result.stderr


def test_serve_without_a_prefect_server_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    result = plans("serve", ROOT / "data/raw/docx", "--db", f"sqlite:///{tmp_path / 's.db'}")
    assert result.exit_code == 1
    assert "PREFECT_API_URL is not set" in result.stderr
    assert "prefect server start" in result.stderr
    assert "export PREFECT_API_URL=http://127.0.0.1:4200/api" in result.stderr
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    result = plans("serve", ROOT / "data/raw/docx", "--db", f"sqlite:///{tmp_path / 's.db'}")
    assert result.exit_code == 1 and "does not answer" in result.stderr


def test_serve_needs_folders(tmp_path):
    result = plans("serve", tmp_path / "missing", "--db", f"sqlite:///{tmp_path / 's.db'}")
    assert result.exit_code == 1 and "not a folder" in one_error_line(result)


# -- ingest, in-process ---------------------------------------------------------------------

def test_ingest_missing_file(tmp_path):
    result = plans("ingest", tmp_path / "nope.docx", "--db", f"sqlite:///{tmp_path / 'p.db'}")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"failed: {tmp_path / 'nope.docx'}: no such file" in result.stderr


def test_ingest_unreadable_file(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not really a PDF" * 10)
    url = f"sqlite:///{tmp_path / 'p.db'}"
    result = plans("ingest", bad, "--db", url)
    assert result.exit_code == 1 and "Traceback" not in result.output
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1 and str(bad) in failed[0]
    runs = open_engine(url).connect().exec_driver_sql(
        "select status, error from ingestion_run").all()
    assert runs[0][0] == "failed" and runs[0][1]
    assert "Traceback" in plans("ingest", bad, "--db", url, "--debug").stderr


def test_ingest_folder_without_plan_files(tmp_path):
    (tmp_path / "notes.xyz").write_text("x")
    result = plans("ingest", tmp_path, "--db", f"sqlite:///{tmp_path / 'p.db'}")
    assert result.exit_code == 1 and "no plan files" in one_error_line(result)


def test_ingest_one_file_then_skip_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    result = plans("ingest", DOCX[1], "--db", url)
    assert result.exit_code == 0, result.output
    assert "loaded" in result.output and "3021/KH-UBND" in result.output
    again = plans("ingest", DOCX[1], "--db", url)
    assert again.exit_code == 0 and "1 skipped" in again.output
    assert "Prefect flow run" not in again.stderr


def test_ingest_in_process_with_a_bad_file_loads_the_rest(tmp_path):
    bad = tmp_path / "bad.docx"
    bad.write_bytes(b"not a zip file")
    url = f"sqlite:///{tmp_path / 'p.db'}"
    result = plans("ingest", *DOCX[:2], bad, "--no-flow", "--db", url)
    assert result.exit_code == 1
    assert "2 loaded, 1 failed" in result.output
    assert sum(line.startswith("failed:") for line in result.stderr.splitlines()) == 1
    assert len(store.list_plans(store.connect(url))) == 2


def test_one_file_ingest_does_not_import_prefect(tmp_path):
    """The analyst's one-file ingest pays no Prefect start-up (subprocess: a clean interpreter)."""
    code = ("import sys\nfrom plans.cli import main\n"
            f"sys.argv = ['plans', 'ingest', {str(DOCX[0])!r}, '--db', "
            f"'sqlite:///{tmp_path / 'p.db'}']\n"
            "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
            "print('PREFECT' if 'prefect' in sys.modules else 'NO-PREFECT', code)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "NO-PREFECT 0", done.stderr


READ_COMMANDS = [["list"], ["show", "3021/KH-UBND"], ["tasks", "--agency", "tai chinh"],
                 ["diff", "3021/KH-UBND"], ["export", "-o", "{tmp}/t.jsonl"],
                 ["review", "3021/KH-UBND", "-o", "{tmp}/r.html"]]
# What reading the database must not pay for: parsing (extractors, pipeline and their NLP and
# PDF libraries), Prefect, and Alembic when the schema is already at its newest revision.
PARSING_STACK = ("extractors.pdf", "extractors.docx", "extractors.text", "pipeline", "underthesea",
                 "spacy", "pandas", "pdfplumber", "pypdfium2", "prefect", "alembic")


def test_read_commands_import_no_parsing_stack(gold_db, tmp_path):
    """list, show, tasks, diff, export and review start without the parsing stack (a clean
    interpreter running each in turn)."""
    commands = [[a.format(tmp=tmp_path) for a in c] + ["--db", gold_db] for c in READ_COMMANDS]
    code = ("import sys\nfrom plans.cli import main\n"
            f"for argv in {commands!r}:\n"
            "    sys.argv = ['plans', *argv]\n"
            "    try:\n        main()\n    except SystemExit as e:\n"
            "        assert not e.code, (argv, e.code)\n"
            f"print('IMPORTED', [m for m in {PARSING_STACK!r} if m in sys.modules])\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "IMPORTED []"


def test_ingest_glob_in_process(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    result = plans("ingest", ROOT / "data/raw/docx/00[01]_*.docx", "--no-flow", "--db", url)
    assert result.exit_code == 0, result.output
    assert "2 files" in result.output and "2 loaded" in result.output


def test_unreachable_prefect_server_falls_back_to_in_process(tmp_path):
    """Several files go through the flow; when Prefect cannot run it, the same steps run
    in-process and a warning says why (with --flow the failure would be the answer)."""
    env = {**os.environ, "PREFECT_API_URL": "http://127.0.0.1:9/api",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    done = subprocess.run([sys.executable, "-m", "plans.cli", "ingest", *map(str, DOCX[:2]),
                           "--db", f"sqlite:///{tmp_path / 'p.db'}"],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "the Prefect flow could not run" in done.stderr and "in-process instead" in done.stderr
    assert "2 loaded" in done.stdout and "Traceback" not in done.stderr
