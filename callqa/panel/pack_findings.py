"""The automated findings of one call as a panel member reads them after the reveal.

Members of the public read the pack, so every reason, evidence line and flag goes through
`callqa.plain_language` (moments as m:ss, no rule keys, no "part k of n") and then through the
few pack-only rewrites below: the indicators' own words for people who tune rules ("mono
recording", snake_case names, an evidence's rule key) never reach the page. Evidence of a
call-level check (answer time) has no moment to listen to, so it reads as a plain sentence
without a "listen" button.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from callqa.plain_language import SEVERITY_TEXT, clock, evidence_line, has_moment, reason, title

STATUS_TEXT = {"pass": "Met", "fail": "Not met", "not_applicable": "Not applicable"}

# Phrases in indicator reasons that mean nothing to a member of the public, and what the pack says
# instead. Kept short: plain_language.reason does the general work, this only the pack's audience.
PACK_WORDING = (
    (re.compile(r"\bmono recording\b", re.I), "both voices are on one track of this recording"),
    (re.compile(r"\bthe closing stretch\b", re.I), "the end of the call"),
    (re.compile(r"\bclosing stretch\b", re.I), "the end of the call"),
    (re.compile(r"\bcaller-owned\b", re.I), "left by the caller"),
    (re.compile(r"(^|; )0 (?=[a-z])"), r"\1no "),          # "0 interruptions" -> "No interruptions"
    (re.compile(r"\bin all \d+ parts? where the caller spoke\b"), "each time the caller spoke"),
)
# GOV.UK style (the panel's public-facing guide) avoids Latin abbreviations, which screen readers
# misread; the pack says "such as" where the shared titles say "e.g.".
_EG = re.compile(r"\be\.g\.,?\s*", re.I)
_SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b", re.I)


@dataclass(frozen=True)
class EvidenceLine:
    """One piece of evidence: a sentence, and the moment to listen from (None: the whole call)."""

    text: str
    start_s: float | None


@dataclass(frozen=True)
class Finding:
    """One automated check of one call, in plain words."""

    indicator: str        # the rule pack's key: for data attributes only, never shown
    title: str
    status: str           # pass / fail / not_applicable
    status_text: str      # Met / Not met / Not applicable
    reason: str
    unsure: bool          # the check is not confident: the member should listen for themselves
    evidence: tuple[EvidenceLine, ...]

    @property
    def met(self) -> bool | None:
        """What calibration compares: pass is met, fail is not, not applicable is not compared."""
        return {"pass": True, "fail": False}.get(self.status)


@dataclass(frozen=True)
class FlagLine:
    """A flagged moment: what, how serious, why, and where to listen (None: the whole call)."""

    indicator: str
    title: str
    severity: str
    reason: str
    start_s: float | None


def pack_title(indicator: str) -> str:
    """The check's plain name (plain_language.title), in the pack's words."""
    return _EG.sub("such as ", title(indicator))


def pack_reason(text: str | None) -> str:
    """A reason in plain words: plain_language.reason, the pack's rewrites, no snake_case names."""
    out = reason(text or "")
    for pattern, plain in PACK_WORDING:
        out = pattern.sub(plain, out)
    out = _SNAKE.sub(lambda m: pack_title(m.group().lower()).lower(), out)
    out = _EG.sub("such as ", out)
    return out[:1].upper() + out[1:]


def pack_evidence(indicator: str, evidence: dict[str, Any]) -> EvidenceLine:
    """'The handler said "…" at 1:07'; a silence as its length and what came before; a call-level
    fact (no speaker, no moment) as a plain sentence."""
    start = evidence.get("start_s")
    if not has_moment(indicator, start, [evidence]):
        return EvidenceLine(pack_reason(evidence.get("text")) or "The whole call", None)
    if indicator == "unexplained_silence":
        length = max(float(evidence.get("end_s") or 0.0) - float(start or 0.0), 0.0)
        words = (evidence.get("text") or "").strip()
        said = f", after the handler said \u201c{words}\u201d" if words else ""
        return EvidenceLine(f"A {length:.0f}-second silence from {clock(start)}{said}", float(start or 0.0))
    return EvidenceLine(evidence_line(evidence), float(start or 0.0))


def findings(result: dict[str, Any], review_below: float) -> list[Finding]:
    """Every indicator of a result, in the result's order, as the member reads it."""
    out = []
    for name, ind in (result.get("indicators") or {}).items():
        status = ind.get("status") or "not_applicable"
        confidence = ind.get("confidence")
        unsure = status != "not_applicable" and confidence is not None and confidence < review_below
        out.append(Finding(name, pack_title(name), status, STATUS_TEXT.get(status, "Not applicable"),
                           pack_reason(ind.get("reason")), unsure,
                           tuple(pack_evidence(name, ev) for ev in ind.get("evidence") or [])))
    return out


def flag_lines(result: dict[str, Any]) -> list[FlagLine]:
    """The result's flags, each with a moment only when there is one to listen to (a flag at 0:00
    with evidence in the call still has one: the start of the call)."""
    indicators = result.get("indicators") or {}
    out = []
    for flag in result.get("flags") or []:
        name = flag.get("indicator") or ""
        start = flag.get("start_s")
        evidence = (indicators.get(name) or {}).get("evidence")
        moment = float(start or 0.0) if has_moment(name, start, evidence) else None
        out.append(FlagLine(name, pack_title(name), SEVERITY_TEXT.get(flag.get("severity") or "low", "Low"),
                            pack_reason(flag.get("reason")), moment))
    return out


__all__ = ["EvidenceLine", "Finding", "FlagLine", "PACK_WORDING", "STATUS_TEXT", "findings", "flag_lines",
           "pack_evidence", "pack_reason", "pack_title"]
