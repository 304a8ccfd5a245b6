"""How often QA leads agree with the flags: confirmed and dismissed shares, with n, per indicator
and rules version, overall and per week (UK weeks, Monday to Sunday).

Every decided flag was raised by the automation, so the confirmed share *is* the agreement; a
dismissal is a disagreement. An operator's dispute that a QA lead overturns is recorded as a
dismissal, so it counts there already; the rows also say how many flags were disputed and how
the disputes were resolved (upheld: the finding stands; overturned: the flag is dismissed).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable
from zoneinfo import ZoneInfo

from callqa.store.agreement import DecidedFlag

LOCAL_TZ = ZoneInfo("Europe/London")  # the force's local time: a week is a UK week


@dataclass(frozen=True)
class AgreementRow:
    """Decisions on one indicator's flags under one rules version (in one week, where `week` is set)."""

    indicator: str
    rules_version: str
    n: int
    confirmed: int
    dismissed: int
    week: str | None = None   # the Monday (UK date) the week starts, ISO 8601
    disputed: int = 0         # flags the call's operator disputed
    upheld: int = 0           # disputes resolved with the finding standing
    overturned: int = 0       # disputes resolved with the flag dismissed (counted in `dismissed` too)

    @property
    def confirmed_share(self) -> float | None:
        return self.confirmed / self.n if self.n else None

    @property
    def dismissed_share(self) -> float | None:
        return self.dismissed / self.n if self.n else None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["confirmed_share"] = None if self.confirmed_share is None else round(self.confirmed_share, 4)
        out["dismissed_share"] = None if self.dismissed_share is None else round(self.dismissed_share, 4)
        return out


def week_start(at: datetime) -> date:
    """The Monday of the UK week holding `at` (a decision at 00:30 BST on a Monday is that Monday's)."""
    local = at.astimezone(LOCAL_TZ).date()
    return local - timedelta(days=local.weekday())


def _rows(flags: Iterable[DecidedFlag], key: Callable[[DecidedFlag], tuple[str, ...]],
          weekly: bool) -> list[AgreementRow]:
    counts: dict[tuple[str, ...], Counter] = {}
    for f in flags:
        c = counts.setdefault(key(f), Counter())
        c["n"] += 1
        c["confirmed"] += f.decision == "confirm"
        c["disputed"] += f.disputed
        c["upheld"] += f.dispute_resolution == "upheld"
        c["overturned"] += f.dispute_resolution == "overturned"
    out = []
    for k in sorted(counts):
        c = counts[k]
        week, indicator, version = k if weekly else (None, *k)
        out.append(AgreementRow(indicator, version, c["n"], c["confirmed"], c["n"] - c["confirmed"], week,
                                c["disputed"], c["upheld"], c["overturned"]))
    return out


def agreement_by_indicator(flags: Iterable[DecidedFlag]) -> list[AgreementRow]:
    """One row per (indicator, rules version), sorted by indicator then version."""
    return _rows(flags, lambda f: (f.indicator, f.rules_version), weekly=False)


def agreement_by_week(flags: Iterable[DecidedFlag]) -> list[AgreementRow]:
    """One row per (week, indicator, rules version), oldest week first."""
    return _rows(flags, lambda f: (week_start(f.decided_at).isoformat(), f.indicator, f.rules_version), weekly=True)


def percent(share: float | None) -> str:
    """A share for people: "83%", or "-" when nothing was decided."""
    return "-" if share is None else f"{100 * share:.0f}%"


def agreement_text(overall: list[AgreementRow], weekly: list[AgreementRow]) -> str:
    """The two tables `callqa calibrate --decisions` prints."""
    if not overall:
        return "No QA-lead decisions on flags yet.\n"
    lines = ["QA leads' decisions on flags, per indicator and rules version", ""]
    head = ("indicator", "rules version", "n", "confirmed", "dismissed", "agreement", "disputed", "upheld",
            "overturned")
    table = [head] + [(r.indicator, r.rules_version, str(r.n), str(r.confirmed), str(r.dismissed),
                       percent(r.confirmed_share), str(r.disputed), str(r.upheld), str(r.overturned)) for r in overall]
    lines += _columns(table)
    lines += ["", "Per week (UK weeks, starting Monday)", ""]
    head = ("week", "indicator", "rules version", "n", "confirmed", "dismissed", "agreement", "disputed", "upheld",
            "overturned")
    table = [head] + [(r.week or "", r.indicator, r.rules_version, str(r.n), str(r.confirmed), str(r.dismissed),
                       percent(r.confirmed_share), str(r.disputed), str(r.upheld), str(r.overturned)) for r in weekly]
    lines += _columns(table)
    lines += ["", "agreement = the share of decided flags the QA lead confirmed (a dismissal is a disagreement); "
                  "disputed = flags the operator disputed: upheld (the finding stands) or overturned (the flag "
                  "dismissed, so counted as dismissed too)"]
    return "\n".join(lines) + "\n"


def _columns(table: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    numeric = {i for i, name in enumerate(table[0]) if name not in ("indicator", "rules version", "week")}
    return ["  ".join(cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
                      for i, cell in enumerate(row)).rstrip() for row in table]
