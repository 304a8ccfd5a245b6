"""The morning report's links in headless Chromium: the markdown rendered to HTML, each call link
clicked, against the real review app on 127.0.0.1 (signed in as a QA lead), opens that call's page,
a hostile call id (brackets, parentheses, a pipe, markup) included."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from urllib.parse import urlsplit

import pytest

from callqa.store import Store
from tests.test_morning_report import (UK, Spec, fill, night_and_history, record_for, render_html)
from tests.web_helpers import PASSWORDS, served

NIGHT = date(2026, 7, 1)
# Brackets, parentheses, a pipe and markup, no "/": a slash cannot be in a call id (exports refuse
# it, and the review app's /calls/<id> route takes one path segment).
HOSTILE_CALL = "x](javascript:alert(1)) | [y](z) <b>"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from callqa.batch.morning_report import build_report, render_markdown
    from callqa.batch.summary import Outcome, answer_time_rates, summarise
    from callqa.pipeline.rules import load_rule_pack
    from callqa.web import create_app
    from callqa.web.users import add_user

    tmp = tmp_path_factory.mktemp("report-browser")
    url = f"sqlite:///{tmp / 'store.db'}"
    store = Store(url)
    night, history = night_and_history(NIGHT)
    night.append(Spec(HOSTILE_CALL, datetime.combine(NIGHT, time(16, 30), UK), "Stafford", "H9",
                      flags=[{"indicator": "greeting", "severity": "high", "reason": "no greeting"}]))
    fill(store, night + history)
    add_user(store, "lead", PASSWORDS["lead"], "qa_lead")
    app = create_app(url, instance_dir=tmp / "instance")
    rules = load_rule_pack()
    with served(app) as base:
        summary = summarise(3, "/exports/night", datetime.now(timezone.utc), 1.0, 1, "faster-whisper", "tiny.en",
                            "test-rules", [Outcome(s.call_id, "analysed", bool(s.flags), 20.0) for s in night], [],
                            answer_time_rates([record_for(s) for s in night], rules))
        report = build_report(store, summary, [s.call_id for s in night], rules, base)
        yield {"base": base, "store": store, "html": render_html(render_markdown(report)),
               "flagged": sorted({s.call_id for s in night if s.flags})}
    store.engine.dispose()


def test_report_links_open_the_right_call_pages(browser, site):
    base, store = site["base"], site["store"]
    context = browser.new_context()
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{base}/login")
    page.fill("#username", "lead")
    page.fill("#password", PASSWORDS["lead"])
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url

    page.set_content(site["html"])
    links = page.eval_on_selector_all("a", "as => as.map(a => [a.textContent, a.href])")
    assert sorted({text for text, _ in links}) == site["flagged"]        # every link is a flagged call
    def page_views(call_id: str) -> int:
        return sum((e["details"] or {}).get("view") == "page"
                   for e in store.audit_entries(action="view_call", call_id=call_id))

    for index, (call_id, href) in enumerate(links):
        before = page_views(call_id)
        page.set_content(site["html"])
        page.locator("a").nth(index).click()
        page.wait_for_url(href)
        assert urlsplit(page.url).path.count("/") == 2                    # /calls/ONE-SEGMENT
        assert page.locator("h1").inner_text() == f"Call {call_id}"
        # the review app audits the page view, as for any other way in
        assert page_views(call_id) == before + 1
    assert HOSTILE_CALL in {text for text, _ in links}
    hosts = {urlsplit(u).hostname for u in requests if urlsplit(u).scheme in ("http", "https")}
    assert hosts == {"127.0.0.1"}, hosts                                   # nothing left for evil.example
    context.close()
