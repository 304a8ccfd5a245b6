"""Indicator rates over time for an operator (handler_id), a team (area), or everyone, each with n.

Counts come from the store per UK day (`Store.daily_counts`, kept per day by the database);
grouping the days into weeks (Monday weeks) happens here.

Every point carries the number of calls behind it (n). A point on fewer than SMALL_SAMPLE calls
is *small*: the charts draw it hollow and grey and leave it out of the line, because a rate on
four calls swings from 0% to 100% on one call and is not a trend. The same `ChartData` feeds the
SVG, the table under it and the CSV, so the three cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from callqa.pipeline.rules import INDICATORS
from callqa.store import Store
from callqa.store.trends import GroupRates, uk_day

PERIODS = ("week", "day")
MAX_PERIODS = 120
GROUPS = ("operator", "team")  # by handler_id, by area (the store's CALL_GROUPS)
SMALL_SAMPLE = 10  # n below this: drawn hollow and grey, not joined into the trend line
SORT_DIRECTIONS = ("asc", "desc")
BASE_SORTS = ("name", "calls", "flagged", "mean_score", "last_call")


def period_start(when: datetime, period: str) -> date:
    return day_period(uk_day(when), period)


def day_period(day: date, period: str) -> date:
    """The first UK day of the period (a Monday week, or the day itself) `day` falls in."""
    return day - timedelta(days=day.weekday()) if period == "week" else day




@dataclass
class Trend:
    """Per period: calls, mean score, and per indicator (passed, applicable) counts."""

    period: str
    periods: list[date] = field(default_factory=list)
    calls: dict[date, int] = field(default_factory=dict)
    flagged: dict[date, int] = field(default_factory=dict)
    scores: dict[date, tuple[int, float]] = field(default_factory=dict)   # (scored calls, score sum)
    counts: dict[str, dict[date, list[int]]] = field(default_factory=dict)
    first_day: date | None = None  # the first and last UK days the trend counts (inclusive)
    last_day: date | None = None

    def pass_rate(self, indicator: str, day: date) -> float | None:
        passed, applicable = self.counts.get(indicator, {}).get(day, (0, 0))
        return None if applicable == 0 else 100.0 * passed / applicable

    def applicable(self, indicator: str, day: date) -> int:
        return self.counts.get(indicator, {}).get(day, (0, 0))[1]

    def mean_score(self, day: date) -> float | None:
        scored, total = self.scores.get(day, (0, 0.0))
        return total / scored if scored else None

    def scored(self, day: date) -> int:
        return self.scores.get(day, (0, 0.0))[0]

    def overall(self, indicator: str) -> tuple[int, int]:
        cells = self.counts.get(indicator, {}).values()
        return sum(c[0] for c in cells), sum(c[1] for c in cells)

    def days(self, day: date) -> tuple[date, date]:
        """The UK days a period's point counts: the period, cut to the trend's range."""
        last = day + timedelta(days=6 if self.period == "week" else 0)
        first = max(day, self.first_day) if self.first_day else day
        return first, min(last, self.last_day) if self.last_day else last


def trend(store: Store, period: str, start: datetime, end: datetime, group: str | None = None,
          value: str | None = None) -> Trend:
    """Every period from `start` to `end` (empty ones too, so the x axis is time), at most MAX_PERIODS."""
    result = Trend(period, first_day=uk_day(start), last_day=uk_day(end - timedelta(microseconds=1)))
    first, last = period_start(start, period), period_start(end - timedelta(microseconds=1), period)
    step = timedelta(days=7 if period == "week" else 1)
    day = max(first, last - step * (MAX_PERIODS - 1))
    while day <= last:
        result.periods.append(day)
        day += step
    for day, counts in store.daily_counts(group, value, start, end).items():
        key = day_period(day, period)
        result.calls[key] = result.calls.get(key, 0) + counts.calls
        result.flagged[key] = result.flagged.get(key, 0) + counts.flagged
        scored, total = result.scores.get(key, (0, 0.0))
        result.scores[key] = (scored + counts.scored, total + counts.score_sum)
        for indicator, (passed, applied) in counts.indicators.items():
            cell = result.counts.setdefault(indicator, {}).setdefault(key, [0, 0])
            cell[0] += passed
            cell[1] += applied
    return result


# ---- chart data: the one source of the SVG, its table and the CSV ------------------------------

@dataclass(frozen=True)
class Point:
    """One period's value with the calls behind it (n) and the UK days it counts."""

    period: date
    first: date
    last: date
    value: float | None
    n: int

    @property
    def small(self) -> bool:
        return self.value is not None and self.n < SMALL_SAMPLE


@dataclass(frozen=True)
class SeriesData:
    """One line (or the bars): this operator or team, or everyone (`group` None)."""

    name: str
    group: str | None
    value: str | None
    points: list[Point]


@dataclass(frozen=True)
class ChartData:
    """A chart's numbers: `key` is mean_score, calls or the indicator's name; `kind` line or bar."""

    key: str
    title: str
    kind: str
    unit: str
    indicator: str | None
    series: list[SeriesData]


def _series(name: str, group: str | None, value: str | None, trend_: Trend, periods: list[date],
            measure: Any) -> SeriesData:
    points = []
    for day in periods:
        first, last = trend_.days(day)
        shown, n = measure(trend_, day)
        points.append(Point(day, first, last, shown, n))
    return SeriesData(name, group, value, points)


def charts(mine: Trend, everyone: Trend, group: str, value: str, titles: dict[str, str]) -> list[ChartData]:
    """Mean score, calls per period, and each indicator's pass rate: this member against everyone.
    `titles` names the indicators as people read them (plain_language.title)."""
    name = f"{group} {value}"
    periods = mine.periods

    def both(measure: Any) -> list[SeriesData]:
        return [_series(name, group, value, mine, periods, measure),
                _series("everyone", None, None, everyone, periods, measure)]

    out = [ChartData("mean_score", "Mean score", "line", "", None,
                     both(lambda tr, d: (tr.mean_score(d), tr.scored(d)))),
           ChartData("calls", f"Calls per {mine.period}", "bar", "", None,
                     [_series(name, group, value, mine, periods,
                              lambda tr, d: (float(tr.calls.get(d, 0)), tr.calls.get(d, 0)))])]
    for indicator in INDICATORS:
        out.append(ChartData(indicator, f"{titles.get(indicator, indicator)}: met", "line", "%", indicator,
                             both(lambda tr, d, i=indicator: (tr.pass_rate(i, d), tr.applicable(i, d)))))
    return out


# ---- the operator and team tables -------------------------------------------------------------

def sort_columns() -> tuple[str, ...]:
    """Every column the tables sort by: the fixed ones, then `fail_INDICATOR` per indicator."""
    return BASE_SORTS + tuple(f"fail_{name}" for name in INDICATORS)


def parse_sort(sort: str | None, direction: str | None) -> tuple[str, str]:
    """?sort=&dir= checked against the fixed lists; anything else sorts by name, A to Z."""
    sort = sort if sort in sort_columns() else "name"
    default = "asc" if sort == "name" else "desc"
    return sort, direction if direction in SORT_DIRECTIONS else default


def fail_rate(row: GroupRates, indicator: str) -> float | None:
    failed, applied = row.failed.get(indicator, (0, 0))
    return None if applied == 0 else 100.0 * failed / applied


def _sort_value(row: GroupRates, sort: str) -> Any:
    if sort.startswith("fail_"):
        return fail_rate(row, sort[len("fail_"):])
    return getattr(row, sort)


def sort_members(rows: list[GroupRates], sort: str, direction: str) -> list[GroupRates]:
    """Rows by one column, ties by name; a blank (no score, indicator never applied) goes last
    either way, so sorting by a rate puts the members it says something about first."""
    known = [r for r in rows if _sort_value(r, sort) is not None]
    blank = sorted((r for r in rows if _sort_value(r, sort) is None), key=lambda r: r.name)
    known.sort(key=lambda r: r.name)
    known.sort(key=lambda r: _sort_value(r, sort), reverse=direction == "desc")
    return known + blank


def table(store: Store, group: str, start: datetime | None = None, end: datetime | None = None,
          sort: str = "name", direction: str = "asc") -> list[GroupRates]:
    """Each operator (or team) with calls, mean score and per indicator (not met, applied), sorted."""
    return sort_members(store.group_rates(group, start, end), sort, direction)


def latest_call_time(store: Store, group: str | None = None, value: str | None = None) -> datetime | None:
    return store.latest_call_time(group, value)


def has_scored_calls(store: Store, group: str, value: str) -> bool:
    """Whether this operator (or team) has any scored, non-training call."""
    return store.has_scored_calls(group, value)


def indicator_names() -> list[str]:
    return list(INDICATORS)
