"""A flagged call: audio, timeline, transcript, indicators with evidence, and the flag decisions.

Every view of a call (the page, its audio, its transcript through the API) is written to the audit
log as `view_call`. The audio is audited once per session and call, at the first byte range served,
whatever the range (the player's later ranges are its seeks). The audio is found by call_id in the
store; no request value ever becomes a file path.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask import send_file, session
from markupsafe import Markup

from callqa import plain_language
from callqa.pipeline.rules import INDICATORS
from callqa.timeline_svg import timeline_svg
from callqa.web import auth, queries
from callqa.web.audio import AudioUnavailable, first_in_session, playable_wav
from callqa.web.evidence_marks import evidence_marks

bp = Blueprint("calls", __name__)
SPEAKERS = {"handler": "Handler", "caller": "Caller", "unknown": "Speaker"}
# Session key: the outcome of the last decision form, shown on that flag's own card (not at the top
# of the page, where it was off-screen once the browser had scrolled to the card).
CARD_NOTICE = "flag_notice"


def _call_or_404(call_id: str) -> dict:
    call = queries.call_row(auth.store(), call_id) if "\x00" not in call_id else None
    if call is None or call["training"]:
        abort(404, description="no such call")
    return call


@bp.get("/calls/<call_id>")
def show(call_id: str) -> str:
    call = _call_or_404(call_id)
    result = auth.store().call_result(call_id)
    if result is None:
        abort(404, description="this call has no stored result (not analysed yet, or its analysis failed)")
    auth.store().audit(auth.actor(), "view_call", call_id, {"view": "page"})
    indicators = sorted(result["indicators"].items(), key=lambda kv: (
        {"fail": 0, "pass": 1}.get(kv[1]["status"], 2), list(INDICATORS).index(kv[0]) if kv[0] in INDICATORS else 99))
    flags = queries.current_flags(auth.store(), call_id)
    # timeline_svg escapes every piece of text it draws (transcript words never reach it): safe to embed.
    timeline = Markup(timeline_svg(result, flags=flags))
    notice = session.pop(CARD_NOTICE, None)
    if not isinstance(notice, dict) or notice.get("call_id") != call_id:
        notice = None
    return render_template("call.html", call=call, result=result, flags=flags, indicators=indicators,
                           timeline=timeline, speakers=SPEAKERS, plain=plain_language, notice=notice,
                           marks=evidence_marks(result, flags),
                           next_open=queries.next_open_flags(auth.store(), call_id, flags))


@bp.get("/calls/<call_id>/audio")
def audio(call_id: str) -> Response:
    call = _call_or_404(call_id)
    try:
        path = playable_wav(call["audio_path"], current_app.config["CACHE_DIR"] / "audio")
    except AudioUnavailable as exc:
        abort(404, description=str(exc))
    # werkzeug parses the Range header (parse_range_header, as request.range): a malformed range or
    # one past the end raises 416 in send_file, so nothing is served and nothing audited. Whatever
    # range is served first in this session (bytes=0-, bytes=00-, bytes=1-, a suffix) is audited.
    response = send_file(path, mimetype="audio/wav", conditional=True, etag=True, max_age=0,
                         download_name=f"{call_id}.wav")
    response.headers["Cache-Control"] = "no-store"
    if response.status_code in (200, 206) and first_in_session("call", call_id):
        auth.store().audit(auth.actor(), "view_call", call_id, {
            "view": "audio", "bytes": response.headers.get("Content-Range") or f"all {response.content_length}"})
    return response


@bp.get("/api/calls/<call_id>/transcript")
def transcript(call_id: str) -> Response:
    _call_or_404(call_id)
    result = auth.store().call_result(call_id)
    if result is None:
        abort(404, description="no stored result")
    auth.store().audit(auth.actor(), "view_call", call_id, {"view": "transcript"})
    return jsonify(call_id=call_id, duration_s=result["duration_s"], transcript=[
        {"speaker": seg["speaker"], "start_s": seg["start_s"], "end_s": seg["end_s"], "text": seg["text"]}
        for seg in result["transcript"]])


@bp.post("/calls/<call_id>/flags/<int:flag_id>/decision")
def decide(call_id: str, flag_id: int) -> Response:
    _call_or_404(call_id)
    decision = request.form.get("decision", "")
    reason, note = request.form.get("reason", ""), request.form.get("note", "")
    try:
        queries.record_decision(auth.store(), call_id, flag_id, decision, reason, note, auth.actor())
    except queries.InputError as exc:
        # Shown on the flag's own card, with what was typed kept (cut, so the cookie stays small).
        session[CARD_NOTICE] = {"call_id": call_id, "flag_id": flag_id, "kind": "error", "message": str(exc),
                                "reason": reason[:500], "note": note[:500]}
    else:
        done = {"confirm": "Flag confirmed.", "dismiss": "Flag dismissed.", "note": "Note added."}[decision]
        session[CARD_NOTICE] = {"call_id": call_id, "flag_id": flag_id, "kind": "ok", "message": done}
    return redirect(url_for("calls.show", call_id=call_id, _anchor=f"flag-{flag_id}"))
