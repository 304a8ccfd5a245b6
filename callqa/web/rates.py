"""Indicator rates over time for an operator (handler_id), a team (area), or everyone.

Rows come from the store (`Store.current_indicator_rows`, one portable query over current
results); grouping by day or week (in UK time, Monday weeks) happens here, so SQLite and
PostgreSQL give the same answer without dialect date functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from callqa.pipeline.rules import INDICATORS
from callqa.store import Store
from callqa.web.dates import LOCAL_TZ

PERIODS = ("week", "day")
MAX_PERIODS = 120
GROUPS = ("operator", "team")  # by handler_id, by area (the store's CALL_GROUPS)


def period_start(when: datetime, period: str) -> date:
    day = when.astimezone(LOCAL_TZ).date()
    return day - timedelta(days=day.weekday()) if period == "week" else day


@dataclass
class Trend:
    """Per period: calls, mean score, and per indicator (passed, applicable) counts."""

    period: str
    periods: list[date] = field(default_factory=list)
    calls: dict[date, int] = field(default_factory=dict)
    flagged: dict[date, int] = field(default_factory=dict)
    scores: dict[date, list[float]] = field(default_factory=dict)
    counts: dict[str, dict[date, list[int]]] = field(default_factory=dict)

    def pass_rate(self, indicator: str, day: date) -> float | None:
        passed, applicable = self.counts.get(indicator, {}).get(day, (0, 0))
        return None if applicable == 0 else 100.0 * passed / applicable

    def mean_score(self, day: date) -> float | None:
        values = self.scores.get(day) or []
        return sum(values) / len(values) if values else None

    def overall(self, indicator: str) -> tuple[int, int]:
        cells = self.counts.get(indicator, {}).values()
        return sum(c[0] for c in cells), sum(c[1] for c in cells)


def trend(store: Store, period: str, start: datetime, end: datetime, group: str | None = None,
          value: str | None = None) -> Trend:
    """Every period from `start` to `end` (empty ones too, so the x axis is time), at most MAX_PERIODS."""
    result = Trend(period)
    first, last = period_start(start, period), period_start(end - timedelta(microseconds=1), period)
    step = timedelta(days=7 if period == "week" else 1)
    day = max(first, last - step * (MAX_PERIODS - 1))
    while day <= last:
        result.periods.append(day)
        day += step
    seen: set[str] = set()
    for row in store.current_indicator_rows(group, value, start, end):
        key = period_start(row.started_at, period)
        if row.call_id not in seen:
            seen.add(row.call_id)
            result.calls[key] = result.calls.get(key, 0) + 1
            result.flagged[key] = result.flagged.get(key, 0) + (row.flag_count > 0)
            if row.score is not None:
                result.scores.setdefault(key, []).append(row.score)
        if row.status != "not_applicable":
            cell = result.counts.setdefault(row.indicator, {}).setdefault(key, [0, 0])
            cell[0] += row.status == "pass"
            cell[1] += 1
    return result


def latest_call_time(store: Store, group: str | None = None, value: str | None = None) -> datetime | None:
    return store.latest_call_time(group, value)


def has_scored_calls(store: Store, group: str, value: str) -> bool:
    """Whether this operator (or team) has any scored, non-training call."""
    return store.has_scored_calls(group, value)


def members(store: Store, group: str) -> list[dict[str, Any]]:
    """Each operator (or team) with scored calls: calls, flagged calls, mean score, last call."""
    return store.group_summaries(group)


def indicator_names() -> list[str]:
    return list(INDICATORS)
