"""Panels: recorded draws (samples of calls), the keys of the packs built from them, panel
members' imported answers, and what calibration reads back.

The sampling, pack building, answer checking and calibration maths live in callqa/panel/; this
module holds only their SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select

from callqa.store import schema as t
from callqa.store.base import MAX_ID, StoreBase
from callqa.store.results import current_scorings
from callqa.store.times import from_db, now, to_utc
from callqa.store.users import write_audit


@dataclass(frozen=True)
class Candidate:
    """A call a panel sample may draw: scored, not training."""

    call_id: str
    call_type: str
    flagged: bool


@dataclass(frozen=True)
class DrawRow:
    """A recorded draw's panel and its calls, [[call_id, stratum], ...] in draw order."""

    id: int
    panel: str
    calls: list[list[str]]


@dataclass(frozen=True)
class PackKey:
    """A built pack's key: its draw and {pseudonym: call_id}."""

    pack_id: str
    draw_id: int
    pseudonyms: dict[str, str]


@dataclass(frozen=True)
class AnswerRow:
    """One stored panel answer, as calibration pairs it with the automated result."""

    draw_id: int
    member: str
    call_id: str
    question_id: str
    answer: str
    questionnaire: str


class AnswersImport:
    """One transaction of `callqa panel import`: read the draws and pack keys the files name,
    replace answers, audit; nothing is kept unless all of it succeeds."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def draws(self, draw_ids: Iterable[int]) -> dict[int, DrawRow]:
        rows = self._conn.execute(select(t.panel_draws.c.id, t.panel_draws.c.panel, t.panel_draws.c.calls)
                                  .where(t.panel_draws.c.id.in_(sorted(set(draw_ids)))))
        return {r.id: DrawRow(r.id, r.panel, r.calls) for r in rows}

    def pack_keys(self, pack_ids: Iterable[str]) -> dict[str, PackKey]:
        rows = self._conn.execute(select(t.panel_packs.c.pack_id, t.panel_packs.c.draw_id, t.panel_packs.c.pseudonyms)
                                  .where(t.panel_packs.c.pack_id.in_(sorted(set(pack_ids)))))
        return {r.pack_id: PackKey(r.pack_id, r.draw_id, r.pseudonyms) for r in rows}

    def replace_answers(self, draw_id: int, member: str, call_ids: Sequence[str],
                        rows: list[dict[str, Any]]) -> int:
        """Delete the member's earlier answers for these calls of the draw, store `rows` (full
        panel_answers rows); returns how many earlier answers were replaced."""
        replaced = self._conn.execute(delete(t.panel_answers).where(
            t.panel_answers.c.draw_id == draw_id, t.panel_answers.c.member == member,
            t.panel_answers.c.call_id.in_(call_ids))).rowcount
        if rows:
            self._conn.execute(insert(t.panel_answers), rows)
        return replaced

    def audit(self, actor: str, action: str, details: dict[str, Any]) -> None:
        write_audit(self._conn, actor, action, details=details)


class PanelsMixin(StoreBase):
    """Draws, pack keys, answers and the reads calibration needs."""

    # ---- draws ------------------------------------------------------------------------------

    def sampling_candidates(self, call_types: Sequence[str], areas: Sequence[str] = (),
                            start: datetime | None = None, end: datetime | None = None) -> list[Candidate]:
        """Current results of non-training calls of these types (and areas), started in [start, end),
        sorted by call_id (a draw's fixed order)."""
        current = current_scorings()
        query = (select(t.calls.c.call_id, t.calls.c.call_type, t.scorings.c.flag_count)
                 .join(t.scorings, t.scorings.c.call_id == t.calls.c.call_id)
                 .join(current, current.c.id == t.scorings.c.id)
                 .where(t.calls.c.training.is_(False), t.calls.c.call_type.in_(call_types)))
        if areas:
            query = query.where(t.calls.c.area.in_(areas))
        if start is not None:
            query = query.where(t.calls.c.started_at >= start)
        if end is not None:
            query = query.where(t.calls.c.started_at < end)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(t.calls.c.call_id)).all()
        return [Candidate(r.call_id, r.call_type, r.flag_count > 0) for r in rows]

    def record_draw(self, panel: str, requested_by: str, filters: dict[str, Any], seed: int,
                    calls: Sequence[tuple[str, str]]) -> int:
        """Keep a drawn sample with what re-draws it (filters, seed); returns the draw id."""
        with self.engine.begin() as conn:
            return conn.execute(t.panel_draws.insert().values(
                panel=panel, requested_by=requested_by, requested_at=now(), filters=filters, seed=seed,
                calls=[list(c) for c in calls])).inserted_primary_key[0]

    def panel_draw(self, draw_id: int) -> dict[str, Any] | None:
        """The whole recorded draw (panel, requested_by, requested_at, filters, seed, calls)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(t.panel_draws).where(t.panel_draws.c.id == draw_id)).mappings().first()
        return None if row is None else dict(row)

    def draw_call_ids(self, draw_id: int) -> list[str] | None:
        """The call ids of a recorded draw in draw order; None if no such draw."""
        if not 1 <= draw_id <= MAX_ID:
            return None
        with self.engine.connect() as conn:
            calls = conn.execute(select(t.panel_draws.c.calls).where(t.panel_draws.c.id == draw_id)).scalar()
        return None if calls is None else [c[0] for c in calls]

    def panel_draws(self, ids: list[int] | None = None) -> list[dict[str, Any]]:
        """Recorded draws, newest first, as id, panel, requested_at and size; `ids` keeps only those."""
        query = select(t.panel_draws.c.id, t.panel_draws.c.panel, t.panel_draws.c.requested_at,
                       t.panel_draws.c.calls).order_by(t.panel_draws.c.id.desc())
        if ids is not None:
            query = query.where(t.panel_draws.c.id.in_(ids or [-1]))
        with self.engine.connect() as conn:
            rows = conn.execute(query).mappings().all()
        # Only the size leaves here: a panel member's page must not list call ids.
        return [{"id": r["id"], "panel": r["panel"], "requested_at": from_db(r["requested_at"]),
                 "size": len(r["calls"] or [])} for r in rows]

    def draw_exists(self, draw_id: int) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(t.panel_draws.c.id).where(t.panel_draws.c.id == draw_id)).first() is not None

    def panel_names(self) -> list[str]:
        """Every panel with a recorded draw, sorted."""
        with self.engine.connect() as conn:
            return sorted(set(conn.execute(select(t.panel_draws.c.panel)).scalars()))

    def panel_has_draws(self, panel: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(t.panel_draws.c.id).where(t.panel_draws.c.panel == panel)
                                .limit(1)).first() is not None

    # ---- packs and answers ------------------------------------------------------------------

    def record_pack_key(self, pack_id: str, draw_id: int, key: dict[str, str]) -> None:
        """Keep a pack's key (pseudonym -> call id): the store is the only place it lives."""
        with self.engine.begin() as conn:
            conn.execute(insert(t.panel_packs).values(pack_id=pack_id, draw_id=draw_id, created_at=now(),
                                                      pseudonyms=dict(key)))

    @contextmanager
    def answers_import(self) -> Iterator[AnswersImport]:
        """One transaction for importing answers files (see AnswersImport)."""
        with self.engine.begin() as conn:
            yield AnswersImport(conn)

    def panel_answers(self, draw_id: int | None = None, panel: str | None = None,
                      since: datetime | None = None) -> list[AnswerRow]:
        """Given answers (not skipped ones) of one draw, one panel's draws or all, given at or after
        `since` (their submitted_at, else when imported); by call, member and question."""
        pa, pd = t.panel_answers, t.panel_draws
        query = (select(pa.c.draw_id, pa.c.member, pa.c.call_id, pa.c.question_id, pa.c.answer, pa.c.questionnaire)
                 .join(pd, pd.c.id == pa.c.draw_id).where(pa.c.answer.is_not(None)))
        if draw_id is not None:
            query = query.where(pa.c.draw_id == draw_id)
        if panel is not None:
            query = query.where(pd.c.panel == panel)
        if (start := to_utc(since)) is not None:
            query = query.where(or_(pa.c.submitted_at >= start,
                                    (pa.c.submitted_at.is_(None)) & (pa.c.imported_at >= start)))
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(pa.c.call_id, pa.c.member, pa.c.question_id)).all()
        return [AnswerRow(r.draw_id, r.member, r.call_id, r.question_id, r.answer, r.questionnaire) for r in rows]
