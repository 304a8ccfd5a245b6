"""The review app's security promises, checked with Flask's test client on a store filled by the
real nightly batch: sign-in everywhere, roles, CSRF, escaping, no path traversal, login rate
limit, Argon2id hashes, audit of every view, headers and cookies."""

from __future__ import annotations

import io
import json
import os
import re
import stat
import wave

import pytest
from sqlalchemy import select

from callqa.store import Store
from callqa.store import schema as t
from callqa.web import create_app
from callqa.web.auth import PANEL_ENDPOINTS, PUBLIC_ENDPOINTS
from callqa.web.security import CSP
from tests.web_helpers import (FORMULA_HANDLER, IMG, PASSWORDS, SCRIPT, TERMINAL_ESCAPE, XSS_AREA, XSS_CALL,
                               add_users_and_draw, build_site, csrf_from, login)

SAMPLE_VALUES = {"call_id": "vulnerable_ignored", "flag_id": "1", "draw_id": "1", "handler_id": "H1042",
                 "area": "Stafford", "filename": "index.html"}


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    site = build_site(tmp_path_factory.mktemp("web-security"))
    site["app"].config["TESTING"] = True
    yield site
    site["store"].engine.dispose()


@pytest.fixture
def lead(env):
    client = env["app"].test_client()
    assert login(client, "lead").status_code == 302
    return client


@pytest.fixture
def member(env):
    client = env["app"].test_client()
    assert login(client, "member").status_code == 302
    return client


def every_route(app):
    """(endpoint, method, url) for each rule, with sample values for its parameters."""
    for rule in app.url_map.iter_rules():
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE_VALUES[m.group(1)], rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_every_route_refuses_anyone_not_signed_in(env):
    client = env["app"].test_client()
    checked = 0
    for endpoint, method, url in every_route(env["app"]):
        if endpoint in PUBLIC_ENDPOINTS:
            continue
        response = client.open(url, method=method)
        assert response.status_code in (302, 401), (method, url, response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login"), url
        assert b"Staffordshire" not in response.data and b"partner" not in response.data
        checked += 1
    assert checked >= 15
    # Machine endpoints answer 401 (an audio element or script cannot follow a login page).
    assert client.get("/calls/vulnerable_ignored/audio").status_code == 401
    assert client.get("/api/calls/vulnerable_ignored/transcript").status_code == 401
    assert client.get("/api/queue").status_code == 401
    assert client.get("/queue.csv").status_code == 401
    assert client.get("/no/such/page").status_code in (302, 401)


def test_panel_member_is_refused_every_qa_page_call_audio_and_api(env, member):
    checked = 0
    for endpoint, method, url in every_route(env["app"]):
        if endpoint in PUBLIC_ENDPOINTS or endpoint in PANEL_ENDPOINTS:
            continue
        response = member.open(url, method=method)
        assert response.status_code == 403, (method, url, response.status_code)
        assert b"Staffordshire" not in response.data
        checked += 1
    assert checked >= 12
    assert member.get("/").headers["Location"].endswith("/panel/")


def test_panel_member_sees_only_assigned_draws(env, member):
    other_draw = _second_draw(env)
    page = member.get("/panel/").get_data(as_text=True)
    assert f"/panel/{env['draw_id']}/" in page and f"/panel/{other_draw}/" not in page
    assert "vulnerable_ignored" not in page and "good_999" not in page  # no call ids on the list
    assert member.get(f"/panel/{other_draw}/").status_code == 403
    assert member.get(f"/panel/{other_draw}/audio/call-01.wav").status_code == 403
    nothing = env["app"].test_client()
    login(nothing, "other")
    assert "No panel samples" in nothing.get("/panel/").get_data(as_text=True)
    assert nothing.get(f"/panel/{env['draw_id']}/").status_code == 403


def test_assigned_pack_is_built_redacted_and_served_only_from_its_folder(env, member, lead):
    page = member.get(f"/panel/{env['draw_id']}/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    built = env["store"].audit_entries(action="panel_pack")
    assert [(e["details"]["draw_id"], e["details"]["redacted"]) for e in built] == [(env["draw_id"], True)]
    assert member.get(f"/panel/{env['draw_id']}/audio/call-01.wav").headers["Accept-Ranges"] == "bytes"
    assert lead.get(f"/panel/{env['draw_id']}/").status_code == 200  # cached: not built again
    assert len(env["store"].audit_entries(action="panel_pack")) == 1
    for url in (f"/panel/{env['draw_id']}/../draw-{env['draw_id']}/index.html", f"/panel/{env['draw_id']}/..%2F..%2F"
                "secret_key", f"/panel/{env['draw_id']}//etc/passwd"):
        assert member.get(url, follow_redirects=True).status_code == 404, url
    # A re-score of a call in the draw makes the cached pack stale: the next view builds it afresh.
    from dataclasses import replace

    from callqa.panel.sampling import redraw
    from callqa.rescore import rescore_rows
    from callqa.pipeline.rules import load_rule_pack

    first_call = redraw(env["store"], env["draw_id"])[0]["calls"][0][0]
    rules = replace(load_rule_pack(), version="retuned-for-test")
    pending = [row for row in env["store"].pending_rescores(rules.version) if row["call_id"] == first_call]
    assert len(pending) == 1
    rescore_rows(env["store"], pending, rules, None)
    assert member.get(f"/panel/{env['draw_id']}/").status_code == 200
    assert len(env["store"].audit_entries(action="panel_pack")) == 2
    cached = list((env["tmp"] / "instance" / "cache" / "panel").glob(f"draw-{env['draw_id']}-*"))
    assert len(cached) == 1


def _second_draw(env) -> int:
    from callqa.panel.sampling import SampleFilters, sample

    if "second_draw" not in env:
        env["second_draw"] = sample(env["store"], "unassigned", SampleFilters(n=1), 3, "test").draw_id
    return env["second_draw"]


def test_markup_in_transcript_and_metadata_is_shown_as_text(env, lead):
    page = lead.get(f"/calls/{XSS_CALL}").get_data(as_text=True)
    assert SCRIPT not in page and IMG not in page and "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert XSS_AREA not in page
    queue = lead.get("/queue?status=all").get_data(as_text=True)
    assert IMG not in queue and XSS_AREA not in queue and "&lt;img src=x onerror=alert(2)&gt;" in queue
    assert "<script" not in queue.replace('<script src="/static/', "")
    api = lead.get(f"/api/calls/{XSS_CALL}/transcript")
    assert api.mimetype == "application/json" and api.json["transcript"][0]["text"].endswith(IMG)


def test_runs_page_shows_each_run_and_its_errors_as_text(env, lead):
    run_id = env["store"].runs(1)[0]["id"]
    env["store"].record_error(run_id, f"/exports/{SCRIPT}.wav", "audio", f"bad header {IMG}", "bad_call")
    page = lead.get("/runs").get_data(as_text=True)
    assert f'id="run-{run_id}"' in page and "finished" in page and "13</td>" in page  # 13 calls analysed
    assert "bad_call" in page and "&lt;img src=x onerror=alert(2)&gt;" in page and IMG not in page


def test_queue_csv_is_the_filtered_view_and_quotes_formulas(env, lead):
    rows = lead.get("/queue.csv?status=all").get_data(as_text=True).splitlines()
    assert rows[0].startswith("flag_id,call_id,started_at")
    hostile = [r for r in rows if r.split(",")[1] == XSS_CALL]
    assert hostile and all(f"'{FORMULA_HANDLER}".replace('"', '""') in r for r in hostile)
    assert not any(f",{FORMULA_HANDLER}" in r for r in rows)
    only = lead.get("/queue.csv?status=all&indicator=vulnerability").get_data(as_text=True).splitlines()[1:]
    assert only and all(",vulnerability," in r for r in only) and len(only) < len(rows) - 1
    assert lead.get("/queue.csv?status=bogus").status_code == 400


def test_posts_without_the_csrf_token_are_refused(env, lead):
    flag_id = env["store"].flagged()[0]
    flag = _flag_id(env, flag_id["call_id"])
    url = f"/calls/{flag_id['call_id']}/flags/{flag}/decision"
    assert lead.post(url, data={"decision": "note", "note": "no token"}).status_code == 400
    assert lead.post(url, data={"decision": "note", "note": "bad", "csrf_token": "x" * 43}).status_code == 400
    assert _decisions(env) == 0
    token = csrf_from(lead.get(f"/calls/{flag_id['call_id']}").get_data(as_text=True))
    assert lead.post(url, data={"decision": "note", "note": "ok", "csrf_token": token}).status_code == 302
    assert _decisions(env) == 1
    fresh = env["app"].test_client()
    fresh.get("/login")
    assert fresh.post("/login", data={"username": "lead", "password": PASSWORDS["lead"]}).status_code == 400
    assert lead.post("/logout").status_code == 400  # signing out needs the token too


def _flag_id(env, call_id: str) -> int:
    from callqa.web.queries import current_flags

    return current_flags(env["store"], call_id)[0]["id"]


def _decisions(env) -> int:
    return env["store"].count("flag_decisions")


def test_paths_cannot_reach_files_outside_the_store(env, lead):
    for url in ["/calls/..%2F..%2Fetc%2Fpasswd/audio", "/calls/../../etc/passwd/audio", "/calls/%2e%2e/audio",
                f"/panel/{env['draw_id']}/../../../etc/passwd", f"/panel/{env['draw_id']}/..%2F..%2Fetc%2Fpasswd",
                f"/panel/{env['draw_id']}/%2e%2e/%2e%2e/secret_key", "/static/../../etc/passwd",
                "/static/..%2F..%2F..%2Fetc%2Fpasswd", "/static/%2e%2e/app.py", "/static/../app.py",
                "/calls/good_101%00/audio"]:
        response = lead.get(url)
        assert response.status_code in (400, 404), (url, response.status_code)
        assert b"root:" not in response.data and b"def create_app" not in response.data
    secret = (env["tmp"] / "instance" / "secret_key").read_bytes()
    assert secret not in lead.get(f"/panel/{env['draw_id']}/../secret_key").data


def test_login_is_rate_limited_per_user_and_address(env):
    app = env["app"]
    attacker = app.test_client()
    for _ in range(5):
        assert login(attacker, "lead", "wrong-password-xyz").status_code == 401
    assert login(attacker, "lead").status_code == 429  # even the right password, once limited
    elsewhere = app.test_client()
    token = csrf_from(elsewhere.get("/login", environ_base={"REMOTE_ADDR": "10.1.2.3"}).get_data(as_text=True))
    response = elsewhere.post("/login", data={"username": "lead", "password": PASSWORDS["lead"], "csrf_token": token},
                              environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 302
    failures = env["store"].audit_entries(action="login_failed")
    assert len(failures) == 5 and {f["details"]["ip"] for f in failures} == {"127.0.0.1"}
    with env["store"].engine.begin() as conn:  # let the other tests sign in from 127.0.0.1 again
        conn.execute(t.audit_log.delete().where(t.audit_log.c.action == "login_failed"))


def test_passwords_are_argon2id_hashes_and_short_ones_are_refused(env, monkeypatch):
    from callqa.cli import main

    with env["store"].engine.connect() as conn:
        hashes = dict(conn.execute(select(t.users.c.username, t.users.c.password_hash)).all())
    for name, password in PASSWORDS.items():
        assert hashes[name].startswith("$argon2id$") and password not in hashes[name]
    url = env["store"].url
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "shorty", "--role", "qa_lead", "--password-stdin", "--db", url]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-password\n"))
    assert main(["user", "add", "scripted", "--role", "panel_member", "--password-stdin", "--db", url]) == 0
    assert main(["user", "assign", "scripted", "--draw", str(env["draw_id"]), "--db", url]) == 0
    assert main(["user", "assign", "lead", "--draw", str(env["draw_id"]), "--db", url]) == 2  # not a panel member
    client = env["app"].test_client()
    assert login(client, "scripted", "a-long-enough-password").status_code == 302
    assert client.get("/queue").status_code == 403
    assert client.get("/panel/").status_code == 200
    assert main(["user", "disable", "scripted", "--db", url]) == 0
    assert client.get("/panel/").status_code == 302  # the open session ends at once
    assert login(env["app"].test_client(), "scripted", "a-long-enough-password").status_code == 401
    monkeypatch.setattr("sys.stdin", io.StringIO("another-long-password\n"))
    assert main(["user", "passwd", "scripted", "--password-stdin", "--db", url]) == 0
    assert main(["user", "enable", "scripted", "--db", url]) == 0
    assert login(env["app"].test_client(), "scripted", "another-long-password").status_code == 302


def test_every_view_of_a_call_is_audited(env, lead):
    before = len(env["store"].audit_entries(action="view_call", call_id="good_101"))
    assert lead.get("/calls/good_101").status_code == 200
    audio = lead.get("/calls/good_101/audio")
    assert lead.get("/api/calls/good_101/transcript").status_code == 200
    entries = env["store"].audit_entries(action="view_call", call_id="good_101")
    assert len(entries) == before + 3
    assert {e["details"]["view"] for e in entries[:3]} == {"page", "audio", "transcript"}
    assert {e["actor"] for e in entries[:3]} == {"lead"}
    # The recorder's mu-law WAV is served as 16-bit PCM, with byte ranges (the player seeks with them).
    assert audio.status_code == 200 and audio.headers["Accept-Ranges"] == "bytes"
    with wave.open(io.BytesIO(audio.data)) as wav:
        assert (wav.getsampwidth(), wav.getcomptype(), wav.getframerate(), wav.getnchannels()) == (2, "NONE", 8000, 2)
    part = lead.get("/calls/good_101/audio", headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206 and len(part.data) == 1000 and part.data == audio.data[1000:2000]


def test_headers_and_session_cookie(env):
    client = env["app"].test_client()
    response = login(client, "lead")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    for url in ["/login", "/queue", "/calls/good_101", "/static/app.css", "/api/queue"]:
        page = client.get(url)
        assert page.headers["Content-Security-Policy"] == CSP, url
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        assert page.headers["Referrer-Policy"] == "no-referrer"
    assert client.get("/queue").headers["Cache-Control"] == "no-store"
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
                      "media-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "form-action 'self'"):
        assert directive in CSP
    secret = env["tmp"] / "instance" / "secret_key"
    assert stat.S_IMODE(os.stat(secret).st_mode) == 0o600


def test_sign_in_never_redirects_off_site(env):
    client = env["app"].test_client()
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login?next=//evil.example/x", data={
        "username": "lead", "password": PASSWORDS["lead"], "csrf_token": token, "next": "//evil.example/x"})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_decisions_move_flags_between_queue_views(env, lead):
    call_id = "unexplained_silence"
    flag = _flag_id(env, call_id)
    token = csrf_from(lead.get(f"/calls/{call_id}").get_data(as_text=True))
    open_ids = {r["flag_id"] for r in lead.get("/api/queue").json["flags"]}
    assert flag in open_ids
    url = f"/calls/{call_id}/flags/{flag}/decision"
    lead.post(url, data={"decision": "dismiss", "reason": "", "csrf_token": token})  # a dismissal needs a reason
    assert flag in {r["flag_id"] for r in lead.get("/api/queue").json["flags"]}
    lead.post(url, data={"decision": "dismiss", "reason": "explained off-mic", "csrf_token": token})
    assert flag not in {r["flag_id"] for r in lead.get("/api/queue").json["flags"]}
    dismissed = lead.get("/api/queue?status=dismissed").json["flags"]
    assert [(r["flag_id"], r["decided_by"], r["decision_reason"]) for r in dismissed] == [
        (flag, "lead", "explained off-mic")]
    with env["store"].engine.connect() as conn:
        row = conn.execute(select(t.flag_decisions).where(t.flag_decisions.c.flag_id == flag)).mappings().one()
    assert (row["decision"], row["decided_by"], row["call_id"]) == ("dismiss", "lead", call_id)
    assert row["decided_at"] is not None


def test_the_app_runs_on_postgresql_too(env, pg_cluster):
    """The same pages and answers on PostgreSQL (by URL) as on SQLite: the queries are portable."""
    from tests.web_helpers import copy_results

    url = pg_cluster.create_database("callqa_web")
    pg = Store(url)
    try:
        copy_results(env["store"], pg)
        add_users_and_draw(pg)
        app = create_app(url, instance_dir=env["tmp"] / "pg-instance")
        client = app.test_client()
        assert login(client, "lead").status_code == 302
        sqlite_client = env["app"].test_client()
        login(sqlite_client, "lead")
        for url_path in ("/api/queue?status=all&indicator=answer_time", "/api/queue?status=all&area=Cannock",
                         "/api/queue?date_from=2026-11-25&date_to=2026-11-25&status=all&call_type=101"):
            on_pg = [(r["call_id"], r["indicator"], r["severity"]) for r in client.get(url_path).json["flags"]]
            on_sqlite = [(r["call_id"], r["indicator"], r["severity"])
                         for r in sqlite_client.get(url_path).json["flags"]]
            assert on_pg == on_sqlite and on_pg, url_path
        for page in ("/queue", "/queue.csv", "/calls/no_greeting", "/calls/no_greeting/audio", "/operators",
                     "/operators/H1042?period=day", "/teams", "/teams/Stafford", "/runs", "/panel/"):
            assert client.get(page).status_code == 200, page
        pg_flag = _flag_id({"store": pg}, "no_greeting")
        token = csrf_from(client.get("/calls/no_greeting").get_data(as_text=True))
        assert client.post(f"/calls/no_greeting/flags/{pg_flag}/decision",
                           data={"decision": "confirm", "csrf_token": token}).status_code == 302
        assert pg_flag not in {r["flag_id"] for r in client.get("/api/queue").json["flags"]}
    finally:
        pg.engine.dispose()
        pg_cluster.drop_database("callqa_web")


def test_sign_out_ends_copied_sessions_too(env):
    """Sessions are signed cookies; the account's session epoch makes sign-out end a stolen copy."""
    first, thief = env["app"].test_client(), env["app"].test_client()
    assert login(first, "member").status_code == 302
    cookie = first.get_cookie("callqa_session")
    thief.set_cookie("callqa_session", cookie.value, domain=cookie.domain or "localhost")
    assert thief.get("/panel/").status_code == 200
    token = csrf_from(first.get("/panel/").get_data(as_text=True))
    assert first.post("/logout", data={"csrf_token": token}).status_code == 302
    assert thief.get("/panel/").status_code == 302 and first.get("/panel/").status_code == 302
    # A fresh sign-in works again; an old cookie stays dead.
    assert login(first, "member").status_code == 302 and first.get("/panel/").status_code == 200
    thief.set_cookie("callqa_session", cookie.value, domain=cookie.domain or "localhost")
    assert thief.get("/panel/").status_code == 302


def test_calibration_page_lists_disagreements(env, lead, member, tmp_path):
    """Panel answers imported for the draw show up as agreement, kappa and linked disagreements."""
    from callqa.panel.answers import import_answers
    from callqa.panel.questionnaire import load_questionnaire
    from callqa.panel.sampling import redraw

    questionnaire = load_questionnaire()
    recorded, _ = redraw(env["store"], env["draw_id"])
    calls = [call_id for call_id, _ in recorded["calls"]]
    answers = {"format": "callqa-panel-answers", "format_version": 1, "draw_id": env["draw_id"],
               "panel": recorded["panel"], "questionnaire": {"name": questionnaire.name,
                                                             "version": questionnaire.version},
               "member": "P. Member", "saved_at": "2026-11-26T14:00:00+00:00",
               "calls": [{"call_id": c, "answers": {q.id: "no" for q in questionnaire.questions}} for c in calls]}
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    import_answers(env["store"], [path], actor="coordinator")
    # Every automated pass on a mapped indicator is a disagreement with the panel's "no".
    expected = sum(env["store"].call_result(c)["indicators"][q.indicator]["status"] == "pass"
                   for c in calls for q in questionnaire.questions if q.indicator)
    page = lead.get(f"/calibration?draw={env['draw_id']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and f"Disagreements ({expected})" in html
    assert html.count('href="/calls/') >= expected > 0 and "<svg" in html
    assert member.get("/calibration").status_code == 403


def test_hidden_characters_in_a_transcript_show_escaped_on_pages_and_packs(env, lead):
    """Issue 13: control characters were escaped on terminals and in CSV, but pages printed an ESC or
    a bidi override from a transcript as is. Every template value now shows them escaped."""
    page = lead.get(f"/calls/{XSS_CALL}").get_data(as_text=True)
    assert "\x1b" not in page and "\u202e" not in page
    assert "\\x1b[31mred\\x1b[0m \\u202eevil" in page
    from callqa.panel.pack import _env

    rendered = _env().from_string("<p>{{ text }}</p>").render(text=TERMINAL_ESCAPE)
    assert rendered == "<p>\\x1b[31mred\\x1b[0m \\u202eevil</p>"
