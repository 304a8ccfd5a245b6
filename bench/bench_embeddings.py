"""Sentence-embedding speed on one CPU thread: the numpy encoder against a torch reference.

    python bench/bench_embeddings.py [--sentences N] [--repeats R]

Prints the encoder's load time (hash checks included), then sentences/second for typical transcript
sentences (5-20 words) at batch sizes 1, 16 and 64, for callqa.pipeline.embeddings.SentenceEncoder and, when
torch is importable, for a plain torch forward pass over the same weights and token ids, plus the
largest absolute difference between the two sets of embeddings.

`torch_reference(encoder)` is also used by tests/test_embeddings.py: it is written the way
transformers' BertModel computes (separate q/k/v projections, masked softmax, exact GELU) so that
it checks the numpy encoder's fused and pre-scaled layout rather than repeating it.
"""

from __future__ import annotations

import os

if __name__ == "__main__":  # not when tests import torch_reference: they keep their thread pools
    # One thread everywhere, set before numpy/torch start their thread pools (threadpoolctl too, below).
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import argparse  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from callqa.pipeline.embeddings import SentenceEncoder, load_safetensors  # noqa: E402

# Call-handler and caller lines of the kind the intent matcher sees, 5-20 words each.
TRANSCRIPT_SENTENCES = [
    "Police, what is the address of your emergency?",
    "Officers are on their way to you now.",
    "I've got a patrol heading to your address.",
    "What colour was the car?",
    "Can you describe the man who took your bag?",
    "Is anyone injured or in need of an ambulance right now?",
    "Stay on the line with me, you're doing really well.",
    "My neighbour's been shouting and I heard glass breaking about ten minutes ago.",
    "Can I take your full name and date of birth please?",
    "He drove off towards the high street in a silver Ford Focus.",
    "I'm really sorry that's happened to you, that must have been frightening.",
    "Is the person still at the property with you?",
    "Have you been drinking at all tonight?",
    "We'll get someone out to you as soon as we can, but it could be a few hours.",
    "Lock the door and don't open it until the officers arrive.",
    "I can't breathe properly, he's got a knife and he's outside.",
    "Your crime reference number is four seven one nine double oh two.",
    "Is there anything else I can help you with today?",
    "The lad next door keeps parking right across my driveway every single night.",
    "Do you know which way they went after they left the shop?",
    "Are there any children in the house at the moment?",
    "I just want someone to come and have a word with him.",
    "Can you see any weapons, or did he say he had one?",
    "Right, I'm going to ask you a few quick questions to get help to you.",
    "She hasn't come home from school and she isn't answering her phone.",
    "Somebody has smashed the window of my van and taken all my tools.",
    "Is it safe for you to talk right now?",
    "What's the best number to call you back on if we get cut off?",
    "They were wearing dark hoodies and one of them had a rucksack.",
    "I'll put a warning marker on your address so officers know the history.",
]


def transcript_sentences(n: int, seed: int = 7) -> list[str]:
    """`n` sentences drawn from TRANSCRIPT_SENTENCES in a fixed shuffled order."""
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        chunk = list(TRANSCRIPT_SENTENCES)
        rng.shuffle(chunk)
        out.extend(chunk)
    return out[:n]


def torch_reference(encoder: SentenceEncoder, folder: Path | None = None) -> Callable[[list[str], int], np.ndarray]:
    """A plain torch forward pass over the same safetensors weights; returns encode(texts, batch_size)."""
    import torch
    import torch.nn.functional as F

    from callqa.models.embedding_weights import resolve_sentence_model

    folder = folder or resolve_sentence_model()
    w = {k: torch.from_numpy(np.array(v)) for k, v in load_safetensors(folder / "model.safetensors").items()}
    heads, eps = 12, 1e-12
    layers = sum(1 for k in w if k.endswith("attention.self.query.weight"))

    def lin(x: torch.Tensor, name: str) -> torch.Tensor:
        return F.linear(x, w[name + ".weight"], w[name + ".bias"])

    def ln(x: torch.Tensor, name: str) -> torch.Tensor:
        return F.layer_norm(x, x.shape[-1:], w[name + ".weight"], w[name + ".bias"], eps)

    @torch.inference_mode()
    def forward(ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        bsz, width = ids.shape
        pos = torch.arange(width)
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][pos]
             + w["embeddings.token_type_embeddings.weight"][torch.zeros_like(ids)])
        x = ln(x, "embeddings.LayerNorm")
        bias = (1.0 - mask)[:, None, None, :] * torch.finfo(torch.float32).min
        for i in range(layers):
            p = f"encoder.layer.{i}."

            def split(t: torch.Tensor) -> torch.Tensor:
                return t.view(bsz, width, heads, -1).transpose(1, 2)

            q = split(lin(x, p + "attention.self.query"))
            k = split(lin(x, p + "attention.self.key"))
            v = split(lin(x, p + "attention.self.value"))
            att = torch.softmax(q @ k.transpose(-1, -2) / (q.shape[-1] ** 0.5) + bias, dim=-1)
            ctx = (att @ v).transpose(1, 2).reshape(bsz, width, -1)
            x = ln(lin(ctx, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
            h = F.gelu(lin(x, p + "intermediate.dense"))
            x = ln(lin(h, p + "output.dense") + x, p + "output.LayerNorm")
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1e-9)
        return F.normalize(pooled, p=2, dim=1)

    def encode(texts: list[str], batch_size: int = 64) -> np.ndarray:
        ids = encoder.token_ids(texts)
        out = np.empty((len(texts), encoder.dim), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for s in range(0, len(order), batch_size):
            rows = order[s:s + batch_size]
            width = max(len(ids[r]) for r in rows)
            batch = torch.zeros((len(rows), width), dtype=torch.long)
            mask = torch.zeros((len(rows), width), dtype=torch.float32)
            for j, r in enumerate(rows):
                batch[j, :len(ids[r])] = torch.tensor(ids[r])
                mask[j, :len(ids[r])] = 1.0
            out[rows] = forward(batch, mask).numpy()
        return out

    return encode


def rate(fn: Callable[[list[str], int], np.ndarray], texts: list[str], batch_size: int, repeats: int) -> float:
    """Best-of-`repeats` sentences per second."""
    fn(texts[: max(batch_size, 4)], batch_size)  # warm-up
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn(texts, batch_size)
        best = min(best, time.perf_counter() - t)
    return len(texts) / best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sentences", type=int, default=256, help="sentences per timed run (default 256)")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(1)
    except ImportError:
        pass  # the environment variables above already ask for one thread

    t = time.perf_counter()
    enc = SentenceEncoder.load()
    load_s = time.perf_counter() - t
    texts = transcript_sentences(args.sentences)
    words = [len(s.split()) for s in texts]
    tokens = [len(i) for i in enc.token_ids(texts)]
    print(f"{enc.name}: dim {enc.dim}, load {load_s:.2f} s (sha256 checks + safetensors parse + weight layout)")
    print(f"{len(texts)} sentences, {min(words)}-{max(words)} words, mean {np.mean(tokens):.1f} tokens "
          f"(with [CLS]/[SEP]); one thread; best of {args.repeats}")

    ref = None
    try:
        import torch
        torch.set_num_threads(1)
        ref = torch_reference(enc)
        print(f"torch {torch.__version__} reference loaded")
    except ImportError:
        print("torch not importable: numpy encoder only")

    print(f"{'batch':>5}  {'numpy sent/s':>12}  {'torch sent/s':>12}")
    for bs in (1, 16, 64):
        n = rate(enc.encode, texts, bs, args.repeats)
        r = f"{rate(ref, texts, bs, args.repeats):12.1f}" if ref else f"{'-':>12}"
        print(f"{bs:>5}  {n:12.1f}  {r}")
    if ref:
        diff = np.abs(enc.encode(texts, 64) - ref(texts, 64)).max()
        print(f"max |numpy - torch| over {len(texts)} embeddings: {diff:.2e}")


if __name__ == "__main__":
    main()
