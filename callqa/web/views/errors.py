"""Error answers: a plain page for people, JSON for the API, the audio element and CSV downloads.

Descriptions are the app's own words (never an exception's text with server paths in it).
"""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template
from werkzeug.exceptions import HTTPException

from callqa.web import auth


def http_error(exc: HTTPException) -> Response | tuple[str, int]:
    status = exc.code or 500
    description = exc.description if status < 500 or status == 503 else "something went wrong"
    if auth.wants_machine_answer():
        response = jsonify(error=description)
        response.status_code = status
        return response
    return render_template("error.html", status=status, name=exc.name, description=description), status


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, http_error)
