"""Calibration: agreement and Cohen's kappa, exact on hand-computed tables, end to end on a real store."""

from __future__ import annotations

import json
import random
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

import pytest
from sklearn.metrics import cohen_kappa_score
from sqlalchemy import insert, select

from callqa.cli import main
from callqa.pipeline.errors import CallQAError
from callqa.panel.answers import import_answers
from callqa.panel.calibrate import (
    UNDEFINED_KAPPA,
    Counts,
    agreement,
    calibrate,
    cohen_kappa,
    contingency,
    expected_agreement,
    kappa_undefined_reason,
    plot_svg,
    report_text,
)
from callqa.panel.questionnaire import load_questionnaire
from callqa.panel.sampling import SampleFilters, sample
from callqa.store import schema as t
from tests.test_panel_answers import PANEL, build_store, make_pack, pack_doc, write

SVG = "{http://www.w3.org/2000/svg}"


def table(a: int, b: int, c: int, d: int) -> list[tuple[bool, bool]]:
    """Pairs (panel met, automation met): a both met, b panel only, c automation only, d neither."""
    return [(True, True)] * a + [(True, False)] * b + [(False, True)] * c + [(False, False)] * d


# ---- the maths ---------------------------------------------------------------------------------


def test_kappa_on_a_hand_computed_table():
    pairs = table(8, 2, 3, 7)
    assert contingency(pairs) == Counts(8, 2, 3, 7) and contingency(pairs).n == 20
    assert agreement(pairs) == 0.75                       # (8 + 7) / 20
    assert expected_agreement(pairs) == 0.5               # (10 * 11 + 10 * 9) / 400
    assert cohen_kappa(pairs) == 0.5                      # (0.75 - 0.5) / (1 - 0.5)
    assert cohen_kappa(Counts(8, 2, 3, 7)) == 0.5 and kappa_undefined_reason(pairs) is None


def test_kappa_on_textbook_tables():
    # Cohen's kappa, Wikipedia's worked example: 50 grant proposals, 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no
    pairs = table(20, 5, 10, 15)
    assert (agreement(pairs), expected_agreement(pairs), cohen_kappa(pairs)) == (0.7, 0.5, 0.4)
    # and its two tables with equal agreement (60%) but different marginals
    assert cohen_kappa(table(45, 15, 25, 15)) == pytest.approx(0.06 / 0.46)    # 0.1304
    assert cohen_kappa(table(25, 35, 5, 35)) == pytest.approx(0.14 / 0.54)     # 0.2593
    assert cohen_kappa(table(0, 5, 5, 0)) == -1.0         # perfect disagreement
    assert cohen_kappa(table(2, 0, 2, 0)) == 0.0          # one side constant: no agreement beyond chance


def test_kappa_undefined_when_chance_agreement_is_total():
    for pairs in (table(6, 0, 0, 0), table(0, 0, 0, 4)):
        assert agreement(pairs) == 1.0 and expected_agreement(pairs) == 1.0
        assert cohen_kappa(pairs) is None and kappa_undefined_reason(pairs) == UNDEFINED_KAPPA
    assert agreement([]) is None and cohen_kappa([]) is None
    assert kappa_undefined_reason([]) == "undefined: no pairs to compare"


@pytest.mark.parametrize("seed", range(8))
def test_kappa_matches_scikit_learn(seed):
    rng = random.Random(seed)
    bias = rng.random()
    pairs = []
    for _ in range(rng.randint(5, 300)):
        panel = rng.random() < bias
        pairs.append((panel, panel if rng.random() < 0.7 else rng.random() < 0.5))
    if len({p for p, _ in pairs} | {a for _, a in pairs}) < 2:
        pytest.skip("degenerate draw")
    expected = cohen_kappa_score([p for p, _ in pairs], [a for _, a in pairs])
    assert cohen_kappa(pairs) == pytest.approx(expected, abs=1e-12)


# ---- end to end on a store ---------------------------------------------------------------------

# greeting: 8 both met, 2 panel only, 3 automation only ("partly" counts as not met), 7 neither,
# then one "not sure" and one not_applicable, which are left out: the 8/2/3/7 table above.
GREETING = ([("pass", "yes")] * 8 + [("fail", "yes")] * 2 + [("pass", "partly"), ("pass", "no"), ("pass", "partly")]
            + [("fail", "no")] * 7 + [("pass", "not_sure"), ("not_applicable", "yes")])
CALLS = [f"C{i:02d}" for i in range(len(GREETING))]


@pytest.fixture
def panel_store(tmp_path):
    store, draw_id = build_store(tmp_path / "calibrate.db",
                                 {c: {"greeting": status} for c, (status, _) in zip(CALLS, GREETING)})
    answers = {c: {"greeting": answer, "listening": "yes"} for c, (_, answer) in zip(CALLS, GREETING)}
    first, second = CALLS[:11], CALLS[11:]
    pack = make_pack(store, draw_id)  # answers come from a pack, under its pseudonyms; import maps them back
    files = [write(tmp_path / "a.json", pack_doc(pack, {c: answers[c] for c in first}, member="A. Member")),
             write(tmp_path / "b.json", pack_doc(pack, {c: answers[c] for c in second}, member="B. Member"))]
    import_answers(store, files)
    return store, draw_id


def test_calibration_gives_the_expected_agreement_and_kappa(panel_store):
    store, draw_id = panel_store
    cal = calibrate(store, draw_id=draw_id)
    assert cal.questionnaire == load_questionnaire().ref
    assert (cal.answers, cal.members, cal.calls) == (44, 2, 22)
    by_q = {q.question: q for q in cal.questions}
    assert list(by_q) == ["greeting", "listening", "acknowledgement", "empathy", "silence", "next_steps", "recap"]
    greeting = by_q["greeting"]
    assert greeting.counts == Counts(both_met=8, panel_only=2, automation_only=3, neither=7)
    assert (greeting.agreement, greeting.kappa, greeting.kappa_note) == (0.75, 0.5, None)
    assert greeting.excluded == {"automation_not_applicable": 1, "panel_not_sure": 1}
    assert greeting.disagreements == 5
    listening = by_q["listening"]  # everyone says met: agreement 100%, kappa undefined and why
    assert (listening.counts.n, listening.agreement, listening.kappa) == (22, 1.0, None)
    assert listening.kappa_note == UNDEFINED_KAPPA
    empathy = by_q["empathy"]
    assert (empathy.counts.n, empathy.agreement, empathy.kappa) == (0, None, None)
    assert [(d.call_id, d.question, d.member, d.panel_answer, d.automated_status) for d in cal.disagreements] == [
        ("C08", "greeting", "A. Member", "yes", "fail"), ("C09", "greeting", "A. Member", "yes", "fail"),
        ("C10", "greeting", "A. Member", "partly", "pass"), ("C11", "greeting", "B. Member", "no", "pass"),
        ("C12", "greeting", "B. Member", "partly", "pass")]
    first = cal.disagreements[0]
    assert first.reason == "greeting fail on C08" and first.first_evidence_s == 3.25
    assert first.direction == "panel met, automation not"
    assert cal.flag_decisions == []
    text = report_text(cal)
    assert "greeting" in text and "75.0%" in text and "0.50" in text
    assert "listening: kappa undefined: the panel and the automation gave one and the same verdict" in text
    assert "C10 (draw" in text and "A. Member answered partly; automation PASS: greeting pass on C10" in text
    assert "QA decisions on flags: none recorded yet" in text
    data = json.loads(json.dumps(cal.to_json()))
    assert data["questions"][0]["counts"] == {"both_met": 8, "panel_only": 2, "automation_only": 3, "neither": 7}
    assert data["questions"][0]["agreement_percent"] == 75.0 and data["questions"][0]["kappa"] == 0.5


def test_qa_flag_decisions_are_reported_per_indicator(panel_store):
    store, _ = panel_store
    with store.engine.begin() as conn:
        flags = {r.call_id: r.id for r in conn.execute(
            select(t.flags.c.id, t.flags.c.call_id).where(t.flags.c.indicator == "greeting"))}
        at = datetime(2026, 11, 27, 10, tzinfo=timezone.utc)
        conn.execute(insert(t.flag_decisions), [
            dict(flag_id=flags[c], call_id=c, indicator="greeting", decision=d, decided_by="qa lead", decided_at=at)
            for c, d in (("C08", "confirm"), ("C09", "confirm"), ("C09", "dismiss"), ("C13", "confirm"),
                         ("C14", "note"))])
    [greeting] = calibrate(store).flag_decisions
    assert (greeting.indicator, greeting.confirmed, greeting.dismissed, greeting.notes) == ("greeting", 2, 1, 1)
    assert greeting.confirmed_share == 2 / 3
    assert "greeting" in report_text(calibrate(store)).split("QA decisions on flags")[1]
    assert calibrate(store, since="2026-11-28").flag_decisions == []


def test_filters_by_draw_panel_and_date(tmp_path, panel_store):
    store, draw_id = panel_store
    south = sample(store, "South panel", SampleFilters(n=len(CALLS)), seed=3, requested_by="chair").draw_id
    doc = pack_doc(make_pack(store, south), {"C00": {"greeting": "no"}}, member="C. Member", panel="South panel")
    doc["calls"][0]["answered_at"] = "2026-12-05T10:00:00Z"
    import_answers(store, [write(tmp_path / "c.json", doc)])
    greeting = {q.question: q for q in calibrate(store).questions}["greeting"]
    assert greeting.counts.n == 21 and greeting.counts.automation_only == 4
    assert calibrate(store, draw_id=draw_id).questions[0].counts.n == 20
    assert calibrate(store, panel=PANEL).questions[0].counts.n == 20
    only = calibrate(store, draw_id=south)
    assert (only.answers, only.questions[0].counts) == (1, Counts(0, 0, 1, 0))
    assert calibrate(store, since="2026-12-01").answers == 1
    with pytest.raises(CallQAError, match="no panel draw 999"):
        calibrate(store, draw_id=999)
    with pytest.raises(CallQAError, match="no panel draws for panel 'West'; panels: North Staffs panel, South panel"):
        calibrate(store, panel="West")


def test_scale_questions_use_pass_at_and_questionnaires_stay_apart(tmp_path, panel_store):
    store, draw_id = panel_store
    qfile = tmp_path / "scaled.toml"
    qfile.write_text('name = "scaled"\nversion = "1.0"\ntitle = "Scaled"\n[[questions]]\nid = "steps"\n'
                     'text = "How well was the caller told what happens next?"\nanswer = "scale"\nmin = 1\n'
                     'max = 5\npass_at = 4\nindicator = "next_steps"\n[[questions]]\nid = "comments"\n'
                     'text = "Comments"\nanswer = "text"\n', encoding="utf-8")
    scaled = load_questionnaire(qfile)
    doc = pack_doc(make_pack(store, draw_id), {"C00": {"steps": 5}, "C01": {"steps": "3"}, "C02": {"steps": 4},
                                               "C03": {"steps": 2, "comments": "Rushed."}}, member="S. Member",
                   questionnaire={"name": "scaled", "version": "1.0"})
    import_answers(store, [write(tmp_path / "s.json", doc)], scaled)
    cal = calibrate(store, scaled)
    [steps] = cal.questions
    # next_steps passes on every call: the panel met on 5 and 4 (>= pass_at), not on 3 and 2
    assert steps.counts == Counts(both_met=2, panel_only=0, automation_only=2, neither=0)
    assert (steps.agreement, steps.kappa) == (0.5, 0.0)
    assert "only 4 pair(s)" in steps.kappa_note
    assert cal.not_calibrated == ["comments"] and cal.other_questionnaires == {load_questionnaire().ref: 44}
    assert calibrate(store).other_questionnaires == {"scaled@1.0": 5}


def test_plot_is_valid_svg_with_one_bar_per_mapped_question(tmp_path, panel_store):
    store, draw_id = panel_store
    svg = plot_svg(calibrate(store, draw_id=draw_id))
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    bars = [e for e in root.iter(f"{SVG}rect") if e.get("class") == "agreement-bar"]
    assert [b.get("data-question") for b in bars] == [q.id for q in load_questionnaire().questions]
    heights = {b.get("data-question"): float(b.get("height")) for b in bars}
    assert heights["greeting"] == 150.0 and heights["listening"] == 200.0 and heights["empathy"] == 0.0
    markers = [e.get("data-question") for e in root.iter(f"{SVG}circle") if e.get("class") == "kappa-marker"]
    assert markers == ["greeting"]
    labels = {e.text for e in root.iter(f"{SVG}text")}
    assert {"Agreement (%)", "Cohen's kappa"} <= labels
    assert "<script" not in svg and "href" not in svg


def test_cli_calibrate(tmp_path, panel_store, capsys):
    store, draw_id = panel_store
    plot = tmp_path / "agreement.svg"
    assert main(["panel", "calibrate", "--draw", str(draw_id), "--db", store.url, "--plot", str(plot)]) == 0
    out = capsys.readouterr().out
    assert f"plot: {plot}" in out and "Disagreements (5), by call:" in out
    ET.parse(plot)
    assert main(["panel", "calibrate", "--panel", PANEL, "--db", store.url, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["questions"][0]["kappa"] == 0.5 and data["plot"] is None and len(data["disagreements"]) == 5
    assert main(["panel", "calibrate", "--draw", "999", "--db", store.url]) == 2
    assert "no panel draw 999" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        main(["panel", "calibrate", "--draw", "1", "--panel", PANEL, "--db", store.url])
    assert caught.value.code == 2
