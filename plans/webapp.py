"""The review-and-correct web app (`plans serve-review`): each task beside its source, and
forms that store corrections through the store (store.correct, add_task, mark_reviewed).

Server-side HTML (Jinja2 templates in plans/templates/, autoescaped), no scripts. Source
regions are rendered on request: a PDF task's page with pdfium, cropped around the task's
box and highlighted; a DOCX or text task's paragraph or table row among its neighbours.
Every POST carries the session's CSRF token and a same-origin Origin (or Referer); requests
for another Host are refused (DNS rebinding).
"""
from __future__ import annotations

import hashlib
import hmac
import io
import os
import secrets
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

import store
from plans.review import flags
from schemas.plan import describe_deadline

TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(default=True, default_for_string=True))
TEMPLATES.filters["deadline"] = lambda d: describe_deadline(d, details=True)
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
SESSION = "plans_session"
MAX_FORM = 1 << 20
CROP_SCALE = 2.0          # pixels per PDF point in the crops
CONTEXT = 2               # blocks (or table rows) shown on each side of a task's own


def deadlines_from(text: str) -> list[dict]:
    """Deadline items from an analyst's phrases, one per line, read by the deadline grammar;
    a phrase the grammar does not read is kept as an `event` deadline anchored on it."""
    from dataclasses import asdict

    from pipeline.deadlines import parse_cell
    out = []
    for line in (ln.strip() for ln in text.splitlines()):
        if line:
            found = parse_cell(line)
            out += [asdict(d) for d in found] or [{"raw": line, "kind": "event", "anchor": line}]
    return out


@lru_cache(maxsize=8)
def _page_image(path: str, page: int, mtime: float):
    import pypdfium2 as pdfium
    from extractors import PDFIUM          # pdfium is not thread-safe; requests run in threads
    with PDFIUM:
        pdf = pdfium.PdfDocument(path)
        try:
            return pdf[page - 1].render(scale=CROP_SCALE).to_pil().convert("RGB")
        finally:
            pdf.close()


def crop_png(path: str, page: int, bbox: tuple) -> bytes:
    """The page region around bbox (half an inch around it), the box highlighted, as PNG."""
    from PIL import Image, ImageDraw
    image = _page_image(path, page, os.path.getmtime(path))
    x0, top, x1, bottom = (v * CROP_SCALE for v in bbox)
    margin = 36 * CROP_SCALE
    region = (max(0, int(x0 - margin)), max(0, int(top - margin)),
              min(image.width, int(x1 + margin)), min(image.height, int(bottom + margin)))
    shown = image.crop(region)
    overlay = Image.new("RGBA", shown.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    box = (x0 - region[0] - 3, top - region[1] - 3, x1 - region[0] + 3, bottom - region[1] + 3)
    draw.rectangle(box, fill=(255, 220, 0, 60), outline=(220, 30, 30, 255), width=3)
    shown = Image.alpha_composite(shown.convert("RGBA"), overlay).convert("RGB")
    buf = io.BytesIO()
    shown.save(buf, "PNG", compress_level=3)
    return buf.getvalue()


@lru_cache(maxsize=4)
def _document(path: str, mtime: float):
    from extractors import read
    return read(path)


def source_context(path: str, block_index: int | None, row: int | None) -> list[dict]:
    """The task's block (or table row) with its neighbours: [{"text", "own"}]."""
    if block_index is None:
        return []
    blocks = _document(path, os.path.getmtime(path)).blocks
    at = next((k for k, b in enumerate(blocks) if b.index == block_index), None)
    if at is None:
        return []
    block = blocks[at]
    if block.kind == "table" and row is not None and block.rows:
        lo, hi = max(0, row - CONTEXT), min(len(block.rows), row + CONTEXT + 1)
        return [{"text": " | ".join(block.rows[k]), "own": k == row} for k in range(lo, hi)]
    lo, hi = max(0, at - CONTEXT), min(len(blocks), at + CONTEXT + 1)
    return [{"text": " ".join(x for x in (blocks[k].label, blocks[k].text) if x), "own": k == at}
            for k in range(lo, hi)]


def create_app(engine, analyst: str, remote: bool = False) -> FastAPI:
    """The app over a migrated engine; corrections are signed `analyst`. Unless `remote`,
    only requests addressed to a loopback name are served."""
    app = FastAPI(title="plans review", docs_url=None, redoc_url=None, openapi_url=None)
    secret = secrets.token_bytes(32)

    def token(session: str) -> str:
        return hmac.new(secret, session.encode(), hashlib.sha256).hexdigest()

    @app.middleware("http")
    async def guard(request: Request, call_next):
        host = request.headers.get("host", "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if not remote and name not in LOOPBACK:
            return Response("unknown Host", status_code=421)
        session = request.cookies.get(SESSION)
        if request.method == "POST":
            origin = request.headers.get("origin") or request.headers.get("referer") or ""
            if not session or urlsplit(origin).netloc != host:
                return Response("cross-site request refused", status_code=403)
        request.state.session = session or secrets.token_urlsafe(24)
        response = await call_next(request)
        if not session:
            response.set_cookie(SESSION, request.state.session, httponly=True, samesite="strict")
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = "default-src 'self'; style-src 'self' 'unsafe-inline'"
        return response

    @app.exception_handler(StarletteHTTPException)
    async def error_page(request: Request, exc: StarletteHTTPException):
        html = TEMPLATES.get_template("error.html").render(
            status=exc.status_code, message=exc.detail, analyst=analyst)
        return HTMLResponse(html, status_code=exc.status_code)

    async def form(request: Request) -> dict[str, str]:
        body = await request.body()
        if len(body) > MAX_FORM:
            raise HTTPException(413, "form too large")
        fields = {k: v[0] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
        session = request.cookies.get(SESSION, "")
        if not hmac.compare_digest(fields.get("csrf", ""), token(session)):
            raise HTTPException(403, "missing or wrong form token; reload the page")
        return fields

    def page(request: Request, name: str, **values) -> HTMLResponse:
        html = TEMPLATES.get_template(name).render(csrf=token(request.state.session),
                                                   analyst=analyst, **values)
        return HTMLResponse(html)

    def plan_review(plan_id: int) -> dict:
        try:
            return store.review(engine, plan_id)
        except LookupError as exc:
            raise HTTPException(404, str(exc)) from None

    def item_of(data: dict, task_id: int) -> dict:
        for item in data["tasks"]:
            if item["task_id"] == task_id:
                return item
        raise HTTPException(404, f"task {task_id} is not in the current version of this plan")

    def back(plan_id: int, anchor: str = "") -> RedirectResponse:
        return RedirectResponse(f"/plans/{plan_id}{anchor}", status_code=303)

    @app.get("/favicon.ico")
    def favicon():
        return Response(status_code=204)

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request):
        return page(request, "index.html", plans=store.list_plans(engine))

    @app.get("/plans/{plan_id}", response_class=HTMLResponse)
    def plan(request: Request, plan_id: int):
        data = plan_review(plan_id)
        return page(request, "plan.html", plan_id=plan_id, data=data, flags=flags)

    @app.get("/plans/{plan_id}/tasks/{task_id}", response_class=HTMLResponse)
    def task(request: Request, plan_id: int, task_id: int):
        data = plan_review(plan_id)
        item = item_of(data, task_id)
        context = []
        for loc in item["locations"]:
            if loc["format"] != "pdf" and Path(loc["path"]).exists():
                context = source_context(loc["path"], loc["block_index"], loc["row"])
                if context:
                    break
        history = [c for c in store.list_corrections(engine, plan_id) if c["task_id"] == task_id]
        return page(request, "task.html", plan_id=plan_id, data=data, item=item,
                    context=context, history=history)

    @app.get("/plans/{plan_id}/tasks/{task_id}/source/{source_id}.png")
    def crop(plan_id: int, task_id: int, source_id: int):
        loc = store.task_location(engine, task_id, source_id)
        if loc is None or loc["format"] != "pdf" or not loc["page"] or not loc["bbox"]:
            raise HTTPException(404, "no page region for this task in this file")
        if not Path(loc["path"]).exists():
            raise HTTPException(404, f"the source file is no longer at {loc['path']}")
        return Response(crop_png(loc["path"], loc["page"], loc["bbox"]), media_type="image/png",
                        headers={"Cache-Control": "private, max-age=300"})

    @app.post("/plans/{plan_id}/tasks/{task_id}/correct")
    async def correct(request: Request, plan_id: int, task_id: int):
        fields = await form(request)
        record = item_of(plan_review(plan_id), task_id)["record"]
        changes = {k: fields.get(k, "") for k in ("lead", "support", "text")}   # unchanged: skipped
        phrases = [" ".join(d["raw"].split()) for d in record["deadlines"]]
        if [" ".join(ln.split()) for ln in fields.get("deadlines", "").splitlines() if ln.strip()] != phrases:
            changes["deadlines"] = deadlines_from(fields.get("deadlines", ""))
        try:
            store.correct(engine, task_id, changes, author=analyst,
                          reason=fields.get("reason") or None)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        return back(plan_id, f"#t{task_id}")

    @app.post("/plans/{plan_id}/tasks/{task_id}/delete")
    async def delete(request: Request, plan_id: int, task_id: int):
        fields = await form(request)
        item = item_of(plan_review(plan_id), task_id)
        store.correct(engine, task_id, {"delete": not item["deleted"]}, author=analyst,
                      reason=fields.get("reason") or None)
        return back(plan_id, f"#t{task_id}")

    @app.post("/plans/{plan_id}/add")
    async def add(request: Request, plan_id: int):
        fields = await form(request)
        try:
            store.add_task(engine, plan_id, {
                "part": fields.get("part") or "tasks", "code": fields.get("code"),
                "text": fields.get("text"), "lead": fields.get("lead", ""),
                "support": fields.get("support", ""),
                "deadlines": deadlines_from(fields.get("deadlines", ""))},
                author=analyst, reason=fields.get("reason") or None)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        return back(plan_id, "#added")

    @app.post("/plans/{plan_id}/reviewed")
    async def reviewed(request: Request, plan_id: int):
        fields = await form(request)
        store.mark_reviewed(engine, plan_id, author=analyst, reason=fields.get("reason") or None)
        return back(plan_id)

    return app

