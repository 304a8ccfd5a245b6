"""The optional openai-whisper engine: loads a local checkpoint, maps its output, guards loops.

No real openai-whisper checkpoint ships on PyPI, so the test builds a small randomly initialised
one. Its output is nonsense (typically one token repeated: a decoder loop), which is exactly
what the loading path, the output mapping and the repetition guard must survive.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from importlib import resources

import jsonschema
import pytest

from callqa.cli import main
from callqa.pipeline.config import STTConfig
from callqa.pipeline.errors import ModelNotFoundError
from tests.conftest import SAMPLES

if os.environ.get("CALLQA_REQUIRE_OPENAI_WHISPER") != "1":  # .ci/run installs it and sets this
    pytest.importorskip("whisper", reason="openai-whisper not installed (pip install .[openai])")
import torch  # noqa: E402
import whisper  # noqa: E402,F401


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    from whisper.model import ModelDimensions, Whisper

    torch.manual_seed(0)
    dims = ModelDimensions(n_mels=80, n_audio_ctx=1500, n_audio_state=64, n_audio_head=2, n_audio_layer=1,
                           n_vocab=51864, n_text_ctx=64, n_text_state=64, n_text_head=2, n_text_layer=1)
    path = tmp_path_factory.mktemp("ckpt") / "random-tiny.pt"
    model = Whisper(dims)
    with torch.no_grad():  # the decoder's positional embedding is created with torch.empty
        model.decoder.positional_embedding.normal_(0, 0.02)
    torch.save({"dims": dims.__dict__, "model_state_dict": model.state_dict()}, path)
    return path


def test_cli_runs_openai_whisper_from_a_local_checkpoint(checkpoint, tmp_path):
    out = tmp_path / "r.json"
    code = main(["analyze", str(SAMPLES / "good_999.wav"), "--engine", "openai-whisper",
                 "--model", str(checkpoint), "--out", str(out)])
    assert code == 0
    result = json.loads(out.read_text())
    jsonschema.validate(result, json.loads(resources.files("callqa.pipeline").joinpath("result.schema.json").read_text()))
    assert result["engine"] == {"name": "openai-whisper", "model": str(checkpoint)}
    words = [w for seg in result["transcript"] for w in seg["words"]]
    assert words, "the checkpoint produced no words to map"
    speech = result["speech"]
    for seg in result["transcript"]:
        assert seg["speaker"] in ("handler", "caller")
        regions = speech[seg["speaker"]]
        for w in seg["words"]:
            assert 0 <= w["start_s"] <= w["end_s"] <= result["duration_s"]
            # mapped back into (padded) speech of that channel, never into the silence between
            assert any(a - 1.0 <= w["start_s"] <= b + 1.0 for a, b in regions), w
    # a random decoder loops; the guard keeps at most 3 back-to-back repeats of any n-gram
    assert result["stats"]["repetitions_removed"] > 0


def test_missing_checkpoint_is_a_clear_error(tmp_path):
    from callqa.pipeline.stt.openai_whisper_engine import OpenAIWhisperEngine

    with pytest.raises(ModelNotFoundError, match="neither a checkpoint file nor a model name"):
        OpenAIWhisperEngine(replace(STTConfig(), engine="openai-whisper", model=str(tmp_path / "none.pt")))
    corrupt = tmp_path / "corrupt.pt"
    corrupt.write_bytes(b"not a checkpoint")
    with pytest.raises(ModelNotFoundError, match="could not load"):
        OpenAIWhisperEngine(replace(STTConfig(), engine="openai-whisper", model=str(corrupt)))
