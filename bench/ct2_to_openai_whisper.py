"""Turn a CTranslate2 Whisper model.bin into an openai-whisper checkpoint (dims + state dict).

Why: the bundled weights ship only as CTranslate2 (faster-whisper) files, and openai-whisper
loads only PyTorch checkpoints. Converting the *same* weights lets bench/bench_speed.py compare
the two implementations on equal terms, with no download.

    python bench/ct2_to_openai_whisper.py [--model tiny.en|FOLDER] OUT.pt

Reading needs numpy only; writing the checkpoint needs torch. The binary layout is the one
`ctranslate2.specs.model_spec.ModelSpec._serialize` writes (binary version 6): u32 version,
string spec name, u32 revision, u32 variable count, then per variable (string name, u8 rank,
u32 dims, u8 dtype id, u32 byte count, data), then u32 alias count and (alias, target) strings.
Strings are u16 length (including a trailing NUL), bytes, NUL. Everything is little-endian.
"""

from __future__ import annotations

import argparse
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# Order of ctranslate2's DataType enum (include/ctranslate2/types.h, specs/model_spec.py).
_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
_SUPPORTED_VERSIONS = range(1, 7)


class ConversionError(ValueError):
    """The file is not a CTranslate2 Whisper model this converter understands."""


@dataclass(frozen=True)
class CT2Model:
    """The contents of one CTranslate2 model.bin, variables as numpy arrays."""

    version: int
    spec: str
    revision: int
    variables: dict[str, np.ndarray]
    aliases: dict[str, str]


@dataclass(frozen=True)
class Checkpoint:
    """What `whisper.load_model(path)` expects: `dims` and `model_state_dict` (numpy here)."""

    dims: dict[str, int]
    state: dict[str, np.ndarray]


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 0

    def take(self, size: int) -> bytes:
        if self.at + size > len(self.data):
            raise ConversionError(f"model.bin ends early: needed {size} bytes at offset {self.at} of {len(self.data)}")
        chunk = self.data[self.at:self.at + size]
        self.at += size
        return chunk

    def unpack(self, fmt: str) -> int:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt)))[0]

    def string(self) -> str:
        size = self.unpack("H")
        raw = self.take(size)
        if not raw or raw[-1] != 0:
            raise ConversionError(f"model.bin: string at offset {self.at - size} is not NUL-terminated")
        return raw[:-1].decode("utf-8")


def _array(raw: bytes, dtype_id: int, dims: list[int], name: str) -> np.ndarray:
    if dtype_id >= len(_DTYPES):
        raise ConversionError(f"{name}: unknown dtype id {dtype_id}")
    dtype = _DTYPES[dtype_id]
    if dtype == "bfloat16":  # numpy has no bfloat16: its bits are the top half of a float32
        values = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
    else:
        values = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<"))
    expected = int(np.prod(dims)) if dims else 1
    if values.size != expected:
        raise ConversionError(f"{name}: {values.size} values for shape {dims}")
    return values.reshape(dims)


def read_ct2(path: str | Path) -> CT2Model:
    """Parse a CTranslate2 model.bin (any spec) into its variables and aliases."""
    reader = _Reader(Path(path).read_bytes())
    version = reader.unpack("I")
    if version not in _SUPPORTED_VERSIONS:
        raise ConversionError(f"{path}: CTranslate2 binary version {version}, expected 1 to 6")
    spec = reader.string() if version >= 2 else ""
    revision = reader.unpack("I") if version >= 2 else 1
    variables: dict[str, np.ndarray] = {}
    for _ in range(reader.unpack("I")):
        name = reader.string()
        dims = [reader.unpack("I") for _ in range(reader.unpack("B"))]
        dtype_id = reader.unpack("B") if version >= 4 else 0
        size = reader.unpack("I")
        variables[name] = _array(reader.take(size), dtype_id, dims, name)
    aliases: dict[str, str] = {}
    if version >= 3:
        for _ in range(reader.unpack("I")):
            alias = reader.string()
            aliases[alias] = reader.string()
    if reader.at != len(reader.data):
        raise ConversionError(f"{path}: {len(reader.data) - reader.at} unexpected bytes after the aliases")
    return CT2Model(version, spec, revision, variables, aliases)


def _float(model: CT2Model, name: str) -> np.ndarray:
    """A weight as stored (float16/32), or dequantised if CTranslate2 stored it as int8/int16."""
    try:
        value = model.variables[name]
    except KeyError:
        raise ConversionError(f"model.bin has no variable {name!r}") from None
    if value.dtype.kind == "f":
        return value
    scale = model.variables.get(name + "_scale")
    if scale is None:
        raise ConversionError(f"{name} is {value.dtype} with no {name}_scale to dequantise it")
    return (value.astype(np.float32) / scale.astype(np.float32).reshape(-1, 1)).astype(np.float16)


def _layer_count(model: CT2Model, side: str) -> int:
    count = 0
    while f"{side}/layer_{count}/ffn/linear_0/weight" in model.variables:
        count += 1
    if not count:
        raise ConversionError(f"model.bin has no {side} layers")
    return count


def _zero_key_bias(bias: np.ndarray, where: str) -> None:
    """openai-whisper's key projections have no bias; CT2 fuses them in with a zero one."""
    if np.abs(bias.astype(np.float32)).max() > 1e-6:
        raise ConversionError(f"{where}: the key bias is not zero, so this is not a Whisper model laid out as expected")


def openai_checkpoint(model: CT2Model) -> Checkpoint:
    """Map CT2 WhisperSpec variable names onto openai-whisper's module names."""
    if model.spec != "WhisperSpec":
        raise ConversionError(f"model.bin holds a {model.spec or 'pre-v2'} model, not WhisperSpec")
    if model.aliases.get("decoder/projection/weight", "decoder/embeddings/weight") != "decoder/embeddings/weight":
        raise ConversionError("the output projection is not tied to the token embedding, as openai-whisper needs")
    state: dict[str, np.ndarray] = {}

    def linear(target: str, source: str) -> None:
        state[f"{target}.weight"] = _float(model, f"{source}/weight")
        state[f"{target}.bias"] = _float(model, f"{source}/bias")

    def norm(target: str, source: str) -> None:
        state[f"{target}.weight"] = _float(model, f"{source}/gamma")
        state[f"{target}.bias"] = _float(model, f"{source}/beta")

    def self_attention(target: str, source: str) -> None:
        weight = _float(model, f"{source}/linear_0/weight")
        bias = _float(model, f"{source}/linear_0/bias")
        (wq, wk, wv), (bq, bk, bv) = np.split(weight, 3), np.split(bias, 3)
        _zero_key_bias(bk, source)
        state.update({f"{target}.query.weight": wq, f"{target}.query.bias": bq, f"{target}.key.weight": wk,
                      f"{target}.value.weight": wv, f"{target}.value.bias": bv})
        linear(f"{target}.out", f"{source}/linear_1")
        norm(f"{target}_ln", f"{source}/layer_norm")

    def cross_attention(target: str, source: str) -> None:
        linear(f"{target}.query", f"{source}/linear_0")
        (wk, wv) = np.split(_float(model, f"{source}/linear_1/weight"), 2)
        (bk, bv) = np.split(_float(model, f"{source}/linear_1/bias"), 2)
        _zero_key_bias(bk, source)
        state.update({f"{target}.key.weight": wk, f"{target}.value.weight": wv, f"{target}.value.bias": bv})
        linear(f"{target}.out", f"{source}/linear_2")
        norm(f"{target}_ln", f"{source}/layer_norm")

    def mlp(target: str, source: str) -> None:
        linear(f"{target}.mlp.0", f"{source}/ffn/linear_0")
        linear(f"{target}.mlp.2", f"{source}/ffn/linear_1")
        norm(f"{target}.mlp_ln", f"{source}/ffn/layer_norm")

    encoder_layers, decoder_layers = _layer_count(model, "encoder"), _layer_count(model, "decoder")
    linear("encoder.conv1", "encoder/conv1")
    linear("encoder.conv2", "encoder/conv2")
    state["encoder.positional_embedding"] = _float(model, "encoder/position_encodings/encodings")
    for i in range(encoder_layers):
        self_attention(f"encoder.blocks.{i}.attn", f"encoder/layer_{i}/self_attention")
        mlp(f"encoder.blocks.{i}", f"encoder/layer_{i}")
    norm("encoder.ln_post", "encoder/layer_norm")
    state["decoder.token_embedding.weight"] = _float(model, "decoder/embeddings/weight")
    state["decoder.positional_embedding"] = _float(model, "decoder/position_encodings/encodings")
    for i in range(decoder_layers):
        self_attention(f"decoder.blocks.{i}.attn", f"decoder/layer_{i}/self_attention")
        cross_attention(f"decoder.blocks.{i}.cross_attn", f"decoder/layer_{i}/attention")
        mlp(f"decoder.blocks.{i}", f"decoder/layer_{i}")
    norm("decoder.ln", "decoder/layer_norm")

    conv1 = state["encoder.conv1.weight"]
    audio_ctx, audio_state = state["encoder.positional_embedding"].shape
    vocab, text_state = state["decoder.token_embedding.weight"].shape
    dims = {
        "n_mels": int(conv1.shape[1]), "n_audio_ctx": int(audio_ctx), "n_audio_state": int(audio_state),
        "n_audio_head": int(model.variables["encoder/num_heads"]), "n_audio_layer": encoder_layers,
        "n_vocab": int(vocab), "n_text_ctx": int(state["decoder.positional_embedding"].shape[0]),
        "n_text_state": int(text_state), "n_text_head": int(model.variables["decoder/num_heads"]),
        "n_text_layer": decoder_layers,
    }
    return Checkpoint(dims, state)


def write_checkpoint(checkpoint: Checkpoint, target: str | Path) -> Path:
    """Save as openai-whisper's own checkpoints are saved: a torch file with dims and state dict."""
    import torch

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # np.array copies: torch wants writable memory, and the parsed arrays are read-only views of the file.
    state = {name: torch.from_numpy(np.array(value)) for name, value in checkpoint.state.items()}
    torch.save({"dims": checkpoint.dims, "model_state_dict": state}, target)
    return target


def convert(model_bin: str | Path, target: str | Path) -> Path:
    """model.bin (CTranslate2 Whisper) -> target .pt that `whisper.load_model(target)` loads."""
    return write_checkpoint(openai_checkpoint(read_ct2(model_bin)), target)


def bundled_model_bin(model: str = "tiny.en") -> Path:
    """A bundled model name (sha256-checked by callqa) or a CTranslate2 folder -> its model.bin."""
    folder = Path(model)
    if not (folder / "model.bin").is_file():
        from callqa.models.weights import resolve_model

        folder = resolve_model(model)
    return folder / "model.bin"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="the openai-whisper checkpoint to write (.pt)")
    parser.add_argument("--model", default="tiny.en", help="bundled model name or CTranslate2 folder")
    args = parser.parse_args(argv)
    from callqa.errors import CallQAError

    try:
        target = convert(bundled_model_bin(args.model), args.out)
    except (ConversionError, CallQAError, OSError) as exc:
        print(f"ct2_to_openai_whisper: error: {exc}", file=sys.stderr)
        return 2
    print(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
