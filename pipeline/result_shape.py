"""The analysis result's JSON shape (schema_version 1), built in one place.

A fresh analysis (`CallResult.to_dict`), a stored result read back (`Store.call_result`) and a
re-score (`callqa.rescore`) all build their dicts here, so their keys and the schema version
cannot drift apart. The parts arrive JSON-ready; see pipeline/result.schema.json for the shape.
"""

from __future__ import annotations

from typing import Any

SCHEMA_VERSION = 1


def scoring_fields(rules_version: str, score: float | None, review_priority: str | None,
                   silences: list[dict[str, Any]], indicators: dict[str, dict[str, Any]],
                   flags: list[dict[str, Any]]) -> dict[str, Any]:
    """The part of a result the rule pack decides (what a re-score replaces)."""
    return {"rules_version": rules_version, "score": score, "review_priority": review_priority,
            "silences": silences, "indicators": indicators, "flags": flags}


def rescored_result(call_id: str, scoring: dict[str, Any]) -> dict[str, Any]:
    """What a re-score of a stored transcript produces: the call and its new scoring fields."""
    return {"call_id": call_id, **scoring}


def result_dict(*, call_id: str, duration_s: float, layout: str, channel_layout: str, engine: dict[str, str],
                attribution: dict[str, Any] | None, metadata: dict[str, Any], transcript: list[dict[str, Any]],
                speech: dict[str, list[list[float]]], scoring: dict[str, Any], audio: dict[str, Any] | None,
                stats: dict[str, Any] | None, sentence_vectors: dict[str, Any] | None,
                source: str | None = None) -> dict[str, Any]:
    """A whole result. `scoring` comes from `scoring_fields`; `source` (the audio file analysed) is
    left out when not known: the store does not keep it in the result."""
    return {
        "schema_version": SCHEMA_VERSION,
        "call_id": call_id,
        **({"source": source} if source is not None else {}),
        "duration_s": duration_s,
        "layout": layout,
        "channel_layout": channel_layout,
        "engine": engine,
        "attribution": attribution,
        "metadata": metadata,
        "transcript": transcript,
        "speech": speech,
        **scoring,
        "audio": audio,
        "stats": stats,
        "sentence_vectors": sentence_vectors,
    }
