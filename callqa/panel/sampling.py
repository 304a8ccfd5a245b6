"""Random, stratified, reproducible samples of calls for a scrutiny panel.

The draw depends only on the eligible calls (sorted by call_id) and the seed, so anyone can
re-draw a recorded sample and check nobody picked the calls by hand. Panel members may bring
their own seed (dice rolled in the session). Training calls and calls whose analysis failed are
never eligible.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from typing import Any

from callqa.pipeline.errors import CallQAError
from callqa.store import Candidate, Store, parse_date


@dataclass(frozen=True)
class SampleFilters:
    n: int
    areas: tuple[str, ...] = ()
    date_from: str | None = None        # ISO date/time, inclusive
    date_to: str | None = None          # ISO date/time, exclusive
    call_types: tuple[str, ...] = ("101", "999")
    min_999: int = 0
    flagged_share: float = 0.0

    def check(self) -> None:
        if self.n < 1:
            raise CallQAError(f"--n must be at least 1, not {self.n}")
        if not 0 <= self.flagged_share <= 1:
            raise CallQAError(f"--flagged-share must be between 0 and 1, not {self.flagged_share}")
        if self.min_999 < 0 or (self.min_999 and "999" not in self.call_types):
            raise CallQAError("--min-999 needs 999 among --call-types and a non-negative count")
        unknown = set(self.call_types) - {"101", "999"}
        if unknown:
            raise CallQAError(f"unknown call type(s) {', '.join(sorted(unknown))}; use 101 and/or 999")


@dataclass
class Draw:
    panel: str
    seed: int
    filters: SampleFilters
    calls: list[tuple[str, str]] = field(default_factory=list)  # (call_id, stratum) in draw order
    eligible: int = 0
    draw_id: int | None = None


def eligible_calls(store: Store, filters: SampleFilters) -> list[Candidate]:
    """Scored, non-training calls matching the filters, sorted by call_id (the draw's fixed order)."""
    return store.sampling_candidates(filters.call_types, filters.areas, parse_date(filters.date_from, "--from"),
                                     parse_date(filters.date_to, "--to"))


def draw_sample(candidates: list[Candidate], filters: SampleFilters, seed: int) -> list[tuple[str, str]]:
    """Strata in a fixed order: at least `min_999` 999 calls, then flagged calls up to
    `flagged_share` of n, then the rest at random from everything eligible that is left."""
    filters.check()
    rng = random.Random(seed)
    pool = sorted(candidates, key=lambda c: c.call_id)
    drawn: list[tuple[str, str]] = []
    taken: set[str] = set()

    def take(group: list[Candidate], k: int, stratum: str) -> None:
        group = [c for c in group if c.call_id not in taken]
        for c in rng.sample(group, min(k, len(group), filters.n - len(drawn))):
            drawn.append((c.call_id, stratum))
            taken.add(c.call_id)

    take([c for c in pool if c.call_type == "999"], filters.min_999, "999")
    flagged_target = round(filters.flagged_share * filters.n)
    already = sum(1 for c in pool if c.call_id in taken and c.flagged)
    take([c for c in pool if c.flagged], max(0, flagged_target - already), "flagged")
    take(pool, filters.n - len(drawn), "random")
    return drawn


def sample(store: Store, panel: str, filters: SampleFilters, seed: int, requested_by: str) -> Draw:
    """Draw and record a sample; the record is what makes it auditable."""
    candidates = eligible_calls(store, filters)
    calls = draw_sample(candidates, filters, seed)
    if len(calls) < filters.n:
        raise CallQAError(f"only {len(candidates)} eligible call(s) match; asked for {filters.n}")
    draw_id = store.record_draw(panel, requested_by, asdict(filters), seed, calls)
    return Draw(panel, seed, filters, calls, len(candidates), draw_id)


def redraw(store: Store, draw_id: int) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The recorded draw and what the same filters and seed give now (they match unless the
    store's eligible calls changed, e.g. a call was re-analysed or removed)."""
    row = store.panel_draw(draw_id)
    if row is None:
        raise CallQAError(f"no panel draw {draw_id}")
    data = dict(row["filters"])
    filters = SampleFilters(**{**data, "areas": tuple(data["areas"]), "call_types": tuple(data["call_types"])})
    again = draw_sample(eligible_calls(store, filters), filters, row["seed"])
    return row, again
