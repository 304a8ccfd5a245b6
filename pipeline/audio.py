"""Load a call recording as 16 kHz float32 channels, or say exactly why it cannot be used.

Decoding is libsndfile's (through soundfile): WAV PCM/float, G.711 mu-law and A-law,
GSM 6.10, IMA/MS ADPCM, FLAC, MP3, Ogg Vorbis/Opus and the other formats it knows.
Formats are recognised by content, never by file extension: telephony exports often carry
names like ``.g711`` or ``.gsm610``.

libsndfile is lenient with damaged files (it quietly reads what is there) and terse when it
fails ("Format not recognised", "Malformed 'fmt ' chunk"). A batch needs to know *which*
file is bad and *why*, so this module checks container headers itself and turns every
failure into one of the typed errors in ``pipeline.errors``:

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
import stat
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from os import PathLike
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

from pipeline.errors import (
    AudioError,
    EmptyAudioError,
    LayoutError,
    MissingAudioError,
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
_HEAD_BYTES = 128
_MAX_CHUNKS = 1024  # bound on header walks, so a hostile file cannot spin the loop
_SF_COUNT_MAX = 0x7FFFFFFFFFFFFFFF  # libsndfile's "length unknown"
_STREAMING_SIZES = (0, 0xFFFFFFFF)  # RIFF data sizes that mean "written while streaming, length unknown"
_MP3_FRAME = 1152

# WAV format tags seen on telephony/media exports that libsndfile cannot decode.
_WAV_CODECS = {
    0x0014: "G.723 ADPCM",
    0x0022: "DSP Group TrueSpeech",
    0x0042: "G.723.1",
    0x0045: "G.726",
    0x0050: "MPEG-1 Layer I/II",
    0x0057: "AMR-NB",
    0x0058: "AMR-WB",
    0x0064: "G.726 ADPCM",
    0x0065: "G.722 ADPCM",
    0x0083: "G.729A",
    0x00FF: "AAC",
    0x0160: "WMA v1",
    0x0161: "WMA v2",
    0x1610: "HE-AAC",
    0x7361: "AMR-NB",
    0x7362: "AMR-WB",
}
# Tags libsndfile reads, so a failure on one of them is damage, not an unsupported codec.
_LIBSNDFILE_WAV_TAGS = {0x0001, 0x0002, 0x0003, 0x0006, 0x0007, 0x0011, 0x0031, 0x0040, 0x0055, 0xFFFE}

# Magic numbers of containers libsndfile cannot read, checked before it gets the file.
_UNSUPPORTED_MAGIC = (
    (b"#!AMR-WB", "AMR-WB (adaptive multi-rate wideband)"),
    (b"#!AMR", "AMR-NB (adaptive multi-rate narrowband)"),
    (b"\x1a\x45\xdf\xa3", "Matroska/WebM container"),
    (b"\x30\x26\xb2\x75\x8e\x66\xcf\x11", "WMA/ASF container"),
    (b".RMF", "RealMedia"),
    (b"#!SILK", "SILK"),
)
_NOT_AUDIO_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive or Office document"),
    (b"\x7fELF", "an executable"),
)
_AUDIO_MAGIC = (
    (b"fLaC", "FLAC"), (b"OggS", "Ogg"), (b"ID3", "MP3"), (b"FORM", "AIFF"), (b"caff", "CAF"), (b".snd", "AU"),
)
_TEXT_BYTES = frozenset(range(0x20, 0x7F)) | {0x09, 0x0A, 0x0D}


@dataclass(frozen=True)
class AudioInfo:
    """What the file was before decoding; ``frames`` is -1 when the header does not say."""

    format: str
    subtype: str
    sample_rate: int
    channels: int
    frames: int


@dataclass
class CallAudio:
    """A decoded call: float32 mono arrays at TARGET_RATE, one per party (or one "mixed")."""

    path: str
    layout: str
    sample_rate: int
    channels: dict[str, np.ndarray]
    duration_s: float
    info: AudioInfo


@dataclass(frozen=True)
class _Source:
    """A file that passed the cheap checks, with what they learned about its header."""

    path: Path
    size: int
    head: bytes
    wav_tag: int | None = None
    streaming_size_at: int | None = None  # offset of a RIFF data size of 0 that must be read as "to end"


def probe(path: str | PathLike[str]) -> AudioInfo:
    """Describe a recording from its headers, so a batch can reject bad files before decoding."""
    source = _inspect(path)
    with _open(source) as sound:
        return _describe_stream(source, sound)


def load_call(path: str | PathLike[str], layout: str | None = None) -> CallAudio:
    """Decode a call into per-party 16 kHz float32 channels.

    ``layout`` None means "stereo-handler-left" for 2-channel files and "mono" for 1-channel
    files. "mono" on a 2-channel file averages the two sides.
    """
    _check_layout_name(path, layout)
    source = _inspect(path)
    with _open(source) as sound:
        info = _describe_stream(source, sound)
        chosen = _choose_layout(source.path, layout, info.channels)
        samples, decoded = _decode(source, sound, info, chosen)
    keys = _MONO_KEYS if chosen == "mono" else _STEREO_KEYS
    return CallAudio(
        path=str(source.path),
        layout=chosen,
        sample_rate=TARGET_RATE,
        channels={key: np.ascontiguousarray(samples[:, i]) for i, key in enumerate(keys)},
        duration_s=decoded / info.sample_rate,
        info=replace(info, frames=decoded),
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


def _decode(source: _Source, sound: sf.SoundFile, info: AudioInfo, layout: str) -> tuple[np.ndarray, int]:
    """Decode block by block, resampling as we go; returns (samples at 16 kHz, source frames decoded)."""
    width = 1 if layout == "mono" else 2
    stream = None
    if info.sample_rate != TARGET_RATE:
        stream = soxr.ResampleStream(info.sample_rate, TARGET_RATE, width, dtype="float32", quality="HQ")
    pieces: list[np.ndarray] = []
    decoded = 0
    try:
        for block in _blocks(sound, _BLOCK_FRAMES if info.frames >= 0 else _UNKNOWN_LENGTH_BLOCK):
            decoded += len(block)
            arranged = _arrange(block, layout)
            pieces.append(stream.resample_chunk(arranged) if stream else arranged)
    except RuntimeError as err:  # LibsndfileError is a RuntimeError
        # With no length in the header, libsndfile signals the end of a streamed FLAC with an
        # error ("Internal psf_fseek() failed"): keep what was decoded rather than call it cut short.
        if info.frames >= 0 or decoded == 0:
            detail = f"decoder failed after {decoded} of {_frames_text(info)} samples: {_reason(err)}"
            raise TruncatedAudioError(source.path, detail) from err
    if stream is not None:
        pieces.append(stream.resample_chunk(np.zeros((0, width), np.float32), last=True))
    _check_complete(source, info, decoded)
    return np.concatenate(pieces).astype(np.float32, copy=False), decoded


def _blocks(sound: sf.SoundFile, size: int) -> Iterator[np.ndarray]:
    """Yield float32 (frames, channels) blocks until the decoder runs dry.

    Not ``SoundFile.blocks``: with an unknown length it never stops at end of file.
    """
    while True:
        block = sound.read(size, dtype="float32", always_2d=True)
        if not len(block):
            return
        yield block


def _check_complete(source: _Source, info: AudioInfo, decoded: int) -> None:
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
def _open(source: _Source) -> Iterator[sf.SoundFile]:
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


def _describe_stream(source: _Source, sound: sf.SoundFile) -> AudioInfo:
    """Turn libsndfile's view of the header into AudioInfo; a header with no samples is empty."""
    frames = sound.frames if 0 <= sound.frames < _SF_COUNT_MAX else -1
    if frames == 0:
        raise EmptyAudioError(source.path, f"{sound.format} header declares no samples")
    if sound.samplerate <= 0 or sound.channels <= 0:
        raise NotAudioError(source.path, f"header gives {sound.samplerate} Hz, {sound.channels} channels")
    return AudioInfo(sound.format, sound.subtype, sound.samplerate, sound.channels, frames)


def _open_failure(source: _Source, err: RuntimeError) -> AudioError:
    """Choose the error for a file libsndfile will not open: not audio, an unsupported codec, or damaged."""
    reason = _reason(err)
    container = _container(source.head)
    if container is None:
        return NotAudioError(source.path, f"{_what_it_looks_like(source.head)}; libsndfile: {reason}")
    if source.wav_tag is not None and source.wav_tag not in _LIBSNDFILE_WAV_TAGS:
        codec = _WAV_CODECS.get(source.wav_tag, f"WAV format tag 0x{source.wav_tag:04X}")
        return UnsupportedCodecError(source.path, f"{codec} in a WAV file")
    if container == "MP3":  # libmpg123 gives up on very short streams with a misleading message
        return AudioError(source.path, f"MP3 stream too short or damaged to decode (libsndfile: {reason})")
    return AudioError(source.path, f"{container} file that libsndfile cannot open: {reason}")


def _reason(err: BaseException) -> str:
    """libsndfile's own words, without soundfile's "Error opening '<path>':" prefix."""
    return (getattr(err, "error_string", "") or str(err)).strip()


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


# --- cheap checks before libsndfile ----------------------------------------------------


def _inspect(path: str | PathLike[str]) -> _Source:
    """Run the checks libsndfile does not: file exists, known-unsupported codecs, cut-short headers."""
    file, size = _regular_file(path)
    head = _read_head(file)
    _reject_unsupported(file, head)
    if head[:3] == b"ID3":
        start = _after_id3(file, head, size)
        body = _read_head(file, start)
        _reject_unsupported(file, body)
        if _is_mpeg_sync(body):
            _check_mp3(file, body, size - start)
    elif _is_mpeg_sync(head):
        _check_mp3(file, head, size)
    if head[:4] == b"fLaC":
        _check_flac(file, size)
    if head[:4] == b"OggS" and _ogg_cut_short(file, size):
        raise TruncatedAudioError(file, "last Ogg page is incomplete or has no end-of-stream mark")
    if head[:4] in (b"RIFF", b"RIFX", b"RF64"):
        return _check_riff(file, head, size)
    return _Source(file, size, head)


def _regular_file(path: str | PathLike[str]) -> tuple[Path, int]:
    """Missing, directory, special or 0-byte paths fail here with a plain-words reason."""
    file = Path(path)
    try:
        info = file.stat()
    except FileNotFoundError:
        raise MissingAudioError(file, "no such file") from None
    except OSError as err:
        raise AudioError(file, f"cannot be read: {err.strerror or err}") from None
    if stat.S_ISDIR(info.st_mode):
        raise NotAudioError(file, "is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise NotAudioError(file, "not a regular file")
    if info.st_size == 0:
        raise EmptyAudioError(file, "0 bytes")
    return file, info.st_size


def _read_head(file: Path, start: int = 0) -> bytes:
    """The file's first bytes (or those at ``start``), for magic-number checks."""
    try:
        with file.open("rb") as handle:
            handle.seek(start)
            return handle.read(_HEAD_BYTES)
    except OSError as err:
        raise AudioError(file, f"cannot be read: {err.strerror or err}") from None


def _reject_unsupported(file: Path, head: bytes) -> None:
    """Name codecs libsndfile cannot decode, rather than let it call them "not recognised"."""
    for magic, codec in _UNSUPPORTED_MAGIC:
        if head.startswith(magic):
            raise UnsupportedCodecError(file, codec)
    if head[4:8] == b"ftyp":
        brand = head[8:12].decode("ascii", "replace").strip()
        raise UnsupportedCodecError(file, f"MP4/3GP container (brand {brand!r}; AAC or AMR audio)")
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        raise UnsupportedCodecError(file, "AAC (ADTS stream)")
    if head.startswith(b"OggS") and b"Speex   " in head[26:]:
        raise UnsupportedCodecError(file, "Speex in Ogg")


def _after_id3(file: Path, head: bytes, size: int) -> int:
    """Where the audio starts after an ID3v2 tag; a file that is all tag is cut short."""
    if len(head) < 10:
        raise TruncatedAudioError(file, "ID3 tag cut short")
    tag_size = 0
    for byte in head[6:10]:  # "syncsafe" integer: 7 bits per byte
        tag_size = (tag_size << 7) | (byte & 0x7F)
    start = 10 + tag_size + (10 if head[5] & 0x10 else 0)
    if start >= size:
        raise TruncatedAudioError(file, "file ends inside or right after its ID3 tag, before any audio")
    return start


def _is_mpeg_sync(head: bytes) -> bool:
    """An MPEG audio frame header: 11 sync bits and a layer other than the reserved 00 (ADTS AAC)."""
    return len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and bool(head[1] & 0x06)


def _check_mp3(file: Path, first: bytes, present: int) -> None:
    """A Xing/Info header (LAME, ffmpeg) records the stream's byte length: fewer bytes present = cut short.

    Without one, libsndfile estimates the length from the file size and a cut cannot be seen.
    """
    at = max(first.find(b"Xing"), first.find(b"Info"))
    if at < 0 or len(first) < at + 16:
        return
    flags = int.from_bytes(first[at + 4 : at + 8], "big")
    if not flags & 0x2:  # no byte count
        return
    offset = at + 8 + (4 if flags & 0x1 else 0)
    declared = int.from_bytes(first[offset : offset + 4], "big")
    if declared > present:
        detail = f"MP3 header declares {declared} bytes of audio, only {present} present"
        raise TruncatedAudioError(file, detail)


def _check_flac(file: Path, size: int) -> None:
    """Walk FLAC metadata blocks: ending inside them, or with no frames after them, means cut short."""
    promised = -1
    position = 4
    with file.open("rb") as handle:
        for _ in range(_MAX_CHUNKS):
            handle.seek(position)
            header = handle.read(4)
            if len(header) < 4:
                raise TruncatedAudioError(file, "FLAC metadata cut short")
            if header[0] & 0x7F == 0:  # STREAMINFO: total samples are its last 36 bits before the MD5
                promised = int.from_bytes(handle.read(34)[10:18], "big") & ((1 << 36) - 1)
            position += 4 + int.from_bytes(header[1:4], "big")
            if position > size:
                raise TruncatedAudioError(file, "FLAC metadata cut short")
            if header[0] & 0x80:  # last metadata block
                break
    if position == size:
        error = EmptyAudioError if promised <= 0 else TruncatedAudioError
        raise error(file, "no audio frames after the FLAC header")


def _check_riff(file: Path, head: bytes, size: int) -> _Source:
    """Walk RIFF chunk headers up to 'data': a chunk that runs past end of file means cut short.

    libsndfile itself quietly reads whatever part of the data is present.
    """
    if len(head) < 12:
        raise TruncatedAudioError(file, "RIFF header cut short")
    if head[8:12] != b"WAVE":
        return _Source(file, size, head)
    order = ">" if head[:4] == b"RIFX" else "<"
    tag: int | None = None
    position = 12
    with file.open("rb") as handle:
        for _ in range(_MAX_CHUNKS):
            chunk_id, chunk_size = _chunk_header(handle, position, order)
            if chunk_id is None:
                raise TruncatedAudioError(file, "WAV header cut short before the data chunk")
            if chunk_id == b"data":
                return _data_chunk(file, head, size, tag, position, chunk_size)
            end = position + 8 + chunk_size
            if end > size:
                raise TruncatedAudioError(file, f"WAV {chunk_id.decode('latin-1')!r} chunk cut short")
            if chunk_id == b"fmt ":
                tag = _format_tag(handle.read(min(chunk_size, 26)), order)
            position = _next_chunk(handle, end, chunk_size, order)
    return _Source(file, size, head, wav_tag=tag)


def _chunk_header(handle: io.BufferedReader, position: int, order: str) -> tuple[bytes | None, int]:
    """Read one 8-byte chunk header; (None, 0) when the file ends first."""
    handle.seek(position)
    header = handle.read(8)
    if len(header) < 8:
        return None, 0
    return header[:4], struct.unpack(order + "I", header[4:])[0]


def _next_chunk(handle: io.BufferedReader, end: int, chunk_size: int, order: str) -> int:
    """Chunks are word-aligned, but some writers skip the pad byte: follow whichever has a real id."""
    if not chunk_size & 1:
        return end
    padded_id, _ = _chunk_header(handle, end + 1, order)
    if padded_id is not None and _is_chunk_id(padded_id):
        return end + 1
    unpadded_id, _ = _chunk_header(handle, end, order)
    return end if unpadded_id is not None and _is_chunk_id(unpadded_id) else end + 1


def _is_chunk_id(chunk_id: bytes) -> bool:
    return all(0x20 <= byte < 0x7F for byte in chunk_id)


def _format_tag(fmt: bytes, order: str) -> int | None:
    """The codec tag of a 'fmt ' chunk, looking inside WAVE_FORMAT_EXTENSIBLE's sub-format."""
    if len(fmt) < 2:
        return None
    tag = struct.unpack(order + "H", fmt[:2])[0]
    if tag == 0xFFFE and len(fmt) >= 26:
        return struct.unpack(order + "H", fmt[24:26])[0]
    return tag


def _data_chunk(file: Path, head: bytes, size: int, tag: int | None, position: int, declared: int) -> _Source:
    """Accept streaming sizes (0, 0xFFFFFFFF); otherwise the declared bytes must all be there."""
    present = size - position - 8
    if declared in _STREAMING_SIZES:
        streaming_at = position + 4 if declared == 0 and present > 0 else None
        return _Source(file, size, head, wav_tag=tag, streaming_size_at=streaming_at)
    if declared > present:
        raise TruncatedAudioError(file, f"WAV data chunk declares {declared} bytes, only {present} present")
    return _Source(file, size, head, wav_tag=tag)


def _ogg_cut_short(file: Path, size: int) -> bool:
    """True when the last Ogg page is incomplete or lacks the end-of-stream flag."""
    with file.open("rb") as handle:
        handle.seek(max(0, size - 65307 - 8))  # 65307 = largest possible Ogg page
        tail = handle.read()
    start = tail.rfind(b"OggS")
    if start < 0 or len(tail) - start < 27:
        return True
    segments = tail[start + 27 : start + 27 + tail[start + 26]]
    if len(segments) < tail[start + 26] or start + 27 + len(segments) + sum(segments) > len(tail):
        return True
    return not tail[start + 5] & 0x04


# --- naming what a file is -------------------------------------------------------------


def _container(head: bytes) -> str | None:
    """The audio container a file's magic number claims, or None when it claims none."""
    if head[:4] in (b"RIFF", b"RIFX", b"RF64"):
        return "WAV"
    for magic, name in _AUDIO_MAGIC:
        if head.startswith(magic):
            return name
    if _is_mpeg_sync(head):
        return "MP3"
    return None


def _what_it_looks_like(head: bytes) -> str:
    """A short guess at what a non-audio file is, for the error message."""
    for magic, name in _NOT_AUDIO_MAGIC:
        if head.startswith(magic):
            return f"looks like {name}"
    if head and all(byte in _TEXT_BYTES for byte in head):
        return "looks like text"
    return "no known audio header"
