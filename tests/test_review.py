"""The review page, rendered from the gold records and opened in a real headless Chromium
(tests/browser.py): console errors, uncaught exceptions and failed loads are collected, the
task rows are counted in the live DOM, and a full-page screenshot is written to tests/out/
for a person to look at.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from browser import browser  # noqa: F401
from plans.review import flags, quarter, render

GOLD = sorted((Path(__file__).parent / "gold").glob("*.jsonl"))
OUT = Path(__file__).parent / "out"


def gold_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


COUNT_ROWS = "document.querySelectorAll('tr.task').length"


def test_the_browser_check_sees_console_errors(browser, tmp_path):
    """The check itself: a page that logs an error and throws is caught."""
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><meta charset=utf-8><table><tr class=task></table>"
                    "<script>console.error('boom'); undefined_call();</script>")
    rows, errors = browser.open(page.as_uri(), expression=COUNT_ROWS)
    assert rows == 1
    assert any("boom" in e for e in errors) and len(errors) >= 2


@pytest.mark.parametrize("gold", GOLD, ids=lambda p: p.stem)
def test_review_page_in_chromium(browser, gold, tmp_path):
    records = gold_records(gold)
    tasks = [r for r in records if "plan" not in r]
    page = tmp_path / f"{gold.stem}.html"
    page.write_text(render(records), encoding="utf-8")
    OUT.mkdir(exist_ok=True)
    shot = OUT / f"review_{gold.stem}.png"
    rows, errors = browser.open(
        page.as_uri(), screenshot=shot,
        expression=f"[{COUNT_ROWS}, document.characterSet, document.title,"
                   " document.querySelectorAll('tr.task.flag').length]")
    assert errors == []
    assert rows[0] == len(tasks)
    assert rows[1] == "UTF-8"
    assert rows[2].startswith((records[0]["plan"]["title"] or gold.stem)[:20])
    assert rows[3] == sum(1 for t in tasks if flags(t))
    assert shot.stat().st_size > 10_000


def test_page_is_self_contained_and_escaped():
    records = gold_records(GOLD[0])
    records[1] = {**records[1], "text": "<script>alert(1)</script> Sở Tài chính"}
    html = render(records)
    assert '<meta charset="utf-8">' in html
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "Sở Tài chính" in html
    for external in ("http://", "https://", "<link", "src="):
        assert external not in html


def test_flags_and_quarters():
    assert flags({"lead": [], "deadlines": []}) == ["no lead agency", "no deadline"]
    assert flags({"lead": ["Sở Tài chính"], "deadlines": [{"kind": "ongoing"}]}) == []
    assert flags({"lead": ["X"], "deadlines": [{"kind": "quarter", "due": None}]}) == \
        ["deadline without a date"]
    assert quarter({"kind": "quarter", "due": "2025-06-30"}) == "2025 Q2"
    assert quarter({"kind": "month", "due": "2022-12-31"}) == "2022 Q4"
    assert quarter({"kind": "ongoing", "due": None}) == "ongoing"
