"""An operator's own feedback: "My feedback" (their calls with findings), one page per call with
its findings in plain English, the QA lead's notes and the recording, and the answer to each
finding (acknowledge, or dispute with a comment).

Who sees what: the role policy (auth.OPERATOR_ENDPOINTS) lets operators reach these pages and
nothing else; each page then keeps an operator to calls of their own handler id
(`auth.sees_handler`), answering 403 for any other call, known or not (so ids cannot be probed).
A QA lead may open the same pages for any handler (`/my/feedback?handler=H`) to see what an
operator sees, but only the operator answers. Every view is audited: the list as `view_feedback`,
a call's page as `view_call` (view: feedback), its recording as the call page's recording
(`calls.audio`, called here, not copied: the same Range handling and once-per-session audit).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from callqa import plain_language
from callqa.web import auth, feedback
from callqa.web.views import calls

bp = Blueprint("operator", __name__)
MAX_CALL_ID = 128  # calls.call_id's width


def _handler_for_list(user: dict[str, Any]) -> str | None:
    """Whose feedback the list shows: an operator's own; for a QA lead, the handler asked for."""
    if user["role"] == "operator":
        return user.get("handler_id") or None
    wanted = (request.args.get("handler") or "").strip()[:255]
    return wanted if wanted and "\x00" not in wanted else None


def _visible_call(call_id: str) -> dict[str, Any]:
    """The call, if this user may see it: 403 for an operator and anyone else's call (or none at
    all), 404 for a QA lead asking for a call that is not there."""
    user = auth.current_user()
    assert user is not None  # the policy let only signed-in users through
    call = (auth.store().call(call_id) if "\x00" not in call_id and len(call_id) <= MAX_CALL_ID else None)
    if call is not None and call["training"]:
        call = None
    if user["role"] != "qa_lead":
        if call is None or not auth.sees_handler(user, call["handler_id"]):
            abort(403)
    elif call is None:
        abort(404, description="no such call")
    return call


@bp.get("/my/feedback", endpoint="feedback")
def feedback_list() -> str:
    user = auth.current_user()
    assert user is not None
    handler_id = _handler_for_list(user)
    rows = feedback.operator_calls(auth.store(), handler_id) if handler_id else []
    auth.store().audit(auth.actor(), "view_feedback", None, {
        "view": "page", "handler_id": handler_id, "calls": len(rows), "call_ids": [r.call_id for r in rows]})
    handlers = auth.store().call_values()["handlers"] if user["role"] == "qa_lead" else []
    return render_template("operator_feedback.html", rows=rows, handler_id=handler_id, handlers=handlers,
                           plain=plain_language)


@bp.get("/my/calls/<call_id>")
def call(call_id: str) -> str:
    found = _visible_call(call_id)
    store = auth.store()
    findings = feedback.call_findings(store, found["handler_id"], call_id)
    store.audit(auth.actor(), "view_call", call_id, {"view": "feedback", "findings": len(findings)})
    user = auth.current_user()
    return render_template("operator_call.html", call=found, findings=findings,
                           evidence=feedback.evidence(store, call_id), notes=feedback.qa_notes(store, call_id),
                           answering=user is not None and user["role"] == "operator", plain=plain_language)


@bp.get("/my/calls/<call_id>/audio")
def audio(call_id: str) -> Response:
    _visible_call(call_id)
    return calls.audio(call_id)


@bp.post("/my/calls/<call_id>/flags/<int:flag_id>/feedback")
def respond(call_id: str, flag_id: int) -> Response:
    found = _visible_call(call_id)
    user = auth.current_user()
    if user is None or user["role"] != "operator":
        abort(403, description="only the operator who took the call answers its findings")
    try:
        message = feedback.answer(auth.store(), found["handler_id"], call_id, flag_id,
                                  request.form.get("response", ""), request.form.get("comment", ""), auth.actor())
    except feedback.FeedbackError as exc:
        flash(str(exc), "error")
    else:
        flash(message, "ok")
    return redirect(url_for("operator.call", call_id=call_id, _anchor=f"finding-{flag_id}"))
