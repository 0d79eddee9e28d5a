"""The main window's plots, importable from one place.

``BoundaryPlot`` (gui/boundary_plot.py): the decision boundary with the data on top.
``LossPlot`` and ``AccuracyPlot`` (gui/curve_plots.py): training and validation curves.
``History`` (gui/history.py): the bounded series the curves are drawn from.
"""

from gui.boundary_plot import BoundaryPlot
from gui.curve_plots import AccuracyPlot, CurvePlot, LossPlot
from gui.history import History
from gui.plot_base import PlotPanel

__all__ = ["AccuracyPlot", "BoundaryPlot", "CurvePlot", "History", "LossPlot", "PlotPanel"]
