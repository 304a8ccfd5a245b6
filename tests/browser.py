"""Headless Debian Chromium driven by Playwright, shared by the panel-pack and web-app tests.

Chromium's own background traffic (updates, safe browsing, sync) is switched off so that any
request a test sees was made by the page itself.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
    "--autoplay-policy=no-user-gesture-required", "--mute-audio",
]


def chromium_path() -> str | None:
    """$CALLQA_CHROMIUM, else Debian's /usr/bin/chromium (installed by .ci/run)."""
    for candidate in (os.environ.get("CALLQA_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def launch(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)


@contextmanager
def watched_page(browser: Any) -> Iterator[tuple[Any, dict[str, list]]]:
    """A page in a fresh browser context whose every request, dialog and console message is
    recorded; on leaving, it checks that the page talked to 127.0.0.1 only, broke no
    Content-Security-Policy rule and opened no dialog."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    seen: dict[str, list] = {"requests": [], "dialogs": [], "console": []}
    context.on("request", lambda request: seen["requests"].append(request.url))
    page = context.new_page()
    page.on("dialog", lambda dialog: (seen["dialogs"].append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: seen["console"].append(message.text))
    page.set_default_timeout(15000)
    yield page, seen
    context.close()
    hosts = {urlsplit(url).hostname for url in seen["requests"] if urlsplit(url).scheme in ("http", "https", "ws")}
    assert hosts <= {"127.0.0.1"}, hosts
    assert not [m for m in seen["console"] if "Content Security Policy" in m], seen["console"]
    assert seen["dialogs"] == []
