"""Store reads and writes for operators' feedback: which calls are an operator's, acknowledgements,
disputes and their resolution by a QA lead.

An operator (a review-app account linked to a handler id) answers each finding on their own calls
once: acknowledged, or disputed with a comment. A QA lead resolves a dispute: upheld (the finding
stands) or overturned (the flag is then dismissed through the ordinary review decisions, so the
queue, rates and calibration count it; the web layer records that decision with
`record_flag_decision`). Answers belong to one flag of one scoring, like decisions: a re-score that
raises the flag again is a new flag, answered afresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from callqa.store import schema as t
from callqa.store.base import StoreBase, chunks
from callqa.store.results import current_scorings
from callqa.store.reviews import closing_decision_of
from callqa.store.times import from_db, now
from callqa.store.users import write_audit

FEEDBACK_RESPONSES = t.FEEDBACK_RESPONSES
DISPUTE_RESOLUTIONS = t.DISPUTE_RESOLUTIONS
DISPUTE_STATUSES = ("open", "resolved", "all")


@dataclass(frozen=True)
class FeedbackResponse:
    """An operator's answer to one finding, and a QA lead's resolution when it was disputed."""

    id: int
    flag_id: int
    call_id: str
    handler_id: str
    indicator: str
    response: str                  # acknowledged | disputed
    comment: str | None
    responded_by: str
    responded_at: datetime
    resolution: str | None         # upheld | overturned; None while a dispute is open
    resolution_note: str | None
    resolved_by: str | None
    resolved_at: datetime | None

    @property
    def open_dispute(self) -> bool:
        return self.response == "disputed" and self.resolution is None


@dataclass(frozen=True)
class OperatorFinding:
    """One flag on the current result of one of an operator's calls, with the QA lead's status
    (open, confirmed, dismissed) and the operator's answer, if any."""

    flag_id: int
    call_id: str
    started_at: datetime
    call_type: str
    area: str
    indicator: str
    reason: str
    severity: str | None
    start_s: float
    needs_review: bool
    qa_status: str
    response: FeedbackResponse | None


@dataclass(frozen=True)
class DisputeRow:
    """A disputed finding as the QA lead's Disputes page lists it."""

    response: FeedbackResponse
    started_at: datetime
    call_type: str
    area: str
    reason: str
    severity: str | None
    start_s: float
    current: bool                  # the flag is on the call's current result (not re-scored away)
    qa_status: str


def _response(row: Any) -> FeedbackResponse:
    values = {name: row[name] for name in FeedbackResponse.__dataclass_fields__}
    values["responded_at"] = from_db(values["responded_at"])
    values["resolved_at"] = from_db(values["resolved_at"])
    return FeedbackResponse(**values)


def _status(decision: str | None) -> str:
    return t.CLOSING_DECISIONS.get(decision or "", "open")


class FeedbackMixin(StoreBase):
    """Operators' findings, their answers (acknowledge or dispute) and QA leads' resolutions."""

    def operator_findings(self, handler_id: str, call_id: str | None = None) -> list[OperatorFinding]:
        """The flags on the current results of this handler's non-training calls (or of one of
        them), newest call first, each with its review status and the operator's answer."""
        current = current_scorings([call_id] if call_id is not None else None)
        f, c = t.flags, t.calls
        query = (select(f.c.id, f.c.call_id, c.c.started_at, c.c.call_type, c.c.area, f.c.indicator, f.c.reason,
                        f.c.severity, f.c.start_s, f.c.needs_review, closing_decision_of(f.c.id).label("decision"))
                 .join(current, current.c.id == f.c.scoring_id)
                 .join(c, c.c.call_id == f.c.call_id)
                 .where(c.c.handler_id == handler_id, c.c.training.is_(False))
                 .order_by(c.c.started_at.desc(), f.c.call_id, f.c.start_s, f.c.id))
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
            answers = self._responses(conn, [r["id"] for r in rows])
        return [OperatorFinding(flag_id=r["id"], call_id=r["call_id"], started_at=from_db(r["started_at"]),
                                call_type=r["call_type"], area=r["area"], indicator=r["indicator"], reason=r["reason"],
                                severity=r["severity"], start_s=r["start_s"], needs_review=bool(r["needs_review"]),
                                qa_status=_status(r["decision"]), response=answers.get(r["id"])) for r in rows]

    @staticmethod
    def _responses(conn: Connection, flag_ids: Sequence[int]) -> dict[int, FeedbackResponse]:
        out: dict[int, FeedbackResponse] = {}
        fr = t.feedback_responses
        for chunk in chunks(list(flag_ids)):
            out.update({r["flag_id"]: _response(r) for r in conn.execute(
                select(fr).where(fr.c.flag_id.in_(chunk))).mappings()})
        return out

    def feedback_response(self, flag_id: int) -> FeedbackResponse | None:
        """The operator's answer to this flag, if any."""
        with self.engine.connect() as conn:
            return self._responses(conn, [flag_id]).get(flag_id)

    def record_feedback(self, flag_id: int, call_id: str, handler_id: str, indicator: str, response: str,
                        comment: str | None, actor: str) -> bool:
        """Store an operator's answer and its audit entry in one transaction; False if the flag was
        answered already (one answer per flag). The caller checked the flag is the operator's."""
        action = "feedback_acknowledge" if response == "acknowledged" else "feedback_dispute"
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(t.feedback_responses).values(
                    flag_id=flag_id, call_id=call_id, handler_id=handler_id, indicator=indicator, response=response,
                    comment=comment, responded_by=actor, responded_at=now()))
                write_audit(conn, actor, action, call_id, {"flag_id": flag_id, "indicator": indicator,
                                                            "handler_id": handler_id})
        except IntegrityError:
            return False
        return True

    def disputes(self, status: str = "open") -> list[DisputeRow]:
        """Disputed findings (`status`: open, resolved or all): open ones oldest first (the order
        they came in), then resolved ones newest first."""
        fr, f, c = t.feedback_responses, t.flags, t.calls
        current = current_scorings()
        query = (select(fr, c.c.started_at, c.c.call_type, c.c.area, f.c.reason.label("flag_reason"), f.c.severity,
                        f.c.start_s, current.c.id.label("current_id"), closing_decision_of(f.c.id).label("decision"))
                 .join(f, f.c.id == fr.c.flag_id)
                 .join(c, c.c.call_id == fr.c.call_id)
                 .outerjoin(current, current.c.id == f.c.scoring_id)
                 .where(fr.c.response == "disputed"))
        if status == "open":
            query = query.where(fr.c.resolution.is_(None))
        elif status == "resolved":
            query = query.where(fr.c.resolution.is_not(None))
        with self.engine.connect() as conn:
            rows = [DisputeRow(response=_response(r), started_at=from_db(r["started_at"]), call_type=r["call_type"],
                               area=r["area"], reason=r["flag_reason"], severity=r["severity"], start_s=r["start_s"],
                               current=r["current_id"] is not None, qa_status=_status(r["decision"]))
                    for r in conn.execute(query).mappings()]
        opened = sorted((d for d in rows if d.response.open_dispute),
                        key=lambda d: (d.response.responded_at, d.response.id))
        closed = sorted((d for d in rows if not d.response.open_dispute),
                        key=lambda d: (d.response.resolved_at or d.response.responded_at, d.response.id), reverse=True)
        return opened + closed

    def claim_resolution(self, flag_id: int, resolution: str, note: str, actor: str) -> FeedbackResponse | None:
        """Resolve the open dispute on this flag (upheld or overturned, with a note), audited as
        `dispute_resolve` in the same transaction; None if there is no open dispute on it (never
        disputed, or resolved already: two leads at once cannot both resolve it)."""
        fr = t.feedback_responses
        with self.engine.begin() as conn:
            done = conn.execute(update(fr).where(fr.c.flag_id == flag_id, fr.c.response == "disputed",
                                                 fr.c.resolution.is_(None))
                                .values(resolution=resolution, resolution_note=note, resolved_by=actor,
                                        resolved_at=now())).rowcount
            if not done:
                return None
            row = conn.execute(select(fr).where(fr.c.flag_id == flag_id)).mappings().one()
            write_audit(conn, actor, "dispute_resolve", row["call_id"], {
                "flag_id": flag_id, "indicator": row["indicator"], "resolution": resolution,
                "handler_id": row["handler_id"]})
        return _response(row)

    def reopen_dispute(self, flag_id: int, actor: str) -> None:
        """Undo a resolution whose follow-up (the flag decision) could not be stored, audited."""
        fr = t.feedback_responses
        with self.engine.begin() as conn:
            conn.execute(update(fr).where(fr.c.flag_id == flag_id)
                         .values(resolution=None, resolution_note=None, resolved_by=None, resolved_at=None))
            write_audit(conn, actor, "dispute_reopen", None, {"flag_id": flag_id})
