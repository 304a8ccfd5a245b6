"""Make docs/screenshots/panel-pack*.png: a redacted panel pack built from the sample calls.

    .venv/bin/python scripts/pack_screenshot.py

Runs the nightly batch over sample_audio/ into a temporary store, draws a sample, builds the pack
and photographs it in headless Chromium: once as the member first sees it (scores hidden), once
after answering and revealing the automated scores (the answers beside the automated checks), and
once on a 390 px phone scrolled down the revealed call (the player bar stays at the top).
"""

from __future__ import annotations

import argparse
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


# A member's answers for the photographs: yes but for one not sure; the call photographed is the
# one the automated check failed most, so the picture shows both same and different views.
ANSWERS = {"silence": "not_sure"}
# Scroll an element to just under the call's sticky player bar.
SCROLL_TO = """(selector) => { const el = document.querySelector(selector);
    const bar = el.closest('section.call').querySelector('.player-bar').getBoundingClientRect().height;
    window.scrollBy(0, el.getBoundingClientRect().top - bar - 8); }"""


def most_failed(pack) -> int:
    """The position of the call with the most failed checks (the pack's order is random)."""
    return max(pack.calls, key=lambda c: sum(i["status"] == "fail" for i in c.result["indicators"].values())).position


def reveal_call(page, position: int) -> None:
    """Answer every question of one call, then show its automated scores."""
    section = page.locator(f"#call-{position}")
    for q in load_questionnaire().questions:
        if q.answer != "text":
            value = ANSWERS.get(q.id, "yes")
            section.locator(f'fieldset[data-question="{q.id}"] input[value="{value}"]').check()
    section.locator(".reveal").click()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an already analysed store of the sample calls (skips the nightly run)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or f"sqlite:///{tmp}/callqa.db"
        if not args.db:
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
            position = most_failed(pack)
            reveal_call(page, position)
            page.evaluate(SCROLL_TO, f"#call-{position} .prescores")
            page.screenshot(path=str(OUT / "panel-pack-scores.png"))
            page.set_viewport_size({"width": 390, "height": 800})
            page.evaluate(SCROLL_TO, f"#call-{position} .compare tbody tr:nth-child(3)")
            page.screenshot(path=str(OUT / "panel-pack-phone.png"))
            browser.close()
    print(f"wrote {OUT / 'panel-pack.png'}, {OUT / 'panel-pack-scores.png'} and {OUT / 'panel-pack-phone.png'}")


if __name__ == "__main__":
    main()
