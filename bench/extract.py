"""Issue 13's speed targets in one run, next to bare pdfplumber and pdfium on the same files.

    python bench/extract.py [--repeat N] [--no-ocr] [--quick]

1. PDF extraction over every corpus PDF (data/raw/pdf, and ../shared/corpus/real/pdf when
   present): bare pdfium `get_text_range()`, bare pdfplumber `extract_text()`, our reader
   (pdfium, with pdfplumber's table finder on pdfium's edges) and our reference reader
   (pdfplumber on every page).
   Target: ours ≥ 3× faster than bare extract_text(). Best of N runs, alternating.
2. `plans ingest` of the PDF folder in-process (fresh process, parsers warmed up, SQLite) with
   1 and 2 workers. Targets: one worker ≤ 0.6× bare extract_text(); 2 workers ≥ 0.7·2 times
   one worker's throughput.
3. Fixed cost of a one-file `plans ingest` above its extraction (≤ 1.5 s); `plans list`
   start-up (≤ 0.5 s); peak memory reading a 200-page PDF (≤ 200 MB).
DOCX and text: files/s. Scanned: OCR pages/s (one run). The Prefect flow figures (flow
against direct at N = 100, unchanged re-ingest) come from bench/scale.py.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RAW = ROOT / "data" / "raw"
REAL = ROOT.parent / "shared" / "corpus" / "real" / "pdf"


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bare_pdfplumber(files: list[Path]) -> None:
    import pdfplumber
    for f in files:
        with pdfplumber.open(f) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.close()


def bare_pdfium(files: list[Path]) -> None:
    import pypdfium2 as pdfium
    for f in files:
        pdf = pdfium.PdfDocument(str(f))
        for page in pdf:
            page.get_textpage().get_text_range()
        pdf.close()


def ours(files: list[Path], reader: str | None = None) -> int:
    from extractors import read
    from extractors.pdf import read_pdf
    if reader:
        return sum(read_pdf(f, reader=reader).pages or 0 for f in files)
    return sum(read(f).pages or 0 for f in files)


def fresh(code: str, *args: str) -> dict:
    """Run code in a fresh interpreter; it prints one JSON line last."""
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True,
                          text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    if done.returncode != 0:
        raise SystemExit(f"bench step failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


INGEST = """
import json, sys, time
from flows import steps
import extractors, pipeline
pipeline.find_plan(extractors.read(sys.argv[3]))     # parsers loaded
steps.engine(sys.argv[2])                            # connect and migrate
files = json.loads(sys.argv[1])
t0 = time.perf_counter()
summary = steps.ingest_files(files, sys.argv[2], workers=int(sys.argv[4]))
print(json.dumps({"seconds": time.perf_counter() - t0, "counts": summary.counts()}))
"""

PEAK = """
import json, resource, sys, time
from extractors import read
t0 = time.perf_counter()
doc = read(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - t0, "pages": doc.pages,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def wall(cmd: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True,
                       env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def row(what: str, value: str, target: str = "", met: bool | None = None) -> None:
    mark = "" if met is None else ("met" if met else "NOT met")
    print(f"| {what} | {value} | {target} | {mark} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--no-ocr", action="store_true", help="skip the scanned PDFs (OCR is slow)")
    parser.add_argument("--quick", action="store_true", help="only the extraction table")
    args = parser.parse_args(argv)
    import pypdfium2 as pdfium

    pdfs = sorted((RAW / "pdf").glob("*.pdf")) + sorted(REAL.glob("*.pdf"))
    pages = 0
    for f in pdfs:
        doc = pdfium.PdfDocument(str(f))
        pages += len(doc)
        doc.close()
    best = {k: float("inf") for k in ("pdfium", "bare", "ours", "reference")}
    for _ in range(args.repeat):
        best["bare"] = min(best["bare"], timed(lambda: bare_pdfplumber(pdfs)))
        best["ours"] = min(best["ours"], timed(lambda: ours(pdfs)))
        best["pdfium"] = min(best["pdfium"], timed(lambda: bare_pdfium(pdfs)))
        best["reference"] = min(best["reference"], timed(lambda: ours(pdfs, "pdfplumber")))
    print(f"PDF extraction: {len(pdfs)} files, {pages} pages (best of {args.repeat})\n")
    print("| reader | seconds | pages/s | cost / bare extract_text() |\n|---|---|---|---|")
    for key, label in (("pdfium", "bare pdfium get_text_range()"),
                       ("bare", "bare pdfplumber extract_text()"),
                       ("ours", "ours: pdfium, pdfplumber's table finder on its edges"),
                       ("reference", "ours, reference: pdfplumber on every page")):
        print(f"| {label} | {best[key]:.2f} | {pages / best[key]:.1f} | {best[key] / best['bare']:.2f} |")

    print("\n| target | measured | goal | |\n|---|---|---|---|")
    speedup = best["bare"] / best["ours"]
    row("PDF extraction vs bare extract_text()", f"{speedup:.2f}× faster", "≥ 3×", speedup >= 3)
    if args.quick:
        return
    with tempfile.TemporaryDirectory() as tmp:
        sample = str(next((RAW / "txt").glob("*.txt")))
        folder = sorted((RAW / "pdf").glob("*.pdf")) + sorted(REAL.glob("*.pdf"))
        bare_folder = min(timed(lambda: bare_pdfplumber(folder)) for _ in range(args.repeat))
        runs = {}
        for w in (1, 2):
            runs[w] = min(fresh(INGEST, json.dumps([str(f) for f in folder]),
                                f"sqlite:///{tmp}/w{w}-{k}.db", sample, str(w))["seconds"]
                          for k in range(args.repeat))
        ratio, scale = runs[1] / bare_folder, runs[1] / runs[2]
        row("`plans ingest` PDF folder, 1 worker, vs bare extract_text()",
            f"{runs[1]:.1f} s / {bare_folder:.1f} s = {ratio:.2f}×", "≤ 0.6×", ratio <= 0.6)
        row("2 workers: throughput vs 1 worker", f"{runs[2]:.1f} s: {scale:.2f}×",
            "≥ 1.4× (0.7·N)", scale >= 1.4)

        one = str(sorted((RAW / "pdf").glob("*.pdf"))[1])
        extract_only = wall([sys.executable, "-c", "import sys, extractors, pipeline\n"
                             "pipeline.find_plan(extractors.read(sys.argv[1]))", one], args.repeat)
        ingest_one = wall([sys.executable, "-m", "plans.cli", "ingest", one, "--force", "--db",
                           f"{tmp}/one.db"], args.repeat)
        fixed = ingest_one - extract_only
        row("fixed cost of a one-file ingest above its extraction", f"{fixed:.2f} s", "≤ 1.5 s",
            fixed <= 1.5)
        started = wall([sys.executable, "-m", "plans.cli", "list", "--db", f"{tmp}/one.db"],
                       max(3, args.repeat))
        row("`plans list` start-up", f"{started:.2f} s", "≤ 0.5 s", started <= 0.5)

        sys.path.insert(0, str(ROOT / "bench"))
        from corpus import long_plan
        big = Path(tmp) / "long.pdf"
        long_plan(big)
        peak = fresh(PEAK, str(big))
        row(f"peak memory reading a {peak['pages']}-page PDF", f"{peak['peak_mb']:.0f} MB "
            f"({peak['seconds']:.1f} s)", "≤ 200 MB", peak["peak_mb"] <= 200)
    print("| Prefect folder flow vs direct (N = 100), unchanged re-ingest (N = 10) | "
          "bench/scale.py --configs sqlite:direct,sqlite:flow | ≤ 1.15×, ≤ 2% | |")

    from extractors import read
    print("\n| format | files | units | seconds | rate |\n|---|---|---|---|---|")
    for fmt, pattern in (("docx", "*.docx"), ("txt", "*.txt")):
        files = sorted((RAW / fmt).glob(pattern))
        t = min(timed(lambda: [read(f) for f in files]) for _ in range(args.repeat))
        print(f"| {fmt} | {len(files)} | {len(files)} | {t:.2f} | {len(files) / t:.1f} files/s |")
    if not args.no_ocr:
        scans = sorted((RAW / "scanned").glob("*.pdf"))
        n_scanned = [0]
        t = timed(lambda: n_scanned.__setitem__(0, ours(scans)))
        print(f"| scanned (OCR) | {len(scans)} | {n_scanned[0]} | {t:.2f} | {n_scanned[0] / t:.2f} pages/s |")


if __name__ == "__main__":
    main()
