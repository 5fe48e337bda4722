"""What is due: the deadlines of the current plan versions by date, as of a given day.

A dated deadline (date, month, quarter, half_year, year) is due on its `due`; a recurring one
on its next occurrence on or after the day (value XXXX-11-15 every P1Y → 15 November,
XXXX-06-30 every P6M → 30 June and 30 December, XXXX-XX-20 every P1M → the 20th, a month
XXXX-01 → its last day, XXXX-WXX-5 every P1W → the next Friday). Ongoing deadlines
("thường xuyên") and recurrences without a day are listed apart; relative and event deadlines
have no date and are left out.
"""
from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from sqlalchemy import Engine

from store.reading import query_tasks

DATED = ("date", "month", "quarter", "half_year", "year")
STEP_MONTHS = {"P1Y": 12, "P6M": 6, "P3M": 3, "P1M": 1}


def _month_day(year: int, month: int, day: int | None) -> date:
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day or last, last))


def next_occurrence(value: str | None, recurrence: str | None, today: date) -> date | None:
    """The first day on or after `today` a recurring deadline falls on; None without a day."""
    if not value:
        return None
    weekly = re.fullmatch(r"XXXX-WXX-([1-7])", value)
    if weekly:
        return today + timedelta(days=(int(weekly.group(1)) - today.isoweekday()) % 7)
    m = re.fullmatch(r"XXXX-(\d\d|XX)(?:-(\d\d))?", value)
    if not m:
        return None
    day = int(m.group(2)) if m.group(2) else None
    if m.group(1) == "XX":
        months, step = [1], 1
    else:
        months, step = [int(m.group(1))], STEP_MONTHS.get(recurrence or "P1Y", 12)
    months = sorted({(months[0] - 1 + k * step) % 12 + 1 for k in range(12 // step)})
    for year in (today.year, today.year + 1):
        for month in months:
            when = _month_day(year, month, day)
            if when >= today:
                return when
    return None


def due_tasks(engine: Engine, today: date, *, within_days: int | None = None,
              overdue: bool = False, **filters) -> tuple[list[dict], list[dict]]:
    """(dated, apart) for the tasks query_tasks(**filters) finds (agency, province, role,
    with_predecessors, plan …). dated: one row per task and deadline date, by date: due on
    or after `today` (within `within_days` when given), or with `overdue` the dated
    deadlines due before `today`; each row is the task's query_tasks row plus next_due,
    days_left and the deadline. apart: the tasks with an ongoing deadline or a recurrence
    without a day, each once."""
    dated, apart = [], []
    for task in query_tasks(engine, **filters):
        undated = False
        for d in task["deadlines"]:
            if d["kind"] in DATED and d["due"]:
                when = date.fromisoformat(d["due"])
            elif d["kind"] == "recurring" and not overdue:
                when = next_occurrence(d["value"], d["recurrence"], today)
            else:
                undated |= d["kind"] in ("ongoing", "recurring")
                continue
            if when is None:
                undated = True
            elif (when < today if overdue else
                  when >= today and (within_days is None or when <= today + timedelta(within_days))):
                dated.append(dict(task, next_due=when.isoformat(), days_left=(when - today).days,
                                  deadline=d))
        if undated and not overdue:
            apart.append(task)
    dated.sort(key=lambda r: (r["next_due"], r["plan_id"], r["task_id"]))
    return dated, apart
