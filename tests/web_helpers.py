"""Shared set-up for the review-app tests: a store filled by the real nightly batch, users, a
hostile call, a panel draw, and the app served on 127.0.0.1 in a thread.

The nightly batch (`callqa run sample_audio`) runs once per test process into a template SQLite
file; each test module works on its own copy (sqlite3's backup API, which is safe with WAL).
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from tests.conftest import ROOT, SAMPLES

PASSWORDS = {"lead": "lead-password-123", "member": "member-password-123", "other": "other-password-123"}
XSS_CALL = "xss_call"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
TERMINAL_ESCAPE = "\x1b[31mred\x1b[0m \u202eevil"   # an ANSI colour and a bidi override
XSS_AREA = 'Area"><script>alert(3)</script>'
FORMULA_HANDLER = "=HYPERLINK(\"http://evil.example\")"


@functools.lru_cache(maxsize=1)
def sample_store_template() -> Path:
    """`callqa run sample_audio` once, as an operator would run the night's batch."""
    folder = Path(tempfile.mkdtemp(prefix="callqa-web-template-"))
    db = folder / "template.db"
    env = {**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"}
    done = subprocess.run([sys.executable, "-m", "callqa.cli", "run", str(SAMPLES), "--db", str(db),
                           "--report-dir", ""], cwd=folder, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return db


def copy_store(target_dir: Path) -> str:
    """A private copy of the filled store (URL), for a test module to change at will."""
    target = target_dir / "store.db"
    source = sqlite3.connect(sample_store_template())
    dest = sqlite3.connect(target)
    with dest:
        source.backup(dest)
    source.close()
    dest.close()
    return f"sqlite:///{target}"


def copy_results(source, target) -> None:
    """Calls, current results and runs from one Store into another through the Store API (so the
    target's ids and sequences are its own): how the PostgreSQL test gets the batch's real results."""
    from sqlalchemy import select

    from callqa.recorder_export import CallRecord
    from callqa.store import schema as t

    with source.engine.connect() as conn:
        calls = conn.execute(select(t.calls).order_by(t.calls.c.call_id)).mappings().all()
    target.upsert_calls([CallRecord(
        call_id=c["call_id"], audio=Path(c["audio_path"]), started_at=c["started_at"].replace(tzinfo=timezone.utc),
        call_type=c["call_type"], area=c["area"], handler_id=c["handler_id"], layout=c["layout"],
        answer_delay_s=c["answer_delay_s"], training=c["training"], source=c["source"], extra=c["extra"] or {})
        for c in calls], None)
    for call in calls:
        result = source.call_result(call["call_id"])
        if result is not None:
            target.save_analysis(result, "f" * 64, None)
    for run in reversed(source.runs(100)):
        run_id = target.start_run(run["export_dir"], run["reader"], run["engine"], run["model"], run["rules_version"],
                                  run["workers"])
        target.finish_run(run_id, run["summary"] or {}, run["status"])


def add_hostile_call(store) -> None:
    """A stored result whose transcript, evidence, flag reason and metadata carry markup and a
    spreadsheet formula: the pages must show them as text, the CSV must quote the formula."""
    from callqa.recorder_export import CallRecord

    result = store.call_result("vulnerable_ignored")
    result["call_id"] = XSS_CALL
    result["transcript"][0]["text"] = f"Hello {SCRIPT} and {IMG}"
    result["transcript"][1]["text"] = f"caller says {IMG}"
    result["transcript"][2]["text"] = f"handler says {TERMINAL_ESCAPE}"
    first = next(ind for ind in result["indicators"].values() if ind["evidence"])
    first["evidence"][0]["text"] = SCRIPT
    result["flags"][0]["reason"] = f"reason with {IMG}"
    store.upsert_calls([CallRecord(
        call_id=XSS_CALL, audio=SAMPLES / "vulnerable_ignored.wav",
        started_at=datetime(2026, 11, 25, 23, 50, tzinfo=timezone.utc), call_type="101", area=XSS_AREA,
        handler_id=FORMULA_HANDLER, layout="stereo-handler-left", answer_delay_s=30.0, training=False,
        source="web test")], None)
    store.save_analysis(result, "0" * 64, None)


def add_users_and_draw(store) -> int:
    """QA lead `lead`, panel members `member` (assigned the draw) and `other` (nothing); the draw id."""
    from callqa.panel.sampling import SampleFilters, sample
    from callqa.web.users import add_user, assign_draw

    add_user(store, "lead", PASSWORDS["lead"], "qa_lead")
    add_user(store, "member", PASSWORDS["member"], "panel_member")
    add_user(store, "other", PASSWORDS["other"], "panel_member")
    draw = sample(store, "test panel", SampleFilters(n=2, areas=("Stafford",)), 7, "test")
    assign_draw(store, "member", draw.draw_id)
    return draw.draw_id


def build_site(tmp: Path) -> dict:
    """A copy of the sample store with a hostile call, users and a panel draw, and its app."""
    from callqa.store import Store
    from callqa.web import create_app

    url = copy_store(tmp)
    store = Store(url)
    add_hostile_call(store)
    draw_id = add_users_and_draw(store)
    app = create_app(url, instance_dir=tmp / "instance")
    return {"app": app, "store": store, "draw_id": draw_id, "tmp": tmp, "url": url}


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client, username: str, password: str | None = None):
    """Sign a Flask test client in through the real form."""
    token = csrf_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": password or PASSWORDS[username],
                                       "csrf_token": token})


@contextmanager
def served(app) -> Iterator[str]:
    """The app on 127.0.0.1, a free port, in a background thread; yields the base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@contextmanager
def served_site(tmp: Path, prepare=None) -> Iterator[dict]:
    """`build_site`, then `prepare(store)` (extra users or calls), served: the site with its "base" URL."""
    site = build_site(tmp)
    if prepare is not None:
        prepare(site["store"])
    with served(site["app"]) as base:
        yield {**site, "base": base}
    site["store"].engine.dispose()


__all__ = ["ROOT", "SAMPLES", "PASSWORDS", "sample_store_template", "copy_store", "add_hostile_call",
           "add_users_and_draw", "copy_results", "login", "served", "csrf_from", "build_site", "served_site", "TERMINAL_ESCAPE"]


def last_id(env) -> int:
    """The newest audit row's id: a test reads the rows written after it (`rows_since`)."""
    from sqlalchemy import func, select

    from callqa.store import schema as t

    with env["store"].engine.connect() as conn:
        return conn.execute(select(func.max(t.audit_log.c.id))).scalar() or 0


def rows_since(env, after: int) -> list[dict]:
    """The audit rows written after row `after`, oldest first."""
    from sqlalchemy import select

    from callqa.store import schema as t

    with env["store"].engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(t.audit_log).where(t.audit_log.c.id > after)
                                              .order_by(t.audit_log.c.id)).mappings()]
