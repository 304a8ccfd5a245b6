"""Time in the store: everything is kept and compared in UTC.

SQLite hands datetimes back naive and keeps only the wall-clock digits of what it is given (the
offset is dropped), so every time going in is converted to UTC first (`to_utc`) and every time
coming out is marked as UTC (`from_db`). Modules outside the store use these, never their own.
"""

from __future__ import annotations

from datetime import datetime, timezone

from callqa.pipeline.errors import CallQAError


def now() -> datetime:
    """The current time, in UTC (what the store writes as created_at, decided_at, ...)."""
    return datetime.now(timezone.utc)


def to_utc(value: datetime | None) -> datetime | None:
    """A datetime to write or compare, in UTC; a naive one is taken as UTC already.

    A +01:00 (BST) time is converted, or SQLite would store it an hour out."""
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def from_db(value: datetime | None) -> datetime | None:
    """A datetime read from the store, marked as UTC (SQLite returns it naive)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def parse_date(text: str | None, option: str = "date") -> datetime | None:
    """A user's date or ISO 8601 time for a store query; no offset means UTC."""
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise CallQAError(f"{option} {text!r} is not a date (use YYYY-MM-DD or ISO 8601)") from None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)
