"""Locate the GE2E speaker-encoder weights in the pinned resemblyzer wheel, verify them, read them without torch.

The weights ship as `resemblyzer/pretrained.pt` inside `resemblyzer==0.1.4` (Apache-2.0). The file is found
through the wheel's installed file list, so resemblyzer's code (which imports torch) is never imported, and
it is checked against a pinned sha256. The checkpoint is in torch's *legacy* serialisation format (not the
newer zip one): a few header pickles, the checkpoint pickle whose tensors are persistent-id references to
storages, then the list of storage keys and each storage's raw little-endian bytes. It is read here by a
restricted unpickler that only allows the three globals such a checkpoint needs and returns inert
stand-ins for them, so no pickled code ever runs. The result is converted once into an .npz in the model
cache (keyed by the sha256) and loaded from there afterwards.
"""

from __future__ import annotations

import io
import pickle
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from callqa.models.weights import PROVISION_HINT, _installed_file, _verified, cache_dir, write_atomically
from callqa.models.errors import ModelNotFoundError

SPEAKER_MODEL_NAME = "resemblyzer-ge2e"
DISTRIBUTION = "resemblyzer"
PINNED_VERSION = "0.1.4"
WEIGHTS_FILE = "resemblyzer/pretrained.pt"
PINNED_SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"

SPEAKER_HINT = (
    f"Install the pinned speaker-encoder wheel without its dependencies (it declares torch and the plain "
    f"webrtcvad package, which would clash with webrtcvad-wheels; callqa runs the weights in numpy): "
    f"`pip install --no-deps {DISTRIBUTION}=={PINNED_VERSION}`. See models/speaker_weights.py."
)

# The tensors the encoder reads and their shapes: a 3-layer LSTM(40 -> 256) and a Linear(256 -> 256).
EXPECTED_SHAPES: dict[str, tuple[int, ...]] = {
    **{name: shape for layer in range(3) for name, shape in (
        (f"lstm.weight_ih_l{layer}", (1024, 40 if layer == 0 else 256)),
        (f"lstm.weight_hh_l{layer}", (1024, 256)),
        (f"lstm.bias_ih_l{layer}", (1024,)),
        (f"lstm.bias_hh_l{layer}", (1024,)),
    )},
    "linear.weight": (256, 256),
    "linear.bias": (256,),
}

_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C  # torch.serialization.MAGIC_NUMBER
_LEGACY_PROTOCOL = 1001
_STORAGE_DTYPES = {"FloatStorage": np.dtype("<f4")}  # the only storage type this checkpoint uses


@contextmanager
def _speaker_hint() -> Iterator[None]:
    """Re-raise the shared helpers' errors with the speaker-model hint instead of the Whisper one."""
    try:
        yield
    except ModelNotFoundError as exc:
        raise ModelNotFoundError(str(exc).replace(PROVISION_HINT, SPEAKER_HINT)) from None


def verify_weights(path: Path, expected: str = PINNED_SHA256) -> Path:
    """Check `path` against the pinned sha256; separate from resolve so any copy can be checked."""
    path = Path(path)
    if not path.is_file():
        raise ModelNotFoundError(f"{SPEAKER_MODEL_NAME}: {path} is missing. {SPEAKER_HINT}")
    with _speaker_hint():
        return _verified(path, expected, f"{SPEAKER_MODEL_NAME} weights ({path})")


def resolve_speaker_weights() -> Path:
    """Return the verified `resemblyzer/pretrained.pt` inside the installed pinned wheel."""
    with _speaker_hint():
        path = _installed_file(DISTRIBUTION, PINNED_VERSION, WEIGHTS_FILE)
    return verify_weights(path, PINNED_SHA256)


# --- restricted reader for torch's legacy checkpoint format -------------------------------------------------


@dataclass(frozen=True)
class _StorageType:
    """Stand-in for `torch.FloatStorage`: only carries the element dtype."""

    dtype: np.dtype


@dataclass
class _Storage:
    """One storage referenced by the pickle; its bytes follow the pickle and are filled in later."""

    dtype: np.dtype
    size: int
    data: np.ndarray | None = field(default=None, repr=False)


@dataclass(frozen=True)
class _TensorRef:
    """What `torch._utils._rebuild_tensor_v2` would build: a strided view on a storage."""

    storage: _Storage
    offset: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]


class _OrderedDict(dict):
    """Stand-in for collections.OrderedDict (a state dict); a dict subclass so BUILD can set `_metadata`."""


def _rebuild_tensor_v2(storage: Any, offset: Any, shape: Any, stride: Any, *_rest: Any) -> _TensorRef:
    """Record the tensor's layout; requires_grad, hooks and metadata are irrelevant to inference."""
    ints = (offset, *shape, *stride) if isinstance(shape, tuple) and isinstance(stride, tuple) else None
    if (not isinstance(storage, _Storage) or ints is None or len(shape) != len(stride)
            or not all(type(n) is int and n >= 0 for n in ints)):
        raise pickle.UnpicklingError("malformed tensor record in checkpoint")
    return _TensorRef(storage, offset, shape, stride)


_ALLOWED_GLOBALS: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): _OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    **{("torch", name): _StorageType(dtype) for name, dtype in _STORAGE_DTYPES.items()},
}


class _NoGlobals(pickle.Unpickler):
    """For the header pickles and the key list: plain data only."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"checkpoint refers to {module}.{name}, which callqa does not allow")

    def persistent_load(self, pid: Any) -> Any:
        raise pickle.UnpicklingError("unexpected persistent id in checkpoint header")


class _CheckpointUnpickler(_NoGlobals):
    """The checkpoint pickle: only OrderedDict, _rebuild_tensor_v2 and FloatStorage, all as stand-ins."""

    def __init__(self, handle: BinaryIO) -> None:
        super().__init__(handle)
        self.storages: dict[str, _Storage] = {}

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            return super().find_class(module, name)

    def persistent_load(self, pid: Any) -> _Storage:
        # ('storage', storage type, key, location, element count, view metadata)
        if not (isinstance(pid, tuple) and len(pid) == 6 and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r:.80} in checkpoint")
        _, kind, key, _location, size, view = pid
        if not isinstance(kind, _StorageType) or not isinstance(key, str) or type(size) is not int or size < 0:
            raise pickle.UnpicklingError("malformed storage reference in checkpoint")
        if view is not None:
            raise pickle.UnpicklingError("storage views are not supported")
        storage = self.storages.setdefault(key, _Storage(kind.dtype, size))
        if storage.dtype != kind.dtype or storage.size != size:
            raise pickle.UnpicklingError(f"storage {key} is referenced with two different layouts")
        return storage


def _materialise(ref: Any, name: str) -> np.ndarray:
    if not isinstance(ref, _TensorRef) or ref.storage.data is None:
        raise ValueError(f"checkpoint entry {name} is not a tensor")
    data = ref.storage.data
    last = ref.offset + sum((n - 1) * s for n, s in zip(ref.shape, ref.stride)) if all(ref.shape) else ref.offset - 1
    if last >= data.size:
        raise ValueError(f"checkpoint tensor {name} runs past the end of its storage")
    item = data.dtype.itemsize
    view = np.lib.stride_tricks.as_strided(data[ref.offset:], ref.shape, tuple(s * item for s in ref.stride),
                                           writeable=False)
    return np.ascontiguousarray(view, dtype=np.float32)


def read_torch_state_dict(path: Path, key: str = "model_state") -> dict[str, np.ndarray]:
    """Read `checkpoint[key]` of a legacy-format torch checkpoint as name -> float32 array, without torch.

    Raises pickle.UnpicklingError for any global or persistent id outside the small allowed set, and
    ValueError for a file that is not a well-formed legacy checkpoint.
    """
    with open(path, "rb") as handle:
        if _NoGlobals(handle).load() != _LEGACY_MAGIC:
            raise ValueError(f"{path}: not a legacy torch checkpoint (bad magic number)")
        if _NoGlobals(handle).load() != _LEGACY_PROTOCOL:
            raise ValueError(f"{path}: unsupported torch checkpoint protocol")
        sys_info = _NoGlobals(handle).load()
        if not (isinstance(sys_info, dict) and sys_info.get("little_endian") is True):
            raise ValueError(f"{path}: checkpoint is not little-endian")
        unpickler = _CheckpointUnpickler(handle)
        checkpoint = unpickler.load()
        keys = _NoGlobals(handle).load()
        if not (isinstance(keys, list) and sorted(keys) == sorted(unpickler.storages)):
            raise ValueError(f"{path}: storage key list does not match the storages the checkpoint uses")
        for storage_key in keys:  # each: int64 element count, then the raw little-endian elements
            storage = unpickler.storages[storage_key]
            header = handle.read(8)
            if len(header) != 8 or struct.unpack("<q", header)[0] != storage.size:
                raise ValueError(f"{path}: storage {storage_key} has the wrong length")
            raw = handle.read(storage.size * storage.dtype.itemsize)
            if len(raw) != storage.size * storage.dtype.itemsize:
                raise ValueError(f"{path}: truncated storage {storage_key}")
            storage.data = np.frombuffer(raw, dtype=storage.dtype)
    state = checkpoint.get(key) if isinstance(checkpoint, dict) else None
    if not isinstance(state, dict):
        raise ValueError(f"{path}: checkpoint has no {key!r} state dict")
    return {str(name): _materialise(ref, str(name)) for name, ref in state.items()}


# --- the converted cache ----------------------------------------------------------------------------------


def _check_shapes(weights: dict[str, np.ndarray], source: Path) -> dict[str, np.ndarray]:
    for name, shape in EXPECTED_SHAPES.items():
        array = weights.get(name)
        if array is None or array.shape != shape or array.dtype != np.float32:
            raise ValueError(f"{source}: {name} is missing or not float32 {shape}")
    return {name: weights[name] for name in EXPECTED_SHAPES}


def cached_weights_path(sha256: str = PINNED_SHA256) -> Path:
    """The converted .npz for the checkpoint with this sha256."""
    return cache_dir() / f"{SPEAKER_MODEL_NAME}-{sha256[:16]}.npz"


def load_speaker_weights() -> dict[str, np.ndarray]:
    """The verified encoder weights as name -> float32 array, converted to .npz once and then read from there.

    The .npz holds plain arrays (read with allow_pickle=False); an unreadable or malformed one is rebuilt.
    """
    source = resolve_speaker_weights()
    target = cached_weights_path(PINNED_SHA256)  # source was just verified against it
    if target.is_file():
        try:
            with np.load(target, allow_pickle=False) as npz:
                return _check_shapes({name: npz[name] for name in npz.files}, target)
        except (OSError, ValueError, KeyError):
            pass  # rebuilt below
    weights = _check_shapes(read_torch_state_dict(source), source)
    buffer = io.BytesIO()
    np.savez(buffer, **weights)
    write_atomically(target, buffer.getvalue())
    return weights
