"""How ingestion cost grows with the work: generated corpora of N plans, per stage, direct and
through the Prefect folder flow, on SQLite and PostgreSQL, first load and unchanged
re-ingestion, next to pdfplumber's bare extract_text() on the same PDFs.

    python bench/scale.py [--sizes 10,100] [--configs sqlite:direct,postgresql:direct,...]
    python bench/scale.py --sizes 10,100,500            # the full run (~30 min on 2 cores)

For each N, bench/corpus.py writes N plans (text, DOCX, PDF variants of the samples and one
~200-page PDF) under bench/out/corpus-N. Every measurement runs in a fresh process (so peak
memory is its own): the bare baseline, then each configuration — first load of the corpus
into an empty database, then the same corpus again (unchanged: skipped by SHA-256).
Prints the tables and writes bench/out/scale.json and bench/out/scale.md.

Targets: end-to-end time of the PDFs ≤ 1.5x the bare extract_text() of the same PDFs;
unchanged re-ingestion ≤ 5% of the first load; peak memory flat in N; cost linear in pages.
PostgreSQL: PLANS_BENCH_PG_URL, else PLANS_TEST_PG_URL, else the local test database; each
run gets a fresh schema, dropped afterwards.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PG_URL = os.environ.get("PLANS_BENCH_PG_URL") or os.environ.get(
    "PLANS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CONFIGS = "sqlite:direct,postgresql:direct,sqlite:flow,postgresql:flow"
STAGES = ("fingerprint", "extract", "find", "load")


# -- measuring, inside a worker process --------------------------------------------------------

def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Tracker:
    """Stage timestamps per file (from flows.steps.listen) and the resident memory sampled
    every 10 ms, attributed to the stage running (single-threaded runs)."""

    NEXT = {"start": "fingerprint", "fingerprint": "extract", "extract": "find",
            "find": "load", "load": "idle", "done": "idle"}

    def __init__(self):
        self.events: dict[str, dict[str, float]] = {}
        self.current = "idle"
        self.peak: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def __call__(self, path: str, stage: str, outcome=None) -> None:
        self.events.setdefault(path, {})[stage] = time.perf_counter()
        self.current = self.NEXT.get(stage, "idle")

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            stage, mb = self.current, rss_mb()
            if mb > self.peak.get(stage, 0):
                self.peak[stage] = mb

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def durations(self, path: str) -> dict[str, float]:
        e = self.events.get(path, {})
        order = ["start", *STAGES]
        out = {}
        for prev, stage in zip(order, order[1:]):
            if prev in e and stage in e:
                out[stage] = e[stage] - e[prev]
        return out


def worker_bare(files: list[str]) -> dict:
    import pdfplumber
    t0 = time.perf_counter()
    pages = 0
    for f in files:
        with pdfplumber.open(f) as pdf:
            for page in pdf.pages:
                page.extract_text()
                pages += 1
    return {"seconds": time.perf_counter() - t0, "pages": pages,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def worker_ingest(corpus: str, db: str, mode: str) -> dict:
    from flows import steps
    t0 = time.perf_counter()
    import extractors
    import pipeline
    sample = next((ROOT / "data/raw/txt").glob("*.txt"))
    pipeline.find_plan(extractors.read(sample))          # spaCy and the gazetteer loaded
    steps.engine(db)                                     # connect and migrate
    result = {"warmup_s": time.perf_counter() - t0}
    files = steps.collect([corpus])
    if mode == "flow":
        from flows import prefect_flows
        t0 = time.perf_counter()
        prefect_flows.run_folder([], db, console_log=False)   # the temporary server starts
        result["server_start_s"] = time.perf_counter() - t0

        def run():
            return prefect_flows.run_folder([corpus], db, console_log=False)
    else:
        def run():
            return steps.ingest_files(files, db, workers=os.cpu_count() or 1)   # as `plans ingest`
    base_mb = rss_mb()
    tracker = Tracker()
    unsubscribe = steps.listen(tracker)
    t0 = time.perf_counter()
    first = run()
    result["first_s"] = time.perf_counter() - t0
    after_first_mb = rss_mb()
    per_file = [{"path": o.path, "status": o.status, "seconds": o.seconds, "tasks": o.tasks,
                 "error": o.error, **tracker.durations(o.path)} for o in first.outcomes]
    tracker.events.clear()
    t0 = time.perf_counter()
    again = run()
    result["again_s"] = time.perf_counter() - t0
    unsubscribe()
    tracker.stop()
    result.update(
        base_mb=base_mb, after_first_mb=after_first_mb, after_again_mb=rss_mb(),
        peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        stage_peak_mb=tracker.peak if mode == "direct" else {},
        first_counts=first.counts(), again_counts=again.counts(), tasks=first.tasks,
        files=per_file)
    return result


# -- running the workers -------------------------------------------------------------------------

def run_worker(args: list[str], env: dict | None = None) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        result_path = f.name
    cmd = [sys.executable, __file__, "--worker", *args, "--result", result_path]
    done = subprocess.run(cmd, cwd=ROOT, env=env or os.environ.copy(), capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    out = json.loads(Path(result_path).read_text())
    os.unlink(result_path)
    return out


def pg_schema(create: bool, schema: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"' if create
                          else f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def run_config(corpus: Path, backend: str, mode: str, tmp: Path) -> dict:
    env = os.environ.copy()
    if mode == "flow":
        home = tmp / f"prefect-{uuid.uuid4().hex[:6]}"
        env.update(PREFECT_HOME=str(home), PREFECT_LOCAL_STORAGE_PATH=str(home / "results"),
                   PREFECT_SERVER_ANALYTICS_ENABLED="false",
                   PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL="CRITICAL")
        env.pop("PREFECT_API_URL", None)
    if backend == "sqlite":
        db = f"sqlite:///{tmp / f'bench-{uuid.uuid4().hex[:8]}.db'}"
        return run_worker(["ingest", str(corpus), db, mode], env)
    schema = f"plans_bench_{uuid.uuid4().hex[:10]}"
    db = pg_schema(True, schema)
    try:
        return run_worker(["ingest", str(corpus), db, mode], env)
    finally:
        pg_schema(False, schema)


# -- reporting ------------------------------------------------------------------------------------

def linear_fit(xs: list[float], ys: list[float]) -> tuple[float, float, float]:
    """Least squares y = a + b x: (a, b, r²)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    b = sxy / sxx if sxx else 0.0
    a = my - b * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys))
    return a, b, 1 - ss_res / ss_tot if ss_tot else 1.0


def summarize(n: int, manifest: list[dict], bare: dict, runs: dict[str, dict]) -> dict:
    pages_of = {e["file"]: e["pages"] for e in manifest}
    pdf_pages = sum(p or 0 for p in pages_of.values())
    rows = []
    for name, r in runs.items():
        files = r["files"]
        pdfs = [f for f in files if f["path"].endswith(".pdf")]
        pdf_s = sum(f["seconds"] for f in pdfs)
        stage_s = {s: sum(f.get(s, 0.0) for f in files) for s in STAGES}
        rows.append(dict(
            config=name, plans=len(files), pdf_pages=pdf_pages, tasks=r["tasks"],
            first_s=r["first_s"], plans_per_s=len(files) / r["first_s"],
            pages_per_s=pdf_pages / pdf_s if pdf_s else None,
            e2e_vs_bare=pdf_s / bare["seconds"] if bare["seconds"] else None,
            again_s=r["again_s"], again_pct=100 * r["again_s"] / r["first_s"],
            peak_mb=r["peak_mb"], growth_mb=r["after_first_mb"] - r["base_mb"],
            stage_s=stage_s, stage_peak_mb=r.get("stage_peak_mb", {}),
            server_start_s=r.get("server_start_s"), warmup_s=r["warmup_s"],
            counts=r["first_counts"], again_counts=r["again_counts"],
            failed=[(Path(f["path"]).name, f["error"]) for f in files if f["status"] == "failed"]))
    fit = None
    direct = next((r for name, r in runs.items() if name.endswith("direct")), None)
    if direct:
        pts = [(pages_of[Path(f["path"]).name], f["extract"] + f.get("find", 0) + f.get("load", 0))
               for f in direct["files"] if f["path"].endswith(".pdf") and "extract" in f]
        if len(pts) >= 3:
            a, b, r2 = linear_fit([p for p, _ in pts], [s for _, s in pts])
            long = [s / p for p, s in pts if p >= 100]
            short = sorted(s / p for p, s in pts if p < 100)
            fit = dict(intercept_s=a, s_per_page=b, r2=r2, long_s_per_page=long[0] if long else None,
                       short_s_per_page=short[len(short) // 2] if short else None)
    return dict(n=n, pdf_files=sum(1 for e in manifest if e["format"] == "pdf"),
                pdf_pages=pdf_pages, bare=bare, rows=rows, fit=fit)


def table(results: list[dict]) -> str:
    head = ("| N | configuration | first load s | plans/s | PDF pages/s | PDF e2e / bare | "
            "re-ingest s (% of first) | peak RSS MB | RSS growth MB |")
    lines = [head, "|" + "---|" * 9]
    for res in results:
        lines.append(f"| {res['n']} | bare pdfplumber extract_text() ({res['pdf_files']} PDFs) | "
                     f"{res['bare']['seconds']:.1f} | | {res['bare']['pages'] / res['bare']['seconds']:.1f}"
                     f" | 1.00 | | {res['bare']['peak_mb']:.0f} | |")
        direct = {r["config"].split()[0]: r for r in res["rows"] if r["config"].endswith("direct")}
        for r in res["rows"]:
            if r["config"].endswith("flow"):   # the flow's per-file times overlap
                same = direct.get(r["config"].split()[0])
                pages = ratio = "—"
                if same:
                    ratio = f"{same['e2e_vs_bare'] * r['first_s'] / same['first_s']:.2f}*"
            else:
                pages, ratio = f"{r['pages_per_s']:.1f}", f"{r['e2e_vs_bare']:.2f}"
            lines.append(
                f"| {res['n']} | {r['config']} | {r['first_s']:.1f} | {r['plans_per_s']:.2f} | "
                f"{pages} | {ratio} | "
                f"{r['again_s']:.2f} ({r['again_pct']:.1f}%) | {r['peak_mb']:.0f} | "
                f"{r['growth_mb']:+.0f} |")
    lines.append("\n\\* flow: the direct run's ratio scaled by the flow's wall time over the "
                 "direct run's (the flow runs files in threads, so its per-file times overlap)")
    return "\n".join(lines)


def stage_table(results: list[dict]) -> str:
    lines = ["| N | configuration | stage | seconds | plans/s | peak RSS MB |", "|" + "---|" * 6]
    for res in results:
        for r in res["rows"]:
            if not r["config"].endswith("direct"):
                continue
            for s in STAGES:
                sec = r["stage_s"][s]
                lines.append(f"| {res['n']} | {r['config']} | {s} | {sec:.2f} | "
                             f"{r['plans'] / sec if sec else 0:.1f} | "
                             f"{r['stage_peak_mb'].get(s, 0):.0f} |")
    return "\n".join(lines)


def notes(results: list[dict]) -> str:
    out = []
    for res in results:
        f = res["fit"]
        if f:
            out.append(f"N={res['n']}: PDF cost = {f['intercept_s']:.2f} s + {f['s_per_page']:.3f} "
                       f"s/page (r² {f['r2']:.3f}); the ~200-page plan {f['long_s_per_page']:.3f} "
                       f"s/page, median of the others {f['short_s_per_page']:.3f} s/page")
        for r in res["rows"]:
            extra = f", Prefect server start {r['server_start_s']:.1f} s (not in the time)" \
                if r["server_start_s"] else ""
            out.append(f"N={res['n']} {r['config']}: first {r['counts']}, again "
                       f"{r['again_counts']}; warm-up {r['warmup_s']:.1f} s{extra}")
            for name, error in r["failed"]:
                out.append(f"  failed {name}: {error}")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10,100", help="corpus sizes (default 10,100; full: 10,100,500)")
    ap.add_argument("--configs", default=CONFIGS, help=f"backend:mode list (default {CONFIGS})")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.worker:
        sys.path.insert(0, str(ROOT))
        kind, *rest = args.worker
        if kind == "bare":
            res = worker_bare(json.loads(Path(rest[0]).read_text()))
        else:
            res = worker_ingest(*rest)
        Path(args.result).write_text(json.dumps(res))
        return

    sys.path.insert(0, str(ROOT / "bench"))
    from corpus import generate

    args.out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    results = []
    for n in [int(s) for s in args.sizes.split(",")]:
        corpus = args.out / f"corpus-{n}"
        manifest = generate(n, corpus, args.seed)
        pdfs = [str(corpus / e["file"]) for e in manifest if e["format"] == "pdf"]
        (tmp / "pdfs.json").write_text(json.dumps(pdfs))
        print(f"N={n}: {len(manifest)} plans, {len(pdfs)} PDFs "
              f"({sum(e['pages'] or 0 for e in manifest)} pages)", flush=True)
        bare = run_worker(["bare", str(tmp / "pdfs.json")])
        print(f"  bare extract_text(): {bare['seconds']:.1f} s", flush=True)
        runs = {}
        for config in args.configs.split(","):
            backend, mode = config.split(":")
            t0 = time.perf_counter()
            runs[f"{backend} {mode}"] = run_config(corpus, backend, mode, tmp)
            print(f"  {backend} {mode}: {time.perf_counter() - t0:.1f} s", flush=True)
        results.append(summarize(n, manifest, bare, runs))
    text = (f"cores: {os.cpu_count()}; sizes: {args.sizes}\n\n{table(results)}\n\n"
            f"Per stage (direct runs; peak RSS while the stage ran):\n\n{stage_table(results)}"
            f"\n\n{notes(results)}\n")
    print("\n" + text)
    (args.out / "scale.md").write_text(text)
    (args.out / "scale.json").write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
