"""Store reads for the morning report: a night's flags with their call metadata, each call's
current indicator statuses (for rates per area and indicator over past nights), and answer times.

Only current results (`current_scorings`) of non-training calls count, as everywhere else.
Grouping into nights, areas and indicators happens in `callqa.batch.morning_report`, in Python,
so SQLite and PostgreSQL give the same answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from callqa.store import schema as t
from callqa.store.base import StoreBase, chunks
from callqa.pipeline.rules import SEVERITIES
from callqa.store.results import current_scorings
from callqa.store.times import from_db, to_utc


@dataclass(frozen=True)
class ReportFlag:
    """One flag on a call's current result, with what a QA lead needs to pick it up."""

    call_id: str
    started_at: datetime
    call_type: str
    area: str
    handler_id: str
    indicator: str
    reason: str
    severity: str | None
    needs_review: bool
    start_s: float


@dataclass(frozen=True)
class ReportCall:
    """One scored call: when, where, and each indicator's status on its current result."""

    call_id: str
    started_at: datetime
    call_type: str
    area: str
    flag_count: int
    statuses: dict[str, str]


@dataclass(frozen=True)
class AnswerTime:
    """A non-training call's answer delay (None when the export gave none)."""

    call_id: str
    started_at: datetime
    call_type: str
    answer_delay_s: float | None
    training: bool = False


class ReportsMixin(StoreBase):
    """The morning report's reads."""

    def report_flags(self, call_ids: Sequence[str]) -> list[ReportFlag]:
        """Flags on the current results of `call_ids` (training calls left out): most severe first,
        then by call time and id, then by moment in the call."""
        out: list[ReportFlag] = []
        f, c = t.flags.c, t.calls.c
        with self.engine.connect() as conn:
            for chunk in chunks(sorted(set(call_ids))):
                current = current_scorings(chunk)
                query = (select(c.call_id, c.started_at, c.call_type, c.area, c.handler_id, f.indicator, f.reason,
                                f.severity, f.needs_review, f.start_s)
                         .join(current, current.c.id == f.scoring_id)
                         .join(t.calls, c.call_id == f.call_id)
                         .where(c.training.is_(False)))
                out += [ReportFlag(r.call_id, from_db(r.started_at), r.call_type, r.area, r.handler_id, r.indicator,
                                   r.reason, r.severity, bool(r.needs_review), r.start_s)
                        for r in conn.execute(query)]
        rank = {name: i for i, name in enumerate(SEVERITIES)}
        return sorted(out, key=lambda r: (rank.get(r.severity or "", len(rank)), r.started_at, r.call_id, r.start_s))

    def report_calls(self, call_ids: Sequence[str] | None = None, start: datetime | None = None,
                     end: datetime | None = None) -> list[ReportCall]:
        """Each non-training call with a current result, of `call_ids` or started in [start, end)."""
        c, ir = t.calls.c, t.indicator_results.c
        base = (select(c.call_id, c.started_at, c.call_type, c.area, t.scorings.c.flag_count, ir.indicator, ir.status)
                .join(t.scorings, t.scorings.c.call_id == c.call_id)
                .join(t.indicator_results, ir.scoring_id == t.scorings.c.id)
                .where(c.training.is_(False)))
        if start is not None:
            base = base.where(c.started_at >= to_utc(start))
        if end is not None:
            base = base.where(c.started_at < to_utc(end))
        rows = []
        with self.engine.connect() as conn:
            if call_ids is None:
                current = current_scorings()
                rows = conn.execute(base.join(current, current.c.id == t.scorings.c.id)).all()
            else:
                for chunk in chunks(sorted(set(call_ids))):
                    current = current_scorings(chunk)
                    rows += conn.execute(base.join(current, current.c.id == t.scorings.c.id)).all()
        calls: dict[str, ReportCall] = {}
        for r in rows:
            call = calls.get(r.call_id)
            if call is None:
                call = calls[r.call_id] = ReportCall(r.call_id, from_db(r.started_at), r.call_type, r.area,
                                                     r.flag_count, {})
            call.statuses[r.indicator] = r.status
        return sorted(calls.values(), key=lambda x: (x.started_at, x.call_id))

    def answer_times(self, start: datetime, end: datetime) -> list[AnswerTime]:
        """Non-training calls started in [start, end) with their answer delay, scored or not
        (answer time is the export's, not the analysis's)."""
        c = t.calls.c
        query = (select(c.call_id, c.started_at, c.call_type, c.answer_delay_s)
                 .where(c.training.is_(False), c.started_at >= to_utc(start), c.started_at < to_utc(end))
                 .order_by(c.started_at, c.call_id))
        with self.engine.connect() as conn:
            return [AnswerTime(r.call_id, from_db(r.started_at), r.call_type, r.answer_delay_s)
                    for r in conn.execute(query)]


__all__ = ["AnswerTime", "ReportCall", "ReportFlag", "ReportsMixin"]
