"""Load a call recording as 16 kHz float32 channels, or say exactly why it cannot be used.

Decoding is libsndfile's (through soundfile): WAV PCM/float, G.711 mu-law and A-law,
GSM 6.10, IMA/MS ADPCM, FLAC, MP3, Ogg Vorbis/Opus and the other formats it knows.
Formats are recognised by content, never by file extension: telephony exports often carry
names like ``.g711`` or ``.gsm610``.

libsndfile is lenient with damaged files (it quietly reads what is there) and terse when it
fails ("Format not recognised", "Malformed 'fmt ' chunk"). A batch needs to know *which*
file is bad and *why*, so this module checks container headers itself and turns every
failure into one of the typed errors in ``callqa.pipeline.errors``:

- missing file                    -> MissingAudioError (also a FileNotFoundError)
- directory or special file       -> NotAudioError
- 0 bytes, or a header with no samples -> EmptyAudioError
- text, images, other non-audio   -> NotAudioError
- AMR, MP4/3GP, WebM, WMA, AAC, Speex, WAV with an unknown codec -> UnsupportedCodecError
- cut-short file                  -> TruncatedAudioError
- wrong channel layout            -> LayoutError
- anything else libsndfile rejects -> AudioError with libsndfile's message

probe() sees cuts in WAV, MP3 (with a Xing/Info header) and Ogg from headers alone; a cut in
FLAC, or in MP3 without a Xing header, shows only while decoding, so only load_call() sees it.
WAV data sizes of 0 or 0xFFFFFFFF (written while streaming) are read to end of file.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from os import PathLike
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from callqa.pipeline.audio_headers import (
    LIBSNDFILE_WAV_TAGS,
    WAV_CODECS,
    Source,
    container_name,
    inspect_file,
    plain_decoder_message,
    what_it_looks_like,
)
from callqa.pipeline.errors import (
    AudioError,
    EmptyAudioError,
    LayoutError,
    NotAudioError,
    TruncatedAudioError,
    UnsupportedCodecError,
)

LAYOUTS = ("stereo-handler-left", "stereo-handler-right", "mono")
TARGET_RATE = 16000

# Source columns for (handler, caller) in each stereo layout.
_STEREO_COLUMNS = {"stereo-handler-left": [0, 1], "stereo-handler-right": [1, 0]}
_STEREO_KEYS = ("handler", "caller")
_MONO_KEYS = ("mixed",)

_BLOCK_FRAMES = 1 << 16  # decode in blocks so an hour-long 48 kHz call never sits in memory at source rate
# Without a length, libsndfile fails the whole read that crosses end of file: small blocks lose little.
_UNKNOWN_LENGTH_BLOCK = 1024
_SF_COUNT_MAX = 0x7FFFFFFFFFFFFFFF  # libsndfile's "length unknown"
_MP3_FRAME = 1152



@dataclass(frozen=True)
class AudioInfo:
    """What the file was before decoding; ``frames`` is -1 when the header does not say."""

    format: str
    subtype: str
    sample_rate: int
    channels: int
    frames: int
    non_finite_samples: int = 0   # NaN/Inf samples found and replaced by silence


class Channel:
    """One party's audio as 16 kHz float32, kept in an unlinked temporary file and read a stretch
    at a time, so a four-hour call costs disk, not memory (issue 17: 34 MB per minute held in RAM).

    Slicing (``channel[a:b]``) returns a numpy array; ``np.asarray(channel)`` reads it all, which
    short clips and tests may do but the analysis of a whole call must not. The file is unlinked
    from the start, so nothing of the call is left on disk after a crash.
    """

    def __init__(self, sample_rate: int = TARGET_RATE) -> None:
        self.sample_rate = sample_rate
        self._file = tempfile.TemporaryFile(prefix="callqa-")
        self._frames = 0

    @classmethod
    def from_array(cls, samples: np.ndarray, sample_rate: int = TARGET_RATE) -> Channel:
        channel = cls(sample_rate)
        channel.append(samples)
        return channel

    def append(self, samples: np.ndarray) -> None:
        data = np.ascontiguousarray(samples, dtype="<f4")
        os.pwrite(self._file.fileno(), data.tobytes(), self._frames * 4)
        self._frames += len(data)

    dtype = np.dtype(np.float32)
    ndim = 1

    def __len__(self) -> int:
        return self._frames

    @property
    def shape(self) -> tuple[int]:
        return (self._frames,)

    @property
    def duration_s(self) -> float:
        return self._frames / self.sample_rate

    def __getitem__(self, key: slice) -> np.ndarray:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("a Channel is read by contiguous slices, e.g. channel[a:b]")
        start, stop, _ = key.indices(self._frames)
        if stop <= start:
            return np.zeros(0, np.float32)
        data = os.pread(self._file.fileno(), (stop - start) * 4, start * 4)
        return np.frombuffer(data, dtype="<f4").astype(np.float32)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        samples = self[:]
        return samples if dtype is None else samples.astype(dtype)

    def close(self) -> None:
        self._file.close()


@dataclass
class CallAudio:
    """A decoded call: 16 kHz float32 channels (see Channel), one per party (or one "mixed")."""

    path: str
    layout: str
    sample_rate: int
    channels: dict[str, Channel]
    duration_s: float
    info: AudioInfo

    def close(self) -> None:
        """Free the decoded audio now rather than when the object is collected."""
        for channel in self.channels.values():
            channel.close()

    def __enter__(self) -> CallAudio:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def probe(path: str | PathLike[str]) -> AudioInfo:
    """Describe a recording from its headers, so a batch can reject bad files before decoding."""
    source = inspect_file(path)
    with _open(source) as sound:
        return _describe_stream(source, sound)


def load_call(path: str | PathLike[str], layout: str | None = None) -> CallAudio:
    """Decode a call into per-party 16 kHz float32 channels.

    ``layout`` None means "stereo-handler-left" for 2-channel files and "mono" for 1-channel
    files. "mono" on a 2-channel file averages the two sides.
    """
    _check_layout_name(path, layout)
    source = inspect_file(path)
    with _open(source) as sound:
        info = _describe_stream(source, sound)
        chosen = _choose_layout(source.path, layout, info.channels)
        keys = _MONO_KEYS if chosen == "mono" else _STEREO_KEYS
        channels = {key: Channel() for key in keys}
        try:
            decoded, non_finite = _decode(source, sound, info, chosen, list(channels.values()))
        except BaseException:
            for channel in channels.values():
                channel.close()
            raise
    return CallAudio(
        path=str(source.path),
        layout=chosen,
        sample_rate=TARGET_RATE,
        channels=channels,
        duration_s=decoded / info.sample_rate,
        info=replace(info, frames=decoded, non_finite_samples=non_finite),
    )


# --- layouts ---------------------------------------------------------------------------


def _check_layout_name(path: str | PathLike[str], layout: str | None) -> None:
    """Reject a misspelt layout before any decoding, listing the valid names."""
    if layout is not None and layout not in LAYOUTS:
        raise LayoutError(path, f"unknown layout {layout!r}; expected one of: {', '.join(LAYOUTS)}")


def _choose_layout(path: Path, layout: str | None, channels: int) -> str:
    """Pick the default layout, or refuse one the file's channel count cannot satisfy."""
    if channels > 2:
        raise LayoutError(path, f"{channels} channels; only mono or 2-channel stereo calls are supported")
    if layout is None:
        return "mono" if channels == 1 else LAYOUTS[0]
    if layout != "mono" and channels == 1:
        raise LayoutError(path, f"layout {layout!r} needs 2 channels, the file has 1; use 'mono'")
    return layout


def _arrange(block: np.ndarray, layout: str) -> np.ndarray:
    """Reorder a (frames, channels) block into the layout's columns: (handler, caller) or (mixed,)."""
    if layout == "mono":
        return block.mean(axis=1, keepdims=True, dtype=np.float32)
    return block[:, _STEREO_COLUMNS[layout]]


# --- decoding --------------------------------------------------------------------------


MIN_RATE, MAX_RATE = 6000, 192000   # telephone narrow band to studio; anything else is a corrupt header
MAX_NON_FINITE_SHARE = 0.5          # more NaN/Inf than this is not a recording


def _decode(source: Source, sound: sf.SoundFile, info: AudioInfo, layout: str,
            channels: list[Channel]) -> tuple[int, int]:
    """Decode block by block, resampling as we go, into `channels` (one per output column);
    returns (source frames decoded, frames with NaN/Inf samples, which are replaced by silence)."""
    width = 1 if layout == "mono" else 2
    stream = None
    if info.sample_rate != TARGET_RATE:
        stream = soxr.ResampleStream(info.sample_rate, TARGET_RATE, width, dtype="float32", quality="HQ")

    def keep(samples: np.ndarray) -> None:
        for i, channel in enumerate(channels):
            channel.append(samples[:, i])

    decoded = 0
    non_finite = 0
    try:
        for block in _blocks(sound, _BLOCK_FRAMES if info.frames >= 0 else _UNKNOWN_LENGTH_BLOCK):
            decoded += len(block)
            bad = ~np.isfinite(block)
            if bad.any():  # float WAVs can hold NaN/Inf: one would empty the whole transcript
                non_finite += int(bad.any(axis=1).sum())
                block = np.where(bad, np.float32(0.0), block)
            arranged = _arrange(block, layout)
            keep(stream.resample_chunk(arranged) if stream else arranged)
    except RuntimeError as err:  # LibsndfileError is a RuntimeError
        # With no length in the header, libsndfile signals the end of a streamed FLAC with an
        # error ("Internal psf_fseek() failed"): keep what was decoded rather than call it cut short.
        if info.frames >= 0 or decoded == 0:
            detail = f"decoder failed after {decoded} of {_frames_text(info)} samples: {_reason(err)}"
            raise TruncatedAudioError(source.path, detail) from err
    if stream is not None:
        keep(stream.resample_chunk(np.zeros((0, width), np.float32), last=True))
    _check_complete(source, info, decoded)
    if non_finite > MAX_NON_FINITE_SHARE * decoded:
        raise AudioError(source.path, f"{non_finite} of {decoded} samples are not numbers (NaN or Inf)")
    return decoded, non_finite


def _blocks(sound: sf.SoundFile, size: int) -> Iterator[np.ndarray]:
    """Yield float32 (frames, channels) blocks until the decoder runs dry.

    Not ``SoundFile.blocks``: with an unknown length it never stops at end of file.
    """
    while True:
        block = sound.read(size, dtype="float32", always_2d=True)
        if not len(block):
            return
        yield block


def _check_complete(source: Source, info: AudioInfo, decoded: int) -> None:
    """A file that yields fewer samples than its header promised was cut short."""
    if decoded == 0:
        raise EmptyAudioError(source.path, "no samples could be decoded")
    # MP3 lengths come from a Xing/LAME header or an estimate from file size, so allow a little slack.
    slack = max(2 * _MP3_FRAME, info.frames // 50) if info.format == "MP3" else 0
    if info.frames > 0 and decoded < info.frames - slack:
        detail = f"header promises {info.frames} samples, only {decoded} decoded"
        raise TruncatedAudioError(source.path, detail)


def _frames_text(info: AudioInfo) -> str:
    return str(info.frames) if info.frames >= 0 else "an unknown number of"


# --- opening with libsndfile -----------------------------------------------------------


@contextmanager
def _open(source: Source) -> Iterator[sf.SoundFile]:
    """Open with libsndfile, turning its errors into typed ones that name the file."""
    raw = None
    if source.streaming_size_at is not None:
        raw = _StreamingWav(source.path, source.streaming_size_at)
    try:
        try:
            sound = sf.SoundFile(raw if raw is not None else str(source.path))
        except RuntimeError as err:  # LibsndfileError, or a plain RuntimeError from older soundfile
            raise _open_failure(source, err) from err
        with sound:
            yield sound
    finally:
        if raw is not None:
            raw.close()


def _describe_stream(source: Source, sound: sf.SoundFile) -> AudioInfo:
    """Turn libsndfile's view of the header into AudioInfo; a header with no samples is empty."""
    frames = sound.frames if 0 <= sound.frames < _SF_COUNT_MAX else -1
    if frames == 0:
        raise EmptyAudioError(source.path, f"{sound.format} header declares no samples")
    if sound.samplerate <= 0 or sound.channels <= 0:
        raise NotAudioError(source.path, f"header gives {sound.samplerate} Hz, {sound.channels} channels")
    if not MIN_RATE <= sound.samplerate <= MAX_RATE:
        # A few corrupt header bytes claiming 1 Hz would make resampling allocate gigabytes.
        raise AudioError(source.path, f"header claims {sound.samplerate} Hz; a call recording's sample rate is "
                                      f"between {MIN_RATE} and {MAX_RATE} Hz")
    return AudioInfo(sound.format, sound.subtype, sound.samplerate, sound.channels, frames)


def _open_failure(source: Source, err: RuntimeError) -> AudioError:
    """Choose the error for a file libsndfile will not open: not audio, an unsupported codec, or damaged."""
    reason = _reason(err)
    container = container_name(source.head)
    if container is None:
        return NotAudioError(source.path, what_it_looks_like(source.head))
    if source.wav_tag is not None and source.wav_tag not in LIBSNDFILE_WAV_TAGS:
        codec = WAV_CODECS.get(source.wav_tag, f"WAV format tag 0x{source.wav_tag:04X}")
        return UnsupportedCodecError(source.path, f"{codec} in a WAV file")
    if container == "MP3":  # libmpg123 gives up on very short streams with a misleading message
        return AudioError(source.path, "MP3 stream too short or damaged to decode")
    generic = reason in ("the file is damaged", "the decoder could not read it")
    return AudioError(source.path, f"damaged {container} file" + ("" if generic else f": {reason}"))


def _reason(err: BaseException) -> str:
    """What libsndfile's error means, in plain words: its own ("SF_INFO struct incomplete",
    "possibly a pipe?") name its internals, not the recording's problem."""
    return plain_decoder_message((getattr(err, "error_string", "") or str(err)).strip())


class _StreamingWav(io.RawIOBase):
    """A WAV whose data size is 0, shown to libsndfile as 0xFFFFFFFF ("read to end of file").

    Recorders that stream to disk write 0 and fix it on close; a crash leaves the 0, and
    libsndfile would then read no samples from a file full of audio.
    """

    _PATCH = b"\xff\xff\xff\xff"

    def __init__(self, path: Path, size_at: int) -> None:
        super().__init__()
        self._file = path.open("rb")
        self._size_at = size_at

    def readinto(self, buffer) -> int:  # type: ignore[override]
        start = self._file.tell()
        count = self._file.readinto(buffer) or 0
        low, high = max(start, self._size_at), min(start + count, self._size_at + 4)
        if low < high:
            patch = self._PATCH[low - self._size_at : high - self._size_at]
            memoryview(buffer)[low - start : high - start] = patch
        return count

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def close(self) -> None:
        self._file.close()
        super().close()
