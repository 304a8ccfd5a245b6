"""Speech-to-text behind a small engine interface; see `base.SpeechEngine`."""

from callqa.pipeline.stt.base import RawSegment, SpeechEngine, load_engine

__all__ = ["RawSegment", "SpeechEngine", "load_engine"]
