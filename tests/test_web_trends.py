"""The trend pages on a real store (the nightly batch's results plus copies of them spread over three
June weeks for two new operators): every point shows its n, small samples are hollow and left out
of the line, each point links to the queue filtered to its calls (UK days), the operator and team
tables sort by any column both ways without script, each CSV equals what the page shows, and
every page and export writes its audit row."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from callqa.web import rates
from tests.trend_data import AREA, BUSY, QUIET, RANGE, add_trend_calls
from tests.web_helpers import FORMULA_HANDLER, build_site, login


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    site = build_site(tmp_path_factory.mktemp("web-trends"))
    site["app"].config["TESTING"] = True
    add_trend_calls(site["store"])
    client = site["app"].test_client()
    assert login(client, "lead").status_code == 302
    yield {**site, "client": client}
    site["store"].engine.dispose()


def figures(html: str) -> dict[str, str]:
    """Each chart's figure markup by its key (mean_score, calls, an indicator)."""
    return dict(re.findall(r'<figure class="chart-box" id="chart-[^"]+" data-chart="([^"]+)">(.*?)</figure>', html,
                           re.S))


def page(env, url: str) -> str:
    response = env["client"].get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def operator_page(env, handler: str = BUSY, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in {**RANGE, **args}.items())
    return page(env, f"/operators/{handler}?{query}")


def test_every_point_shows_its_n(env):
    html = operator_page(env)
    charts = figures(html)
    assert {"mean_score", "calls", "greeting"} <= set(charts)
    for key, markup in charts.items():
        svg = markup.split("</svg>")[0]
        points = re.findall(r'<(circle|rect) class="(?:point|bar)[^"]*" data-n="(\d+)"[^>]*>(<title>.*?</title>)', svg)
        assert points, key
        for _, n, title in points:
            assert f"(n = {n}" in title, (key, title)
        row = [int(x) for x in re.findall(r'<text class="n"[^>]*>(\d+)</text>', svg)]
        assert row[:3] == [10, 12, 3] if key in ("mean_score", "calls") else len(row) == 3, (key, row)
        table_n = re.findall(r'<td class="n[^"]*">(?:<a [^>]*>)?(\d+)', markup)
        assert len(table_n) == 3 * (1 if key == "calls" else 2), (key, table_n)  # every period, every series
    assert "fewer than 10 calls" in html


def test_small_samples_are_hollow_grey_and_not_in_the_line(env):
    svg = figures(operator_page(env))["mean_score"].split("</svg>")[0]
    mine = re.findall(r'<circle class="(point[^"]*)" data-n="(\d+)" cx="([\d.]+)" cy="[\d.]+" r="4" ([^>]*)>', svg)
    assert [(cls, int(n)) for cls, n, _, _ in mine] == [("point", 10), ("point", 12), ("point small", 3)]
    assert 'fill="#ffffff"' in mine[2][3] and rates.SMALL_SAMPLE == 10
    assert 'fill="#ffffff"' not in mine[0][3]
    lines = re.findall(r'<polyline class="trend-line" [^>]*points="([^"]+)"', svg)
    joined = {float(xy.split(",")[0]) for line in lines for xy in line.split()}
    assert float(mine[0][2]) in joined and float(mine[1][2]) in joined
    assert float(mine[2][2]) not in joined  # the small sample is drawn, not joined


def test_a_point_links_to_the_queue_with_its_operator_days_and_indicator(env):
    svg = figures(operator_page(env))["greeting"].split("</svg>")[0]
    links = re.findall(r'<a href="([^"]+)" class="point-link"><circle class="point[^"]*" data-n="(\d+)"', svg)
    mine = [(href, n) for href, n in links if "handler=" in href]
    assert len(mine) == 3
    href = mine[2][0].replace("&amp;", "&")
    url = urlsplit(href)
    assert url.path == "/queue"
    assert parse_qs(url.query) == {"handler": [BUSY], "date_from": ["2026-06-08"], "date_to": ["2026-06-14"],
                                   "indicator": ["greeting"], "scope": ["all"]}
    # the 23:30 UTC Sunday call is Monday in the UK, so it is one of the three behind this point
    assert mine[2][1] == "3"
    first = urlsplit(mine[0][0].replace("&amp;", "&"))
    assert parse_qs(first.query)["date_from"] == ["2026-05-25"] and parse_qs(first.query)["date_to"] == ["2026-05-31"]
    everyone = [href for href, _ in links if "handler=" not in href]
    assert everyone and all("area=" not in h for h in everyone)
    assert env["client"].get(href).status_code == 200  # the queue takes these filters


def test_a_team_point_links_with_the_area(env):
    html = page(env, f"/teams/{AREA}?from={RANGE['from']}&to={RANGE['to']}")
    href = re.search(r'<a href="([^"]+)" class="point-link">', figures(html)["mean_score"]).group(1)
    query = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
    assert query["area"] == [AREA] and "handler" not in query and "indicator" not in query
    assert query["scope"] == ["all"]


def table_rows(html: str) -> list[tuple[str, dict[str, str]]]:
    """(name, {column: text}) per row of the members table."""
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    rows = []
    for row in re.findall(r"<tr data-name=.*?</tr>", body, re.S):
        cells = [unescape(re.sub(r"<[^>]+>", "", c)).strip()
                 for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows.append((cells[0], dict(zip(["calls", "flagged", "mean_score", "last_call"], cells[1:5]))))
    return rows


def test_the_operator_table_sorts_by_any_column_both_ways(env):
    store_rows = {r.name: r for r in env["store"].group_rates("operator")}
    for column in ("calls", "mean_score", "fail_greeting"):
        orders = {}
        for direction in ("asc", "desc"):
            html = page(env, f"/operators?sort={column}&dir={direction}")
            names = [name for name, _ in table_rows(html)]
            assert set(names) == set(store_rows)
            values = [rates.fail_rate(store_rows[n], "greeting") if column == "fail_greeting"
                      else getattr(store_rows[n], column) for n in names]
            known = [v for v in values if v is not None]
            assert known == sorted(known, reverse=direction == "desc"), (column, direction, values)
            assert values[len(known):] == [None] * (len(values) - len(known))  # blanks last either way
            assert f'aria-sort="{"ascending" if direction == "asc" else "descending"}"' in html
            orders[direction] = names
        assert orders["asc"] != orders["desc"]
    html = page(env, "/operators?sort=calls&dir=desc")
    assert 'href="/operators?sort=calls&amp;dir=asc"' in html  # the heading flips the order, no script
    assert f'href="/operators/{BUSY}"' in html
    assert 'class="num rate small-sample"' in html  # a rate on too few calls is greyed


def test_an_unknown_sort_falls_back_to_names(env):
    for query in ("sort=drop%20table&dir=up", "sort=%00&dir=%00", "sort=__class__", "sort=name&dir=sideways"):
        html = page(env, f"/operators?{query}")
        names = [name for name, _ in table_rows(html)]
        assert names == sorted(names)
    assert env["client"].get("/teams?sort=fail_nothing&from=9999-12-31").status_code == 200
    assert env["client"].get("/operators.csv?from=2026-13-45").status_code == 400
    assert env["client"].get(f"/export/operators/{BUSY}.csv?to=9999-12-31").status_code == 400


def test_the_table_csv_equals_the_table(env):
    html = page(env, f"/operators?sort=calls&dir=desc&from={RANGE['from']}&to={RANGE['to']}")
    shown = table_rows(html)
    body = env["client"].get(f"/operators.csv?sort=calls&dir=desc&from={RANGE['from']}&to={RANGE['to']}")
    assert body.status_code == 200 and body.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(body.get_data(as_text=True))))
    assert [r["name"] for r in rows] == [name for name, _ in shown] == [BUSY, QUIET]
    for row, (_, cells) in zip(rows, shown):
        assert row["calls"] == cells["calls"] and row["flagged"] == cells["flagged"]
        assert f"{float(row['mean_score']):.0f}" == cells["mean_score"]
        assert re.fullmatch(r"2026-06-\d\dT\d\d:\d\d:\d\d\+01:00", row["last_call"])  # UK time, BST offset
    busy = env["store"].group_rates("operator", *rates_range())
    greeting = next(r for r in busy if r.name == BUSY).failed["greeting"]
    assert (int(rows[0]["greeting_not_met"]), int(rows[0]["greeting_applied"])) == greeting
    everyone = list(csv.DictReader(io.StringIO(env["client"].get("/operators.csv").get_data(as_text=True))))
    formula = [r["name"] for r in everyone if "HYPERLINK" in r["name"]]
    assert formula == ["'" + FORMULA_HANDLER]  # spreadsheet-safe, as the queue's CSV


def rates_range():
    from callqa.web.dates import parse_local

    return parse_local(RANGE["from"], "from"), parse_local(RANGE["to"], "to", end=True)


def test_the_chart_csv_equals_the_charts(env):
    html = operator_page(env)
    body = env["client"].get(f"/export/operators/{BUSY}.csv?from={RANGE['from']}&to={RANGE['to']}&period=week")
    assert body.status_code == 200 and body.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(body.get_data(as_text=True))))
    charts = figures(html)
    from_csv = {(r["chart"], r["series"], r["period_start"]): r for r in rows}
    from_page = {}
    for key, markup in charts.items():
        for series, period, value, n in re.findall(
                r'<td class="value[^"]*" data-series="([^"]+)" data-period="([^"]+)">([^<]*)</td>\s*'
                r'<td class="n[^"]*">(?:<a [^>]*>)?(\d+)', markup):
            from_page[(key, series, period)] = (value.rstrip("%"), n)
    shown = {k: v for k, v in from_csv.items() if k[0] in charts}
    assert set(shown) == set(from_page) and len(from_page) >= 3 * 5
    for key, (value, n) in from_page.items():
        row = shown[key]
        assert (row["value"] or "-", row["n"]) == (value, n), key
        assert row["small_sample"] == ("yes" if row["value"] and int(n) < 10 else "no")
    point = from_csv[("greeting", f"operator {BUSY}", "2026-06-08")]
    assert (point["date_from"], point["date_to"], point["n"]) == ("2026-06-08", "2026-06-14", "3")
    assert parse_qs(urlsplit(point["queue_url"]).query)["indicator"] == ["greeting"]
    # every indicator's chart is in the CSV, shown on the page or not (none applied is all zeros)
    assert {r["chart"] for r in rows} >= {"mean_score", "calls", *rates.indicator_names()}


AUDITED = [
    ("/operators?sort=calls&dir=desc", "view_trends", {"group": "operator", "sort": "calls", "dir": "desc"}),
    ("/teams", "view_trends", {"group": "team"}),
    ("/operators.csv", "export_trends", {"group": "operator"}),
    ("/teams.csv?from=2026-06-01", "export_trends", {"group": "team", "from": "2026-06-01"}),
    (f"/operators/{BUSY}?from=2026-06-01&to=2026-06-14", "view_trends",
     {"group": "operator", "value": BUSY, "from": "2026-06-01", "to": "2026-06-14", "calls": 15}),
    (f"/teams/{AREA}", "view_trends", {"group": "team", "value": AREA}),
    (f"/export/operators/{BUSY}.csv?from=2026-06-01&to=2026-06-14", "export_trends",
     {"group": "operator", "value": BUSY, "calls": 15}),
    (f"/export/teams/{AREA}.csv", "export_trends", {"group": "team", "value": AREA}),
]


@pytest.mark.parametrize("url,action,details", AUDITED)
def test_every_trend_page_and_export_writes_an_audit_row(env, url, action, details):
    before = env["store"].audit_entries(limit=1)[0]["id"]
    assert env["client"].get(url).status_code == 200
    rows = [r for r in env["store"].audit_entries(limit=20) if r["id"] > before]
    assert [r["action"] for r in rows] == [action]
    assert rows[0]["actor"] == "lead"
    assert details.items() <= rows[0]["details"].items()
    if "members" in rows[0]["details"]:
        assert rows[0]["details"]["members"] >= 2


def test_panel_members_and_strangers_get_no_trends(env):
    member = env["app"].test_client()
    assert login(member, "member").status_code == 302
    anonymous = env["app"].test_client()
    for url in ("/operators", "/operators.csv", f"/operators/{BUSY}", f"/export/operators/{BUSY}.csv",
                "/teams.csv", f"/export/teams/{AREA}.csv"):
        assert member.get(url).status_code == 403, url
        assert anonymous.get(url).status_code in (302, 401), url
    assert env["client"].get("/export/operators/nobody.csv").status_code == 404


def test_a_day_point_links_to_its_one_uk_day(env):
    html = page(env, f"/operators/{BUSY}?from=2026-06-07&to=2026-06-08&period=day")
    svg = figures(html)["calls"].split("</svg>")[0]
    bars = re.findall(r'<a href="([^"]+)" class="point-link"><rect class="bar" data-n="(\d+)"', svg)
    days = {parse_qs(urlsplit(h.replace("&amp;", "&")).query)["date_from"][0]: int(n) for h, n in bars}
    # 7 June (UK): one call at 11:06 UTC; 8 June (UK): the call at 23:30 UTC on 7 June (00:30 BST)
    assert days == {"2026-06-07": 1, "2026-06-08": 1}
    for href, _ in bars:
        query = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
        assert query["date_from"] == query["date_to"] and "indicator" not in query
