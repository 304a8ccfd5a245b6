"""The trend pages and the navigation in headless Chromium: at 390x800 (a phone) every main-menu
link is on screen, not covered, and opens its page; the wide operator table scrolls inside its own
box instead of widening the page; clicking a chart point opens the queue filtered to its calls;
clicking a column heading sorts the table, without script. Every request goes to 127.0.0.1 and
the CSP is never broken."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.trend_data import BUSY, RANGE, add_trend_calls
from tests.web_helpers import PASSWORDS, served_site

PHONE = {"width": 390, "height": 800}
NAV_PAGES = ["/queue", "/operators?sort=calls&dir=desc", f"/operators/{BUSY}?from={RANGE['from']}&to={RANGE['to']}",
             "/teams", "/runs", "/calibration"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with served_site(tmp_path_factory.mktemp("web-trends-browser"), add_trend_calls) as site:
        yield site


def open_page(browser, viewport: dict):
    context = browser.new_context(viewport=viewport)
    seen: dict[str, list] = {"requests": [], "console": []}
    context.on("request", lambda request: seen["requests"].append(request.url))
    page = context.new_page()
    page.on("console", lambda message: seen["console"].append(message.text))
    page.set_default_timeout(15000)
    return context, page, seen


@pytest.fixture
def phone(browser):
    context, page, seen = open_page(browser, PHONE)
    yield page
    context.close()
    assert {urlsplit(u).hostname for u in seen["requests"] if urlsplit(u).scheme == "http"} <= {"127.0.0.1"}
    assert not [m for m in seen["console"] if "Content Security Policy" in m], seen["console"]


@pytest.fixture
def desktop(browser):
    context, page, seen = open_page(browser, {"width": 1280, "height": 900})
    yield page
    context.close()
    assert not [m for m in seen["console"] if "Content Security Policy" in m], seen["console"]


def sign_in(page, base: str, username: str = "lead") -> None:
    page.goto(f"{base}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORDS[username])
    page.click("button[type=submit]")
    page.wait_for_load_state()


def nav_links(page) -> list[dict]:
    """Each main-menu link: its href, bounding box, and whether it is the element at its own centre."""
    return page.eval_on_selector_all("header.top nav a", """links => links.map(a => {
        const r = a.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return {href: a.getAttribute('href'), left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                width: r.width, height: r.height, onTop: hit === a || a.contains(hit)};
    })""")


def test_every_nav_link_is_on_a_phone_screen_and_opens_its_page(phone, site):
    page = phone
    sign_in(page, site["base"])
    for url in NAV_PAGES:
        page.goto(site["base"] + url)
        links = nav_links(page)
        assert len(links) >= 6, (url, links)  # the QA lead's menu (base.html may grow)
        for link in links:
            assert link["width"] > 0 and link["height"] >= 24, (url, link)  # a tap target, WCAG 2.5.8
            assert 0 <= link["left"] and link["right"] <= PHONE["width"], (url, link)
            assert 0 <= link["top"] and link["bottom"] <= PHONE["height"], (url, link)
            assert link["onTop"], (url, link)  # nothing covers it: a tap lands on the link
        header = page.eval_on_selector("header.top", "h => [h.scrollWidth, h.clientWidth]")
        assert header[0] <= header[1], (url, header)  # nothing in the header is cut off
        width = page.evaluate("document.documentElement.scrollWidth")
        if url.startswith("/operators?"):
            assert width <= PHONE["width"], width  # the wide table scrolls in its own box
        signout = page.locator("header.top .signout button").bounding_box()
        assert signout and signout["x"] + signout["width"] <= PHONE["width"]
    page.goto(site["base"] + "/queue")
    for link in nav_links(page):
        page.click(f"header.top nav a[href='{link['href']}']")
        page.wait_for_load_state()
        assert urlsplit(page.url).path.rstrip("/") == link["href"].rstrip("/"), (page.url, link)


def test_clicking_a_small_sample_point_opens_its_calls_in_the_queue(desktop, site):
    page = desktop
    sign_in(page, site["base"])
    page.goto(f"{site['base']}/operators/{BUSY}?from={RANGE['from']}&to={RANGE['to']}")
    point = page.locator("#chart-greeting svg a.point-link circle.point.small").first
    assert point.get_attribute("data-n") == "3"
    assert point.get_attribute("fill") == "#ffffff"
    assert "n = 3" in point.locator("title").text_content()
    point.click()
    page.wait_for_load_state()
    url = urlsplit(page.url)
    assert url.path == "/queue"
    assert parse_qs(url.query) == {"handler": [BUSY], "date_from": ["2026-06-08"], "date_to": ["2026-06-14"],
                                   "indicator": ["greeting"], "scope": ["all"]}


def test_clicking_a_heading_sorts_the_table_both_ways(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = context.new_page()  # no script at all: the headings are plain links
    sign_in(page, site["base"])
    page.goto(f"{site['base']}/operators")
    page.click("table.members thead a.sort >> text=Calls")
    desc = [int(x) for x in page.locator("table.members tbody tr td:nth-child(2)").all_text_contents()]
    assert "sort=calls" in page.url and "dir=desc" in page.url
    assert desc == sorted(desc, reverse=True) and len(desc) >= 3
    page.click("table.members thead a.sort >> text=Calls")
    asc = [int(x) for x in page.locator("table.members tbody tr td:nth-child(2)").all_text_contents()]
    assert "dir=asc" in page.url and asc == sorted(asc)
    page.click(f"table.members tbody a >> text={BUSY}")
    page.wait_for_load_state()
    assert urlsplit(page.url).path == f"/operators/{BUSY}"
    assert page.locator("svg.chart circle.point").count() >= 3
    context.close()
