"""Panel members' pages: their assigned draws, and each draw's (redacted) panel pack.

A panel member sees only the draws assigned to them (panel_assignments); a QA lead sees every
draw. Pack files are served only from inside the pack's folder (send_from_directory joins safely).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, send_from_directory
from werkzeug.security import safe_join

from pipeline.web import auth, queries, users
from pipeline.web.packs import PackUnavailable, pack_csp, pack_folder

bp = Blueprint("panel", __name__)


def _visible_draw_ids() -> list[int] | None:
    """None means all (a QA lead)."""
    user = auth.current_user()
    assert user is not None  # the policy let only signed-in users through
    return None if user["role"] == "qa_lead" else users.assigned_draw_ids(auth.store(), user["id"])


def _folder(draw_id: int):
    visible = _visible_draw_ids()
    if visible is not None and draw_id not in visible:
        abort(403, description="this draw is not assigned to you")
    if not queries.panel_draws(auth.store(), [draw_id]):
        abort(404, description="no such draw")
    try:
        return pack_folder(auth.store(), draw_id, current_app.config["CACHE_DIR"], auth.actor())
    except PackUnavailable as exc:
        abort(503, description=str(exc))


@bp.get("/panel/")
def index() -> str:
    return render_template("panel.html", draws=queries.panel_draws(auth.store(), _visible_draw_ids()))


@bp.get("/panel/<int:draw_id>/")
def pack(draw_id: int) -> Response:
    folder = _folder(draw_id)
    auth.store().audit(auth.actor(), "view_panel_pack", details={"draw_id": draw_id})
    response = send_from_directory(folder, "index.html", mimetype="text/html", max_age=0)
    csp = pack_csp((folder / "index.html").read_text(encoding="utf-8"))
    if csp:
        response.headers["Content-Security-Policy"] = csp
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/panel/<int:draw_id>/<path:filename>")
def pack_file(draw_id: int, filename: str) -> Response:
    if safe_join("pack", filename) is None:  # refuse a way out of the folder before building anything
        abort(404)
    response = send_from_directory(_folder(draw_id), filename, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
