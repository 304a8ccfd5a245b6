"""The morning report: what a QA lead acts on after a nightly run, as markdown.

It holds the night's flags by severity (high, medium, low; the unsure `needs_review` ones apart),
each in plain words (`callqa.plain_language`) with its handler, area and a link to the call page;
flagged-call rates per area and failure rates per indicator for this night against the last 7 and
28 nights, with n; and answer times (share within target, by call type). The run's file
(`run-N.md`) and its Prefect artifact are this text.

"This night" is the export's scored calls. The last 7 (28) nights are the calls that started in
the 7 (28) UK-local days before the day of the night's first call, the night's own calls left out.
Every value from an export or a transcript is escaped (`md_text`), so an id or a reason cannot
break a table, open a link or inject markup. Times are UK local time with the zone (GMT/BST).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable, Sequence
from urllib.parse import quote

from callqa import plain_language
from callqa.batch.summary import RunSummary, answer_time_rates
from callqa.messages import printable
from callqa.pipeline.config import LOCAL_TIMEZONE, LOCAL_TZ
from callqa.pipeline.rules import INDICATORS, SEVERITIES, RulePack
from callqa.store import Store

WINDOWS = (7, 28)   # nights of history each rate is set against
NEEDS_REVIEW = "needs_review"
OTHER = "other"     # a flag stored without a severity
# Characters with a meaning in (GitHub-flavoured) markdown inline text: emphasis, code, links,
# images, raw HTML, entities, tables, strikethrough, maths. Each is shown backslash-escaped.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#!|~&$])")


def md_text(value: Any) -> str:
    """A value as markdown text that shows exactly it: hidden characters made visible (\\n, \\x1b),
    markdown punctuation escaped. Safe inside a table cell and as a link's text."""
    return _MARKDOWN.sub(r"\\\1", printable(str(value), limit=None))


def local_time(value: datetime | str) -> str:
    """`2026-11-25 21:14 GMT` / `2026-07-01 10:05 BST`: UK local time to the minute, zone shown."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M %Z")


def call_url(base_url: str | None, call_id: str) -> str | None:
    """The review app's call page; the id percent-encoded (every reserved character), so it can
    neither leave the link nor change the path."""
    return f"{base_url}/calls/{quote(call_id, safe='')}" if base_url else None


@dataclass(frozen=True)
class Rate:
    """`count` of `n` (a share, with its n: a rate of 1 call means little)."""

    count: int
    n: int

    @property
    def share(self) -> float | None:
        return self.count / self.n if self.n else None

    def text(self) -> str:
        return f"{self.count} of {self.n} ({self.share:.0%})" if self.n else "no calls"


@dataclass(frozen=True)
class RateRow:
    """One line of a rates table: this night, then each window of WINDOWS."""

    label: str
    night: Rate
    history: tuple[Rate, ...]


@dataclass(frozen=True)
class Window:
    """Calls started in [start, end): this night, or the `nights` UK-local days before it."""

    nights: int
    start: datetime
    end: datetime

    def label(self) -> str:
        last = (self.end - timedelta(days=1)).astimezone(LOCAL_TZ).date()
        return f"last {self.nights} nights ({self.start.astimezone(LOCAL_TZ).date()} to {last})"


@dataclass(frozen=True)
class FlagLine:
    """One flag as the report shows it: plain words, who, where, and the link."""

    group: str                 # high | medium | low | other | needs_review
    severity: str | None
    call_id: str
    url: str | None
    started_at: datetime
    title: str
    reason: str
    handler_id: str
    area: str


@dataclass
class MorningReport:
    """Everything the markdown shows, computed from the store and the run's summary."""

    summary: RunSummary
    base_url: str | None
    night_days: tuple[date, ...]
    night_calls: int
    windows: tuple[Window, ...]
    flags: list[FlagLine] = field(default_factory=list)
    area_rates: list[RateRow] = field(default_factory=list)
    indicator_rates: list[RateRow] = field(default_factory=list)
    answer_rates: list[RateRow] = field(default_factory=list)

    def flags_in(self, group: str) -> list[FlagLine]:
        return [f for f in self.flags if f.group == group]

    @property
    def flagged_calls(self) -> int:
        """Calls of this night with at least one flag on their current result (a call already
        scored in an earlier run counts too: the report is of the night, not of what this run redid)."""
        return len({f.call_id for f in self.flags})

    def flag_counts(self) -> dict[str, int]:
        """Flags per group (high, medium, low, needs_review, other)."""
        groups = (*SEVERITIES, NEEDS_REVIEW, OTHER)
        return {g: len(self.flags_in(g)) for g in groups}


def local_midnight(day: date) -> datetime:
    """The start of a UK-local day (00:00 GMT or BST), as an aware time."""
    return datetime.combine(day, time(), LOCAL_TZ)


def history_windows(first_day: date) -> tuple[Window, ...]:
    """The last 7 and 28 UK-local days before `first_day`: whole local days across a clock change."""
    end = local_midnight(first_day)
    return tuple(Window(n, local_midnight(first_day - timedelta(days=n)), end) for n in WINDOWS)


def flag_group(severity: str | None, needs_review: bool) -> str:
    if needs_review:
        return NEEDS_REVIEW
    return severity if severity in SEVERITIES else OTHER


def flag_lines(flags: Iterable[Any], base_url: str | None) -> list[FlagLine]:
    """Store flags (`ReportFlag`) in the report's words: plain title and reason, the call link."""
    return [FlagLine(flag_group(f.severity, f.needs_review), f.severity, f.call_id, call_url(base_url, f.call_id),
                     f.started_at, plain_language.title(f.indicator), plain_language.reason(f.reason),
                     f.handler_id, f.area) for f in flags]


def area_rates(night: Sequence[Any], history: Sequence[Sequence[Any]]) -> list[RateRow]:
    """Per area: calls with at least one flag, of the scored calls (`ReportCall`s)."""
    def rate(calls: Sequence[Any], area: str) -> Rate:
        mine = [c for c in calls if c.area == area]
        return Rate(sum(c.flag_count > 0 for c in mine), len(mine))

    areas = sorted({c.area for c in night})
    return [RateRow(area, rate(night, area), tuple(rate(h, area) for h in history)) for area in areas]


def indicator_rates(night: Sequence[Any], history: Sequence[Sequence[Any]]) -> list[RateRow]:
    """Per indicator: calls where it failed, of the calls where it applied (not `not_applicable`)."""
    def rate(calls: Sequence[Any], indicator: str) -> Rate:
        applied = [c.statuses[indicator] for c in calls
                   if c.statuses.get(indicator, "not_applicable") != "not_applicable"]
        return Rate(sum(s == "fail" for s in applied), len(applied))

    seen = {name for c in night for name in c.statuses}
    names = [n for n in INDICATORS if n in seen] + sorted(seen - set(INDICATORS))
    rows = [RateRow(plain_language.title(n), rate(night, n), tuple(rate(h, n) for h in history)) for n in names]
    return [row for row in rows if row.night.n or any(h.n for h in row.history)]


def answer_rates(night: dict[str, dict[str, Any]], history: Sequence[Sequence[Any]], rules: RulePack) -> list[RateRow]:
    """Per call type: calls answered within the rule pack's target, of those with an answer time.
    The night's figures are the run's own (every non-training call of the export)."""
    past = [answer_time_rates(list(calls), rules) for calls in history]
    rows = []
    for call_type, r in night.items():
        label = f"{call_type} calls answered within {r['target_s']:.0f} s"
        rows.append(RateRow(label, Rate(r["within_target"], r["calls"]),
                            tuple(Rate(p[call_type]["within_target"], p[call_type]["calls"]) if call_type in p
                                  else Rate(0, 0) for p in past)))
    return rows


def build_report(store: Store, summary: RunSummary, night_call_ids: Sequence[str], rules: RulePack,
                 base_url: str | None) -> MorningReport:
    """The report for one run: `night_call_ids` are the export's scored (non-training) calls."""
    ids = set(night_call_ids)
    night = store.report_calls(sorted(ids))
    started = datetime.fromisoformat(summary.started_at)
    days = sorted({c.started_at.astimezone(LOCAL_TZ).date() for c in night})
    first_day = days[0] if days else started.astimezone(LOCAL_TZ).date()
    windows = history_windows(first_day)
    history = [[c for c in store.report_calls(start=w.start, end=w.end) if c.call_id not in ids] for w in windows]
    answers = [[a for a in store.answer_times(w.start, w.end) if a.call_id not in ids] for w in windows]
    return MorningReport(
        summary=summary, base_url=base_url, night_days=tuple(days), night_calls=len(night), windows=windows,
        flags=flag_lines(store.report_flags(sorted(ids)), base_url),
        area_rates=area_rates(night, history), indicator_rates=indicator_rates(night, history),
        answer_rates=answer_rates(summary.answer_time, answers, rules))


# ---- markdown ---------------------------------------------------------------------------------

GROUP_HEADINGS = {"high": "High", "medium": "Medium", "low": "Low", OTHER: "No severity given",
                  NEEDS_REVIEW: "Needs review (the analysis was unsure)"}


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _flag_table(lines: list[FlagLine], with_severity: bool) -> list[str]:
    head = ["Call", "Started", "Indicator", "Reason", "Handler", "Area"] + (["Severity"] if with_severity else [])
    out = [_row(head), _row(["---"] * len(head))]
    for f in lines:
        call = f"[{md_text(f.call_id)}]({f.url})" if f.url else md_text(f.call_id)
        cells = [call, local_time(f.started_at), md_text(f.title), md_text(f.reason), md_text(f.handler_id),
                 md_text(f.area)]
        if with_severity:
            cells.append(md_text(plain_language.SEVERITY_TEXT.get(f.severity or "", f.severity or "-")))
        out.append(_row(cells))
    return out


def _rates_table(first: str, rows: list[RateRow], windows: tuple[Window, ...]) -> list[str]:
    head = [first, "This night"] + [f"Last {w.nights} nights" for w in windows]
    out = [_row(head), _row(["---"] * len(head))]
    out += [_row([md_text(r.label), r.night.text(), *(h.text() for h in r.history)]) for r in rows]
    return out


def _night_label(report: MorningReport) -> str:
    if not report.night_days:
        return "no scored calls"
    first, last = report.night_days[0], report.night_days[-1]
    days = str(first) if first == last else f"{first} to {last}"
    return f"{report.night_calls} scored call(s) started {days}"


def render_markdown(report: MorningReport) -> str:
    """The report as markdown (GitHub-flavoured tables), for the run's file and its artifact."""
    s, c = report.summary, report.summary.counts
    counts = report.flag_counts()
    lines = [
        f"# callqa morning report: run {s.run_id}", "",
        f"- run started: {local_time(s.started_at)}; wall time {s.wall_s:.1f} s; {s.workers} worker(s)",
        f"- export: {md_text(s.export_dir)}",
        f"- engine: {md_text(s.engine)} {md_text(s.model)}; rules {md_text(s.rules_version)}",
        f"- audio analysed: {s.audio_hours:.3f} h ({s.audio_s:.0f} s), real-time factor {s.realtime_factor:.1f}x",
        f"- times are UK local time ({LOCAL_TIMEZONE}: GMT in winter, BST in summer)", "",
        "| calls | analysed | re-scored | already done | failed | training (not scored) | flagged | bad rows |",
        "|---|---|---|---|---|---|---|---|",
        f"| {c['calls']} | {c['analysed']} | {c['rescored']} | {c['skipped']} | {c['failed']} | {c['training']} "
        f"| {c['flagged']} | {c['export_errors']} |", "",
        f"## Flags: {counts['high']} high, {counts['medium']} medium, {counts['low']} low; "
        f"{counts[NEEDS_REVIEW]} to review", "",
    ]
    if report.base_url:
        lines += [f"Each call links to its page in the review app ({md_text(report.base_url)}).", ""]
    else:
        lines += ["No review-app address is set (`[report] base_url`, `--report-base-url` or "
                  "`CALLQA_REPORT_BASE_URL`), so calls are listed by id: open `/calls/ID` in the review app.", ""]
    for group in (*SEVERITIES, OTHER, NEEDS_REVIEW):
        flags = report.flags_in(group)
        if group == OTHER and not flags:
            continue
        lines += [f"### {GROUP_HEADINGS[group]} ({len(flags)})", ""]
        if group == NEEDS_REVIEW:
            lines += ["A question for a QA lead, not a finding: listen and decide.", ""]
        lines += (_flag_table(flags, group == NEEDS_REVIEW) if flags else ["None."]) + [""]
    windows = "; ".join(w.label() for w in report.windows)
    lines += ["## Rates", "", f"This night: {_night_label(report)}. Against the {windows}.", "",
              "### Calls flagged, by area", ""]
    lines += (_rates_table("Area", report.area_rates, report.windows) if report.area_rates else ["No scored calls."])
    lines += ["", "### Indicators failed, of the calls where each applied", ""]
    lines += (_rates_table("Indicator", report.indicator_rates, report.windows) if report.indicator_rates
              else ["No scored calls."])
    lines += ["", "## Answer times (share within target)", ""]
    answered = [r for r in report.answer_rates if r.night.n or any(h.n for h in r.history)]
    lines += (_rates_table("Call type", answered, report.windows) if answered else ["No answer times in the export."])
    lines.append("")
    if s.errors:
        lines += ["## Problems", "", *[f"- {md_text(e)}" for e in s.errors], ""]
    return "\n".join(lines)


__all__ = ["FlagLine", "MorningReport", "Rate", "RateRow", "Window", "answer_rates", "area_rates", "build_report",
           "call_url", "flag_lines", "history_windows", "indicator_rates", "local_time", "md_text",
           "render_markdown"]
