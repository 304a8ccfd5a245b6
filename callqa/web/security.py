"""Response headers and CSRF protection: the parts of the security policy every response shares.

The pages load nothing from elsewhere and run no inline script, so the Content-Security-Policy can
forbid both; transcript text is caller speech (attacker-controlled in principle), and the policy is
the second line of defence behind Jinja's escaping. Every POST carries the session's CSRF token.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Flask, Response, abort, request, session

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
       "object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def csrf_token() -> str:
    """The session's token, made on first use (the login form gets one before anyone signs in)."""
    token = session.get(CSRF_FIELD)
    if not token:
        token = session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    """Refuse (400) a state-changing request whose token is missing or is not this session's."""
    if request.method not in UNSAFE_METHODS:
        return
    expected = session.get(CSRF_FIELD)
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not expected or not hmac.compare_digest(str(sent), str(expected)):
        abort(400, description="missing or invalid CSRF token: reload the page and try again")


def security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.endpoint != "static":
        # Pages hold personal data: no copy in shared or browser caches.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """Register after `auth.init_app`: a request from nobody is refused as such (401) before its token is checked."""
    app.before_request(check_csrf)
    app.after_request(security_headers)
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["CSRF_FIELD"] = CSRF_FIELD
