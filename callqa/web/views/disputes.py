"""The QA lead's Disputes page: findings operators disputed, each resolved upheld or overturned
with a note (overturned dismisses the flag; see callqa/web/feedback.py). QA leads only (the role
policy's default); the list is audited as `view_disputes` with the calls it names.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from callqa import plain_language
from callqa.web import auth, feedback

bp = Blueprint("disputes", __name__)


@bp.get("/disputes")
def index() -> str:
    status = request.args.get("status") or "open"
    try:
        rows = feedback.disputes(auth.store(), status)
    except feedback.FeedbackError as exc:
        abort(400, description=str(exc))
    auth.store().audit(auth.actor(), "view_disputes", None, {
        "status": status, "rows": len(rows), "call_ids": list(dict.fromkeys(r.response.call_id for r in rows))})
    return render_template("disputes.html", rows=rows, status=status, statuses=feedback.DISPUTE_STATUSES,
                           plain=plain_language)


@bp.post("/disputes/<int:flag_id>/resolve")
def resolve(flag_id: int) -> Response:
    try:
        message = feedback.resolve(auth.store(), flag_id, request.form.get("resolution", ""),
                                   request.form.get("note", ""), auth.actor())
    except feedback.FeedbackError as exc:
        flash(str(exc), "error")
    else:
        flash(message, "ok")
    return redirect(url_for("disputes.index"))
