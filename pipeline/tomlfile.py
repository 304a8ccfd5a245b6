"""Reading the TOML files a QA lead or panel edits (rule packs, questionnaires), with errors that
name the file; with no path, the copy bundled in the `models` package."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from callqa.pipeline.errors import CallQAError


def read_toml(path: str | Path | None, bundled: tuple[str, str], what: str,
              error: type[CallQAError]) -> tuple[dict[str, Any], str]:
    """(data, source) from `path`, else from models/<bundled folder>/<bundled file>."""
    if path is None:
        folder, name = bundled
        source = f"models/{folder}/{name}"
        text = resources.files("callqa.models").joinpath(folder, name).read_text(encoding="utf-8")
    else:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise error(f"{source}: cannot read {what} ({exc})") from None
    try:
        return tomllib.loads(text), source
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{source}: not valid TOML ({exc})") from None
