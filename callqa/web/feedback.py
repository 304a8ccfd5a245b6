"""Operators' feedback: which findings an operator is shown, their answers, and QA leads' resolutions.

The rules, kept apart from the pages (views/operator.py, views/disputes.py) and from the SQL
(callqa/store/feedback.py):

- an operator is shown the flags on the current results of their own non-training calls that are
  findings: a flag callqa itself marked unsure (`needs_review`) is a question for the QA lead, not
  feedback, and reaches the operator only once a QA lead confirms it;
- each finding is answered once: acknowledged, or disputed with a comment (a finding a QA lead has
  dismissed already needs no dispute);
- a QA lead resolves a dispute with a note: *upheld* records a confirm decision on the flag,
  *overturned* a dismiss decision (the note is its reason), through the ordinary review decisions
  (`Store.record_flag_decision`), so the queue, rates and calibration all count it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from callqa import plain_language
from callqa.pipeline.errors import CallQAError
from callqa.store import MAX_ID, Store
from callqa.store.feedback import DISPUTE_RESOLUTIONS, DISPUTE_STATUSES, FEEDBACK_RESPONSES, DisputeRow, OperatorFinding

MAX_COMMENT = 2000
RESOLUTION_MARK = "Operator's dispute"   # starts the note of a decision recorded by resolving a dispute


class FeedbackError(CallQAError):
    """An answer or a resolution the app cannot take; the message is shown to the person."""


@dataclass(frozen=True)
class CallFeedback:
    """One of an operator's calls with the findings they are shown."""

    call_id: str
    started_at: datetime
    call_type: str
    area: str
    findings: list[OperatorFinding]

    @property
    def unanswered(self) -> int:
        return sum(f.response is None for f in self.findings)

    @property
    def open_disputes(self) -> int:
        return sum(bool(f.response and f.response.open_dispute) for f in self.findings)


@dataclass(frozen=True)
class Evidence:
    """One line of evidence in plain words, with where to listen from."""

    line: str
    start_s: float | None


def shown(finding: OperatorFinding) -> bool:
    """Whether the operator sees this flag: a finding, or an unsure flag a QA lead confirmed."""
    return not finding.needs_review or finding.qa_status == "confirmed"


def operator_calls(store: Store, handler_id: str) -> list[CallFeedback]:
    """The handler's calls that have findings to show, newest first."""
    by_call: dict[str, list[OperatorFinding]] = {}
    for finding in store.operator_findings(handler_id):
        if shown(finding):
            by_call.setdefault(finding.call_id, []).append(finding)
    return [CallFeedback(fs[0].call_id, fs[0].started_at, fs[0].call_type, fs[0].area, fs) for fs in by_call.values()]


def call_findings(store: Store, handler_id: str, call_id: str) -> list[OperatorFinding]:
    """The findings shown to the operator on one of their calls, in time order."""
    return [f for f in store.operator_findings(handler_id, call_id) if shown(f)]


def evidence(store: Store, call_id: str) -> dict[str, list[Evidence]]:
    """indicator -> its evidence on the call's current result, in plain words."""
    results = store.current_indicator_results([call_id])
    return {indicator: [Evidence(plain_language.evidence_line(e), e.get("start_s")) for e in row["evidence"] or []]
            for (_, indicator), row in results.items()}


def resolution_note(resolution: str) -> str:
    """The note on the flag decision a resolution records (how the call page's history shows it)."""
    return f"{RESOLUTION_MARK} {resolution}."


def qa_notes(store: Store, call_id: str) -> dict[int, list[dict[str, Any]]]:
    """flag id -> the QA lead's words on it (dismissal reasons and notes), oldest first, with when.
    The decisions a dispute's resolution recorded are left out: the operator's page shows the
    resolution and its note with the dispute itself."""
    out: dict[int, list[dict[str, Any]]] = {}
    for flag in store.current_flags(call_id):
        out[flag["id"]] = [{"text": text, "at": d["decided_at"], "decision": d["decision"]}
                           for d in flag["decisions"] if not (d.get("note") or "").startswith(RESOLUTION_MARK)
                           for text in (d.get("reason"), d.get("note")) if text]
    return out


def _text(value: str | None, what: str) -> str:
    text = (value or "").strip()
    if len(text) > MAX_COMMENT:
        raise FeedbackError(f"the {what} is limited to {MAX_COMMENT} characters")
    if "\x00" in text:
        raise FeedbackError(f"the {what} holds a NUL character")
    return text


def answer(store: Store, handler_id: str, call_id: str, flag_id: int, response: str, comment: str | None,
           actor: str) -> str:
    """Record an operator's answer to one finding on their call; the message to show them."""
    if response not in FEEDBACK_RESPONSES:
        raise FeedbackError(f"answer with one of {', '.join(FEEDBACK_RESPONSES)}")
    text = _text(comment, "comment")
    if response == "disputed" and not text:
        raise FeedbackError("say why you dispute this finding: the QA lead reads your comment")
    finding = next((f for f in call_findings(store, handler_id, call_id) if f.flag_id == flag_id), None)
    if finding is None:
        raise FeedbackError("that finding is not one of this call's current findings")
    if response == "disputed" and finding.qa_status == "dismissed":
        raise FeedbackError("a QA lead has dismissed this finding already: there is nothing to dispute")
    if not store.record_feedback(flag_id, call_id, handler_id, finding.indicator, response, text or None, actor):
        raise FeedbackError("this finding has been answered already")
    title = plain_language.title(finding.indicator)
    return (f"Thank you: \u201c{title}\u201d acknowledged." if response == "acknowledged"
            else f"Your dispute of \u201c{title}\u201d has gone to a QA lead.")


def disputes(store: Store, status: str) -> list[DisputeRow]:
    if status not in DISPUTE_STATUSES:
        raise FeedbackError(f"status must be one of {', '.join(DISPUTE_STATUSES)}")
    return store.disputes(status)


def resolve(store: Store, flag_id: int, resolution: str, note: str | None, actor: str) -> str:
    """Resolve an open dispute and record the matching decision on the flag; the message to show."""
    if resolution not in DISPUTE_RESOLUTIONS:
        raise FeedbackError(f"resolve with one of {', '.join(DISPUTE_RESOLUTIONS)}")
    if not 1 <= flag_id <= MAX_ID:
        raise FeedbackError("there is no such finding")
    text = _text(note, "note")
    if not text:
        raise FeedbackError("add a note for the operator: why the finding stands or is overturned")
    claimed = store.claim_resolution(flag_id, resolution, text, actor)
    if claimed is None:
        raise FeedbackError("there is no open dispute on that finding (resolved already?)")
    decision = "dismiss" if resolution == "overturned" else "confirm"
    try:  # a dismissal's reason is the note; a confirm keeps it in the decision's note
        store.record_flag_decision(claimed.call_id, flag_id, claimed.indicator, decision,
                                   text if decision == "dismiss" else None,
                                   resolution_note(resolution) + ("" if decision == "dismiss" else f" {text}"), actor)
    except Exception:
        store.reopen_dispute(flag_id, actor)  # never a resolution without its decision
        raise
    title = plain_language.title(claimed.indicator)
    return (f"Dispute on \u201c{title}\u201d ({claimed.call_id}) {resolution}: "
            + ("the flag is dismissed." if decision == "dismiss" else "the flag is confirmed."))
