"""Operator (handler_id) and team (area) pages: indicator pass rates over time, against everyone's.

Each view is one `view_trends` audit row: the list (how many operators or teams), or the operator
or team with the period, the dates and the number of calls the page covers.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from flask import Blueprint, abort, render_template, request

from callqa.pipeline.errors import CallQAError
from callqa.web import auth, rates
from callqa.web.charts import PALETTE, Series, bar_chart, line_chart
from callqa.web.dates import LOCAL_TZ, parse_local

bp = Blueprint("trends", __name__)
DEFAULT_SPAN = {"week": timedelta(weeks=12), "day": timedelta(days=28)}
TITLES = {"operator": "Operator", "team": "Team"}
# Dates the pages accept: far enough either way for any real call, near enough that a span of
# periods before or after never leaves the calendar (0001-01-01 or 9999-12-31 was a 500).
EARLIEST = datetime(1900, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(3000, 1, 1, tzinfo=timezone.utc)


def _range(group: str | None, value: str | None, period: str) -> tuple[datetime, datetime, str | None]:
    """?from=&to= (dates, `to` inclusive), else the last 12 weeks (28 days) up to the newest call."""
    error = None
    try:
        start = parse_local(request.args.get("from"), "from")
        end = parse_local(request.args.get("to"), "to", end=True)
        if any(when is not None and not EARLIEST <= when <= LATEST for when in (start, end)):
            raise CallQAError(f"dates must lie between {EARLIEST.year} and {LATEST.year - 1}")
    except CallQAError as exc:
        start = end = None
        error = str(exc)
    except OverflowError:  # `to` 9999-12-31: its next midnight is past the calendar's end
        start = end = None
        error = f"dates must lie between {EARLIEST.year} and {LATEST.year - 1}"
    if end is None:
        latest = rates.latest_call_time(auth.store(), group, value) or datetime.now(timezone.utc)
        end = parse_local(latest.astimezone(LOCAL_TZ).date().isoformat(), "to", end=True)
    if start is None or start >= end:
        start = end - DEFAULT_SPAN[period]
    return start, end, error


def _page(group: str, value: str) -> str:
    period = request.args.get("period", "week")
    if period not in rates.PERIODS:
        period = "week"
    start, end, error = _range(group, value, period)
    mine = rates.trend(auth.store(), period, start, end, group, value)
    everyone = rates.trend(auth.store(), period, start, end)
    labels = [d.strftime("%d %b") for d in mine.periods]
    name = f"{TITLES[group].lower()} {value}"
    charts: list[Any] = [
        line_chart("Mean score", labels, [
            Series(name, [mine.mean_score(d) for d in mine.periods], PALETTE[0]),
            Series("all", [everyone.mean_score(d) for d in mine.periods], PALETTE[1], dashed=True)], unit=""),
        bar_chart(f"Calls per {period}", labels, [float(mine.calls.get(d, 0)) for d in mine.periods]),
    ]
    indicators = []
    for indicator in rates.indicator_names():
        passed, applicable = mine.overall(indicator)
        all_passed, all_applicable = everyone.overall(indicator)
        indicators.append({
            "name": indicator, "passed": passed, "applicable": applicable,
            "rate": None if not applicable else 100.0 * passed / applicable,
            "all_rate": None if not all_applicable else 100.0 * all_passed / all_applicable,
            "chart": line_chart(f"{indicator}: passed", labels, [
                Series(name, [mine.pass_rate(indicator, d) for d in mine.periods], PALETTE[0]),
                Series("all", [everyone.pass_rate(indicator, d) for d in mine.periods], PALETTE[1], dashed=True)])})
    auth.store().audit(auth.actor(), "view_trends", details={
        "group": group, "value": value, "period": period, "from": start.date().isoformat(),
        "to": (end - timedelta(days=1)).date().isoformat(), "calls": sum(mine.calls.values())})
    return render_template("trend.html", group=group, title=TITLES[group], value=value, period=period,
                           start=start, end=end - timedelta(days=1), error=error, charts=charts,
                           indicators=indicators, calls=sum(mine.calls.values()),
                           flagged=sum(mine.flagged.values()), periods=rates.PERIODS)


def _known(group: str, value: str) -> None:
    if "\x00" in value or not rates.has_scored_calls(auth.store(), group, value):
        abort(404, description=f"no scored calls for {TITLES[group].lower()} {value}")


def _members(group: str) -> str:
    members = rates.members(auth.store(), group)
    auth.store().audit(auth.actor(), "view_trends", details={"group": group, "members": len(members)})
    return render_template("members.html", group=group, members=members)


@bp.get("/operators")
def operators() -> str:
    return _members("operator")


@bp.get("/operators/<path:handler_id>")
def operator(handler_id: str) -> str:
    _known("operator", handler_id)
    return _page("operator", handler_id)


@bp.get("/teams")
def teams() -> str:
    return _members("team")


@bp.get("/teams/<path:area>")
def team(area: str) -> str:
    _known("team", area)
    return _page("team", area)
