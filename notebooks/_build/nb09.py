"""Generate notebooks/09-mnist.ipynb (run: python notebooks/_build/nb09.py)."""

from nbtools import Notebook

nb = Notebook("09-mnist", course_modules=["course.autodiff", "course.data", "course.nn", "course.plot"])

nb.md(r"""
# 09 · A multilayer perceptron on MNIST

**Total: {TOTAL_POINTS} points.** Fill in every cell that contains `YOUR CODE HERE`, then run the
test cell below it: a failing test tells you what is wrong and gives a hint. Some tests are hidden
and only run when your work is graded, so make your code work for any input, not just the example.

Everything comes together: the engine computes gradients, minibatch SGD trains, and a multilayer
perceptron (MLP) learns to read handwritten digits. **MNIST** has 70,000 grey-scale images of
$28\times28$ pixels (60,000 for training, of which we keep the last 10,000 for validation, and
10,000 for testing). You will write the MLP and its training loop and compare three depths:

| model | layers | MNIST test accuracy reported in the seed course |
|---|---|---|
| 1-layer (softmax regression) | 784-10 | about 92% |
| 2-layer | 784-100-10 | about 97% |
| 3-layer | 784-100-200-10 | 98% and more, with enough epochs |

**Data sets.** `course.data.load_mnist` looks for the files locally and downloads MNIST if it is
missing (on Binder and on your own computer with internet access). Where MNIST cannot be
downloaded (a computer without internet access), the notebook falls back to **Fashion-MNIST**
(same format: $28\times28$ images of 10 kinds of clothing; harder, MLPs reach about 88-89%).
Choose explicitly with the
environment variable `COURSE_DATASET` (`auto`, the default; `digits`; `fashion`). The cell
below prints what it uses and why.
""")

nb.code(r"""
import os

# Small matrix products run faster on one BLAS thread; with several threads on a busy shared
# machine (Binder, a grading server) training was measured 100x slower. Must be set before numpy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from tqdm.auto import tqdm

import course
from course.data import CLASS_NAMES, load_mnist, load_mnist_split, minibatches
from course.plot import plot_first_layer_weights

GRADING = bool(os.environ.get("NBGRADER_EXECUTION"))  # set by nbgrader while grading
rng = np.random.default_rng(0)
np.set_printoptions(precision=4, suppress=True)
""", role="both")

nb.code(r"""
# The helpers the test cells use to check your answers and explain what is wrong.
from course.checks import check, check_array, check_gradient, check_scalar
""", role="trusted")

nb.code(r"""
def load_dataset(choice):
    # Returns (variant, (X_train, y_train, X_val, y_val, X_test, y_test)). Grading never downloads.
    choice = choice.lower()
    if choice in ("digits", "mnist", "fashion"):
        variant = "fashion" if choice == "fashion" else "digits"
        return variant, load_mnist(variant, download=not GRADING)
    if choice != "auto":
        raise ValueError(f"COURSE_DATASET={choice!r}: use 'auto', 'digits' or 'fashion'.")
    try:
        return "digits", load_mnist("digits", download=not GRADING)
    except OSError as err:  # files missing and no download possible (offline, or grading)
        print(f"MNIST is not available here:\n{err}\n\n"
              "=> Falling back to Fashion-MNIST (set COURSE_DATASET=digits to insist on MNIST).\n")
        return "fashion", load_mnist("fashion", download=not GRADING)


VARIANT, (X_train, y_train, X_val, y_val, X_test, y_test) = load_dataset(os.environ.get("COURSE_DATASET", "auto"))
DATASET = {"digits": "MNIST", "fashion": "Fashion-MNIST"}[VARIANT]
print(f"data set: {DATASET}; train {X_train.shape}, validation {X_val.shape}, test {X_test.shape}, "
      f"dtype {X_train.dtype}, pixel range [{X_train.min():.1f}, {X_train.max():.1f}]")

fig, axes = plt.subplots(2, 10, figsize=(12, 2.8))
for ax, i in zip(axes.ravel(), range(20)):
    ax.imshow(X_train[i].reshape(28, 28), cmap="gray_r")
    ax.set_title(CLASS_NAMES[VARIANT][y_train[i]], fontsize=8); ax.axis("off")
plt.show()
""", role="both")

nb.md(r"""
## 1. The model

An MLP with layer sizes $(n_0, n_1, \dots, n_L)$ has weights $W_\ell\in\mathbb{R}^{n_{\ell-1}\times n_\ell}$
and biases $b_\ell$; hidden layers apply ReLU, the last layer produces the logits:
$$h_0 = X,\qquad h_\ell = \operatorname{ReLU}(h_{\ell-1}W_\ell + b_\ell)\;(\ell<L),\qquad S = h_{L-1}W_L + b_L .$$
The loss is the softmax cross-entropy of notebooks 05-07 (`course.softmax_cross_entropy`, the
engine's fused and stable version). We store the parameters as a list of dicts
`[{"W": ..., "b": ...}, ...]`, one per layer, and compute in **float32** (half the memory and
faster matrix products than float64; plenty of precision for training).

### Exercise 1 (2 points): `init_mlp(sizes, rng)`

He initialisation (notebook 08): for each layer draw
`rng.normal(0.0, np.sqrt(2 / n_in), size=(n_in, n_out))`, in order from the first layer to the
last, and use zero biases; convert both to `np.float32`.
""")

nb.solution("init-mlp", r"""
def init_mlp(sizes, rng):
    ### BEGIN SOLUTION
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W = rng.normal(0.0, np.sqrt(2 / n_in), size=(n_in, n_out)).astype(np.float32)
        params.append({"W": W, "b": np.zeros(n_out, dtype=np.float32)})
    return params
    ### END SOLUTION
""")

nb.tests("init-mlp-tests", 2, r"""
def _he(sizes, seed, std=lambda n_in, n_out: np.sqrt(2 / n_in)):
    r = np.random.default_rng(seed)
    return [r.normal(0.0, std(a, b), size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]


p_t = init_mlp([5, 4, 3], np.random.default_rng(0))
check(isinstance(p_t, list) and len(p_t) == 2 and all(isinstance(l, dict) for l in p_t),
      f"init_mlp([5, 4, 3]) should return a list of 2 dicts, got {type(p_t).__name__} of length {len(p_t) if hasattr(p_t, '__len__') else '?'}.",
      'one {"W": ..., "b": ...} per layer.')
for i, (layer, W_expected) in enumerate(zip(p_t, _he([5, 4, 3], 0))):
    check_array(layer["W"], W_expected.astype(np.float32), f"layer {i} W", rtol=1e-6, mistakes={
        "He initialisation uses std sqrt(2 / n_in) (fan-in), not Xavier's sqrt(2 / (n_in + n_out)).":
            _he([5, 4, 3], 0, lambda a, b: np.sqrt(2 / (a + b)))[i],
        "the standard deviation is sqrt(2 / n_in): take the square root of the variance.":
            _he([5, 4, 3], 0, lambda a, b: 2 / a)[i]})
    check_array(layer["b"], np.zeros(W_expected.shape[1]), f"layer {i} b")
    check(layer["W"].dtype == np.float32 and layer["b"].dtype == np.float32,
          f"layer {i} has dtypes {layer['W'].dtype}, {layer['b'].dtype}; expected float32.", "use .astype(np.float32).")
### BEGIN HIDDEN TESTS
ph = init_mlp([784, 100, 200, 10], np.random.default_rng(3))
check([l["W"].shape for l in ph] == [(784, 100), (100, 200), (200, 10)], "wrong shapes for 784-100-200-10.",
      "W of layer l has shape (sizes[l], sizes[l+1]).")
for layer, W_expected in zip(ph, _he([784, 100, 200, 10], 3)):
    check_array(layer["W"], W_expected.astype(np.float32), "He init of 784-100-200-10", rtol=1e-6)
check(len(init_mlp([3, 2], np.random.default_rng(0))) == 1, "a 3-2 network has one layer.", "")
### END HIDDEN TESTS
""")

nb.md(r"""
### Exercise 2 (2 points): `mlp_forward(params, X)`

Return the logits: ReLU after every layer **except the last**. Use numpy operations
(`@`, `np.maximum`) so that the engine can differentiate it.
""")

nb.solution("mlp-forward", r"""
def mlp_forward(params, X):
    ### BEGIN SOLUTION
    h = X
    for layer in params[:-1]:
        h = np.maximum(h @ layer["W"] + layer["b"], 0)
    return h @ params[-1]["W"] + params[-1]["b"]
    ### END SOLUTION
""")

nb.tests("mlp-forward-tests", 2, r"""
def _forward_reference(params, X, last_relu=False):
    h = X
    for i, layer in enumerate(params):
        h = h @ layer["W"] + layer["b"]
        if i < len(params) - 1 or last_relu:
            h = np.maximum(h, 0)
    return h


r_t = np.random.default_rng(1)
p_t = [{"W": r_t.normal(size=(4, 5)), "b": r_t.normal(size=5)}, {"W": r_t.normal(size=(5, 3)), "b": r_t.normal(size=3)}]
X_t = r_t.normal(size=(6, 4))
check_array(mlp_forward(p_t, X_t), _forward_reference(p_t, X_t), "mlp_forward (4-5-3)", mistakes={
    "no ReLU after the last layer: the logits may be negative.": _forward_reference(p_t, X_t, last_relu=True),
    "apply ReLU after every hidden layer.": X_t @ p_t[0]["W"] @ p_t[1]["W"] + p_t[0]["b"] @ p_t[1]["W"] + p_t[1]["b"],
    "the last layer adds its bias too: return h @ W + b for the output layer.": _forward_reference(p_t, X_t) - p_t[1]["b"]})
g = course.grad(lambda p: course.softmax_cross_entropy(mlp_forward(p, X_t), np.array([0, 1, 2, 0, 1, 2])))(p_t)
check(isinstance(g, list) and len(g) == 2, "course.grad could not differentiate mlp_forward.",
      "use numpy operations on the arrays (no float(...), no .astype inside the forward pass).")
### BEGIN HIDDEN TESTS
ph = [{"W": rng.normal(size=(3, 7)), "b": rng.normal(size=7)}, {"W": rng.normal(size=(7, 2)), "b": rng.normal(size=2)},
      {"W": rng.normal(size=(2, 4)), "b": rng.normal(size=4)}]
Xh = rng.normal(size=(9, 3))
check_array(mlp_forward(ph, Xh), _forward_reference(ph, Xh), "mlp_forward (3 layers)",
            mistakes={"no ReLU after the last layer.": _forward_reference(ph, Xh, last_relu=True)})
p1 = [{"W": rng.normal(size=(3, 4)), "b": rng.normal(size=4)}]
check_array(mlp_forward(p1, Xh), Xh @ p1[0]["W"] + p1[0]["b"], "mlp_forward with a single layer (softmax regression)")
yh = rng.integers(0, 4, size=9)
gh = course.grad(lambda p: course.softmax_cross_entropy(mlp_forward(p, Xh), yh))(ph)
check_gradient(lambda w: float(course.softmax_cross_entropy(_forward_reference([ph[0], {**ph[1], "W": w}, ph[2]], Xh), yh)),
               ph[1]["W"].copy(), gh[1]["W"], "gradient through mlp_forward w.r.t. the second W")
### END HIDDEN TESTS
""")

nb.md(r"""
## 2. Training with minibatches

One **epoch** visits every training example once, in minibatches of `batch_size` examples drawn in
a fresh random order; every batch makes one SGD step
$\theta\leftarrow\theta-\eta\nabla_\theta L_\text{batch}(\theta)$. `course.data.minibatches`
yields the batches (as your `iterate_minibatches` of notebook 08 did).

### Exercise 3 (3 points): `train_epoch(params, X, y, lr, batch_size, rng)`

For each `(Xb, yb)` in `minibatches(X, y, batch_size, seed=rng)`:
compute the batch loss `course.softmax_cross_entropy(mlp_forward(params, Xb), yb)` and its
gradient with `course.value_and_grad`, then replace `params` by a new list of dicts with
`p - lr * g` for every array. Return `(params, mean_loss)` where `mean_loss` is the average of
the batch losses as a Python float.
""")

nb.solution("train-epoch", r"""
def batch_loss(params, Xb, yb):
    return course.softmax_cross_entropy(mlp_forward(params, Xb), yb)


loss_and_grad = course.value_and_grad(batch_loss)


def train_epoch(params, X, y, lr, batch_size, rng):
    ### BEGIN SOLUTION
    losses = []
    for Xb, yb in minibatches(X, y, batch_size, seed=rng):
        loss, grads = loss_and_grad(params, Xb, yb)
        params = [{k: layer[k] - lr * g[k] for k in layer} for layer, g in zip(params, grads)]
        losses.append(float(loss))
    return params, float(np.mean(losses))
    ### END SOLUTION
""")

nb.tests("train-epoch-tests", 3, r"""
def _epoch_reference(params, X, y, lr, batch_size, seed):
    losses = []
    for Xb, yb in minibatches(X, y, batch_size, seed=np.random.default_rng(seed)):
        loss, grads = course.value_and_grad(lambda p: course.softmax_cross_entropy(_forward_reference(p, Xb), yb))(params)
        params = [{k: layer[k] - lr * g[k] for k in layer} for layer, g in zip(params, grads)]
        losses.append(float(loss))
    return params, losses


r_t = np.random.default_rng(2)
X_t, y_t = r_t.normal(size=(10, 4)), r_t.integers(0, 3, size=10)
p_t = [{"W": r_t.normal(size=(4, 5)), "b": np.zeros(5)}, {"W": r_t.normal(size=(5, 3)), "b": np.zeros(3)}]
# One batch holding all examples: exactly one gradient step.
out = train_epoch([dict(l) for l in p_t], X_t, y_t, 0.1, 16, np.random.default_rng(0))
check(isinstance(out, tuple) and len(out) == 2, "train_epoch should return (params, mean_loss).",
      "end with `return params, mean_loss`.")
check(not (isinstance(out[0], (float, np.floating)) and isinstance(out[1], list)),
      "train_epoch returned the mean loss first and the parameters second.",
      "the values are in the wrong order: return (params, mean_loss).")
new_p, mean_loss = out
g_t = course.grad(lambda p: course.softmax_cross_entropy(_forward_reference(p, X_t), y_t))(p_t)
for i in range(2):
    check_array(new_p[i]["W"], p_t[i]["W"] - 0.1 * g_t[i]["W"], f"layer {i} W after one SGD step", rtol=1e-6, mistakes={
        "wrong sign in the SGD update: params - lr * grad.": p_t[i]["W"] + 0.1 * g_t[i]["W"],
        "you did not update the parameters (build a new list of dicts p - lr * g and use it).": p_t[i]["W"]})
check_scalar(mean_loss, float(course.softmax_cross_entropy(_forward_reference(p_t, X_t), y_t)), "mean_loss of the epoch", rtol=1e-6)
### BEGIN HIDDEN TESTS
Xh, yh = rng.normal(size=(23, 4)), rng.integers(0, 3, size=23)
ref_p, ref_losses = _epoch_reference(p_t, Xh, yh, 0.05, 5, seed=11)
# Every step taken from the initial params: the result is the step of the last batch alone.
Xb_last, yb_last = list(minibatches(Xh, yh, 5, seed=np.random.default_rng(11)))[-1]
from_initial = _epoch_reference(p_t, Xb_last, yb_last, 0.05, len(Xb_last), seed=0)[0]
mine_p, mine_loss = train_epoch([dict(l) for l in p_t], Xh, yh, 0.05, 5, np.random.default_rng(11))
for i in range(2):
    for k in ["W", "b"]:
        check_array(mine_p[i][k], ref_p[i][k], f"layer {i} {k} after an epoch of 5 batches", rtol=1e-6,
                    mistakes={"take one SGD step per minibatch, in the order given by minibatches(X, y, batch_size, seed=rng).":
                              _epoch_reference(p_t, Xh, yh, 0.05, 23, seed=11)[0][i][k],
                              "each step starts from the params of the previous step: assign the updated list back to "
                              "params (your steps all started from the initial params).": from_initial[i][k]})
check_scalar(mine_loss, float(np.mean(ref_losses)), "mean_loss over 5 batches", rtol=1e-6, mistakes={
    "return the MEAN of the batch losses of the epoch, not the last one.": ref_losses[-1],
    "return the mean of the batch losses, not their sum.": float(np.sum(ref_losses))})
check(isinstance(mine_loss, float), f"mean_loss should be a Python float, got {type(mine_loss).__name__}.", "use float(...).")
### END HIDDEN TESTS
""")

nb.md(r"""
### Exercise 4 (1 point): `evaluate(params, X, y, batch_size)`

Return the classification accuracy (fraction of rows whose largest logit is the true class) as a
float. Process `X` in chunks of `batch_size` rows so that the hidden activations of 10,000 images
never need to be in memory at once, and do it inside `with course.no_grad():` (no graph is needed
for evaluation).
""")

nb.solution("evaluate", r"""
def evaluate(params, X, y, batch_size=2000):
    ### BEGIN SOLUTION
    correct = 0
    with course.no_grad():
        for start in range(0, len(X), batch_size):
            logits = np.asarray(mlp_forward(params, X[start:start + batch_size]))
            correct += int(np.sum(np.argmax(logits, axis=1) == y[start:start + batch_size]))
    return correct / len(X)
    ### END SOLUTION
""")

nb.tests("evaluate-tests", 1, r"""
def _evaluate_mistakes(params, X, y, batch_size):
    # What known wrong ways of batching the evaluation return; values shared by two of them prove neither.
    logits = _forward_reference(params, X)
    right = np.argmax(logits, axis=1) == y
    starts = range(0, len(X), batch_size)
    alternatives = {
        "count the correct examples over all batches and divide by len(X): the mean of the per-batch accuracies "
        "gives the smaller last batch too much weight.":
            np.mean([np.mean(right[s:s + batch_size]) for s in starts]),
        "the last, smaller batch is never evaluated: loop over range(0, len(X), batch_size).":
            np.sum(right[:len(X) // batch_size * batch_size]) / len(X),
        "np.argmax without axis= returns one index into the flattened logits of the batch: take the argmax over "
        "the classes (axis=1), one prediction per example.":
            sum(np.sum(np.argmax(logits[s:s + batch_size]) == y[s:s + batch_size]) for s in starts) / len(X),
        "accuracy is the fraction correct, not the number of correct examples.": float(np.sum(right)),
        "count over ALL batches and divide by len(X): your value counts the first batch only.":
            np.sum(right[:batch_size]) / len(X),
        "accumulate the count over all batches (correct += ...): your value counts the last batch only.":
            np.sum(right[starts[-1]:]) / len(X)}
    return {hint: value for hint, value in alternatives.items()
            if sum(np.isclose(value, other) for other in alternatives.values()) == 1}


p_e = [{"W": np.eye(3), "b": np.zeros(3)}]
X_e = np.array([[5.0, 2.0, 0.0], [4.0, 0.0, 3.0], [4.0, 3.0, 2.0], [3.0, 1.0, 4.0], [2.0, 2.0, 5.0], [2.0, 1.0, 0.0],
                [4.0, 0.0, 1.0]])
y_e = np.array([0, 1, 0, 2, 2, 1, 0])
check_scalar(evaluate(p_e, X_e, y_e, batch_size=3), 5 / 7, "evaluate on 7 examples in batches of 3",
             mistakes=_evaluate_mistakes(p_e, X_e, y_e, 3))
### BEGIN HIDDEN TESTS
ph = [{"W": rng.normal(size=(6, 8)), "b": rng.normal(size=8)}, {"W": rng.normal(size=(8, 4)), "b": rng.normal(size=4)}]
Xh, yh = rng.normal(size=(37, 6)), rng.integers(0, 4, size=37)
expected_acc = float(np.mean(np.argmax(_forward_reference(ph, Xh), axis=1) == yh))
for bs in [1, 5, 37, 100]:
    check_scalar(evaluate(ph, Xh, yh, batch_size=bs), expected_acc, f"evaluate with batch_size={bs}",
                 mistakes=_evaluate_mistakes(ph, Xh, yh, bs))
### END HIDDEN TESTS
""")

nb.md(r"""
## 3. Training the three models

Minibatch SGD with batches of 64 and a learning rate that decays linearly from 0.1 in the first
epoch to 0.01 in the last (large steps make fast progress early; small steps at the end average
out the noise of the minibatch gradients, which otherwise makes the validation accuracy jump by
several percent from one epoch to the next). Validation accuracy is measured after every epoch;
a progress bar shows the epochs. A full run of this cell takes a minute or two on a laptop;
increase `EPOCHS` to get closer to the accuracies in the table at the top. While the notebook is
being graded it trains on a small subset for one epoch only.
""")

nb.code(r"""
ARCHITECTURES = {"1-layer": [784, 10], "2-layer": [784, 100, 10], "3-layer": [784, 100, 200, 10]}
EPOCHS = {"1-layer": 5, "2-layer": 10, "3-layer": 15}
LR, BATCH = 0.1, 64
if GRADING:  # grading only needs the cell to run: a small subset, one epoch
    X_fit, y_fit = X_train[:2000], y_train[:2000]
    X_check, y_check = X_val[:1000], y_val[:1000]
    EPOCHS = {name: 1 for name in EPOCHS}
else:
    X_fit, y_fit, X_check, y_check = X_train, y_train, X_val, y_val


def train_model(sizes, epochs, X, y, X_v, y_v, seed=0):
    r = np.random.default_rng(seed)
    params = init_mlp(sizes, r)
    history = {"loss": [], "val_acc": [], "seconds": []}
    for epoch in tqdm(range(epochs), desc="-".join(map(str, sizes)), disable=GRADING):
        lr = LR * (1 - 0.9 * epoch / max(1, epochs - 1))  # 0.1 -> 0.01
        start = time.perf_counter()
        params, loss = train_epoch(params, X, y, lr, BATCH, r)
        history["seconds"].append(time.perf_counter() - start)
        history["loss"].append(loss)
        history["val_acc"].append(evaluate(params, X_v, y_v))
    return params, history


results = {}
for name, sizes in ARCHITECTURES.items():
    params, history = train_model(sizes, EPOCHS[name], X_fit, y_fit, X_check, y_check)
    results[name] = {"params": params, "history": history, "test_acc": evaluate(params, X_test, y_test)}

print(f"{DATASET}, trained on {len(X_fit)} images")
print(f"{'model':10s} {'layers':16s} {'epochs':>6s} {'s/epoch':>8s} {'val acc':>8s} {'test acc':>9s}")
for name, res in results.items():
    h = res["history"]
    print(f"{name:10s} {'-'.join(map(str, ARCHITECTURES[name])):16s} {len(h['loss']):6d} "
          f"{np.mean(h['seconds']):8.1f} {h['val_acc'][-1]:8.2%} {res['test_acc']:9.2%}")
""", role="demo")

nb.tests("training-tests", 1, label="the training run (Exercises 1 and 3)", text=r"""
# One epoch on 2,000 training images with your init_mlp and train_epoch: every model must end far
# better than guessing (10%), judged by the reference forward pass on 1,000 validation images.
X_fit_t, y_fit_t = X_train[:2000], y_train[:2000]
final_losses = {}
for name, sizes in {"1-layer": [784, 10], "2-layer": [784, 100, 10], "3-layer": [784, 100, 200, 10]}.items():
    trained, epoch_loss = train_epoch(init_mlp(sizes, np.random.default_rng(0)), X_fit_t, y_fit_t, 0.1, 64,
                                      np.random.default_rng(1))
    acc = float(np.mean(np.argmax(_forward_reference(trained, X_val[:1000]), axis=1) == y_val[:1000]))
    check(np.isfinite(epoch_loss), f"the {name} model's loss became NaN or inf.",
          "a too large learning rate or a wrong gradient sign makes the loss explode.")
    check(acc > 0.5, f"after one epoch the {name} model reaches only {acc:.1%} validation accuracy.",
          "check that train_epoch updates params with the gradient (p - lr * g) and returns the new params.")
    final_losses[name] = epoch_loss
### BEGIN HIDDEN TESTS
check(final_losses["1-layer"] < np.log(10), "the 1-layer model's mean loss did not fall below log(10).",
      "the loss of a uniform guess over 10 classes is log(10) = 2.30.")
### END HIDDEN TESTS
""")

nb.md(r"""
## 4. Training curves

Loss and validation accuracy per epoch. Deeper networks fit better; the 1-layer model levels off
first, because a linear classifier cannot do better on raw pixels. The cell says what to expect
on the data set it trained on.
""")

nb.code(r"""
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for name, res in results.items():
    h = res["history"]
    epochs_axis = np.arange(1, len(h["loss"]) + 1)
    axes[0].plot(epochs_axis, h["loss"], "o-", label=name)
    axes[1].plot(epochs_axis, h["val_acc"], "o-", label=name)
axes[0].set_xlabel("epoch"); axes[0].set_ylabel("mean training loss"); axes[0].set_title(f"{DATASET}: training loss")
axes[1].set_xlabel("epoch"); axes[1].set_ylabel("validation accuracy"); axes[1].set_title("validation accuracy")
for ax in axes:
    ax.legend(); ax.grid(alpha=0.3)
plt.show()
print({"MNIST": "MNIST digits: the seed course reports about 92% (1 layer), 97% (2 layers) and 98% or more "
                "(3 layers) test accuracy with enough epochs.",
       "Fashion-MNIST": "Fashion-MNIST is harder than digits: with the full training set this course measured "
                        "84.4% (1 layer, 10 epochs), 88.7% (2 layers, 15 epochs) and 89.4% (3 layers, 20 epochs) "
                        "test accuracy."}[DATASET])
""", role="demo")

nb.md(r"""
## 5. What did the first layer learn?

Each column of the first weight matrix $W_1$ is a $28\times28$ image: the pattern a unit responds
to. For the 1-layer model the ten columns are *class templates* (a blurry average digit or piece of
clothing, with negative weights where other classes have ink). The first-layer units of the deeper
network look noisier: each is only one of 100 features that later layers combine, and the random
initial weights stay visible wherever the gradient is small, above all on the border pixels, which
are blank in every image and so never receive any gradient. The structure (blobs and strokes) sits
in the centre, where the images have ink.
""")

nb.code(r"""
plot_first_layer_weights(results["1-layer"]["params"][0]["W"], n=10, ncols=10,
                         title="1-layer model, one template per class: " + ", ".join(CLASS_NAMES[VARIANT]))
plt.show()
plot_first_layer_weights(results["3-layer"]["params"][0]["W"], n=32, ncols=8,
                         title="3-layer model: first 32 of the 100 first-layer units (red > 0 > blue)")
plt.show()
""", role="demo")

nb.md(r"""
### Mistakes

The test images the 3-layer model gets wrong, with its prediction and the true label, and the
confusion matrix (row: true class, column: predicted class). The errors are rarely absurd: they
concentrate on classes that look alike.
""")

nb.code(r"""
with course.no_grad():
    predicted = np.argmax(np.asarray(mlp_forward(results["3-layer"]["params"], X_test)), axis=1)
wrong = np.flatnonzero(predicted != y_test)
names = CLASS_NAMES[VARIANT]
fig, axes = plt.subplots(1, 10, figsize=(12, 1.8))
for ax, i in zip(axes, wrong[:10]):
    ax.imshow(X_test[i].reshape(28, 28), cmap="gray_r")
    ax.set_title(f"{names[predicted[i]]}\n(true: {names[y_test[i]]})", fontsize=7); ax.axis("off")
plt.show()

confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (y_test, predicted), 1)
fig, ax = plt.subplots(figsize=(5, 4.5))
ax.imshow(np.log1p(confusion), cmap="Blues")
for t in range(10):
    for p in range(10):
        ax.text(p, t, confusion[t, p], ha="center", va="center", fontsize=6)
ax.set_xticks(range(10), names, rotation=90, fontsize=7); ax.set_yticks(range(10), names, fontsize=7)
ax.set_xlabel("predicted"); ax.set_ylabel("true"); ax.set_title(f"{DATASET} test set, 3-layer model")
plt.show()
off = confusion - np.diag(np.diag(confusion))
t, p = np.unravel_index(np.argmax(off), off.shape)
print(f"{len(wrong)} of {len(y_test)} test images wrong; most frequent confusion: {names[t]} taken for {names[p]} ({off[t, p]} times)")
""", role="demo")

nb.md(r"""
## 6. The same network with the layers of notebook 06 (no AD)

The seed course trained its MNIST networks without any engine: each layer has a hand-written
backward pass (notebook 06), and training is forward, loss, backward in reverse order, update.
`course.nn` holds those layers with the contract `out, cache = layer.forward(x)` and
`dx = layer.backward(dout, cache)`; `backward` also fills `p.grad` for every parameter `p` of the
layer (`layer.parameters()`, objects with `.value` and `.grad`). `Stack(*layers)` chains them (its
`forward` returns the list of caches that its `backward` takes), and `SoftmaxCrossEntropy` gives
the loss, `loss, cache = ce.forward(logits, y)`, and its gradient, `ce.backward(cache)`.

### Exercise 5 (3 points): `make_net(sizes, seed)` and `layers_epoch(net, X, y, lr, batch_size, rng)`

* `make_net`: a `Stack` of `Dense(n_in, n_out, init="he", seed=r, dtype=np.float32)` layers with a
  `ReLU()` after every layer except the last, where `r = np.random.default_rng(seed)` is created once
  and passed to every `Dense` in order;
* `layers_epoch`: for each `(Xb, yb)` in `minibatches(X, y, batch_size, seed=rng)`, under a `tqdm`
  progress bar (`disable=GRADING`): forward, loss, `ce.backward`, `net.backward`, then update every
  parameter in place, `p.value -= lr * p.grad`. Return the mean of the batch losses as a float.
""")

nb.code(r"""
from course.nn.layers import Dense, ReLU, SoftmaxCrossEntropy, Stack

ce = SoftmaxCrossEntropy()
""", role="both")

nb.solution("own-layers", r"""
def make_net(sizes, seed):
    ### BEGIN SOLUTION
    r = np.random.default_rng(seed)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Dense(n_in, n_out, init="he", seed=r, dtype=np.float32))
        if i < len(sizes) - 2:
            layers.append(ReLU())
    return Stack(*layers)
    ### END SOLUTION


def layers_epoch(net, X, y, lr, batch_size, rng):
    ### BEGIN SOLUTION
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
    ### END SOLUTION
""")

nb.code(r"""
def _reference_net(sizes, seed, init="he"):
    r = np.random.default_rng(seed)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Dense(n_in, n_out, init=init, seed=r, dtype=np.float32))
        if i < len(sizes) - 2:
            layers.append(ReLU())
    return layers


def _reference_epoch(weights, sizes, X, y, lr, batch_size, seed, sign=-1.0):
    # The epoch on a trusted copy: weights is [(W, b), ...]; returns (new weights, batch losses).
    layers = _reference_net(sizes, 0)
    for layer, (W, b) in zip([l for l in layers if isinstance(l, Dense)], weights):
        layer.W.value, layer.b.value = np.array(W, dtype=np.float32), np.array(b, dtype=np.float32)
    net = Stack(*layers)
    losses = []
    for Xb, yb in minibatches(X, y, batch_size, seed=np.random.default_rng(seed)):
        logits, caches = net.forward(Xb)
        loss, cache = ce.forward(logits, yb)
        net.backward(ce.backward(cache), caches)
        for p in net.parameters():
            p.value = p.value + sign * lr * p.grad
        losses.append(loss)
    return [(l.W.value, l.b.value) for l in layers if isinstance(l, Dense)], losses


def _weights(net):
    values = [np.array(p.value) for p in net.parameters()]
    return list(zip(values[0::2], values[1::2]))
""", role="trusted")

nb.tests("own-layers-tests", 3, r"""
net_t = make_net([4, 5, 3], seed=0)
ref_layers = _reference_net([4, 5, 3], 0)
kinds = [repr(l).split("(")[0] for l in net_t.layers]  # e.g. "Dense(4, 5)" -> "Dense"
check(kinds == ["Dense", "ReLU", "Dense"], f"make_net([4, 5, 3], 0) has the layers {kinds}; expected Dense, ReLU, Dense.",
      "a ReLU after every Dense layer except the last (the logits).")
for i, ((W, b), ref) in enumerate(zip(_weights(net_t), [l for l in ref_layers if isinstance(l, Dense)])):
    check_array(W, ref.W.value, f"layer {i} W of make_net([4, 5, 3], 0)", mistakes={
        "use init=\"he\" (std sqrt(2 / n_in)), suited to ReLU: you used Xavier.":
            [l for l in _reference_net([4, 5, 3], 0, init="xavier") if isinstance(l, Dense)][i].W.value})
    check(W.dtype == np.float32, f"layer {i} W has dtype {W.dtype}; expected float32.", "pass dtype=np.float32 to Dense.")
r_t = np.random.default_rng(4)
X_t, y_t = r_t.normal(size=(10, 4)).astype(np.float32), r_t.integers(0, 3, size=10)
start = _weights(net_t)
loss_t = layers_epoch(net_t, X_t, y_t, 0.1, 16, np.random.default_rng(0))
ref_w, ref_losses = _reference_epoch(start, [4, 5, 3], X_t, y_t, 0.1, 16, 0)
wrong_sign, _ = _reference_epoch(start, [4, 5, 3], X_t, y_t, 0.1, 16, 0, sign=1.0)
for i, ((W, b), (W_ref, b_ref)) in enumerate(zip(_weights(net_t), ref_w)):
    check_array(W, W_ref, f"layer {i} W after one step (one batch)", rtol=1e-5, mistakes={
        "wrong sign in the update: p.value -= lr * p.grad.": wrong_sign[i][0],
        "the parameters did not change: update p.value in place (p.value -= lr * p.grad) for every p in "
        "net.parameters().": start[i][0]})
    check_array(b, b_ref, f"layer {i} b after one step", rtol=1e-5)
check_scalar(loss_t, ref_losses[0], "the mean loss of a one-batch epoch", rtol=1e-5)
### BEGIN HIDDEN TESTS
net_h = make_net([6, 8, 7, 4], seed=3)
Xh, yh = rng.normal(size=(23, 6)).astype(np.float32), rng.integers(0, 4, size=23)
start_h = _weights(net_h)
loss_h = layers_epoch(net_h, Xh, yh, 0.05, 5, np.random.default_rng(11))
ref_h, ref_losses_h = _reference_epoch(start_h, [6, 8, 7, 4], Xh, yh, 0.05, 5, 11)
for i, ((W, b), (W_ref, b_ref)) in enumerate(zip(_weights(net_h), ref_h)):
    check_array(W, W_ref, f"layer {i} W after an epoch of 5 batches (6-8-7-4)", rtol=1e-4)
    check_array(b, b_ref, f"layer {i} b after an epoch of 5 batches (6-8-7-4)", rtol=1e-4)
check_scalar(loss_h, float(np.mean(ref_losses_h)), "the mean loss over 5 batches", rtol=1e-5, mistakes={
    "return the MEAN of the batch losses of the epoch, not the last one.": ref_losses_h[-1],
    "return the mean of the batch losses, not their sum.": float(np.sum(ref_losses_h))})
### END HIDDEN TESTS
""")

nb.md(r"""
Now the 3-layer network of section 3 again, trained with your layers and the same schedule
(batches of 64, learning rate from 0.1 down to 0.01). After every epoch we measure the accuracy
on the training images and on the validation images: the gap between the two curves is how much
the network has memorised rather than learnt. The cell then compares it with the engine's run of
section 3: time per epoch and test accuracy.
""")

nb.code(r"""
def layers_accuracy(net, X, y, batch_size=2000):
    correct = sum(int(np.sum(np.argmax(net(X[s:s + batch_size]), axis=1) == y[s:s + batch_size]))
                  for s in range(0, len(X), batch_size))
    return correct / len(X)


net = make_net(ARCHITECTURES["3-layer"], seed=0)
r_layers = np.random.default_rng(0)
epochs = EPOCHS["3-layer"]
layer_history = {"train_acc": [], "val_acc": [], "seconds": []}
for epoch in tqdm(range(epochs), desc="784-100-200-10, own layers"):
    lr = LR * (1 - 0.9 * epoch / max(1, epochs - 1))
    start = time.perf_counter()
    layers_epoch(net, X_fit, y_fit, lr, BATCH, r_layers)
    layer_history["seconds"].append(time.perf_counter() - start)
    layer_history["train_acc"].append(layers_accuracy(net, X_fit[:10000], y_fit[:10000]))
    layer_history["val_acc"].append(layers_accuracy(net, X_check, y_check))
layers_test_acc = layers_accuracy(net, X_test, y_test)

fig, ax = plt.subplots(figsize=(6, 3.5))
epochs_axis = np.arange(1, epochs + 1)
ax.plot(epochs_axis, layer_history["train_acc"], "o-", label="training images (first 10,000)")
ax.plot(epochs_axis, layer_history["val_acc"], "o-", label="validation images")
ax.set_xlabel("epoch"); ax.set_ylabel("accuracy"); ax.legend(); ax.grid(alpha=0.3)
ax.set_title(f"{DATASET}: 784-100-200-10 with your layers")
plt.show()
engine = results["3-layer"]
print(f"{DATASET}, 784-100-200-10, {epochs} epochs:")
print(f"  your layers (no AD): {np.mean(layer_history['seconds']):.2f} s/epoch, test accuracy {layers_test_acc:.2%}")
print(f"  the engine (AD):     {np.mean(engine['history']['seconds']):.2f} s/epoch, test accuracy {engine['test_acc']:.2%}")
""", role="demo")

nb.md(r"""
The two runs start from different random weights and visit the batches in different orders, so
their accuracies differ a little; the times show what the engine's bookkeeping costs over
hand-written backward passes on this network.

""")

nb.md(r"""
### Your engine on MNIST: one line

One epoch of the 3-layer network with a `Tensor` engine: the reference `course.Tensor`, or the
engine you built in notebook 04 with `ENGINE = "mine"` (its last cell saves it as
`my_engine.py`). The loop is the one of section 2 written with Tensor operations; compare the time
per epoch with the runs above.
""")

nb.code(r"""
from course.export import engine_parameter

ENGINE = "course"  # "course": the reference engine; "mine": your Tensor from notebook 04 (my_engine.py)
as_parameter = engine_parameter(ENGINE)


def tensor_mlp_loss(P, X, y):
    h = X
    for layer in P[:-1]:
        h = (h @ layer["W"] + layer["b"]).relu()
    scores = h @ P[-1]["W"] + P[-1]["b"]
    shifted = scores - scores.value.max(axis=1, keepdims=True)  # a constant shift
    return (shifted.exp().sum(axis=1).log() - shifted[np.arange(len(y)), y]).mean()


def tensor_epoch(params, X, y, lr, batch_size, rng):
    for Xb, yb in tqdm(minibatches(X, y, batch_size, seed=rng), total=-(-len(X) // batch_size),
                       desc=f"one epoch, ENGINE = {ENGINE!r}", leave=False, disable=GRADING):
        P = [{k: as_parameter(v) for k, v in layer.items()} for layer in params]
        tensor_mlp_loss(P, Xb, yb).backward()
        params = [{k: layer[k] - lr * np.asarray(P_l[k].grad, dtype=layer[k].dtype) for k in layer}
                  for layer, P_l in zip(params, P)]
    return params


start = time.perf_counter()
p_tensor = tensor_epoch(init_mlp(ARCHITECTURES["3-layer"], np.random.default_rng(0)), X_fit, y_fit, LR, BATCH,
                        np.random.default_rng(0))
h_val = X_check
for layer in p_tensor[:-1]:
    h_val = np.maximum(h_val @ layer["W"] + layer["b"], 0)
val_acc_tensor = np.mean(np.argmax(h_val @ p_tensor[-1]["W"] + p_tensor[-1]["b"], axis=1) == y_check)
print(f"ENGINE = {ENGINE!r}: one epoch in {time.perf_counter() - start:.1f} s, validation accuracy {val_acc_tensor:.1%}")
""", role="demo")

nb.md(r"""
## 7. Real digits without the full MNIST

Only if MNIST could not be loaded above: an instructor may provide the real **MNIST test split**
(10,000 digits) in a folder named by the environment variable `COURSE_MNIST_TEST_DIR`. We then
train the 3-layer network on its first 8,000 images and test on the other 2,000: fewer training
images than MNIST proper, so a bit less accurate, but real handwritten digits. Otherwise this
section has nothing to do.
""")

nb.code(r"""
test_dir = Path(os.environ["COURSE_MNIST_TEST_DIR"]) if os.environ.get("COURSE_MNIST_TEST_DIR") else None
files = [] if test_dir is None else [test_dir / "t10k-images-idx3-ubyte.gz", test_dir / "t10k-labels-idx1-ubyte.gz"]
if DATASET == "MNIST":
    print("The full MNIST is loaded above: nothing to add.")
elif test_dir is None:
    print("No MNIST test split was provided (COURSE_MNIST_TEST_DIR is not set): nothing to add.")
elif not all(f.exists() for f in files):
    print(f"COURSE_MNIST_TEST_DIR={test_dir} holds no t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz: "
          "nothing to add.")
else:
    X_digits, y_digits = load_mnist_split("digits", "test", data_dir=test_dir, download=False)
    n_fit = 1000 if GRADING else 8000
    digit_params, digit_history = train_model(ARCHITECTURES["3-layer"], 1 if GRADING else 10,
                                              X_digits[:n_fit], y_digits[:n_fit], X_digits[8000:], y_digits[8000:])
    print(f"real MNIST digits: 784-100-200-10 trained on {n_fit} images of the test split for "
          f"{len(digit_history['loss'])} epochs: accuracy on the held-out 2,000 = {digit_history['val_acc'][-1]:.2%}")
    plot_first_layer_weights(digit_params[0]["W"], n=16, ncols=8,
                             title="784-100-200-10 on real digits: first-layer units")
    plt.show()
""", role="demo")

nb.md(r"""
## Summary

* An MLP is a few lines of numpy; the engine differentiates it, minibatch SGD trains it.
* Depth helps: softmax regression (1 layer) < 784-100-10 < 784-100-200-10.
* First-layer weights are images: templates for the linear model, stroke detectors for deeper ones.

You have built the whole stack, from the chain rule to a digit classifier. Where to go next:
convolutional layers (weight sharing for images), Adam and learning-rate schedules, and the
frameworks (PyTorch, JAX) whose autograd you now understand from the inside.
""")

if __name__ == "__main__":
    print(nb.write())
