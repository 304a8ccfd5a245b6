"""All analysis settings in one place, with their documented defaults.

Thresholds that describe *the standard a handler is held to* (phrases, silence limits) live in
the rule pack (`models/rules/*.toml`); this file holds the *signal-processing and model*
settings. A `--config FILE` TOML may override any of them, section by section:

    rules = "path/to/pack.toml"      # rule pack (default: the bundled Staffordshire pack)
    [vad]
    aggressiveness = 3
    [stt]
    model = "base"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from pipeline.errors import CallQAError


@dataclass(frozen=True)
class VADConfig:
    """webrtcvad per channel, then smoothing so a handler's breath is not a 'silence'."""

    aggressiveness: int = 3        # 0-3; 3 rejects line noise and keyboard clicks best (measured)
    frame_ms: int = 30             # webrtcvad accepts 10, 20 or 30 ms frames
    smooth_frames: int = 5         # majority vote over this many frames removes single-frame flips
    min_speech_s: float = 0.15     # shorter bursts are clicks, not speech
    merge_gap_s: float = 0.30      # pauses shorter than this stay inside one utterance
    pad_s: float = 0.05            # widen each region slightly: onsets and offsets are soft
    energy_floor_dbfs: float = -50.0  # frames quieter than this are never speech (line hiss)


@dataclass(frozen=True)
class STTConfig:
    """Speech-to-text engine and decoding options, chosen by measured accuracy on real speech."""

    engine: str = "faster-whisper"   # or "openai-whisper" (pip install .[openai])
    model: str = "tiny.en"           # bundled name (tiny.en, base) or a path to model files
    compute_type: str = "int8"
    cpu_threads: int = 1             # one thread per process: two processes beat two threads here
    language: str = "en"
    beam_size: int = 1               # greedy: lower WER than beam 5 with tiny.en here, and faster
    condition_on_previous_text: bool = False  # the main guard against repetition loops
    gate: str = "vad"                # "vad": decode only where webrtcvad heard speech; "none": all
    gate_pad_s: float = 0.30         # keep this much audio either side of each speech region
    gate_merge_gap_s: float = 1.0    # regions closer than this are decoded as one stretch
    max_ngram_repeats: int = 3       # an n-gram repeated more often than this is a decoder loop


@dataclass(frozen=True)
class AnalysisConfig:
    vad: VADConfig = field(default_factory=VADConfig)
    stt: STTConfig = field(default_factory=STTConfig)
    rules: str | None = None         # rule pack path; None = bundled default pack


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def _apply(section: Any, values: dict[str, Any], where: str) -> Any:
    known = {f.name for f in fields(section)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise CallQAError(f"{where}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    for key, value in values.items():
        if not _same_kind(getattr(section, key), value):
            raise CallQAError(f"{where}.{key}: expected {type(getattr(section, key)).__name__}, got {value!r}")
    cast = {k: float(v) if isinstance(getattr(section, k), float) else v for k, v in values.items()}
    return replace(section, **cast)


def load_config(path: str | Path | None = None, **overrides: Any) -> AnalysisConfig:
    """Defaults, then the TOML file, then explicit overrides (CLI flags) for the `stt` section."""
    config = AnalysisConfig()
    if path is not None:
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CallQAError(f"{path}: cannot read configuration ({exc})") from None
        unknown = sorted(set(data) - {"vad", "stt", "rules"})
        if unknown:
            raise CallQAError(f"{path}: unknown section(s) {', '.join(unknown)}; known: vad, stt, rules")
        vad = _apply(config.vad, data.get("vad", {}), f"{path} [vad]")
        stt = _apply(config.stt, data.get("stt", {}), f"{path} [stt]")
        rules = data.get("rules")
        if rules is not None:
            rules = str((path.parent / rules).resolve()) if not Path(rules).is_absolute() else rules
        config = AnalysisConfig(vad=vad, stt=stt, rules=rules)
    stt_overrides = {k: v for k, v in overrides.items() if v is not None and k != "rules"}
    if stt_overrides:
        config = replace(config, stt=_apply(config.stt, stt_overrides, "command line"))
    if overrides.get("rules"):
        config = replace(config, rules=str(overrides["rules"]))
    return config
