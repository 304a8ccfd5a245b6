"""The run's optional notification, through apprise: counts and links only.

A notification leaves callqa's hosts (a chat room, a mail server, a phone), so it carries no
personal data at all: no transcript words, no reasons (they can quote the caller), no call,
handler or area names, no call times. Only the run number, counts and links to the review app's
queue and runs pages. Everything else is one click away, behind the review app's sign-in.
Off unless notification URLs are configured (`callqa.report_settings`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from callqa.batch.morning_report import NEEDS_REVIEW, MorningReport

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Notification:
    title: str
    body: str


def notification_for(report: MorningReport) -> Notification:
    """The counts and links of a report, nothing from any call."""
    s, c = report.summary, report.summary.counts
    flags = report.flag_counts()
    lines = [
        f"{c['calls']} calls: {c['analysed']} analysed, {c['rescored']} re-scored, {c['skipped']} already done, "
        f"{c['failed']} failed, {c['export_errors']} bad rows.",
        f"{report.flagged_calls} flagged {_calls(report.flagged_calls)}; flags: {flags['high']} high, "
        f"{flags['medium']} medium, {flags['low']} low, {flags[NEEDS_REVIEW]} to review.",
    ]
    if report.base_url:
        lines += [f"Review queue: {report.base_url}/queue", f"Run report: {report.base_url}/runs"]
    else:
        lines.append(f"The report is run-{s.run_id}.md on the batch host.")
    return Notification(f"callqa run {s.run_id}: {report.flagged_calls} flagged {_calls(report.flagged_calls)}",
                        "\n".join(lines))


def _calls(n: int) -> str:
    return "call" if n == 1 else "calls"


def send_notification(urls: tuple[str, ...], note: Notification) -> bool:
    """Send to every URL; False (logged, never raised) when any target failed: a chat service
    being down must not fail the night's run."""
    import apprise

    sender = apprise.Apprise()
    for url in urls:
        sender.add(url)
    try:
        ok = bool(sender.notify(body=note.body, title=note.title, body_format=apprise.NotifyFormat.TEXT))
    except Exception as exc:  # apprise catches its own errors; this is a last guard
        log.warning("the run's notification failed: %s", type(exc).__name__)
        return False
    if not ok:
        log.warning("the run's notification could not be delivered to every target")
    return ok


__all__ = ["Notification", "notification_for", "send_notification"]
