"""bench/ct2_to_openai_whisper.py: the bundled CTranslate2 weights, run by openai-whisper.

The speed benchmark compares openai-whisper with faster-whisper on the *same* weights, so the
conversion must be exact: the parser is checked against CTranslate2's own writer, the mapping
against openai-whisper's module names and against CTranslate2's encoder output, and the whole
against the published JFK transcript.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from tests.conftest import ROOT, SAMPLES

sys.path.insert(0, str(ROOT / "bench"))
from ct2_to_openai_whisper import (  # noqa: E402
    ConversionError, bundled_model_bin, convert, openai_checkpoint, read_ct2, _float)

from tests.real_speech import JFK, wer  # noqa: E402


def need_openai_whisper():
    """openai-whisper and torch are the optional `.[openai]` extra."""
    pytest.importorskip("torch", reason="torch is not installed (pip install torch==2.13.0 && pip install .[openai])")
    return pytest.importorskip("whisper", reason="openai-whisper is not installed (pip install .[openai])")


@pytest.fixture(scope="module")
def ct2_model():
    return read_ct2(bundled_model_bin("tiny.en"))


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    need_openai_whisper()
    return convert(bundled_model_bin("tiny.en"), tmp_path_factory.mktemp("ckpt") / "tiny.en.pt")


@pytest.fixture(scope="module")
def openai_model(converted):
    import torch
    import whisper

    torch.set_num_threads(1)
    return whisper.load_model(str(converted), device="cpu")


def test_parser_reads_what_ctranslate2_writes(tmp_path):
    """A small spec saved by CTranslate2's own writer: float, int8 with scales, a scalar, an alias."""
    from ctranslate2.specs import common_spec, model_spec

    class Small(model_spec.ModelSpec):
        def __init__(self) -> None:
            super().__init__()
            self.dense = common_spec.LinearSpec()
            self.tied = common_spec.LinearSpec()
            self.heads = np.dtype("int16").type(6)

        @property
        def name(self) -> str:
            return "SmallSpec"

        @property
        def revision(self) -> int:
            return 7

    weight = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    spec = Small()
    spec.dense.weight, spec.dense.bias = weight.copy(), np.arange(4, dtype=np.float32)
    spec.tied.weight, spec.tied.bias = weight.copy(), np.ones(4, dtype=np.float32)
    spec.validate()
    spec.optimize("int8")  # quantises the weights and aliases the duplicate
    spec._serialize(str(tmp_path / "model.bin"))

    model = read_ct2(tmp_path / "model.bin")

    assert (model.version, model.spec, model.revision) == (6, "SmallSpec", 7)
    assert model.aliases == {"tied/weight": "dense/weight"}
    assert model.variables["dense/weight"].dtype == np.int8
    assert int(model.variables["heads"]) == 6
    np.testing.assert_array_equal(model.variables["dense/bias"], np.arange(4))
    np.testing.assert_allclose(_float(model, "dense/weight"), weight, atol=np.abs(weight).max() / 127)


def test_a_truncated_file_is_refused_with_where_it_ended(tmp_path):
    data = bundled_model_bin("tiny.en").read_bytes()
    (tmp_path / "model.bin").write_bytes(data[:100_000])
    with pytest.raises(ConversionError, match="ends early"):
        read_ct2(tmp_path / "model.bin")


def test_bundled_tiny_en_maps_to_the_dims_of_openai_whispers_tiny_en(ct2_model):
    assert (ct2_model.spec, ct2_model.revision) == ("WhisperSpec", 3)
    checkpoint = openai_checkpoint(ct2_model)
    # openai-whisper's published tiny.en dimensions
    assert checkpoint.dims == {"n_mels": 80, "n_audio_ctx": 1500, "n_audio_state": 384, "n_audio_head": 6,
                               "n_audio_layer": 4, "n_vocab": 51864, "n_text_ctx": 448, "n_text_state": 384,
                               "n_text_head": 6, "n_text_layer": 4}


def test_the_state_dict_is_exactly_openai_whispers(ct2_model):
    need_openai_whisper()
    from whisper.model import ModelDimensions, Whisper

    checkpoint = openai_checkpoint(ct2_model)
    expected = {k: tuple(v.shape) for k, v in Whisper(ModelDimensions(**checkpoint.dims)).state_dict().items()}
    assert {k: v.shape for k, v in checkpoint.state.items()} == expected


def test_a_model_that_is_not_whisper_is_refused(ct2_model):
    from dataclasses import replace

    with pytest.raises(ConversionError, match="not WhisperSpec"):
        openai_checkpoint(replace(ct2_model, spec="TransformerSpec"))


def test_the_converted_encoder_agrees_with_ctranslate2s(openai_model):
    """Same mel in, same audio features out: the attention split and layer norms are right."""
    import ctranslate2
    import torch
    import whisper

    from callqa.pipeline.audio import load_call

    with load_call(SAMPLES / "good_101.wav") as call:
        audio = np.asarray(call.channels["handler"], dtype=np.float32)
    mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(audio)).numpy()[None]
    ct2 = ctranslate2.models.Whisper(str(bundled_model_bin("tiny.en").parent), device="cpu",
                                     compute_type="float32", intra_threads=1)
    expected = np.array(ct2.encode(ctranslate2.StorageView.from_array(np.ascontiguousarray(mel))))
    with torch.no_grad():
        got = openai_model.embed_audio(torch.from_numpy(mel)).numpy()

    assert got.shape == expected.shape == (1, 1500, 384)
    # Measured: max difference 2e-4 on values up to 12 (float rounding); q/k swapped in one layer gives 16.
    assert np.abs(got - expected).max() < 1e-3 * np.abs(expected).max()


def test_openai_whisper_on_the_converted_weights_transcribes_jfk(openai_model, real_dir):
    from callqa.pipeline.audio import load_call

    with load_call(real_dir / "jfk.flac") as call:
        audio = np.asarray(next(iter(call.channels.values())), dtype=np.float32)
    result = openai_model.transcribe(audio, beam_size=5, fp16=False)

    assert wer([JFK], [result["text"]]) < 0.10, result["text"]
