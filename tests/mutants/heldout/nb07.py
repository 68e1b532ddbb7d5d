"""Held-out wrong answers for notebooks/07-two-layer-network.ipynb (format: tests/mutants/README.md)."""
from catalogue import Wrong

NOTEBOOK = "07-two-layer-network"


def _one(text: str, old: str, new: str) -> str:
    """``text`` with the single occurrence of ``old`` replaced (a long answer cell, one mistake)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


# The backprop cell as the student completes it correctly; each entry changes one thing.
_BACKPROP = '''
def two_layer_loss_and_grads(params, X, y, reg=0.0):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = X.shape[0]
    Z = X @ W1 + b1
    h = np.maximum(Z, 0)
    S = h @ W2 + b2
    S = S - S.max(axis=1, keepdims=True)
    P = np.exp(S)
    P /= P.sum(axis=1, keepdims=True)
    loss = -np.mean(np.log(P[np.arange(n), y])) + 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))

    dS = P.copy()
    dS[np.arange(n), y] -= 1
    dS /= n
    dW2 = h.T @ dS + reg * W2
    db2 = dS.sum(axis=0)
    dh = dS @ W2.T
    dZ = dh * (Z > 0)
    dW1 = X.T @ dZ + reg * W1
    db1 = dZ.sum(axis=0)
    return float(loss), {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
'''

_TANH_NET = '''
def tanh_net_loss(params, X, y, reg=0.0):
    h = np.tanh(X @ params["W1"] + params["b1"])
    scores = h @ params["W2"] + params["b2"]
    penalty = 0.5 * reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    return cross_entropy(scores, y) + penalty
'''

WRONG = [
    Wrong("ho-backprop-dW1-from-dh", cell="two-layer-backprop",
          mistake="dW1 = X.T @ dh: uses the gradient before the ReLU (dh) instead of dZ (db1 is right)",
          hint="dZ",
          answer=_one(_BACKPROP, "dW1 = X.T @ dZ + reg * W1", "dW1 = X.T @ dh + reg * W1")),
    Wrong("ho-backprop-dW2-from-Z", cell="two-layer-backprop",
          mistake="dW2 = Z.T @ dS: the pre-activation Z instead of the hidden activations h",
          hint="h.T",
          answer=_one(_BACKPROP, "dW2 = h.T @ dS + reg * W2", "dW2 = Z.T @ dS + reg * W2")),
    Wrong("ho-backprop-divides-before-subtracting", cell="two-layer-backprop",
          mistake="dS /= n before dS[arange, y] -= 1: computes P / N - Y instead of (P - Y) / N",
          hint="before dividing",
          answer=_one(_BACKPROP, """    dS[np.arange(n), y] -= 1
    dS /= n
""", """    dS /= n
    dS[np.arange(n), y] -= 1
""")),
    Wrong("ho-predict-softmax-over-batch", cell="predict",
          mistake="normalises exp(scores) over axis=0 (the batch) before the argmax: changes the predictions",
          hint="axis=0",
          answer='''
def predict(params, X):
    scores = two_layer_scores(params, X)
    probs = np.exp(scores) / np.sum(np.exp(scores), axis=0, keepdims=True)
    return np.argmax(probs, axis=1)
'''),
    Wrong("ho-tanh-net-bias-outside-tanh", cell="tanh-net",
          mistake="h = np.tanh(X @ W1) + b1: the bias is added after the activation",
          hint="inside",
          answer=_one(_TANH_NET, 'np.tanh(X @ params["W1"] + params["b1"])', 'np.tanh(X @ params["W1"]) + params["b1"]')),
]
