"""Timing helpers shared by the benchmarks: interleaved blocks, and what BLAS is running.

The machines here have two cores shared with other work, so a single timing says little.
``interleave`` runs every contestant in turn, a block of epochs each, round after round:
whatever slows the machine during a round slows all of them, and ratios taken within a
round stay meaningful when absolute numbers do not.
"""

from __future__ import annotations

import ctypes
import gc
import glob
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Timing:
    """Microseconds per epoch of one contestant, one value per round (block mean)."""

    name: str
    epochs_per_block: int
    per_round_us: tuple[float, ...]

    @property
    def median_us(self) -> float:
        return statistics.median(self.per_round_us)

    @property
    def best_us(self) -> float:
        return min(self.per_round_us)


def _run_block(epoch: Callable[[], object], n: int) -> float:
    """Seconds for ``n`` calls of ``epoch`` with the garbage collector paused (as timeit)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(n):
            epoch()
        return time.perf_counter() - start
    finally:
        if enabled:
            gc.enable()


def calibrate(epoch: Callable[[], object], block_seconds: float, warmup: int = 20) -> int:
    """Epochs per block so that a block lasts about ``block_seconds`` (at least 1)."""
    _run_block(epoch, warmup)
    n = 1
    while True:
        elapsed = _run_block(epoch, n)
        if elapsed >= 0.02 or n >= 1 << 20:
            break
        n *= 4
    return max(1, round(block_seconds * n / max(elapsed, 1e-9)))


def interleave(
    contestants: Sequence[tuple[str, Callable[[], object]]],
    *,
    rounds: int,
    block_seconds: float = 0.2,
    block_epochs: int | None = None,
) -> list[Timing]:
    """Time each ``(name, epoch)`` in round-robin blocks; ``block_epochs`` fixes block size."""
    if block_epochs is None:
        sizes = [calibrate(epoch, block_seconds) for _, epoch in contestants]
    else:
        sizes = [block_epochs] * len(contestants)
    samples: list[list[float]] = [[] for _ in contestants]
    for _ in range(rounds):
        for i, (_, epoch) in enumerate(contestants):
            samples[i].append(_run_block(epoch, sizes[i]) / sizes[i] * 1e6)
    return [
        Timing(name, size, tuple(s))
        for (name, _), size, s in zip(contestants, sizes, samples, strict=True)
    ]


def paired_ratio(slow: Timing, fast: Timing) -> float:
    """Median over rounds of slow/fast, each ratio taken within one round."""
    return statistics.median(
        a / b for a, b in zip(slow.per_round_us, fast.per_round_us, strict=True)
    )


# --- what the numbers ran on ------------------------------------------------------------


def _openblas_library() -> ctypes.CDLL | None:
    """The OpenBLAS numpy loaded (found in /proc/self/maps, else beside numpy), or None."""
    candidates: list[str] = []
    try:
        with open("/proc/self/maps") as maps:
            paths = (line.split()[-1] for line in maps if "/" in line)
            candidates = [p for p in paths if "openblas" in os.path.basename(p).lower()]
    except OSError:
        pass
    root = os.path.dirname(np.__file__)
    for folder in (os.path.join(root, os.pardir, "numpy.libs"), os.path.join(root, ".dylibs")):
        candidates += glob.glob(os.path.join(folder, "*openblas*"))
    for path in dict.fromkeys(candidates):
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


def _symbol(lib: ctypes.CDLL, stem: str):
    for prefix in ("scipy_openblas", "openblas"):
        for suffix in ("64_", "_64", ""):
            fn = getattr(lib, f"{prefix}_{stem}{suffix}", None)
            if fn is not None:
                return fn
    return None


def blas_threads() -> int | None:
    """OpenBLAS's current thread count, or None when it cannot be reached."""
    lib = _openblas_library()
    getter = None if lib is None else _symbol(lib, "get_num_threads")
    if getter is None:
        return None
    getter.restype = ctypes.c_int
    return int(getter())


def set_blas_threads(n: int) -> bool:
    """Ask OpenBLAS to use ``n`` threads from now on; False when it cannot be reached.

    On two shared cores a BLAS call split over both threads waits whenever the other core
    is busy elsewhere, which makes the large scaling rows noisy; one thread steadies them.
    """
    lib = _openblas_library()
    setter = None if lib is None else _symbol(lib, "set_num_threads")
    if setter is None:
        return False
    setter.argtypes = [ctypes.c_int]
    setter.restype = None
    setter(n)
    return True


def blas_description() -> str:
    """One line: the BLAS library, the kernel (core) it chose at run time and its threads."""
    lib = _openblas_library()
    if lib is not None:
        parts = []
        config, core, threads = (
            _symbol(lib, name) for name in ("get_config", "get_corename", "get_num_threads")
        )
        if config is not None:
            config.restype = ctypes.c_char_p
            parts.append(config().decode(errors="replace").strip())
        if core is not None:
            core.restype = ctypes.c_char_p
            parts.append(f"kernel {core().decode(errors='replace').strip()}")
        if threads is not None:
            threads.restype = ctypes.c_int
            n = threads()
            parts.append(f"{n} thread{'' if n == 1 else 's'}")
        if parts:
            return "; ".join(parts)
    try:
        blas = np.__config__.CONFIG["Build Dependencies"]["blas"]
        return f"{blas['name']} {blas['version']} (run-time kernel unknown)"
    except (AttributeError, KeyError, TypeError):
        return "unknown"


def environment_lines() -> list[str]:
    """Python, numpy, BLAS, CPU count and the OpenBLAS variables that change the kernel."""
    env = ", ".join(
        f"{name}={os.environ.get(name, 'unset')}"
        for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")
    )
    return [
        f"Python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} CPUs",
        f"BLAS: {blas_description()}",
        f"environment: {env}",
    ]
