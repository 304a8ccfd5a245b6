"""The review app in headless Chromium, on a store filled by the real nightly batch: sign in, filter
the queue, open a flagged call, seek the recording from the timeline, the evidence and the
transcript, confirm a flag and see it leave the queue, stay inert on hostile transcripts, and
refuse a panel member the QA pages. Every request the pages make must go to 127.0.0.1."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser import watched_page
from tests.web_helpers import (IMG, PASSWORDS, SCRIPT, XSS_CALL, served_site)

READY = "document.getElementById('player').readyState >= 1"
NEAR = "Math.abs(document.getElementById('player').currentTime - {start}) < 0.6"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with served_site(tmp_path_factory.mktemp("web-browser")) as site:
        yield site


@pytest.fixture
def watched(browser, site):
    """A fresh browser context whose every request, dialog and CSP complaint is recorded."""
    with watched_page(browser) as (page, seen):
        yield page, seen
    assert not [u for u in seen["requests"] if urlsplit(u).scheme not in ("http", "data", "blob")], seen["requests"]
    assert seen["requests"]


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/queue")
    assert "/login" in page.url  # nobody signed in: sent to the sign-in page
    page.fill("#username", username)
    page.fill("#password", PASSWORDS[username])
    page.click("button[type=submit]")
    page.wait_for_load_state()


def queue_flag_ids(page) -> set[int]:
    chips = page.eval_on_selector_all(".chip[data-flag-id]", "chips => chips.map(c => c.dataset.flagId)")
    return {int(x) for x in chips}


def test_qa_lead_reviews_a_flagged_call(watched, site):
    page, seen = watched
    base = site["base"]
    sign_in(page, base, "lead")
    assert page.url == f"{base}/queue"
    everything = page.locator(".chip[data-flag-id]").count()  # the queue: one row per call, a chip per flag
    assert everything >= 10
    assert page.locator("tr.call-row").count() < everything

    page.select_option("select[name=indicator]", "vulnerability")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**indicator=vulnerability**")
    indicators = page.eval_on_selector_all(".chip[data-flag-id]", "chips => chips.map(c => c.dataset.indicator)")
    assert indicators and set(indicators) == {"vulnerability"} and len(indicators) < everything

    page.click("tr.call-row[data-call-id=vulnerable_ignored] a.call-link")
    page.wait_for_url(f"{base}/calls/vulnerable_ignored*")
    page.wait_for_function(READY)
    flag = page.locator("svg .flag[data-indicator=vulnerability]")
    start = float(flag.get_attribute("data-start"))
    assert start > 5
    flag.locator("circle").click()
    page.wait_for_function(NEAR.format(start=start))

    line = page.locator(".transcript .line").nth(3)
    line_start = float(line.get_attribute("data-start"))
    line.locator(".text").click()
    page.wait_for_function(NEAR.format(start=line_start))
    evidence = page.locator("#ind-greeting .evidence button.seek").first
    evidence.click()
    page.wait_for_function(NEAR.format(start=float(evidence.get_attribute("data-start"))))
    assert "my partner hit me" in page.inner_text("#ind-vulnerability")

    card = page.locator("article.flag-card", has=page.locator("strong", has_text="vulnerability"))
    flag_id = int(card.get_attribute("data-flag-id"))
    card.locator("button[value=confirm]").click()
    page.wait_for_load_state()
    assert "Flag confirmed." in page.inner_text("main")
    assert page.locator(f"#flag-{flag_id} .flag-status").inner_text() == "confirmed"

    page.goto(f"{base}/queue")
    assert flag_id not in queue_flag_ids(page)
    assert page.locator(".chip[data-flag-id]").count() == everything - 1
    page.goto(f"{base}/queue?status=confirmed")
    assert queue_flag_ids(page) == {flag_id}
    assert any(u.endswith("/calls/vulnerable_ignored/audio") for u in seen["requests"])


def test_hostile_transcript_stays_text(watched, site):
    page, seen = watched
    sign_in(page, site["base"], "lead")
    page.goto(f"{site['base']}/calls/{XSS_CALL}")
    page.wait_for_function(READY)
    transcript = page.inner_text(".transcript")
    assert SCRIPT in transcript and IMG in transcript  # shown as the words, not run
    assert page.locator(".transcript img, .transcript script, .indicators script").count() == 0
    page.goto(f"{site['base']}/queue?status=all")
    assert IMG in page.inner_text("table.queue")
    page.goto(f"{site['base']}/teams")
    page.wait_for_timeout(300)  # time for any injected handler to fire (none must)
    assert seen["dialogs"] == []


def test_trend_pages_draw_charts(watched, site):
    page, _ = watched
    sign_in(page, site["base"], "lead")
    page.goto(f"{site['base']}/operators")
    page.click("table.members a >> text=H1042")
    assert page.locator("svg.chart").count() >= 5
    page.goto(f"{site['base']}/teams/Stafford?period=day")
    assert page.locator("svg.chart circle").count() >= 1
    page.goto(f"{site['base']}/runs")
    assert "finished" in page.inner_text("#run-1")


def test_panel_member_is_refused_qa_pages(watched, site):
    page, _ = watched
    sign_in(page, site["base"], "member")
    assert page.url == f"{site['base']}/panel/"
    assert f"Sample {site['draw_id']}" in page.inner_text("main")
    for url in ("/queue", "/calls/vulnerable_ignored", "/operators", "/runs"):
        response = page.goto(site["base"] + url)
        assert response.status == 403, url
        assert "Forbidden" in page.inner_text("h1")
    assert page.request.get(f"{site['base']}/calls/vulnerable_ignored/audio").status == 403


def test_panel_member_opens_the_assigned_pack(watched, site):
    page, seen = watched
    sign_in(page, site["base"], "member")
    page.click(f"a[href='/panel/{site['draw_id']}/']")
    page.wait_for_url(f"{site['base']}/panel/{site['draw_id']}/")
    page.wait_for_selector("audio")
    page.wait_for_function("document.querySelector('audio').readyState >= 1")
    assert any(u.startswith(f"{site['base']}/panel/{site['draw_id']}/audio/") for u in seen["requests"])
    built = site["store"].audit_entries(action="panel_pack")
    assert built and built[0]["details"]["redacted"] is True and built[0]["actor"] == "member"
