"""The morning report: built from a real SQLite store, rendered as markdown, written by the real
nightly flow with its Prefect artifact, and its notification sent through apprise to a real HTTP
server. Expected numbers are counted here, independently, from the rows the tests insert."""

from __future__ import annotations

import json
import re
import shutil
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from zoneinfo import ZoneInfo

import pytest

from callqa.pipeline.catalog import INDICATORS
from callqa.recorder_export import CallRecord
from callqa.store import Store
from tests.conftest import SAMPLES

UK = ZoneInfo("Europe/London")
TRANSCRIPT_WORDS = ("zebrafinch", "marmalade")      # words only the transcripts hold
CALLER_QUOTE = "quokkaberry"                        # a word only a flag reason holds (quoting the caller)


# ---- hand-built results in a real store ---------------------------------------------------------

@dataclass
class Spec:
    """One stored call: what the test inserts and counts its expectations from."""

    call_id: str
    started_at: datetime
    area: str = "Stafford"
    handler_id: str = "H1"
    call_type: str = "101"
    answer_delay_s: float | None = 30.0
    statuses: dict[str, str] = field(default_factory=dict)   # indicator -> status (default pass)
    flags: list[dict] = field(default_factory=list)          # indicator, severity, reason, needs_review
    training: bool = False


def result_for(spec: Spec, engine: str = "faster-whisper", model: str = "tiny.en",
               rules_version: str = "test-rules") -> dict:
    """A whole, valid result (pipeline/result.schema.json) with the spec's statuses and flags."""
    failed = {f["indicator"] for f in spec.flags}
    indicators = {}
    for name in INDICATORS:
        status = spec.statuses.get(name, "fail" if name in failed else "pass")
        evidence = [{"speaker": "handler", "start_s": 1.0, "end_s": 2.0, "text": "hello", "rule": f"{name}.x"}]
        indicators[name] = {"status": status, "reason": f"{name} {status}", "confidence": 0.9,
                            "evidence": evidence if status == "fail" else []}
    words = [{"text": f" {w}", "start_s": 0.5 + i, "end_s": 1.0 + i, "probability": 0.9}
             for i, w in enumerate(TRANSCRIPT_WORDS)]
    return {
        "schema_version": 1, "call_id": spec.call_id, "duration_s": 20.0, "layout": "stereo",
        "channel_layout": "stereo-handler-left", "engine": {"name": engine, "model": model}, "attribution": None,
        "metadata": {"call_type": spec.call_type, "answer_delay_s": spec.answer_delay_s},
        "transcript": [{"speaker": "handler", "start_s": 0.5, "end_s": 2.0, "text": " ".join(TRANSCRIPT_WORDS),
                        "words": words},
                       {"speaker": "caller", "start_s": 3.0, "end_s": 4.0, "text": "thank you", "words": []}],
        "speech": {"handler": [[0.5, 2.0]], "caller": [[3.0, 4.0]]},
        "rules_version": rules_version, "score": 70.0, "review_priority": "normal", "silences": [],
        "indicators": indicators,
        "flags": [{"indicator": f["indicator"], "reason": f.get("reason", f"{f['indicator']} failed at 12.5 s"),
                   "start_s": f.get("start_s", 12.5), "severity": f.get("severity"), "confidence": 0.8,
                   "needs_review": bool(f.get("needs_review"))} for f in spec.flags],
        "audio": None, "stats": None, "sentence_vectors": None,
    }


def record_for(spec: Spec, audio: Path = SAMPLES / "good_101.wav") -> CallRecord:
    return CallRecord(spec.call_id, audio, spec.started_at, spec.call_type, spec.area, spec.handler_id,
                      "stereo-handler-left", spec.answer_delay_s, spec.training, "test")


def fill(store: Store, specs: list[Spec]) -> None:
    store.upsert_calls([record_for(s) for s in specs], None)
    for spec in specs:
        if not spec.training:
            store.save_analysis(result_for(spec), f"sha-{spec.call_id}", None)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


# ---- the report from a store -----------------------------------------------------------------

def night_and_history(night_day: date) -> tuple[list[Spec], list[Spec]]:
    """Night calls on `night_day` and history around the 7- and 28-night edges (UK local days)."""
    def at(day: date, hour: int, minute: int = 0) -> datetime:  # a UK local time, as UTC
        return datetime.combine(day, time(hour, minute), UK).astimezone(timezone.utc)

    night = [
        Spec("N1", at(night_day, 10, 5), "Stafford", "H1", "999", 8.0,
             flags=[{"indicator": "greeting", "severity": "high", "reason": "no greeting in the first 10 s"}]),
        Spec("N2", at(night_day, 11), "Stafford", "H2", "999", 14.0,
             flags=[{"indicator": "empathy", "severity": "medium",
                     "reason": f"the caller said \"{CALLER_QUOTE}\" and no empathy followed"},
                    {"indicator": "recap", "severity": "low", "reason": "no recap in the last part of the call "
                                                                        "(from 184 s)"}]),
        Spec("N3", at(night_day, 12), "Stafford", "H1", "101", 100.0),
        Spec("N4", at(night_day, 13), "Cannock", "H3", "101", 150.0,
             statuses={"vulnerability": "not_applicable"},
             flags=[{"indicator": "answer_time", "severity": "low", "reason": "answered in 150.0 s, over the 120 s "
                                                                             "target for 101 calls"},
                    {"indicator": "unexplained_silence", "severity": "medium", "needs_review": True,
                     "reason": "silence of 14.0 s at 61.0 s (part 1 of 2)"}]),
        Spec("N5", at(night_day, 14), "Cannock", "H3", "101", None, statuses={"answer_time": "not_applicable"}),
    ]
    history = [
        # inside the last 7 nights (the first minute of the window, and the last day)
        Spec("W7a", at(night_day - timedelta(days=7), 0, 30), "Stafford", "H1", "999", 12.0,
             flags=[{"indicator": "greeting", "severity": "high"}]),
        Spec("W7b", at(night_day - timedelta(days=1), 23, 59), "Stafford", "H2", "999", 5.0),
        Spec("W7c", at(night_day - timedelta(days=3), 9), "Cannock", "H3", "101", 60.0,
             flags=[{"indicator": "empathy", "severity": "medium"}]),
        # inside 28, outside 7
        Spec("W28a", at(night_day - timedelta(days=8), 23, 30), "Stafford", "H1", "999", 9.0,
             flags=[{"indicator": "greeting", "severity": "high"}, {"indicator": "recap", "severity": "low"}]),
        Spec("W28b", at(night_day - timedelta(days=28), 0, 10), "Cannock", "H3", "101", 200.0),
        # outside both
        Spec("OLD", at(night_day - timedelta(days=29), 12), "Stafford", "H1", "999", 30.0,
             flags=[{"indicator": "greeting", "severity": "high"}]),
        # training calls never count
        Spec("TRAIN", at(night_day - timedelta(days=2), 12), "Stafford", "H1", "999", 50.0, training=True),
    ]
    return night, history


def expected_rates(specs: list[Spec], night_ids: set[str], start: datetime, end: datetime) -> dict:
    """Counted straight from the specs: per area (flagged calls, calls), per indicator (failed,
    applicable), per call type (within target, with an answer time)."""
    window = [s for s in specs if not s.training and s.call_id not in night_ids and start <= s.started_at < end]
    return counts(window)


def counts(calls: list[Spec]) -> dict:
    targets = {"999": 10.0, "101": 120.0}
    areas: dict[str, list[int]] = {}
    indicators: dict[str, list[int]] = {}
    answers: dict[str, list[int]] = {}
    for s in calls:
        cell = areas.setdefault(s.area, [0, 0])
        cell[0] += bool(s.flags)
        cell[1] += 1
        failed = {f["indicator"] for f in s.flags}
        for name in INDICATORS:
            status = s.statuses.get(name, "fail" if name in failed else "pass")
            if status != "not_applicable":
                cell = indicators.setdefault(name, [0, 0])
                cell[0] += status == "fail"
                cell[1] += 1
        if s.answer_delay_s is not None:
            cell = answers.setdefault(s.call_type, [0, 0])
            cell[0] += s.answer_delay_s <= targets[s.call_type]
            cell[1] += 1
    return {"areas": areas, "indicators": indicators, "answers": answers}


def cell(count_n: list[int] | None) -> str:
    if not count_n or not count_n[1]:
        return "no calls"
    count, n = count_n
    return f"{count} of {n} ({count / n:.0%})"


def table_rows(markdown: str, heading: str) -> dict[str, list[str]]:
    """The rows of the first table after `heading`, by first cell (unescaped), cells split on
    unescaped pipes."""
    part = markdown.split(heading, 1)[1]
    rows: dict[str, list[str]] = {}
    started = False
    for line in part.splitlines():
        if line.startswith("|"):
            started = True
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            rows[re.sub(r"\\(.)", r"\1", cells[0])] = cells[1:]
        elif started:
            break
    return rows


def night_report(tmp_path: Path, night_day: date, base_url: str | None = "https://qa.example.internal/callqa",
                 started_at: datetime | None = None, extra: list[Spec] | None = None):
    from callqa.batch.morning_report import build_report, render_markdown
    from callqa.batch.summary import Outcome, answer_time_rates, summarise
    from callqa.pipeline.rules import load_rule_pack

    rules = load_rule_pack()
    night, history = night_and_history(night_day)
    night += extra or []
    store = Store(f"sqlite:///{tmp_path / 'report.db'}")
    fill(store, night + history)
    outcomes = [Outcome(s.call_id, "analysed", bool(s.flags), 20.0) for s in night]
    started_at = started_at or datetime.combine(night_day + timedelta(days=1), time(2, 0, 3, 123456), UK)
    summary = summarise(7, "/exports/night", started_at.astimezone(timezone.utc), 12.5, 1, "faster-whisper",
                        "tiny.en", "test-rules", outcomes, [], answer_time_rates([record_for(s) for s in night], rules))
    report = build_report(store, summary, [s.call_id for s in night], rules, base_url)
    store.engine.dispose()
    return report, render_markdown(report), night, history


@pytest.mark.parametrize("night_day,zone", [(date(2026, 11, 25), "GMT"), (date(2026, 7, 1), "BST")])
def test_the_report_holds_flags_by_severity_and_rates_against_past_nights(tmp_path, night_day, zone):
    report, md, night, history = night_report(tmp_path, night_day)
    specs = night + history
    night_ids = {s.call_id for s in night}

    # flags by severity, needs-review apart; plain words, handler, area and a link to the call page
    high = table_rows(md, "### High (1)")
    medium = table_rows(md, "### Medium (1)")
    low = table_rows(md, "### Low (2)")
    unsure = table_rows(md, "### Needs review (the analysis was unsure) (1)")
    base = "https://qa.example.internal/callqa/calls/"
    assert list(high) == ["Call", "---", f"[N1]({base}N1)"]
    n1 = high[f"[N1]({base}N1)"]
    assert n1[1:] == ["Greeting", "No greeting in the first 10 seconds", "H1", "Stafford"]
    assert n1[0] == f"{night_day} 10:05 {zone}"
    assert [k for k in low if k.startswith("[")] == [f"[N2]({base}N2)", f"[N4]({base}N4)"]
    assert low[f"[N2]({base}N2)"][1:3] == ["Recap and understanding", "No recap in the last part of the call "
                                                                      "\\(from 3:04\\)"]
    assert low[f"[N4]({base}N4)"][1] == "Answer time"
    assert medium[f"[N2]({base}N2)"][1] == "Empathy and support"
    assert CALLER_QUOTE in medium[f"[N2]({base}N2)"][2]   # a QA lead needs the caller's words: not redacted
    assert unsure[f"[N4]({base}N4)"] == [f"{night_day} 13:00 {zone}", "Unexplained silence",
                                          "Silence of 14 seconds at 1:01", "H3", "Cannock", "Medium"]
    assert "## Flags: 1 high, 1 medium, 2 low; 1 to review" in md
    assert md.index("### High") < md.index("### Medium") < md.index("### Low") < md.index("### Needs review")

    # rates: this night and the last 7 and 28 UK-local nights, counted from the specs
    first = datetime.combine(night_day, time(), UK)
    windows = [(first - timedelta(days=n), first) for n in (7, 28)]
    this_night = counts(night)
    past = [expected_rates(specs, night_ids, *w) for w in windows]
    areas = table_rows(md, "### Calls flagged, by area")
    assert set(areas) == {"Area", "---", "Stafford", "Cannock"}
    for area in ("Stafford", "Cannock"):
        assert areas[area] == [cell(this_night["areas"].get(area))] + [cell(p["areas"].get(area)) for p in past]
    assert areas["Stafford"] == ["2 of 3 (67%)", "1 of 2 (50%)", "2 of 3 (67%)"]  # the edges, by hand
    assert areas["Cannock"] == ["1 of 2 (50%)", "1 of 1 (100%)", "1 of 2 (50%)"]
    indicators = table_rows(md, "### Indicators failed, of the calls where each applied")
    from callqa.plain_language import title

    for name in INDICATORS:
        row = indicators[title(name)]
        assert row == [cell(this_night["indicators"].get(name))] + [cell(p["indicators"].get(name)) for p in past], name
    assert indicators["Vulnerability and safeguarding"][0] == "0 of 4 (0%)"   # N4: not applicable
    answers = table_rows(md, "## Answer times (share within target)")
    assert answers["999 calls answered within 10 s"] == [cell(this_night["answers"]["999"])] + [
        cell(p["answers"].get("999")) for p in past]
    assert answers["101 calls answered within 120 s"] == [cell(this_night["answers"]["101"])] + [
        cell(p["answers"].get("101")) for p in past]
    assert answers["999 calls answered within 10 s"][0] == "1 of 2 (50%)"
    assert answers["101 calls answered within 120 s"][0] == "1 of 2 (50%)"   # N5 has no answer time
    last7 = (first - timedelta(days=7)).date()
    assert f"last 7 nights ({last7} to {night_day - timedelta(days=1)})" in md


def test_times_are_uk_local_with_the_zone_and_no_microseconds(tmp_path):
    # the run started at 02:00:03.123456 local on the next day; one call at 23:30 local the night before
    report, md, *_ = night_report(tmp_path, date(2026, 7, 1))
    assert "- run started: 2026-07-02 02:00 BST;" in md
    assert "2026-07-01 10:05 BST" in md and "09:05" not in md         # N1 at 09:05 UTC
    assert not re.search(r"\d\d:\d\d:\d\d\.\d", md) and "+00:00" not in md and "UTC" not in md
    winter, md_winter, *_ = night_report(tmp_path / "w", date(2026, 11, 25))
    assert "- run started: 2026-11-26 02:00 GMT;" in md_winter and "2026-11-25 10:05 GMT" in md_winter
    # the 7-night window of a BST night starts at local midnight (23:00 UTC the day before)
    assert report.windows[0].start == datetime(2026, 6, 23, 23, 0, tzinfo=timezone.utc)
    assert winter.windows[0].start == datetime(2026, 11, 18, 0, 0, tzinfo=timezone.utc)
    # across the clock change (25 Oct 2026): 28 local nights back from 5 Nov is 8 Oct 00:00 BST
    from callqa.batch.morning_report import history_windows

    assert history_windows(date(2026, 11, 5))[1].start == datetime(2026, 10, 7, 23, 0, tzinfo=timezone.utc)


HOSTILE_CALL = "x](https://evil.example/a) | <b>y</b>"
HOSTILE_HANDLER = "[click me](https://evil.example/h)|"
HOSTILE_AREA = "Area | `code` *bold* <script>alert(1)</script>"


def render_html(md: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").render(md)


def test_markdown_injection_in_ids_and_reasons_is_neutralised(tmp_path):
    from html.parser import HTMLParser

    hostile = Spec(HOSTILE_CALL, datetime.combine(date(2026, 11, 25), time(15), UK), HOSTILE_AREA, HOSTILE_HANDLER,
                   flags=[{"indicator": "greeting", "severity": "high",
                           "reason": "no greeting [x](https://evil.example/r) ![i](https://evil.example/i.png) "
                                     "<img src=x onerror=alert(2)> | cell\nnew line"}])
    report, md, *_ = night_report(tmp_path, date(2026, 11, 25), extra=[hostile])
    html = render_html(md)

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.hrefs: list[str] = []
            self.tags: set[str] = set()
            self.rows: list[int] = []
            self.cells = 0

        def handle_starttag(self, tag, attrs):
            self.tags.add(tag)
            if tag == "a":
                self.hrefs.append(dict(attrs)["href"])
            if tag == "tr":
                self.cells = 0
            if tag in ("td", "th"):
                self.cells += 1

        def handle_endtag(self, tag):
            if tag == "tr":
                self.rows.append(self.cells)

    parser = Links()
    parser.feed(html)
    from urllib.parse import unquote, urlsplit

    # no link but the call pages, each to one call id (the hostile one percent-encoded in one segment)
    assert {urlsplit(h).netloc for h in parser.hrefs} == {"qa.example.internal"}, parser.hrefs
    paths = [urlsplit(h).path.split("/") for h in parser.hrefs]
    assert all(p[:3] == ["", "callqa", "calls"] and len(p) == 4 for p in paths), paths
    assert {unquote(p[3]) for p in paths} == {"N1", "N2", "N4", HOSTILE_CALL}
    assert not parser.tags & {"img", "script", "b", "code", "em", "strong"}
    flag_rows = [n for n in parser.rows if n in (6, 7)]
    assert flag_rows and set(parser.rows) <= {4, 6, 7, 8}                 # no table grew a cell
    from urllib.parse import quote

    hostile_href = f"https://qa.example.internal/callqa/calls/{quote(HOSTILE_CALL, safe='')}"
    assert hostile_href in parser.hrefs
    # the words themselves are all there, shown as text
    text = re.sub(r"<[^>]+>", "", html)
    import html as html_lib

    text = html_lib.unescape(text)
    for value in (HOSTILE_CALL, HOSTILE_HANDLER, HOSTILE_AREA, "<img src=x onerror=alert(2)>"):
        assert value in text, value
    assert "cell\\nnew line" in text                                       # a newline is shown, not obeyed


def test_without_a_base_url_the_report_says_so_and_lists_ids(tmp_path):
    report, md, *_ = night_report(tmp_path, date(2026, 11, 25), base_url=None)
    assert "No review-app address is set" in md and "--report-base-url" in md
    assert "](" not in md
    assert table_rows(md, "### High (1)")["N1"][1] == "Greeting"


# ---- settings ---------------------------------------------------------------------------------

def test_report_settings_are_validated_where_config_loads(tmp_path):
    from callqa.errors import ConfigError
    from callqa.report_settings import load_report_settings

    config = tmp_path / "callqa.toml"
    config.write_text('[report]\nbase_url = "https://qa.example.internal/app/"\n')
    assert load_report_settings(config, environ={}).base_url == "https://qa.example.internal/app"
    assert load_report_settings(config, environ={}).notify is False            # off by default
    env = {"CALLQA_REPORT_BASE_URL": "http://127.0.0.1:8000"}
    assert load_report_settings(config, environ=env).base_url == "http://127.0.0.1:8000"
    assert load_report_settings(config, "https://cli.example", environ=env).base_url == "https://cli.example"
    assert load_report_settings(None, environ={}).base_url is None
    for bad in ("ftp://x.example", "https://", "https://x.example/a b", "https://x.example/(x)",
                "https://x.example/?q=1", "https://x.example/|", "javascript:alert(1)", "https://x.example:99999"):
        with pytest.raises(ConfigError):
            load_report_settings(None, bad, environ={})
    config.write_text('[report]\nbase_url = "https://x.example"\ncolour = "red"\n')
    with pytest.raises(ConfigError, match="unknown setting.*colour"):
        load_report_settings(config, environ={})
    config.write_text('[report]\nnotify_urls = ["nosuchscheme://secret-token@host"]\n')
    with pytest.raises(ConfigError) as info:
        load_report_settings(config, environ={})
    assert "secret-token" not in str(info.value) and "URL 1" in str(info.value)
    config.write_text('[report]\nnotify_urls = ["json://127.0.0.1:9/hook"]\n')
    settings = load_report_settings(config, environ={})
    assert settings.notify and settings.notify_urls == ("json://127.0.0.1:9/hook",)
    assert "127.0.0.1" not in repr(settings)
    env = {"CALLQA_NOTIFY_URLS": "json://127.0.0.1:1/a  form://127.0.0.1:2/b"}
    assert load_report_settings(config, environ=env).notify_urls == ("json://127.0.0.1:1/a", "form://127.0.0.1:2/b")


def test_callqa_run_refuses_a_bad_report_base_url_before_prefect(tmp_path, capsys):
    from callqa.cli import main

    code = main(["run", str(SAMPLES), "--db", str(tmp_path / "x.db"), "--report-base-url", "https://x.example/a b"])
    assert code == 6
    err = capsys.readouterr().err
    assert "callqa: error: --report-base-url" in err and "Traceback" not in err
    assert not (tmp_path / "x.db").exists()


# ---- the notification -------------------------------------------------------------------------

@dataclass
class Hook:
    url: str
    bodies: list[bytes]


@pytest.fixture
def hook() -> Iterator[Hook]:
    """A real HTTP server on 127.0.0.1 recording every POST body (apprise's json:// target)."""
    bodies: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            bodies.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Hook(f"json://127.0.0.1:{server.server_port}/hook", bodies)
    finally:
        server.shutdown()
        server.server_close()


def assert_counts_and_links_only(payload: dict, night: list[Spec], base_url: str | None) -> None:
    text = json.dumps(payload)
    for s in night:
        for value in (s.call_id, s.handler_id, s.area):
            assert not re.search(rf"\b{re.escape(value)}\b", text), value
    for word in (*TRANSCRIPT_WORDS, CALLER_QUOTE, "greeting", "Greeting", "empathy", "silence", "Stafford",
                 "Cannock", "2026", ":05"):
        assert word not in text, word
    links = re.findall(r"https?://\S+", payload["message"])
    assert links == ([f"{base_url}/queue", f"{base_url}/runs"] if base_url else [])


def test_the_notification_carries_counts_and_links_only(tmp_path, hook):
    from callqa.batch.notify import notification_for, send_notification

    base = "https://qa.example.internal/callqa"
    report, md, night, _ = night_report(tmp_path, date(2026, 11, 25), base_url=base)
    assert send_notification((hook.url,), notification_for(report)) is True
    (body,) = hook.bodies
    payload = json.loads(body)
    assert payload["title"] == "callqa run 7: 3 flagged calls"
    assert "5 calls: 5 analysed" in payload["message"]
    assert "flags: 1 high, 1 medium, 2 low, 1 to review" in payload["message"]
    assert_counts_and_links_only(payload, night, base)
    assert CALLER_QUOTE in md   # the report has it; the notification must not


def test_an_unreachable_notification_target_does_not_raise(tmp_path):
    from callqa.batch.notify import notification_for, send_notification

    report, *_ = night_report(tmp_path, date(2026, 11, 25))
    assert send_notification(("json://127.0.0.1:1/hook",), notification_for(report)) is False


# ---- the nightly flow: the file, the artifact and the notification ------------------------------

MANIFEST = ["call_id", "audio", "started_at", "call_type", "area", "handler_id", "channels", "answer_delay_s",
            "training"]


def test_the_nightly_flow_writes_the_report_and_publishes_the_artifact(prefect_harness, tmp_path, hook, monkeypatch):
    """Two calls already analysed with this engine, model and rules: the run analyses nothing (no
    speech model), and still writes, publishes and notifies the night's report."""
    import csv

    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from callqa.batch import load_settings
    from callqa.batch.digests import audio_digests
    from callqa.flows.nightly import REPORT_ARTIFACT, nightly
    from callqa.recorder_export import read_export

    export = tmp_path / "export"
    export.mkdir()
    specs = [Spec("F1", utc(2026, 11, 25, 21, 14), "Stafford", "H7", "999", 6.0,
                  flags=[{"indicator": "greeting", "severity": "high", "reason": "no greeting at 3.0 s"}]),
             Spec("F2", utc(2026, 11, 25, 22, 0), "Cannock", "H8", "101", 30.0)]
    with open(export / "manifest.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=MANIFEST)
        writer.writeheader()
        for spec, wav in zip(specs, ("good_999.wav", "mate.wav")):
            shutil.copy(SAMPLES / wav, export / wav)
            writer.writerow({"call_id": spec.call_id, "audio": wav, "started_at": spec.started_at.isoformat(),
                             "call_type": spec.call_type, "area": spec.area, "handler_id": spec.handler_id,
                             "channels": "stereo-handler-left", "answer_delay_s": spec.answer_delay_s,
                             "training": "false"})
    settings = load_settings(None)
    db = f"sqlite:///{tmp_path / 'store.db'}"
    store = Store(db)
    listing = read_export(str(export))
    store.upsert_calls(listing.calls, None)
    digests = audio_digests(listing.calls)
    for spec in specs:
        store.save_analysis(result_for(spec, settings.engine, settings.model, settings.rules.version),
                            digests[spec.call_id], None)
    store.engine.dispose()

    monkeypatch.setenv("CALLQA_NOTIFY_URLS", hook.url)
    base = "http://127.0.0.1:8000"
    state = nightly(export_dir=str(export), db=db, report_dir=str(tmp_path / "reports"), report_base_url=base,
                    return_state=True)
    summary = state.result()
    assert summary["counts"]["skipped"] == 2 and summary["counts"]["flagged"] == 0   # nothing re-done
    report = (tmp_path / "reports" / f"run-{summary['run_id']}.md").read_text()
    assert f"| [F1]({base}/calls/F1) | 2026-11-25 21:14 GMT | Greeting | No greeting at 0:03 | H7 | Stafford |" \
        in report
    assert "999 calls answered within 10 s" in report and "### Calls flagged, by area" in report

    flow_run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[REPORT_ARTIFACT])))
    mine = [a for a in artifacts if a.flow_run_id == flow_run_id]
    assert len(mine) == 1 and mine[0].type == "markdown"
    assert mine[0].data == report

    store = Store(db)
    (audit,) = store.audit_entries(action="morning_report")
    store.engine.dispose()
    assert audit["actor"] == "nightly" and audit["details"]["run_id"] == summary["run_id"]
    assert audit["details"]["call_ids"] == ["F1"] and audit["details"]["notified"] is True

    (body,) = hook.bodies
    payload = json.loads(body)
    assert payload["title"] == f"callqa run {summary['run_id']}: 1 flagged call"
    assert "flags: 1 high, 0 medium, 0 low, 0 to review" in payload["message"]
    assert_counts_and_links_only(payload, specs, base)


def test_callqa_run_accepts_a_report_section_in_the_settings_file(tmp_path, capsys):
    from callqa.cli import main

    config = tmp_path / "callqa.toml"
    config.write_text('[report]\nbase_url = "https://qa.example.internal"\n')
    # every check before Prefect passes but the last (an unknown reader): the [report] section is fine
    code = main(["run", str(SAMPLES), "--db", str(tmp_path / "x.db"), "--config", str(config), "--reader", "nope"])
    assert (code, "unknown export reader" in capsys.readouterr().err) == (4, True)
