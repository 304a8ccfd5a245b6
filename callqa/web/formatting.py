"""Jinja filters: times in UK local time, seconds as m:ss, scores and rates.

The store keeps UTC; QA leads think in the force's local time (GMT/BST), so pages show that.
"""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from callqa.messages import page_text
from callqa.web.dates import LOCAL_TZ


def uk_time(value: datetime | None, with_seconds: bool = False) -> str:
    if value is None:
        return "-"
    local = value.astimezone(LOCAL_TZ)
    return local.strftime("%a %d %b %Y %H:%M:%S" if with_seconds else "%a %d %b %Y %H:%M")


def clock(seconds: float | None) -> str:
    """1:07.4 for 67.4 s: evidence times are read against the player's clock."""
    if seconds is None:
        return "-"
    minutes, rest = divmod(max(float(seconds), 0.0), 60)
    return f"{int(minutes)}:{rest:04.1f}"


def score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def metric(value: object) -> str:
    """An indicator metric as a reader wants it: 0.43 not 0.4290001, lists without brackets."""
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, (list, tuple)):
        return ", ".join(metric(v) for v in value) or "none"
    return str(value)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(uk_time=uk_time, clock=clock, score=score, metric=metric)
    app.jinja_env.finalize = page_text   # hidden characters in transcripts and metadata show escaped
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
