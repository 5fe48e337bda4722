"""Find a plan's metadata and tasks in a Document (EXTRACTION.md): `find_plan(document)`,
or `process(path)` from a file."""
from __future__ import annotations

import re
from collections import Counter
from itertools import groupby
from dataclasses import replace
from pathlib import Path

from pipeline.agencies import field_regex, find_roles, local_level_in_force, only_agencies, profiles, unique
from pipeline.deadlines import dedupe, find_in_prose, parse_cell
from pipeline.metadata import find_meta
from pipeline.resources import pattern
from pipeline.structure import (Node, Part, build_tree, code_of, is_title, leaves,
                                number_paragraphs, split_parts)
from pipeline.text import fold_words
from schemas.text import dice
from pipeline.tables import classify_rows, read_header
from schemas.document import Document, ExtractionError
from schemas.plan import Plan, Task

TASK_PARTS = {"tasks", "implementation"}
TABLE_PARTS = {"tasks", "implementation", "appendix", "other"}
DUTY_PARTS = {"duties"}      # funding, reporting: their duties that name an agency are tasks
NO_TASKS = ("no tasks found: not a plan, or a layout not understood (no task section, task "
            "table or duty assigned to an agency)")


def process(path: str | Path) -> Plan:
    """Read a plan file and find its plan."""
    from extractors import read
    return find_plan(read(path))


def find_plan(document: Document) -> Plan:
    """The plan's metadata and tasks; raises ExtractionError when the document has no task
    (a letter, a report, a plan whose layout is not understood): nothing to load."""
    parts = split_parts(document.blocks)
    meta = find_meta(document.blocks)
    aliases: dict[str, set[str]] = {}
    tasks = find_tasks(parts, aliases)
    if not tasks and any(part.kind == "topics" for part in parts):
        for part in parts:      # the topics to inspect are the only work the plan names
            part.kind = "tasks" if part.kind == "topics" else part.kind
        tasks = find_tasks(parts, aliases)
    if not tasks:
        raise ExtractionError(document.path, NO_TASKS)
    for t in tasks:
        t.lead = unique([local_level_in_force(n, meta.issued) for n in t.lead])
        t.support = [n for n in unique([local_level_in_force(n, meta.issued) for n in t.support])
                     if n not in t.lead]
    named = {n for t in tasks for n in t.lead + t.support}
    return Plan(document=document.name, meta=meta, tasks=tasks,
                aliases={name: sorted(raw) for name, raw in aliases.items() if name in named},
                agencies=profiles(sorted(named)))


def find_tasks(parts: list[Part], aliases: dict[str, set[str]]) -> list[Task]:
    """Tasks of the task parts, then duties of the implementation and duty parts; an appendix
    table replaces the prose it restates."""
    table_tasks = [t for part in parts if part.kind in TABLE_PARTS for t in table_tasks_of(part, aliases)]
    prose: list[Task] = []
    for part in parts:
        if part.kind in TASK_PARTS:
            prose.extend(prose_tasks(part, aliases))
        elif part.kind in DUTY_PARTS:
            prose.extend(duty_tasks(part, aliases))
    if table_tasks:
        prose = drop_restated(prose, table_tasks)
    return [t for t in table_tasks if t.part == "tasks"] + [t for t in prose if t.part == "tasks"] \
        + [t for t in table_tasks + prose if t.part == "implementation"]


def similarity(text: str, others: list[Counter]) -> float:
    """Best token-overlap (Dice) similarity of `text` to any of `others`."""
    mine = Counter(fold_words(text))
    return max((dice(mine, o) for o in others if mine), default=0.0)


def drop_restated(prose: list[Task], table_tasks: list[Task]) -> list[Task]:
    """The task table is the task list: prose task items it repeats are dropped. An item is
    repeated by the table row that overlaps it most when nearly all of that row's words are
    in it (a row restates one item); where the table restates most of a section's items, that
    section's paraphrased items go too. Items it lacks, and sections it skips, stay."""
    table = [Counter(fold_words(t.text)) for t in table_tasks]
    items = [t for t in prose if t.part == "tasks"]
    words = {id(t): Counter(fold_words(t.text)) for t in items}
    restated = set()
    for row in table:
        overlap = {id(t): sum((words[id(t)] & row).values()) for t in items}
        best = max(overlap, key=overlap.get, default=None)
        if best is not None and sum(row.values()) >= 4 and overlap[best] >= 0.8 * sum(row.values()):
            restated.add(best)
    scores = {id(t): similarity(t.text, table) for t in items}
    sections: dict[str, list[Task]] = {}
    for t in items:
        sections.setdefault(t.code.split(".")[0], []).append(t)
    threshold = {}
    for section in sections.values():
        most = sum(scores[id(t)] >= 0.6 or id(t) in restated for t in section) >= 0.6 * len(section)
        threshold.update({id(t): 0.25 if most else 0.6 for t in section})
    return [t for t in prose if t.part != "tasks" or
            (scores[id(t)] < threshold[id(t)] and id(t) not in restated)]


# --- tables -------------------------------------------------------------------------------

def clean_cell(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" -–•")


def table_tasks_of(part: Part, aliases: dict[str, set[str]]) -> list[Task]:
    tasks: list[Task] = []
    for block in part.blocks:
        if block.kind != "table" or not block.rows:
            continue
        first = len(tasks)
        columns = read_header(block.rows)
        if columns is None:
            continue
        group = intro = None
        sub = position = 0
        rows = classify_rows(block.rows, columns)
        for r in rows:
            task_text = columns.cell(r.row, "task")
            if r.kind == "group":
                text = task_text or next(c for c in r.row if c.strip())
                group = clean_cell(re.sub(r"^\s*(?:[IVXLC]+|\d+(?:\.\d+)*)\.?\s+", "", text))
                intro = None
                continue
            if r.kind == "intro":
                intro, sub = (r.number, clean_cell(task_text)), 0
                continue
            if intro and (not r.number or r.number in "-–•+"):
                sub += 1
                code, task_group = f"{intro[0]}.{sub}", intro[1]
            else:
                intro = None
                position += 1
                code, task_group = r.number or str(position), group   # unnumbered rows by position
            leading, _, partners = split_at_field(columns.cell(r.row, "lead"), "support")
            lead, support = find_roles(leading, "lead", aliases)
            lead2, support2 = find_roles(partners + "\n" + columns.cell(r.row, "support"), "support", aliases)
            lead = unique(lead + lead2)
            support = [s for s in unique(support + support2) if s not in lead]
            page = block.row_pages[r.index] if block.row_pages else block.page
            tasks.append(Task(
                part="implementation" if part.kind == "implementation" else "tasks",
                code=code, text=clean_cell(task_text), group=task_group,
                result=clean_cell(columns.cell(r.row, "result")) or None,
                lead=lead, support=support,
                deadlines=parse_cell(columns.cell(r.row, "deadline")),
                page=page, block="table", block_index=block.index, row=r.index,
                bbox=block.row_boxes[r.index] if block.row_boxes else None))
        number_schedule_rows(tasks[first:])
    return tasks


def split_at_field(cell: str, kind: str) -> tuple[str, str, str]:
    """A cell cut where a field of `kind` opens a line or follows a sentence: "Trưởng đoàn:
    Giám đốc Sở A. Thành viên: - Sở B; - Sở C" → (the lead part, the label, the partners)."""
    m = re.search(rf"(?:^|(?<=[.;\n]))\s*(?:{field_regex(kind)})\s*:", cell, re.I)
    return (cell[:m.start()], m.group(), cell[m.end():]) if m else (cell, "", "")


def number_schedule_rows(tasks: list[Task]) -> None:
    """Rows under one merged number and content cell (a broadcast or inspection schedule,
    each row its own date and agency) are one task each: "2.1", "2.2" (EXTRACTION §2)."""
    for _, same in groupby(tasks, key=lambda t: (t.code, t.text)):
        same = list(same)
        if len(same) > 1:
            for k, t in enumerate(same, 1):
                t.code = f"{t.code}.{k}"


# --- prose --------------------------------------------------------------------------------

def prose_tasks(part: Part, aliases: dict[str, set[str]]) -> list[Task]:
    root = build_tree(part)
    if part.kind == "implementation":
        number_paragraphs(root)
    found: list[tuple[Node, Task]] = []
    for leaf in leaves(root):
        task = prose_task(leaf, part, aliases)
        if task.text:
            found.append((leaf, task))
    share_point_deadlines(found)
    return [t for _, t in found]


def duty_tasks(part: Part, aliases: dict[str, set[str]]) -> list[Task]:
    """Implementation tasks of a funding or reporting section: the items and paragraphs that
    give an agency work ("Đề nghị các sở, ban, ngành … khẩn trương thực hiện"); a line that
    only names a funding source is none."""
    root = build_tree(part)
    for text in root.body:                     # its plain paragraphs, numbered after its items
        root.children.append(Node(f"{len(root.children) + 1}.", text, "arabic", None, root))
    root.body = []
    tasks = [prose_task(leaf, part, aliases) for leaf in leaves(root)]
    return [replace(t, part="implementation") for t in tasks if t.text and t.lead]


def prose_task(leaf: Node, part: Part, aliases: dict[str, set[str]]) -> Task:
    """A leaf item as a task: its text (a title item's body, an agency or title prefix split
    off), its own or inherited agencies, its deadlines and the heading it sits under."""
    text, title, heading = leaf.text, None, None
    if leaf.body:
        if is_title(leaf.text):     # "4.4. Đề nghị Tòa án nhân dân tỉnh" over its paragraph
            heading, text = leaf.text.rstrip(" :"), " ".join(leaf.body)
        else:
            text = " ".join([leaf.text] + leaf.body)
    prefix_agencies = None
    m = re.match(r"^(.{2,250}?):\s+(\S.*)$", text, re.S)
    if m and only_agencies(m.group(1)):
        prefix_agencies, text = m.group(1), m.group(2)
    elif m and len(m.group(1).split()) <= 8 and not find_roles(m.group(1))[0]:
        title, text = m.group(1).strip(), m.group(2)

    lead, support = find_roles(text, aliases=aliases)
    if prefix_agencies:
        pl, ps = find_roles(prefix_agencies, "lead", aliases)
        lead, support = unique(pl + lead), unique(ps + support)
    if heading:                 # a heading that names agencies gives them their role
        agencies_only = only_agencies(heading)
        hl, hs = find_roles(heading, "lead" if agencies_only else None, aliases)
        lead, support = unique(hl + lead), unique(hs + support)
        if not agencies_only:
            title = title or heading
    attributed = inherited_roles(leaf)
    if attributed and (not lead or leaf.attributions):
        al, asup = attributed
        lead = unique(al + lead) if leaf.attributions else al
        support = unique(asup + support)
    support = [s for s in support if s not in lead]

    deadlines = find_in_prose(text)
    for value in own_or_inherited(leaf, "deadline"):
        deadlines += parse_cell(value)
    for node in leaf.path()[-2::-1]:     # "I. Những nhiệm vụ cần triển khai ngay trong tháng 12/2025"
        if deadlines:
            break
        deadlines = find_in_prose(node.text)
    results = own_or_inherited(leaf, "result")
    group = None
    if part.kind == "tasks":
        group = title or group_of(leaf)
    return Task(part=part.kind, code=code_of(leaf, part.label), text=text.strip(),
                group=group, result=results[0] if results else None, lead=lead,
                support=support, deadlines=dedupe(deadlines),
                page=leaf.block.page if leaf.block else None, block="paragraph",
                block_index=leaf.block.index if leaf.block else None,
                bbox=leaf.block.bbox if leaf.block else None)


def own_or_inherited(leaf: Node, kind: str) -> list[str]:
    """Values of the nearest attribution lines of `kind` for this item."""
    for node in leaf.path()[::-1]:
        found = [a.value for a in node.attributions if a.kind == kind]
        if found:
            return found
    return []


def inherited_roles(leaf: Node) -> tuple[list[str], list[str]] | None:
    """Lead and support from the nearest attribution: the item's own trailing attribution
    line, an unlabelled "Sở X:" line above it, or an ancestor item that names agencies."""
    for node in leaf.path()[::-1]:
        lines = [a.value for a in node.attributions if a.kind == "agencies"]
        partners = [a.value for a in node.attributions if a.kind == "support"]
        if lines:
            lead, support = find_roles("\n".join(lines).replace("\n+", ";"), default="lead")
            support += find_roles("; ".join(partners), default="support")[1]
            if lead:
                return lead, unique(support)
        if node.inherited_heading:
            lead, support = find_roles(node.inherited_heading.rstrip(" :"), default="lead")
            if lead:
                return lead, support
        if node is not leaf and node.style != "root":
            lead, support = find_roles(node.text, default="lead" if only_agencies(node.text) else None)
            if lead:
                return lead, support
    return None


def group_of(leaf: Node) -> str | None:
    """The nearest ancestor item that is a heading rather than an agency attribution."""
    for node in leaf.path()[-2:0:-1]:
        if only_agencies(node.text) or find_roles(node.text)[0]:
            continue
        return node.text.rstrip(" :")
    return None


def share_point_deadlines(found: list[tuple[Node, Task]]) -> None:
    """"Các cơ quan được giao nhiệm vụ tại điểm a, b trên … trong tháng 12" dates items a and b."""
    for node, task in found:
        for d in task.deadlines:
            m = pattern("point_reference").search(d.raw)
            if not m or node.parent is None:
                continue
            labels = set(re.findall(r"[a-zđ]", m.group(1)))
            for other, other_task in found:
                if other.parent is node.parent and other.label and \
                        other.label.rstrip(").").lower() in labels and d not in other_task.deadlines:
                    other_task.deadlines = dedupe(other_task.deadlines + [d])
