"""Heatmaps: cells centred on their indices, coloured as pyqtgraph does; the colour bar."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtWidgets import QGraphicsItem

from gui.colors import diverging_colormap
from gui.inspector_heatmaps import (
    Heatmap,
    LiveColorBar,
    MatrixImage,
    index_tick_step,
    symmetric_level,
)


@pytest.fixture
def heatmap(qtbot):
    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    made = Heatmap(widget.ci, 0, "weights", "tip")
    widget.resize(400, 300)
    widget.show()
    yield made
    widget.close()


def ticks(heatmap: Heatmap, axis: str, count: int) -> list[float]:
    levels = heatmap.plot.getAxis(axis).tickValues(-0.5, count - 0.5, 300)
    return [v for _spacing, values in levels for v in values]


@pytest.mark.parametrize(("count", "most"), [(1, 6), (2, 6), (7, 6), (64, 6), (512, 6)])
def test_the_tick_step_is_whole_and_gives_at_most_about_six_ticks(count, most):
    step = index_tick_step(count, most)
    assert isinstance(step, int) and step >= 1
    assert count / step <= most or step == 1


def test_a_two_by_two_matrix_is_labelled_with_whole_indices_only(heatmap):
    heatmap.show(np.array([[1.0, -1.0], [0.5, -0.5]]))
    for axis in ("left", "bottom"):
        values = ticks(heatmap, axis, 2)
        assert values and all(float(v).is_integer() for v in values)


def test_each_cell_is_centred_on_its_index(heatmap):
    heatmap.show(np.zeros((3, 5)))
    rect = heatmap.image.mapRectToParent(heatmap.image.boundingRect())
    assert (rect.left(), rect.top(), rect.width(), rect.height()) == (-0.5, -0.5, 5, 3)


def test_symmetric_level_is_numpys_99th_percentile_of_the_magnitudes():
    rng = np.random.default_rng(3)
    for n in (1, 2, 7, 100, 192, 4096):
        values = rng.standard_normal((1, n)) * 1e-3
        assert symmetric_level(values) == float(np.percentile(np.abs(values), 99))


def test_matrix_cells_take_the_colours_pyqtgraphs_image_item_gives_them():
    rng = np.random.default_rng(4)
    lut = rng.integers(0, 256, size=(256, 4), dtype=np.uint8)
    matrix = rng.uniform(-1.5, 1.5, size=(5, 7))
    image = MatrixImage(lut)
    image.set_matrix(matrix, (-1.0, 1.0))
    bgra, _alpha = pg.functions.makeARGB(matrix, lut=lut, levels=(-1.0, 1.0))
    np.testing.assert_array_equal(image.rgba, bgra[..., [2, 1, 0, 3]])


def test_nan_and_infinite_cells_are_transparent():
    image = MatrixImage(np.full((256, 4), 255, dtype=np.uint8))
    image.set_matrix(np.array([[np.nan, np.inf, -np.inf, 0.5]]), (-1.0, 1.0))
    assert image.rgba[0, :3, 3].tolist() == [0, 0, 0]
    assert image.rgba[0, 3, 3] == 255


def _grab_colour_bar(qtbot, bar: pg.ColorBarItem):
    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    widget.setBackground("w")
    widget.ci.addItem(bar)
    bar.setLevels((-0.02, 0.02))
    widget.resize(120, 240)
    widget.show()
    qtbot.waitExposed(widget)
    image = widget.grab().toImage()
    widget.close()
    return image


def test_the_live_colour_bar_looks_like_pyqtgraphs(qtbot):
    options = dict(values=(-1.0, 1.0), colorMap=diverging_colormap(), width=12)
    options.update(interactive=False, colorMapMenu=False)
    ours = _grab_colour_bar(qtbot, LiveColorBar(**options))
    theirs = _grab_colour_bar(qtbot, pg.ColorBarItem(**options))
    assert ours == theirs


def test_the_colour_bar_frame_is_never_painted_in_python():
    bar = LiveColorBar(values=(-1.0, 1.0), interactive=False, colorMapMenu=False)
    for name in ("left", "top", "bottom"):
        flags = bar.getAxis(name).flags()
        assert flags & QGraphicsItem.GraphicsItemFlag.ItemHasNoContents


def test_an_empty_heatmap_labels_its_axes_without_a_scale_prefix(heatmap, qtbot):
    qtbot.wait(20)
    for axis in ("left", "bottom"):
        assert "(x" not in heatmap.plot.getAxis(axis).labelString()


def test_an_empty_heatmap_given_a_shape_is_framed_for_it(heatmap):
    heatmap.show(None, (2, 64))
    assert heatmap.image.matrix is None
    (x0, x1), (y0, y1) = heatmap.plot.viewRange()
    assert (x0, x1, y0, y1) == (-0.5, 63.5, -0.5, 1.5)
