"""Panel packs served by the app: built into the instance cache, always redacted.

The pack comes from `callqa.panel.pack.build_pack` (a self-contained folder made for a USB
stick: inline script and styles allowed by hash in its own CSP meta tag). Served here, it gets
that same policy as a header instead of the app's, since the app's policy forbids inline script.

The cache folder is named by a fingerprint of the draw's current results (each call's newest
scoring) and the questionnaire, so a re-score or a new questionnaire builds a fresh pack, and the
stale one is removed.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import re
import shutil
import threading
from pathlib import Path

from callqa.pipeline.errors import CallQAError
from callqa.panel.pack import PACK_FORMAT_VERSION, build_pack
from callqa.panel.questionnaire import Questionnaire, load_questionnaire
from callqa.store import Store

_locks: dict[int, threading.Lock] = {}
_locks_guard = threading.Lock()
META_CSP = re.compile(r'<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"', re.IGNORECASE)


class PackUnavailable(CallQAError):
    """The pack cannot be built; the message is shown to the user."""


def _lock(draw_id: int) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(draw_id, threading.Lock())


def fingerprint(store: Store, draw_id: int, questionnaire_ref: str) -> str:
    """Changes when any call of the draw is re-scored or re-analysed, the questionnaire changes, or
    the pack format does (a pack cached before pseudonyms must not be served again)."""
    ids = store.draw_call_ids(draw_id)
    if ids is None:
        raise PackUnavailable(f"no panel draw {draw_id}")
    latest = store.current_scoring_ids(ids)
    key = json.dumps([PACK_FORMAT_VERSION, draw_id, questionnaire_ref, [[c, latest.get(c)] for c in ids]])
    return hashlib.sha256(key.encode()).hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def _questionnaire() -> Questionnaire:
    """The bundled questionnaire, read once: every pack file request (audio seeks too) checks freshness."""
    return load_questionnaire()


def pack_folder(store: Store, draw_id: int, cache_dir: Path, actor: str) -> Path:
    """The draw's pack folder under `cache_dir`, building it (redacted) when missing or stale."""
    root = (cache_dir / "panel").resolve()
    questionnaire = _questionnaire()
    with _lock(draw_id):
        out = root / f"draw-{draw_id}-{fingerprint(store, draw_id, questionnaire.ref)}"
        if (out / "index.html").is_file():
            return out
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            build_pack(store, draw_id, out, questionnaire=questionnaire, redact=True, actor=actor, overwrite=True)
        except CallQAError as exc:
            raise PackUnavailable(f"the pack for draw {draw_id} cannot be built: {exc}") from None
        for stale in root.glob(f"draw-{draw_id}-*"):
            if stale != out and stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
        return out


def pack_csp(index_html: str) -> str | None:
    """The pack's own policy (from its meta tag), plus no framing; None if it has none."""
    match = META_CSP.search(index_html)
    if match is None:
        return None
    return html.unescape(match.group(1)).strip().rstrip(";") + "; frame-ancestors 'none'"
