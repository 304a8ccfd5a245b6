"""Find rule-pack phrases in transcribed speech, tolerant of speech-to-text errors.

Matching runs on word tokens, so a match points back to the exact words (and so times) that
carry it: the evidence a QA lead checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from pipeline.transcript import Segment

CONTRACTIONS = {
    "what's": "what is", "where's": "where is", "who's": "who is", "how's": "how is", "it's": "it is",
    "that's": "that is", "there's": "there is", "here's": "here is", "let's": "let us",
    "i'm": "i am", "i'll": "i will", "i've": "i have", "you're": "you are", "you'll": "you will",
    "you've": "you have", "we're": "we are", "we'll": "we will", "we've": "we have",
    "they're": "they are", "they'll": "they will", "he'll": "he will", "she'll": "she will",
    "someone'll": "someone will", "don't": "do not", "doesn't": "does not", "didn't": "did not",
    "can't": "cannot", "won't": "will not", "isn't": "is not", "aren't": "are not",
    "wasn't": "was not", "haven't": "have not", "couldn't": "could not", "wouldn't": "would not",
    "shouldn't": "should not", "officer's": "officer is", "officers'll": "officers will",
}
_PUNCT = re.compile(r"[^\w'\s]")


@dataclass(frozen=True)
class Token:
    """One normalised word of one party, with its original spelling and times."""

    norm: str
    raw: str
    start_s: float
    end_s: float
    speaker: str
    ends_clause: bool  # followed by punctuation or the end of the turn


@dataclass(frozen=True)
class Match:
    phrase: str
    score: float
    tokens: tuple[Token, ...]

    @property
    def start_s(self) -> float:
        return self.tokens[0].start_s

    @property
    def end_s(self) -> float:
        return self.tokens[-1].end_s

    @property
    def speaker(self) -> str:
        return self.tokens[0].speaker

    @property
    def text(self) -> str:
        return " ".join(dict.fromkeys(t.raw for t in self.tokens))


def normalise(text: str) -> list[str]:
    """Lower case, no punctuation, contractions expanded; curly apostrophes straightened."""
    words = _PUNCT.sub(" ", text.lower().replace("\u2019", "'")).split()
    out: list[str] = []
    for word in words:
        word = word.strip("'")
        if word:
            out.extend(CONTRACTIONS.get(word, word).split())
    return out


def tokens_of(segments: list[Segment]) -> list[Token]:
    tokens: list[Token] = []
    for seg in segments:
        words = seg.words
        for i, word in enumerate(words):
            raw = word.text.strip()
            norms = normalise(raw)
            last = i == len(words) - 1
            for j, norm in enumerate(norms):
                ends = (j == len(norms) - 1) and (last or bool(re.search(r"[.,!?;:]$", raw)))
                tokens.append(Token(norm, raw, word.start_s, word.end_s, seg.speaker, ends))
    return tokens


def _threshold(phrase: str, rules: dict) -> float:
    if len(phrase) < rules["short_phrase_chars"]:
        return rules["short_phrase_threshold"]
    return rules["fuzzy_threshold"]


def find_phrase(tokens: list[Token], phrase: str, matching: dict) -> Match | None:
    """Best window of tokens matching `phrase` at or above the rule pack's threshold."""
    target = " ".join(normalise(phrase))
    if not target or not tokens:
        return None
    n = len(target.split())
    threshold = _threshold(target, matching)
    squashed = target.replace(" ", "")
    best: Match | None = None
    for length in range(max(1, n - 1), n + 2):
        for i in range(0, len(tokens) - length + 1):
            window = tokens[i:i + length]
            candidate = " ".join(t.norm for t in window)
            score = max(fuzz.ratio(candidate, target), fuzz.ratio(candidate.replace(" ", ""), squashed))
            if score >= threshold and (best is None or score > best.score
                                       or (score == best.score and window[0].start_s < best.start_s)):
                best = Match(phrase, score, tuple(window))
    return best


def find_any(tokens: list[Token], phrases: list[str], matching: dict) -> list[Match]:
    """Every phrase that matches, best-scoring first, earliest first among equals."""
    found = [m for p in phrases if (m := find_phrase(tokens, p, matching))]
    return sorted(found, key=lambda m: (-m.score, m.start_s))


def first_match(tokens: list[Token], phrases: list[str], matching: dict) -> Match | None:
    found = find_any(tokens, phrases, matching)
    return min(found, key=lambda m: m.start_s) if found else None
