"""Identity rules: which plan a Plan is, what a task says."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict

from schemas.plan import PlanMeta, Task
from schemas.text import fold


def content(task: Task) -> dict:
    """What a task says, without where it was found (page and block differ between the PDF
    and the DOCX of one plan) nor how a deadline was worded (line breaks in a cell differ
    between renderings; the normalized deadline is what counts)."""
    return {"part": task.part, "code": task.code, "group": task.group, "text": task.text,
            "result": task.result, "lead": list(task.lead), "support": list(task.support),
            "deadlines": [{k: v for k, v in asdict(d).items() if k != "raw"} for d in task.deadlines]}


def plan_key(meta: PlanMeta, document: str = "") -> str:
    """A plan's identity: province + number ("ninh thuan|3021/KH-UBND"), or province +
    normalized title when the number is blank ("kon tum|t:trien khai thuc hien …")."""
    province = fold(meta.province).strip()
    if meta.number and meta.number.strip():
        return f"{province}|{''.join(meta.number.split()).upper()}"
    if meta.title and meta.title.strip():
        words = " ".join(re.findall(r"\w+", fold(meta.title)))
        return f"{province}|t:{words}"[:900]
    return f"{province}|doc:{document}"


def plan_label(key: str, number: str | None = None) -> str:
    """How a plan is named to a person: its number (as printed, else as in its key), else
    "unnumbered-" and 8 hex digits of its key's SHA-256 (its province and title: the same
    whichever of its files loaded first)."""
    rest = key.split("|", 1)[-1]
    if number or not rest.startswith(("t:", "doc:")):
        return number or rest
    return f"unnumbered-{hashlib.sha256(key.encode()).hexdigest()[:8]}"



def content_hash(tasks: list[Task]) -> str:
    """SHA-256 of what the tasks say (without page/block): equal for the PDF and the DOCX of
    one plan when their extraction agrees."""
    data = json.dumps([content(t) for t in tasks], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()

