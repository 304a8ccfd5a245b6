"""`callqa rules tune`: a proposed rule pack learnt from QA leads' past decisions.

1. The decided flags (latest decision per call and indicator) are split by call into a learning
   part and a held-out part (`split.py`, deterministic by seed).
2. On the learning part only: each threshold in `thresholds.TUNABLES` in turn takes the value
   that agrees with the most decisions (kept only if strictly better than the value before it);
   then sentences from dismissed flags' evidence (`exemplars.py`) are added, all together and
   then intent by intent, each kept only if strictly better.
3. The held-out part measures the current pack and the proposal, re-scored from stored data.

Nothing is applied: the result is a new pack text with a new version, and a diff.
"""

from __future__ import annotations

import copy
import difflib
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable
from zoneinfo import ZoneInfo

from callqa.errors import CallQAError
from callqa.pipeline.rules import RulePack, parse_rule_pack
from callqa.store import Store
from callqa.store.agreement import DecidedFlag
from callqa.tuning.exemplars import SentenceEdit, mined_edits
from callqa.tuning.packfile import add_to_list, check_edits, pack_text, set_value
from callqa.tuning.split import DEFAULT_HELD_OUT, DEFAULT_SEED, Split, latest_per_call_indicator, split_by_call
from callqa.tuning.thresholds import TUNABLES
from callqa.tuning.verdicts import (Agreement, agreement, agreement_by_indicator, findings, findings_by_call,
                                    rescored, stored_context)

Progress = Callable[[str], None]


class NothingToLearn(CallQAError):
    """Too few decided flags (or calls) to learn from and measure on."""


@dataclass(frozen=True)
class Change:
    section: str
    key: str
    old: Any
    new: Any
    what: str


@dataclass
class Proposal:
    """What tuning learnt, and how the current pack and the proposal agree on the held-out calls."""

    current_version: str
    version: str
    seed: int
    held_out_share: float
    learning_calls: tuple[str, ...]
    held_out_calls: tuple[str, ...]
    decisions: int
    changes: list[Change]
    sentences: list[SentenceEdit]
    rejected_sentences: list[SentenceEdit]
    learning_before: Agreement
    learning_after: Agreement
    held_out_before: Agreement
    held_out_after: Agreement
    held_out_by_indicator: dict[str, tuple[Agreement, Agreement]] = field(default_factory=dict)
    text: str = ""           # the proposed pack's TOML ("" when nothing changed)
    current_text: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.sentences)

    def diff(self, current_name: str, proposal_name: str) -> str:
        return "".join(difflib.unified_diff(self.current_text.splitlines(keepends=True),
                                            self.text.splitlines(keepends=True), current_name, proposal_name))

    def to_dict(self) -> dict[str, Any]:
        return {"current_version": self.current_version, "version": self.version if self.changed else None,
                "seed": self.seed, "held_out_share": self.held_out_share,
                "learning_calls": len(self.learning_calls), "held_out_calls": len(self.held_out_calls),
                "decisions": self.decisions,
                "changes": [{"section": c.section, "key": c.key, "old": c.old, "new": c.new} for c in self.changes],
                "sentences": [{"intent": s.intent, "kind": s.kind, "sentences": list(s.sentences)}
                              for s in self.sentences],
                "learning": {"before": self.learning_before.to_dict(), "after": self.learning_after.to_dict()},
                "held_out": {"before": self.held_out_before.to_dict(), "after": self.held_out_after.to_dict(),
                             "by_indicator": {k: {"before": b.to_dict(), "after": a.to_dict()}
                                              for k, (b, a) in self.held_out_by_indicator.items()}}}


def new_version(current: str, at: datetime | None = None) -> str:
    """`CURRENT-tuned-YYYYMMDDTHHMM` (UK time); a tuned version's own suffix is replaced, not stacked."""
    base = current.split("-tuned-")[0]
    stamp = (at or datetime.now(ZoneInfo("Europe/London"))).astimezone(ZoneInfo("Europe/London"))
    return f"{base}-tuned-{stamp:%Y%m%dT%H%M}"[:128]


class _Search:
    """Scores the learning calls under candidate packs; contexts are built once and shared."""

    def __init__(self, rules: RulePack, rows: list[dict[str, Any]], learning: tuple[DecidedFlag, ...]) -> None:
        self.source = rules.source
        self.contexts = {row["call_id"]: stored_context(row) for row in rows}
        self.learning = learning
        self.tried = 0

    def pack(self, data: dict[str, Any]) -> RulePack:
        self.tried += 1
        trial = {**data, "version": f"{data['version']}~tune{self.tried}"}  # its own intent caches
        return parse_rule_pack(trial, self.source)

    def score(self, data: dict[str, Any]) -> Agreement:
        return agreement(self.learning, findings_by_call(self.contexts, self.pack(data)))


def _with(data: dict[str, Any], section: str, key: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    out[section][key] = value
    return out


def _with_sentences(data: dict[str, Any], edits: list[SentenceEdit]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    for edit in edits:
        table = out["intents"].setdefault(edit.intent, {})
        table[edit.kind] = [*table.get(edit.kind, []), *edit.sentences]
    return out


def _learn_thresholds(search: _Search, data: dict[str, Any], best: Agreement,
                      progress: Progress) -> tuple[dict[str, Any], list[Change], Agreement]:
    changes = []
    for tunable in TUNABLES:
        current = data[tunable.section][tunable.key]
        tried = [(value, search.score(_with(data, tunable.section, tunable.key, value)))
                 for value in tunable.candidates(current, data)]
        # Most agreement wins; a tie goes to the value nearest the current one.
        winner = max(tried, key=lambda vt: (vt[1].agree, -abs(vt[0] - current)), default=None)
        progress(f"{tunable.section}.{tunable.key}: {current} agrees with {best.agree}/{best.n}; "
                 + ", ".join(f"{v}: {a.agree}" for v, a in tried))
        if winner is not None and winner[1].agree > best.agree:
            data = _with(data, tunable.section, tunable.key, winner[0])
            changes.append(Change(tunable.section, tunable.key, current, winner[0], tunable.what))
            best = winner[1]
    return data, changes, best


def _learn_sentences(search: _Search, data: dict[str, Any], best: Agreement, candidates: list[SentenceEdit],
                     progress: Progress) -> tuple[dict[str, Any], list[SentenceEdit], Agreement]:
    if not candidates:
        return data, [], best
    trials = [candidates] + ([[c] for c in candidates] if len(candidates) > 1 else [])
    for trial in trials:
        score = search.score(_with_sentences(data, trial))
        progress(f"sentences for {', '.join(e.intent for e in trial)}: {score.agree}/{score.n} "
                 f"(was {best.agree}/{best.n})")
        if score.agree > best.agree:
            return _with_sentences(data, trial), trial, score
    return data, [], best


def _edited_text(text: str, version: str, changes: list[Change], sentences: list[SentenceEdit]) -> str:
    expected: dict[tuple[str, str], Any] = {("", "version"): version}
    text = set_value(text, "", "version", version)
    for c in changes:
        text = set_value(text, c.section, c.key, c.new)
        expected[c.section, c.key] = c.new
    for s in sentences:
        text = add_to_list(text, s.section, s.kind, list(s.sentences))
        expected[s.section, s.kind] = list(s.sentences)
    check_edits(text, expected)
    return text


def propose(store: Store, rules: RulePack, *, seed: int = DEFAULT_SEED, held_out_share: float = DEFAULT_HELD_OUT,
            version: str | None = None, sentences: bool = True, progress: Progress | None = None) -> Proposal:
    """Learn a proposal for `rules` from the store's decided flags (see the module docstring)."""
    say = progress or (lambda message: None)
    decided = latest_per_call_indicator(store.decided_flags())
    rows = {row["call_id"]: row for row in store.latest_transcriptions([d.call_id for d in decided])}
    decided = [d for d in decided if d.call_id in rows]  # a call with no stored transcript cannot be re-scored
    split: Split = split_by_call(decided, seed, held_out_share)
    if not split.learning or not split.held_out:
        raise NothingToLearn(f"{len(decided)} decided flag(s) on {len({d.call_id for d in decided})} call(s): "
                             "tuning needs decided flags on at least two calls (one to learn from, one to measure on)")
    current_text = pack_text(rules.source)
    data = tomllib.loads(current_text)
    search = _Search(rules, [rows[c] for c in split.learning_calls], split.learning)
    before = search.score(data)
    say(f"learning on {len(split.learning)} decision(s) on {len(split.learning_calls)} call(s); "
        f"the current pack agrees with {before.agree}")
    learnt, changes, best = _learn_thresholds(search, data, before, say)
    chosen: list[SentenceEdit] = []
    mined = mined_edits(split.learning, rules.section("intents")["by_intent"]) if sentences else []
    if mined:
        learnt, chosen, best = _learn_sentences(search, learnt, best, mined, say)
    proposal_version = version or new_version(rules.version)
    text = _edited_text(current_text, proposal_version, changes, chosen) if (changes or chosen) else ""
    proposed = parse_rule_pack({**learnt, "version": proposal_version}, rules.source)
    held = [rows[c] for c in split.held_out_calls]
    flagged_before = {row["call_id"]: findings(rescored(row, rules)) for row in held}
    flagged_after = ({row["call_id"]: findings(rescored(row, proposed)) for row in held} if text
                     else flagged_before)
    by_before = agreement_by_indicator(split.held_out, flagged_before)
    by_after = agreement_by_indicator(split.held_out, flagged_after)
    return Proposal(rules.version, proposal_version, seed, held_out_share, split.learning_calls, split.held_out_calls,
                    len(decided), changes, chosen, [m for m in mined if m not in chosen], before, best,
                    agreement(split.held_out, flagged_before), agreement(split.held_out, flagged_after),
                    {k: (by_before[k], by_after[k]) for k in by_before}, text, current_text)


def report_text(p: Proposal) -> str:
    """What tuning learnt and measured, for a QA lead."""
    def share(a: Agreement) -> str:
        return f"{a.agree}/{a.n}" + (f" ({100 * a.share:.0f}%)" if a.share is not None else "")

    lines = [f"decided flags: {p.decisions} on {len(p.learning_calls) + len(p.held_out_calls)} call(s); "
             f"learning part {len(p.learning_calls)} call(s), held-out part {len(p.held_out_calls)} call(s) "
             f"(seed {p.seed}, {100 * p.held_out_share:.0f}% held out, split by call)"]
    for c in p.changes:
        lines.append(f"  [{c.section}] {c.key}: {c.old} -> {c.new}  ({c.what})")
    for s in p.sentences:
        lines.append(f"  intents.{s.intent} {s.kind}: +{len(s.sentences)} sentence(s) {s.why}")
    if p.rejected_sentences:
        lines.append(f"  not kept (no better on the learning part): "
                     + ", ".join(f"{len(s.sentences)} {s.kind} of {s.intent}" for s in p.rejected_sentences))
    if not p.changed:
        lines.append("  nothing learnt: no change agrees with more of the learning part's decisions")
    lines.append(f"agreement on the learning part: {share(p.learning_before)} -> {share(p.learning_after)}")
    lines.append(f"agreement on the held-out part: before {share(p.held_out_before)}, "
                 f"after {share(p.held_out_after)}")
    for name, (b, a) in p.held_out_by_indicator.items():
        lines.append(f"  {name}: {share(b)} -> {share(a)}")
    return "\n".join(lines) + "\n"
