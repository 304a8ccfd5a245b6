"""Sign in and out, and the home page that sends each role to its own start page."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from callqa.web import auth, users

bp = Blueprint("account", __name__)


START_PAGES = {"qa_lead": "queue.index", "operator": "operator.feedback", "panel_member": "panel.index"}


@bp.get("/")
def home() -> Response:
    """Each role's own start page (a role without one gets the panel list, which refuses it)."""
    user = auth.current_user()
    return redirect(url_for(START_PAGES.get(user["role"] if user else "", "panel.index")))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | str:
    next_url = auth.safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("login.html", next_url=next_url, error=None)
    username = request.form.get("username", "")[:200]
    user, limited = auth.attempt_login(username, request.form.get("password", "")[:users.MAX_PASSWORD])
    if limited:
        minutes = max(1, round(current_app.config["LOGIN_FAIL_WINDOW"].total_seconds() / 60))
        return render_template("login.html", next_url=next_url, username=username,
                               error=f"Too many failed attempts: wait {minutes} minutes and try again."), 429
    if user is None:
        return render_template("login.html", next_url=next_url, username=username,
                               error="Unknown user name or wrong password."), 401
    auth.login_user(user)
    if user["role"] != "qa_lead":
        next_url = None  # a panel member's or operator's start page, never a QA link
    return redirect(next_url or url_for("account.home"))


@bp.post("/logout")
def logout() -> Response:
    auth.logout_user()
    return redirect(url_for("account.login"))
