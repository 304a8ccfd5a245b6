"""One call, end to end: audio -> voice activity -> speech-to-text -> indicators -> result.

This is the unit the nightly batch runs per call; it holds no state between calls except the
loaded speech engine, which a caller passes in to reuse.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

import numpy as np
from threadpoolctl import threadpool_limits

from callqa.pipeline.attribution import Attribution, attribute
from callqa.pipeline.audio import CallAudio, load_call
from callqa.pipeline.config import AnalysisConfig
from callqa.pipeline.embeddings import default_encoder
from callqa.pipeline.indicators import CallContext, Scoring, score_call
from callqa.pipeline.intents import SentenceVectors, embed_units, units_of
from callqa.pipeline.intents.detect import MIN_SEMANTIC_TOKENS, exemplar_bank
from callqa.pipeline.result_shape import SCHEMA_VERSION, result_dict, scoring_fields  # noqa: F401 (SCHEMA_VERSION re-exported)
from callqa.pipeline.rules import RulePack, load_rule_pack
from callqa.pipeline.speaker_encoder import default_speaker_encoder
from callqa.pipeline.stt import SpeechEngine, load_engine
from callqa.pipeline.stt.decode import transcribe_channel
from callqa.pipeline.stt.greeting_pass import redecode_opening
from callqa.pipeline.transcript import Segment, merge_channels
from callqa.pipeline.voiceprints import VoiceSample, voice_sample
from callqa.pipeline.vad import Region, speech_regions

ProgressReport = Callable[[str, float], None]  # (stage, fraction 0-1 of decoding done)


@dataclass
class CallResult:
    call_id: str
    source: str
    duration_s: float
    layout: str
    channel_layout: str
    engine: dict[str, str]
    rules_version: str
    transcript: list[Segment]
    timelines: dict[str, list[Region]]
    scoring: Scoring
    attribution: Attribution
    vectors: SentenceVectors | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    audio: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    # The handler's voice on a stereo call, for their voiceprint: personal data that goes to the
    # store's voice_samples only, never into the result JSON (see pipeline/voiceprints.py).
    voice: VoiceSample | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The result JSON, schema_version 1 (see docs/result.schema.json), shaped by callqa.pipeline.result_shape."""
        return result_dict(
            call_id=self.call_id,
            source=self.source,
            duration_s=round(self.duration_s, 2),
            layout=self.layout,
            channel_layout=self.channel_layout,
            engine=self.engine,
            attribution=self.attribution.to_dict(),
            metadata=self.metadata,
            transcript=[s.to_dict() for s in self.transcript],
            speech={k: [[round(r.start_s, 2), round(r.end_s, 2)] for r in v] for k, v in self.timelines.items()},
            scoring=scoring_dict(self.scoring, self.rules_version),
            audio=self.audio,
            stats=self.stats,
            sentence_vectors=self.vectors.to_dict() if self.vectors else None,
        )


def score_stored(layout: str, duration_s: float, transcript: list[Segment], timelines: dict[str, list[Region]],
                 rules: RulePack, call_type: str | None = None, answer_delay_s: float | None = None,
                 vectors: SentenceVectors | None = None) -> Scoring:
    """Indicators from stored analysis alone, so a rules change re-scores without speech-to-text."""
    return score_call(CallContext(layout, duration_s, transcript, timelines, call_type, answer_delay_s, vectors),
                      rules)


def call_vectors(ctx: CallContext, encoder) -> SentenceVectors:
    """Embed every unit of both parties once, in one batch, to be stored with the transcription."""
    units = units_of(ctx.handler_tokens) + units_of(ctx.caller_tokens)
    # Shorter units are judged by phrases alone (callqa.pipeline.intents.detect), so they need no vector.
    with threadpool_limits(1, user_api="blas"):  # one thread per process, like the speech model
        return embed_units([u for u in units if len(u.tokens) >= MIN_SEMANTIC_TOKENS], encoder)


def scoring_dict(scoring: Scoring, rules_version: str) -> dict[str, Any]:
    """The part of a result the rule pack decides (what a re-score replaces)."""
    return scoring_fields(rules_version, scoring.score, scoring.review_priority,
                          [s.to_dict() for s in scoring.silences],
                          {k: v.to_dict() for k, v in scoring.indicators.items()},
                          [f.to_dict() for f in scoring.flags])


class Analyzer:
    """Holds the loaded engine and rule pack so a batch pays for them once."""

    def __init__(self, config: AnalysisConfig = AnalysisConfig(), engine: SpeechEngine | None = None,
                 rules: RulePack | None = None) -> None:
        self.config = config
        self.rules = rules or load_rule_pack(config.rules)
        started = time.perf_counter()
        self.engine = engine or load_engine(config.stt)
        self.encoder = default_encoder()
        exemplar_bank(self.rules, self.encoder.name)  # the rule pack's exemplars, embedded once
        self.load_s = time.perf_counter() - started

    def analyze(self, path: str | Path, layout: str | None = None, call_id: str | None = None,
                progress: ProgressReport | None = None, call_type: str | None = None,
                answer_delay_s: float | None = None, handler_voiceprint: np.ndarray | None = None,
                keep_voice: bool = False) -> CallResult:
        """`call_type` and `answer_delay_s` come from the recorder's metadata when known;
        `handler_voiceprint` is the call's handler's enrolled voice (mono calls use it);
        `keep_voice` computes a stereo call's handler voice sample for enrolment (the batch does)."""
        started = time.perf_counter()
        audio = load_call(path, layout)
        try:
            return self._analyze_audio(audio, started, path, call_id, progress, call_type, answer_delay_s,
                                       handler_voiceprint, keep_voice)
        finally:
            audio.close()

    def _analyze_audio(self, audio: CallAudio, started: float, path: str | Path, call_id: str | None,
                       progress: ProgressReport | None, call_type: str | None, answer_delay_s: float | None,
                       handler_voiceprint: np.ndarray | None, keep_voice: bool) -> CallResult:
        decoded_at = time.perf_counter()
        channels = {self._label(name): samples for name, samples in audio.channels.items()}
        timelines = {label: speech_regions(samples, audio.sample_rate, self.config.vad)
                     for label, samples in channels.items()}
        vad_at = time.perf_counter()
        per_speaker: dict[str, list[Segment]] = {}
        decoded_s = 0.0
        repetitions = 0
        # Progress is measured in speech seconds: gated decoding only ever sees speech.
        total_speech = sum(r.duration_s for regions in timelines.values() for r in regions) or 1.0
        for label, samples in channels.items():
            report = None
            if progress:
                def report(t: float, label: str = label, before: float = decoded_s) -> None:
                    progress(f"transcribing {label}", min(1.0, (before + t) / total_speech))
            channel = transcribe_channel(self.engine, samples, audio.sample_rate, label, timelines[label],
                                         self.config.stt, report)
            per_speaker[label] = channel.segments
            decoded_s += channel.decoded_s
            repetitions += channel.repetitions_removed
        greeting_pass = None
        if self.config.stt.greeting_pass and "handler" in per_speaker:
            per_speaker["handler"], greeting_pass = redecode_opening(
                self.engine, channels["handler"], audio.sample_rate, per_speaker["handler"], timelines["handler"],
                self.rules.section("greeting"), self.rules.section("matching"))
        stt_at = time.perf_counter()
        layout_kind = "mono" if audio.layout == "mono" else "stereo"
        attribution = Attribution("channels", 1.0, reason="one party per channel")
        voice = None
        if layout_kind == "mono":
            from callqa.pipeline.diarize import diarize_call

            diarization = diarize_call(channels["unknown"], audio.sample_rate, timelines["unknown"],
                                       encoder=self.speaker_encoder)
            per_speaker["unknown"], timelines, attribution = attribute(
                per_speaker["unknown"], timelines["unknown"], diarization.turns, self.rules,
                diarization.centroids, handler_voiceprint)
        elif keep_voice and "handler" in channels:
            voice = voice_sample(channels["handler"], audio.sample_rate, timelines["handler"], self.speaker_encoder)
        diarized_at = time.perf_counter()
        transcript = merge_channels(per_speaker)
        # One context for embedding and scoring: its tokens are built once.
        ctx = CallContext(layout_kind, audio.duration_s, transcript, timelines, call_type, answer_delay_s)
        ctx.vectors = vectors = call_vectors(ctx, self.encoder)
        embedded_at = time.perf_counter()
        scoring = score_call(ctx, self.rules)
        finished = time.perf_counter()
        return CallResult(
            call_id=call_id or Path(path).stem,
            source=str(path),
            duration_s=audio.duration_s,
            layout=layout_kind,
            channel_layout=audio.layout,
            engine={"name": self.engine.name, "model": str(self.engine.model)},
            rules_version=self.rules.version,
            transcript=transcript,
            timelines=timelines,
            scoring=scoring,
            attribution=attribution,
            vectors=vectors,
            voice=voice,
            metadata={"call_type": call_type, "answer_delay_s": answer_delay_s},
            audio=_audio_info(audio),
            stats={
                "decode_audio_s": round(decoded_at - started, 3),
                "vad_s": round(vad_at - decoded_at, 3),
                "stt_s": round(stt_at - vad_at, 3),
                "attribution_s": round(diarized_at - stt_at, 3),
                "embed_s": round(embedded_at - diarized_at, 3),
                "score_s": round(finished - embedded_at, 3),
                "total_s": round(finished - started, 3),
                "model_load_s": round(self.load_s, 3),
                "speech_decoded_s": round(decoded_s, 2),
                "channel_audio_s": round(audio.duration_s * len(channels), 2),
                "repetitions_removed": repetitions,
                "greeting_pass": greeting_pass.to_dict() if greeting_pass else None,
            },
        )

    @cached_property
    def speaker_encoder(self):
        """Loaded on first need (a mono call, or a voice sample the batch keeps): a stereo
        `callqa analyze` never pays for it."""
        return default_speaker_encoder()

    @staticmethod
    def _label(channel: str) -> str:
        return "unknown" if channel == "mixed" else channel


def _audio_info(audio: CallAudio) -> dict[str, Any]:
    info = audio.info
    out = {"format": info.format, "subtype": info.subtype, "sample_rate": info.sample_rate,
           "channels": info.channels}
    if info.non_finite_samples:  # replaced by silence while decoding: say so in the result
        out["non_finite_samples"] = info.non_finite_samples
    return out
