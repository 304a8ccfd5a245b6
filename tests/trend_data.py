"""Calls for the trend tests: copies of the nightly batch's real results (good_101, no_greeting)
under new call ids, spread over three June weeks for two new operators in one new area, so that
one week has n >= 10 and another a small sample, and one call falls on a different UK day than
its UTC day."""

from __future__ import annotations

from datetime import datetime, timezone

from callqa.recorder_export import CallRecord
from tests.web_helpers import SAMPLES

AREA = "Trendshire"
BUSY, QUIET = "H9001", "H9002"
RANGE = {"from": "2026-05-25", "to": "2026-06-14"}
# (started_at UTC, operator, copied from): week 1 (25-31 May) 10 calls, week 2 (1-7 Jun) 12, week 3
# (8-14 Jun) 3, the first of which is 23:30 UTC on Sunday 7 June: 00:30 BST on Monday 8 June, so week 3.
WEEK1 = [(datetime(2026, 5, 25 + i % 7, 10, i, tzinfo=timezone.utc), BUSY, "good_101" if i % 3 else "no_greeting")
         for i in range(10)]
WEEK2 = [(datetime(2026, 6, 1 + i % 7, 11, i, tzinfo=timezone.utc), BUSY, "good_101" if i % 4 else "no_greeting")
         for i in range(12)]
WEEK3 = [(datetime(2026, 6, 7, 23, 30, tzinfo=timezone.utc), BUSY, "no_greeting"),
         (datetime(2026, 6, 10, 9, 0, tzinfo=timezone.utc), BUSY, "good_101"),
         (datetime(2026, 6, 12, 9, 0, tzinfo=timezone.utc), BUSY, "no_greeting")]
QUIET_CALLS = [(datetime(2026, 6, 2, 9, 0, tzinfo=timezone.utc), QUIET, "no_greeting"),
               (datetime(2026, 6, 9, 9, 0, tzinfo=timezone.utc), QUIET, "no_greeting")]


def add_trend_calls(store) -> None:
    """Copies of real results (good_101, no_greeting) under new call ids, operators and times."""
    for i, (when, handler, source) in enumerate(WEEK1 + WEEK2 + WEEK3 + QUIET_CALLS):
        result = store.call_result(source)
        call_id = f"trend-{i:02d}"
        result["call_id"] = call_id
        store.upsert_calls([CallRecord(
            call_id=call_id, audio=SAMPLES / f"{source}.wav", started_at=when, call_type="101", area=AREA,
            handler_id=handler, layout="stereo-handler-left", answer_delay_s=20.0, training=False,
            source="trend test")], None)
        store.save_analysis(result, f"{i + 1:064x}", None)
