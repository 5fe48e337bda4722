"""The plan's parts and enumeration tree, built from a Document's blocks.

Parts come from section headings (patterns/sections.tsv); inside the task and implementation
parts, list items nest by label style (I. → 1. → 1.1. → a) → - → +), attribution lines
("* Đơn vị thực hiện: …") attach to the items they close, and unlabelled paragraphs become an
item's body or an attribution for the items that follow.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache

from schemas.numbering import label_code, starts_lower, style
from pipeline.agencies import field_regex, find_roles, is_boilerplate, only_agencies
from pipeline.resources import lines, pattern, rows, words
from pipeline.text import strip_marks, tone_normalize
from schemas.document import Block

TERMINAL = re.compile(r"[.;!?…]['\"”’)]*\s*$")
LETTERS = "abcdđeghiklmnopqrstuvxy"              # Vietnamese list letters, in order
ROMANS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")
# An OCR'd paragraph's first token that may be a misread label: "HI.", "Š.", "2,", "€)", "_~".
OCR_OPENING = re.compile(r"^(?P<token>[^\s.,)]{1,4})(?P<mark>[.,)]?)\s+(?=\S)")


PARTS = {"purpose", "targets", "topics", "tasks", "implementation", "duties", "recipients", "signature", "appendix"}


@cache
def _sections(marks: bool = True) -> tuple[tuple[str, re.Pattern], ...]:
    """Heading patterns; without marks, for headings whose diacritics OCR or typing got wrong."""
    return tuple((row.one_of(part, PARTS, "part"), row.regex(rf"^\W*(?:{regex if marks else strip_marks(regex)})"))
                 for row in rows("sections.tsv") for part, regex in [row])


@cache
def _attribution(effect: str) -> re.Pattern:
    return re.compile(rf"^\W*(?:{field_regex(effect)})\s*:\s*", re.I)


def section_of(text: str) -> str | None:
    """The part a heading opens ("II. NHIỆM VỤ …", "Phần B - TỔ CHỨC THỰC HIỆN")."""
    text = pattern("heading_label").sub("", tone_normalize(text), count=1)
    folded = strip_marks(text)
    for (part, heading), (_, heading_folded) in zip(_sections(True), _sections(False)):
        if heading.search(text) or heading_folded.search(folded):     # folded: OCR'd marks
            return part
    return None


def attribution(text: str) -> tuple[str, str] | None:
    """("agencies" | "deadline" | "result", value) for a line like "Thời gian thực hiện: Thường xuyên"."""
    norm = tone_normalize(text)
    for kind in ("support", "agencies", "deadline", "result", "note"):
        m = _attribution(kind).match(norm)
        if m:
            return kind, text[m.end():].strip()
    return None


@dataclass
class Attribution:
    """A "* Đơn vị thực hiện: …" / "Thời gian thực hiện: …" line, shared by the items it closes."""
    kind: str            # "agencies", "support", "deadline" or "result"
    value: str


@dataclass
class Node:
    label: str | None
    text: str
    style: str
    block: Block | None = None
    parent: "Node | None" = None
    children: list["Node"] = field(default_factory=list)
    body: list[str] = field(default_factory=list)          # unlabelled paragraphs after the item
    attributions: list[Attribution] = field(default_factory=list)
    heading_agencies: str | None = None                    # unlabelled "Sở X:" line for the items below
    inherited_heading: str | None = None                   # the parent's such line when this item began
    since_attribution: int = 0                             # children added since the last attribution

    def path(self) -> list["Node"]:
        node, out = self, []
        while node is not None:
            out.append(node)
            node = node.parent
        return out[::-1]


@dataclass
class Part:
    kind: str
    label: str | None
    root: Node
    blocks: list[Block] = field(default_factory=list)


def is_heading(block: Block) -> bool:
    """A block that may open a part: Roman-labelled, set in capitals, bold, or a heading."""
    text = block.text
    caps = in_capitals(text)
    if block.label and style(block.label) == "roman":
        return True
    if block.label:
        return False
    return caps or block.kind == "heading" or (block.bold and len(text) < 120)


def is_appendix_caption(block: Block) -> bool:
    """"Phụ lục II" on a line of its own, however it is set (OCR loses capitals and bold)."""
    return not block.label and len(block.text) < 30 and section_of(block.text) == "appendix"


def in_capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) / len(letters) > 0.8


def mend(blocks: list[Block]) -> list[Block]:
    """Join paragraphs that a page or line break split mid-sentence ("… phối hợp với Sở
    Khoa học và" + "Công nghệ …"): the second has no label and starts in lower case, or the
    first ends without punctuation on a connector or an agency head word."""
    connectors = set(words("connectors.txt")) | {head.split()[0] for head in lines("agency_heads.txt")}
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if (prev is not None and block.kind != "table" and prev.kind != "table" and not block.label
                and block.text and prev.text and not TERMINAL.search(prev.text)
                and not prev.text.rstrip().endswith(":")
                and in_capitals(prev.text) <= in_capitals(block.text)   # not onto a heading in capitals
                and (starts_lower(block.text) or prev.text.split()[-1] in connectors)):
            out[-1] = replace(prev, text=f"{prev.text} {block.text}")
            continue
        out.append(block)
    return out


class Numbering:
    """The labels that would continue the numbering read so far: the next Roman numeral, the
    next number under it and the next letter under that."""

    def __init__(self) -> None:
        self.roman, self.arabic, self.letter = 0, 0, -1

    def expected(self) -> set[str]:
        nxt = {str(self.arabic + 1)}
        if self.roman < len(ROMANS):
            nxt.add(ROMANS[self.roman])
        if self.letter + 1 < len(LETTERS):
            nxt.add(LETTERS[self.letter + 1])
        return nxt

    def see(self, label: str | None) -> None:
        code = label_code(label) if label else ""
        kind = style(label) if label else None
        if kind == "roman" and code in ROMANS:
            self.roman, self.arabic, self.letter = ROMANS.index(code) + 1, 0, -1
        elif kind == "arabic":
            self.arabic, self.letter = int(code), -1
        elif kind == "letter" and code in LETTERS:
            self.letter = LETTERS.index(code)


@cache
def _ocr_readings() -> tuple[tuple[str, str], ...]:
    return tuple((read, meant) for read, meant in rows("ocr_labels.tsv"))


def _reading(token: str, mark: str, numbering: Numbering) -> str | None:
    """The label an OCR'd token stands for, if it (or its reading) continues the numbering."""
    mark = "." if mark == "," else mark
    if not mark:
        return next((meant for read, meant in _ocr_readings() if token == read and style(meant) == "dash"), None)
    expected = numbering.expected()
    readings = [token.replace(read, meant) for read, meant in _ocr_readings() if read in token]
    if len(token) > 1 and token[0].isdigit() != token[1:].isdigit():
        readings.append(token[1:])                        # a speck before the label: "c8."
    for candidate in [token, *readings]:
        if candidate in expected:
            return candidate + mark
    if mark == ")" and len(token) == 1 and token not in LETTERS and not token.isdigit() and numbering.letter >= 0:
        return LETTERS[min(numbering.letter + 1, len(LETTERS) - 1)] + ")"   # "ø) …"
    return None


def mend_ocr_labels(blocks: list[Block]) -> list[Block]:
    """Enumeration labels that Tesseract misread, put right where the numbering tells which
    label was printed (patterns/ocr_labels.tsv): "HI." after "II." is "III.", "V, TỔ CHỨC"
    is "V.", "€)" after "b)" is "c)". Blocks with a text layer are left as they are."""
    numbering, out = Numbering(), []
    for block in blocks:
        if block.ocr and block.kind != "table":
            if (block.label and style(block.label) in ("roman", "arabic", "letter")
                    and label_code(block.label) not in numbering.expected()):
                label = _reading(label_code(block.label), block.label[-1] if block.label[-1] in ".)" else "", numbering)
                if label:
                    block = replace(block, label=label)
            elif not block.label and (m := OCR_OPENING.match(block.text)):
                label = _reading(m.group("token"), m.group("mark"), numbering)
                if label:
                    block = replace(block, kind="list_item", label=label, text=block.text[m.end():])
        numbering.see(block.label)
        out.append(block)
    return out


def part_label(block: Block) -> str | None:
    """The printed label of a part heading: "II" of "II. NHIỆM VỤ", "B" of "B. NHIỆM VỤ"."""
    if block.label and style(block.label) == "roman":
        return label_code(block.label)
    m = pattern("heading_label").match(block.text)
    return m.group("label").upper() if m and not block.label else None


def split_parts(blocks: list[Block]) -> list[Part]:
    """The parts in order; blocks before the first heading (the header) belong to none.
    Tables stay in the part they stand in."""
    parts: list[Part] = []
    for block in mend(mend_ocr_labels(blocks)):
        if block.kind != "table" and (is_heading(block) or is_appendix_caption(block)):
            kind = section_of(block.text)
            if kind is None and block.label and style(block.label) == "roman":
                kind = "other"
            if kind is None and parts and parts[-1].kind == "signature" and len(block.text) < 80:
                kind = "appendix"    # a caption after the signature opens the appendix
            if kind:
                label = part_label(block)
                parts.append(Part(kind, label, Node(label, block.text, "root", block)))
                continue
        if block.kind == "paragraph" and not block.label and section_of(block.text) == "recipients":
            parts.append(Part("recipients", None, Node(None, block.text, "root", block)))
            continue
        if parts:
            parts[-1].blocks.append(block)
    return _continue_task_parts(parts)


def _continue_task_parts(parts: list[Part]) -> list[Part]:
    """A numbered section of its own wording between the task part and the implementation
    part ("IV. PHÁT TRIỂN … NGÀNH, LĨNH VỰC" after "III. NHIỆM VỤ") carries on the tasks."""
    seen_tasks = False
    for part in parts:
        if part.kind == "implementation":
            break
        if part.kind == "tasks":
            seen_tasks = True
        elif part.kind == "other" and seen_tasks:
            part.kind = "tasks"
    return parts


def build_tree(part: Part) -> Node:
    """Nest the part's list items under its root node."""
    root = part.root
    stack: list[Node] = [root]
    last_attribution: Attribution | None = None
    for block in part.blocks:
        if block.kind == "table":
            continue
        text = block.text.strip()
        if not text:
            continue
        found = attribution(text)
        if found and found[0] == "note":
            continue              # "Lãnh đạo phụ trách: …": a person, not a task's field
        if found:
            if last_attribution is None:
                last_attribution, targets = attach_attribution(stack[-1], found)
            else:            # "Cơ quan chủ trì: …" then "Cơ quan phối hợp: …": the same items'
                last_attribution = Attribution(*found)
                for node in targets:
                    node.attributions.append(last_attribution)
            continue
        if block.label == "+" and last_attribution is not None:
            last_attribution.value = f"{last_attribution.value}\n+ {text}".strip()
            continue
        last_attribution = None
        label = block.label
        if not label:
            add_paragraph(stack, text)
            continue
        node_style = style(label)
        if node_style == "+" and stack[-1].style not in ("root", "+"):
            stack[-1].body.append(f"+ {text}")     # "+" items belong to the item above
            continue
        if node_style == "roman" and stack[-1] is root:
            continue
        while len(stack) > 1 and node_style in [n.style for n in stack[1:]]:
            popped = stack.pop()
            if popped.style == node_style:
                break
        parent = stack[-1]
        if node_style == "letter" and label[0] not in LETTERS:
            label = next_letter(parent, label)
        node = Node(label, text, node_style, block, parent, inherited_heading=parent.heading_agencies)
        parent.children.append(node)
        parent.since_attribution += 1
        stack.append(node)
    return root


def next_letter(parent: Node, label: str) -> str:
    """The letter after the previous lettered sibling, for a label OCR misread."""
    previous = [c.label[0] for c in parent.children if c.style == "letter" and c.label[0] in LETTERS]
    if not previous or previous[-1] == LETTERS[-1]:
        return label
    return LETTERS[LETTERS.index(previous[-1]) + 1] + label[1:]


def attach_attribution(top: Node, found: tuple[str, str]) -> tuple[Attribution, list[Node]]:
    """A trailing attribution closes the items above it, back to the previous attribution;
    it and the items it went to."""
    found = Attribution(*found)
    target = top
    if top.style in ("dash", "+", "*", "letter") and not top.children and top.parent is not None:
        target = top.parent
    nodes = [target]
    if target.children and target.since_attribution:
        nodes = target.children[-target.since_attribution:]
    for node in nodes:
        node.attributions.append(found)
    target.since_attribution = 0
    return found, nodes


def add_paragraph(stack: list[Node], text: str) -> None:
    top = stack[-1]
    if only_agencies(text) or (text.rstrip().endswith(":") and _names_agencies(text)):
        top.heading_agencies = text           # "Sở Khoa học và Công nghệ:" over the items below
        top.since_attribution = 0
        return
    root = stack[0]
    if is_boilerplate(text) and root.children:
        # closing boilerplate after the numbered duties is one more duty of the part
        number = sum(1 for c in root.children if c.style == "arabic") + 1
        node = Node(f"{number}.", text, "arabic", None, root)
        root.children.append(node)
        del stack[1:]
        stack.append(node)
        return
    top.body.append(text)     # an item's body, or the part's own paragraphs under the root


def _names_agencies(text: str) -> bool:
    lead, _ = find_roles(text)
    return bool(lead) and len(text) < 200


def number_paragraphs(root: Node) -> None:
    """A part written as plain paragraphs: each paragraph that assigns work to an agency
    becomes an item numbered in order (used for the implementation part)."""
    if root.children:
        return
    for text in root.body:
        if find_roles(text)[0]:
            number = len(root.children) + 1
            root.children.append(Node(f"{number}.", text, "arabic", None, root))


def leaves(node: Node) -> list[Node]:
    if not node.children:
        return [node] if node.style != "root" else []
    return [leaf for child in node.children for leaf in leaves(child)]


def is_title(text: str) -> bool:
    """A short heading-like item ("Lĩnh vực nông nghiệp") rather than a sentence."""
    return len(text) < 160 and not TERMINAL.search(text) and not text.rstrip().endswith(":")


def code_of(node: Node, root_label: str | None) -> str:
    """Printed labels from the part's root to the node; dash items by their position."""
    parts: list[str] = [root_label] if root_label else []
    for n in node.path()[1:]:
        if n.style in ("dash", "+", "*"):
            siblings = [c for c in n.parent.children if c.style == n.style]
            parts.append(str(siblings.index(n) + 1))
            continue
        code = label_code(n.label or "")
        if parts and n.style.startswith("multi") and code.startswith(parts[-1] + "."):
            parts[-1] = code
        else:
            parts.append(code)
    return ".".join(parts)
