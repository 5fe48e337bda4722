"""A headless Chromium driven over the DevTools protocol on --remote-debugging-pipe
(standard library only), for the browser tests (test_review.py, test_webapp.py).

`Browser.open(url)` loads a page in a fresh tab and returns a value and the console errors;
`Browser.tab()` keeps a tab open to navigate, fill and submit forms, and take screenshots.
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

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


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

    def tab(self) -> "Tab":
        return Tab(self)

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


class Tab:
    """One open tab: goto(url), run(js), act(js) (a click or submit that loads a page),
    screenshot(path), errors() (console errors and exceptions so far), close()."""

    def __init__(self, browser: Browser):
        self.b = browser
        self.target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.s = browser.send("Target.attachToTarget",
                              {"targetId": self.target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            browser.send(f"{domain}.enable", session=self.s)

    def goto(self, url: str) -> None:
        self.act(f"location.href = {json.dumps(url)}")

    def act(self, js: str) -> None:
        """Run js that navigates (a link, a form submit) and wait until the next page loaded."""
        self.b.events = [e for e in self.b.events if e.get("method") != "Page.loadEventFired"]
        self.run(js)
        self.b.wait_for("Page.loadEventFired")

    def run(self, js: str):
        reply = self.b.send("Runtime.evaluate", {"expression": js, "returnByValue": True,
                                                 "awaitPromise": True}, session=self.s)
        if "exceptionDetails" in reply:
            raise RuntimeError(f"{js[:80]}: {reply['exceptionDetails'].get('text')}")
        return reply["result"].get("value")

    def screenshot(self, path: Path) -> None:
        """The visible part of the page (the window's size)."""
        shot = self.b.send("Page.captureScreenshot", {"format": "png"}, session=self.s)
        path.write_bytes(base64.b64decode(shot["data"]))

    def errors(self) -> list[str]:
        out = []
        for e in self.b.events:
            m, p = e.get("method"), e.get("params", {})
            if m == "Runtime.exceptionThrown":
                out.append(p["exceptionDetails"].get("text", "exception"))
            elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
                out.append(p["entry"].get("text", ""))
        return out

    def close(self) -> None:
        self.b.send("Target.closeTarget", {"targetId": self.target})


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        require_or_skip("chromium is not installed (Debian: apt-get install -y chromium)")
    b = Browser()
    yield b
    b.close()


