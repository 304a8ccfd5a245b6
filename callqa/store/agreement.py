"""Store reads and writes for agreement between the automated flags and QA leads' decisions, per indicator and rules version, over time; the decisions `callqa rules tune` learns from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import and_, func, literal, select

from callqa.store import schema as t
from callqa.store.base import StoreBase, chunks
from callqa.store.results import current_scorings
from callqa.store.times import from_db, to_utc
from callqa.store.users import write_audit

RULES_APPLIED = "rules_applied"  # the audit action that records a rule pack a QA lead applied


@dataclass(frozen=True)
class DecidedFlag:
    """One flag with its latest confirm/dismiss decision: what agreement counts and tuning learns from.

    `evidence` is the flagged indicator's evidence on the flag's own scoring (the words and times
    the QA lead judged), so a dismissed flag can teach the rules what they got wrong."""

    flag_id: int
    call_id: str
    indicator: str
    rules_version: str
    decision: str            # confirm | dismiss
    decided_at: datetime     # aware, UTC
    decided_by: str
    decision_reason: str | None
    flag_reason: str
    confidence: float | None
    needs_review: bool
    evidence: tuple[dict[str, Any], ...]
    disputed: bool = False               # the call's operator disputed the finding
    dispute_resolution: str | None = None  # upheld (the finding stands) | overturned | None (open, or no dispute)


class AgreementMixin(StoreBase):
    """Decided flags with their evidence, the stored transcripts tuning re-scores, and the record of
    applied rule packs."""

    def decided_flags(self, since: datetime | None = None, evidence: bool = True) -> list[DecidedFlag]:
        """Every flag of a non-training call whose latest confirm/dismiss decision was made at or
        after `since`, oldest decision first. A note is not a decision; a flag decided twice counts
        once, by its latest decision. Each carries its operator's dispute, if any, and how a QA lead
        resolved it (an overturned dispute is also the flag's dismissal). Without `evidence` (the
        agreement tables count decisions only) the indicator's evidence is neither read nor parsed:
        a year holds tens of thousands of decisions."""
        fd = t.flag_decisions
        latest = (select(fd.c.flag_id, func.max(fd.c.id).label("id"))
                  .where(fd.c.decision.in_(tuple(t.CLOSING_DECISIONS))).group_by(fd.c.flag_id).subquery("latest"))
        ir = t.indicator_results
        fr = t.feedback_responses  # an operator's answer: one per flag
        query = (select(t.flags.c.id.label("flag_id"), t.flags.c.call_id, t.flags.c.indicator,
                        t.flags.c.reason.label("flag_reason"), t.flags.c.confidence, t.flags.c.needs_review,
                        t.scorings.c.rules_version, fd.c.decision, fd.c.decided_at, fd.c.decided_by,
                        fd.c.reason.label("decision_reason"),
                        (ir.c.evidence if evidence else literal(None)).label("evidence"), fr.c.response,
                        fr.c.resolution)
                 .join(latest, latest.c.flag_id == t.flags.c.id)
                 .join(fd, fd.c.id == latest.c.id)
                 .join(t.scorings, t.scorings.c.id == t.flags.c.scoring_id)
                 .join(t.calls, t.calls.c.call_id == t.flags.c.call_id))
        if evidence:
            query = query.outerjoin(ir, and_(ir.c.scoring_id == t.flags.c.scoring_id,
                                             ir.c.indicator == t.flags.c.indicator))
        query = (query.outerjoin(fr, fr.c.flag_id == t.flags.c.id)
                 .where(t.calls.c.training.is_(False))
                 .order_by(fd.c.decided_at, fd.c.id))
        if since is not None:
            query = query.where(fd.c.decided_at >= to_utc(since))
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        return [DecidedFlag(r["flag_id"], r["call_id"], r["indicator"], r["rules_version"], r["decision"],
                            from_db(r["decided_at"]), r["decided_by"], r["decision_reason"], r["flag_reason"],
                            r["confidence"], bool(r["needs_review"]), tuple(r["evidence"] or ()),
                            r["response"] == "disputed", r["resolution"] if r["response"] == "disputed" else None)
                for r in rows]

    def latest_transcriptions(self, call_ids: Sequence[str]) -> list[dict[str, Any]]:
        """The latest stored transcription of each of `call_ids` (the rows `callqa.rescore` scores:
        transcript, speech, vectors, with the call's type and answer delay), in call id order."""
        rows: list[dict[str, Any]] = []
        tr = t.transcriptions
        with self.engine.connect() as conn:
            for chunk in chunks(sorted(set(call_ids))):
                latest = (select(func.max(tr.c.id).label("id")).where(tr.c.call_id.in_(list(chunk)))
                          .group_by(tr.c.call_id).subquery())
                query = (select(tr, t.calls.c.call_type, t.calls.c.answer_delay_s)
                         .join(latest, latest.c.id == tr.c.id)
                         .join(t.calls, t.calls.c.call_id == tr.c.call_id))
                rows += [dict(r) for r in conn.execute(query).mappings()]
        return sorted(rows, key=lambda r: r["call_id"])

    def scorings_with_version(self, rules_version: str) -> int:
        """How many scorings were made with `rules_version` (a new pack's version must be new)."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(t.scorings)
                                .where(t.scorings.c.rules_version == rules_version)).scalar_one()

    def current_rules_versions(self) -> dict[str, int]:
        """rules version -> how many non-training calls' current results carry it."""
        latest = current_scorings()
        query = (select(t.scorings.c.rules_version, func.count().label("n"))
                 .join(latest, latest.c.id == t.scorings.c.id)
                 .join(t.calls, t.calls.c.call_id == t.scorings.c.call_id)
                 .where(t.calls.c.training.is_(False))
                 .group_by(t.scorings.c.rules_version))
        with self.engine.connect() as conn:
            return {r.rules_version: r.n for r in conn.execute(query)}

    def record_rules_applied(self, actor: str, details: dict[str, Any]) -> None:
        """Record a rule pack a QA lead applied (version, file, sha256, its text): the store's
        register of rules versions, kept in the audit log."""
        with self.engine.begin() as conn:
            write_audit(conn, actor, RULES_APPLIED, None, details)

    def applied_rules(self) -> list[dict[str, Any]]:
        """Rule packs applied with `callqa rules apply`, newest first (at, actor, details)."""
        query = (select(t.audit_log).where(t.audit_log.c.action == RULES_APPLIED)
                 .order_by(t.audit_log.c.id.desc()))
        with self.engine.connect() as conn:
            return [{**r, "at": from_db(r["at"])} for r in conn.execute(query).mappings()]
