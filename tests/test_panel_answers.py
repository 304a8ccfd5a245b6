"""Importing panel answers: every file checked before anything is written, all or nothing, re-import replaces.

A pack names its calls by per-pack pseudonyms (never the recorder's call id); the answers file it
saves (format_version 2) carries only those, and import maps them back through the pack's own key
in the store. Version 1 files (recorder call ids, from packs made before pseudonyms) still import."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import select

from callqa.cli import main
from callqa.pipeline.errors import CallQAError
from callqa.recorder_export import CallRecord
from callqa.panel.answers import MAX_BYTES, AnswersError, answers_schema, import_answers
from callqa.panel.pack import PSEUDONYM, pseudonymise, record_pack_key
from callqa.panel.questionnaire import load_questionnaire
from callqa.panel.sampling import SampleFilters, sample
from callqa.pipeline.rules import INDICATORS
from callqa.store import Store
from callqa.store import schema as t

PANEL = "North Staffs panel"
VERSION = load_questionnaire().version


# ---- helpers shared with test_calibrate.py ------------------------------------------------------


def synthetic_result(call_id: str, statuses: dict[str, str] | None = None) -> dict:
    """A result dict in the stored shape with chosen indicator statuses (default pass); no speech-to-text."""
    statuses = statuses or {}
    indicators = {}
    for i, name in enumerate(INDICATORS):
        status = statuses.get(name, "pass")
        indicators[name] = {"status": status, "reason": f"{name} {status} on {call_id}",
                            "evidence": [{"speaker": "handler", "start_s": 12.5 + i, "end_s": 14.0 + i,
                                          "text": "example words", "rule": name},
                                         {"speaker": "handler", "start_s": 3.25 + i, "end_s": 4.0 + i,
                                          "text": "earlier words", "rule": name}]}
    flags = [{"indicator": name, "reason": ind["reason"], "start_s": 3.25, "severity": "medium"}
             for name, ind in indicators.items() if ind["status"] == "fail"]
    return {"schema_version": 1, "call_id": call_id, "duration_s": 90.0, "layout": "stereo",
            "channel_layout": "stereo-handler-left", "engine": {"name": "faster-whisper", "model": "tiny.en"},
            "rules_version": "test-2026.1", "transcript": [], "speech": {"handler": [], "caller": []},
            "silences": [], "indicators": indicators, "flags": flags, "score": 75.0, "review_priority": "normal"}


def build_store(path: Path, statuses: dict[str, dict[str, str]], panel: str = PANEL) -> tuple[Store, int]:
    """A SQLite store holding one scored call per entry of `statuses` (call_id -> indicator statuses),
    and a recorded draw of all of them for `panel`."""
    store = Store(f"sqlite:///{path}")
    start = datetime(2026, 11, 20, 9, tzinfo=timezone.utc)
    records = [CallRecord(call_id, path, start + timedelta(hours=i), "101", "Stafford", f"H{i % 3}",
                          "stereo-handler-left", 6.0, False, f"manifest.csv row {i + 2}")
               for i, call_id in enumerate(statuses)]
    store.upsert_calls(records, None)
    for call_id, st in statuses.items():
        store.save_analysis(synthetic_result(call_id, st), f"sha-{call_id}", None)
    draw = sample(store, panel, SampleFilters(n=len(statuses)), seed=7, requested_by="panel chair")
    return store, draw.draw_id


@dataclass(frozen=True)
class KeyedPack:
    """What a built pack leaves in the store: its id, its draw and its key (here call id -> pseudonym)."""
    pack_id: str
    draw_id: int
    pseudonyms: dict[str, str]


def make_pack(store: Store, draw_id: int) -> KeyedPack:
    """Record a pack's key for the draw as build_pack does (without building the pack's audio)."""
    with store.engine.connect() as conn:
        calls = conn.execute(select(t.panel_draws.c.calls).where(t.panel_draws.c.id == draw_id)).scalar_one()
    key = pseudonymise([call_id for call_id, _ in calls])
    pack_id = uuid.uuid4().hex
    record_pack_key(store, pack_id, draw_id, key)
    return KeyedPack(pack_id, draw_id, {call_id: pseudonym for pseudonym, call_id in key.items()})


def pack_doc(pack: KeyedPack, calls: dict[str, dict], member: str = "P. Member", **top) -> dict:
    """A version 2 answers file as the pack saves it: `calls` (call id -> answers) under the pack's pseudonyms."""
    doc = answers_doc(pack.draw_id, {}, member, format_version=2, pack_id=pack.pack_id)
    doc["calls"] = [{"call": pack.pseudonyms[call_id], "answers": answers, "revealed_scores": False,
                     "answered_at": "2026-11-26T13:40:00+00:00"} for call_id, answers in calls.items()]
    doc.update(top)
    return doc


def answers_doc(draw_id: int, calls: dict[str, dict], member: str = "P. Member", **top) -> dict:
    """A version 1 answers file (recorder call ids; packs made before pseudonyms wrote these)."""
    doc = {"format": "callqa-panel-answers", "format_version": 1, "draw_id": draw_id, "panel": PANEL,
           "questionnaire": {"name": "default", "version": VERSION}, "member": member,
           "saved_at": "2026-11-26T14:03:00+00:00",
           "calls": [{"call_id": call_id, "answers": answers, "revealed_scores": False,
                      "answered_at": "2026-11-26T13:40:00+00:00"} for call_id, answers in calls.items()]}
    doc.update(top)
    return doc


def write(path: Path, doc: dict | str | bytes) -> Path:
    if isinstance(doc, bytes):
        path.write_bytes(doc)
    else:
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc, indent=2), encoding="utf-8")
    return path


def answer_rows(store: Store) -> list[tuple]:
    pa = t.panel_answers
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(pa.c.draw_id, pa.c.member, pa.c.call_id, pa.c.question_id, pa.c.answer, pa.c.questionnaire,
                   pa.c.source_sha256).order_by(pa.c.member, pa.c.call_id, pa.c.question_id))]


# ---- tests -------------------------------------------------------------------------------------


@pytest.fixture
def store_draw(tmp_path) -> tuple[Store, int]:
    return build_store(tmp_path / "answers.db", {f"C{i:02d}": {} for i in range(5)})


@pytest.fixture
def keyed(store_draw) -> KeyedPack:
    store, draw_id = store_draw
    return make_pack(store, draw_id)


def test_pack_keys_are_random_pseudonyms_kept_in_the_store(store_draw):
    store, draw_id = store_draw
    first, second = make_pack(store, draw_id), make_pack(store, draw_id)
    assert first.pack_id != second.pack_id
    assert sorted(first.pseudonyms) == sorted(second.pseudonyms) == [f"C{i:02d}" for i in range(5)]
    assert all(PSEUDONYM.fullmatch(p) for p in [*first.pseudonyms.values(), *second.pseudonyms.values()])
    assert not set(first.pseudonyms.values()) & set(second.pseudonyms.values())  # a pack's key is its own
    with store.engine.connect() as conn:
        rows = {r.pack_id: r for r in conn.execute(select(t.panel_packs))}
    assert rows[first.pack_id].draw_id == draw_id
    assert rows[first.pack_id].pseudonyms == {p: c for c, p in first.pseudonyms.items()}


def test_good_import_stores_the_answers(tmp_path, store_draw, keyed):
    store, draw_id = store_draw
    doc = pack_doc(keyed, {
        "C00": {"greeting": "Yes", "listening": "partly", "silence": "not sure", "recap": None, "empathy": ""},
        "C03": {"greeting": "no"}})
    doc["calls"][1]["answered_at"] = None          # not every question answered: falls back to saved_at
    doc["calls"][1]["revealed_scores"] = True
    path = write(tmp_path / "a.json", doc)
    assert "C00" not in path.read_text() and "C03" not in path.read_text()  # only the pack's pseudonyms
    summary = import_answers(store, [path], actor="coordinator")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    ref = f"default@{VERSION}"
    assert answer_rows(store) == [                 # mapped back to the calls through the pack's key
        (draw_id, "P. Member", "C00", "greeting", "yes", ref, sha),
        (draw_id, "P. Member", "C00", "listening", "partly", ref, sha),
        (draw_id, "P. Member", "C00", "silence", "not_sure", ref, sha),
        (draw_id, "P. Member", "C03", "greeting", "no", ref, sha)]
    assert summary.stored == 4 and summary.replaced == 0
    with store.engine.connect() as conn:
        times = dict(conn.execute(select(t.panel_answers.c.call_id, t.panel_answers.c.submitted_at)).all())
    assert times["C00"].replace(tzinfo=timezone.utc) == datetime(2026, 11, 26, 13, 40, tzinfo=timezone.utc)
    assert times["C03"].replace(tzinfo=timezone.utc) == datetime(2026, 11, 26, 14, 3, tzinfo=timezone.utc)
    [entry] = store.audit_entries("panel_import")
    assert entry["actor"] == "coordinator"
    [f] = entry["details"]["files"]
    assert f["sha256"] == sha and f["draw_id"] == draw_id and f["member"] == "P. Member"
    assert f["pack_id"] == keyed.pack_id and f["stored"] == 4 and f["revealed_scores"] == ["C03"]


def test_legacy_version_1_files_still_import_by_call_id(tmp_path, store_draw):
    store, draw_id = store_draw
    path = write(tmp_path / "old.json", answers_doc(draw_id, {"C02": {"greeting": "yes"}}, pack_id="6f1c0e9a"))
    summary = import_answers(store, [path])
    assert summary.stored == 1 and [r[2:5] for r in answer_rows(store)] == [("C02", "greeting", "yes")]
    bad = write(tmp_path / "bad.json", answers_doc(draw_id, {"X99": {"greeting": "yes"}}))
    with pytest.raises(AnswersError, match=r"calls\[0\]\.call_id: 'X99' is not one of draw \d+'s 5 calls"):
        import_answers(store, [bad])


def test_version_1_file_naming_a_pseudonymous_pack_is_refused(tmp_path, store_draw, keyed):
    store, draw_id = store_draw
    path = write(tmp_path / "v1.json", answers_doc(draw_id, {"C02": {"greeting": "yes"}}, pack_id=keyed.pack_id))
    with pytest.raises(AnswersError, match=f"pack {keyed.pack_id} names its calls by pseudonyms"):
        import_answers(store, [path])
    assert store.count("panel_answers") == 0


def test_answers_from_another_pack_are_refused(tmp_path, store_draw, keyed):
    store, draw_id = store_draw
    other = make_pack(store, draw_id)            # the same draw, packed again: other pseudonyms
    doc = pack_doc(keyed, {"C00": {"greeting": "yes"}, "C01": {"greeting": "no"}}, pack_id=other.pack_id)
    path = write(tmp_path / "mixed.json", doc)
    with pytest.raises(AnswersError) as caught:
        import_answers(store, [path])
    text = str(caught.value)
    assert f"calls[0].call: {keyed.pseudonyms['C00']!r} is not one of pack {other.pack_id}'s 5 calls" in text
    assert "calls[1].call:" in text
    # and a pack made for another draw cannot carry answers for this one
    south = sample(store, "South panel", SampleFilters(n=5), seed=3, requested_by="chair").draw_id
    southern = make_pack(store, south)
    doc = pack_doc(southern, {"C00": {"greeting": "yes"}}, draw_id=draw_id)
    with pytest.raises(AnswersError, match=f"pack_id: pack {southern.pack_id} was made for draw {south}, "
                                           f"not draw {draw_id}"):
        import_answers(store, [write(tmp_path / "south.json", doc)])
    assert store.count("panel_answers") == 0 and store.count("audit_log") == 0


def test_reimport_replaces_that_members_answers_for_those_calls(tmp_path, store_draw, keyed):
    store, draw_id = store_draw
    first = write(tmp_path / "first.json", pack_doc(keyed, {"C00": {"greeting": "yes", "recap": "no"},
                                                            "C01": {"greeting": "no"}}))
    other = write(tmp_path / "other.json", pack_doc(keyed, {"C00": {"greeting": "no"}}, member="A. Other"))
    import_answers(store, [first, other])
    # A corrected file from a pack of the same draw built later (other pseudonyms) still replaces them.
    again = write(tmp_path / "again.json", pack_doc(make_pack(store, draw_id), {"C00": {"greeting": "partly"}}))
    summary = import_answers(store, [again])
    assert summary.replaced == 2 and summary.stored == 1
    sha_first, sha_other, sha_again = (hashlib.sha256(p.read_bytes()).hexdigest() for p in (first, other, again))
    ref = f"default@{VERSION}"
    assert answer_rows(store) == [
        (draw_id, "A. Other", "C00", "greeting", "no", ref, sha_other),        # another member: untouched
        (draw_id, "P. Member", "C00", "greeting", "partly", ref, sha_again),   # replaced; recap gone with it
        (draw_id, "P. Member", "C01", "greeting", "no", ref, sha_first)]       # not in the new file: kept
    assert len(store.audit_entries("panel_import")) == 2


def test_files_are_checked_against_each_other(tmp_path, store_draw, keyed):
    store, draw_id = store_draw
    a = write(tmp_path / "a.json", pack_doc(keyed, {"C00": {"greeting": "yes"}}))
    b = write(tmp_path / "b.json", pack_doc(make_pack(store, draw_id), {"C00": {"greeting": "no"}}))
    with pytest.raises(AnswersError, match=r"(?s)b\.json: .*also in .*a\.json"):
        import_answers(store, [a, b])
    assert answer_rows(store) == []


BAD_CASES = {
    "wrong format": (lambda d: {**d, "format": "callqa-panel-pack"},
                     "format is 'callqa-panel-pack', not 'callqa-panel-answers'"),
    "wrong format version": (lambda d: {**d, "format_version": 3},
                             "format_version 3 is not supported (this callqa reads versions 1 and 2)"),
    "unknown pseudonym": (lambda d: {**d, "calls": d["calls"] + [{"call": "C-ZZZZZZZZ", "answers": {}}]},
                          "calls[1].call: 'C-ZZZZZZZZ' is not one of pack {pack}'s 5 calls"),
    "recorder call id": (lambda d: {**d, "calls": [{"call": "C00", "answers": {"greeting": "yes"}}]},
                         "calls[0].call: expected one of the pack's call references (C- and 8 letters or "
                         "digits), got 'C00'"),
    "call_id key": (lambda d: {**d, "calls": [{"call_id": "C00", "answers": {"greeting": "yes"}}]},
                    "calls[0]: unknown key(s) call_id"),
    "no such pack": (lambda d: {**d, "pack_id": "0" * 32}, f"pack_id: no panel pack {'0' * 32} in this store"),
    "missing pack_id": (lambda d: {k: v for k, v in d.items() if k != "pack_id"}, "pack_id: missing"),
    "unknown question": (lambda d: {**d, "calls": [{**d["calls"][0], "answers": {"greting": "yes"}}]},
                         "calls[0].answers.greting: unknown question; default@"),
    "invalid answer": (lambda d: {**d, "calls": [d["calls"][0], {**d["calls"][0], "call": "C-AAAAAAAA",
                                                                 "answers": {"greeting": "maybe"}}]},
                       "calls[1].answers.greeting: 'maybe' is not one of yes, no, partly, not_sure"),
    "wrong questionnaire version": (lambda d: {**d, "questionnaire": {"name": "default", "version": "2026.10.1"}},
                                    "answers were given on default@2026.10.1, but this import checks against "
                                    "default@"),
    "wrong panel": (lambda d: {**d, "panel": "South panel"},
                    "panel: 'South panel' does not match draw {draw}, which is for panel 'North Staffs panel'"),
    "no such draw": (lambda d: {**d, "draw_id": 999}, "draw_id: no panel draw 999 in this store"),
    "duplicate call": (lambda d: {**d, "calls": d["calls"] * 2}, "calls[1].call: {first!r} appears more than once"),
    "unknown key": (lambda d: {**d, "colour": "blue"}, "unknown key(s) colour"),
    "bad time": (lambda d: {**d, "saved_at": "yesterday"}, "saved_at: 'yesterday' is not an ISO 8601 time"),
    "missing member": (lambda d: {k: v for k, v in d.items() if k != "member"}, "member: missing"),
    "revealed not bool": (lambda d: {**d, "calls": [{**d["calls"][0], "revealed_scores": "yes"}]},
                          "calls[0].revealed_scores: expected true or false"),
    "truncated JSON": (lambda d: json.dumps(d, indent=2)[:-40], "not valid JSON at line"),
    "not JSON": (lambda d: "greeting,yes\nlistening,no\n", "not valid JSON at line 1 column 1"),
    "not an object": (lambda d: json.dumps([d]), "expected a JSON object, got list"),
    "duplicate key": (lambda d: '{"format": "callqa-panel-answers", "format": "x"}', "duplicate key 'format'"),
    "not UTF-8": (lambda d: json.dumps(d).replace("P. Member", "P. M\u00e9mber").encode("latin-1"), "not UTF-8"),
    "empty": (lambda d: "", "empty file"),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_files_are_rejected_and_change_nothing(tmp_path, store_draw, keyed, case):
    store, draw_id = store_draw
    earlier = write(tmp_path / "earlier.json", pack_doc(keyed, {"C00": {"greeting": "no"}}))
    import_answers(store, [earlier])
    before = (answer_rows(store), store.count("audit_log"), store.count("panel_answers"))
    make, message = BAD_CASES[case]
    good = write(tmp_path / "good.json", pack_doc(keyed, {"C01": {"recap": "yes"}}))
    bad = write(tmp_path / "bad.json", make(pack_doc(keyed, {"C00": {"greeting": "yes"}})))
    with pytest.raises(AnswersError) as caught:
        import_answers(store, [good, bad])  # the good file is not written either: all or nothing
    text = str(caught.value)
    expected = message.format(draw=draw_id, pack=keyed.pack_id, first=keyed.pseudonyms["C00"])
    assert text.startswith(str(bad)) and expected in text, text
    assert (answer_rows(store), store.count("audit_log"), store.count("panel_answers")) == before


def test_size_limit_and_missing_file(tmp_path, store_draw, keyed):
    store, draw_id = store_draw
    big = tmp_path / "big.json"
    doc = json.dumps(pack_doc(keyed, {"C00": {"greeting": "yes"}}))
    big.write_text(doc[:-1] + ', "pad": "' + "x" * MAX_BYTES + '"}', encoding="utf-8")
    with pytest.raises(AnswersError, match="larger than 5 MB"):
        import_answers(store, [big])
    with pytest.raises(AnswersError, match="cannot read answers file"):
        import_answers(store, [tmp_path / "nowhere.json"])
    assert store.count("panel_answers") == 0 and store.count("audit_log") == 0


def test_several_problems_are_listed(tmp_path, store_draw, keyed):
    store, draw_id = store_draw
    calls = {f"C{i:02d}": {"greeting": "perhaps", "recap": "nope"} for i in range(5)}
    bad = write(tmp_path / "many.json", pack_doc(keyed, calls))
    with pytest.raises(CallQAError) as caught:
        import_answers(store, [bad])
    lines = str(caught.value).splitlines()
    assert lines[0] == f"{bad}: cannot import answers:"
    assert lines[1].strip() == "calls[0].answers.greeting: 'perhaps' is not one of yes, no, partly, not_sure"
    assert lines[-1].strip() == "... and 2 more"


def test_schema_describes_the_files_the_pack_writes(tmp_path, store_draw, keyed):
    _, draw_id = store_draw
    schema = answers_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    doc = pack_doc(keyed, {"C00": {"greeting": "yes", "recap": None}})
    doc["calls"][0]["answered_at"] = None
    jsonschema.validate(doc, schema)
    jsonschema.validate(answers_doc(draw_id, {"C00": {"greeting": "yes"}}, pack_id="abc"), schema)  # version 1
    for bad in ({**doc, "format": "other"}, {**doc, "colour": 1},
                {k: v for k, v in doc.items() if k != "pack_id"},                 # version 2 needs its pack
                {**doc, "calls": [{"call": "good_101", "answers": {}}]},          # pseudonyms only
                {**doc, "calls": [{"call_id": "C00", "answers": {}}]}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_cli_import(tmp_path, store_draw, keyed, capsys):
    store, draw_id = store_draw
    good = write(tmp_path / "good.json", pack_doc(keyed, {"C02": {"greeting": "yes", "empathy": "no"}}))
    assert main(["panel", "import", str(good), "--db", store.url, "--imported-by", "coordinator"]) == 0
    captured = capsys.readouterr()
    assert "P. Member, draw" in captured.out and "2 answer(s) stored" in captured.out
    assert "imported 1 file(s): 2 answer(s)" in captured.err
    bad = write(tmp_path / "bad.json", pack_doc(keyed, {"C02": {"greeting": "maybe"}}))
    assert main(["panel", "import", str(bad), "--db", store.url]) == 4  # a bad input file
    err = capsys.readouterr().err
    assert "callqa: error:" in err and "calls[0].answers.greeting: 'maybe'" in err
    tampered = pack_doc(keyed, {"C02": {"greeting": "no"}})
    tampered["calls"][0]["call"] = "C-" + ("A" if tampered["calls"][0]["call"][2] != "A" else "B") * 8
    assert main(["panel", "import", str(write(tmp_path / "t.json", tampered)), "--db", store.url]) == 4
    assert f"is not one of pack {keyed.pack_id}'s 5 calls" in capsys.readouterr().err
    assert store.count("panel_answers") == 2
    # answers given on another questionnaire file import with --questionnaire
    qfile = tmp_path / "q.toml"
    qfile.write_text('name = "short"\nversion = "1.2"\ntitle = "Short"\n[[questions]]\nid = "overall"\n'
                     'text = "Overall?"\nanswer = "scale"\nmin = 1\nmax = 5\n', encoding="utf-8")
    other = write(tmp_path / "short.json", pack_doc(keyed, {"C02": {"overall": 4}},
                                                    questionnaire={"name": "short", "version": "1.2"}))
    assert main(["panel", "import", str(other), "--db", store.url]) == 4
    assert "pass --questionnaire" in capsys.readouterr().err
    assert main(["panel", "import", str(other), "--db", store.url, "--questionnaire", str(qfile)]) == 0
    assert ("C02", "overall", "4", "short@1.2") in [(r[2], r[3], r[4], r[5]) for r in answer_rows(store)]
