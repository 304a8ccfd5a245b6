"""Is a sentence a question to the caller? One test for every judgement that needs to know.

Silence ownership, repeated questions and the statement-only intents (a next step is never
said as a question) all ask it, so they all ask it here.
"""

from __future__ import annotations

from pipeline.matching import normalise


def last_sentence(text: str) -> str:
    parts = [p for p in text.replace("!", ".").replace("?", "?|").replace(".", ".|").split("|") if p.strip()]
    return parts[-1].strip() if parts else ""


def is_question(text: str, starts: list[str], mark_min_words: int) -> bool:
    """A question by its opening words, or by a "?" on a sentence long enough to trust it.

    The recogniser's punctuation is a guess: a flat "Right." often comes out as "Right?".
    """
    sentence = last_sentence(text)
    words = normalise(sentence)
    if any(words[: len(s.split())] == s.split() for s in starts):
        return True
    return sentence.endswith("?") and len(words) >= mark_min_words
