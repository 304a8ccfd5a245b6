"""Rule packs: the phrase lists and thresholds a force holds its handlers to.

A pack is a TOML file a QA lead can edit (the bundled one is `models/rules/staffordshire.toml`).
Loading validates every key and value, so a typo fails loudly instead of silently switching a
rule off.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from callqa.pipeline.catalog import INDICATORS
from callqa.pipeline.errors import RulePackError
from callqa.pipeline.intents.catalog import INTENTS, VULNERABILITY_KINDS
from callqa.pipeline.tomlfile import read_toml

DEFAULT_PACK = "staffordshire.toml"

# Every built-in indicator, in the order results list them (declared in pipeline/catalog.py).
SEVERITIES = ("high", "medium", "low")

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
                          "not_after": "phrases", "not_before": "phrases", "street_words": "phrases"},
    "next_steps": {"phrases": "phrases", "reference_words": "phrases"},
    "listening": {"min_caller_before_s": "float", "min_overlap_s": "float", "backchannel_max_s": "float",
                  "backchannels": "phrases", "fail_interruptions": "int"},
    "acknowledgement": {"parts": "int", "min_caller_s": "float", "phrases": "phrases"},
    "empathy": {"distress": "phrases", "phrases": "phrases"},
    "recap": {"closing_share": "float", "closing_min_s": "float", "recaps": "phrases", "checks": "phrases",
              "require": "recap_rule"},
    "repeated_questions": {"similarity": "score", "min_shared_words": "int", "stopwords": "phrases",
                           "fail_repeats": "int"},
    "vulnerability": {**{kind: "phrases" for kind in VULNERABILITY_KINDS}, "safeguarding": "phrases"},
    "answer_time": {"target_999_s": "float", "target_101_s": "float"},
    "scoring": {"weights": "weights", "severity": "severities", "flag_indicators": "indicators",
                "review_below": "fraction"},
    "attribution": {"first_speaker": "party", "min_confidence": "fraction", "min_turn_confidence": "fraction",
                    "voiceprint_min_similarity": "fraction", "voiceprint_margin": "fraction"},
}
# Sections with a shape of their own, validated by their own functions below.
OPEN_SECTIONS = ("intents", "custom")
WHERE = ("opening", "anywhere", "closing", "after_cue")


@dataclass(frozen=True)
class RulePack:
    """A validated pack; `data[section][key]` holds the values, `source` where it came from."""

    version: str
    force: str
    data: dict[str, dict[str, Any]]
    source: str

    def section(self, name: str) -> dict[str, Any]:
        return self.data[name]

    @cached_property
    def custom(self) -> dict[str, dict[str, Any]]:
        """The pack's enabled custom indicators, by name (asked for every indicator of every call)."""
        return {name: spec for name, spec in self.data["custom"].items() if spec["enabled"]}

    @property
    def indicator_names(self) -> tuple[str, ...]:
        """Built-in indicators, then the pack's enabled custom ones: what a result lists."""
        return INDICATORS + tuple(self.custom)

    def weight(self, name: str) -> float:
        return self.custom[name]["weight"] if name in self.custom else self.data["scoring"]["weights"][name]

    def severity(self, name: str) -> str:
        return self.custom[name]["severity"] if name in self.custom else self.data["scoring"]["severity"][name]

    def flags_on(self, name: str) -> bool:
        return self.custom[name]["flag"] if name in self.custom else name in self.data["scoring"]["flag_indicators"]


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
    if kind == "recap_rule":
        if value not in ("both", "recap", "check", "either"):
            raise RulePackError(f"{where}: expected 'both', 'recap', 'check' or 'either', got {value!r}")
        return value
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
    sections = {k for k in SCHEMA if k} | set(OPEN_SECTIONS)
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
    parsed["custom"] = _check_custom(data.get("custom", {}), source)
    parsed["intents"] = _check_intents(data.get("intents"), parsed["custom"], source)
    return RulePack(version=top["version"], force=top["force"], data=parsed, source=source)


def _sentences(value: Any, where: str) -> list[str]:
    """Exemplars are compared as the recogniser's words are: normalised, so "What's" = "what is"."""
    from callqa.pipeline.matching import normalise

    if not isinstance(value, list) or not all(isinstance(p, str) and normalise(p) for p in value):
        raise RulePackError(f"{where}: expected a list of sentences, got {value!r}")
    return list(dict.fromkeys(" ".join(normalise(p)) for p in value))


def _check_intents(table: Any, custom: dict[str, dict[str, Any]], source: str) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise RulePackError(f"{source}: missing section [intents]")
    known = set(INTENTS) | {f"custom.{name}" for name in custom}
    out: dict[str, Any] = {"by_intent": {}, "examples": _examples(table.get("examples"), source)}
    for key in ("similarity", "margin", "precision", "veto_below"):
        if key not in table:
            raise RulePackError(f"{source}: intents.{key}: missing")
        out[key] = _check(table[key], "fraction", f"{source}: intents.{key}")
    for name, cfg in table.items():
        if name in ("similarity", "margin", "precision", "veto_below", "examples"):
            continue
        where = f"{source}: intents.{name}"
        if name not in known or not isinstance(cfg, dict):
            raise RulePackError(f"{where}: unknown intent; known: {', '.join(sorted(INTENTS))}")
        unknown = sorted(set(cfg) - {"exemplars", "counter_exemplars", "similarity", "probability", "veto_below",
                                   "start_only"})
        if unknown:
            raise RulePackError(f"{where}: unknown key(s) {', '.join(unknown)}; known: exemplars, counter_exemplars, "
                                f"similarity, probability, veto_below, start_only")
        out["by_intent"][name] = {
            "exemplars": _sentences(cfg.get("exemplars", []), f"{where}.exemplars"),
            "counter_exemplars": _sentences(cfg.get("counter_exemplars", []), f"{where}.counter_exemplars"),
            "similarity": _check(cfg["similarity"], "fraction", f"{where}.similarity") if "similarity" in cfg else None,
            "probability": _check(cfg["probability"], "fraction", f"{where}.probability") if "probability" in cfg
            else None,
            "veto_below": _check(cfg["veto_below"], "fraction", f"{where}.veto_below") if "veto_below" in cfg
            else None,
            "start_only": _sentences(cfg.get("start_only", []), f"{where}.start_only")}
    for name, spec in custom.items():
        out["by_intent"][f"custom.{name}"] = {**{key: spec[key] for key in ("exemplars", "counter_exemplars",
                                                                            "similarity", "phrases")},
                                              "start_only": []}
    return out


def _examples(name: Any, source: str) -> list[dict[str, Any]]:
    """`[intents] examples = "FILE.toml"`: labelled sentences beside the pack, `[[example]]` tables
    of speaker, text and intents (see models/rules/README)."""
    if name is None:
        return []
    if not isinstance(name, str) or "/" in name or "\\" in name or name.startswith("."):
        raise RulePackError(f"{source}: intents.examples: expected a file name beside the pack, got {name!r}")
    path = (Path(source).parent / name) if Path(source).is_file() else None
    if path is None or not path.is_file():
        from importlib import resources

        candidate = resources.files("callqa.models").joinpath("rules", name)
        if not candidate.is_file():
            raise RulePackError(f"{source}: intents.examples: {name!r} not found beside the pack")
        path = Path(str(candidate))
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RulePackError(f"{path}: cannot read the examples file: {exc}") from None
    out = []
    for k, item in enumerate(data.get("example", [])):
        where = f"{path}: example {k + 1}"
        if not isinstance(item, dict) or set(item) != {"speaker", "text", "intents"}:
            raise RulePackError(f"{where}: expected speaker, text and intents")
        speaker = _check(item["speaker"], "party", f"{where}.speaker")
        text = _sentences([item["text"]], f"{where}.text")[0]
        unknown = [i for i in item["intents"] if i not in INTENTS]
        if not isinstance(item["intents"], list) or unknown:
            raise RulePackError(f"{where}.intents: unknown intent(s) {unknown!r}; known: {', '.join(sorted(INTENTS))}")
        out.append({"speaker": speaker, "text": text, "intents": list(item["intents"])})
    return out


CUSTOM_KEYS = {"enabled": bool, "question": "str", "speaker": "party", "where": "where", "cue": "str",
               "rule": "rule", "phrases": "phrases", "exemplars": "sentences", "counter_exemplars": "sentences",
               "similarity": "fraction", "window_s": "float", "weight": "float", "severity": "severity",
               "flag": bool}


def _check_custom(table: Any, source: str) -> dict[str, dict[str, Any]]:
    """`[custom.NAME]`: a yes/no indicator a force or panel adds without code."""
    if not isinstance(table, dict):
        raise RulePackError(f"{source}: [custom] must hold tables [custom.NAME]")
    out = {}
    for name, cfg in table.items():
        where = f"{source}: custom.{name}"
        if not isinstance(cfg, dict) or not name.replace("_", "").isalnum() or name in INDICATORS:
            raise RulePackError(f"{where}: expected a table named in lower_snake_case, not a built-in indicator")
        unknown = sorted(set(cfg) - set(CUSTOM_KEYS))
        if unknown:
            raise RulePackError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(CUSTOM_KEYS)}")
        for key in ("question", "speaker", "where", "rule"):
            if key not in cfg:
                raise RulePackError(f"{where}.{key}: missing")
        if not cfg.get("phrases") and not cfg.get("exemplars"):
            raise RulePackError(f"{where}: needs phrases or exemplars")
        spec = {"enabled": cfg.get("enabled", True), "question": _check(cfg["question"], "str", f"{where}.question"),
                "speaker": _check(cfg["speaker"], "party", f"{where}.speaker"),
                "phrases": _check(cfg["phrases"], "phrases", f"{where}.phrases") if cfg.get("phrases") else [],
                "exemplars": _sentences(cfg.get("exemplars", []), f"{where}.exemplars"),
                "counter_exemplars": _sentences(cfg.get("counter_exemplars", []), f"{where}.counter_exemplars"),
                "similarity": _check(cfg["similarity"], "fraction", f"{where}.similarity") if "similarity" in cfg
                else None,
                "window_s": _check(cfg.get("window_s", 20.0), "float", f"{where}.window_s"),
                "weight": _check(cfg.get("weight", 1.0), "float", f"{where}.weight"),
                "flag": cfg.get("flag", True), "cue": cfg.get("cue")}
        for key in ("enabled", "flag"):
            if not isinstance(spec[key], bool):
                raise RulePackError(f"{where}.{key}: expected true or false, got {spec[key]!r}")
        if cfg["where"] not in WHERE:
            raise RulePackError(f"{where}.where: expected one of {', '.join(WHERE)}, got {cfg['where']!r}")
        if cfg["rule"] not in ("required", "forbidden"):
            raise RulePackError(f"{where}.rule: expected 'required' or 'forbidden', got {cfg['rule']!r}")
        severity = cfg.get("severity", "low")
        if severity not in SEVERITIES:
            raise RulePackError(f"{where}.severity: expected one of {', '.join(SEVERITIES)}, got {severity!r}")
        if cfg["where"] == "after_cue" and cfg.get("cue") not in INTENTS:
            raise RulePackError(f"{where}.cue: where = 'after_cue' needs a cue intent, one of {', '.join(INTENTS)}")
        spec.update(where=cfg["where"], rule=cfg["rule"], severity=severity)
        out[name] = spec
    return out


def load_rule_pack(path: str | Path | None = None) -> RulePack:
    """Load a pack from `path`, or the bundled default pack."""
    data, source = read_toml(path, ("rules", DEFAULT_PACK), "rule pack", RulePackError)
    return parse_rule_pack(data, source)
