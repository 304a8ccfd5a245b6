"""Importing panel answers: every file checked before anything is written, all or nothing, re-import replaces."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import select

from pipeline.cli import main
from pipeline.errors import CallQAError
from pipeline.export import CallRecord
from pipeline.panel.answers import MAX_BYTES, AnswersError, answers_schema, import_answers
from pipeline.panel.questionnaire import load_questionnaire
from pipeline.panel.sampling import SampleFilters, sample
from pipeline.rules import INDICATORS
from pipeline.store import Store
from pipeline.store import schema as t

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


def answers_doc(draw_id: int, calls: dict[str, dict], member: str = "P. Member", **top) -> dict:
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


def test_good_import_stores_the_answers(tmp_path, store_draw):
    store, draw_id = store_draw
    doc = answers_doc(draw_id, {
        "C00": {"greeting": "Yes", "listening": "partly", "silence": "not sure", "recap": None, "empathy": ""},
        "C03": {"greeting": "no"}}, pack_id="6f1c0e9a")
    doc["calls"][1]["answered_at"] = None          # not every question answered: falls back to saved_at
    doc["calls"][1]["revealed_scores"] = True
    path = write(tmp_path / "a.json", doc)
    summary = import_answers(store, [path], actor="coordinator")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    ref = f"default@{VERSION}"
    assert answer_rows(store) == [
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
    assert f["sha256"] == sha and f["draw_id"] == draw_id and f["member"] == "P. Member" and f["pack_id"] == "6f1c0e9a"
    assert f["stored"] == 4 and f["revealed_scores"] == ["C03"]


def test_reimport_replaces_that_members_answers_for_those_calls(tmp_path, store_draw):
    store, draw_id = store_draw
    first = write(tmp_path / "first.json", answers_doc(draw_id, {"C00": {"greeting": "yes", "recap": "no"},
                                                                 "C01": {"greeting": "no"}}))
    other = write(tmp_path / "other.json", answers_doc(draw_id, {"C00": {"greeting": "no"}}, member="A. Other"))
    import_answers(store, [first, other])
    again = write(tmp_path / "again.json", answers_doc(draw_id, {"C00": {"greeting": "partly"}}))
    summary = import_answers(store, [again])
    assert summary.replaced == 2 and summary.stored == 1
    sha_first, sha_other, sha_again = (hashlib.sha256(p.read_bytes()).hexdigest() for p in (first, other, again))
    ref = f"default@{VERSION}"
    assert answer_rows(store) == [
        (draw_id, "A. Other", "C00", "greeting", "no", ref, sha_other),        # another member: untouched
        (draw_id, "P. Member", "C00", "greeting", "partly", ref, sha_again),   # replaced; recap gone with it
        (draw_id, "P. Member", "C01", "greeting", "no", ref, sha_first)]       # not in the new file: kept
    assert len(store.audit_entries("panel_import")) == 2


def test_files_are_checked_against_each_other(tmp_path, store_draw):
    store, draw_id = store_draw
    a = write(tmp_path / "a.json", answers_doc(draw_id, {"C00": {"greeting": "yes"}}))
    b = write(tmp_path / "b.json", answers_doc(draw_id, {"C00": {"greeting": "no"}}))
    with pytest.raises(AnswersError, match=r"(?s)b\.json: .*also in .*a\.json"):
        import_answers(store, [a, b])
    assert answer_rows(store) == []


BAD_CASES = {
    "wrong format": (lambda d: {**d, "format": "callqa-panel-pack"},
                     "format is 'callqa-panel-pack', not 'callqa-panel-answers'"),
    "wrong format version": (lambda d: {**d, "format_version": 2}, "format_version 2 is not supported"),
    "call not in draw": (lambda d: {**d, "calls": d["calls"] + [{"call_id": "X99", "answers": {}}]},
                         "calls[1].call_id: 'X99' is not one of draw {draw}'s 5 calls"),
    "unknown question": (lambda d: {**d, "calls": [{"call_id": "C00", "answers": {"greting": "yes"}}]},
                         "calls[0].answers.greting: unknown question; default@"),
    "invalid answer": (lambda d: {**d, "calls": [{"call_id": "C00", "answers": {"greeting": "yes"}},
                                                 {"call_id": "C01", "answers": {"greeting": "maybe"}}]},
                       "calls[1].answers.greeting: 'maybe' is not one of yes, no, partly, not_sure"),
    "wrong questionnaire version": (lambda d: {**d, "questionnaire": {"name": "default", "version": "2026.10.1"}},
                                    "answers were given on default@2026.10.1, but this import checks against "
                                    "default@"),
    "wrong panel": (lambda d: {**d, "panel": "South panel"},
                    "panel: 'South panel' does not match draw {draw}, which is for panel 'North Staffs panel'"),
    "no such draw": (lambda d: {**d, "draw_id": 999}, "draw_id: no panel draw 999 in this store"),
    "duplicate call": (lambda d: {**d, "calls": d["calls"] * 2}, "calls[1].call_id: 'C00' appears more than once"),
    "unknown key": (lambda d: {**d, "colour": "blue"}, "unknown key(s) colour"),
    "bad time": (lambda d: {**d, "saved_at": "yesterday"}, "saved_at: 'yesterday' is not an ISO 8601 time"),
    "missing member": (lambda d: {k: v for k, v in d.items() if k != "member"}, "member: missing"),
    "revealed not bool": (lambda d: {**d, "calls": [{"call_id": "C00", "answers": {}, "revealed_scores": "yes"}]},
                          "calls[0].revealed_scores: expected true or false"),
    "truncated JSON": (lambda d: json.dumps(d, indent=2)[:-40], "not valid JSON at line"),
    "not JSON": (lambda d: "greeting,yes\nlistening,no\n", "not valid JSON at line 1 column 1"),
    "not an object": (lambda d: json.dumps([d]), "expected a JSON object, got list"),
    "duplicate key": (lambda d: '{"format": "callqa-panel-answers", "format": "x"}', "duplicate key 'format'"),
    "not UTF-8": (lambda d: json.dumps(d).replace("P. Member", "P. M\u00e9mber").encode("latin-1"), "not UTF-8"),
    "empty": (lambda d: "", "empty file"),
}


@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_files_are_rejected_and_change_nothing(tmp_path, store_draw, case):
    store, draw_id = store_draw
    earlier = write(tmp_path / "earlier.json", answers_doc(draw_id, {"C00": {"greeting": "no"}}))
    import_answers(store, [earlier])
    before = (answer_rows(store), store.count("audit_log"), store.count("panel_answers"))
    make, message = BAD_CASES[case]
    good = write(tmp_path / "good.json", answers_doc(draw_id, {"C01": {"recap": "yes"}}))
    bad = write(tmp_path / "bad.json", make(answers_doc(draw_id, {"C00": {"greeting": "yes"}})))
    with pytest.raises(AnswersError) as caught:
        import_answers(store, [good, bad])  # the good file is not written either: all or nothing
    text = str(caught.value)
    assert text.startswith(str(bad)) and message.format(draw=draw_id) in text, text
    assert (answer_rows(store), store.count("audit_log"), store.count("panel_answers")) == before


def test_size_limit_and_missing_file(tmp_path, store_draw):
    store, draw_id = store_draw
    big = tmp_path / "big.json"
    doc = json.dumps(answers_doc(draw_id, {"C00": {"greeting": "yes"}}))
    big.write_text(doc[:-1] + ', "pad": "' + "x" * MAX_BYTES + '"}', encoding="utf-8")
    with pytest.raises(AnswersError, match="larger than 5 MB"):
        import_answers(store, [big])
    with pytest.raises(AnswersError, match="cannot read answers file"):
        import_answers(store, [tmp_path / "nowhere.json"])
    assert store.count("panel_answers") == 0 and store.count("audit_log") == 0


def test_several_problems_are_listed(tmp_path, store_draw):
    store, draw_id = store_draw
    calls = {f"C{i:02d}": {"greeting": "perhaps", "recap": "nope"} for i in range(5)}
    bad = write(tmp_path / "many.json", answers_doc(draw_id, calls))
    with pytest.raises(CallQAError) as caught:
        import_answers(store, [bad])
    lines = str(caught.value).splitlines()
    assert lines[0] == f"{bad}: cannot import answers:"
    assert lines[1].strip() == "calls[0].answers.greeting: 'perhaps' is not one of yes, no, partly, not_sure"
    assert lines[-1].strip() == "... and 2 more"


def test_schema_describes_the_files_the_pack_writes(tmp_path, store_draw):
    _, draw_id = store_draw
    schema = answers_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    doc = answers_doc(draw_id, {"C00": {"greeting": "yes", "recap": None}}, pack_id="abc")
    doc["calls"][0]["answered_at"] = None
    jsonschema.validate(doc, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**doc, "format": "other"}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**doc, "colour": 1}, schema)


def test_cli_import(tmp_path, store_draw, capsys):
    store, draw_id = store_draw
    good = write(tmp_path / "good.json", answers_doc(draw_id, {"C02": {"greeting": "yes", "empathy": "no"}}))
    assert main(["panel", "import", str(good), "--db", store.url, "--imported-by", "coordinator"]) == 0
    captured = capsys.readouterr()
    assert "P. Member, draw" in captured.out and "2 answer(s) stored" in captured.out
    assert "imported 1 file(s): 2 answer(s)" in captured.err
    bad = write(tmp_path / "bad.json", answers_doc(draw_id, {"C02": {"greeting": "maybe"}}))
    assert main(["panel", "import", str(bad), "--db", store.url]) == 2
    err = capsys.readouterr().err
    assert "callqa: error:" in err and "calls[0].answers.greeting: 'maybe'" in err
    assert store.count("panel_answers") == 2
    # answers given on another questionnaire file import with --questionnaire
    qfile = tmp_path / "q.toml"
    qfile.write_text('name = "short"\nversion = "1.2"\ntitle = "Short"\n[[questions]]\nid = "overall"\n'
                     'text = "Overall?"\nanswer = "scale"\nmin = 1\nmax = 5\n', encoding="utf-8")
    other = write(tmp_path / "short.json", answers_doc(draw_id, {"C02": {"overall": 4}},
                                                       questionnaire={"name": "short", "version": "1.2"}))
    assert main(["panel", "import", str(other), "--db", store.url]) == 2
    assert "pass --questionnaire" in capsys.readouterr().err
    assert main(["panel", "import", str(other), "--db", store.url, "--questionnaire", str(qfile)]) == 0
    assert ("C02", "overall", "4", "short@1.2") in [(r[2], r[3], r[4], r[5]) for r in answer_rows(store)]
