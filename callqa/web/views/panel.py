"""Panel members' pages: their assigned draws, and each draw's (redacted) panel pack.

A panel member sees only the draws assigned to them (panel_assignments); a QA lead sees every
draw. Pack files are served only from inside the pack's folder (send_from_directory joins safely).

Every pack file served is audited: the pack page (and any other non-audio file) as
`view_panel_pack` with the draw, the file and the draw's call ids; a pack recording as `pack_audio`
with its call id, once per session and file (the player's later byte ranges are its seeks).
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, current_app, render_template, send_from_directory
from werkzeug.security import safe_join

from callqa.web import auth, queries, users
from callqa.web.audio import first_in_session
from callqa.web.packs import PackUnavailable, pack_csp, pack_folder

bp = Blueprint("panel", __name__)
PACK_AUDIO = re.compile(r"audio/call-(\d{1,4})\.wav")


def _visible_draw_ids() -> list[int] | None:
    """None means all (a QA lead)."""
    user = auth.current_user()
    assert user is not None  # the policy let only signed-in users through
    return None if user["role"] == "qa_lead" else users.assigned_draw_ids(auth.store(), user["id"])


def _folder(draw_id: int):
    """(pack folder, the draw's call ids in pack order)."""
    visible = _visible_draw_ids()
    if visible is not None and draw_id not in visible:
        abort(403, description="this draw is not assigned to you")
    calls = queries.draw_calls(auth.store(), draw_id)  # None for an id past the database's integers too
    if calls is None:
        abort(404, description="no such draw")
    try:
        return pack_folder(auth.store(), draw_id, current_app.config["CACHE_DIR"], auth.actor()), calls
    except PackUnavailable as exc:
        abort(503, description=str(exc))


def _audit_file(draw_id: int, filename: str, calls: list[str], response: Response) -> None:
    if response.status_code not in (200, 206):
        return
    audio = PACK_AUDIO.fullmatch(filename)
    if audio is None:
        auth.store().audit(auth.actor(), "view_panel_pack", details={
            "draw_id": draw_id, "file": filename, "call_ids": calls})
        return
    if not first_in_session("pack", f"{draw_id}/{filename}"):
        return
    position = int(audio.group(1))
    call_id = calls[position - 1] if 1 <= position <= len(calls) else None
    auth.store().audit(auth.actor(), "pack_audio", call_id, {
        "draw_id": draw_id, "file": filename,
        "bytes": response.headers.get("Content-Range") or f"all {response.content_length}"})


@bp.get("/panel/")
def index() -> str:
    return render_template("panel.html", draws=queries.panel_draws(auth.store(), _visible_draw_ids()))


@bp.get("/panel/<int:draw_id>/")
def pack(draw_id: int) -> Response:
    folder, calls = _folder(draw_id)
    response = send_from_directory(folder, "index.html", mimetype="text/html", max_age=0)
    csp = pack_csp((folder / "index.html").read_text(encoding="utf-8"))
    if csp:
        response.headers["Content-Security-Policy"] = csp
    response.headers["Cache-Control"] = "no-store"
    _audit_file(draw_id, "index.html", calls, response)
    return response


@bp.get("/panel/<int:draw_id>/<path:filename>")
def pack_file(draw_id: int, filename: str) -> Response:
    if safe_join("pack", filename) is None:  # refuse a way out of the folder before building anything
        abort(404)
    folder, calls = _folder(draw_id)
    response = send_from_directory(folder, filename, max_age=0)
    if filename == "index.html":  # the pack page by its own name: the pack's own policy too
        csp = pack_csp((folder / "index.html").read_text(encoding="utf-8"))
        if csp:
            response.headers["Content-Security-Policy"] = csp
    response.headers["Cache-Control"] = "no-store"
    _audit_file(draw_id, filename, calls, response)
    return response
