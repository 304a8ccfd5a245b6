"""Make docs/screenshots/panel-pack*.png: a redacted panel pack built from the sample calls.

    .venv/bin/python scripts/pack_screenshot.py

Runs the nightly batch over sample_audio/ into a temporary store, draws a sample, builds the pack
and photographs it in headless Chromium: once as the member first sees it (scores hidden), once
after answering and revealing the automated scores.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from callqa.panel.pack import build_pack  # noqa: E402
from callqa.panel.questionnaire import load_questionnaire  # noqa: E402
from callqa.panel.sampling import SampleFilters, sample  # noqa: E402
from callqa.store import Store  # noqa: E402
from tests.browser import launch  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/callqa.db"
        subprocess.run([sys.executable, "-m", "callqa.cli", "run", str(ROOT / "sample_audio"), "--db", db,
                        "--workers", "2", "--report-dir", ""], check=True, cwd=tmp)
        store = Store(db)
        draw = sample(store, "North Staffs panel", SampleFilters(n=4, min_999=1, flagged_share=0.5), seed=4613,
                      requested_by="panel co-ordinator")
        pack = build_pack(store, draw.draw_id, Path(tmp) / "pack", actor="panel co-ordinator")
        with sync_playwright() as pw:
            browser = launch(pw)
            page = browser.new_page(viewport={"width": 1100, "height": 1000}, locale="en-GB")
            page.goto(pack.index.as_uri())
            page.screenshot(path=str(OUT / "panel-pack.png"))
            section = page.locator("#call-1")
            for q in load_questionnaire().questions:
                if q.answer != "text":
                    section.locator(f'fieldset[data-question="{q.id}"] input[value="yes"]').check()
            section.locator(".reveal").click()
            section.locator(".prescores").scroll_into_view_if_needed()
            page.screenshot(path=str(OUT / "panel-pack-scores.png"))
            browser.close()
    print(f"wrote {OUT / 'panel-pack.png'} and {OUT / 'panel-pack-scores.png'}")


if __name__ == "__main__":
    main()
