"""callqa.pipeline.audio on real files: generated tones in every supported format, broken files, real calls."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from callqa.pipeline.audio import LAYOUTS, TARGET_RATE, AudioInfo, CallAudio, load_call, probe
from callqa.pipeline.errors import (
    AudioError,
    EmptyAudioError,
    LayoutError,
    MissingAudioError,
    NotAudioError,
    TruncatedAudioError,
    UnsupportedCodecError,
)

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"
TELEPHONE = REAL / "telephone"
SECONDS = 2.0
TONE_HZ = 1000.0


# --- helpers ---------------------------------------------------------------------------


def tone(rate: int, seconds: float = SECONDS, hz: float = TONE_HZ, amplitude: float = 0.5) -> np.ndarray:
    return (amplitude * np.sin(2 * np.pi * hz * np.arange(int(rate * seconds)) / rate)).astype(np.float32)


def write(path: Path, data: np.ndarray, rate: int, fmt: str = "WAV", subtype: str = "PCM_16") -> Path:
    """Write with an extension that says nothing, so the loader must go by content."""
    sf.write(path, data, rate, format=fmt, subtype=subtype)
    return path


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def peak_hz(x: np.ndarray, rate: int = TARGET_RATE) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(spectrum) * rate / len(x))


def assert_names_file(err: pytest.ExceptionInfo, path: Path) -> None:
    assert str(path) in str(err.value)
    assert isinstance(err.value, AudioError)


# --- formats that decode ---------------------------------------------------------------

FORMATS = [
    ("WAV", "PCM_16", 8000, 1),
    ("WAV", "PCM_16", 48000, 2),
    ("WAV", "PCM_24", 8000, 1),
    ("WAV", "PCM_24", 44100, 2),
    ("WAV", "ULAW", 8000, 1),
    ("WAV", "ULAW", 8000, 2),
    ("WAV", "ALAW", 8000, 1),
    ("WAV", "ALAW", 8000, 2),
    ("WAV", "GSM610", 8000, 1),  # libsndfile writes GSM 6.10 only as 8 kHz-style mono
    ("FLAC", "PCM_16", 8000, 1),
    ("FLAC", "PCM_24", 48000, 2),
    ("MP3", "MPEG_LAYER_III", 8000, 1),
    ("MP3", "MPEG_LAYER_III", 44100, 2),
    ("MP3", "MPEG_LAYER_III", 48000, 1),
    ("OGG", "OPUS", 48000, 1),
    ("OGG", "VORBIS", 44100, 2),
]


@pytest.mark.parametrize(("fmt", "subtype", "rate", "channels"), FORMATS, ids=lambda v: str(v))
def test_decodes_format_to_16k_float32(tmp_path: Path, fmt: str, subtype: str, rate: int, channels: int) -> None:
    mono = tone(rate)
    data = np.stack([mono] * channels, axis=1) if channels > 1 else mono
    path = write(tmp_path / "call.dat", data, rate, fmt, subtype)

    call = load_call(path)

    assert isinstance(call, CallAudio)
    assert call.path == str(path)
    assert call.sample_rate == TARGET_RATE
    assert call.info.format == fmt and call.info.subtype == subtype
    assert call.info.sample_rate == rate and call.info.channels == channels
    assert call.layout == ("mono" if channels == 1 else "stereo-handler-left")
    assert call.duration_s == pytest.approx(SECONDS, abs=0.01)
    lengths = {len(x) for x in call.channels.values()}
    assert len(lengths) == 1
    assert lengths.pop() == pytest.approx(SECONDS * TARGET_RATE, abs=TARGET_RATE * 0.01)
    for samples in call.channels.values():
        assert samples.dtype == np.float32 and samples.ndim == 1
        assert rms(samples) > 0.25  # a 0.5-amplitude sine is 0.354; lossy codecs lose a little
        assert peak_hz(samples) == pytest.approx(TONE_HZ, abs=10)


def test_probe_reads_header(tmp_path: Path) -> None:
    path = write(tmp_path / "call.g711", tone(8000), 8000, "WAV", "ULAW")
    assert probe(path) == AudioInfo("WAV", "ULAW", 8000, 1, 16000)


# --- channel layouts -------------------------------------------------------------------

STEREO_FORMATS = [("WAV", "PCM_16", 8000), ("FLAC", "PCM_24", 48000), ("MP3", "MPEG_LAYER_III", 44100)]


@pytest.mark.parametrize(("fmt", "subtype", "rate"), STEREO_FORMATS, ids=lambda v: str(v))
@pytest.mark.parametrize(("layout", "loud", "quiet"), [
    ("stereo-handler-left", "handler", "caller"),
    ("stereo-handler-right", "caller", "handler"),
])
def test_stereo_layout_assigns_sides(
    tmp_path: Path, fmt: str, subtype: str, rate: int, layout: str, loud: str, quiet: str
) -> None:
    left = tone(rate)
    path = write(tmp_path / "call.dat", np.stack([left, np.zeros_like(left)], axis=1), rate, fmt, subtype)

    call = load_call(path, layout)

    assert call.layout == layout
    assert set(call.channels) == {"handler", "caller"}
    assert rms(call.channels[loud]) > 0.25
    assert rms(call.channels[quiet]) < 0.01


def test_mono_layout_downmixes_stereo(tmp_path: Path) -> None:
    left = tone(8000)
    path = write(tmp_path / "call.wav", np.stack([left, np.zeros_like(left)], axis=1), 8000)

    call = load_call(path, "mono")

    assert set(call.channels) == {"mixed"}
    assert rms(call.channels["mixed"]) == pytest.approx(rms(left) / 2, rel=0.03)


def test_mono_downmix_is_a_mean_not_one_side(tmp_path: Path) -> None:
    left = tone(8000)
    path = write(tmp_path / "call.wav", np.stack([left, -left], axis=1), 8000)
    assert rms(load_call(path, "mono").channels["mixed"]) < 1e-3


def test_stereo_layout_on_mono_file(tmp_path: Path) -> None:
    path = write(tmp_path / "call.wav", tone(8000), 8000)
    with pytest.raises(LayoutError) as err:
        load_call(path, "stereo-handler-left")
    assert_names_file(err, path)


def test_unknown_layout_lists_valid_ones(tmp_path: Path) -> None:
    path = write(tmp_path / "call.wav", tone(8000), 8000)
    with pytest.raises(LayoutError) as err:
        load_call(path, "handler-left")
    assert_names_file(err, path)
    assert all(name in str(err.value) for name in LAYOUTS)


def test_more_than_two_channels(tmp_path: Path) -> None:
    path = write(tmp_path / "call.wav", np.stack([tone(8000)] * 3, axis=1), 8000)
    with pytest.raises(LayoutError) as err:
        load_call(path)
    assert_names_file(err, path)


# --- WAV written while streaming -------------------------------------------------------


@pytest.mark.parametrize("declared", [0, 0xFFFFFFFF])
def test_streaming_wav_sizes_are_read_to_end(tmp_path: Path, declared: int) -> None:
    raw = bytearray(write(tmp_path / "good.wav", tone(8000), 8000).read_bytes())
    at = raw.index(b"data") + 4
    raw[at : at + 4] = struct.pack("<I", declared)
    path = tmp_path / "streamed.wav"
    path.write_bytes(bytes(raw))

    assert load_call(path).duration_s == pytest.approx(SECONDS, abs=0.01)


def test_flac_without_length_in_header_loads(tmp_path: Path) -> None:
    raw = bytearray(write(tmp_path / "good.flac", tone(8000), 8000, "FLAC").read_bytes())
    streaminfo = 8  # "fLaC" + 4-byte block header
    total = int.from_bytes(raw[streaminfo + 10 : streaminfo + 18], "big") & ~((1 << 36) - 1)
    raw[streaminfo + 10 : streaminfo + 18] = total.to_bytes(8, "big")
    path = tmp_path / "streamed.flac"
    path.write_bytes(bytes(raw))

    # libsndfile drops the last partial read of a length-less FLAC, so allow a short tail.
    assert load_call(path).duration_s == pytest.approx(SECONDS, abs=0.15)


# --- bad input -------------------------------------------------------------------------


def flac_metadata_only(tmp_path: Path, total_samples: int | None) -> Path:
    """A FLAC cut right after its metadata blocks, optionally with total_samples rewritten."""
    raw = bytearray(write(tmp_path / "good.flac", tone(8000), 8000, "FLAC").read_bytes())
    position = 4
    while True:
        header = raw[position : position + 4]
        position += 4 + int.from_bytes(header[1:4], "big")
        if header[0] & 0x80:
            break
    if total_samples is not None:
        kept = int.from_bytes(raw[18:26], "big") & ~((1 << 36) - 1)
        raw[18:26] = (kept | total_samples).to_bytes(8, "big")
    path = tmp_path / "header_only.flac"
    path.write_bytes(bytes(raw[:position]))
    return path


def wav_with_codec(tmp_path: Path, tag: int) -> Path:
    """A well-formed WAV whose 'fmt ' names a codec libsndfile does not decode."""
    fmt = struct.pack("<HHIIHHH", tag, 1, 8000, 1000, 10, 0, 0)
    data = bytes(1000)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    path = tmp_path / "codec.wav"
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


def cut(source: Path, keep: int | float) -> Path:
    raw = source.read_bytes()
    size = int(len(raw) * keep) if isinstance(keep, float) else keep
    path = source.with_name("cut_" + source.name)
    path.write_bytes(raw[:size])
    return path


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "call.wav"
    path.write_bytes(b"")
    with pytest.raises(EmptyAudioError) as err:
        load_call(path)
    assert_names_file(err, path)


def test_wav_header_without_samples(tmp_path: Path) -> None:
    path = write(tmp_path / "call.wav", np.zeros(0, np.float32), 8000)
    for action in (probe, load_call):
        with pytest.raises(EmptyAudioError) as err:
            action(path)
        assert_names_file(err, path)


def test_flac_header_without_samples(tmp_path: Path) -> None:
    path = flac_metadata_only(tmp_path, total_samples=0)
    with pytest.raises(EmptyAudioError) as err:
        load_call(path)
    assert_names_file(err, path)


def test_flac_header_promising_samples_but_none_present(tmp_path: Path) -> None:
    path = flac_metadata_only(tmp_path, total_samples=None)
    with pytest.raises(TruncatedAudioError) as err:
        load_call(path)
    assert_names_file(err, path)


@pytest.mark.parametrize(("content", "hint"), [
    (b"Call notes: caller reported a burglary at 10:42.\n", "text"),
    (b'{"call_id": "C-0001", "duration": 312}', "text"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00", "PNG"),
])
def test_not_audio_renamed_wav(tmp_path: Path, content: bytes, hint: str) -> None:
    path = tmp_path / "call.wav"
    path.write_bytes(content)
    for action in (probe, load_call):
        with pytest.raises(NotAudioError) as err:
            action(path)
        assert_names_file(err, path)
        assert hint in str(err.value)


def test_directory(tmp_path: Path) -> None:
    path = tmp_path / "calls.wav"
    path.mkdir()
    with pytest.raises(NotAudioError) as err:
        load_call(path)
    assert_names_file(err, path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.wav"
    with pytest.raises(MissingAudioError) as err:
        load_call(path)
    assert_names_file(err, path)
    assert isinstance(err.value, FileNotFoundError)


@pytest.mark.parametrize(("fmt", "subtype", "rate", "channels"), [
    ("WAV", "PCM_16", 8000, 1),
    ("WAV", "PCM_24", 48000, 2),
    ("WAV", "ULAW", 8000, 1),
    ("WAV", "GSM610", 8000, 1),
    ("FLAC", "PCM_16", 44100, 2),
    ("MP3", "MPEG_LAYER_III", 44100, 2),
    ("OGG", "OPUS", 48000, 1),
], ids=lambda v: str(v))
@pytest.mark.parametrize("keep", [0.5, 0.995], ids=["half", "last-bytes-missing"])
def test_cut_short_file(tmp_path: Path, fmt: str, subtype: str, rate: int, channels: int, keep: float) -> None:
    mono = tone(rate)
    data = np.stack([mono] * channels, axis=1) if channels > 1 else mono
    path = cut(write(tmp_path / "call.dat", data, rate, fmt, subtype), keep)
    with pytest.raises(TruncatedAudioError) as err:
        load_call(path)
    assert_names_file(err, path)


@pytest.mark.parametrize("keep", [10, 30, 44])
def test_wav_cut_inside_header(tmp_path: Path, keep: int) -> None:
    path = cut(write(tmp_path / "call.wav", tone(8000), 8000), keep)
    for action in (probe, load_call):
        with pytest.raises(TruncatedAudioError) as err:
            action(path)
        assert_names_file(err, path)


@pytest.mark.parametrize(("content", "codec"), [
    (b"#!AMR\n" + bytes(range(256)) * 4, "AMR-NB"),
    (b"#!AMR-WB\n" + bytes(range(256)) * 4, "AMR-WB"),
    (b"\x00\x00\x00\x18ftyp3gp4\x00\x00\x00\x00isom3gp4" + bytes(64), "3GP"),
    (b"\x1a\x45\xdf\xa3" + bytes(64), "WebM"),
    (b"\xff\xf1\x50\x80\x02\x1f\xfc" + bytes(64), "AAC"),
])
def test_unsupported_codec_is_named(tmp_path: Path, content: bytes, codec: str) -> None:
    path = tmp_path / "call.wav"
    path.write_bytes(content)
    for action in (probe, load_call):
        with pytest.raises(UnsupportedCodecError) as err:
            action(path)
        assert_names_file(err, path)
        assert codec in str(err.value)


@pytest.mark.parametrize(("tag", "codec"), [(0x0083, "G.729A"), (0x0065, "G.722"), (0x4321, "0x4321")])
def test_wav_with_undecodable_codec(tmp_path: Path, tag: int, codec: str) -> None:
    path = wav_with_codec(tmp_path, tag)
    with pytest.raises(UnsupportedCodecError) as err:
        load_call(path)
    assert_names_file(err, path)
    assert codec in str(err.value)


# --- real recordings -------------------------------------------------------------------


def require(folder: Path) -> None:
    if not folder.is_dir():
        pytest.skip(f"real test recordings not found at {folder} (the shared data checkout is absent)")


@pytest.mark.parametrize(("name", "subtype"), [
    ("g711_mulaw_sample1.g711", "ULAW"),
    ("g711_alaw_sample1.g711", "ALAW"),
    ("gsm610_sample1.gsm610", "GSM610"),
    ("mpeg_sample1.mp3", "MPEG_LAYER_III"),
])
def test_real_telephone_recordings(name: str, subtype: str) -> None:
    require(TELEPHONE)
    call = load_call(TELEPHONE / name)

    assert call.info.sample_rate == 8000 and call.info.subtype == subtype
    assert call.sample_rate == TARGET_RATE and call.layout == "mono"
    assert 3.0 < call.duration_s == pytest.approx(9.1, abs=0.1)
    assert len(call.channels["mixed"]) == pytest.approx(call.duration_s * TARGET_RATE, abs=2)
    assert rms(call.channels["mixed"]) > 0.01


def test_real_amr_recording_is_unsupported() -> None:
    require(TELEPHONE)
    path = TELEPHONE / "amr_nb_sample1.amr_nb"
    with pytest.raises(UnsupportedCodecError) as err:
        load_call(path)
    assert_names_file(err, path)
    assert "AMR" in str(err.value)


def test_real_stereo_flac() -> None:
    require(REAL)
    path = REAL / "jfk.flac"
    call = load_call(path)

    assert call.info == AudioInfo("FLAC", "PCM_24", 44100, 2, 485100)
    assert call.layout == "stereo-handler-left"
    assert call.duration_s == pytest.approx(11.0, abs=0.01)
    assert all(rms(x) > 0.05 for x in call.channels.values())
    mixed = load_call(path, "mono").channels["mixed"]
    assert len(mixed) == len(call.channels["handler"])


# --- sanity before analysis (issue 17) -------------------------------------------------------


def _wav_claiming(path: Path, rate: int, seconds: float = 0.5) -> Path:
    """A real 8 kHz PCM WAV whose header is then patched to claim another sample rate."""
    sf.write(path, np.zeros(int(8000 * seconds), np.int16), 8000, subtype="PCM_16")
    data = bytearray(path.read_bytes())
    fmt = data.index(b"fmt ")
    struct.pack_into("<II", data, fmt + 12, rate, rate * 2)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("rate", [1, 100, 4000, 2_100_000_000])
def test_implausible_sample_rates_are_refused_before_decoding(tmp_path: Path, rate: int) -> None:
    path = _wav_claiming(tmp_path / f"r{rate}.wav", rate)
    with pytest.raises(AudioError, match=f"{path.name}.*{rate} Hz.*between 6000 and 192000"):
        load_call(path)


def test_nan_and_inf_samples_are_silenced_and_counted(tmp_path: Path) -> None:
    x = (0.1 * np.sin(np.arange(16000 * 3) / 10)).astype(np.float32)
    x[16000:16000 + 800] = np.nan
    x[20000:20010] = np.inf
    path = tmp_path / "nan.wav"
    sf.write(path, x, 16000, subtype="FLOAT")
    audio = load_call(path)
    assert np.isfinite(audio.channels["mixed"]).all()
    assert audio.info.non_finite_samples == 810
    assert np.abs(audio.channels["mixed"][16000:16800]).max() == 0.0


def test_a_file_that_is_mostly_nan_is_refused(tmp_path: Path) -> None:
    x = np.full(16000 * 2, np.nan, np.float32)
    x[:1000] = 0.1
    path = tmp_path / "nan.wav"
    sf.write(path, x, 16000, subtype="FLOAT")
    with pytest.raises(AudioError, match="nan.wav.*not numbers"):
        load_call(path)


# ---- decoded audio lives on disk, read a stretch at a time ------------------------------------

def test_channel_reads_slices_like_an_array():
    from callqa.pipeline.audio import Channel

    x = np.random.default_rng(3).normal(0, 0.1, 50_000).astype(np.float32)
    channel = Channel.from_array(x[:20_000])
    channel.append(x[20_000:])
    assert len(channel) == 50_000 and channel.duration_s == pytest.approx(50_000 / TARGET_RATE)
    for a, b in [(0, 10), (19_990, 20_010), (-5, None), (49_000, 60_000), (100, 50)]:
        assert np.array_equal(channel[a:b], x[a:b])
    assert np.array_equal(np.asarray(channel), x)
    with pytest.raises(TypeError):
        channel[::2]
    channel.close()


def test_loaded_channels_hold_no_samples_in_memory(tmp_path):
    """A call's channels are file-backed: the Python objects stay tiny whatever the length."""
    import sys

    path = tmp_path / "long.wav"
    sf.write(path, np.zeros((8000 * 600, 2), np.float32), 8000, subtype="PCM_16")
    with load_call(path) as call:
        assert call.duration_s == pytest.approx(600)
        for channel in call.channels.values():
            assert len(channel) == 600 * TARGET_RATE
            assert sys.getsizeof(channel) + sum(sys.getsizeof(v) for v in vars(channel).values()) < 10_000
