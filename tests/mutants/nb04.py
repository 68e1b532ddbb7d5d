"""Wrong answers for notebooks/04-matrix-calculus.ipynb (format: tests/mutants/README.md)."""
from catalogue import Wrong

NOTEBOOK = "04-matrix-calculus"

WRONG = [
    # --- converted from tests/bugzoo/nb04.py -------------------------------------------------
    Wrong("matmul-dW-missing-transpose", cell="matmul-vjp",
          mistake="dW = dS.T @ X (the transpose of X.T @ dS)",
          hint="missing a transpose",
          answer='''
def matmul_vjp(X, W, dS):
    dX = dS @ W.T
    dW = dS.T @ X
    return dX, dW
'''),
    Wrong("matmul-dX-wrong-sign", cell="matmul-vjp",
          mistake="dX = -dS @ W.T",
          hint="wrong sign",
          answer='''
def matmul_vjp(X, W, dS):
    dX = -dS @ W.T
    dW = X.T @ dS
    return dX, dW
'''),
    Wrong("bias-gradient-not-summed-over-batch", cell="add-vjp",
          mistake="the bias gradient is dZ itself, not summed over the broadcast (batch) axis",
          hint="sum the bias gradient over the batch axis",
          answer='''
def add_vjp(a_shape, b_shape, dZ):
    return unbroadcast(dZ, a_shape), dZ
'''),
    Wrong("relu-mask-from-upstream-gradient", cell="relu-vjp",
          mistake="ReLU mask taken from the upstream gradient dH instead of the input Z",
          hint="must come from the forward input Z",
          answer='''
def relu_vjp(Z, dH):
    return dH * (dH > 0)
'''),
    Wrong("mean-vjp-not-divided-mean-vs-sum", cell="reduce-vjp",
          mistake="mean_vjp returns the sum's gradient (forgets to divide by n)",
          hint="mean vs sum",
          answer='''
def sum_vjp(x_shape, axis, keepdims, g):
    g = np.asarray(g, dtype=float)
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, x_shape).copy()


def mean_vjp(x_shape, axis, keepdims, g):
    n = np.prod(x_shape) if axis is None else x_shape[axis]
    return sum_vjp(x_shape, axis, keepdims, g)
'''),
    Wrong("unbroadcast-uses-mean", cell="unbroadcast",
          mistake="averages over the broadcast leading axes instead of summing",
          hint="a broadcast copy turns into a SUM",
          answer='''
def unbroadcast(grad, shape):
    grad = np.asarray(grad)
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.mean(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad
'''),
    Wrong("mse-loss-sum-instead-of-mean", cell="mse-loss",
          mistake="sum of squared residuals instead of their mean",
          hint="np.mean, not np.sum",
          answer='''
def mse_loss(params, X, y):
    residual = X @ params["w"] + params["b"] - y
    return np.sum(residual**2)
'''),
    # --- new ------------------------------------------------------------------------------------
    Wrong("matmul-dX-missing-W-transpose", cell="matmul-vjp",
          mistake="dX = dS @ W without W.T (a shape error)",
          hint="transpose",
          answer='''
def matmul_vjp(X, W, dS):
    dX = dS @ W
    dW = X.T @ dS
    return dX, dW
'''),
    Wrong("matmul-returns-dW-first", cell="matmul-vjp",
          mistake="returns (dW, dX) instead of (dX, dW)",
          hint="order",
          answer='''
def matmul_vjp(X, W, dS):
    dX = dS @ W.T
    dW = X.T @ dS
    return dW, dX
'''),
    Wrong("unbroadcast-without-keepdims", cell="unbroadcast",
          mistake="sums the size-1 axes without keepdims=True: (4, 1) becomes (4,)",
          hint="keepdims",
          answer='''
def unbroadcast(grad, shape):
    grad = np.asarray(grad)
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes)
    return grad
'''),
    Wrong("unbroadcast-only-leading-axes", cell="unbroadcast",
          mistake="sums only the extra leading axes, not the axes where the shape has size 1",
          hint="size 1",
          answer='''
def unbroadcast(grad, shape):
    grad = np.asarray(grad)
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    return grad
'''),
    Wrong("unbroadcast-unanswered", cell="unbroadcast",
          mistake="unbroadcast left unanswered (the release stub); add_vjp uses it",
          hint="not answered yet",
          answer='''
def unbroadcast(grad, shape):
    # YOUR CODE HERE
    raise NotImplementedError()
'''),
    Wrong("add-vjp-db-summed-over-wrong-axis", cell="add-vjp",
          mistake="db = dZ.sum(axis=1): summed over the features instead of the batch axis",
          hint="axis=0",
          answer='''
def add_vjp(a_shape, b_shape, dZ):
    return dZ, dZ.sum(axis=1)
'''),
    Wrong("sum-vjp-without-expand-dims", cell="reduce-vjp",
          mistake="broadcasts g without re-inserting the reduced axis (keepdims=False case)",
          hint="keepdims",
          answer='''
def sum_vjp(x_shape, axis, keepdims, g):
    g = np.asarray(g, dtype=float)
    return np.broadcast_to(g, x_shape).copy()


def mean_vjp(x_shape, axis, keepdims, g):
    n = np.prod(x_shape) if axis is None else x_shape[axis]
    return sum_vjp(x_shape, axis, keepdims, g) / n
'''),
    Wrong("mean-vjp-divides-by-all-entries", cell="reduce-vjp",
          mistake="mean_vjp divides by the size of the whole array, not the length of the averaged axis",
          hint="number of entries",
          answer='''
def sum_vjp(x_shape, axis, keepdims, g):
    g = np.asarray(g, dtype=float)
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, x_shape).copy()


def mean_vjp(x_shape, axis, keepdims, g):
    n = np.prod(x_shape)
    return sum_vjp(x_shape, axis, keepdims, g) / n
'''),
    Wrong("relu-vjp-mask-at-zero", cell="relu-vjp",
          mistake="mask Z >= 0 lets the gradient through at Z = 0",
          hint="Z > 0",
          answer='''
def relu_vjp(Z, dH):
    return dH * (Z >= 0)
'''),
    Wrong("relu-vjp-unanswered", cell="relu-vjp",
          mistake="relu_vjp left unanswered (the release stub); dense_relu_grads uses it",
          hint="not answered yet",
          answer='''
def relu_vjp(Z, dH):
    # YOUR CODE HERE
    raise NotImplementedError()
'''),
    Wrong("dense-grads-returns-db-first", cell="dense-grads",
          mistake="returns (db, dW) instead of (dW, db)",
          hint="order",
          answer='''
def dense_relu_grads(X, W, b, C):
    S = X @ W
    Z = S + b
    dZ = relu_vjp(Z, C)
    dS, db = add_vjp(S.shape, b.shape, dZ)
    _, dW = matmul_vjp(X, W, dS)
    return db, dW
'''),
    Wrong("dense-grads-skips-relu", cell="dense-grads",
          mistake="passes C straight to the add/matmul vjps: the ReLU's vjp is skipped",
          hint="relu_vjp",
          answer='''
def dense_relu_grads(X, W, b, C):
    S = X @ W
    Z = S + b
    dS, db = add_vjp(S.shape, b.shape, C)
    _, dW = matmul_vjp(X, W, dS)
    return dW, db
'''),
    Wrong("dense-grads-db-mean-over-batch", cell="dense-grads",
          mistake="db = dZ.mean(axis=0): averages over the batch where the broadcast needs a sum",
          hint="batch size",
          answer='''
def dense_relu_grads(X, W, b, C):
    S = X @ W
    Z = S + b
    dZ = relu_vjp(Z, C)
    db = dZ.mean(axis=0)
    _, dW = matmul_vjp(X, W, dZ)
    return dW, db
'''),
    Wrong("mse-loss-square-of-mean", cell="mse-loss",
          mistake="squares the mean residual instead of averaging the squared residuals",
          hint="mean of the squares",
          answer='''
def mse_loss(params, X, y):
    residual = X @ params["w"] + params["b"] - y
    return np.mean(residual) ** 2
'''),
    Wrong("mse-loss-without-bias", cell="mse-loss",
          mistake="predictions X @ w without the bias b",
          hint="bias",
          answer='''
def mse_loss(params, X, y):
    residual = X @ params["w"] - y
    return np.mean(residual**2)
'''),
    Wrong("relu-vjp-in-place", cell="relu-vjp",
          mistake="zeroes dH in place (dH[Z <= 0] = 0) and returns it: changes the caller's array",
          hint="changed its input",
          answer='''
def relu_vjp(Z, dH):
    dH[Z <= 0] = 0
    return dH
'''),
]
