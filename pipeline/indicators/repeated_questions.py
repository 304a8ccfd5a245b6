"""Did the handler ask the same question again? Found by similarity, not exact text.

"What's the registration number?" and "Sorry, what was the registration number?" are one
question asked twice; "What's your name?" and "What's your address?" are two questions.

The same question in other words ("what's your date of birth?" ... "when were you born?") is
found by meaning: the two questions' sentence vectors are alike (`MEANING_SIMILARITY`) and they
ask for the same information, which the caller's answers show: alike too (`ANSWER_SIMILARITY`),
or the caller says they have said it already. "What colour is the car?" and "what make is the
car?" are alike in meaning but their answers ("silver", "a Ford") are not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from callqa.pipeline.indicators.base import CallContext, Evidence, IndicatorResult, asks
from callqa.pipeline.intents import Unit
from callqa.pipeline.intents.questions import is_question, words_of
from callqa.pipeline.matching import normalise
from callqa.pipeline.rules import RulePack
from callqa.pipeline.transcript import Word

# Cosine similarity (all-MiniLM-L6-v2) of two handler questions that may ask the same thing, and of
# their answers. On the 32 sample calls the repeats in other words score 0.65-0.67 (answers
# 0.51-0.85); different questions about one thing ("what colour was the van" / "which way was the
# van facing") 0.58 with answers 0.14.
MEANING_SIMILARITY = 0.6
ANSWER_SIMILARITY = 0.45
MIN_QUESTION_TOKENS = 3    # shorter questions ("and his name?") are left to the words
ANSWER_WINDOW_S = 15.0     # the caller's answer starts within this long of the question
# The caller saying the information was given already.
ALREADY_SAID = tuple(tuple(normalise(p)) for p in ("i told you", "i have told you", "i already told you",
                                                    "i already said", "i have already said", "like i said",
                                                    "as i said", "i just said"))


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
        if word.text.strip().endswith((".", "?", "!")):
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
                content = tuple(w for w in words_of(text) if w not in stop)
                out.append(Question(text, words[0].start_s, words[-1].end_s, content))
    return out


def _question_units(ctx: CallContext, rules: RulePack) -> list[Unit]:
    """The handler's questions as the units whose sentence vectors are stored with the call."""
    return [u for u in ctx.intents(rules).units.get("handler", [])
            if len(u.tokens) >= MIN_QUESTION_TOKENS and asks(u.tokens, rules)]


def _answers(question: Unit, questions: list[Unit], caller: list[Unit]) -> list[Unit]:
    """The caller's units from the question until the handler's next question (or `ANSWER_WINDOW_S`)."""
    end = min([question.end_s + ANSWER_WINDOW_S, *[q.start_s for q in questions if q.start_s > question.end_s]])
    return [u for u in caller if question.start_s <= u.start_s < end]


def _overlaps_any(span, evidence: list[Evidence]) -> bool:
    """Whether `span` (anything with start_s and end_s) overlaps one of these evidence items."""
    return any(e.start_s < span.end_s and span.start_s < e.end_s for e in evidence)


def _said_already(answers: list[Unit]) -> bool:
    words = [t.norm for u in answers for t in u.tokens]
    return any(tuple(words[i:i + len(p)]) == p for p in ALREADY_SAID for i in range(len(words) - len(p) + 1))


def repeats_by_meaning(ctx: CallContext, rules: RulePack) -> list[Evidence]:
    """Questions asked again in other words: alike in meaning, and asking for the same information."""
    if not ctx.attributed:
        return []  # a mono call's answers cannot be told from the handler's own words
    questions = _question_units(ctx, rules)
    if len(questions) < 2:
        return []
    caller = ctx.intents(rules).units.get("caller", [])
    vectors = ctx.vectors
    q = vectors.matrix([u.text for u in questions])
    answers = [_answers(u, questions, caller) for u in questions]
    found: list[Evidence] = []
    for j, later in enumerate(questions):
        if _overlaps_any(later, found):
            continue  # a clause of a sentence already found
        for i, earlier in enumerate(questions[:j]):
            if earlier.end_s > later.start_s:
                continue  # a clause of the same sentence
            similarity = float(q[i] @ q[j])
            if similarity < MEANING_SIMILARITY or not answers[i] or not answers[j]:
                continue
            a = vectors.matrix([u.text for u in answers[i]]) @ vectors.matrix([u.text for u in answers[j]]).T
            alike = float(np.max(a))
            if alike < ANSWER_SIMILARITY and not _said_already(answers[j]):
                continue
            why = f"answers alike {alike:.2f}" if alike >= ANSWER_SIMILARITY else "the caller said it already"
            found.append(Evidence("handler", later.start_s, later.end_s, " ".join(t.raw for t in later.tokens),
                                  f"repeated_questions: in other words, {similarity:.2f} like the question at "
                                  f"{earlier.start_s:.1f} s ({why})",
                                  {"first_asked_s": round(earlier.start_s, 2),
                                   "first_text": " ".join(t.raw for t in earlier.tokens),
                                   "similarity": round(similarity, 3), "answer_similarity": round(alike, 3)}))
            break
    return found


def evaluate(ctx: CallContext, rules: RulePack) -> IndicatorResult:
    cfg = rules.section("repeated_questions")
    questions = handler_questions(ctx, rules)
    if not questions:
        return IndicatorResult("not_applicable", "the handler asked no questions")
    evidence = []
    words = [set(q.content) for q in questions]      # each question's words and text, once per call
    texts = [" ".join(q.content) for q in questions]
    for j, later in enumerate(questions):
        for i, earlier in enumerate(questions[:j]):
            shared = words[i] & words[j]
            score = fuzz.token_sort_ratio(texts[i], texts[j])
            if len(shared) >= cfg["min_shared_words"] and score >= cfg["similarity"]:
                evidence.append(Evidence("handler", later.start_s, later.end_s, later.text,
                                         f"repeated_questions: {score:.0f}% like the question at "
                                         f"{earlier.start_s:.1f} s",
                                         {"first_asked_s": round(earlier.start_s, 2), "first_text": earlier.text}))
                break
    for extra in repeats_by_meaning(ctx, rules):
        if not _overlaps_any(extra, evidence):
            evidence.append(extra)
    evidence.sort(key=lambda e: e.start_s)
    metrics = {"questions": len(questions), "repeats": len(evidence)}
    if len(evidence) >= cfg["fail_repeats"]:
        return IndicatorResult("fail", f"{len(evidence)} question(s) asked again, first repeat at "
                                       f"{evidence[0].start_s:.1f} s", evidence, metrics)
    return IndicatorResult("pass", f"{len(questions)} question(s), none repeated", evidence, metrics)
