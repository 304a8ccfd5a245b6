"""Speaker encoder (pipeline/speaker_encoder.py) on resemblyzer's GE2E weights, read without torch."""

from __future__ import annotations

import collections
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from callqa.models import speaker_weights
from callqa.models.speaker_weights import (PINNED_SHA256, load_speaker_weights, read_torch_state_dict,
                                    resolve_speaker_weights, verify_weights)
from callqa.pipeline.errors import ModelNotFoundError
from callqa.pipeline.speaker_encoder import PARTIAL_FRAMES, SpeakerEncoder, default_speaker_encoder

ROOT = Path(__file__).resolve().parents[1]
REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"

# Mixed lengths on purpose: shorter than 1.6 s (padded), exactly 1.6 s, longer (one long sequence).
WINDOWS = {
    "harvard/spk1_snt1.wav": [(0.0, 1.6), (0.3, 1.2), (0.5, 2.87), (1.0, 2.5)],
    "conversations/dev00.wav": [(0.0, 1.5), (2.0, 3.6), (5.0, 5.4), (7.0, 10.0), (12.3, 13.1), (20.0, 22.5),
                                (28.5, 30.0)],
}


def _read(name: str) -> tuple[np.ndarray, int]:
    path = REAL / name
    if not path.is_file():
        pytest.skip(f"real-speech file {path} is absent (../shared/data/real sits beside the checkout)")
    samples, rate = sf.read(path, dtype="float32")
    return samples, rate


@pytest.fixture(scope="module")
def encoder() -> SpeakerEncoder:
    return default_speaker_encoder()


@pytest.fixture(scope="module")
def voice_encoder():
    pytest.importorskip("torch", reason="the reference check runs resemblyzer's own torch model")
    resemblyzer = pytest.importorskip("resemblyzer")
    return resemblyzer, resemblyzer.VoiceEncoder("cpu", verbose=False)


def test_weights_are_pinned_and_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = resolve_speaker_weights()
    assert path.name == "pretrained.pt" and verify_weights(path) == path
    monkeypatch.setenv("CALLQA_MODEL_CACHE", str(tmp_path))
    first = load_speaker_weights()
    cached = tmp_path / f"resemblyzer-ge2e-{PINNED_SHA256[:16]}.npz"
    assert cached.is_file()
    cached.write_bytes(b"corrupt")  # a damaged cache is rebuilt, not trusted
    again = load_speaker_weights()
    assert set(again) == set(first) and all(np.array_equal(again[k], first[k]) for k in first)
    assert np.load(cached, allow_pickle=False)["linear.weight"].shape == (256, 256)


@pytest.mark.parametrize("name", list(WINDOWS))
def test_windows_match_resemblyzer_torch(name: str, encoder: SpeakerEncoder, voice_encoder) -> None:
    """Same mel input (resemblyzer's own preprocessing and mel), each window alone through torch."""
    import torch

    resemblyzer, model = voice_encoder
    samples, rate = _read(name)
    windows = WINDOWS[name]
    ours = encoder.embed_windows(samples, rate, windows)
    mel = resemblyzer.wav_to_mel_spectrogram(resemblyzer.normalize_volume(samples, -30, increase_only=True))
    refs = []
    for start, end in windows:
        frames = mel[round(start * 100):round(end * 100)]
        frames = np.pad(frames, ((0, max(0, PARTIAL_FRAMES - len(frames))), (0, 0)))
        with torch.no_grad():
            refs.append(model(torch.from_numpy(frames[None]))[0].numpy())
    assert ours.shape == (len(windows), 256) and ours.dtype == np.float32
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert np.abs(ours - np.stack(refs)).max() < 1e-4


@pytest.mark.parametrize("name, seconds", [("harvard/spk1_snt1.wav", None), ("conversations/dev00.wav", 7.3)])
def test_utterance_matches_resemblyzer_torch(name: str, seconds: float | None, encoder: SpeakerEncoder,
                                             voice_encoder) -> None:
    resemblyzer, model = voice_encoder
    samples, rate = _read(name)
    if seconds is not None:
        samples = samples[:int(seconds * rate)]
    reference = model.embed_utterance(resemblyzer.normalize_volume(samples, -30, increase_only=True))
    assert np.abs(encoder.embed_utterance(samples, rate) - reference).max() < 1e-4


def test_batch_equals_one_window_at_a_time(encoder: SpeakerEncoder) -> None:
    samples, rate = _read("conversations/dev00.wav")
    windows = WINDOWS["conversations/dev00.wav"]
    batch = encoder.embed_windows(samples, rate, windows)
    alone = np.concatenate([encoder.embed_windows(samples, rate, [w]) for w in windows])
    assert np.abs(batch - alone).max() < 1e-5
    assert encoder.embed_windows(samples, rate, []).shape == (0, 256)
    with pytest.raises(ValueError):
        encoder.embed_windows(samples, rate, [(31.0, 32.0)])


def test_same_speaker_more_similar(encoder: SpeakerEncoder) -> None:
    embeds = {(spk, n): encoder.embed_utterance(*_read(f"harvard/spk{spk}_snt{n}.wav"))
              for spk in (1, 2) for n in range(1, 6)}
    within = [embeds[s, a] @ embeds[s, b] for s in (1, 2) for a in range(1, 6) for b in range(a + 1, 6)]
    across = [embeds[1, a] @ embeds[2, b] for a in range(1, 6) for b in range(1, 6)]
    # Measured: within 0.837 (min 0.726), across 0.531 (max 0.615).
    assert np.mean(within) - np.mean(across) > 0.2
    assert min(within) > max(across)


def test_resampled_input_still_same_voice(encoder: SpeakerEncoder) -> None:
    import soxr

    samples, rate = _read("harvard/spk1_snt1.wav")
    narrow = soxr.resample(samples, rate, 8000)  # telephone rate: resampled back to 16 kHz inside
    a, b = encoder.embed_windows(samples, rate, [(0.2, 1.7)])[0], encoder.embed_windows(narrow, 8000, [(0.2, 1.7)])[0]
    assert a @ b > 0.8


# --- the restricted checkpoint reader -------------------------------------------------------------------


def _legacy_header() -> bytes:
    sys_info = {"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}
    return b"".join(pickle.dumps(x, protocol=2) for x in (0x1950A86A20F9469CFC6C, 1001, sys_info))


class _Exploit:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_reader_refuses_unexpected_global(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    bad = tmp_path / "bad.pt"
    bad.write_bytes(_legacy_header() + pickle.dumps({"model_state": {"w": _Exploit(marker)}}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="does not allow"):
        read_torch_state_dict(bad)
    assert not marker.exists()
    # Globals are refused in the header pickles too, before the checkpoint itself is reached.
    early = tmp_path / "early.pt"
    early.write_bytes(pickle.dumps(_Exploit(marker), protocol=2))
    with pytest.raises(pickle.UnpicklingError):
        read_torch_state_dict(early)
    assert not marker.exists()


def test_reader_matches_torch_legacy_save(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    state = collections.OrderedDict(a=base, t=base.t(), s=base[1:3, 2:5], v=torch.tensor([1.5, -2.0]))
    path = tmp_path / "tiny.pt"
    torch.save({"model_state": state, "step": 3}, path, _use_new_zipfile_serialization=False)
    read = read_torch_state_dict(path)
    assert set(read) == set(state) and all(np.array_equal(read[k], v.numpy()) for k, v in state.items())
    # The newer zip format is not this reader's business: it fails cleanly.
    torch.save({"model_state": state}, tmp_path / "zip.pt")
    with pytest.raises((ValueError, pickle.UnpicklingError)):
        read_torch_state_dict(tmp_path / "zip.pt")


def test_wrong_or_missing_weights_name_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "pretrained.pt"
    fake.write_bytes(b"not the GE2E weights")
    with pytest.raises(ModelNotFoundError, match="does not match the pinned") as info:
        verify_weights(fake)
    assert str(fake) in str(info.value) and "pip install --no-deps resemblyzer==0.1.4" in str(info.value)
    monkeypatch.setattr(speaker_weights, "PINNED_SHA256", "0" * 64)
    with pytest.raises(ModelNotFoundError, match="resemblyzer/pretrained.pt"):
        resolve_speaker_weights()
    monkeypatch.setattr(speaker_weights, "DISTRIBUTION", "no-such-speaker-weights")
    with pytest.raises(ModelNotFoundError, match="pip install --no-deps resemblyzer==0.1.4"):
        resolve_speaker_weights()


def test_encoder_does_not_import_torch(tmp_path: Path) -> None:
    code = (
        "import sys, numpy as np\n"
        "from callqa.pipeline.speaker_encoder import default_speaker_encoder\n"
        "rng = np.random.default_rng(0)\n"
        "e = default_speaker_encoder().embed_windows(rng.standard_normal(32000).astype('float32') * 0.1, 16000,"
        " [(0.0, 1.0)])\n"
        "assert e.shape == (1, 256), e.shape\n"
        "assert 'torch' not in sys.modules and 'resemblyzer' not in sys.modules\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CALLQA_MODEL_CACHE": str(tmp_path)}  # convert afresh, too
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, env=env, timeout=120)
