"""Generate notebooks/04-matrix-calculus.ipynb (run: python notebooks/_build/nb04.py)."""

from nbtools import Notebook

nb = Notebook("04-matrix-calculus", course_modules=[])

nb.md(r"""
# 04 · Matrix calculus and broadcasting

**Total: {TOTAL_POINTS} points.** Fill in every `YOUR CODE HERE`, run the test cell below it, and
read its message if it fails. Hidden tests check your code on other shapes when you are graded.

Neural networks work on arrays: a batch of inputs $X$ times a weight matrix $W$, plus a bias
vector $b$, through a ReLU. Reverse mode on arrays needs, for every array operation, a rule that
turns the gradient of the output into the gradients of the inputs: a **vector-Jacobian product**
(VJP). In this notebook you derive and implement the VJPs of the operations of a dense layer:

| operation | forward | backward (VJP) |
|---|---|---|
| matrix product | $S = XW$ | $\bar X = \bar S W^\top$, $\bar W = X^\top \bar S$ |
| broadcast add | $Z = S + b$ | $\bar S = \bar Z$, $\bar b = \mathbf 1^\top \bar Z$ (unbroadcast) |
| sum / mean | $s = \sum_i x_i$ | $\bar x = \bar s\,\mathbf 1$ (broadcast back) |
| ReLU | $H = \max(Z, 0)$ | $\bar Z = \bar H \odot [Z > 0]$ |

and then let `course.grad` differentiate plain numpy code for you.
""")

nb.code(r"""
import os

import matplotlib.pyplot as plt
import numpy as np

import course

GRADING = bool(os.environ.get("NBGRADER_EXECUTION"))  # set by nbgrader while grading
rng = np.random.default_rng(0)
np.set_printoptions(precision=4, suppress=True)
""", role="both")

nb.code(r"""
# The helpers the test cells use to check your answers and explain what is wrong.
from course.checks import check, check_array, check_exact, check_gradient, check_order, check_scalar
""", role="trusted")

nb.md(r"""
## 1. Jacobians are too big; VJPs are not

Write $\bar A = \partial L / \partial A$ for the gradient of the scalar loss $L$ with respect to an
array $A$: it always has **the shape of $A$**. For $S = XW$ with $X \in \mathbb R^{N\times D}$ and
$W \in \mathbb R^{D\times M}$, the Jacobian $\partial S/\partial W$ has $NM \times DM$ entries. For a
batch of $N = 64$ MNIST images and a first layer $784 \to 100$, that is $6400 \times 78400$, half a
billion numbers, almost all zero. Let us look at a tiny one:
""")

nb.code(r"""
X_small = rng.normal(size=(2, 3))
W_small = rng.normal(size=(3, 2))
J = course.jacobian(lambda W: X_small @ W)(W_small)  # shape S.shape + W.shape = (2, 2, 3, 2)
print("Jacobian shape:", J.shape, "->", J.reshape(4, 6).shape, "as a matrix;",
      f"{np.mean(J == 0):.0%} of its entries are zero")
fig, ax = plt.subplots(figsize=(5, 3.5))
im = ax.imshow(J.reshape(4, 6), cmap="RdBu", vmin=-2, vmax=2)
ax.set_xlabel("entry of W (row-major)"); ax.set_ylabel("entry of S = XW (row-major)")
ax.set_title("dS/dW: X's entries, placed sparsely")
plt.colorbar(im); plt.show()
""", role="demo")

nb.md(r"""
Reverse mode never builds it. It only needs the **vector-Jacobian product**: given
$\bar S = \partial L/\partial S$, compute $\bar W_{kj} = \sum_{i,l} \bar S_{il}\, \partial S_{il}/\partial W_{kj}$.
Index notation makes this mechanical. From $S_{il} = \sum_k X_{ik} W_{kl}$,
$\partial S_{il}/\partial W_{kj} = X_{ik}\,[l = j]$, so
$$\bar W_{kj} = \sum_i \bar S_{ij} X_{ik} = (X^\top \bar S)_{kj}, \qquad
  \bar X_{ik} = \sum_j \bar S_{ij} W_{kj} = (\bar S W^\top)_{ik}.$$

A quick sanity check is **shape analysis**: $\bar W$ must be $D\times M$, and the only way to
make a $D\times M$ matrix from $X$ ($N\times D$) and $\bar S$ ($N\times M$) is $X^\top\bar S$.

### Exercise 1 (3 points): VJP of the matrix product

Return `(dX, dW)` for $S = XW$ given the upstream gradient `dS` $=\bar S$.
""")

nb.solution("matmul-vjp", r"""
def matmul_vjp(X, W, dS):
    ### BEGIN SOLUTION
    dX = dS @ W.T
    dW = X.T @ dS
    return dX, dW
    ### END SOLUTION
""")

nb.tests("matmul-vjp-tests", 3, r"""
X = rng.normal(size=(5, 3))
W = rng.normal(size=(3, 2))
dS = rng.normal(size=(5, 2))
out = matmul_vjp(X, W, dS)
check(isinstance(out, tuple) and len(out) == 2, "matmul_vjp should return a pair (dX, dW).", "return dX, dW")
check_order(out, (dS @ W.T, X.T @ dS), "matmul_vjp(X, W, dS)", ["dX", "dW"])
dX, dW = out
check_array(dX, dS @ W.T, "dX", mistakes={
    "dX has the wrong sign: the product rule gives dX = dS @ W.T, with no minus sign.": -(dS @ W.T)})
check_array(dW, X.T @ dS, "dW")
# the definition: dW is the gradient of L = sum(dS * (X @ W)) with respect to W
check_gradient(lambda W_: np.sum(dS * (X @ W_)), W, dW, "dW vs numeric differences")
### BEGIN HIDDEN TESTS
for (n, d, m) in [(1, 4, 3), (7, 2, 5), (3, 3, 3)]:
    Xh, Wh, dSh = rng.normal(size=(n, d)), rng.normal(size=(d, m)), rng.normal(size=(n, m))
    dXh, dWh = matmul_vjp(Xh, Wh, dSh)
    check_gradient(lambda W_: np.sum(dSh * (Xh @ W_)), Wh, dWh, f"dW for shapes {(n, d)} @ {(d, m)}")
    check_gradient(lambda X_: np.sum(dSh * (X_ @ Wh)), Xh, dXh, f"dX for shapes {(n, d)} @ {(d, m)}")
# Large matrices: the transposed products take milliseconds; a finite difference would need
# two products per weight (hours), so only the derived formula finishes within the time limit.
Xl, Wl, dSl = rng.normal(size=(256, 300)), rng.normal(size=(300, 200)), rng.normal(size=(256, 200))
dXl, dWl = matmul_vjp(Xl, Wl, dSl)
check_exact(dWl, Xl.T @ dSl, "dW for a 256x300 @ 300x200 product", digits=10)
check_exact(dXl, dSl @ Wl.T, "dX for a 256x300 @ 300x200 product", digits=10)
### END HIDDEN TESTS
""")

nb.md(r"""
## 2. Broadcasting and `unbroadcast`

numpy **broadcasts**: in `S + b` with `S` of shape $(N, M)$ and `b` of shape $(M,)$, `b` is
(virtually) copied to every row. The rules: align the shapes on the right; a missing leading axis
counts as size 1; an axis of size 1 is stretched to match.

```
S: (N, M)        S: (N, M)        S: (N, M)
b:    (M,)       b: (1, M)        c: (N, 1)
Z: (N, M)        Z: (N, M)        Z: (N, M)
```

A copy in the forward pass is a **sum** in the backward pass: $Z_{ij} = S_{ij} + b_j$ uses $b_j$
in every row $i$ (fan-out again), so
$$\bar b_j = \sum_i \bar Z_{ij}, \quad\text{i.e.}\quad \bar b = \mathbf 1^\top \bar Z .$$
In general, the gradient of a broadcast input is the upstream gradient **summed over the
broadcast axes** until it has the input's shape. We call that `unbroadcast`.
""")

nb.code(r"""
S = np.arange(6.0).reshape(2, 3)
b = np.array([10.0, 20.0, 30.0])
print("S + b =\n", S + b)
print("the bias was used once per row: 1^T 1 =", np.ones((2, 3)).sum(axis=0))
""")

nb.md(r"""
### Exercise 2 (2 points): `unbroadcast(grad, shape)`

Reduce `grad` to `shape` by summing (1) over the extra leading axes, then (2) with
`keepdims=True` over every axis where `shape` has size 1 but `grad` does not. If `grad` already
has `shape`, return it unchanged.
""")

nb.solution("unbroadcast", r"""
def unbroadcast(grad, shape):
    ### BEGIN SOLUTION
    grad = np.asarray(grad)
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad
    ### END SOLUTION
""")

nb.tests("unbroadcast-tests", 2, r"""
G = rng.normal(size=(4, 3))
check_array(unbroadcast(G, (3,)), G.sum(axis=0), "unbroadcast(G of shape (4, 3), (3,))", mistakes={
    "a broadcast copy turns into a SUM in the backward pass, not a mean.": G.mean(axis=0)})
check_array(unbroadcast(G, (1, 3)), G.sum(axis=0, keepdims=True), "unbroadcast(G, (1, 3))", mistakes={
    "you returned G unchanged: (1, 3) has the same number of axes as G, but size 1 on axis 0 where G has 4. "
    "Also sum (keepdims=True) over every axis where the target shape has size 1, not only the extra leading axes.": G})
check_array(unbroadcast(G, (4, 1)), G.sum(axis=1, keepdims=True), "unbroadcast(G, (4, 1))", mistakes={
    "shape (4, 1) was stretched along axis 1: sum over axis 1 (keepdims=True), not axis 0.":
        G.sum(axis=0, keepdims=True)})
check_array(unbroadcast(G, (4, 3)), G, "unbroadcast(G, (4, 3))")
### BEGIN HIDDEN TESTS
H = rng.normal(size=(2, 5, 3))
check_array(unbroadcast(H, (5, 1)), H.sum(axis=(0, 2))[:, None], "unbroadcast(H of shape (2, 5, 3), (5, 1))")
check_array(unbroadcast(H, ()), H.sum(), "unbroadcast(H, ()) (a scalar was broadcast)")
check_array(unbroadcast(H, (1, 1, 3)), H.sum(axis=(0, 1), keepdims=True), "unbroadcast(H, (1, 1, 3))")
# agree with numeric differences of a broadcast sum
c_h = rng.normal(size=(5, 1))
Wt = rng.normal(size=(2, 5, 3))
check_gradient(lambda c: np.sum(Wt * (H + c)), c_h, unbroadcast(Wt, c_h.shape), "gradient of a broadcast (5, 1) input")
### END HIDDEN TESTS
""")

nb.md(r"""
### Exercise 3 (2 points): VJP of a broadcast add

For $Z = A + B$ where either argument may be broadcast (e.g. $A$ the batch $(N, M)$, $B$ the
bias $(M,)$), return `(dA, dB)` with the shapes `a_shape` and `b_shape`.
""")

nb.solution("add-vjp", r"""
def add_vjp(a_shape, b_shape, dZ):
    ### BEGIN SOLUTION
    return unbroadcast(dZ, a_shape), unbroadcast(dZ, b_shape)
    ### END SOLUTION
""")

nb.tests("add-vjp-tests", 2, r"""
dZ = rng.normal(size=(6, 4))
out = add_vjp((6, 4), (4,), dZ)
check(isinstance(out, tuple) and len(out) == 2, "add_vjp should return a pair (dA, dB).", "return dA, dB")
check_order(out, (dZ, dZ.sum(axis=0)), "add_vjp((6, 4), (4,), dZ)", ["dA", "dB"])
check_array(out[0], dZ, "dA for Z = A + b")
check_array(out[1], dZ.sum(axis=0), "db for Z = A + b (b of shape (4,))", mistakes={
    "b was copied to every row in the forward pass: sum the bias gradient over the batch axis "
    "(unbroadcast(dZ, b_shape), i.e. dZ.sum(axis=0)); you returned dZ itself.": dZ,
    "b was broadcast along the batch axis, so its gradient is dZ summed over axis=0 (the rows), "
    "not axis=1 (the features).": dZ.sum(axis=1)})
### BEGIN HIDDEN TESTS
dA_h, dB_h = add_vjp((3, 1), (1, 5), rng.normal(size=(3, 5)))
check(dA_h.shape == (3, 1) and dB_h.shape == (1, 5), "add_vjp((3, 1), (1, 5), ...) returns the wrong shapes.",
      "both arguments can be broadcast: unbroadcast both.")
A_h, b_h, C_h = rng.normal(size=(5, 2)), rng.normal(size=(2,)), rng.normal(size=(5, 2))
check_gradient(lambda t: np.sum(C_h * (A_h + t)), b_h, add_vjp(A_h.shape, b_h.shape, C_h)[1], "db vs numeric")
### END HIDDEN TESTS
""")

nb.md(r"""
## 3. Reductions: sum and mean

Reductions are the mirror image: `s = x.sum(axis)` uses every $x_i$ once with coefficient 1, so
$\bar x_i = \bar s$: the gradient is **broadcast back** to the shape of $x$. If the reduction
dropped the axis (`keepdims=False`), reinsert it first (`np.expand_dims`) so that broadcasting
lines up. The mean divides by the number $n$ of reduced entries, so its VJP does too:
$\bar x = \bar s / n$. Mixing the two up (**mean vs sum**) gives gradients off by exactly the batch
size, a classic silent bug: training still runs, only with a learning rate $n$ times off.

### Exercise 4 (2 points): `sum_vjp` and `mean_vjp`

`axis` is `None` (all axes) or an int. Return the gradient with the shape `x_shape`.
""")

nb.solution("reduce-vjp", r"""
def sum_vjp(x_shape, axis, keepdims, g):
    ### BEGIN SOLUTION
    g = np.asarray(g, dtype=float)
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, x_shape).copy()
    ### END SOLUTION


def mean_vjp(x_shape, axis, keepdims, g):
    ### BEGIN SOLUTION
    n = np.prod(x_shape) if axis is None else x_shape[axis]
    return sum_vjp(x_shape, axis, keepdims, g) / n
    ### END SOLUTION
""")

nb.tests("reduce-vjp-tests", 2, r"""
x = rng.normal(size=(4, 3))
g0 = rng.normal(size=(3,))
check_array(sum_vjp((4, 3), 0, False, g0), np.tile(g0, (4, 1)), "sum_vjp((4, 3), axis=0, keepdims=False, g)")
g1 = rng.normal(size=(4, 1))
check_array(sum_vjp((4, 3), 1, True, g1), np.tile(g1, (1, 3)), "sum_vjp((4, 3), axis=1, keepdims=True, g)")
check_array(sum_vjp((4, 3), None, False, 2.0), np.full((4, 3), 2.0), "sum_vjp((4, 3), axis=None, g=2)")
check_array(mean_vjp((4, 3), 0, False, g0), np.tile(g0, (4, 1)) / 4, "mean_vjp((4, 3), axis=0, keepdims=False, g)",
            mistakes={"the mean divides by the number of entries it averages (4 rows here), so its gradient does too.":
                      np.tile(g0, (4, 1)) / 3,
                      "you returned the sum's gradient: the mean divides by n = 4 (the rows it averages), so its "
                      "gradient is the sum's divided by n (mean vs sum).": np.tile(g0, (4, 1)),
                      "you divided by all 12 entries of x: the mean over axis 0 divides by the number of entries "
                      "it averages, x_shape[axis] = 4.": np.tile(g0, (4, 1)) / 12})
### BEGIN HIDDEN TESTS
x3 = rng.normal(size=(2, 3, 4))
w3 = rng.normal(size=(2, 4))
check_gradient(lambda t: np.sum(w3 * t.mean(axis=1)), x3, mean_vjp(x3.shape, 1, False, w3), "mean_vjp over axis 1 of a 3-d array")
check_gradient(lambda t: 3.0 * t.mean(), x3, mean_vjp(x3.shape, None, False, 3.0), "mean_vjp over all axes")
check_gradient(lambda t: np.sum(w3[:, None, :] * t.sum(axis=1, keepdims=True)), x3,
               sum_vjp(x3.shape, 1, True, w3[:, None, :]), "sum_vjp with keepdims")
big = (300, 400)
gb = rng.normal(size=(400,))
check_exact(mean_vjp(big, 0, False, gb), np.broadcast_to(gb / 300, big), "mean_vjp of a 300x400 array",
            digits=10)
### END HIDDEN TESTS
""")

nb.md(r"""
## 4. Elementwise functions: ReLU

For an elementwise $H = \phi(Z)$ the Jacobian is diagonal, so the VJP is an elementwise product:
$\bar Z = \bar H \odot \phi'(Z)$. For $\mathrm{ReLU}(z) = \max(z, 0)$, $\phi'(z) = [z > 0]$
(we use $\phi'(0) = 0$, as PyTorch does): the gradient passes where the **input** was positive and
is blocked elsewhere. The mask comes from the forward input $Z$ (or equivalently the output
$H > 0$), never from the upstream gradient.

### Exercise 5 (2 points): `relu_vjp(Z, dH)`
""")

nb.code(r"""
def relu(Z):
    return np.maximum(Z, 0.0)
""", role="both")

nb.solution("relu-vjp", r"""
def relu_vjp(Z, dH):
    ### BEGIN SOLUTION
    return dH * (Z > 0)
    ### END SOLUTION
""")

nb.tests("relu-vjp-tests", 2, r"""
Z = np.array([[1.5, -2.0, 0.0], [-0.5, 3.0, 2.0]])
dH = np.array([[-1.0, 2.0, 5.0], [4.0, -3.0, 0.5]])
check_array(relu_vjp(Z, dH), np.array([[-1.0, 0.0, 0.0], [0.0, -3.0, 0.5]]), "relu_vjp(Z, dH)", mistakes={
    "the ReLU mask must come from the forward input Z (Z > 0), not from the upstream gradient dH.": dH * (dH > 0),
    "multiply the upstream gradient dH by the mask [Z > 0]; you returned the mask (or relu) itself.": (Z > 0) * 1.0,
    "at Z = 0 the course uses relu'(0) = 0: use Z > 0, not Z >= 0.": dH * (Z >= 0),
    "you returned relu(Z) * dH: the derivative is the mask [Z > 0], not Z.": relu(Z) * dH,
})
### BEGIN HIDDEN TESTS
Zh = rng.normal(size=(6, 4))
Ch = rng.normal(size=(6, 4))
check_gradient(lambda t: np.sum(Ch * relu(t)), Zh, relu_vjp(Zh, Ch), "relu_vjp vs numeric differences")
# Just beside the kink: relu'(z) is 1 for z = 1e-9 > 0 (a finite difference would give about 0.5).
Zk = np.array([[1e-9, -1e-9, 2.0], [-3.0, 5e-10, -5e-10]])
check_array(relu_vjp(Zk, np.ones((2, 3))), (Zk > 0) * 1.0, "relu_vjp right beside the kink z = 0",
            atol=1e-12)
### END HIDDEN TESTS
""")

nb.md(r"""
## 5. A dense layer, backwards

Chain the pieces for $L = \sum_{ij} C_{ij}\,\mathrm{ReLU}(XW + b)_{ij}$ (the fixed weights $C$ stand
in for "the rest of the network": $\bar H = C$). Forward: $S = XW$, $Z = S + b$, $H =
\mathrm{ReLU}(Z)$. Backward, in reverse order: $\bar Z$ from `relu_vjp`, then $(\bar S, \bar b)$
from `add_vjp`, then $(\bar X, \bar W)$ from `matmul_vjp`.

### Exercise 6 (2 points): `dense_relu_grads(X, W, b, C)`

Return `(dW, db)` by composing your VJPs.
""")

nb.solution("dense-grads", r"""
def dense_relu_grads(X, W, b, C):
    S = X @ W
    Z = S + b
    ### BEGIN SOLUTION
    dZ = relu_vjp(Z, C)
    dS, db = add_vjp(S.shape, b.shape, dZ)
    _, dW = matmul_vjp(X, W, dS)
    return dW, db
    ### END SOLUTION
""")

nb.md(r"""
The reference engine does all of this for us: `course.grad` differentiates ordinary numpy code,
including dictionaries of parameters. We use it to check the hand-composed layer.
""")

nb.tests("dense-grads-tests", 2, r"""
def dense_loss(params, X, C):
    return np.sum(C * np.maximum(X @ params["W"] + params["b"], 0.0))

X = rng.normal(size=(8, 4))
params = {"W": rng.normal(size=(4, 3)), "b": rng.normal(size=(3,))}
C = rng.normal(size=(8, 3))
reference = course.grad(dense_loss)(params, X, C)
out = dense_relu_grads(X, params["W"], params["b"], C)
check(isinstance(out, tuple) and len(out) == 2, "dense_relu_grads should return (dW, db).", "return dW, db")
check_order(out, (reference["W"], reference["b"]), "dense_relu_grads(X, W, b, C)", ["dW", "db"])
check_array(out[0], reference["W"], "dW of the dense ReLU layer", mistakes={
    "the gradient skipped the ReLU: first dZ = relu_vjp(Z, C), then pass dZ (not C) to add_vjp and matmul_vjp.":
        X.T @ C})
check_array(out[1], reference["b"], "db of the dense ReLU layer", batch=len(X), mistakes={
    "the gradient skipped the ReLU: first dZ = relu_vjp(Z, C), then pass dZ (not C) to add_vjp and matmul_vjp.":
        C.sum(axis=0)})
### BEGIN HIDDEN TESTS
Xh, Wh, bh, Ch = rng.normal(size=(3, 6)), rng.normal(size=(6, 2)), rng.normal(size=(2,)), rng.normal(size=(3, 2))
dWh, dbh = dense_relu_grads(Xh, Wh, bh, Ch)
check_gradient(lambda t: dense_loss({"W": t, "b": bh}, Xh, Ch), Wh, dWh, "dW (other shapes) vs numeric")
check_gradient(lambda t: dense_loss({"W": Wh, "b": t}, Xh, Ch), bh, dbh, "db (other shapes) vs numeric")
### END HIDDEN TESTS
""")

nb.md(r"""
### Gradient checking in practice, and kinks

`course.gradcheck.check_grad(f, x, analytic)` compares an analytic gradient with central
differences and reports the largest **relative error** $\frac{|a - n|}{|a| + |n|}$. In float64,
about $10^{-7}$ or less means correct; $10^{-2}$ or more means a bug. One caveat: ReLU has a
**kink** at 0. If a pre-activation lies within the difference step $\varepsilon$ of 0, the two
evaluations $f(x\pm\varepsilon)$ fall on different sides of the kink and the numeric derivative
is meaningless there, although the analytic one is fine:
""")

nb.code(r"""
from course.gradcheck import check_grad


def layer_loss(W, X, b, C):
    return np.sum(C * np.maximum(X @ W + b, 0.0))


Xg, Wg, Cg = rng.normal(size=(5, 4)), rng.normal(size=(4, 3)), rng.normal(size=(5, 3))
bg = rng.normal(size=3)
dWg, _ = dense_relu_grads(Xg, Wg, bg, Cg)
print(check_grad(lambda t: layer_loss(t, Xg, bg, Cg), Wg, dWg, name="dW").message)

# Move one pre-activation to 1e-7, inside the step eps = 1e-6 of the numeric difference.
b_kink = bg.copy()
b_kink[0] -= (Xg @ Wg + bg)[0, 0] - 1e-7
dW_kink, _ = dense_relu_grads(Xg, Wg, b_kink, Cg)
print(check_grad(lambda t: layer_loss(t, Xg, b_kink, Cg), Wg, dW_kink, name="dW at a kink").message)
""", role="demo")

nb.md(r"""
Gradient checks therefore use random inputs (where landing within $10^{-6}$ of a kink is
unlikely), few data points, and float64. The hidden tests of every notebook in this course do
exactly that.

""")

nb.md(r"""
## 6. `course.grad` on plain numpy code

From now on we will mostly let the engine differentiate. `course.grad(f)` returns a function with
the same arguments as `f` that returns the gradient with respect to the first argument (which can
be an array, a float, or a dict/tuple of arrays; the gradient has the same structure).

### Exercise 7 (2 points): linear regression with `course.grad`

Write the mean squared error of a linear model in plain numpy,
$$L(w, b) = \frac1N\sum_{i=1}^N (x_i^\top w + b - y_i)^2,$$
as `mse_loss(params, X, y)` with `params = {"w": ..., "b": ...}`. Then `course.grad(mse_loss)`
gives its gradient; the test compares it with the formula
$\bar w = \frac2N X^\top r$, $\bar b = \frac 2N \mathbf 1^\top r$ for the residual $r = Xw + b - y$.
""")

nb.solution("mse-loss", r"""
def mse_loss(params, X, y):
    ### BEGIN SOLUTION
    residual = X @ params["w"] + params["b"] - y
    return np.mean(residual**2)
    ### END SOLUTION
""")

nb.tests("mse-loss-tests", 2, r"""
Xr = rng.normal(size=(20, 2))
yr = rng.normal(size=20)
pr = {"w": np.array([0.5, -1.0]), "b": 0.3}
r = Xr @ pr["w"] + pr["b"] - yr
check_scalar(mse_loss(pr, Xr, yr), np.mean(r**2), "mse_loss(params, X, y)",
             mistakes={"the mean squared error averages over the N examples: np.mean, not np.sum (mean vs sum).": np.sum(r**2),
                       "the MSE is the mean of the squares, np.mean(r**2), not the square of the mean, np.mean(r)**2.":
                           np.mean(r) ** 2,
                       "the prediction is X @ w + b: you left out the bias b.": np.mean((Xr @ pr["w"] - yr) ** 2)})
g = course.grad(mse_loss)(pr, Xr, yr)
check_array(g["w"], 2 / 20 * Xr.T @ r, "course.grad(mse_loss)['w']")
check_scalar(g["b"], 2 / 20 * r.sum(), "course.grad(mse_loss)['b']")
### BEGIN HIDDEN TESTS
Xq, yq = rng.normal(size=(7, 3)), rng.normal(size=7)
pq = {"w": rng.normal(size=3), "b": -0.2}
rq = Xq @ pq["w"] + pq["b"] - yq
gq = course.grad(mse_loss)(pq, Xq, yq)
check_array(gq["w"], 2 / 7 * Xq.T @ rq, "gradient w (other data)")
check_scalar(gq["b"], 2 / 7 * rq.sum(), "gradient b (other data)")
### END HIDDEN TESTS
""")

nb.md(r"""
With the gradient in hand, gradient descent fits the model: repeat
$\theta \leftarrow \theta - \eta\,\nabla L(\theta)$.
""")

nb.code(r"""
N = 100
x_data = rng.uniform(-3, 3, size=(N, 1))
y_data = 1.7 * x_data[:, 0] - 0.8 + rng.normal(scale=0.5, size=N)
params = {"w": np.zeros(1), "b": 0.0}
value_and_grad = course.value_and_grad(mse_loss)
losses = []
for step in range(100 if GRADING else 200):
    loss, g = value_and_grad(params, x_data, y_data)
    losses.append(float(loss))
    params = {k: params[k] - 0.05 * g[k] for k in params}

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
ax1.semilogy(losses); ax1.set_xlabel("step"); ax1.set_ylabel("MSE"); ax1.set_title("training loss")
ax2.plot(x_data[:, 0], y_data, ".", alpha=0.5, label="data (true w = 1.7, b = -0.8)")
grid = np.linspace(-3, 3, 2)
ax2.plot(grid, params["w"][0] * grid + params["b"], "r-", label=f"fit: w = {params['w'][0]:.2f}, b = {float(params['b']):.2f}")
ax2.legend(); plt.show()
""", role="demo")

nb.md(r"""
## Summary

* The gradient of a scalar with respect to an array has the array's shape; reverse mode only
  needs **VJPs**, never full Jacobians.
* Matrix product: $\bar X = \bar S W^\top$, $\bar W = X^\top \bar S$ (check with shapes).
* Broadcasting copies, so its VJP **sums** (`unbroadcast`): the bias gradient is
  $\bar b = \mathbf 1^\top \bar Z$, summed over the batch.
* Reductions broadcast the gradient back; the mean also divides by $n$ (mean vs sum).
* ReLU passes the gradient where its input was positive.

`course` has one rule per primitive in a table (`course.autodiff.rules`) with one shared
`unbroadcast`, exactly as you just wrote them. Next: **05 · linear models by AD**.
""")

if __name__ == "__main__":
    print(nb.write(), nb.total_points, "points")
