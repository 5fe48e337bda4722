"""What a plan says: metadata and tasks, as defined by the extraction contract (EXTRACTION.md)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal, get_args

Part = Literal["tasks", "implementation"]
DeadlineKind = Literal["date", "month", "quarter", "half_year", "year", "ongoing", "recurring",
                       "start", "relative", "event"]
DEADLINE_KINDS: tuple[str, ...] = get_args(DeadlineKind)
ROLES = ("lead", "support")
AGENCY_SCOPES = ("central", "province", "district", "commune")


@dataclass(frozen=True)
class AgencyProfile:
    """What the pipeline knows of an agency besides its name: its kind (the gazetteer's:
    so, ban, office, security, press, front, association, collective, other, …) and its scope,
    the level it belongs to: central (a ministry: one body for the whole country), province
    (Sở …, Bộ Chỉ huy Quân sự tỉnh: one body per province), district or commune (a named
    local body, "Ủy ban nhân dân phường Xuân Hương", within the plan's province)."""

    kind: str = "other"
    scope: str = "province"


@dataclass
class Deadline:
    """Thời gian hoàn thành: one normalized deadline item (contract §4)."""

    raw: str
    kind: str
    value: str | None = None
    due: str | None = None
    start: str | None = None
    recurrence: str | None = None
    anchor: str | None = None


def describe_deadline(d: dict, details: bool = False) -> str:
    """A deadline's normalized reading, from its §5 dict: "quarter 2025-Q2, due 2025-06-30"
    (the form of the v_current_tasks view and the exports); with `details` also its
    recurrence, start and anchor ("recurring, every year-11-15, due 2025-11-15")."""
    parts = [" ".join(x for x in (d.get("kind") or "?", d.get("value")) if x)]
    labelled = [("every", "recurrence"), ("due", "due"), ("from", "start"), ("after:", "anchor")]
    parts += [f"{label} {d[key]}" for label, key in labelled
              if d.get(key) and (details or key == "due")]
    return ", ".join(parts)


@dataclass
class Task:
    """Nhiệm vụ: one leaf of the task or implementation part (contract §2)."""

    part: str
    code: str
    text: str
    group: str | None = None
    result: str | None = None
    lead: list[str] = field(default_factory=list)      # cơ quan chủ trì
    support: list[str] = field(default_factory=list)   # cơ quan phối hợp
    deadlines: list[Deadline] = field(default_factory=list)
    page: int | None = None
    block: str = "paragraph"                           # "table" or "paragraph"
    # where in the source file (not part of the §5 export): the Block's index in the
    # Document, the table row's index in that block, the box on `page` (PDF)
    block_index: int | None = None
    row: int | None = None
    bbox: tuple[float, float, float, float] | None = None


@dataclass
class PlanMeta:
    province: str | None = None
    number: str | None = None
    issued: str | None = None
    title: str | None = None
    signer: str | None = None


@dataclass
class Plan:
    document: str                    # source file name without extension
    meta: PlanMeta
    tasks: list[Task] = field(default_factory=list)
    # canonical agency name → raw mentions seen in the document ("UBND tỉnh", "Sở KH&CN");
    # optional, stored as agency aliases by the database; not part of the §5 export
    aliases: dict[str, list[str]] = field(default_factory=dict)
    # canonical agency name → its kind and scope as the pipeline found them; the database
    # takes them as given (a name missing here is stored as kind "other", scope "province");
    # not part of the §5 export
    agencies: dict[str, AgencyProfile] = field(default_factory=dict)

    def to_records(self) -> list[dict]:
        """The §5 export: one plan line, then one line per task."""
        out = [{"document": self.document, "plan": asdict(self.meta)}]
        for t in self.tasks:
            out.append({
                "document": self.document, "part": t.part, "code": t.code, "group": t.group,
                "text": t.text, "result": t.result, "lead": t.lead, "support": t.support,
                "deadlines": [asdict(d) for d in t.deadlines],
                "source": {"page": t.page, "block": t.block},
            })
        return out
