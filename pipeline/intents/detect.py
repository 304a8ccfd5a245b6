"""Find where a party expressed an intent: rule-pack phrases or similarity to exemplars.

For each unit (sentence or clause) of a party's speech:
- a *phrase* hit is a fuzzy match of one of the intent's phrases inside the unit;
- an *exemplar* hit is a cosine similarity to the intent's closest exemplar at or above the
  intent's threshold that beats its closest counter-exemplar by the margin;
- a phrase hit is vetoed when the unit is clearly closer to a counter-exemplar ("do you have the
  frame number" is not "crime number").
Each hit carries what it matched, the similarity, and a confidence built from the match's margin
over its threshold and the recogniser's word probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from callqa.pipeline.intents.catalog import IntentSpec
from callqa.pipeline.intents.model import IntentModel, load_or_fit, training_sets
from callqa.pipeline.intents.questions import is_question, statement_with_tag
from callqa.pipeline.intents.units import Unit, units_of
from callqa.pipeline.intents.vectors import SentenceVectors
from callqa.pipeline.matching import Match, PhraseIndex, Token, TokenSpan, find_all_groups, normalised_phrase


# Shorter stretches are left to the phrases: a two-word sentence's embedding is mostly its topic
# ("Staffordshire Police." is close to every greeting, offer of help or not).
MIN_SEMANTIC_TOKENS = 3

# A name said alone ("Staffordshire") names the force only when it is not another body or a place:
# "Staffordshire County Council", "a Staffordshire bull terrier", "in the Staffordshire Moorlands",
# "Stafford in Staffordshire". The recogniser's splits of the name ("stafford shire") still count,
# but not a window that takes in an ordinary word ("part of Stafford are you in").
NOT_THE_FORCE_AFTER = frozenset("""county council councils university uni fire bull terrier terriers moorlands moorland
hospital hospitals college school schools road street avenue lane close way drive crescent place ambulance highways
wildlife trust nhs hills fc borough district trading standards rescue""".split())
PLACE_BEFORE = frozenset("in across around near outside north south east west rural".split())
ORDINARY_WORDS = frozenset("a an the are is in of on to and you i it at was".split())


@dataclass(frozen=True)
class IntentHit(TokenSpan):
    intent: str
    unit: Unit
    method: str          # "phrase", "exemplar" or "phrase+exemplar"
    matched: str         # the phrase or exemplar that matched
    similarity: float    # 0-1: fuzzy ratio / 100 for phrases, cosine for exemplars
    confidence: float    # 0-1
    tokens: tuple[Token, ...] = ()
    source: str = ""     # the rule-pack key that matched: "next_steps.phrases", "intents.next_steps.exemplars"
    probability: float | None = None  # the intent model's probability for the unit, where it has one

    @property
    def rule(self) -> str:
        if self.method == "exemplar":
            model = f"intent model {self.probability:.2f}, " if self.probability is not None else ""
            return f"{self.source}: {model}like {self.matched!r} ({self.similarity:.2f})"
        return f"{self.source}: {self.matched!r}"

    def span(self) -> tuple[Token, ...]:
        """The matched words for a phrase hit, the whole unit for an exemplar hit."""
        return self.tokens or self.unit.tokens

    def evidence_extra(self) -> dict[str, Any]:
        extra = {"method": self.method, "matched": self.matched, "similarity": round(float(self.similarity), 3),
                 "confidence": round(float(self.confidence), 2)}
        if self.probability is not None:
            extra["probability"] = round(float(self.probability), 3)
        return extra


@dataclass(frozen=True)
class Miss:
    """The closest a stretch came to an intent without reaching it: how sure an absence is."""

    similarity: float
    threshold: float
    probability: float

    @property
    def confidence(self) -> float:
        return absence_confidence(self.similarity, self.threshold, self.probability)


def probability_factor(p: float) -> float:
    """Words the recogniser was unsure of make any judgement on them less sure."""
    return 0.55 + 0.45 * max(0.0, min(1.0, p))


def absence_confidence(nearest: float, threshold: float, probability: float) -> float:
    """1 when nothing came near the threshold, falling to 0.5 as the nearest miss reaches it."""
    closeness = max(0.0, min(1.0, (nearest - (threshold - 0.25)) / 0.25))
    return float(round((1.0 - 0.5 * closeness) * probability_factor(probability), 3))


class ExemplarBank:
    """A rule pack's exemplars and counter-exemplars, and its labelled examples, embedded once.

    A labelled example (`[intents] examples`, one sentence with the intents it expresses) is an
    exemplar of each of its intents and a counter-exemplar of every other intent of its speaker,
    so a pack's examples work as a nearest-neighbour classifier a QA lead extends by adding lines.
    """

    def __init__(self, intents_cfg: dict[str, Any], vectors: SentenceVectors, speakers: dict[str, str],
                 parties: dict[str, str], trained: dict[str, str] | None = None,
                 phrase_only: frozenset[str] = frozenset()) -> None:
        texts: list[str] = []
        index: dict[str, int] = {}

        def row(text: str) -> int:
            if text not in index:
                index[text] = len(texts)
                texts.append(text)
            return index[text]

        pos: dict[str, list[int]] = {}
        neg: dict[str, list[int]] = {}
        explicit: dict[str, list[int]] = {}  # counter-exemplars a QA lead wrote: these also veto phrases
        for name, cfg in intents_cfg["by_intent"].items():
            pos.setdefault(name, []).extend(row(t) for t in cfg["exemplars"])
            explicit.setdefault(name, []).extend(row(t) for t in cfg["counter_exemplars"])
            neg.setdefault(name, []).extend(explicit[name])
        for example in intents_cfg.get("examples", []):
            r = row(example["text"])
            for name, speaker in speakers.items():
                if speaker != example["speaker"]:
                    continue
                (pos if name in example["intents"] else neg).setdefault(name, []).append(r)
        self.texts = texts
        def rows(name: str, of: dict[str, list[int]]) -> np.ndarray:
            return np.array(sorted(set(of.get(name, [])) - set(pos.get(name, []))), dtype=int)

        self.rows = {name: (np.array(sorted(set(pos.get(name, []))), dtype=int), rows(name, neg), rows(name, explicit))
                     for name in set(pos) | set(neg)}
        self.matrix = _embedded(texts, vectors) if texts else np.zeros((0, 384), np.float32)
        self._exemplars: dict[str, np.ndarray] = {}
        # The intents with enough labelled sentences get a trained classifier (pipeline/intents/model.py).
        self.model: IntentModel = load_or_fit(training_sets(intents_cfg, trained or {}), vectors.model,
                                              vectors.matrix, intents_cfg["precision"])
        # Per party, only the rows the other intents use, transposed once: the per-call product is
        # then one small contiguous matrix multiplication (re-scoring runs it for every call). An
        # intent found by its phrases alone (`phrase_only`: the force's name) needs only its
        # exemplars, for how near an absence came; its counter-exemplars (every other handler
        # example, 950 of them) were most of the product and were never read.
        self.columns: dict[str, np.ndarray] = {}
        self.matrix_t: dict[str, np.ndarray] = {}
        self.local: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        none = np.zeros(0, dtype=int)
        for party in set(parties.values()):
            names = [n for n, sp in parties.items() if sp == party and n in self.rows and n not in self.model.column]
            used = {n: (self.rows[n][0], none, none) if n in phrase_only else self.rows[n] for n in names}
            cols = np.array(sorted({int(i) for n in names for part in used[n] for i in part}), dtype=int)
            position = np.full(len(texts), -1, dtype=int)
            position[cols] = np.arange(len(cols))
            self.columns[party] = cols
            self.matrix_t[party] = np.ascontiguousarray(self.matrix[cols].T) if len(cols) else np.zeros((384, 0),
                                                                                                       np.float32)
            for n in names:
                self.local[n] = tuple(position[part] for part in used[n])

    def exemplars(self, intent: str) -> np.ndarray:
        """The vectors of an intent's exemplars, gathered once per rule pack, not once per hit."""
        if intent not in self._exemplars:
            self._exemplars[intent] = self.matrix[self.rows[intent][0]]
        return self._exemplars[intent]


_BANKS: dict[tuple[str, str], ExemplarBank] = {}


def _embedded(texts: list[str], vectors: SentenceVectors) -> np.ndarray:
    """The exemplars' vectors, kept in the model cache between processes: every worker and every
    `callqa rescore` would otherwise spend seconds embedding the same thousand sentences."""
    import hashlib
    import io

    from callqa.models.weights import cache_dir, write_atomically

    key = hashlib.sha256("\n".join([vectors.model, *texts]).encode()).hexdigest()[:24]
    path = cache_dir() / f"exemplars-{key}.npy"
    try:
        cached = np.load(path)
        if cached.shape[0] == len(texts):
            return cached.astype(np.float32)
    except (OSError, ValueError):
        pass
    matrix = vectors.matrix(texts)
    buffer = io.BytesIO()
    np.save(buffer, matrix)
    try:  # a cache that cannot be written (read-only home) only costs the time
        write_atomically(path, buffer.getvalue())
    except OSError:
        pass
    return matrix


def exemplar_bank(rules, model: str) -> ExemplarBank:
    """The pack's exemplar vectors for the sentence model `model`, built once per process."""
    key = (rules.version, rules.source)
    if key not in _BANKS:
        from callqa.pipeline.intents.catalog import INTENTS

        # Examples are labelled with the built-in intents only, so they counter nothing custom.
        speakers = {name: spec.speaker for name, spec in INTENTS.items()}
        parties = {**speakers, **{f"custom.{name}": spec["speaker"] for name, spec in rules.custom.items()}}
        trained = {name: spec.speaker for name, spec in INTENTS.items() if spec.semantic}
        phrase_only = frozenset(name for name, spec in INTENTS.items() if not spec.semantic)
        # Exemplars are embedded with the encoder, never from a call's stored vectors.
        _BANKS[key] = ExemplarBank(rules.section("intents"), SentenceVectors(model), speakers, parties, trained,
                                   phrase_only)
    return _BANKS[key]


class IntentFinder:
    """All intents of one call, computed lazily and shared by every indicator."""

    def __init__(self, tokens: dict[str, list[Token]], rules, vectors: SentenceVectors,
                 specs: dict[str, IntentSpec]) -> None:
        self.tokens = tokens
        self.rules = rules
        self.vectors = vectors
        self.specs = specs
        self.cfg = rules.section("intents")
        self._hits: dict[str, list[IntentHit]] = {}
        self._lexical_by_party: dict[str, dict[str, list[Match]]] = {}
        self._indexes: dict[str, PhraseIndex] = {}
        self._questions: dict[int, bool] = {}   # id(unit) -> is it a question; units live as long as this finder
        self._unit_spans: dict[str, list[tuple[float, float]]] = {}

    @cached_property
    def units(self) -> dict[str, list[Unit]]:
        return {party: units_of(toks) for party, toks in self.tokens.items()}

    def _lexical(self, party: str) -> dict[str, list[Match]]:
        """Phrase matches of every intent of `party`, found in one pass over its word windows."""
        if party not in self._lexical_by_party:
            groups = {name: self._phrases(spec) for name, spec in self.specs.items() if spec.speaker == party}
            self._lexical_by_party[party] = find_all_groups(self._index(party), groups, self.rules.section("matching"))
        return self._lexical_by_party[party]

    def _index(self, party: str) -> PhraseIndex:
        """One word-window index per party, shared by every intent's phrase search."""
        if party not in self._indexes:
            self._indexes[party] = PhraseIndex(self.tokens.get(party, []))
        return self._indexes[party]

    @cached_property
    def _bank(self) -> ExemplarBank:
        return exemplar_bank(self.rules, self.vectors.model)

    @cached_property
    def _sims(self) -> dict[str, np.ndarray]:
        """Cosine similarity of every unit of each party to every exemplar, in one product."""
        bank = self._bank
        out = {}
        for party, units in self.units.items():
            columns = bank.matrix_t.get(party)
            if not units or columns is None or not columns.shape[1]:
                out[party] = np.zeros((len(units), 0), np.float32)
                continue
            embedded = [i for i, u in enumerate(units) if len(u.tokens) >= MIN_SEMANTIC_TOKENS]
            sims = np.zeros((len(units), columns.shape[1]), np.float32)
            if embedded:
                sims[embedded] = self.vectors.matrix([units[i].text for i in embedded]) @ columns
            out[party] = sims
        return out

    @cached_property
    def _probabilities(self) -> dict[str, np.ndarray]:
        """The intent model's probability of every trained intent for every unit (NaN: too short to
        judge), for both parties in one pass."""
        model = self._bank.model
        out = {party: np.full((len(units), len(model.names)), np.nan, np.float32) for party, units in self.units.items()}
        judged = [(party, i) for party, units in self.units.items() for i, u in enumerate(units)
                  if len(u.tokens) >= MIN_SEMANTIC_TOKENS]
        if judged and model.names:
            texts = [self.units[party][i].text for party, i in judged]
            probs = model.probabilities(texts, self.vectors.matrix(texts))
            for (party, i), row in zip(judged, probs):
                out[party][i] = row
        return out

    def _modelled(self, intent: str) -> bool:
        return self.specs[intent].semantic and intent in self._bank.model.column

    def _probability(self, intent: str, party: str) -> np.ndarray:
        return self._probabilities[party][:, self._bank.model.column[intent]]

    def _threshold(self, intent: str) -> float:
        own = self.cfg["by_intent"].get(intent, {})
        if self._modelled(intent):
            return own.get("probability") or self._bank.model.thresholds[intent]
        return own.get("similarity") or self.cfg["similarity"]

    def _veto_below(self, intent: str) -> float:
        own = self.cfg["by_intent"].get(intent, {}).get("veto_below")
        return self.cfg["veto_below"] if own is None else own

    def _nearest_exemplar(self, intent: str, unit: Unit) -> tuple[str, float]:
        """The intent's closest exemplar to a unit the model accepted: the evidence a reader can check."""
        positives = self._bank.rows[intent][0]
        if not len(positives):
            return "", 0.0
        sims = self._bank.exemplars(intent) @ self.vectors.matrix([unit.text])[0]
        best = int(sims.argmax())
        return self._bank.texts[int(positives[best])], float(sims[best])

    def _semantic(self, intent: str, party: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(best exemplar similarity, its index, best counter similarity, best written counter) per unit."""
        n = len(self.units[party])
        if intent not in self._bank.local or n == 0:
            zeros = np.zeros(n, np.float32)
            return zeros, np.zeros(n, int), zeros, zeros
        ex, counter, explicit = self._bank.local[intent]
        sims = self._sims[party]
        if len(ex):
            best, index = sims[:, ex].max(axis=1), self._bank.columns[party][ex[sims[:, ex].argmax(axis=1)]]
        else:
            best, index = np.zeros(n, np.float32), np.zeros(n, int)
        worst = sims[:, counter].max(axis=1) if len(counter) else np.zeros(n, np.float32)
        written = sims[:, explicit].max(axis=1) if len(explicit) else np.zeros(n, np.float32)
        return best, index, worst, written

    def hits(self, intent: str, start_s: float | None = None, end_s: float | None = None) -> list[IntentHit]:
        """Hits of `intent` in time order, one per unit, optionally only those starting in [start_s, end_s)."""
        if intent not in self._hits:
            self._hits[intent] = self._find(intent)
        return [h for h in self._hits[intent]
                if (start_s is None or h.start_s >= start_s) and (end_s is None or h.start_s < end_s)]

    def nearest(self, intent: str, start_s: float | None = None, end_s: float | None = None) -> Miss:
        """How close the party's units in a stretch came to `intent` (for the confidence of an absence)."""
        spec = self.specs[intent]
        units = self.units.get(spec.speaker, [])
        if self._modelled(intent) and units:
            best = np.nan_to_num(self._probability(intent, spec.speaker), nan=0.0)
        else:
            best, _, _, _ = self._semantic(intent, spec.speaker)
        inside = [i for i, u in enumerate(units)
                  if (start_s is None or u.start_s >= start_s) and (end_s is None or u.start_s < end_s)]
        threshold = self._threshold(intent)
        if not inside:
            return Miss(0.0, threshold, 1.0)
        tokens = [t for i in inside for t in units[i].tokens]
        probability = sum(t.probability for t in tokens) / len(tokens)
        return Miss(float(max(best[i] for i in inside)), threshold, probability)

    def _find(self, intent: str) -> list[IntentHit]:
        spec = self.specs[intent]
        units = self.units.get(spec.speaker, [])
        if not units:
            return []
        threshold, margin = self._threshold(intent), self.cfg["margin"]
        modelled = self._modelled(intent)
        if modelled:
            probability = self._probability(intent, spec.speaker).tolist()  # Python floats, read unit by unit
        else:
            best, index, worst, written = self._semantic(intent, spec.speaker)
        phrase_key = ".".join(spec.phrases) if spec.phrases else f"{spec.name}.phrases"
        matches = self._lexical(spec.speaker).get(intent, [])
        by_unit: dict[int, Match] = {}
        spans = self._spans(spec.speaker)
        for match in matches:
            start, end = match.start_s, match.end_s
            for i, (a, b) in enumerate(spans):
                if a <= start and end <= b + 1e-6 and (i not in by_unit or match.score > by_unit[i].score):
                    by_unit[i] = match
        found: list[IntentHit] = []
        fuzzy_threshold = self.rules.section("matching")["fuzzy_threshold"]
        start_only = set(self.cfg["by_intent"].get(intent, {}).get("start_only", []))
        for i, match in list(by_unit.items()):
            # A phrase that is only an acknowledgement at the start of a sentence ("Okay, ..."), not
            # inside one ("is that okay?", "right now").
            if normalised_phrase(match.phrase) in start_only and _position(units[i].tokens, match.tokens[0]) > 1:
                del by_unit[i]
            elif not spec.semantic and _names_something_else(units[i].tokens, match):
                del by_unit[i]
        for i, unit in enumerate(units):
            if spec.statement and self._asks(unit):
                continue
            match = by_unit.get(i)
            long_enough = len(unit.tokens) >= MIN_SEMANTIC_TOKENS
            if modelled:
                p = float(probability[i])
                semantic = long_enough and p >= threshold
                # The model is sure the unit is something else: "do you have the frame number" is not
                # "crime number", however close the words; "hurt" in "nobody's hurt", "scared" in "the
                # dog was scared of the fireworks" and "on her own" in "my nan lives with us, so she's
                # never on her own" are the words, not the intent. Vetoing exact phrases of several
                # words too (round four) raised cross-validated precision 0.882 -> 0.894 for recall
                # 0.931 -> 0.926 at veto_below 0.3.
                vetoed = match is not None and long_enough and p < self._veto_below(intent)
            else:
                semantic = (spec.semantic and long_enough
                            and bool(best[i] >= threshold and best[i] - worst[i] >= margin))
                vetoed = (spec.semantic and match is not None and written[i] >= threshold
                          and written[i] >= best[i] + margin)
            if match is not None and not vetoed:
                lexical = 0.6 + 0.4 * max(0.0, min(1.0, (match.score - fuzzy_threshold) / (100 - fuzzy_threshold)))
                if semantic:
                    lexical = min(1.0, lexical + 0.1)
                found.append(IntentHit(intent, unit, "phrase+exemplar" if semantic else "phrase", match.phrase,
                                       match.score / 100,
                                       float(round(lexical * probability_factor(match.probability), 3)), match.tokens,
                                       phrase_key, float(probability[i]) if modelled and long_enough else None))
            elif semantic and modelled:
                p = float(probability[i])
                matched, similarity = self._nearest_exemplar(intent, unit)
                margin_conf = 0.5 + 0.5 * min(1.0, (p - threshold) / max(1e-6, 0.95 - threshold))
                found.append(IntentHit(intent, unit, "exemplar", matched, similarity,
                                       float(round(margin_conf * probability_factor(unit.probability), 3)), (),
                                       f"intents.{intent}.exemplars", p))
            elif semantic:
                margin_conf = 0.5 + 0.5 * min(1.0, (best[i] - threshold) / 0.15, (best[i] - worst[i]) / 0.15)
                found.append(IntentHit(intent, unit, "exemplar", self._bank.texts[int(index[i])], float(best[i]),
                                       float(round(margin_conf * probability_factor(unit.probability), 3)), (),
                                       f"intents.{intent}.exemplars"))
        return _one_per_moment(found)

    def _spans(self, party: str) -> list[tuple[float, float]]:
        """(start, end) of each of the party's units, shared by every intent of the party."""
        if party not in self._unit_spans:
            self._unit_spans[party] = [(u.tokens[0].start_s, u.tokens[-1].end_s) for u in self.units[party]]
        return self._unit_spans[party]

    def _asks(self, unit: Unit) -> bool:
        """Whether a unit is a question: a question opener at its start, or a "?" at its end, but
        not a statement asked only by a closing tag ("an officer will ring you, is that okay?")
        (asked of every unit for every statement intent, so answered once per unit)."""
        key = id(unit)
        if key not in self._questions:
            text, starts = " ".join(t.raw for t in unit.tokens), self.rules.section("silence")["question_starts"]
            self._questions[key] = is_question(text, starts, 1) and not statement_with_tag(text, starts)
        return self._questions[key]

    def _phrases(self, spec: IntentSpec) -> list[str]:
        if spec.phrases is None:
            return list(self.cfg["by_intent"].get(spec.name, {}).get("phrases", []))
        section, key = spec.phrases
        return list(self.rules.section(section)[key])


def _one_per_moment(hits: list[IntentHit]) -> list[IntentHit]:
    """A clause inside a sentence that already hit adds nothing: keep the surest hit of overlapping
    units (a phrase hit's own span is only its words, so the units are compared)."""
    kept: list[IntentHit] = []
    for hit in sorted(hits, key=lambda h: -h.confidence):
        if not any(h.unit.start_s < hit.unit.end_s and hit.unit.start_s < h.unit.end_s for h in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start_s)


def _names_something_else(tokens: tuple, match: Match) -> bool:
    """A one-word name that is part of another body's name or a place, or a fuzzy window that
    takes in an ordinary word (see NOT_THE_FORCE_AFTER)."""
    if len(match.phrase.split()) != 1:
        return False
    if len(match.tokens) > 1 and any(t.norm in ORDINARY_WORDS for t in match.tokens):
        return True
    first, last = _position(tokens, match.tokens[0]), _position(tokens, match.tokens[-1])
    after = tokens[last + 1].norm if last + 1 < len(tokens) else ""
    before = tokens[first - 1].norm if 0 < first <= len(tokens) else ""
    if before == "the" and first >= 2:
        before = tokens[first - 2].norm
    return after in NOT_THE_FORCE_AFTER or (before in PLACE_BEFORE and after != "police")


def _position(tokens: tuple, token: object) -> int:
    """Where `token` sits in a unit; a large number when it is not there (units of a mono call can
    overlap in time, so a match inside this unit's time span may have begun in the unit before)."""
    try:
        return tokens.index(token)
    except ValueError:
        return len(tokens) + 1
