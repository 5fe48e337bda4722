"""The review page: one self-contained HTML file for an analyst to check a plan's tasks.

`render(records)` takes the §5 export records of one plan (the plan line first, as
`store.plan_records` returns them) and returns the page: metadata, two small charts (tasks
per lead agency, deadlines by quarter) drawn with CSS bars, and every task with its code,
group, text, agencies, deadlines (raw phrase next to its normalized value) and source
location. Tasks without a lead agency or without a usable deadline are flagged. No scripts,
no external resources: the page opens offline.
"""
from __future__ import annotations

from collections import Counter
from html import escape

from schemas.plan import describe_deadline

DATED = ("date", "month", "quarter", "half_year", "year")
PART_NAMES = {"tasks": "Nhiệm vụ (task part)", "implementation": "Tổ chức thực hiện (implementation)"}


def flags(task: dict) -> list[str]:
    """Why a task needs an analyst's attention (empty when it looks complete)."""
    out = []
    if not task.get("lead"):
        out.append("no lead agency")
    deadlines = task.get("deadlines") or []
    if not deadlines:
        out.append("no deadline")
    elif any(d.get("kind") in DATED and not d.get("due") for d in deadlines):
        out.append("deadline without a date")
    return out


def quarter(deadline: dict) -> str:
    """The chart bucket of a deadline: "2025 Q2" for a due date, else its kind."""
    due = deadline.get("due")
    if due and len(due) >= 7:
        return f"{due[:4]} Q{(int(due[5:7]) - 1) // 3 + 1}"
    return deadline.get("kind") or "unknown"


def _bars(title: str, counts: list[tuple[str, int]], note: str = "") -> str:
    top = max((n for _, n in counts), default=1) or 1
    rows = "".join(
        f'<div class="bar"><span class="label" title="{escape(k)}">{escape(k)}</span>'
        f'<span class="track"><span class="fill" style="width:{100 * n / top:.1f}%"></span></span>'
        f'<span class="n">{n}</span></div>' for k, n in counts)
    return (f'<section class="chart"><h2>{escape(title)}</h2>{rows or "<p>none</p>"}'
            f'{f"<p class=note>{escape(note)}</p>" if note else ""}</section>')


def _agencies(names: list[str]) -> str:
    return "<br>".join(escape(n) for n in names) or '<span class="missing">—</span>'


def _deadline(d: dict) -> str:
    norm = describe_deadline(d, details=True)
    return (f'<div class="dl"><q>{escape(d.get("raw") or "")}</q>'
            f'<span class="norm">{escape(norm)}</span></div>')


def _source(task: dict) -> str:
    src = task.get("source") or {}
    where = f"p. {src['page']}" if src.get("page") else ""
    return escape(" · ".join(x for x in (where, src.get("block") or "") if x))


def render(records: list[dict], *, version: int | None = None) -> str:
    """The HTML page for one plan's §5 records."""
    head = next((r for r in records if "plan" in r), {"plan": {}})
    meta = head.get("plan") or {}
    tasks = [r for r in records if "plan" not in r]
    document = head.get("document") or (tasks[0]["document"] if tasks else "")
    title = meta.get("title") or document

    leads = Counter(a for t in tasks for a in (t.get("lead") or []))
    top = leads.most_common(15)
    rest = sum(leads.values()) - sum(n for _, n in top)
    buckets = Counter(quarter(d) for t in tasks for d in (t.get("deadlines") or []))
    dated = sorted((k, n) for k, n in buckets.items() if k[:4].isdigit())
    undated = sorted((k, n) for k, n in buckets.items() if not k[:4].isdigit())
    flagged = sum(1 for t in tasks if flags(t))

    rows, group, part = [], object(), None
    for i, t in enumerate(tasks, 1):
        if t.get("part") != part:
            part = t.get("part")
            rows.append(f'<tr class="part"><th colspan="6">{escape(PART_NAMES.get(part, part or ""))}</th></tr>')
            group = object()
        if t.get("group") != group:
            group = t.get("group")
            if group:
                rows.append(f'<tr class="group"><td colspan="6">{escape(group)}</td></tr>')
        why = flags(t)
        rows.append(
            f'<tr class="task{" flag" if why else ""}" id="t{i}">'
            f'<td class="code">{escape(t.get("code") or "")}</td>'
            f'<td class="text">{escape(t.get("text") or "")}'
            + (f'<div class="result">Kết quả: {escape(t["result"])}</div>' if t.get("result") else "")
            + "".join(f'<div class="why">⚠ {escape(w)}</div>' for w in why)
            + f'</td><td>{_agencies(t.get("lead") or [])}</td>'
            f'<td>{_agencies(t.get("support") or [])}</td>'
            f'<td>{"".join(_deadline(d) for d in t.get("deadlines") or []) or "<span class=missing>—</span>"}</td>'
            f'<td class="src">{_source(t)}</td></tr>')

    meta_rows = "".join(
        f"<tr><th>{label}</th><td>{escape(str(meta.get(key) or '—'))}</td></tr>"
        for label, key in (("Province", "province"), ("Number", "number"), ("Issued", "issued"),
                           ("Signer", "signer")))
    parts = Counter(t.get("part") for t in tasks)
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} — review</title>
<style>{CSS}</style></head>
<body>
<header><h1>{escape(title)}</h1>
<table class="meta">{meta_rows}
<tr><th>Document</th><td>{escape(document)}{f" (version {version})" if version else ""}</td></tr>
<tr><th>Tasks</th><td id="task-count">{len(tasks)}</td></tr>
<tr><th>Parts</th><td>{parts.get("tasks", 0)} in the task part, {parts.get("implementation", 0)} in the implementation part</td></tr>
<tr><th>Needs attention</th><td id="flag-count">{flagged}</td></tr></table></header>
<div class="charts">
{_bars("Tasks per lead agency", top + ([("other agencies", rest)] if rest else []),
       f"{sum(1 for t in tasks if not t.get('lead'))} tasks have no lead agency")}
{_bars("Deadlines by quarter due", dated + undated,
       "Bars without a quarter count deadline items that have no due date, by kind.")}
</div>
<label class="filter"><input type="checkbox" id="only-flagged"> show only the {flagged} tasks that need attention</label>
<table class="tasks"><thead><tr><th>Code</th><th>Task</th><th>Lead (chủ trì)</th>
<th>Support (phối hợp)</th><th>Deadline: phrase → normalized</th><th>Source</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
</body></html>
"""


CSS = """
body{font-family:"Segoe UI","Noto Sans",Roboto,Arial,sans-serif;margin:1.5rem;color:#222;font-size:14px}
h1{font-size:1.3rem;margin:0 0 .6rem} h2{font-size:1rem;margin:.2rem 0 .5rem}
table.meta th{text-align:left;padding-right:1rem;color:#555;font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:2rem;margin:1rem 0}
.chart{flex:1 1 24rem;max-width:40rem}
.bar{display:flex;align-items:center;gap:.4rem;margin:2px 0}
.bar .label{flex:0 0 16rem;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.bar .track{flex:1;background:#eee;height:.9rem} .bar .fill{display:block;height:100%;background:#3a78b5}
.bar .n{flex:0 0 2rem;text-align:right}
.note{color:#666;font-size:.85rem}
.filter{display:block;margin:.5rem 0}
table.tasks{border-collapse:collapse;width:100%}
table.tasks th,table.tasks td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
table.tasks thead th{background:#f0f0f0;position:sticky;top:0}
tr.part th{background:#dde6f0;font-size:1rem} tr.group td{background:#f7f7f7;font-style:italic}
tr.flag td{background:#fff6e0}
td.code{white-space:nowrap;font-family:monospace} td.src{white-space:nowrap;color:#555}
.why{color:#a33;font-weight:600;margin-top:.2rem} .result{color:#555;margin-top:.2rem}
.missing{color:#a33} .dl{margin-bottom:.3rem} .dl q{display:block}
.norm{display:block;color:#245;font-size:.92em;font-style:italic}
table.tasks td:nth-child(3),table.tasks td:nth-child(4){min-width:9rem}
table.tasks td:nth-child(5){min-width:12rem}
body:has(#only-flagged:checked) tr.task:not(.flag),
body:has(#only-flagged:checked) tr.group{display:none}
"""
