"""What each stage of the one-neuron walkthrough shows: which edges carry which numbers,
the stage's equation, and a sentence in the chapter's vocabulary. Pure formatting of a
``model.walkthrough.NeuronPass``; no math happens here."""

from __future__ import annotations

from dataclasses import dataclass

from gui.walkthrough_common import fmt, fmt_factor, fmt_vector
from model.walkthrough import NeuronPass

#: The stages, in order: four forward, four backward.
STAGE_TITLES = (
    "The neuron's inputs",
    "Forward: multiply each input by its weight",
    "Forward: sum the weighted inputs and the bias",
    "Forward: ReLU activation",
    "Backward: start from dvalue",
    "Backward: through ReLU",
    "Backward: through the sum",
    "Backward: through the multiplications",
)
N_STAGES = len(STAGE_TITLES)
FIRST_BACKWARD = 4

#: The stage at which each edge's forward value, then its gradient, first appears.
VALUE_STAGE = {
    **{name: 0 for name in ("x0", "x1", "x2", "w0", "w1", "w2", "b")},
    "xw0": 1,
    "xw1": 1,
    "xw2": 1,
    "z": 2,
    "y": 3,
}
GRADIENT_STAGE = {
    "y": 4,
    "z": 5,
    "xw0": 6,
    "xw1": 6,
    "xw2": 6,
    "b": 6,
    **{name: 7 for name in ("x0", "x1", "x2", "w0", "w1", "w2")},
}


@dataclass(frozen=True)
class EdgeLabels:
    value: str
    gradient: str
    #: "forward" / "backward" when the edge is part of the current stage, else None.
    active: str | None


def edge_labels(p: NeuronPass, stage: int) -> dict[str, EdgeLabels]:
    """Every edge's labels at ``stage``: a value or gradient shows from its stage on."""
    values = {"b": p.b, "z": p.z, "y": p.y}
    gradients = {"y": p.dvalue, "z": p.dz, "b": p.db}
    grad_names = {"y": "dvalue", "z": "dz", "b": "db"}
    for i in range(3):
        values.update({f"x{i}": p.x[i], f"w{i}": p.w[i], f"xw{i}": p.xw[i]})
        gradients.update({f"x{i}": p.dx[i], f"w{i}": p.dw[i], f"xw{i}": p.dz})
        grad_names.update({f"x{i}": f"dx{i}", f"w{i}": f"dw{i}", f"xw{i}": f"dxw{i}"})
    labels = {}
    for name, value in values.items():
        shown_value = stage >= VALUE_STAGE[name]
        shown_grad = stage >= GRADIENT_STAGE[name]
        if stage == GRADIENT_STAGE[name]:
            active = "backward"
        elif stage == VALUE_STAGE[name]:
            active = "forward"
        else:
            active = None
        labels[name] = EdgeLabels(
            f"{name} = {fmt(value)}" if shown_value else "",
            f"{grad_names[name]} = {fmt(gradients[name])}" if shown_grad else "",
            active,
        )
    return labels


def relu_note(p: NeuronPass, stage: int) -> str:
    """ReLU's derivative, written under its node from the backward stage through ReLU on."""
    if stage < 5:
        return ""
    return f"ReLU'(z) = {fmt(p.drelu)}" + ("" if p.drelu else ": gradient stops")


def sum_note(stage: int) -> str:
    return "∂sum/∂each = 1" if stage >= 6 else ""


def equation(p: NeuronPass, stage: int) -> str:
    """The stage's arithmetic with the current numbers, one relation per line."""
    if stage == 0:
        return f"x = {fmt_vector(p.x)}\nw = {fmt_vector(p.w)}\nb = {fmt(p.b)}"
    if stage == 1:
        return "\n".join(
            f"xw{i} = x{i}·w{i} = {fmt_factor(p.x[i])}·{fmt_factor(p.w[i])} = {fmt(p.xw[i])}"
            for i in range(3)
        )
    if stage == 2:
        terms = " + ".join(fmt_factor(v) for v in (*p.xw, p.b))
        return f"z = xw0 + xw1 + xw2 + b\n  = {terms}\n  = {fmt(p.z)}"
    if stage == 3:
        return f"y = ReLU(z) = max(z, 0)\n  = max({fmt(p.z)}, 0) = {fmt(p.y)}"
    if stage == 4:
        return f"dvalue = {fmt(p.dvalue)}"
    if stage == 5:
        sign = ">" if p.z > 0 else "≤"
        return (
            f"z = {fmt(p.z)} {sign} 0\n"
            f"ReLU'(z) = 1 if z > 0 else 0 = {fmt(p.drelu)}\n"
            f"dz = dvalue·ReLU'(z) = {fmt_factor(p.dvalue)}·{fmt_factor(p.drelu)} = {fmt(p.dz)}"
        )
    if stage == 6:
        lines = [
            f"dxw{i} = dz · ∂sum/∂xw{i} = {fmt_factor(p.dz)}·1 = {fmt(p.dz)}" for i in range(3)
        ]
        lines.append(f"db   = dz · ∂sum/∂b   = {fmt_factor(p.dz)}·1 = {fmt(p.db)}")
        return "\n".join(lines)
    lines = [
        f"dx{i} = dxw{i}·w{i} = {fmt_factor(p.dz)}·{fmt_factor(p.w[i])} = {fmt(p.dx[i])}"
        for i in range(3)
    ]
    lines += [
        f"dw{i} = dxw{i}·x{i} = {fmt_factor(p.dz)}·{fmt_factor(p.x[i])} = {fmt(p.dw[i])}"
        for i in range(3)
    ]
    lines += [f"dx = {fmt_vector(p.dx)}", f"dw = {fmt_vector(p.dw)}", f"db = {fmt(p.db)}"]
    return "\n".join(lines)


def sentence(p: NeuronPass, stage: int) -> str:
    """One sentence (or two) that explains the stage in the book's words."""
    alive = p.z > 0
    dead_tail = (
        " ReLU stopped the gradient, so this is 0 too: the neuron learns nothing from this sample."
    )
    if stage == 0:
        return (
            "One neuron with three inputs x, three weights w and a bias b, as in the "
            "chapter. Press Next (or the → key) to run the forward pass one operation at a time."
        )
    if stage == 1:
        return (
            "The forward pass starts by multiplying each input by its weight. The weighted "
            "inputs xw0, xw1, xw2 travel along the edges into the sum."
        )
    if stage == 2:
        return (
            "The sum adds the weighted inputs and the bias. z is the neuron's output before "
            "the activation function."
        )
    if stage == 3:
        if alive:
            return (
                "ReLU lets a positive z through unchanged, so y = z. The forward pass is done; "
                "backpropagation now walks the same graph backwards."
            )
        return (
            "ReLU clips a z that is not positive to 0, so y = 0. The forward pass is done; "
            "watch what this does to the backward pass."
        )
    if stage == 4:
        return (
            "The backward pass starts from dvalue, the gradient of the loss with respect to "
            "this neuron's output, which the next layer sends back. As in the chapter, it is 1."
        )
    if stage == 5:
        if alive:
            return (
                f"Chain rule: multiply dvalue by ReLU's derivative at z. Since z = {fmt(p.z)} "
                "> 0 the derivative is 1, so the gradient passes through unchanged."
            )
        return (
            f"z = {fmt(p.z)} is not positive, so ReLU's derivative is 0 and dz = dvalue · 0 "
            "= 0. ReLU kills the gradient here: every gradient upstream (dxw, db, dx, dw) "
            "will be 0, and this sample cannot change the neuron's weights."
        )
    if stage == 6:
        text = (
            "The partial derivative of a sum with respect to each of its inputs is 1, so the "
            "sum passes dz on unchanged to every weighted input and to the bias: db = dz."
        )
        return text + (dead_tail if not alive else "")
    text = (
        "The partial derivative of x·w with respect to x is w, and with respect to w is x: "
        "each multiplication sends back dz times the other factor, so dx = w and dw = x here. "
        "dw and db are the gradients the optimizer applies; press Update to take one step."
    )
    if not alive:
        text = (
            "Each multiplication sends back dz times the other factor, but dz = 0: dx, dw and "
            "db are all 0, and Update would change nothing. This is a dead ReLU for this input."
        )
    return text


def update_summary(
    before: NeuronPass, after: NeuronPass, learning_rate: float, steps_done: int
) -> str:
    """What one Update did: the SGD rule with the numbers, and the new output."""
    return (
        f"<b>Update {steps_done}</b> (lr = {fmt(learning_rate)}):<br>"
        f"w = w − lr·dw = {fmt_vector(after.w)}<br>"
        f"b = b − lr·db = {fmt(after.b)}<br>"
        f"Forward again: <b>y = {fmt(after.y)}</b> (was {fmt(before.y)})"
    )
