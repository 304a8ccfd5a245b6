"""The audio fingerprint that decides whether a call needs analysing again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from callqa.models.weights import sha256_of


def audio_digests(calls: list[Any]) -> dict[str, str]:
    """sha256 of each call's audio: a re-exported call with different audio is analysed again."""
    return {call.call_id: sha256_of(Path(call.audio)) for call in calls}
