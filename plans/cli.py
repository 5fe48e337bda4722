"""The `plans` command line: ingest plan files, query and export their tasks, review a plan.

Every command takes --db URL (default: $PLANS_DB_URL, else the SQLite file
data/processed/plans.db) and --debug (show tracebacks). Errors are one line: what failed,
why, what to do. `ingest` and `serve` run the flows in flows/; the other commands read the
database through the store package (its public API). Prefect is imported only when a flow runs.
"""
from __future__ import annotations

import functools
import json
import os
import sys
import time
import traceback
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from extractors.controls import strip_controls
from schemas.plan import DEADLINE_KINDS

# Tables written to a file or a pipe are not cut to 80 columns.
out = Console(highlight=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, highlight=False, soft_wrap=True)

app = typer.Typer(help="Turn Vietnamese provincial plans (Kế hoạch …/KH-UBND) into task data.",
                  no_args_is_help=True, pretty_exceptions_enable=False,
                  add_completion=False, rich_markup_mode="markdown")
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")

Db = Annotated[Optional[str], typer.Option(
    "--db", metavar="URL", show_default=False,
    help="Database URL, e.g. sqlite:///plans.db or postgresql+psycopg://user:pw@host/plans "
         "[default: $PLANS_DB_URL, else data/processed/plans.db]")]
Debug = Annotated[bool, typer.Option("--debug", help="Show the full traceback on errors.")]
PlanRef = Annotated[str, typer.Argument(
    metavar="PLAN", help="Plan id, number (3021/KH-UBND), document name or a title fragment.")]

STATUS_STYLE = {"loaded": "green", "new_version": "cyan", "new_source": "green",
                "unchanged": "dim", "skipped": "dim", "failed": "bold red"}
STAGES = ("fingerprint", "extract", "find", "load")


def shown(text: str) -> str:
    """Text from a plan, a file name or an error, safe to print: terminal escape sequences and
    control characters removed, rich markup escaped. Every such text goes through here."""
    return escape(strip_controls(str(text)))


class Fail(Exception):
    """A user-facing error: the message is the whole story (cause and what to do)."""


def one_line(exc: BaseException) -> str:
    """The readable one-line form of an error."""
    from schemas.document import ExtractionError
    from store import DatabaseError
    if isinstance(exc, (Fail, DatabaseError)):
        return str(exc)
    if isinstance(exc, ExtractionError):
        return f"{exc} — check that the file opens and is a plan (.pdf, .docx, .txt, .md)"
    if isinstance(exc, LookupError):
        return (exc.args[0] if exc.args else str(exc)) + " — see `plans list`"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename or ''}: {exc.strerror}".lstrip(": ")
    if isinstance(exc, ValueError):
        return str(exc)
    return f"{type(exc).__name__}: {exc} (run again with --debug for the traceback)"


def command(fn):
    """Run a command turning any exception into one line on stderr and exit code 1."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit, typer.BadParameter):
            raise
        except KeyboardInterrupt:
            err.print("[red]interrupted[/]")
            raise typer.Exit(130)
        except Exception as exc:
            if kwargs.get("debug"):
                err.print(shown(traceback.format_exc()))
            err.print(f"[bold red]error:[/] {shown(one_line(exc))}")
            raise typer.Exit(1)
    return run


def database(db: str | None, read: bool = False):
    """A connected, migrated engine (raises store.DatabaseError with the cause). read: the
    command only reads, so a SQLite file that does not exist is a mistyped path, not a new
    database."""
    from sqlalchemy.engine import make_url

    from flows import steps
    url = steps.database_url(db)
    path = make_url(url).database if url.startswith("sqlite") else None
    if read and path and path != ":memory:" and not Path(path).exists():
        raise Fail(f"no plans database at {path}; check the path, or load plans first with "
                   f"plans ingest FILES --db {store_url(url)}")
    return steps.engine(url)


def store_url(url: str) -> str:
    """A database URL with its password hidden, for every message."""
    import store
    return store.shown_url(url)


def parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Fail(f"{option} {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-06-30")


def deadline_text(d: dict) -> str:
    """The phrase, then its normalized reading dimmed (rich markup, shown safely)."""
    from schemas.plan import describe_deadline
    return f"{shown(d['raw'])} [dim]({shown(describe_deadline(d))})[/]"


# -- ingest ------------------------------------------------------------------------------------

def use_flow(choice: bool | None, files: list[str]) -> bool:
    """--flow/--no-flow, else the Prefect flow only when a Prefect server is configured
    (PREFECT_API_URL) and there are several files; otherwise the same steps run in-process,
    with no temporary Prefect server (7-15 s, ~400 MB) started for a one-off command.

    One file stays in-process even with a server: importing Prefect and creating a flow run
    cost ~2 s more (measured by bench/flows.py).
    """
    if choice is not None:
        return choice
    return bool(os.environ.get("PREFECT_API_URL")) and len(files) > 1


class Bars:
    """Rich progress: one overall bar, and one bar per file while it is being ingested."""

    def __init__(self, total: int):
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeElapsedColumn)
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(), console=err,
                                 transient=False)
        self.overall = self.progress.add_task("[bold]all files", total=total)
        self.files: dict[str, int] = {}

    def __call__(self, path: str, stage: str, outcome=None) -> None:
        p, name = self.progress, shown(Path(path).name)
        if stage == "start":
            self.files[path] = p.add_task(f"  {name} [dim]{STAGES[0]}[/]", total=len(STAGES))
        elif stage in STAGES and path in self.files:
            done = STAGES.index(stage) + 1
            doing = STAGES[done] if done < len(STAGES) else ""
            p.update(self.files[path], completed=done, description=f"  {name} [dim]{doing}[/]")
        elif stage == "done":
            if path in self.files:
                p.remove_task(self.files.pop(path))
            p.advance(self.overall)


@app.command(epilog="Example: plans ingest data/raw/docx data/raw/pdf/001_*.pdf --db sqlite:///plans.db")
@command
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Plan files, folders (searched recursively) or globs.")],
    db: Db = None,
    flow: Annotated[Optional[bool], typer.Option(
        "--flow/--no-flow", show_default=False,
        help="Run as a Prefect flow (retries, parse cache, run history in Prefect) or "
             "in-process (files parsed by a process pool, this process the one writer). "
             "Default: the flow for several files when PREFECT_API_URL names a Prefect "
             "server, else in-process. --flow without PREFECT_API_URL starts a temporary "
             "Prefect server (~10-15 s). Both run the same steps and record every file in "
             "the ingestion_run table.")] = None,
    workers: Annotated[Optional[int], typer.Option(
        min=1, show_default=False,
        help="Files parsed at once (processes in-process; the flow's task runner's "
             "workers) [default: the number of CPUs].")] = None,
    runner: Annotated[Optional[str], typer.Option(
        metavar="NAME", show_default=False,
        help="Flow concurrency: threads, processes, dask (local cluster) or dask://HOST:8786 "
             "(needs prefect-dask) [default: $PLANS_TASK_RUNNER, else threads].")] = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Parse again even files whose bytes were loaded before.")] = False,
    debug: Debug = False,
):
    """Load plan files into the database: new plans, new versions of changed plans; files
    loaded before are skipped. Exit code 1 if any file failed."""
    from flows import steps
    from store import DatabaseError
    if runner and runner not in ("threads", "processes", "dask") and not runner.startswith("dask://"):
        raise typer.BadParameter(f"{runner!r}: use threads, processes, dask or dask://HOST:PORT",
                                 param_hint="'--runner'")
    url = steps.database_url(db)
    files = steps.collect(paths)
    if not files:
        raise Fail(f"no plan files (.pdf, .docx, .txt, .md, .doc, .odt) in {' '.join(paths)}")
    database(url)                      # a database that cannot be opened stops here
    workers = workers or os.cpu_count() or 1
    t0 = time.perf_counter()
    bars = Bars(len(files))
    stop = steps.listen(bars)
    try:
        with bars.progress:
            summary = None
            if use_flow(flow, files):
                try:
                    summary = run_flow(paths, url, workers=workers, runner=runner,
                                       force=force, debug=debug)
                except DatabaseError:
                    raise
                except Exception as exc:
                    if flow:                # --flow asked for Prefect: its failure is the answer
                        raise
                    err.print(f"[yellow]warning:[/] the Prefect flow could not run "
                              f"({shown(one_line(exc))}); ingesting in-process instead")
            if summary is None:
                summary = steps.ingest_files(files, url, trigger="cli", force=force,
                                             workers=workers)
                summary.removed = steps.removed(url, paths)
    finally:
        stop()
    summary.seconds = time.perf_counter() - t0   # wall time, Prefect's start-up included
    show_summary(summary, debug)
    if summary.failed:
        raise typer.Exit(1)


def run_flow(paths, url, *, workers, runner, force, debug):
    # Failed files are reported below, so Prefect's own console log (the run history keeps
    # everything) is shown only with --debug. No telemetry (read when Prefect is imported).
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from flows import prefect_flows
    from flows.orphans import server_log
    try:
        summary = prefect_flows.run_folder(paths, url, trigger="cli", force=force,
                                           workers=workers, runner=runner, console_log=debug)
    except RuntimeError as exc:
        if "ephemeral" not in str(exc):
            raise
        raise Fail(f"{exc} Its log: {server_log()}") from exc
    where = os.environ.get("PREFECT_API_URL") or "Prefect's temporary local server"
    err.print(f"[dim]Prefect flow run {summary.run_id} ({where})[/]")
    return summary


def show_summary(summary, debug: bool) -> None:
    table = Table(title=None, show_lines=False)
    for col, kw in (("File", {"overflow": "fold"}), ("Plan", {"overflow": "fold"}), ("Tasks", {"justify": "right"}),
                    ("Status", {}), ("Version", {"justify": "right"}),
                    ("Time", {"justify": "right"})):
        table.add_column(col, **kw)
    for o in summary.outcomes:
        style = STATUS_STYLE.get(o.status, "")
        table.add_row(shown(o.path), shown(o.plan or "—"), str(o.tasks) if o.plan else "—",
                      f"[{style}]{o.status.replace('_', ' ')}[/]",
                      str(o.version) if o.version else "—", f"{o.seconds:.1f} s")
    out.print(table)
    counts = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in summary.counts().items())
    out.print(f"{len(summary.outcomes)} files in {summary.seconds:.1f} s: {counts}; "
              f"{summary.tasks} tasks")
    for p in summary.removed:
        out.print(f"[yellow]removed:[/] {shown(p)} was loaded before and is no longer there "
                  "(its plan stays in the database)")
    for o in summary.failed:
        if debug and o.trace:
            err.print(shown(o.trace))
        err.print(f"[bold red]failed:[/] {shown(o.path)}: {shown(o.error or '')}")
    if summary.failed:
        err.print(f"{len(summary.failed)} file(s) failed; fix or remove them and run again "
                  "(files already loaded are skipped)")


# -- reading -------------------------------------------------------------------------------

@app.command("list", epilog="Example: plans list --db sqlite:///plans.db")
@command
def list_(db: Db = None, debug: Debug = False):
    """The plans in the database: current version, task counts, last loaded."""
    import store
    plans = store.list_plans(database(db, read=True))
    if not plans:
        out.print("No plans yet. Load some with: plans ingest data/raw/docx")
        return
    table = Table()
    for col in ("Id", "Number", "Province", "Title", "Version", "Tasks", "Sources", "Last loaded"):
        table.add_column(col, **({"ratio": 1} if col == "Title" else {"no_wrap": True}))
    for p in plans:
        loaded = p["last_loaded"]
        table.add_row(str(p["id"]), shown(p["number"] or "") or f"[dim]{shown(p['label'])}[/]",
                      shown(p["province"] or "—"), shown(_short(p["title"], 90)),
                      f"{p['version']} of {p['versions']}", str(p["tasks"]), str(p["sources"]),
                      loaded.strftime("%Y-%m-%d %H:%M") if loaded else "—")
    out.print(table)


def _short(text: str | None, n: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


@app.command(epilog="Example: plans show 3021/KH-UBND --version 1")
@command
def show(plan: PlanRef, version: Annotated[Optional[int], typer.Option(
        help="Version to show [default: current].")] = None, db: Db = None, debug: Debug = False):
    """A plan's metadata and its tasks (code, task, lead, support, deadline)."""
    import store
    engine = database(db, read=True)
    records = store.plan_records(engine, plan, version, marks=True)
    meta, tasks = records[0]["plan"], records[1:]
    out.print(f"[bold]{shown(meta.get('title') or records[0]['document'])}[/]")
    for label, key in (("Province", "province"), ("Number", "number"), ("Issued", "issued"),
                       ("Signer", "signer")):
        out.print(f"  {label}: {shown(str(meta.get(key) or '—'))}")
    out.print(f"  Document: {shown(records[0]['document'])}; {len(tasks)} tasks")
    out.print(task_table(tasks))


def task_table(tasks: list[dict], with_plan: bool = False) -> Table:
    table = Table(show_lines=True)
    if with_plan:
        table.add_column("Plan", no_wrap=True)
    as_named = bool(tasks) and "as_named" in tasks[0]
    if as_named:
        table.add_column("As named", ratio=1)
    for col, kw in (("Code", {"no_wrap": True}), ("Task", {"ratio": 3}), ("Lead", {"ratio": 1}),
                    ("Support", {"ratio": 1}), ("Deadline", {"ratio": 1})):
        table.add_column(col, **kw)
    for t in tasks:
        fixed = t.get("corrected") or []
        mark = lambda field: "\n[green]✎ corrected[/]" if field in fixed else ""
        row = [shown(t["code"]) + ("\n[green]✎ added[/]" if "add" in fixed else ""),
               shown(_short(t["text"], 300)) + mark("text"),
               (shown("\n".join(t["lead"])) or "[red]—[/]") + mark("lead"),
               shown("\n".join(t["support"])) + mark("support"),
               ("\n".join(deadline_text(d) for d in t["deadlines"]) or "[red]—[/]")
               + mark("deadlines")]
        named = ["\n".join(f"{shown(a['agency'])} [dim]({shown(a['province'] or 'central')}, "
                           f"{a['role']})[/]" for a in t["as_named"])] if as_named else []
        table.add_row(*([shown(t["plan_label"])] if with_plan else []), *named, *row)
    return table


@app.command(epilog='Example: plans tasks --agency "Sở Tài chính" --province "Lâm Đồng" --with-predecessors')
@command
def tasks(
    agency: Annotated[Optional[str], typer.Option(
        help="Agency name or alias, any part, accents optional (\"tai chinh\").")] = None,
    role: Annotated[Optional[str], typer.Option(help="lead (chủ trì) or support (phối hợp).")] = None,
    due_before: Annotated[Optional[str], typer.Option(help="A deadline due on or before YYYY-MM-DD.")] = None,
    due_after: Annotated[Optional[str], typer.Option(help="A deadline due on or after YYYY-MM-DD.")] = None,
    kind: Annotated[Optional[str], typer.Option(
        help=f"Deadline kind: {', '.join(DEADLINE_KINDS)}.")] = None,
    overdue_on: Annotated[Optional[str], typer.Option(
        help="A deadline due before YYYY-MM-DD (overdue on that day).")] = None,
    province: Annotated[Optional[str], typer.Option(help="Province name, accents optional.")] = None,
    plan: Annotated[Optional[str], typer.Option(help="Only this plan (id, number, document, title).")] = None,
    with_predecessors: Annotated[bool, typer.Option(
        "--with-predecessors",
        help="With --agency: also the tasks of the bodies it succeeded (the 2025 mergers: "
             "Sở Kế hoạch và Đầu tư for Sở Tài chính, the merged provinces' bodies); "
             "--province is then the successor's province. Each row says the name the plan used.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of a table.")] = False,
    db: Db = None, debug: Debug = False,
):
    """Tasks of the current plan versions matching every filter given, with the analysts'
    corrections applied (corrected fields are marked; --json: the "corrected" field)."""
    import store
    from schemas.plan import ROLES
    if role and role not in ROLES:
        raise Fail(f"--role {role!r}: use lead or support")
    if kind and kind not in DEADLINE_KINDS:
        raise Fail(f"--kind {kind!r}: use one of {', '.join(DEADLINE_KINDS)}")
    if with_predecessors and not agency:
        raise Fail("--with-predecessors needs --agency, e.g. --agency \"Sở Tài chính\"")
    rows = store.query_tasks(
        database(db, read=True), agency=agency, role=role, due_before=parse_day(due_before, "--due-before"),
        due_after=parse_day(due_after, "--due-after"), kind=kind,
        overdue_on=parse_day(overdue_on, "--overdue-on"), province=province, plan=plan,
        with_predecessors=with_predecessors)
    if as_json:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False, default=str))
        return
    if rows:
        out.print(task_table(rows, with_plan=True))
    out.print(f"{len(rows)} tasks")


def parse_days(value: str | None) -> int | None:
    """"30d", "30" (days), "6w" (weeks) → days."""
    if value is None:
        return None
    import re
    m = re.fullmatch(r"\s*(\d+)\s*([dw]?)\s*", value)
    if not m:
        raise Fail(f"--within {value!r}: write a number of days or weeks, e.g. 30d or 6w")
    return int(m.group(1)) * (7 if m.group(2) == "w" else 1)


def due_row(r: dict) -> dict:
    """A row of `plans due` for Excel."""
    from schemas.plan import describe_deadline
    named = "; ".join(f"{a['agency']} ({a['province'] or 'central'}, {a['role']})"
                      for a in r.get("as_named", []))
    return {"due": r.get("next_due"), "days_left": r.get("days_left"), "province": r["province"],
            "plan": r["plan_number"] or r["document"], "code": r["code"], "task": r["text"],
            "lead": "; ".join(r["lead"]), "support": "; ".join(r["support"]),
            **({"as_named": named} if "as_named" in r else {}),
            "deadline": r["deadline"]["raw"] if "deadline" in r else
            "; ".join(d["raw"] for d in r["deadlines"]),
            "reading": describe_deadline(r["deadline"], details=True) if "deadline" in r else ""}


@app.command(epilog='Example: plans due --within 30d --agency "Sở Tài chính" --province "Lâm Đồng" '
                    '--with-predecessors -o due.xlsx')
@command
def due(
    within: Annotated[Optional[str], typer.Option(help="Only what falls due within this many days (30d) or weeks (6w).")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Deadlines already past (before --today) instead.")] = False,
    agency: Annotated[Optional[str], typer.Option(help="Agency name or alias, any part, accents optional.")] = None,
    role: Annotated[Optional[str], typer.Option(help="lead (chủ trì) or support (phối hợp).")] = None,
    province: Annotated[Optional[str], typer.Option(help="Province name, accents optional.")] = None,
    with_predecessors: Annotated[bool, typer.Option(
        "--with-predecessors", help="With --agency: also the bodies it succeeded (see plans tasks).")] = False,
    today: Annotated[Optional[str], typer.Option(help="The day to count from, YYYY-MM-DD [default: today].")] = None,
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="Also write an Excel workbook (.xlsx).")] = None,
    db: Db = None, debug: Debug = False,
):
    """Tasks by due date across the current plan versions: dated deadlines, recurring ones at
    their next occurrence; ongoing tasks ("thường xuyên") listed apart."""
    import store
    if with_predecessors and not agency:
        raise Fail("--with-predecessors needs --agency, e.g. --agency \"Sở Tài chính\"")
    if role and role not in ("lead", "support"):
        raise Fail(f"--role {role!r}: use lead or support")
    if output and output.suffix.lower() != ".xlsx":
        raise Fail(f"-o {output}: the due list is written as Excel; name the file .xlsx")
    day = parse_day(today, "--today") or date.today()
    dated, apart = store.due_tasks(
        database(db, read=True), day, within_days=parse_days(within), overdue=overdue,
        agency=agency, role=role, province=province, with_predecessors=with_predecessors)
    table = Table(show_lines=True, title=f"{'Overdue on' if overdue else 'Due from'} {day}")
    for col, kw in (("Due", {"no_wrap": True}), ("Plan", {"no_wrap": True}), ("Code", {"no_wrap": True}),
                    ("Task", {"ratio": 3}), ("Lead", {"ratio": 1}), ("Deadline", {"ratio": 1})):
        table.add_column(col, **kw)
    for r in dated:
        table.add_row(f"{r['next_due']}\n[dim]{r['days_left']:+d} d[/]",
                      shown(r["plan_number"] or r["document"]), shown(r["code"]),
                      shown(_short(r["text"], 200)), shown("\n".join(r["lead"])) or "[red]—[/]",
                      deadline_text(r["deadline"]))
    if dated:
        out.print(table)
    out.print(f"{len(dated)} {'overdue' if overdue else 'due'} deadlines"
              + ("" if overdue else f"; {len(apart)} ongoing tasks listed apart"
                 + (" (-o writes them)" if apart and not output else "")))
    if output:
        n = store.write_sheets({"Due": [due_row(r) for r in dated],
                                "Ongoing": [due_row(r) for r in apart]}, output)
        out.print(f"wrote {n} rows to {shown(str(output))}")


@app.command(epilog='Example: plans agencies --province "Lâm Đồng"')
@command
def agencies(
    province: Annotated[Optional[str], typer.Option(
        help="Only this province's bodies (their own province or their successor's), accents optional.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines instead of a table.")] = False,
    db: Db = None, debug: Debug = False,
):
    """Agencies with their task counts in the current plans as lead and as support, their
    spellings (aliases) and the body that succeeded them (the 2025 mergers)."""
    import store
    rows = store.list_agencies(database(db, read=True), province)
    if as_json:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False))
        return
    table = Table(show_lines=False)
    for col, kw in (("Agency", {"ratio": 2}), ("Province", {"no_wrap": True}), ("Kind", {}),
                    ("Lead", {"justify": "right"}), ("Support", {"justify": "right"}),
                    ("Aliases", {"ratio": 2}), ("Successor", {"ratio": 2})):
        table.add_column(col, **kw)
    for r in rows:
        after = (f"{shown(r['successor'])} [dim]({shown(r['successor_province'] or 'central')}, "
                 f"{r['successor_since']})[/]") if r["successor"] else ""
        table.add_row(shown(r["name"]), shown(r["province"] or "central"), r["kind"],
                      str(r["lead_tasks"]), str(r["support_tasks"]),
                      shown("; ".join(r["aliases"])), after)
    if rows:
        out.print(table)
    out.print(f"{len(rows)} agencies")


@app.command(epilog="Example: plans diff 3021/KH-UBND --old 1 --new 2")
@command
def diff(plan: PlanRef,
         old: Annotated[Optional[int], typer.Option(help="Old version [default: the one before new].")] = None,
         new: Annotated[Optional[int], typer.Option(help="New version [default: current].")] = None,
         db: Db = None, debug: Debug = False):
    """What changed between two versions of a plan: tasks added, removed, changed."""
    import store
    engine = database(db, read=True)
    changes = store.diff(engine, plan, old, new)
    if not changes:
        out.print("No differences (or the plan has one version only).")
        return
    table = Table(show_lines=True)
    for col in ("Change", "Code", "Task", "Fields"):
        table.add_column(col)
    colors = {"added": "green", "removed": "red", "changed": "yellow"}
    for c in changes:
        fields = "\n".join(
            f"{k}: {_short(json.dumps(v['old'], ensure_ascii=False), 60)} → "
            f"{_short(json.dumps(v['new'], ensure_ascii=False), 60)}" for k, v in c.fields.items())
        table.add_row(f"[{colors.get(c.kind, '')}]{c.kind}[/]", shown(c.code),
                      shown(_short(c.text, 200)), shown(fields))
    out.print(table)
    out.print(f"{len(changes)} changes")


@app.command(epilog="Example: plans export --format xlsx -o tasks.xlsx --plan 3021/KH-UBND; "
                     "plans export -f csv -o - | head")
@command
def export(
    output: Annotated[Path, typer.Option(
        "-o", "--output", help="File to write; - writes to standard output (xlsx only to a "
                               "pipe or a file, never to a terminal).")],
    fmt: Annotated[Optional[str], typer.Option(
        "--format", "-f", help="jsonl (§5 records), csv, xlsx, or gold (-o is a folder: one §5 "
        "file per plan, as tests/gold) [default: from the file's suffix, else jsonl].")] = None,
    plan: Annotated[Optional[str], typer.Option(help="Only this plan [default: all plans].")] = None,
    db: Db = None, debug: Debug = False,
):
    """Write the current versions' tasks, corrections applied, to JSON Lines, CSV, Excel or
    gold files (CSV and Excel have a "corrected" column naming the corrected fields)."""
    import shutil
    import tempfile

    import store
    to_stdout = str(output) == "-"
    suffix = "" if to_stdout else output.suffix.lstrip(".").lower()
    if fmt and suffix in store.EXPORT_FORMATS and fmt.lower() != suffix:
        raise typer.BadParameter(f"{fmt} contradicts the file name {output.name}; "
                                 f"drop --format or name the file *.{fmt.lower()}",
                                 param_hint="'--format'")
    fmt = (fmt or suffix or "jsonl").lower()
    if fmt not in store.EXPORT_FORMATS:
        raise Fail(f"unknown format {fmt!r}; use --format {', '.join(store.EXPORT_FORMATS)}")
    if to_stdout and (fmt == "gold" or fmt == "xlsx" and sys.stdout.isatty()):
        raise typer.BadParameter("gold files go to a folder (-o DIR)" if fmt == "gold" else
                                 "an Excel workbook is binary: redirect it (> tasks.xlsx) or "
                                 "name a file (-o tasks.xlsx)", param_hint="'-o -'")
    engine = database(db, read=True)
    if not to_stdout:
        n = store.export(engine, fmt, output, plan=plan)
        unit = {"jsonl": "lines", "gold": "plan files"}.get(fmt, "task rows")
        out.print(f"wrote {n} {unit} to {shown(str(output))}")
    else:
        with tempfile.TemporaryDirectory() as folder:   # the same bytes as the file would hold
            written = Path(folder) / f"tasks.{fmt}"
            store.export(engine, fmt, written, plan=plan)
            with open(written, "rb") as f:
                sys.stdout.flush()
                shutil.copyfileobj(f, sys.stdout.buffer)
            sys.stdout.buffer.flush()
    unmatched = store.list_corrections(engine, unmatched=True)
    if unmatched:
        err.print(f"[yellow]warning:[/] {len(unmatched)} correction(s) no longer find their task "
                  "(see `plans corrections --unmatched`)")


@app.command(epilog="Example: plans review 3021/KH-UBND -o review.html")
@command
def review(plan: PlanRef,
           output: Annotated[Optional[Path], typer.Option(
               "-o", "--output", help="HTML file [default: DOCUMENT.review.html in the current "
                                          "folder, DOCUMENT being the plan's document name].")] = None,
           version: Annotated[Optional[int], typer.Option(help="Version [default: current].")] = None,
           db: Db = None, debug: Debug = False):
    """Write a self-contained HTML page to check a plan's tasks against the document."""
    from plans.review import render
    import store
    engine = database(db, read=True)
    records = store.plan_records(engine, plan, version)
    output = output or Path(f"{records[0]['document']}.review.html")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(records, version=version), encoding="utf-8")
    out.print(f"wrote {shown(str(output))} ({len(records) - 1} tasks); open "
              f"{output.resolve().as_uri()}")


@app.command("serve-review", epilog="Example: plans serve-review --port 8765   (then open http://127.0.0.1:8765)")
@command
def serve_review(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback only, unless --allow-remote).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port.")] = 8765,
    allow_remote: Annotated[bool, typer.Option(
        "--allow-remote", help="Allow a non-loopback --host: anyone who reaches it can correct plans.")] = False,
    analyst: Annotated[Optional[str], typer.Option(
        help="Name recorded with each correction [default: the login name].")] = None,
    db: Db = None, debug: Debug = False,
):
    """Serve the review-and-correct web app: each task beside its source (the PDF page
    region, or the paragraph or table row), forms to correct lead, support, deadlines and
    text, delete a wrong task, add a missed one and mark a plan reviewed."""
    import getpass
    import ipaddress

    import uvicorn

    from plans.webapp import create_app
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not allow_remote:
        raise Fail(f"--host {host} is not a loopback address: the app has no login, anyone who "
                   "reaches it can change corrections; add --allow-remote to serve it anyway")
    engine = database(db, read=True)
    app_ = create_app(engine, analyst or getpass.getuser(), remote=not loopback)
    out.print(f"review app on http://{host}:{port}/ (Ctrl-C stops)")
    uvicorn.run(app_, host=host, port=port, log_level="warning")


@app.command(epilog="Example: plans corrections 3021/KH-UBND --unmatched")
@command
def corrections(plan: Annotated[Optional[str], typer.Argument(
                    metavar="[PLAN]", help="Only this plan [default: all].")] = None,
                unmatched: Annotated[bool, typer.Option(
                    "--unmatched", help="Only the corrections whose task is gone.")] = False,
                db: Db = None, debug: Debug = False):
    """The analysts' corrections: who changed what, when and why; unmatched ones flagged."""
    import store
    engine = database(db, read=True)
    rows = store.list_corrections(engine, store.resolve_plan(engine, plan) if plan else None,
                                  unmatched=unmatched)
    table = Table(show_lines=True)
    for col in ("Id", "Plan", "Code", "Field", "New value", "By", "When", "Why", "Status"):
        table.add_column(col)
    for c in rows:
        status = c["status"] if c["matched"] else "[bold red]unmatched[/]"
        new = c["new"] if isinstance(c["new"], str) else json.dumps(c["new"], ensure_ascii=False)
        table.add_row(str(c["id"]), str(c["plan_id"]), shown(c["code"] or ""), c["field"],
                      shown(_short(new, 120)), shown(c["author"]),
                      c["created_at"].strftime("%Y-%m-%d %H:%M"), shown(c["reason"] or ""), status)
    out.print(table)
    out.print(f"{len(rows)} corrections")


@db_app.command(epilog="Example: plans db upgrade --db postgresql+psycopg://plans@dbhost/plans")
@command
def upgrade(db: Db = None, debug: Debug = False):
    """Create the database or upgrade it to the newest schema."""
    import store
    from flows import steps
    url = steps.database_url(db)
    rev = store.upgrade(url)
    out.print(f"database {shown(store_url(url))} is at revision {rev}")


@db_app.command(epilog="Example: plans db successions --file store/successions.tsv")
@command
def successions(
    file: Annotated[Optional[Path], typer.Option(
        "--file", help="Successions file [default: store/successions.tsv].")] = None,
    db: Db = None, debug: Debug = False,
):
    """Load which body succeeded which (the 2025 mergers) into the database, replacing what
    was there: run it again after editing the file."""
    import store
    n = store.load_successions(database(db), *([file] if file else []))
    out.print(f"loaded {n} successions")


# -- schedule ----------------------------------------------------------------------------------

SERVER_HELP = """Schedules need a long-lived Prefect server (the temporary one never runs them):
  prefect server start                      # in another terminal (or as a service)
  export PREFECT_API_URL=http://127.0.0.1:4200/api
  plans serve {folders} --cron "{cron}"{db}"""


def prefect_server() -> str | None:
    """PREFECT_API_URL if it is set and the server answers, else None."""
    import urllib.request
    api = os.environ.get("PREFECT_API_URL")
    if not api:
        return None
    try:
        with urllib.request.urlopen(api.rstrip("/") + "/health", timeout=5) as r:
            return api if r.status == 200 else None
    except OSError:
        return None


@app.command(epilog='Example: plans serve data/raw --cron "0 2 * * *"   (every night at 02:00)')
@command
def serve(
    folders: Annotated[list[str], typer.Argument(help="Folders to ingest on every run.")],
    cron: Annotated[str, typer.Option(help="Cron schedule (server's time zone: UTC unless set).")] = "0 2 * * *",
    name: Annotated[str, typer.Option(help="Deployment name.")] = "nightly",
    db: Db = None, debug: Debug = False,
):
    """Serve a scheduled re-ingestion of folders (needs a Prefect server): new files are
    loaded, changed files become new versions, removed files are reported, unchanged files
    are skipped. Runs until stopped (Ctrl-C)."""
    from flows import steps
    missing = [f for f in folders if not Path(f).is_dir()]
    if missing:
        raise Fail(f"not a folder: {', '.join(missing)}")   # shown by command()
    url = steps.database_url(db)
    database(url)
    if prefect_server() is None:
        api = os.environ.get("PREFECT_API_URL")
        why = (f"the Prefect server at {api} does not answer" if api
               else "PREFECT_API_URL is not set")
        err.print(f"[bold red]error:[/] {why}. " + SERVER_HELP.format(
            folders=shown(" ".join(folders)), cron=shown(cron), db=f" --db {store_url(db)}" if db else ""))
        raise typer.Exit(1)
    from flows import prefect_flows
    paths = [str(Path(f).resolve()) for f in folders]
    out.print(f"serving '{prefect_flows.ingest_folder.name}/{name}' on cron '{cron}' over "
              f"{shown(', '.join(paths))}; Ctrl-C stops. Run it now with: "
              f"prefect deployment run 'ingest-folder/{name}'")
    # The URL (and its password) stays out of the deployment's parameters, which the server's
    # API shows to anyone: the runs this process starts read it from its environment.
    os.environ["PLANS_DB_URL"] = url
    prefect_flows.ingest_folder.serve(name=name, cron=cron, parameters={
        "paths": paths, "trigger": "schedule"})


def show_version(value: bool) -> None:
    if value:
        from importlib.metadata import version
        out.print(f"plans {version('plans')}")
        raise typer.Exit()


@app.callback()
def options(version: Annotated[bool, typer.Option(
        "--version", callback=show_version, is_eager=True, help="Print the version and exit.")] = False):
    """Turn Vietnamese provincial plans (Kế hoạch …/KH-UBND) into task data."""


def main() -> None:
    app()


if __name__ == "__main__":
    main()
