"""The thresholds `callqa rules tune` may move, and the values it tries for each.

Each is one number in the pack a QA lead already edits by hand; tuning tries a few values around
the current one and keeps a new value only when it agrees with more of the learning part's
decisions. Phrase lists, weights, severities and which indicators flag are never touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Tunable:
    section: str
    key: str
    what: str                                        # for the report
    candidates: Callable[[Any, dict[str, Any]], list[Any]]


def _around(steps: tuple[float, ...], low: float, high: float, integer: bool = False) -> Callable[[Any, dict], list]:
    def values(current: Any, data: dict[str, Any]) -> list[Any]:
        out = []
        for step in steps:
            v = min(high, max(low, current + step))
            v = int(round(v)) if integer else round(float(v), 2)
            if v != current and v not in out:
                out.append(v)
        return out
    return values


def _silence_fail(current: float, data: dict[str, Any]) -> list[float]:
    floor = float(data["silence"]["min_silence_s"])
    out = []
    for factor in (0.6, 0.8, 1.2, 1.5, 2.0, 3.0):
        v = round(max(floor, current * factor), 1)
        if v != current and v not in out:
            out.append(v)
    return out


TUNABLES: tuple[Tunable, ...] = (
    Tunable("silence", "fail_s", "seconds of unexplained handler silence that fail a call", _silence_fail),
    Tunable("matching", "fuzzy_threshold", "similarity (0-100) a phrase match needs", _around((-8, -4, 4, 8), 50, 100,
                                                                                              integer=True)),
    Tunable("scoring", "review_below", "confidence under which a flag is a question, not a finding",
            _around((-0.2, -0.1, 0.1, 0.2, 0.3), 0.0, 0.95)),
    Tunable("repeated_questions", "similarity", "similarity (0-100) two questions need to be a repeat",
            _around((-5, 5, 10), 50, 100, integer=True)),
    Tunable("listening", "fail_interruptions", "interruptions that fail a call", _around((-1, 1, 2), 1, 20,
                                                                                          integer=True)),
)


def value_of(data: dict[str, Any], section: str, key: str) -> Any:
    return data[section][key]
