"""Plans and Documents built from the gold §5 files (tests/gold/*.jsonl), so database and
flow tests do not depend on the extraction pipeline. Each Plan carries its agencies' kinds and
scopes as the pipeline describes them (pipeline.agencies.profiles), as find_plan() hands them
over; the §5 records do not hold them."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

from schemas.document import Document
from schemas.plan import Deadline, Plan, PlanMeta, Task

GOLD = Path(__file__).parent / "gold"


def gold_files() -> list[Path]:
    return sorted(GOLD.glob("*.jsonl"))


def plan_from_records(records: list[dict]) -> Plan:
    """The inverse of Plan.to_records()."""
    head, *rows = records
    tasks = [Task(part=r["part"], code=r["code"], text=r["text"], group=r["group"],
                  result=r["result"], lead=list(r["lead"]), support=list(r["support"]),
                  deadlines=[Deadline(**d) for d in r["deadlines"]],
                  page=r["source"]["page"], block=r["source"]["block"]) for r in rows]
    from pipeline.agencies import profiles
    return Plan(document=head["document"], meta=PlanMeta(**head["plan"]), tasks=tasks,
                agencies=profiles(sorted({n for t in tasks for n in t.lead + t.support})))


def read_records(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()
            if line.strip()]


def gold_plan(path: Path) -> Plan:
    return plan_from_records(read_records(path))


def fake_document(plan: Plan, fmt: str = "pdf", salt: str = "") -> Document:
    """A Document standing for the plan's source file: path data/raw/<fmt>/<stem>.<fmt> and
    a sha256 derived from the stem, format and `salt` (change the salt for "other bytes")."""
    sha = hashlib.sha256(f"{plan.document}.{fmt}{salt}".encode()).hexdigest()
    return Document(path=f"data/raw/{fmt}/{plan.document}.{fmt}", sha256=sha, format=fmt,
                    pages=None, extractor="gold", ocr=False)


def gold_plans() -> list[tuple[Document, Plan]]:
    """The five gold plans, each with a fake PDF Document."""
    out = []
    for path in gold_files():
        plan = gold_plan(path)
        out.append((fake_document(plan), plan))
    return out
