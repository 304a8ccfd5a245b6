"""The nightly runs: each run's summary (counts, audio hours, speed, answer times) and its errors."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from pipeline.web import auth

bp = Blueprint("runs", __name__)


@bp.get("/runs")
def index() -> str:
    try:
        limit = min(max(int(request.args.get("limit", "20")), 1), 200)
    except ValueError:
        limit = 20
    store = auth.store()
    runs = store.runs(limit)
    errors = {run["id"]: store.run_errors(run["id"]) for run in runs}
    return render_template("runs.html", runs=runs, errors=errors, limit=limit)
