"""`callqa rules tune` and `callqa rules apply` on a real store of simulated calls and decisions.

The simulated QA lead (bench/bench_tune.py) dismisses unexplained-silence flags on silences under
15 s, which the bundled pack fails from 10 s, and confirms every other flag. Tune must learn that
from the learning part only, say so in a diff, and agree better on the held-out calls; nothing
changes until `apply`, which records a new rules version and re-scores the store with it.
"""

from __future__ import annotations

import json
import tomllib
from datetime import datetime, timezone

import pytest

from callqa.cli import main
from callqa.pipeline.rules import load_rule_pack
from callqa.store import Store
from callqa.store.agreement import DecidedFlag
from callqa.tuning.exemplars import mined_edits
from callqa.tuning.packfile import PackEditError, add_to_list, check_edits, pack_text, set_value
from callqa.tuning.propose import new_version
from callqa.tuning.split import latest_per_call_indicator, split_by_call
from tests.tune_store import CALLS, LEAD_LIMIT_S, tune_store

BUNDLED = load_rule_pack()
AT = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)


def flag(call_id: str, indicator: str = "unexplained_silence", decision: str = "confirm", flag_id: int = 1,
         evidence: tuple = (), at: datetime = AT) -> DecidedFlag:
    return DecidedFlag(flag_id, call_id, indicator, "v1", decision, at, "lead", None, "why", 0.9, False, evidence)


# ---- the held-out split ----------------------------------------------------------------------------


def test_split_is_by_call_and_deterministic_by_seed():
    flags = [flag(f"c{i:02d}", ind, flag_id=10 * i + k) for i in range(30)
             for k, ind in enumerate(("unexplained_silence", "next_steps", "empathy"))]
    split = split_by_call(flags, seed=3)
    assert not set(split.learning_calls) & set(split.held_out_calls)
    assert len(split.learning) + len(split.held_out) == len(flags)
    for call in split.held_out_calls:              # a call's flags stay together
        assert sum(f.call_id == call for f in split.held_out) == 3
    assert 3 <= len(split.held_out_calls) <= 17
    assert split_by_call(list(reversed(flags)), seed=3).held_out_calls == split.held_out_calls  # order-free
    assert split_by_call(flags, seed=4).held_out_calls != split.held_out_calls
    # A call keeps its side as more calls are decided.
    more = flags + [flag(f"d{i}", flag_id=1000 + i) for i in range(10)]
    assert set(split.held_out_calls) <= set(split_by_call(more, seed=3).held_out_calls)
    two = split_by_call([flag("a"), flag("b", flag_id=2)], seed=3, held_out_share=0.01)
    assert len(two.learning_calls) == len(two.held_out_calls) == 1
    with pytest.raises(ValueError):
        split_by_call(flags, held_out_share=1.0)


def test_the_latest_decision_per_call_and_indicator_is_learnt_from():
    old = flag("c1", decision="confirm", flag_id=1, at=datetime(2026, 11, 1, tzinfo=timezone.utc))
    new = flag("c1", decision="dismiss", flag_id=9)     # the flag raised again by a re-score, decided again
    assert latest_per_call_indicator([new, old]) == [new]


# ---- editing the pack's text -----------------------------------------------------------------------


def test_pack_edits_keep_everything_else_and_are_checked():
    text = pack_text(BUNDLED.source)
    edited = set_value(text, "silence", "fail_s", 15.0)
    edited = set_value(edited, "", "version", "v-tuned")
    edited = add_to_list(edited, "intents.silence_explanation", "exemplars", ['hang fire a sec "duck"'])
    edited = add_to_list(edited, 'intents."vulnerability.mental_health"', "counter_exemplars", ["that film was mental"])
    edited = add_to_list(edited, "intents.help_offer", "counter_exemplars", ["can i help you with the address"])
    check_edits(edited, {("silence", "fail_s"): 15.0, ("", "version"): "v-tuned",
                         ("intents.silence_explanation", "exemplars"): ['hang fire a sec "duck"'],
                         ('intents."vulnerability.mental_health"', "counter_exemplars"): ["that film was mental"]})
    data = tomllib.loads(edited)
    assert data["intents"]["help_offer"]["counter_exemplars"][-1] == "can i help you with the address"
    import difflib

    diff = [line for line in difflib.unified_diff(text.splitlines(), edited.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    # version, fail_s, two one-line lists changed and one line added to a multi-line list: nothing else
    assert sum(line.startswith("-") for line in diff) == 4 and sum(line.startswith("+") for line in diff) == 5
    assert '+  "hang fire a sec \\"duck\\"",' in diff
    assert "# Gaps where nobody speaks" in edited                    # comments stay
    with pytest.raises(PackEditError):
        set_value(text, "silence", "no_such_key", 1.0)
    with pytest.raises(PackEditError):
        check_edits(text, {("silence", "fail_s"): 15.0})


def test_new_versions_do_not_stack():
    at = datetime(2026, 7, 1, 8, 5, tzinfo=timezone.utc)             # 09:05 BST
    assert new_version("staffordshire-2026.12.2", at) == "staffordshire-2026.12.2-tuned-20260701T0905"
    assert new_version("staffordshire-2026.12.2-tuned-20260601T1000", at) == \
        "staffordshire-2026.12.2-tuned-20260701T0905"


def test_sentences_come_from_dismissed_flags_evidence_only():
    silence_ev = ({"speaker": "handler", "text": "Right, hang fire while I sort this out.", "owner": "handler",
                   "rule": "silence.fail_s: unexplained, 12.0 s >= 10 s"},)
    distress_ev = ({"speaker": "caller", "text": "I was worried it might be the bins", "rule": "empathy.distress: 'worried'"},)
    vuln_ev = ({"speaker": "caller", "text": "my nan lives on her own road", "rule": "vulnerability.elderly_or_disabled_alone: 'on her own'"},)
    flags = [flag("a", "unexplained_silence", "dismiss", evidence=silence_ev),
             flag("b", "unexplained_silence", "confirm", evidence=({**silence_ev[0], "text": "okay one two three"},)),
             flag("c", "empathy", "dismiss", evidence=distress_ev),
             flag("d", "vulnerability", "dismiss", evidence=vuln_ev),
             flag("e", "unexplained_silence", "dismiss", evidence=({**silence_ev[0], "text": "okay"},))]  # too short
    edits = {(e.intent, e.kind): e.sentences for e in mined_edits(flags, BUNDLED.section("intents")["by_intent"])}
    assert edits == {("silence_explanation", "exemplars"): ("right hang fire while i sort this out",),
                     ("distress", "counter_exemplars"): ("i was worried it might be the bins",),
                     ("vulnerability.elderly_or_disabled_alone", "counter_exemplars"): ("my nan lives on her own road",)}


# ---- tune and apply on a real store ------------------------------------------------------------------


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tune")
    url, gaps = tune_store(folder)
    return {"url": url, "gaps": gaps, "store": Store.open(url), "folder": folder}


@pytest.fixture(scope="module")
def tuned(sim):
    """`callqa rules tune --json` once; its answer, the proposal file and the store's state before."""
    store = sim["store"]
    out = sim["folder"] / "proposal.toml"
    before = store.current_rules_versions()
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        status = main(["rules", "tune", "--db", sim["url"], "--out", str(out), "--new-version", "sim-tuned",
                       "--no-sentences", "--json"])
    assert status == 0
    return {"answer": json.loads(buffer.getvalue()), "out": out, "before": before}


def test_tune_learns_the_silence_threshold_and_agrees_better_on_held_out_calls(sim, tuned):
    answer = tuned["answer"]
    print(f"\nheld-out agreement: before {answer['held_out']['before']}, after {answer['held_out']['after']}")
    assert answer["changes"] == [{"section": "silence", "key": "fail_s", "old": 10.0, "new": 15.0}]
    held, learning = answer["held_out"], answer["learning"]
    assert held["before"]["n"] == held["after"]["n"] > 0
    assert held["after"]["share"] > held["before"]["share"] and held["after"]["share"] == 1.0
    assert learning["after"]["share"] == 1.0 > learning["before"]["share"]
    assert answer["learning_calls"] + answer["held_out_calls"] == CALLS
    # The held-out calls' decisions are the lead's: what the current pack gets wrong there is the
    # short silences it flags.
    store = sim["store"]
    split = split_by_call(latest_per_call_indicator(store.decided_flags()), answer["seed"], answer["held_out_share"])
    wrong = sum(1 for f in split.held_out if f.indicator == "unexplained_silence" and f.decision == "dismiss")
    assert held["before"]["agree"] == held["before"]["n"] - wrong
    # The proposal is a valid pack with the new version; the diff shows exactly the learnt lines.
    pack = load_rule_pack(tuned["out"])
    assert pack.version == "sim-tuned" and pack.section("silence")["fail_s"] == 15.0
    changed = [line for line in answer["diff"].splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert sorted(changed) == sorted([f'-version = "{load_rule_pack().version}"', '+version = "sim-tuned"',
                                      "-fail_s = 10.0", "+fail_s = 15.0"])
    # Nothing changed in the store: no new scorings, no rules recorded; the read is audited.
    assert store.current_rules_versions() == tuned["before"] == {BUNDLED.version: CALLS}
    assert store.applied_rules() == []
    audit = store.audit_entries(action="rules_tune")
    assert audit and audit[0]["details"]["proposal"] == "sim-tuned" and len(audit[0]["details"]["call_ids"]) == CALLS


def test_tune_prints_before_after_and_the_diff_as_text(sim, tuned, capsys, tmp_path):
    out = tmp_path / "again.toml"
    assert main(["rules", "tune", "--db", sim["url"], "--out", str(out), "--no-sentences"]) == 0
    text = capsys.readouterr().out
    assert "agreement on the held-out part: before" in text and "after" in text
    assert "[silence] fail_s: 10.0 -> 15.0" in text and "+fail_s = 15.0" in text
    assert "to refuse it: do not apply it" in text
    assert main(["rules", "tune", "--db", sim["url"], "--out", str(out), "--no-sentences"]) == 2   # exists
    assert "exists" in capsys.readouterr().err


def test_apply_records_a_version_and_rescores_the_store(sim, tuned, capsys):
    store = sim["store"]
    assert main(["rules", "apply", str(tuned["out"]), "--db", sim["url"], "--json"]) == 0
    captured = capsys.readouterr()
    done = json.loads(captured.out)
    assert done["rules_version"] == "sim-tuned" and done["rescored"] == CALLS and not done["resumed"]
    assert "the nightly run does not use it yet" in captured.err and str(tuned["out"].resolve()) in captured.err
    # Every call's current scoring carries the new version; the short silences are no longer flagged.
    assert store.current_rules_versions() == {"sim-tuned": CALLS}
    for call_id, gap in sim["gaps"].items():
        flagged = {f["indicator"] for f in store.current_flags(call_id)}
        assert ("unexplained_silence" in flagged) == (gap >= LEAD_LIMIT_S), call_id
    applied = store.applied_rules()
    assert len(applied) == 1 and applied[0]["details"]["version"] == "sim-tuned"
    assert applied[0]["details"]["previous"] == {BUNDLED.version: CALLS}
    assert applied[0]["details"]["text"] == tuned["out"].read_text(encoding="utf-8")
    # The same pack again (after an interruption, say) finishes what is left: nothing here.
    assert main(["rules", "apply", str(tuned["out"]), "--db", sim["url"], "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["resumed"] and again["rescored"] == 0 and len(store.applied_rules()) == 1


def test_apply_refuses_a_used_version_and_a_bad_pack(sim, tuned, tmp_path, capsys):
    store = sim["store"]
    before = store.current_rules_versions()
    changed = tmp_path / "changed.toml"
    changed.write_text(tuned["out"].read_text(encoding="utf-8").replace("fail_s = 15.0", "fail_s = 20.0"))
    assert main(["rules", "apply", str(changed), "--db", sim["url"]]) == 2
    assert "already in the store" in capsys.readouterr().err
    bundled = tmp_path / "bundled-again.toml"
    bundled.write_text(pack_text(BUNDLED.source))
    assert main(["rules", "apply", str(bundled), "--db", sim["url"]]) == 2      # its version scored calls
    capsys.readouterr()
    bad = tmp_path / "bad.toml"
    bad.write_text(tuned["out"].read_text(encoding="utf-8").replace('version = "sim-tuned"', 'version = "x"')
                   .replace("fail_s = 15.0", "fail_s = -1.0"))
    assert main(["rules", "apply", str(bad), "--db", sim["url"]]) == 6
    assert "fail_s" in capsys.readouterr().err
    assert store.current_rules_versions() == before and len(store.applied_rules()) == 1


def test_tune_needs_decisions_on_two_calls(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    Store(url)
    assert main(["rules", "tune", "--db", url, "--out", str(tmp_path / "p.toml")]) == 2
    assert "at least two calls" in capsys.readouterr().err
    assert not (tmp_path / "p.toml").exists()


def test_tune_refuses_the_current_version_as_the_new_one(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    Store(url)
    assert main(["rules", "tune", "--db", url, "--new-version", BUNDLED.version]) == 2
    assert "new version" in capsys.readouterr().err
