"""Every intent callqa looks for, declared once: who says it and which rule-pack phrases spell it.

The phrases stay where a QA lead has always edited them (`[next_steps] phrases`, `[recap]
checks`, ...); exemplars, counter-exemplars and thresholds for each intent live in the rule
pack's `[intents.NAME]` tables. Custom indicators declared in the rule pack add their own
intents at load time (`custom.NAME`).
"""

from __future__ import annotations

from dataclasses import dataclass

VULNERABILITY_KINDS = ("mental_health", "self_harm", "domestic_abuse", "child_at_risk", "elderly_or_disabled_alone")


@dataclass(frozen=True)
class IntentSpec:
    name: str
    speaker: str                      # whose words: "handler" or "caller"
    phrases: tuple[str, str] | None   # (section, key) of its phrase list in the rule pack
    description: str
    semantic: bool = True             # False: phrases only (a force's name has no paraphrase)
    statement: bool = False           # True: never said as a question ("did they say they'd ring you back?")


_BUILT_IN = [
    IntentSpec("force_name", "handler", ("greeting", "force_names"), "names the force", semantic=False),
    IntentSpec("help_offer", "handler", ("greeting", "help_offers"), "offers help, or asks where help is needed"),
    IntentSpec("silence_explanation", "handler", ("silence", "explanations"), "explains a coming silence or hold",
               statement=True),
    IntentSpec("next_steps", "handler", ("next_steps", "phrases"), "says what will happen next", statement=True),
    IntentSpec("acknowledgement", "handler", ("acknowledgement", "phrases"), "acknowledges the caller"),
    IntentSpec("empathy", "handler", ("empathy", "phrases"), "shows empathy, understanding or support"),
    # A read-back is often asked ("so that's flat 2, is that right?"): a third of the tune split's recaps.
    IntentSpec("recap", "handler", ("recap", "recaps"), "recaps or reads back the outcome"),
    IntentSpec("understanding_check", "handler", ("recap", "checks"), "checks the caller understood"),
    IntentSpec("safeguarding", "handler", ("vulnerability", "safeguarding"), "asks a safeguarding question"),
    IntentSpec("distress", "caller", ("empathy", "distress"), "the caller is frightened, upset or pleading"),
    *[IntentSpec(f"vulnerability.{kind}", "caller", ("vulnerability", kind), f"the caller mentions {kind.replace('_', ' ')}")
      for kind in VULNERABILITY_KINDS],
]
INTENTS: dict[str, IntentSpec] = {spec.name: spec for spec in _BUILT_IN}


def intent_spec(name: str, custom: dict[str, IntentSpec] | None = None) -> IntentSpec:
    if name in INTENTS:
        return INTENTS[name]
    if custom and name in custom:
        return custom[name]
    raise KeyError(f"unknown intent {name!r}")
