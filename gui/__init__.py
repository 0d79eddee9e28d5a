"""Backprop Lab's window: PySide6 widgets and pyqtgraph plots around the ``model`` engine.

``gui.app.run_app(argv)`` opens the main window. The engine trains in a worker thread
(``gui.worker``); the window only draws the snapshots it sends (``gui.snapshot``).
"""

import os
import sys

# OpenBLAS starts one thread per core; on a two-core machine they fight the GUI thread and
# the training thread (measured here: about 120 epochs/s in the window instead of 1,200).
# main.py sets this before numpy loads; this covers `import gui` coming first elsewhere.
if "numpy" not in sys.modules:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
