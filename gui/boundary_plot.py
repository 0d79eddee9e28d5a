"""The decision-boundary plot: what the network predicts everywhere, and the data on top."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal, Slot
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QCheckBox, QGraphicsItem, QHBoxLayout, QLabel, QWidget

from gui.colors import (
    CLASS_COLORS,
    MISCLASSIFIED_COLOR,
    POINT_OUTLINE_COLOR,
    REGRESSION_CURVE_COLOR,
    blend,
    class_color,
    darker,
)
from gui.live_items import LiveScatter, PixmapImage
from gui.plot_base import PlotPanel
from gui.plot_overlay import PlaneOverlay
from model.grid import BoundaryGrid

TASKS = ("classification", "binary", "regression")
POINT_SIZE = 8
MARK_SIZE = 14
REMOVE_RADIUS_PX = 12.0  # Ctrl+click removes the nearest training point within this radius
HELP = (
    "Click: add a point of the selected class. Shift+click: add one of the next class. "
    "Ctrl+click: remove the nearest training point.\n"
    "Drag: pan. Wheel or right-drag: zoom. Right-click: menu (view all, export)."
)


def _labels(y: np.ndarray | None, n: int, name: str) -> np.ndarray:
    y = np.zeros(0, dtype=np.int64) if y is None else np.asarray(y).reshape(-1)
    if len(y) != n:
        raise ValueError(f"{name} has {len(y)} labels for {n} points")
    return y.astype(np.int64)


def _points(X: np.ndarray | None, width: int, name: str) -> np.ndarray:
    X = np.zeros((0, width)) if X is None else np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != width:
        raise ValueError(f"{name} must have shape (n, {width}), got {X.shape}")
    return X


class SmoothImageItem(pg.ImageItem):
    """An ImageItem scaled with bilinear filtering: a coarse grid drawn over hundreds of
    screen pixels shows smooth boundaries instead of staircases."""

    def paint(self, painter: QPainter, *args) -> None:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        super().paint(painter, *args)


class BoundaryPlot(PlotPanel):
    """Class regions coloured by the network's probabilities, with the data on top.

    Training points are filled with their class colour, validation points are outlined
    only, misclassified points get a red ring. For regression the data are drawn as
    (x, y) points and the network's prediction as a curve. The plot never changes the
    data: clicks are reported through ``point_added`` / ``point_removed``.
    """

    point_added = Signal(float, float, int)  # x, y, class (0 for regression)
    point_removed = Signal(int)  # index into the training points
    selected_class_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("boundary_plot", parent)
        self.task = "classification"
        self.n_classes = 2
        self._selected = 0
        self._hard = False
        self._grid_rect: QRectF | None = None
        self._resolution: int | None = None
        self._probs: np.ndarray | None = None
        self._rgba: np.ndarray | None = None  # the soft view's image buffer, reused
        self._wrong: tuple[np.ndarray, np.ndarray] | None = None
        self._train_xy = np.zeros((0, 2))
        self._val_xy = np.zeros((0, 2))
        self._y_train = np.zeros(0, dtype=np.int64)
        self._y_val = np.zeros(0, dtype=np.int64)
        self._brushes = [pg.mkBrush(c) for c in CLASS_COLORS]
        self._rings = [pg.mkPen(darker(c), width=2) for c in CLASS_COLORS]
        self._build()

    def _build(self) -> None:
        plot = self.plot_item
        plot.setLabel("bottom", "x₁")
        plot.setLabel("left", "x₂")
        plot.showGrid(x=False, y=False)
        self.plot_widget.setToolTip(HELP)
        # Painted by Qt alone at every boundary frame (see PixmapImage).
        self.image_item = PixmapImage()
        self.image_item.setZValue(-10)
        plot.addItem(self.image_item)
        self.curve_item = pg.PlotDataItem(pen=pg.mkPen(REGRESSION_CURVE_COLOR, width=3))
        self.curve_item.setZValue(10)  # the fit stays visible above the data points
        plot.addItem(self.curve_item)
        self.train_item = LiveScatter(
            size=POINT_SIZE, pen=pg.mkPen(POINT_OUTLINE_COLOR, width=1), hoverable=False
        )
        self.val_item = LiveScatter(size=POINT_SIZE, brush=pg.mkBrush(None))
        self.misclassified_item = LiveScatter(
            size=MARK_SIZE, brush=pg.mkBrush(None), pen=pg.mkPen(MISCLASSIFIED_COLOR, width=1.6)
        )
        for item in (self.train_item, self.val_item, self.misclassified_item):
            # Repainted over every new boundary image: from a cached pixmap, without the
            # ~0.3 ms of Python each scatter item's paint costs.
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            plot.addItem(item)
        self.overlay = PlaneOverlay(plot, SmoothImageItem(axisOrder="row-major"))
        plot.setAspectLocked(True)

        bar = QHBoxLayout()
        bar.setContentsMargins(6, 0, 6, 2)
        self.hard_checkbox = QCheckBox("Hard view (argmax)")
        self.hard_checkbox.setObjectName("boundary_hard_checkbox")
        self.hard_checkbox.setToolTip(
            "Colour each region by its most probable class only, ignoring confidence"
        )
        self.hard_checkbox.toggled.connect(self.set_hard)
        # TensorFlow Playground's "Show test data": the validation points on or off.
        self.validation_checkbox = QCheckBox("Validation points")
        self.validation_checkbox.setObjectName("boundary_validation_checkbox")
        self.validation_checkbox.setChecked(True)
        self.validation_checkbox.setToolTip(
            "Show the validation points (outlined: the network never trains on them) and "
            "their misclassified marks"
        )
        self.validation_checkbox.toggled.connect(self.show_validation)
        self.class_label = QLabel()
        self.class_label.setObjectName("boundary_class_label")
        self.class_label.setToolTip(HELP)
        self.coords_label = QLabel()
        self.coords_label.setObjectName("boundary_coords_label")
        self.coords_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # Hints, not controls: on a narrow screen they give way rather than widen the window.
        for label in (self.class_label, self.coords_label):
            label.setMinimumWidth(1)
        bar.addWidget(self.hard_checkbox)
        bar.addWidget(self.validation_checkbox)
        bar.addSpacing(12)
        bar.addWidget(self.class_label)
        bar.addStretch(1)
        bar.addWidget(self.coords_label)
        self._layout.addLayout(bar)
        self._update_class_label()

        scene = self.plot_widget.scene()
        scene.sigMouseClicked.connect(self._on_mouse_clicked)
        scene.sigMouseMoved.connect(self._on_mouse_moved)

    # --- data -----------------------------------------------------------------------
    def set_data(
        self,
        X_train: np.ndarray,
        y_train: np.ndarray,
        X_val: np.ndarray | None,
        y_val: np.ndarray | None,
        n_classes: int | None,
        task: str,
    ) -> None:
        """Show a new data set (arrays are copied).

        Classification / binary: X shape (n, 2), y shape (n,) labels in 0..n_classes-1.
        Regression: X shape (n, 1), y shape (n, 1) or (n,) targets; ``n_classes`` ignored.
        Misclassified marks and the regression curve are cleared; the boundary image stays
        until the next ``update_boundary`` or ``clear_boundary``.
        """
        if task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}, got {task!r}")
        if task == "regression":
            X_train = _points(X_train, 1, "X_train")
            X_val = _points(X_val, 1, "X_val")
            y_tr = np.asarray(y_train, dtype=float).reshape(len(X_train), -1)[:, 0]
            y_va = np.zeros(0) if y_val is None else np.asarray(y_val, dtype=float).reshape(-1)
            self._train_xy = np.column_stack([X_train[:, 0], y_tr])
            self._val_xy = np.column_stack([X_val[:, 0], y_va[: len(X_val)]])
            self._y_train = np.zeros(len(X_train), dtype=np.int64)
            self._y_val = np.zeros(len(X_val), dtype=np.int64)
            n_classes = 1
        else:
            if task == "binary":
                n_classes = 2
            if n_classes is None or not 2 <= int(n_classes) <= len(CLASS_COLORS):
                raise ValueError(f"n_classes must be 2..{len(CLASS_COLORS)}, got {n_classes!r}")
            self._train_xy = _points(X_train, 2, "X_train").copy()
            self._val_xy = _points(X_val, 2, "X_val").copy()
            self._y_train = _labels(y_train, len(self._train_xy), "y_train")
            self._y_val = _labels(y_val, len(self._val_xy), "y_val")
            for name, y in (("y_train", self._y_train), ("y_val", self._y_val)):
                if len(y) and (y.min() < 0 or y.max() >= n_classes):
                    raise ValueError(f"{name} labels must be in 0..{n_classes - 1}")
        regression_changed = (task == "regression") != (self.task == "regression")
        self.task = task
        self.n_classes = int(n_classes)
        self.plot_item.setAspectLocked(task != "regression")
        self.hard_checkbox.setVisible(task != "regression")
        self.validation_checkbox.setVisible(len(self._val_xy) > 0)
        self.plot_item.setLabel("left", "y" if task == "regression" else "x₂")
        self.plot_item.setLabel("bottom", "x" if task == "regression" else "x₁")
        if regression_changed:
            self.image_item.clear()
            self._probs = None
        self.curve_item.setData([], [])
        self._draw_points()
        self._set_wrong(np.zeros(len(self._y_train), bool), np.zeros(len(self._y_val), bool))
        if self._selected >= self.n_classes:
            self.set_selected_class(0)
        self._update_class_label()
        if task == "regression":
            self._show_regression_data()
        elif self._grid_rect is None:
            self.plot_item.getViewBox().autoRange(padding=0.08)

    def _show_regression_data(self) -> None:
        """Frame the data alone: an auto-range would take in what a classification run
        left behind (its boundary image's place), and squeeze the sine into a corner."""
        points = np.concatenate([self._train_xy, self._val_xy])
        points = points[np.isfinite(points).all(axis=1)]
        if not len(points):
            self.plot_item.getViewBox().autoRange(padding=0.08)
            return
        (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
        self.plot_item.getViewBox().setRange(
            xRange=(x0, x1) if x1 > x0 else (x0 - 1, x0 + 1),
            yRange=(y0, y1) if y1 > y0 else (y0 - 1, y0 + 1),
            padding=0.08,
        )

    def _draw_points(self) -> None:
        t, v = self._y_train, self._y_val
        self.train_item.setData(
            pos=self._train_xy, brush=[self._brushes[k] for k in t], data=np.arange(len(t))
        )
        self.val_item.setData(pos=self._val_xy, pen=[self._rings[k] for k in v])

    def set_grid(self, grid: BoundaryGrid) -> None:
        """Place the boundary image over ``grid`` and show its whole extent."""
        x0, x1, y0, y1 = grid.extent
        res = grid.resolution
        dx, dy = (x1 - x0) / (res - 1), (y1 - y0) / (res - 1)
        # Grid points are pixel centres: the image reaches half a pixel beyond them.
        self._grid_rect = QRectF(x0 - dx / 2, y0 - dy / 2, dx * res, dy * res)
        self._resolution = res
        if self._probs is not None and self._probs.shape[0] != res:
            self.clear_boundary()
        self.image_item.setRect(self._grid_rect)
        self.plot_item.getViewBox().setRange(self._grid_rect, padding=0)

    # --- network output -------------------------------------------------------------
    @Slot(object, object, object)
    def update_boundary(
        self,
        probs: np.ndarray | None,
        train_pred: np.ndarray | None = None,
        val_pred: np.ndarray | None = None,
    ) -> None:
        """Draw the network's output on the grid and mark misclassified points.

        probs : shape (res, res, n_outputs) on the grid of ``set_grid`` (row i is ys[i]),
            or None to keep the current image. Ignored for regression.
        train_pred, val_pred : predicted labels, shape (n_train,) / (n_val,) (or (n, 1)).
            Predictions whose length no longer matches the data (a stale snapshot after
            the data changed) are ignored.
        """
        if probs is not None and self.task != "regression":
            probs = np.asarray(probs)
            if self._grid_rect is None:
                raise RuntimeError("call set_grid before update_boundary")
            if probs.ndim != 3 or probs.shape[:2] != (self._resolution, self._resolution):
                raise ValueError(
                    f"probs must have shape ({self._resolution}, {self._resolution}, K), "
                    f"got {probs.shape}"
                )
            self._probs = probs
            self._render()
        if self.task == "regression":
            return
        wrong_train = self._misclassified(train_pred, self._y_train)
        wrong_val = self._misclassified(val_pred, self._y_val)
        self._set_wrong(wrong_train, wrong_val)

    @staticmethod
    def _misclassified(pred: np.ndarray | None, y: np.ndarray) -> np.ndarray:
        if pred is None:
            return np.zeros(len(y), dtype=bool)
        pred = np.asarray(pred).reshape(-1)
        if len(pred) != len(y):
            return np.zeros(len(y), dtype=bool)
        return pred != y

    def _set_wrong(self, wrong_train: np.ndarray, wrong_val: np.ndarray) -> None:
        old = self._wrong
        if (
            old is not None
            and np.array_equal(old[0], wrong_train)
            and np.array_equal(old[1], wrong_val)
        ):
            return
        self._wrong = (wrong_train, wrong_val)
        self._draw_wrong()

    def _draw_wrong(self) -> None:
        wrong_train, wrong_val = self._wrong
        parts = [self._train_xy[wrong_train]]
        if self.validation_checkbox.isChecked():
            parts.append(self._val_xy[wrong_val])
        self.misclassified_item.setData(pos=np.concatenate(parts))

    @Slot(bool)
    def show_validation(self, shown: bool) -> None:
        """Validation points (and their misclassified marks) on or off."""
        self.val_item.setVisible(bool(shown))
        if self._wrong is not None:
            self._draw_wrong()

    @property
    def misclassified_count(self) -> int:
        """How many points carry a misclassified mark."""
        return 0 if self._wrong is None else int(self._wrong[0].sum() + self._wrong[1].sum())

    def _render(self) -> None:
        if self._probs is None:
            return
        # Into the buffer of the last frame (the pixmap is a copy); the item keeps the
        # rectangle ``set_grid`` gave it.
        rgba = blend(self._probs, self._hard, out=self._rgba)
        self._rgba = rgba
        self.image_item.setImage(rgba, autoLevels=False)

    @Slot(object, object)
    def update_regression(self, xs: np.ndarray, y_pred: np.ndarray) -> None:
        """Draw the network's fit: xs shape (m,) or (m, 1), y_pred of the same length."""
        xs = np.asarray(xs, dtype=float).reshape(-1)
        ys = np.asarray(y_pred, dtype=float).reshape(len(xs), -1)[:, 0]
        order = np.argsort(xs, kind="stable")
        self.curve_item.setData(xs[order], ys[order])

    def clear_boundary(self) -> None:
        """Remove the boundary image, the regression curve and the misclassified marks."""
        self._probs = None
        self.image_item.clear()
        self.curve_item.setData([], [])
        self._set_wrong(np.zeros(len(self._y_train), bool), np.zeros(len(self._y_val), bool))

    # --- overlay --------------------------------------------------------------------
    def show_overlay(self, rgba: np.ndarray, grid: BoundaryGrid, caption: str) -> None:
        """Show ``rgba`` over the plane in place of the probabilities, with ``caption``.

        rgba : shape (res, res, 4) uint8 on ``grid`` (any resolution or extent), row i is
        ``grid.ys[i]`` as for the boundary. The points stay on top; ``clear_overlay``
        brings the probabilities back.
        """
        self.overlay.show(rgba, grid, caption)

    def clear_overlay(self) -> None:
        """Hide the overlay: the probabilities (or the fit) show again."""
        self.overlay.clear()

    @property
    def overlay_text(self) -> str:
        """The caption of the overlay shown, '' when none is."""
        return self.overlay.text

    # --- view options ---------------------------------------------------------------
    @property
    def hard(self) -> bool:
        return self._hard

    @Slot(bool)
    def set_hard(self, hard: bool) -> None:
        """Hard view: each region in the colour of its most probable class."""
        hard = bool(hard)
        if hard != self.hard_checkbox.isChecked():
            self.hard_checkbox.setChecked(hard)  # re-enters through toggled
            return
        if hard != self._hard:
            self._hard = hard
            self._render()

    @property
    def selected_class(self) -> int:
        """The class a plain click adds."""
        return self._selected

    @Slot(int)
    def set_selected_class(self, k: int) -> None:
        if not 0 <= int(k) < max(self.n_classes, 1):
            raise ValueError(f"class must be in 0..{self.n_classes - 1}, got {k!r}")
        if int(k) != self._selected:
            self._selected = int(k)
            self._update_class_label()
            self.selected_class_changed.emit(self._selected)

    def _update_class_label(self) -> None:
        if self.task == "regression":
            self.class_label.setText("click: add a point")
            return
        k = self._selected
        self.class_label.setText(
            f'click adds class {k} <span style="color:{class_color(k)}; font-size:14pt">●</span>'
        )

    # --- mouse ----------------------------------------------------------------------
    def _view_point(self, scene_pos: QPointF) -> QPointF | None:
        view_box = self.plot_item.getViewBox()
        if not view_box.sceneBoundingRect().contains(scene_pos):
            return None
        return view_box.mapSceneToView(scene_pos)

    @Slot(object)
    def _on_mouse_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or event.double():
            return
        point = self._view_point(event.scenePos())
        if point is None:
            return
        x, y = point.x(), point.y()
        modifiers = event.modifiers()
        if modifiers & Qt.KeyboardModifier.ControlModifier:
            index = self.nearest_training_point(x, y)
            if index is not None:
                self.point_removed.emit(index)
            return
        if self.task == "regression":
            self.point_added.emit(x, y, 0)
            return
        k = self._selected
        if modifiers & Qt.KeyboardModifier.ShiftModifier:
            k = (k + 1) % self.n_classes
        self.point_added.emit(x, y, k)

    def nearest_training_point(
        self, x: float, y: float, radius_px: float = REMOVE_RADIUS_PX
    ) -> int | None:
        """Index of the training point nearest (x, y) on screen, if within ``radius_px``."""
        if not len(self._train_xy):
            return None
        pixel_w, pixel_h = self.plot_item.getViewBox().viewPixelSize()
        d = (self._train_xy - (x, y)) / (pixel_w or 1.0, pixel_h or 1.0)
        dist = np.hypot(d[:, 0], d[:, 1])
        index = int(np.argmin(dist))
        return index if dist[index] <= radius_px else None

    @Slot(object)
    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        point = self._view_point(scene_pos)
        if point is None:
            self.coords_label.setText("")
        else:
            self.coords_label.setText(f"x = {point.x():.3f}   y = {point.y():.3f}")
