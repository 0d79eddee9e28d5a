"""Specification of the neuron views: a thumbnail per hidden neuron, live, hover and click."""

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from gui.neuron_views import NeuronViews
from model.build import build_network
from model.datasets import spiral
from model.grid import boundary_grid
from model.walkthrough import dead_units, hidden_activations

RES = 48
SIZES = [8, 6]
NAMES = ["Dense 1 (2→8)", "Dense 2 (8→6)"]


@pytest.fixture(scope="module")
def grid():
    X, _ = spiral(50, 3, rng=0)
    return boundary_grid(X, RES)


@pytest.fixture(scope="module")
def engine(grid):
    """Activations and dead units of a fresh [8, 6] ReLU network on the boundary grid."""
    net = build_network(2, 3, SIZES, rng=0, init="he")
    return hidden_activations(net, grid.points), dead_units(net, grid.points)


@pytest.fixture
def views(qtbot):
    widget = NeuronViews()
    qtbot.addWidget(widget)
    widget.resize(500, 600)
    widget.set_architecture(SIZES, NAMES)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.close()


def test_the_widget_has_its_object_name(views):
    assert views.objectName() == "neuron_views"


def test_every_hidden_neuron_has_a_thumbnail(views):
    assert views.thumbnail_count == sum(SIZES)
    assert [views.shown_count(layer) for layer in range(2)] == SIZES
    assert not views.more_label(0).isVisibleTo(views)


def test_a_wide_layer_shows_the_cap_and_says_how_many_more(qtbot):
    widget = NeuronViews(max_shown=32)
    qtbot.addWidget(widget)
    widget.set_architecture([512, 5], ["wide", "narrow"])
    assert widget.thumbnail_count == 32 + 5
    assert widget.more_label(0).isVisibleTo(widget)
    assert widget.more_label(0).text() == "+480 more"
    assert not widget.more_label(1).isVisibleTo(widget)
    widget.close()


def test_a_network_without_hidden_layers_says_why_there_are_no_thumbnails(views):
    views.set_architecture([], [])
    assert views.thumbnail_count == 0
    assert views.empty_label.isVisibleTo(views)
    assert "No hidden layers" in views.empty_label.text()


def test_hidden_layers_again_hide_the_no_hidden_layers_note(views):
    views.set_architecture([], [])
    views.set_architecture(SIZES, NAMES)
    assert not views.empty_label.isVisibleTo(views)
    assert views.scroll.isVisibleTo(views)


def test_the_layer_names_title_the_columns(views):
    titles = views.findChildren(type(views.more_label(0)))
    assert any(NAMES[1] in label.text() for label in titles)


def test_update_gives_each_thumbnail_an_image_of_the_grid_resolution(views, engine):
    maps, dead = engine
    views.update_activations(maps, RES, dead)
    assert views.resolution == RES
    for layer, n in enumerate(SIZES):
        for k in range(n):
            image = views.thumbnail_image(layer, k)
            assert (image.width(), image.height()) == (RES, RES)


def test_activation_image_is_the_neurons_map_on_the_grid(views, engine):
    maps, dead = engine
    views.update_activations(maps, RES, dead)
    image = views.activation_image(1, 3)
    assert image.shape == (RES, RES)
    np.testing.assert_array_equal(image, maps[1][:, 3].reshape(RES, RES))


def test_the_top_of_a_thumbnail_is_the_top_of_the_plane(views, grid):
    # Neuron 0 outputs y (red above 0, blue below): red at the top, blue at the bottom.
    y = grid.points[:, 1] - grid.points[:, 1].mean()
    maps = [np.column_stack([y] + [np.zeros_like(y)] * 7), np.zeros((RES * RES, 6))]
    views.update_activations(maps, RES, [np.zeros(8, bool), np.zeros(6, bool)])
    image = views.thumbnail_image(0, 0)
    top, bottom = image.pixelColor(RES // 2, 0), image.pixelColor(RES // 2, RES - 1)
    assert top.red() > top.blue() and bottom.blue() > bottom.red()
    silent = views.thumbnail_image(0, 1).pixelColor(RES // 2, RES // 2)
    assert min(silent.red(), silent.green(), silent.blue()) > 240  # 0 is white


def test_activation_rgba_is_the_thumbnail_in_plot_orientation(views, engine):
    maps, dead = engine
    views.update_activations(maps, RES, dead)
    rgba = views.activation_rgba(0, 4)
    assert rgba.shape == (RES, RES, 4) and rgba.dtype == np.uint8
    assert (rgba[..., 3] == 255).all()
    thumb = views.thumbnail_image(0, 4).pixelColor(7, 0)  # top row = last grid row
    assert tuple(rgba[RES - 1, 7, :3]) == (thumb.red(), thumb.green(), thumb.blue())


def test_colours_are_scaled_per_neuron_unless_one_scale_per_layer(views, engine):
    maps, dead = engine
    views.update_activations(maps, RES, dead)
    per_neuron = views.grid(0).levels.copy()
    np.testing.assert_allclose(per_neuron, np.abs(maps[0]).max(axis=0), rtol=1e-6)
    views.scale_checkbox.setChecked(True)
    assert np.all(views.grid(0).levels == per_neuron.max())


def test_a_dead_relu_is_marked_and_explained(qtbot, views, grid):
    net = build_network(2, 3, SIZES, rng=0, init="he")
    net.dense_layers[0].biases[0, 2] = -100.0
    dead = dead_units(net, grid.points)
    views.update_activations(hidden_activations(net, grid.points), RES, dead)
    assert views.is_marked_dead(0, 2)
    assert not any(views.is_marked_dead(0, k) for k in range(8) if k != 2)
    assert not any(views.is_marked_dead(1, k) for k in range(6))
    assert "never move it back" in views.grid(0).tooltip(2)


def test_hovering_a_thumbnail_emits_its_layer_and_neuron(qtbot, views):
    target = views.grid(1)
    with qtbot.waitSignal(views.neuron_hovered, timeout=1000) as blocker:
        qtbot.mouseMove(target, views.thumbnail_center(1, 4))
    assert blocker.args == [1, 4]


def test_leaving_a_thumbnail_emits_neuron_left(qtbot, views):
    target = views.grid(0)
    with qtbot.waitSignal(views.neuron_hovered, timeout=1000):
        qtbot.mouseMove(target, views.thumbnail_center(0, 1))
    with qtbot.waitSignal(views.neuron_left, timeout=1000):
        qtbot.mouseMove(views, QPoint(views.width() - 5, views.height() - 5))


def test_clicking_a_thumbnail_emits_and_highlights_it(qtbot, views):
    with qtbot.waitSignal(views.neuron_clicked, timeout=1000) as blocker:
        qtbot.mouseClick(views.grid(1), Qt.MouseButton.LeftButton, pos=views.thumbnail_center(1, 2))
    assert blocker.args == [1, 2]
    assert views.selected == (1, 2)
    assert views.grid(1).selected == 2 and views.grid(0).selected is None


def test_clicking_the_selected_thumbnail_again_clears_the_selection(qtbot, views):
    centre = views.thumbnail_center(0, 5)
    qtbot.mouseClick(views.grid(0), Qt.MouseButton.LeftButton, pos=centre)
    with qtbot.waitSignal(views.selection_cleared, timeout=1000):
        qtbot.mouseClick(views.grid(0), Qt.MouseButton.LeftButton, pos=centre)
    assert views.selected is None


def test_set_architecture_again_rebuilds_the_thumbnails(qtbot, views, engine):
    maps, dead = engine
    views.update_activations(maps, RES, dead)
    views.set_architecture([3, 4, 5], ["a", "b", "c"])
    qtbot.wait(1)  # the old columns are deleted later
    assert views.thumbnail_count == 12
    assert len(views.findChildren(type(views.grid(0)))) == 3
    with pytest.raises(RuntimeError, match="update_activations"):
        views.activation_image(0, 0)


def test_activations_of_another_architecture_are_ignored(views, engine):
    maps, dead = engine
    views.set_architecture([3], ["small"])
    views.update_activations(maps, RES, dead)  # a snapshot from before the Reset
    assert views.resolution == 0


def test_one_dimensional_inputs_draw_curves(views):
    x = np.linspace(-1, 1, RES)
    maps = [np.column_stack([x] * 8), np.column_stack([-x] * 6)]
    views.update_activations(maps, RES, [np.zeros(8, bool), np.zeros(6, bool)])
    assert views.grid(0).curves
    np.testing.assert_array_equal(views.activation_image(1, 0), -x)


def test_clear_blanks_the_thumbnails_and_forgets_the_maps(views, engine):
    maps, dead = engine
    views.update_activations(maps, RES, dead)
    views.clear()
    assert views.resolution == 0
    with pytest.raises(RuntimeError):
        views.activation_image(0, 0)


def test_unknown_neurons_are_refused_with_the_allowed_range(views, engine):
    maps, dead = engine
    views.update_activations(maps, RES, dead)
    with pytest.raises(IndexError, match=r"0\.\.5"):
        views.activation_image(1, 6)


def test_the_arrow_keys_move_the_selection_and_escape_clears_it(qtbot, views):
    views.setFocus()
    with qtbot.waitSignal(views.neuron_clicked, timeout=1000) as first:
        qtbot.keyClick(views, Qt.Key.Key_Down)
    assert first.args == [0, 0]
    qtbot.keyClick(views, Qt.Key.Key_Down)
    with qtbot.waitSignal(views.neuron_clicked, timeout=1000) as across:
        qtbot.keyClick(views, Qt.Key.Key_Right)
    assert across.args == [1, 1]
    with qtbot.waitSignal(views.selection_cleared, timeout=1000):
        qtbot.keyClick(views, Qt.Key.Key_Escape)
    assert views.selected is None


def test_hover_is_remembered_until_the_mouse_leaves(qtbot, views):
    with qtbot.waitSignal(views.neuron_hovered, timeout=1000):
        qtbot.mouseMove(views.grid(0), views.thumbnail_center(0, 3))
    assert views.hovered == (0, 3)
    with qtbot.waitSignal(views.neuron_left, timeout=1000):
        views.set_architecture([2], ["x"])  # the hovered thumbnail is gone
    assert views.hovered is None


def test_the_callers_dead_masks_are_never_written(views, engine):
    maps, _ = engine
    dead = [np.ones(8, bool), np.zeros(6, bool)]
    views.update_activations(maps, RES, dead)
    views.clear()
    assert dead[0].all()


def test_a_redrawn_layer_matches_one_drawn_once(qtbot, views, engine):
    """The colouring reuses its arrays between updates: nothing of the last one remains."""
    maps, dead = engine
    views.update_activations([m[:, ::-1].copy() for m in maps], RES, dead)
    views.update_activations(maps, RES, dead)
    fresh = NeuronViews()
    qtbot.addWidget(fresh)
    fresh.set_architecture(SIZES, NAMES)
    fresh.update_activations(maps, RES, dead)
    for layer in range(len(SIZES)):
        assert np.array_equal(views.grid(layer).buffer, fresh.grid(layer).buffer)
