"""The stretches of speech an intent is looked for in: sentences, and clauses of long ones.

A long recognised sentence ("Okay thanks, I'm sending officers now and they'll be there in ten
minutes, is there anything else") carries several intents; embedding it whole blurs each of
them, so sentences longer than `CLAUSE_SPLIT_TOKENS` are also looked at clause by clause. The
split is fixed in code, not the rule pack, so stored sentence vectors stay valid across rule
changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from callqa.pipeline.matching import Token, TokenSpan

CLAUSE_SPLIT_TOKENS = 12
MIN_CLAUSE_TOKENS = 3


@dataclass(frozen=True)
class Unit(TokenSpan):
    tokens: tuple[Token, ...]  # one party's, so the unit's speaker is theirs

    @property
    def text(self) -> str:
        """Normalised words: what is embedded and compared (lower case, no punctuation)."""
        return " ".join(t.norm for t in self.tokens)


def _split(tokens: list[Token], boundary) -> list[list[Token]]:
    out: list[list[Token]] = [[]]
    for i, token in enumerate(tokens):
        out[-1].append(token)
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if boundary(token) or (nxt is not None and (nxt.speaker != token.speaker or nxt.start_s - token.end_s > 1.5)):
            out.append([])
    return [s for s in out if s]


def _clauses(sentence: list[Token]) -> list[list[Token]]:
    parts = _split(sentence, lambda t: t.ends_clause)
    merged: list[list[Token]] = []
    for part in parts:
        if merged and (len(merged[-1]) < MIN_CLAUSE_TOKENS or len(part) < MIN_CLAUSE_TOKENS):
            merged[-1] = merged[-1] + part
        else:
            merged.append(part)
    return merged if len(merged) > 1 else []


def units_of(tokens: list[Token]) -> list[Unit]:
    """Sentences of one party's tokens (cut at . ? !, a change of speaker or a pause over 1.5 s),
    plus the clauses of long sentences, in time order."""
    units: list[Unit] = []
    for sentence in _split(tokens, lambda t: t.ends_sentence):
        units.append(Unit(tuple(sentence)))
        if len(sentence) > CLAUSE_SPLIT_TOKENS:
            units.extend(Unit(tuple(c)) for c in _clauses(sentence))
    return units
