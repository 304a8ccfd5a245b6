"""The held-out split: which calls tuning learns from and which it is measured on.

By call, never by flag: a call's flags share its transcript, so learning from one of its flags
and measuring on another would measure on what was learnt. Each call goes to the held-out part
when a hash of (seed, call id) falls under the held-out share: the same seed gives the same split
whatever order the decisions come in, and a call keeps its side as more calls are decided.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Sequence

from callqa.store.agreement import DecidedFlag

DEFAULT_SEED = 15
DEFAULT_HELD_OUT = 0.3


@dataclass(frozen=True)
class Split:
    learning: tuple[DecidedFlag, ...]
    held_out: tuple[DecidedFlag, ...]

    @property
    def learning_calls(self) -> tuple[str, ...]:
        return tuple(sorted({f.call_id for f in self.learning}))

    @property
    def held_out_calls(self) -> tuple[str, ...]:
        return tuple(sorted({f.call_id for f in self.held_out}))


def _draw(seed: int, call_id: str) -> float:
    digest = hashlib.sha256(f"{seed}\x00{call_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2 ** 64


def latest_per_call_indicator(flags: Sequence[DecidedFlag]) -> list[DecidedFlag]:
    """One decision per (call, indicator): the latest. A re-score raises a flag again as a new flag;
    the lead's newest word on that call's indicator is the one to learn from."""
    latest: dict[tuple[str, str], DecidedFlag] = {}
    for f in sorted(flags, key=lambda f: (f.decided_at, f.flag_id)):
        latest[f.call_id, f.indicator] = f
    return sorted(latest.values(), key=lambda f: (f.call_id, f.indicator))


def split_by_call(flags: Sequence[DecidedFlag], seed: int = DEFAULT_SEED,
                  held_out_share: float = DEFAULT_HELD_OUT) -> Split:
    """Deterministic by `seed`; with two calls or more, each part gets at least one call."""
    if not 0 < held_out_share < 1:
        raise ValueError("held_out_share must be between 0 and 1")
    calls = sorted({f.call_id for f in flags})
    draws = {c: _draw(seed, c) for c in calls}
    held = {c for c in calls if draws[c] < held_out_share}
    if len(calls) >= 2 and not held:
        held = {min(calls, key=lambda c: draws[c])}
    if len(calls) >= 2 and held == set(calls):
        held.discard(max(calls, key=lambda c: draws[c]))
    return Split(tuple(f for f in flags if f.call_id not in held), tuple(f for f in flags if f.call_id in held))
