"""The Flask application factory: store, secret key, instance folder, security policy, blueprints.

Everything a request needs is set up here once, so a test, `callqa web` and a WSGI server all get
the same app with the same security settings.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask

from pipeline.store import Store

SECRET_ENV = "CALLQA_SECRET_KEY"
INSTANCE_ENV = "CALLQA_INSTANCE"
DEFAULT_INSTANCE = "callqa-instance"
SECRET_FILE = "secret_key"


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
               instance_dir: str | Path | None = None) -> Flask:
    """The review app over the store at `db_url` (else $CALLQA_DB, else callqa.db).

    `instance_dir` (else $CALLQA_INSTANCE, else ./callqa-instance) holds the secret key and the
    caches (browser-playable audio, built panel packs); it is created with mode 0700."""
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
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        MAX_CONTENT_LENGTH=64 * 1024,  # forms only: nothing is uploaded
        CACHE_DIR=instance / "cache",
    )
    app.extensions["callqa.store"] = Store(db_url)

    from pipeline.web import auth, security
    from pipeline.web.views import account, calibration, calls, panel, queue, runs, trends

    auth.init_app(app)
    security.init_app(app)
    for blueprint in (account.bp, queue.bp, calls.bp, trends.bp, runs.bp, panel.bp, calibration.bp):
        app.register_blueprint(blueprint)
    from pipeline.web import formatting
    from pipeline.web.views import errors

    formatting.init_app(app)
    errors.init_app(app)
    return app
