"""The grid of input points on which the window draws a decision boundary."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class BoundaryGrid:
    """A ``resolution x resolution`` lattice covering the data, row-major in y then x."""

    xs: np.ndarray  # shape (resolution,)
    ys: np.ndarray  # shape (resolution,)
    points: np.ndarray  # shape (resolution * resolution, 2): (xs[j], ys[i]) at row i * res + j

    @property
    def resolution(self) -> int:
        return len(self.xs)

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """``(x_min, x_max, y_min, y_max)``."""
        return float(self.xs[0]), float(self.xs[-1]), float(self.ys[0]), float(self.ys[-1])


def boundary_grid(X: np.ndarray, resolution: int = 200, margin: float = 0.15) -> BoundaryGrid:
    """A square lattice over the bounding box of ``X`` (shape (n, 2)) widened by ``margin``.

    With no points the grid covers [-1, 1] in both directions.
    """
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)):
        raise ValueError(f"resolution must be an integer in 2..2000, got {resolution!r}")
    if not 2 <= resolution <= 2000:
        raise ValueError(f"resolution must be an integer in 2..2000, got {resolution}")
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), got {X.shape}")
    if len(X):
        lo, hi = X.min(axis=0), X.max(axis=0)
    else:
        lo, hi = np.array([-1.0, -1.0]), np.array([1.0, 1.0])
    span = np.maximum(hi - lo, 1e-3)
    lo, hi = lo - margin * span, hi + margin * span
    xs = np.linspace(lo[0], hi[0], resolution)
    ys = np.linspace(lo[1], hi[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return BoundaryGrid(xs, ys, np.column_stack([gx.ravel(), gy.ravel()]))
