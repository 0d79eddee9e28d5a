"""One place that turns the ``rng`` argument users pass into a random generator."""

from __future__ import annotations

import numpy as np

RandomLike = np.random.Generator | np.random.RandomState | int | np.integer | None


def as_generator(rng: RandomLike) -> np.random.Generator | np.random.RandomState:
    """Return a generator for ``rng``: a Generator or RandomState as is, an int as a seed.

    ``None`` gives a fresh, unpredictable Generator. numpy's global state is never used,
    so two runs never disturb each other. A ``RandomState`` is accepted so that code seeded
    the way the book does (``np.random.seed(0)``) can be reproduced exactly.
    """
    if isinstance(rng, (np.random.Generator, np.random.RandomState)):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"rng seed must be a non-negative integer, got {rng}")
        return np.random.default_rng(int(rng))
    raise TypeError(
        f"rng must be a numpy Generator, RandomState, an integer seed or None, got {rng!r}"
    )
