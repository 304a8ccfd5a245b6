"""The Flask application factory: store, secret key, instance folder, security policy, blueprints.

Everything a request needs is set up here once, so a test, `callqa web` and a WSGI server all get
the same app with the same security settings.
"""

from __future__ import annotations

import math
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from callqa.pipeline.errors import CallQAError
from callqa.store import Store

SECRET_ENV = "CALLQA_SECRET_KEY"
INSTANCE_ENV = "CALLQA_INSTANCE"
DEFAULT_INSTANCE = "callqa-instance"
SECRET_FILE = "secret_key"
# How many reverse proxies in front of the app append to X-Forwarded-For (0: none, use the peer's address).
TRUSTED_PROXIES_ENV = "CALLQA_TRUSTED_PROXIES"
IDLE_HOURS_ENV = "CALLQA_SESSION_IDLE_HOURS"   # a session unused this long ends (default 8)
MAX_HOURS_ENV = "CALLQA_SESSION_MAX_HOURS"     # a session ends this long after sign-in, used or not (default 12)


def _env_number(name: str, default: float, whole: bool = False) -> float:
    """A number from the environment: a whole number 0-100 (`whole`) or hours above 0, at most a year;
    CallQAError naming the variable when it is not one."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        value = None
    if whole and (value is None or not 0 <= value <= 100):
        raise CallQAError(f"{name}={raw!r}: use a whole number, 0 or more")
    if not whole and (value is None or not math.isfinite(value) or not 0 < value <= 24 * 366):
        raise CallQAError(f"{name}={raw!r}: use a number of hours above 0 (at most a year)")
    return value


def load_secret_key(instance: Path) -> str:
    """$CALLQA_SECRET_KEY, else a random key generated once into the instance folder (mode 0600).

    A key kept on disk survives restarts, so signing in again is not needed after each one; it is
    created with O_EXCL so two processes starting together cannot write different keys."""
    from_env = os.environ.get(SECRET_ENV)
    if from_env:
        return from_env
    path = instance / SECRET_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()


def create_app(db_url: str | None = None, secret_key: str | None = None,
               instance_dir: str | Path | None = None, trusted_proxies: int | None = None) -> Flask:
    """The review app over the store at `db_url` (else $CALLQA_DB, else callqa.db).

    `instance_dir` (else $CALLQA_INSTANCE, else ./callqa-instance) holds the secret key and the
    caches (browser-playable audio, built panel packs); it is created with mode 0700.
    `trusted_proxies` (else $CALLQA_TRUSTED_PROXIES, else 0): how many proxies in front append the
    client's address to X-Forwarded-For; with 0 the header is ignored (anyone could write it)."""
    if trusted_proxies is None:
        trusted_proxies = int(_env_number(TRUSTED_PROXIES_ENV, 0, whole=True))
    elif trusted_proxies < 0:
        raise CallQAError(f"trusted_proxies={trusted_proxies}: use 0 or more")
    idle = timedelta(hours=_env_number(IDLE_HOURS_ENV, 8))
    absolute = timedelta(hours=_env_number(MAX_HOURS_ENV, 12))
    # The app opens an existing store at the newest migration, before it makes its instance folder;
    # it never creates or migrates one (a typo in --db is "no store at ...", not an empty queue).
    store = Store.open(db_url)
    instance = Path(instance_dir or os.environ.get(INSTANCE_ENV) or DEFAULT_INSTANCE).resolve()
    instance.mkdir(parents=True, exist_ok=True, mode=0o700)
    app = Flask(__name__, instance_path=str(instance), static_folder="static", template_folder="templates")
    app.config.update(
        SECRET_KEY=secret_key or load_secret_key(instance),
        SESSION_COOKIE_NAME="callqa_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # Behind HTTPS (a reverse proxy) set CALLQA_SECURE_COOKIES=1 so the cookie never travels in clear.
        SESSION_COOKIE_SECURE=os.environ.get("CALLQA_SECURE_COOKIES", "") not in ("", "0"),
        # Idle limit: the signed cookie is re-issued with each answer and refused once older than this.
        PERMANENT_SESSION_LIFETIME=idle,
        # Absolute limit, from the sign-in time kept in the session (auth.current_user checks it).
        SESSION_ABSOLUTE_LIFETIME=absolute,
        TRUSTED_PROXIES=trusted_proxies,
        MAX_CONTENT_LENGTH=64 * 1024,  # forms only: nothing is uploaded
        CACHE_DIR=instance / "cache",
    )
    if trusted_proxies:
        # request.remote_addr becomes the address the nearest trusted proxy saw (the header's last
        # `trusted_proxies` entries are the proxies' own; what a client wrote before them is ignored).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted_proxies, x_proto=0, x_host=0, x_port=0, x_prefix=0)
    app.extensions["callqa.store"] = store

    from callqa.web import auth, security
    from callqa.web.views import account, calibration, calls, disputes, operator, panel, queue, runs, trends

    auth.init_app(app)
    security.init_app(app)
    for blueprint in (account.bp, queue.bp, calls.bp, trends.bp, runs.bp, panel.bp, calibration.bp, operator.bp,
                      disputes.bp):
        app.register_blueprint(blueprint)
    from callqa.web import formatting
    from callqa.web.views import errors

    formatting.init_app(app)
    errors.init_app(app)
    return app
