"""Store reads for the trend pages: per operator, team and indicator over time, with n.

The operator and team tables need, per member, the calls, flagged calls and mean score of their
current results, and per indicator how often it was not met out of the calls it applied to. Both
are plain GROUP BY queries over the current results, so SQLite and PostgreSQL answer alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select

from callqa.store import schema as t
from callqa.store.base import StoreBase
from callqa.store.results import CALL_GROUPS, current_scorings
from callqa.store.times import from_db, to_utc


@dataclass
class GroupRates:
    """One operator (or team): its calls and, per indicator, (not met, applied) on current results."""

    name: str
    calls: int
    flagged: int
    mean_score: float | None
    last_call: datetime | None
    failed: dict[str, tuple[int, int]] = field(default_factory=dict)


def _in_range(query: Any, start: datetime | None, end: datetime | None) -> Any:
    query = query.where(t.calls.c.training.is_(False))
    if start is not None:
        query = query.where(t.calls.c.started_at >= to_utc(start))
    if end is not None:
        query = query.where(t.calls.c.started_at < to_utc(end))
    return query


class TrendsMixin(StoreBase):
    """Reads behind /operators and /teams: one row per member with per-indicator fail counts."""

    def group_rates(self, group: str, start: datetime | None = None,
                    end: datetime | None = None) -> list[GroupRates]:
        """Each operator (or team, `group` in CALL_GROUPS) with scored non-training calls started in
        [start, end), ordered by name; members with no call in the range are left out."""
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
