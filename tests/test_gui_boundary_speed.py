"""Specification of the fast paths of the boundary image and the neuron thumbnails: the
same colours as the reference computations, with fewer numpy calls in the GUI thread."""

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage

from gui.boundary_plot import BoundaryPlot
from gui.colors import PLOT_BACKGROUND, QUANT, blend, blend_float, quantized_probabilities
from gui.neuron_thumbnails import THUMB, ThumbnailGrid, colour_table, lut_indices, symmetric_levels
from model.grid import boundary_grid

RES = 40


def _softmax(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    logits = np.random.default_rng(seed).normal(size=shape) * 3
    p = np.exp(logits)
    return (p / p.sum(axis=-1, keepdims=True)).astype(np.float32)


def _probabilities(k: int) -> np.ndarray:
    if k == 1:  # a sigmoid's P(class 1)
        return _softmax((60, 50, 2))[..., 1:]
    return _softmax((60, 50, k))


def _rounded(probs: np.ndarray) -> np.ndarray:
    """What the table of ``blend`` stands for: each probability rounded to 1/255."""
    k = probs.shape[2]
    q = np.trunc(probs[..., :2] * np.float32(QUANT) + np.float32(0.5)).astype(int)
    return quantized_probabilities(q, k)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_the_soft_view_is_the_float_blend_of_probabilities_rounded_to_1_255(k):
    probs = _probabilities(k)
    np.testing.assert_array_equal(blend(probs), blend_float(_rounded(probs)))


@pytest.mark.parametrize("k", [1, 2, 3])
def test_the_soft_view_is_within_one_level_of_the_float_blend(k):
    probs = _probabilities(k)
    diff = blend(probs).astype(int) - blend_float(probs)
    assert np.abs(diff).max() <= 1


def test_more_than_three_classes_are_blended_in_float():
    probs = _softmax((20, 30, 5))
    np.testing.assert_array_equal(blend(probs), blend_float(probs))


def test_the_hard_view_is_the_float_hard_view():
    probs = _softmax((20, 30, 3))
    np.testing.assert_array_equal(blend(probs, hard=True), blend_float(probs, hard=True))


def test_a_custom_palette_gets_its_own_table():
    probs = _softmax((10, 10, 3))
    colors = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    expected = blend_float(_rounded(probs), colors=colors)
    np.testing.assert_array_equal(blend(probs, colors=colors), expected)
    assert not np.array_equal(blend(probs), expected)


def test_blend_writes_into_the_buffer_it_is_given():
    probs = _softmax((10, 12, 3))
    out = np.zeros((10, 12, 4), dtype=np.uint8)
    assert blend(probs, out=out) is out
    np.testing.assert_array_equal(out, blend(probs))


def test_a_buffer_of_another_shape_is_not_used():
    probs = _softmax((10, 12, 3))
    out = np.zeros((12, 10, 4), dtype=np.uint8)
    image = blend(probs, out=out)
    assert image is not out and image.shape == (10, 12, 4)
    assert not out.any()


@pytest.fixture
def boundary(qtbot):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 2))
    plot = BoundaryPlot()
    qtbot.addWidget(plot)
    plot.set_data(X, np.arange(30) % 3, None, None, 3, "classification")
    plot.set_grid(boundary_grid(X, resolution=RES))
    yield plot
    plot.close()


def _pixmap_rgba(plot: BoundaryPlot) -> np.ndarray:
    """The pixels Qt paints the boundary from (the item's pixmap), as RGBA."""
    image = plot.image_item.pixmap().toImage().convertToFormat(QImage.Format.Format_RGBA8888)
    return np.frombuffer(image.constBits(), np.uint8).reshape(RES, RES, 4).copy()


def test_each_boundary_update_shows_its_own_probabilities(boundary):
    first, second = _softmax((RES, RES, 3), seed=1), _softmax((RES, RES, 3), seed=2)
    boundary.update_boundary(first)
    shown_first = _pixmap_rgba(boundary)
    boundary.update_boundary(second)
    np.testing.assert_array_equal(shown_first, blend(first))
    np.testing.assert_array_equal(_pixmap_rgba(boundary), blend(second))
    np.testing.assert_array_equal(boundary.image_item.image, blend(second))


def test_the_soft_view_comes_back_after_the_hard_view(boundary):
    probs = _softmax((RES, RES, 3), seed=3)
    boundary.update_boundary(probs)
    boundary.set_hard(True)
    np.testing.assert_array_equal(_pixmap_rgba(boundary), blend(probs, hard=True))
    boundary.set_hard(False)
    np.testing.assert_array_equal(_pixmap_rgba(boundary), blend(probs))


# --- neuron thumbnails ------------------------------------------------------------------

THUMB_RES = 12


def _reference_words(maps: np.ndarray, k: int, res: int = THUMB_RES) -> np.ndarray:
    """The thumbnails' pixels as the general path colours them (levels, indices, lookup)."""
    values = np.ascontiguousarray(maps[:, :k].T, dtype=np.float32)
    idx = lut_indices(values, symmetric_levels(values))
    return colour_table()[idx.reshape(k, res, res)[:, ::-1, :]]


@pytest.fixture
def thumbnails(qtbot):
    grid = ThumbnailGrid(0, "Dense 1", 5)
    qtbot.addWidget(grid)
    yield grid
    grid.close()


def test_thumbnails_have_the_colours_of_the_general_path(thumbnails):
    rng = np.random.default_rng(4)
    maps = rng.normal(size=(THUMB_RES**2, 7)).astype(np.float32)
    maps[:, 2] = 0.0  # a silent neuron: level 1
    thumbnails.draw(maps, np.zeros(7, bool), THUMB_RES, colour_table())
    np.testing.assert_array_equal(thumbnails.buffer, _reference_words(maps, 5))


def test_thumbnails_of_float64_maps_have_the_colours_of_the_general_path(thumbnails):
    maps = np.random.default_rng(5).normal(size=(THUMB_RES**2, 5))
    thumbnails.draw(maps, np.zeros(5, bool), THUMB_RES, colour_table())
    np.testing.assert_array_equal(thumbnails.buffer, _reference_words(maps, 5))


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # inf * 0
def test_a_thumbnail_with_a_nan_or_an_infinity_is_coloured_as_before(thumbnails):
    maps = np.random.default_rng(6).normal(size=(THUMB_RES**2, 5)).astype(np.float32)
    maps[3, 1], maps[7, 4] = np.nan, np.inf
    thumbnails.draw(maps, np.zeros(5, bool), THUMB_RES, colour_table())
    np.testing.assert_array_equal(thumbnails.buffer, _reference_words(maps, 5))


def test_thumbnails_of_the_grid_image_size_have_the_colours_of_the_general_path(thumbnails):
    maps = np.random.default_rng(9).normal(size=(THUMB**2, 7)).astype(np.float32)
    thumbnails.draw(maps, np.zeros(7, bool), THUMB, colour_table())
    assert thumbnails._atlas_image is not None
    np.testing.assert_array_equal(thumbnails.buffer, _reference_words(maps, 5, THUMB))


def _painted(grid: ThumbnailGrid) -> QImage:
    return grid.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def _thumbnail_grid(qtbot, n: int, rows: int) -> ThumbnailGrid:
    grid = ThumbnailGrid(0, "Dense 1", n)
    qtbot.addWidget(grid)
    # On the Neurons panel's background, as in NeuronViews (the gaps show it).
    grid.setAutoFillBackground(True)
    palette = grid.palette()
    palette.setColor(grid.backgroundRole(), QColor(PLOT_BACKGROUND))
    grid.setPalette(palette)
    grid.set_rows(rows)
    maps = np.random.default_rng(7).normal(size=(THUMB**2, n)).astype(np.float32)
    dead = np.zeros(n, bool)
    dead[[1, n - 1]] = True
    grid.draw(maps, dead, THUMB, colour_table())
    grid.selected, grid.hover = 2, 3
    return grid


@pytest.mark.parametrize("rows", [3, 4, 7])
def test_the_thumbnails_paint_as_one_image_as_they_did_one_by_one(qtbot, rows):
    grid = _thumbnail_grid(qtbot, 7, rows)
    from_atlas = _painted(grid)
    grid._atlas_image = None  # the per-thumbnail painting
    assert _painted(grid) == from_atlas
    grid.close()


def test_a_new_selection_repaints_its_frame(qtbot):
    grid = _thumbnail_grid(qtbot, 7, 4)
    _painted(grid)
    grid.selected = 5
    from_atlas = _painted(grid)
    grid._atlas_image = None
    assert _painted(grid) == from_atlas
    grid.close()


def test_new_rows_move_the_thumbnails_to_their_new_cells(qtbot):
    grid = _thumbnail_grid(qtbot, 7, 7)
    _painted(grid)
    grid.set_rows(3)
    from_atlas = _painted(grid)
    grid._atlas_image = None
    assert _painted(grid) == from_atlas
    grid.close()


def test_thumbnails_of_another_size_are_painted_one_by_one(thumbnails):
    maps = np.random.default_rng(8).normal(size=(THUMB_RES**2, 5)).astype(np.float32)
    thumbnails.draw(maps, np.zeros(5, bool), THUMB_RES, colour_table())
    assert thumbnails._atlas_image is None
