"""Find rule-pack phrases in transcribed speech, tolerant of speech-to-text errors.

Matching runs on word tokens, so a match points back to the exact words (and so times) that
carry it: the evidence a QA lead checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from callqa.pipeline.transcript import Segment

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
_CLAUSE_END = frozenset(".,!?;:")
_SENTENCE_END = frozenset(".!?")


@dataclass(frozen=True)
class Token:
    """One normalised word of one party, with its original spelling and times."""

    norm: str
    raw: str
    start_s: float
    end_s: float
    speaker: str
    ends_clause: bool  # followed by punctuation or the end of the turn
    ends_sentence: bool = False  # followed by . ? ! or the end of the turn: phrases never span it
    probability: float = 1.0     # the recogniser's confidence in the word (0-1)


class TokenSpan:
    """Times, speaker and words of a run of one party's tokens (a match, a sentence, an intent hit)."""

    def span(self) -> tuple[Token, ...]:
        return self.tokens  # type: ignore[attr-defined]

    @property
    def start_s(self) -> float:
        return self.span()[0].start_s

    @property
    def end_s(self) -> float:
        return self.span()[-1].end_s

    @property
    def speaker(self) -> str:
        return self.span()[0].speaker

    @property
    def text(self) -> str:
        """The words as the recogniser wrote them (a word split into two tokens shown once)."""
        return " ".join(dict.fromkeys(t.raw for t in self.span()))

    @property
    def probability(self) -> float:
        """Mean word probability from the recogniser: how far the words themselves can be trusted."""
        tokens = self.span()
        return sum(t.probability for t in tokens) / len(tokens)


@dataclass(frozen=True)
class Match(TokenSpan):
    phrase: str
    score: float
    tokens: tuple[Token, ...]


def normalise(text: str) -> list[str]:
    """Lower case, no punctuation, contractions expanded; curly apostrophes straightened."""
    words = _PUNCT.sub(" ", text.lower().replace("\u2019", "'")).split()
    out: list[str] = []
    for word in words:
        word = word.strip("'")
        if word:
            out.extend(CONTRACTIONS.get(word, word).split())
    return out


@lru_cache(maxsize=65536)
def _normalised_word(raw: str) -> tuple[str, ...]:
    """Words recur across calls ("okay", "the"): normalise each spelling once per process."""
    return tuple(normalise(raw))


def tokens_of(segments: list[Segment]) -> list[Token]:
    tokens: list[Token] = []
    for seg in segments:
        words = seg.words
        for i, word in enumerate(words):
            raw = word.text.strip()
            norms = _normalised_word(raw)
            last = i == len(words) - 1
            for j, norm in enumerate(norms):
                final = j == len(norms) - 1
                ends = final and (last or raw[-1:] in _CLAUSE_END)
                sentence = final and (last or raw[-1:] in _SENTENCE_END)
                tokens.append(Token(norm, raw, word.start_s, word.end_s, seg.speaker, ends, sentence,
                                    word.probability))
    return tokens


@lru_cache(maxsize=8192)
def normalised_phrase(phrase: str) -> str:
    """Rule-pack phrases are normalised once, not once per call."""
    return " ".join(normalise(phrase))


def _threshold(phrase: str, rules: dict) -> float:
    if len(phrase) < rules["short_phrase_chars"]:
        return rules["short_phrase_threshold"]
    return rules["fuzzy_threshold"]


class PhraseIndex:
    """Word windows of a token list, built once and searched for many phrases.

    A rule pack has dozens of phrases; joining the same windows for each of them dominated
    scoring time, so the windows are joined once per length and scored in C by rapidfuzz.
    """

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self._windows: dict[int, tuple[list[str], list[str], np.ndarray]] = {}

    def windows(self, length: int) -> tuple[list[str], list[str], np.ndarray]:
        """(spaced, squashed) texts of every window of `length` tokens by start index, and which
        windows stay inside one sentence ("...that. Okay" is not "is that okay")."""
        if length not in self._windows:
            norms = self._norms
            count = max(len(norms) - length + 1, 0)
            spaced = [" ".join(norms[i:i + length]) for i in range(count)]
            breaks = self._breaks
            inside = breaks[length - 1:length - 1 + count] == breaks[:count]
            self._windows[length] = (spaced, [w.replace(" ", "") for w in spaced], inside)
        return self._windows[length]

    @cached_property
    def _norms(self) -> list[str]:
        return [t.norm for t in self.tokens]

    @cached_property
    def _breaks(self) -> np.ndarray:
        """Sentence ends before each token: a window i..j stays in one sentence when breaks agree."""
        return np.cumsum([0] + [t.ends_sentence for t in self.tokens])


def _as_index(tokens: list[Token] | PhraseIndex) -> PhraseIndex:
    return tokens if isinstance(tokens, PhraseIndex) else PhraseIndex(tokens)


def _targets(phrases: list[str]) -> list[tuple[str, str, int]]:
    targets = [(phrase, normalised_phrase(phrase)) for phrase in phrases]
    return [(phrase, target, len(target.split())) for phrase, target in targets if target]


@dataclass(frozen=True)
class _Table:
    """A phrase list ready to score: per window length, its rows and their spaced/squashed texts.
    Built once per rule-pack phrase list, not once per call."""

    targets: tuple[tuple[str, str, int], ...]
    by_length: tuple[tuple[int, tuple[int, ...], tuple[str, ...], tuple[str, ...]], ...]


@lru_cache(maxsize=256)
def _table(phrases: tuple[str, ...]) -> _Table:
    targets = tuple(_targets(list(phrases)))
    by_length = []
    for length in sorted({n + d for _, _, n in targets for d in (-1, 0, 1) if n + d >= 1}):
        rows = tuple(k for k, (_, _, n) in enumerate(targets) if abs(n - length) <= 1)
        by_length.append((length, rows, tuple(targets[k][1] for k in rows),
                          tuple(targets[k][1].replace(" ", "") for k in rows)))
    return _Table(targets, tuple(by_length))


def _window_scores(index: PhraseIndex, table: _Table, cutoff: float = 0.0):
    """(length, target rows, scores[row, window start]) for every window length worth trying.

    Windows of one token fewer or more than a phrase are tried too (ASR splits and merges
    words), comparing with and without spaces; windows that cross a sentence end score 0. All
    phrases of a length are scored in one rapidfuzz call. Scores under `cutoff` (the lowest
    threshold any caller accepts) come back as 0, which lets rapidfuzz skip most pairs early.
    """
    for length, rows, spaced_targets, squashed_targets in table.by_length:
        spaced, squashed_windows, inside = index.windows(length)
        if not spaced or not rows:
            continue
        scores = np.maximum(process.cdist(spaced_targets, spaced, scorer=fuzz.ratio, score_cutoff=cutoff),
                            process.cdist(squashed_targets, squashed_windows, scorer=fuzz.ratio,
                                          score_cutoff=cutoff))
        scores[:, ~inside] = 0
        yield length, rows, scores


def find_any(tokens: list[Token] | PhraseIndex, phrases: list[str], matching: dict) -> list[Match]:
    """Every phrase that matches, best-scoring first, earliest first among equals (a phrase's tie
    goes to its earliest window)."""
    index = _as_index(tokens)
    table = _table(tuple(phrases))
    targets = table.targets
    if not targets or not index.tokens:
        return []
    best: dict[int, tuple[float, float, int, int]] = {}  # phrase -> (score, start_s, length, start index)
    cutoff = min(matching["fuzzy_threshold"], matching["short_phrase_threshold"])
    for length, rows, scores in _window_scores(index, table, cutoff):
        for row, k in enumerate(rows):
            top = float(scores[row].max())
            current = best.get(k)
            if top < _threshold(targets[k][1], matching) or (current is not None and top < current[0]):
                continue
            i = int(np.flatnonzero(scores[row] == top)[0])
            start_s = index.tokens[i].start_s
            if current is None or top > current[0] or start_s < current[1]:
                best[k] = (top, start_s, length, i)
    found = [Match(targets[k][0], score, tuple(index.tokens[i:i + length]))
             for k, (score, _, length, i) in best.items()]
    return sorted(found, key=lambda m: (-m.score, m.start_s))


@lru_cache(maxsize=64)
def _owners(names: tuple[str, ...], lists: tuple[tuple[str, ...], ...]) -> dict[str, tuple[str, ...]]:
    owners: dict[str, list[str]] = {}
    for name, phrases in zip(names, lists):
        for phrase in phrases:
            owners.setdefault(phrase, []).append(name)
    return {phrase: tuple(dict.fromkeys(groups)) for phrase, groups in owners.items()}


@lru_cache(maxsize=64)
def _limits(table: _Table, fuzzy: float, short_chars: int, short_threshold: float) -> np.ndarray:
    rules = {"fuzzy_threshold": fuzzy, "short_phrase_chars": short_chars, "short_phrase_threshold": short_threshold}
    return np.array([_threshold(t[1], rules) for t in table.targets])


def find_all_groups(tokens: list[Token] | PhraseIndex, groups: dict[str, list[str]],
                    matching: dict) -> dict[str, list[Match]]:
    """Every place any phrase of each list (one list per intent) matches, not just each phrase's
    best, non-overlapping within a list, in time order; scored in shared rapidfuzz calls.

    Within a group, where windows overlap the higher score wins. A call's intents are looked for
    once per party, and their occurrences are then picked by time.
    """
    index = _as_index(tokens)
    names = tuple(groups)
    flat = tuple(p for name in names for p in groups[name])
    table = _table(flat)
    # Which group each target row belongs to (a phrase listed under two intents counts for both).
    owners = _owners(names, tuple(tuple(groups[n]) for n in names))
    targets = table.targets
    out: dict[str, list[Match]] = {group: [] for group in groups}
    if not targets or not index.tokens:
        return out
    limits_all = _limits(table, matching["fuzzy_threshold"], matching["short_phrase_chars"],
                         matching["short_phrase_threshold"])
    candidates: dict[str, list[tuple[float, int, int, int]]] = {}  # group -> (score, start, length, target)
    for length, rows, scores in _window_scores(index, table, float(limits_all.min())):
        limits = limits_all[list(rows)][:, None]
        for row, i in zip(*np.nonzero(scores >= limits)):
            k = rows[row]
            for group in owners[targets[k][0]]:
                candidates.setdefault(group, []).append((float(scores[row, i]), int(i), length, k))
    for group, found in candidates.items():
        taken = np.zeros(len(index.tokens), dtype=bool)
        for score, i, length, k in sorted(found, key=lambda c: (-c[0], c[1], -c[2])):
            if not taken[i:i + length].any():
                taken[i:i + length] = True
                out[group].append(Match(targets[k][0], score, tuple(index.tokens[i:i + length])))
        out[group].sort(key=lambda m: m.start_s)
    return out


def first_match(tokens: list[Token] | PhraseIndex, phrases: list[str], matching: dict) -> Match | None:
    found = find_any(tokens, phrases, matching)
    return min(found, key=lambda m: m.start_s) if found else None
