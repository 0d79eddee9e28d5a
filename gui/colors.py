"""Colours of the app's plots: the class palette, the diverging heatmap map, the plot theme,
and ``blend``, which turns class probabilities into a decision-boundary image."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

# Okabe & Ito's colour-blind safe palette (black left out: it would hide the point outlines),
# completed with a neutral grey as the eighth class. Class k is CLASS_COLORS[k].
CLASS_COLORS: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#7F7F7F",  # grey
)
MAX_CLASSES = len(CLASS_COLORS)

# The light theme every plot of the app shares.
PLOT_BACKGROUND = "#FFFFFF"
PLOT_FOREGROUND = "#404040"
GRID_ALPHA = 0.15
TRAIN_CURVE_COLOR = "#0072B2"
VALIDATION_CURVE_COLOR = "#D55E00"
MISCLASSIFIED_COLOR = "#D62728"
REGRESSION_CURVE_COLOR = "#D55E00"
POINT_OUTLINE_COLOR = "#222222"
REFERENCE_LINE_COLOR = "#888888"
UNCERTAIN_COLOR = "#E6E6E6"  # the boundary where the network cannot tell the classes apart

# How far a fully confident pixel goes from white towards its class colour: less than 1 so
# the data points, drawn in the full colour, stand out from the region they lie in.
BOUNDARY_STRENGTH = 0.45

_DIVERGING_STOPS = ("#2166AC", "#67A9CF", "#F7F7F7", "#EF8A62", "#B2182B")


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    """``"#RRGGBB"`` -> (r, g, b) in 0..255."""
    value = color.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"colour must look like '#RRGGBB', got {color!r}")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def class_color(k: int) -> str:
    """The colour of class ``k`` (wraps around past ``MAX_CLASSES``)."""
    return CLASS_COLORS[int(k) % MAX_CLASSES]


def darker(color: str, factor: float = 0.75) -> str:
    """``color`` with each channel scaled by ``factor`` (< 1 darkens)."""
    r, g, b = (min(255, round(c * factor)) for c in hex_to_rgb(color))
    return f"#{r:02X}{g:02X}{b:02X}"


def class_rgb(n_classes: int) -> np.ndarray:
    """Shape (n_classes, 3), float32 in 0..1: the palette's first ``n_classes`` colours."""
    rows = [hex_to_rgb(class_color(k)) for k in range(n_classes)]
    return np.asarray(rows, dtype=np.float32).reshape(n_classes, 3) / 255.0


def diverging_colormap() -> pg.ColorMap:
    """Blue (negative) - white (zero) - red (positive), for signed heatmaps such as
    weights and gradients. Use it with levels symmetric around 0, e.g. (-m, m)."""
    positions = np.linspace(0.0, 1.0, len(_DIVERGING_STOPS))
    return pg.ColorMap(positions, [hex_to_rgb(c) for c in _DIVERGING_STOPS], name="diverging")


def _as_class_probabilities(probs: np.ndarray) -> np.ndarray:
    probs = np.asarray(probs, dtype=np.float32)
    if probs.ndim != 3 or probs.shape[2] < 1:
        raise ValueError(f"probabilities must have shape (H, W, K) with K >= 1, got {probs.shape}")
    if probs.shape[2] == 1:  # a sigmoid output: P(class 1); class 0 gets the rest
        pair = np.empty((*probs.shape[:2], 2), dtype=np.float32)
        pair[..., 1] = probs[..., 0]
        np.subtract(1.0, probs[..., 0], out=pair[..., 0])
        return pair
    return probs


def _row_max(flat: np.ndarray) -> np.ndarray:
    """Row-wise max of (N, K) for small K: a loop over columns beats ``max(axis=1)`` ~20x."""
    out = flat[:, 0].copy()
    for j in range(1, flat.shape[1]):
        np.maximum(out, flat[:, j], out=out)
    return out


def blend(
    probs: np.ndarray,
    hard: bool = False,
    *,
    colors: np.ndarray | None = None,
    strength: float = BOUNDARY_STRENGTH,
) -> np.ndarray:
    """An RGBA image of the decision boundary.

    probs : ndarray, shape (H, W, K), class probabilities per pixel, summing to 1 over K
        (K = 1: a sigmoid's P(class 1), treated as [1 - p, p]).
    hard : colour each pixel by its most probable class only, whatever the confidence.
    colors : shape (K', 3) floats in 0..1 (K' >= the number of classes); default the palette.
    strength : 0..1, how far a fully confident pixel goes from white towards its colour.

    Soft view: the colour is ``sum_k p_k * colour_k``; the less sure the network (the lower
    the highest probability), the greyer and lighter the pixel, so the boundaries between
    classes show as pale bands. Returns shape (H, W, 4), uint8, alpha 255.
    """
    probs = _as_class_probabilities(probs)
    h, w, k = probs.shape
    palette = class_rgb(k) if colors is None else np.asarray(colors, dtype=np.float32)[:k]
    if palette.shape != (k, 3):
        raise ValueError(f"need {k} colours of shape (3,), got colours of shape {palette.shape}")
    flat = probs.reshape(-1, k)
    s = np.float32(strength)
    # Every pixel is white - s * (white - colour), scaled to 0..255 (+0.5 to round); the
    # fourth column is alpha. Written as base + pixel-dependent part, folded into one matmul.
    grey = np.asarray(hex_to_rgb(UNCERTAIN_COLOR), dtype=np.float32) / 255.0
    if hard:
        table = np.full((k, 4), 255, dtype=np.uint8)
        table[:, :3] = 255.0 * (1.0 - s * (1.0 - palette)) + 0.5
        return table[np.argmax(flat, axis=1)].reshape(h, w, 4)
    # Soft: colour = grey + confidence * (mix - grey), and since the p_k sum to 1,
    # mix - grey = probs @ (palette - grey).
    base = np.empty(4, dtype=np.float32)
    base[:3] = 255.0 * (1.0 - s * (1.0 - grey)) + 0.5
    base[3] = 255.5
    weights = np.zeros((k, 4), dtype=np.float32)
    weights[:, :3] = 255.0 * s * (palette - grey)
    # Confidence 0 for uniform probabilities, 1 for a certain pixel.
    confidence = _row_max(flat)
    confidence *= np.float32(k / (k - 1.0))
    confidence -= np.float32(1.0 / (k - 1.0))
    np.clip(confidence, 0.0, 1.0, out=confidence)
    rgba = flat @ weights
    rgba *= confidence[:, None]
    rgba += base
    return rgba.astype(np.uint8).reshape(h, w, 4)
