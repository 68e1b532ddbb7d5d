"""Wrong answers for notebooks/09-mnist.ipynb (format: tests/mutants/README.md)."""
from catalogue import Wrong

NOTEBOOK = "09-mnist"


def _one(text: str, old: str, new: str) -> str:
    """``text`` with the single occurrence of ``old`` replaced (a long answer cell, one mistake)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


# The answer cells as the student completes them correctly; each entry changes one thing.
_INIT = '''
def init_mlp(sizes, rng):
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W = rng.normal(0.0, np.sqrt(2 / n_in), size=(n_in, n_out)).astype(np.float32)
        params.append({"W": W, "b": np.zeros(n_out, dtype=np.float32)})
    return params
'''

_FORWARD = '''
def mlp_forward(params, X):
    h = X
    for layer in params[:-1]:
        h = np.maximum(h @ layer["W"] + layer["b"], 0)
    return h @ params[-1]["W"] + params[-1]["b"]
'''

_TRAIN = '''
def batch_loss(params, Xb, yb):
    return course.softmax_cross_entropy(mlp_forward(params, Xb), yb)


loss_and_grad = course.value_and_grad(batch_loss)


def train_epoch(params, X, y, lr, batch_size, rng):
    losses = []
    for Xb, yb in minibatches(X, y, batch_size, seed=rng):
        loss, grads = loss_and_grad(params, Xb, yb)
        params = [{k: layer[k] - lr * g[k] for k in layer} for layer, g in zip(params, grads)]
        losses.append(float(loss))
    return params, float(np.mean(losses))
'''

_EVALUATE = '''
def evaluate(params, X, y, batch_size=2000):
    correct = 0
    with course.no_grad():
        for start in range(0, len(X), batch_size):
            logits = np.asarray(mlp_forward(params, X[start:start + batch_size]))
            correct += int(np.sum(np.argmax(logits, axis=1) == y[start:start + batch_size]))
    return correct / len(X)
'''

_OWN_LAYERS = '''
def make_net(sizes, seed):
    r = np.random.default_rng(seed)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Dense(n_in, n_out, init="he", seed=r, dtype=np.float32))
        if i < len(sizes) - 2:
            layers.append(ReLU())
    return Stack(*layers)


def layers_epoch(net, X, y, lr, batch_size, rng):
    losses = []
    n_batches = -(-len(X) // batch_size)
    for Xb, yb in tqdm(minibatches(X, y, batch_size, seed=rng), total=n_batches, desc="batches",
                       leave=False, disable=GRADING):
        logits, caches = net.forward(Xb)
        loss, loss_cache = ce.forward(logits, yb)
        net.backward(ce.backward(loss_cache), caches)
        for p in net.parameters():
            p.value -= lr * p.grad
        losses.append(loss)
    return float(np.mean(losses))
'''


WRONG = [
    # --- converted from tests/bugzoo/nb09.py -------------------------------------------------
    Wrong("init-xavier-instead-of-he", cell="init-mlp",
          mistake="Xavier's std sqrt(2 / (n_in + n_out)) instead of He's sqrt(2 / n_in)",
          hint="He initialisation uses std sqrt(2 / n_in)",
          answer=_one(_INIT, "np.sqrt(2 / n_in)", "np.sqrt(2 / (n_in + n_out))")),
    Wrong("relu-on-the-logits", cell="mlp-forward",
          mistake="applies ReLU after the last layer too (the logits become non-negative)",
          hint="no ReLU after the last layer",
          answer=_one(_FORWARD, 'return h @ params[-1]["W"] + params[-1]["b"]',
                      'return np.maximum(h @ params[-1]["W"] + params[-1]["b"], 0)')),
    Wrong("train-epoch-wrong-sign", cell="train-epoch",
          mistake="params + lr * grad (ascent instead of descent)",
          hint="wrong sign in the SGD update",
          answer=_one(_TRAIN, "layer[k] - lr * g[k]", "layer[k] + lr * g[k]")),
    # --- new ------------------------------------------------------------------------------------
    Wrong("init-float64", cell="init-mlp",
          mistake="leaves the weights and biases as float64 (forgets .astype(np.float32))",
          hint="float32",
          answer='''
def init_mlp(sizes, rng):
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W = rng.normal(0.0, np.sqrt(2 / n_in), size=(n_in, n_out))
        params.append({"W": W, "b": np.zeros(n_out)})
    return params
'''),
    Wrong("init-shape-transposed", cell="init-mlp",
          mistake="W of shape (n_out, n_in): the transposed shape",
          hint="transpose",
          answer=_one(_INIT, "size=(n_in, n_out)", "size=(n_out, n_in)")),
    Wrong("init-unanswered", cell="init-mlp",
          mistake="init_mlp left unanswered (the release stub); the training test uses it",
          hint="not answered yet",
          answer='''
def init_mlp(sizes, rng):
    # YOUR CODE HERE
    raise NotImplementedError()
'''),
    Wrong("mlp-forward-without-hidden-relu", cell="mlp-forward",
          mistake="no ReLU between the layers: the network collapses to a linear model",
          hint="every hidden layer",
          answer=_one(_FORWARD, 'h = np.maximum(h @ layer["W"] + layer["b"], 0)', 'h = h @ layer["W"] + layer["b"]')),
    Wrong("mlp-forward-last-layer-without-bias", cell="mlp-forward",
          mistake="the output layer forgets its bias",
          hint="bias",
          answer=_one(_FORWARD, 'return h @ params[-1]["W"] + params[-1]["b"]', 'return h @ params[-1]["W"]')),
    Wrong("mlp-forward-unanswered", cell="mlp-forward",
          mistake="mlp_forward left unanswered (the release stub); train_epoch and evaluate call it",
          hint="not answered yet",
          answer='''
def mlp_forward(params, X):
    # YOUR CODE HERE
    raise NotImplementedError()
'''),
    Wrong("train-epoch-returns-loss-first", cell="train-epoch",
          mistake="returns (mean_loss, params) instead of (params, mean_loss)",
          hint="order",
          answer=_one(_TRAIN, "return params, float(np.mean(losses))", "return float(np.mean(losses)), params")),
    Wrong("train-epoch-returns-last-loss", cell="train-epoch",
          mistake="returns the loss of the last batch instead of the mean over the epoch",
          hint="not the last one",
          answer=_one(_TRAIN, "return params, float(np.mean(losses))", "return params, float(loss)")),
    Wrong("train-epoch-in-place", cell="train-epoch",
          mistake="layer[k] -= lr * g[k]: updates the caller's parameter arrays in place",
          hint="changed its input",
          answer=_one(_TRAIN, "        params = [{k: layer[k] - lr * g[k] for k in layer} for layer, g in zip(params, grads)]\n",
                      "        for layer, g in zip(params, grads):\n"
                      "            for k in layer:\n"
                      "                layer[k] -= lr * g[k]\n")),
    Wrong("train-epoch-steps-from-initial-params", cell="train-epoch",
          mistake="stores each step in new_params but keeps computing gradients at the initial params",
          hint="previous step",
          answer=_one(_one(_TRAIN, "        params = [{k: layer[k] - lr * g[k] for k in layer} for layer, g in zip(params, grads)]\n",
                           "        new_params = [{k: layer[k] - lr * g[k] for k in layer} for layer, g in zip(params, grads)]\n"),
                      "    return params, float(np.mean(losses))", "    return new_params, float(np.mean(losses))")),
    Wrong("evaluate-mean-of-batch-accuracies", cell="evaluate",
          mistake="averages the per-batch accuracies (a smaller last batch gets too much weight)",
          hint="count",
          answer='''
def evaluate(params, X, y, batch_size=2000):
    accuracies = []
    with course.no_grad():
        for start in range(0, len(X), batch_size):
            logits = np.asarray(mlp_forward(params, X[start:start + batch_size]))
            accuracies.append(np.mean(np.argmax(logits, axis=1) == y[start:start + batch_size]))
    return float(np.mean(accuracies))
'''),
    Wrong("evaluate-argmax-without-axis", cell="evaluate",
          mistake="np.argmax without axis=: one index into the flattened logits per batch",
          hint="axis=1",
          answer=_one(_EVALUATE, "np.argmax(logits, axis=1)", "np.argmax(logits)")),
    Wrong("evaluate-drops-last-batch", cell="evaluate",
          mistake="range(0, N - batch_size + 1, batch_size): the last, smaller batch is never evaluated",
          hint="last",
          answer=_one(_EVALUATE, "range(0, len(X), batch_size)", "range(0, len(X) - batch_size + 1, batch_size)")),
    Wrong("own-layers-update-sign", cell="own-layers",
          mistake="p.value += lr * p.grad: a step up the gradient",
          hint="wrong sign",
          answer=_one(_OWN_LAYERS, "p.value -= lr * p.grad", "p.value += lr * p.grad")),
    Wrong("own-layers-xavier", cell="own-layers",
          mistake="Dense layers initialised with Xavier instead of He",
          hint="init=\"he\"",
          answer=_one(_OWN_LAYERS, 'Dense(n_in, n_out, init="he", seed=r, dtype=np.float32)',
                      'Dense(n_in, n_out, init="xavier", seed=r, dtype=np.float32)')),
    Wrong("own-layers-relu-after-logits", cell="own-layers",
          mistake="a ReLU after the last Dense layer too",
          hint="except the last",
          answer=_one(_OWN_LAYERS, "        if i < len(sizes) - 2:\n            layers.append(ReLU())\n",
                      "        layers.append(ReLU())\n")),
    Wrong("own-layers-last-loss", cell="own-layers",
          mistake="returns the last batch's loss instead of the epoch's mean",
          hint="MEAN of the batch losses",
          answer=_one(_OWN_LAYERS, "    return float(np.mean(losses))", "    return float(losses[-1])")),
    Wrong("own-layers-no-update", cell="own-layers",
          mistake="the update rebinds a local name instead of changing the parameter",
          hint="update p.value in place",
          answer=_one(_OWN_LAYERS, "            p.value -= lr * p.grad", "            value = p.value - lr * p.grad")),
]
