"""Save a trained network, its optimizer and its data settings to one ``.npz``; load it back.

A model file (format 1) holds plain numpy arrays only, never a pickle:

- ``format``: 0-d str, ``"backprop-lab-model"``; ``version``: 0-d int64, ``FORMAT_VERSION``
- ``architecture``: 0-d str, the JSON of ``Network.config()``
- ``params``: shape (n_params,), the flat parameter vector in the network's dtype
- ``epoch``: 0-d int64; ``metadata``: 0-d str, a JSON object (dataset, samples, seed...)
- ``optimizer``: 0-d str, JSON ``{"config", "iterations", "current_learning_rate"}``
  (absent when no optimizer was saved)
- ``optimizer_state.<name>``: shape (n_params,), each state array (momentums, cache) of the
  optimizer for ``params``; absent while the optimizer has not stepped yet

Saving writes a temporary file beside the target and renames it, so a crash never leaves a
half-written model. Loading checks every entry against the architecture before a network is
handed out; anything wrong raises ``ModelFileError`` naming the file and the problem.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import stat
import tempfile
from dataclasses import dataclass
from typing import IO, Any

import numpy as np

from model._random import RandomLike
from model.build import network_from_config
from model.network import Network
from model.optimizers import Optimizer, optimizer_from_config

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "LoadedModel",
    "ModelFileError",
    "load_model",
    "save_model",
]

FORMAT_NAME = "backprop-lab-model"
FORMAT_VERSION = 1
#: A file declaring more parameters than this is refused before anything is allocated.
MAX_PARAMS = 20_000_000
#: Longest JSON text (architecture, metadata, optimizer) accepted in a file, in characters.
MAX_TEXT_CHARS = 1_000_000
STATE_PREFIX = "optimizer_state."
_REQUIRED = ("architecture", "params", "epoch", "metadata")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


class ModelFileError(ValueError):
    """A model file that cannot be loaded: missing, damaged, mismatched, hostile or too new."""

    def __init__(self, path: str | os.PathLike, problem: str) -> None:
        self.path = os.fspath(path)
        self.problem = problem
        super().__init__(f"cannot load the model file {self.path}: {problem}")


@dataclass(frozen=True)
class LoadedModel:
    """What ``load_model`` returns: a ready network, its optimizer (or None), and settings."""

    network: Network
    optimizer: Optimizer | None
    epoch: int
    metadata: dict[str, Any]


# --- saving -----------------------------------------------------------------------------


def save_model(
    path: str | os.PathLike,
    network: Network,
    optimizer: Optimizer | None = None,
    *,
    epoch: int = 0,
    metadata: dict | None = None,
) -> None:
    """Write ``network`` (architecture and parameters), ``optimizer`` (hyperparameters,
    iteration count, state arrays), ``epoch`` and the JSON-ready ``metadata`` to ``path``.

    The file is written exactly at ``path`` (no suffix is added), atomically: an existing file
    stays untouched if anything fails. Bad arguments raise ``TypeError``/``ValueError`` and
    nothing is written; I/O failures raise ``OSError`` naming ``path``.
    """
    _write_atomic(os.fspath(path), _to_arrays(network, optimizer, epoch, metadata))


def _to_arrays(
    network: Network, optimizer: Optimizer | None, epoch: int, metadata: dict | None
) -> dict[str, np.ndarray]:
    if not isinstance(network, Network):
        raise TypeError(f"network must be a Network, got {type(network).__name__}")
    if optimizer is not None and not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an Optimizer or None, got {type(optimizer).__name__}")
    if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
        raise ValueError(f"epoch must be an integer >= 0, got {epoch!r}")
    metadata = {} if metadata is None else metadata
    if not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict, got {type(metadata).__name__}")
    if not np.all(np.isfinite(network.params)):
        raise ValueError("the network has NaN or infinite parameters; nothing was saved")
    arrays = {
        "format": np.array(FORMAT_NAME),
        "version": np.array(FORMAT_VERSION, dtype=np.int64),
        "architecture": np.array(_dumps("architecture", network.config())),
        "params": network.params.copy(),
        "epoch": np.array(int(epoch), dtype=np.int64),
        "metadata": np.array(_dumps("metadata", metadata)),
    }
    if optimizer is not None:
        settings = {
            "config": optimizer.get_config(),
            "iterations": int(optimizer.iterations),
            "current_learning_rate": float(optimizer.current_learning_rate),
        }
        arrays["optimizer"] = np.array(_dumps("optimizer", settings))
        for name, value in _existing_state(optimizer, network.params).items():
            if not np.all(np.isfinite(value)):
                raise ValueError(f"the optimizer's {name} contain NaN or infinity; nothing saved")
            arrays[STATE_PREFIX + name] = value.copy()
    return arrays


def _existing_state(optimizer: Optimizer, param: np.ndarray) -> dict[str, np.ndarray]:
    """The optimizer's state arrays for ``param`` if it has any, without creating them."""
    return optimizer.state_for(param) if optimizer.has_state(param) else {}


def _dumps(what: str, value: Any) -> str:
    try:
        text = json.dumps(value, allow_nan=False, default=_plain)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} cannot be saved as JSON: {exc}") from None
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"{what} is {len(text):,} characters of JSON; at most {MAX_TEXT_CHARS:,}")
    return text


def _plain(value: Any) -> Any:
    """numpy scalars (a seed drawn from a generator, say) are saved as plain numbers."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _write_atomic(target: str, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` as an .npz to a temporary file beside ``target``, then rename it."""
    directory = os.path.dirname(os.path.abspath(target))
    try:
        mode = _new_file_mode(target)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{os.path.basename(target)}.", suffix=".npz", dir=directory
        )
        try:
            # Through a file object: np.savez would append ".npz" to a name lacking it.
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
    except OSError as exc:
        if exc.errno is None:
            raise OSError(f"cannot save the model to {target}: {exc}") from exc
        raise OSError(exc.errno, f"cannot save the model ({exc.strerror})", target) from exc
    _fsync_directory(directory)


def _new_file_mode(target: str) -> int:
    """Keep an existing file's permissions; a new file gets the usual ``0o666 & ~umask``
    (mkstemp's 0o600 would hide the model from other users)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_directory(directory: str) -> None:
    """Make the rename itself durable where the platform allows it."""
    if os.name != "posix":
        return
    # The model is already in place; some filesystems refuse fsync on a directory, and that
    # only weakens durability after a power cut, so it is not worth failing the save for.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- loading ----------------------------------------------------------------------------


def load_model(path: str | os.PathLike, *, rng: RandomLike = None) -> LoadedModel:
    """Read a model file written by ``save_model``.

    ``rng`` seeds the rebuilt network's dropout layers (None: a fresh generator). Raises
    ``ModelFileError`` (a ``ValueError``) naming the file and the problem when the file is
    missing, unreadable, truncated, not a model, too new, inconsistent or hostile; nothing is
    half-loaded and no pickled object is ever unpickled.
    """
    name = os.fspath(path)
    try:
        with open(name, "rb") as fh:
            return _load(name, fh, rng)
    except OSError as exc:
        raise ModelFileError(name, f"cannot be read ({exc.strerror or exc})") from exc


def _load(name: str, fh: IO[bytes], rng: RandomLike) -> LoadedModel:
    head = fh.read(6)
    fh.seek(0)
    if not head:
        raise ModelFileError(name, "the file is empty")
    if head[:4] not in _ZIP_MAGIC:
        kind = "a single .npy array" if head == b"\x93NUMPY" else "not an .npz archive"
        raise ModelFileError(name, f"not a Backprop Lab model file ({kind})")
    try:
        data = np.load(fh, allow_pickle=False)
    except Exception as exc:  # zipfile, zlib and numpy raise many types for a damaged archive
        raise ModelFileError(
            name, f"not a readable .npz archive, truncated or damaged ({_describe(exc)})"
        ) from exc
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise ModelFileError(name, "not a Backprop Lab model file (not an .npz archive)")
    with data:
        return _Archive(name, data).load(rng)


class _Archive:
    """One open model archive: each entry's header is checked before its data is read."""

    def __init__(self, name: str, data: np.lib.npyio.NpzFile) -> None:
        self.name = name
        self.data = data
        self.keys = set(data.files)

    def fail(self, problem: str) -> ModelFileError:
        return ModelFileError(self.name, problem)

    def load(self, rng: RandomLike) -> LoadedModel:
        if "format" not in self.keys:
            raise self.fail("not a Backprop Lab model file (it has no 'format' entry)")
        marker = self.text("format", limit=256)
        if marker != FORMAT_NAME:
            raise self.fail(f"not a Backprop Lab model file (format {marker!r})")
        version = self.integer("version")
        if version > FORMAT_VERSION:
            raise self.fail(
                f"saved by a newer Backprop Lab (format {version}); "
                f"this version reads format {FORMAT_VERSION}"
            )
        if version < 1:
            raise self.fail(f"invalid format version {version}")
        missing = [key for key in _REQUIRED if key not in self.keys]
        if missing:
            raise self.fail(f"incomplete: no {', '.join(repr(k) for k in missing)} entry")

        config = self.json_object("architecture")
        n_params, dtype = self._declared_size(config)
        try:
            network = network_from_config(config, rng)
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise self.fail(f"invalid architecture: {exc}") from None
        if network.n_params != n_params or network.dtype != dtype:
            raise self.fail(f"the architecture does not describe {n_params} {dtype} parameters")
        network.set_params(self.floats("params", n_params, dtype))

        epoch = self.integer("epoch")
        if epoch < 0:
            raise self.fail(f"'epoch' must be >= 0, got {epoch}")
        metadata = self.json_object("metadata")
        optimizer = self._optimizer(network)
        return LoadedModel(network, optimizer, epoch, metadata)

    # --- entries ----------------------------------------------------------------------
    def _header(self, key: str) -> tuple[tuple[int, ...], np.dtype]:
        if key not in self.keys:
            raise self.fail(f"no {key!r} entry")
        member = key + ".npy" if key + ".npy" in self.data.zip.namelist() else key
        try:
            with self.data.zip.open(member) as fp:
                version = np.lib.format.read_magic(fp)
                if version == (1, 0):
                    shape, _, dtype = np.lib.format.read_array_header_1_0(fp)
                elif version == (2, 0):
                    shape, _, dtype = np.lib.format.read_array_header_2_0(fp)
                else:
                    shape = dtype = None
        except Exception as exc:  # zipfile/zlib/numpy errors: a damaged or foreign entry
            raise self.fail(f"entry {key!r} is damaged ({_describe(exc)})") from exc
        if dtype is None:
            raise self.fail(f"entry {key!r} uses an unsupported .npy version {version}")
        if dtype.hasobject:
            raise self.fail(
                f"entry {key!r} holds Python objects (dtype {dtype}); model files hold only "
                "numbers and text, and objects are never loaded"
            )
        return shape, dtype

    def _read(self, key: str) -> np.ndarray:
        try:
            return self.data[key]
        except Exception as exc:  # truncated data, CRC mismatch, pickle refused...
            raise self.fail(f"entry {key!r} is damaged ({_describe(exc)})") from exc

    def text(self, key: str, limit: int = MAX_TEXT_CHARS) -> str:
        shape, dtype = self._header(key)
        if shape != () or dtype.kind != "U":
            raise self.fail(f"entry {key!r} must be text, got {dtype} of shape {shape}")
        if dtype.itemsize // 4 > limit:
            raise self.fail(
                f"entry {key!r} is {dtype.itemsize // 4:,} characters; at most {limit:,}"
            )
        return str(self._read(key)[()])

    def integer(self, key: str) -> int:
        shape, dtype = self._header(key)
        if shape != () or dtype.kind not in "iu":
            raise self.fail(f"entry {key!r} must be one integer, got {dtype} of shape {shape}")
        return int(self._read(key)[()])

    def floats(self, key: str, size: int, dtype: np.dtype) -> np.ndarray:
        """A finite vector of ``size`` floats of ``dtype``'s width, checked before reading."""
        shape, found = self._header(key)
        if shape != (size,) or found.kind != "f" or found.itemsize != dtype.itemsize:
            raise self.fail(
                f"entry {key!r} holds {found} of shape {shape}; "
                f"the architecture needs {dtype} of shape ({size},)"
            )
        values = self._read(key).astype(dtype, copy=False)
        if not np.all(np.isfinite(values)):
            raise self.fail(f"entry {key!r} contains NaN or infinity")
        return values

    def json_object(self, key: str) -> dict[str, Any]:
        def no_constant(token: str) -> None:
            raise ValueError(f"{token} is not allowed")

        text = self.text(key)
        try:
            value = json.loads(text, parse_constant=no_constant)
        except (ValueError, RecursionError) as exc:
            raise self.fail(f"entry {key!r} is not valid JSON ({exc})") from None
        if not isinstance(value, dict):
            raise self.fail(f"entry {key!r} must be a JSON object")
        return value

    # --- checks needing the architecture ----------------------------------------------
    def _declared_size(self, config: dict) -> tuple[int, np.dtype]:
        """The parameter count and dtype ``config`` implies, computed without building it."""
        layers = config.get("layers")
        if not isinstance(layers, list) or not all(isinstance(c, dict) for c in layers):
            raise self.fail("invalid architecture: 'layers' must be a list of objects")
        dtype = config.get("dtype")
        if dtype not in ("float32", "float64"):
            raise self.fail(
                f"invalid architecture: dtype must be float32 or float64, got {dtype!r}"
            )
        total = 0
        for i, layer in enumerate(layers):
            if layer.get("type") != "Dense":
                continue
            sizes = [layer.get("n_inputs"), layer.get("n_neurons")]
            if not all(_is_int(v) and 1 <= v <= MAX_PARAMS for v in sizes):
                raise self.fail(
                    f"invalid architecture: layer {i} needs sizes from 1 to {MAX_PARAMS:,}, "
                    f"got n_inputs={sizes[0]!r}, n_neurons={sizes[1]!r}"
                )
            total += (sizes[0] + 1) * sizes[1]
            if total > MAX_PARAMS:
                raise self.fail(f"the architecture declares over {MAX_PARAMS:,} parameters")
        return total, np.dtype(dtype)

    def _optimizer(self, network: Network) -> Optimizer | None:
        state_names = {k[len(STATE_PREFIX) :] for k in self.keys if k.startswith(STATE_PREFIX)}
        if "optimizer" not in self.keys:
            if state_names:
                raise self.fail("optimizer state without an 'optimizer' entry")
            return None
        settings = self.json_object("optimizer")
        config = settings.get("config")
        iterations = settings.get("iterations")
        lr = settings.get("current_learning_rate")
        if not isinstance(config, dict):
            raise self.fail("'optimizer' needs a 'config' object")
        if not (_is_int(iterations) and iterations >= 0):
            raise self.fail(f"optimizer iterations must be an integer >= 0, got {iterations!r}")
        if not _positive_real(lr):
            raise self.fail(f"optimizer current_learning_rate must be a number > 0, got {lr!r}")
        try:
            optimizer = optimizer_from_config(config)
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise self.fail(f"invalid optimizer: {exc}") from None
        expected = set(type(optimizer).state_names)
        if state_names and state_names != expected:
            raise self.fail(
                f"optimizer state has {', '.join(sorted(state_names))}; "
                f"{type(optimizer).__name__} keeps {', '.join(sorted(expected)) or 'none'}"
            )
        arrays = {}
        for name in sorted(state_names):
            values = self.floats(STATE_PREFIX + name, network.n_params, network.dtype)
            if name == "cache" and np.any(values < 0):
                raise self.fail("optimizer cache (a sum of squares) has negative values")
            arrays[name] = values
        if arrays:
            for name, value in optimizer.state_for(network.params).items():
                np.copyto(value, arrays[name])
        optimizer.iterations = iterations
        optimizer.current_learning_rate = float(lr)
        return optimizer


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _positive_real(value: object) -> bool:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value) and value > 0
    except OverflowError:  # a JSON integer too large for a float
        return False


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
