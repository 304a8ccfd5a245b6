"""Recordings as WAV files a browser can play (16-bit PCM), cached in the instance folder.

Recorders write G.711 mu-law/A-law or GSM 6.10 WAVs, which Chromium cannot play. Each recording is
converted once with soundfile, block by block (an hour-long call never sits in memory), into a
file named by a hash of its path, size and modification time: a changed recording is converted
again. Served as a file, it gets HTTP Range support, which the audio element needs to seek.

The cache holds copies of personal data, so entries unused for CACHE_HOURS are deleted.

Listening is audited once per session and recording (`first_in_session`): the player fetches a
recording in many byte ranges (the first, then one per seek), and whichever range comes first, its
first served byte writes the audit row; the later ranges in that session are the same listening.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

import soundfile as sf
from flask import session

from callqa.pipeline.errors import CallQAError

CACHE_HOURS = float(os.environ.get("CALLQA_AUDIO_CACHE_HOURS", "24"))
BLOCK = 65536
SERVED_KEY = "served"  # the session's list of short digests of what it has been served
SERVED_MAX = 120       # the newest kept: the cookie stays small; a dropped one is audited again


class AudioUnavailable(CallQAError):
    """The stored recording is gone or unreadable; the message names no server path."""


def first_in_session(kind: str, key: str) -> bool:
    """True the first time `kind`/`key` (a call's recording, a pack's audio file) is served in this
    session, and from then on remembered in it. The session is a signed cookie, so a client cannot
    add an entry to skip the audit; an older cookie or a lost one only means one audit row more.
    A fresh sign-in is a fresh session (`auth.login_user` clears it)."""
    digest = hashlib.sha256(f"{kind}\0{key}".encode()).hexdigest()[:10]
    served = session.get(SERVED_KEY)
    served = [d for d in served if isinstance(d, str)] if isinstance(served, list) else []
    if digest in served:
        return False
    session[SERVED_KEY] = (served + [digest])[-SERVED_MAX:]
    return True


def _key(source: Path) -> str:
    stat = source.stat()
    return hashlib.sha256(f"{source}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()).hexdigest()


def prune(cache_dir: Path, max_age_s: float = CACHE_HOURS * 3600) -> None:
    cutoff = time.time() - max_age_s
    for entry in cache_dir.glob("*.wav"):
        try:
            if entry.stat().st_mtime < cutoff:
                entry.unlink()
        except FileNotFoundError:
            pass


def playable_wav(audio_path: str, cache_dir: Path) -> Path:
    """The cached PCM WAV for a stored recording path (from the store, never from a request)."""
    source = Path(audio_path)
    if not source.is_file():
        raise AudioUnavailable("the recording is no longer where the store says it is")
    cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = cache_dir / f"{_key(source)}.wav"
    if target.exists():
        os.utime(target)  # recently used: keep it past the next prune
        return target
    prune(cache_dir)
    fd, tmp = tempfile.mkstemp(suffix=".part", dir=cache_dir)
    os.close(fd)
    try:
        info = sf.info(str(source))
        with sf.SoundFile(tmp, "w", samplerate=info.samplerate, channels=info.channels, subtype="PCM_16",
                          format="WAV") as out:
            for block in sf.blocks(str(source), blocksize=BLOCK, dtype="int16", always_2d=True):
                out.write(block)
        os.replace(tmp, target)  # atomic: two requests converting at once both end with a whole file
    except (sf.LibsndfileError, RuntimeError, OSError) as exc:
        Path(tmp).unlink(missing_ok=True)
        raise AudioUnavailable(f"the recording cannot be decoded ({type(exc).__name__})") from None
    return target
