"""Review decisions: QA leads confirming, dismissing or noting the flags of current results.

A flag's review status is its latest confirm/dismiss decision (a note leaves the status as it is);
no such decision means it is open. Decisions are tied to the flag row, so a re-score that raises a
flag again (new rules) puts it back in the open queue, for a fresh look under the new rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import case, func, insert, select

from callqa.store import schema as t
from callqa.store.base import StoreBase
from callqa.store.results import current_scorings, severity_rank
from callqa.store.times import from_db, now, to_utc
from callqa.store.users import write_audit

FLAG_DECISIONS = t.FLAG_DECISIONS
CLOSING_DECISIONS = t.CLOSING_DECISIONS
QUEUE_STATUSES = ("open", "confirmed", "dismissed", "all")


@dataclass(frozen=True)
class DecisionRow:
    """One decision on one flag, as calibration tallies them."""

    id: int
    flag_id: int
    indicator: str
    decision: str


def _closing_decisions(call_ids: Sequence[str] | None = None):
    """Per flag, its latest confirm/dismiss decision (the one that sets its status); of the flags
    of `call_ids` only, when given (a page of the queue: not a year's decisions grouped)."""
    fd = t.flag_decisions
    query = select(fd.c.flag_id, func.max(fd.c.id).label("id")).where(fd.c.decision.in_(tuple(CLOSING_DECISIONS)))
    if call_ids is not None:
        query = query.where(fd.c.call_id.in_(list(call_ids)))
    latest = query.group_by(fd.c.flag_id).subquery("closing")
    return latest, t.flag_decisions.alias("decided")


def closing_decision_of(flag_id: Any) -> Any:
    """The latest confirm/dismiss decision of the flag `flag_id` names (None: open), as a correlated
    subquery: one index lookup per flag read, where grouping every decision of a year costs more
    than the page itself."""
    fd = t.flag_decisions
    return (select(fd.c.decision).where(fd.c.flag_id == flag_id, fd.c.decision.in_(tuple(CLOSING_DECISIONS)))
            .order_by(fd.c.id.desc()).limit(1).scalar_subquery())


def _queue_row(row: Any) -> dict[str, Any]:
    out = dict(row)
    out["started_at"] = from_db(out["started_at"])
    out["decided_at"] = from_db(out.get("decided_at"))
    out["status"] = CLOSING_DECISIONS.get(out.get("decision") or "", "open")
    return out


class ReviewsMixin(StoreBase):
    """The flag queue, a call's flags with their decision history, and recording a decision."""

    def review_queue(self, *, start: datetime | None = None, end: datetime | None = None, area: str = "",
                     call_type: str = "", handler: str = "", indicator: str = "", status: str = "open",
                     q: str = "", limit: int | None = None, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
        """(rows, total) of current flags of non-training calls started in [start, end), matching the
        given values (blank: any), whose call id holds `q` (any case), and review `status` (one of
        QUEUE_STATUSES). One row per flag (the CSV and the API). Findings come before
        flags that need review, then severity, vulnerability priority (high first) and newest calls."""
        current = current_scorings()
        closing, decided = _closing_decisions()
        query = (select(t.flags.c.id.label("flag_id"), t.flags.c.call_id, t.flags.c.indicator, t.flags.c.reason,
                        t.flags.c.severity, t.flags.c.start_s, t.flags.c.evidence_s, t.flags.c.confidence,
                        t.flags.c.needs_review, t.calls.c.started_at,
                        t.calls.c.call_type, t.calls.c.area, t.calls.c.handler_id, t.scorings.c.score,
                        t.scorings.c.review_priority, t.scorings.c.rules_version, decided.c.decision,
                        decided.c.reason.label("decision_reason"), decided.c.decided_by, decided.c.decided_at)
                 .join(t.scorings, t.scorings.c.id == t.flags.c.scoring_id)
                 .join(current, current.c.id == t.scorings.c.id)
                 .join(t.calls, t.calls.c.call_id == t.flags.c.call_id)
                 .outerjoin(closing, closing.c.flag_id == t.flags.c.id)
                 .outerjoin(decided, decided.c.id == closing.c.id)
                 .where(t.calls.c.training.is_(False)))
        if start is not None:
            query = query.where(t.calls.c.started_at >= to_utc(start))
        if end is not None:
            query = query.where(t.calls.c.started_at < to_utc(end))
        for value, column in ((area, t.calls.c.area), (call_type, t.calls.c.call_type),
                              (handler, t.calls.c.handler_id), (indicator, t.flags.c.indicator)):
            if value:
                query = query.where(column == value)
        if q:
            query = query.where(func.lower(t.calls.c.call_id).contains(q.lower(), autoescape=True))
        if status == "open":
            query = query.where(closing.c.id.is_(None))
        elif status in ("confirmed", "dismissed"):
            query = query.where(decided.c.decision == ("confirm" if status == "confirmed" else "dismiss"))
        priority = case((t.scorings.c.review_priority == "high", 0), else_=1)
        unsure = case((t.flags.c.needs_review.is_(True), 1), else_=0)
        ordered = query.order_by(unsure, severity_rank(), priority, t.calls.c.started_at.desc(), t.flags.c.call_id,
                                 t.flags.c.start_s, t.flags.c.id)
        if limit is not None:
            ordered = ordered.limit(limit).offset(offset)
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
            rows = [_queue_row(r) for r in conn.execute(ordered).mappings()]
        return rows, total

    def current_flags(self, call_id: str) -> list[dict[str, Any]]:
        """The flags of the call's current result, in `call_result` order, each with status and history."""
        current = current_scorings([call_id])
        with self.engine.connect() as conn:
            flags = [dict(r) for r in conn.execute(select(t.flags).join(current, current.c.id == t.flags.c.scoring_id)
                                                   .order_by(t.flags.c.id)).mappings()]
            if not flags:
                return []
            history = conn.execute(select(t.flag_decisions).where(
                t.flag_decisions.c.flag_id.in_([f["id"] for f in flags])).order_by(t.flag_decisions.c.id)
            ).mappings().all()
        for flag in flags:
            flag["decisions"] = [{**d, "decided_at": from_db(d["decided_at"])} for d in history
                                 if d["flag_id"] == flag["id"]]
            closing = [d for d in flag["decisions"] if d["decision"] in CLOSING_DECISIONS]
            flag["status"] = CLOSING_DECISIONS[closing[-1]["decision"]] if closing else "open"
        return flags

    def record_flag_decision(self, call_id: str, flag_id: int, indicator: str, decision: str,
                             reason: str | None, note: str | None, decided_by: str) -> None:
        """Store one decision and its audit entry, in one transaction (the caller checked the flag)."""
        with self.engine.begin() as conn:
            conn.execute(insert(t.flag_decisions).values(
                flag_id=flag_id, call_id=call_id, indicator=indicator, decision=decision,
                reason=reason, note=note, decided_by=decided_by, decided_at=now()))
            write_audit(conn, decided_by, "flag_decision", call_id,
                        {"flag_id": flag_id, "indicator": indicator, "decision": decision})

    def flag_decisions(self, since: datetime | None = None) -> list[DecisionRow]:
        """Every decision (on any flag, current or not) made at or after `since`, oldest first."""
        fd = t.flag_decisions
        query = select(fd.c.id, fd.c.flag_id, fd.c.indicator, fd.c.decision).order_by(fd.c.id)
        if since is not None:
            query = query.where(fd.c.decided_at >= to_utc(since))
        with self.engine.connect() as conn:
            return [DecisionRow(r.id, r.flag_id, r.indicator, r.decision) for r in conn.execute(query)]
