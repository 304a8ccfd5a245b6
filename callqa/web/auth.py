"""Who may see what: sessions, the role policy applied to every request, and the login rate limit.

The policy is default-deny in one place: every endpoint needs a signed-in, active user; only the
endpoints in PANEL_ENDPOINTS are open to panel members, only those in OPERATOR_ENDPOINTS to
operators, everything else needs a QA lead. A view added later is therefore closed to panel
members, operators and nobody-signed-in until listed here. Inside the operator pages,
`sees_handler` keeps each operator to the calls of their own handler id.

The role is read from the store on each request (never trusted from the cookie), so disabling a
user or changing a role takes effect at once. A session also ends SESSION_ABSOLUTE_LIFETIME after
sign-in however busy it is (the cookie's own limit, PERMANENT_SESSION_LIFETIME, is an idle limit:
each answer re-issues it).

Sign-in attempts are limited per (user name, address) and per address. The attempt is written to
the audit log as a failure *before* the password is checked, in one transaction with the count
(serialised by a lock for this process's threads and by the database for other processes), so a
burst of concurrent attempts cannot all pass the check; a right password turns the row into a
sign-in.
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from datetime import timedelta
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from flask import Flask, Response, abort, current_app, g, jsonify, redirect, request, session, url_for
from callqa.store import Store
from callqa.web import users

PUBLIC_ENDPOINTS = {"static", "account.login"}
PANEL_ENDPOINTS = {"account.home", "account.logout", "panel.index", "panel.pack", "panel.pack_file"}
# An operator's own feedback pages (each call checked with `sees_handler`), and nothing else.
OPERATOR_ENDPOINTS = {"account.home", "account.logout", "operator.feedback", "operator.call", "operator.audio",
                      "operator.respond"}
# The endpoints each role other than qa_lead may use; a role not listed here may use none.
ROLE_ENDPOINTS = {"panel_member": PANEL_ENDPOINTS, "operator": OPERATOR_ENDPOINTS}
# Endpoints a script or the audio element calls: refused with 401, not sent to the login page.
MACHINE_ENDPOINTS = {"calls.audio", "queue.csv", "operator.audio", "trends.operators_csv", "trends.teams_csv",
                     "trends.operator_csv", "trends.team_csv"}

# Login rate limit, kept in the store's audit log (so it holds across restarts and processes).
# Defaults of the app's LOGIN_FAIL_WINDOW, LOGIN_FAILS_PER_USER_AND_IP and LOGIN_FAILS_PER_IP.
FAIL_WINDOW = timedelta(minutes=15)
FAILS_PER_USER_AND_IP = 5
FAILS_PER_IP = 30
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=12)
SIGNED_IN_AT = "signed_in_at"       # session key: when this session signed in (clock() seconds)
CLOCK_SKEW_S = 300                  # a sign-in time this far ahead of the clock is still believed
MAX_NEXT = 2048                     # a longer `next` is dropped (the page after sign-in is then home)
LOCK = "callqa.login_lock"

clock = time.time  # the sessions' clock (tests move it)


def store() -> Store:
    return current_app.extensions["callqa.store"]


def current_user() -> dict[str, Any] | None:
    if "user" not in g:
        g.user = None
        uid = session.get("uid")
        if isinstance(uid, int):
            user = users.get_user(store(), uid)
            if user and user["active"] and session.get("epoch") == user["session_epoch"] and _still_young():
                g.user = user
            else:  # disabled, deleted, signed out, password changed or too long since signing in
                session.clear()
    return g.user


def _still_young() -> bool:
    """Signed in less than SESSION_ABSOLUTE_LIFETIME ago (a session without a sign-in time is not)."""
    started = session.get(SIGNED_IN_AT)
    if not isinstance(started, (int, float)) or isinstance(started, bool):
        return False
    age = clock() - started
    return -CLOCK_SKEW_S <= age <= current_app.config["SESSION_ABSOLUTE_LIFETIME"].total_seconds()


def actor() -> str:
    user = current_user()
    return user["username"] if user else "anonymous"


def login_user(user: dict[str, Any]) -> None:
    """A fresh session (new CSRF token, nothing carried over from before sign-in: no fixation)."""
    session.clear()
    session.permanent = True
    session["uid"] = user["id"]
    session["epoch"] = user["session_epoch"]
    session[SIGNED_IN_AT] = int(clock())
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
    here = _this_url()
    return redirect(url_for("account.login", next=here) if here else url_for("account.login"))


def _this_url() -> str | None:
    """This request's path and query, percent-encoded (so `safe_next` takes it back), or None if too long."""
    url = quote(request.path, safe="/!$&'()*+,;=:@-._~")
    if request.query_string:
        url += "?" + quote(request.query_string, safe="/?!$&'()*+,;=:@-._~%")
    return url if len(url) <= MAX_NEXT else None


def enforce_policy() -> Response | None:
    """before_request: sign-in, then role. Unknown URLs from nobody are refused too (no route probing)."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    user = current_user()
    if user is None:
        return _refuse_anonymous()
    if user["role"] == "qa_lead" or request.endpoint is None:
        return None
    if request.endpoint in ROLE_ENDPOINTS.get(user["role"], ()):
        return None
    abort(403)


def sees_handler(user: dict[str, Any], handler_id: str) -> bool:
    """Whether this user may see the calls of `handler_id`: a QA lead any; an operator only the
    handler id their account is linked to (an operator without one sees none); nobody else."""
    if user["role"] == "qa_lead":
        return True
    own = user.get("handler_id")
    return user["role"] == "operator" and bool(own) and own == handler_id


def _odd_character(c: str) -> bool:
    """Whitespace, control, format (bidi, zero-width) or unassigned: browsers and URL parsers drop or
    reinterpret these (a TAB in `/<TAB>/host` is removed, leaving `//host`)."""
    return c.isspace() or unicodedata.category(c)[0] in "CZ"


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: no open redirect after sign-in.

    Refused: any whitespace or control character anywhere, a backslash, anything not starting with
    exactly one `/` (so no `//host`, `/\\host` or `scheme:`), anything `urlsplit` finds a scheme or
    host in, a path that decodes to `//` (for a proxy that decodes), and anything over MAX_NEXT."""
    if not target or len(target) > MAX_NEXT or "\\" in target or any(_odd_character(c) for c in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or unquote(parts.path).startswith(("//", "/\\")):
        return None
    return target


def _name_key(username: str) -> str:
    """The typed user name as the limit counts it: case folded, characters no name can have replaced."""
    return re.sub(r"[^a-z0-9._@-]", "?", username.lower())[:128] or "-"


def _address() -> str:
    """The client's address: REMOTE_ADDR, or with TRUSTED_PROXIES set what the proxy says (ProxyFix)."""
    return re.sub(r"[^0-9A-Za-z.:_-]", "?", request.remote_addr or "-")[:64]


def reserve_attempt(key: str, ip: str) -> int | None:
    """Record this attempt as a failure unless a limit is reached: the audit row's id, else None.

    Count and insert are one transaction, taken in turn: by this app's lock among its threads
    (waitress serves from threads of one process), and by the database among processes (the
    store's write lock: see `Store.reserve_login_attempt`). Both limits are counted per address:
    the name's (LOGIN_FAILS_PER_USER_AND_IP) and, above it, the address's (LOGIN_FAILS_PER_IP),
    which caps what one address may try over many names."""
    config = current_app.config
    with current_app.extensions[LOCK]:
        return store().reserve_login_attempt(key, ip, config["LOGIN_FAIL_WINDOW"],
                                             config["LOGIN_FAILS_PER_USER_AND_IP"], config["LOGIN_FAILS_PER_IP"])


def attempt_login(username: str, password: str) -> tuple[dict[str, Any] | None, bool]:
    """(user, limited): limited means too many recent failures, and the password was not even checked."""
    name = username.strip()
    ip = _address()
    row_id = reserve_attempt(_name_key(name), ip)
    if row_id is None:
        return None, True
    user = users.check_password(store(), name, password)
    if user is None:
        return None, False  # the reserved row stays: a failure
    store().record_login(row_id, user["username"])
    return user, False


def init_app(app: Flask) -> None:
    defaults = {"LOGIN_FAIL_WINDOW": FAIL_WINDOW, "LOGIN_FAILS_PER_USER_AND_IP": FAILS_PER_USER_AND_IP,
                "LOGIN_FAILS_PER_IP": FAILS_PER_IP, "SESSION_ABSOLUTE_LIFETIME": SESSION_ABSOLUTE_LIFETIME}
    for name, default in defaults.items():
        app.config.setdefault(name, default)
    app.extensions[LOCK] = threading.Lock()
    app.before_request(enforce_policy)
    app.jinja_env.globals["current_user"] = current_user
