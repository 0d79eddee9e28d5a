"""How a hidden layer sees the plane: ConvNetJS's "transformed space" view.

Every hidden layer maps each input point to a point in its own space, one axis per neuron.
Pick two neurons of a layer and draw, on their axes, where the training points land and
where the straight lines of a grid over the input plane go: the lines bend and fold as the
network learns, and classes that were wound around each other come apart until the output
layer can cut them with straight lines. That is what the layers before the last one are
for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.network import Network
from model.walkthrough import hidden_activations


@dataclass(frozen=True)
class HiddenSpace:
    """Where points and grid lines land on two neurons of one hidden layer (copies)."""

    layer: int  # index of the hidden layer, 0 = the first
    neurons: tuple[int, int]  # the neurons on the x and y axes
    points: np.ndarray  # (n_samples, 2): each input point's outputs of the two neurons
    lines: np.ndarray  # (n_lines, n_steps, 2): the grid lines, mapped the same way


def grid_lines(
    extent: tuple[float, float, float, float], n_lines: int = 11, n_steps: int = 60
) -> np.ndarray:
    """Straight lines over ``extent`` = (x_min, x_max, y_min, y_max) of the input plane.

    Returns shape (2 * n_lines, n_steps, 2): ``n_lines`` vertical lines (x fixed) and then
    ``n_lines`` horizontal ones (y fixed), each sampled at ``n_steps`` points.
    """
    if n_lines < 2 or n_steps < 2:
        raise ValueError(f"need at least 2 lines of 2 steps, got {n_lines} lines of {n_steps}")
    x0, x1, y0, y1 = extent
    xs, ys = np.linspace(x0, x1, n_lines), np.linspace(y0, y1, n_lines)
    tx, ty = np.linspace(x0, x1, n_steps), np.linspace(y0, y1, n_steps)
    vertical = np.stack(
        [np.broadcast_to(xs[:, None], (n_lines, n_steps)), ty[None, :].repeat(n_lines, 0)], axis=-1
    )
    horizontal = np.stack(
        [tx[None, :].repeat(n_lines, 0), np.broadcast_to(ys[:, None], (n_lines, n_steps))], axis=-1
    )
    return np.concatenate([vertical, horizontal])


def line_1d(extent: tuple[float, float], n_steps: int = 200) -> np.ndarray:
    """The input axis of one-column data as one line, shape (1, n_steps, 1)."""
    return np.linspace(extent[0], extent[1], n_steps).reshape(1, n_steps, 1)


def hidden_space(
    network: Network, X: np.ndarray, lines: np.ndarray, layer: int, neurons: tuple[int, int]
) -> HiddenSpace:
    """Map the points ``X`` (n, n_inputs) and the ``lines`` (L, S, n_inputs) through the
    network up to hidden layer ``layer`` (after its activation) and keep two ``neurons``.

    Runs forward passes in inference mode (the layers' buffers are overwritten: call it
    where the network is owned). Raises ValueError naming a layer or neuron out of range.
    """
    hidden = network.dense_layers[:-1]
    if not hidden:
        raise ValueError("the network has no hidden layer: there is no hidden space to show")
    if not 0 <= layer < len(hidden):
        raise ValueError(f"hidden layer must be in 0..{len(hidden) - 1}, got {layer}")
    width = hidden[layer].n_neurons
    a, b = (int(n) for n in neurons)
    for n in (a, b):
        if not 0 <= n < width:
            raise ValueError(f"neuron must be in 0..{width - 1} for hidden layer {layer}, got {n}")
    X = np.asarray(X, dtype=network.dtype)
    lines = np.asarray(lines, dtype=network.dtype)
    flat = lines.reshape(-1, lines.shape[-1])
    both = np.concatenate([X, flat]) if len(X) else flat
    acts = hidden_activations(network, both)[layer][:, [a, b]]
    points = np.array(acts[: len(X)], dtype=np.float64)
    mapped = np.array(acts[len(X) :], dtype=np.float64).reshape(*lines.shape[:2], 2)
    return HiddenSpace(layer, (a, b), points, mapped)
