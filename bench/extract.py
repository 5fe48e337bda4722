"""Extraction speed on data/raw, per format, next to pdfplumber's bare extract_text().

    python bench/extract.py [--repeat N] [--no-ocr]

PDF: pages/s of extractors.read and of `page.extract_text()` over the same files, in the same
run, and their cost ratio (target: at most 1.5). Each timing is the best of N runs, the two
alternating so that machine load hits both alike. DOCX and text: files/s. Scanned: OCR pages/s
(one run).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pdfplumber

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from extractors import read  # noqa: E402

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bare_pdfplumber(files: list[Path]) -> None:
    for f in files:
        with pdfplumber.open(f) as pdf:
            for page in pdf.pages:
                page.extract_text()


def ours(files: list[Path]) -> int:
    return sum(read(f).pages or 0 for f in files)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-ocr", action="store_true", help="skip the scanned PDFs (OCR is slow)")
    args = parser.parse_args(argv)

    pdfs = sorted((RAW / "pdf").glob("*.pdf"))
    pages = 0
    for f in pdfs:
        with pdfplumber.open(f) as pdf:
            pages += len(pdf.pages)
    t_ours = t_bare = float("inf")
    for _ in range(args.repeat):
        t_bare = min(t_bare, timed(lambda: bare_pdfplumber(pdfs)))
        t_ours = min(t_ours, timed(lambda: ours(pdfs)))
    print(f"{'format':<8} {'files':>5} {'units':>6} {'seconds':>8} {'rate':>14}")
    print(f"{'pdf':<8} {len(pdfs):>5} {pages:>6} {t_ours:>8.2f} {pages / t_ours:>8.1f} pages/s")
    print(f"{'  bare':<8} {len(pdfs):>5} {pages:>6} {t_bare:>8.2f} {pages / t_bare:>8.1f} pages/s"
          "   (pdfplumber page.extract_text())")
    for fmt, pattern in (("docx", "*.docx"), ("txt", "*.txt")):
        files = sorted((RAW / fmt).glob(pattern))
        t = min(timed(lambda: [read(f) for f in files]) for _ in range(args.repeat))
        print(f"{fmt:<8} {len(files):>5} {len(files):>6} {t:>8.2f} {len(files) / t:>8.1f} files/s")
    if not args.no_ocr:
        scans = sorted((RAW / "scanned").glob("*.pdf"))
        n_scanned = [0]
        t = timed(lambda: n_scanned.__setitem__(0, ours(scans)))
        print(f"{'scanned':<8} {len(scans):>5} {n_scanned[0]:>6} {t:>8.2f} {n_scanned[0] / t:>8.2f} pages/s   (OCR)")
    print(f"\nPDF extractor cost / bare extract_text(): {t_ours / t_bare:.2f}x (target ≤ 1.5x)")


if __name__ == "__main__":
    main()
