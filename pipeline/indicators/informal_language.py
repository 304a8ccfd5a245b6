"""Did the handler address the caller informally ("mate", "love", "me duck")?

Whole words in the handler's speech only. Words that are also ordinary English ("love",
"duck", "chief") count only when used as address, so "I'd love to", "lovely", "chief
inspector" and the caller's own words never count.
"""

from __future__ import annotations

from callqa.pipeline.indicators.base import CallContext, Evidence, IndicatorResult
from callqa.pipeline.matching import Token, normalised_phrase
from callqa.pipeline.rules import RulePack


def _part_of_a_name(tokens: list[Token], i: int, n: int, cfg: dict) -> bool:
    """"Loveday Close" heard as "Love day Close", "Duck Worth": a capitalised term run into another
    capitalised word, or followed within two words by a street word, is a name or a place."""
    speaker = tokens[i].speaker
    after = [t for t in tokens[i + n:i + n + 3] if t.speaker == speaker]
    if any(t.norm in cfg["street_words"] for t in after[:3]) and not tokens[i + n - 1].ends_clause:
        return True
    first, nxt = tokens[i], after[0] if after else None
    mid_sentence = i > 0 and not tokens[i - 1].ends_sentence and tokens[i - 1].speaker == speaker
    return bool(nxt and mid_sentence and first.raw.strip()[:1].isupper() and nxt.raw.strip()[:1].isupper()
                and not tokens[i + n - 1].ends_clause)


def is_address(tokens: list[Token], i: int, n: int, term: str, cfg: dict) -> bool:
    """Whether tokens[i:i+n] (== term) is used to address someone, by its neighbours.

    After a vocative cue ("right", "okay", "thanks") a term is address even when a verb follows
    ("Right sweetheart, has this happened before?"); a word after it only rules out the terms
    that are ordinary words too ("love to", "chief inspector").
    """
    if _part_of_a_name(tokens, i, n, cfg):
        return False
    prev = tokens[i - 1].norm if i > 0 and tokens[i - 1].speaker == tokens[i].speaker else None
    prev2 = tokens[i - 2].norm if i > 1 and tokens[i - 2].speaker == tokens[i].speaker else None
    last = tokens[i + n - 1]
    nxt = tokens[i + n].norm if i + n < len(tokens) and tokens[i + n].speaker == last.speaker else None
    ambiguous = term in cfg["vocative_only"]
    if prev in cfg["vocative_cues"] or (prev2, prev) == ("thank", "you"):
        return not (ambiguous and nxt in cfg["not_before"] and not last.ends_clause)
    if n == 1 and prev in cfg["not_after"] and not (i > 0 and tokens[i - 1].ends_clause):
        return False
    if ambiguous:
        if nxt in cfg["not_before"] and not last.ends_clause:
            return False
        return last.ends_clause or prev is None or (i > 0 and tokens[i - 1].ends_clause)
    return True


def find_informal(tokens: list[Token], cfg: dict) -> list[tuple[str, list[Token]]]:
    """Longest terms first, so "me duck" wins over "duck"; each word is used once."""
    terms = sorted({normalised_phrase(t) for t in cfg["terms"]}, key=lambda t: -len(t.split()))
    positions: dict[str, list[int]] = {}
    for i, token in enumerate(tokens):
        positions.setdefault(token.norm, []).append(i)
    found: list[tuple[str, list[Token]]] = []
    used: set[int] = set()
    for term in terms:
        parts = term.split()
        n = len(parts)
        for i in positions.get(parts[0], ()):
            window = tokens[i:i + n]
            if len(window) == n and used.isdisjoint(range(i, i + n)) and [t.norm for t in window] == parts \
                    and len({t.speaker for t in window}) == 1 and is_address(tokens, i, n, term, cfg):
                found.append((term, window))
                used.update(range(i, i + n))
    return sorted(found, key=lambda f: f[1][0].start_s)


def evaluate(ctx: CallContext, rules: RulePack) -> IndicatorResult:
    if not ctx.attributed:
        return IndicatorResult("not_applicable", "mono recording: the caller's words cannot be told from the "
                                                 "handler's, so informal address is not judged")
    cfg = rules.section("informal_language")
    hits = find_informal(ctx.handler_tokens, cfg)
    if not hits:
        return IndicatorResult("pass", "no informal address in the handler's speech", confidence=0.9)
    evidence = [Evidence(w[0].speaker, w[0].start_s, w[-1].end_s, " ".join(dict.fromkeys(t.raw for t in w)),
                         f"informal_language.terms: {term!r}") for term, w in hits]
    terms = ", ".join(dict.fromkeys(term for term, _ in hits))
    # As sure as the recogniser was of the surest term it heard.
    confidence = max(0.55 + 0.45 * min(t.probability for t in w) for _, w in hits)
    return IndicatorResult("fail", f"handler addressed the caller as {terms} ({len(hits)} time(s), "
                                   f"first at {evidence[0].start_s:.1f} s)", evidence, confidence=confidence)
