"""Voice samples: each stereo call's handler voice, whose centroid is the handler's voiceprint.

Biometric personal data: never exported, never in a pack, deleted with the handler (see
pipeline/voiceprints.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, insert, select

from callqa.store import schema as t
from callqa.store.base import StoreBase
from callqa.store.times import from_db, now
from callqa.pipeline.voiceprints import VoiceSample, Voiceprint, centroid, decode_vector, encode_vector


def save_voice_sample(conn: Connection, call_id: str, voice: VoiceSample) -> None:
    """Replace the call's voice sample, inside the transaction that stores its analysis."""
    handler = conn.execute(select(t.calls.c.handler_id).where(t.calls.c.call_id == call_id)).scalar_one()
    conn.execute(t.voice_samples.delete().where(t.voice_samples.c.call_id == call_id))
    conn.execute(insert(t.voice_samples).values(
        call_id=call_id, handler_id=handler, encoder=voice.encoder, vector=encode_vector(voice.vector),
        seconds=voice.seconds, created_at=now()))


class VoiceSamplesMixin(StoreBase):
    """Voiceprints read from, and erased in, the voice_samples table."""

    def voiceprint(self, handler_id: str, encoder: str) -> Voiceprint | None:
        """The handler's enrolled voice: the centroid of their stereo calls' samples."""
        c = t.voice_samples.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(c.vector, c.seconds, c.created_at)
                                .where(c.handler_id == handler_id, c.encoder == encoder)
                                .order_by(c.call_id)).all()
        samples = [VoiceSample(decode_vector(r.vector), r.seconds, encoder) for r in rows]
        return centroid(handler_id, samples, max((from_db(r.created_at) for r in rows), default=None))

    def voiceprints(self) -> list[dict[str, Any]]:
        """Who has a voiceprint, on how many calls and seconds, since when: never the vectors."""
        c = t.voice_samples.c
        with self.engine.connect() as conn:
            rows = conn.execute(select(c.handler_id, c.encoder, func.count().label("calls"),
                                       func.sum(c.seconds).label("seconds"),
                                       func.max(c.created_at).label("updated_at"))
                                .group_by(c.handler_id, c.encoder).order_by(c.handler_id)).all()
        return [{"handler_id": r.handler_id, "encoder": r.encoder, "calls": int(r.calls),
                 "seconds": round(float(r.seconds), 1), "updated_at": from_db(r.updated_at)} for r in rows]

    def delete_voiceprint(self, handler_id: str) -> int:
        """Erase a handler's voice samples (with the handler, or on request); returns how many."""
        with self.engine.begin() as conn:
            return conn.execute(t.voice_samples.delete().where(t.voice_samples.c.handler_id == handler_id)).rowcount
