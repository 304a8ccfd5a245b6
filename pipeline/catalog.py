"""Every built-in indicator, declared once: its name, the panel's question, and its module.

The result schema, the rule pack's weights and severities, exports, the review app and the
questionnaire all take the list from here; `callqa.pipeline.indicators.<module>.evaluate` judges it.
Custom indicators come from a rule pack's `[custom.NAME]` tables instead.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IndicatorSpec:
    name: str
    question: str
    module: str   # callqa.pipeline.indicators.<module> holds its evaluate(ctx, rules)


BUILT_IN: tuple[IndicatorSpec, ...] = (
    IndicatorSpec("greeting", "Was the correct greeting given?", "greeting"),
    IndicatorSpec("unexplained_silence", "Was any silence explained to the caller?", "silence"),
    IndicatorSpec("informal_language", "Did the handler avoid informal address (mate, love, duck)?", "informal_language"),
    IndicatorSpec("next_steps", "Was the caller told what would happen next?", "next_steps"),
    IndicatorSpec("listening", "Was the caller listened to appropriately?", "listening"),
    IndicatorSpec("acknowledgement", "Was the caller positively acknowledged throughout?", "acknowledgement"),
    IndicatorSpec("empathy", "Did the handler show empathy, understanding and support?", "empathy"),
    IndicatorSpec("recap", "Did the handler make sure the caller understood the outcome, and recap?", "recap"),
    IndicatorSpec("repeated_questions", "Did the handler avoid asking the same question again?", "repeated_questions"),
    IndicatorSpec("vulnerability", "Were safeguarding questions asked when a vulnerability was raised?", "vulnerability"),
    IndicatorSpec("answer_time", "Was the call answered within the target time?", "answer_time"),
)
INDICATORS: tuple[str, ...] = tuple(spec.name for spec in BUILT_IN)
