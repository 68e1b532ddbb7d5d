"""Held-out wrong answers for notebooks/05-linear-models.ipynb (format: tests/mutants/README.md)."""
from catalogue import Wrong

NOTEBOOK = "05-linear-models"

WRONG = [
    Wrong("ho-logistic-loss-penalty-not-squared", cell="logistic-loss",
          mistake="penalty reg/2 * sum(w) instead of reg/2 * sum(w * w) (the square is missing)",
          hint="square",
          answer='''
def logistic_loss(params, X, y, reg=0.0):
    w, b = params["w"], params["b"]
    s = X @ w + b
    return np.mean(softplus(s) - y * s) + 0.5 * reg * np.sum(w)
'''),
    Wrong("ho-logistic-gradient-score-without-bias", cell="logistic-gradient",
          mistake="ds computed from sigmoid(X @ w): the bias is left out of the score",
          hint="X @ w + b",
          answer='''
def logistic_gradient(params, X, y, reg=0.0):
    w, b = params["w"], params["b"]
    ds = (sigmoid(X @ w) - y) / len(y)
    return {"w": X.T @ ds + reg * w, "b": np.sum(ds)}
'''),
    Wrong("ho-hinge-np-max", cell="hinge-loss",
          mistake="np.max(0, 1 - margins) where the elementwise np.maximum is meant",
          hint="np.maximum",
          answer='''
def hinge_loss(params, X, y, reg=0.0):
    w, b = params["w"], params["b"]
    margins = y * (X @ w + b)
    return np.mean(np.max(0, 1 - margins)) + 0.5 * reg * np.sum(w * w)
'''),
    Wrong("ho-softmax-loss-global-max", cell="softmax-loss",
          mistake="subtracts the global np.max(scores) instead of each row's max: rows far below it underflow",
          hint="each row",
          answer='''
def softmax_loss(params, X, y, reg=0.0):
    W, b = params["W"], params["b"]
    scores = X @ W + b
    shifted = scores - np.max(scores)
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(len(y)), y]) + 0.5 * reg * np.sum(W * W)
'''),
    Wrong("ho-optimal-input-gradient-at-x0", cell="optimal-input",
          mistake="x = x + lr * grad_f(x0): every step uses the gradient at the starting point",
          hint="grad_f(x)",
          answer='''
def optimal_input(grad_f, x0, lr=0.1, steps=100):
    x = np.array(x0, dtype=float)
    for _ in range(steps):
        x = x + lr * grad_f(x0)
    return x
'''),
]
