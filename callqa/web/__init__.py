"""The review web app for QA leads (issue 7): the night's flags, the evidence, decisions, trends.

Server-rendered Flask pages over the results store; see docs/review-app.md. `create_app` is the
factory; `callqa web` serves it.
"""

from __future__ import annotations

from callqa.web.app import create_app

__all__ = ["create_app"]
