"""Backprop Lab's entry point: ``python main.py`` (or ``backprop-lab``) opens the window,
``python main.py train ...`` trains headless without importing Qt."""

from __future__ import annotations

import os
import sys

USAGE = """\
usage: backprop-lab [gui] [Qt options]   open the window (the default)
       backprop-lab train [options]      train headless; see `backprop-lab train --help`

Backprop Lab: watch a neural network written from scratch in numpy learn by backpropagation.

commands:
  gui     open the window
  train   train from the command line (progress bar, the book's lines, --save, --metrics)
"""


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the headless trainer or the window; returns the exit code."""
    args = sys.argv[1:] if argv is None else list(argv)
    command = args[0] if args else "gui"
    if command == "train":
        from model.cli import main as train_main

        return train_main(args[1:])
    if command in ("-h", "--help", "help"):
        print(USAGE, end="")
        return 0
    if command == "gui":
        args = args[1:]
    elif not command.startswith("-"):  # options such as -style go to Qt
        print(
            f"backprop-lab: error: unknown command {command!r} (use train or gui)", file=sys.stderr
        )
        return 2
    # numpy's BLAS pool would start one thread per core; on two cores those threads fight
    # the GUI thread for the CPU (measured: the decision boundary refreshed at ~15 Hz
    # instead of ~30 Hz). Must be set before numpy is first imported.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    try:
        from gui.app import run_app
    except ModuleNotFoundError as error:
        if error.name not in ("gui.app", "PySide6", "pyqtgraph"):
            raise
        print(
            f"backprop-lab: the window cannot start ({error.name} is missing); "
            "train headless with `backprop-lab train --help`",
            file=sys.stderr,
        )
        return 1
    return run_app([sys.argv[0], *args])


if __name__ == "__main__":
    sys.exit(main())
