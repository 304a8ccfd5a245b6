"""Operators in the loop in headless Chromium, on a store filled by the real nightly batch: an
operator signs in, sees only "My feedback", opens a call, listens from a finding, acknowledges one
finding and disputes another with a comment; a QA lead opens Disputes and overturns the dispute,
and the flag is then dismissed in the store and in the queue. Every request stays on 127.0.0.1,
and the pages raise no Content-Security-Policy complaint."""

from __future__ import annotations


import pytest

from callqa.web.users import add_user
from tests.browser import watched_page
from tests.web_helpers import PASSWORDS, served_site

OPERATOR = ("op1", "operator-one-pass-642", "H1042")
CALL = "vulnerable_ignored"
READY = "document.getElementById('player').readyState >= 1"
NEAR = "Math.abs(document.getElementById('player').currentTime - {start}) < 0.6"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with served_site(tmp_path_factory.mktemp("web-operator-browser"), lambda store: add_user(store, OPERATOR[0], OPERATOR[1], "operator", handler_id=OPERATOR[2])) as site:
        yield site


@pytest.fixture
def watched(browser, site):
    """A fresh browser context whose every request, dialog and CSP complaint is recorded."""
    with watched_page(browser) as (page, seen):
        yield page, seen


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/")
    assert "/login" in page.url
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def finding(page, indicator: str):
    return page.locator(f"article.finding[data-indicator={indicator}]")


def test_operator_answers_and_a_qa_lead_overturns_the_dispute(watched, browser, site):
    page, seen = watched
    base, store = site["base"], site["store"]
    sign_in(page, base, OPERATOR[0], OPERATOR[1])
    assert page.url == f"{base}/my/feedback"
    assert page.locator("header.top nav a").all_inner_texts() == ["My feedback"]
    listed = page.eval_on_selector_all("tr.feedback-row", "rows => rows.map(r => r.dataset.callId)")
    assert CALL in listed and all(store.call(c)["handler_id"] == OPERATOR[2] for c in listed)

    page.click(f"tr.feedback-row[data-call-id={CALL}] a.call-link")
    page.wait_for_url(f"{base}/my/calls/{CALL}")
    page.wait_for_function(READY)
    vulnerability = finding(page, "vulnerability")
    assert "Vulnerability and safeguarding" in vulnerability.inner_text()
    assert "The caller said \u201cmy partner hit me\u201d at 0:14" in vulnerability.inner_text()
    listen = vulnerability.locator("p.reason button.seek")
    listen.click()
    page.wait_for_function(NEAR.format(start=float(listen.get_attribute("data-start"))))
    assert any(u.endswith(f"/my/calls/{CALL}/audio") for u in seen["requests"])

    recap_id = int(finding(page, "recap").get_attribute("data-flag-id"))
    finding(page, "recap").locator("button[value=acknowledged]").click()
    page.wait_for_load_state()
    assert "acknowledged" in page.inner_text("main")
    assert "You acknowledged this" in finding(page, "recap").inner_text()

    vulnerability = finding(page, "vulnerability")
    flag_id = int(vulnerability.get_attribute("data-flag-id"))
    vulnerability.locator("button[value=disputed]").click()  # no comment: refused
    page.wait_for_load_state()
    assert "say why you dispute this finding" in page.inner_text("main")
    comment = "I asked about her safety at 0:20; the caller did not want to say more."
    finding(page, "vulnerability").locator("textarea[name=comment]").fill(comment)
    finding(page, "vulnerability").locator("button[value=disputed]").click()
    page.wait_for_load_state()
    assert "Waiting for a QA lead" in finding(page, "vulnerability").inner_text()
    assert store.feedback_response(recap_id).response == "acknowledged"
    dispute = store.feedback_response(flag_id)
    assert (dispute.response, dispute.comment, dispute.responded_by) == ("disputed", comment, OPERATOR[0])
    assert page.goto(f"{base}/queue").status == 403
    assert page.goto(f"{base}/panel/").status == 403

    # A QA lead, in a browser of their own, resolves the dispute: overturned.
    lead_context = browser.new_context(viewport={"width": 1280, "height": 900})
    lead_console: list[str] = []
    try:
        lead = lead_context.new_page()
        lead.on("console", lambda message: lead_console.append(message.text))
        lead.set_default_timeout(15000)
        sign_in(lead, base, "lead", PASSWORDS["lead"])
        lead.goto(f"{base}/queue")
        assert lead.locator(f"[data-flag-id='{flag_id}']").count() >= 1  # open before the resolution
        lead.click("header.top nav a >> text=Disputes")
        lead.wait_for_url(f"{base}/disputes")
        card = lead.locator(f"#dispute-{flag_id}")
        assert comment in card.inner_text() and "op1" in card.inner_text()
        card.locator("textarea[name=note]").fill("Agreed: the safety question was asked; the rule missed it.")
        card.locator("button[value=overturned]").click()
        lead.wait_for_load_state()
        assert "overturned" in lead.inner_text("main") and lead.locator(f"#dispute-{flag_id}").count() == 0

        assert store.feedback_response(flag_id).resolution == "overturned"
        assert {f["id"]: f["status"] for f in store.current_flags(CALL)}[flag_id] == "dismissed"
        assert flag_id not in {r["flag_id"] for r in store.review_queue(status="open")[0]}
        lead.goto(f"{base}/queue")
        assert lead.locator(f"[data-flag-id='{flag_id}']").count() == 0
        lead.goto(f"{base}/queue?status=dismissed")
        assert lead.locator(f"[data-flag-id='{flag_id}']").count() >= 1
        assert not [m for m in lead_console if "Content Security Policy" in m], lead_console
    finally:
        lead_context.close()

    # The operator sees the outcome.
    page.goto(f"{base}/my/calls/{CALL}")
    text = finding(page, "vulnerability").inner_text()
    assert "Overturned" in text and "the rule missed it" in text and "Dismissed by a QA lead" in text
    actions = [e["action"] for e in store.audit_entries(call_id=CALL)]
    for action in ("feedback_acknowledge", "feedback_dispute", "dispute_resolve", "flag_decision", "view_call"):
        assert action in actions, action
