"""Who may see what: sessions, the role policy applied to every request, and the login rate limit.

The policy is default-deny in one place: every endpoint needs a signed-in, active user; only the
endpoints in PANEL_ENDPOINTS are open to panel members, everything else needs a QA lead. A view
added later is therefore closed to panel members and to nobody-signed-in until listed here.

The role is read from the store on each request (never trusted from the cookie), so disabling a
user or changing a role takes effect at once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask, Response, abort, current_app, g, jsonify, redirect, request, session, url_for
from sqlalchemy import select

from pipeline.store import Store
from pipeline.store import schema as t
from pipeline.store.store import now
from pipeline.web import users

PUBLIC_ENDPOINTS = {"static", "account.login"}
PANEL_ENDPOINTS = {"account.home", "account.logout", "panel.index", "panel.pack", "panel.pack_file"}
# Endpoints a script or the audio element calls: refused with 401, not sent to the login page.
MACHINE_ENDPOINTS = {"calls.audio", "queue.csv"}

# Login rate limit, kept in the store's audit log (so it holds across restarts and processes).
FAIL_WINDOW = timedelta(minutes=15)
FAILS_PER_USER_AND_IP = 5
FAILS_PER_IP = 30


def store() -> Store:
    return current_app.extensions["callqa.store"]


def current_user() -> dict[str, Any] | None:
    if "user" not in g:
        g.user = None
        uid = session.get("uid")
        if isinstance(uid, int):
            user = users.get_user(store(), uid)
            if user and user["active"] and session.get("epoch") == user["session_epoch"]:
                g.user = user
            else:  # disabled, deleted, signed out or password changed since signing in
                session.clear()
    return g.user


def actor() -> str:
    user = current_user()
    return user["username"] if user else "anonymous"


def login_user(user: dict[str, Any]) -> None:
    """A fresh session (new CSRF token, nothing carried over from before sign-in: no fixation)."""
    session.clear()
    session.permanent = True
    session["uid"] = user["id"]
    session["epoch"] = user["session_epoch"]
    g.user = user


def logout_user() -> None:
    user = current_user()
    if user is not None:
        users.end_sessions(store(), user["id"])
    session.clear()
    g.user = None


def wants_machine_answer() -> bool:
    return request.path.startswith("/api/") or request.endpoint in MACHINE_ENDPOINTS


def _refuse_anonymous() -> Response:
    if wants_machine_answer() or request.method not in ("GET", "HEAD"):
        response = jsonify(error="sign in first")
        response.status_code = 401
        return response
    return redirect(url_for("account.login", next=request.full_path.rstrip("?")))


def enforce_policy() -> Response | None:
    """before_request: sign-in, then role. Unknown URLs from nobody are refused too (no route probing)."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    user = current_user()
    if user is None:
        return _refuse_anonymous()
    if user["role"] == "qa_lead" or request.endpoint in PANEL_ENDPOINTS or request.endpoint is None:
        return None
    abort(403)


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never `//host` or a scheme (no open redirect after sign-in)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def recent_failures(username: str, ip: str) -> tuple[int, int]:
    """(failures for this user name from this address, failures from this address) in the window."""
    with store().engine.connect() as conn:
        rows = conn.execute(select(t.audit_log.c.actor, t.audit_log.c.details).where(
            t.audit_log.c.action == "login_failed", t.audit_log.c.at >= now() - FAIL_WINDOW)).all()
    from_ip = [r for r in rows if (r.details or {}).get("ip") == ip]
    return sum(r.actor == username for r in from_ip), len(from_ip)


def rate_limited(username: str, ip: str) -> bool:
    by_user, by_ip = recent_failures(username, ip)
    return by_user >= FAILS_PER_USER_AND_IP or by_ip >= FAILS_PER_IP


def attempt_login(username: str, password: str) -> tuple[dict[str, Any] | None, bool]:
    """(user, limited): limited means too many recent failures, and the password was not even checked."""
    key = username.strip().lower()[:128] or "-"
    ip = request.remote_addr or "-"
    if rate_limited(key, ip):
        return None, True
    user = users.check_password(store(), username.strip(), password)
    if user is None:
        store().audit(key, "login_failed", details={"ip": ip})
        return None, False
    store().audit(user["username"], "login", details={"ip": ip})
    return user, False


def init_app(app: Flask) -> None:
    app.before_request(enforce_policy)
    app.jinja_env.globals["current_user"] = current_user
