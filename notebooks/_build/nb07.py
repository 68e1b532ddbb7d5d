"""Generate notebooks/07-two-layer-network.ipynb (run: python notebooks/_build/nb07.py)."""

from nbtools import Notebook

nb = Notebook("07-two-layer-network", course_modules=["course.data", "course.plot"])

nb.md(r"""
# 07 · A two-layer network: backprop by hand and by AD

**Total: {TOTAL_POINTS} points.** Fill in every cell that contains `YOUR CODE HERE`, then run the
test cell below it: a failing test tells you what is wrong and gives a hint. Some tests are hidden
and only run when your work is graded, so make your code work for any input, not just the example.

In notebook 05 a linear softmax classifier got only about half of the spiral right. One hidden
layer changes that:
$$h = \operatorname{ReLU}(XW_1 + b_1), \qquad S = hW_2 + b_2, \qquad
L = \frac1N\sum_i -\log \operatorname{softmax}(S_i)_{y_i} + \frac\lambda2\big(\lVert W_1\rVert^2 + \lVert W_2\rVert^2\big).$$
You will

1. derive and code the **backward pass by hand** and compare it with the engine's `course.grad`;
2. train the network on the spiral to **at least 99% training accuracy**;
3. write a **tanh** network for the two-moons data set *for AD only* (no backward code at all);
4. look at decision boundaries, sweep the hidden-layer size, and play with a small interactive
   playground.
""")

nb.code(r"""
import os

# Small matrix products run faster on one BLAS thread; with several threads on a busy shared
# machine (Binder, a grading server) training was measured 100x slower. Must be set before numpy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import time

import matplotlib.pyplot as plt
import numpy as np

import course
from course.data import make_moons, make_spiral
from course.plot import plot_decision_boundary

GRADING = bool(os.environ.get("NBGRADER_EXECUTION"))  # set by nbgrader while grading
rng = np.random.default_rng(0)
np.set_printoptions(precision=5, suppress=True)

X_sp, y_sp = make_spiral(n_per_class=100, n_classes=3, seed=0)
print("spiral:", X_sp.shape, "labels", np.bincount(y_sp))
""", role="both")

nb.code(r"""
# The helpers the test cells use to check your answers and explain what is wrong.
from course.checks import check, check_array, check_exact, check_gradient, check_scalar
""", role="trusted")

nb.md(r"""
## 1. The forward pass and the loss (given)

Parameters live in a dict so that `course.grad` returns a dict of the same structure. The
initialisation scales the weights by $\sqrt{2/n_\text{in}}$ (He et al., suited to ReLU; notebook 08
compares initialisations).
""")

nb.code(r"""
def init_two_layer(D, H, K, rng):
    return {"W1": rng.normal(0, np.sqrt(2 / D), size=(D, H)), "b1": np.zeros(H),
            "W2": rng.normal(0, np.sqrt(2 / H), size=(H, K)), "b2": np.zeros(K)}


def two_layer_scores(params, X):
    h = np.maximum(X @ params["W1"] + params["b1"], 0)
    return h @ params["W2"] + params["b2"]


def cross_entropy(scores, y):
    # Mean softmax cross-entropy, stable (the max is subtracted before exp). Plain numpy, so it
    # works on arrays and on Tensors: course.grad differentiates it like any numpy code.
    shifted = scores - np.max(scores, axis=1, keepdims=True)
    return np.mean(np.log(np.sum(np.exp(shifted), axis=1)) - shifted[np.arange(len(y)), y])


def two_layer_loss(params, X, y, reg=0.0):
    data = cross_entropy(two_layer_scores(params, X), y)
    return data + 0.5 * reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))


def train(loss_and_grads, params, X, y, reg=1e-3, lr=1.0, steps=1000):
    # Plain gradient descent with the gradients that loss_and_grads returns.
    params = {k: v.copy() for k, v in params.items()}
    losses = []
    for _ in range(steps):
        loss, grads = loss_and_grads(params, X, y, reg)
        for k in params:
            params[k] -= lr * grads[k]
        losses.append(float(loss))
    return params, losses


p_demo = init_two_layer(2, 100, 3, np.random.default_rng(0))
print("initial loss:", float(two_layer_loss(p_demo, X_sp, y_sp, 1e-3)), " log(3) =", np.log(3))
""", role="both")

nb.md(r"""
## 2. Backpropagation by hand

Name the intermediate values $Z = XW_1 + b_1$, $h = \max(Z, 0)$, $S = hW_2 + b_2$,
$P = \operatorname{softmax}(S)$. Walk the graph backwards, each step one rule from notebooks 04
and 06:

| step | gradient | shape |
|---|---|---|
| loss | $dS = (P - Y)/N$ | $N\times K$ |
| second layer | $dW_2 = h^\top dS + \lambda W_2$, $\;db_2 = \sum_i dS_{i,:}$ | $H\times K$, $K$ |
| into the hidden layer | $dh = dS\,W_2^\top$ | $N\times H$ |
| ReLU | $dZ = dh \odot [Z > 0]$ | $N\times H$ |
| first layer | $dW_1 = X^\top dZ + \lambda W_1$, $\;db_1 = \sum_i dZ_{i,:}$ | $D\times H$, $H$ |

The $\lambda W$ terms come from the regularisation $\frac\lambda2\lVert W\rVert^2$ and are easy
to forget; the ReLU mask must come from $Z$ (the layer's input), not from $dh$.

### Exercise 1 (5 points): `two_layer_loss_and_grads`

Return `(loss, grads)` where `grads` is a dict with keys `"W1", "b1", "W2", "b2"`. Plain numpy,
no `course.grad`.
""")

nb.solution("two-layer-backprop", r"""
def two_layer_loss_and_grads(params, X, y, reg=0.0):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    n = X.shape[0]
    ### BEGIN SOLUTION
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
    ### END SOLUTION
""")

nb.tests("two-layer-backprop-tests", 5, r"""
def _check_backprop(params, X, y, reg, label):
    result = two_layer_loss_and_grads({k: v.copy() for k, v in params.items()}, X, y, reg)
    check(isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], dict),
          f"two_layer_loss_and_grads should return (loss, grads_dict), got {type(result).__name__}.",
          'end with `return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}`.')
    loss, grads = result
    check(set(grads) == {"W1", "b1", "W2", "b2"}, f"grads has keys {sorted(grads)}.",
          'use the keys "W1", "b1", "W2", "b2".')
    penalty = 0.5 * reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    Z = X @ params["W1"] + params["b1"]
    S = np.maximum(Z, 0) @ params["W2"] + params["b2"]
    # What a softmax normalised over the batch (axis 0) instead of the classes produces, with the
    # maximum subtracted per row (as in the exercise) or per column:
    col_softmax = {}
    for shift_axis in (1, 0):
        E = np.exp(S - S.max(axis=shift_axis, keepdims=True))
        col_softmax[shift_axis] = -np.mean(np.log((E / E.sum(axis=0, keepdims=True))[np.arange(len(y)), y])) + penalty
    check_scalar(loss, float(two_layer_loss(params, X, y, reg)), f"loss ({label})", rtol=1e-8, mistakes={
        "the softmax normalises each row over the classes (axis=1, keepdims=True), not over the batch (axis=0).":
            col_softmax[1],
        "normalise over the classes: P /= P.sum(axis=1, keepdims=True), not axis=0 (the batch).": col_softmax[0]})
    ad = course.grad(two_layer_loss)(params, X, y, reg)
    no_reg = course.grad(two_layer_loss)(params, X, y, 0.0)
    summed = course.grad(lambda p: len(y) * two_layer_loss(p, X, y, 0.0))(params)
    # What a ReLU mask taken from the incoming gradient dh (instead of Z) produces:
    h = np.maximum(X @ params["W1"] + params["b1"], 0)
    dh = course.grad(lambda h_: course.softmax_cross_entropy(h_ @ params["W2"] + params["b2"], y))(h)
    dZ_wrong = dh * (dh > 0)
    # The per-example rows of the bias gradients (dS and dZ before the sum over the batch):
    dS = course.grad(lambda s: course.softmax_cross_entropy(s, y))(S)
    rows = {"b2": dS, "b1": (dS @ params["W2"].T) * (Z > 0)}
    mask_hint = "the ReLU mask must come from the hidden layer's input Z (Z > 0), not from the incoming gradient dh."
    for k in ["W2", "b2", "W1", "b1"]:
        mistakes = {}
        if k.startswith("W"):
            mistakes["you forgot the gradient of the regularisation term: add reg * " + k + " to d" + k + "."] = no_reg[k]
            mistakes["the derivative of reg/2 * ||W||^2 is reg * W (no extra factor 2 or 1/2)."] = no_reg[k] + 2 * reg * params[k]
            mistakes["the loss is a mean over the batch: dS = (P - Y) / N (you used the sum)."] = summed[k] + reg * params[k]
        else:
            mistakes["the loss is a mean over the batch: dS = (P - Y) / N (you used the sum)."] = summed[k]
            mistakes["sum the bias gradient over the batch axis: d" + k + " = " + ("dS" if k == "b2" else "dZ") +
                     ".sum(axis=0), because the bias was added to every row in the forward pass."] = rows[k]
            mistakes["sum the bias gradient over the batch axis (axis=0), not over the " +
                     ("classes" if k == "b2" else "hidden units") + " (axis=1): d" + k + " has one entry per " +
                     ("class." if k == "b2" else "hidden unit.")] = rows[k].sum(axis=1)
        if k == "W1":
            mistakes[mask_hint] = X.T @ dZ_wrong + reg * params["W1"]
        if k == "b1":
            mistakes[mask_hint] = dZ_wrong.sum(axis=0)
        check_array(grads[k], ad[k], f"d{k} ({label})", rtol=1e-6, atol=1e-9, mistakes=mistakes,
                    batch=None if k.startswith("W") else len(y))


r_t = np.random.default_rng(5)
p_t = init_two_layer(3, 4, 3, r_t)
p_t["b1"] = r_t.normal(size=4)
p_t["b2"] = r_t.normal(size=3)
X_t, y_t = r_t.normal(size=(6, 3)), np.array([0, 1, 2, 2, 1, 0])
_check_backprop(p_t, X_t, y_t, 0.1, "6 examples, D=3, H=4, K=3")
### BEGIN HIDDEN TESTS
for trial, (n_h, d_h, hid, k_h, reg_h) in enumerate([(1, 2, 3, 2, 0.0), (20, 5, 7, 4, 0.5), (13, 2, 50, 3, 1e-3)]):
    ph = init_two_layer(d_h, hid, k_h, rng)
    ph["b1"] = rng.normal(size=hid)
    ph["b2"] = rng.normal(size=k_h)
    Xh, yh = rng.normal(size=(n_h, d_h)), rng.integers(0, k_h, size=n_h)
    _check_backprop(ph, Xh, yh, reg_h, f"hidden test {trial}")
    _, gh = two_layer_loss_and_grads({k: v.copy() for k, v in ph.items()}, Xh, yh, reg_h)
    check_gradient(lambda w: float(two_layer_loss({**ph, "W1": w}, Xh, yh, reg_h)), ph["W1"].copy(), gh["W1"],
                   f"dW1 vs numeric differences (hidden test {trial})", tol=1e-5)
# The backward pass to 10 digits (a finite difference is right to only 5-10).
pe = init_two_layer(3, 5, 4, rng)
pe["b1"] = rng.normal(size=5)
Xe, ye = rng.normal(size=(8, 3)), rng.integers(0, 4, size=8)
exact = course.grad(two_layer_loss)(pe, Xe, ye, 0.1)
_, mine = two_layer_loss_and_grads({k: v.copy() for k, v in pe.items()}, Xe, ye, 0.1)
for k in ["W1", "b1", "W2", "b2"]:
    check_exact(mine[k], exact[k], f"d{k} to 10 digits", digits=10)
### END HIDDEN TESTS
""")

nb.md(r"""
## 3. Training on the spiral

Full-batch gradient descent with your gradients: learning rate 1, $\lambda = 10^{-3}$, 100 hidden
units. We train a second copy of the network with the engine's gradients from the same starting
point: the two loss curves must lie on top of each other.
""")

nb.code(r"""
def ad_loss_and_grads(params, X, y, reg):
    return course.value_and_grad(two_layer_loss)(params, X, y, reg)


p0 = init_two_layer(2, 100, 3, np.random.default_rng(0))
start = time.perf_counter()
p_hand, hand_losses = train(two_layer_loss_and_grads, p0, X_sp, y_sp, steps=1000)
t_hand = time.perf_counter() - start
steps_ad = 100 if GRADING else 1000
start = time.perf_counter()
p_ad, ad_losses = train(ad_loss_and_grads, p0, X_sp, y_sp, steps=steps_ad)
t_ad = time.perf_counter() - start
print(f"hand backprop: {1e3 * t_hand / 1000:.2f} ms/step, AD: {1e3 * t_ad / steps_ad:.2f} ms/step")
print(f"largest difference between the two loss curves: {np.max(np.abs(np.subtract(hand_losses[:steps_ad], ad_losses))):.1e}")

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.semilogy(hand_losses, label="hand backprop"); ax.semilogy(ad_losses, "--", label="course.grad (AD)")
ax.set_xlabel("step"); ax.set_ylabel("loss"); ax.legend(); ax.set_title("two-layer network on the spiral")
plt.show()
""", role="demo")

nb.md(r"""
### Your engine or the reference: one line

The same network trained with a `Tensor` engine instead of `course.grad`: parameters become
Tensors, the loss is built with their operations (`@`, `+`, `.relu()`, `.exp()`, `.sum(axis=...)`,
`.log()`, indexing, `.mean()`), `loss.backward()` fills every `.grad`. Both the reference
`course.Tensor` and the engine you built in notebook 04 speak this language, so the cell below
runs with either: set `ENGINE = "mine"` to train with yours (saved by the last cell of notebook 04
as `my_engine.py`).
""")

nb.code(r"""
from course.export import engine_parameter

ENGINE = "course"  # "course": the reference engine; "mine": your Tensor from notebook 04 (my_engine.py)
as_parameter = engine_parameter(ENGINE)


def tensor_loss(P, X, y, reg):
    scores = (X @ P["W1"] + P["b1"]).relu() @ P["W2"] + P["b2"]
    shifted = scores - scores.value.max(axis=1, keepdims=True)  # a constant shift
    data = (shifted.exp().sum(axis=1).log() - shifted[np.arange(len(y)), y]).mean()
    return data + 0.5 * reg * ((P["W1"] * P["W1"]).sum() + (P["W2"] * P["W2"]).sum())


def train_with_engine(params, X, y, steps, reg=1e-3, lr=1.0):
    for _ in range(steps):
        P = {k: as_parameter(v) for k, v in params.items()}
        tensor_loss(P, X, y, reg).backward()
        params = {k: params[k] - lr * np.asarray(P[k].grad) for k in params}
    return params


start = time.perf_counter()
p_engine = train_with_engine(init_two_layer(2, 100, 3, np.random.default_rng(0)), X_sp, y_sp, 1000)
h_engine = np.maximum(X_sp @ p_engine["W1"] + p_engine["b1"], 0) @ p_engine["W2"] + p_engine["b2"]
print(f"ENGINE = {ENGINE!r}: 1000 steps in {time.perf_counter() - start:.1f} s, "
      f"training accuracy {np.mean(np.argmax(h_engine, axis=1) == y_sp):.1%}")
""", role="demo")

nb.md(r"""
The graph your network's loss makes, drawn by `course.draw` for 4 examples (hover over a node for
its value and its adjoint, $\partial L/\partial v$): every operation of `two_layer_loss`, from the
parameters on the left to the loss on the right.
""")

nb.code(r"""
P = {k: course.Tensor(v, requires_grad=True) for k, v in p_hand.items()}
loss_graph = two_layer_loss(P, X_sp[:4], y_sp[:4], 1e-3)
display(course.draw(loss_graph, names=P))
""", role="demo")

nb.md(r"""
### Exercise 2 (2 points): predictions and accuracy

Implement `predict(params, X)` returning the predicted class of every row (an integer array of
shape `(N,)`: the index of the largest score). The test also checks that your trained network
classifies at least 99% of the spiral's training points correctly.
""")

nb.solution("predict", r"""
def predict(params, X):
    ### BEGIN SOLUTION
    return np.argmax(two_layer_scores(params, X), axis=1)
    ### END SOLUTION
""")

nb.tests("predict-tests", 2, r"""
p_small = {"W1": np.eye(2), "b1": np.zeros(2), "W2": np.array([[1.0, 0.0, 0.6], [0.0, 1.0, 0.6]]), "b2": np.zeros(3)}
X_small = np.array([[2.0, 0.0], [0.0, 3.0], [1.0, 1.0], [-1.0, -1.0]])
scores_small = two_layer_scores(p_small, X_small)
check_array(predict(p_small, X_small), np.array([0, 1, 2, 0]), "predict on 4 points", mistakes={
    "take the argmax over the classes (axis=1), one prediction per example.": np.argmax(scores_small, axis=0),
    "np.argmax without axis= returns one index into the flattened scores: take the argmax over the classes (axis=1), "
    "one prediction per example.": np.argmax(scores_small),
    "return the index of the largest score (np.argmax), not the score itself.": np.max(scores_small, axis=1)})
# Train the network with your gradients (exercise 1), then classify the spiral with predict.
p_trained, _ = train(two_layer_loss_and_grads, init_two_layer(2, 100, 3, np.random.default_rng(0)),
                     X_sp, y_sp, steps=1000)
pred_sp = np.asarray(predict(p_trained, X_sp))
best_sp = np.argmax(two_layer_scores(p_trained, X_sp), axis=1)
train_acc = np.mean(pred_sp == y_sp)
print(f"training accuracy on the spiral: {train_acc:.1%}")
check(np.mean(best_sp == y_sp) >= 0.99,
      "trained with your gradients, the network classifies less than 99% of the spiral correctly.",
      "check the gradients of exercise 1 (their test above).")
agree = np.mean(pred_sp == best_sp) if pred_sp.shape == best_sp.shape else 0.0
check(train_acc >= 0.99, f"your predict classifies only {train_acc:.1%} of the spiral correctly (need >= 99%); "
      f"it agrees with the largest score of each row on {agree:.1%} of the points.")
### BEGIN HIDDEN TESTS
ph = init_two_layer(4, 6, 5, rng)
Xh = rng.normal(size=(11, 4))
check_array(predict(ph, Xh), np.argmax(two_layer_scores(ph, Xh), axis=1), "predict (11 points, 5 classes)")
### END HIDDEN TESTS
""")

nb.code(r"""
lin = {"W": np.zeros((2, 3)), "b": np.zeros(3)}
lin_loss = lambda p: course.softmax_cross_entropy(X_sp @ p["W"] + p["b"], y_sp) + 0.5e-3 * np.sum(p["W"] ** 2)
for _ in range(200):  # the linear classifier of notebook 05, for comparison
    g = course.grad(lin_loss)(lin)
    lin = {k: lin[k] - 1.0 * g[k] for k in lin}
lin_acc = np.mean(np.argmax(X_sp @ lin["W"] + lin["b"], axis=1) == y_sp)

fig, axes = plt.subplots(1, 2, figsize=(10, 4.5))
plot_decision_boundary(lambda Z: np.argmax(Z @ lin["W"] + lin["b"], axis=1), X_sp, y_sp, ax=axes[0],
                       title=f"linear softmax: {lin_acc:.0%}")
plot_decision_boundary(lambda Z: predict(p_hand, Z), X_sp, y_sp, ax=axes[1],
                       title=f"two-layer ReLU network: {np.mean(predict(p_hand, X_sp) == y_sp):.0%}")
plt.show()
""", role="demo")

nb.md(r"""
The hidden layer bends the boundaries: 100 ReLU units give a piecewise-linear function of the input
with many pieces, enough to follow the arms of the spiral.

## 4. Two moons and tanh, with AD only

Once the loss is written in numpy, AD removes the backward pass entirely. The two-moons data set
(two interleaving half circles) is the example of Denny Britz's "Neural network from scratch":
a hidden layer with **tanh** activation,
$$S = \tanh(XW_1 + b_1)\,W_2 + b_2 ,$$
and the same softmax cross-entropy plus $\frac\lambda2(\lVert W_1\rVert^2+\lVert W_2\rVert^2)$.

### Exercise 3 (3 points): `tanh_net_loss`

Write the loss with numpy functions only (`np.tanh`, `@`, ...) and `cross_entropy` from
section 1 (stable, the mean over the batch). No backward code: the test differentiates your
function with `course.grad` and compares with numeric differences.
""")

nb.solution("tanh-net", r"""
def tanh_net_loss(params, X, y, reg=0.0):
    ### BEGIN SOLUTION
    h = np.tanh(X @ params["W1"] + params["b1"])
    scores = h @ params["W2"] + params["b2"]
    penalty = 0.5 * reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    return cross_entropy(scores, y) + penalty
    ### END SOLUTION
""")

nb.tests("tanh-net-tests", 3, r"""
def _tanh_reference(params, X, y, reg):
    scores = np.tanh(X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
    return float(course.softmax_cross_entropy(scores, y)), 0.5 * reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))


def _check_tanh_net(params, X, y, reg, label):
    data, pen = _tanh_reference(params, X, y, reg)
    relu_scores = np.maximum(X @ params["W1"] + params["b1"], 0) @ params["W2"] + params["b2"]
    value = tanh_net_loss(params, X, y, reg)
    check_scalar(float(value) if isinstance(value, course.Tensor) else value, data + pen, f"tanh_net_loss ({label})",
                 rtol=1e-8, mistakes={
                     "the regularisation term reg/2 * (||W1||^2 + ||W2||^2) is missing.": data,
                     "regularise both weight matrices: reg/2 * (||W1||^2 + ||W2||^2).":
                         data + 0.5 * reg * np.sum(params["W2"] ** 2),
                     "the penalty has a factor 1/2: reg/2 * ||W||^2.": data + 2 * pen,
                     "the hidden layer of this network is tanh: h = np.tanh(X @ W1 + b1), not the ReLU np.maximum(..., 0).":
                         float(course.softmax_cross_entropy(relu_scores, y)) + pen,
                     "regularise the weights only: the penalty reg/2 * (||W1||^2 + ||W2||^2) leaves the biases b1, b2 out.":
                         data + pen + 0.5 * reg * (np.sum(params["b1"] ** 2) + np.sum(params["b2"] ** 2))})
    g = course.grad(tanh_net_loss)(params, X, y, reg)
    for k in ["W1", "b1"]:
        check_gradient(lambda v: float(tanh_net_loss({**params, k: v}, X, y, reg)), params[k].copy(), g[k],
                       f"course.grad(tanh_net_loss)[{k!r}] ({label})")


r_t = np.random.default_rng(3)
p_t = {"W1": r_t.normal(size=(2, 3)), "b1": r_t.normal(size=3), "W2": r_t.normal(size=(3, 2)), "b2": r_t.normal(size=2)}
_check_tanh_net(p_t, r_t.normal(size=(5, 2)), np.array([0, 1, 1, 0, 1]), 0.1, "5 examples")
### BEGIN HIDDEN TESTS
ph = {"W1": rng.normal(size=(4, 6)), "b1": rng.normal(size=6), "W2": rng.normal(size=(6, 3)), "b2": rng.normal(size=3)}
_check_tanh_net(ph, rng.normal(size=(9, 4)), rng.integers(0, 3, size=9), 0.02, "9 examples, 3 classes")
_check_tanh_net(ph, rng.normal(size=(1, 4)), np.array([2]), 0.0, "one example, no regularisation")
### END HIDDEN TESTS
""")

nb.md(r"""
Train on 200 moons points with 3 tanh units (learning rate 1, 3000 full-batch steps). The engine's
`value_and_grad` does all the calculus. Three units are enough for the curved boundary, but not
every run finds it: with learning rate 0.5 and 2000 steps, this same start (seed 0) stalls on a
nearly straight line at 87.5%, a plateau that a larger step size leaves.
""")

nb.code(r"""
X_moons, y_moons = make_moons(n_samples=200, noise=0.2, seed=0)


def train_tanh(hidden, steps, lr=1.0, reg=1e-3, seed=0, X=X_moons, y=y_moons):
    r = np.random.default_rng(seed)
    params = {"W1": r.normal(0, 1, size=(2, hidden)), "b1": np.zeros(hidden),
              "W2": r.normal(0, 1 / np.sqrt(hidden), size=(hidden, 2)), "b2": np.zeros(2)}
    step = course.value_and_grad(tanh_net_loss)
    losses = []
    for _ in range(steps):
        loss, grads = step(params, X, y, reg)
        params = {k: params[k] - lr * grads[k] for k in params}
        losses.append(float(loss))
    return params, losses


def tanh_predict(params, X):
    return np.argmax(np.tanh(X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"], axis=1)


steps_moons = 300 if GRADING else 3000
p_moons, moon_losses = train_tanh(3, steps_moons)
acc = np.mean(tanh_predict(p_moons, X_moons) == y_moons)
fig, axes = plt.subplots(1, 2, figsize=(10, 4))
axes[0].plot(moon_losses); axes[0].set_xlabel("step"); axes[0].set_ylabel("loss")
plot_decision_boundary(lambda Z: tanh_predict(p_moons, Z), X_moons, y_moons, ax=axes[1],
                       title=f"3 tanh units: {acc:.1%} training accuracy")
plt.show()
""", role="demo")

nb.md(r"""
## 5. How many hidden units?

Too few units cannot express the curved boundary; many units can also fit the noise
(*overfitting*), which regularisation and more data counteract. To see both on one data set, the
sweep below uses only **40** noisy training points and no regularisation, trains one network per
hidden-layer size (learning rate 1, 3000 steps, as in the "from scratch" tutorial) and draws its
decision boundary. The last panel is the point of the exercise: accuracy on the 40 training
points and on 2,000 **held-out** points of the same distribution, which the network never saw.
""")

nb.code(r"""
X_few, y_few = make_moons(n_samples=40, noise=0.3, seed=0)
X_held, y_held = make_moons(n_samples=2000, noise=0.3, seed=1)
sizes = [1, 2, 3, 5, 10, 20, 50]
steps_sweep = 100 if GRADING else 3000
train_acc, held_acc = [], []
fig, axes = plt.subplots(2, 4, figsize=(15, 7.5))
for ax, hidden in zip(axes.ravel(), sizes):
    p_h, _ = train_tanh(hidden, steps_sweep, reg=0.0, X=X_few, y=y_few)
    train_acc.append(np.mean(tanh_predict(p_h, X_few) == y_few))
    held_acc.append(np.mean(tanh_predict(p_h, X_held) == y_held))
    plot_decision_boundary(lambda Z, p_h=p_h: tanh_predict(p_h, Z), X_few, y_few, ax=ax,
                           title=f"{hidden} units: train {train_acc[-1]:.0%}, held-out {held_acc[-1]:.1%}")
ax = axes.ravel()[-1]
ax.semilogx(sizes, train_acc, "o-", label="40 training points")
ax.semilogx(sizes, held_acc, "o-", label="2,000 held-out points")
ax.set_xlabel("hidden units"); ax.set_ylabel("accuracy"); ax.legend(); ax.set_title("capacity vs generalisation")
plt.tight_layout()
plt.show()
best = sizes[int(np.argmax(held_acc))]
print("hidden units:     ", sizes)
print("training accuracy:", [f"{a:.1%}" for a in train_acc])
print("held-out accuracy:", [f"{a:.1%}" for a in held_acc])
print(f"best held-out accuracy with {best} units; with more units the network fits (almost) every training point "
      f"while the held-out accuracy falls")
""", role="demo")

nb.md(r"""
Read the curves together. Small networks **underfit**: they cannot even fit the 40 training
points, and they do no better on new ones. Capacity grows with the number of units until the
network fits every training point; beyond the best held-out size the boundary wiggles around
individual noisy points: the training accuracy stays at or near 100% and the held-out accuracy falls:
**overfitting**. With 200 training points or the L2 penalty of section 4 the large networks stay
smooth (try it, or use the playground below).

## 6. Playground

Change the data set, the hidden-layer size, the activation, the learning rate and the number of
epochs and watch the decision boundary and the loss curve (in the spirit of the TensorFlow
Playground). It uses the reference implementations in `course.nn` / `course.train`, so it works
whatever state your own code is in. The widgets need a live kernel (JupyterLab, Binder).
""")

nb.code(r"""
from IPython.display import display

from course.widgets import playground

if not GRADING:  # building it trains a first network: a few seconds that grading does not need
    display(playground())
""", role="demo")

nb.md(r"""
## Summary

* Backprop through a two-layer network is five lines, one rule per layer; a gradient check against
  AD or numeric differences catches the classic slips (forgotten regularisation gradient, ReLU
  mask from the wrong array, bias gradients not summed, mean vs sum).
* One hidden layer takes the spiral from about 50% (linear) to at least 99% training accuracy.
* With AD, a new architecture (tanh instead of ReLU) needs only its forward code.
* The hidden-layer size trades expressiveness against overfitting.

Notebook 08 is about making training work in practice: minibatches, initialisation, clipping,
dropout, batch normalisation and early stopping.
""")

if __name__ == "__main__":
    print(nb.write())
