"""What Prefect costs and gives here: run `python bench/flows.py [PATH …]` from the repository.

Prints, for the given plan files (default: data/raw/docx and data/raw/pdf):
  * the fixed cost of a one-file `plans ingest` above the extraction itself (fresh processes:
    `plans ingest FILE` minus a script that only imports, extracts and finds the plan), for the
    default in-process path, for --flow without a Prefect server and, when PREFECT_API_URL
    is set, for the flow on that long-lived server;
  * Prefect's import time and the start of its temporary local server (first flow call);
  * per folder run and per file: the folder flow (one worker) against the same steps called
    directly, same files, same process, fresh databases, Prefect's cache bypassed;
  * the folder flow's speed-up from concurrency: 1 worker vs threads vs processes.
Everything runs in a temporary PREFECT_HOME and temporary databases.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def wall(cmd: list[str], env: dict, repeat: int) -> float:
    """Median wall time of a fresh process (it must succeed)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        done = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", default=["data/raw/docx", "data/raw/pdf"])
    ap.add_argument("--repeat", type=int, default=3, help="runs of each one-file timing")
    ap.add_argument("--workers", type=int, default=4, help="threads for the concurrent run")
    ap.add_argument("--copies", type=int, default=2,
                    help="folder runs use this many copies of the files (parsed every time)")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="bench-flows-"))
    os.environ.update(PREFECT_HOME=str(tmp / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
                      PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL="CRITICAL",
                      PREFECT_LOCAL_STORAGE_PATH=str(tmp / "results"))
    server = os.environ.pop("PREFECT_API_URL", None)   # used for one timing only
    env = dict(os.environ)
    from flows import steps
    originals = steps.collect(args.paths)
    one = originals[0]
    files = []
    for k in range(args.copies):
        for f in originals:
            copy = tmp / "files" / str(k) / Path(f).parent.name / Path(f).name
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(f, copy)
            files.append(str(copy))
    n = [0]

    def db() -> str:
        n[0] += 1
        return f"sqlite:///{tmp / f'bench{n[0]}.db'}"

    def report(label: str, value: str) -> None:
        print(f"  {label:<58} {value}", flush=True)

    print(f"one-file timings on {Path(one).name}, median of {args.repeat}:")
    extract_only = wall([sys.executable, "-c",
                         "import sys, extractors, pipeline\n"
                         "pipeline.find_plan(extractors.read(sys.argv[1]))", one], env, args.repeat)
    cli = [sys.executable, "-m", "plans.cli", "ingest", one]
    direct_cli = statistics.median(
        wall(cli + ["--db", db()], env, 1) for _ in range(args.repeat))
    flow_cli = wall(cli + ["--db", db(), "--flow"], env, 1)
    report("python: import + extract + find (the extraction itself)", f"{extract_only:6.2f} s")
    report("plans ingest FILE (in-process, the default for one file)", f"{direct_cli:6.2f} s")
    report("  fixed cost above the extraction", f"{direct_cli - extract_only:6.2f} s")
    report("plans ingest FILE --flow (no server: temporary Prefect server)", f"{flow_cli:6.2f} s")
    report("  fixed cost above the extraction", f"{flow_cli - extract_only:6.2f} s")
    if server:
        served = statistics.median(
            wall(cli + ["--db", db(), "--flow"], {**env, "PREFECT_API_URL": server}, 1)
            for _ in range(args.repeat))
        report("plans ingest FILE --flow, PREFECT_API_URL set (long-lived server)",
               f"{served:6.2f} s")
        report("  fixed cost above the extraction", f"{served - extract_only:6.2f} s")

    # -- in this process: direct steps vs the folder flow, same files ----------------------
    steps.ingest_files([one], db(), force=True)          # warm the parsers' lazy loading
    t0 = time.perf_counter()
    direct = steps.ingest_files(files, db(), force=True)
    t_direct = time.perf_counter() - t0
    assert not direct.failed, [(o.path, o.error) for o in direct.failed]

    t0 = time.perf_counter()
    from flows import prefect_flows
    t_import = time.perf_counter() - t0
    t0 = time.perf_counter()
    prefect_flows.run_folder([], db(), workers=1, console_log=False)
    t_first = time.perf_counter() - t0
    t0 = time.perf_counter()
    prefect_flows.run_folder([], db(), workers=1, console_log=False)
    t_empty = time.perf_counter() - t0

    def flow(**kw) -> float:
        t0 = time.perf_counter()
        s = prefect_flows.run_folder(files, db(), force=True, console_log=False, **kw)
        assert not s.failed, [(o.path, o.error) for o in s.failed]
        return time.perf_counter() - t0

    t_one = flow(workers=1)
    t_threads = flow(workers=args.workers)
    t_procs = flow(workers=os.cpu_count() or 2, runner="processes")
    t0 = time.perf_counter()
    cached = prefect_flows.run_folder(files, db(), console_log=False)  # new database, cache on
    t_cached = time.perf_counter() - t0
    per_file = (t_one - t_empty - t_direct) / len(files)

    print(f"folder runs over {len(files)} files ({args.copies} copies of {len(originals)}), "
          "in this process:")
    report("import prefect (flows.prefect_flows)", f"{t_import:6.2f} s")
    report("first flow run: temporary server start + empty flow", f"{t_first:6.2f} s")
    report("overhead per folder run (empty folder flow, server up)", f"{t_empty:6.2f} s")
    report("direct steps (no Prefect), sequential", f"{t_direct:6.2f} s")
    report("folder flow, 1 worker", f"{t_one:6.2f} s")
    report("  Prefect overhead per file", f"{per_file:6.2f} s")
    report("  Prefect overhead per run, in total", f"{t_one - t_direct:6.2f} s")
    report(f"folder flow, {args.workers} threads", f"{t_threads:6.2f} s  "
           f"(speed-up {t_one / t_threads:.2f}x)")
    report(f"folder flow, {os.cpu_count()} processes", f"{t_procs:6.2f} s  "
           f"(speed-up {t_one / t_procs:.2f}x)")
    report("folder flow, new database, parses cached by Prefect",
           f"{t_cached:6.2f} s  ({cached.counts()})")
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    report("peak memory: this process / largest child process", f"{self_mb:.0f} MB / {kids_mb:.0f} MB")
    print(f"cores: {os.cpu_count()}; temporary files in {tmp}")


if __name__ == "__main__":
    main()
