"""Bug zoo entries for notebooks/06-layers.ipynb (format: README.md)."""

from zoo import Bug

NOTEBOOK = "06-layers"

BUGS = [
    Bug("xavier-variance-used-as-std", cell="xavier-init",
        find="std = np.sqrt(2.0 / (n_in + n_out))",
        replace="std = 2.0 / (n_in + n_out)",
        hint="take np.sqrt"),
    Bug("dense-dW-missing-transpose", cell="dense",
        find='self.grads["W"] = self.x.T @ grad_output',
        replace='self.grads["W"] = grad_output.T @ self.x',
        hint="missing a transpose"),
    Bug("dense-bias-gradient-not-summed", cell="dense",
        find='self.grads["b"] = grad_output.sum(axis=0)',
        replace='self.grads["b"] = grad_output',
        hint="sum the bias gradient over the batch axis"),
    Bug("relu-mask-from-grad-output", cell="relu",
        find="return grad_output * self.mask",
        replace="return grad_output * (grad_output > 0)",
        hint="mask must come from the layer's input"),
    # The derivative written with the pre-activation x: y(1-y) evaluated at x instead of y.
    Bug("sigmoid-derivative-with-pre-activation", cell="sigmoid", regex=True,
        find=r"(?s)(self\.y = np\.exp\(-np\.logaddexp\(0\.0, -x\)\))(.*)return grad_output \* self\.y \* \(1 - self\.y\)",
        replace=r"self.x = x\n        \1\2return grad_output * self.x * (1 - self.x)",
        hint="you used the pre-activation x"),
    Bug("tanh-derivative-not-squared", cell="tanh",
        find="return grad_output * (1 - self.y ** 2)",
        replace="return grad_output * (1 - self.y)",
        hint="not 1 - tanh(x)"),
    Bug("softmax-ce-without-max-shift", cell="softmax-ce",
        find="shifted = logits - logits.max(axis=1, keepdims=True)",
        replace="shifted = logits",
        hint="without the max shift"),
    Bug("softmax-ce-gradient-not-divided-by-n", cell="softmax-ce",
        find="return float(loss), dlogits / n",
        replace="return float(loss), dlogits",
        hint="mean vs sum"),
]
