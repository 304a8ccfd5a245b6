"""Sentences taken from dismissed flags' evidence, to teach the intents what the rules got wrong.

- An *unexplained silence* a QA lead dismissed: the handler's last words before it may be an
  explanation the rules missed ("hang fire while I sort this"): an exemplar of
  `silence_explanation`.
- *No empathy* dismissed: the caller's words taken as distress may not be: a counter-exemplar of
  `distress`.
- A *vulnerability* flag dismissed: the caller's words taken as a vulnerability mention may not be
  one: a counter-exemplar of that kind (`vulnerability.KIND`).

They are only candidates: `callqa rules tune` keeps them only when they make the pack agree with
more of the learning part's decisions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from callqa.pipeline.intents.detect import MIN_SEMANTIC_TOKENS
from callqa.pipeline.matching import normalise
from callqa.store.agreement import DecidedFlag

MAX_PER_INTENT = 20
_VULNERABILITY = re.compile(r"^(?:intents\.)?(vulnerability\.[a-z_]+)")


@dataclass(frozen=True)
class SentenceEdit:
    """Sentences to add to one intent's `exemplars` or `counter_exemplars`."""

    intent: str
    kind: str                 # exemplars | counter_exemplars
    sentences: tuple[str, ...]
    why: str

    @property
    def section(self) -> str:
        return f'intents."{self.intent}"' if "." in self.intent else f"intents.{self.intent}"


def _sentence(text: str) -> str | None:
    words = normalise(text or "")
    return " ".join(words) if len(words) >= MIN_SEMANTIC_TOKENS else None


def _targets(flag: DecidedFlag) -> Iterable[tuple[str, str, str]]:
    """(intent, kind, sentence) candidates from one dismissed flag's evidence."""
    for ev in flag.evidence:
        rule, text = str(ev.get("rule") or ""), _sentence(str(ev.get("text") or ""))
        if text is None:
            continue
        if flag.indicator == "unexplained_silence" and rule.startswith("silence.fail_s") and ev.get("owner") == "handler":
            yield "silence_explanation", "exemplars", text
        elif flag.indicator == "empathy" and ev.get("speaker") == "caller" and "distress" in rule:
            yield "distress", "counter_exemplars", text
        elif flag.indicator == "vulnerability" and ev.get("speaker") == "caller":
            m = _VULNERABILITY.match(rule)
            if m:
                yield m.group(1), "counter_exemplars", text


def mined_edits(flags: Iterable[DecidedFlag], pack_intents: dict) -> list[SentenceEdit]:
    """Candidate sentence edits from the dismissed flags among `flags`, leaving out sentences the
    pack already lists for that intent. `pack_intents` is the parsed pack's `intents.by_intent`."""
    found: dict[tuple[str, str], list[str]] = {}
    for flag in flags:
        if flag.decision != "dismiss":
            continue
        for intent, kind, text in _targets(flag):
            known = pack_intents.get(intent, {})
            if text in known.get("exemplars", []) or text in known.get("counter_exemplars", []):
                continue
            bucket = found.setdefault((intent, kind), [])
            if text not in bucket and len(bucket) < MAX_PER_INTENT:
                bucket.append(text)
    why = {"exemplars": "said before silences QA leads dismissed as unexplained",
           "counter_exemplars": "taken as the cue of flags QA leads dismissed"}
    return [SentenceEdit(intent, kind, tuple(texts), why[kind]) for (intent, kind), texts in sorted(found.items())]
