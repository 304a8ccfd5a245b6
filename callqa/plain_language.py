"""Findings in the words a QA lead, an operator or a panel member uses, not the rule pack's keys.

The indicators write reasons for the people who tune rules ("no recap in the last part of the
call (from 184 s)", evidence rules like "intents.recap (part 1 of 3)"). Everyone else reads the
same finding through this module: the review app's queue chips and call page, the operator's
feedback, the morning report and the panel pack all call it, so one finding reads the same
everywhere.
"""

from __future__ import annotations

import re
from typing import Any

TITLES = {
    "greeting": "Greeting",
    "listening": "Listening (talking over the caller)",
    "acknowledgement": "Acknowledging the caller",
    "empathy": "Empathy and support",
    "unexplained_silence": "Unexplained silence",
    "next_steps": "What happens next",
    "recap": "Recap and understanding",
    "informal_language": "Informal address (such as \"mate\")",
    "repeated_questions": "Repeated questions",
    "vulnerability": "Vulnerability and safeguarding",
    "answer_time": "Answer time",
    "references": "Reference number",
    "turns": "Turn-taking",
}

QUESTIONS = {
    "greeting": "Was the correct greeting given?",
    "listening": "Was the caller listened to without being talked over?",
    "acknowledgement": "Was the caller positively acknowledged throughout?",
    "empathy": "Did the handler show empathy, understanding and support?",
    "unexplained_silence": "Was any silence explained?",
    "next_steps": "Was the caller told what would happen next?",
    "recap": "Did the handler recap and check the caller understood the outcome?",
    "informal_language": "Did the handler avoid over-familiar terms such as \"mate\"?",
    "repeated_questions": "Did the handler avoid asking the same question twice?",
    "vulnerability": "Was a vulnerability the caller raised followed up?",
    "answer_time": "Was the call answered within the target time?",
}

SEVERITY_TEXT = {"high": "High", "medium": "Medium", "low": "Low"}

# Findings about the whole call: there is no moment in the recording to jump to.
CALL_LEVEL = frozenset({"answer_time"})

_MOMENT = re.compile(r"\b(at|from) (\d+(?:\.\d+)?) ?s\b")
_SECONDS = re.compile(r"(?<![\w.:])(\d+(?:\.\d+)?) ?s\b")
_PART = re.compile(r"\s*\(?\bpart \d+(?: of \d+)?\)?", re.IGNORECASE)
_SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
_RULE_KEY = re.compile(r"\b[a-z_]+(?:\.[a-z_\"]+)+\b")


def title(indicator: str) -> str:
    """'Unexplained silence' for unexplained_silence; custom checks read from their own name."""
    return TITLES.get(indicator) or indicator.replace("_", " ").strip().capitalize()


def question(indicator: str) -> str | None:
    return QUESTIONS.get(indicator)


def clock(seconds: float | None) -> str:
    """3:04 for 184 s: the player's clock, which is how people find a moment in a call."""
    if seconds is None:
        return "-"
    minutes, rest = divmod(int(round(max(float(seconds), 0.0))), 60)
    return f"{minutes}:{rest:02d}"


def reason(text: str) -> str:
    """A reason with moments as m:ss ('at 3:04'), durations in whole seconds, no 'part k of n', no
    rule keys, no '(s)' plurals, and a capital letter."""
    out = _PART.sub("", text or "")
    out = _MOMENT.sub(lambda m: f"{m.group(1)} {clock(float(m.group(2)))}", out)
    out = _SECONDS.sub(lambda m: f"{float(m.group(1)):.0f} seconds", out)
    out = out.replace("(s)", "s") if re.search(r"\b(?:[02-9]|\d\d+) \w+\(s\)", out) else out.replace("(s)", "")
    out = _RULE_KEY.sub("", out)
    out = _SNAKE.sub(lambda m: title(m.group(0)).lower(), out)
    out = re.sub(r"\(\s*\)", "", out)
    out = re.sub(r"\s{2,}", " ", out).strip(" ;,")
    return out[:1].upper() + out[1:] if out else out


def evidence_line(evidence: dict[str, Any]) -> str:
    """'The handler said "…" at 1:07' (or the caller, or someone the attribution could not name)."""
    who = {"handler": "The handler", "caller": "The caller"}.get(evidence.get("speaker") or "", "Someone")
    text = (evidence.get("text") or "").strip()
    at = clock(evidence.get("start_s"))
    return f"{who} said \u201c{text}\u201d at {at}" if text else f"At {at}"


def has_moment(indicator: str, start_s: float | None, evidence: list[dict[str, Any]] | None = None) -> bool:
    """Whether a finding points at a moment worth a 'listen at' link (not the call as a whole)."""
    if indicator in CALL_LEVEL:
        return False
    if evidence:
        return any((e.get("end_s") or 0) > 0 or (e.get("start_s") or 0) > 0 for e in evidence)
    return bool(start_s and start_s > 0)


__all__ = ["CALL_LEVEL", "QUESTIONS", "SEVERITY_TEXT", "TITLES", "clock", "evidence_line", "has_moment", "question",
           "reason", "title"]
