"""Rule packs: the phrase lists and thresholds a force holds its handlers to.

A pack is a TOML file a QA lead can edit (the bundled one is `models/rules/staffordshire.toml`).
Loading validates every key and value, so a typo fails loudly instead of silently switching a
rule off.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import RulePackError
from pipeline.tomlfile import read_toml

DEFAULT_PACK = "staffordshire.toml"

# Every indicator, in the order results list them.
INDICATORS = ("greeting", "unexplained_silence", "informal_language", "next_steps", "listening",
              "acknowledgement", "empathy", "recap", "repeated_questions", "vulnerability", "answer_time")
SEVERITIES = ("high", "medium", "low")
VULNERABILITY_KINDS = ("mental_health", "self_harm", "domestic_abuse", "child_at_risk", "elderly_or_disabled_alone")

# section -> key -> expected type ("str", "float", "int", "score" 0-100, "phrases", or the
# per-indicator tables "weights", "severities" and the list "indicators")
SCHEMA: dict[str, dict[str, str]] = {
    "": {"version": "str", "force": "str"},
    "matching": {"fuzzy_threshold": "score", "short_phrase_chars": "int", "short_phrase_threshold": "score"},
    "greeting": {"window_s": "float", "span_s": "float", "force_names": "phrases", "help_offers": "phrases"},
    "silence": {"min_silence_s": "float", "fail_s": "float", "lookback_s": "float", "lookahead_s": "float",
                "explanations": "phrases", "question_starts": "phrases", "question_mark_min_words": "int",
                "question_asides": "phrases", "caller_holding": "phrases"},
    "informal_language": {"terms": "phrases", "vocative_only": "phrases", "vocative_cues": "phrases",
                          "not_after": "phrases", "not_before": "phrases"},
    "next_steps": {"phrases": "phrases"},
    "listening": {"min_caller_before_s": "float", "min_overlap_s": "float", "backchannel_max_s": "float",
                  "backchannels": "phrases", "fail_interruptions": "int"},
    "acknowledgement": {"parts": "int", "min_caller_s": "float", "phrases": "phrases"},
    "empathy": {"distress": "phrases", "phrases": "phrases"},
    "recap": {"closing_share": "float", "closing_min_s": "float", "recaps": "phrases", "checks": "phrases"},
    "repeated_questions": {"similarity": "score", "min_shared_words": "int", "stopwords": "phrases",
                           "fail_repeats": "int"},
    "vulnerability": {**{kind: "phrases" for kind in VULNERABILITY_KINDS}, "safeguarding": "phrases"},
    "answer_time": {"target_999_s": "float", "target_101_s": "float"},
    "scoring": {"weights": "weights", "severity": "severities", "flag_indicators": "indicators"},
    "attribution": {"first_speaker": "party", "min_confidence": "fraction", "min_turn_confidence": "fraction"},
}


@dataclass(frozen=True)
class RulePack:
    """A validated pack; `data[section][key]` holds the values, `source` where it came from."""

    version: str
    force: str
    data: dict[str, dict[str, Any]]
    source: str

    def section(self, name: str) -> dict[str, Any]:
        return self.data[name]


def _check(value: Any, kind: str, where: str) -> Any:
    if kind == "str":
        if not isinstance(value, str) or not value.strip():
            raise RulePackError(f"{where}: expected a non-empty string, got {value!r}")
        return value
    if kind == "party":
        if value not in ("handler", "caller"):
            raise RulePackError(f"{where}: expected 'handler' or 'caller', got {value!r}")
        return value
    if kind == "fraction":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise RulePackError(f"{where}: expected a number from 0 to 1, got {value!r}")
        return float(value)
    if kind in ("float", "int", "score"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise RulePackError(f"{where}: expected a number, got {value!r}")
        if value < 0 or (kind == "score" and value > 100):
            raise RulePackError(f"{where}: {value!r} is out of range ({'0-100' if kind == 'score' else '>= 0'})")
        return int(value) if kind == "int" else float(value)
    if kind == "phrases":
        if not isinstance(value, list) or not value or not all(isinstance(p, str) and p.strip() for p in value):
            raise RulePackError(f"{where}: expected a non-empty list of phrases, got {value!r}")
        return [p.strip().lower() for p in value]
    if kind in ("weights", "severities"):
        if not isinstance(value, dict) or set(value) - set(INDICATORS):
            unknown = sorted(set(value) - set(INDICATORS)) if isinstance(value, dict) else value
            raise RulePackError(f"{where}: expected a table keyed by indicator ({', '.join(INDICATORS)}), "
                                f"got {unknown!r}")
        out = {}
        for name in INDICATORS:
            item = value.get(name, 1.0 if kind == "weights" else "low")
            if kind == "weights":
                out[name] = _check(item, "float", f"{where}.{name}")
            elif item not in SEVERITIES:
                raise RulePackError(f"{where}.{name}: expected one of {', '.join(SEVERITIES)}, got {item!r}")
            else:
                out[name] = item
        return out
    if kind == "indicators":
        if not isinstance(value, list) or set(value) - set(INDICATORS):
            raise RulePackError(f"{where}: expected a list of indicators from {', '.join(INDICATORS)}, got {value!r}")
        return list(value)
    raise AssertionError(kind)


def parse_rule_pack(data: dict[str, Any], source: str) -> RulePack:
    sections = {k for k in SCHEMA if k}
    parsed: dict[str, dict[str, Any]] = {}
    for key, value in data.items():
        if key in SCHEMA[""]:
            continue
        if key not in sections:
            known = ", ".join(sorted(set(SCHEMA[""]) | sections))
            raise RulePackError(f"{source}: unknown key {key!r}; known: {known}")
        if not isinstance(value, dict):
            raise RulePackError(f"{source}: [{key}] must be a table")
    for section, keys in SCHEMA.items():
        table = data if section == "" else data.get(section)
        if table is None:
            raise RulePackError(f"{source}: missing section [{section}]")
        if section:
            unknown = sorted(set(table) - set(keys))
            if unknown:
                raise RulePackError(
                    f"{source}: [{section}] unknown key(s) {', '.join(unknown)}; known: {', '.join(keys)}")
        values = {}
        for key, kind in keys.items():
            where = f"{source}: {section + '.' if section else ''}{key}"
            if key not in table:
                raise RulePackError(f"{where}: missing")
            values[key] = _check(table[key], kind, where)
        parsed[section] = values
    top = parsed.pop("")
    return RulePack(version=top["version"], force=top["force"], data=parsed, source=source)


def load_rule_pack(path: str | Path | None = None) -> RulePack:
    """Load a pack from `path`, or the bundled default pack."""
    data, source = read_toml(path, ("rules", DEFAULT_PACK), "rule pack", RulePackError)
    return parse_rule_pack(data, source)
