"""Generators of malformed recorder exports and audio files, for robustness tests and benchmarks.

Every generator is deterministic (seeded), builds its inputs in memory, and yields ``Case``s that
write themselves into a folder. Three kinds:

- ``manifest``: an export folder with a ``manifest.csv`` holding good rows and one bad thing (a
  bad cell, a broken structure, a bad encoding, a symlink), or a whole manifest fuzzed at random;
- ``sidecar``: an export folder of JSON sidecars, one of them bad;
- ``audio``: one file (damaged headers of WAV/RF64/FLAC/MP3/Ogg, odd sample rates, NaN samples,
  non-audio, odd names, symlinks) to be read by ``callqa.pipeline.audio.probe`` and ``load_call``.

A case says what a correct reader must do with it where that is known: how many good calls an
export holds (none may be lost), and whether an audio file must load (``expect="ok"``) or be
refused (``expect="error"``).
"""

from __future__ import annotations

import codecs
import io
import json
import os
import random
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import soundfile as sf

FIELDS = ("call_id", "audio", "started_at", "call_type", "area", "handler_id", "channels", "answer_delay_s",
          "training")
HEADER = ",".join(FIELDS)
OUTSIDE_SECRET = "root:x:0:0:outside-the-export-secret-line"
SEED = 1317


@dataclass(frozen=True)
class Case:
    """One malformed input. ``files`` and ``links`` are relative to the export folder (for audio:
    the folder holding ``target``); a link target starting with ``@outside/`` points beside it."""

    kind: str                        # "manifest" | "sidecar" | "audio"
    name: str                        # short id, unique within its kind
    files: dict[str, bytes] = field(default_factory=dict)
    links: tuple[tuple[str, str], ...] = ()
    dirs: tuple[str, ...] = ()
    fifos: tuple[str, ...] = ()
    target: str = ""                 # audio: the file to read; exports: ""
    good: tuple[str, ...] = ()       # call ids that must come out as calls (none lost)
    rows: int | None = None          # exports: data rows (calls + errors) expected, when known
    expect: str | None = None        # audio: "ok" (must load) or "error" (must be refused)
    values: tuple[str, ...] = ()     # input values no message may echo beyond an excerpt
    whole: bool | None = None        # exports: True when the whole export must be refused

    def write(self, root: Path) -> Path:
        """Materialise the case under ``root``; returns the export folder or the audio file."""
        folder = root / "export"
        outside = root / "outside"
        folder.mkdir(parents=True, exist_ok=True)
        outside.mkdir(exist_ok=True)
        (outside / "secret.txt").write_text(OUTSIDE_SECRET + "\n")
        (outside / "secret.wav").write_bytes(good_wav())
        for name in self.dirs:
            (folder / name).mkdir(parents=True, exist_ok=True)
        for name, content in self.files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        for name, target in self.links:
            link = folder / name
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(outside / target.removeprefix("@outside/") if target.startswith("@outside/") else target)
        for name in self.fifos:
            os.mkfifo(folder / name)
        return folder / self.target if self.target else folder


# --- audio building blocks ------------------------------------------------------------------------


def _encode(data: np.ndarray, rate: int, fmt: str, subtype: str | None = None) -> bytes:
    out = io.BytesIO()
    sf.write(out, data, rate, format=fmt, subtype=subtype)
    return out.getvalue()


def _tone(rate: int, seconds: float, channels: int) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    wave = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    return np.stack([wave] * channels, axis=1) if channels > 1 else wave


@lru_cache(maxsize=None)
def good_wav(rate: int = 8000, channels: int = 2, subtype: str = "PCM_16", seconds: float = 0.25) -> bytes:
    """A valid WAV to damage."""
    return _encode(_tone(rate, seconds, channels), rate, "WAV", subtype)


@lru_cache(maxsize=None)
def good_audio() -> dict[str, bytes]:
    """One valid file per container the generators damage."""
    return {
        "wav16": good_wav(),
        "wavfloat": good_wav(16000, 1, "FLOAT"),
        "wavulaw": good_wav(8000, 2, "ULAW"),
        "rf64": _encode(_tone(8000, 0.25, 2), 8000, "RF64", "PCM_16"),
        "flac": _encode(_tone(16000, 0.5, 2), 16000, "FLAC", "PCM_16"),
        "mp3": _encode(_tone(16000, 1.0, 1), 16000, "MP3", "MPEG_LAYER_III"),
        "ogg": _encode(_tone(16000, 0.5, 1), 16000, "OGG", "VORBIS"),
    }


EXTENSIONS = {"wav16": "wav", "wavfloat": "wav", "wavulaw": "wav", "rf64": "wav", "flac": "flac", "mp3": "mp3",
              "ogg": "ogg"}


def riff(chunks: list[tuple[bytes, bytes]], form: bytes = b"RIFF", size: int | None = None) -> bytes:
    """A RIFF/WAVE file from (id, payload) chunks, word-aligned; ``size`` overrides the RIFF size."""
    body = b"WAVE"
    for chunk_id, payload in chunks:
        body += chunk_id + struct.pack("<I", len(payload)) + payload + (b"\x00" if len(payload) & 1 else b"")
    return form + struct.pack("<I", len(body) if size is None else size) + body


def fmt_chunk(tag: int = 1, channels: int = 1, rate: int = 8000, bits: int = 16, block: int | None = None,
              byte_rate: int | None = None, extra: bytes = b"") -> bytes:
    block = channels * bits // 8 if block is None else block
    byte_rate = rate * block if byte_rate is None else byte_rate
    return struct.pack("<HHIIHH", tag, channels & 0xFFFF, rate & 0xFFFFFFFF, byte_rate & 0xFFFFFFFF,
                       block & 0xFFFF, bits & 0xFFFF) + extra


def pcm(frames: int = 2000, channels: int = 1) -> bytes:
    return (np.sin(np.arange(frames * channels) / 5) * 8000).astype("<i2").tobytes()


def _chunk(data: bytes, chunk_id: bytes, size: int) -> bytes:
    """Rewrite the size field of the first chunk ``chunk_id`` in a RIFF file."""
    at = data.find(chunk_id, 12)
    if at < 0:
        return data
    return data[: at + 4] + struct.pack("<I", size & 0xFFFFFFFF) + data[at + 8 :]


# --- audio cases ----------------------------------------------------------------------------------


def audio_cases() -> Iterator[Case]:
    """Every malformed (and oddly named) audio file, in a fixed order."""
    yield from truncated_audio()
    yield from garbled_audio()
    yield from wav_header_cases()
    yield from rf64_cases()
    yield from flac_cases()
    yield from mp3_ogg_cases()
    yield from non_audio_cases()
    yield from odd_name_cases()
    yield from special_file_cases()


def _audio(name: str, content: bytes, expect: str | None = None, filename: str | None = None) -> Case:
    filename = filename or f"{name}.wav"
    return Case("audio", name, {filename: content}, target=filename, expect=expect)


def truncated_audio() -> Iterator[Case]:
    """Each container cut at header offsets and at fractions of its length."""
    for base, data in good_audio().items():
        cuts = sorted({1, 2, 3, 4, 8, 11, 12, 16, 20, 24, 36, 40, 43, 44, 45, 48, 60, 100, 200, 400, 1000}
                      | {int(len(data) * f) for f in (0.1, 0.25, 0.5, 0.75, 0.9, 0.99)})
        for cut in cuts:
            if cut < len(data):
                yield _audio(f"cut-{base}-{cut}", data[:cut], filename=f"cut-{base}-{cut}.{EXTENSIONS[base]}")


def garbled_audio() -> Iterator[Case]:
    """Random byte flips in the first 64 bytes (the headers), seeded per container."""
    rng = random.Random(SEED)
    for base, data in good_audio().items():
        for n in range(24):
            damaged = bytearray(data)
            for _ in range(rng.randint(1, 4)):
                at = rng.randrange(0, min(64, len(damaged)))
                damaged[at] = rng.randrange(256)
            yield _audio(f"garble-{base}-{n}", bytes(damaged), filename=f"garble-{base}-{n}.{EXTENSIONS[base]}")
        for n in range(8):  # random bytes spliced into the middle
            at = rng.randrange(12, len(data))
            junk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
            yield _audio(f"splice-{base}-{n}", data[:at] + junk + data[at:],
                         filename=f"splice-{base}-{n}.{EXTENSIONS[base]}")


def wav_header_cases() -> Iterator[Case]:
    """Hand-built WAV headers: wrong sizes, odd rates and widths, garbage chunk ids, NaN samples."""
    good = [(b"fmt ", fmt_chunk()), (b"data", pcm())]
    yield _audio("wav-handbuilt-ok", riff(good), expect="ok")
    for size in (0, 1, 4, 35, 0x7FFFFFFF, 0xFFFFFFFF, 0xFFFFFFFE):
        yield _audio(f"wav-riffsize-{size}", riff(good, size=size))
    data = riff(good)
    for size in (0, 1, 2, 3, 15, 17, 18, 40, 1000, 0x7FFFFFFF, 0xFFFFFFFF):
        yield _audio(f"wav-fmtsize-{size}", _chunk(data, b"fmt ", size))
    for size in (1, 3, 1999, 4001, 4002, 10**6, 0x7FFFFFFF, 0xFFFFFFFE):
        yield _audio(f"wav-datasize-{size}", _chunk(data, b"data", size))
    for rate in (0, 1, 2, 100, 4000, 5999, 6000, 7999, 11025, 192000, 192001, 10**6, 2**31 - 1, 2**32 - 1):
        ok = "ok" if 6000 <= rate <= 192000 else "error"
        yield _audio(f"wav-rate-{rate}", riff([(b"fmt ", fmt_chunk(rate=rate)), (b"data", pcm())]), expect=ok)
    for channels in (0, 3, 8, 255, 65535):
        chunks = [(b"fmt ", fmt_chunk(channels=channels)), (b"data", pcm(999, 1))]
        yield _audio(f"wav-channels-{channels}", riff(chunks), expect="error")
    for bits in (0, 1, 7, 12, 17, 33, 48, 64, 65535):
        yield _audio(f"wav-bits-{bits}", riff([(b"fmt ", fmt_chunk(bits=bits)), (b"data", pcm())]))
    for block in (0, 1, 3, 65535):
        yield _audio(f"wav-block-{block}", riff([(b"fmt ", fmt_chunk(block=block)), (b"data", pcm())]))
    for tag in (0, 0x0004, 0x0014, 0x0055, 0x0057, 0x00FF, 0x1234, 0xFFFE, 0xFFFF):
        yield _audio(f"wav-tag-{tag:04x}", riff([(b"fmt ", fmt_chunk(tag=tag)), (b"data", pcm())]))
    yield _audio("wav-extensible-short", riff([(b"fmt ", fmt_chunk(tag=0xFFFE, extra=b"\x16\x00")),
                                               (b"data", pcm())]))
    yield _audio("wav-extensible-badguid", riff([(b"fmt ", fmt_chunk(tag=0xFFFE, extra=b"\x16\x00" + b"\xee" * 22)),
                                                 (b"data", pcm())]))
    yield _audio("wav-no-fmt", riff([(b"data", pcm())]), expect="error")
    yield _audio("wav-no-data", riff([(b"fmt ", fmt_chunk())]), expect="error")
    yield _audio("wav-data-before-fmt", riff([(b"data", pcm()), (b"fmt ", fmt_chunk())]))
    yield _audio("wav-two-fmt", riff([(b"fmt ", fmt_chunk()), (b"fmt ", fmt_chunk(rate=1)), (b"data", pcm())]))
    yield _audio("wav-empty-data", riff([(b"fmt ", fmt_chunk()), (b"data", b"")]), expect="error")
    yield _audio("wav-odd-data", riff([(b"fmt ", fmt_chunk()), (b"data", pcm()[:-1])]))
    yield _audio("wav-not-wave", b"RIFF" + struct.pack("<I", 4000) + b"AVI " + b"\x00" * 4000, expect="error")
    yield _audio("wav-rifx", riff(good, form=b"RIFX"))
    rng = random.Random(SEED + 1)
    for n in range(24):  # a garbage chunk (random id, random size) before the data
        chunk_id = bytes(rng.randrange(256) for _ in range(4))
        size = rng.choice([0, 1, 7, 100, 10**5, 0x7FFFFFFF, rng.randrange(2**32)])
        body = b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt_chunk()
        body += chunk_id + struct.pack("<I", size) + b"\x00" * 8
        body += b"data" + struct.pack("<I", 4000) + pcm()
        yield _audio(f"wav-junkchunk-{n}", b"RIFF" + struct.pack("<I", len(body)) + body)
    yield _audio("wav-control-chunk-id", riff([(b"fmt ", fmt_chunk()), (b"\x1b[31", b"\x00" * 4000)]), expect="error")
    yield _audio("wav-garbled-chunk-id", riff([(b"fmt ", fmt_chunk())]) + b"t\xfa\xfb~" + struct.pack("<I", 99999),
                 expect="error")
    yield _audio("wav-many-chunks", riff([(b"fmt ", fmt_chunk())] + [(b"junk", b"")] * 5000 + [(b"data", pcm())]))
    # float samples that are not numbers
    floats = _tone(16000, 0.5, 2)
    for name, fill, share in (("nan-all", np.nan, 1.0), ("inf-all", np.inf, 1.0), ("nan-some", np.nan, 0.01),
                              ("ninf-half", -np.inf, 0.6), ("nan-second", np.nan, 0.3)):
        data = floats.copy()
        data[: int(len(data) * share)] = fill
        yield _audio(f"wav-float-{name}", _encode(data, 16000, "WAV", "FLOAT"),
                     expect="error" if share > 0.5 else "ok")
        yield _audio(f"wav-double-{name}", _encode(data, 16000, "WAV", "DOUBLE"),
                     expect="error" if share > 0.5 else "ok")
    big = _tone(16000, 0.5, 1) * 1e30
    yield _audio("wav-float-huge-values", _encode(big.astype(np.float32), 16000, "WAV", "FLOAT"))


def rf64_cases() -> Iterator[Case]:
    """RF64 without ds64, with ds64 sizes that lie, and plain RIFF sizes of 0xFFFFFFFF."""
    data = good_audio()["rf64"]
    fmt = fmt_chunk(channels=2)
    samples = pcm(2000, 2)
    yield _audio("rf64-no-ds64", riff([(b"fmt ", fmt), (b"data", samples)], form=b"RF64", size=0xFFFFFFFF),
                 expect="error")
    yield _audio("rf64-no-ds64-sized", riff([(b"fmt ", fmt), (b"data", samples)], form=b"RF64"), expect="error")
    yield _audio("rf64-ds64-empty", riff([(b"ds64", b""), (b"fmt ", fmt), (b"data", samples)], form=b"RF64"),
                 expect="error")
    yield _audio("rf64-ds64-short", riff([(b"ds64", b"\x00" * 8), (b"fmt ", fmt), (b"data", samples)], form=b"RF64"),
                 expect="error")
    for name, sizes in (("zero", (0, 0, 0)), ("huge", (2**62, 2**62, 2**61)), ("small", (100, 10, 5)),
                        ("data-over", (len(data), 10**9, 10**8))):
        ds64 = struct.pack("<QQQI", *sizes, 0)
        yield _audio(f"rf64-ds64-{name}", riff([(b"ds64", ds64), (b"fmt ", fmt), (b"data", samples)], form=b"RF64",
                                              size=0xFFFFFFFF))
    for size in (0, 0xFFFFFFFF):
        yield _audio(f"rf64-datasize-{size}", _chunk(data, b"data", size))
    yield _audio("rf64-ok", data, expect="ok")


def flac_cases() -> Iterator[Case]:
    """FLAC STREAMINFO with impossible values and metadata blocks whose lengths lie."""
    data = good_audio()["flac"]
    info_at = 8  # after "fLaC" and the 4-byte block header
    for name, offset, value in (("rate0", 10, b"\x00\x00\x0f"), ("minblock0", 0, b"\x00\x00"),
                                ("maxblock0", 2, b"\x00\x00"), ("samples0", 13, b"\xf0\x00\x00\x00\x00"),
                                ("framesize-huge", 4, b"\xff\xff\xff\xff\xff\xff")):
        damaged = data[: info_at + offset] + value + data[info_at + offset + len(value) :]
        yield _audio(f"flac-{name}", damaged, filename=f"flac-{name}.flac")
    for length in (0, 1, 33, 35, 0xFFFFFF):
        damaged = data[:5] + length.to_bytes(3, "big") + data[8:]
        yield _audio(f"flac-infolen-{length}", damaged, filename=f"flac-infolen-{length}.flac")
    yield _audio("flac-header-only", b"fLaC", filename="flac-header-only.flac", expect="error")
    yield _audio("flac-no-streaminfo", b"fLaC" + b"\x84\x00\x00\x04abcd" + data[42:], filename="flac-nosi.flac")
    yield _audio("flac-ok", data, filename="flac-ok.flac", expect="ok")


def mp3_ogg_cases() -> Iterator[Case]:
    """MP3 with lying ID3 tags and garbage frames; Ogg with broken pages."""
    mp3, ogg = good_audio()["mp3"], good_audio()["ogg"]
    for size in (0, 10, 10**6, 0x0FFFFFFF):
        syncsafe = bytes(((size >> s) & 0x7F) for s in (21, 14, 7, 0))
        yield _audio(f"mp3-id3-{size}", b"ID3\x04\x00\x00" + syncsafe + mp3, filename=f"mp3-id3-{size}.mp3")
    yield _audio("mp3-id3-only", b"ID3\x04\x00\x00\x00\x00\x00\x10" + b"\x00" * 16, filename="id3only.mp3",
                 expect="error")
    rng = random.Random(SEED + 2)
    for n in range(6):
        frames = b"".join(b"\xff\xfb" + bytes(rng.randrange(256) for _ in range(rng.randint(2, 400)))
                          for _ in range(rng.randint(1, 20)))
        yield _audio(f"mp3-junkframes-{n}", frames, filename=f"mp3-junk-{n}.mp3")
    yield _audio("mp3-ok", mp3, filename="ok.mp3", expect="ok")
    pages = [i for i in range(len(ogg)) if ogg.startswith(b"OggS", i)]
    for n, at in enumerate(pages[:4]):
        damaged = bytearray(ogg)
        damaged[at + 22] ^= 0xFF  # page CRC
        yield _audio(f"ogg-badcrc-{n}", bytes(damaged), filename=f"ogg-badcrc-{n}.ogg")
    no_eos = bytearray(ogg)
    no_eos[pages[-1] + 5] &= ~0x04
    yield _audio("ogg-no-eos", bytes(no_eos), filename="ogg-no-eos.ogg")
    yield _audio("ogg-only-magic", b"OggS", filename="ogg-only-magic.ogg", expect="error")
    yield _audio("ogg-ok", ogg, filename="ok.ogg", expect="ok")


def non_audio_cases() -> Iterator[Case]:
    """Files that are not audio at all, under audio names."""
    items = {
        "zero-bytes": b"", "one-byte": b"\x00", "nul-kb": b"\x00" * 1024, "text": b"hello, this is not a call\n",
        "csv": (HEADER + "\n").encode(), "html": b"<html><script>alert(1)</script></html>",
        "png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "jpeg": b"\xff\xd8\xff\xe0" + b"\x00" * 64,
        "pdf": b"%PDF-1.4\n" + b"x" * 64, "zip": b"PK\x03\x04" + b"\x00" * 64, "elf": b"\x7fELF" + b"\x00" * 64,
        "gzip": b"\x1f\x8b\x08" + b"\x00" * 64, "utf16-text": "not audio".encode("utf-16"),
        "bom-text": b"\xef\xbb\xbfhello", "ansi-text": b"\x1b[31mred\x1b[0m", "amr": b"#!AMR\n" + b"\x00" * 64,
        "webm": b"\x1a\x45\xdf\xa3" + b"\x00" * 64, "mp4": b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64,
        "mp4-ctrl-brand": b"\x00\x00\x00\x18ftyp\x1b[2J" + b"\x00" * 64, "aac": b"\xff\xf1\x50\x80" + b"\x00" * 64,
        "aiff-magic": b"FORM" + b"\x00" * 64, "au-magic": b".snd" + b"\x00" * 64, "caf-magic": b"caff" + b"\x00" * 64,
        "riff-only": b"RIFF", "wave-only": b"RIFF\x04\x00\x00\x00WAVE",
    }
    for name, content in items.items():
        yield _audio(f"nonaudio-{name}", content, expect="error")
    rng = random.Random(SEED + 3)
    for n in range(30):
        size = rng.choice([5, 17, 128, 1000, 20000])
        yield _audio(f"random-{n}", bytes(rng.randrange(256) for _ in range(size)), expect="error")


ODD_NAMES = (
    " lead_space.wav", "trail_space.wav ", "two  spaces.wav", "tab\tname.wav", "new\nline.wav", "cr\rname.wav",
    "esc\x1b[31mred.wav", "bell\x07.wav", "del\x7f.wav", "c1\x85.wav", "rtl\u202egnp.wav", "zw\u200bsp.wav",
    "bom\ufeff.wav", "caf\u00e9.wav", "cafe\u0301.wav", "\u0644\u0647\u062c\u0629.wav", "\U0001f4de call.wav",
    "-rf.wav", "quote'name.wav", 'dq"name.wav', "back\\slash.wav", "semi;colon.wav", "$(id).wav", "%s%n.wav",
    "x" * 240 + ".wav", "\u00e9" * 120 + ".wav", ".hidden.wav", "no_extension", "UPPER.WAV", "a.wav.json.wav",
)


def odd_name_cases() -> Iterator[Case]:
    """Valid audio (must load) and invalid audio (must be refused, naming the file legibly) under odd names."""
    for n, name in enumerate(ODD_NAMES):
        yield Case("audio", f"oddname-ok-{n}", {name: good_wav()}, target=name, expect="ok", values=(name,))
        yield Case("audio", f"oddname-bad-{n}", {name: b"not audio at all"}, target=name, expect="error",
                   values=(name,))
        yield Case("audio", f"oddname-cut-{n}", {name: good_wav()[:60]}, target=name, expect="error",
                   values=(name,))
        yield Case("audio", f"oddname-dir-{n}", {f"{name}/x": b""}, target=name, expect="error", values=(name,))


def special_file_cases() -> Iterator[Case]:
    """Symlinks (inside, outside, dangling, loops), directories, FIFOs, missing files."""
    yield Case("audio", "link-inside", {"real.wav": good_wav()}, links=(("link.wav", "real.wav"),), target="link.wav",
               expect="ok")
    yield Case("audio", "link-outside-audio", links=(("link.wav", "@outside/secret.wav"),), target="link.wav")
    yield Case("audio", "link-outside-text", links=(("link.wav", "@outside/secret.txt"),), target="link.wav",
               expect="error", values=(OUTSIDE_SECRET,))
    yield Case("audio", "link-dangling", links=(("link.wav", "nowhere.wav"),), target="link.wav", expect="error")
    yield Case("audio", "link-loop", links=(("loop.wav", "loop.wav"),), target="loop.wav", expect="error")
    yield Case("audio", "link-dev-null", links=(("null.wav", "/dev/null"),), target="null.wav", expect="error")
    yield Case("audio", "link-dev-zero", links=(("zero.wav", "/dev/zero"),), target="zero.wav", expect="error")
    yield Case("audio", "directory", dirs=("dir.wav",), target="dir.wav", expect="error")
    yield Case("audio", "fifo", fifos=("pipe.wav",), target="pipe.wav", expect="error")
    yield Case("audio", "missing", target="missing.wav", expect="error")
    yield Case("audio", "missing-odd", target="gone\x1b[2J.wav", expect="error", values=("gone\x1b[2J.wav",))
    yield Case("audio", "long-path", target="d/" * 60 + "x.wav", expect="error")


# --- exports: manifests ---------------------------------------------------------------------------


GOOD_ROW = {"call_id": "G{n}", "audio": "good{n}.wav", "started_at": "2026-11-25T21:14:03+00:00", "call_type": "101",
            "area": "Stafford", "handler_id": "H1042", "channels": "stereo-handler-left", "answer_delay_s": "35",
            "training": "false"}


def _csv_cell(value: str) -> str:
    """A CSV cell, quoted when it needs to be."""
    if any(c in value for c in ',"\r\n') or value != value.strip():
        return '"' + value.replace('"', '""') + '"'
    return value


def good_rows(count: int = 2, start: int = 1) -> list[dict[str, str]]:
    return [{k: v.format(n=n) for k, v in GOOD_ROW.items()} for n in range(start, start + count)]


def _good_files(count: int = 2, start: int = 1) -> dict[str, bytes]:
    return {f"good{n}.wav": good_wav() for n in range(start, start + count)}


def manifest_text(rows: list[dict[str, str]], header: str = HEADER) -> str:
    names = header.split(",")
    lines = [header] + [",".join(_csv_cell(row.get(n.strip().strip('"').lower(), "")) for n in names)
                         for row in rows]
    return "\n".join(lines) + "\n"


def _manifest(name: str, text: str | bytes, *, files: dict[str, bytes] | None = None, good: int = 2,
              rows: int | None = None, values: tuple[str, ...] = (), whole: bool | None = None,
              links: tuple[tuple[str, str], ...] = (), dirs: tuple[str, ...] = ()) -> Case:
    content = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    all_files = {**_good_files(good), **(files or {}), "manifest.csv": content}
    ids = () if whole else tuple(f"G{n}" for n in range(1, good + 1))
    return Case("manifest", name, all_files, links=links, dirs=dirs, good=ids, rows=rows, values=values,
                whole=whole)


BAD_VALUES: dict[str, tuple[str, ...]] = {
    "call_id": ("", " ", "..", ".hidden", "-rf", "a b", "C\x00", "C\x1b[31m", "\u00c71", "C1\u202e", "C/1", "C\\1",
                "C1\n", "a" * 129, "a" * 100_000, "G1", "g1", "\ufeffC9", "C\t9", "\U0001f4de", "C1;rm -rf /",
                "=HYPERLINK(\"x\")"),
    "audio": ("", "missing.wav", " lead_space.wav", "trail_space.wav ", "../outside/secret.wav", "/etc/passwd",
              "C:\\Windows\\win.ini", "\\\\server\\share\\a.wav", "sub/", ".", "..", "a\x00b.wav", "esc\x1b[31m.wav",
              "new\nline.wav", "x/" * 3000 + "a.wav", "y" * 5000 + ".wav", "link_out.wav", "link_loop.wav",
              "dir.wav", "manifest.csv", "%2e%2e/outside/secret.wav", "good1.wav\u202e", "caf\u00e9.wav",
              "file:///etc/passwd"),
    "started_at": ("2026-02-29T10:00:00+00:00", "2026-02-30T10:00:00+00:00", "2026-04-31T10:00:00+00:00",
                   "2026-13-01T10:00:00+00:00", "2026-00-10T10:00:00+00:00", "2026-11-25T25:00:00+00:00",
                   "2026-11-25T23:60:00+00:00", "2026-11-25T23:59:61+00:00", "2026-11-25T21:14:03",
                   "2026-11-25", "25/11/2026 21:14", "yesterday", "9999-12-31T23:59:59-23:59",
                   "0001-01-01T00:00:00+01:00", "1899-12-31T23:00:00+00:00", "2200-01-01T00:00:00+00:00",
                   "2026-11-25T21:14:03+24:00", "2026-11-25T21:14:03+99:99", "2026-11-25T21:14:03 +00:00",
                   "\uff12\uff10\uff12\uff16-11-25T21:14:03+00:00", "2026-11-25T21:14:03+00:00\x00",
                   "2026-11-25T21:14:03.123456789+00:00", "1e10", "-1", "2026-11-25T21:14:03Z" + "0" * 100_000,
                   "2026-W48-3T21:14:03+00:00", "2024-02-29T10:00:00+00:00", "2100-02-29T10:00:00+00:00"),
    "call_type": ("1O1", "112", "911", "101.0", "0x65", "\u0661\u0660\u0661", "101\x00", "-101", "99" * 5000),
    "channels": ("stereo", "left", "MONO", "mono\x1b[0m", "stereo-handler-left ", "x" * 10_000),
    "answer_delay_s": ("nan", "NaN", "inf", "-inf", "-1", "1e309", "0x10", "1,5", "ten", "1_000", "\u0665",
                       "35s", "9" * 5000),
    "training": ("maybe", "TRUE!", "y", "2", "t", "false\x00", "\u0074rue\u200b", "x" * 100_000),
    "area": ("Staf\x00ford", "\x1b[31mRED\x1b[0m", "Stoke\r", "line\nbreak", "bidi\u202eevil", "zw\u200bj",
             "=cmd|' /C calc'!A0", "+SUM(1)", "-2+3", "@SUM(1)", "\tTab", "x" * 256, "S" * 1_000_000,
             "\ud800", "\U000e0041tag", "Ynys M\u00f4n", "Newcastle-under-Lyme"),
    "handler_id": ("H1\x1b[31m", "H\u202e1042", "H\x00", "H\x7f", "H\x9b", "x" * 300, "=1+1", "H 1"),
}
# Values that are odd but acceptable: the row must come out as a call.
ACCEPTABLE = {("started_at", "2026-11-25T21:14:03.123456789+00:00"), ("started_at", "2024-02-29T10:00:00+00:00"),
              ("channels", "stereo-handler-left "), ("area", "Ynys M\u00f4n"), ("area", "Newcastle-under-Lyme"),
              ("area", "=cmd|' /C calc'!A0"), ("area", "+SUM(1)"), ("area", "-2+3"), ("area", "@SUM(1)"),
              ("handler_id", "=1+1"), ("handler_id", "H 1"), ("audio", " lead_space.wav"),
              ("audio", "trail_space.wav "), ("audio", "caf\u00e9.wav")}


def manifest_cases() -> Iterator[Case]:
    """Every malformed manifest, in a fixed order."""
    yield from bad_cell_cases()
    yield from structure_cases()
    yield from header_cases()
    yield from encoding_cases()
    yield from manifest_file_cases()
    yield from fuzzed_manifests()


def bad_cell_cases() -> Iterator[Case]:
    """Two good rows and one row with one bad value, for every field and bad value."""
    for name, values in BAD_VALUES.items():
        for n, value in enumerate(values):
            row = {**good_rows(1, start=9)[0], "call_id": "B9", name: value}
            text = manifest_text([*good_rows(2), row])
            ok = (name, value) in ACCEPTABLE
            whole = True if "\ud800" in value else None  # not UTF-8 at all: the manifest is refused
            extra = {" lead_space.wav": good_wav(), "trail_space.wav ": good_wav(), "caf\u00e9.wav": good_wav(),
                     "sub/x.wav": good_wav(), "good9.wav": good_wav()}
            case = _manifest(f"cell-{name}-{n}", text, files=extra, rows=3, values=(value,),
                             links=(("link_out.wav", "@outside/secret.wav"), ("link_loop.wav", "link_loop.wav")),
                             dirs=("dir.wav",))
            good = case.good + (("B9",) if ok else ())
            if whole:
                good = ()
            yield Case(case.kind, case.name, case.files, case.links, case.dirs, (), "", good, None if whole else 3,
                       None, (value,), whole)


def structure_cases() -> Iterator[Case]:
    """Rows that break CSV structure: cell counts, quotes, separators, line endings, sizes."""
    good = manifest_text(good_rows(2))
    row = ",".join(good_rows(1, start=9)[0].values()).replace("G9", "B9")
    items = {
        "extra-cell": good + row + ",extra\n",
        "missing-cell": good + row.rsplit(",", 1)[0] + "\n",
        "one-cell": good + "B9\n",
        "unterminated-quote": good + row.replace("Stafford", '"Stafford') + "\n",
        "stray-quote": good + row.replace("Stafford", 'Staf"ford') + "\n",
        "semicolons": good + row.replace(",", ";") + "\n",
        "tabs": good + row.replace(",", "\t") + "\n",
        "crlf": good.replace("\n", "\r\n") + row + "\r\n",
        "cr-only": good.replace("\n", "\r") + row + "\r",
        "mixed-endings": good.replace("\n", "\r\n", 1) + row + "\r",
        "no-final-newline": good + row,
        "blank-lines": good + "\n\n,,,,,,,,\n" + row + "\n",
        "quoted-newline": good + row.replace("Stafford", '"Staf\nford"') + "\n",
        "nul-in-row": good + row.replace("Stafford", "Staf\x00ford") + "\n",
        "nul-only-row": good + "\x00\x00\x00\n" + row + "\n",
        "huge-row-1mb": good + row.replace("Stafford", "S" * 1_000_000) + "\n",
        "huge-unquoted-200k": good + row.replace("Stafford", "x" * 200_000) + "\n",
        "many-cells": good + row + ",x" * 10_000 + "\n",
        "bom-in-row": good + "\ufeff" + row + "\n",
        "trailing-comma": good + row + ",\n",
        "escaped-quotes": good + row.replace("Stafford", '"Staf""ford"') + "\n",
        "ansi-row": good + row.replace("Stafford", "\x1b]0;pwned\x07") + "\n",
        "form-feed": good + row.replace("Stafford", "Staf\x0cford") + "\n",
        "line-sep": good + row.replace("Stafford", "Staf\u2028ford") + "\n",
        "row-of-spaces": good + "   ,  ,  \n" + row + "\n",
    }
    for name, text in items.items():
        yield _manifest(f"structure-{name}", text, values=("S" * 1_000_000, "x" * 200_000))
    many = manifest_text(good_rows(2) + [{**good_rows(1, 3)[0], "call_id": f"D{n}", "audio": "nope.wav"}
                                         for n in range(2000)])
    yield _manifest("structure-2000-bad-rows", many, rows=2002)


def header_cases() -> Iterator[Case]:
    """Headers with missing, repeated, odd or invisible column names."""
    rows = good_rows(2)
    for name in FIELDS:
        kept = [f for f in FIELDS if f != name]
        text = manifest_text(rows, header=",".join(kept))
        yield _manifest(f"header-missing-{name}", text, whole=name != "answer_delay_s")
        yield _manifest(f"header-repeated-{name}", manifest_text(rows, header=HEADER + "," + name), whole=True)
    variants = {
        "upper": HEADER.upper(), "spaces": ", ".join(FIELDS), "extra-cols": HEADER + ",queue,recorder_ref",
        "reordered": ",".join(reversed(FIELDS)),
    }
    for name, header in variants.items():
        yield _manifest(f"header-ok-{name}", manifest_text(rows, header=header), whole=False)
    invisible = {
        "bom-twice": "\ufeff" + HEADER, "nul-first": "\x00" + HEADER, "zwsp": "\u200bcall_id" + HEADER[7:],
        "nul-in-name": "call\x00_id" + HEADER[7:], "ansi-name": "\x1b[31mcall_id" + HEADER[7:],
        "semicolons": HEADER.replace(",", ";"), "tabs": HEADER.replace(",", "\t"), "quoted-all":
        ",".join(f'"{f}"' for f in FIELDS), "nbsp": "call_id\u00a0" + HEADER[7:],
        "huge-name": "x" * 100_000 + "," + HEADER,
        "empty-names": ",,," + HEADER, "header-only-commas": ",,,,,,,,",
    }
    for name, header in invisible.items():
        text = manifest_text(rows, header=header)
        if name == "bom-twice":
            text = "\ufeff" + text
        whole = False if name in ("quoted-all", "nbsp", "huge-name") else True
        yield _manifest(f"header-{name}", text, whole=whole, values=(header,))
    yield _manifest("header-only", HEADER + "\n", good=0, rows=0, whole=False)


def encoding_cases() -> Iterator[Case]:
    """The manifest in encodings other than UTF-8, with stray BOMs and NULs, or not text at all."""
    text = manifest_text(good_rows(2))
    accented = text.replace("Stafford", "Newcastle-under-Lym\u00e9")
    encoded = {
        "utf-8-bom": (codecs.BOM_UTF8 + text.encode(), False),
        "utf-16": (text.encode("utf-16"), True), "utf-16-le": (text.encode("utf-16-le"), True),
        "utf-16-be": (text.encode("utf-16-be"), True), "utf-32": (text.encode("utf-32"), True),
        "utf-32-le": (text.encode("utf-32-le"), True), "utf-32-be": (text.encode("utf-32-be"), True),
        "latin-1": (accented.encode("latin-1"), True),
        "cp1252": (accented.replace("-", "\u2013").encode("cp1252"), True),
        "utf-7": (accented.encode("utf-7"), None), "double-bom": (codecs.BOM_UTF8 * 2 + text.encode(), True),
        "bom-utf16-then-utf8": (codecs.BOM_UTF16_LE + text.encode(), True),
        "nul-first": (b"\x00" + text.encode(), True), "nuls-everywhere": (text.encode().replace(b",", b",\x00"), True),
        "gzip": (b"\x1f\x8b\x08\x00" + bytes(range(200)), True), "zip": (b"PK\x03\x04" + bytes(range(200)), True),
        "png": (b"\x89PNG\r\n\x1a\n" + bytes(200), True), "zero-bytes": (b"", True),
        "only-bom": (codecs.BOM_UTF8, True),
        "only-newlines": (b"\n\n\n", True), "only-spaces": (b"   \n  \n", True), "one-nul": (b"\x00", True),
        "overlong-utf8": (text.encode().replace(b"S", b"\xc1\x93"), True),
        "surrogate-utf8": (text.encode().replace(b"Stafford", b"\xed\xa0\x80"), True),
        "truncated-utf8": (text.encode() + b"\xe2\x82", True), "ebcdic": (text.encode("cp500"), True),
    }
    for name, (content, whole) in encoded.items():
        case = _manifest(f"encoding-{name}", content, whole=whole, rows=None if whole is not False else 2)
        yield replace(case, good=()) if whole is None else case  # UTF-7 reads as odd UTF-8: rows may be bad


def manifest_file_cases() -> Iterator[Case]:
    """The manifest as a symlink (inside, outside, dangling, loop), a directory, a FIFO."""
    good = _good_files(2)
    text = manifest_text(good_rows(2)).encode()
    yield Case("manifest", "manifest-link-outside", good, links=(("manifest.csv", "@outside/secret.txt"),),
               whole=True, values=(OUTSIDE_SECRET,))
    yield Case("manifest", "manifest-link-etc-passwd", good, links=(("manifest.csv", "/etc/passwd"),), whole=True,
               values=(Path("/etc/passwd").read_text().splitlines()[0],))
    yield Case("manifest", "manifest-link-inside", {**good, "real.csv": text}, links=(("manifest.csv", "real.csv"),),
               good=("G1", "G2"), rows=2, whole=False)
    yield Case("manifest", "manifest-link-dangling", good, links=(("manifest.csv", "nowhere.csv"),), whole=True)
    yield Case("manifest", "manifest-link-loop", good, links=(("manifest.csv", "manifest.csv"),), whole=True)
    yield Case("manifest", "manifest-link-dev-zero", good, links=(("manifest.csv", "/dev/zero"),), whole=True)
    yield Case("manifest", "manifest-directory", good, dirs=("manifest.csv",), whole=True)
    yield Case("manifest", "manifest-fifo", good, fifos=("manifest.csv",), whole=True)
    yield Case("manifest", "manifest-audio-link-outside", {**good, "manifest.csv": manifest_text(
        [*good_rows(2), {**good_rows(1, 9)[0], "call_id": "B9", "audio": "sub/secret.wav"}]).encode()},
        links=(("sub", "@outside/."),), good=("G1", "G2"), rows=3)


def fuzzed_manifests(count: int = 160) -> Iterator[Case]:
    """A good manifest with random byte edits: insertions, deletions, flips, duplicated spans."""
    rng = random.Random(SEED + 4)
    base = manifest_text(good_rows(4)).encode()
    alphabet = b',"\n\r\x00\xff\xfe\xef\xbb\xbf\x1b;\t =+-@\\/.:' + bytes(range(0x20, 0x7F))
    for n in range(count):
        data = bytearray(base)
        for _ in range(rng.randint(1, 8)):
            op = rng.choice(("insert", "delete", "flip", "dup"))
            at = rng.randrange(len(data))
            if op == "insert":
                data[at:at] = bytes(rng.choice(alphabet) for _ in range(rng.randint(1, 6)))
            elif op == "delete":
                del data[at : at + rng.randint(1, 12)]
            elif op == "flip":
                data[at] = rng.randrange(256)
            else:
                data[at:at] = data[at : at + rng.randint(1, 80)]
        yield Case("manifest", f"fuzz-{n}", {**_good_files(4), "manifest.csv": bytes(data)})


# --- exports: JSON sidecars -----------------------------------------------------------------------


def _sidecar_values(n: int, **overrides: object) -> dict[str, object]:
    values: dict[str, object] = {"call_id": f"S{n}", "started_at": "2026-11-25T21:14:03+00:00", "call_type": 101,
                                 "area": "Cannock", "handler_id": "H3307", "channels": "mono", "answer_delay_s": 40.5,
                                 "training": False}
    values.update(overrides)
    return values


def _sidecar_export(name: str, bad: dict[str, bytes], *, values: tuple[str, ...] = (), ok: bool = False,
                    links: tuple[tuple[str, str], ...] = (), rows: int | None = 3) -> Case:
    files = {"s1.wav": good_wav(), "s1.json": json.dumps(_sidecar_values(1)).encode(),
             "s2.wav": good_wav(), "s2.json": json.dumps(_sidecar_values(2)).encode(), **bad}
    return Case("sidecar", name, files, links=links, good=("S1", "S2", *(("S9",) if ok else ())), rows=rows,
                values=values)


def sidecar_cases() -> Iterator[Case]:
    """Every malformed sidecar export, in a fixed order."""
    wav = good_wav()
    for field_name, values in BAD_VALUES.items():
        if field_name == "call_id":
            continue
        for n, value in enumerate(values):
            body = json.dumps(_sidecar_values(9, **{field_name: value})).encode()
            ok = (field_name, value) in ACCEPTABLE and field_name != "audio"
            yield _sidecar_export(f"value-{field_name}-{n}", {"b9.wav": wav, "b9.json": body}, values=(value,), ok=ok)
    for n, value in enumerate(BAD_VALUES["call_id"]):
        body = json.dumps(_sidecar_values(9, call_id=value)).encode()
        yield _sidecar_export(f"value-call_id-{n}", {"b9.wav": wav, "b9.json": body}, values=(value,))
    typed = {"call_type-object": {"call_type": {"a": 1}}, "training-list": {"training": [True]},
             "call_id-number": {"call_id": 9}, "call_id-null": {"call_id": None}, "area-number": {"area": 1e308},
             "delay-bool": {"answer_delay_s": True}, "delay-huge": {"answer_delay_s": 10**400},
             "delay-neg-zero": {"answer_delay_s": -0.0}, "audio-list": {"audio": ["b9.wav"]},
             "audio-number": {"audio": 9}, "audio-outside": {"audio": "../outside/secret.wav"},
             "audio-absolute": {"audio": "/etc/passwd"}, "audio-self": {"audio": "b9.json"},
             "extra-deep": {"x": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]}, "extra-object": {"queue": {"a": [1, 2]}},
             "extra-huge-key": {"k" * 100_000: 1}, "extra-ctrl-key": {"\x1b[31m": "x"}}
    for name, override in typed.items():
        body = json.dumps(_sidecar_values(9, **override)).encode()
        yield _sidecar_export(f"typed-{name}", {"b9.wav": wav, "b9.json": body},
                              ok=name in ("area-number", "delay-neg-zero", "extra-object"), values=("k" * 100_000,))
    raw = {
        "empty": b"", "not-json": b"not json", "truncated": b'{"audio": "b9.wav", "call_id": "S9"',
        "list": b'["audio"]', "string": b'"audio"', "number": b"9", "null": b"null", "true": b"true",
        "nan-literal": b'{"audio": "b9.wav", "call_id": "S9", "answer_delay_s": NaN}',
        "inf-literal": b'{"audio": "b9.wav", "call_id": "S9", "call_type": Infinity}',
        "big-int": b'{"audio": "b9.wav", "call_id": "S9", "call_type": ' + b"9" * 5000 + b"}",
        "big-float": b'{"audio": "b9.wav", "call_type": 1' + b"0" * 400 + b".5}",
        "deep-list": b'{"audio": "b9.wav", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        "deep-object": b'{"audio": "b9.wav", "x": ' + b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b"}",
        "deep-unclosed": b'{"audio": "b9.wav", "x": ' + b"[" * 100_000,
        "utf-16": json.dumps(_sidecar_values(9, audio="b9.wav")).encode("utf-16"),
        "utf-32": json.dumps(_sidecar_values(9, audio="b9.wav")).encode("utf-32"),
        "latin-1": json.dumps(_sidecar_values(9, audio="b9.wav", area="Lym\u00e9"),
                              ensure_ascii=False).encode("latin-1"),
        "bom": codecs.BOM_UTF8 + json.dumps(_sidecar_values(9, audio="b9.wav")).encode(),
        "nul-first": b"\x00" + json.dumps(_sidecar_values(9, audio="b9.wav")).encode(),
        "nul-inside": json.dumps(_sidecar_values(9, audio="b9.wav")).encode().replace(b", ", b",\x00 ", 1),
        "ctrl-in-string": b'{"audio": "b9.wav", "call_id": "S9", "area": "a\x1bb"}',
        "escaped-ctrl": b'{"audio": "b9.wav", "call_id": "S9", "area": "a\\u001bb"}',
        "lone-surrogate": b'{"audio": "b9.wav", "call_id": "S9", "area": "\\ud800"}',
        "duplicate-keys": b'{"audio": "b9.wav", "call_id": "S9", "call_id": "S1"}',
        "huge-2mb": b'{"audio": "b9.wav", "x": "' + b"x" * 2_000_000 + b'"}',
        "huge-string-500k": b'{"audio": "b9.wav", "call_id": "' + b"C" * 500_000 + b'"}',
        "trailing-garbage": json.dumps(_sidecar_values(9, audio="b9.wav")).encode() + b"}}}",
        "comments": b'{"audio": "b9.wav", // comment\n "call_id": "S9"}',
        "single-quotes": b"{'audio': 'b9.wav'}",
    }
    for name, body in raw.items():
        ok = name in ("bom",)
        yield _sidecar_export(f"raw-{name}", {"b9.wav": wav, "b9.json": body}, ok=ok,
                              values=("x" * 2_000_000, "C" * 500_000))
    yield _sidecar_export("link-sidecar-outside", {"b9.wav": wav}, links=(("b9.json", "@outside/secret.txt"),),
                          values=(OUTSIDE_SECRET,))
    yield _sidecar_export("link-audio-outside", {"b9.json": json.dumps(_sidecar_values(9)).encode()},
                          links=(("b9.wav", "@outside/secret.wav"),))
    yield _sidecar_export("two-candidates", {"b9.wav": wav, "b9.mp3": wav, "b9.json":
                                             json.dumps(_sidecar_values(9)).encode()})
    yield _sidecar_export("sidecar-dir", {"b9.wav": wav, "b9.json/x": b"{}"}, rows=2)
    for n, name in enumerate(ODD_NAMES[:20]):
        stem = name.rsplit(".", 1)[0]
        body = json.dumps(_sidecar_values(9, audio=name)).encode()
        yield _sidecar_export(f"oddname-{n}", {name: wav, f"{stem}.json": body}, values=(name,))


def all_cases() -> Iterator[Case]:
    yield from manifest_cases()
    yield from sidecar_cases()
    yield from audio_cases()


# --- running a case through the real code ---------------------------------------------------------

# Words that mean something only to whoever wrote the decoder or the reader.
INTERNALS = ("SF_INFO", "psf_", "possibly a pipe", "libsndfile", "sf_open", "Traceback", "Errno", "object at 0x",
             "Error opening", "LibsndfileError", "soundfile", "mpg123", "codecs", "UnicodeDecodeError",
             "JSONDecodeError", "<class", "NoneType")
MAX_MESSAGE_CHARS = 1000


@dataclass
class Outcome:
    """What one case did: a crash (any exception that is not a CallQAError), unclear messages,
    good calls that were lost, and broken promises (an input with neither a record nor an error)."""

    case: Case
    records: int = 0
    errors: int = 0
    crash: str | None = None
    unclear: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


def _forms(name: str) -> set[str]:
    """The ways a message may legibly show a file name."""
    from callqa.messages import printable, quote, show_path

    return {name, printable(name, None), quote(name, None)[1:-1], show_path(name).strip("'")}


def message_problems(message: str, names: list[str], values: tuple[str, ...]) -> list[str]:
    """Why a message would not help a user: it does not name the file, shows internals or
    hidden characters, or echoes more than a short excerpt of an input value."""
    from callqa.messages import EXCERPT_CHARS, is_hidden

    problems = []
    if names and not any(form in message for name in names for form in _forms(name)):
        problems.append(f"does not name {names[0]!r}")
    problems += [f"shows internals ({word!r})" for word in INTERNALS if word.lower() in message.lower()]
    if "outside-the-export" in message or "root:x:0:0" in message:
        problems.append("shows the contents of a file outside the export")
    hidden = sorted({c for c in message if is_hidden(c)})
    if hidden:
        problems.append(f"has hidden characters {hidden!r}")
    if len(message) > MAX_MESSAGE_CHARS:
        problems.append(f"is {len(message)} characters long")
    for value in values:
        if len(value) > EXCERPT_CHARS:
            step = max(1, len(value) // 64)
            if any(value[i : i + EXCERPT_CHARS + 1] in message for i in range(0, len(value) - EXCERPT_CHARS, step)):
                problems.append(f"echoes more than {EXCERPT_CHARS} characters of an input value")
    return [f"{p}: {message[:300]!r}" for p in problems]


def run_audio(case: Case, root: Path) -> Outcome:
    """probe() and load_call() on one audio case."""
    from callqa.pipeline import audio
    from callqa.pipeline.errors import CallQAError

    path = case.write(root)
    outcome = Outcome(case)
    results = {}
    for step in ("probe", "load_call"):
        try:
            value = getattr(audio, step)(path)
        except CallQAError as exc:
            message = exc.user_message()
            outcome.errors += 1
            outcome.messages.append(message)
            outcome.unclear += message_problems(message, [path.name], case.values)
            results[step] = "error"
        except Exception as exc:  # noqa: BLE001 - a crash is what this looks for
            outcome.crash = f"{step}: {type(exc).__name__}: {str(exc)[:200]}"
            return outcome
        else:
            outcome.records += 1
            results[step] = "ok"
            if step == "load_call" and not all(np.isfinite(ch).all() and len(ch) for ch in value.channels.values()):
                outcome.wrong.append("load_call returned empty or non-finite samples")
    if results["load_call"] == "ok" and results["probe"] == "error":
        outcome.wrong.append("probe refused a file that load_call reads")
    if case.expect and results["load_call"] != case.expect:
        (outcome.lost if case.expect == "ok" else outcome.wrong).append(
            f"expected {case.expect}, load_call gave {results['load_call']}")
    return outcome


def run_export(case: Case, root: Path) -> Outcome:
    """read_export() on one manifest or sidecar case."""
    from callqa.pipeline.errors import CallQAError
    from callqa.recorder_export import read_export

    folder = case.write(root)
    outcome = Outcome(case)
    try:
        listing = read_export(folder)
    except CallQAError as exc:
        message = exc.user_message()
        outcome.errors = 1
        outcome.messages.append(message)
        names = ["manifest.csv"] if case.kind == "manifest" else [str(folder)]
        outcome.unclear += message_problems(message, names, case.values)
        outcome.lost += list(case.good)
        if case.whole is False:
            outcome.wrong.append(f"whole export refused: {message[:200]!r}")
        return outcome
    except Exception as exc:  # noqa: BLE001
        outcome.crash = f"read_export: {type(exc).__name__}: {str(exc)[:200]}"
        return outcome
    if case.whole:
        outcome.wrong.append("should have refused the whole export")
    outcome.records, outcome.errors = len(listing.calls), len(listing.errors)
    for error in listing.errors:
        message = printable_error(error)
        outcome.messages.append(message)
        if case.kind == "manifest" and " row " not in error.source:
            outcome.unclear.append(f"does not name the row: {message[:200]!r}")
        names = ["manifest.csv"] if case.kind == "manifest" else [error.source]
        outcome.unclear += message_problems(message, names, case.values)
    found = {c.call_id for c in listing.calls}
    outcome.lost += [c for c in case.good if c not in found]
    if case.rows is not None and len(listing.calls) + len(listing.errors) != case.rows:
        outcome.wrong.append(f"{case.rows} rows gave {len(listing.calls)} calls and {len(listing.errors)} errors")
    return outcome


def printable_error(error: object) -> str:
    """A RowError as the batch prints it."""
    return str(error)
