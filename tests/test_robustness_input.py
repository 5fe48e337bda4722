"""Bad input: a folder mixing good plans with zero-byte, truncated, encrypted, wrong-extension,
huge-single-line, non-plan and legacy-font (TCVN3/VNI) files. Each bad file is reported with
its cause, every good plan is loaded, and the database holds no partial rows.

Also home of `whole_versions(engine)`, the database check the fault and concurrency tests
share: every stored version is complete."""
from __future__ import annotations

import shutil
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from extract_files import paragraph, pdf_bytes, text
from extractors import read
from extractors.encoding import legacy_encoding
from flows import steps
from schemas.document import ExtractionError
from store.db_tables import IngestionRun, PlanRow, PlanVersion, SourceFile, TaskRow
from store.identity import content_hash
from store.reading import read_tasks
from store_fixtures import db_url, pg_admin  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"


def _corpus():
    """bench/corpus.py (the benchmark's plan generator), loaded from its file."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_corpus"] = module
    spec.loader.exec_module(module)
    return module


corpus = _corpus()
text_variant = corpus.text_variant

SAMPLE = {fmt: sorted((RAW / fmt).glob(f"*.{fmt}")) for fmt in ("docx", "pdf", "txt")}


# -- legacy encodings (test data) ---------------------------------------------------------

# TCVN3 (TCVN 5712 "ABC", fonts .VnTime/.VnTimeH): one byte per letter; capitals with a tone
# mark have no code of their own (they use the capital font), so they take the small letter's.
_TCVN3 = dict(zip(
    "àảãáạăằẳẵắặâầẩẫấậđèẻẽéẹêềểễếệìỉĩíịòỏõóọôồổỗốộơờởỡớợùủũúụưừửữứựỳỷỹýỵĂÂĐÊÔƠƯ",
    bytes.fromhex("b5b6b7b8b9a8bbbcbdbec6a9c7c8c9cacbaeccced0cfd1aad2d3d4d5d6d7d8dcddde"
                  "dfe1e2e3e4abe5e6e7e8e9aceaebecedeeeff1f2f3f4adf5f6f7f8f9fafbfcfdfe"
                  "a1a2a7a3a4a5a6")))


def to_tcvn3(s: str) -> bytes:
    """Unicode Vietnamese → the bytes a .VnTime document holds."""
    out = bytearray()
    for c in unicodedata.normalize("NFC", s):
        code = _TCVN3.get(c) or _TCVN3.get(c.lower())
        out += bytes([code]) if code else c.encode("cp1252", errors="replace")
    return bytes(out)


# VNI (VNI-Times): the base letter followed by a code for its marks, shown in Latin-1.
_VNI_TONE = {"\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
_VNI_HAT_TONE = {"\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
_VNI_BREVE_TONE = {"\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
_VNI_I = {"\u0301": "í", "\u0300": "ì", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}


def to_vni(s: str) -> str:
    """Unicode Vietnamese → what a VNI-Times document's text reads as."""
    out = []
    for c in unicodedata.normalize("NFC", s):
        if c in "đĐ":
            out.append("ñ" if c == "đ" else "Ñ")
            continue
        base, *marks = unicodedata.normalize("NFD", c)
        if not marks or not base.isascii():
            out.append(c)
            continue
        tone = next((m for m in marks if m in _VNI_TONE), None)
        upper = base.isupper()
        if base in "iI":
            code = _VNI_I.get(tone, "")
        elif "\u0302" in marks:
            code = _VNI_HAT_TONE.get(tone, "â")
        elif "\u0306" in marks:
            code = _VNI_BREVE_TONE.get(tone, "ê")
        elif "\u031b" in marks:
            base = {"o": "ô", "u": "ö", "O": "Ô", "U": "Ö"}[base]
            code = _VNI_TONE.get(tone, "")
        else:
            code = _VNI_TONE.get(tone, "")
        out.append(base + (code.upper() if upper else code))
    return "".join(out)


def test_legacy_detector():
    sample = SAMPLE["txt"][1].read_text(encoding="utf-8")
    assert to_vni("Kế hoạch Việt Nam") == "Keá hoaïch Vieät Nam"
    assert to_tcvn3("Kế hoạch").decode("cp1252") == "KÕ ho¹ch"
    assert legacy_encoding(to_vni(sample)) == "VNI"
    assert legacy_encoding(to_tcvn3(sample).decode("cp1252")) == "TCVN3"
    for f in SAMPLE["txt"]:      # Unicode plans are never taken for legacy text
        assert legacy_encoding(f.read_text(encoding="utf-8")) is None
    assert legacy_encoding("Giá 5 € — ± 2 °C, 50% «Báo cáo» § 3 · Müller, Ørsted") is None


def test_legacy_files_are_refused_naming_the_encoding(tmp_path):
    sample = SAMPLE["txt"][1].read_text(encoding="utf-8")
    cases = {"tcvn3-bytes.txt": to_tcvn3(sample),
             "tcvn3-as-utf8.txt": to_tcvn3(sample).decode("cp1252").encode(),
             "vni-as-utf8.txt": to_vni(sample).encode()}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    vni_docx(SAMPLE["docx"][0], tmp_path / "vni.docx")
    expected = {"tcvn3-bytes.txt": "TCVN3", "tcvn3-as-utf8.txt": "TCVN3",
                "vni-as-utf8.txt": "VNI", "vni.docx": "VNI"}
    for name, encoding in expected.items():
        with pytest.raises(ExtractionError) as e:
            read(tmp_path / name)
        assert f"looks like {encoding}-encoded Vietnamese" in e.value.cause, name


def vni_docx(src: Path, out: Path) -> None:
    """A copy of a DOCX with its text as a VNI font would store it."""
    import docx
    d = docx.Document(str(src))
    paragraphs = list(d.paragraphs) + [p for t in d.tables for r in t.rows for c in r.cells
                                       for p in c.paragraphs]
    for p in paragraphs:
        for run in p.runs:
            run.text = to_vni(run.text)
            run.font.name = "VNI-Times"
    d.save(str(out))


# -- the database holds whole versions only ------------------------------------------------------

def whole_versions(engine) -> dict:
    """Check that every stored version is complete and return a summary.

    Each plan has one current version and versions 1..k; each version has its task_count
    task rows, a content hash equal to that of the tasks read back, and at least one source
    file; every successful run points at a stored version.
    """
    with engine.connect() as conn:
        plans = conn.execute(select(PlanRow.id, PlanRow.key)).all()
        versions = conn.execute(select(PlanVersion.id, PlanVersion.plan_id, PlanVersion.version,
                                       PlanVersion.is_current, PlanVersion.task_count,
                                       PlanVersion.content_hash)).all()
        tasks = dict(conn.execute(select(TaskRow.version_id, func.count())
                                  .group_by(TaskRow.version_id)).all())
        sources = Counter(conn.execute(select(SourceFile.version_id)).scalars())
        runs = conn.execute(select(IngestionRun.status, IngestionRun.version_id)).all()
        read_back = {v.id: read_tasks(conn, v.id) for v in versions}
    by_plan: dict[int, list] = {}
    for v in versions:
        by_plan.setdefault(v.plan_id, []).append(v)
        assert tasks.get(v.id, 0) == v.task_count, f"version {v.id}: partial task rows"
        assert content_hash([t for _, t in read_back[v.id]]) == v.content_hash, \
            f"version {v.id}: tasks differ from what was loaded"
        assert sources[v.id] >= 1, f"version {v.id} has no source file"
    for pid, key in plans:
        vs = by_plan.get(pid, [])
        assert vs, f"plan {key} has no version"
        assert sorted(v.version for v in vs) == list(range(1, len(vs) + 1)), key
        assert sum(v.is_current for v in vs) == 1, key
        assert max(vs, key=lambda v: v.version).is_current, key
    ids = {v.id for v in versions}
    assert all(vid in ids for status, vid in runs if status == "ok")
    return {"plans": len(plans), "versions": len(versions), "sources": sum(sources.values()),
            "runs": Counter(status for status, _ in runs)}


# -- a folder of good and bad files --------------------------------------------------------------

GOOD = 4
HUGE_LINE = "Ủy ban nhân dân tỉnh ban hành kế hoạch, giao Sở Tài chính chủ trì trong quý II/2025; "


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> tuple[Path, dict[str, list[str]]]:
    """Four good plans (DOCX, DOCX, text, PDF) and the bad files with the words their
    reported cause must contain."""
    f = tmp_path_factory.mktemp("mixed")
    shutil.copy(SAMPLE["docx"][0], f / "good-000.docx")
    shutil.copy(SAMPLE["docx"][1], f / "good-001.docx")
    (f / "good-002.txt").write_text(text_variant(SAMPLE["txt"][2].stem, 7, 7002), encoding="utf-8")
    shutil.copy(SAMPLE["pdf"][3], f / "good-003.pdf")

    pdf, docx_bytes = SAMPLE["pdf"][0].read_bytes(), SAMPLE["docx"][2].read_bytes()
    sample_txt = SAMPLE["txt"][1].read_text(encoding="utf-8")
    bad = {
        "empty.pdf": (b"", ["empty (0 bytes)"]),
        "empty.docx": (b"", ["empty (0 bytes)"]),
        "truncated.pdf": (pdf[: len(pdf) // 2], ["truncated PDF"]),
        "truncated.docx": (docx_bytes[: len(docx_bytes) // 2], ["damaged or truncated DOCX"]),
        "encrypted.pdf": (pdf_bytes([{"items": [text(72, 72, "KE HOACH")]}], password="pw"),
                          ["encrypted"]),
        "docx-named.pdf": (docx_bytes, ["not a PDF", "ZIP archive"]),
        "pdf-named.docx": (pdf, ["not a DOCX", "PDF file"]),
        "pdf-named.txt": (pdf, ["not a text file", "PDF file"]),
        "huge-single-line.txt": ((HUGE_LINE * 15_000).encode(), ["no tasks found"]),
        "not-a-plan.pdf": (pdf_bytes([{"items": paragraph(
            72, 72, 72, "THONG BAO. Cac co quan nghi le tu ngay 1 den ngay 3 thang 9. " * 6)[0]}]),
            ["no tasks found"]),
        "tcvn3.txt": (to_tcvn3(sample_txt), ["TCVN3"]),
        "vni-utf8.txt": (to_vni(sample_txt).encode(), ["VNI"]),
    }
    for name, (data, _) in bad.items():
        (f / name).write_bytes(data)
    vni_docx(SAMPLE["docx"][3], f / "vni-font.docx")
    causes = {name: words for name, (_, words) in bad.items()}
    causes["vni-font.docx"] = ["VNI"]
    return f, causes


def test_bad_files_reported_good_plans_loaded_no_partial_rows(folder, db_url):
    path, causes = folder
    files = steps.collect([str(path)])
    assert len(files) == GOOD + len(causes)
    summary = steps.ingest_files(files, db_url)
    by_name = {Path(o.path).name: o for o in summary.outcomes}
    for name, words in causes.items():
        o = by_name[name]
        assert o.status == steps.FAILED, (name, o.status)
        for w in words:
            assert w in o.error, (name, o.error)
        assert "\n" not in o.error
    good = [o for n, o in by_name.items() if n.startswith("good-")]
    assert [o.status for o in good] == ["loaded"] * GOOD
    assert all(o.tasks > 0 for o in good)

    engine = steps.engine(db_url)
    state = whole_versions(engine)
    assert (state["plans"], state["versions"], state["sources"]) == (GOOD, GOOD, GOOD)
    assert state["runs"] == {"ok": GOOD, "failed": len(causes)}
    with engine.connect() as conn:   # each failure is in the run history with its cause
        failed = dict(conn.execute(select(IngestionRun.path, IngestionRun.error)
                                   .where(IngestionRun.status == "failed")).all())
        loaded = set(conn.execute(select(SourceFile.path)).scalars())
    assert {Path(p).name for p in failed} == set(causes)
    for p, error in failed.items():
        assert causes[Path(p).name][0] in error
    assert {Path(p).name for p in loaded} == {n for n in by_name if n.startswith("good-")}

    # a second run loads nothing new and still reports every bad file
    again = steps.ingest_files(files, db_url)
    assert again.counts() == {steps.SKIPPED: GOOD, steps.FAILED: len(causes)}
    assert whole_versions(engine)["versions"] == GOOD
