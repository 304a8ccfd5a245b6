"""Headless Debian Chromium driven by Playwright, shared by the panel-pack and web-app tests.

Chromium's own background traffic (updates, safe browsing, sync) is switched off so that any
request a test sees was made by the page itself.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

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
