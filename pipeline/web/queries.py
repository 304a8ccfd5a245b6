"""Store queries the review app needs beyond `Store`: the flag queue with decisions, a call's current
flags with their decision history, recording a decision, and the lists behind the filters.

A flag's review status is its latest confirm/dismiss decision (a note leaves the status as it is);
no such decision means it is open. Decisions are tied to the flag row, so a re-score that raises a
flag again (new rules) puts it back in the open queue, for a fresh look under the new rules.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, func, insert, select

from pipeline.errors import CallQAError
from pipeline.rules import INDICATORS
from pipeline.store import Store
from pipeline.store import schema as t
from pipeline.store.store import _to_utc, _utc, now, severity_rank
from pipeline.web.dates import parse_local

STATUSES = ("open", "confirmed", "dismissed", "all")
MAX_TEXT = 2000
MAX_ID = 2**31 - 1        # ids and page numbers beyond this are refused (SQLite and PostgreSQL integers)


class InputError(CallQAError):
    """A filter or form value the app cannot use; the message is shown to the user."""


@dataclass(frozen=True)
class QueueFilters:
    date_from: str = ""
    date_to: str = ""
    area: str = ""
    call_type: str = ""
    handler: str = ""
    indicator: str = ""
    status: str = "open"

    @classmethod
    def from_args(cls, args: Any) -> "QueueFilters":
        """From a query string; unknown keys are ignored, a bad value raises InputError."""
        values = {name: (args.get(name) or "").strip()[:200] for name in cls.__dataclass_fields__}
        if any("\x00" in value for value in values.values()):
            raise InputError("a filter holds a NUL character")
        values["status"] = values["status"] or "open"
        filters = cls(**values)
        if filters.status not in STATUSES:
            raise InputError(f"status must be one of {', '.join(STATUSES)}")
        if filters.call_type not in ("", "101", "999"):
            raise InputError("call type must be 101 or 999")
        filters.bounds()  # dates parse
        return filters

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """[from, to) in UK time: a bare `to` date includes that whole day."""
        try:
            start, end = parse_local(self.date_from, "from"), parse_local(self.date_to, "to", end=True)
            for when in (start, end):
                _to_utc(when)  # as the query will: a time at the calendar's edge may not convert
        except CallQAError as exc:
            raise InputError(str(exc)) from None
        except OverflowError:  # 9999-12-31 as `to`: the next midnight is past the calendar's end
            raise InputError("a date is out of range") from None
        return start, end

    def query_args(self) -> dict[str, str]:
        """The non-empty filters, for links that keep the current view (CSV export, pages)."""
        return {k: v for k, v in asdict(self).items() if v}


def positive_int(text: str | None, default: int | None = None, most: int = MAX_ID) -> int | None:
    """A query value as a whole number from 1 to `most` (ASCII digits only), else `default`.

    `page=abc`, `page=-1` or `page=99999999999999999999999` never reach the database (an integer
    that large does not fit a bound parameter: that was a 500)."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        return default
    value = int(text)
    return value if 1 <= value <= most else default


def _closing_decisions():
    """Per flag, its latest confirm/dismiss decision (the one that sets its status)."""
    latest = (select(t.flag_decisions.c.flag_id, func.max(t.flag_decisions.c.id).label("id"))
              .where(t.flag_decisions.c.decision.in_(tuple(t.CLOSING_DECISIONS)))
              .group_by(t.flag_decisions.c.flag_id).subquery("closing"))
    return latest, t.flag_decisions.alias("decided")


def _queue_query(store: Store, filters: QueueFilters) -> Select:
    latest = store.latest_scorings()
    closing, decided = _closing_decisions()
    query = (select(t.flags.c.id.label("flag_id"), t.flags.c.call_id, t.flags.c.indicator, t.flags.c.reason,
                    t.flags.c.severity, t.flags.c.start_s, t.flags.c.evidence_s, t.flags.c.confidence,
                    t.flags.c.needs_review, t.calls.c.started_at,
                    t.calls.c.call_type, t.calls.c.area, t.calls.c.handler_id, t.scorings.c.score,
                    t.scorings.c.review_priority, t.scorings.c.rules_version, decided.c.decision,
                    decided.c.reason.label("decision_reason"), decided.c.decided_by, decided.c.decided_at)
             .join(t.scorings, t.scorings.c.id == t.flags.c.scoring_id)
             .join(latest, latest.c.id == t.scorings.c.id)
             .join(t.calls, t.calls.c.call_id == t.flags.c.call_id)
             .outerjoin(closing, closing.c.flag_id == t.flags.c.id)
             .outerjoin(decided, decided.c.id == closing.c.id)
             .where(t.calls.c.training.is_(False)))
    start, end = filters.bounds()
    if start is not None:
        query = query.where(t.calls.c.started_at >= _to_utc(start))
    if end is not None:
        query = query.where(t.calls.c.started_at < _to_utc(end))
    for value, column in ((filters.area, t.calls.c.area), (filters.call_type, t.calls.c.call_type),
                          (filters.handler, t.calls.c.handler_id), (filters.indicator, t.flags.c.indicator)):
        if value:
            query = query.where(column == value)
    if filters.status == "open":
        query = query.where(closing.c.id.is_(None))
    elif filters.status in ("confirmed", "dismissed"):
        query = query.where(decided.c.decision == ("confirm" if filters.status == "confirmed" else "dismiss"))
    return query


def _row(row: Any) -> dict[str, Any]:
    out = dict(row)
    out["started_at"] = _utc(out["started_at"])
    out["decided_at"] = _utc(out.get("decided_at"))
    out["status"] = t.CLOSING_DECISIONS.get(out.get("decision") or "", "open")
    return out


def queue(store: Store, filters: QueueFilters, limit: int | None = None,
          offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """(rows, total): findings before flags that need review, then severity, vulnerability priority
    (high first) and newest calls."""
    query = _queue_query(store, filters)
    priority = case((t.scorings.c.review_priority == "high", 0), else_=1)
    unsure = case((t.flags.c.needs_review.is_(True), 1), else_=0)
    ordered = query.order_by(unsure, severity_rank(), priority, t.calls.c.started_at.desc(), t.flags.c.call_id,
                             t.flags.c.start_s, t.flags.c.id)
    if limit is not None:
        ordered = ordered.limit(limit).offset(offset)
    with store.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = [_row(r) for r in conn.execute(ordered).mappings()]
    return rows, total


def filter_options(store: Store) -> dict[str, list[str]]:
    """The values the queue's drop-downs offer: what the store holds, not free text."""
    with store.engine.connect() as conn:
        def distinct(column: Any) -> list[str]:
            return [v for v in conn.execute(select(column).distinct().order_by(column)).scalars() if v]
        return {"areas": distinct(t.calls.c.area), "handlers": distinct(t.calls.c.handler_id),
                "indicators": list(INDICATORS)}


def call_row(store: Store, call_id: str) -> dict[str, Any] | None:
    with store.engine.connect() as conn:
        row = conn.execute(select(t.calls).where(t.calls.c.call_id == call_id)).mappings().first()
    if row is None:
        return None
    return {**row, "started_at": _utc(row["started_at"]), "updated_at": _utc(row["updated_at"])}


def current_flags(store: Store, call_id: str) -> list[dict[str, Any]]:
    """The flags of the call's current result, in `call_result` order, each with status and history."""
    with store.engine.connect() as conn:
        scoring_id = conn.execute(select(func.max(t.scorings.c.id)).where(t.scorings.c.call_id == call_id)).scalar()
        if scoring_id is None:
            return []
        flags = [dict(r) for r in conn.execute(select(t.flags).where(t.flags.c.scoring_id == scoring_id)
                                               .order_by(t.flags.c.id)).mappings()]
        history = conn.execute(select(t.flag_decisions).where(
            t.flag_decisions.c.flag_id.in_([f["id"] for f in flags] or [-1])).order_by(t.flag_decisions.c.id)
        ).mappings().all()
    for flag in flags:
        flag["decisions"] = [{**d, "decided_at": _utc(d["decided_at"])} for d in history if d["flag_id"] == flag["id"]]
        closing = [d for d in flag["decisions"] if d["decision"] in t.CLOSING_DECISIONS]
        flag["status"] = t.CLOSING_DECISIONS[closing[-1]["decision"]] if closing else "open"
    return flags


def record_decision(store: Store, call_id: str, flag_id: int, decision: str, reason: str, note: str,
                    decided_by: str) -> None:
    """Confirm, dismiss (a reason is required) or add a note to one of the call's current flags."""
    reason, note = reason.strip(), note.strip()
    if decision not in t.FLAG_DECISIONS:
        raise InputError(f"decision must be one of {', '.join(t.FLAG_DECISIONS)}")
    if decision == "dismiss" and not reason:
        raise InputError("say why the flag is dismissed")
    if decision == "note" and not note:
        raise InputError("the note is empty")
    if len(reason) > MAX_TEXT or len(note) > MAX_TEXT:
        raise InputError(f"reason and note are limited to {MAX_TEXT} characters")
    flag = next((f for f in current_flags(store, call_id) if f["id"] == flag_id), None)
    if flag is None:
        raise InputError(f"flag {flag_id} is not one of call {call_id}'s current flags")
    with store.engine.begin() as conn:
        conn.execute(insert(t.flag_decisions).values(
            flag_id=flag_id, call_id=call_id, indicator=flag["indicator"], decision=decision,
            reason=reason or None, note=note or None, decided_by=decided_by, decided_at=now()))
        store.audit(decided_by, "flag_decision", call_id, {"flag_id": flag_id, "indicator": flag["indicator"],
                                                           "decision": decision}, conn=conn)


def draw_calls(store: Store, draw_id: int) -> list[str] | None:
    """The call ids of a recorded draw in pack order (pack audio `call-NN.wav` is the Nth); None if no such draw."""
    if not 1 <= draw_id <= MAX_ID:
        return None
    with store.engine.connect() as conn:
        calls = conn.execute(select(t.panel_draws.c.calls).where(t.panel_draws.c.id == draw_id)).scalar()
    return None if calls is None else [c[0] for c in calls]


def panel_draws(store: Store, ids: list[int] | None = None) -> list[dict[str, Any]]:
    """Recorded draws, newest first; `ids` keeps only those (a panel member's assignments)."""
    query = select(t.panel_draws.c.id, t.panel_draws.c.panel, t.panel_draws.c.requested_at,
                   t.panel_draws.c.calls).order_by(t.panel_draws.c.id.desc())
    if ids is not None:
        query = query.where(t.panel_draws.c.id.in_(ids or [-1]))
    with store.engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    # Only the size leaves here: a panel member's page must not list call ids.
    return [{"id": r["id"], "panel": r["panel"], "requested_at": _utc(r["requested_at"]),
             "size": len(r["calls"] or [])} for r in rows]
