"""Reference numbers as numbers: "your crime reference is S P four one seven two", not "frame number".

A reference is given when a reference word ("reference", "crime number", "log number") is
followed within a few words by at least two digits, number words or spelled letters, in a
sentence that is not a question.
"""

from __future__ import annotations

from dataclasses import dataclass

from callqa.pipeline.matching import Token, normalised_phrase

NUMBER_WORDS = {"zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
                "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
                "hundred", "double", "triple", "nought"}
LOOKAHEAD = 7
QUESTION_OPENERS = {"do", "does", "did", "have", "has", "can", "could", "what", "is", "are", "would", "will"}


@dataclass(frozen=True)
class Reference:
    start_s: float
    end_s: float
    text: str
    confidence: float


def _numberish(token: Token) -> bool:
    norm = token.norm
    return norm.isdigit() or norm in NUMBER_WORDS or (len(norm) <= 2 and norm.isalnum() and any(c.isdigit() for c in norm)) \
        or (len(norm) == 1 and norm.isalpha() and norm not in {"a", "i"})


def reference_given(tokens: list[Token], reference_words: list[str]) -> list[Reference]:
    cues = [normalised_phrase(w).split() for w in reference_words]
    found: list[Reference] = []
    sentence_start = 0
    for i, token in enumerate(tokens):
        if i and tokens[i - 1].ends_sentence:
            sentence_start = i
        for cue in cues:
            n = len(cue)
            if (cue and token.norm != cue[0]) or [t.norm for t in tokens[i:i + n]] != cue:
                continue  # (the first word alone rules out nearly every token)
            if tokens[sentence_start].norm in QUESTION_OPENERS or _sentence_ends_with_question(tokens, i):
                continue
            after = []
            for t in tokens[i + n:i + n + LOOKAHEAD]:
                after.append(t)
                if t.ends_sentence:
                    break
            numbers = [t for t in after if _numberish(t)]
            if len(numbers) >= 2 and not (found and found[-1].end_s >= token.start_s):
                words = tokens[i:i + n] + after
                p = sum(t.probability for t in words) / len(words)
                found.append(Reference(token.start_s, numbers[-1].end_s,
                                       " ".join(dict.fromkeys(t.raw.strip() for t in words)),
                                       round(0.7 + 0.3 * p, 3)))
    return found


def _sentence_ends_with_question(tokens: list[Token], i: int) -> bool:
    for t in tokens[i:]:
        if t.ends_sentence:
            return t.raw.strip().endswith("?")
    return False
