"""The import rules between packages (docs/architecture.md), read from the source with ast.

file → extractors → Document → pipeline → Plan → store → database; flows orchestrate, the
CLI calls flows and store. Nothing reaches backwards, and nothing outside store/ touches its
tables or private names.
"""
from __future__ import annotations

import ast
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
