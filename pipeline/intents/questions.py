"""Is a sentence a question to the caller? One test for every judgement that needs to know.

Silence ownership, repeated questions and the statement-only intents (a next step is never
said as a question) all ask it, so they all ask it here.
"""

from __future__ import annotations

from functools import lru_cache

from callqa.pipeline.matching import normalise


@lru_cache(maxsize=64)
def _openers(starts: tuple[str, ...]) -> dict[int, frozenset[tuple[str, ...]]]:
    """Question openers by length in words, so a sentence is tested with one lookup per length."""
    by_length: dict[int, set[tuple[str, ...]]] = {}
    for start in starts:
        words = tuple(start.split())
        by_length.setdefault(len(words), set()).add(words)
    return {n: frozenset(v) for n, v in by_length.items()}


def last_sentence(text: str) -> str:
    parts = [p for p in text.replace("!", ".").replace("?", "?|").replace(".", ".|").split("|") if p.strip()]
    return parts[-1].strip() if parts else ""


def is_question(text: str, starts: list[str], mark_min_words: int) -> bool:
    """A question by its opening words, or by a "?" on a sentence long enough to trust it.

    The recogniser's punctuation is a guess: a flat "Right." often comes out as "Right?".
    """
    sentence = last_sentence(text)
    words = normalise(sentence)
    if any(tuple(words[:n]) in openers for n, openers in _openers(tuple(starts)).items()):
        return True
    return sentence.endswith("?") and len(words) >= mark_min_words
