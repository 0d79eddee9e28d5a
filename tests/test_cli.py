"""Specification of ``backprop-lab train`` (model.cli) and the ``main.py`` entry point."""

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from model import cli
from model.config import RunConfig, save_config
from model.run import PRESETS, build_run
from model.trainer import EpochStats

ROOT = Path(__file__).resolve().parent.parent
BOOK_LINE = re.compile(r"epoch: (\d+), acc: (\d\.\d{3}), loss: (\d+\.\d{3}), lr: (\S+)")


def run_main(*args: str, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """``python main.py ...`` in a subprocess, stdout and stderr piped (not a terminal)."""
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        **kwargs,
    )


def resolve(*args: str) -> RunConfig:
    return cli.resolve_config(cli.make_parser().parse_args(list(args)))


def train_in_process(config: RunConfig):
    run = build_run(config)
    stats = [run.trainer.run_epoch() for _ in range(config.training.epochs)]
    return run, stats


# --- the book's lines when stdout is not a terminal ---


def test_piped_output_prints_the_books_lines_for_epochs_0_100_200():
    result = run_main("train", "--preset", "ch10", "--epochs", "201", "--print-every", "100")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    _, stats = train_in_process(PRESETS["ch10"].updated({"training": {"epochs": 201}}))
    assert lines[:3] == [cli.book_line(stats[i]) for i in (0, 100, 200)]
    assert [BOOK_LINE.fullmatch(line).group(1) for line in lines[:3]] == ["0", "100", "200"]
    assert lines[3].startswith("done: 201 epochs in ") and len(lines) == 4


def test_book_line_prints_the_raw_learning_rate_like_the_book():
    lr = 0.05 / (1 + 5e-7 * 100)
    stats = EpochStats(101, 0.6781, 0.0, 0.7234, lr)
    assert cli.book_line(stats) == f"epoch: 100, acc: 0.723, loss: 0.678, lr: {lr}"
    assert cli.book_line(stats).endswith("lr: 0.049997500124993745")


def test_a_10001_epoch_run_prints_101_lines_like_the_book():
    out = io.StringIO()
    reporter = cli.Reporter(out, 10001, 100, quiet=False, bar=False)
    for epoch in range(1, 10002):
        reporter.epoch(EpochStats(epoch, 1.0, 0.0, 0.5, 0.05))
    epochs = [int(BOOK_LINE.fullmatch(line).group(1)) for line in out.getvalue().splitlines()]
    assert epochs == list(range(0, 10001, 100))


def test_quiet_prints_nothing():
    result = run_main("train", "--epochs", "5", "--quiet")
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""


def test_summary_includes_validation_when_there_is_a_validation_set():
    result = run_main("train", "--epochs", "3", "--validation", "0.2")
    assert re.search(r"acc: \d\.\d{3}, loss: [\d.]+, val_acc: \d\.\d{3}, val_loss: ", result.stdout)


# --- the progress bar on a terminal ---


def test_progress_bar_redraws_one_line_in_place():
    out = io.StringIO()
    reporter = cli.Reporter(out, 3, 100, quiet=False, bar=True)
    reporter.last_draw -= 1  # the first epoch is due for a redraw
    for epoch in (1, 2, 3):
        reporter.epoch(EpochStats(epoch, 0.5, 0.0, 0.75, 0.05))
    reporter.finish(EpochStats(3, 0.5, 0.0, 0.75, 0.05), None)
    text = out.getvalue()
    bar, summary = text.rsplit("\n", 2)[:2]
    assert bar.startswith("\r[") and "\n" not in bar
    assert "3/3 acc 0.750 loss 0.500 lr 0.05" in bar.split("\r")[-1]
    assert "epochs/s ETA" in bar
    assert summary.startswith("done: 3 epochs")


def test_progress_bar_redraws_at_most_about_ten_times_a_second():
    out = io.StringIO()
    reporter = cli.Reporter(out, 10**9, 100, quiet=False, bar=True)
    deadline = time.perf_counter() + 0.35
    epoch = 0
    while time.perf_counter() < deadline:
        epoch += 1
        reporter.epoch(EpochStats(epoch, 0.5, 0.0, 0.75, 0.05))
    assert epoch > 1000
    assert out.getvalue().count("\r") <= 4


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_a_terminal_gets_the_progress_bar_instead_of_lines():
    leader, follower = os.openpty()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "train", "--epochs", "300"],
        stdout=follower,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=60) == 0
    text = b"".join(chunks).decode()
    assert "300/300 acc " in text and "epoch: 0," not in text
    assert "done: 300 epochs" in text


# --- bad arguments: exit code 2, one line, no traceback ---

BAD_ARGUMENTS = [
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["--epochs", "ten"], "argument --epochs: invalid int value: 'ten'"),
    (["--epochs", "0"], "--epochs (training.epochs): must be an integer in 1..10000000, got 0"),
    (["--lr", "-1"], "--lr (optimizer.learning_rate): must be a number > 0, got -1.0"),
    (["--hidden", "64,0"], "--hidden (network.hidden[1]): must be an integer in 1..512, got 0"),
    (["--hidden", "64,x"], "argument --hidden: expected layer sizes such as 64 or 64,32"),
    (["--dataset", "spirals"], "--dataset (data.dataset): must be one of spiral,"),
    (["--classes", "12"], "--classes (data.classes): must be an integer in 2..8, got 12"),
    (["--preset", "ch99"], "argument --preset: invalid choice: 'ch99'"),
    (["--optimizer", "SGD", "--beta1", "0.8"], "--beta1 (optimizer.beta_1): SGD has no beta_1"),
    (["--preset", "ch16", "--classes", "3"], "network.output: 'sigmoid' (binary) needs 2 classes"),
    (["--config", "missing.json"], "missing.json: file not found"),
    (["--features", "x1,x3"], "argument --features: feature 'x3' is unknown: allowed are x1, x2"),
    (["--dataset", "sine", "--features", "x2"], "network.features: feature 'x2' needs two input"),
    (["--csv", "missing.csv"], "missing.csv: file not found"),
    (["--save", "no/such/dir/m.npz"], "--save: the folder of 'no/such/dir/m.npz' does not exist"),
]


@pytest.mark.parametrize(("argv", "message"), BAD_ARGUMENTS)
def test_bad_arguments_exit_2_with_one_line_naming_the_problem(argv, message, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.endswith("\n") and captured.err.count("\n") == 1
    assert captured.err.startswith(f"backprop-lab: error: {message}")


@pytest.mark.parametrize(
    "argv",
    [["--lr", "abc"], ["--validation", "2"], ["--config", "tests"], ["--unknown", "1"]],
)
def test_bad_arguments_in_a_subprocess_give_no_traceback(argv):
    result = run_main("train", *argv)
    assert result.returncode == 2
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.startswith("backprop-lab: error: ") and result.stderr.count("\n") == 1


def test_a_bad_json_config_names_line_and_column(tmp_path, capsys):
    path = tmp_path / "run.json"
    path.write_text('{"training": {"epochs": 10\n}')
    with pytest.raises(SystemExit):
        cli.main(["--config", str(path)])
    assert "invalid JSON at line 2, column 2: Expecting ',' delimiter" in capsys.readouterr().err


def test_a_bad_csv_names_its_line(tmp_path, capsys):
    path = tmp_path / "points.csv"
    path.write_text("0.1,0.2,0\n0.3,oops,1\n")
    with pytest.raises(SystemExit) as info:
        cli.main(["--csv", str(path)])
    assert info.value.code == 2
    assert "line 2" in capsys.readouterr().err


# --- precedence: preset < --config < flags ---


def test_config_file_overrides_the_preset_and_flags_override_both(tmp_path):
    path = tmp_path / "run.json"
    path.write_text(json.dumps({"optimizer": {"learning_rate": 0.01}, "training": {"epochs": 7}}))
    config = resolve("--preset", "ch14", "--config", str(path), "--epochs", "3")
    assert config.network.hidden == (512,)  # from the preset
    assert config.optimizer.learning_rate == 0.01  # from the file
    assert config.training.epochs == 3  # from the flag


def test_errors_from_the_config_file_start_with_its_path(tmp_path, capsys):
    path = tmp_path / "run.json"
    path.write_text('{"data": {"samples": 0}}')
    with pytest.raises(SystemExit):
        cli.main(["--config", str(path)])
    assert (
        f"error: {path}: data.samples: must be an integer in 1..100000" in capsys.readouterr().err
    )


def test_l2_applies_to_weights_and_biases_unless_given_separately():
    config = resolve("--l2", "5e-4", "--bias-l2", "0")
    assert config.network.weight_l2 == 5e-4 and config.network.bias_l2 == 0.0


def test_seed_sets_data_and_training_seeds_and_data_seed_overrides_the_data():
    config = resolve("--seed", "3", "--data-seed", "0")
    assert config.training.seed == 3 and config.data.seed == 0
    assert resolve("--seed", "3").data.seed == 3


def test_hidden_0_or_empty_means_no_hidden_layers():
    assert resolve("--hidden", "0").network.hidden == ()
    assert resolve("--hidden", "").network.hidden == ()
    assert resolve("--hidden", "64,32").network.hidden == (64, 32)


def test_comma_lists_give_per_layer_values():
    config = resolve("--hidden", "8,4", "--activation", "tanh,relu", "--dropout", "0.1,0")
    assert config.network.activation == ("tanh", "relu")
    assert config.network.dropout == (0.1, 0.0)


def test_another_optimizer_starts_from_its_own_defaults():
    config = resolve("--preset", "ch10", "--optimizer", "sgd", "--momentum", "0.9")
    assert config.optimizer.type == "SGD" and config.optimizer.learning_rate is None
    assert config.optimizer.build().learning_rate == 1.0


def test_batch_size_0_or_full_means_full_batch(tmp_path):
    path = tmp_path / "run.json"
    path.write_text('{"training": {"batch_size": 32}}')
    assert resolve("--config", str(path), "--batch-size", "full").training.batch_size is None


def test_save_config_writes_the_resolved_configuration(tmp_path):
    path = tmp_path / "run.json"
    assert (
        cli.main(["--preset", "ch15", "--epochs", "2", "--quiet", "--save-config", str(path)]) == 0
    )
    assert RunConfig.from_dict(json.loads(path.read_text())) == PRESETS["ch15"].updated(
        {"training": {"epochs": 2}}
    )


# --- files: metrics and model ---


def test_metrics_csv_has_one_row_per_epoch_with_every_column(tmp_path):
    path = tmp_path / "metrics.csv"
    args = ["--preset", "ch10", "--epochs", "12", "--validation", "0.25", "--quiet"]
    assert cli.main([*args, "--metrics", str(path)]) == 0
    with open(path, newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0]) == list(cli.METRICS_COLUMNS)
    assert [int(row["epoch"]) for row in rows] == list(range(1, 13))
    config = PRESETS["ch10"].updated({"data": {"validation_fraction": 0.25}})
    _, stats = train_in_process(config.updated({"training": {"epochs": 12}}))
    for row, s in zip(rows, stats, strict=True):
        assert float(row["data_loss"]) == s.data_loss
        assert float(row["accuracy"]) == s.accuracy
        assert float(row["val_loss"]) == s.val_loss
        assert float(row["val_accuracy"]) == s.val_accuracy
        assert float(row["learning_rate"]) == s.learning_rate
        assert float(row["regularization_loss"]) == 0.0
    assert sorted(os.listdir(tmp_path)) == ["metrics.csv"]  # no temporary file left


def test_saved_model_loads_and_predicts_like_the_network_in_process(tmp_path):
    from model.persist import load_model

    path = tmp_path / "model.npz"
    assert cli.main(["--preset", "ch10", "--epochs", "30", "--quiet", "--save", str(path)]) == 0
    config = PRESETS["ch10"].updated({"training": {"epochs": 30}})
    run, _ = train_in_process(config)
    loaded = load_model(path)
    grid = np.random.default_rng(0).uniform(-1, 1, (500, 2))
    np.testing.assert_array_equal(
        loaded.network.predict_proba(grid), run.network.predict_proba(grid)
    )
    assert loaded.epoch == 30
    assert RunConfig.from_dict(loaded.metadata["config"]) == config


def test_divergence_exits_1_with_the_message_and_keeps_the_metrics(tmp_path):
    path = tmp_path / "metrics.csv"
    args = ["--dataset", "sine", "--optimizer", "SGD", "--lr", "1e6", "--epochs", "100"]
    result = run_main("train", *args, "--metrics", str(path))
    assert result.returncode == 1
    assert result.stderr.startswith("backprop-lab: Training diverged at epoch ")
    assert "Traceback" not in result.stderr
    rows = list(csv.reader(path.open()))
    assert 2 < len(rows) < 101  # header and the finite epochs before it diverged


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT")
def test_ctrl_c_stops_between_epochs_prints_the_summary_saves_and_exits_130(tmp_path):
    metrics, model = tmp_path / "metrics.csv", tmp_path / "model.npz"
    args = ["--epochs", "10000000", "--print-every", "50", "--metrics", str(metrics)]
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "train", *args, "--save", str(model)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout.readline().startswith("epoch: 0, ")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "stopped by Ctrl+C after " in out and "Traceback" not in err
    from model.persist import load_model

    rows = list(csv.reader(metrics.open()))
    assert load_model(model).epoch == len(rows) - 1


# --- main.py: subcommands, and no Qt on the headless path ---


def test_headless_training_never_imports_qt(tmp_path):
    script = (
        "import sys\n"
        "import main\n"
        "code = main.main(['train', '--epochs', '5', '--quiet', '--metrics', sys.argv[1]])\n"
        "qt = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'gui')]\n"
        "assert not qt, qt\n"
        "sys.exit(code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "m.csv")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


def test_main_help_lists_the_subcommands():
    result = run_main("--help")
    assert result.returncode == 0
    assert "train" in result.stdout and "gui" in result.stdout


def test_train_help_lists_the_options():
    result = run_main("train", "--help")
    assert result.returncode == 0
    for option in ("--preset", "--config", "--hidden", "--lr", "--save", "--metrics", "--csv"):
        assert option in result.stdout


def test_an_unknown_subcommand_exits_2_with_one_line():
    result = run_main("trian")
    assert result.returncode == 2
    assert result.stderr == "backprop-lab: error: unknown command 'trian' (use train or gui)\n"


def test_a_config_written_by_save_config_trains(tmp_path):
    path = tmp_path / "run.json"
    save_config(path, PRESETS["ch16"].updated({"training": {"epochs": 4}}))
    result = run_main("train", "--config", str(path), "--print-every", "1")
    assert result.returncode == 0, result.stderr
    assert [BOOK_LINE.fullmatch(line).group(1) for line in result.stdout.splitlines()[:4]] == [
        "0",
        "1",
        "2",
        "3",
    ]


# --- the book's chapter 10 result ---

# The data is the book's spiral (data seed 0 = nnfs.init()); only the training seed (the
# weights) varies. The preset starts from He initialisation. Measured with
# `build_run(PRESETS["ch10"] with seed s).trainer.train(10001)`:
#   He init, seeds 0..9: accuracy 0.973..0.990, loss 0.038..0.067 (all pass).
#   The book's 0.01 * randn, seeds 0..19: accuracy 0.947..0.977 but loss 0.064..0.127, so
#   only 9 of 20 reach loss <= 0.10; that is why the preset does not use it.
CH10_SEEDS = [0, 1, 2]


@pytest.mark.slow
@pytest.mark.parametrize("seed", CH10_SEEDS)
def test_ch10_preset_reaches_the_books_accuracy_and_loss(seed):
    config = PRESETS["ch10"].updated({"training": {"seed": seed}})
    assert config.data.seed == 0  # the book's spiral; only the weights change with the seed
    stats = build_run(config).trainer.train(config.training.epochs)
    assert stats.accuracy >= 0.95 and stats.loss <= 0.10, (stats.accuracy, stats.loss)


# --- input features ---


def test_features_flag_puts_playground_features_in_the_configuration():
    config = resolve("--features", "x1^2,x2^2,x1*x2")
    assert config.network.features == ("x1^2", "x2^2", "x1*x2")


def test_squared_features_train_the_circles_without_hidden_layers():
    args = ["--dataset", "circles", "--classes", "2", "--hidden", "0", "--epochs", "300"]
    result = run_main("train", *args, "--features", "x1^2,x2^2", "--lr", "0.05")
    assert result.returncode == 0, result.stderr
    accuracy = float(BOOK_LINE.findall(result.stdout)[-1][1])
    assert accuracy >= 0.95
