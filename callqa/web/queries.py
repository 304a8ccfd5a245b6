"""The review app's reads and writes, checked before they reach the store: the flag queue's
filters, a call's current flags with their decision history, recording a decision, and the lists
behind the filters.

The SQL is the store's (callqa/store/reviews.py, results.py, panels.py); this module turns form
and query-string values into its arguments and refuses what it cannot use. A flag's review status
is its latest confirm/dismiss decision (a note leaves the status as it is); no such decision means
it is open.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from callqa.pipeline.errors import CallQAError
from callqa.pipeline.rules import INDICATORS
from callqa.store import FLAG_DECISIONS, MAX_ID, QUEUE_STATUSES, Store
from callqa.store.queue import QUEUE_SCOPES, CallFilter, QueueCall
from callqa.store.times import to_utc
from callqa.web.dates import parse_local

STATUSES = QUEUE_STATUSES
SCOPES = QUEUE_SCOPES
BULK_DECISIONS = ("confirm", "dismiss")
MAX_TEXT = 2000
MAX_BULK = 500   # flags one bulk decision may touch (a page of calls holds far fewer)
# MAX_ID (from the store): ids and page numbers beyond this are refused (SQLite and PostgreSQL integers)


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
    q: str = ""             # part of a call id, any case
    scope: str = "flagged"  # flagged: calls with a matching flag; all: every call with a current result

    @classmethod
    def from_args(cls, args: Any) -> "QueueFilters":
        """From a query string; unknown keys are ignored, a bad value raises InputError."""
        values = {name: (args.get(name) or "").strip()[:200] for name in cls.__dataclass_fields__}
        if any("\x00" in value for value in values.values()):
            raise InputError("a filter holds a NUL character")
        values["status"] = values["status"] or "open"
        values["scope"] = values["scope"] or "flagged"
        filters = cls(**values)
        if filters.status not in STATUSES:
            raise InputError(f"status must be one of {', '.join(STATUSES)}")
        if filters.scope not in SCOPES:
            raise InputError(f"scope must be one of {', '.join(SCOPES)}")
        if filters.call_type not in ("", "101", "999"):
            raise InputError("call type must be 101 or 999")
        filters.bounds()  # dates parse
        return filters

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """[from, to) in UK time: a bare `to` date includes that whole day."""
        try:
            start, end = parse_local(self.date_from, "from"), parse_local(self.date_to, "to", end=True)
            for when in (start, end):
                to_utc(when)  # as the query will: a time at the calendar's edge may not convert
        except CallQAError as exc:
            raise InputError(str(exc)) from None
        except OverflowError:  # 9999-12-31 as `to`: the next midnight is past the calendar's end
            raise InputError("a date is out of range") from None
        return start, end

    def query_args(self) -> dict[str, str]:
        """The non-empty filters, for links that keep the current view (CSV export, pages); the
        default scope is left out, so links and audit rows read as they did before it existed."""
        return {k: v for k, v in asdict(self).items() if v and not (k == "scope" and v == "flagged")}

    def call_filter(self) -> CallFilter:
        """The store's form of these filters (UK dates as [start, end) instants)."""
        start, end = self.bounds()
        return CallFilter(start=start, end=end, area=self.area, call_type=self.call_type, handler=self.handler,
                          indicator=self.indicator, status=self.status, q=self.q, scope=self.scope)


def positive_int(text: str | None, default: int | None = None, most: int = MAX_ID) -> int | None:
    """A query value as a whole number from 1 to `most` (ASCII digits only), else `default`.

    `page=abc`, `page=-1` or `page=99999999999999999999999` never reach the database (an integer
    that large does not fit a bound parameter: that was a 500)."""
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        return default
    value = int(text)
    return value if 1 <= value <= most else default


def queue(store: Store, filters: QueueFilters, limit: int | None = None,
          offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """(rows, total): findings before flags that need review, then severity, vulnerability priority
    (high first) and newest calls."""
    start, end = filters.bounds()
    return store.review_queue(start=start, end=end, area=filters.area, call_type=filters.call_type,
                              handler=filters.handler, indicator=filters.indicator, status=filters.status,
                              q=filters.q, limit=limit, offset=offset)


def call_queue(store: Store, filters: QueueFilters, limit: int | None = None,
               offset: int = 0) -> tuple[list[QueueCall], int]:
    """(calls, total calls): one row per call with its flags, in the queue's order (see the store)."""
    return store.call_queue(filters.call_filter(), limit=limit, offset=offset)


def filter_options(store: Store) -> dict[str, list[str]]:
    """The values the queue's drop-downs offer: what the store holds, not free text."""
    return {**store.call_values(), "indicators": list(INDICATORS)}


def call_row(store: Store, call_id: str) -> dict[str, Any] | None:
    return store.call(call_id)


def current_flags(store: Store, call_id: str) -> list[dict[str, Any]]:
    """The flags of the call's current result, in `call_result` order, each with status and history."""
    return store.current_flags(call_id)


def record_decision(store: Store, call_id: str, flag_id: int, decision: str, reason: str, note: str,
                    decided_by: str) -> None:
    """Confirm, dismiss (a reason is required) or add a note to one of the call's current flags."""
    reason, note = reason.strip(), note.strip()
    if decision not in FLAG_DECISIONS:
        raise InputError(f"decision must be one of {', '.join(FLAG_DECISIONS)}")
    if decision == "dismiss" and not reason:
        raise InputError("say why the flag is dismissed")
    if decision == "note" and not note:
        raise InputError("the note is empty")
    if len(reason) > MAX_TEXT or len(note) > MAX_TEXT:
        raise InputError(f"reason and note are limited to {MAX_TEXT} characters")
    flag = next((f for f in current_flags(store, call_id) if f["id"] == flag_id), None)
    if flag is None:
        raise InputError(f"flag {flag_id} is not one of call {call_id}'s current flags")
    store.record_flag_decision(call_id, flag_id, flag["indicator"], decision, reason or None, note or None,
                               decided_by)


def draw_calls(store: Store, draw_id: int) -> list[str] | None:
    """The call ids of a recorded draw in pack order (pack audio `call-NN.wav` is the Nth); None if no such draw."""
    return store.draw_call_ids(draw_id)


def panel_draws(store: Store, ids: list[int] | None = None) -> list[dict[str, Any]]:
    """Recorded draws, newest first; `ids` keeps only those (a panel member's assignments).
    Only each draw's size is given: a panel member's page must not list call ids."""
    return store.panel_draws(ids)


@dataclass(frozen=True)
class NextFlag:
    """Where "Next open flag" goes: a flag on this call, or the first open flag of the next call."""

    call_id: str
    flag_id: int
    same_call: bool


@dataclass(frozen=True)
class BulkOutcome:
    """What one bulk decision recorded."""

    decision: str
    flags: int
    calls: int


def next_open_flags(store: Store, call_id: str, flags: list[dict[str, Any]]) -> dict[int | None, NextFlag | None]:
    """For each of the call's flags (and None: the page's own link), the next open flag: the next open
    one on this call (after it, then from the top), else the first open flag of the next call in the
    open queue's order (the default /queue view), else None when nothing is left open."""
    open_ids = [f["id"] for f in flags if f["status"] == "open"]
    elsewhere = _next_call_flag(store, call_id)
    out: dict[int | None, NextFlag | None] = {}
    for key in [None, *[f["id"] for f in flags]]:
        position = [f["id"] for f in flags].index(key) if key is not None else -1
        later = [i for i in open_ids if [f["id"] for f in flags].index(i) > position]
        others = later or [i for i in open_ids if i != key]
        out[key] = NextFlag(call_id, others[0], True) if others else elsewhere
    return out


def _next_call_flag(store: Store, call_id: str) -> NextFlag | None:
    """The first flag of the call after this one in the open queue's order (wrapping round), read
    by the queue's index: the whole queue of a year is never loaded for one link."""
    call = store.next_queued_call(call_id)
    if call is None:
        return None
    first = (call.findings or call.checks)[0]
    return NextFlag(call.call_id, first.flag_id, False)


def record_bulk_decision(store: Store, filters: QueueFilters, flag_values: list[str], call_ids: list[str],
                         decision: str, reason: str, decided_by: str) -> BulkOutcome:
    """Confirm or dismiss many flags with one reason: the ticked flags, and for each ticked call the
    flags the queue showed for it (those matching its indicator and status filters). Every flag must
    be a current one; each decision is stored and audited as a single decision is, in one transaction."""
    reason = reason.strip()
    if decision not in BULK_DECISIONS:
        raise InputError(f"choose a decision: {' or '.join(BULK_DECISIONS)}")
    if not reason:
        raise InputError("give one reason for the decision on the ticked flags")
    if len(reason) > MAX_TEXT:
        raise InputError(f"the reason is limited to {MAX_TEXT} characters")
    wanted: list[int] = []
    for value in flag_values:
        flag_id = positive_int(value)
        if flag_id is None:
            raise InputError("a ticked flag is not a flag number")
        wanted.append(flag_id)
    for call_id in dict.fromkeys(c.strip() for c in call_ids if c.strip()):
        if "\x00" in call_id or len(call_id) > 128:
            raise InputError("a ticked call is not a call id")
        wanted += [f["id"] for f in current_flags(store, call_id)
                   if (not filters.indicator or f["indicator"] == filters.indicator)
                   and (filters.status == "all" or f["status"] == filters.status)]
    wanted = list(dict.fromkeys(wanted))
    if not wanted:
        raise InputError("tick at least one call or flag with something left to decide")
    if len(wanted) > MAX_BULK:
        raise InputError(f"at most {MAX_BULK} flags at once")
    found = store.current_flags_of(wanted)
    missing = [i for i in wanted if i not in found]
    if missing:
        raise InputError(f"flag {missing[0]} is not on a call's current result (re-scored since?): reload the queue")
    decisions = [found[i] for i in wanted]
    store.record_flag_decisions(decisions, decision, reason, decided_by)
    return BulkOutcome(decision, len(decisions), len({d.call_id for d in decisions}))
