"""Agreement of QA leads with the flags: per indicator, rules version and UK week, from a real
store, printed by `callqa calibrate --decisions` and shown (audited) on the review app's
/calibration page."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from callqa.pipeline.rules import load_rule_pack

from callqa.cli import main
from callqa.store import Store
from callqa.store.agreement import DecidedFlag
from callqa.tuning.agreement import agreement_by_indicator, agreement_by_week, agreement_text, week_start
from tests.tune_store import CALLS, LEAD_LIMIT_S, tune_store
from tests.web_helpers import login

LEAD_PASSWORD = "lead-password-123"
MEMBER_PASSWORD = "member-password-123"


def decided(indicator: str, decision: str, at: datetime, version: str = "v1", call_id: str = "c1",
            flag_id: int = 1) -> DecidedFlag:
    return DecidedFlag(flag_id, call_id, indicator, version, decision, at, "lead", None, "why", 0.9, False, ())


# ---- the tables ----------------------------------------------------------------------------------


def test_shares_per_indicator_and_rules_version():
    at = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)
    flags = [decided("empathy", "confirm", at), decided("empathy", "confirm", at), decided("empathy", "dismiss", at),
             decided("empathy", "dismiss", at, version="v2"), decided("greeting", "confirm", at)]
    rows = {(r.indicator, r.rules_version): r for r in agreement_by_indicator(flags)}
    assert set(rows) == {("empathy", "v1"), ("empathy", "v2"), ("greeting", "v1")}
    v1 = rows["empathy", "v1"]
    assert (v1.n, v1.confirmed, v1.dismissed) == (3, 2, 1)
    assert v1.confirmed_share == pytest.approx(2 / 3) and v1.dismissed_share == pytest.approx(1 / 3)
    assert rows["empathy", "v2"].confirmed_share == 0.0 and rows["greeting", "v1"].confirmed_share == 1.0
    assert v1.to_dict()["confirmed_share"] == 0.6667


def test_weeks_are_uk_weeks_from_monday():
    # 23:30 UTC on Sunday 28 June is 00:30 BST on Monday 29 June: the new week in the UK.
    assert week_start(datetime(2026, 6, 28, 23, 30, tzinfo=timezone.utc)).isoformat() == "2026-06-29"
    assert week_start(datetime(2026, 6, 28, 22, 30, tzinfo=timezone.utc)).isoformat() == "2026-06-22"
    # In winter the UK is on UTC: 23:30 UTC on Sunday is still Sunday.
    assert week_start(datetime(2026, 11, 29, 23, 30, tzinfo=timezone.utc)).isoformat() == "2026-11-23"
    flags = [decided("empathy", "confirm", datetime(2026, 11, 24, 9, tzinfo=timezone.utc)),
             decided("empathy", "dismiss", datetime(2026, 11, 30, 9, tzinfo=timezone.utc)),
             decided("empathy", "confirm", datetime(2026, 12, 1, 9, tzinfo=timezone.utc))]
    weeks = [(r.week, r.n, r.confirmed) for r in agreement_by_week(flags)]
    assert weeks == [("2026-11-23", 1, 1), ("2026-11-30", 2, 1)]
    text = agreement_text(agreement_by_indicator(flags), agreement_by_week(flags))
    assert "2026-11-30" in text and "67%" in text
    assert agreement_text([], []) == "No QA-lead decisions on flags yet.\n"


# ---- a real store ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    url, gaps = tune_store(tmp_path_factory.mktemp("agreement"))
    return {"url": url, "gaps": gaps, "store": Store.open(url)}


def test_the_store_counts_each_flag_by_its_latest_decision(sim):
    store = sim["store"]
    flags = store.decided_flags()
    short = sum(1 for g in sim["gaps"].values() if g < LEAD_LIMIT_S)
    silence = [f for f in flags if f.indicator == "unexplained_silence"]
    assert len(silence) == CALLS and sum(f.decision == "dismiss" for f in silence) == short
    assert all(f.rules_version == load_rule_pack().version and f.evidence for f in silence)
    assert silence[0].decided_at.tzinfo is not None
    # A note is not a decision; a flag decided again counts once, by its latest decision.
    flag = silence[0]
    store.record_flag_decision(flag.call_id, flag.flag_id, flag.indicator, "note", None, "listened again", "lead")
    assert len(store.decided_flags()) == len(flags)
    other = "confirm" if flag.decision == "dismiss" else "dismiss"
    store.record_flag_decision(flag.call_id, flag.flag_id, flag.indicator, other, "changed my mind", None, "lead")
    again = {f.flag_id: f for f in store.decided_flags()}
    assert len(again) == len(flags) and again[flag.flag_id].decision == other
    store.record_flag_decision(flag.call_id, flag.flag_id, flag.indicator, flag.decision, "back again", None, "lead")
    rows = {r.indicator: r for r in agreement_by_indicator(store.decided_flags())}
    assert rows["unexplained_silence"].dismissed == short and rows["unexplained_silence"].n == CALLS


def test_cli_prints_the_tables_and_json_lines(sim, capsys):
    store = sim["store"]
    before = len(store.audit_entries(action="view_agreement"))
    assert main(["calibrate", "--decisions", "--db", sim["url"]]) == 0
    out = capsys.readouterr().out
    short = sum(1 for g in sim["gaps"].values() if g < LEAD_LIMIT_S)
    line = next(line for line in out.splitlines() if line.startswith("unexplained_silence"))
    assert line.split()[2:5] == [str(CALLS), str(CALLS - short), str(short)]
    assert "Per week (UK weeks, starting Monday)" in out
    assert main(["calibrate", "--decisions", "--json", "--db", sim["url"]]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    totals = [r for r in rows if r["kind"] == "total"]
    weeks = [r for r in rows if r["kind"] == "week"]
    silence = next(r for r in totals if r["indicator"] == "unexplained_silence")
    assert (silence["n"], silence["dismissed"]) == (CALLS, short)
    assert silence["confirmed_share"] == round((CALLS - short) / CALLS, 4)
    assert sum(r["n"] for r in weeks) == sum(r["n"] for r in totals) and all(r["week"] for r in weeks)
    assert len(store.audit_entries(action="view_agreement")) == before + 2
    assert main(["calibrate", "--db", sim["url"]]) == 2                 # say what to calibrate
    assert "--decisions" in capsys.readouterr().err
    assert main(["calibrate", "--decisions", "--since", "2026-13-01", "--db", sim["url"]]) == 2
    capsys.readouterr()


def test_cli_on_a_missing_store(tmp_path, capsys):
    assert main(["calibrate", "--decisions", "--db", str(tmp_path / "none.db")]) == 5
    assert "no store" in capsys.readouterr().err


def test_calibration_page_shows_agreement_to_qa_leads_only_and_audits(sim, tmp_path):
    from callqa.web import create_app
    from callqa.web.users import add_user

    store = sim["store"]
    add_user(store, "lead", LEAD_PASSWORD, "qa_lead")
    add_user(store, "member", MEMBER_PASSWORD, "panel_member")
    app = create_app(sim["url"], instance_dir=tmp_path / "instance")
    lead, member = app.test_client(), app.test_client()
    assert login(lead, "lead", LEAD_PASSWORD).status_code == 302
    assert login(member, "member", MEMBER_PASSWORD).status_code == 302
    before = store.audit_entries(limit=1)[0]["id"]
    page = lead.get("/calibration")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Agreement with QA leads" in html
    rows = {r.indicator: r for r in agreement_by_indicator(store.decided_flags())}
    silence = rows["unexplained_silence"]
    cells = (f'<tr data-indicator="unexplained_silence" data-rules="{load_rule_pack().version}">\n'
             f"    <td>Unexplained silence</td><td>{load_rule_pack().version}</td><td>{silence.n}</td>"
             f"<td>{silence.confirmed}</td>")
    assert cells in html and f"{100 * silence.confirmed_share:.0f}%" in html
    assert 'class="agreement-weeks"' in html and "data-week=" in html
    audit = [r for r in store.audit_entries(action="view_calibration") if r["id"] > before]
    assert len(audit) == 1 and audit[0]["actor"] == "lead"
    assert audit[0]["details"]["decisions"] == len(store.decided_flags())
    assert member.get("/calibration").status_code == 403
    assert app.test_client().get("/calibration").status_code == 302   # signed out: to the sign-in page


def test_calibration_page_in_chromium_follows_new_decisions(sim, tmp_path, browser):
    """The page in a real browser: signed in through the form, no CSP complaints, and a decision
    made since the last view changes the agreement shown."""
    from callqa.web import create_app
    from tests.web_helpers import served

    store = sim["store"]
    if not any(u["username"] == "lead" for u in store.list_users()):
        from callqa.web.users import add_user

        add_user(store, "lead", LEAD_PASSWORD, "qa_lead")
    app = create_app(sim["url"], instance_dir=tmp_path / "instance")
    context = browser.new_context()
    console: list[str] = []
    page = context.new_page()
    page.on("console", lambda message: console.append(message.text))
    page.set_default_timeout(15000)
    try:
        with served(app) as base:
            page.goto(f"{base}/calibration")
            assert "/login" in page.url
            page.fill("#username", "lead")
            page.fill("#password", LEAD_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            assert page.url.endswith("/calibration")
            row = "table.agreement-totals tr[data-indicator=unexplained_silence] td"
            cells = page.eval_on_selector_all(row, "tds => tds.map(td => td.textContent)")
            silence = next(r for r in agreement_by_indicator(store.decided_flags()) if r.indicator == "unexplained_silence")
            assert cells[0] == "Unexplained silence" and cells[2:5] == [str(silence.n), str(silence.confirmed),
                                                                        str(silence.dismissed)]
            # The lead dismisses one more confirmed silence flag (in the store, as the call page does).
            target = next(f for f in store.decided_flags() if f.indicator == "unexplained_silence"
                          and f.decision == "confirm")
            store.record_flag_decision(target.call_id, target.flag_id, target.indicator, "dismiss", "on reflection",
                                       None, "lead")
            page.reload()
            cells = page.eval_on_selector_all(row, "tds => tds.map(td => td.textContent)")
            assert cells[3:5] == [str(silence.confirmed - 1), str(silence.dismissed + 1)]
            assert page.locator("table.agreement-weeks tbody tr").count() >= 1
    finally:
        context.close()
    assert not [m for m in console if "Content Security Policy" in m], console


def test_operators_disputes_and_their_resolution_are_counted(sim, capsys):
    """An operator disputes two confirmed findings; a QA lead upholds one and overturns the other
    (which dismisses the flag, as the Disputes page does)."""
    store = sim["store"]
    confirmed = [f for f in store.decided_flags() if f.indicator == "unexplained_silence" and f.decision == "confirm"]
    before = next(r for r in agreement_by_indicator(store.decided_flags()) if r.indicator == "unexplained_silence")
    kept, overturned = confirmed[0], confirmed[1]
    for f in (kept, overturned):
        assert store.record_feedback(f.flag_id, f.call_id, "h0", f.indicator, "disputed", "I explained it", "op")
    assert store.claim_resolution(kept.flag_id, "upheld", "the silence was long", "lead") is not None
    assert store.claim_resolution(overturned.flag_id, "overturned", "fair point", "lead") is not None
    store.record_flag_decision(overturned.call_id, overturned.flag_id, overturned.indicator, "dismiss",
                               "dispute overturned", None, "lead")
    flags = {f.flag_id: f for f in store.decided_flags()}
    assert (flags[kept.flag_id].disputed, flags[kept.flag_id].dispute_resolution) == (True, "upheld")
    assert flags[overturned.flag_id].dispute_resolution == "overturned"
    assert flags[overturned.flag_id].decision == "dismiss"
    row = next(r for r in agreement_by_indicator(flags.values()) if r.indicator == "unexplained_silence")
    assert (row.disputed, row.upheld, row.overturned) == (2, 1, 1)
    assert (row.confirmed, row.dismissed) == (before.confirmed - 1, before.dismissed + 1)
    assert main(["calibrate", "--decisions", "--json", "--db", sim["url"]]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    total = next(r for r in rows if r["kind"] == "total" and r["indicator"] == "unexplained_silence")
    assert (total["disputed"], total["upheld"], total["overturned"]) == (2, 1, 1)
    assert main(["calibrate", "--decisions", "--db", sim["url"]]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("unexplained_silence"))
    assert line.split()[-3:] == ["2", "1", "1"]
