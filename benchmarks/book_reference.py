"""The book's code as written: the yardstick our engine is measured against.

These classes are *Neural Networks from Scratch in Python*'s chapter 9-10 code, kept as
the book prints it (names, comments, copies, the per-sample Jacobian loop in
``Activation_Softmax.backward`` and Adam's state stored on the layers with ``hasattr``).
Only one thing is added: ``Layer_Dense`` may be given its starting weights, so that the
book's network and ours start from the same numbers and do the same work.

``BookRun`` is the chapter 10 training loop body, one epoch per call, either with the
fused ``Activation_Softmax_Loss_CategoricalCrossentropy`` (``fused=True``, the book's
final code) or with a separate ``Activation_Softmax`` and ``Loss_CategoricalCrossentropy``
backpropagated through the softmax Jacobian (``fused=False``).
"""

from __future__ import annotations

import numpy as np


# Dense layer
class Layer_Dense:
    # Layer initialization
    def __init__(self, n_inputs, n_neurons, weights=None, biases=None):
        # Initialize weights and biases
        self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)  # noqa: NPY002 (the book's)
        self.biases = np.zeros((1, n_neurons))
        # Added for the benchmark: start from given numbers (copied, float64 as the book)
        if weights is not None:
            self.weights = np.array(weights, dtype=np.float64)
        if biases is not None:
            self.biases = np.array(biases, dtype=np.float64).reshape(1, n_neurons)

    # Forward pass
    def forward(self, inputs):
        # Remember input values
        self.inputs = inputs
        # Calculate output values from inputs, weights and biases
        self.output = np.dot(inputs, self.weights) + self.biases

    # Backward pass
    def backward(self, dvalues):
        # Gradients on parameters
        self.dweights = np.dot(self.inputs.T, dvalues)
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
        # Gradient on values
        self.dinputs = np.dot(dvalues, self.weights.T)


# ReLU activation
class Activation_ReLU:
    # Forward pass
    def forward(self, inputs):
        # Remember input values
        self.inputs = inputs
        # Calculate output values from inputs
        self.output = np.maximum(0, inputs)

    # Backward pass
    def backward(self, dvalues):
        # Since we need to modify original variable,
        # let's make a copy of values first
        self.dinputs = dvalues.copy()

        # Zero gradient where input values were negative
        self.dinputs[self.inputs <= 0] = 0


# Softmax activation
class Activation_Softmax:
    # Forward pass
    def forward(self, inputs):
        # Remember input values
        self.inputs = inputs

        # Get unnormalized probabilities
        exp_values = np.exp(inputs - np.max(inputs, axis=1, keepdims=True))
        # Normalize them for each sample
        probabilities = exp_values / np.sum(exp_values, axis=1, keepdims=True)

        self.output = probabilities

    # Backward pass
    def backward(self, dvalues):
        # Create uninitialized array
        self.dinputs = np.empty_like(dvalues)

        # Enumerate outputs and gradients
        for index, (single_output, single_dvalues) in enumerate(zip(self.output, dvalues)):  # noqa: B905
            # Flatten output array
            single_output = single_output.reshape(-1, 1)
            # Calculate Jacobian matrix of the output
            jacobian_matrix = np.diagflat(single_output) - np.dot(single_output, single_output.T)

            # Calculate sample-wise gradient
            # and add it to the array of sample gradients
            self.dinputs[index] = np.dot(jacobian_matrix, single_dvalues)


# Common loss class
class Loss:
    # Calculates the data and regularization losses
    # given model output and ground truth values
    def calculate(self, output, y):
        # Calculate sample losses
        sample_losses = self.forward(output, y)

        # Calculate mean loss
        data_loss = np.mean(sample_losses)

        # Return loss
        return data_loss


# Cross-entropy loss
class Loss_CategoricalCrossentropy(Loss):
    # Forward pass
    def forward(self, y_pred, y_true):
        # Number of samples in a batch
        samples = len(y_pred)

        # Clip data to prevent division by 0
        # Clip both sides to not drag mean towards any value
        y_pred_clipped = np.clip(y_pred, 1e-7, 1 - 1e-7)

        # Probabilities for target values -
        # only if categorical labels
        if len(y_true.shape) == 1:
            correct_confidences = y_pred_clipped[range(samples), y_true]

        # Mask values - only for one-hot encoded labels
        elif len(y_true.shape) == 2:
            correct_confidences = np.sum(y_pred_clipped * y_true, axis=1)

        # Losses
        negative_log_likelihoods = -np.log(correct_confidences)
        return negative_log_likelihoods

    # Backward pass
    def backward(self, dvalues, y_true):
        # Number of samples
        samples = len(dvalues)
        # Number of labels in every sample
        # We'll use the first sample to count them
        labels = len(dvalues[0])

        # If labels are sparse, turn them into one-hot vector
        if len(y_true.shape) == 1:
            y_true = np.eye(labels)[y_true]

        # Calculate gradient
        self.dinputs = -y_true / dvalues
        # Normalize gradient
        self.dinputs = self.dinputs / samples


# Softmax classifier - combined Softmax activation
# and cross-entropy loss for faster backward step
class Activation_Softmax_Loss_CategoricalCrossentropy:
    # Creates activation and loss function objects
    def __init__(self):
        self.activation = Activation_Softmax()
        self.loss = Loss_CategoricalCrossentropy()

    # Forward pass
    def forward(self, inputs, y_true):
        # Output layer's activation function
        self.activation.forward(inputs)
        # Set the output
        self.output = self.activation.output
        # Calculate and return loss value
        return self.loss.calculate(self.output, y_true)

    # Backward pass
    def backward(self, dvalues, y_true):
        # Number of samples
        samples = len(dvalues)

        # If labels are one-hot encoded,
        # turn them into discrete values
        if len(y_true.shape) == 2:
            y_true = np.argmax(y_true, axis=1)

        # Copy so we can safely modify
        self.dinputs = dvalues.copy()
        # Calculate gradient
        self.dinputs[range(samples), y_true] -= 1
        # Normalize gradient
        self.dinputs = self.dinputs / samples


# Adam optimizer
class Optimizer_Adam:
    # Initialize optimizer - set settings
    def __init__(self, learning_rate=0.001, decay=0.0, epsilon=1e-7, beta_1=0.9, beta_2=0.999):
        self.learning_rate = learning_rate
        self.current_learning_rate = learning_rate
        self.decay = decay
        self.iterations = 0
        self.epsilon = epsilon
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    # Call once before any parameter updates
    def pre_update_params(self):
        if self.decay:
            self.current_learning_rate = self.learning_rate * (
                1.0 / (1.0 + self.decay * self.iterations)
            )

    # Update parameters
    def update_params(self, layer):
        # If layer does not contain cache arrays,
        # create them filled with zeros
        if not hasattr(layer, "weight_cache"):
            layer.weight_momentums = np.zeros_like(layer.weights)
            layer.weight_cache = np.zeros_like(layer.weights)
            layer.bias_momentums = np.zeros_like(layer.biases)
            layer.bias_cache = np.zeros_like(layer.biases)

        # Update momentum  with current gradients
        layer.weight_momentums = (
            self.beta_1 * layer.weight_momentums + (1 - self.beta_1) * layer.dweights
        )
        layer.bias_momentums = (
            self.beta_1 * layer.bias_momentums + (1 - self.beta_1) * layer.dbiases
        )
        # Get corrected momentum
        # self.iteration is 0 at first pass
        # and we need to start with 1 here
        weight_momentums_corrected = layer.weight_momentums / (
            1 - self.beta_1 ** (self.iterations + 1)
        )
        bias_momentums_corrected = layer.bias_momentums / (1 - self.beta_1 ** (self.iterations + 1))
        # Update cache with squared current gradients
        layer.weight_cache = (
            self.beta_2 * layer.weight_cache + (1 - self.beta_2) * layer.dweights**2
        )
        layer.bias_cache = self.beta_2 * layer.bias_cache + (1 - self.beta_2) * layer.dbiases**2
        # Get corrected cache
        weight_cache_corrected = layer.weight_cache / (1 - self.beta_2 ** (self.iterations + 1))
        bias_cache_corrected = layer.bias_cache / (1 - self.beta_2 ** (self.iterations + 1))

        # Vanilla SGD parameter update + normalization
        # with square rooted cache
        layer.weights += (
            -self.current_learning_rate
            * weight_momentums_corrected
            / (np.sqrt(weight_cache_corrected) + self.epsilon)
        )
        layer.biases += (
            -self.current_learning_rate
            * bias_momentums_corrected
            / (np.sqrt(bias_cache_corrected) + self.epsilon)
        )

    # Call once after any parameter updates
    def post_update_params(self):
        self.iterations += 1


class BookRun:
    """Chapter 10's network and training loop, one epoch per ``epoch()`` call.

    ``Dense(n_in, hidden) -> ReLU -> Dense(hidden, n_out) -> softmax + cross-entropy`` and
    ``Optimizer_Adam``; the weights and biases given are copied. ``fused=False`` runs the
    softmax and the loss separately, backpropagating through the per-sample Jacobian.
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        weights1: np.ndarray,
        biases1: np.ndarray,
        weights2: np.ndarray,
        biases2: np.ndarray,
        *,
        learning_rate: float = 0.05,
        decay: float = 5e-7,
        fused: bool = True,
    ) -> None:
        self.X = np.asarray(X, dtype=np.float64)
        self.y = np.asarray(y)
        self.fused = fused
        n_inputs, hidden = np.shape(weights1)
        n_outputs = np.shape(weights2)[1]
        self.dense1 = Layer_Dense(n_inputs, hidden, weights1, biases1)
        self.activation1 = Activation_ReLU()
        self.dense2 = Layer_Dense(hidden, n_outputs, weights2, biases2)
        self.loss_activation = Activation_Softmax_Loss_CategoricalCrossentropy()
        self.activation2 = Activation_Softmax()
        self.loss_function = Loss_CategoricalCrossentropy()
        self.optimizer = Optimizer_Adam(learning_rate=learning_rate, decay=decay)

    def forward_backward(self) -> tuple[float, float]:
        """Forward, loss, accuracy and backward as chapter 10 does; returns (loss, accuracy)."""
        X, y = self.X, self.y
        dense1, activation1, dense2 = self.dense1, self.activation1, self.dense2

        # Perform a forward pass of our training data through this layer
        dense1.forward(X)
        # Perform a forward pass through activation function
        # takes the output of first dense layer here
        activation1.forward(dense1.output)
        # Perform a forward pass through second Dense layer
        # takes outputs of activation function of first layer as inputs
        dense2.forward(activation1.output)
        if self.fused:
            # Perform a forward pass through the activation/loss function
            # takes the output of second dense layer here and returns loss
            loss = self.loss_activation.forward(dense2.output, y)
            output = self.loss_activation.output
        else:
            self.activation2.forward(dense2.output)
            loss = self.loss_function.calculate(self.activation2.output, y)
            output = self.activation2.output

        # Calculate accuracy from output of activation2 and targets
        # calculate values along first axis
        predictions = np.argmax(output, axis=1)
        if len(y.shape) == 2:
            y = np.argmax(y, axis=1)
        accuracy = np.mean(predictions == y)

        # Backward pass
        if self.fused:
            self.loss_activation.backward(self.loss_activation.output, y)
            dense2.backward(self.loss_activation.dinputs)
        else:
            self.loss_function.backward(self.activation2.output, y)
            self.activation2.backward(self.loss_function.dinputs)
            dense2.backward(self.activation2.dinputs)
        activation1.backward(dense2.dinputs)
        dense1.backward(activation1.dinputs)
        return loss, accuracy

    def epoch(self) -> tuple[float, float]:
        """One training epoch: ``forward_backward`` then the optimizer step."""
        loss, accuracy = self.forward_backward()

        # Update weights and biases
        self.optimizer.pre_update_params()
        self.optimizer.update_params(self.dense1)
        self.optimizer.update_params(self.dense2)
        self.optimizer.post_update_params()
        return loss, accuracy
