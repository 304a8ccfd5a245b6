"""Dates as QA leads type and read them: UK local time (GMT/BST), while the store keeps UTC.

A bare date in a filter means that day in the UK, so a call at 00:30 BST on 1 June is "1 June"
in the filter just as it is on the page.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from callqa.pipeline.config import LOCAL_TZ
from callqa.pipeline.errors import CallQAError
from callqa.store import parse_date


def parse_local(text: str | None, option: str, end: bool = False) -> datetime | None:
    """YYYY-MM-DD as UK midnight (with `end`, the next midnight: the day is included), else ISO 8601."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) == 10:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise CallQAError(f"{option} {text!r} is not a date (use YYYY-MM-DD or ISO 8601)") from None
        return datetime.combine(day + timedelta(days=1 if end else 0), time(), LOCAL_TZ)
    return parse_date(text, option)
