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
    out = np.maximum(flat[:, 0], flat[:, 1]) if flat.shape[1] > 1 else flat[:, 0].copy()
    for j in range(2, flat.shape[1]):
        np.maximum(out, flat[:, j], out=out)
    return out


def _palette(k: int, colors: np.ndarray | None) -> np.ndarray:
    palette = class_rgb(k) if colors is None else np.asarray(colors, dtype=np.float32)[:k]
    if palette.shape != (k, 3):
        raise ValueError(f"need {k} colours of shape (3,), got colours of shape {palette.shape}")
    return palette


def blend_float(
    probs: np.ndarray,
    hard: bool = False,
    *,
    colors: np.ndarray | None = None,
    strength: float = BOUNDARY_STRENGTH,
) -> np.ndarray:
    """``blend`` computed in float32 for every pixel, whatever K (the reference the lookup
    tables of ``blend`` are filled from). Same arguments and result."""
    probs = _as_class_probabilities(probs)
    h, w, k = probs.shape
    palette = _palette(k, colors)
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


# --- the soft view through a lookup table (K <= 3) ---------------------------------------
#
# With at most three classes a pixel's colour depends on two numbers (the probabilities
# sum to 1), so the soft view is one table lookup per pixel: each probability is rounded to
# a multiple of 1/255 (QUANT), and the table holds ``blend_float`` of those rounded values.
# Three numpy calls for the whole image instead of eleven: in the window each call on a
# large array releases the GIL to the training thread and waits to take it back.

QUANT = 255
_TABLES: dict[tuple, np.ndarray] = {}


def quantized_probabilities(q: np.ndarray, k: int) -> np.ndarray:
    """The probabilities a table entry stands for: ``q`` shape (..., min(k, 2)) of integers
    in 0..QUANT (class 0's and class 1's rounded probabilities) -> shape (..., k) float32.
    K = 1 reads ``q[..., 0]`` as P(class 1); K = 3 gives class 2 the rest (at least 0)."""
    p = np.asarray(q, dtype=np.float32) / np.float32(QUANT)
    if k == 1:
        return p[..., :1]
    if k == 2:
        return p[..., :2]
    rest = np.maximum(np.float32(1.0) - p[..., 0] - p[..., 1], np.float32(0.0))
    return np.concatenate([p[..., :2], rest[..., None]], axis=-1)


def _soft_table(k: int, palette: np.ndarray, strength: float) -> np.ndarray:
    """RGBA words (uint32, memory order R, G, B, A) of every rounded probability pair:
    entry q0 + 256 * q1 (K = 1: entry q0) is ``blend_float`` of ``quantized_probabilities``."""
    key = (k, palette.tobytes(), float(strength))
    table = _TABLES.get(key)
    if table is None:
        n = QUANT + 1
        if k == 1:
            q = np.arange(n)[:, None]
        else:  # index q0 + 256 * q1: row q1, column q0
            q1, q0 = np.meshgrid(np.arange(256), np.arange(256), indexing="ij")
            q = np.minimum(np.stack([q0, q1], axis=-1), QUANT).reshape(-1, 2)
        probs = quantized_probabilities(q, k)[None]
        rgba = blend_float(probs, colors=palette, strength=strength)
        table = np.ascontiguousarray(rgba[0]).view(np.uint32).reshape(-1)
        if len(_TABLES) >= 16:
            _TABLES.clear()
        _TABLES[key] = table
    return table


def _soft_by_table(probs: np.ndarray, table: np.ndarray, out: np.ndarray) -> np.ndarray:
    h, w, k = probs.shape
    scaled = np.multiply(probs, np.float32(QUANT), dtype=np.float32)
    q = np.empty((h, w, k), dtype=np.uint8)
    # + 0.5 then the cast's truncation: the nearest level, in the same call.
    np.add(scaled, np.float32(0.5), out=q, casting="unsafe")
    if k == 1:
        index = q.reshape(-1)
    else:  # q0 + 256 * q1, read as one little-endian uint16 from each pixel's first 2 bytes
        index = np.ndarray((h * w,), dtype="<u2", buffer=q, strides=(k,))
    np.take(table, index, out=out.reshape(-1).view(np.uint32), mode="clip")
    return out


def blend(
    probs: np.ndarray,
    hard: bool = False,
    *,
    colors: np.ndarray | None = None,
    strength: float = BOUNDARY_STRENGTH,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """An RGBA image of the decision boundary.

    probs : ndarray, shape (H, W, K), class probabilities per pixel, summing to 1 over K
        (K = 1: a sigmoid's P(class 1), treated as [1 - p, p]).
    hard : colour each pixel by its most probable class only, whatever the confidence.
    colors : shape (K', 3) floats in 0..1 (K' >= the number of classes); default the palette.
    strength : 0..1, how far a fully confident pixel goes from white towards its colour.
    out : shape (H, W, 4) uint8, C-contiguous: written and returned (soft view, K <= 3).

    Soft view: the colour is ``sum_k p_k * colour_k``; the less sure the network (the lower
    the highest probability), the greyer and lighter the pixel, so the boundaries between
    classes show as pale bands. Returns shape (H, W, 4), uint8, alpha 255.

    For K <= 3 the soft view is looked up in a table of ``blend_float`` over probabilities
    rounded to 1/255 (``quantized_probabilities``): at most one level of 255 from
    ``blend_float`` of the exact probabilities.
    """
    probs = np.asarray(probs)
    if hard or probs.ndim != 3 or not 1 <= probs.shape[2] <= 3:
        return blend_float(probs, hard, colors=colors, strength=strength)
    k = probs.shape[2]
    table = _soft_table(k, _palette(max(k, 2), colors), strength)
    h, w = probs.shape[:2]
    if out is None or out.shape != (h, w, 4) or out.dtype != np.uint8:
        out = np.empty((h, w, 4), dtype=np.uint8)
    elif not out.flags.c_contiguous:
        raise ValueError("out must be C-contiguous")
    return _soft_by_table(probs, table, out)
