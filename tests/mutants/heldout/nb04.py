"""Held-out wrong answers for notebooks/04-matrix-calculus.ipynb (format: tests/mutants/README.md)."""
from catalogue import Wrong

NOTEBOOK = "04-matrix-calculus"

WRONG = [
    Wrong("ho-unbroadcast-sums-trailing-axes", cell="unbroadcast",
          mistake="sums the extra trailing axes instead of the extra leading ones (broadcasting aligns on the right)",
          hint="leading",
          answer='''
def unbroadcast(grad, shape):
    grad = np.asarray(grad)
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(len(shape), grad.ndim)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad
'''),
    Wrong("ho-add-vjp-b-uses-a-shape", cell="add-vjp",
          mistake="copy-paste: the second gradient is unbroadcast to a_shape instead of b_shape",
          hint="b_shape",
          answer='''
def add_vjp(a_shape, b_shape, dZ):
    return unbroadcast(dZ, a_shape), unbroadcast(dZ, a_shape)
'''),
    Wrong("ho-mean-vjp-divides-by-first-axis", cell="reduce-vjp",
          mistake="n = x_shape[0] whatever the axis: right for axis=0 only",
          hint="x_shape[axis]",
          answer='''
def sum_vjp(x_shape, axis, keepdims, g):
    g = np.asarray(g, dtype=float)
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, x_shape).copy()


def mean_vjp(x_shape, axis, keepdims, g):
    n = np.prod(x_shape) if axis is None else x_shape[0]
    return sum_vjp(x_shape, axis, keepdims, g) / n
'''),
    Wrong("ho-relu-vjp-boolean-index", cell="relu-vjp",
          mistake="dH[Z > 0]: boolean indexing returns the kept entries as a flat 1-d array, not a masked dH",
          hint="shape",
          answer='''
def relu_vjp(Z, dH):
    return dH[Z > 0]
'''),
    Wrong("ho-dense-grads-mask-from-S", cell="dense-grads",
          mistake="relu_vjp(S, C): the ReLU mask taken from S = X @ W, before the bias is added",
          hint="S + b",
          answer='''
def dense_relu_grads(X, W, b, C):
    S = X @ W
    Z = S + b
    dZ = relu_vjp(S, C)
    dS, db = add_vjp(S.shape, b.shape, dZ)
    _, dW = matmul_vjp(X, W, dS)
    return dW, db
'''),
]
