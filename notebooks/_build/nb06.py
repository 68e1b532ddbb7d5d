"""Generate notebooks/06-layers.ipynb (run: python notebooks/_build/nb06.py)."""

from nbtools import Notebook

nb = Notebook("06-layers", course_modules=[])

nb.md(r"""
# 06 · Layers with forward and backward, and gradient checks

**Total: {TOTAL_POINTS} points.** Fill in every cell that contains `YOUR CODE HERE`, then run the
test cell below it: a failing test tells you what is wrong and gives a hint. Some tests are hidden
and only run when your work is graded, so make your code work for any input, not just the example.

A neural network is a chain of **layers**. Reverse-mode AD (notebooks 03-04) works one primitive at
a time; a *layer library* does the same thing one layer at a time, with the backward pass of each
layer written by hand. That is how the first deep-learning libraries worked, and how you should
understand every framework's autograd: each layer knows

* `forward(x)`: compute its output, and **remember** what the backward pass will need;
* `backward(grad_output)`: given $\partial L/\partial \text{output}$ (same shape as the output), return
  $\partial L/\partial x$ (same shape as the input), and store the gradients of its parameters.

Chaining the backward calls in reverse order is backpropagation. In this notebook you write the
layers of a multilayer perceptron: `Dense` (with Xavier initialisation), `ReLU`, `Sigmoid`, `Tanh`
and the numerically stable softmax cross-entropy loss, and you check every backward pass
against **numeric gradients**.
""")

nb.code(r"""
import os

import matplotlib.pyplot as plt
import numpy as np

import course

GRADING = bool(os.environ.get("NBGRADER_EXECUTION"))  # set by nbgrader while grading
rng = np.random.default_rng(0)
np.set_printoptions(precision=5, suppress=True)
""", role="both")

nb.code(r"""
# The helpers the test cells use to check your answers and explain what is wrong.
from course.checks import check, check_array, check_exact, check_gradient, check_order, check_scalar
""", role="trusted")

nb.code(r"""
class Layer:
    # The contract every layer follows.
    #   forward(x)            -> output; remembers what backward needs (e.g. self.x = x)
    #   backward(grad_output) -> grad_input, and fills self.grads[name] for each self.params[name]
    def __init__(self):
        self.params = {}
        self.grads = {}

    def forward(self, x):
        raise NotImplementedError

    def backward(self, grad_output):
        raise NotImplementedError
""")

nb.md(r"""
## 1. Initialisation: Xavier (Glorot)

A Dense layer computes $y = xW + b$ for a batch $x\in\mathbb{R}^{N\times n_\text{in}}$, with
$W\in\mathbb{R}^{n_\text{in}\times n_\text{out}}$ and $b\in\mathbb{R}^{n_\text{out}}$. If the entries of
$x$ have variance 1 and those of $W$ variance $\sigma^2$, each output is a sum of $n_\text{in}$ terms
and has variance $n_\text{in}\sigma^2$; in the backward pass each input gradient sums
$n_\text{out}$ terms, variance $n_\text{out}\sigma^2$. To keep signals from exploding or vanishing
in both directions, Glorot and Bengio (2010) compromise:
$$\sigma^2 = \frac{2}{n_\text{in} + n_\text{out}} \qquad\text{(Xavier / Glorot normal)}.$$
(For ReLU networks He et al. use $\sigma^2 = 2/n_\text{in}$, because ReLU zeroes half the signal;
notebook 08 compares them.) Biases start at zero.

### Exercise 1 (1 point): Xavier initialisation

Return a weight matrix of shape `(n_in, n_out)` drawn as
`rng.normal(0.0, std, size=(n_in, n_out))` with the Xavier standard deviation.
""")

nb.solution("xavier-init", r"""
def xavier_init(n_in, n_out, rng):
    ### BEGIN SOLUTION
    std = np.sqrt(2.0 / (n_in + n_out))
    return rng.normal(0.0, std, size=(n_in, n_out))
    ### END SOLUTION
""")

nb.tests("xavier-init-tests", 1, r"""
def _draw(std, shape, seed):
    return np.random.default_rng(seed).normal(0.0, std, size=shape)


def _xavier_mistakes(n_in, n_out, seed):
    return {
        "that is the variance 2 / (n_in + n_out) used as the standard deviation: take np.sqrt.":
            _draw(2.0 / (n_in + n_out), (n_in, n_out), seed),
        "that is the He initialisation sqrt(2 / n_in); Xavier averages fan-in and fan-out: sqrt(2 / (n_in + n_out)).":
            _draw(np.sqrt(2.0 / n_in), (n_in, n_out), seed),
        "that is sqrt(1 / n_in) (LeCun); Xavier uses sqrt(2 / (n_in + n_out)).":
            _draw(np.sqrt(1.0 / n_in), (n_in, n_out), seed),
    }


W0 = xavier_init(30, 10, np.random.default_rng(1))
check_array(W0, _draw(np.sqrt(2.0 / 40), (30, 10), 1), "xavier_init(30, 10, default_rng(1))",
            mistakes=_xavier_mistakes(30, 10, 1))
### BEGIN HIDDEN TESTS
Wbig = xavier_init(400, 600, np.random.default_rng(7))
check(Wbig.shape == (400, 600), f"xavier_init(400, 600) has shape {Wbig.shape}.", "shape (n_in, n_out).")
check(abs(Wbig.std() / np.sqrt(2 / 1000) - 1) < 0.02 and abs(Wbig.mean()) < 0.003,
      f"the entries of xavier_init(400, 600) have std {Wbig.std():.4f}, expected about {np.sqrt(2 / 1000):.4f}.",
      "std = sqrt(2 / (n_in + n_out)), mean 0.")
check_array(xavier_init(1, 5, np.random.default_rng(3)), _draw(np.sqrt(2 / 6), (1, 5), 3),
            "xavier_init(1, 5)", mistakes=_xavier_mistakes(1, 5, 3))
### END HIDDEN TESTS
""")

nb.md(r"""
## 2. The Dense layer

Forward: $Y = XW + \mathbf{1}b^\top$ (the bias row is broadcast to every example). Backward, with
$G = \partial L/\partial Y$ of shape $N\times n_\text{out}$ (notebook 04):
$$\frac{\partial L}{\partial W} = X^\top G \;(n_\text{in}\times n_\text{out}), \qquad
  \frac{\partial L}{\partial b} = \mathbf{1}^\top G = \textstyle\sum_i G_{i,:} \;(n_\text{out}), \qquad
  \frac{\partial L}{\partial X} = G W^\top \;(N\times n_\text{in}).$$
A quick way to get these right: each gradient has the shape of its variable, and there is only one
way to combine $X$, $G$ and $W$ into that shape.

### Exercise 2 (4 points): Dense forward and backward

Complete `forward` (remember the input) and `backward` (store `self.grads["W"]`, `self.grads["b"]`,
return the input gradient).
""")

nb.solution("dense", r"""
class Dense(Layer):
    def __init__(self, n_in, n_out, rng):
        super().__init__()
        self.params = {"W": xavier_init(n_in, n_out, rng), "b": np.zeros(n_out)}

    def forward(self, x):
        ### BEGIN SOLUTION
        self.x = x
        return x @ self.params["W"] + self.params["b"]
        ### END SOLUTION

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        self.grads["W"] = self.x.T @ grad_output
        self.grads["b"] = grad_output.sum(axis=0)
        return grad_output @ self.params["W"].T
        ### END SOLUTION
""")

nb.tests("dense-tests", 4, r"""
def _check_dense(n, n_in, n_out, seed):
    r = np.random.default_rng(seed)
    layer = Dense(n_in, n_out, r)
    layer.params["b"] = r.normal(size=n_out)
    x, G = r.normal(size=(n, n_in)), r.normal(size=(n, n_out))
    W, b = layer.params["W"].copy(), layer.params["b"].copy()
    check_array(layer.forward(x), x @ W + b, f"Dense.forward (batch {n}, {n_in} -> {n_out})")
    dx = layer.backward(G)
    dW, db = layer.grads.get("W"), layer.grads.get("b")
    def f_x(x_):
        return np.sum(layer.forward(x_) * G)
    def f_W(W_):
        layer.params["W"] = W_
        return np.sum(layer.forward(x) * G)
    def f_b(b_):
        layer.params["b"] = b_
        return np.sum(layer.forward(x) * G)
    check_gradient(f_x, x.copy(), dx, "the input gradient returned by Dense.backward")
    check_gradient(f_W, W.copy(), dW, 'Dense.grads["W"]', mistakes={
        "dW = X.T @ grad_output: the batch axis is summed by the matrix product, not averaged.": x.T @ G / n,
        "dW = X.T @ grad_output uses the layer's input X: you used its output. Remember the input in "
        "forward (self.x = x) and use it in backward.": (x @ W + b).T @ G})
    layer.params["W"] = W
    check_gradient(f_b, b.copy(), db, 'Dense.grads["b"]', mistakes={
        "the bias was copied to every row in the forward pass: sum the bias gradient over the batch axis "
        "(grad_output.sum(axis=0)); you stored grad_output itself.": G,
        "db sums grad_output over the batch (axis 0): you averaged it, i.e. divided by the batch size.":
            G.mean(axis=0),
        "db sums grad_output over the batch axis (axis=0), not over the outputs (axis=1).": G.sum(axis=1)})


_check_dense(n=5, n_in=3, n_out=4, seed=0)
### BEGIN HIDDEN TESTS
_check_dense(n=1, n_in=6, n_out=2, seed=1)
_check_dense(n=7, n_in=4, n_out=4, seed=2)
_check_dense(n=3, n_in=1, n_out=1, seed=3)
layer = Dense(64, 32, np.random.default_rng(4))
check(np.all(layer.params["b"] == 0) and abs(layer.params["W"].std() / np.sqrt(2 / 96) - 1) < 0.1,
      "Dense.__init__ should use xavier_init and zero biases.", "do not change __init__.")
# The derived formulas to 12 digits (a finite difference is right to only 5-10).
lx = Dense(5, 3, np.random.default_rng(9))
xe, Ge = rng.normal(size=(4, 5)), rng.normal(size=(4, 3))
We = lx.params["W"].copy()
lx.forward(xe)
check_exact(lx.backward(Ge), Ge @ We.T, "Dense.backward's input gradient (exact)")
check_exact(lx.grads.get("W"), xe.T @ Ge, 'Dense.grads["W"] (exact)')
check_exact(lx.grads.get("b"), Ge.sum(axis=0), 'Dense.grads["b"] (exact)')
### END HIDDEN TESTS
""")

nb.md(r"""
## 3. Activation functions

An activation applies a scalar function $\phi$ to every entry: $y = \phi(x)$, so the Jacobian is
diagonal and the backward pass is an elementwise product:
$$\frac{\partial L}{\partial x} = \frac{\partial L}{\partial y} \odot \phi'(x).$$

| name | $\phi(x)$ | $\phi'(x)$, best written with the *output* $y$ |
|---|---|---|
| ReLU | $\max(0, x)$ | $1$ where $x > 0$, else $0$ |
| Sigmoid | $\sigma(x) = \dfrac{1}{1+e^{-x}}$ | $\sigma(x)\,(1-\sigma(x)) = y(1-y)$ |
| Tanh | $\tanh x$ | $1 - \tanh^2 x = 1 - y^2$ |

Writing $\phi'$ with the output is cheaper (no second `exp`) and is why these layers remember $y$.
A classic bug is to plug the *input* into the output formula: $x(1-x)$ instead of $y(1-y)$.
""")

nb.code(r"""
z = np.linspace(-5, 5, 400)
sig = 1 / (1 + np.exp(-z))
fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
for name, y_, dy in [("ReLU", np.maximum(z, 0), (z > 0).astype(float)),
                     ("Sigmoid", sig, sig * (1 - sig)), ("Tanh", np.tanh(z), 1 - np.tanh(z) ** 2)]:
    axes[0].plot(z, y_, label=name)
    axes[1].plot(z, dy, label=name)
axes[0].set_title(r"$\phi(x)$"); axes[1].set_title(r"$\phi'(x)$")
for a in axes:
    a.legend(); a.grid(alpha=0.3)
plt.show()
print("max of sigmoid' =", (sig * (1 - sig)).max(), "  max of tanh' =", (1 - np.tanh(z) ** 2).max())
""", role="demo")

nb.md(r"""
Note the sigmoid's derivative never exceeds $1/4$: a gradient passing through ten sigmoid layers
shrinks by at least $4^{10}\approx 10^6$. This *vanishing gradient* is measured in notebook 08.

### Exercise 3 (2 points): ReLU
""")

nb.solution("relu", r"""
class ReLU(Layer):
    def forward(self, x):
        ### BEGIN SOLUTION
        self.mask = x > 0
        return np.where(self.mask, x, 0.0)
        ### END SOLUTION

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        return grad_output * self.mask
        ### END SOLUTION
""")

nb.md(r"""
The test helper below checks any activation layer: the forward values, and the backward pass
against numeric differences of $f(x) = \sum_{ij} G_{ij}\,\phi(x)_{ij}$ (whose gradient is
$G\odot\phi'(x)$). The points are kept away from $x = 0$, where ReLU has a kink.
""")

nb.code(r"""
def check_activation(layer_cls, phi, x, G, name, mistakes=None):
    # Forward values, then backward vs numeric differences; `mistakes` maps a hint to a wrong dx.
    layer = layer_cls()
    check_array(layer.forward(x.copy()), phi(x), f"{name}.forward")
    dx = layer.backward(G)
    f = lambda x_: np.sum(layer_cls().forward(x_) * G)
    check_gradient(f, x.copy(), dx, f"{name}.backward", mistakes=mistakes)


def away_from_zero(shape, r):
    x = r.normal(size=shape)
    return x + 0.1 * np.sign(x)
""", role="trusted")

nb.tests("relu-tests", 2, r"""
def _relu_mistakes(x, G):
    return {"the ReLU mask must come from the layer's input (x > 0), not from grad_output.": G * (G > 0),
            "the backward pass multiplies grad_output by the mask; you returned the mask alone.": (x > 0) * 1.0,
            "the derivative of max(0, x) is 1 for x > 0 and 0 otherwise, so dx = grad_output * (x > 0).": G * np.maximum(x, 0)}


x_t = np.array([[1.5, -0.5, 0.3], [-2.0, 0.7, -0.1]])
G_t = np.array([[0.2, 0.4, -0.6], [1.0, -0.3, 0.5]])
check_activation(ReLU, lambda v: np.maximum(v, 0), x_t, G_t, "ReLU", _relu_mistakes(x_t, G_t))
### BEGIN HIDDEN TESTS
for shape in [(1, 1), (8, 5), (3, 4, 2)]:
    xh, Gh = away_from_zero(shape, rng), rng.normal(size=shape)
    check_activation(ReLU, lambda v: np.maximum(v, 0), xh, Gh, f"ReLU on shape {shape}", _relu_mistakes(xh, Gh))
layer = ReLU()
xh = away_from_zero((4, 3), rng)
layer.forward(xh)
check_array(layer.backward(np.ones((4, 3))), (xh > 0) * 1.0, "ReLU.backward of ones (the 0/1 mask itself)")
### END HIDDEN TESTS
""")

nb.md(r"""
### Exercise 4 (2 points): Sigmoid

Compute $\sigma$ without overflow warnings for large negative inputs: for $x<0$ use
$\sigma(x) = e^{x}/(1+e^{x})$. A simple way for both signs: `np.exp(-np.logaddexp(0, -x))`.
""")

nb.solution("sigmoid", r"""
class Sigmoid(Layer):
    def forward(self, x):
        ### BEGIN SOLUTION
        self.y = np.exp(-np.logaddexp(0.0, -x))
        return self.y
        ### END SOLUTION

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        return grad_output * self.y * (1 - self.y)
        ### END SOLUTION
""")

nb.tests("sigmoid-tests", 2, r"""
def _sigmoid(v):
    return np.exp(-np.logaddexp(0.0, -v))


def _sigmoid_mistakes(x, G):
    s = _sigmoid(x)
    return {"sigmoid'(x) = y * (1 - y) with the OUTPUT y = sigmoid(x); you used the pre-activation x in that formula.":
                G * x * (1 - x),
            "you returned y * (1 - y) without multiplying by grad_output (chain rule).": s * (1 - s),
            "sigmoid'(x) = y * (1 - y), not 1 - y**2 (that is tanh').": G * (1 - s ** 2)}


x_t = np.array([[1.5, -0.5, 0.3], [-2.0, 0.7, -0.1]])
G_t = np.array([[0.2, 0.4, -0.6], [1.0, -0.3, 0.5]])
check_activation(Sigmoid, _sigmoid, x_t, G_t, "Sigmoid", _sigmoid_mistakes(x_t, G_t))
### BEGIN HIDDEN TESTS
for shape in [(1, 1), (6, 7)]:
    xh, Gh = 3 * rng.normal(size=shape), rng.normal(size=shape)
    check_activation(Sigmoid, _sigmoid, xh, Gh, f"Sigmoid on shape {shape}", _sigmoid_mistakes(xh, Gh))
extreme = np.array([[-800.0, -30.0, 0.0, 30.0, 800.0]])
check_array(Sigmoid().forward(extreme), _sigmoid(extreme), "Sigmoid.forward at +-800", atol=1e-12)
xs_e, Gs_e = 2 * rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
ls = Sigmoid()
ys_e = _sigmoid(xs_e)
ls.forward(xs_e)
check_exact(ls.backward(Gs_e), Gs_e * ys_e * (1 - ys_e), "Sigmoid.backward (exact)")
### END HIDDEN TESTS
""")

nb.md(r"""
### Exercise 5 (2 points): Tanh
""")

nb.solution("tanh", r"""
class Tanh(Layer):
    def forward(self, x):
        ### BEGIN SOLUTION
        self.y = np.tanh(x)
        return self.y
        ### END SOLUTION

    def backward(self, grad_output):
        ### BEGIN SOLUTION
        return grad_output * (1 - self.y ** 2)
        ### END SOLUTION
""")

nb.tests("tanh-tests", 2, r"""
def _tanh_mistakes(x, G):
    return {"tanh'(x) = 1 - y**2 with the OUTPUT y = tanh(x); you used the pre-activation x.": G * (1 - x ** 2),
            "tanh'(x) = 1 - tanh(x)**2, not 1 - tanh(x).": G * (1 - np.tanh(x)),
            "you returned 1 - y**2 without multiplying by grad_output (chain rule).": 1 - np.tanh(x) ** 2}


x_t = np.array([[1.5, -0.5, 0.3], [-2.0, 0.7, -0.1]])
G_t = np.array([[0.2, 0.4, -0.6], [1.0, -0.3, 0.5]])
check_activation(Tanh, np.tanh, x_t, G_t, "Tanh", _tanh_mistakes(x_t, G_t))
### BEGIN HIDDEN TESTS
for shape in [(1, 3), (9, 2)]:
    xh, Gh = 2 * rng.normal(size=shape), rng.normal(size=shape)
    check_activation(Tanh, np.tanh, xh, Gh, f"Tanh on shape {shape}", _tanh_mistakes(xh, Gh))
xt_e, Gt_e = 2 * rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
lt = Tanh()
lt.forward(xt_e)
check_exact(lt.backward(Gt_e), Gt_e * (1 - np.tanh(xt_e) ** 2), "Tanh.backward (exact)")
### END HIDDEN TESTS
""")

nb.md(r"""
## 4. Softmax cross-entropy, stably

For logits $S\in\mathbb{R}^{N\times K}$ and integer labels $y$, the loss is the mean negative
log-probability of the right class (notebook 05). Its gradient is famously simple: with
$P = \operatorname{softmax}(S)$ row by row and $Y$ the one-hot labels,
$$L = -\frac1N\sum_i \log P_{i,y_i}, \qquad \frac{\partial L}{\partial S} = \frac{1}{N}\,(P - Y).$$

**Stability.** $e^{1000}$ overflows to `inf` and `inf/inf` is `nan`. Subtracting each row's
maximum $m_i$ changes nothing mathematically and keeps every exponent $\le 0$:
$$\log P_{ik} = (S_{ik}-m_i) - \log\sum_j e^{S_{ij}-m_i}.$$
""")

nb.code(r"""
big_logits = np.array([[1000.0, 999.0, 990.0]])
with np.errstate(all="ignore"):  # silence the overflow warnings of the naive version
    naive = np.exp(big_logits) / np.exp(big_logits).sum(axis=1, keepdims=True)
shifted = np.exp(big_logits - big_logits.max(axis=1, keepdims=True))
print("naive softmax:  ", naive)
print("shifted softmax:", shifted / shifted.sum(axis=1, keepdims=True))
""")

nb.md(r"""
### Exercise 6 (3 points): `softmax_cross_entropy(logits, y)`

Return the pair `(loss, dlogits)`: the mean loss (a float) and its gradient with respect to the
logits (shape `(N, K)`). Subtract the row maximum before exponentiating.
""")

nb.solution("softmax-ce", r"""
def softmax_cross_entropy(logits, y):
    n = logits.shape[0]
    ### BEGIN SOLUTION
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(n), y].mean()
    dlogits = np.exp(log_probs)
    dlogits[np.arange(n), y] -= 1
    return float(loss), dlogits / n
    ### END SOLUTION
""")

nb.tests("softmax-ce-tests", 3, r"""
def _check_softmax_ce(logits, y, label):
    n = len(y)
    result = softmax_cross_entropy(logits.copy(), y)
    check(isinstance(result, tuple) and len(result) == 2,
          f"softmax_cross_entropy should return (loss, dlogits), got {type(result).__name__}.",
          "end with `return loss, dlogits`.")
    reference = float(course.softmax_cross_entropy(logits, y))
    P = np.exp(logits - logits.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    Y = np.eye(logits.shape[1])[y]
    check_order(result, (reference, (P - Y) / n), f"softmax_cross_entropy ({label})", ["loss", "dlogits"])
    loss, dlogits = result
    shifted0 = logits - logits.max(axis=0, keepdims=True)  # the softmax taken over the batch axis
    log_p0 = shifted0 - np.log(np.exp(shifted0).sum(axis=0, keepdims=True))
    check_scalar(loss, reference, f"loss ({label})", rtol=1e-8, mistakes={
        "the loss is the MEAN over the batch; you summed.": n * reference,
        "the loss is -log p of the correct class (positive); check the sign.": -reference,
        "the softmax normalises each row (example) over the classes, axis=1; you normalised over the "
        "batch, axis=0.": -log_p0[np.arange(n), y].mean()})
    check_gradient(lambda s: float(course.softmax_cross_entropy(s, y)), logits.copy(), dlogits,
                   f"dlogits ({label})", mistakes={
                       "the loss is a mean over the batch, so dlogits = (P - Y) / N: you forgot to divide by N (mean vs sum).": P - Y,
                       "dlogits = (P - Y) / N: you did not subtract the one-hot labels.": P / n,
                       "dlogits = (P - Y) / N, not (Y - P) / N.": (Y - P) / n})


_check_softmax_ce(np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [1.2, 0.2, 3.0], [0.0, 0.0, 0.0]]),
                  np.array([0, 1, 2, 1]), "4 examples, 3 classes")
### BEGIN HIDDEN TESTS
_check_softmax_ce(rng.normal(size=(9, 5)) * 3, rng.integers(0, 5, size=9), "9 examples, 5 classes")
_check_softmax_ce(np.array([[0.3, -0.2]]), np.array([1]), "a single example")
# Logits in the hundreds: only the max-shifted computation is finite.
_UNSHIFTED = "softmax without the max shift overflows: subtract logits.max(axis=1, keepdims=True) before np.exp."
overflow = None
try:
    with np.errstate(all="ignore"):
        loss_big, d_big = softmax_cross_entropy(np.array([[1000.0, 999.0, 990.0], [-5.0, 800.0, 0.0]]), np.array([1, 1]))
except FloatingPointError as err:  # grading runs your code with overflow as an error
    if not ("overflow" in str(err) and "exp" in str(err)):
        raise
    overflow = str(err)
check(overflow is None, f"softmax_cross_entropy of logits around 1000 raised FloatingPointError: {overflow}.",
      _UNSHIFTED)
check(np.isfinite(loss_big) and np.all(np.isfinite(d_big)),
      f"softmax_cross_entropy of logits around 1000 gave loss {loss_big} and non-finite gradients.", _UNSHIFTED)
check_scalar(loss_big, float(course.softmax_cross_entropy(np.array([[1000.0, 999.0, 990.0], [-5.0, 800.0, 0.0]]),
                                                          np.array([1, 1]))), "loss for logits around 1000", rtol=1e-8)
logits_e, y_e = rng.normal(size=(7, 4)), rng.integers(0, 4, size=7)
P_e = np.exp(logits_e - logits_e.max(axis=1, keepdims=True))
P_e /= P_e.sum(axis=1, keepdims=True)
check_exact(softmax_cross_entropy(logits_e.copy(), y_e)[1], (P_e - np.eye(4)[y_e]) / 7,
            "dlogits (exact)")
### END HIDDEN TESTS
""")

nb.md(r"""
### A rule of your own for the engine: log-sum-exp

The engine differentiates `np.log(np.sum(np.exp(x), axis=-1))` primitive by primitive, and the
chain of rules inherits the overflow: for $x = 1000$ the forward pass is already `inf`, and the
backward pass divides `inf` by `inf`. Shifting by the row maximum fixes the forward pass, but
then the engine also differentiates the maximum, a detour through a non-smooth function. A
**custom VJP** (`jax.custom_vjp`, `torch.autograd.Function`; here `course.primitive`) gives the
engine the derivative we know instead: for $\ell = \operatorname{lse}(x) = \log\sum_j e^{x_j}$,
$$\frac{\partial \ell}{\partial x_j} = \frac{e^{x_j}}{\sum_k e^{x_k}} = e^{x_j - \ell} = \operatorname{softmax}(x)_j,$$
which is computed from the output $\ell$ without any overflow. `course.primitive(forward, vjp)`
returns a function that computes `forward` on arrays and, on the engine's Tensors, records one node
whose backward pass calls `vjp(g, ans, x)` (upstream gradient `g` of the output's shape, the output
`ans`, the input `x`) and expects the gradient with the shape of `x`.

### Exercise 7 (2 points): `lse_forward(x)` and `lse_vjp(g, ans, x)`

Log-sum-exp over the last axis: `x` has shape `(N, K)`, the result `(N,)`. Make `lse_forward`
stable with the max shift, and compute the VJP from `ans` as above (`g` has shape `(N,)`: give
it a last axis to multiply the `(N, K)` softmax).
""")

nb.solution("logsumexp", r"""
def lse_forward(x):
    ### BEGIN SOLUTION
    m = x.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(x - m).sum(axis=-1, keepdims=True)))[..., 0]
    ### END SOLUTION


def lse_vjp(g, ans, x):
    ### BEGIN SOLUTION
    return g[..., None] * np.exp(x - ans[..., None])
    ### END SOLUTION
""")

nb.tests("logsumexp-tests", 2, r"""
x_l = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]])
ref_l = np.log(np.exp(x_l).sum(axis=-1))
check_array(lse_forward(x_l), ref_l, "lse_forward(x) for a (2, 3) x", mistakes={
    "reduce over the last axis (axis=-1), one value per row.": np.log(np.exp(x_l).sum(axis=0))})
my_lse = course.primitive(lse_forward, lse_vjp, name="lse")
w_l = np.array([0.7, -1.3])
softmax_l = np.exp(x_l - ref_l[:, None])
check_gradient(lambda t: float(np.sum(w_l * np.log(np.exp(t).sum(axis=-1)))), x_l,
               course.grad(lambda t: np.sum(w_l * my_lse(t)))(x_l), "the gradient of sum(w * lse(x)) through your VJP",
               mistakes={"the VJP multiplies the softmax by the upstream gradient g (one value per row): "
                         "g[..., None] * softmax(x).": softmax_l,
                         "the derivative of log-sum-exp is the softmax exp(x - lse(x)), not exp(x).": w_l[:, None] * np.exp(x_l)})
### BEGIN HIDDEN TESTS
big = np.array([[1000.0, 999.0, -5.0], [-800.0, -801.0, -900.0]])
shift = big.max(axis=-1)
ref_big = shift + np.log(np.exp(big - shift[:, None]).sum(axis=-1))
overflow = None
try:
    with np.errstate(all="ignore"):
        val_big = lse_forward(big)
except FloatingPointError as err:  # grading runs your code with overflow as an error
    overflow = str(err)
_UNSHIFTED_LSE = "subtract each row's maximum before np.exp (and add it back after the log): exp(1000) overflows."
check(overflow is None, f"lse_forward of values around 1000 raised FloatingPointError: {overflow}.", _UNSHIFTED_LSE)
check(np.all(np.isfinite(val_big)), f"lse_forward of values around +-1000 gave {val_big}.", _UNSHIFTED_LSE)
check_array(val_big, ref_big, "lse_forward of values around +-1000")
g_big = np.array([2.0, -0.5])
check_array(lse_vjp(g_big, ref_big, big), g_big[:, None] * np.exp(big - ref_big[:, None]),
            "lse_vjp for values around +-1000 (exp(x - ans) never overflows)")
x_h = rng.normal(size=(5, 4)) * 3
w_h = rng.normal(size=5)
check_gradient(lambda t: float(np.sum(w_h * np.log(np.exp(t).sum(axis=-1)))), x_h,
               course.grad(lambda t: np.sum(w_h * my_lse(t)))(x_h), "the gradient through your VJP (5 x 4)")
### END HIDDEN TESTS
""")

nb.code(r"""
my_lse = course.primitive(lse_forward, lse_vjp, name="lse")
naive_lse = lambda t: np.log(np.sum(np.exp(t), axis=-1))
x_big = np.array([[1000.0, 999.0, -5.0]])
with np.errstate(all="ignore"):
    print("composed rules:", course.grad(lambda t: np.sum(naive_lse(t)))(x_big))
print("your rule:     ", course.grad(lambda t: np.sum(my_lse(t)))(x_big))
""", role="demo")

nb.md(r"""
## 5. Putting it together: a network, its backward pass and a gradient check

A network is a list of layers: forward runs them in order, backward in reverse order, each passing
its input gradient to the layer before. The cell below builds a small network from *your* layers,
computes all parameter gradients by backprop, and compares every one of them with numeric
differences using `course.gradcheck.check_grad` (central differences, relative error
$\max \frac{|a-n|}{|a|+|n|}$). In float64 a correct backward pass gives relative errors of about
$10^{-7}$ or smaller.
""")

nb.code(r"""
from course.gradcheck import check_grad, rel_error


def forward_all(layers, x):
    for layer in layers:
        x = layer.forward(x)
    return x


def backward_all(layers, grad):
    for layer in reversed(layers):
        grad = layer.backward(grad)
    return grad


r = np.random.default_rng(42)
X_small, y_small = r.normal(size=(6, 4)), r.integers(0, 3, size=6)
net = [Dense(4, 5, r), Tanh(), Dense(5, 5, r), ReLU(), Dense(5, 5, r), Sigmoid(), Dense(5, 3, r)]
for layer in net:
    if "b" in layer.params:
        layer.params["b"] = 0.1 * r.normal(size=layer.params["b"].shape)  # non-zero biases test more

loss, dlogits = softmax_cross_entropy(forward_all(net, X_small), y_small)
backward_all(net, dlogits)
print(f"loss = {loss:.5f}")
for i, layer in enumerate(net):
    for name, value in layer.params.items():
        def f(v, layer=layer, name=name):
            layer.params[name] = v
            return softmax_cross_entropy(forward_all(net, X_small), y_small)[0]
        report = check_grad(f, value, layer.grads[name], name=f"layer {i} ({type(layer).__name__}) {name}")
        print(f"{report.name:28s} relative error {report.max_rel_error:.1e}  {'ok' if report.passed else 'WRONG'}")
""", role="demo")

nb.md(r"""
The same network written with the engine needs no backward code at all: `course.grad`
differentiates the forward computation and must agree with your backprop.
""")

nb.code(r"""
def engine_loss(params):
    h = X_small
    for (W, b), act in zip(params, [np.tanh, lambda v: np.maximum(v, 0), course.sigmoid, None]):
        h = h @ W + b
        h = act(h) if act is not None else h
    return course.softmax_cross_entropy(h, y_small)


dense_layers = [layer for layer in net if isinstance(layer, Dense)]
params = [(layer.params["W"], layer.params["b"]) for layer in dense_layers]
ad_grads = course.grad(engine_loss)(params)
for i, (layer, (gW, gb)) in enumerate(zip(dense_layers, ad_grads)):
    print(f"Dense {i}: rel. error dW {rel_error(layer.grads['W'], gW):.1e}, db {rel_error(layer.grads['b'], gb):.1e}")
""", role="demo")

nb.md(r"""
## Summary

* A layer's backward pass maps $\partial L/\partial\,\text{output}$ to $\partial L/\partial\,\text{input}$
  and stores its parameter gradients; backprop calls them in reverse order.
* Dense: $dW = X^\top G$, $db = \sum_i G_{i,:}$, $dX = GW^\top$; activations multiply elementwise
  by $\phi'$, best expressed with the saved output.
* Softmax cross-entropy: subtract the row max; $\partial L/\partial S = (P - Y)/N$.
* Always gradient-check a hand-written backward pass on a small example.

Notebook 07 trains a two-layer network on the spiral with exactly these pieces.
""")

if __name__ == "__main__":
    print(nb.write())
