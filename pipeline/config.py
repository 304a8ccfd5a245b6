"""All analysis settings in one place, with their documented defaults.

Thresholds that describe *the standard a handler is held to* (phrases, silence limits) live in
the rule pack (`models/rules/*.toml`); this file holds the *signal-processing and model*
settings. A `--config FILE` TOML may override any of them, section by section:

    rules = "path/to/pack.toml"      # rule pack (default: the bundled Staffordshire pack)
    [vad]
    aggressiveness = 3
    [stt]
    model = "base"
    [redaction]                      # what the panel pack hides (callqa/panel/redact.py)
    audio_mode = "silence"
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from callqa.pipeline.errors import CallQAError

# The force's local time (GMT/BST): the nightly schedule, and every time shown to people.
LOCAL_TIMEZONE = "Europe/London"
LOCAL_TZ = ZoneInfo(LOCAL_TIMEZONE)


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

    def __post_init__(self) -> None:
        _one_of("vad.aggressiveness", self.aggressiveness, (0, 1, 2, 3))
        _one_of("vad.frame_ms", self.frame_ms, (10, 20, 30))
        _within("vad.smooth_frames", self.smooth_frames, 1, 101)
        _within("vad.min_speech_s", self.min_speech_s, 0.0, 10.0)
        _within("vad.merge_gap_s", self.merge_gap_s, 0.0, 10.0)
        _within("vad.pad_s", self.pad_s, 0.0, 2.0)
        _within("vad.energy_floor_dbfs", self.energy_floor_dbfs, -120.0, 0.0)


ENGINES = ("faster-whisper", "openai-whisper")
GATES = ("vad", "none")
# CTranslate2's compute types (faster-whisper); openai-whisper ignores the setting.
COMPUTE_TYPES = ("int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float16", "bfloat16",
                 "float32", "default", "auto")


def _one_of(key: str, value: Any, allowed: tuple) -> None:
    """Every enumerated setting is checked where the config loads, naming the key (not after the model loads)."""
    if value not in allowed:
        raise CallQAError(f"{key}: expected one of {', '.join(map(str, allowed))}, got {value!r}")


def _within(key: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise CallQAError(f"{key}: expected {low:g} to {high:g}, got {value!r}")


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
    block_s: float = 60.0            # packed speech given to the engine at once: bounds memory on long calls
                                     # (faster-whisper alone peaked +14 MB on 30 s, +53 MB on 120 s, +171 MB on
                                     # 300 s; a 20-minute mono call 608 MB at 120 s, 575 MB at 60 s); channels
                                     # with less speech than this (every sample call) decode exactly as before

    def __post_init__(self) -> None:
        _one_of("stt.engine", self.engine, ENGINES)
        _one_of("stt.gate", self.gate, GATES)
        _one_of("stt.compute_type", self.compute_type, COMPUTE_TYPES)
        if not self.model.strip():
            raise CallQAError("stt.model: expected a bundled model name (tiny.en, base) or a folder, got ''")
        if not re.fullmatch(r"[a-z]{2,3}", self.language):
            raise CallQAError(f"stt.language: expected a language code such as 'en', got {self.language!r}")
        _within("stt.cpu_threads", self.cpu_threads, 1, 64)
        _within("stt.beam_size", self.beam_size, 1, 20)
        _within("stt.gate_pad_s", self.gate_pad_s, 0.0, 5.0)
        _within("stt.gate_merge_gap_s", self.gate_merge_gap_s, 0.0, 30.0)
        _within("stt.max_ngram_repeats", self.max_ngram_repeats, 1, 100)
        _within("stt.block_s", self.block_s, 30.0, 3600.0)   # at least one Whisper window
    greeting_pass: bool = True       # re-decode the handler's opening with the force's names as hotwords
                                     # when the first pass heard no force name (pipeline/stt/greeting_pass.py)


REDACTION_CATEGORIES = ("name", "phone", "postcode", "address", "date_of_birth", "vehicle_reg", "email",
                        "reference")
# Force reference / incident / crime numbers, matched (case-insensitive) against a speaker's words
# joined by single spaces, lower-cased, edge punctuation dropped, spoken single digits written as
# digits ("four" -> "4", "double two" -> "2 2") and "slash"/"dash" written as "/" and "-". A group
# named `ref` marks the part to hide; without one the whole match is hidden. The default hides
# what follows "incident/log/crime/reference/occurrence (number) (is)": an optional 1-3 letter
# prefix ("SP4172", "S P 4 1 7 2") and digits with spaces, "/" or "-" inside ("22/12345/26"),
# plus a trailing "of the 26th" ("incident 1234 of the 26th").
DEFAULT_REFERENCE_PATTERNS = (
    r"\b(?:incident|log|crime|reference|ref|occurrence)"
    r"(?:\s+(?:reference|ref|number|no|num|is|it's|its|was|of))*\s+"
    r"(?P<ref>(?:[a-z]{1,3}\s?|(?:[a-z]\s){2,3})?\d(?:[\d/-]|\s(?=[\d/-]))*"
    r"(?:\s+of\s+(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?\b)?)",
)


@dataclass(frozen=True)
class RedactionConfig:
    """What is hidden from the public in panel packs, and how the audio is covered.

    Defaults: every category on (name, phone, postcode, address, date_of_birth, vehicle_reg,
    email, reference); `reference_patterns` = DEFAULT_REFERENCE_PATTERNS; audio covered by a
    1 kHz tone at -12 dBFS peak ("bleep"; "silence" mutes instead), widened by `pad_s` = 0.10 s
    either side because word times are approximate (measured on tests/data/redaction/planted.wav:
    with 0.05 s the first syllable of a hidden name was still recognised). `allow_names` are
    never taken for names (a local place, a team name); `deny_names` are always hidden as names
    wherever they are said (names known from the incident record, one or more words each);
    `extra_first_names` join the bundled first-name list (callqa/panel/data/first_names.txt).
    """

    name: bool = True
    phone: bool = True
    postcode: bool = True
    address: bool = True
    date_of_birth: bool = True
    vehicle_reg: bool = True
    email: bool = True
    reference: bool = True
    reference_patterns: tuple[str, ...] = DEFAULT_REFERENCE_PATTERNS
    audio_mode: str = "bleep"        # "bleep" or "silence"
    pad_s: float = 0.10
    allow_names: tuple[str, ...] = ()
    deny_names: tuple[str, ...] = ()
    extra_first_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.audio_mode not in ("bleep", "silence"):
            raise CallQAError(f"redaction.audio_mode: expected 'bleep' or 'silence', got {self.audio_mode!r}")
        if not 0 <= self.pad_s <= 2:
            raise CallQAError(f"redaction.pad_s: expected 0-2 seconds, got {self.pad_s!r}")
        for pattern in self.reference_patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise CallQAError(f"redaction.reference_patterns: {pattern!r} is not a regex ({exc})") from None

    @property
    def categories(self) -> tuple[str, ...]:
        """The categories switched on, in a fixed order."""
        return tuple(c for c in REDACTION_CATEGORIES if getattr(self, c))


@dataclass(frozen=True)
class AnalysisConfig:
    vad: VADConfig = field(default_factory=VADConfig)
    stt: STTConfig = field(default_factory=STTConfig)
    rules: str | None = None         # rule pack path; None = bundled default pack
    redaction: RedactionConfig = field(default_factory=RedactionConfig)


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, tuple):  # TOML gives lists; tuples here are lists of strings
        return isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
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
    cast = {k: float(v) if isinstance(getattr(section, k), float) else tuple(v) if isinstance(v, list) else v
            for k, v in values.items()}
    try:
        return replace(section, **cast)
    except CallQAError as exc:  # a section's own checks (RedactionConfig.__post_init__)
        raise CallQAError(f"{where}: {exc}") from None


def load_config(path: str | Path | None = None, elsewhere: tuple[str, ...] = (), **overrides: Any) -> AnalysisConfig:
    """Defaults, then the TOML file, then explicit overrides (CLI flags) for the `stt` section.

    `elsewhere` names sections of the same file that the application validates itself (the
    morning report's `[report]`): this library skips them without knowing what they hold."""
    config = AnalysisConfig()
    if path is not None:
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise CallQAError(f"{path}: cannot read configuration ({exc})") from None
        known = ("vad", "stt", "rules", "redaction", *elsewhere)
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise CallQAError(f"{path}: unknown section(s) {', '.join(unknown)}; known: {', '.join(known)}")
        vad = _apply(config.vad, data.get("vad", {}), f"{path} [vad]")
        stt = _apply(config.stt, data.get("stt", {}), f"{path} [stt]")
        redaction = _apply(config.redaction, data.get("redaction", {}), f"{path} [redaction]")
        rules = data.get("rules")
        if rules is not None:
            rules = str((path.parent / rules).resolve()) if not Path(rules).is_absolute() else rules
        config = AnalysisConfig(vad=vad, stt=stt, rules=rules, redaction=redaction)
    stt_overrides = {k: v for k, v in overrides.items() if v is not None and k != "rules"}
    if stt_overrides:
        config = replace(config, stt=_apply(config.stt, stt_overrides, "command line"))
    if overrides.get("rules"):
        config = replace(config, rules=str(overrides["rules"]))
    return config
