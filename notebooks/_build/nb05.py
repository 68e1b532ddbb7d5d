"""Generate notebooks/05-linear-models.ipynb (run: python notebooks/_build/nb05.py)."""

from nbtools import Notebook

nb = Notebook("05-linear-models", course_modules=["course.autodiff", "course.data", "course.plot"])

nb.md(r"""
# 05 · Linear models by automatic differentiation

**Total: {TOTAL_POINTS} points.** Fill in every cell that contains `YOUR CODE HERE`, then run the
test cell below it: a failing test tells you what is wrong and gives a hint. Some tests are hidden
and only run when your work is graded, so make your code work for any input, not just the example.

With a working AD engine, training a model only needs **the loss written as ordinary numpy code**:
`course.grad(loss)` returns its gradient, and gradient descent does the rest. In this notebook you
write the losses of three classic linear models and let AD differentiate them:

1. **logistic regression** (binary classification with probabilities), and, once, its gradient by
   hand, to see what AD saves you;
2. the **support vector machine** (hinge loss), which finds the *maximum-margin* separator;
3. the **softmax classifier** (multinomial logistic regression) on the spiral data set, which a
   linear model cannot separate: it gets stuck at about 50% accuracy, the motivation for the
   neural networks of the next notebooks.

Finally you turn the question around and differentiate with respect to the **input**: which input
does a trained classifier find most typical of a class?

The engine is `course` (you built its pieces in notebooks 02-04); `course.data` provides the data
sets and `course.plot` the pictures.
""")

nb.code(r"""
import os

import matplotlib.pyplot as plt
import numpy as np

import course
from course.data import make_blobs, make_spiral
from course.plot import plot_decision_boundary

GRADING = bool(os.environ.get("NBGRADER_EXECUTION"))  # set by nbgrader while grading
rng = np.random.default_rng(0)
np.set_printoptions(precision=5, suppress=True)
""", role="both")

nb.code(r"""
# The helpers the test cells use to check your answers, and reference losses to compare with.
from course.checks import check, check_array, check_exact, check_gradient, check_scalar
from course.nn import binary_logistic, hinge, l2_penalty, softmax_cross_entropy
""", role="trusted")

nb.md(r"""
## 1. Logistic regression

A linear model computes a **score** $s = w^\top x + b$ for an input $x\in\mathbb{R}^D$. Logistic
regression turns it into the probability of the positive class with the sigmoid,
$$p(y=1\mid x) = \sigma(s) = \frac{1}{1+e^{-s}}, \qquad p(y=0\mid x) = 1-\sigma(s) = \sigma(-s),$$
and is trained by maximising the likelihood of the labels $y_i\in\{0,1\}$, i.e. minimising the
average negative log-likelihood (the *binary cross-entropy*) plus an L2 penalty on the weights:
$$L(w,b) = \frac1N\sum_{i=1}^N \Big[-y_i\log\sigma(s_i) - (1-y_i)\log\big(1-\sigma(s_i)\big)\Big]
 + \frac{\lambda}{2}\lVert w\rVert^2 .$$

**Computing it stably.** With $\operatorname{softplus}(s) = \log(1+e^{s})$ we have
$-\log\sigma(s) = \operatorname{softplus}(-s)$ and $-\log(1-\sigma(s)) = \operatorname{softplus}(s)$,
and since $\operatorname{softplus}(-s) = \operatorname{softplus}(s) - s$ the bracket simplifies to
$$\ell_i = \operatorname{softplus}(s_i) - y_i s_i .$$
Evaluating $\log(1+e^{s})$ literally overflows for $s \gtrsim 710$; the function below uses
$\operatorname{softplus}(s) = \max(s,0) + \log(1+e^{-|s|})$, which never exponentiates a positive
number (we write $\max(s,0)$ as $(s+|s|)/2$, which has the right derivative at $s=0$ under AD). It is written with plain numpy, so the engine can differentiate it.
""")

nb.code(r"""
def softplus(s):
    # log(1 + exp(s)) without overflow: exp is only applied to -|s| <= 0.
    # max(s, 0) is written as (s + |s|) / 2 so that AD's derivative at s = 0 is exactly
    # 1/2 + 0 = sigmoid(0) (the engine takes d|s|/ds = 0 at the kink).
    return 0.5 * (s + np.abs(s)) + np.log1p(np.exp(-np.abs(s)))


def sigmoid(s):
    return 1 / (1 + np.exp(-s))


print(softplus(np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0])))
""", role="both")

nb.md(r"""
The data: two Gaussian clouds in the plane (`make_blobs`), labels 0 and 1.
""")

nb.code(r"""
X_blobs, y_blobs = make_blobs(seed=0)
print("X:", X_blobs.shape, " y:", y_blobs.shape, " classes:", np.unique(y_blobs))
fig, ax = plt.subplots(figsize=(4.5, 4))
ax.scatter(X_blobs[:, 0], X_blobs[:, 1], c=y_blobs, cmap="coolwarm", edgecolors="k", s=25)
ax.set_title("make_blobs: two classes"); ax.set_aspect("equal")
plt.show()
""")

nb.md(r"""
### Exercise 1 (2 points): the logistic loss

Implement `logistic_loss(params, X, y, reg)` where `params = {"w": w, "b": b}` (`w` of shape
`(D,)`, `b` a number), `X` has shape `(N, D)` and `y` holds 0/1 labels. Return the scalar $L(w,b)$
above: the **mean** of $\ell_i$ over the examples plus $\frac{\lambda}{2}\lVert w\rVert^2$ (the
bias is not regularised). Use `softplus` and numpy functions only (no loops, no `float(...)`):
the same code must work when `course.grad` passes Tensors in.
""")

nb.solution("logistic-loss", r"""
def logistic_loss(params, X, y, reg=0.0):
    w, b = params["w"], params["b"]
    ### BEGIN SOLUTION
    s = X @ w + b
    return np.mean(softplus(s) - y * s) + 0.5 * reg * np.sum(w * w)
    ### END SOLUTION
""")

nb.tests("logistic-loss-tests", 2, r"""
def _logistic_reference(params, X, y, reg):
    # The course's reference loss functions: (data term, penalty).
    return float(binary_logistic(X @ params["w"] + params["b"], y)), float(l2_penalty([params["w"]], reg))


def _logistic_mistakes(params, X, y, reg):
    data, penalty = _logistic_reference(params, X, y, reg)
    n = len(y)
    return {
        "you summed the per-example losses; L is their mean (divide by N, or use np.mean).":
            n * data + penalty,
        "the regularisation term is missing: add reg / 2 * sum(w**2).": data,
        "the penalty is lambda/2 * ||w||^2 (note the 1/2): you used reg * sum(w**2).":
            data + 2 * penalty,
        "only w is regularised, not the bias b.": data + penalty + 0.5 * reg * params["b"] ** 2,
        "the sign of the label term is wrong: l_i = softplus(s_i) - y_i * s_i.":
            np.mean(softplus(X @ params["w"] + params["b"]) + y * (X @ params["w"] + params["b"])) + penalty,
    }


p_test = {"w": np.array([0.5, -1.0]), "b": 0.25}
X_test = np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, -3.0]])
y_test = np.array([1, 0, 1])
value = logistic_loss(p_test, X_test, y_test, reg=0.1)
check_scalar(value, sum(_logistic_reference(p_test, X_test, y_test, 0.1)),
             "logistic_loss on a 3-example batch", mistakes=_logistic_mistakes(p_test, X_test, y_test, 0.1))
# The engine must be able to differentiate your code.
g = course.grad(logistic_loss)(p_test, X_test, y_test, 0.1)
check_gradient(lambda w: logistic_loss({"w": w, "b": 0.25}, X_test, y_test, 0.1), p_test["w"].copy(),
               g["w"], "course.grad(logistic_loss) w.r.t. w")
### BEGIN HIDDEN TESTS
Xh = rng.normal(size=(17, 4))
yh = (rng.random(17) < 0.5).astype(float)
ph = {"w": rng.normal(size=4), "b": -0.7}
check_scalar(logistic_loss(ph, Xh, yh, 0.3), sum(_logistic_reference(ph, Xh, yh, 0.3)),
             "logistic_loss (17 examples, 4 features)", mistakes=_logistic_mistakes(ph, Xh, yh, 0.3))
# Huge scores: a naive log(1 + exp(s)) overflows, softplus does not.
big = {"w": np.array([800.0]), "b": 0.0}
Xbig, ybig = np.array([[1.0], [-1.0]]), np.array([0.0, 1.0])
check_scalar(logistic_loss(big, Xbig, ybig, 0.0), 800.0, "logistic_loss with scores of +-800",
             rtol=1e-9)
gh = course.grad(logistic_loss)(ph, Xh, yh, 0.3)
check_gradient(lambda w: logistic_loss({"w": w, "b": -0.7}, Xh, yh, 0.3), ph["w"].copy(), gh["w"],
               "course.grad(logistic_loss) w.r.t. w (hidden)")
### END HIDDEN TESTS
""")

nb.md(r"""
### Exercise 2 (3 points): the same gradient by hand

AD will give us the gradient, but it is worth deriving once. With $\ell_i = \operatorname{softplus}(s_i) - y_i s_i$
and $\operatorname{softplus}'(s) = \sigma(s)$:
$$\frac{\partial \ell_i}{\partial s_i} = \sigma(s_i) - y_i \qquad\text{("prediction minus target")}.$$
Since $s = Xw + b$, the chain rule (notebook 04: $\partial L/\partial w = X^\top\,\partial L/\partial s$)
gives
$$\nabla_w L = \frac1N X^\top\big(\sigma(s) - y\big) + \lambda w, \qquad
  \frac{\partial L}{\partial b} = \frac1N\sum_i \big(\sigma(s_i)-y_i\big).$$

Implement `logistic_gradient(params, X, y, reg)` returning `{"w": ..., "b": ...}` with plain
numpy (no `course.grad`). The test compares it with the engine's gradient.
""")

nb.solution("logistic-gradient", r"""
def logistic_gradient(params, X, y, reg=0.0):
    w, b = params["w"], params["b"]
    ### BEGIN SOLUTION
    ds = (sigmoid(X @ w + b) - y) / len(y)
    return {"w": X.T @ ds + reg * w, "b": np.sum(ds)}
    ### END SOLUTION
""")

nb.tests("logistic-gradient-tests", 3, r"""
def _check_logistic_gradient(params, X, y, reg, label):
    mine = logistic_gradient(params, X, y, reg)
    check(isinstance(mine, dict) and set(mine) == {"w", "b"},
          f"logistic_gradient should return a dict with keys 'w' and 'b', got {mine!r:.80}.",
          'end with `return {"w": dw, "b": db}`.')
    # The reference: the course's loss differentiated by the course's engine (not your loss).
    ad = course.grad(lambda p: binary_logistic(X @ p["w"] + p["b"], y) + l2_penalty([p["w"]], reg))(params)
    ds = sigmoid(X @ params["w"] + params["b"]) - y
    check_array(mine["w"], ad["w"], f"gradient w.r.t. w ({label})", rtol=1e-7, mistakes={
        "you forgot the gradient of the regularisation term: add reg * w to dL/dw.": X.T @ ds / len(y),
        "the data term of the loss is a mean, so its gradient has a 1/N: X.T @ (sigmoid(s) - y) / N.":
            X.T @ ds + reg * params["w"],
        "the derivative of reg/2 * ||w||^2 is reg * w (the 2 cancels the 1/2).":
            X.T @ ds / len(y) + 0.5 * reg * params["w"],
        "dL/ds is sigmoid(s) - y (prediction minus target), not y - sigmoid(s).":
            -X.T @ ds / len(y) + reg * params["w"],
    })
    check_scalar(mine["b"], ad["b"], f"gradient w.r.t. b ({label})", rtol=1e-7, batch=len(y), mistakes={
        "the bias gradient is the mean of sigmoid(s) - y over the batch (sum it, then divide by N).":
            np.sum(ds),
        "the bias is not regularised: do not add reg * b.": np.mean(ds) + reg * params["b"],
    })


_check_logistic_gradient({"w": np.array([0.5, -1.0]), "b": 0.25},
                         np.array([[1.0, 2.0], [-1.0, 0.5], [0.0, -3.0]]), np.array([1, 0, 1]),
                         0.1, "3 examples")
### BEGIN HIDDEN TESTS
for trial in range(3):
    n_h, d_h = [(1, 1), (9, 5), (40, 3)][trial]
    Xh = rng.normal(size=(n_h, d_h))
    yh = (rng.random(n_h) < 0.5).astype(float)
    ph = {"w": rng.normal(size=d_h), "b": float(rng.normal())}
    _check_logistic_gradient(ph, Xh, yh, [0.0, 0.5, 2.0][trial], f"{n_h} examples, {d_h} features")
    ds_h = sigmoid(Xh @ ph["w"] + ph["b"]) - yh
    exact = logistic_gradient(ph, Xh, yh, [0.0, 0.5, 2.0][trial])
    check_exact(exact["w"], Xh.T @ ds_h / n_h + [0.0, 0.5, 2.0][trial] * ph["w"],
                f"gradient w.r.t. w to 11 digits ({n_h} examples)", digits=11)
### END HIDDEN TESTS
""")

nb.md(r"""
### Training by gradient descent

Gradient descent repeats $\theta \leftarrow \theta - \eta\,\nabla_\theta L(\theta)$ with a
learning rate $\eta$. We let `course.grad` compute $\nabla L$ from your loss and check once that it
agrees with your hand-derived gradient.
""")

nb.code(r"""
def gradient_descent(loss, params, *args, lr=0.5, steps=200):
    # Plain full-batch gradient descent on a dict of parameters; returns params and the losses.
    value_and_grad = course.value_and_grad(loss)
    history = []
    for _ in range(steps):
        value, grads = value_and_grad(params, *args)
        params = {k: params[k] - lr * grads[k] for k in params}
        history.append(float(value))
    return params, history


p0 = {"w": np.zeros(2), "b": 0.0}
print("AD gradient:  ", course.grad(logistic_loss)(p0, X_blobs, y_blobs, 1e-3))
print("hand gradient:", logistic_gradient(p0, X_blobs, y_blobs, 1e-3))

p_logreg, losses = gradient_descent(logistic_loss, p0, X_blobs, y_blobs, 1e-3)
acc = np.mean((X_blobs @ p_logreg["w"] + p_logreg["b"] > 0) == y_blobs)
print(f"final loss {losses[-1]:.4f}, training accuracy {acc:.1%}")

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
axes[0].plot(losses); axes[0].set_xlabel("step"); axes[0].set_ylabel("loss"); axes[0].set_title("logistic loss")
plot_decision_boundary(lambda Z: sigmoid(Z @ p_logreg["w"] + p_logreg["b"]) > 0.5, X_blobs, y_blobs,
                       ax=axes[1], title="logistic regression")
plt.show()
""", role="demo")

nb.md(r"""
## 2. The support vector machine: maximum margin

Many lines separate the two clouds. The **support vector machine** (SVM) picks the one with the
largest *margin*, the distance to the closest points. With labels $y_i\in\{-1,+1\}$ it asks for
$y_i s_i \ge 1$ for every example (correct side, with room to spare); the width of the band
$|w^\top x + b| \le 1$ is $2/\lVert w\rVert$, so a *small* $\lVert w\rVert$ means a *wide* margin. The soft-margin
SVM trades the two goals with the **hinge loss**:
$$L(w,b) = \frac{\lambda}{2}\lVert w\rVert^2 + \frac1N\sum_{i=1}^N \max\big(0,\, 1 - y_i s_i\big).$$
Points with $y_i s_i > 1$ contribute nothing: only the points on or inside the margin, the
**support vectors**, determine the solution. The hinge is not differentiable at $y_i s_i = 1$;
the engine uses a *subgradient* there (the derivative of $\max(0, u)$ at $u = 0$ is taken as 0),
which is all gradient descent needs.

### Exercise 3 (3 points): the hinge loss

Implement `hinge_loss(params, X, y, reg)` for labels `y` in $\{-1, +1\}$, with numpy functions
that the engine can differentiate (`np.maximum`, `np.mean`, `np.sum`).
""")

nb.solution("hinge-loss", r"""
def hinge_loss(params, X, y, reg=0.0):
    w, b = params["w"], params["b"]
    ### BEGIN SOLUTION
    margins = y * (X @ w + b)
    return np.mean(np.maximum(0, 1 - margins)) + 0.5 * reg * np.sum(w * w)
    ### END SOLUTION
""")

nb.tests("hinge-loss-tests", 3, r"""
def _hinge_parts(params, X, y, reg):
    # The course's reference losses: (data term, penalty, margins y_i s_i).
    s = X @ params["w"] + params["b"]
    return float(hinge(s, y)), float(l2_penalty([params["w"]], reg)), y * s


def _hinge_mistakes(params, X, y, reg):
    h, pen, m = _hinge_parts(params, X, y, reg)
    return {
        "the hinge is max(0, 1 - y * s): it must never be negative (you left out the max with 0).":
            np.mean(1 - m) + pen,
        "you summed the hinge terms; L uses their mean over the N examples.": len(y) * h + pen,
        "the regularisation term reg/2 * ||w||^2 is missing.": h,
        "the labels multiply the scores: the margin of example i is y_i * s_i.":
            float(hinge(X @ params["w"] + params["b"], np.ones(len(y)))) + pen,
        "the hinge is max(0, 1 - y * s): the margin y_i * s_i enters with a minus sign, you wrote 1 + y * s.":
            np.mean(np.maximum(0, 1 + m)) + pen,
    }


p_test = {"w": np.array([1.0, -0.5]), "b": 0.1}
X_test = np.array([[2.0, 0.0], [0.5, 1.0], [-1.0, 1.0], [0.2, 0.2]])
y_test = np.array([1, 1, -1, -1])
h, pen, _ = _hinge_parts(p_test, X_test, y_test, 0.2)
check_scalar(hinge_loss(p_test, X_test, y_test, 0.2), h + pen, "hinge_loss on 4 examples",
             mistakes=_hinge_mistakes(p_test, X_test, y_test, 0.2))
### BEGIN HIDDEN TESTS
Xh = rng.normal(size=(25, 3))
yh = np.where(rng.random(25) < 0.5, -1.0, 1.0)
ph = {"w": rng.normal(size=3), "b": 0.3}
h, pen, m = _hinge_parts(ph, Xh, yh, 0.05)
check_scalar(hinge_loss(ph, Xh, yh, 0.05), h + pen, "hinge_loss (25 examples)",
             mistakes=_hinge_mistakes(ph, Xh, yh, 0.05))
# Away from the kinks the engine's gradient of your loss must match numeric differences.
check(np.min(np.abs(1 - m)) > 1e-3, "internal: test point too close to a kink", "")
gh = course.grad(hinge_loss)(ph, Xh, yh, 0.05)
check_gradient(lambda w: hinge_loss({"w": w, "b": 0.3}, Xh, yh, 0.05), ph["w"].copy(), gh["w"],
               "course.grad(hinge_loss) w.r.t. w")
# All points far on the correct side: only the penalty remains.
far = {"w": np.array([10.0]), "b": 0.0}
check_scalar(hinge_loss(far, np.array([[1.0], [-2.0]]), np.array([1, -1]), 1.0), 50.0,
             "hinge_loss when every margin is > 1")
### END HIDDEN TESTS
""")

nb.md(r"""
Train the SVM with AD (labels mapped to $\pm1$), then draw the separating line $s=0$, the margin
lines $s=\pm1$ and circle the support vectors. A small $\lambda$ makes the margin *hard*: every point
is pushed out of the band, and the line settles in the middle of the gap.
""")

nb.code(r"""
y_pm = 2 * y_blobs - 1  # {0, 1} -> {-1, +1}
p_svm, svm_losses = gradient_descent(hinge_loss, {"w": np.zeros(2), "b": 0.0}, X_blobs, y_pm, 1e-2,
                                     lr=0.1, steps=300 if GRADING else 2000)
s = X_blobs @ p_svm["w"] + p_svm["b"]
support = y_pm * s <= 1 + 1e-2
print(f"training accuracy {np.mean(np.sign(s) == y_pm):.1%}, margin width 2/||w|| = "
      f"{2 / np.linalg.norm(p_svm['w']):.3f}, support vectors: {support.sum()}")

fig, ax = plt.subplots(figsize=(5.5, 5))
plot_decision_boundary(lambda Z: Z @ p_svm["w"] + p_svm["b"] > 0, X_blobs, y_blobs, ax=ax,
                       title="SVM: separator (solid) and margins (dashed)")
grid = np.linspace(*ax.get_xlim(), 200)
w1, w2 = p_svm["w"]
for level, style in [(0, "k-"), (1, "k--"), (-1, "k--")]:
    ax.plot(grid, (level - p_svm["b"] - w1 * grid) / w2, style, lw=1)
ax.scatter(*X_blobs[support].T, s=120, facecolors="none", edgecolors="k", label="support vectors")
ax.legend(loc="lower right"); ax.set_ylim(X_blobs[:, 1].min() - 1, X_blobs[:, 1].max() + 1)
plt.show()
""", role="demo")

nb.md(r"""
Compare with logistic regression: its loss never becomes exactly zero, so *every* point pulls on
the line, while the SVM only listens to the support vectors.

## 3. The softmax classifier on the spiral

With $K$ classes a linear classifier has one score per class, $s = xW + b$ with
$W\in\mathbb{R}^{D\times K}$. The **softmax** turns scores into probabilities and the loss is
the average negative log-probability of the correct class (cross-entropy):
$$p_k = \frac{e^{s_k}}{\sum_j e^{s_j}}, \qquad
L(W,b) = \frac1N\sum_i -\log p_{i,y_i} + \frac{\lambda}{2}\sum_{d,k} W_{dk}^2 .$$
Adding a constant $c$ to all scores of a row does not change $p$, so we subtract the row maximum
before exponentiating (otherwise $e^{s}$ overflows for scores above about 709):
$$\log p_{k} = (s_k - m) - \log\sum_j e^{s_j - m}, \qquad m = \max_j s_j .$$

### Exercise 4 (3 points): softmax loss of a linear classifier

Implement `softmax_loss(params, X, y, reg)` with `params = {"W": (D, K), "b": (K,)}` and integer
labels `y`. Pick each row's correct-class log-probability with `logp[np.arange(N), y]`. Use numpy
operations the engine differentiates (`np.max(..., axis=1, keepdims=True)`, `np.exp`, `np.log`,
`np.sum`, `np.mean`).
""")

nb.solution("softmax-loss", r"""
def softmax_loss(params, X, y, reg=0.0):
    W, b = params["W"], params["b"]
    ### BEGIN SOLUTION
    scores = X @ W + b
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    logp = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(logp[np.arange(len(y)), y]) + 0.5 * reg * np.sum(W * W)
    ### END SOLUTION
""")

nb.tests("softmax-loss-tests", 3, r"""
def _softmax_reference(params, X, y, reg):
    return float(softmax_cross_entropy(X @ params["W"] + params["b"], y)), float(l2_penalty([params["W"]], reg))


def _log_softmax(scores, axis):
    shifted = scores - np.max(scores, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def _softmax_mistakes(params, X, y, reg):
    data, pen = _softmax_reference(params, X, y, reg)
    scores = X @ params["W"] + params["b"]
    rows = np.arange(len(y))
    return {"you summed over the examples: the loss is the mean of -log p[i, y_i].": len(y) * data + pen,
            "the regularisation term reg/2 * sum(W**2) is missing.": data,
            "the loss is minus the log-probability: -log p (it must be >= 0).": -data + pen,
            "the softmax normalises each example's scores over the classes (axis=1); you normalised over "
            "the batch (axis=0).": -np.mean(_log_softmax(scores, 0)[rows, y]) + pen,
            "logp[:, y] takes every example at every label (an N x N block): pick one entry per row with "
            "logp[np.arange(N), y].": -np.mean(_log_softmax(scores, 1)[:, y]) + pen}


def _softmax_unshifted(params, X, y):
    # The loss computed without subtracting the row max (inf or nan once exp overflows).
    with np.errstate(all="ignore"):
        scores = X @ params["W"] + params["b"]
        logp = scores - np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
        return -np.mean(logp[np.arange(len(y)), y])


_UNSHIFTED = ("np.exp of the raw scores overflows for scores around 1000: you computed the softmax "
              "without subtracting the max. Use shifted = scores - np.max(scores, axis=1, keepdims=True) "
              "before np.exp.")


p_test = {"W": np.array([[1.0, -1.0, 0.5], [0.0, 2.0, -0.5]]), "b": np.array([0.1, 0.0, -0.1])}
X_test = np.array([[1.0, 0.0], [0.5, -1.0], [-1.0, 1.0], [0.0, 0.0]])
y_test = np.array([0, 2, 1, 1])
check_scalar(softmax_loss(p_test, X_test, y_test, 0.1), sum(_softmax_reference(p_test, X_test, y_test, 0.1)),
             "softmax_loss on 4 examples", mistakes=_softmax_mistakes(p_test, X_test, y_test, 0.1))
### BEGIN HIDDEN TESTS
Xh = rng.normal(size=(30, 5))
yh = rng.integers(0, 4, size=30)
ph = {"W": rng.normal(size=(5, 4)), "b": rng.normal(size=4)}
check_scalar(softmax_loss(ph, Xh, yh, 0.01), sum(_softmax_reference(ph, Xh, yh, 0.01)),
             "softmax_loss (30 examples, 4 classes)", mistakes=_softmax_mistakes(ph, Xh, yh, 0.01))
# Scores in the thousands: only the max-shifted form stays finite.
p_huge = {"W": 1000 * ph["W"], "b": ph["b"]}
overflow = None
try:
    with np.errstate(all="ignore"):
        huge = softmax_loss(p_huge, Xh, yh, 0.0)
except FloatingPointError as err:  # grading runs your code with overflow as an error
    if not ("overflow" in str(err) and "exp" in str(err)):
        raise
    overflow = str(err)
check(overflow is None, f"softmax_loss with scores around 1000 raised FloatingPointError: {overflow}.", _UNSHIFTED)
check_scalar(huge, _softmax_reference(p_huge, Xh, yh, 0.0)[0],
             "softmax_loss with scores around 1000", rtol=1e-8,
             mistakes={_UNSHIFTED: _softmax_unshifted(p_huge, Xh, yh)})
gh = course.grad(softmax_loss)(ph, Xh, yh, 0.01)
check_gradient(lambda W: softmax_loss({"W": W, "b": ph["b"]}, Xh, yh, 0.01), ph["W"].copy(), gh["W"],
               "course.grad(softmax_loss) w.r.t. W")
### END HIDDEN TESTS
""")

nb.md(r"""
Now the spiral of the CS231n notes: three classes of 100 points each, winding around the origin.
We train with full-batch gradient descent (learning rate 1, $\lambda = 10^{-3}$, 200 steps as in
the notes).
""")

nb.code(r"""
X_sp, y_sp = make_spiral(n_per_class=100, n_classes=3, seed=0)
D, K = X_sp.shape[1], 3
p_lin = {"W": 0.01 * rng.normal(size=(D, K)), "b": np.zeros(K)}
p_lin, lin_losses = gradient_descent(softmax_loss, p_lin, X_sp, y_sp, 1e-3, lr=1.0, steps=200)
train_acc = np.mean(np.argmax(X_sp @ p_lin["W"] + p_lin["b"], axis=1) == y_sp)
print(f"loss {lin_losses[0]:.3f} -> {lin_losses[-1]:.3f};  training accuracy: {train_acc:.1%}")

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
axes[0].plot(lin_losses); axes[0].set_xlabel("step"); axes[0].set_ylabel("loss")
axes[0].set_title("softmax classifier on the spiral")
plot_decision_boundary(lambda Z: np.argmax(Z @ p_lin["W"] + p_lin["b"], axis=1), X_sp, y_sp, ax=axes[1],
                       title=f"linear decision regions ({train_acc:.0%} correct)")
plt.show()
""", role="demo")

nb.md(r"""
The regions of a linear classifier are convex wedges bounded by straight lines, while each class
of the spiral winds around the origin: about half of the points land in the wrong wedge, whatever
the weights (the CS231n notes report 49%). A hidden layer fixes this in notebook 07.

## 4. Which input does the classifier like best? Gradients with respect to the input

So far we differentiated the loss with respect to the **parameters**. Nothing stops us from
differentiating a model's output with respect to its **input** instead and running gradient
*ascent* on the input:
$$x \leftarrow x + \eta\, \nabla_x f(x).$$
With $f(x) = \log p_c(x) - \mu\lVert x\rVert^2$ this finds an input that the classifier considers
most typical of class $c$ (a penalty keeps it from running off to infinity). The same idea
visualises what neurons of image networks respond to ("activation maximisation") and, with a
small step from a real image, produces *adversarial examples*.

### Exercise 5 (3 points): gradient ascent on the input

Implement `optimal_input(grad_f, x0, lr, steps)`: starting from a **copy** of `x0`, take `steps`
gradient-ascent steps on a scalar function $f$ and return the final `x` (a numpy array of
`x0`'s shape). `grad_f(x)` returns $\nabla_x f$; the caller builds it with AD, as in
`optimal_input(course.grad(f), x0)`. Do not modify `x0`.
""")

nb.solution("optimal-input", r"""
def optimal_input(grad_f, x0, lr=0.1, steps=100):
    ### BEGIN SOLUTION
    x = np.array(x0, dtype=float)
    for _ in range(steps):
        x = x + lr * grad_f(x)
    return x
    ### END SOLUTION
""")

nb.tests("optimal-input-tests", 3, r"""
# f(x) = w.x - mu ||x||^2 is maximal at x* = w / (2 mu).
w_opt, mu = np.array([1.0, -2.0, 0.5]), 0.5
f_lin = lambda x: np.sum(w_opt * x) - mu * np.sum(x * x)
x_start = np.array([0.3, 0.3, 0.3])
one = optimal_input(course.grad(f_lin), x_start, lr=0.1, steps=1)
grad_start = w_opt - 2 * mu * x_start
x_one = x_start + 0.1 * grad_start
two = optimal_input(course.grad(f_lin), x_start, lr=0.1, steps=2)
try:  # steps=2 made exactly one step: the loop runs one step too few
    short = bool(np.allclose(two, x_one))
except (TypeError, ValueError):
    short = False
check_array(one, x_one, "optimal_input after one step", mistakes={
    "you stepped against the gradient (descent): ascent is x + lr * grad f(x).": x_start - 0.1 * grad_start,
    **({"your loop makes one step too few (off by one): steps=1 made no step and steps=2 made one. "
        "`for _ in range(steps)` makes exactly `steps` steps.": x_start} if short else
       {"you returned the starting point: update x in the loop and return the updated x.": x_start}),
})
check_array(x_start, np.array([0.3, 0.3, 0.3]), "x0 after calling optimal_input", mistakes={})
check_array(optimal_input(course.grad(f_lin), x_start, lr=0.1, steps=200), w_opt / (2 * mu),
            "optimal_input after 200 steps", rtol=1e-6, atol=1e-8)
### BEGIN HIDDEN TESTS
A = np.array([[2.0, 0.5], [0.5, 1.0]])
c = np.array([1.0, -1.0])
f_quad = lambda x: np.sum(c * x) - 0.5 * np.sum(x * (x @ A))   # maximum where A x = c
X0 = np.zeros(2)
check_array(optimal_input(course.grad(f_quad), X0, lr=0.3, steps=300), np.linalg.solve(A, c),
            "optimal_input on a quadratic", rtol=1e-6, atol=1e-8)
check_array(optimal_input(course.grad(f_quad), X0, lr=0.3, steps=0), X0, "optimal_input with steps=0")
M0 = rng.normal(size=(2, 3))
M_before = M0.copy()
out = optimal_input(course.grad(lambda x: -np.sum((x - 1.0) ** 2)), M0, lr=0.25, steps=60)
check_array(out, np.ones((2, 3)), "optimal_input on a 2x3 input", rtol=1e-6, atol=1e-8)
check_array(M0, M_before, "the 2x3 x0 after calling optimal_input")
### END HIDDEN TESTS
""")

nb.md(r"""
Apply it to the trained spiral classifier: for each class $c$ start at the origin and maximise
$\log p_c(x) - \mu\lVert x\rVert^2$. For a linear model the answer points along the direction in
which class $c$'s score grows fastest relative to the others, which is exactly where its wedge
lies.
""")

nb.code(r"""
def log_prob(x, c):
    s = x @ p_lin["W"] + p_lin["b"]
    s = s - np.max(s)
    return s[c] - np.log(np.sum(np.exp(s)))


mu = 0.05
best = [optimal_input(course.grad(lambda x, c=c: log_prob(x, c) - mu * np.sum(x * x)), np.zeros(2),
                      lr=0.5, steps=200)
        for c in range(K)]
fig, ax = plt.subplots(figsize=(5, 5))
plot_decision_boundary(lambda Z: np.argmax(Z @ p_lin["W"] + p_lin["b"], axis=1), X_sp, y_sp, ax=ax,
                       title="most typical input of each class")
for c, x in enumerate(best):
    p = np.exp(log_prob(x, c))
    ax.plot(*x, marker="*", ms=20, mec="k", color=["tab:blue", "tab:red", "tab:green"][c])  # the classes' colours
    print(f"class {c}: x* = {x}, p(class {c} | x*) = {p:.3f}")
plt.show()
""", role="demo")

nb.md(r"""
## 5. Second order: a Newton step from Hessian-vector products

Gradient descent uses the slope only. **Newton's method** also uses the curvature: it jumps to the
minimum of the local quadratic model $L(\theta + d) \approx L + g^\top d + \frac12 d^\top H d$,
$$\theta \leftarrow \theta - H^{-1} g, \qquad g = \nabla L(\theta),\; H = \nabla^2 L(\theta),$$
and near the minimum of a smooth convex loss such as the logistic loss it converges
*quadratically*: the number of correct digits doubles with every step.

The engine never needs $H$ as a formula. Differentiating the gradient again in the direction $v$
gives the **Hessian-vector product** $Hv = \nabla_\theta\,\big(\nabla_\theta L(\theta)^\top v\big)$,
reverse mode over reverse mode (`course.hvp(f)(theta, v)`, built on `course.grad(course.grad(...))`),
at the cost of about two gradients. With $P$ parameters, $P$ of them give $H$ column by column
($H e_i$ is column $i$). For big models one never forms $H$ and solves $Hd = g$ with conjugate
gradients, which needs only products $Hv$; here $P = 3$, so we form it.

### Exercise 6 (2 points): `newton_step(params, X, y, reg)`

Pack `w` and `b` into one vector `theta` (`np.append(w, b)`), write the loss as a function
`f(theta)` of it (with your `logistic_loss`), get $g$ with `course.grad(f)(theta)` and the
columns of $H$ with `course.hvp(f)(theta, e_i)`, solve $H d = g$ with `np.linalg.solve`, and
return the new parameters `{"w": ..., "b": ...}` for $\theta - d$.

**AD differentiates the program, not the formula.** Our `softplus` writes $\max(s, 0)$ as
$(s+|s|)/2$ so that its first derivative at $s = 0$ is right; but $|s|$ has second derivative 0
everywhere the engine looks, so at *exactly* $s = 0$ the engine's second derivative of `softplus`
is 0 instead of $\sigma'(0) = 1/4$. At $w = 0, b = 0$ every score is 0, the computed Hessian is
just the penalty (and singular: the bias has none), and `np.linalg.solve` fails. One step away
from 0 the scores are non-zero and everything is exact, so Newton starts from $w = 0.1$.
""")

nb.solution("newton-step", r"""
def newton_step(params, X, y, reg):
    ### BEGIN SOLUTION
    theta = np.append(params["w"], params["b"])

    def f(t):
        return logistic_loss({"w": t[:-1], "b": t[-1]}, X, y, reg)

    g = course.grad(f)(theta)
    H = np.stack([course.hvp(f)(theta, e) for e in np.eye(len(theta))], axis=1)
    theta = theta - np.linalg.solve(H, g)
    return {"w": theta[:-1], "b": theta[-1]}
    ### END SOLUTION
""")

nb.code(r"""
def _newton_reference(params, X, y, reg):
    # The Newton step from the closed-form gradient and Hessian of the logistic loss.
    X1 = np.hstack([X, np.ones((len(X), 1))])
    theta = np.append(params["w"], params["b"])
    p = sigmoid(X1 @ theta)
    penalty = reg * np.append(np.ones(X.shape[1]), 0.0)
    g = X1.T @ (p - y) / len(y) + penalty * theta
    H = X1.T @ (X1 * (p * (1 - p))[:, None]) / len(y) + np.diag(penalty)
    return theta, g, H
""", role="trusted")

nb.tests("newton-step-tests", 2, r"""
X_n, y_n = make_blobs(seed=0)
p_n = {"w": np.array([0.3, -0.2]), "b": 0.1}
theta_n, g_n, H_n = _newton_reference(p_n, X_n, y_n, 0.01)
out_n = newton_step(p_n, X_n, y_n, 0.01)
check(isinstance(out_n, dict) and set(out_n) == {"w", "b"}, "newton_step should return {'w': ..., 'b': ...}.",
      'end with `return {"w": theta[:-1], "b": theta[-1]}`.')
mine_n = np.append(out_n["w"], out_n["b"])
check_array(mine_n, theta_n - np.linalg.solve(H_n, g_n), "the parameters after one Newton step (w1, w2, b)",
            rtol=1e-8, mistakes={
    "that is a gradient step (theta - g): Newton divides by the curvature, theta - solve(H, g).": theta_n - g_n,
    "the Newton step solves H d = g (d = H^-1 g); you multiplied, H @ g.": theta_n - H_n @ g_n,
    "the step goes against the gradient: theta - solve(H, g), not theta + solve(H, g).":
        theta_n + np.linalg.solve(H_n, g_n),
    "H e_i is column i of H: stack the Hessian-vector products as columns (axis=1). The logistic loss's "
    "Hessian is symmetric, so this can only differ through a wrong e_i.": theta_n - np.linalg.solve(H_n.T, g_n)})
### BEGIN HIDDEN TESTS
Xq = rng.normal(size=(30, 3))
yq = (Xq @ np.array([1.0, -2.0, 0.5]) + rng.normal(size=30) > 0).astype(float)
pq = {"w": rng.normal(size=3) * 0.1, "b": -0.3}
tq, gq, Hq = _newton_reference(pq, Xq, yq, 0.1)
out_q = newton_step(pq, Xq, yq, 0.1)
check_array(np.append(out_q["w"], out_q["b"]), tq - np.linalg.solve(Hq, gq), "one Newton step (30 examples, 3 features)",
            rtol=1e-8)
# Quadratic convergence: a few steps from near zero reach the minimum to machine precision.
pz = {"w": np.full(3, 0.1), "b": 0.0}
for _ in range(6):
    pz = newton_step(pz, Xq, yq, 0.1)
check(np.linalg.norm(_newton_reference(pz, Xq, yq, 0.1)[1]) < 1e-10,
      "six Newton steps from w = 0.1 should reach a gradient norm below 1e-10.", "check one step first (above).")
### END HIDDEN TESTS
""")

nb.code(r"""
p_gd, p_nt = {"w": np.zeros(2), "b": 0.0}, {"w": np.full(2, 0.1), "b": 0.0}  # not w = 0: see below
gd_losses, nt_losses = [], []
for step in range(8):
    nt_losses.append(float(logistic_loss(p_nt, X_blobs, y_blobs, 1e-3)))
    p_nt = newton_step(p_nt, X_blobs, y_blobs, 1e-3)
p_gd, gd_losses = gradient_descent(logistic_loss, p_gd, X_blobs, y_blobs, 1e-3, steps=200)
best = min(min(gd_losses), min(nt_losses), float(logistic_loss(p_nt, X_blobs, y_blobs, 1e-3)))
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.semilogy(np.array(gd_losses) - best + 1e-16, label="gradient descent (lr 0.5)")
ax.semilogy(np.array(nt_losses) - best + 1e-16, "o-", label="Newton (Hessian from HVPs)")
ax.set_xlabel("step"); ax.set_ylabel("loss - best loss"); ax.legend(); ax.set_title("logistic regression on the blobs")
plt.show()
print(f"after 8 Newton steps: loss {nt_losses[-1]:.12f}; after 200 gradient steps: {gd_losses[-1]:.12f}")
""", role="demo")

nb.md(r"""
## Summary

* A model is trained by writing its **loss** as numpy code; the engine supplies the gradient.
* Logistic regression: $\partial L/\partial s = \sigma(s) - y$ ("prediction minus target");
  its hand-derived gradient agrees with AD.
* The SVM's hinge loss ignores points beyond the margin; the result is the maximum-margin line
  determined by a few support vectors.
* A linear softmax classifier cannot separate the spiral (about half the points are wrong): we
  need non-linear features, i.e. a hidden layer (notebooks 06-07).
* Gradients with respect to the *input* answer a different question: which input maximises a
  score.
* Differentiating the gradient again gives Hessian-vector products; with them Newton's method
  reaches the minimum of the logistic loss in a handful of steps.
""")

if __name__ == "__main__":
    print(nb.write())
