"""Where everything sits in the main window: docks, splitters and the widgets' names.

Left dock: the controls. Centre: the banners, then two tabs: *Training*, the decision
boundary above the loss and accuracy curves (splitters), and *Walkthrough*, backpropagation
step by step (the boundary plot moves beside it while it is shown: see
gui/walkthrough_link.py). Right docks: the gradient inspector above the neuron views. Docks
and splitters can be rearranged and the arrangement is remembered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gui.controls import RunControls, banner
from gui.data_panel import DataPanel
from gui.hidden_space_view import HiddenSpaceView
from gui.inspector import GradientPanel
from gui.network_graph import NetworkGraph
from gui.network_panel import NetworkPanel
from gui.neuron_views import NeuronViews
from gui.optimizer_panel import OptimizerPanel
from gui.plots import AccuracyPlot, BoundaryPlot, LossPlot
from gui.walkthrough import WalkthroughPanel

if TYPE_CHECKING:
    from gui.main_window import MainWindow

CONTROLS_WIDTH = 390
INSPECTOR_WIDTH = 560
NEURONS_HEIGHT = 355
NEURONS_SHOWN = 64
PICK_HINT = (
    "<b>Click a training point</b> to follow it through parts 2 and 3 (or type its index "
    "above the walkthrough). Train or step to see its gradients change."
)


def _controls_column(window: MainWindow) -> QScrollArea:
    column = QWidget()
    column.setObjectName("controls_column")
    layout = QVBoxLayout(column)
    layout.setContentsMargins(4, 4, 4, 4)
    window.run_controls = RunControls()
    window.data_panel = DataPanel()
    window.network_panel = NetworkPanel()
    window.optimizer_panel = OptimizerPanel()
    for widget in (
        window.run_controls,
        window.data_panel,
        window.network_panel,
        window.optimizer_panel,
    ):
        layout.addWidget(widget)
    layout.addStretch(1)
    scroll = QScrollArea()
    scroll.setObjectName("controls_scroll")
    scroll.setWidgetResizable(True)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    scroll.setWidget(column)
    scroll.setMinimumWidth(CONTROLS_WIDTH)
    return scroll


def _plots(window: MainWindow) -> QWidget:
    centre = QWidget()
    centre.setObjectName("plots_area")
    layout = QVBoxLayout(centre)
    layout.setContentsMargins(4, 4, 4, 4)
    layout.setSpacing(4)
    window.pending_banner = banner("pending_banner")
    window.pending_banner.setToolTip("Press Reset (Ctrl+R) to build the network from them.")
    window.problem_banner = banner("problem_banner", error=True)
    window.problem_banner.setToolTip("Click to dismiss.")
    layout.addWidget(window.pending_banner)
    layout.addWidget(window.problem_banner)

    window.boundary_plot = BoundaryPlot()
    window.loss_plot = LossPlot()
    window.accuracy_plot = AccuracyPlot()
    window.boundary_plot.setToolTip(
        "Decision boundary: the class the network predicts everywhere, brighter where it is "
        "confident. Filled: training points; outlined: validation; red ring: misclassified."
    )
    window.loss_plot.setToolTip("Loss per epoch: training (solid) and validation (dashed).")
    window.accuracy_plot.setToolTip("Accuracy per epoch: training and validation.")
    # One smoothing control, under the accuracy plot, for both plots (as TensorBoard's).
    window.accuracy_plot.smoothing_changed.connect(window.loss_plot.set_smoothing)
    curves = QSplitter(Qt.Orientation.Horizontal)
    curves.setObjectName("curves_splitter")
    curves.addWidget(window.loss_plot)
    curves.addWidget(window.accuracy_plot)
    window.plot_splitter = QSplitter(Qt.Orientation.Vertical)
    window.plot_splitter.setObjectName("plot_splitter")
    window.plot_splitter.addWidget(window.boundary_plot)
    window.plot_splitter.addWidget(curves)
    window.plot_splitter.setStretchFactor(0, 3)
    window.plot_splitter.setStretchFactor(1, 2)
    window.plot_splitter.setSizes([600, 340])

    window.center_tabs = QTabWidget()
    window.center_tabs.setObjectName("center_tabs")
    window.center_tabs.setTabBarAutoHide(True)
    window.center_tabs.addTab(window.plot_splitter, "Training")
    window.center_tabs.addTab(_walkthrough_page(window), "Walkthrough")
    window.center_tabs.setTabToolTip(0, "The decision boundary and the loss and accuracy curves.")
    window.center_tabs.setTabToolTip(
        1,
        "Backpropagation step by step: the chapter's neuron, softmax + cross-entropy for one "
        "sample, and one sample's backward pass through the current network.",
    )
    layout.addWidget(window.center_tabs, 1)
    return centre


def _walkthrough_page(window: MainWindow) -> QSplitter:
    """The Walkthrough tab: a place for the boundary plot (to pick a sample) and the panel."""
    window.walkthrough_panel = WalkthroughPanel()
    picker = QWidget()
    picker.setObjectName("walkthrough_picker")
    column = QVBoxLayout(picker)
    column.setContentsMargins(0, 0, 0, 0)
    window.pick_hint = QLabel(PICK_HINT)
    window.pick_hint.setObjectName("walkthrough_pick_hint")
    window.pick_hint.setWordWrap(True)
    column.addWidget(window.pick_hint)
    window.picker_layout = column  # the boundary plot is put here while the tab is shown
    # The controls step aside with the other docks: the buttons a learner needs here.
    bar = QHBoxLayout()
    window.walkthrough_start_button = QPushButton("▶ Start")
    window.walkthrough_start_button.setObjectName("walkthrough_start_button")
    window.walkthrough_start_button.setToolTip("Start or stop training (Space).")
    window.walkthrough_step_button = QPushButton("Step one epoch")
    window.walkthrough_step_button.setObjectName("walkthrough_step_button")
    window.walkthrough_step_button.setToolTip(
        "Train exactly one epoch (Ctrl+E), then see the sample's new gradients."
    )
    bar.addWidget(window.walkthrough_start_button)
    bar.addWidget(window.walkthrough_step_button)
    bar.addStretch(1)
    column.addLayout(bar)
    # An explicit minimum size, so that the tab widget (and the Training tab with its
    # docks) does not take on the walkthrough's width; the window sets the real minimum
    # while the Walkthrough tab shows.
    holder = QWidget()
    holder.setObjectName("walkthrough_holder")
    QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
    holder.layout().addWidget(window.walkthrough_panel)
    holder.setMinimumSize(1, 1)
    page = QSplitter(Qt.Orientation.Horizontal)
    page.setObjectName("walkthrough_page")
    page.addWidget(picker)
    page.addWidget(holder)
    page.setStretchFactor(0, 1)
    page.setStretchFactor(1, 0)
    window.walkthrough_page = page
    return page


def _dock(
    window: MainWindow, title: str, name: str, widget: QWidget, *, left: bool = False
) -> QDockWidget:
    """A dock holding ``widget``, on the right (or left) side, kept as ``window.<name>``."""
    dock = QDockWidget(title, window)
    dock.setObjectName(name)
    dock.setWidget(widget)
    area = Qt.DockWidgetArea.LeftDockWidgetArea if left else Qt.DockWidgetArea.RightDockWidgetArea
    window.addDockWidget(area, dock)
    setattr(window, name, dock)
    return dock


def build_layout(window: MainWindow) -> None:
    """Create every widget of ``window`` and name the ones tests and automation use."""
    window.setCentralWidget(_plots(window))

    controls = _dock(window, "Controls", "controls_dock", _controls_column(window), left=True)
    controls.setFeatures(
        QDockWidget.DockWidgetFeature.DockWidgetMovable
        | QDockWidget.DockWidgetFeature.DockWidgetFloatable
    )
    window.gradient_panel = GradientPanel()
    inspector = _dock(window, "Gradient inspector", "inspector_dock", window.gradient_panel)
    # Every neuron of the book's 64-neuron layers; wider layers show their first 64.
    window.neuron_views = NeuronViews(max_shown=NEURONS_SHOWN)
    neurons = _dock(window, "Neurons", "neurons_dock", window.neuron_views)
    # Tabs beside the neurons: ConvNetJS's transformed space, and TensorFlow Playground's
    # picture of the network (a line per weight).
    window.hidden_space_view = HiddenSpaceView()
    hidden = _dock(window, "Hidden space", "hidden_space_dock", window.hidden_space_view)
    window.tabifyDockWidget(neurons, hidden)
    window.network_graph = NetworkGraph()
    graph = _dock(window, "Network graph", "network_graph_dock", window.network_graph)
    window.tabifyDockWidget(hidden, graph)
    neurons.raise_()
    window.resizeDocks(
        [controls, inspector], [CONTROLS_WIDTH, INSPECTOR_WIDTH], Qt.Orientation.Horizontal
    )
    window.resizeDocks([neurons], [NEURONS_HEIGHT], Qt.Orientation.Vertical)

    # The names the issue fixes: attribute name == object name.
    rc = window.run_controls
    window.start_button = rc.start_button
    window.stop_button = rc.stop_button
    window.step_button = rc.step_button
    window.reset_button = rc.reset_button
    window.epoch_label = rc.epoch_label
    window.preset_combo = rc.preset_combo
    window.dataset_combo = window.data_panel.dataset_combo
    window.hidden_layers_input = window.network_panel.hidden_layers_input
    window.optimizer_combo = window.optimizer_panel.optimizer_combo
    window.learning_rate_input = window.optimizer_panel.learning_rate_input
    window.gradcheck_button = window.gradient_panel.gradcheck_button
