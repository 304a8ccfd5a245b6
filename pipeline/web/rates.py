"""Indicator rates over time for an operator (handler_id), a team (area), or everyone.

Rows come from the store with one portable query; grouping by day or week (in UK time, Monday
weeks) happens here, so SQLite and PostgreSQL give the same answer without dialect date functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select

from pipeline.rules import INDICATORS
from pipeline.store import Store
from pipeline.store import schema as t
from pipeline.store.store import _to_utc, _utc
from pipeline.web.dates import LOCAL_TZ

PERIODS = ("week", "day")
MAX_PERIODS = 120
GROUPS = {"operator": t.calls.c.handler_id, "team": t.calls.c.area}


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


def _rows(store: Store, group: str | None, value: str | None, start: datetime | None,
          end: datetime | None) -> list[Any]:
    latest = store.latest_scorings()
    query = (select(t.calls.c.call_id, t.calls.c.started_at, t.scorings.c.score, t.scorings.c.flag_count,
                    t.indicator_results.c.indicator, t.indicator_results.c.status)
             .join(latest, latest.c.id == t.indicator_results.c.scoring_id)
             .join(t.scorings, t.scorings.c.id == latest.c.id)
             .join(t.calls, t.calls.c.call_id == t.scorings.c.call_id)
             .where(t.calls.c.training.is_(False)))
    if group is not None:
        query = query.where(GROUPS[group] == value)
    if start is not None:
        query = query.where(t.calls.c.started_at >= _to_utc(start))
    if end is not None:
        query = query.where(t.calls.c.started_at < _to_utc(end))
    with store.engine.connect() as conn:
        return conn.execute(query).all()


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
    for row in _rows(store, group, value, start, end):
        key = period_start(_utc(row.started_at), period)
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
    query = select(func.max(t.calls.c.started_at)).where(t.calls.c.training.is_(False))
    if group is not None:
        query = query.where(GROUPS[group] == value)
    with store.engine.connect() as conn:
        return _utc(conn.execute(query).scalar())


def has_scored_calls(store: Store, group: str, value: str) -> bool:
    """Whether this operator (or team) has any scored, non-training call."""
    query = (select(t.calls.c.call_id).join(t.scorings, t.scorings.c.call_id == t.calls.c.call_id)
             .where(t.calls.c.training.is_(False), GROUPS[group] == value).limit(1))
    with store.engine.connect() as conn:
        return conn.execute(query).first() is not None


def members(store: Store, group: str) -> list[dict[str, Any]]:
    """Each operator (or team) with scored calls: calls, flagged calls, mean score, last call."""
    latest = store.latest_scorings()
    column = GROUPS[group]
    query = (select(column.label("name"), func.count().label("calls"),
                    func.sum(case((t.scorings.c.flag_count > 0, 1), else_=0)).label("flagged"),
                    func.avg(t.scorings.c.score).label("mean_score"),
                    func.max(t.calls.c.started_at).label("last_call"))
             .join(latest, latest.c.id == t.scorings.c.id)
             .join(t.calls, t.calls.c.call_id == t.scorings.c.call_id)
             .where(t.calls.c.training.is_(False)).group_by(column).order_by(column))
    with store.engine.connect() as conn:
        return [{**r, "last_call": _utc(r["last_call"])} for r in conn.execute(query).mappings()]


def indicator_names() -> list[str]:
    return list(INDICATORS)
