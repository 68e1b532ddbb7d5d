"""Held-out wrong answers for notebooks/09-mnist.ipynb (format: tests/mutants/README.md)."""
from catalogue import Wrong

NOTEBOOK = "09-mnist"

WRONG = [
    Wrong("ho-init-integer-division", cell="init-mlp",
          mistake="np.sqrt(2 // n_in): integer division gives 0, every weight is 0",
          hint="integer division",
          answer='''
def init_mlp(sizes, rng):
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W = rng.normal(0.0, np.sqrt(2 // n_in), size=(n_in, n_out)).astype(np.float32)
        params.append({"W": W, "b": np.zeros(n_out, dtype=np.float32)})
    return params
'''),
    Wrong("ho-mlp-forward-every-layer-from-X", cell="mlp-forward",
          mistake="h = relu(X @ W + b) in the loop: every hidden layer reads the input X instead of the previous h",
          hint="not the array this product needs",
          answer='''
def mlp_forward(params, X):
    h = X
    for layer in params[:-1]:
        h = np.maximum(X @ layer["W"] + layer["b"], 0)
    return h @ params[-1]["W"] + params[-1]["b"]
'''),
    Wrong("ho-mlp-forward-np-max", cell="mlp-forward",
          mistake="np.max(z, 0) (the column maxima) where the elementwise np.maximum(z, 0) is meant",
          hint="np.maximum",
          answer='''
def mlp_forward(params, X):
    h = X
    for layer in params[:-1]:
        h = np.max(h @ layer["W"] + layer["b"], 0)
    return h @ params[-1]["W"] + params[-1]["b"]
'''),
    Wrong("ho-train-epoch-full-batch-gradient", cell="train-epoch",
          mistake="loss_and_grad(params, X, y) inside the minibatch loop: every step uses the whole data set",
          hint="Xb",
          answer='''
def batch_loss(params, Xb, yb):
    return course.softmax_cross_entropy(mlp_forward(params, Xb), yb)


loss_and_grad = course.value_and_grad(batch_loss)


def train_epoch(params, X, y, lr, batch_size, rng):
    losses = []
    for Xb, yb in minibatches(X, y, batch_size, seed=rng):
        loss, grads = loss_and_grad(params, X, y)
        params = [{k: layer[k] - lr * g[k] for k in layer} for layer, g in zip(params, grads)]
        losses.append(float(loss))
    return params, float(np.mean(losses))
'''),
    Wrong("ho-evaluate-integer-division", cell="evaluate",
          mistake="correct // len(X): integer division, the accuracy is 0 unless every example is right",
          hint="integer division",
          answer='''
def evaluate(params, X, y, batch_size=2000):
    correct = 0
    with course.no_grad():
        for start in range(0, len(X), batch_size):
            logits = np.asarray(mlp_forward(params, X[start:start + batch_size]))
            correct += int(np.sum(np.argmax(logits, axis=1) == y[start:start + batch_size]))
    return correct // len(X)
'''),
]
