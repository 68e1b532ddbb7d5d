"""Wrong answers for notebooks/05-linear-models.ipynb (format: tests/mutants/README.md)."""
from catalogue import Wrong

NOTEBOOK = "05-linear-models"


def _one(text: str, old: str, new: str) -> str:
    """``text`` with the single occurrence of ``old`` replaced (a long answer cell, one mistake)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


# The Newton step as the student completes it correctly (each entry below changes one thing).
_NEWTON = '''
def newton_step(params, X, y, reg):
    theta = np.append(params["w"], params["b"])

    def f(t):
        return logistic_loss({"w": t[:-1], "b": t[-1]}, X, y, reg)

    g = course.grad(f)(theta)
    H = np.stack([course.hvp(f)(theta, e) for e in np.eye(len(theta))], axis=1)
    theta = theta - np.linalg.solve(H, g)
    return {"w": theta[:-1], "b": theta[-1]}
'''


WRONG = [
    # --- converted from tests/bugzoo/nb05.py -------------------------------------------------
    Wrong("logistic-loss-sum-instead-of-mean", cell="logistic-loss",
          mistake="sums the per-example losses instead of averaging them",
          hint="you summed the per-example losses",
          answer='''
def logistic_loss(params, X, y, reg=0.0):
    w, b = params["w"], params["b"]
    s = X @ w + b
    return np.sum(softplus(s) - y * s) + 0.5 * reg * np.sum(w * w)
'''),
    Wrong("logistic-gradient-forgot-regularisation", cell="logistic-gradient",
          mistake="dL/dw without the reg * w term",
          hint="you forgot the gradient of the regularisation term",
          answer='''
def logistic_gradient(params, X, y, reg=0.0):
    w, b = params["w"], params["b"]
    ds = (sigmoid(X @ w + b) - y) / len(y)
    return {"w": X.T @ ds, "b": np.sum(ds)}
'''),
    Wrong("logistic-gradient-target-minus-prediction", cell="logistic-gradient",
          mistake="dL/ds = y - sigmoid(s) (target minus prediction)",
          hint="dL/ds is sigmoid(s) - y",
          answer='''
def logistic_gradient(params, X, y, reg=0.0):
    w, b = params["w"], params["b"]
    ds = (y - sigmoid(X @ w + b)) / len(y)
    return {"w": X.T @ ds + reg * w, "b": np.sum(ds)}
'''),
    Wrong("hinge-without-max", cell="hinge-loss",
          mistake="hinge as 1 - margin without the max with 0",
          hint="it must never be negative",
          answer='''
def hinge_loss(params, X, y, reg=0.0):
    w, b = params["w"], params["b"]
    margins = y * (X @ w + b)
    return np.mean(1 - margins) + 0.5 * reg * np.sum(w * w)
'''),
    Wrong("softmax-loss-without-max-shift", cell="softmax-loss",
          mistake="log-softmax without subtracting the row max (overflows for large scores)",
          hint="without subtracting the max",
          answer='''
def softmax_loss(params, X, y, reg=0.0):
    W, b = params["W"], params["b"]
    scores = X @ W + b
    shifted = scores
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(len(y)), y]) + 0.5 * reg * np.sum(W * W)
'''),
    Wrong("softmax-loss-sum-over-batch", cell="softmax-loss",
          mistake="sums -log p over the examples instead of averaging",
          hint="you summed over the examples",
          answer='''
def softmax_loss(params, X, y, reg=0.0):
    W, b = params["W"], params["b"]
    scores = X @ W + b
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(logp[np.arange(len(y)), y]) + 0.5 * reg * np.sum(W * W)
'''),
    Wrong("optimal-input-gradient-descent", cell="optimal-input",
          mistake="gradient descent (x - lr * grad) where ascent is asked",
          hint="you stepped against the gradient",
          answer='''
def optimal_input(grad_f, x0, lr=0.1, steps=100):
    x = np.array(x0, dtype=float)
    for _ in range(steps):
        x = x - lr * grad_f(x)
    return x
'''),
    # --- new ------------------------------------------------------------------------------------
    Wrong("logistic-loss-naive-softplus", cell="logistic-loss",
          mistake="np.log(1 + np.exp(s)) instead of softplus: overflows to inf for scores of 800",
          hint="numerically stable",
          answer='''
def logistic_loss(params, X, y, reg=0.0):
    w, b = params["w"], params["b"]
    s = X @ w + b
    return np.mean(np.log(1 + np.exp(s)) - y * s) + 0.5 * reg * np.sum(w * w)
'''),
    Wrong("logistic-loss-regularises-bias", cell="logistic-loss",
          mistake="the penalty includes the bias: reg/2 * (||w||^2 + b^2)",
          hint="bias",
          answer='''
def logistic_loss(params, X, y, reg=0.0):
    w, b = params["w"], params["b"]
    s = X @ w + b
    return np.mean(softplus(s) - y * s) + 0.5 * reg * (np.sum(w * w) + b * b)
'''),
    Wrong("logistic-loss-cross-entropy-of-labels", cell="logistic-loss",
          mistake="-mean(y log p + (1 - y) log(1 - p)) with log of the sigmoid: log(0) = -inf for scores of 800",
          hint="numerically stable",
          answer='''
def logistic_loss(params, X, y, reg=0.0):
    w, b = params["w"], params["b"]
    s = X @ w + b
    p = sigmoid(s)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)) + 0.5 * reg * np.sum(w * w)
'''),
    Wrong("logistic-gradient-bias-mean-of-mean", cell="logistic-gradient",
          mistake="ds is already divided by N, then the bias gradient takes np.mean(ds): divided by N twice",
          hint="batch size",
          answer='''
def logistic_gradient(params, X, y, reg=0.0):
    w, b = params["w"], params["b"]
    ds = (sigmoid(X @ w + b) - y) / len(y)
    return {"w": X.T @ ds + reg * w, "b": np.mean(ds)}
'''),
    Wrong("logistic-gradient-missing-transpose", cell="logistic-gradient",
          mistake="X @ ds instead of X.T @ ds (a shape error)",
          hint="transpose",
          answer='''
def logistic_gradient(params, X, y, reg=0.0):
    w, b = params["w"], params["b"]
    ds = (sigmoid(X @ w + b) - y) / len(y)
    return {"w": X @ ds + reg * w, "b": np.sum(ds)}
'''),
    Wrong("hinge-sign-flip", cell="hinge-loss",
          mistake="max(0, 1 + y * s): the margin enters with the wrong sign",
          hint="sign",
          answer='''
def hinge_loss(params, X, y, reg=0.0):
    w, b = params["w"], params["b"]
    margins = y * (X @ w + b)
    return np.mean(np.maximum(0, 1 + margins)) + 0.5 * reg * np.sum(w * w)
'''),
    Wrong("hinge-forgets-labels", cell="hinge-loss",
          mistake="the margin is the score s_i, not y_i * s_i",
          hint="y_i * s_i",
          answer='''
def hinge_loss(params, X, y, reg=0.0):
    w, b = params["w"], params["b"]
    margins = X @ w + b
    return np.mean(np.maximum(0, 1 - margins)) + 0.5 * reg * np.sum(w * w)
'''),
    Wrong("softmax-loss-over-batch-axis", cell="softmax-loss",
          mistake="softmax normalised over the batch axis (axis=0) instead of the classes (axis=1)",
          hint="axis=1",
          answer='''
def softmax_loss(params, X, y, reg=0.0):
    W, b = params["W"], params["b"]
    scores = X @ W + b
    shifted = scores - np.max(scores, axis=0, keepdims=True)
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))
    return -np.mean(logp[np.arange(len(y)), y]) + 0.5 * reg * np.sum(W * W)
'''),
    Wrong("softmax-loss-indexes-all-labels", cell="softmax-loss",
          mistake="logp[:, y] picks an N x N block (every example at every label) instead of logp[i, y_i]",
          hint="np.arange",
          answer='''
def softmax_loss(params, X, y, reg=0.0):
    W, b = params["W"], params["b"]
    scores = X @ W + b
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(logp[:, y]) + 0.5 * reg * np.sum(W * W)
'''),
    Wrong("softmax-loss-without-keepdims", cell="softmax-loss",
          mistake="the row max without keepdims=True: (N,) broadcast against (N, K) along the wrong axis",
          hint="keepdims",
          answer='''
def softmax_loss(params, X, y, reg=0.0):
    W, b = params["W"], params["b"]
    scores = X @ W + b
    shifted = scores - np.max(scores, axis=1)
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(len(y)), y]) + 0.5 * reg * np.sum(W * W)
'''),
    Wrong("optimal-input-updates-x0-in-place", cell="optimal-input",
          mistake="x = np.asarray(x0) then x += ...: updates the caller's x0 in place",
          hint="changed its input",
          answer='''
def optimal_input(grad_f, x0, lr=0.1, steps=100):
    x = np.asarray(x0, dtype=float)
    for _ in range(steps):
        x += lr * grad_f(x)
    return x
'''),
    Wrong("optimal-input-one-step-short", cell="optimal-input",
          mistake="range(steps - 1): one ascent step too few (off by one)",
          hint="steps",
          answer='''
def optimal_input(grad_f, x0, lr=0.1, steps=100):
    x = np.array(x0, dtype=float)
    for _ in range(steps - 1):
        x = x + lr * grad_f(x)
    return x
'''),
    Wrong("newton-gradient-step", cell="newton-step",
          mistake="takes theta - g (a gradient step) instead of solving H d = g",
          hint="gradient step",
          answer=_one(_NEWTON, "theta = theta - np.linalg.solve(H, g)", "theta = theta - g")),
    Wrong("newton-multiplies-by-H", cell="newton-step",
          mistake="theta - H @ g instead of theta - solve(H, g)",
          hint="you multiplied",
          answer=_one(_NEWTON, "theta = theta - np.linalg.solve(H, g)", "theta = theta - H @ g")),
    Wrong("newton-wrong-sign", cell="newton-step",
          mistake="theta + solve(H, g): a step up the quadratic model",
          hint="against the gradient",
          answer=_one(_NEWTON, "theta = theta - np.linalg.solve(H, g)", "theta = theta + np.linalg.solve(H, g)")),
]
