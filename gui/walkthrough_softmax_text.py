"""What each stage of the softmax part says: the equation and a sentence, with the sample's
numbers. Pure formatting of a ``model.walkthrough.SoftmaxTwoWays``."""

from __future__ import annotations

from model.walkthrough import SoftmaxTwoWays

STAGE_TITLES = (
    "Softmax outputs",
    "The Jacobian of softmax",
    "The loss gradient dL/ds",
    "Chain rule: Jacobian @ dL/ds",
    "The shortcut (s − onehot) / n",
)


def digits17(value: float) -> str:
    """17 significant digits: enough to tell any two different float64 numbers apart."""
    return "0" if value == 0 else f"{value:.17g}"


def stage_text(r: SoftmaxTwoWays | None, stage: int, n: int) -> tuple[str, str]:
    """(equation, sentence) of a stage, with this sample's numbers."""
    if r is None:
        return "", "Select a sample (a point on the boundary plot) to fill this part."
    c = r.label
    if stage == 0:
        return (
            "s_i = exp(z_i) / Σ_j exp(z_j)",
            f"Softmax turns the sample's logits z into probabilities that sum to 1. "
            f"The correct class (★) gets s = {r.probs[c]:.4f}.",
        )
    if stage == 1:
        return (
            "J[i,j] = ∂s_i/∂z_j\n       = s_i·(δ_ij − s_j)",
            "Every softmax output depends on every logit, so its derivative is a k×k "
            "matrix: s_i(1 − s_i) on the diagonal, −s_i·s_j off it. Each row sums to 0.",
        )
    if stage == 2:
        return (
            f"dL/ds_i = −onehot_i / (s_i·n)\ndL/ds_{c} = −1 / ({r.probs[c]:.4f}·{n})\n"
            f"        = {r.dloss[c]:.6g}",
            "Cross-entropy's backward: only the correct class's output gets a gradient. "
            f"It is divided by n = {n}, because the loss is the mean over the batch.",
        )
    if stage == 3:
        return (
            "dL/dz = J @ dL/ds",
            "The chain rule through softmax, as the chapter's Activation_Softmax.backward "
            "does it: one k×k Jacobian per sample, times that sample's dvalues.",
        )
    return (
        f"dL/dz = (s − onehot) / n\nmax |difference| = {r.max_difference:.1e}",
        "The combined softmax + cross-entropy backward: the product collapses to "
        "s − onehot, divided by n. The same numbers, down to float64 rounding, without ever "
        "building the Jacobian, which is why the book fuses the two.",
    )
