"""A corpus of distinct plans made from the samples in data/raw, for bench/scale.py and the
robustness tests.

    python bench/corpus.py N OUT_DIR [--seed S]

Plan i is a variant of one sample, in one format (text, DOCX or PDF, in turn):
* text and DOCX: a plan number of its own (so each is a distinct plan), years shifted by
  0–3, quarters changed, departments swapped for others from the gazetteer
  (pipeline/patterns/agencies.tsv), task table rows and dash items dropped or duplicated;
* PDF (no PDF writer is installed): the sample's pages recombined with pypdfium2 — first
  page kept, one body page dropped, one repeated. A PDF variant keeps its sample's identity,
  so it loads as another version of that plan, not as a new plan.
Every corpus of 10 plans or more also holds one long plan: ~200 pages made from the body
pages of sample 002 and 004 (`long_plan`).
"""
from __future__ import annotations

import argparse
import copy
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
SAMPLES = sorted(p.stem for p in (RAW / "txt").glob("*.txt"))
FORMATS = ("txt", "docx", "pdf")

NUMBER = re.compile(r"(Số:\s*)\d*\s*/\s*KH-UBND")
CAPTION = re.compile(r"(Kế hoạch số\s*)\d+\s*/\s*KH-UBND")
YEAR = re.compile(r"(?<![\d/-])(20[12]\d)(?!\d)")
QUARTER = re.compile(r"(?<=[Qq]uý )(IV|III|II|I)(?![A-Za-z])")
ROW_NUMBER = re.compile(r"^\d{1,3}(?:\.\d{1,3})*\.?$")


def departments() -> list[str]:
    """The Sở in the gazetteer: names a variant may swap for one another."""
    out = []
    for line in (ROOT / "pipeline/patterns/agencies.tsv").read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) >= 2 and cols[1] == "so" and "+" not in cols[0]:
            out.append(cols[0])
    return out


class Variation:
    """The text changes of one variant plan, reproducible from its seed."""

    def __init__(self, seed: int, number: int):
        self.rng = random.Random(seed)
        self.number = number
        self.shift = self.rng.randint(0, 3)
        names = departments()
        chosen = self.rng.sample(names, min(4, len(names)))
        self.swaps = dict(zip(chosen, chosen[1:] + chosen[:1]))
        self.quarters = ["I", "II", "III", "IV"]
        self.rng.shuffle(self.quarters)

    def text(self, s: str) -> str:
        s = NUMBER.sub(lambda m: f"{m.group(1)}{self.number}/KH-UBND", s)
        s = CAPTION.sub(lambda m: f"{m.group(1)}{self.number}/KH-UBND", s)
        s = YEAR.sub(lambda m: str(int(m.group(1)) + self.shift), s)
        s = QUARTER.sub(lambda m: self.quarters[["I", "II", "III", "IV"].index(m.group(1))], s)
        if self.swaps:
            pattern = re.compile("|".join(re.escape(n) for n in sorted(self.swaps, key=len,
                                                                       reverse=True)))
            s = pattern.sub(lambda m: self.swaps[m.group()], s)
        return s

    def fate(self) -> str:
        """What happens to one task row or dash item: kept, dropped or duplicated."""
        r = self.rng.random()
        return "drop" if r < 0.12 else "dup" if r < 0.22 else "keep"


def text_variant(sample: str, seed: int, number: int) -> str:
    """A text plan from data/raw/txt/<sample>.txt with its own number and varied content."""
    v = Variation(seed, number)
    lines = (RAW / "txt" / f"{sample}.txt").read_text(encoding="utf-8").split("\n")
    out: list[str] = []
    for i, line in enumerate(lines):
        first = line.split("\t", 1)[0].strip()
        is_row = "\t" in line and ROW_NUMBER.match(first)
        is_dash = line.startswith("- ") and (i + 1 == len(lines) or not lines[i + 1].strip())
        fate = v.fate() if is_row or is_dash else "keep"
        if fate == "drop":
            continue
        out.append(v.text(line))
        if fate == "dup":
            out += ["", v.text(line)] if is_dash else [v.text(line)]
    text = "\n".join(out)
    if not NUMBER.search("\n".join(out[:20])):
        text = f"Số: {number}/KH-UBND\n\n{text}"
    return text


def docx_variant(sample: str, seed: int, number: int, out: Path) -> None:
    """A DOCX plan from data/raw/docx/<sample>.docx with its own number and varied content."""
    import docx

    v = Variation(seed, number)
    d = docx.Document(str(RAW / "docx" / f"{sample}.docx"))

    def rewrite(paragraph) -> bool:
        old = paragraph.text
        new = v.text(old)
        if new == old or not paragraph.runs:
            return False
        paragraph.runs[0].text = new
        for run in paragraph.runs[1:]:
            run.text = ""
        return True

    def visit(paragraph) -> None:
        nonlocal numbered
        numbered |= bool(NUMBER.search(paragraph.text) or CAPTION.search(paragraph.text))
        rewrite(paragraph)

    numbered = False
    for table in d.tables:
        for row in list(table.rows):
            first = row.cells[0].text.strip() if row.cells else ""
            fate = v.fate() if ROW_NUMBER.match(first) else "keep"
            if fate == "drop":
                row._tr.getparent().remove(row._tr)
            elif fate == "dup":
                row._tr.addnext(copy.deepcopy(row._tr))
        for row in table.rows:
            for cell in row.cells:
                for p in cell.paragraphs:
                    visit(p)
    for p in list(d.paragraphs):
        fate = v.fate() if p.text.startswith("- ") else "keep"
        if fate == "drop":
            p._p.getparent().remove(p._p)
            continue
        visit(p)
        if fate == "dup":
            p._p.addnext(copy.deepcopy(p._p))
    if not numbered:
        d.paragraphs[0].insert_paragraph_before(f"Số: {number}/KH-UBND")
    d.save(str(out))


def pdf_variant(sample: str, seed: int, out: Path) -> int:
    """The sample PDF's pages recombined: first page kept, one body page dropped and one
    repeated (the same plan, other bytes). Returns the page count."""
    import pypdfium2 as pdfium

    rng = random.Random(seed)
    src = pdfium.PdfDocument(str(RAW / "pdf" / f"{sample}.pdf"))
    body = list(range(1, len(src)))
    if len(body) > 3:
        body.remove(rng.choice(body[:-1]))
    if body:
        k = rng.randrange(len(body))
        body.insert(k, body[k])
    pages = [0] + body
    new = pdfium.PdfDocument.new()
    new.import_pages(src, pages)
    new.save(str(out))
    new.close()
    src.close()
    return len(pages)


def long_plan(out: Path, pages: int = 200) -> int:
    """A plan of ~`pages` pages: sample 004's first page, then body pages of 002 and 004 in turn."""
    import pypdfium2 as pdfium

    a = pdfium.PdfDocument(str(RAW / "pdf" / f"{SAMPLES[4]}.pdf"))
    b = pdfium.PdfDocument(str(RAW / "pdf" / f"{SAMPLES[2]}.pdf"))
    new = pdfium.PdfDocument.new()
    new.import_pages(a, [0])
    while len(new) < pages:
        for src in (b, a):
            take = min(len(src) - 1, pages - len(new))
            if take > 0:
                new.import_pages(src, list(range(1, 1 + take)))
    n = len(new)
    new.save(str(out))
    for d in (new, a, b):
        d.close()
    return n


def generate(n: int, out: Path, seed: int = 1, long: bool | None = None) -> list[dict]:
    """Write n plan files into `out` (made if missing); returns one manifest entry per file:
    file, format, sample, number (None for PDFs), pages (PDFs). The manifest is also written
    to out/manifest.json; an existing corpus with the same parameters is reused."""
    out.mkdir(parents=True, exist_ok=True)
    long = n >= 10 if long is None else long
    manifest_path = out / "manifest.json"
    params = {"n": n, "seed": seed, "long": long}
    if manifest_path.exists():
        saved = json.loads(manifest_path.read_text())
        if saved.get("params") == params and all((out / e["file"]).exists()
                                                  for e in saved["files"]):
            return saved["files"]
    files = []
    for i in range(n - (1 if long else 0)):
        sample = SAMPLES[i % len(SAMPLES)]
        fmt = FORMATS[(i // len(SAMPLES)) % len(FORMATS)]
        name = f"plan{i:04d}_{sample[:3]}.{fmt}"
        number = 5000 + i
        entry = {"file": name, "format": fmt, "sample": sample, "number": f"{number}/KH-UBND",
                 "pages": None}
        if fmt == "txt":
            (out / name).write_text(text_variant(sample, seed * 100_003 + i, number),
                                    encoding="utf-8")
        elif fmt == "docx":
            docx_variant(sample, seed * 100_003 + i, number, out / name)
        else:
            entry["pages"] = pdf_variant(sample, seed * 100_003 + i, out / name)
            entry["number"] = None
        files.append(entry)
    if long:
        name = "plan_long.pdf"
        files.append({"file": name, "format": "pdf", "sample": SAMPLES[4], "number": None,
                      "pages": long_plan(out / name)})
    manifest_path.write_text(json.dumps({"params": params, "files": files}, indent=1))
    return files


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    files = generate(args.n, args.out, args.seed)
    pages = sum(e["pages"] or 0 for e in files)
    print(f"{len(files)} plans in {args.out} ({pages} PDF pages)")


if __name__ == "__main__":
    main()
