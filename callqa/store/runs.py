"""Runs and planning: a batch run's record (one at a time per store), its errors, and the plan
that says for each call whether to skip it, re-score a stored transcript or analyse it."""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, and_, insert, select, update

from callqa.store import schema as t
from callqa.store.base import StoreBase, StoreError, chunks, write_lock
from callqa.store.times import from_db, now

RUN_LOCK = 0x63616C6C71612D72          # pg advisory lock id for starting a run ("callqa-r")
RUN_LOCK_STALE = timedelta(hours=12)   # a run on another host older than this is taken as dead


@dataclass(frozen=True)
class Plan:
    """What a run must do for one call: nothing, re-score a stored transcript, or analyse."""

    call_id: str
    action: str                      # "skip" | "rescore" | "analyse"
    transcription_id: int | None = None


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this host (one we may not signal counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunsMixin(StoreBase):
    """Runs, their errors and the per-call plan."""

    def start_run(self, export_dir: str, reader: str | None, engine: str, model: str, rules_version: str,
                  workers: int) -> int:
        with self.engine.begin() as conn:
            write_lock(conn, RUN_LOCK)  # check and insert under the write lock
            self._mark_interrupted(conn)
            self._refuse_concurrent_run(conn)
            return conn.execute(insert(t.runs).values(
                started_at=now(), status="running", export_dir=export_dir, reader=reader, engine=engine,
                model=model, rules_version=rules_version, host=socket.gethostname(), pid=os.getpid(),
                workers=workers)).inserted_primary_key[0]

    @staticmethod
    def _refuse_concurrent_run(conn: Connection) -> None:
        """One run at a time per store: a second would analyse every call again and claim them."""
        c = t.runs.c
        recent = now() - RUN_LOCK_STALE
        rows = conn.execute(select(c.id, c.host, c.pid, c.started_at).where(c.status == "running")).all()
        for row in rows:
            here = row.host == socket.gethostname()
            if (here and row.pid != os.getpid() and pid_alive(row.pid)) or \
                    (not here and from_db(row.started_at) > recent):
                raise StoreError(f"run {row.id} is still running on this store (host {row.host}, pid {row.pid}, "
                                 f"started {from_db(row.started_at):%Y-%m-%d %H:%M} UTC): wait for it to finish; "
                                 "a second run at once would analyse every call again")

    @staticmethod
    def _mark_interrupted(conn: Connection) -> None:
        """A 'running' run whose process is gone from this host was killed: say so."""
        rows = conn.execute(select(t.runs.c.id, t.runs.c.pid).where(
            t.runs.c.status == "running", t.runs.c.host == socket.gethostname())).all()
        dead = [row.id for row in rows if not pid_alive(row.pid)]
        if dead:
            conn.execute(update(t.runs).where(t.runs.c.id.in_(dead)).values(status="interrupted"))

    def finish_run(self, run_id: int, summary: dict[str, Any], status: str = "finished") -> None:
        self.check_present()
        with self.engine.begin() as conn:
            conn.execute(update(t.runs).where(t.runs.c.id == run_id).values(
                status=status, finished_at=now(), summary=summary))
        self.checkpoint()

    def runs(self, limit: int = 10) -> list[dict[str, Any]]:
        """The newest runs first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.runs).order_by(t.runs.c.id.desc()).limit(limit)).mappings().all()
        return [{**row, "started_at": from_db(row["started_at"]), "finished_at": from_db(row["finished_at"])}
                for row in rows]

    def run_errors(self, run_id: int) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(
                select(t.errors).where(t.errors.c.run_id == run_id).order_by(t.errors.c.id)).mappings()]

    def record_error(self, run_id: int | None, source: str, stage: str, message: str,
                     call_id: str | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(t.errors).values(run_id=run_id, call_id=call_id, source=source, stage=stage,
                                                 message=message, created_at=now()))

    def run_outcomes(self, run_id: int, call_ids: Sequence[str]) -> tuple[dict[str, tuple[int, float]], dict[str, str]]:
        """What this run stored for these calls: call id -> (flag count, duration) of each scoring it
        wrote, and call id -> message of each error it recorded."""
        done: dict[str, tuple[int, float]] = {}
        failed: dict[str, str] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(list(call_ids)):
                done.update({r.call_id: (r.flag_count, r.duration_s) for r in conn.execute(
                    select(t.scorings.c.call_id, t.scorings.c.flag_count, t.transcriptions.c.duration_s)
                    .join(t.transcriptions, t.transcriptions.c.id == t.scorings.c.transcription_id)
                    .where(t.scorings.c.run_id == run_id, t.scorings.c.call_id.in_(chunk)))})
                failed.update({r.call_id: r.message for r in conn.execute(
                    select(t.errors.c.call_id, t.errors.c.message)
                    .where(t.errors.c.run_id == run_id, t.errors.c.call_id.in_(chunk)))})
        return done, failed

    def plan(self, digests: dict[str, str], engine: str, model: str, rules_version: str) -> list[Plan]:
        """For each call_id -> audio sha256: skip, rescore or analyse with this engine/model/rules."""
        query = (select(t.transcriptions.c.id, t.transcriptions.c.call_id, t.transcriptions.c.audio_sha256,
                        t.scorings.c.id.label("scoring_id"))
                 .outerjoin(t.scorings, and_(t.scorings.c.transcription_id == t.transcriptions.c.id,
                                             t.scorings.c.rules_version == rules_version))
                 .where(t.transcriptions.c.engine == engine, t.transcriptions.c.model == model))
        rows = []
        with self.engine.connect() as conn:
            for chunk in chunks(list(digests)):
                rows += conn.execute(query.where(t.transcriptions.c.call_id.in_(chunk))).all()
        found = {(r.call_id, r.audio_sha256): r for r in rows}
        plans = []
        for call_id, digest in digests.items():
            row = found.get((call_id, digest))
            if row is None:
                plans.append(Plan(call_id, "analyse"))
            elif row.scoring_id is None:
                plans.append(Plan(call_id, "rescore", row.id))
            else:
                plans.append(Plan(call_id, "skip", row.id))
        return plans
