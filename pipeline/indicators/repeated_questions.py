"""Did the handler ask the same question again? Found by similarity, not exact text.

"What's the registration number?" and "Sorry, what was the registration number?" are one
question asked twice; "What's your name?" and "What's your address?" are two questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from callqa.pipeline.indicators.base import CallContext, Evidence, IndicatorResult
from callqa.pipeline.intents.questions import is_question
from callqa.pipeline.matching import normalise
from callqa.pipeline.rules import RulePack
from callqa.pipeline.transcript import Word


@dataclass(frozen=True)
class Question:
    text: str
    start_s: float
    end_s: float
    content: tuple[str, ...]


def sentences(words: list[Word]) -> list[list[Word]]:
    out: list[list[Word]] = [[]]
    for word in words:
        out[-1].append(word)
        if re.search(r"[.?!]$", word.text.strip()):
            out.append([])
    return [s for s in out if s]


def handler_questions(ctx: CallContext, rules: RulePack) -> list[Question]:
    starts = rules.section("silence")["question_starts"]
    min_words = rules.section("silence")["question_mark_min_words"]
    stop = set(rules.section("repeated_questions")["stopwords"])
    out = []
    for seg in ctx.handler_segments():
        for words in sentences(seg.words):
            text = "".join(w.text for w in words).strip()
            if is_question(text, starts, min_words):
                content = tuple(w for w in normalise(text) if w not in stop)
                out.append(Question(text, words[0].start_s, words[-1].end_s, content))
    return out


def evaluate(ctx: CallContext, rules: RulePack) -> IndicatorResult:
    cfg = rules.section("repeated_questions")
    questions = handler_questions(ctx, rules)
    if not questions:
        return IndicatorResult("not_applicable", "the handler asked no questions")
    evidence = []
    for j, later in enumerate(questions):
        for earlier in questions[:j]:
            shared = set(earlier.content) & set(later.content)
            score = fuzz.token_sort_ratio(" ".join(earlier.content), " ".join(later.content))
            if len(shared) >= cfg["min_shared_words"] and score >= cfg["similarity"]:
                evidence.append(Evidence("handler", later.start_s, later.end_s, later.text,
                                         f"repeated_questions: {score:.0f}% like the question at "
                                         f"{earlier.start_s:.1f} s",
                                         {"first_asked_s": round(earlier.start_s, 2), "first_text": earlier.text}))
                break
    metrics = {"questions": len(questions), "repeats": len(evidence)}
    if len(evidence) >= cfg["fail_repeats"]:
        return IndicatorResult("fail", f"{len(evidence)} question(s) asked again, first repeat at "
                                       f"{evidence[0].start_s:.1f} s", evidence, metrics)
    return IndicatorResult("pass", f"{len(questions)} question(s), none repeated", evidence, metrics)
