"""Intent recognition: what a party meant, surviving paraphrase and recognition errors.

Every phrase-driven judgement (offer of help, explanations of silence, next steps, empathy,
recap, ...) asks one question of a call: where did this party express this intent? The answer
combines the rule pack's phrases (fuzzy, on words) with sentence-level similarity to the rule
pack's exemplars (a sentence-embedding model), and each hit names what it matched, how closely
and how sure it is.
"""

from callqa.pipeline.intents.catalog import INTENTS, IntentSpec, intent_spec
from callqa.pipeline.intents.detect import IntentFinder, IntentHit
from callqa.pipeline.intents.units import Unit, units_of
from callqa.pipeline.intents.vectors import SentenceVectors, embed_units

__all__ = ["INTENTS", "IntentFinder", "IntentHit", "IntentSpec", "SentenceVectors", "Unit", "embed_units",
           "intent_spec", "units_of"]
