"""What changed between two versions of a plan: tasks matched by code and text similarity."""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field

from schemas.plan import Task
from schemas.text import dice, fold_words
from store.identity import content

FIELDS = ("part", "code", "group", "text", "result", "lead", "support", "deadlines")
SAME_CODE_MIN = 0.3   # same code: paired when the texts share this much (token Dice)
OTHER_CODE_MIN = 0.6  # renumbered: paired only when the texts are this similar


@dataclass
class TaskChange:
    """One difference between two versions.

    kind: "added", "removed" or "changed"; code and text: the task's (the new one's when
    changed); fields: for "changed", {field: {"old": …, "new": …}} over FIELDS (deadlines as
    §5 dicts). old_index / new_index: the task's 0-based position in each version.
    """

    kind: str
    code: str
    text: str
    fields: dict[str, dict] = field(default_factory=dict)
    old_index: int | None = None
    new_index: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def similarity(a: str, b: str) -> float:
    """Token overlap (Dice coefficient) of two texts, accent- and case-blind."""
    return dice(Counter(fold_words(a)), Counter(fold_words(b)))


def match(old: list[Task], new: list[Task]) -> dict[int, int]:
    """Pair old tasks with new ones (old index → new index): identical code and text first,
    then the most similar pairs first, same code preferred."""
    pairs: dict[int, int] = {}
    by_key = {}
    for j, t in enumerate(new):
        by_key.setdefault((t.code, t.text), []).append(j)
    for i, t in enumerate(old):
        if by_key.get((t.code, t.text)):
            pairs[i] = by_key[(t.code, t.text)].pop(0)
    taken = set(pairs.values())
    candidates = []
    for i, a in enumerate(old):
        if i in pairs:
            continue
        for j, b in enumerate(new):
            if j in taken:
                continue
            sim, same = similarity(a.text, b.text), a.code == b.code
            if sim >= (SAME_CODE_MIN if same else OTHER_CODE_MIN):
                candidates.append((sim + 0.2 * same, i, j))
    for _, i, j in sorted(candidates, reverse=True):
        if i not in pairs and j not in taken:
            pairs[i] = j
            taken.add(j)
    return pairs


def compare(old: list[Task], new: list[Task],
            pairs: dict[int, int] | None = None) -> list[TaskChange]:
    """The changes that turn `old` into `new`, in the new version's order (a removed task
    right after the task that preceded it); `pairs`: match(old, new) when already made."""
    pairs = match(old, new) if pairs is None else pairs
    ordered: list[tuple[float, TaskChange]] = []
    for i, j in pairs.items():
        a, b = content(old[i]), content(new[j])
        diff = {f: {"old": a[f], "new": b[f]} for f in FIELDS if a[f] != b[f]}
        if diff:
            ordered.append((j, TaskChange("changed", new[j].code, new[j].text, diff, i, j)))
    for j, t in enumerate(new):
        if j not in pairs.values():
            ordered.append((j, TaskChange("added", t.code, t.text, {}, None, j)))
    after = -1
    for i, t in enumerate(old):
        if i in pairs:
            after = pairs[i]
        else:
            ordered.append((after + 0.5, TaskChange("removed", t.code, t.text, {}, i, None)))
    return [c for _, c in sorted(ordered, key=lambda x: x[0])]


OCR_MIN = 0.9   # an OCR copy: every task's text and group at least this similar


def same_up_to_noise(old: list[Task], new: list[Task]) -> bool:
    """Whether `new` says what `old` says up to OCR noise: the same tasks in the same order,
    texts and groups nearly alike, codes free ("III.1.1" read "II.1.1"), agencies and
    deadlines equal."""
    pairs = match(old, new)
    if len(old) != len(new) or sorted(pairs.items()) != list(enumerate(range(len(new)))):
        return False
    for a, b in zip(old, new):
        ca, cb = content(a), content(b)
        if any(ca[f] != cb[f] for f in ("part", "lead", "support", "deadlines")):
            return False
        if min(similarity(a.text, b.text), similarity(a.group or "", b.group or "")) < OCR_MIN:
            return False
    return True
