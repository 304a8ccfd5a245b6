"""The flag queue: the night's flags to work through, filtered, as a page, as CSV and as JSON.

Each answer is one audit row: `view_queue` (the page or the API: filters, page, total and the call
ids shown) or `export_queue` (the CSV: filters and row count).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request

from callqa.result_files import _cell as spreadsheet_safe
from callqa.web import auth, queries
from callqa.web.queries import InputError, QueueFilters

bp = Blueprint("queue", __name__)
PAGE_SIZE = 100
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


def _audit_list(view: str, filters: QueueFilters, page: int, rows: list[dict[str, Any]], total: int) -> None:
    auth.store().audit(auth.actor(), "view_queue", details={
        "view": view, "filters": filters.query_args(), "page": page, "total": total, "rows": len(rows),
        "call_ids": list(dict.fromkeys(row["call_id"] for row in rows))})


@bp.get("/queue")
def index() -> str:
    error = None
    try:
        filters = QueueFilters.from_args(request.args)
    except InputError as exc:
        error, filters = str(exc), QueueFilters()
    page = _page()
    rows, total = queries.queue(auth.store(), filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    _audit_list("page", filters, page, rows, total)
    return render_template("queue.html", rows=rows, total=total, filters=filters, error=error, page=page,
                           pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), options=queries.filter_options(
                               auth.store()), statuses=queries.STATUSES)


def _csv_value(row: dict[str, Any], key: str) -> Any:
    value = row.get(key)
    return value.isoformat() if hasattr(value, "isoformat") else value


@bp.get("/queue.csv", endpoint="csv")
def csv_export() -> Response:
    """The current filtered view, every page; cells a spreadsheet would run as formulas are quoted."""
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
    _audit_list("api", filters, page, rows, total)
    return jsonify(total=total, filters=filters.query_args(),
                   flags=[{key: _csv_value(row, key) for key in CSV_COLUMNS} for row in rows])

