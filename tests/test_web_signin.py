"""Sign-in hardening of the review app, with Flask's test client on a store filled by the real
nightly batch: no open redirect through `next`, an attempt limit that holds under concurrent
requests (threads and processes), a password policy that says why it refuses, an absolute session
lifetime beside the idle one, the trusted-proxy setting, and no server error on odd values."""

from __future__ import annotations

import io
import threading
from datetime import timedelta
from urllib.parse import quote, urlsplit

import pytest

from callqa.store import Store
from callqa.store import schema as t
from callqa.web import create_app, users
from tests.web_helpers import PASSWORDS, build_site, csrf_from, login


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    site = build_site(tmp_path_factory.mktemp("web-signin"))
    site["app"].config["TESTING"] = True
    yield site
    site["store"].engine.dispose()


@pytest.fixture(autouse=True)
def forget_failures(env):
    """Each test starts with no failed sign-ins on record (they would count against the next test)."""
    yield
    with env["store"].engine.begin() as conn:
        conn.execute(t.audit_log.delete().where(t.audit_log.c.action == "login_failed"))


def client_from(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def post_login(client, username: str, password: str, next_url: str | None = None, query: str = "",
               headers: dict | None = None):
    """The sign-in form, posted with the page's CSRF token (and `next` in the form and/or the URL)."""
    token = csrf_from(client.get("/login", headers=headers).get_data(as_text=True))
    data = {"username": username, "password": password, "csrf_token": token}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login" + query, data=data, headers=headers)


def counting_verify(monkeypatch) -> list[int]:
    """Count every Argon2 password check (the dummy hash for an unknown name included)."""
    from argon2 import PasswordHasher

    calls: list[int] = []
    real = PasswordHasher.verify
    guard = threading.Lock()

    def verify(self, hashed, password):
        with guard:
            calls.append(1)
        return real(self, hashed, password)

    monkeypatch.setattr(PasswordHasher, "verify", verify)  # the instance has __slots__: patch its class
    return calls


# 1. Open redirect after sign-in ------------------------------------------------------------------

HOSTILE_NEXT = ["/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "\t//evil.example", "//evil.example",
                "/\\evil.example", "/\\/evil.example", "https://evil.example", "http:/evil.example",
                "javascript:alert(1)", "//evil.example/%2F..", "/ /evil.example", "/\u2028/evil.example",
                "/\x00/evil.example", "/\x7f/evil.example", "evil.example", "", "/" + "a" * 5000]


@pytest.mark.parametrize("target", HOSTILE_NEXT, ids=lambda v: repr(v)[:40])
def test_sign_in_never_redirects_off_site_whatever_next_holds(env, target):
    in_form = post_login(client_from(env["app"], "192.0.2.1"), "lead", PASSWORDS["lead"], next_url=target)
    in_query = post_login(client_from(env["app"], "192.0.2.1"), "lead", PASSWORDS["lead"],
                          query="?next=" + quote(target, safe=""))
    for response in (in_form, in_query):
        assert response.status_code == 302, (target, response.status_code)
        assert response.headers["Location"] == "/", (target, response.headers["Location"])


@pytest.mark.parametrize("raw_query", ["next=/%09/evil.example", "next=/%0a/evil.example", "next=/%0d%0a/evil.example",
                                       "next=%2F%2Fevil.example", "next=/%5Cevil.example", "next=%09//evil.example",
                                       "next=https:%2F%2Fevil.example", "next=/%E2%80%A8/evil.example"])
def test_percent_encoded_forms_are_refused_too(env, raw_query):
    response = post_login(client_from(env["app"], "192.0.2.1"), "lead", PASSWORDS["lead"], query="?" + raw_query)
    assert response.status_code == 302 and response.headers["Location"] == "/", raw_query


def test_a_path_on_this_site_is_followed_after_sign_in(env):
    for target in ("/ok?x=1", "/queue?status=all&area=Stafford", "/calls/good_101", "/operators/H1042?period=day"):
        response = post_login(client_from(env["app"], "192.0.2.1"), "lead", PASSWORDS["lead"], next_url=target)
        assert response.status_code == 302 and response.headers["Location"] == target
    # The round trip: a page asked for before signing in is the page shown after.
    client = client_from(env["app"], "192.0.2.1")
    sent = client.get("/queue?status=all&area=Some Area")
    assert sent.status_code == 302
    login_url = sent.headers["Location"]
    assert urlsplit(login_url).path == "/login"
    token = csrf_from(client.get(login_url).get_data(as_text=True))
    done = client.post(login_url, data={"username": "lead", "password": PASSWORDS["lead"], "csrf_token": token})
    assert done.status_code == 302
    assert done.headers["Location"] in ("/queue?status=all&area=Some%20Area", "/queue?status=all&area=Some+Area")
    assert client.get(done.headers["Location"]).status_code == 200


def test_the_login_page_offers_no_hostile_next(env):
    page = client_from(env["app"], "192.0.2.1").get("/login?next=/%09/evil.example").get_data(as_text=True)
    assert 'name="next"' not in page
    page = client_from(env["app"], "192.0.2.1").get("/login?next=/calls/good_101").get_data(as_text=True)
    assert 'name="next" value="/calls/good_101"' in page


# 2. The failed-attempt limit under concurrent requests ------------------------------------------

def _hammer(apps, username: str, passwords: list[str], address: str = "198.51.100.7") -> list[int]:
    """One thread per password, each with its own test client (apps taken in turn), released at once."""
    clients = [client_from(apps[i % len(apps)], address) for i in range(len(passwords))]
    tokens = [csrf_from(c.get("/login").get_data(as_text=True)) for c in clients]
    start = threading.Barrier(len(passwords))
    statuses: list[int] = [0] * len(passwords)

    def attempt(i: int) -> None:
        start.wait()
        statuses[i] = clients[i].post("/login", data={"username": username, "password": passwords[i],
                                                      "csrf_token": tokens[i]}).status_code

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(passwords))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return statuses


def test_concurrent_wrong_passwords_are_checked_at_most_the_limit(env, monkeypatch):
    verified = counting_verify(monkeypatch)
    statuses = _hammer([env["app"]], "lead", [f"wrong-password-{i}" for i in range(20)])
    assert len(verified) <= 5, f"{len(verified)} passwords checked, the limit is 5"
    assert sorted(statuses) == [401] * 5 + [429] * 15
    assert len(env["store"].audit_entries(action="login_failed")) == 5


def test_concurrent_attempts_on_many_names_respect_the_address_limit(env, monkeypatch):
    env["app"].config["LOGIN_FAILS_PER_IP"] = 8
    try:
        verified = counting_verify(monkeypatch)
        clients = [client_from(env["app"], "198.51.100.8") for _ in range(16)]
        tokens = [csrf_from(c.get("/login").get_data(as_text=True)) for c in clients]
        start = threading.Barrier(16)
        statuses = [0] * 16

        def attempt(i: int) -> None:
            start.wait()
            statuses[i] = clients[i].post("/login", data={"username": f"nobody{i}", "password": "wrong-password-x",
                                                          "csrf_token": tokens[i]}).status_code

        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(16)]
        [thread.start() for thread in threads]
        [thread.join(timeout=300) for thread in threads]
        assert len(verified) <= 8 and sorted(statuses) == [401] * 8 + [429] * 8
    finally:
        env["app"].config["LOGIN_FAILS_PER_IP"] = 30


def test_two_app_processes_on_one_store_share_the_limit(env, monkeypatch, tmp_path):
    """Two apps with their own engines (as two waitress processes would be) on one SQLite store."""
    second = create_app(env["url"], instance_dir=tmp_path / "second")
    second.config["TESTING"] = True
    try:
        verified = counting_verify(monkeypatch)
        statuses = _hammer([env["app"], second], "lead", [f"wrong-password-{i}" for i in range(16)])
        assert len(verified) <= 5 and sorted(statuses) == [401] * 5 + [429] * 11
    finally:
        second.extensions["callqa.store"].engine.dispose()


def test_the_limit_holds_across_processes_on_postgresql(pg_cluster, monkeypatch, tmp_path):
    url = pg_cluster.create_database("callqa_signin")
    store = Store(url)
    try:
        users.add_user(store, "lead", PASSWORDS["lead"], "qa_lead")
        apps = [create_app(url, instance_dir=tmp_path / "pg", secret_key="k" * 40) for _ in range(2)]
        for app in apps:
            app.config["TESTING"] = True
        verified = counting_verify(monkeypatch)
        statuses = _hammer(apps, "lead", [f"wrong-password-{i}" for i in range(14)])
        assert len(verified) <= 5 and sorted(statuses) == [401] * 5 + [429] * 9
        # A sign-in from elsewhere still works, and is recorded as a sign-in, not a failure.
        assert post_login(client_from(apps[0], "198.51.100.99"), "lead", PASSWORDS["lead"]).status_code == 302
        assert len(store.audit_entries(action="login_failed")) == 5
        assert [e["actor"] for e in store.audit_entries(action="login")] == ["lead"]
        for app in apps:
            app.extensions["callqa.store"].engine.dispose()
    finally:
        store.engine.dispose()
        pg_cluster.drop_database("callqa_signin")


# 3. Password policy -----------------------------------------------------------------------------

WEAK = {
    " " * 12: "blank",
    "\t" * 14: "blank",
    " leading-space-password": "space",
    "trailing-space-password ": "space",
    "aaaaaaaaaaaa": "different characters",
    "abababababababab": "different characters",
    "abcabcabcabcabc": "different characters",
    "abcdefghijklmnop": "sequence",
    "123456789012": "guess",
    "password1234": "common",
    "qwertyuiop123": "guess",
    "iloveyou1234": "guess",
    "Password123!": "guess",
    "short": "at least 12",
}


@pytest.mark.parametrize("password", list(WEAK), ids=repr)
def test_weak_passwords_are_refused_with_the_reason(password):
    with pytest.raises(users.UserError) as refused:
        users.hash_password(password)
    assert WEAK[password] in str(refused.value).lower(), str(refused.value)


def test_the_password_may_not_be_the_user_name(env):
    with pytest.raises(users.UserError, match="user name"):
        users.add_user(env["store"], "stafford.qa.lead", "stafford.qa.lead", "qa_lead")
    assert users.find_user(env["store"], "stafford.qa.lead") is None


@pytest.mark.parametrize("password", [*PASSWORDS.values(), "a-long-enough-password", "another-long-password",
                                      "correct horse battery staple", "Tr0ub4dor&3-kettle-Wren"])
def test_good_passwords_are_accepted(password):
    assert users.hash_password(password).startswith("$argon2id$")


def test_the_cli_refuses_a_weak_password_and_says_why(env, monkeypatch, capsys):
    from callqa.cli import main

    url = env["store"].url
    monkeypatch.setattr("sys.stdin", io.StringIO("aaaaaaaaaaaa\n"))
    assert main(["user", "add", "weakling", "--role", "panel_member", "--password-stdin", "--db", url]) == 2
    assert "different characters" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("password1234\n"))
    assert main(["user", "passwd", "member", "--password-stdin", "--db", url]) == 2
    assert "common" in capsys.readouterr().err
    assert users.find_user(env["store"], "weakling") is None
    assert login(env["app"].test_client(), "member").status_code == 302  # the old password still works


# 4. Absolute session lifetime -------------------------------------------------------------------

def _clock_at(monkeypatch, start: float):
    from callqa.web import auth

    moment = {"now": start}
    monkeypatch.setattr(auth, "clock", lambda: moment["now"])
    return moment


def test_a_session_in_use_still_ends_12_hours_after_sign_in(env, monkeypatch):
    moment = _clock_at(monkeypatch, 1_900_000_000.0)
    client = client_from(env["app"], "192.0.2.2")
    assert login(client, "lead").status_code == 302
    for hour in range(12):  # used every hour: the idle limit never applies
        moment["now"] = 1_900_000_000.0 + hour * 3600
        assert client.get("/queue").status_code == 200, hour
    moment["now"] = 1_900_000_000.0 + 12 * 3600 + 1
    expired = client.get("/queue")
    assert expired.status_code == 302 and urlsplit(expired.headers["Location"]).path == "/login"
    assert client.get("/api/queue").status_code == 401  # and stays ended
    assert login(client, "lead").status_code == 302 and client.get("/queue").status_code == 200


def test_the_absolute_lifetime_is_configurable_and_a_session_without_a_start_is_refused(env, monkeypatch):
    moment = _clock_at(monkeypatch, 1_900_000_000.0)
    env["app"].config["SESSION_ABSOLUTE_LIFETIME"] = timedelta(minutes=30)
    try:
        client = client_from(env["app"], "192.0.2.2")
        assert login(client, "member").status_code == 302
        moment["now"] += 29 * 60
        assert client.get("/panel/").status_code == 200
        moment["now"] += 2 * 60
        assert client.get("/panel/").status_code == 302
    finally:
        env["app"].config["SESSION_ABSOLUTE_LIFETIME"] = timedelta(hours=12)
    client = client_from(env["app"], "192.0.2.2")
    assert login(client, "member").status_code == 302
    with client.session_transaction() as session:
        session.pop("signed_in_at")  # a cookie signed before the limit existed
    assert client.get("/panel/").status_code == 302


def test_session_lifetimes_come_from_the_environment(env, monkeypatch, tmp_path):
    monkeypatch.setenv("CALLQA_SESSION_IDLE_HOURS", "2")
    monkeypatch.setenv("CALLQA_SESSION_MAX_HOURS", "6")
    app = create_app(env["url"], instance_dir=tmp_path / "lifetimes")
    assert app.permanent_session_lifetime == timedelta(hours=2)
    assert app.config["SESSION_ABSOLUTE_LIFETIME"] == timedelta(hours=6)
    app.extensions["callqa.store"].engine.dispose()


# 5. Trusted proxies -----------------------------------------------------------------------------

def _proxy_app(env, monkeypatch, tmp_path, trusted: str):
    monkeypatch.setenv("CALLQA_TRUSTED_PROXIES", trusted)
    app = create_app(env["url"], instance_dir=tmp_path / f"proxy-{trusted}")
    app.config.update(TESTING=True, LOGIN_FAILS_PER_IP=3)
    return app


def _fail_three_times(app, forwarded_for: str) -> None:
    client = client_from(app, "192.0.2.50")  # the proxy's own address
    for i in range(3):
        response = post_login(client, f"nobody{i}", "wrong-password-x", headers={"X-Forwarded-For": forwarded_for})
        assert response.status_code == 401


def test_behind_one_trusted_proxy_clients_are_counted_apart(env, monkeypatch, tmp_path):
    app = _proxy_app(env, monkeypatch, tmp_path, "1")
    try:
        _fail_three_times(app, "203.0.113.5")
        attacker = client_from(app, "192.0.2.50")
        blocked = post_login(attacker, "lead", PASSWORDS["lead"], headers={"X-Forwarded-For": "203.0.113.5"})
        assert blocked.status_code == 429
        # A client cannot pick its address: the proxy appends the real one, and only that is trusted.
        spoofed = post_login(attacker, "lead", PASSWORDS["lead"],
                             headers={"X-Forwarded-For": "203.0.113.77, 203.0.113.5"})
        assert spoofed.status_code == 429
        colleague = post_login(client_from(app, "192.0.2.50"), "lead", PASSWORDS["lead"],
                               headers={"X-Forwarded-For": "203.0.113.9"})
        assert colleague.status_code == 302
        assert {e["details"]["ip"] for e in env["store"].audit_entries(action="login_failed")} == {"203.0.113.5"}
        assert env["store"].audit_entries(action="login")[0]["details"]["ip"] == "203.0.113.9"
    finally:
        app.extensions["callqa.store"].engine.dispose()


def test_without_trusted_proxies_the_forwarded_header_is_ignored(env, monkeypatch, tmp_path):
    app = _proxy_app(env, monkeypatch, tmp_path, "0")
    try:
        _fail_three_times(app, "203.0.113.5")
        other = post_login(client_from(app, "192.0.2.50"), "lead", PASSWORDS["lead"],
                           headers={"X-Forwarded-For": "203.0.113.9"})
        assert other.status_code == 429  # one address for everyone: the header is not believed
        assert {e["details"]["ip"] for e in env["store"].audit_entries(action="login_failed")} == {"192.0.2.50"}
    finally:
        app.extensions["callqa.store"].engine.dispose()


def test_a_bad_trusted_proxies_value_stops_the_app(env, monkeypatch, tmp_path):
    from callqa.pipeline.errors import CallQAError

    monkeypatch.setenv("CALLQA_TRUSTED_PROXIES", "yes")
    with pytest.raises(CallQAError, match="CALLQA_TRUSTED_PROXIES"):
        create_app(env["url"], instance_dir=tmp_path / "bad")


def test_the_per_user_limit_comes_before_the_address_limit(env):
    """Five failures for one name lock that name from that address; others there may still sign in."""
    attacker = client_from(env["app"], "192.0.2.60")
    for i in range(5):
        assert post_login(attacker, "member", f"wrong-password-{i}").status_code == 401
    assert post_login(attacker, "member", PASSWORDS["member"]).status_code == 429
    assert post_login(client_from(env["app"], "192.0.2.60"), "lead", PASSWORDS["lead"]).status_code == 302


# 6. Odd values never give a server error --------------------------------------------------------

ODD = ["/\n/x", "\r\n", "%0a", "/" + "x" * 5000, "\x00", "/\x00", "/caf\u00e9", "\u202e/x", "/%", "%", "/?\n"]


@pytest.mark.parametrize("value", ODD, ids=lambda v: repr(v)[:40])
def test_odd_values_in_the_sign_in_routes_never_give_a_500(env, value):
    client = client_from(env["app"], "192.0.2.70")
    page = client.get("/login", query_string={"next": value})
    assert page.status_code == 200
    response = post_login(client, "lead", PASSWORDS["lead"], next_url=value)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//") and len(location) < 4096
    for username in (value, value * 3, "lead" + value):
        response = post_login(client_from(env["app"], "192.0.2.71"), username, "wrong-password-x", next_url=value)
        assert response.status_code in (401, 429), (username[:40], response.status_code)


def test_very_long_urls_before_sign_in_give_a_short_redirect(env):
    client = client_from(env["app"], "192.0.2.72")
    response = client.get("/queue?area=" + "x" * 20000)
    assert response.status_code == 302 and len(response.headers["Location"]) < 4096
    assert client.get("/login?next=" + "%0a" * 5000).status_code == 200
    too_big = client.post("/login", data={"username": "lead", "password": "p" * 100_000, "csrf_token": "x"})
    assert too_big.status_code == 413
