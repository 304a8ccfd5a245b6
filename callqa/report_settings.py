"""The morning report's settings: the review app's base URL for call links, and where (if
anywhere) the run's notification goes.

They live in the `[report]` section of the same settings TOML as the analysis settings
(`--config FILE`), but are read and validated here: the analysis library (`pipeline/config.py`)
knows nothing about reports. The order is: the command line, then the environment, then the file.

    [report]
    base_url = "https://callqa.example.internal"     # call links: {base_url}/calls/{call_id}
    notify_urls = ["json://qa-bot.example.internal/hook"]  # apprise URLs; none = no notification

Notification URLs usually hold a token: they are never flow parameters (Prefect records those),
never printed, and an error names only their scheme.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from callqa.errors import ConfigError

SECTION = "report"
BASE_URL_ENV = "CALLQA_REPORT_BASE_URL"
NOTIFY_URLS_ENV = "CALLQA_NOTIFY_URLS"   # whitespace-separated apprise URLs
KNOWN = ("base_url", "notify_urls")
# Characters that could end a markdown link, open another or break a table cell: never in a base URL.
_UNSAFE = re.compile(r"[\s<>()\[\]|\"'`{}\\^]")


@dataclass(frozen=True)
class ReportSettings:
    """What the morning report needs beyond the run: links and the (optional) notification."""

    base_url: str | None = None
    notify_urls: tuple[str, ...] = ()

    @property
    def notify(self) -> bool:
        """Off unless at least one notification URL is configured."""
        return bool(self.notify_urls)

    def __repr__(self) -> str:  # keep tokens in notification URLs out of logs and tracebacks
        return f"ReportSettings(base_url={self.base_url!r}, notify_urls=<{len(self.notify_urls)} hidden>)"


def check_base_url(value: str, where: str) -> str:
    """An http(s) URL with a host and no query, fragment or markdown-breaking characters; the
    trailing slash dropped, so links read `{base_url}/calls/ID`."""
    from callqa.messages import quote

    text = value.strip() if isinstance(value, str) else value
    if not isinstance(text, str) or not text:
        raise ConfigError(f"{where}: expected the review app's address, e.g. https://callqa.example.internal, "
                          f"got {value!r}")
    if _UNSAFE.search(text) or any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ConfigError(f"{where}: {quote(text)} holds a space, quote, bracket or control character")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: {quote(text)} is not an http:// or https:// address with a host")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ConfigError(f"{where}: {quote(text)} must not hold a query, fragment or user name")
    try:
        parts.port
    except ValueError:
        raise ConfigError(f"{where}: {quote(text)} has a bad port") from None
    return text.rstrip("/")


def check_notify_urls(urls: Any, where: str) -> tuple[str, ...]:
    """Each URL one apprise understands; an error names the position and scheme only (tokens stay secret)."""
    if isinstance(urls, str):
        urls = urls.split()
    if not isinstance(urls, (list, tuple)) or not all(isinstance(u, str) for u in urls):
        raise ConfigError(f"{where}: expected a list of apprise URLs")
    urls = tuple(u.strip() for u in urls if u.strip())
    if not urls:
        return ()
    import apprise

    for number, url in enumerate(urls, 1):
        scheme = url.split("://", 1)[0] if "://" in url else "?"
        if not re.fullmatch(r"[a-z0-9+]{1,32}", scheme):
            scheme = "?"
        if not apprise.Apprise().add(url):
            raise ConfigError(f"{where}: URL {number} ({scheme}://...) is not a notification URL apprise "
                              "supports (https://github.com/caronc/apprise/wiki)")
    return urls


def _file_section(path: str | Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration ({exc})") from None
    section = data.get(SECTION, {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [{SECTION}] must be a table")
    unknown = sorted(set(section) - set(KNOWN))
    if unknown:
        raise ConfigError(f"{path} [{SECTION}]: unknown setting(s) {', '.join(unknown)}; known: {', '.join(KNOWN)}")
    return section


def load_report_settings(config_path: str | Path | None = None, base_url: str | None = None,
                         environ: dict[str, str] | None = None) -> ReportSettings:
    """The report settings: `base_url` (a command-line value), else the environment, else the
    file's `[report]` section; every value validated here, once, with a ConfigError (exit 6)."""
    env = os.environ if environ is None else environ
    section = _file_section(config_path)
    where_file = f"{config_path} [{SECTION}]"
    if base_url:
        url: str | None = check_base_url(base_url, "--report-base-url")
    elif env.get(BASE_URL_ENV):
        url = check_base_url(env[BASE_URL_ENV], BASE_URL_ENV)
    elif section.get("base_url") is not None:
        url = check_base_url(section["base_url"], f"{where_file}.base_url")
    else:
        url = None
    if env.get(NOTIFY_URLS_ENV, "").strip():
        notify = check_notify_urls(env[NOTIFY_URLS_ENV], NOTIFY_URLS_ENV)
    else:
        notify = check_notify_urls(section.get("notify_urls", []), f"{where_file}.notify_urls")
    return ReportSettings(url, notify)


__all__ = ["BASE_URL_ENV", "NOTIFY_URLS_ENV", "SECTION", "ReportSettings", "check_base_url", "check_notify_urls",
           "load_report_settings"]
