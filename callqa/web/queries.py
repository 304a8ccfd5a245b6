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
from callqa.store.times import to_utc
from callqa.web.dates import parse_local

STATUSES = QUEUE_STATUSES
MAX_TEXT = 2000
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
                to_utc(when)  # as the query will: a time at the calendar's edge may not convert
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


def queue(store: Store, filters: QueueFilters, limit: int | None = None,
          offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """(rows, total): findings before flags that need review, then severity, vulnerability priority
    (high first) and newest calls."""
    start, end = filters.bounds()
    return store.review_queue(start=start, end=end, area=filters.area, call_type=filters.call_type,
                              handler=filters.handler, indicator=filters.indicator, status=filters.status,
                              limit=limit, offset=offset)


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
