"""Wrong answers for notebooks/07-two-layer-network.ipynb (format: tests/mutants/README.md)."""
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
    # --- converted from tests/bugzoo/nb07.py -------------------------------------------------
    Wrong("backprop-forgot-regularisation-gradient", cell="two-layer-backprop",
          mistake="dW2 without the reg * W2 term",
          hint="you forgot the gradient of the regularisation term",
          answer=_one(_BACKPROP, "dW2 = h.T @ dS + reg * W2", "dW2 = h.T @ dS")),
    Wrong("backprop-relu-mask-from-gradient", cell="two-layer-backprop",
          mistake="ReLU mask taken from dh > 0 instead of Z > 0",
          hint="the ReLU mask must come from the hidden layer's input Z",
          answer=_one(_BACKPROP, "dZ = dh * (Z > 0)", "dZ = dh * (dh > 0)")),
    Wrong("backprop-bias-gradient-not-summed", cell="two-layer-backprop",
          mistake="db1 = dZ, not summed over the batch",
          hint="sum the bias gradient over the batch axis",
          answer=_one(_BACKPROP, "db1 = dZ.sum(axis=0)", "db1 = dZ")),
    Wrong("backprop-sum-instead-of-mean", cell="two-layer-backprop",
          mistake="dS not divided by N: gradients of the summed loss",
          hint="(you used the sum)",
          answer=_one(_BACKPROP, "dS /= n", "dS /= 1")),
    Wrong("predict-argmax-over-examples", cell="predict",
          mistake="argmax over axis=0 (the examples) instead of axis=1 (the classes)",
          hint="take the argmax over the classes (axis=1)",
          answer='''
def predict(params, X):
    return np.argmax(two_layer_scores(params, X), axis=0)
'''),
    Wrong("tanh-net-forgot-regularisation", cell="tanh-net",
          mistake="computes the penalty but returns the data term only",
          hint="the regularisation term reg/2",
          answer=_one(_TANH_NET, "return cross_entropy(scores, y) + penalty", "return cross_entropy(scores, y)")),
    # --- new ------------------------------------------------------------------------------------
    Wrong("backprop-missing-W2-transpose", cell="two-layer-backprop",
          mistake="dh = dS @ W2 without W2.T (a shape error)",
          hint="transpose",
          answer=_one(_BACKPROP, "dh = dS @ W2.T", "dh = dS @ W2")),
    Wrong("backprop-db2-summed-over-classes", cell="two-layer-backprop",
          mistake="db2 = dS.sum(axis=1): summed over the classes instead of the batch",
          hint="axis=0",
          answer=_one(_BACKPROP, "db2 = dS.sum(axis=0)", "db2 = dS.sum(axis=1)")),
    Wrong("backprop-softmax-over-batch-axis", cell="two-layer-backprop",
          mistake="probabilities normalised over the batch axis (axis=0) instead of the classes",
          hint="axis=1",
          answer=_one(_BACKPROP, "P /= P.sum(axis=1, keepdims=True)", "P /= P.sum(axis=0, keepdims=True)")),
    Wrong("backprop-max-without-keepdims", cell="two-layer-backprop",
          mistake="S.max(axis=1) without keepdims=True: (N,) does not broadcast against (N, K)",
          hint="keepdims",
          answer=_one(_BACKPROP, "S = S - S.max(axis=1, keepdims=True)", "S = S - S.max(axis=1)")),
    Wrong("backprop-db1-mean-over-batch", cell="two-layer-backprop",
          mistake="db1 = dZ.mean(axis=0): dS is already divided by N, the mean divides again",
          hint="batch size",
          answer=_one(_BACKPROP, "db1 = dZ.sum(axis=0)", "db1 = dZ.mean(axis=0)")),
    Wrong("backprop-unanswered", cell="two-layer-backprop",
          mistake="two_layer_loss_and_grads left unanswered (the release stub); predict's test trains with it",
          hint="not answered yet",
          answer='''
def two_layer_loss_and_grads(params, X, y, reg=0.0):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = X.shape[0]
    # YOUR CODE HERE
    raise NotImplementedError()
'''),
    Wrong("predict-argmax-without-axis", cell="predict",
          mistake="np.argmax without axis=: one index into the flattened score matrix",
          hint="axis=1",
          answer='''
def predict(params, X):
    return np.argmax(two_layer_scores(params, X))
'''),
    Wrong("tanh-net-relu-hidden-layer", cell="tanh-net",
          mistake="copied the ReLU hidden layer of two_layer_scores instead of tanh",
          hint="np.tanh",
          answer=_one(_TANH_NET, 'h = np.tanh(X @ params["W1"] + params["b1"])',
                      'h = np.maximum(X @ params["W1"] + params["b1"], 0)')),
    Wrong("tanh-net-regularises-biases", cell="tanh-net",
          mistake="the penalty also includes the biases b1 and b2",
          hint="bias",
          answer=_one(_TANH_NET, 'np.sum(params["W2"] ** 2))',
                      'np.sum(params["W2"] ** 2) + np.sum(params["b1"] ** 2) + np.sum(params["b2"] ** 2))')),
]
