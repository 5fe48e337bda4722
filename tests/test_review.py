"""The review page, rendered from the gold records and opened in a real headless Chromium.

Chromium is driven over the DevTools protocol on --remote-debugging-pipe (standard library
only): console errors, uncaught exceptions and failed loads are collected, the task rows are
counted in the live DOM, and a full-page screenshot is written to tests/out/ for a person to
look at.
"""
from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import require_or_skip
from plans.review import flags, quarter, render

GOLD = sorted((Path(__file__).parent / "gold").glob("*.jsonl"))
OUT = Path(__file__).parent / "out"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def gold_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


class Browser:
    """A headless Chromium spoken to over --remote-debugging-pipe (fd 3 in, fd 4 out)."""

    FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run",
             "--remote-debugging-pipe", "--window-size=1400,1000"]

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="chromium-")
        to_r, self._to = os.pipe()        # we write commands to _to; chromium reads fd 3
        self._from, from_w = os.pipe()    # chromium writes fd 4; we read _from

        def fds():
            os.dup2(to_r, 3)
            os.dup2(from_w, 4)

        self.proc = subprocess.Popen([CHROMIUM, *self.FLAGS, f"--user-data-dir={self.profile}"],
                                     preexec_fn=fds, pass_fds=(3, 4),  # kept after fds() ran
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_r)
        os.close(from_w)
        self._id, self._buf, self.events = 0, b"", []

    def send(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 30) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._next(timeout)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30) -> dict:
        for i, e in enumerate(self.events):
            if e.get("method") == method:
                return self.events.pop(i)
        while True:
            e = self._next(timeout)
            if e.get("method") == method:
                return e
            self.events.append(e)

    def _next(self, timeout: float) -> dict:
        end = time.monotonic() + timeout
        while b"\0" not in self._buf:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self._from], [], [], left)[0]:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self._from, 1 << 20)
            if not chunk:
                raise RuntimeError("chromium exited")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def open(self, url: str, screenshot: Path | None = None, expression: str = "0"):
        """Load url; return (value of expression, console/exception/log errors)."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            self.send(f"{domain}.enable", session=s)
        self.send("Page.navigate", {"url": url}, session=s)
        self.wait_for("Page.loadEventFired")
        value = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                          session=s)["result"].get("value")
        if screenshot:
            size = self.send("Page.getLayoutMetrics", session=s)["cssContentSize"]
            shot = self.send("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": size["width"],
                         "height": min(size["height"], 16000), "scale": 1}}, session=s)
            screenshot.write_bytes(base64.b64decode(shot["data"]))
        errors = []
        for e in self.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.exceptionThrown":
                errors.append(p["exceptionDetails"].get("text", "exception"))
            elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                errors.append(" ".join(str(a.get("value", a.get("description"))) for a in p["args"]))
            elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
                errors.append(p["entry"].get("text", ""))
        self.events.clear()
        self.send("Target.closeTarget", {"targetId": target})
        return value, errors

    def close(self):
        try:
            self.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self._to)
        os.close(self._from)
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        require_or_skip("chromium is not installed (Debian: apt-get install -y chromium)")
    b = Browser()
    yield b
    b.close()


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
