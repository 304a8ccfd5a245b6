"""The review queue and the decision round-trip in headless Chromium, on a store filled by the real
nightly batch: search by call id, handler and date through the filter form; a bulk decision with one
reason that then shows on every decided flag; a dismissal without a reason says so on the flag's own
card, in view and not under the sticky player (element bounding boxes); a good decision shows at
once; "Next open flag" moves through the call and on to the next call."""

from __future__ import annotations

import pytest

from callqa.web import queries
from tests.web_helpers import PASSWORDS, served_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with served_site(tmp_path_factory.mktemp("web-queue-browser")) as site:
        yield site


@pytest.fixture
def page(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{site['base']}/login")
    page.fill("#username", "lead")
    page.fill("#password", PASSWORDS["lead"])
    page.click("button[type=submit]")
    page.wait_for_url(f"{site['base']}/queue")
    yield page
    context.close()
    assert not [m for m in console if "Content Security Policy" in m], console


def row_ids(page) -> list[str]:
    return page.eval_on_selector_all("tr.call-row", "rows => rows.map(r => r.dataset.callId)")


def box(page, selector: str) -> dict:
    found = page.locator(selector).bounding_box()
    assert found is not None, f"{selector} is not displayed"
    return found


def assert_in_view_below_player(page, selector: str) -> None:
    """The element is inside the viewport and below the sticky player, which would otherwise cover it."""
    page.wait_for_timeout(200)  # the scroll after load has happened
    player, element = box(page, "#player-box"), box(page, selector)
    viewport = page.viewport_size
    assert player["y"] <= 1, player  # stuck to the top of the window
    assert element["y"] >= player["y"] + player["height"] - 0.5, (selector, element, player)
    assert element["y"] + element["height"] <= viewport["height"], (selector, element, viewport)


def test_search_by_call_id_handler_and_date(page, site):
    base = site["base"]
    everything = row_ids(page)
    assert len(everything) == len(set(everything)) >= 8
    page.fill("input[name=q]", "Silence")
    page.select_option("select[name=status]", "all")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**q=Silence**")
    assert set(row_ids(page)) == {"unexplained_silence", "explained_silence"}
    page.goto(f"{base}/queue")
    page.select_option("select[name=handler]", "H1042")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**handler=H1042**")
    mine = row_ids(page)
    assert mine and set(mine) < set(everything)
    assert all(site["store"].call(c)["handler_id"] == "H1042" for c in mine)
    page.goto(f"{base}/queue")
    page.fill("input[name=date_from]", "2026-11-25")
    page.fill("input[name=date_to]", "2026-11-25")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**date_from=2026-11-25**")
    on_day = row_ids(page)
    assert on_day and set(on_day) <= set(everything)
    page.fill("input[name=date_from]", "2031-01-01")
    page.fill("input[name=date_to]", "2031-01-02")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**date_from=2031-01-01**")
    assert row_ids(page) == [] and "No calls match" in page.inner_text("main")
    # Chips read in plain English and a whole-call finding has no 0:00 moment link.
    page.goto(f"{base}/queue")
    titles = page.eval_on_selector_all(".chip-title", "els => els.map(e => e.textContent)")
    assert "Unexplained silence" in titles and not [t for t in titles if "_" in t]
    assert page.locator(".chip[data-indicator=answer_time] a.moment[href*='t=']").count() == 0


def test_bulk_decision_with_one_reason(page, site):
    base = site["base"]
    store = site["store"]
    calls = ["mate", "interruptions"]
    expected = {f["id"] for c in calls for f in queries.current_flags(store, c)}
    for call_id in calls:
        page.check(f"tr.call-row[data-call-id={call_id}] input[name=call]")
    page.click("fieldset.bulk-decision button[value=dismiss]")  # no reason yet: the browser refuses
    assert page.url == f"{base}/queue"
    assert page.evaluate("document.querySelector('.bulk-decision input[name=reason]').validity.valueMissing")
    page.fill(".bulk-decision input[name=reason]", "Team agreed: acceptable")
    page.click("fieldset.bulk-decision button[value=dismiss]")
    page.wait_for_load_state()
    assert f"Dismissed {len(expected)} flags on 2 calls." in page.inner_text("main")
    assert not set(row_ids(page)) & set(calls)
    page.goto(f"{base}/queue?status=dismissed")
    chips = page.locator(".chip.status-dismissed")
    assert {int(x) for x in chips.evaluate_all("els => els.map(e => e.dataset.flagId)")} == expected
    for i in range(chips.count()):
        assert "Dismissed by lead: Team agreed: acceptable" in chips.nth(i).inner_text()
    page.goto(f"{base}/calls/mate")
    for card in page.locator("article.flag-card").all():
        assert "Team agreed: acceptable" in card.locator(".decided-line").inner_text()
        assert card.locator(".flag-status").inner_text() == "dismissed"


def test_decision_round_trip_on_the_call_page(page, site):
    base = site["base"]
    store = site["store"]
    call_id = "distressed_no_empathy"
    flags = queries.current_flags(store, call_id)
    assert len(flags) >= 3 and all(f["status"] == "open" for f in flags)
    last = flags[-1]["id"]
    page.goto(f"{base}/calls/{call_id}")
    card = f"#flag-{last}"
    # An empty reason: the browser does not send the form; the card says why, in view, below the player.
    page.click(f"{card} button[value=dismiss]")
    page.wait_for_selector(f"{card} .card-error", state="visible")
    assert page.url.startswith(f"{base}/calls/{call_id}") and "decision" not in page.url
    assert_in_view_below_player(page, f"{card} .card-error")
    assert_in_view_below_player(page, f"{card} input[name=reason]")
    # A browser that skipped the check (or a reason of blanks): the server refuses it, on the same card.
    page.evaluate(f"""document.querySelector('{card} input[name=reason]').removeAttribute('required');
                      document.querySelector('{card} input[name=reason]').removeAttribute('pattern');""")
    page.fill(f"{card} input[name=reason]", "   ")
    page.click(f"{card} button[value=dismiss]")
    page.wait_for_url(f"**/calls/{call_id}#flag-{last}")
    page.wait_for_selector(f"{card} .card-notice.error")
    assert "say why the flag is dismissed" in page.inner_text(f"{card} .card-notice")
    assert_in_view_below_player(page, f"{card} .card-notice")
    assert page.locator(".card-notice").count() == 1
    assert all(f["status"] == "open" for f in queries.current_flags(store, call_id))
    # A good decision shows at once on the card, which stays in view.
    page.fill(f"{card} input[name=reason]", "Handler showed empathy off-script")
    page.click(f"{card} button[value=dismiss]")
    page.wait_for_url(f"**/calls/{call_id}#flag-{last}")
    assert page.locator(card).get_attribute("class").split()[1:3] == ["status-dismissed", "decided"]
    assert page.inner_text(f"{card} .flag-status") == "dismissed"
    assert "Handler showed empathy off-script" in page.inner_text(f"{card} .decided-line")
    assert_in_view_below_player(page, f"{card} .card-notice")
    assert_in_view_below_player(page, f"{card} header")
    # Next open flag: the first still-open flag of this call (the last one is decided).
    page.click(f"{card} a.next-open")
    page.wait_for_url(f"**/calls/{call_id}#flag-{flags[0]['id']}")
    assert_in_view_below_player(page, f"#flag-{flags[0]['id']} header")
    # Decide all the others; then "next" goes on to another call with open flags.
    for flag in flags[:-1]:
        page.click(f"#flag-{flag['id']} button[value=confirm]")
        page.wait_for_url(f"**#flag-{flag['id']}")
        assert page.inner_text(f"#flag-{flag['id']} .flag-status") == "confirmed"
    page.click(f"#flag-{flags[-2]['id']} a.next-open")
    page.wait_for_url(lambda url: f"/calls/{call_id}" not in url)
    other = page.url.split("/calls/", 1)[1].split("#", 1)[0]
    target = page.url.split("#", 1)[1]
    assert other != call_id and target.startswith("flag-")
    assert page.inner_text(f"#{target} .flag-status") == "open"
    assert_in_view_below_player(page, f"#{target} header")


def test_timeline_and_transcript_evidence(page, site):
    page.goto(f"{site['base']}/calls/unexplained_silence")
    svg = page.locator(".timeline-box svg")
    assert svg.locator(".legend").count() == 1
    assert svg.locator("rect.silence.flagged").count() == 1
    pins = svg.locator("g.flag[data-start]")
    assert pins.count() >= 1 and all(p.locator("title").count() == 1 for p in pins.all())
    assert all(p.locator("text.pin-label").text_content() for p in pins.all())
    # The flag card links to its words in the transcript, which are highlighted.
    link = page.locator("article.flag-card[data-indicator=unexplained_silence] a.to-evidence")
    link.click()
    line = page.url.split("#", 1)[1]
    assert "evidence" in page.locator(f"#{line}").get_attribute("class")
    assert_in_view_below_player(page, f"#{line}")


def test_tick_all_then_leave_one_flag_out(page, site):
    """Last in this module: it decides every open flag on the first page but one."""
    store = site["store"]
    page.goto(f"{site['base']}/queue")
    shown = {int(x) for x in page.eval_on_selector_all(".chip[data-flag-id]", "els => els.map(e => e.dataset.flagId)")}
    page.check("#tick-all")
    assert page.locator("input[name=flag]:not(:checked)").count() == 0
    assert page.locator("input[name=call]:not(:checked)").count() == 0
    first = page.locator("input[name=flag]").first
    left_out = int(first.get_attribute("value"))
    first.uncheck()
    call_id = first.evaluate("e => e.closest('tr').dataset.callId")
    assert not page.is_checked(f"tr.call-row[data-call-id={call_id}] input[name=call]")
    assert not page.is_checked("#tick-all")
    page.fill(".bulk-decision input[name=reason]", "Spot-checked together")
    page.click("fieldset.bulk-decision button[value=confirm]")
    page.wait_for_load_state()
    assert f"Confirmed {len(shown) - 1} flags" in page.inner_text("main")
    status = {f["flag_id"]: f["status"] for f in store.review_queue(status="all")[0]}
    assert status[left_out] == "open"
    assert {i for i in shown if status[i] == "confirmed"} == shown - {left_out}
