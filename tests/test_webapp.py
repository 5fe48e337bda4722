"""The review-and-correct app (`plans serve-review`) in headless Chromium: the page region of
a PDF task, a lead agency corrected through the form and still applied after a forced
re-ingestion and after an amended plan is loaded, a correction whose task was removed listed
as unmatched; forms refused without their token or from another origin; loopback only."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from browser import browser  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
PLAN = "001_49944c2a62862d7a"
TASK = "Giao Sở Nội vụ nghiên cứu"                       # II.2.c, prose, due "trong năm 2020"
GONE = "Sở Thông tin và Truyền thông chủ trì, phối hợp với các Sở, ngành, địa phương"
OUT = ROOT / "tests" / "out"


def plans(*args: str, db: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "plans.cli", *args, "--db", db], cwd=ROOT,
                          capture_output=True, text=True, check=check, timeout=300)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """A database with the sample plan's text and PDF, and the app serving it."""
    folder = tmp_path_factory.mktemp("webapp")
    db = f"sqlite:///{folder / 'plans.db'}"
    plans("ingest", "--no-flow", str(RAW / "txt" / f"{PLAN}.txt"), str(RAW / "pdf" / f"{PLAN}.pdf"), db=db)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "plans.cli", "serve-review", "--port",
                               str(port), "--analyst", "Chuyên viên A", "--db", db], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail(f"the app did not start: {server.stdout.read().decode()}")
    yield {"base": base, "db": db, "folder": folder}
    server.terminate()
    server.wait(timeout=10)


def row_of(tab, start: str) -> dict:
    """The plan page's row of the task whose text starts with `start`."""
    return tab.run(f"""(() => {{
        const tr = [...document.querySelectorAll('tr.task')]
            .find(r => r.querySelector('td.text').textContent.trim().startsWith({json.dumps(start)}));
        if (!tr) return null;
        const lead = tr.querySelector('td.lead');
        return {{id: tr.id, lead: lead.textContent, corrected: lead.classList.contains('corrected'),
                 link: tr.querySelector('a[href*="/tasks/"]')?.getAttribute('href')}};
    }})()""")


def amend(app, *changes: tuple[str, str]) -> Path:
    """A copy of the sample text plan with passages replaced (an amended plan)."""
    text = (RAW / "txt" / f"{PLAN}.txt").read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    out = app["folder"] / f"amended{len(list(app['folder'].glob('amended*')))}" / f"{PLAN}.txt"
    out.parent.mkdir()
    out.write_text(text, encoding="utf-8")
    return out


def correct(tab, base: str, start: str, field: str, value: str, reason: str) -> None:
    tab.goto(base + row_of(tab, start)["link"])
    tab.act(f"""document.getElementById('{field}').value = {json.dumps(value)};
                document.getElementById('reason').value = {json.dumps(reason)};
                document.getElementById('save').click()""")


def test_review_correct_and_keep_the_correction(browser, app):
    base, db = app["base"], app["db"]
    tab = browser.tab()
    try:
        tab.goto(base + "/")
        tab.act("document.querySelector('a[href^=\"/plans/\"]').click()")
        plan_url = tab.run("location.href")
        # the page region of a PDF task, rendered on request
        crop = tab.run("""(async () => {
            const img = document.querySelector('img.crop');
            img.scrollIntoView(); await img.decode();
            return [img.naturalWidth, img.naturalHeight, img.getAttribute('src')];
        })()""")
        assert crop[0] > 800 and 100 < crop[1] < crop[0], crop
        assert tab.errors() == []

        # correct the lead agency through the form, reload: it is shown, marked corrected
        assert row_of(tab, TASK)["lead"].strip() == "Sở Nội vụ"
        correct(tab, base, TASK, "lead", "Sở Nội vụ\nSở Khoa học và Công nghệ", "both lead (tờ trình)")
        tab.goto(plan_url)
        row = row_of(tab, TASK)
        assert "Sở Khoa học và Công nghệ" in row["lead"] and row["corrected"]
        OUT.mkdir(exist_ok=True)
        tab.run(f"document.getElementById({json.dumps(row['id'])}).scrollIntoView({{block: 'center'}})")
        tab.screenshot(OUT / "webapp_corrected.png")

        # a forced re-ingestion keeps it
        plans("ingest", "--no-flow", "--force", str(RAW / "txt" / f"{PLAN}.txt"), db=db)
        tab.goto(plan_url)
        assert "Sở Khoa học và Công nghệ" in row_of(tab, TASK)["lead"]

        # the plan amended (this task's deadline moves to 2021): the new version's task keeps it
        later = ("khen thưởng của tỉnh trong năm 2020", "khen thưởng của tỉnh trong năm 2021")
        out = plans("ingest", "--no-flow", str(amend(app, later)), db=db)
        assert "new version" in out.stdout
        tab.goto(plan_url)
        row = row_of(tab, TASK)
        assert "Sở Khoa học và Công nghệ" in row["lead"] and row["corrected"]
        assert "2021-12-31" in tab.run(f"document.getElementById({json.dumps(row['id'])}).textContent")
        tasks = [json.loads(x) for x in plans("tasks", "--plan", "3021/KH-UBND", "--json", db=db).stdout.splitlines()]
        fixed = next(t for t in tasks if t["text"].startswith(TASK))
        assert fixed["lead"] == ["Sở Nội vụ", "Sở Khoa học và Công nghệ"] and fixed["corrected"] == ["lead"]

        # a correction whose task is then removed from the plan shows as unmatched
        correct(tab, base, GONE, "support", "Sở Tài chính", "missing partner")
        assert tab.run("document.querySelectorAll('tr.unmatched-correction').length") == 0
        text = (RAW / "txt" / f"{PLAN}.txt").read_text(encoding="utf-8")
        paragraph = next(p for p in text.split("\n\n") if p.startswith("b) " + GONE))
        out = plans("ingest", "--no-flow", str(amend(app, later, (paragraph, ""))), db=db)
        assert "new version" in out.stdout
        tab.goto(plan_url)
        unmatched = tab.run("[...document.querySelectorAll('tr.unmatched-correction')].map(r => r.textContent)")
        assert len(unmatched) == 1 and "Sở Tài chính" in unmatched[0] and GONE[:20] in unmatched[0]
        assert row_of(tab, GONE) is None
        assert "Sở Khoa học và Công nghệ" in row_of(tab, TASK)["lead"]
        assert tab.errors() == []
        listed = plans("corrections", "--unmatched", db=db).stdout
        assert "unmatched" in listed and "Sở Tài chính" in listed and "1 corrections" in listed
        exported = plans("export", "--format", "gold", "-o", str(app["folder"] / "gold"), db=db)
        assert "1 correction(s) no longer find their task" in exported.stderr
        gold = [json.loads(x) for x in (app["folder"] / "gold" / f"{PLAN}.jsonl").read_text("utf-8").splitlines()]
        assert next(t for t in gold[1:] if t["text"].startswith(TASK))["lead"] == \
            ["Sở Nội vụ", "Sở Khoa học và Công nghệ"]
    finally:
        tab.close()


def post(url: str, body: bytes, headers: dict) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        return urllib.request.urlopen(request, timeout=10).status
    except urllib.error.HTTPError as e:
        return e.code


def test_forms_need_the_token_and_the_same_origin(app):
    base = app["base"]
    with urllib.request.urlopen(base + "/plans/1") as r:      # a first visit: the form works at once
        cookie = r.headers["set-cookie"].split(";")[0]
        html = r.read().decode()
    token = html.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    url = base + "/plans/1/reviewed"
    same = {"Cookie": cookie, "Origin": base, "Content-Type": "application/x-www-form-urlencoded"}
    assert post(url, b"csrf=forged", same) == 403
    assert post(url, f"csrf={token}".encode(), {**same, "Origin": "http://evil.example"}) == 403
    assert post(url, f"csrf={token}".encode(), {k: v for k, v in same.items() if k != "Origin"}) == 403
    assert post(url, f"csrf={token}".encode(), {**same, "Cookie": ""}) == 403
    request = urllib.request.Request(base + "/", headers={"Host": "attacker.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 421
    assert "Not reviewed yet" in html
    assert post(url, f"csrf={token}".encode(), same) in (200, 303)
    with urllib.request.urlopen(urllib.request.Request(base + "/plans/1", headers={"Cookie": cookie})) as r:
        assert "Reviewed by <b>Chuyên viên A</b>" in r.read().decode()


def test_values_are_escaped(app):
    import store
    engine = store.connect(app["db"])
    store.add_task(engine, 1, {"text": "<script>alert(1)</script> Tổ chức hội nghị",
                               "lead": "<b>Sở X</b>"}, author="<i>x</i>")
    with urllib.request.urlopen(app["base"] + "/plans/1") as r:
        html = r.read().decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>Sở X</b>" not in html and "<i>x</i>" not in html


def test_a_non_loopback_host_is_refused_unless_allowed(app):
    out = plans("serve-review", "--host", "0.0.0.0", db=app["db"], check=False)
    assert out.returncode == 1 and "--allow-remote" in out.stderr
