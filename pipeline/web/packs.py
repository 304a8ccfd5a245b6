"""Panel packs served by the app: built once per draw into the instance cache, always redacted.

The pack itself comes from `pipeline.panel.pack.build_pack` (a self-contained folder made for a
USB stick: inline script and styles allowed by hash in its own CSP meta tag). Served here, it gets
that same policy as a header instead of the app's, since the app's policy forbids inline script.
"""

from __future__ import annotations

import html
import re
import threading
from pathlib import Path

from pipeline.errors import CallQAError
from pipeline.store import Store

_locks: dict[int, threading.Lock] = {}
_locks_guard = threading.Lock()
META_CSP = re.compile(r'<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"', re.IGNORECASE)


class PackUnavailable(CallQAError):
    """The pack builder is missing or failed; the message is shown to the user."""


def _lock(draw_id: int) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(draw_id, threading.Lock())


def builder_available() -> bool:
    try:
        from pipeline.panel import pack
    except ImportError:
        return False
    return hasattr(pack, "build_pack")


def pack_folder(store: Store, draw_id: int, cache_dir: Path, actor: str) -> Path:
    """The draw's built pack folder under `cache_dir`, building it (redacted) the first time."""
    root = (cache_dir / "panel").resolve()
    out = root / f"draw-{draw_id}"
    pointer = root / f"draw-{draw_id}.location"  # when the builder puts the pack in a sub-folder
    with _lock(draw_id):
        folder = root / pointer.read_text(encoding="utf-8").strip() if pointer.exists() else out
        if (folder / "index.html").is_file():
            return folder
        if not builder_available():
            raise PackUnavailable("panel packs cannot be built here yet (pipeline.panel.pack.build_pack is missing)")
        from pipeline.panel.pack import build_pack

        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            built = build_pack(store, draw_id, out, redact=True, actor=actor)
        except CallQAError as exc:
            raise PackUnavailable(f"the pack for draw {draw_id} cannot be built: {exc}") from None
        folder = Path(getattr(built, "folder", built)).resolve()
        if not folder.is_relative_to(root) or not (folder / "index.html").is_file():
            raise PackUnavailable(f"the pack for draw {draw_id} was not written inside the app's cache")
        if folder != out:
            pointer.write_text(str(folder.relative_to(root)), encoding="utf-8")
        return folder


def pack_csp(index_html: str) -> str | None:
    """The pack's own policy (from its meta tag), plus no framing; None if it has none."""
    match = META_CSP.search(index_html)
    if match is None:
        return None
    return html.unescape(match.group(1)).strip().rstrip(";") + "; frame-ancestors 'none'"
