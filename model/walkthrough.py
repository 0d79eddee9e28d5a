"""The numbers behind the step-by-step walkthrough: backpropagation made visible.

Everything here is computed by the engine's own layers (``Dense``, ``ReLU``, ``Softmax``, the
losses), so what the walkthrough shows is exactly what training does.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from model.activations import ReLU, Softmax
from model.layers import Dense, Dropout
from model.losses import CategoricalCrossentropy, SoftmaxCategoricalCrossentropy, sparse_labels
from model.network import Network
from model.optimizers import SGD
from model.trainer import dense_name

# --- 1. One neuron: the chapter's example ---------------------------------------------

#: The chapter's neuron: inputs, weights and bias.
CHAPTER_X = (1.0, -2.0, 3.0)
CHAPTER_W = (-3.0, -1.0, 2.0)
CHAPTER_B = 1.0


@dataclass(frozen=True)
class NeuronPass:
    """Forward and backward values of ``y = ReLU(sum_i x_i w_i + b)`` for one sample."""

    x: tuple[float, ...]
    w: tuple[float, ...]
    b: float
    #: The products ``x_i * w_i``, then their sum with the bias, then the ReLU output.
    xw: tuple[float, ...]
    z: float
    y: float
    #: The gradient arriving from above, and ReLU's derivative at z (1 if z > 0, else 0).
    dvalue: float
    drelu: float
    #: What the sum sends back to each product and to the bias (``dvalue * drelu``).
    dz: float
    dx: tuple[float, ...]
    dw: tuple[float, ...]
    db: float


def neuron_pass(x, w, b: float, dvalue: float = 1.0) -> NeuronPass:
    """Run the neuron forward and backward with the engine's ``Dense(3, 1)`` and ``ReLU``."""
    x = np.asarray(x, dtype=float).reshape(1, -1)
    w = np.asarray(w, dtype=float).reshape(-1)
    if x.shape[1] != len(w):
        raise ValueError(
            f"the neuron needs one weight per input: {x.shape[1]} inputs, {len(w)} weights"
        )
    dense, relu = _neuron_layers(w, b)
    z = dense.forward(x)
    y = relu.forward(z)
    relu.backward(np.array([[dvalue]]))
    dz = float(relu.dinputs[0, 0])
    dense.backward(relu.dinputs)
    return NeuronPass(
        x=tuple(x[0].tolist()),
        w=tuple(w.tolist()),
        b=float(b),
        xw=tuple((x[0] * w).tolist()),
        z=float(z[0, 0]),
        y=float(y[0, 0]),
        dvalue=float(dvalue),
        drelu=1.0 if z[0, 0] > 0 else 0.0,
        dz=dz,
        dx=tuple(dense.dinputs[0].tolist()),
        dw=tuple(dense.dweights[:, 0].tolist()),
        db=float(dense.dbiases[0, 0]),
    )


def _neuron_layers(w: np.ndarray, b: float) -> tuple[Dense, ReLU]:
    dense = Dense(len(w), 1, rng=0)
    dense.weights[:, 0] = w
    dense.biases[0, 0] = b
    return dense, ReLU()


def neuron_update(
    x, w, b: float, learning_rate: float = 0.001, dvalue: float = 1.0
) -> tuple[tuple[float, ...], float]:
    """One SGD step on the neuron (the engine's ``SGD``): new ``(w, b)``.

    With the chapter's values and learning rate 0.001 the output falls from 6.0 to 5.985.
    """
    trace = neuron_pass(x, w, b, dvalue)
    dense, _ = _neuron_layers(np.asarray(w, dtype=float), b)
    dense.dweights[:, 0] = trace.dw
    dense.dbiases[0, 0] = trace.db
    optimizer = SGD(learning_rate=learning_rate)
    optimizer.pre_update_params()
    optimizer.update_params(dense)
    optimizer.post_update_params()
    return tuple(dense.weights[:, 0].tolist()), float(dense.biases[0, 0])


def neuron_descent(x, w, b: float, learning_rate: float = 0.001, steps: int = 100) -> np.ndarray:
    """The neuron's output before and after each of ``steps`` updates: shape (steps + 1,)."""
    outputs = [neuron_pass(x, w, b).y]
    for _ in range(steps):
        w, b = neuron_update(x, w, b, learning_rate)
        outputs.append(neuron_pass(x, w, b).y)
    return np.array(outputs)


# --- 2. Softmax and cross-entropy, two ways -------------------------------------------


@dataclass(frozen=True)
class SoftmaxTwoWays:
    """One sample's softmax + cross-entropy gradient by the Jacobian and by the shortcut."""

    logits: np.ndarray  # shape (k,)
    label: int
    probs: np.ndarray  # shape (k,)
    jacobian: np.ndarray  # shape (k, k): diag(s) - s s^T
    dloss: np.ndarray  # shape (k,): dL/dprobs, the loss's backward for this sample
    via_jacobian: np.ndarray  # shape (k,): jacobian @ dloss
    shortcut: np.ndarray  # shape (k,): (probs - onehot) / n

    @property
    def max_difference(self) -> float:
        return float(np.max(np.abs(self.via_jacobian - self.shortcut)))


def softmax_two_ways(logits: np.ndarray, label: int, n_samples: int = 1) -> SoftmaxTwoWays:
    """The chapter's two roads to dL/dlogits for one sample (of a batch of ``n_samples``)."""
    logits = np.asarray(logits, dtype=np.float64).reshape(1, -1)
    y = np.array([label])
    softmax = Softmax()
    probs = softmax.forward(logits).copy()
    loss = CategoricalCrossentropy()
    dloss = loss.backward(probs, y)[0] / n_samples
    jacobian = Softmax.jacobian(probs[0])
    fused = SoftmaxCategoricalCrossentropy()
    shortcut = fused.backward(probs, y)[0] / n_samples
    return SoftmaxTwoWays(
        logits=logits[0].copy(),
        label=int(label),
        probs=probs[0],
        jacobian=jacobian,
        dloss=dloss.copy(),
        via_jacobian=jacobian @ dloss,
        shortcut=shortcut.copy(),
    )


def softmax_backward_jacobian_loop(output: np.ndarray, dvalues: np.ndarray) -> np.ndarray:
    """The chapter's ``Activation_Softmax.backward``: one Jacobian matrix per sample."""
    dinputs = np.empty_like(dvalues)
    for index, (single_output, single_dvalues) in enumerate(zip(output, dvalues, strict=True)):
        dinputs[index] = Softmax.jacobian(single_output) @ single_dvalues
    return dinputs


@dataclass(frozen=True)
class PathTimings:
    """Microseconds for dL/dlogits of a whole batch, by each road."""

    n_samples: int
    jacobian_loop_us: float
    vectorised_us: float
    fused_us: float
    #: Largest difference between the Jacobian loop's result and the fused shortcut's.
    max_difference: float


def time_softmax_paths(logits: np.ndarray, y: np.ndarray, repeats: int = 5) -> PathTimings:
    """Time the per-sample Jacobian loop, the vectorised Softmax.backward and the fused
    shortcut on the same batch (best of ``repeats``)."""
    logits = np.asarray(logits, dtype=np.float64)
    y = sparse_labels(y)
    softmax = Softmax()
    probs = softmax.forward(logits).copy()
    dloss = CategoricalCrossentropy().backward(probs, y).copy()
    fused = SoftmaxCategoricalCrossentropy()

    def best(fn) -> tuple[float, np.ndarray]:
        times, result = [], None
        for _ in range(repeats):
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
        return min(times) * 1e6, np.array(result, copy=True)

    loop_us, by_loop = best(lambda: softmax_backward_jacobian_loop(probs, dloss))
    vec_us, _ = best(lambda: softmax.backward(dloss))
    fused_us, by_fused = best(lambda: fused.backward(probs, y))
    return PathTimings(
        len(logits), loop_us, vec_us, fused_us, float(np.max(np.abs(by_loop - by_fused)))
    )


# --- 3. One sample through the whole network ------------------------------------------


@dataclass(frozen=True)
class LayerTrace:
    """What one layer sees of one sample on the way back."""

    name: str
    kind: str  # "Dense", "ReLU", "Softmax+loss", ...
    dvalues: np.ndarray  # shape (n_out,): the gradient arriving from above
    dinputs: np.ndarray  # shape (n_in,): the gradient sent on (to the inputs, for Dense 1)
    mask: np.ndarray | None = None  # ReLU: which units passed the gradient
    dweights: np.ndarray | None = None  # Dense: this sample's contribution, shape (n_in, n_out)
    dbiases: np.ndarray | None = None  # Dense: shape (n_out,)


def sample_trace(network: Network, X: np.ndarray, y: np.ndarray, index: int) -> list[LayerTrace]:
    """Backpropagate sample ``index`` of the batch ``X, y`` alone, layer by layer, top first.

    The gradients are scaled as in the full batch (the loss is a mean over ``len(X)``
    samples), so the traces of all samples add up to the network's full-batch
    ``dweights`` and ``dbiases`` (regularization aside). Dropout is off (inference mode).
    """
    X = np.asarray(X, dtype=network.dtype)
    n = len(X)
    if not 0 <= index < n:
        raise ValueError(f"sample index must be in 0..{n - 1}, got {index}")
    x = X[index : index + 1]
    target = np.asarray(y)[index : index + 1]
    output = network.forward(x, training=False)
    if network.fused_loss is not None:
        dvalues = network.fused_loss.backward(output, target) / n
        layers = network.layers[:-1]
        traces = [
            LayerTrace(
                "Softmax + cross-entropy", "Softmax+loss", output[0].copy(), dvalues[0].copy()
            )
        ]
    else:
        dvalues = network.loss.backward(output, target) / n
        layers = network.layers
        traces = []
    dense_index = {id(d): i for i, d in enumerate(network.dense_layers)}
    # The trace ends at the first Dense layer: nothing before it (input features) learns.
    layers = layers[layers.index(network.dense_layers[0]) :]
    for layer in reversed(layers):
        arriving = np.array(dvalues[0], copy=True)
        if isinstance(layer, Dense):
            i = dense_index[id(layer)]
            dweights = layer.inputs.T @ dvalues
            dinputs = dvalues @ layer.weights.T
            traces.append(
                LayerTrace(
                    dense_name(i, layer),
                    "Dense",
                    arriving,
                    dinputs[0].copy(),
                    dweights=dweights,
                    dbiases=dvalues[0].copy(),
                )
            )
            dvalues = dinputs
        elif isinstance(layer, Dropout):
            continue  # inference: dropout passes the gradient through unchanged
        else:
            dvalues = np.array(layer.backward(dvalues), copy=True)
            mask = layer.mask[0].copy() if isinstance(layer, ReLU) else None
            traces.append(
                LayerTrace(
                    type(layer).__name__, type(layer).__name__, arriving, dvalues[0].copy(), mask
                )
            )
    return traces


# --- 4. Neuron views --------------------------------------------------------------------


def hidden_activations(network: Network, X: np.ndarray) -> list[np.ndarray]:
    """Each hidden layer's activation output for the inputs ``X`` (inference mode).

    Returns one array per hidden Dense layer, shape (n_samples, n_neurons): what each neuron
    "sees" of the input plane when ``X`` is a grid of points.
    """
    X = np.asarray(X, dtype=network.dtype)
    hidden = network.dense_layers[:-1]
    results: list[np.ndarray] = []
    out = X
    waiting = None  # the Dense whose activation comes next
    for layer in network.layers:
        out = layer.forward(out, training=False)
        if isinstance(layer, Dense):
            waiting = layer if any(layer is h for h in hidden) else None
        elif waiting is not None and not isinstance(layer, Dropout):
            results.append(np.array(out, copy=True))
            waiting = None
        if len(results) == len(hidden):
            break
    return results


def dead_units(network: Network, X: np.ndarray) -> list[np.ndarray]:
    """Per hidden layer, a boolean array (n_neurons,): True where a ReLU unit outputs 0 for
    every sample of ``X`` (it gets no gradient, so it cannot learn back)."""
    masks = []
    relu_layers = {
        id(network.layers[j - 1]): isinstance(layer, ReLU)
        for j, layer in enumerate(network.layers)
        if j > 0
    }
    for dense, acts in zip(network.dense_layers[:-1], hidden_activations(network, X), strict=True):
        is_relu = relu_layers.get(id(dense), False)
        masks.append(np.all(acts <= 0, axis=0) if is_relu else np.zeros(acts.shape[1], bool))
    return masks
