"""The Help menu's texts: the shortcuts and a short "what am I looking at" per panel."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

SHORTCUTS = (
    ("Space", "Start training, or stop it (the weights are kept)"),
    ("Ctrl+E", "Step: train exactly one epoch"),
    ("Ctrl+R", "Reset: new weights from the current settings, curves cleared"),
    ("Ctrl+G", "Check gradients numerically"),
    ("Ctrl+O / Ctrl+S", "Open / save a model (.npz)"),
    ("Ctrl+Shift+O / Ctrl+Shift+S", "Open / save a run configuration (.json)"),
    ("Ctrl+1 / Ctrl+2", "Show the Training tab / the Walkthrough tab"),
    ("→ / ←", "In the walkthrough: the next / previous stage"),
    ("F1", "What am I looking at?"),
    ("Ctrl+Q", "Quit"),
    ("Click / Shift+click / Ctrl+click", "On the boundary plot: add a point of the selected "
     "class / of the next class / remove the nearest training point"),
    ("Click (Walkthrough tab)", "On the boundary plot beside the walkthrough: follow that "
     "training point through parts 2 and 3"),
    ("Hover / click a neuron", "Show its output large in the boundary plot / keep it there "
     "(click again or Esc to let go; arrow keys move between neurons)"),
    ("Wheel, drag, right-click", "On any plot: zoom, pan, menu (view all, export)"),
)  # fmt: skip

#: The gradient inspector's "What am I looking at?" text.
INSPECTOR_HELP = (
    "<b>What am I looking at?</b> Each row is one Dense layer, measured after every "
    "epoch's backward pass. "
    "<b>1. Gradient norms</b> (log scale): the size of dweights (the loss's slope with "
    "respect to each weight) and dbiases. Backpropagation multiplies dinputs layer by layer, "
    "so they shrink or grow on the way to the first layer; a collapse towards 0 means "
    "vanishing gradients. "
    "<b>2. Update / weight ratio</b> (log scale): how much one epoch changed the weights, "
    "relative to their size. About 1e-3 (dashed line) is healthy; far below, the network "
    "learns too slowly (raise the learning rate); far above, too fast (lower it). "
    "<b>3. Dead ReLUs</b>: the share of the ReLU units after the layer that output 0 for "
    "every sample. Their gradient is 0, so they never learn again; a rising curve asks for "
    "a lower learning rate. "
    "<b>4. dweights histogram</b>: how the gradient is spread over the layer's weights now. "
    "<b>Heatmaps</b> (below): the selected layer's dweights and weights, rows = inputs, "
    "columns = neurons, red positive, blue negative. <b>Distributions</b> (the tab beside "
    "them): the same layer's weights and dweights over the epochs, as TensorBoard draws "
    "them: the median and shaded bands holding 38%, 68%, 87% and all of the values. "
    "<b>Check gradients</b> compares backpropagation's dweights and dbiases with numerical "
    "slopes of the loss (central differences); a relative error below 1e-6 means the "
    "backward pass is right."
)


PANELS = (
    (
        "Controls (left)",
        "<b>Data</b>: the points to learn, the book's spiral first (File ▸ Export data saves "
        "them, clicked points included, as a CSV to train on again). <b>Network</b>: its "
        "<i>Inputs</i> (x₁ and x₂, or TensorFlow Playground's features such as x₁² and "
        "sin x₁) and the hidden layers between them and the output. <b>Optimizer</b>: how "
        "each update moves the weights. Learning rate and the other optimizer settings "
        "apply at once, even while training; data and network changes apply when you press "
        "<b>Reset</b> (a yellow banner says when some are waiting). Presets load the book's "
        "runs.",
    ),
    (
        "Decision boundary (centre)",
        "What the network predicts at every point of the plane. Each region takes the colour "
        "of its most probable class, stronger where the network is confident and fading to "
        "grey where it hesitates. Training points are filled, validation points outlined, "
        "and a red ring marks every point the network gets wrong. <i>Hard view</i> shows "
        "only the winning class; <i>Validation points</i> hides or shows the held-out "
        "ones. For the sine (regression) the line is the network's fit.",
    ),
    (
        "Loss and accuracy (below)",
        "The loss is what backpropagation minimises: training (blue, data loss plus "
        "regularization) and validation (orange, on points never trained on). A validation "
        "curve that rises while training keeps falling means overfitting. Tick <i>Log "
        "scale</i> to see the late, slow progress; move <i>smooth</i> (as TensorBoard's "
        "smoothing) to see the trend through noisy mini-batch curves.",
    ),
    (
        "Gradient inspector (right)",
        "One row per Dense layer, live. <b>dweights / dbiases norms</b>: how strong the "
        "gradient reaching the layer is (tiny: vanishing, huge: exploding). <b>Update / "
        "weight ratio</b>: how much one epoch changes the weights, healthy near the 1e-3 "
        "line. <b>Dead ReLU</b>: units that output 0 for every sample and so never learn. "
        "<b>Histogram</b> of dweights now, and the selected layer's dweights beside its "
        "weights as heatmaps (blue negative, red positive). <b>Check gradients</b> compares "
        "backpropagation's gradients with numerical ones, (L(w+ε) − L(w−ε)) / 2ε; green "
        "means they agree to better than 1e-6.",
    ),
    (
        "Neurons (right, below the inspector)",
        "One thumbnail per hidden neuron: its output at every point of the input plane, "
        "white where it is 0, red where positive, blue where negative (as in TensorFlow "
        "Playground). The boundary is built from these pieces: the output layer weighs and "
        "adds them. Hover a thumbnail to see that neuron large in the boundary plot, click "
        "to keep it. A thumbnail framed in red and marked 'dead' is a <b>dead ReLU</b>: it "
        "outputs 0 for every training point, so no gradient reaches its weights and it never "
        "learns again.",
    ),
    (
        "Hidden space (tab beside Neurons)",
        "The plane as one hidden layer sees it (ConvNetJS's transformed view): each "
        "training point placed by two of that layer's neurons, and the straight lines of a "
        "grid over the input plane mapped the same way. As the network learns, the lines "
        "bend and fold and the classes come apart, until the next layers can separate them "
        "with straight cuts. A hidden layer of two neurons shows its whole space; <b>Next "
        "pair</b> steps through a wider one.",
    ),
    (
        "Network graph (tab beside Neurons)",
        "The network as TensorFlow Playground draws it: the inputs, then each layer's "
        "neurons in a column, and one line per weight, red for positive and blue for "
        "negative, thicker and darker the larger it is. Watch which connections training "
        "strengthens and which it lets fade.",
    ),
    (
        "Walkthrough (tab above the plots)",
        "Backpropagation step by step, with <b>Next</b> / <b>Back</b> (or → / ←). "
        "<b>One neuron</b>: the chapter's ReLU neuron, forward then backward, each value and "
        "gradient on its edge; Update takes one gradient step (6.0 → 5.985). <b>Softmax + "
        "cross-entropy</b>: one sample's gradient through the full Jacobian and through the "
        "shortcut (s − onehot) / n, equal to the last digit, and the time each road takes. "
        "<b>One sample through the network</b>: that sample's gradient layer by layer, from "
        "the loss down to the inputs, with its share of each dweights. Click a training "
        "point on the plot beside it to choose the sample; Start or Step to watch it change.",
    ),
    (
        "Status bar (bottom)",
        "Epoch, training loss and accuracy, the current (decayed) learning rate and the "
        "training speed in epochs per second.",
    ),
)


def shortcuts_html() -> str:
    rows = "".join(f"<tr><td><b>{key}</b></td><td>{what}</td></tr>" for key, what in SHORTCUTS)
    return f"<h3>Keyboard and mouse</h3><table cellspacing='6'>{rows}</table>"


def panels_html() -> str:
    parts = [f"<h3>{title}</h3><p>{text}</p>" for title, text in PANELS]
    return "<h2>What am I looking at?</h2>" + "".join(parts)


ABOUT_HTML = (
    "<h3>Backprop Lab</h3><p>A neural network written from scratch in numpy, in the "
    "vocabulary of <i>Neural Networks from Scratch in Python</i>, learning by "
    "backpropagation while you watch its boundary, its curves and its gradients.</p>"
)


class HelpDialog(QDialog):
    """A non-modal window showing one help text."""

    def __init__(self, title: str, html: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("help_dialog")
        self.setWindowTitle(title)
        self.resize(620, 560)
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setObjectName("help_browser")
        self.browser.setHtml(html)
        self.browser.setOpenExternalLinks(True)
        layout.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
