"""pipeline/mel.py gives librosa's numbers without librosa (and its 210 MB of numba and llvmlite)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from callqa.pipeline import mel

librosa = pytest.importorskip("librosa", reason="librosa (a test extra) is the reference")


@pytest.fixture(scope="module")
def audio() -> np.ndarray:
    rng = np.random.default_rng(7)
    t = np.arange(16000 * 3) / 16000
    tone = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.1 * np.sin(2 * np.pi * 1800 * t)
    return (tone + 0.05 * rng.standard_normal(len(t))).astype(np.float32)


@pytest.mark.parametrize("n_fft,n_mels,fmin,fmax", [(400, 40, 0.0, None), (512, 40, 300.0, 3400.0)])
def test_filterbank_and_melspectrogram_match_librosa(audio, n_fft, n_mels, fmin, fmax):
    ours = mel.mel_filterbank(16000, n_fft, n_mels, fmin, fmax)
    theirs = librosa.filters.mel(sr=16000, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-8)
    ours = mel.melspectrogram(audio, 16000, n_fft=n_fft, hop=160, n_mels=n_mels, fmin=fmin, fmax=fmax)
    theirs = librosa.feature.melspectrogram(y=audio, sr=16000, n_fft=n_fft, hop_length=160, n_mels=n_mels,
                                            fmin=fmin, fmax=fmax)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=2e-4, atol=1e-6 * float(theirs.max()))


def test_mfcc_matches_librosa(audio):
    power = mel.melspectrogram(audio, 16000, n_fft=512, hop=160, n_mels=40, fmin=300, fmax=3400) + 1e-10
    ours = mel.mfcc(mel.power_to_db(power), 21)
    theirs = librosa.feature.mfcc(S=librosa.power_to_db(power, top_db=None), n_mfcc=21)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-3)


def test_short_input_and_edges(audio):
    assert mel.melspectrogram(audio[:100], 16000, 400, 160, 40).shape == \
        librosa.feature.melspectrogram(y=audio[:100], sr=16000, n_fft=400, hop_length=160, n_mels=40).shape


def test_the_speaker_encoder_and_diarizer_load_no_numba():
    """The point of the module: a worker that embeds voices never imports librosa, numba or llvmlite."""
    code = ("import sys, numpy as np\n"
            "from callqa.pipeline.speaker_encoder import default_speaker_encoder\n"
            "from callqa.pipeline import diarize\n"
            "x = (np.random.default_rng(0).standard_normal(16000 * 4) * 0.1).astype('float32')\n"
            "default_speaker_encoder().embed_windows(x, 16000, [(0.0, 1.5), (1.0, 2.5)])\n"
            "diarize._features(x, 16000, diarize.DiarizeConfig())\n"
            "print(sorted(m for m in ('librosa', 'numba', 'llvmlite') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("first,stop", [(0, 40), (37, 120), (250, 301)])
def test_frames_of_a_stretch_are_the_whole_signal_frames(audio, first, stop):
    """What the speaker encoder and the diarizer read a block at a time: the same frames."""
    whole = mel.melspectrogram(audio, 16000, n_fft=512, hop=160, n_mels=40, fmin=300, fmax=3400)
    part = mel.mel_frames(audio, first, stop, 16000, n_fft=512, hop=160, n_mels=40, fmin=300, fmax=3400)
    np.testing.assert_allclose(part, whole[:, first:stop], rtol=1e-5, atol=1e-7 * float(whole.max()))
    with pytest.raises(ValueError, match="reaches past"):
        mel.mel_frames(audio, 0, 10, 16000, n_fft=1024, hop=160, n_mels=40)
