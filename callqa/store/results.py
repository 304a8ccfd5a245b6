"""Results: calls, transcriptions, scorings, indicator results and flags.

Every call's analysis is written in one transaction (transcription, scoring, indicator results,
flags), so a batch killed at any moment leaves either the whole result or nothing, and the next
run simply finds that call still pending.

A call's *current result* is its newest scoring. `current_scorings` is the one query that says
which scoring that is; every read of current results here, in reviews and in panels joins it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Subquery, case, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from callqa.pipeline.result_shape import result_dict, scoring_fields
from callqa.pipeline.rules import SEVERITIES
from callqa.store import schema as t
from callqa.store.base import StoreBase, chunks
from callqa.store.times import from_db, now, to_utc
from callqa.store.voice_samples import save_voice_sample
from callqa.pipeline.voiceprints import VoiceSample

# How the review app groups calls: by operator (the handler) or by team (the area).
CALL_GROUPS = {"operator": t.calls.c.handler_id, "team": t.calls.c.area}


def current_scorings(call_ids: Sequence[str] | None = None) -> Subquery:
    """THE current-results query: (call_id, id) of the newest scoring of each call, or of each of
    `call_ids` (keep the list within one IN chunk). Join it to scorings, indicator results or flags."""
    current = t.current_results.c   # kept by the database's triggers (migration 0011): no GROUP BY
    query = select(current.call_id, current.scoring_id.label("id"))
    if call_ids is not None:
        query = query.where(current.call_id.in_(call_ids))
    return query.subquery("current_scoring")


def severity_rank():
    """SQL ordering key for a flag's severity: high first, in the rule pack's SEVERITIES order."""
    return case(*((t.flags.c.severity == name, rank) for rank, name in enumerate(SEVERITIES)),
                else_=len(SEVERITIES))


class ResultsMixin(StoreBase):
    """Calls and their analysis results, written atomically and read as current results."""

    # ---- calls ------------------------------------------------------------------------------

    def upsert_calls(self, records: Iterable[Any], run_id: int | None) -> None:
        """Store each call's metadata (the export is the truth: a re-export updates it).

        One INSERT ... ON CONFLICT DO UPDATE, so workers upserting the same calls at once cannot
        collide on the primary key; `first_run_id` keeps the run that first saw the call."""
        rows: dict[str, dict[str, Any]] = {}
        for record in records:  # the last row wins if a batch names a call twice
            rows[record.call_id] = dict(
                call_id=record.call_id, audio_path=str(record.audio), started_at=to_utc(record.started_at),
                call_type=record.call_type, area=record.area, handler_id=record.handler_id,
                layout=record.layout, answer_delay_s=record.answer_delay_s, training=record.training,
                source=record.source, extra=dict(record.extra), updated_at=now(), first_run_id=run_id)
        if not rows:
            return
        with self.engine.begin() as conn:
            dialect = conn.dialect.name
            if dialect in ("sqlite", "postgresql"):
                if dialect == "sqlite":
                    from sqlalchemy.dialects.sqlite import insert as upsert
                else:
                    from sqlalchemy.dialects.postgresql import insert as upsert
                stmt = upsert(t.calls)
                stmt = stmt.on_conflict_do_update(
                    index_elements=[t.calls.c.call_id],
                    set_={name: stmt.excluded[name] for name in next(iter(rows.values()))
                          if name not in ("call_id", "first_run_id")})
                conn.execute(stmt, [rows[call_id] for call_id in sorted(rows)])  # one lock order: no deadlocks
                return
            known = set(conn.execute(select(t.calls.c.call_id)).scalars())
            for call_id, values in rows.items():
                if call_id in known:
                    conn.execute(update(t.calls).where(t.calls.c.call_id == call_id).values(
                        {k: v for k, v in values.items() if k not in ("call_id", "first_run_id")}))
                else:
                    conn.execute(insert(t.calls).values(**values))

    def call(self, call_id: str) -> dict[str, Any] | None:
        """The call's stored metadata (its calls row), times in UTC; None if unknown."""
        with self.engine.connect() as conn:
            row = conn.execute(select(t.calls).where(t.calls.c.call_id == call_id)).mappings().first()
        if row is None:
            return None
        return {**row, "started_at": from_db(row["started_at"]), "updated_at": from_db(row["updated_at"])}

    def call_values(self) -> dict[str, list[str]]:
        """The areas and handlers the store holds, sorted, blanks left out (the review app's filters)."""
        with self.engine.connect() as conn:
            def distinct(column: Any) -> list[str]:
                return [v for v in conn.execute(select(column).distinct().order_by(column)).scalars() if v]
            return {"areas": distinct(t.calls.c.area), "handlers": distinct(t.calls.c.handler_id)}

    def latest_call_time(self, group: str | None = None, value: str | None = None) -> datetime | None:
        """When the newest non-training call started (of one operator or team, see CALL_GROUPS)."""
        query = select(func.max(t.calls.c.started_at)).where(t.calls.c.training.is_(False))
        if group is not None:
            query = query.where(CALL_GROUPS[group] == value)
        with self.engine.connect() as conn:
            return from_db(conn.execute(query).scalar())

    # ---- writing results --------------------------------------------------------------------

    def save_analysis(self, result: dict[str, Any], audio_sha256: str, run_id: int | None,
                      worker: str | None = None, voice: VoiceSample | None = None) -> int | None:
        """Store a whole analysis atomically; returns the scoring id, None if already stored.

        `voice` is the handler's voice on a stereo call, kept for their voiceprint. A result the
        database rejects for any other reason (an unknown call, a missing value) raises, and
        leaves nothing behind."""
        self.check_present()
        try:
            with self.engine.begin() as conn:
                transcription_id = conn.execute(insert(t.transcriptions).values(
                    call_id=result["call_id"], audio_sha256=audio_sha256, engine=result["engine"]["name"],
                    model=result["engine"]["model"], duration_s=result["duration_s"], layout=result["layout"],
                    channel_layout=result["channel_layout"], transcript=result["transcript"],
                    speech=result["speech"], audio=result.get("audio"), attribution=result.get("attribution"),
                    vectors=result.get("sentence_vectors"),
                    stats=result.get("stats"), worker=worker,
                    run_id=run_id, created_at=now())).inserted_primary_key[0]
                if voice is not None:
                    save_voice_sample(conn, result["call_id"], voice)
                return self._insert_scoring(conn, transcription_id, result, run_id)
        except IntegrityError:
            if self._transcription_exists(result, audio_sha256):
                return None  # another worker stored the same call first: exactly-once holds
            raise

    def save_scoring(self, transcription_id: int, result: dict[str, Any], run_id: int | None,
                     conn: Connection | None = None) -> int | None:
        """Store one re-score of a stored transcription; None if it was scored with these rules already."""
        if conn is not None:
            return self._insert_scoring(conn, transcription_id, result, run_id)
        try:
            with self.engine.begin() as own:
                return self._insert_scoring(own, transcription_id, result, run_id)
        except IntegrityError:
            if self._scoring_exists(transcription_id, result["rules_version"]):
                return None  # already scored with these rules
            raise

    def save_scorings(self, scorings: Iterable[tuple[int, dict[str, Any]]], run_id: int | None) -> None:
        """Store many re-scores, (transcription id, result) each, in one transaction and three
        statements (scorings, their indicator results, their flags): fast, and never half a call
        (a rejected one rolls the whole batch back)."""
        scorings = list(scorings)
        if not scorings:
            return
        created = now()
        with self.engine.begin() as conn:
            ids = conn.execute(insert(t.scorings).returning(t.scorings.c.id, sort_by_parameter_order=True), [
                dict(transcription_id=transcription_id, call_id=result["call_id"],
                     rules_version=result["rules_version"], silences=result["silences"],
                     flag_count=len(result["flags"]), run_id=run_id, score=result.get("score"),
                     review_priority=result.get("review_priority"), created_at=created)
                for transcription_id, result in scorings]).scalars().all()
            indicators, flags = [], []
            for scoring_id, (_, result) in zip(ids, scorings):
                indicators += _indicator_rows(scoring_id, result)
                flags += _flag_rows(scoring_id, result)
            conn.execute(insert(t.indicator_results), indicators)
            if flags:
                conn.execute(insert(t.flags), flags)

    def _transcription_exists(self, result: dict[str, Any], audio_sha256: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(t.transcriptions.c.id).where(
                t.transcriptions.c.call_id == result["call_id"], t.transcriptions.c.audio_sha256 == audio_sha256,
                t.transcriptions.c.engine == result["engine"]["name"],
                t.transcriptions.c.model == result["engine"]["model"])).first() is not None

    def _scoring_exists(self, transcription_id: int, rules_version: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(t.scorings.c.id).where(
                t.scorings.c.transcription_id == transcription_id,
                t.scorings.c.rules_version == rules_version)).first() is not None

    @staticmethod
    def _insert_scoring(conn: Connection, transcription_id: int, result: dict[str, Any], run_id: int | None) -> int:
        call_id = result["call_id"]
        scoring_id = conn.execute(insert(t.scorings).values(
            transcription_id=transcription_id, call_id=call_id, rules_version=result["rules_version"],
            silences=result["silences"], flag_count=len(result["flags"]), run_id=run_id,
            score=result.get("score"), review_priority=result.get("review_priority"),
            created_at=now())).inserted_primary_key[0]
        conn.execute(insert(t.indicator_results), _indicator_rows(scoring_id, result))
        if result["flags"]:
            conn.execute(insert(t.flags), _flag_rows(scoring_id, result))
        return scoring_id

    # ---- transcriptions ---------------------------------------------------------------------

    def transcription(self, transcription_id: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            query = select(t.transcriptions).where(t.transcriptions.c.id == transcription_id)
            row = conn.execute(query).mappings().one()
        return dict(row)

    def pending_rescore_ids(self, rules_version: str, engine: str | None = None,
                            model: str | None = None) -> list[int]:
        """Ids of the latest transcription of each non-training call that has no scoring with
        `rules_version`, in id order: a list of integers however large the store, so re-scoring
        reads the transcripts themselves a batch at a time (`rescore_inputs`)."""
        latest = (select(func.max(t.transcriptions.c.id).label("id"))
                  .join(t.calls, t.calls.c.call_id == t.transcriptions.c.call_id)
                  .where(t.calls.c.training.is_(False)))
        if engine:
            latest = latest.where(t.transcriptions.c.engine == engine)
        if model:
            latest = latest.where(t.transcriptions.c.model == model)
        latest = latest.group_by(t.transcriptions.c.call_id).subquery()
        # NOT EXISTS, not NOT IN: PostgreSQL cannot turn NOT IN over a nullable column into an
        # anti-join, and on 870,000 scorings it ran for minutes (docs/scale.md).
        scored = (select(t.scorings.c.id).where(t.scorings.c.transcription_id == latest.c.id,
                                                t.scorings.c.rules_version == rules_version))
        query = select(latest.c.id).where(~scored.exists()).order_by(latest.c.id)
        with self.engine.connect() as conn:
            return [row.id for row in conn.execute(query)]

    def rescore_inputs(self, transcription_ids: Sequence[int]) -> list[dict[str, Any]]:
        """The transcriptions with these ids, with the call's metadata that scoring reads (answer_time
        is scored from call_type and answer_delay_s), in id order."""
        out: list[dict[str, Any]] = []
        with self.engine.connect() as conn:
            for chunk in chunks(list(transcription_ids)):
                query = (select(t.transcriptions, t.calls.c.call_type, t.calls.c.answer_delay_s)
                         .join(t.calls, t.calls.c.call_id == t.transcriptions.c.call_id)
                         .where(t.transcriptions.c.id.in_(chunk)).order_by(t.transcriptions.c.id))
                out += [dict(r) for r in conn.execute(query).mappings()]
        return out

    def pending_rescores(self, rules_version: str, engine: str | None = None,
                         model: str | None = None) -> list[dict[str, Any]]:
        """Latest transcription of each non-training call that has no scoring with `rules_version`
        (all at once: for a few calls; `callqa rescore` reads them a batch at a time)."""
        return self.rescore_inputs(self.pending_rescore_ids(rules_version, engine, model))

    # ---- current results --------------------------------------------------------------------

    def current_scorings(self, call_ids: Sequence[str] | None = None) -> Subquery:
        """The current-results subquery (see the module function `current_scorings`)."""
        return current_scorings(call_ids)

    def current_scoring_ids(self, call_ids: Sequence[str]) -> dict[str, int]:
        """call id -> id of its current scoring, for those of `call_ids` that have one."""
        out: dict[str, int] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(list(call_ids)):
                current = current_scorings(chunk)
                out.update({r.call_id: r.id for r in conn.execute(select(current.c.call_id, current.c.id))})
        return out

    def current_scoring_id(self, call_id: str) -> int | None:
        """The id of the call's current scoring; None if it has none."""
        return self.current_scoring_ids([call_id]).get(call_id)

    def current_indicator_results(self, call_ids: Sequence[str]) -> dict[tuple[str, str], dict[str, Any]]:
        """(call_id, indicator) -> call_id, indicator, status, reason, evidence on each call's current result."""
        out: dict[tuple[str, str], dict[str, Any]] = {}
        ir = t.indicator_results
        with self.engine.connect() as conn:
            for chunk in chunks(list(call_ids)):
                current = current_scorings(chunk)
                for r in conn.execute(select(ir.c.call_id, ir.c.indicator, ir.c.status, ir.c.reason, ir.c.evidence)
                                      .join(current, current.c.id == ir.c.scoring_id)).mappings():
                    out[r["call_id"], r["indicator"]] = dict(r)
        return out

    def flagged(self, since: datetime | None = None, area: str | None = None,
                handler: str | None = None) -> list[dict[str, Any]]:
        """Flags on each call's current result, newest calls first; training calls never appear."""
        current = current_scorings()
        query = (select(t.calls.c.call_id, t.calls.c.started_at, t.calls.c.call_type, t.calls.c.area,
                        t.calls.c.handler_id, t.scorings.c.rules_version, t.scorings.c.score,
                        t.scorings.c.review_priority, t.flags.c.indicator, t.flags.c.reason, t.flags.c.severity,
                        t.flags.c.start_s, t.flags.c.evidence_s, t.flags.c.confidence, t.flags.c.needs_review)
                 .join(t.scorings, t.scorings.c.id == t.flags.c.scoring_id)
                 .join(current, current.c.id == t.scorings.c.id)
                 .join(t.calls, t.calls.c.call_id == t.flags.c.call_id)
                 .where(t.calls.c.training.is_(False)))
        if since is not None:
            query = query.where(t.calls.c.started_at >= to_utc(since))
        if area:
            query = query.where(t.calls.c.area == area)
        if handler:
            query = query.where(t.calls.c.handler_id == handler)
        query = query.order_by(t.calls.c.started_at.desc(), t.calls.c.call_id, severity_rank(), t.flags.c.start_s)
        with self.engine.connect() as conn:
            return [{**r, "started_at": from_db(r["started_at"])} for r in conn.execute(query).mappings()]

    def indicator_table(self, run_id: int | None = None, since: datetime | None = None) -> list[dict[str, Any]]:
        """Each non-training call's current result as one row: score, priority, status per indicator.

        `run_id` keeps the calls scored in that run (analysed or re-scored there).
        """
        current = current_scorings()
        query = (select(t.calls.c.call_id, t.calls.c.started_at, t.calls.c.call_type, t.calls.c.area,
                        t.calls.c.handler_id, t.calls.c.answer_delay_s, t.scorings.c.id, t.scorings.c.rules_version,
                        t.scorings.c.score, t.scorings.c.review_priority, t.scorings.c.flag_count,
                        t.scorings.c.run_id)
                 .join(current, current.c.id == t.scorings.c.id)
                 .join(t.calls, t.calls.c.call_id == t.scorings.c.call_id)
                 .where(t.calls.c.training.is_(False)))
        if run_id is not None:
            query = query.where(t.scorings.c.run_id == run_id)
        if since is not None:
            query = query.where(t.calls.c.started_at >= to_utc(since))
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(query.order_by(t.calls.c.started_at, t.calls.c.call_id)).mappings()]
            ids = [r["id"] for r in rows]
            statuses: dict[int, dict[str, str]] = {}
            unsure: dict[int, list[str]] = {}
            for chunk in chunks(ids):
                for r in conn.execute(select(t.indicator_results.c.scoring_id, t.indicator_results.c.indicator,
                                             t.indicator_results.c.status)
                                      .where(t.indicator_results.c.scoring_id.in_(chunk))):
                    statuses.setdefault(r.scoring_id, {})[r.indicator] = r.status
            for chunk in chunks(ids):
                for r in conn.execute(select(t.flags.c.scoring_id, t.flags.c.indicator)
                                      .where(t.flags.c.scoring_id.in_(chunk), t.flags.c.needs_review.is_(True))):
                    unsure.setdefault(r.scoring_id, []).append(r.indicator)
        for row in rows:
            row["needs_review"] = " ".join(sorted(unsure.get(row["id"], [])))
            row.update(statuses.get(row.pop("id"), {}))
            row["started_at"] = from_db(row["started_at"]).isoformat()
            row["flags"] = row.pop("flag_count")
        return rows

    def call_result(self, call_id: str) -> dict[str, Any] | None:
        """The call's current result, rebuilt in the result-JSON shape (callqa.pipeline.result_shape)."""
        current = current_scorings([call_id])
        with self.engine.connect() as conn:
            scoring = conn.execute(select(t.scorings).join(current, current.c.id == t.scorings.c.id)
                                   ).mappings().first()
            if scoring is None:
                return None
            tr = conn.execute(select(t.transcriptions)
                              .where(t.transcriptions.c.id == scoring["transcription_id"])).mappings().one()
            call = conn.execute(select(t.calls.c.call_type, t.calls.c.answer_delay_s)
                                .where(t.calls.c.call_id == call_id)).mappings().first()
            indicators = conn.execute(select(t.indicator_results)
                                      .where(t.indicator_results.c.scoring_id == scoring["id"])
                                      .order_by(t.indicator_results.c.id)).mappings().all()
            flag_rows = conn.execute(select(t.flags).where(t.flags.c.scoring_id == scoring["id"])
                                     .order_by(t.flags.c.id)).mappings().all()
        fields = scoring_fields(
            scoring["rules_version"], scoring["score"], scoring["review_priority"], scoring["silences"],
            {i["indicator"]: {"status": i["status"], "reason": i["reason"], "evidence": i["evidence"],
                              **({"metrics": i["metrics"]} if i["metrics"] else {}),
                              **({"confidence": i["confidence"]} if i["confidence"] is not None else {})}
             for i in indicators},
            [{"indicator": f["indicator"], "reason": f["reason"], "start_s": f["start_s"], "severity": f["severity"],
              "confidence": f["confidence"], "needs_review": bool(f["needs_review"])} for f in flag_rows])
        return result_dict(
            call_id=call_id, duration_s=tr["duration_s"], layout=tr["layout"], channel_layout=tr["channel_layout"],
            engine={"name": tr["engine"], "model": tr["model"]}, attribution=tr["attribution"],
            metadata={"call_type": call["call_type"] if call else None,
                      "answer_delay_s": call["answer_delay_s"] if call else None},
            transcript=tr["transcript"], speech=tr["speech"], scoring=fields, audio=tr["audio"], stats=tr["stats"],
            sentence_vectors=tr["vectors"])

    def has_scored_calls(self, group: str, value: str) -> bool:
        """Whether this operator (or team) has any scored, non-training call."""
        query = (select(t.calls.c.call_id).join(t.scorings, t.scorings.c.call_id == t.calls.c.call_id)
                 .where(t.calls.c.training.is_(False), CALL_GROUPS[group] == value).limit(1))
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None


def _indicator_rows(scoring_id: int, result: dict[str, Any]) -> list[dict[str, Any]]:
    """A scoring's indicator_results rows: one per indicator."""
    call_id = result["call_id"]
    return [dict(scoring_id=scoring_id, call_id=call_id, indicator=name, status=ind["status"],
                 reason=ind.get("reason"), evidence=ind["evidence"], metrics=ind.get("metrics"),
                 confidence=ind.get("confidence"))
            for name, ind in result["indicators"].items()]


def _flag_rows(scoring_id: int, result: dict[str, Any]) -> list[dict[str, Any]]:
    """A scoring's flags rows, each with the times of its indicator's evidence."""
    call_id = result["call_id"]
    return [dict(scoring_id=scoring_id, call_id=call_id, indicator=f["indicator"], reason=f["reason"],
                 start_s=f["start_s"], severity=f.get("severity"), confidence=f.get("confidence"),
                 needs_review=bool(f.get("needs_review")),
                 evidence_s=[[e["start_s"], e["end_s"]] for e in result["indicators"][f["indicator"]]["evidence"]])
            for f in result["flags"]]
