"""The review queue: the night's flagged calls to work through, filtered, as a page (one row per
call, its flags as chips), and the flags as CSV and JSON (one row per flag, as before); and bulk
decisions on ticked calls or flags.

Each answer is one audit row: `view_queue` (the page or the API: filters, page, total and the call
ids shown) or `export_queue` (the CSV: filters and row count). A bulk decision writes one
`flag_decision` row per flag, as single decisions do.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for

from callqa import plain_language
from callqa.result_files import _cell as spreadsheet_safe
from callqa.web import auth, queries
from callqa.web.queries import InputError, QueueFilters

bp = Blueprint("queue", __name__)
PAGE_SIZE = 100         # flags per API page
CALLS_PER_PAGE = 50     # calls per queue page
MAX_PAGE = queries.MAX_ID // PAGE_SIZE
CSV_COLUMNS = ["flag_id", "call_id", "started_at", "call_type", "area", "handler_id", "score", "review_priority",
               "severity", "indicator", "reason", "start_s", "status", "decided_by", "decided_at",
               "decision_reason", "rules_version", "needs_review", "confidence"]


def _filters() -> QueueFilters:
    try:
        return QueueFilters.from_args(request.args)
    except InputError as exc:
        abort(400, description=str(exc))


def _page() -> int:
    """?page=N, 1 for anything that is not a page number (abc, -1, 99999999999999999999999)."""
    return queries.positive_int(request.args.get("page"), default=1, most=MAX_PAGE) or 1


def _audit_list(view: str, filters: QueueFilters, page: int, call_ids: list[str], total: int, rows: int) -> None:
    auth.store().audit(auth.actor(), "view_queue", details={
        "view": view, "filters": filters.query_args(), "page": page, "total": total, "rows": rows,
        "call_ids": list(dict.fromkeys(call_ids))})


@bp.get("/queue")
def index() -> str:
    """One row per call; `total` and `rows` in the audit row count calls here (flags in the API)."""
    error = None
    try:
        filters = QueueFilters.from_args(request.args)
    except InputError as exc:
        error, filters = str(exc), QueueFilters()
    page = queries.positive_int(request.args.get("page"), default=1, most=queries.MAX_ID // CALLS_PER_PAGE) or 1
    calls, total = queries.call_queue(auth.store(), filters, limit=CALLS_PER_PAGE, offset=(page - 1) * CALLS_PER_PAGE)
    _audit_list("page", filters, page, [c.call_id for c in calls], total, len(calls))
    return render_template("queue.html", calls=calls, total=total, filters=filters, error=error, page=page,
                           pages=max((total + CALLS_PER_PAGE - 1) // CALLS_PER_PAGE, 1),
                           options=queries.filter_options(auth.store()), statuses=queries.STATUSES,
                           scopes=queries.SCOPES, plain=plain_language)


@bp.post("/queue/decisions")
def decide() -> Response:
    """Confirm or dismiss the ticked calls' shown flags and the ticked flags, with one reason; back
    to the same view of the queue, which says what was recorded (or why nothing was)."""
    try:
        filters = QueueFilters.from_args(request.form)
    except InputError as exc:
        abort(400, description=str(exc))
    try:
        done = queries.record_bulk_decision(auth.store(), filters, request.form.getlist("flag"),
                                            request.form.getlist("call"), request.form.get("decision", ""),
                                            request.form.get("reason", ""), auth.actor())
    except InputError as exc:
        flash(f"Nothing recorded: {exc}.", "error")
    else:
        verb = {"confirm": "Confirmed", "dismiss": "Dismissed"}[done.decision]
        flash(f"{verb} {done.flags} flag{'s' if done.flags != 1 else ''} on {done.calls} "
              f"call{'s' if done.calls != 1 else ''}.", "ok")
    return redirect(url_for("queue.index", **filters.query_args()))


def _csv_value(row: dict[str, Any], key: str) -> Any:
    value = row.get(key)
    return value.isoformat() if hasattr(value, "isoformat") else value


@bp.get("/queue.csv", endpoint="csv")
def csv_export() -> Response:
    """The current filtered flags, every page, one row per flag (a spreadsheet sorts and counts them
    itself); `scope` does not apply (calls without flags have no rows). Cells a spreadsheet would run
    as formulas are quoted."""
    filters = _filters()
    rows, _ = queries.queue(auth.store(), filters)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([spreadsheet_safe(_csv_value(row, key)) for key in CSV_COLUMNS])
    auth.store().audit(auth.actor(), "export_queue", details={
        "filters": filters.query_args(), "rows": len(rows), "calls": len({row["call_id"] for row in rows})})
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="callqa-flag-queue.csv"'})


@bp.get("/api/queue")
def api() -> Response:
    filters = _filters()
    page = _page()
    rows, total = queries.queue(auth.store(), filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    _audit_list("api", filters, page, [row["call_id"] for row in rows], total, len(rows))
    return jsonify(total=total, filters=filters.query_args(),
                   flags=[{key: _csv_value(row, key) for key in CSV_COLUMNS} for row in rows])

