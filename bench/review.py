"""How fast the review app opens a long plan: run `python bench/review.py [--pages 60]`.

Builds a PDF plan of N pages from the samples' pages (bench/corpus.py long_plan), loads it
into a temporary SQLite database, starts the app in-process (uvicorn on a free loopback port)
and times over HTTP: the plan's review page (all tasks, their corrections and locations; the
page crops are lazy <img>s, not rendered here), one task's page, and one page crop rendered
on request (first: the page rendered; again: from the cache). Target: the review page of a
60-page plan in under 2 s.
"""
from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def timed(url: str, runs: int) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        with urllib.request.urlopen(url) as r:
            size = len(r.read())
        times.append(time.perf_counter() - t0)
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import re

    import uvicorn

    import store
    from corpus import long_plan
    from extractors import read
    from pipeline import find_plan
    from plans.webapp import create_app

    folder = Path(tempfile.mkdtemp(prefix="bench-review-"))
    pdf = folder / "long_plan.pdf"
    pages = long_plan(pdf, args.pages)
    engine = store.connect(f"sqlite:///{folder / 'plans.db'}")
    t0 = time.perf_counter()
    doc = read(pdf)
    result = store.load(engine, doc, find_plan(doc))
    print(f"{pages}-page plan, {result.tasks} tasks, loaded in {time.perf_counter() - t0:.1f} s")

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(engine, "bench"), host="127.0.0.1",
                                           port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    with urllib.request.urlopen(f"{base}/plans/{result.plan_id}") as r:
        html = r.read().decode()
    first = time.perf_counter() - t0
    median, size = timed(f"{base}/plans/{result.plan_id}", args.runs)
    print(f"review page: first {first:.2f} s, median {median:.2f} s of {args.runs} "
          f"({size // 1024} KB, {html.count('<img class=')} lazy crops) — target < 2 s")
    task = re.search(r'href="(/plans/\d+/tasks/\d+)"', html).group(1)
    print(f"task page: median {timed(base + task, args.runs)[0]:.2f} s")
    crop = re.search(r'src="(/plans/\d+/tasks/\d+/source/\d+\.png)"', html).group(1)
    t0 = time.perf_counter()
    urllib.request.urlopen(base + crop).read()
    print(f"page crop: first {time.perf_counter() - t0:.2f} s (page rendered), "
          f"again {timed(base + crop, args.runs)[0]:.2f} s")
    server.should_exit = True


if __name__ == "__main__":
    main()
