"""``backprop-lab train``: train from the command line, no window (and no Qt import).

Settings come from, in rising precedence: ``--preset``, then ``--config run.json``, then
the explicit flags. On a terminal a one-line progress bar is redrawn in place; into a pipe
or a file the book's line is printed every ``--print-every`` epochs, exactly as the book
prints it::

    epoch: 100, acc: 0.723, loss: 0.678, lr: 0.04999752512250644

``epoch`` counts from 0 as in the book's ``for epoch in range(10001)`` loop: the line for
"epoch: N" reports the forward pass of the (N+1)-th step, so a 10,001-epoch run prints
epochs 0 to 10000. ``loss`` is data plus regularization loss (the book's ``loss`` from
chapter 14 on), ``lr`` the raw float the optimizer used, as the book prints it. The
``--metrics`` CSV counts completed epochs instead (its first row is epoch 1).

Exit codes: 0 done, 1 training diverged or a file could not be written, 2 bad arguments
(one line on stderr), 130 stopped by Ctrl+C (between epochs; files are still written).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, NoReturn, TextIO

from model.config import DTYPES, OUTPUTS, ConfigError, RunConfig, read_config_dict, save_config
from model.features import FEATURES, check_features
from model.run import PRESETS, build_run
from model.trainer import EpochStats, TrainingDiverged

PROG = "backprop-lab"
METRICS_COLUMNS = (
    "epoch",
    "data_loss",
    "regularization_loss",
    "accuracy",
    "val_loss",
    "val_accuracy",
    "learning_rate",
)
BAR_INTERVAL = 0.1  # seconds between redraws of the progress bar

#: flag -> (config section, field); lists are comma-separated, one value per hidden layer.
FLAG_FIELDS: dict[str, tuple[str, str]] = {
    "dataset": ("data", "dataset"),
    "samples": ("data", "samples"),
    "classes": ("data", "classes"),
    "noise": ("data", "noise"),
    "validation": ("data", "validation_fraction"),
    "csv": ("data", "csv_path"),
    "data_seed": ("data", "seed"),
    "hidden": ("network", "hidden"),
    "activation": ("network", "activation"),
    "dropout": ("network", "dropout"),
    "weight_l1": ("network", "weight_l1"),
    "weight_l2": ("network", "weight_l2"),
    "bias_l1": ("network", "bias_l1"),
    "bias_l2": ("network", "bias_l2"),
    "init": ("network", "init"),
    "dtype": ("network", "dtype"),
    "output": ("network", "output"),
    "features": ("network", "features"),
    "optimizer": ("optimizer", "type"),
    "lr": ("optimizer", "learning_rate"),
    "decay": ("optimizer", "decay"),
    "momentum": ("optimizer", "momentum"),
    "epsilon": ("optimizer", "epsilon"),
    "rho": ("optimizer", "rho"),
    "beta1": ("optimizer", "beta_1"),
    "beta2": ("optimizer", "beta_2"),
    "epochs": ("training", "epochs"),
    "batch_size": ("training", "batch_size"),
    "print_every": ("training", "print_every"),
}


class ArgumentParser(argparse.ArgumentParser):
    """Errors are one line on stderr, ``backprop-lab: error: ...``, and exit code 2."""

    def error(self, message: str) -> NoReturn:
        message = " ".join(str(message).split())  # one line, whatever the source said
        self.exit(2, f"{PROG}: error: {message}\n")


def _hidden(text: str) -> list[int]:
    text = text.strip()
    if text in ("", "0", "none"):
        return []
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected layer sizes such as 64 or 64,32 (or 0 for none), got {text!r}"
        ) from None


def _floats(text: str) -> float | list[float]:
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number or one per hidden layer such as 0.1,0.2, got {text!r}"
        ) from None
    return values[0] if len(values) == 1 else values


def _words(text: str) -> str | list[str]:
    values = [part.strip() for part in text.split(",")]
    return values[0] if len(values) == 1 else values


def _feature_list(text: str) -> list[str]:
    try:
        return list(check_features(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


FULL_BATCH = "full"  # --batch-size full: None in the configuration (None here means "not given")


def _batch(text: str) -> int | str:
    if text.strip().lower() in ("0", "full", "none"):
        return FULL_BATCH
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a batch size >= 1, or 0 or 'full' for full batch, got {text!r}"
        ) from None


def make_parser() -> ArgumentParser:
    p = ArgumentParser(
        prog=f"{PROG} train",
        description="Train a network headless. Precedence: --preset < --config < flags.",
        allow_abbrev=False,
    )
    g = p.add_argument_group("run")
    g.add_argument("--preset", choices=sorted(PRESETS), help="one of the book's runs")
    g.add_argument("--config", metavar="RUN.JSON", help="a run configuration (JSON)")
    g.add_argument("--save-config", metavar="RUN.JSON", help="write the final configuration")
    g = p.add_argument_group("data")
    g.add_argument("--dataset", help="spiral, vertical, circles, xor, gaussian_blobs, moons, sine")
    g.add_argument("--samples", type=int, help="points per class (sine: in total)")
    g.add_argument("--classes", type=int, help="number of classes, 2..8")
    g.add_argument("--noise", type=float, help="noise of the generated data, >= 0")
    g.add_argument("--validation", type=float, metavar="FRACTION", help="held out, 0..0.9")
    g.add_argument("--csv", metavar="PATH", help="train on a CSV file of x1,x2,label rows")
    g.add_argument("--data-seed", type=int, help="seed of the data alone (default: --seed)")
    g = p.add_argument_group("network (comma lists give one value per hidden layer)")
    g.add_argument("--hidden", type=_hidden, metavar="64,64", help="hidden layer sizes; 0: none")
    g.add_argument("--activation", type=_words, help="relu, tanh, sigmoid or linear")
    g.add_argument("--dropout", type=_floats, help="dropout rate, 0..0.9")
    g.add_argument("--l1", type=_floats, help="L1 on weights and biases")
    g.add_argument("--l2", type=_floats, help="L2 on weights and biases (as the book)")
    for name in ("weight-l1", "weight-l2", "bias-l1", "bias-l2"):
        g.add_argument(f"--{name}", type=_floats, help=f"{name.replace('-', ' ')} only")
    g.add_argument("--init", choices=("nnfs", "he", "glorot"), help="weight initialisation")
    g.add_argument("--dtype", choices=DTYPES)
    g.add_argument("--output", choices=OUTPUTS, help="sigmoid with 2 classes: binary (ch. 16)")
    g.add_argument(
        "--features",
        type=_feature_list,
        metavar="x1,x2,x1^2",
        help=f"input features as in TF Playground: {', '.join(FEATURES)}",
    )
    g = p.add_argument_group("optimizer (unset hyperparameters take the book's defaults)")
    g.add_argument("--optimizer", help="SGD, Adagrad, RMSprop or Adam")
    for name in ("lr", "decay", "momentum", "rho", "beta1", "beta2", "epsilon"):
        g.add_argument(f"--{name}", type=float)
    g = p.add_argument_group("training")
    g.add_argument("--epochs", type=int)
    g.add_argument("--batch-size", type=_batch, metavar="N", help="0 or 'full': full batch")
    g.add_argument("--seed", type=int, help="seed of data, weights, dropout and shuffling")
    g.add_argument("--print-every", type=int, metavar="N", help="print a line every N epochs")
    g.add_argument("--quiet", action="store_true", help="print nothing but errors")
    g.add_argument("--save", metavar="MODEL.NPZ", help="save the trained model")
    g.add_argument("--metrics", metavar="METRICS.CSV", help="write per-epoch metrics")
    return p


def _flag_changes(args: argparse.Namespace) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """The configuration changes the flags ask for, and which flag set each field."""
    values = dict(vars(args))
    for kind in ("l1", "l2"):  # --l2 is the book's: the same value on weights and biases
        if values[kind] is not None:
            for target in (f"weight_{kind}", f"bias_{kind}"):
                if values[target] is None:
                    values[target] = values[kind]
    if values["seed"] is not None and values["data_seed"] is None:
        values["data_seed"] = values["seed"]
    changes: dict[str, dict[str, Any]] = {}
    flags = {"training.seed": "--seed"}
    for dest, (section, name) in FLAG_FIELDS.items():
        if values[dest] is not None:
            value = None if values[dest] is FULL_BATCH else values[dest]
            changes.setdefault(section, {})[name] = value
            flags[f"{section}.{name}"] = "--" + dest.replace("_", "-")
    if values["seed"] is not None:
        changes.setdefault("training", {})["seed"] = values["seed"]
    if values["csv"] is not None:
        changes["data"]["dataset"] = "csv"
    elif values["dataset"] is not None:
        changes["data"]["csv_path"] = None
    return changes, flags


def resolve_config(args: argparse.Namespace) -> RunConfig:
    """Preset, then config file, then flags. Raises ConfigError naming field or flag."""
    config = PRESETS[args.preset] if args.preset else RunConfig()
    if args.config:
        try:
            config = config.updated(read_config_dict(args.config))
        except ConfigError as error:
            message = str(error)
            if not message.startswith(f"{args.config}:"):
                message = f"{args.config}: {message}"
            raise ConfigError(message) from None
    changes, flags = _flag_changes(args)
    try:
        return config.updated(changes)
    except ConfigError as error:
        field, _, rest = str(error).partition(":")
        flag = flags.get(field.split("[")[0])
        raise ConfigError(f"{flag} ({field}):{rest}" if flag else str(error)) from None


def _check_output(parser: ArgumentParser, option: str, path: str | None) -> None:
    if path is not None and not Path(path).resolve().parent.is_dir():
        parser.error(f"{option}: the folder of {path!r} does not exist")


class Reporter:
    """Prints progress: a redrawn bar on a terminal, the book's lines otherwise."""

    def __init__(self, out: TextIO, total: int, every: int, *, quiet: bool, bar: bool) -> None:
        self.out, self.total, self.every = out, total, every
        self.quiet, self.bar = quiet, bar and not quiet
        self.start = self.last_draw = time.perf_counter()
        self.width = 0

    def write(self, text: str) -> None:
        if self.quiet:
            return
        try:
            self.out.write(text)
            self.out.flush()
        except BrokenPipeError:  # e.g. `| head`: stop printing, keep training and saving
            self.quiet = True
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), self.out.fileno())

    def epoch(self, stats: EpochStats) -> None:
        if self.bar:
            now = time.perf_counter()
            if now - self.last_draw >= BAR_INTERVAL or stats.epoch == self.total:
                self.last_draw = now
                self._draw(stats, now - self.start)
        elif (stats.epoch - 1) % self.every == 0:
            self.write(book_line(stats) + "\n")

    def _draw(self, stats: EpochStats, elapsed: float) -> None:
        rate = stats.epoch / elapsed if elapsed > 0 else 0.0
        eta = (self.total - stats.epoch) / rate if rate > 0 else 0.0
        done = int(20 * stats.epoch / self.total)
        line = (
            f"[{'#' * done}{'.' * (20 - done)}] {stats.epoch}/{self.total} "
            f"acc {stats.accuracy:.3f} loss {_number(stats.loss)} lr {stats.learning_rate:.4g} "
            f"{rate:,.0f} epochs/s ETA {_duration(eta)}"
        )
        self.write("\r" + line + " " * max(0, self.width - len(line)))
        self.width = len(line)

    def finish(self, stats: EpochStats | None, stopped: str | None) -> None:
        if self.bar and self.width:
            self.write("\n")
        if stats is None:
            return
        elapsed = time.perf_counter() - self.start
        parts = [f"acc: {stats.accuracy:.3f}", f"loss: {_number(stats.loss)}"]
        if stats.val_accuracy is not None:
            parts += [f"val_acc: {stats.val_accuracy:.3f}", f"val_loss: {_number(stats.val_loss)}"]
        rate = stats.epoch / elapsed if elapsed > 0 else 0.0
        head = f"{stopped} after {stats.epoch} of {self.total} epochs" if stopped else "done:"
        if not stopped:
            head += f" {stats.epoch} epochs"
        self.write(f"{head} in {_duration(elapsed)} ({rate:,.0f} epochs/s), {', '.join(parts)}\n")


def book_line(stats: EpochStats) -> str:
    """The book's progress line; its epochs count from 0, ours from 1."""
    return (
        f"epoch: {stats.epoch - 1}, acc: {stats.accuracy:.3f}, loss: {stats.loss:.3f}, "
        f"lr: {stats.learning_rate}"
    )


def _number(value: float) -> str:
    return f"{value:.3f}" if abs(value) < 1e6 else f"{value:.3e}"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class MetricsWriter:
    """Rows go to a temporary file beside the target as they come (memory stays flat);
    ``commit`` renames it into place, so the target is never half-written."""

    def __init__(self, path: str) -> None:
        self.path = path
        fd, self.tmp = tempfile.mkstemp(dir=Path(path).resolve().parent, prefix=".metrics.")
        self.file = os.fdopen(fd, "w", newline="", encoding="utf-8")
        self.writer = csv.writer(self.file)
        self.writer.writerow(METRICS_COLUMNS)

    def add(self, s: EpochStats) -> None:
        values = (s.data_loss, s.regularization_loss, s.accuracy, s.val_loss, s.val_accuracy)
        values += (s.learning_rate,)
        self.writer.writerow([s.epoch, *("" if v is None else repr(v) for v in values)])

    def commit(self) -> None:
        self.file.close()
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        self.file.close()
        with contextlib.suppress(OSError):
            os.unlink(self.tmp)


class _StopOnInterrupt:
    """The first Ctrl+C asks the loop to stop after the current epoch; a second one aborts."""

    def __init__(self) -> None:
        self.requested = False
        self.previous = None

    def __enter__(self) -> _StopOnInterrupt:
        with contextlib.suppress(ValueError):  # not the main thread: no handler, no stopping
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        self.requested = True
        signal.signal(signal.SIGINT, signal.default_int_handler)

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def main(argv: list[str] | None = None) -> int:
    """Run ``backprop-lab train`` with ``argv`` (default: ``sys.argv[1:]``); the exit code."""
    parser = make_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        config = resolve_config(args)
    except ConfigError as error:
        parser.error(str(error))
    for option in ("save", "metrics", "save_config"):
        _check_output(parser, "--" + option.replace("_", "-"), getattr(args, option))
    try:
        run = build_run(config)
    except ValueError as error:  # ConfigError, DatasetError, a bad value deeper down
        parser.error(str(error))
    if args.save_config is not None:
        try:
            save_config(args.save_config, config)
        except ConfigError as error:
            parser.error(str(error))

    total = config.training.epochs
    every = config.training.print_every
    out = sys.stdout
    reporter = Reporter(out, total, every, quiet=args.quiet, bar=out.isatty())
    metrics = MetricsWriter(args.metrics) if args.metrics else None
    trainer, stats, code, stopped = run.trainer, None, 0, None
    try:
        with _StopOnInterrupt() as interrupt:
            for _ in range(total):
                epoch = trainer.epoch + 1
                validate = metrics is not None or (epoch - 1) % every == 0 or epoch == total
                stats = trainer.run_epoch(validate=validate)
                if metrics is not None:
                    metrics.add(stats)
                reporter.epoch(stats)
                if interrupt.requested:
                    code, stopped = 130, "stopped by Ctrl+C"
                    break
    except TrainingDiverged as error:
        code, stopped = 1, "diverged"
        reporter.finish(stats, stopped)
        print(f"{PROG}: {error}", file=sys.stderr)
    except KeyboardInterrupt:  # a second Ctrl+C cut an epoch short: its weights are not kept
        code, stopped = 130, "aborted by Ctrl+C"
        args.save = None
        print(f"{PROG}: aborted mid-epoch; the model was not saved", file=sys.stderr)
    except BaseException:
        if metrics is not None:
            metrics.discard()
        raise
    if code != 1:
        reporter.finish(stats, stopped)
    return _write_files(args, config, run, metrics, code)


def _write_files(args, config, run, metrics, code: int) -> int:
    try:
        if metrics is not None:
            metrics.commit()
        if args.save is not None and run.trainer.epoch > 0:
            from model.persist import save_model

            save_model(
                args.save,
                run.network,
                run.optimizer,
                epoch=run.trainer.epoch,
                metadata={"config": config.to_dict()},
            )
    except (OSError, ValueError) as error:
        if metrics is not None:
            metrics.discard()
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return code or 1
    return code
