"""Store reads and writes for the call-centred review queue: one row per call with its flags, search
by call id, handler and date, all calls (flagged or not), bulk decisions.

The per-flag queue (`ReviewsMixin.review_queue`) listed one call as many times as it had flags; a
QA lead works call by call, so this queue orders calls. The order (docs/review-app.md, "The
queue"): calls with a matching flag before calls without; then vulnerable callers
(`review_priority` high); then calls with findings before calls with only flags to check (the
ones callqa is unsure of, `needs_review`); then the worst severity; then more findings, more checks;
then the newest call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, insert, literal, or_, select

from callqa.store import schema as t
from callqa.store.base import StoreBase, chunks
from callqa.store.results import current_scorings, severity_rank
from callqa.store.reviews import CLOSING_DECISIONS, _closing_decisions
from callqa.store.times import from_db, now, to_utc
from callqa.store.users import write_audit

QUEUE_SCOPES = ("flagged", "all")
NO_SEVERITY = 99

current_results = t.current_results
_q = current_results.c


@dataclass(frozen=True)
class QueueFlag:
    """One flag of a queued call, with its review status and the decision that set it."""

    flag_id: int
    indicator: str
    reason: str
    severity: str
    start_s: float
    needs_review: bool
    confidence: float | None
    status: str
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None


@dataclass(frozen=True)
class QueueCall:
    """One row of the queue: a call, its current result's score and priority, and its flags."""

    call_id: str
    started_at: datetime
    call_type: str
    area: str
    handler_id: str
    score: float | None
    review_priority: str | None
    findings: list[QueueFlag] = field(default_factory=list)
    checks: list[QueueFlag] = field(default_factory=list)
    indicator_status: str | None = None   # the filtered indicator's status on this call, when one is chosen


@dataclass(frozen=True)
class Decision:
    """One decision to record on one current flag (the caller checked the flag is current)."""

    call_id: str
    flag_id: int
    indicator: str


@dataclass(frozen=True)
class CallFilter:
    """What the queue is narrowed to; blank strings and None mean any."""

    start: datetime | None = None
    end: datetime | None = None
    area: str = ""
    call_type: str = ""
    handler: str = ""
    indicator: str = ""
    status: str = "open"
    q: str = ""
    scope: str = "flagged"


# The queue's order: `current_results` columns in the order of its queue index, DESCENDING ones high first.
QUEUE_KEYS = (_q.unqueued, _q.priority_key, _q.findings_key, _q.worst_open, _q.open_findings, _q.open_checks,
              _q.started_at, _q.call_id)
DESCENDING = {"open_findings", "open_checks", "started_at"}
QUEUE_ORDER = tuple(key.desc() if key.name in DESCENDING else key for key in QUEUE_KEYS)


def _current_rows(*conditions: Any) -> Any:
    """The queue's call rows (call, score, priority, scoring id) from `current_results`, in queue order."""
    columns = [t.calls.c.call_id, t.calls.c.started_at, t.calls.c.call_type, t.calls.c.area,
               t.calls.c.handler_id, t.scorings.c.score, t.scorings.c.review_priority, t.scorings.c.id.label("sid")]
    return (select(*columns).select_from(current_results)
            .join(t.calls, t.calls.c.call_id == _q.call_id)
            .join(t.scorings, t.scorings.c.id == _q.scoring_id)
            .where(*conditions).order_by(*QUEUE_ORDER))


def _after(keys: list[Any], here: Any) -> Any:
    """Rows after the row whose QUEUE_KEYS are `here` (each key ascending, or DESCENDING)."""
    terms = []
    for i, key in enumerate(keys):
        later = key < here[i] if key.name in DESCENDING else key > here[i]
        terms.append(and_(*[keys[j] == here[j] for j in range(i)], later))
    return or_(*terms)


def _flag_rows(f: CallFilter, call_ids: Sequence[str] | None = None):
    """The current flags of non-training calls matching the flag-level filters (indicator, status)."""
    current = current_scorings(call_ids)
    closing, decided = _closing_decisions(call_ids)
    query = (select(t.flags.c.id.label("flag_id"), t.flags.c.call_id, t.flags.c.indicator, t.flags.c.reason,
                    t.flags.c.severity, t.flags.c.start_s, t.flags.c.needs_review, t.flags.c.confidence,
                    severity_rank().label("rank"), decided.c.decision, decided.c.decided_by, decided.c.decided_at,
                    decided.c.reason.label("decision_reason"))
             .join(current, current.c.id == t.flags.c.scoring_id)
             .outerjoin(closing, closing.c.flag_id == t.flags.c.id)
             .outerjoin(decided, decided.c.id == closing.c.id))
    if f.indicator:
        query = query.where(t.flags.c.indicator == f.indicator)
    if f.status == "open":
        query = query.where(closing.c.id.is_(None))
    elif f.status in ("confirmed", "dismissed"):
        query = query.where(decided.c.decision == ("confirm" if f.status == "confirmed" else "dismiss"))
    return query


def _call_conditions(f: CallFilter) -> list[Any]:
    conditions = [t.calls.c.training.is_(False)]
    if f.start is not None:
        conditions.append(t.calls.c.started_at >= to_utc(f.start))
    if f.end is not None:
        conditions.append(t.calls.c.started_at < to_utc(f.end))
    for value, column in ((f.area, t.calls.c.area), (f.call_type, t.calls.c.call_type),
                          (f.handler, t.calls.c.handler_id)):
        if value:
            conditions.append(column == value)
    if f.q:
        conditions.append(func.lower(t.calls.c.call_id).contains(f.q.lower(), autoescape=True))
    return conditions


def _queue_flag(row: Any) -> QueueFlag:
    return QueueFlag(row["flag_id"], row["indicator"], row["reason"], row["severity"] or "low", row["start_s"],
                     bool(row["needs_review"]), row["confidence"],
                     CLOSING_DECISIONS.get(row["decision"] or "", "open"), row["decided_by"],
                     from_db(row["decided_at"]), row["decision_reason"])


class QueueMixin(StoreBase):
    """The call-centred queue, the next call with open flags, and decisions on many flags at once."""

    def call_queue(self, f: CallFilter, limit: int | None = None,
                   offset: int = 0) -> tuple[list[QueueCall], int]:
        """(calls, total calls): the page of calls in queue order, each with its matching flags.

        scope `flagged`: calls with at least one flag matching indicator and status; `all`: every
        non-training call with a current result (the flags shown still match those filters).
        Open flags of any indicator (the default queue, and every call-level filter on it) are
        read in order from `current_results`; other flag filters group the matching flags."""
        if f.status == "open" and not f.indicator:
            query, ordered = self._summary_queue(f)
        else:
            query, ordered = self._grouped_queue(f)
        if limit is not None:
            ordered = ordered.limit(limit).offset(offset)
        with self.engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
            calls = [dict(r) for r in conn.execute(ordered).mappings()]
            return self._with_flags(conn, f, calls), total

    @staticmethod
    def _summary_queue(f: CallFilter) -> tuple[Any, Any]:
        """The queue of open flags from `current_results`, in the order of its queue index."""
        conditions = [_q.training.is_(False)]
        if f.scope != "all":
            conditions.append(_q.unqueued == 0)
        if f.start is not None:
            conditions.append(_q.started_at >= to_utc(f.start))
        if f.end is not None:
            conditions.append(_q.started_at < to_utc(f.end))
        if f.q:
            conditions.append(func.lower(_q.call_id).contains(f.q.lower(), autoescape=True))
        # A handler or an area is read from current_results' copies, by its own queue index.
        conditions += [column == value for value, column in ((f.handler, _q.handler_id), (f.area, _q.area)) if value]
        call_level = _call_conditions(CallFilter(call_type=f.call_type))[1:]
        query = select(_q.call_id).where(*conditions, *call_level)
        if call_level:
            query = query.join(t.calls, t.calls.c.call_id == _q.call_id)
        return query, _current_rows(*conditions, *call_level)

    @staticmethod
    def _grouped_queue(f: CallFilter) -> tuple[Any, Any]:
        """The queue of flags matching an indicator or a status other than open: grouped per call."""
        flag_rows = _flag_rows(f).subquery("queue_flags")
        unsure = flag_rows.c.needs_review.is_(True)
        per_call = (select(flag_rows.c.call_id,
                           func.sum(case((unsure, 0), else_=1)).label("findings"),
                           func.sum(case((unsure, 1), else_=0)).label("checks"),
                           func.min(case((unsure, NO_SEVERITY), else_=flag_rows.c.rank)).label("worst_finding"),
                           func.min(flag_rows.c.rank).label("worst_any"))
                    .group_by(flag_rows.c.call_id).subquery("per_call"))
        current = current_scorings()
        columns = [t.calls.c.call_id, t.calls.c.started_at, t.calls.c.call_type, t.calls.c.area,
                   t.calls.c.handler_id, t.scorings.c.score, t.scorings.c.review_priority, t.scorings.c.id.label("sid")]
        query = (select(*columns)
                 .join(current, current.c.call_id == t.calls.c.call_id)
                 .join(t.scorings, t.scorings.c.id == current.c.id)
                 .where(*_call_conditions(f)))
        if f.scope == "all":
            query = query.outerjoin(per_call, per_call.c.call_id == t.calls.c.call_id)
        else:
            query = query.join(per_call, per_call.c.call_id == t.calls.c.call_id)
        findings = func.coalesce(per_call.c.findings, 0)
        ordered = query.order_by(
            case((per_call.c.call_id.is_(None), 1), else_=0),
            case((t.scorings.c.review_priority == "high", 0), else_=1),
            case((findings > 0, 0), else_=1),
            func.coalesce(case((findings > 0, per_call.c.worst_finding), else_=per_call.c.worst_any),
                          literal(NO_SEVERITY)),
            findings.desc(), func.coalesce(per_call.c.checks, 0).desc(),
            t.calls.c.started_at.desc(), t.calls.c.call_id)
        return query, ordered

    @staticmethod
    def _with_flags(conn: Any, f: CallFilter, calls: list[dict[str, Any]]) -> list[QueueCall]:
        """The queue's rows with their matching flags (and the filtered indicator's status)."""
        flags: dict[str, list[QueueFlag]] = {}
        statuses: dict[str, str] = {}
        ids = [c["call_id"] for c in calls]
        for chunk in chunks(ids):
            rows = conn.execute(_flag_rows(f, chunk).order_by(t.flags.c.call_id, severity_rank(),
                                                              t.flags.c.start_s, t.flags.c.id)).mappings()
            for row in rows:
                flags.setdefault(row["call_id"], []).append(_queue_flag(row))
            if f.indicator:
                ir = t.indicator_results
                got = conn.execute(select(ir.c.call_id, ir.c.status).where(
                    ir.c.scoring_id.in_([c["sid"] for c in calls if c["call_id"] in set(chunk)]),
                    ir.c.indicator == f.indicator))
                statuses.update({r.call_id: r.status for r in got})
        return [QueueCall(c["call_id"], from_db(c["started_at"]), c["call_type"], c["area"], c["handler_id"],
                          c["score"], c["review_priority"],
                          [q for q in flags.get(c["call_id"], []) if not q.needs_review],
                          [q for q in flags.get(c["call_id"], []) if q.needs_review],
                          statuses.get(c["call_id"]))
                for c in calls]

    def next_queued_call(self, call_id: str) -> QueueCall | None:
        """The call after `call_id` in the default queue (open flags, newest results), wrapping
        round to the first; the first call when `call_id` is not in it; None when no other call
        has open flags. One row read by the queue index, not the whole queue."""
        queued = [_q.training.is_(False), _q.unqueued == 0]
        base = _current_rows(*queued, _q.call_id != call_id).limit(1)
        with self.engine.connect() as conn:
            here = conn.execute(select(*QUEUE_KEYS).where(_q.call_id == call_id, *queued)).first()
            row = (conn.execute(base.where(_after(list(QUEUE_KEYS), here))).mappings().first()
                   if here is not None else None)
            if row is None:
                row = conn.execute(base).mappings().first()
            return None if row is None else self._with_flags(conn, CallFilter(), [dict(row)])[0]

    def queue_call_ids(self, f: CallFilter) -> list[str]:
        """Every call id of the queue `f`, in queue order (the whole queue: `next_queued_call` reads one row)."""
        calls, _ = self.call_queue(f)
        return [c.call_id for c in calls]

    def current_flags_of(self, flag_ids: Sequence[int]) -> dict[int, Decision]:
        """flag id -> (call, flag, indicator) for those of `flag_ids` on a non-training call's current result."""
        out: dict[int, Decision] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(list(flag_ids)):
                rows = conn.execute(select(t.flags.c.id, t.flags.c.call_id, t.flags.c.indicator)
                                    .join(current_results, _q.scoring_id == t.flags.c.scoring_id)
                                    .join(t.calls, t.calls.c.call_id == t.flags.c.call_id)
                                    .where(t.flags.c.id.in_(chunk), t.calls.c.training.is_(False)))
                out.update({r.id: Decision(r.call_id, r.id, r.indicator) for r in rows})
        return out

    def record_flag_decisions(self, decisions: Sequence[Decision], decision: str, reason: str | None,
                              decided_by: str) -> int:
        """Store one decision per flag and one `flag_decision` audit row each (as a single decision
        writes), all in one transaction: a bulk decision is all recorded or not at all."""
        with self.engine.begin() as conn:
            for d in decisions:
                conn.execute(insert(t.flag_decisions).values(
                    flag_id=d.flag_id, call_id=d.call_id, indicator=d.indicator, decision=decision,
                    reason=reason, note=None, decided_by=decided_by, decided_at=now()))
                write_audit(conn, decided_by, "flag_decision", d.call_id,
                            {"flag_id": d.flag_id, "indicator": d.indicator, "decision": decision,
                             "bulk": len(decisions)})
        return len(decisions)
