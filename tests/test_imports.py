"""The import rules between packages (docs/architecture.md), read from the source with ast.

file → extractors → Document → pipeline → Plan → store → database; flows orchestrate, the
CLI calls flows and store. Nothing reaches backwards, and nothing outside store/ touches its
tables or private names.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import store

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("extractors", "pipeline", "schemas", "store", "flows", "plans")
# pipeline → extractors internals still imported; the pipeline's numbering-label work removes
# them (issue 10, "numbering labels have no single home"): then delete the entry.


def imports(package: str) -> list[tuple[str, str, str | None]]:
    """(file, module, name) for every import in the package: `import a.b` gives ("a.b",
    None), `from a import b` gives ("a", "b"); relative imports are made absolute."""
    out = []
    for path in sorted((ROOT / package).rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        here = rel.removesuffix(".py").split("/")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), rel)):
            if isinstance(node, ast.Import):
                out += [(rel, a.name, None) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = here[:len(here) - node.level] if node.level else []
                module = ".".join(base + ([node.module] if node.module else []))
                out += [(rel, module, a.name) for a in node.names]
    return out


def top(module: str) -> str:
    return module.split(".")[0]


def from_packages(package: str, forbidden: set[str]) -> list[str]:
    return [f"{f}: {m}" for f, m, _ in imports(package) if top(m) in forbidden]


def test_every_package_is_read():
    for package in PACKAGES:
        assert imports(package), f"no imports found in {package}/: is the path right?"


def test_extractors_know_files_only():
    assert from_packages("extractors", {"pipeline", "store", "flows", "plans"}) == []


def test_schemas_import_no_stage():
    assert from_packages("schemas", {"extractors", "pipeline", "store", "flows", "plans"}) == []


def test_store_imports_no_stage():
    assert from_packages("store", {"extractors", "pipeline", "flows", "plans"}) == []


def test_pipeline_imports_no_database_nor_runner():
    assert from_packages("pipeline", {"store", "flows", "plans"}) == []


def test_pipeline_uses_only_the_extractors_entry():
    """`from extractors import read` (the package's entry) only, no extractors.<module>."""
    bad = {(f, m) for f, m, _ in imports("pipeline") if top(m) == "extractors" and m != "extractors"}
    assert bad == set(), f"pipeline imports extractor internals: {sorted(bad)}"


def store_uses(package: str) -> list[str]:
    """Uses of the store other than its public names: store.<module> imports, private or
    unlisted names imported from it or read as store.<attribute>."""
    public = set(store.__all__)
    bad = []
    for f, m, name in imports(package):
        if top(m) != "store":
            continue
        if m != "store" or (name is not None and name not in public):
            bad.append(f"{f}: {m}{'.' + name if name else ''}")
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id == "store" and node.attr not in public):
                bad.append(f"{path.relative_to(ROOT).as_posix()}:{node.lineno}: store.{node.attr}")
    return bad


@pytest.mark.parametrize("package", ["flows", "plans"])
def test_flows_and_cli_use_only_the_public_store(package):
    assert store_uses(package) == []


def test_the_public_store_has_no_private_names():
    assert [n for n in store.__all__ if n.startswith("_")] == []
    assert all(hasattr(store, n) for n in store.__all__)


# What `plans list` must not load (its start-up is import time): the parsers and their NLP and
# PDF libraries, Prefect, Alembic (the schema is at head), pandas, openpyxl, and urllib.request
# (only `plans serve` asks a Prefect server whether it is up).
NOT_FOR_LIST = ("extractors.pdf", "extractors.docx", "pipeline", "spacy", "underthesea",
                "pdfplumber", "pypdfium2", "pandas", "openpyxl", "prefect", "alembic",
                "urllib.request")


def test_plans_list_imports_no_heavy_module(tmp_path):
    """`plans list` in a clean interpreter, on a database holding a plan."""
    from gold_plans import fake_document, gold_files, gold_plan

    url = f"sqlite:///{tmp_path / 'plans.db'}"
    plan = gold_plan(gold_files()[0])
    engine = store.connect(url)
    store.load(engine, fake_document(plan), plan)
    engine.dispose()
    code = ("import sys\nfrom plans.cli import main\n"
            f"sys.argv = ['plans', 'list', '--db', {url!r}]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
            f"print('IMPORTED', [m for m in {NOT_FOR_LIST!r} if m in sys.modules])\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "1 of 1" in done.stdout   # the plan, version 1 of 1
    assert done.stdout.strip().splitlines()[-1] == "IMPORTED []"
