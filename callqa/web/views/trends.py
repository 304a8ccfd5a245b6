"""Operator (handler_id) and team (area) pages: a sortable table of everyone's indicator rates, and
each member's rates over time against everyone's, every point with its n and a link to its calls.

Each view is one `view_trends` audit row: the table (how many operators or teams, the sort and the
dates), or the operator or team with the period, the dates and the number of calls the page covers.
Each CSV is one `export_trends` row naming the same.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, render_template, request, url_for

from callqa import plain_language
from callqa.pipeline.errors import CallQAError
from callqa.result_files import _cell as spreadsheet_safe
from callqa.web import auth, rates
from callqa.web.charts import PALETTE, Mark, Series, bar_chart, line_chart
from callqa.web.dates import LOCAL_TZ, parse_local

bp = Blueprint("trends", __name__)
DEFAULT_SPAN = {"week": timedelta(weeks=12), "day": timedelta(days=28)}
TITLES = {"operator": "Operator", "team": "Team"}
QUEUE_FILTER = {"operator": "handler", "team": "area"}  # the queue's filter for each group
# Dates the pages accept: far enough either way for any real call, near enough that a span of
# periods before or after never leaves the calendar (0001-01-01 or 9999-12-31 was a 500).
EARLIEST = datetime(1900, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(3000, 1, 1, tzinfo=timezone.utc)
RANGE_ERROR = f"dates must lie between {EARLIEST.year} and {LATEST.year - 1}"
CHART_CSV_COLUMNS = ["chart", "indicator", "series", "group", "member", "period_start", "date_from", "date_to",
                     "value", "n", "small_sample", "queue_url"]


def _dates() -> tuple[datetime | None, datetime | None, str | None]:
    """?from=&to= as UK days (`to` inclusive); (None, None, message) when they cannot be used."""
    try:
        start = parse_local(request.args.get("from"), "from")
        end = parse_local(request.args.get("to"), "to", end=True)
        if any(when is not None and not EARLIEST <= when <= LATEST for when in (start, end)):
            raise CallQAError(RANGE_ERROR)
    except CallQAError as exc:
        return None, None, str(exc)
    except OverflowError:  # `to` 9999-12-31: its next midnight is past the calendar's end
        return None, None, RANGE_ERROR
    return start, end, None


def _range(group: str | None, value: str | None, period: str) -> tuple[datetime, datetime, str | None]:
    """?from=&to= (dates, `to` inclusive), else the last 12 weeks (28 days) up to the newest call."""
    start, end, error = _dates()
    if end is None:
        latest = rates.latest_call_time(auth.store(), group, value) or datetime.now(timezone.utc)
        end = parse_local(latest.astimezone(LOCAL_TZ).date().isoformat(), "to", end=True)
    if start is None or start >= end:
        start = end - DEFAULT_SPAN[period]
    return start, end, error


def _period() -> str:
    period = request.args.get("period", "week")
    return period if period in rates.PERIODS else "week"


def queue_url(series: rates.SeriesData, point: rates.Point, indicator: str | None) -> str:
    """The queue filtered to the calls behind one point: member, its UK days, indicator, all calls."""
    params: dict[str, str] = {}
    if series.group is not None and series.value is not None:
        params[QUEUE_FILTER[series.group]] = series.value
    params["date_from"], params["date_to"] = point.first.isoformat(), point.last.isoformat()
    if indicator:
        params["indicator"] = indicator
    params["scope"] = "all"
    return f"{url_for('queue.index')}?{urlencode(params)}"


def _label(point: rates.Point) -> str:
    return point.period.strftime("%d %b")


def _marks(series: rates.SeriesData, indicator: str | None) -> list[Mark]:
    return [Mark(_label(p), p.value, p.n, p.small, queue_url(series, p, indicator) if p.n else None)
            for p in series.points]


def _draw(chart: rates.ChartData) -> Any:
    if chart.kind == "bar":
        return bar_chart(chart.title, _marks(chart.series[0], chart.indicator))
    lines = [Series(s.name, _marks(s, chart.indicator), PALETTE[i], dashed=s.group is None)
             for i, s in enumerate(chart.series)]
    return line_chart(chart.title, lines, unit=chart.unit)


@dataclass(frozen=True)
class TrendView:
    """What one operator's (or team's) page and its CSV are built from."""

    period: str
    start: datetime
    end: datetime  # exclusive: the UK midnight after the last day
    error: str | None
    mine: rates.Trend
    everyone: rates.Trend
    charts: list[rates.ChartData]


def _trend_view(group: str, value: str) -> TrendView:
    period = _period()
    start, end, error = _range(group, value, period)
    mine = rates.trend(auth.store(), period, start, end, group, value)
    everyone = rates.trend(auth.store(), period, start, end)
    data = rates.charts(mine, everyone, group, value, {i: plain_language.title(i) for i in rates.indicator_names()})
    return TrendView(period, start, end, error, mine, everyone, data)


def _page(group: str, value: str) -> str:
    view = _trend_view(group, value)
    period, start, end, mine, everyone = view.period, view.start, view.end, view.mine, view.everyone
    summary = []
    for indicator in rates.indicator_names():
        passed, applicable = mine.overall(indicator)
        all_passed, all_applicable = everyone.overall(indicator)
        summary.append({
            "name": indicator, "title": plain_language.title(indicator), "passed": passed,
            "applicable": applicable, "small": 0 < applicable < rates.SMALL_SAMPLE,
            "rate": None if not applicable else 100.0 * passed / applicable,
            "all_rate": None if not all_applicable else 100.0 * all_passed / all_applicable})
    shown = [(chart, _draw(chart)) for chart in view.charts
             if chart.indicator is None or any(p.n for p in chart.series[0].points)]
    calls = sum(mine.calls.values())
    auth.store().audit(auth.actor(), "view_trends", details={
        "group": group, "value": value, "period": period, "from": start.date().isoformat(),
        "to": (end - timedelta(days=1)).date().isoformat(), "calls": calls})
    return render_template("trend.html", group=group, title=TITLES[group], value=value, period=period,
                           start=start, end=end - timedelta(days=1), error=view.error, charts=shown,
                           indicators=summary, calls=calls, flagged=sum(mine.flagged.values()),
                           periods=rates.PERIODS, small=rates.SMALL_SAMPLE, queue_url=queue_url,
                           csv_url=_csv_link(group, value, view),
                           queue_all=queue_url(view.charts[0].series[0], rates.Point(
                               mine.first_day, mine.first_day, mine.last_day, None, 0), None))


def _csv_link(group: str, value: str, view: TrendView) -> str:
    """The page's CSV, for the same member, period and days."""
    endpoint, key = ("trends.operator_csv", "handler_id") if group == "operator" else ("trends.team_csv", "area")
    return url_for(endpoint, **{key: value}, period=view.period, **{
        "from": view.start.date().isoformat(), "to": (view.end - timedelta(days=1)).date().isoformat()})


def _csv(header: list[str], rows: list[list[Any]], filename: str) -> Response:
    """A CSV download; cells a spreadsheet would run as formulas are quoted, as the queue's are."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def chart_rows(data: list[rates.ChartData]) -> list[list[Any]]:
    """Every point of every chart, one row each, in CHART_CSV_COLUMNS order."""
    rows = []
    for chart in data:
        for s in chart.series:
            for p in s.points:
                rows.append([chart.key, chart.indicator or "", s.name, s.group or "everyone", s.value or "",
                             p.period.isoformat(), p.first.isoformat(), p.last.isoformat(), _number(p.value),
                             p.n, "yes" if p.small else "no",
                             queue_url(s, p, chart.indicator) if p.n else ""])
    return rows


def _export(group: str, value: str) -> Response:
    view = _trend_view(group, value)
    if view.error:  # as the queue's CSV: a download never silently covers other days than asked
        abort(400, description=view.error)
    rows = chart_rows(view.charts)
    auth.store().audit(auth.actor(), "export_trends", details={
        "group": group, "value": value, "period": view.period, "from": view.start.date().isoformat(),
        "to": (view.end - timedelta(days=1)).date().isoformat(), "calls": sum(view.mine.calls.values()),
        "rows": len(rows)})
    return _csv(CHART_CSV_COLUMNS, rows, f"callqa-{group}-trend.csv")


def _known(group: str, value: str) -> None:
    if "\x00" in value or not rates.has_scored_calls(auth.store(), group, value):
        abort(404, description=f"no scored calls for {TITLES[group].lower()} {value}")


# ---- the tables ---------------------------------------------------------------------------------

def _table(group: str) -> tuple[list[Any], str, str, datetime | None, datetime | None, str | None]:
    sort, direction = rates.parse_sort(request.args.get("sort"), request.args.get("dir"))
    start, end, error = _dates()
    return rates.table(auth.store(), group, start, end, sort, direction), sort, direction, start, end, error


def _table_audit(action: str, group: str, rows: list[Any], sort: str, direction: str, start: datetime | None,
                 end: datetime | None) -> None:
    auth.store().audit(auth.actor(), action, details={
        "group": group, "members": len(rows), "sort": sort, "dir": direction, **_date_args(start, end)})


def _members(group: str) -> str:
    rows, sort, direction, start, end, error = _table(group)
    _table_audit("view_trends", group, rows, sort, direction, start, end)
    indicators = [(name, plain_language.title(name)) for name in rates.indicator_names()]
    dates = _date_args(start, end)
    csv_url = url_for("trends.operators_csv" if group == "operator" else "trends.teams_csv", sort=sort,
                      dir=direction, **dates)
    return render_template("trend_members.html", group=group, rows=rows, sort=sort, direction=direction,
                           indicators=indicators, fail_rate=rates.fail_rate, error=error, dates=dates,
                           csv_url=csv_url, start=start, end=end - timedelta(days=1) if end else None,
                           small=rates.SMALL_SAMPLE)


def _date_args(start: datetime | None, end: datetime | None) -> dict[str, str]:
    """The table's ?from=&to= as given, for the sort and CSV links that keep the same days."""
    args = {}
    if start is not None:
        args["from"] = start.date().isoformat()
    if end is not None:
        args["to"] = (end - timedelta(days=1)).date().isoformat()
    return args


def table_header() -> list[str]:
    header = ["name", "calls", "flagged", "mean_score", "last_call"]
    for name in rates.indicator_names():
        header += [f"{name}_not_met", f"{name}_applied", f"{name}_fail_rate"]
    return header


def table_rows(rows: list[Any]) -> list[list[Any]]:
    """The table as shown (same order), times in UK local time with their offset."""
    out = []
    for row in rows:
        line = [row.name, row.calls, row.flagged, _number(row.mean_score),
                row.last_call.astimezone(LOCAL_TZ).isoformat() if row.last_call else ""]
        for name in rates.indicator_names():
            failed, applied = row.failed.get(name, (0, 0))
            line += [failed, applied, _number(rates.fail_rate(row, name))]
        out.append(line)
    return out


def _members_csv(group: str) -> Response:
    rows, sort, direction, start, end, error = _table(group)
    if error:
        abort(400, description=error)
    _table_audit("export_trends", group, rows, sort, direction, start, end)
    return _csv(table_header(), table_rows(rows), f"callqa-{group}s.csv")


@bp.get("/operators")
def operators() -> str:
    return _members("operator")


@bp.get("/operators.csv", endpoint="operators_csv")
def operators_csv() -> Response:
    return _members_csv("operator")


@bp.get("/operators/<path:handler_id>")
def operator(handler_id: str) -> str:
    _known("operator", handler_id)
    return _page("operator", handler_id)


@bp.get("/export/operators/<path:handler_id>.csv", endpoint="operator_csv")
def operator_csv(handler_id: str) -> Response:
    _known("operator", handler_id)
    return _export("operator", handler_id)


@bp.get("/teams")
def teams() -> str:
    return _members("team")


@bp.get("/teams.csv", endpoint="teams_csv")
def teams_csv() -> Response:
    return _members_csv("team")


@bp.get("/teams/<path:area>")
def team(area: str) -> str:
    _known("team", area)
    return _page("team", area)


@bp.get("/export/teams/<path:area>.csv", endpoint="team_csv")
def team_csv(area: str) -> Response:
    _known("team", area)
    return _export("team", area)
