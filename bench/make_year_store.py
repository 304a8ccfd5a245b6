#!/usr/bin/env python
"""A year of a busy force in one store: 550,000 calls for the review app's scale benchmark.

    python bench/make_year_store.py --db year.db [--calls 550000] [--seed 16] [--template STORE]
    python bench/make_year_store.py --db postgresql://user@host/db

Real result shapes, no speech-to-text: each call is a copy of one of the real results the nightly
batch stored for sample_audio/ (its transcript, speech timeline, sentence vectors, indicator
results, flags and voice sample, byte for byte), under its own call id, time, handler and area.
`--template` names a store `callqa run sample_audio` filled; without it that run is made once
into a temporary folder (about two minutes: it starts Prefect and the speech model).

The year (ending at `--end`): 60 handlers in 6 areas (10 each, some busier than others), calls
every day of the year with a weekly and daily rhythm, 1% training calls, about 18% of calls
flagged (templates are drawn by weight: most calls pass), two rule packs (the older one scored
the first 60% of the year, then `callqa rescore` re-scored those calls with the current pack,
except for one call in a thousand, left pending), one run per night, QA leads' decisions on about
a third of the flags (confirm, dismiss with a reason, note), operators' answers (acknowledged,
disputed, some resolved), a panel draw a month with two members' answers and its pack key, and
accounts: QA lead `lead` (password below), panel members and one operator per handler.

Rows are written in bulk (executemany on SQLite, COPY on PostgreSQL), a table at a time in a few
transactions, with the ids the store would have given (the newest scoring of a call has the
highest id), never through `Store.save_analysis`, which would take hours. The schema comes
from the store's own migrations (`Store(url)`), so every index a migration adds is in place.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from bisect import bisect
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from pathlib import Path
from typing import Any, Iterable, Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

AREAS = ("Stafford", "Cannock", "Stoke-on-Trent", "Newcastle-under-Lyme", "Tamworth", "Lichfield")
HANDLERS_PER_AREA = 10
LEAD, LEAD_PASSWORD = "lead", "year-store-lead-password"   # test data only: a throwaway store's account
OLD_RULES = "staffordshire-2026.03.1"   # the pack before the current one (the current is the bundled pack's)
SWITCH_AT = 0.6           # share of the year scored with OLD_RULES, then re-scored with the current pack
PENDING_EVERY = 1000      # one re-score in this many left undone: calls `callqa rescore` would still score
TRAINING_SHARE = 0.01
DECIDED_SHARE = 0.35      # flags a QA lead decided
ANSWERED_SHARE = 0.30     # confirmed findings an operator answered
PANEL_CALLS, PANEL_MEMBERS = 24, 2
BATCH = 20_000            # rows per executemany / COPY chunk
# How often each template is drawn, by its call id in sample_audio/ (the rest share what is left):
# most calls meet every standard, so about 18% of calls end up with at least one flag.
PASSING_WEIGHTS = {"good_101": 0.60, "good_999": 0.12, "vulnerable_safeguarded": 0.10}
HOUR_WEIGHTS = (3, 2, 2, 1, 1, 1, 2, 4, 6, 7, 7, 7, 7, 7, 7, 7, 8, 8, 9, 9, 8, 7, 6, 4)
DAY_WEIGHTS = (1.0, 0.95, 0.95, 1.0, 1.15, 1.25, 1.1)   # Monday .. Sunday
DISMISS_REASONS = ("pause explained on the recording", "caller asked to hold", "greeting given before recording",
                   "not a fair reading of the call", "handled as local policy allows")


# ---- templates: the real results the template store holds ------------------------------------

@dataclass
class Template:
    """One real stored result, its JSON columns serialised once, as the store keeps them."""

    call_id: str
    call_type: str
    answer_delay_s: float | None
    layout: str
    audio_path: str
    transcription: dict[str, Any]      # column -> value (JSON columns as text)
    scoring: dict[str, Any]
    indicators: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    voice: dict[str, Any] | None
    statuses: dict[str, str] = field(default_factory=dict)

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


def _text(value: Any) -> str | None:
    return None if value is None else json.dumps(value)


def load_templates(url: str) -> list[Template]:
    """Every scored, non-training call's current result in the template store."""
    from sqlalchemy import select

    from callqa.store import Store
    from callqa.store import schema as t

    store = Store.open(url, current=False)   # only the tables every migration has are read
    out = []
    with store.engine.connect() as conn:
        calls = conn.execute(select(t.calls).where(t.calls.c.training.is_(False)).order_by(t.calls.c.call_id)
                             ).mappings().all()
        for call in calls:
            sid = store.current_scoring_id(call["call_id"])
            if sid is None:
                continue
            scoring = conn.execute(select(t.scorings).where(t.scorings.c.id == sid)).mappings().one()
            tr = conn.execute(select(t.transcriptions).where(t.transcriptions.c.id == scoring["transcription_id"])
                              ).mappings().one()
            indicators = conn.execute(select(t.indicator_results).where(t.indicator_results.c.scoring_id == sid)
                                      .order_by(t.indicator_results.c.id)).mappings().all()
            flags = conn.execute(select(t.flags).where(t.flags.c.scoring_id == sid).order_by(t.flags.c.id)
                                 ).mappings().all()
            voice = conn.execute(select(t.voice_samples).where(t.voice_samples.c.call_id == call["call_id"])
                                 ).mappings().first()
            out.append(Template(
                call["call_id"], call["call_type"], call["answer_delay_s"], call["layout"], call["audio_path"],
                {"audio_sha256": tr["audio_sha256"], "engine": tr["engine"], "model": tr["model"],
                 "duration_s": tr["duration_s"], "layout": tr["layout"], "channel_layout": tr["channel_layout"],
                 **{k: _text(tr[k]) for k in ("transcript", "speech", "audio", "attribution", "vectors", "stats")},
                 "worker": tr["worker"]},
                {"silences": _text(scoring["silences"]), "flag_count": scoring["flag_count"],
                 "score": scoring["score"], "review_priority": scoring["review_priority"]},
                [{"indicator": i["indicator"], "status": i["status"], "reason": i["reason"],
                  "evidence": _text(i["evidence"]), "metrics": _text(i["metrics"]), "confidence": i["confidence"]}
                 for i in indicators],
                [{"indicator": f["indicator"], "reason": f["reason"], "start_s": f["start_s"],
                  "evidence_s": _text(f["evidence_s"]), "severity": f["severity"], "confidence": f["confidence"],
                  "needs_review": bool(f["needs_review"])} for f in flags],
                None if voice is None else {"encoder": voice["encoder"], "vector": voice["vector"],
                                            "seconds": voice["seconds"]},
                {i["indicator"]: i["status"] for i in indicators}))
    store.engine.dispose()
    if not out:
        raise SystemExit(f"the template store {url} holds no scored calls")
    return out


def make_template_store(folder: Path) -> str:
    """`callqa run sample_audio` once, as an operator would run a night (the real results)."""
    db = folder / "template.db"
    env = {"PREFECT_LOGGING_LEVEL": "WARNING", "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    import os

    done = subprocess.run([sys.executable, "-m", "callqa.cli", "run", str(ROOT / "sample_audio"), "--db", str(db),
                           "--report-dir", ""], cwd=folder, env={**os.environ, **env}, capture_output=True,
                          text=True)
    if done.returncode != 0:
        raise SystemExit(f"callqa run sample_audio failed:\n{done.stderr[-3000:]}")
    return f"sqlite:///{db}"


def template_weights(templates: list[Template]) -> list[float]:
    """Draw weights: the passing calls named in PASSING_WEIGHTS, the rest share what is left."""
    named = {t.call_id for t in templates} & set(PASSING_WEIGHTS)
    left = 1.0 - sum(PASSING_WEIGHTS[n] for n in named)
    others = [t for t in templates if t.call_id not in named]
    return [PASSING_WEIGHTS[t.call_id] if t.call_id in named else left / max(len(others), 1) for t in templates]


# ---- sinks: bulk writers for SQLite and PostgreSQL ------------------------------------------

TIME_COLUMNS = {"started_at", "finished_at", "updated_at", "created_at", "decided_at", "responded_at", "resolved_at",
                "at", "requested_at", "submitted_at", "imported_at", "assigned_at"}


def _sqlite_time(value: datetime | None) -> str | None:
    """A time as SQLAlchemy writes it to SQLite: UTC wall-clock text with microseconds."""
    return None if value is None else value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


class SqliteSink:
    """executemany into the raw sqlite3 connection, the journal off while loading (a new file)."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=OFF")
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("PRAGMA cache_size=-400000")
        self.conn.execute("BEGIN")

    def write(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        times = [i for i, name in enumerate(columns) if name in TIME_COLUMNS]
        n = 0
        for chunk in _chunked(rows):
            if times:
                chunk = [list(row) for row in chunk]
                for row in chunk:
                    for i in times:
                        row[i] = _sqlite_time(row[i])
            self.conn.executemany(sql, chunk)   # booleans go in as 0/1 (bool is an int)
            n += len(chunk)
        return n

    def commit(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.execute("BEGIN")

    def finish(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.execute("ANALYZE")
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.close()


class PostgresSink:
    """COPY ... FROM STDIN through psycopg 3, then the id sequences moved past the ids written."""

    def __init__(self, url: str) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        u = make_url(url)
        self.conn = psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password,
                                    dbname=u.database)
        self.tables: set[str] = set()   # tables given explicit ids: their sequences move past them

    def write(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
        n = 0
        with self.conn.cursor() as cur:
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
        if "id" in columns:
            self.tables.add(table)
        return n

    def commit(self) -> None:
        self.conn.commit()

    def finish(self) -> None:
        with self.conn.cursor() as cur:
            for table in sorted(self.tables):
                cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table,))
                sequence = cur.fetchone()[0]
                if sequence:
                    cur.execute(f"SELECT setval(%s, (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)",
                                (sequence,))
        self.conn.commit()
        self.conn.autocommit = True
        self.conn.execute("VACUUM ANALYZE")
        self.conn.close()


def _chunked(rows: Iterable[tuple], size: int = BATCH) -> Iterator[list[tuple]]:
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# ---- the year ----------------------------------------------------------------------------------

CALL_COLUMNS = ("call_id", "audio_path", "started_at", "call_type", "area", "handler_id", "layout", "answer_delay_s",
                "training", "source", "extra", "first_run_id", "updated_at")
TR_COLUMNS = ("id", "call_id", "audio_sha256", "engine", "model", "duration_s", "layout", "channel_layout",
              "transcript", "speech", "audio", "attribution", "vectors", "stats", "worker", "run_id", "created_at")
SC_COLUMNS = ("id", "transcription_id", "call_id", "rules_version", "silences", "flag_count", "run_id", "created_at",
              "score", "review_priority")
IR_COLUMNS = ("id", "scoring_id", "call_id", "indicator", "status", "reason", "evidence", "metrics", "confidence")
FLAG_COLUMNS = ("id", "scoring_id", "call_id", "indicator", "reason", "start_s", "evidence_s", "severity",
                "confidence", "needs_review")
VOICE_COLUMNS = ("call_id", "handler_id", "encoder", "vector", "seconds", "created_at")
RUN_COLUMNS = ("id", "started_at", "finished_at", "status", "export_dir", "reader", "engine", "model",
               "rules_version", "host", "pid", "workers", "summary")
DECISION_COLUMNS = ("id", "flag_id", "call_id", "indicator", "decision", "reason", "note", "decided_by", "decided_at")
FEEDBACK_COLUMNS = ("id", "flag_id", "call_id", "handler_id", "indicator", "response", "comment", "responded_by",
                    "responded_at", "resolution", "resolution_note", "resolved_by", "resolved_at")
AUDIT_COLUMNS = ("id", "at", "actor", "action", "call_id", "details")


@dataclass
class Scored:
    """What later passes (re-score, decisions, panels) need of one scored call."""

    call_id: str
    started_at: datetime
    handler: str
    template: int
    transcription_id: int
    flags: list[tuple[int, int]]            # (flag id, index in the template's flags) of its newest scoring


@dataclass
class Counts:
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, n: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + n


class Year:
    """Builds every row of the year, in time order, and hands them to a sink a table at a time."""

    def __init__(self, templates: list[Template], calls: int, end: datetime, seed: int, rules_version: str) -> None:
        self.templates, self.calls, self.end, self.rng = templates, calls, end, random.Random(seed)
        self.rules_version = rules_version
        self.start = end - timedelta(days=365)
        self.switch = self.start + timedelta(days=round(365 * SWITCH_AT))
        self.handlers = [(f"H{1000 + a * 100 + h:04d}", area) for a, area in enumerate(AREAS)
                         for h in range(HANDLERS_PER_AREA)]
        self.handler_load = list(accumulate(self.rng.uniform(0.5, 1.5) for _ in self.handlers))
        self.template_cum = list(accumulate(template_weights(templates)))
        self.ids = {"transcriptions": 0, "scorings": 0, "indicator_results": 0, "flags": 0}
        self.scored: list[Scored] = []
        self.counts = Counts()
        self.old_flags: dict[str, list[tuple[int, int]]] = {}   # re-scored calls: their flags before
        self.rescored_at: datetime | None = None
        self.draws = 0

    def _next(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    # -- when, who, what

    def day_counts(self) -> list[int]:
        """Calls on each of the 365 days: a weekly rhythm and a slow seasonal swing, summing to `calls`."""
        weights = [DAY_WEIGHTS[(self.start + timedelta(days=d)).weekday()] * (1 + 0.1 * ((d % 91) / 91 - 0.5))
                   for d in range(365)]
        total = sum(weights)
        counts = [int(self.calls * w / total) for w in weights]
        for d in range(self.calls - sum(counts)):
            counts[d % 365] += 1
        return counts

    def _time_in(self, day: datetime) -> datetime:
        hour = bisect(list(accumulate(HOUR_WEIGHTS)), self.rng.random() * sum(HOUR_WEIGHTS))
        return day + timedelta(hours=hour, seconds=self.rng.randrange(3600), microseconds=self.rng.randrange(10**6))

    def _handler(self) -> tuple[str, str]:
        return self.handlers[bisect(self.handler_load, self.rng.random() * self.handler_load[-1])]

    def _template(self) -> int:
        return min(bisect(self.template_cum, self.rng.random() * self.template_cum[-1]), len(self.templates) - 1)

    # -- the rows

    def generate(self, sink: Any, say: Any) -> Counts:
        days = self.day_counts()
        calls, trs, scs, irs, flags, voices, runs = [], [], [], [], [], [], []
        rescored = False
        for d, n in enumerate(days):
            day = self.start + timedelta(days=d)
            if not rescored and day >= self.switch:   # every call so far in the store first
                self._flush(sink, runs, calls, trs, scs, irs, flags, voices)
                runs, calls, trs, scs, irs, flags, voices = [], [], [], [], [], [], []
                self._rescore(sink, day + timedelta(hours=6))
                rescored = True
            run_id = d + 1
            night = day + timedelta(days=1, hours=1)
            version = OLD_RULES if day < self.switch else self.rules_version
            todays = sorted((self._time_in(day), *self._handler(), self._template()) for _ in range(n))
            flagged = 0
            for k, (started, handler, area, ti) in enumerate(todays):
                tpl = self.templates[ti]
                call_id = f"STF-{started:%Y%m%d}-{k + 1:05d}"
                training = self.rng.random() < TRAINING_SHARE
                calls.append((call_id, f"/exports/{day:%Y-%m-%d}/{call_id}.wav", started, tpl.call_type, area, handler,
                              tpl.layout, tpl.answer_delay_s, training, f"manifest.csv row {k + 2}", "{}", run_id,
                              night))
                if training:
                    continue
                tid = self._next("transcriptions")
                tr = tpl.transcription
                trs.append((tid, call_id, tr["audio_sha256"], tr["engine"], tr["model"], tr["duration_s"],
                            tr["layout"], tr["channel_layout"], tr["transcript"], tr["speech"], tr["audio"],
                            tr["attribution"], tr["vectors"], tr["stats"], tr["worker"], run_id, night))
                done = self._scoring(tid, call_id, ti, version, run_id, night, scs, irs, flags)
                self.scored.append(Scored(call_id, started, handler, ti, tid, done))
                flagged += bool(done)
                if tpl.voice is not None:
                    voices.append((call_id, handler, tpl.voice["encoder"], tpl.voice["vector"], tpl.voice["seconds"],
                                   night))
            runs.append(self._run(run_id, day, night, n, flagged, version, self.templates[0].transcription))
            if len(irs) > 200_000 or d == len(days) - 1:
                self._flush(sink, runs, calls, trs, scs, irs, flags, voices)
                runs, calls, trs, scs, irs, flags, voices = [], [], [], [], [], [], []
                sink.commit()
                say(f"  {day:%Y-%m-%d}: {len(self.scored):,} scored calls so far")
        self._reviews(sink)
        self._panels(sink)
        sink.commit()
        return self.counts

    def _flush(self, sink: Any, runs, calls, trs, scs, irs, flags, voices) -> None:
        """Rows in foreign-key order (PostgreSQL checks each COPY's references)."""
        for table, columns, rows in (("runs", RUN_COLUMNS, runs), ("calls", CALL_COLUMNS, calls), ("transcriptions", TR_COLUMNS, trs),
                                     ("scorings", SC_COLUMNS, scs), ("indicator_results", IR_COLUMNS, irs),
                                     ("flags", FLAG_COLUMNS, flags), ("voice_samples", VOICE_COLUMNS, voices)):
            self.counts.add(table, sink.write(table, columns, rows))

    def _scoring(self, tid: int, call_id: str, ti: int, version: str, run_id: int | None, at: datetime,
                 scs: list, irs: list, flags: list) -> list[tuple[int, int]]:
        tpl = self.templates[ti]
        sid = self._next("scorings")
        s = tpl.scoring
        scs.append((sid, tid, call_id, version, s["silences"], s["flag_count"], run_id, at, s["score"],
                    s["review_priority"]))
        for ind in tpl.indicators:
            irs.append((self._next("indicator_results"), sid, call_id, ind["indicator"], ind["status"], ind["reason"],
                        ind["evidence"], ind["metrics"], ind["confidence"]))
        out = []
        for i, f in enumerate(tpl.flags):
            fid = self._next("flags")
            flags.append((fid, sid, call_id, f["indicator"], f["reason"], f["start_s"], f["evidence_s"], f["severity"],
                          f["confidence"], f["needs_review"]))
            out.append((fid, i))
        return out

    def _rescore(self, sink: Any, at: datetime) -> None:
        """`callqa rescore` with the current pack over every call so far (but one in PENDING_EVERY)."""
        scs, irs, flags = [], [], []
        for i, call in enumerate(self.scored):
            if i % PENDING_EVERY == PENDING_EVERY - 1:
                continue
            self.old_flags[call.call_id] = call.flags
            call.flags = self._scoring(call.transcription_id, call.call_id, call.template, self.rules_version, None,
                                       at, scs, irs, flags)
            if len(irs) > 200_000:
                self._flush(sink, [], [], [], scs, irs, flags, [])
                scs, irs, flags = [], [], []
        self._flush(sink, [], [], [], scs, irs, flags, [])
        sink.commit()
        self.rescored_at = at

    def _run(self, run_id: int, day: datetime, night: datetime, n: int, flagged: int, version: str,
             tr: dict[str, Any]) -> tuple:
        started = night - timedelta(minutes=30)
        summary = {"run_id": run_id, "export_dir": f"/exports/{day:%Y-%m-%d}", "started_at": started.isoformat(),
                   "wall_s": 1790.0, "workers": 2, "engine": tr["engine"], "model": tr["model"],
                   "rules_version": version, "counts": {"calls": n, "analysed": n, "rescored": 0, "skipped": 0,
                                                        "failed": 0, "training": 0, "flagged": flagged,
                                                        "export_errors": 0}}
        return (run_id, started, night, "finished", f"/exports/{day:%Y-%m-%d}", "manifest", tr["engine"], tr["model"],
                version, "callqa-batch", 4000 + run_id, 2, json.dumps(summary))

    # -- QA leads, operators, panels

    def _reviews(self, sink: Any) -> None:
        """Decisions on about a third of the flags (on the flags current when decided), operators'
        answers to confirmed findings, disputes and their resolution; an audit row for each."""
        leads = [LEAD, "qa.lead2", "qa.lead3", "qa.lead4"]
        switch = self.rescored_at or self.end + timedelta(days=1)
        decisions, answers = [], []
        for call in self.scored:
            tpl = self.templates[call.template]
            if not tpl.flags:
                continue
            for position, (fid, fi) in enumerate(call.flags):
                if self.rng.random() >= DECIDED_SHARE:
                    continue
                at = call.started_at + timedelta(hours=self.rng.uniform(10, 150))
                if at >= self.end:
                    continue
                old = self.old_flags.get(call.call_id)
                if at < switch and old is not None:
                    fid = old[position][0]   # decided before the re-score: on the flag of the older scoring
                flag = tpl.flags[fi]
                lead = self.rng.choice(leads)
                roll = self.rng.random()
                if roll < 0.70:
                    decisions.append((fid, call.call_id, flag["indicator"], "confirm", None, None, lead, at))
                    if not flag["needs_review"] and self.rng.random() < ANSWERED_SHARE:
                        answers.append(self._answer(fid, call, flag["indicator"], at, lead, decisions))
                elif roll < 0.95:
                    decisions.append((fid, call.call_id, flag["indicator"], "dismiss",
                                      self.rng.choice(DISMISS_REASONS), None, lead, at))
                else:
                    decisions.append((fid, call.call_id, flag["indicator"], "note", None,
                                      "listened again: worth a word at the team meeting", lead, at))
        decisions.sort(key=lambda d: d[-1])
        answers.sort(key=lambda a: a[7])
        rows = [(i + 1, *d) for i, d in enumerate(decisions)]
        self.counts.add("flag_decisions", sink.write("flag_decisions", DECISION_COLUMNS, rows))
        self.counts.add("feedback_responses", sink.write("feedback_responses", FEEDBACK_COLUMNS,
                                                         [(i + 1, *a) for i, a in enumerate(answers)]))
        audit = [(d[7], d[6], "flag_decision", d[1], json.dumps({"flag_id": d[0], "indicator": d[2],
                                                                  "decision": d[3]})) for d in decisions]
        audit += [(a[7], a[6], "feedback_dispute" if a[4] == "disputed" else "feedback_acknowledge", a[1],
                   json.dumps({"flag_id": a[0], "indicator": a[3], "handler_id": a[2]})) for a in answers]
        audit.sort(key=lambda r: r[0])
        self.counts.add("audit_log", sink.write("audit_log", AUDIT_COLUMNS,
                                                [(i + 1, *r) for i, r in enumerate(audit)]))

    def _answer(self, fid: int, call: Scored, indicator: str, decided: datetime, lead: str,
                decisions: list) -> tuple:
        at = decided + timedelta(hours=self.rng.uniform(2, 48))
        user = f"op-{call.handler.lower()}"
        if self.rng.random() < 0.85:
            return (fid, call.call_id, call.handler, indicator, "acknowledged", None, user, at, None, None, None, None)
        comment = "the caller was talking over me and I did ask"
        if self.rng.random() < 0.3 or at + timedelta(days=3) >= self.end:
            return (fid, call.call_id, call.handler, indicator, "disputed", comment, user, at, None, None, None, None)
        resolved = at + timedelta(hours=self.rng.uniform(4, 72))
        resolution = "upheld" if self.rng.random() < 0.6 else "overturned"
        note = "listened again with the operator"
        decisions.append((fid, call.call_id, indicator, "confirm" if resolution == "upheld" else "dismiss",
                          None if resolution == "upheld" else note, f"Operator's dispute: {note}", lead, resolved))
        return (fid, call.call_id, call.handler, indicator, "disputed", comment, user, at, resolution, note, lead,
                resolved)

    def _panels(self, sink: Any) -> None:
        """A panel draw each month (24 of that month's calls), its pack key, two members' answers."""
        from callqa.panel.questionnaire import load_questionnaire

        questionnaire = load_questionnaire()
        label = f"{questionnaire.name}@{questionnaire.version}"
        draws, packs, answers = [], [], []
        months: dict[str, list[Scored]] = {}
        for call in self.scored:
            months.setdefault(f"{call.started_at:%Y-%m}", []).append(call)
        for draw_id, (month, calls) in enumerate(sorted(months.items()), start=1):
            chosen = sorted(self.rng.sample(calls, min(PANEL_CALLS, len(calls))), key=lambda c: c.call_id)
            at = max(c.started_at for c in calls) + timedelta(days=3)
            first = min(c.started_at for c in calls)
            filters = {"n": len(chosen), "areas": [], "date_from": f"{first:%Y-%m-01}", "date_to": None,
                       "call_types": ["101", "999"], "min_999": 0, "flagged_share": 0.0}
            draws.append((draw_id, "Scrutiny panel", LEAD, at, json.dumps(filters), 1000 + draw_id,
                          json.dumps([[c.call_id, "random"] for c in chosen])))
            packs.append((hashlib.sha256(f"pack-{draw_id}".encode()).hexdigest()[:32], draw_id, at,
                          json.dumps({f"call-{i + 1:02d}": c.call_id for i, c in enumerate(chosen)})))
            for member in (f"panel.member{m + 1}" for m in range(PANEL_MEMBERS)):
                for call in chosen:
                    statuses = self.templates[call.template].statuses
                    for q in questionnaire.questions:
                        status = statuses.get(q.indicator or "", "not_applicable")
                        agree = self.rng.random() < 0.85
                        answer = ({"pass": "yes", "fail": "no"}.get(status) if agree else None) or \
                            self.rng.choice(("yes", "no", "partly"))
                        answers.append((draw_id, member, call.call_id, q.id, answer, label, at + timedelta(days=7),
                                        at + timedelta(days=8), hashlib.sha256(f"{draw_id}{member}".encode())
                                        .hexdigest()))
        self.counts.add("panel_draws", sink.write("panel_draws", ("id", "panel", "requested_by", "requested_at",
                                                                  "filters", "seed", "calls"), draws))
        self.counts.add("panel_packs", sink.write("panel_packs", ("pack_id", "draw_id", "created_at", "pseudonyms"),
                                                  packs))
        self.counts.add("panel_answers", sink.write("panel_answers", (
            "id", "draw_id", "member", "call_id", "question_id", "answer", "questionnaire", "submitted_at",
            "imported_at", "source_sha256"), [(i + 1, *a) for i, a in enumerate(answers)]))
        self.draws = len(draws)

    def users(self, sink: Any, password_hash: str) -> None:
        """QA leads, panel members (assigned every draw) and one operator account per handler."""
        made = self.start
        rows = [(LEAD, "qa_lead", None), ("qa.lead2", "qa_lead", None), ("qa.lead3", "qa_lead", None),
                ("qa.lead4", "qa_lead", None)]
        rows += [(f"panel.member{m + 1}", "panel_member", None) for m in range(PANEL_MEMBERS)]
        rows += [(f"op-{h.lower()}", "operator", h) for h, _ in self.handlers]
        sink.write("users", ("id", "username", "password_hash", "role", "active", "created_at", "session_epoch",
                             "handler_id"),
                   [(i + 1, name, password_hash, role, True, made, 0, handler) for i, (name, role, handler)
                    in enumerate(rows)])
        members = [i + 1 for i, (_, role, _) in enumerate(rows) if role == "panel_member"]
        sink.write("panel_assignments", ("id", "user_id", "draw_id", "assigned_at"),
                   [(k + 1, user, draw, made) for k, (user, draw) in enumerate(
                       (u, d) for u in members for d in range(1, self.draws + 1))])
        self.counts.add("users", len(rows))


# ---- the command -------------------------------------------------------------------------------

def build(url: str, calls: int, seed: int, end: datetime, template_url: str | None = None,
          say: Any = print) -> dict[str, Any]:
    """Make the store at `url` (a new SQLite file or an empty PostgreSQL database); what was written."""
    from callqa.pipeline.rules import load_rule_pack
    from callqa.store import Store, resolve_db_url, sqlite_path
    from callqa.web.users import hash_password

    url = resolve_db_url(url)
    began = time.perf_counter()
    path = sqlite_path(url)
    if path is not None and path.exists():
        raise SystemExit(f"{path} exists already: give a new file")
    if template_url is None:
        folder = Path(tempfile.mkdtemp(prefix="callqa-year-template-"))
        say("no --template: running `callqa run sample_audio` for the real results to copy")
        template_url = make_template_store(folder)
    templates = load_templates(resolve_db_url(template_url))
    template_s = time.perf_counter() - began
    store = Store(url)   # created and migrated: the schema and every index come from the migrations
    store.engine.dispose()
    started = time.perf_counter()
    sink = SqliteSink(str(path)) if path is not None else PostgresSink(url)
    year = Year(templates, calls, end, seed, load_rule_pack().version)
    say(f"{len(templates)} templates; writing {calls:,} calls from {year.start:%Y-%m-%d} to {end:%Y-%m-%d}")
    counts = year.generate(sink, say)
    year.users(sink, hash_password(LEAD_PASSWORD, LEAD))
    sink.finish()
    seconds = time.perf_counter() - started
    size = path.stat().st_size if path is not None else _pg_size(url)
    flagged = sum(1 for c in year.scored if c.flags)
    return {"url": url, "rows": counts.rows, "seconds": seconds, "template_s": template_s, "bytes": size,
            "flagged_share": flagged / max(len(year.scored), 1), "scored": len(year.scored),
            "start": year.start, "end": end}


def _pg_size(url: str) -> int:
    from sqlalchemy import create_engine, text

    from callqa.store.base import _engine_url

    engine = create_engine(_engine_url(url))
    with engine.connect() as conn:
        size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
    engine.dispose()
    return int(size)


def report(done: dict[str, Any]) -> str:
    lines = [f"store {done['url']}: {done['scored']:,} scored calls, {done['flagged_share']:.1%} flagged, "
             f"{done['start']:%Y-%m-%d} to {done['end']:%Y-%m-%d}",
             f"written in {done['seconds']:.1f} s (templates {done['template_s']:.1f} s), "
             f"{done['bytes'] / 1e9:.2f} GB on disk"]
    lines += [f"  {table:20} {n:>12,}" for table, n in sorted(done["rows"].items())]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="a new SQLite file, or an empty PostgreSQL database's URL")
    parser.add_argument("--calls", type=int, default=550_000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--end", default="2026-12-01", help="the day after the year's last (UTC date)")
    parser.add_argument("--template", help="a store `callqa run sample_audio` filled (default: make one)")
    args = parser.parse_args(argv)
    end = datetime.fromisoformat(args.end).replace(tzinfo=timezone.utc)
    print(report(build(args.db, args.calls, args.seed, end, args.template)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
