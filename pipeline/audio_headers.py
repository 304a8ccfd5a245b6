"""What a recording's bytes say before libsndfile sees them: magic numbers, RIFF chunks, cuts.

libsndfile quietly reads what is there of a damaged file and says little when it fails, so
these cheap header checks name unsupported codecs, non-audio files and truncation first.
"""

from __future__ import annotations

import io
import re
import stat
import struct
from dataclasses import dataclass
from pathlib import Path
from os import PathLike

from callqa.messages import show_bytes
from callqa.pipeline.errors import (
    AudioError,
    EmptyAudioError,
    MissingAudioError,
    NotAudioError,
    TruncatedAudioError,
    UnsupportedCodecError,
)

_HEAD_BYTES = 128
_MAX_CHUNKS = 1024  # bound on header walks, so a hostile file cannot spin the loop
_STREAMING_SIZES = (0, 0xFFFFFFFF)  # RIFF data sizes that mean "written while streaming, length unknown"

# WAV format tags seen on telephony/media exports that libsndfile cannot decode.
WAV_CODECS = {
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
LIBSNDFILE_WAV_TAGS = {0x0001, 0x0002, 0x0003, 0x0006, 0x0007, 0x0011, 0x0031, 0x0040, 0x0055, 0xFFFE}

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
class Source:
    """A file that passed the cheap checks, with what they learned about its header."""

    path: Path
    size: int
    head: bytes
    wav_tag: int | None = None
    streaming_size_at: int | None = None  # offset of a RIFF data size of 0 that must be read as "to end"




def inspect_file(path: str | PathLike[str]) -> Source:
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
    return Source(file, size, head)


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
    if not (len(head) > 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and head[1] & 0x06):
        return False
    # A bitrate index of 15 or a sample-rate index of 3 is reserved: no encoder writes them (a
    # UTF-16 text file starts FF FE, which would otherwise pass for an MPEG frame).
    return head[2] >> 4 != 0xF and (head[2] >> 2) & 0x3 != 0x3


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


def _check_riff(file: Path, head: bytes, size: int) -> Source:
    """Walk RIFF chunk headers up to 'data': a chunk that runs past end of file means cut short.

    libsndfile itself quietly reads whatever part of the data is present.
    """
    if len(head) < 12:
        raise TruncatedAudioError(file, "RIFF header cut short")
    if head[8:12] != b"WAVE":
        return Source(file, size, head)
    order = ">" if head[:4] == b"RIFX" else "<"
    if head[:4] == b"RF64":
        _check_ds64(file, head)
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
                raise TruncatedAudioError(file, _cut_chunk(chunk_id, position))
            if chunk_id == b"fmt ":
                tag = _format_tag(handle.read(min(chunk_size, 26)), order)
            position = _next_chunk(handle, end, chunk_size, order)
    return Source(file, size, head, wav_tag=tag)


def _cut_chunk(chunk_id: bytes, position: int) -> str:
    """Say which chunk runs past the end; a garbage id (a damaged header) is described, not printed."""
    if _is_chunk_id(chunk_id):
        return f"WAV {show_bytes(chunk_id)} chunk cut short"
    return (f"WAV header damaged: the chunk at byte {position} has an unreadable id ({show_bytes(chunk_id)}) "
            "and a size that runs past the end of the file")


_DS64_BYTES = 28   # RIFF size, data size and sample count (8 bytes each), table length (4)


def _check_ds64(file: Path, head: bytes) -> None:
    """RF64 keeps the real sizes in a 'ds64' chunk right after the header; libsndfile reads a file
    without one from whatever the 32-bit fields say, so a missing ds64 would go unnoticed."""
    if len(head) < 20 or head[12:16] != b"ds64":
        raise AudioError(file, "RF64 file without its 'ds64' chunk, which holds the audio's real length")
    if struct.unpack("<I", head[16:20])[0] < _DS64_BYTES or len(head) < 20 + _DS64_BYTES:
        raise TruncatedAudioError(file, "RF64 'ds64' chunk is too short to hold the audio's length")


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


def _data_chunk(file: Path, head: bytes, size: int, tag: int | None, position: int, declared: int) -> Source:
    """Accept streaming sizes (0, 0xFFFFFFFF); otherwise the declared bytes must all be there."""
    present = size - position - 8
    if declared in _STREAMING_SIZES:
        streaming_at = position + 4 if declared == 0 and present > 0 else None
        return Source(file, size, head, wav_tag=tag, streaming_size_at=streaming_at)
    if declared > present:
        raise TruncatedAudioError(file, f"WAV data chunk declares {declared} bytes, only {present} present")
    return Source(file, size, head, wav_tag=tag)


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


def container_name(head: bytes) -> str | None:
    """The audio container a file's magic number claims, or None when it claims none."""
    if head[:4] in (b"RIFF", b"RIFX", b"RF64"):
        return "WAV"
    for magic, name in _AUDIO_MAGIC:
        if head.startswith(magic):
            return name
    if _is_mpeg_sync(head):
        return "MP3"
    return None


def what_it_looks_like(head: bytes) -> str:
    """A short guess at what a non-audio file is, for the error message."""
    for magic, name in _NOT_AUDIO_MAGIC:
        if head.startswith(magic):
            return f"looks like {name}"
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "looks like UTF-16 text"
    text = head.removeprefix(b"\xef\xbb\xbf")
    if text and all(byte in _TEXT_BYTES or byte == 0x1B for byte in text):
        return "looks like text"
    return "no known audio header"


# --- the decoder's words, in plain ones -------------------------------------------------------

# libsndfile's messages name its own structs and guess wrongly ("possibly a pipe?" for a regular
# file that libmpg123 gave up on). Each known one becomes what it means for a recording; the
# match is on a lower-cased fragment, so small wording changes between versions still match.
_DECODER_MESSAGES = (
    ("format not recognised", "not in an audio format that can be read"),
    ("unimplemented format", "the header describes a sample encoding that cannot be decoded"),
    ("malformed 'fmt ' chunk", "the WAV 'fmt ' header is damaged"),
    ("short 'fmt ' chunk", "the WAV 'fmt ' header is too short"),
    ("no 'data' chunk marker", "no audio data chunk where the WAV header says it starts"),
    ("channel count is zero", "the header says the file has no channels"),
    ("too many channels", "the header claims more channels than any recording has"),
    ("bad number of channels", "the header gives an impossible number of channels"),
    ("sample rate", "the header gives an impossible sample rate"),
    ("supported file format but file is malformed", "the file is damaged"),
    ("possibly a pipe", "the audio stream is too short or damaged to decode"),
    ("flac decoder", "the FLAC stream is damaged"),
    ("sf_info", "the header is incomplete or inconsistent"),
    ("psf_f", "the file ends or breaks off where the header says audio continues"),
    ("unspecified internal error", "the decoder failed on damaged data"),
    ("file is empty", "no audio in the file"),
)
_ERROR_IN = re.compile(r"^error in [\w/]+ file\.\s*", re.IGNORECASE)   # "Error in WAV/W64/RF64 file."
_INTERNAL_WORDS = ("sf_", "psf_", "libsndfile", "internal", "struct", "mpg123", "0x")


def plain_decoder_message(text: str) -> str:
    """What a decoder's error means for the recording, in words a user can act on.

    Unknown messages are passed on only when they read as plain words (short, printable, no
    function or struct names); anything else becomes "the decoder could not read it"."""
    text = _ERROR_IN.sub("", text.strip())
    lowered = text.lower()
    for fragment, plain in _DECODER_MESSAGES:
        if fragment in lowered:
            return plain
    words = text.strip().rstrip(".")
    if not words or len(words) > 120 or any(w in lowered for w in _INTERNAL_WORDS) or not words.isprintable():
        return "the decoder could not read it"
    return words[0].lower() + words[1:]
