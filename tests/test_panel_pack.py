"""Panel packs: self-contained, redacted, scores hidden until answered, answers saved to a file.

The pack is opened from disk (file://) in real headless Chromium, as a member would open it from a
USB stick, and every request the page makes is recorded.
"""

from __future__ import annotations

import json
import re
from html import unescape
from html.parser import HTMLParser
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from sqlalchemy import select

from callqa.cli import main
from callqa.pipeline.errors import CallQAError
from callqa.recorder_export import CallRecord
from callqa.panel.answers import import_answers
from callqa.panel.pack import PSEUDONYM, build_pack
from callqa.panel.pack_comparison import NO_CHECK, NOT_RUN, answer_meanings, pair_questions
from callqa.panel.pack_findings import findings, flag_lines, pack_evidence, pack_reason
from callqa.panel.questionnaire import load_questionnaire, parse_questionnaire
from callqa.panel.sampling import SampleFilters, sample
from callqa.store import Store
from callqa.store import schema as t
from tests.conftest import ROOT, SAMPLES
from tests.test_panel_answers import synthetic_result

CALLS = ("mate", "unexplained_silence", "good_999")
PERSONAL = ROOT / "tests" / "data" / "redaction"


def _personal_fixture() -> Path | None:
    wavs = sorted(PERSONAL.glob("*.wav")) if PERSONAL.is_dir() else []
    return wavs[0] if wavs else None


def _sources() -> dict[str, tuple[Path, str]]:
    sources = {name: (SAMPLES / f"{name}.wav", "stereo-handler-left") for name in CALLS}
    if (personal := _personal_fixture()) is not None:
        sources["personal_details"] = (personal, "mono")
    return sources


@pytest.fixture(scope="module")
def packed_store(tmp_path_factory, analyzer):
    """A real store: three sample calls plus a call with planted personal details, all analysed."""
    folder = tmp_path_factory.mktemp("pack-store")
    store = Store(f"sqlite:///{folder / 'callqa.db'}")
    sources = _sources()
    records = []
    for i, (call_id, (path, layout)) in enumerate(sources.items()):
        records.append(CallRecord(call_id, path, datetime(2026, 11, 25, 9 + i, tzinfo=timezone.utc),
                                  "999" if call_id == "good_999" else "101", "Stafford", f"HANDLER{i}X", layout,
                                  5.0, False, f"row {i}", {"caller_number": "07700 900461"}))
    store.upsert_calls(records, None)
    for call_id, (path, layout) in sources.items():
        store.save_analysis(analyzer.analyze(path, layout, call_id).to_dict(), f"sha-{call_id}", None)
    draw = sample(store, "North Staffs panel", SampleFilters(n=len(sources)), seed=6, requested_by="tester")
    return store, draw, folder


@pytest.fixture(scope="module")
def pack(packed_store):
    store, draw, folder = packed_store
    return build_pack(store, draw.draw_id, folder / "pack", actor="coordinator")


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.attrs: list[tuple[str, str, str]] = []  # tag, attribute, value

    def handle_starttag(self, tag, attrs):
        self.attrs += [(tag, name, value or "") for name, value in attrs]


def attributes(html: str) -> list[tuple[str, str, str]]:
    parser = _Attributes()
    parser.feed(html)
    return parser.attrs


def pack_data(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="pack-data">(.*?)</script>', html, re.S)[1])


def pack_key(store: Store, pack_id: str) -> dict:
    with store.engine.connect() as conn:
        row = conn.execute(select(t.panel_packs).where(t.panel_packs.c.pack_id == pack_id)).mappings().one()
    return dict(row)


def test_pack_names_calls_by_pseudonyms_only(pack, packed_store):
    """data-call attributes, the embedded JSON and file names carry the pack's own pseudonyms, never call ids."""
    html = pack.index.read_text(encoding="utf-8")
    pseudonyms = [c.pseudonym for c in pack.calls]
    assert all(PSEUDONYM.fullmatch(p) for p in pseudonyms) and len(set(pseudonyms)) == len(pseudonyms)
    call_ids = [c.call_id for c in pack.calls]
    stems = [Path(p).stem for p, _ in _sources().values()]
    found = attributes(html)
    assert {v for _, a, v in found if a.startswith("data-call")} == set(pseudonyms)
    assert not [a for _, a, _ in found if a == "data-call-id"]
    for _, name, value in found:
        if name in ("id", "href", "src", "name", "for") or name.startswith("data-call"):
            assert not any(x in value for x in call_ids + stems), (name, value)
    data = pack_data(html)
    assert data["calls"] == pseudonyms
    text = json.dumps(data)
    assert not any(x in text for x in call_ids + stems), text
    names = [str(p.relative_to(pack.folder)) for p in pack.folder.rglob("*")]
    assert not any(x in n for n in names for x in call_ids + stems), names


def test_pack_key_is_kept_in_the_store_not_with_the_pack(pack, packed_store):
    store, draw, folder = packed_store
    key = pack_key(store, pack.pack_id)
    assert key["draw_id"] == draw.draw_id
    assert key["pseudonyms"] == {c.pseudonym: c.call_id for c in pack.calls}
    assert sorted(key["pseudonyms"].values()) == sorted(c for c, _ in draw.calls)
    assert not list(folder.rglob("key*.json")) and not list(folder.rglob("*.key"))


# --- recorder-style ids: nothing of them may reach the pack --------------------------------------

RECORDER = {  # call id -> (audio file name, handler id): a phone number in the id, descriptive ids
    "20261126-0915-07700900123": ("NICE-4471-20261126T091500.wav", "H-90210"),
    "20261126-1022-01782555018": ("NICE-4472-20261126T102200.wav", "H-90211"),
    "no_greeting": ("no_greeting.wav", "PC-4471-JONES"),
    "distressed_no_empathy": ("distressed_no_empathy_take2.wav", "H-90212"),
    "late_answer_999": ("late_answer_999.wav", "H-90213"),
}


@pytest.fixture(scope="module")
def recorder_store(tmp_path_factory):
    """Stored results (synthetic, no speech-to-text) for calls named the way a recorder names them."""
    folder = tmp_path_factory.mktemp("recorder-store")
    store = Store(f"sqlite:///{folder / 'callqa.db'}")
    rate = 8000
    tone = (0.1 * np.sin(2 * np.pi * 440 * np.arange(2 * rate) / rate)).astype(np.float32)
    records = []
    for i, (call_id, (audio, handler)) in enumerate(RECORDER.items()):
        sf.write(folder / audio, np.stack([tone, tone[::-1]], axis=1), rate, subtype="PCM_16")
        records.append(CallRecord(call_id, folder / audio, datetime(2026, 11, 26, 9, tzinfo=timezone.utc)
                                  + timedelta(hours=i), "101", "Stafford", handler, "stereo-handler-left", 5.0,
                                  False, f"{audio} row {i}", {"caller_number": "07700 900123"}))
    store.upsert_calls(records, None)
    for call_id in RECORDER:
        result = synthetic_result(call_id, {"greeting": "fail"} if "greeting" in call_id else {})
        for name, ind in result["indicators"].items():
            ind["reason"] = f"{name}: {ind['status']}"
        for flag in result["flags"]:
            flag["reason"] = f"{flag['indicator']} flagged"
        result["duration_s"] = 2.0
        store.save_analysis(result, f"sha-{call_id}", None)
    draw = sample(store, "North Staffs panel", SampleFilters(n=len(RECORDER)), seed=11, requested_by="tester")
    return store, draw, folder


def test_no_recorder_id_audio_name_or_handler_id_reaches_the_pack(recorder_store):
    store, draw, folder = recorder_store
    pack = build_pack(store, draw.draw_id, folder / "pack")
    secrets_ = set(RECORDER) | {"07700900123", "01782555018"}
    for call_id, (audio, handler) in RECORDER.items():
        secrets_ |= {audio, Path(audio).stem, handler}
    for path in [pack.folder, *pack.folder.rglob("*")]:
        name = str(path.relative_to(folder))
        assert not any(s in name for s in secrets_), name
        if path.is_file():
            raw = path.read_bytes()
            leaked = [s for s in secrets_ if s.encode() in raw]
            assert not leaked, (name, leaked)
    html = pack.index.read_text(encoding="utf-8")
    assert pack_data(html)["calls"] == [c.pseudonym for c in pack.calls]
    assert not any(c.redactions for c in pack.calls)  # not hidden by redaction: the ids never went in
    assert pack_key(store, pack.pack_id)["pseudonyms"] == {c.pseudonym: c.call_id for c in pack.calls}
    entry = store.audit_entries(action="panel_pack")[0]["details"]  # the QA side keeps the call ids
    assert entry["pack_id"] == pack.pack_id and sorted(entry["calls"]) == sorted(RECORDER)


def test_each_pack_of_a_draw_has_its_own_pseudonyms_and_order(recorder_store):
    store, draw, folder = recorder_store
    packs = [build_pack(store, draw.draw_id, folder / f"again-{i}") for i in range(3)]
    assert len({p.pack_id for p in packs}) == 3
    first, second, third = ({c.pseudonym for c in p.calls} for p in packs)
    assert not (first & second) and not (first & third) and not (second & third)
    # The draw order (999 calls first, then flagged ones) would tell a member which calls were
    # flagged: each pack shows its calls in its own random order.
    in_draw = [c for c, _ in draw.calls]
    assert any([c.call_id for c in p.calls] != in_draw for p in packs)
    for p in packs:
        assert sorted(c.call_id for c in p.calls) == sorted(in_draw)
        assert [c.position for c in p.calls] == list(range(1, len(in_draw) + 1))
        assert [c.audio_file for c in p.calls] == [f"audio/call-{i:02d}.wav" for i in range(1, len(in_draw) + 1)]


def test_pack_folder_is_self_contained(pack):
    html = pack.index.read_text(encoding="utf-8")
    assert sorted(p.name for p in pack.folder.iterdir()) == ["README.txt", "audio", "index.html"]
    assert len(list((pack.folder / "audio").glob("call-*.wav"))) == len(pack.calls)
    # No external scripts, styles, fonts or links; a CSP that blocks any request anyway.
    for marker in ("http://", "https://", "<link", "src=\"//", "@import", "url("):
        assert marker not in html.replace("http://www.w3.org/2000/svg", ""), marker
    assert "default-src 'none'" in unescape(html)
    # The caller's number (recorder metadata) and the handler's id never reach the pack.
    assert "07700" not in html and "HANDLER" not in html


def test_pack_audio_is_the_redacted_call(pack, packed_store):
    store = packed_store[0]
    for call in pack.calls:
        samples, rate = sf.read(pack.folder / call.audio_file)
        assert samples.ndim == 1 and rate == 8000
        assert abs(len(samples) / rate - call.result["duration_s"]) < 0.1
        assert call.result.get("redaction", {}).get("applied") is True
    entries = store.audit_entries(action="panel_pack")
    assert entries and entries[0]["details"]["redacted"] is True and entries[0]["actor"] == "coordinator"


@pytest.mark.skipif(_personal_fixture() is None, reason="no personal-details fixture in tests/data/redaction")
def test_pack_redacts_planted_details(pack, packed_store):
    """The planted call's details are placeholders in the page, and bleeps in the pack's audio."""
    from callqa.panel.redact import audio_spans, find_redactions

    call = next(c for c in pack.calls if c.call_id == "personal_details")
    assert sum(call.redactions.values()) >= 3
    html = pack.index.read_text(encoding="utf-8")
    for placeholder in ("[NAME]", "[PHONE]", "[POSTCODE]"):
        assert placeholder in html
    original = packed_store[0].call_result("personal_details")
    spans = audio_spans(find_redactions(original["transcript"]))
    samples, rate = sf.read(pack.folder / call.audio_file)
    assert spans and call.result["redaction"]["audio_spans"] == [[round(a, 2), round(b, 2)] for a, b in spans]
    assert html.count('class="bleep"') >= len(spans)
    for start, end in spans:
        middle = samples[int((start + 0.02) * rate):int((end - 0.02) * rate)]
        spectrum = np.abs(np.fft.rfft(middle))
        assert abs(np.argmax(spectrum) * rate / len(middle) - 1000) < 20  # the bleep, not speech


def test_unredacted_pack_needs_a_reason_and_is_audited(packed_store):
    store, draw, folder = packed_store
    with pytest.raises(CallQAError, match="reason"):
        build_pack(store, draw.draw_id, folder / "plain", redact=False, actor="coordinator")
    assert not (folder / "plain").exists()
    pack = build_pack(store, draw.draw_id, folder / "plain", redact=False, reason="QA training session",
                      actor="coordinator")
    assert "NOT REDACTED" in pack.index.read_text(encoding="utf-8")
    off = store.audit_entries(action="redaction_off")
    assert off[0]["details"]["reason"] == "QA training session" and off[0]["details"]["draw_id"] == draw.draw_id


def test_pack_refuses_to_overwrite_other_folders(packed_store, tmp_path):
    store, draw, _ = packed_store
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("keep me")
    with pytest.raises(CallQAError, match="not empty"):
        build_pack(store, draw.draw_id, tmp_path / "busy")
    assert (tmp_path / "busy" / "notes.txt").read_text() == "keep me"
    with pytest.raises(CallQAError, match="no panel draw 999"):
        build_pack(store, 999, tmp_path / "none")


def test_cli_panel_pack(packed_store, tmp_path, capsys):
    store, draw, folder = packed_store
    url = f"sqlite:///{folder / 'callqa.db'}"
    assert main(["panel", "pack", str(draw.draw_id), "--out", str(tmp_path / "p"), "--db", url]) == 0
    assert "open " in capsys.readouterr().out and (tmp_path / "p" / "index.html").exists()
    assert main(["panel", "pack", str(draw.draw_id), "--out", str(tmp_path / "q"), "--db", url,
                 "--no-redact"]) == 2
    assert "reason" in capsys.readouterr().err


# --- in a real browser -------------------------------------------------------------------------

@pytest.fixture
def page(browser, pack):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.requests, page.console = [], []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("console", lambda message: page.console.append(message.text))
    page.goto(pack.index.as_uri())
    yield page
    context.close()


def _answer_all(page, position: int, questionnaire) -> None:
    section = page.locator(f"#call-{position}")
    for q in questionnaire.questions:
        fieldset = section.locator(f'fieldset[data-question="{q.id}"]')
        if q.answer == "text":
            fieldset.locator("textarea").fill("clear and polite")
        elif q.answer == "scale":
            fieldset.locator(f'input[value="{q.max}"]').check()
        else:
            fieldset.locator('input[value="yes"]').check()


def test_pack_makes_no_network_request(page, pack):
    page.wait_for_load_state("load")
    page.evaluate("document.querySelector('#call-1 audio').load()")
    page.wait_for_function("() => document.querySelector('#call-1 audio').readyState >= 1")
    assert page.requests, "the page itself was not recorded"
    assert all(url.startswith(("file://", "blob:", "data:")) for url in page.requests), page.requests
    assert not [m for m in page.console if "Content Security Policy" in m], page.console


def test_audio_element_plays_the_redacted_audio(page, pack):
    page.evaluate("document.querySelector('#call-1 audio').play()")
    page.wait_for_function("() => document.querySelector('#call-1 audio').currentTime > 0.3", timeout=15000)
    state = page.evaluate("""() => { const a = document.querySelector('#call-1 audio');
        return {src: a.currentSrc, duration: a.duration, error: a.error && a.error.code}; }""")
    assert state["error"] is None and state["src"].endswith(pack.calls[0].audio_file)
    assert abs(state["duration"] - pack.calls[0].result["duration_s"]) < 0.2
    # A transcript line's time button seeks the player there.
    button = page.locator("#call-1 .transcript .seek").nth(1)
    start = float(button.get_attribute("data-start"))
    button.click()
    page.wait_for_function(f"() => Math.abs(document.querySelector('#call-1 audio').currentTime - {start}) < 0.5")


def test_prescores_hidden_until_answered_then_answers_lock(page, pack):
    questionnaire = load_questionnaire()
    prescores, reveal = page.locator("#call-1 .prescores"), page.locator("#call-1 .reveal")
    flagged = next(c for c in pack.calls if c.result["flags"])
    flag_marker = page.locator(f"#call-{flagged.position} .timeline .flag").first
    assert not prescores.is_visible() and reveal.is_disabled() and not flag_marker.is_visible()
    _answer_all(page, 1, questionnaire)
    assert reveal.is_enabled() and not prescores.is_visible()
    reveal.click()
    assert prescores.is_visible()
    assert page.locator("#call-1 .indicators tbody tr").count() == len(pack.calls[0].result["indicators"])
    assert page.locator("#call-1 .questions input").first.is_disabled()
    # Other calls stay hidden.
    assert not page.locator("#call-2 .prescores").is_visible()


def test_answers_save_to_a_file_that_imports_back(page, pack, packed_store, tmp_path):
    questionnaire = load_questionnaire()
    _answer_all(page, 1, questionnaire)
    page.locator("#call-1 .reveal").click()
    _answer_all(page, 2, questionnaire)
    page.locator("#save-answers").click()
    assert "name" in page.locator("#save-status").inner_text()  # a name is needed first
    page.locator("#member-name").fill("P. Member")
    with page.expect_download() as info:
        page.locator("#save-answers").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    text = path.read_text()
    saved = json.loads(text)
    assert saved["format"] == "callqa-panel-answers" and saved["format_version"] == 2
    assert saved["member"] == "P. Member" and saved["pack_id"] == pack.pack_id
    assert saved["draw_id"] == pack.draw_id and saved["questionnaire"]["version"] == questionnaire.version
    # The file names the calls by the pack's pseudonyms only: never the recorder's call ids.
    by_call = {c["call"]: c for c in saved["calls"]}
    assert list(by_call) == [pack.calls[0].pseudonym, pack.calls[1].pseudonym]
    assert not any(c.call_id in text for c in pack.calls), text
    assert by_call[pack.calls[0].pseudonym]["revealed_scores"] is True
    assert by_call[pack.calls[1].pseudonym]["revealed_scores"] is False
    required = [q.id for q in questionnaire.questions if q.answer != "text"]
    assert all(by_call[pack.calls[1].pseudonym]["answers"][q] for q in required)
    # The saved file is what `callqa panel import` takes: the pack's key maps it back to the calls.
    store = packed_store[0]
    summary = import_answers(store, [path], actor="coordinator")
    assert summary.stored == sum(len([v for v in c["answers"].values() if v]) for c in saved["calls"])
    with store.engine.connect() as conn:
        stored = set(conn.execute(select(t.panel_answers.c.call_id).where(
            t.panel_answers.c.source_sha256 == summary.files[0]["sha256"])).scalars())
    assert stored == {pack.calls[0].call_id, pack.calls[1].call_id}
    # Answers survive reopening the pack (kept in the browser) and the reveal stays recorded.
    page.reload()
    assert page.locator("#call-1 .prescores").is_visible()
    assert page.locator("#member-name").input_value() == "P. Member"


# --- after the reveal: plain words, the member's answers beside the automated checks --------------

# What a member must never read: rule-pack keys, "part k of n", snake_case names.
RULE_KEY = re.compile(r"[a-z_]+\.[a-z_]+")
PART_K_OF_N = re.compile(r"part \d+ of \d+", re.I)
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b", re.I)


def jargon(text: str) -> list[str]:
    return [m.group() for p in (RULE_KEY, PART_K_OF_N, SNAKE) for m in p.finditer(text)]


# Reasons and evidence as the indicators write them (and as older stored results still hold them).
INDICATOR_WORDS = [
    "closing stretch (from 0.5 s) lacks a recap and check of understanding",
    "no acknowledgement in 2 of 2 part(s) where the caller spoke, first from 0.5 s",
    "caller distressed at 9.1 s ('scared'); no empathy from the handler",
    "0 interruption(s); caller spoke 63% of the talk time",
    "next steps stated at 26.1 s (next_steps.phrases: 'keep the door locked')",
    "mono recording: the caller's words cannot be told from the handler's",
    "unexplained_silence fail on call",
    "no recap in the last part of the call (from 184 s), intents.recap (part 1 of 3)",
]


@pytest.mark.parametrize("words", INDICATOR_WORDS)
def test_pack_reasons_are_plain(words):
    plain = pack_reason(words)
    assert plain and not jargon(plain), plain
    assert not plain[0].islower() and " s " not in f"{plain} " and "(s)" not in plain


def test_pack_reasons_keep_their_meaning():
    assert pack_reason(INDICATOR_WORDS[0]) == "The end of the call (from 0:00) lacks a recap and check of understanding"
    assert pack_reason(INDICATOR_WORDS[2]).startswith("Caller distressed at 0:09")
    assert pack_reason(INDICATOR_WORDS[3]) == "No interruptions; caller spoke 63% of the talk time"
    assert pack_reason(INDICATOR_WORDS[6]) == "Unexplained silence fail on call"
    assert pack_reason("acknowledged in all 1 part(s) where the caller spoke") == "Acknowledged each time the caller spoke"


def test_pack_evidence_reads_as_sentences_with_a_moment_only_where_there_is_one():
    said = pack_evidence("next_steps", {"speaker": "handler", "start_s": 26.1, "end_s": 27.9,
                                        "text": "Keep the door locked.", "rule": "next_steps.phrases: 'keep the door locked'"})
    assert said.text == "The handler said \u201cKeep the door locked.\u201d at 0:26" and said.start_s == 26.1
    answered = pack_evidence("answer_time", {"speaker": None, "start_s": 0.0, "end_s": 0.0,
                                             "text": "999 call answered after 7.5 s", "rule": "answer_time.target_999_s"})
    assert answered.start_s is None and "Someone" not in answered.text and not jargon(answered.text), answered
    silence = pack_evidence("unexplained_silence", {"speaker": "handler", "start_s": 67.0, "end_s": 79.4,
                                                    "text": "let me check", "rule": "silence.fail_s: unexplained"})
    assert silence.text == "A 12-second silence from 1:07, after the handler said \u201clet me check\u201d"


def test_findings_and_flags_carry_no_rule_keys():
    result = synthetic_result("x", {"greeting": "fail", "recap": "not_applicable"})
    result["indicators"]["greeting"]["confidence"] = 0.4
    found = {f.indicator: f for f in findings(result, review_below=0.6)}
    assert found["greeting"].status_text == "Not met" and found["greeting"].unsure and found["greeting"].met is False
    assert found["recap"].status_text == "Not applicable" and found["recap"].met is None and not found["recap"].unsure
    assert found["unexplained_silence"].title == "Unexplained silence"
    for f in found.values():
        assert not jargon(f.title + f.reason + " ".join(e.text for e in f.evidence)), f
    (flag,) = flag_lines(result)
    assert flag.title == "Greeting" and flag.severity == "Medium" and flag.start_s == 3.25
    assert not jargon(flag.reason)


CUSTOM_QUESTIONNAIRE = {
    "name": "custom", "version": "1.0", "title": "A panel's own questions", "questions": [
        {"id": "greeting", "text": "Was the caller greeted properly?", "answer": "yes_no_partly",
         "indicator": "greeting"},
        {"id": "warmth", "text": "How warm was the handler?", "answer": "scale", "min": 1, "max": 5,
         "labels": ["cold", "cool", "fair", "warm", "very warm"], "pass_at": 4, "indicator": "empathy"},
        {"id": "polite", "text": "Was the handler polite?", "answer": "yes_no"},
        {"id": "vulnerable", "text": "Was a vulnerability followed up?", "answer": "yes_no",
         "indicator": "vulnerability"},
        {"id": "comments", "text": "Anything else?", "answer": "text"},
    ]}


def test_questions_pair_with_their_checks_and_say_when_there_is_none():
    questionnaire = parse_questionnaire(CUSTOM_QUESTIONNAIRE, "custom.toml")
    result = synthetic_result("x", {"greeting": "fail"})
    del result["indicators"]["vulnerability"]   # a rule pack without that check
    pairs = {p.question_id: p for p in pair_questions(questionnaire, findings(result, 0.6))}
    assert [p.number for p in pairs.values()] == [1, 2, 3, 4, 5]
    assert pairs["greeting"].status_text == "Not met" and pairs["greeting"].auto_met is False
    assert pairs["greeting"].check_title == "Greeting" and pairs["greeting"].listen_at == 12.5
    assert pairs["warmth"].status_text == "Met" and pairs["warmth"].check_title == "Empathy and support"
    assert pairs["polite"].status is None and pairs["polite"].reason == NO_CHECK and pairs["polite"].auto_met is None
    assert pairs["comments"].reason == NO_CHECK
    assert pairs["vulnerable"].status_text == "Not checked" and pairs["vulnerable"].reason == NOT_RUN
    meanings = {q.id: answer_meanings(q) for q in questionnaire.questions}
    assert meanings["greeting"]["met"] == {"yes": True, "no": False, "partly": False, "not_sure": None}
    assert meanings["greeting"]["labels"]["not_sure"] == "Not sure"
    assert meanings["warmth"]["met"] == {"1": False, "2": False, "3": False, "4": True, "5": True}
    assert meanings["warmth"]["labels"]["4"] == "4 (warm)"
    assert meanings["comments"] == {"id": "comments", "labels": {}, "met": {}}


# Mixed answers, so a revealed call shows both the same and different views.
MIXED = {"greeting": "yes", "listening": "no", "acknowledgement": "partly", "empathy": "not_sure",
         "silence": "yes", "next_steps": "no", "recap": "yes"}


def _answer(page, position: int, questionnaire, answers: dict[str, str]) -> None:
    section = page.locator(f"#call-{position}")
    for q in questionnaire.questions:
        fieldset = section.locator(f'fieldset[data-question="{q.id}"]')
        value = answers.get(q.id, "yes")
        if q.answer == "text":
            fieldset.locator("textarea").fill(value)
        else:
            fieldset.locator(f'input[value="{value}"]').check()


def _expected_outcome(question, answer: str, status: str | None) -> str:
    mine = question.met(answer)
    auto = {"pass": True, "fail": False}.get(status or "")
    if mine is None or auto is None:
        return "not-compared"
    return "same" if mine == auto else "different"


def _rows(page, position: int) -> dict[str, dict[str, str]]:
    return page.evaluate("""(position) => Object.fromEntries(
        [...document.querySelectorAll(`#call-${position} tr.pair`)].map(row => [row.dataset.question, {
            question: row.querySelector('.question-text').innerText,
            answer: row.querySelector('.your-answer').innerText,
            status: row.querySelector('.automated .status').innerText,
            automated: row.querySelector('.automated').innerText,
            views: row.querySelector('.agreement').innerText, outcome: row.dataset.outcome}]))""", position)


def test_revealed_call_shows_each_answer_beside_the_automated_check(page, pack):
    """After answering and revealing, every question's row holds the member's answer, the
    automated check's result and reason, and whether the two views are the same."""
    questionnaire = load_questionnaire()
    call = pack.calls[0]
    _answer(page, 1, questionnaire, MIXED)
    assert not page.locator("#call-1 .compare").is_visible()
    page.locator("#call-1 .reveal").click()
    assert page.locator("#call-1 .compare").is_visible()
    rows = _rows(page, 1)
    assert list(rows) == [q.id for q in questionnaire.questions]
    labels = {"yes": "Yes", "no": "No", "partly": "Partly", "not_sure": "Not sure"}
    outcomes = []
    for q in questionnaire.questions:
        row, status = rows[q.id], call.result["indicators"][q.indicator]["status"]
        assert row["question"].endswith(q.text)
        assert row["answer"] == labels[MIXED[q.id]]
        assert row["status"] == {"pass": "Met", "fail": "Not met", "not_applicable": "Not applicable"}[status]
        assert row["outcome"] == _expected_outcome(q, MIXED[q.id], status), (q.id, row)
        assert row["views"].endswith({"same": "Same view", "different": "Different view"}.get(
            row["outcome"], "You were not sure" if MIXED[q.id] == "not_sure" else "Not compared"))
        outcomes.append(row["outcome"])
    assert "different" in outcomes and "same" in outcomes  # the mix shows both
    same, compared = outcomes.count("same"), outcomes.count("same") + outcomes.count("different")
    summary = page.locator("#call-1 .compare-summary").inner_text()
    assert f"same view on {same} of the {compared} questions" in summary
    note = page.locator("#call-1 .compare-note").inner_text()  # a different view is not the member's mistake
    assert "not a mistake" in note and "wrong" not in summary.lower() + note.lower()
    # The answers stay locked after the reveal, and a reload shows the same comparison.
    assert all(page.locator("#call-1 .questions input").evaluate_all("els => els.map(e => e.disabled)"))
    page.reload()
    assert _rows(page, 1) == rows


def _revealed_text(page) -> dict[str, list[str]]:
    return page.evaluate("""() => ({
        findings: [...document.querySelectorAll('.prescores .reason, .prescores .evidence-text, .prescores .flags li,'
                                                 + ' .prescores .check-title, .prescores .compare-summary')]
                    .map(e => e.innerText),
        whole: [...document.querySelectorAll('.prescores')].map(e => e.innerText)})""")


def test_revealed_pack_has_no_rule_keys_or_jargon(page, pack):
    questionnaire = load_questionnaire()
    for call in pack.calls:
        _answer(page, call.position, questionnaire, MIXED)
        page.locator(f"#call-{call.position} .reveal").click()
    text = _revealed_text(page)
    assert len(text["whole"]) == len(pack.calls) and all(text["whole"])
    assert len(text["findings"]) > 3 * len(pack.calls)
    for line in text["findings"] + text["whole"]:
        assert not jargon(line), (jargon(line), line)
    # Findings carry their moment as m:ss, and no evidence shows the rule that matched it.
    whole = "\n".join(text["whole"])
    assert re.search(r"\b\d+:\d\d\b", whole) and " s)" not in whole and "(s)" not in whole
    rules = {ev["rule"] for c in pack.calls for ind in c.result["indicators"].values() for ev in ind["evidence"]}
    assert rules and not [r for r in rules if len(r) > 6 and r in whole]


def test_questions_without_a_check_say_so(browser, recorder_store, tmp_path):
    """A panel's own questionnaire: a scale, a question with no automated check, a check this rule
    pack did not run, and free text; all shown beside the automated side after the reveal."""
    store, draw, folder = recorder_store
    questionnaire = parse_questionnaire(CUSTOM_QUESTIONNAIRE, "custom.toml")
    pack = build_pack(store, draw.draw_id, tmp_path / "custom", questionnaire=questionnaire)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(pack.index.as_uri())
    answers = {"greeting": "partly", "warmth": "4", "polite": "yes", "vulnerable": "not_sure",
               "comments": "Kind and clear"}
    _answer(page, 1, questionnaire, answers)
    page.locator("#call-1 .reveal").click()
    rows = _rows(page, 1)
    status = pack.calls[0].result["indicators"]["greeting"]["status"]
    assert rows["greeting"]["answer"] == "Partly"
    assert rows["greeting"]["outcome"] == _expected_outcome(questionnaire.question("greeting"), "partly", status)
    assert rows["warmth"]["answer"] == "4 (warm)" and rows["warmth"]["outcome"] == "same"  # empathy passes
    assert rows["polite"]["status"] == "No automated check" and NO_CHECK in rows["polite"]["automated"]
    assert rows["polite"]["outcome"] == "not-compared" and rows["polite"]["views"] == "Not compared"
    assert rows["vulnerable"]["views"] == "You were not sure"
    assert rows["comments"]["answer"] == "Kind and clear" and rows["comments"]["outcome"] == "not-compared"
    for line in sum(_revealed_text(page).values(), []):
        assert not jargon(line), (jargon(line), line)
    context.close()


PLAYER_IN_VIEW = """(position) => {
    const audio = document.querySelector(`#call-${position} audio`);
    const r = audio.getBoundingClientRect(), bar = audio.closest('.player-bar').getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, bar: bar.height,
            reachable: !!hit && audio.closest('.player-bar').contains(hit),
            width: innerWidth, height: innerHeight, scrolled: scrollY,
            overflow: document.documentElement.scrollWidth - innerWidth}; }"""


def _player_visible(page, position: int, max_bar: float) -> dict:
    box = page.evaluate(PLAYER_IN_VIEW, position)
    assert box["scrolled"] > 0, box
    assert 0 <= box["top"] and box["bottom"] <= box["height"], box
    assert 0 <= box["left"] and box["right"] <= box["width"], box
    assert box["reachable"] and box["bar"] <= max_bar, box
    assert box["overflow"] <= 0, box  # no sideways scrolling
    return box


@pytest.mark.parametrize("width, max_bar", [(390, 110), (1280, 70)])  # measured: 79 and 54 px
def test_player_stays_in_view_while_scrolling_questions_and_scores(browser, pack, width, max_bar):
    """The call's player bar sticks to the top while its questions, and after the reveal its
    scores, scroll under it; it stays small (the old sticky header took 393 px of a phone)."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(pack.index.as_uri())
    questionnaire = load_questionnaire()
    last = questionnaire.questions[-1].id
    page.locator(f'#call-1 fieldset[data-question="{last}"]').scroll_into_view_if_needed()
    _player_visible(page, 1, max_bar)
    _answer(page, 1, questionnaire, MIXED)
    page.locator("#call-1 .reveal").click()
    page.locator("#call-1 .compare tbody tr").last.scroll_into_view_if_needed()
    _player_visible(page, 1, max_bar)
    page.locator("#call-1 .prescores > :last-child").scroll_into_view_if_needed()
    _player_visible(page, 1, max_bar)
    # The player is the one for the call being read: at the last call, it is the last call's.
    n = len(pack.calls)
    page.locator(f'#call-{n} fieldset[data-question="{last}"]').scroll_into_view_if_needed()
    _player_visible(page, n, max_bar)
    page.locator(f"#call-{n} .player-bar audio").click(position={"x": 20, "y": 20})  # the play button
    page.wait_for_function(f"() => !document.querySelector('#call-{n} audio').paused", timeout=10000)
    context.close()
