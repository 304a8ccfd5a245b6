"""Screenshots of the review app for the docs: docs/screenshots/review-queue.png and review-call.png.

Fills a temporary store by running the nightly batch over sample_audio/ (`callqa run`), adds a QA
lead, serves the app on 127.0.0.1 and captures the flag queue and a flagged call (with the player
moved to the flag) in headless Chromium (Debian's /usr/bin/chromium, or $CALLQA_CHROMIUM).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--call vulnerable_ignored]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "screenshot-password-1"
VIEWPORT = {"width": 1280, "height": 900}


def fill_store(folder: Path) -> str:
    db = folder / "store.db"
    env = {**os.environ, "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_HOME": str(folder / "prefect"), "PREFECT_LOGGING_LEVEL": "WARNING"}
    subprocess.run([sys.executable, "-m", "callqa.cli", "run", str(ROOT / "sample_audio"), "--db", str(db),
                    "--report-dir", ""], cwd=folder, env=env, check=True)
    return f"sqlite:///{db}"


def capture(base: str, out: Path, call_id: str) -> None:
    from playwright.sync_api import sync_playwright

    from tests.browser import launch

    with sync_playwright() as pw:
        browser = launch(pw)
        page = browser.new_page(viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/London")
        page.goto(f"{base}/login")
        page.fill("#username", "qa.lead")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/queue")
        page.screenshot(path=str(out / "review-queue.png"))
        page.goto(f"{base}/calls/{call_id}")
        page.wait_for_function("document.getElementById('player').readyState >= 1")
        # a pin, not the legend's swatch; its label overlaps the circle, and the click reaches the pin either way
        page.locator("svg g.flag[data-start] circle").first.click(force=True)
        page.wait_for_function("document.getElementById('player').currentTime > 0")
        page.evaluate("document.getElementById('player').pause()")
        page.screenshot(path=str(out / "review-call.png"))
        browser.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--call", default="vulnerable_ignored", help="the flagged call to show")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from werkzeug.serving import make_server

    from callqa.store import Store
    from callqa.web import create_app
    from callqa.web.users import add_user

    with tempfile.TemporaryDirectory(prefix="callqa-screenshots-") as tmp:
        folder = Path(tmp)
        url = fill_store(folder)
        add_user(Store(url), "qa.lead", PASSWORD, "qa_lead")
        app = create_app(url, instance_dir=folder / "instance")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            capture(f"http://127.0.0.1:{server.server_port}", out, args.call)
        finally:
            server.shutdown()
            server.server_close()
    print(f"wrote {out / 'review-queue.png'} and {out / 'review-call.png'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
