"""Bug zoo entries for notebooks/05-linear-models.ipynb (format: README.md)."""

from zoo import Bug

NOTEBOOK = "05-linear-models"

BUGS = [
    Bug("logistic-loss-sum-instead-of-mean", cell="logistic-loss",
        find="return np.mean(softplus(s) - y * s)",
        replace="return np.sum(softplus(s) - y * s)",
        hint="you summed the per-example losses"),
    Bug("logistic-gradient-forgot-regularisation", cell="logistic-gradient",
        find='"w": X.T @ ds + reg * w',
        replace='"w": X.T @ ds',
        hint="you forgot the gradient of the regularisation term"),
    Bug("logistic-gradient-target-minus-prediction", cell="logistic-gradient",
        find="ds = (sigmoid(X @ w + b) - y) / len(y)",
        replace="ds = (y - sigmoid(X @ w + b)) / len(y)",
        hint="dL/ds is sigmoid(s) - y"),
    Bug("hinge-without-max", cell="hinge-loss",
        find="np.mean(np.maximum(0, 1 - margins))",
        replace="np.mean(1 - margins)",
        hint="it must never be negative"),
    Bug("softmax-loss-without-max-shift", cell="softmax-loss",
        find="shifted = scores - np.max(scores, axis=1, keepdims=True)",
        replace="shifted = scores",
        hint="without subtracting the max"),
    Bug("softmax-loss-sum-over-batch", cell="softmax-loss",
        find="return -np.mean(logp[np.arange(len(y)), y])",
        replace="return -np.sum(logp[np.arange(len(y)), y])",
        hint="you summed over the examples"),
    Bug("optimal-input-gradient-descent", cell="optimal-input",
        find="x = x + lr * grad_f(x)",
        replace="x = x - lr * grad_f(x)",
        hint="you stepped against the gradient"),
]
