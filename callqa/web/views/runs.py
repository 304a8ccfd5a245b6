"""The nightly runs: each run's summary (counts, audio hours, speed, answer times) and its errors.

Each view is one `view_runs` audit row: the runs shown and the call ids named in their errors.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from callqa.web import auth, queries

bp = Blueprint("runs", __name__)


@bp.get("/runs")
def index() -> str:
    limit = min(queries.positive_int(request.args.get("limit"), default=20) or 20, 200)
    store = auth.store()
    runs = store.runs(limit)
    errors = {run["id"]: store.run_errors(run["id"]) for run in runs}
    store.audit(auth.actor(), "view_runs", details={
        "limit": limit, "runs": [run["id"] for run in runs], "errors": sum(len(e) for e in errors.values()),
        "call_ids": list(dict.fromkeys(e["call_id"] for es in errors.values() for e in es if e.get("call_id")))})
    return render_template("runs.html", runs=runs, errors=errors, limit=limit)
