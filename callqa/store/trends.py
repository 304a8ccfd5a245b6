"""Store reads for the trend pages: per operator, team and indicator over time, with n.

The operator and team tables need, per member, the calls, flagged calls and mean score of their
current results, and per indicator how often it was not met out of the calls it applied to; a
trend needs the same per UK day. The pages ask for whole UK days, so both read the per-day
counts that migration 0012's triggers keep (`daily_calls`, `daily_indicators`): a year is a few
hundred thousand rows however many calls it held. A range that does not start and end at UK
midnight (an ISO time given by hand) is counted from the current results themselves, the
slow way, with the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import case, func, select

from callqa.pipeline.config import LOCAL_TZ as UK
from callqa.store import schema as t
from callqa.store.base import StoreBase
from callqa.store.results import CALL_GROUPS, current_scorings
from callqa.store.times import from_db, to_utc

DAILY_GROUPS = {"operator": "handler_id", "team": "area"}   # CALL_GROUPS' columns in the daily tables


@dataclass
class GroupRates:
    """One operator (or team): its calls and, per indicator, (not met, applied) on current results."""

    name: str
    calls: int
    flagged: int
    mean_score: float | None
    last_call: datetime | None
    failed: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator's status on one call's current result, with the call's time, score and flags."""

    call_id: str
    started_at: datetime
    score: float | None
    flag_count: int
    indicator: str
    status: str


@dataclass
class DayCounts:
    """One UK day of current results: calls, flagged calls, scored calls and their score sum, and
    per indicator (passed, applied)."""

    calls: int = 0
    flagged: int = 0
    scored: int = 0
    score_sum: float = 0.0
    indicators: dict[str, tuple[int, int]] = field(default_factory=dict)


def uk_days(start: datetime | None, end: datetime | None) -> tuple[date | None, date | None] | None:
    """[start, end) as UK days [first, end day) when both are UK midnights (or open), else None."""
    days = []
    for when in (start, end):
        if when is None:
            days.append(None)
            continue
        day = uk_day(when)
        if datetime.combine(day, time(), UK) != when:   # not that day's midnight
            return None
        days.append(day)
    return days[0], days[1]


def uk_day(when: datetime) -> date:
    return when.astimezone(UK).date()


def _in_range(query: Any, start: datetime | None, end: datetime | None) -> Any:
    query = query.where(t.calls.c.training.is_(False))
    if start is not None:
        query = query.where(t.calls.c.started_at >= to_utc(start))
    if end is not None:
        query = query.where(t.calls.c.started_at < to_utc(end))
    return query


def _in_days(query: Any, table: Any, first: date | None, end: date | None) -> Any:
    if first is not None:
        query = query.where(table.c.day >= first)
    if end is not None:
        query = query.where(table.c.day < end)
    return query


def _mean(total: float | None, n: int | None) -> float | None:
    return float(total) / n if n else None


class TrendsMixin(StoreBase):
    """Reads behind /operators, /teams and their trends: per member, per indicator, per UK day."""

    def group_rates(self, group: str, start: datetime | None = None,
                    end: datetime | None = None) -> list[GroupRates]:
        """Each operator (or team, `group` in CALL_GROUPS) with scored non-training calls started in
        [start, end), ordered by name; members with no call in the range are left out."""
        days = uk_days(start, end)
        return self._daily_group_rates(group, *days) if days else self._counted_group_rates(group, start, end)

    def _daily_group_rates(self, group: str, first: date | None, end: date | None) -> list[GroupRates]:
        dc, di = t.daily_calls, t.daily_indicators
        name = dc.c[DAILY_GROUPS[group]]
        summary = _in_days(select(name.label("name"), func.sum(dc.c.calls).label("calls"),
                                  func.sum(dc.c.flagged).label("flagged"), func.sum(dc.c.scored).label("scored"),
                                  func.sum(dc.c.score_sum).label("score_sum"),
                                  func.max(dc.c.last_call).label("last_call")), dc, first, end)
        summary = summary.group_by(name).having(func.sum(dc.c.calls) > 0).order_by(name)
        member = di.c[DAILY_GROUPS[group]]
        per_indicator = _in_days(select(member.label("name"), di.c.indicator,
                                        func.sum(di.c.failed).label("failed"),
                                        func.sum(di.c.applied).label("applied")), di, first, end)
        per_indicator = per_indicator.group_by(member, di.c.indicator)
        with self.engine.connect() as conn:
            rows = {r.name: GroupRates(r.name, int(r.calls), int(r.flagged), _mean(r.score_sum, r.scored),
                                       from_db(r.last_call))
                    for r in conn.execute(summary)}
            for r in conn.execute(per_indicator):
                if r.name in rows:
                    rows[r.name].failed[r.indicator] = (int(r.failed), int(r.applied))
        return list(rows.values())

    def _counted_group_rates(self, group: str, start: datetime | None, end: datetime | None) -> list[GroupRates]:
        """group_rates from the current results themselves: any instants, one GROUP BY each."""
        column = CALL_GROUPS[group]
        current = current_scorings()
        summary = _in_range(
            select(column.label("name"), func.count().label("calls"),
                   func.sum(case((t.scorings.c.flag_count > 0, 1), else_=0)).label("flagged"),
                   func.avg(t.scorings.c.score).label("mean_score"),
                   func.max(t.calls.c.started_at).label("last_call"))
            .join(current, current.c.id == t.scorings.c.id)
            .join(t.calls, t.calls.c.call_id == t.scorings.c.call_id), start, end).group_by(column).order_by(column)
        applied = t.indicator_results.c.status != "not_applicable"
        per_indicator = _in_range(
            select(column.label("name"), t.indicator_results.c.indicator,
                   func.sum(case((t.indicator_results.c.status == "fail", 1), else_=0)).label("failed"),
                   func.sum(case((applied, 1), else_=0)).label("applied"))
            .join(current, current.c.id == t.indicator_results.c.scoring_id)
            .join(t.scorings, t.scorings.c.id == current.c.id)
            .join(t.calls, t.calls.c.call_id == t.scorings.c.call_id), start, end
        ).group_by(column, t.indicator_results.c.indicator)
        with self.engine.connect() as conn:
            rows = {r.name: GroupRates(r.name, int(r.calls), int(r.flagged or 0),
                                       None if r.mean_score is None else float(r.mean_score),
                                       from_db(r.last_call))
                    for r in conn.execute(summary)}
            for r in conn.execute(per_indicator):
                if r.name in rows:
                    rows[r.name].failed[r.indicator] = (int(r.failed or 0), int(r.applied or 0))
        return list(rows.values())

    def daily_counts(self, group: str | None = None, value: str | None = None, start: datetime | None = None,
                     end: datetime | None = None) -> dict[date, DayCounts]:
        """Per UK day, the current results of non-training calls started in [start, end), of one
        operator or team (`group` in CALL_GROUPS, `value` its name) or of everyone."""
        days = uk_days(start, end)
        if days is None:
            return self._counted_days(group, value, start, end)
        dc, di = t.daily_calls, t.daily_indicators
        calls = _in_days(select(dc.c.day, func.sum(dc.c.calls).label("calls"), func.sum(dc.c.flagged).label("flagged"),
                                func.sum(dc.c.scored).label("scored"), func.sum(dc.c.score_sum).label("score_sum")),
                         dc, *days).group_by(dc.c.day)
        indicators = _in_days(select(di.c.day, di.c.indicator, func.sum(di.c.passed).label("passed"),
                                     func.sum(di.c.applied).label("applied")), di, *days).group_by(di.c.day, di.c.indicator)
        if group is not None:
            calls = calls.where(dc.c[DAILY_GROUPS[group]] == value)
            indicators = indicators.where(di.c[DAILY_GROUPS[group]] == value)
        out: dict[date, DayCounts] = {}
        with self.engine.connect() as conn:
            for r in conn.execute(calls):
                if r.calls:
                    out[r.day] = DayCounts(int(r.calls), int(r.flagged), int(r.scored), float(r.score_sum))
            for r in conn.execute(indicators):
                if r.day in out and r.applied:
                    out[r.day].indicators[r.indicator] = (int(r.passed), int(r.applied))
        return out

    def _counted_days(self, group: str | None, value: str | None, start: datetime | None,
                      end: datetime | None) -> dict[date, DayCounts]:
        """daily_counts from the current results' indicator rows, grouped here by UK day."""
        out: dict[date, DayCounts] = {}
        seen: set[str] = set()
        for row in self.current_indicator_rows(group, value, start, end):
            day = out.setdefault(uk_day(row.started_at), DayCounts())
            if row.call_id not in seen:
                seen.add(row.call_id)
                day.calls += 1
                day.flagged += row.flag_count > 0
                if row.score is not None:
                    day.scored += 1
                    day.score_sum += row.score
            if row.status != "not_applicable":
                passed, applied = day.indicators.get(row.indicator, (0, 0))
                day.indicators[row.indicator] = (passed + (row.status == "pass"), applied + 1)
        return out

    def current_indicator_rows(self, group: str | None = None, value: str | None = None,
                               start: datetime | None = None, end: datetime | None = None) -> list[IndicatorRow]:
        """Every indicator status on the current results of non-training calls started in [start, end),
        of one operator or team (`group` in CALL_GROUPS, `value` its name) or of everyone."""
        current = current_scorings()
        query = _in_range(select(t.calls.c.call_id, t.calls.c.started_at, t.scorings.c.score, t.scorings.c.flag_count,
                                 t.indicator_results.c.indicator, t.indicator_results.c.status)
                          .join(current, current.c.id == t.indicator_results.c.scoring_id)
                          .join(t.scorings, t.scorings.c.id == current.c.id)
                          .join(t.calls, t.calls.c.call_id == t.scorings.c.call_id), start, end)
        if group is not None:
            query = query.where(CALL_GROUPS[group] == value)
        with self.engine.connect() as conn:
            return [IndicatorRow(r.call_id, from_db(r.started_at), r.score, r.flag_count, r.indicator, r.status)
                    for r in conn.execute(query)]
