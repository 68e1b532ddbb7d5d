"""Wrong answers for notebooks/04-matrix-calculus.ipynb (format: tests/mutants/README.md)."""
from catalogue import Wrong

NOTEBOOK = "04-matrix-calculus"


def _one(text: str, old: str, new: str) -> str:
    """``text`` with the single occurrence of ``old`` replaced (a long answer cell, one mistake)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


# The engine's answer cells (Exercises 7-9) as the student completes them correctly; each entry
# below changes one thing.
_OPS = '''
class Tensor:
    # An array node of the computational graph: the array version of notebook 03's Value.
    __array_ufunc__ = None  # numpy defers to our operators: X @ W works for an array X

    def __init__(self, value, parents=(), vjps=()):
        self.value = np.asarray(value, dtype=float)
        self.grad = np.zeros_like(self.value)  # d root / d self, once backward has run
        self.parents = tuple(parents)          # the Tensors this one was computed from
        self.vjps = tuple(vjps)                # one function per parent: gradient here -> its share there

    @property
    def shape(self):
        return self.value.shape

    def __repr__(self):
        return f"Tensor(shape={self.shape}, {len(self.parents)} parent(s))"

    def zero_grad(self):
        self.grad = np.zeros_like(self.value)

    # Worked example: addition. Either argument may be broadcast, so each VJP unbroadcasts.
    def __add__(self, other):
        other = as_tensor(other)
        return Tensor(self.value + other.value, (self, other),
                      (lambda g: unbroadcast(g, self.shape), lambda g: unbroadcast(g, other.shape)))

    def __neg__(self):
        return Tensor(-self.value, (self,), (lambda g: -g,))

    def __mul__(self, other):
        other = as_tensor(other)
        return Tensor(self.value * other.value, (self, other),
                      (lambda g: unbroadcast(g * other.value, self.shape),
                       lambda g: unbroadcast(g * self.value, other.shape)))

    def __truediv__(self, other):
        other = as_tensor(other)
        return Tensor(self.value / other.value, (self, other),
                      (lambda g: unbroadcast(g / other.value, self.shape),
                       lambda g: unbroadcast(-g * self.value / other.value ** 2, other.shape)))

    def __matmul__(self, other):
        other = as_tensor(other)
        # 2-d @ 2-d only (a batch times a weight matrix).
        return Tensor(self.value @ other.value, (self, other),
                      (lambda g: matmul_vjp(self.value, other.value, g)[0],
                       lambda g: matmul_vjp(self.value, other.value, g)[1]))

    def sum(self, axis=None, keepdims=False):
        return Tensor(self.value.sum(axis=axis, keepdims=keepdims), (self,),
                      (lambda g: sum_vjp(self.shape, axis, keepdims, g),))

    def mean(self, axis=None, keepdims=False):
        return Tensor(self.value.mean(axis=axis, keepdims=keepdims), (self,),
                      (lambda g: mean_vjp(self.shape, axis, keepdims, g),))

    def exp(self):
        e = np.exp(self.value)
        return Tensor(e, (self,), (lambda g: g * e,))

    def log(self):
        return Tensor(np.log(self.value), (self,), (lambda g: g / self.value,))

    def relu(self):
        return Tensor(np.maximum(self.value, 0.0), (self,), (lambda g: relu_vjp(self.value, g),))

    def __getitem__(self, index):
        # Picking entries (e.g. scores[np.arange(N), y]) may pick one entry several times.
        def vjp(g):
            grad = np.zeros_like(self.value)
            np.add.at(grad, index, g)  # repeated indices add up (grad[index] += g would not)
            return grad
        return Tensor(self.value[index], (self,), (vjp,))

    # Built from the operations above.
    def __sub__(self, other):
        return self + (-as_tensor(other))

    def __radd__(self, other):
        return as_tensor(other) + self

    def __rsub__(self, other):
        return as_tensor(other) - self

    def __rmul__(self, other):
        return as_tensor(other) * self

    def __rtruediv__(self, other):
        return as_tensor(other) / self

    def __rmatmul__(self, other):
        return as_tensor(other) @ self


def as_tensor(x):
    # A constant (a number or an array) becomes a Tensor with no parents.
    return x if isinstance(x, Tensor) else Tensor(x)
'''


_BACKPROP = '''
def backprop(root):
    order, visited, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for parent in node.parents:
            if id(parent) not in visited:
                stack.append((parent, False))
    for node in order:
        if node.parents:  # computed nodes start from zero; inputs (leaves) accumulate
            node.grad = np.zeros_like(node.value)
    root.grad = np.ones_like(root.value)
    for node in reversed(order):
        for parent, vjp in zip(node.parents, node.vjps):
            parent.grad = parent.grad + vjp(node.grad)


Tensor.backward = lambda self: backprop(self)  # so that y.backward() works too
'''


_SPIRAL = '''
def spiral_loss_and_grads(params, X, y, reg):
    P = {k: Tensor(v) for k, v in params.items()}
    h = (X @ P["W1"] + P["b1"]).relu()
    scores = h @ P["W2"] + P["b2"]
    shifted = scores - scores.value.max(axis=1, keepdims=True)  # a constant shift: exp cannot overflow
    data = (shifted.exp().sum(axis=1).log() - shifted[np.arange(len(y)), y]).mean()
    loss = data + 0.5 * reg * ((P["W1"] * P["W1"]).sum() + (P["W2"] * P["W2"]).sum())
    loss.backward()
    return float(loss.value), {k: P[k].grad for k in P}
'''


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
    # --- the student's own engine (issue 12) ----------------------------------------------------
    Wrong("tensor-mul-own-factor", cell="tensor-ops",
          mistake="the VJP of a*b for a multiplies g by a itself instead of by b",
          hint="the OTHER factor",
          answer=_one(_OPS, "(lambda g: unbroadcast(g * other.value, self.shape),",
                      "(lambda g: unbroadcast(g * self.value, self.shape),")),
    Wrong("tensor-mul-no-unbroadcast", cell="tensor-ops",
          mistake="the VJP of a*b for a broadcast b is not summed back to b's shape",
          hint="unbroadcast",
          answer=_one(_OPS, "lambda g: unbroadcast(g * self.value, other.shape)))\n\n    def __truediv__",
                      "lambda g: g * self.value))\n\n    def __truediv__")),
    Wrong("tensor-div-sign", cell="tensor-ops",
          mistake="d(a/c)/dc = +a/c**2 (the minus sign lost)",
          hint="minus sign",
          answer=_one(_OPS, "unbroadcast(-g * self.value / other.value ** 2, other.shape)",
                      "unbroadcast(g * self.value / other.value ** 2, other.shape)")),
    Wrong("tensor-matmul-dw-transposed", cell="tensor-ops",
          mistake="the VJP of a @ w for w is g.T @ a (the transpose of a.T @ g)",
          hint="transpose",
          answer=_one(_OPS, """                       lambda g: matmul_vjp(self.value, other.value, g)[1]))""",
                      """                       lambda g: g.T @ self.value))""")),
    Wrong("tensor-mean-as-sum", cell="tensor-ops",
          mistake="the VJP of mean is the VJP of sum (not divided by n)",
          hint="mean vs sum",
          answer=_one(_OPS, "(lambda g: mean_vjp(self.shape, axis, keepdims, g),)",
                      "(lambda g: sum_vjp(self.shape, axis, keepdims, g),)")),
    Wrong("tensor-exp-times-input", cell="tensor-ops",
          mistake="the VJP of exp multiplies g by the input instead of by exp(input)",
          hint="multiply g by the exponential",
          answer=_one(_OPS, "(lambda g: g * e,)", "(lambda g: g * self.value,)")),
    Wrong("tensor-log-multiplies", cell="tensor-ops",
          mistake="the VJP of log multiplies g by p instead of dividing",
          hint="divide g by p",
          answer=_one(_OPS, "(lambda g: g / self.value,)", "(lambda g: g * self.value,)")),
    Wrong("tensor-relu-mask-from-g", cell="tensor-ops",
          mistake="the ReLU mask is taken from the upstream gradient",
          hint="mask comes from the forward input",
          answer=_one(_OPS, "(lambda g: relu_vjp(self.value, g),)", "(lambda g: relu_vjp(g, g),)")),
    Wrong("tensor-getitem-assignment", cell="tensor-ops",
          mistake="grad[index] += g instead of np.add.at: repeated indices count once",
          hint="np.add.at",
          answer=_one(_OPS, "np.add.at(grad, index, g)  # repeated indices add up (grad[index] += g would not)",
                      "grad[index] += g")),
    Wrong("tensor-sum-composed", cell="tensor-ops",
          mistake="sum is not one node: built as a product with a ones vector (parents are not the operands)",
          hint="single node",
          answer=_one(_OPS, """        return Tensor(self.value.sum(axis=axis, keepdims=keepdims), (self,),
                      (lambda g: sum_vjp(self.shape, axis, keepdims, g),))""",
                      """        if axis == 0 and not keepdims and self.value.ndim == 2:
            return as_tensor(np.ones(self.shape[0])) @ self
        return Tensor(self.value.sum(axis=axis, keepdims=keepdims), (self,),
                      (lambda g: sum_vjp(self.shape, axis, keepdims, g),))""")),
    Wrong("backprop-no-visited-set", cell="tensor-backprop",
          mistake="the topological order has no visited set: a shared node is listed once per path",
          hint="more than once",
          answer=_one(_BACKPROP, """        if id(node) in visited:
            continue
""", "")),
    Wrong("backprop-overwrites", cell="tensor-backprop",
          mistake="parent.grad = vjp(node.grad): fan-out contributions overwrite each other",
          hint="fan-out",
          answer=_one(_BACKPROP, "parent.grad = parent.grad + vjp(node.grad)", "parent.grad = vjp(node.grad)")),
    Wrong("backprop-forward-order", cell="tensor-backprop",
          mistake="the nodes are processed in topological order instead of reversed",
          hint="reversed(order)",
          answer=_one(_BACKPROP, "for node in reversed(order):", "for node in order:")),
    Wrong("backprop-resets-inputs", cell="tensor-backprop",
          mistake="every node's grad is reset, inputs included: gradients do not accumulate over calls",
          hint="accumulate over calls",
          answer=_one(_BACKPROP, """        if node.parents:  # computed nodes start from zero; inputs (leaves) accumulate
            node.grad = np.zeros_like(node.value)""", """        node.grad = np.zeros_like(node.value)""")),
    Wrong("backprop-no-reset", cell="tensor-backprop",
          mistake="computed nodes are not reset: gradients of an earlier call leak in",
          hint="still held gradients",
          answer=_one(_BACKPROP, """    for node in order:
        if node.parents:  # computed nodes start from zero; inputs (leaves) accumulate
            node.grad = np.zeros_like(node.value)
""", "")),
    Wrong("spiral-no-penalty", cell="spiral-own-engine",
          mistake="the L2 penalty is left out of the loss",
          hint="L2 penalty",
          answer=_one(_SPIRAL, """    loss = data + 0.5 * reg * ((P["W1"] * P["W1"]).sum() + (P["W2"] * P["W2"]).sum())""",
                      """    loss = data""")),
    Wrong("spiral-sum-not-mean", cell="spiral-own-engine",
          mistake="the cross-entropy is summed over the examples instead of averaged",
          hint="mean vs sum",
          answer=_one(_SPIRAL, "- shifted[np.arange(len(y)), y]).mean()", "- shifted[np.arange(len(y)), y]).sum()")),
]
