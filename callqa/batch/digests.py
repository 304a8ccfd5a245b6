"""The audio fingerprint that decides whether a call needs analysing again."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from callqa.models.weights import sha256_of

HASH_THREADS = 4  # hashlib releases the GIL on large reads: threads hash files side by side


def audio_digests(calls: list[Any], threads: int | None = None) -> dict[str, str]:
    """sha256 of each call's audio: a re-exported call with different audio is analysed again.

    Files are hashed in a few threads (reading and hashing overlap across files, and hashlib runs
    outside the GIL), so the parent plans a night in a fraction of the time one thread takes."""
    threads = threads or min(HASH_THREADS, os.cpu_count() or 1, max(1, len(calls)))
    if threads <= 1 or len(calls) <= 1:
        return {call.call_id: sha256_of(Path(call.audio)) for call in calls}
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="callqa-hash") as pool:
        digests = pool.map(lambda call: sha256_of(Path(call.audio)), calls)
        return {call.call_id: digest for call, digest in zip(calls, digests)}


def audio_bytes(calls: list[Any]) -> int:
    """The export's audio on disk, for the "hashing N files (X MB)" line."""
    total = 0
    for call in calls:
        try:
            total += Path(call.audio).stat().st_size
        except OSError:  # a file gone since the export was read: hashing will say so
            pass
    return total
