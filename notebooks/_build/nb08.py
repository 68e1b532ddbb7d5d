"""Generate notebooks/08-training-tricks.ipynb (run: python notebooks/_build/nb08.py)."""

from nbtools import Notebook

nb = Notebook("08-training-tricks", course_modules=["course.data", "course.nn"])

nb.md(r"""
# 08 · Training tricks

**Total: {TOTAL_POINTS} points.** Fill in every cell that contains `YOUR CODE HERE`, then run the
test cell below it: a failing test tells you what is wrong and gives a hint. Some tests are hidden
and only run when your work is graded, so make your code work for any input, not just the example.

Gradients tell us *which direction* to move; this notebook is about moving well. You implement the
standard tools of practical deep learning and watch each one's effect on a training curve:

| topic | you implement | what it fixes |
|---|---|---|
| minibatch SGD, momentum | `iterate_minibatches`, `sgd_step`, `momentum_step` | cost per step, noisy progress |
| initialisation | (demo) | vanishing / exploding signals |
| activation and gradient flow | (demo) | sigmoid's vanishing gradients |
| gradient clipping | `clip_by_norm` | occasional huge gradients |
| dropout | `dropout_forward`, `dropout_backward` | overfitting |
| batch normalisation | `batchnorm_forward` | badly scaled layer inputs |
| early stopping | `early_stopping` | training too long |

Gradients come from the engine (`course.grad`), so models are written as plain numpy forward code.
""")

nb.code(r"""
import os

# Small matrix products run faster on one BLAS thread; with several threads on a busy shared
# machine (Binder, a grading server) training was measured 100x slower. Must be set before numpy is imported.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import matplotlib.pyplot as plt
import numpy as np

import course
from course.data import make_moons, make_spiral

GRADING = bool(os.environ.get("NBGRADER_EXECUTION"))  # set by nbgrader while grading
rng = np.random.default_rng(0)
np.set_printoptions(precision=5, suppress=True)


def mlp_init(sizes, rng, scale="he"):
    # One (W, b) pair per layer; "he": std sqrt(2 / n_in), "xavier": sqrt(2 / (n_in + n_out)), or a number.
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        std = {"he": np.sqrt(2 / n_in), "xavier": np.sqrt(2 / (n_in + n_out))}.get(scale, scale)
        params.append({"W": rng.normal(0, std, size=(n_in, n_out)), "b": np.zeros(n_out)})
    return params


def accuracy(scores, y):
    return float(np.mean(np.argmax(np.asarray(scores), axis=1) == y))
""", role="both")

nb.code(r"""
# The helpers the test cells use to check your answers and explain what is wrong.
from course.checks import check, check_array, check_gradient, check_order, check_scalar
""", role="trusted")

nb.md(r"""
## 1. Minibatch stochastic gradient descent

Full-batch gradient descent computes the gradient over all $N$ examples before each step. The
loss is an average, $L = \frac1N\sum_i \ell_i$, so the average over a random **minibatch**
$B$ of $m \ll N$ examples is an unbiased estimate of the gradient at a fraction of the cost:
$$\theta \leftarrow \theta - \eta\,\frac1m\sum_{i\in B}\nabla_\theta \ell_i(\theta).$$
One pass over the (reshuffled) data is an **epoch**: $\lceil N/m\rceil$ steps instead of one.

### Exercise 1 (2 points): `iterate_minibatches`

Yield `(X_batch, y_batch)` pairs covering every example exactly once per call, in the order
`perm = rng.permutation(len(X))`, in consecutive chunks of `batch_size` (the last chunk may be
smaller).
""")

nb.solution("minibatches", r"""
def iterate_minibatches(X, y, batch_size, rng):
    ### BEGIN SOLUTION
    perm = rng.permutation(len(X))
    for start in range(0, len(X), batch_size):
        idx = perm[start:start + batch_size]
        yield X[idx], y[idx]
    ### END SOLUTION
""")

nb.tests("minibatches-tests", 2, r"""
def _check_minibatches(n, batch_size, seed):
    X = np.arange(2 * n, dtype=float).reshape(n, 2)
    y = np.arange(n)
    batches = list(iterate_minibatches(X, y, batch_size, np.random.default_rng(seed)))
    perm = np.random.default_rng(seed).permutation(n)
    sizes = [len(yb) for _, yb in batches]
    expected_sizes = [min(batch_size, n - s) for s in range(0, n, batch_size)]
    check(sizes == expected_sizes, f"with N={n}, batch_size={batch_size} your batch sizes are {sizes}, expected {expected_sizes}.",
          "the last, smaller batch must not be dropped." if sum(sizes) < n else "use consecutive chunks perm[start:start + batch_size].")
    seen = np.concatenate([yb for _, yb in batches])
    if all(np.shape(Xb) == (len(yb), 2) for Xb, yb in batches):
        rows = np.concatenate([Xb for Xb, _ in batches])[:, 0] / 2   # X[i] = [2i, 2i + 1]: the index of each row
        everything = np.arange(n)
        if np.array_equal(np.sort(rows), everything) and np.array_equal(np.sort(seen), everything):
            i = int(np.flatnonzero(rows != seen)[0]) if np.any(rows != seen) else None
            check(i is None, f"with N={n}, batch_size={batch_size} the rows of X and the labels y come in different "
                  f"orders: the row X[{int(rows[i]) if i is not None else 0}] is paired with the label of example "
                  f"{int(seen[i]) if i is not None else 0}.",
                  "shuffle X and y with the same permutation (index both with the same idx), so that every row "
                  "keeps its label.")
    check_array(seen, perm, f"the order of the examples (N={n}, batch_size={batch_size})", mistakes={
        "shuffle first: take the examples in the order rng.permutation(len(X)).": np.arange(n)})
    check_array(np.concatenate([Xb for Xb, _ in batches]), X[perm], "the X batches (rows must match their labels)")


_check_minibatches(10, 4, seed=0)
### BEGIN HIDDEN TESTS
_check_minibatches(12, 3, seed=5)
_check_minibatches(7, 10, seed=1)
_check_minibatches(1, 1, seed=2)
### END HIDDEN TESTS
""")

nb.md(r"""
### Exercise 2 (1 point): the SGD step

`params` and `grads` are dicts of arrays with the same keys. Return a **new** dict with
$\theta - \eta\,\nabla\theta$ for every entry (do not modify `params`).
""")

nb.solution("sgd-step", r"""
def sgd_step(params, grads, lr):
    ### BEGIN SOLUTION
    return {k: params[k] - lr * grads[k] for k in params}
    ### END SOLUTION
""")

nb.tests("sgd-step-tests", 1, r"""
p_t = {"W": np.array([[1.0, -2.0], [0.5, 0.0]]), "b": np.array([0.1, -0.1])}
g_t = {"W": np.array([[0.5, 0.5], [-1.0, 2.0]]), "b": np.array([1.0, 0.0])}
new = sgd_step(p_t, g_t, 0.1)
check(isinstance(new, dict) and set(new) == {"W", "b"}, "sgd_step should return a dict with the same keys.",
      "build a new dict: {k: ... for k in params}.")
for k in p_t:
    check_array(new[k], p_t[k] - 0.1 * g_t[k], f"sgd_step(...)[{k!r}]", mistakes={
        "wrong sign in the SGD update: descent moves AGAINST the gradient, theta - lr * grad.": p_t[k] + 0.1 * g_t[k]})
check_array(p_t["W"], np.array([[1.0, -2.0], [0.5, 0.0]]), "params['W'] after sgd_step (must be unchanged)")
### BEGIN HIDDEN TESTS
ph = {"a": rng.normal(size=(3, 4)), "c": rng.normal(size=5)}
gh = {"a": rng.normal(size=(3, 4)), "c": rng.normal(size=5)}
newh = sgd_step(ph, gh, 0.37)
for k in ph:
    check_array(newh[k], ph[k] - 0.37 * gh[k], f"sgd_step(...)[{k!r}] (hidden)", mistakes={
        "wrong sign in the SGD update: descent moves AGAINST the gradient, theta - lr * grad.": ph[k] + 0.37 * gh[k]})
### END HIDDEN TESTS
""")

nb.md(r"""
### Exercise 3 (2 points): momentum

SGD with momentum keeps a running direction (a *velocity*) that averages out the noise of
minibatch gradients and builds up speed along consistent directions:
$$v \leftarrow \beta v + \nabla\theta, \qquad \theta \leftarrow \theta - \eta\, v .$$
Return `(new_params, new_velocity)`, two new dicts. `velocity` starts as zeros.
""")

nb.solution("momentum-step", r"""
def momentum_step(params, grads, velocity, lr, beta=0.9):
    ### BEGIN SOLUTION
    velocity = {k: beta * velocity[k] + grads[k] for k in params}
    return {k: params[k] - lr * velocity[k] for k in params}, velocity
    ### END SOLUTION
""")

nb.tests("momentum-step-tests", 2, r"""
p_t = {"w": np.array([1.0, 2.0])}
g_t = {"w": np.array([0.5, -1.0])}
v_t = {"w": np.array([0.2, 0.2])}
out = momentum_step(p_t, g_t, v_t, lr=0.1, beta=0.9)
check(isinstance(out, tuple) and len(out) == 2, "momentum_step should return (new_params, new_velocity).",
      "end with `return new_params, new_velocity`.")
v_expected = 0.9 * v_t["w"] + g_t["w"]
p_expected = p_t["w"] - 0.1 * v_expected
check_order(out, ({"w": p_expected}, {"w": v_expected}), "momentum_step", ["new_params", "new_velocity"])
check_array(out[1]["w"], v_expected, "the new velocity", mistakes={
    "the velocity is beta * v + grad (you used (1 - beta) * grad or forgot beta).": 0.9 * v_t["w"] + 0.1 * g_t["w"]})
check_array(out[0]["w"], p_t["w"] - 0.1 * v_expected, "the new parameters", mistakes={
    "update with the NEW velocity: theta - lr * (beta * v + grad).": p_t["w"] - 0.1 * v_t["w"],
    "wrong sign: theta - lr * v.": p_t["w"] + 0.1 * v_expected})
### BEGIN HIDDEN TESTS
ph = {"A": rng.normal(size=(2, 3)), "b": rng.normal(size=3)}
vh = {k: np.zeros_like(v) for k, v in ph.items()}
for _ in range(3):
    gh = {k: rng.normal(size=v.shape) for k, v in ph.items()}
    expected_v = {k: 0.5 * vh[k] + gh[k] for k in ph}
    expected_p = {k: ph[k] - 0.2 * expected_v[k] for k in ph}
    ph, vh = momentum_step(ph, gh, vh, lr=0.2, beta=0.5)
    for k in ph:
        check_array(vh[k], expected_v[k], f"velocity[{k!r}] over several steps")
        check_array(ph[k], expected_p[k], f"params[{k!r}] over several steps")
    vh, ph = {k: v.copy() for k, v in vh.items()}, {k: v.copy() for k, v in ph.items()}
### END HIDDEN TESTS
""")

nb.md(r"""
Compare full-batch gradient descent, minibatch SGD and SGD with momentum on the spiral (a
2-100-3 ReLU network, same initialisation, same number of **epochs**). The minibatch methods take
$\lceil 300/32\rceil = 10$ steps per epoch and get much further for the same number of passes
over the data.
""")

nb.code(r"""
X_sp, y_sp = make_spiral(n_per_class=100, n_classes=3, seed=0)


def mlp_scores(params, X, act=lambda z: np.maximum(z, 0)):
    h = X
    for layer in params[:-1]:
        h = act(h @ layer["W"] + layer["b"])
    return h @ params[-1]["W"] + params[-1]["b"]


def run(method, epochs, lr, batch_size=32, seed=0):
    r = np.random.default_rng(seed)
    params = mlp_init([2, 100, 3], r)
    velocity = [{k: np.zeros_like(v) for k, v in layer.items()} for layer in params]
    loss_grad = course.value_and_grad(lambda p, Xb, yb: course.softmax_cross_entropy(mlp_scores(p, Xb), yb))
    history = []
    for _ in range(epochs):
        batches = [(X_sp, y_sp)] if method == "full batch" else iterate_minibatches(X_sp, y_sp, batch_size, r)
        for Xb, yb in batches:
            _, grads = loss_grad(params, Xb, yb)
            if method == "momentum":
                pairs = [momentum_step(p, g, v, lr) for p, g, v in zip(params, grads, velocity)]
                params, velocity = [p for p, _ in pairs], [v for _, v in pairs]
            else:
                params = [sgd_step(p, g, lr) for p, g in zip(params, grads)]
        history.append(float(course.softmax_cross_entropy(mlp_scores(params, X_sp), y_sp)))
    return params, history


epochs = 10 if GRADING else 60
fig, ax = plt.subplots(figsize=(6, 3.5))
for method, lr in [("full batch", 0.5), ("minibatch SGD", 0.5), ("momentum", 0.05)]:
    params_m, hist = run(method, epochs, lr)
    ax.semilogy(hist, label=f"{method} (lr {lr}): acc {accuracy(mlp_scores(params_m, X_sp), y_sp):.0%}")
ax.set_xlabel("epoch"); ax.set_ylabel("training loss"); ax.legend(); ax.set_title("spiral, 2-100-3 ReLU")
plt.show()
""", role="demo")

nb.md(r"""
## 2. Initialisation and gradient flow

Each layer multiplies its input by $W$. If the weights are too small, the signal shrinks layer
after layer; too large, it explodes. The cell below pushes random data through a 10-layer network
of width 256 and plots the standard deviation of every layer's activations (left). Xavier keeps
tanh layers stable; ReLU zeroes half of its inputs, so it needs the twice larger He variance
$2/n_\text{in}$.

The standard deviation alone can mislead: tanh with weights of std 1 looks perfectly stable on
the left, with activations of std near 1. The right panel shows why: almost every unit is
**saturated** ($|\tanh z| > 0.99$, where $\tanh'(z) < 0.02$), so almost no gradient gets through
it. Xavier keeps most units in the range where tanh is close to linear.
""")

nb.code(r"""
X_rand = np.random.default_rng(1).normal(size=(500, 256))
fig, (ax, ax_sat) = plt.subplots(1, 2, figsize=(12, 4))
for act_name, act, scale in [("tanh", np.tanh, 0.01), ("tanh", np.tanh, 1.0), ("tanh", np.tanh, "xavier"),
                             ("relu", lambda z: np.maximum(z, 0), "xavier"), ("relu", lambda z: np.maximum(z, 0), "he")]:
    layers = mlp_init([256] * 11, np.random.default_rng(2), scale=scale)
    h, stds, saturated = X_rand, [], []
    for layer in layers:
        h = act(h @ layer["W"] + layer["b"])
        stds.append(h.std())
        saturated.append(np.mean(np.abs(h) > 0.99))
    ax.semilogy(range(1, 11), stds, "o-", label=f"{act_name}, init {scale}")
    if act_name == "tanh":
        ax_sat.plot(range(1, 11), saturated, "o-", label=f"tanh, init {scale}")
        print(f"tanh, init {scale}: std of the last layer {stds[-1]:.3f}, saturated units {saturated[-1]:.0%}")
ax.set_xlabel("layer"); ax.set_ylabel("std of activations"); ax.legend(fontsize=8)
ax.set_title("forward signal through 10 layers")
ax_sat.set_xlabel("layer"); ax_sat.set_ylabel("fraction of units with |tanh| > 0.99"); ax_sat.set_ylim(-0.02, 1.02)
ax_sat.legend(fontsize=8); ax_sat.set_title("saturation: where tanh' is almost 0")
plt.show()
""", role="demo")

nb.md(r"""
The backward pass has the same problem, made worse by the activation's derivative: the sigmoid's
derivative is at most $1/4$, so the gradient that reaches the first layer of a deep sigmoid
network is tiny. Measure it with the engine: the norm of $\partial L/\partial W_\ell$ for every
layer $\ell$ of an 8-layer network, sigmoid vs ReLU (both with the initialisation that suits them).
""")

nb.code(r"""
def layer_gradient_norms(act, scale, depth=8, width=64):
    r = np.random.default_rng(3)
    params = mlp_init([2] + [width] * depth + [3], r, scale=scale)
    grads = course.grad(lambda p: course.softmax_cross_entropy(mlp_scores(p, X_sp, act), y_sp))(params)
    return [np.linalg.norm(g["W"]) for g in grads]


fig, ax = plt.subplots(figsize=(7, 4))
for name, act, scale in [("sigmoid", course.sigmoid, "xavier"), ("relu", lambda z: np.maximum(z, 0), "he")]:
    norms = layer_gradient_norms(act, scale)
    ax.semilogy(range(1, len(norms) + 1), norms, "o-", label=name)
    print(f"{name:8s} |dL/dW| first layer {norms[0]:.2e}, last layer {norms[-1]:.2e}, ratio {norms[-1] / norms[0]:.0f}")
ax.set_xlabel("layer"); ax.set_ylabel(r"$\|\partial L / \partial W_\ell\|$"); ax.legend()
ax.set_title("gradient flow: sigmoid vanishes, ReLU does not")
plt.show()
""", role="demo")

nb.md(r"""
## 3. Gradient clipping

Occasionally one batch produces a huge gradient (a steep cliff of the loss surface, a badly
scaled input, an exploding recurrent network) and a single step throws the parameters far away.
**Clipping by the global norm** rescales the whole gradient when its norm exceeds a threshold $c$,
keeping its direction:
$$g \leftarrow g\cdot\min\Big(1, \frac{c}{\lVert g\rVert}\Big),\qquad
  \lVert g\rVert = \sqrt{\textstyle\sum_{\text{all arrays}}\sum_{\text{entries}} g^2}.$$

### Exercise 4 (2 points): `clip_by_norm`

`grads` is a dict of arrays. Return a new dict, scaled as above. The norm is over **all** arrays
together (one number), not per array.
""")

nb.solution("clip-by-norm", r"""
def clip_by_norm(grads, max_norm):
    ### BEGIN SOLUTION
    total = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    scale = min(1.0, max_norm / total) if total > 0 else 1.0
    return {k: g * scale for k, g in grads.items()}
    ### END SOLUTION
""")

nb.tests("clip-by-norm-tests", 2, r"""
g_t = {"W": np.array([[3.0, 0.0], [0.0, 0.0]]), "b": np.array([0.0, 4.0])}   # global norm 5
clipped = clip_by_norm(g_t, 1.0)
check(isinstance(clipped, dict) and set(clipped) == {"W", "b"}, "clip_by_norm should return a dict with the same keys.",
      "return {k: ... for k in grads}.")
check_array(clipped["W"], g_t["W"] / 5, "clipped['W']", mistakes={
    "the norm is global: one norm over all arrays together (sqrt of the sum of squares of every entry), not one per array.":
        g_t["W"] / 3})
check_array(clipped["b"], g_t["b"] / 5, "clipped['b']", mistakes={
    "the norm is global: one norm over all arrays together (sqrt of the sum of squares of every entry), not one per array.":
        g_t["b"] / 4})
small = clip_by_norm(g_t, 10.0)
check_array(small["W"], g_t["W"], "clip_by_norm with max_norm above the norm", mistakes={
    "only rescale when the norm EXCEEDS max_norm: min(1, max_norm / norm).": g_t["W"] * 2})
### BEGIN HIDDEN TESTS
gh = {"a": rng.normal(size=(4, 3)), "c": rng.normal(size=7), "d": rng.normal(size=(2, 2, 2))}
norm_h = np.sqrt(sum(np.sum(v ** 2) for v in gh.values()))
ch = clip_by_norm(gh, 0.5)
check_scalar(float(np.sqrt(sum(np.sum(v ** 2) for v in ch.values()))), 0.5, "the global norm after clipping")
for k in gh:
    check_array(ch[k], gh[k] * 0.5 / norm_h, f"clipped[{k!r}] (hidden)")
zero = clip_by_norm({"z": np.zeros(3)}, 1.0)
check_array(zero["z"], np.zeros(3), "clip_by_norm of a zero gradient (no division by zero)")
### END HIDDEN TESTS
""")

nb.md(r"""
**Clipping by value**, the older variant (the seed course used it), clips every entry on its own,
$g_i \leftarrow \min(\max(g_i, -c), c)$ (`np.clip(g, -c, c)`). It also bounds the step, but it
changes the gradient's **direction**: the large entries are cut and the small ones kept, so the
step no longer points downhill as steeply. Clipping by the global norm only shortens the step.
""")

nb.code(r"""
g_demo = {"W": np.array([[30.0, 0.5], [-2.0, 0.1]]), "b": np.array([4.0, -0.2])}
flat = lambda g: np.concatenate([v.ravel() for v in g.values()])
by_value = {k: np.clip(v, -1.0, 1.0) for k, v in g_demo.items()}
by_norm = clip_by_norm(g_demo, 1.0)
for name, clipped_g in [("by value (c = 1)", by_value), ("by global norm (1)", by_norm)]:
    cosine = flat(clipped_g) @ flat(g_demo) / (np.linalg.norm(flat(clipped_g)) * np.linalg.norm(flat(g_demo)))
    print(f"clipped {name:18s}: norm {np.linalg.norm(flat(clipped_g)):.3f}, cosine with the gradient {cosine:.3f}")
""", role="demo")

nb.md(r"""
A deep ReLU network initialised far too large (std 1 instead of He's $\sqrt{2/n}$) starts with
enormous gradients (norm about 150). With learning rate 0.5, plain SGD jumps so far that the loss
reaches about $10^{20}$ and every ReLU unit dies: the loss then sits at $\log 3\approx 1.0986$ (uniform
guessing) forever. The same run with the gradient clipped to norm 1 recovers and trains.
""")

nb.code(r"""
def run_clipping(max_norm, steps, lr=0.5):
    r = np.random.default_rng(4)
    params = mlp_init([2, 64, 64, 64, 3], r, scale=1.0)
    loss_grad = course.value_and_grad(lambda p: course.softmax_cross_entropy(mlp_scores(p, X_sp), y_sp))
    losses = []
    with np.errstate(all="ignore"):  # the unclipped run overflows on purpose
        for _ in range(steps):
            loss, grads = loss_grad(params)
            losses.append(float(loss))
            if not np.isfinite(loss):
                break
            if max_norm is not None:
                flat = clip_by_norm({f"{i}{k}": g[k] for i, g in enumerate(grads) for k in g}, max_norm)
                grads = [{k: flat[f"{i}{k}"] for k in g} for i, g in enumerate(grads)]
            params = [sgd_step(p, g, lr) for p, g in zip(params, grads)]
    return losses, params


steps = 40 if GRADING else 100
fig, ax = plt.subplots(figsize=(6, 3.5))
for max_norm in [None, 1.0]:
    losses, params_c = run_clipping(max_norm, steps)
    ax.semilogy(losses, label="no clipping" if max_norm is None else f"clip to norm {max_norm}")
    print(f"{'no clipping' if max_norm is None else 'clipped':12s}: loss after {len(losses)} steps = {losses[-1]:.3g}, "
          f"largest loss {max(losses):.3g}, training accuracy {accuracy(mlp_scores(params_c, X_sp), y_sp):.0%}")
ax.set_xlabel("step"); ax.set_ylabel("loss"); ax.legend(); ax.set_title("badly initialised 4-layer ReLU net")
plt.show()
""", role="demo")

nb.md(r"""
## 4. Dropout

A large network can memorise its training set. **Dropout** (Srivastava et al., 2014) zeroes each
hidden unit with probability $p$ during training, so that no unit can rely on any particular other
unit. With *inverted* dropout the survivors are scaled by $1/(1-p)$ during training, so that the
expected activation is unchanged and nothing needs to change at test time:
$$\text{train: } y = x \odot \frac{m}{1-p},\; m_{ij}\sim\text{Bernoulli}(1-p), \qquad \text{eval: } y = x .$$
The backward pass multiplies by the same mask.

### Exercise 5 (2 points): inverted dropout

`dropout_forward(x, p_drop, rng, train)` returns `(out, mask)`, where `mask` already contains the
scale: draw `keep = rng.random(x.shape) >= p_drop`, then `mask = keep / (1 - p_drop)`. In eval mode
(`train=False`) return `(x, None)` and draw nothing. `dropout_backward(grad_output, mask)` returns
the input gradient.
""")

nb.solution("dropout", r"""
def dropout_forward(x, p_drop, rng, train=True):
    ### BEGIN SOLUTION
    if not train or p_drop == 0:
        return x, None
    mask = (rng.random(x.shape) >= p_drop) / (1 - p_drop)
    return x * mask, mask
    ### END SOLUTION


def dropout_backward(grad_output, mask):
    ### BEGIN SOLUTION
    return grad_output if mask is None else grad_output * mask
    ### END SOLUTION
""")

nb.tests("dropout-tests", 2, r"""
x_t = np.arange(1.0, 13.0).reshape(3, 4)
keep = np.random.default_rng(0).random(x_t.shape) >= 0.25
out, mask = dropout_forward(x_t, 0.25, np.random.default_rng(0), train=True)
check_array(out, x_t * keep / 0.75, "dropout_forward output (p_drop = 0.25)", mistakes={
    "inverted dropout scales the kept units by 1 / (1 - p_drop) during training.": x_t * keep,
    "scale by 1 / (1 - p_drop), not 1 / p_drop.": x_t * keep / 0.25,
    "drop a unit when rng.random(...) < p_drop, keep it when >= p_drop.": x_t * ~keep / 0.75})
G = np.ones_like(x_t)
check_array(dropout_backward(G, mask), keep / 0.75, "dropout_backward", mistakes={
    "the backward pass multiplies grad_output by the same mask (including its scale).": keep * 1.0})
eval_out, eval_mask = dropout_forward(x_t, 0.25, np.random.default_rng(0), train=False)
check_array(eval_out, x_t, "dropout_forward in eval mode (train=False)", mistakes={
    "at evaluation time dropout does nothing: return x unchanged.": x_t * keep / 0.75,
    "at evaluation time dropout does nothing (the 1/(1-p) scale is applied only in training).": x_t * 0.75})
### BEGIN HIDDEN TESTS
xh = rng.normal(size=(200, 50))
outh, maskh = dropout_forward(xh, 0.5, np.random.default_rng(9), train=True)
keeph = np.random.default_rng(9).random(xh.shape) >= 0.5
check_array(outh, xh * keeph * 2.0, "dropout_forward (p_drop = 0.5, 200x50)")
check(abs(np.mean(maskh) - 1.0) < 0.05, f"the mean of the mask is {np.mean(maskh):.3f}, expected about 1.",
      "inverted dropout keeps the expected activation unchanged.")
Gh = rng.normal(size=xh.shape)
check_array(dropout_backward(Gh, maskh), Gh * keeph * 2.0, "dropout_backward (hidden)")
check_array(dropout_backward(Gh, None), Gh, "dropout_backward with mask None (eval mode)")
### END HIDDEN TESTS
""")

nb.md(r"""
Dropout in action: 40 noisy moons points and a 2-200-200-2 network trained for 400 epochs, long
enough to memorise them. We write dropout into the forward pass (the engine differentiates
`h * mask`, which is exactly your `dropout_backward`) and compare the validation loss and accuracy
on 1,000 new points with and without it. Then the same comparison with 200 training points: with
enough data the network cannot memorise it, and dropout no longer buys accuracy (it still makes
the predictions less over-confident, which the validation loss measures).
""")

nb.code(r"""
X_tr, y_tr = make_moons(n_samples=40, noise=0.35, seed=4)
X_val, y_val = make_moons(n_samples=1000, noise=0.35, seed=2)


def dropout_scores(params, X, p_drop, r, train):
    h = X
    for layer in params[:-1]:
        h, _ = dropout_forward(np.maximum(h @ layer["W"] + layer["b"], 0), p_drop, r, train)
    return h @ params[-1]["W"] + params[-1]["b"]


def run_dropout(p_drop, epochs, lr=0.1, batch_size=10, X_tr=X_tr, y_tr=y_tr):
    r = np.random.default_rng(5)
    params = mlp_init([2, 200, 200, 2], r)
    step = course.grad(lambda p, Xb, yb: course.softmax_cross_entropy(dropout_scores(p, Xb, p_drop, r, True), yb))
    curves = {"train": [], "val": []}
    for _ in range(epochs):
        for Xb, yb in iterate_minibatches(X_tr, y_tr, batch_size, r):
            params = [sgd_step(p, g, lr) for p, g in zip(params, step(params, Xb, yb))]
        for name, (X_, y_) in [("train", (X_tr, y_tr)), ("val", (X_val, y_val))]:
            curves[name].append(float(course.softmax_cross_entropy(dropout_scores(params, X_, p_drop, r, False), y_)))
    return params, curves


epochs = 10 if GRADING else 400
fig, ax = plt.subplots(figsize=(7, 4))
dropout_curves = {}
print("40 training points:")
for p_drop, color in [(0.0, "C0"), (0.5, "C1")]:
    params_d, curves = run_dropout(p_drop, epochs)
    dropout_curves[p_drop] = curves
    ax.plot(curves["train"], color=color, ls="--", label=f"p_drop={p_drop}: train")
    ax.plot(curves["val"], color=color, label=f"p_drop={p_drop}: validation")
    print(f"  p_drop = {p_drop}: final train loss {curves['train'][-1]:.3f}, validation loss {curves['val'][-1]:.3f}, "
          f"validation accuracy {accuracy(dropout_scores(params_d, X_val, p_drop, None, False), y_val):.1%}")
ax.set_xlabel("epoch"); ax.set_ylabel("loss"); ax.set_ylim(0, 1.2); ax.legend()
ax.set_title("overfitting 40 points, with and without dropout")
plt.show()
X_more, y_more = make_moons(n_samples=200, noise=0.35, seed=4)
print("200 training points:")
for p_drop in (0.0, 0.5):
    params_m, curves_m = run_dropout(p_drop, 10 if GRADING else 100, X_tr=X_more, y_tr=y_more)
    print(f"  p_drop = {p_drop}: validation loss {curves_m['val'][-1]:.3f}, "
          f"validation accuracy {accuracy(dropout_scores(params_m, X_val, p_drop, None, False), y_val):.1%}")
""", role="demo")

nb.md(r"""
## 5. Batch normalisation

**Batch normalisation** (Ioffe and Szegedy, 2015) standardises every feature of a layer's input
over the minibatch, then lets the network re-scale it with learned $\gamma, \beta$:
$$\mu_j = \frac1m\sum_i x_{ij},\qquad \sigma_j^2 = \frac1m\sum_i (x_{ij}-\mu_j)^2,\qquad
\hat x_{ij} = \frac{x_{ij}-\mu_j}{\sqrt{\sigma_j^2+\varepsilon}},\qquad y_{ij} = \gamma_j\hat x_{ij} + \beta_j .$$
(The biased variance, dividing by $m$; $\varepsilon$ avoids division by zero.) Every layer then sees
inputs of a fixed scale, whatever the layers before it do, which allows larger learning rates and
makes the initialisation less critical. At test time the batch statistics are replaced by running
averages collected during training (`course.nn`'s reference `BatchNorm` does this).

Its backward pass is the classic hard exercise of CS231n, because $\mu$ and $\sigma^2$ depend on
*every* example of the batch. With AD it is free: write the forward pass.

### Exercise 6 (3 points): `batchnorm_forward` (training mode)

Use numpy operations the engine differentiates (`np.mean(..., axis=0)`, `np.sqrt`, ...), so that
`course.grad` can differentiate through it.
""")

nb.solution("batchnorm", r"""
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    ### BEGIN SOLUTION
    mu = np.mean(x, axis=0)
    var = np.mean((x - mu) ** 2, axis=0)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta
    ### END SOLUTION
""")

nb.tests("batchnorm-tests", 3, r"""
def _bn_reference(x, gamma, beta, eps=1e-5, axis=0, ddof=0):
    mu = x.mean(axis=axis, keepdims=True)
    return gamma * (x - mu) / np.sqrt(x.var(axis=axis, ddof=ddof, keepdims=True) + eps) + beta


def _bn_mistakes(x, gamma, beta, eps=1e-5):
    return {"normalise each feature over the batch: mean and variance along axis=0 (down the rows), not axis=1.":
                _bn_reference(x, gamma, beta, eps, axis=1),
            "batch norm uses the biased variance (divide by m, np.var's default ddof=0).":
                _bn_reference(x, gamma, beta, eps, ddof=1),
            "divide by the standard deviation sqrt(var + eps), not by the variance.":
                gamma * (x - x.mean(0)) / (x.var(0) + eps) + beta,
            "the learned scale and shift come last: gamma * x_hat + beta.": (x - x.mean(0)) / np.sqrt(x.var(0) + eps),
            "use the eps argument: divide by np.sqrt(var + eps) (your result matches eps = 0, i.e. eps left out or "
            "replaced by a much smaller constant).": _bn_reference(x, gamma, beta, eps=0.0)}


x_t = np.array([[1.0, 2.0, -1.0], [3.0, 0.0, 0.5], [2.0, 1.0, 2.0], [0.0, 5.0, 1.5]])
gamma_t, beta_t = np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 0.3])
check_array(batchnorm_forward(x_t, gamma_t, beta_t), _bn_reference(x_t, gamma_t, beta_t), "batchnorm_forward",
            rtol=1e-6, mistakes=_bn_mistakes(x_t, gamma_t, beta_t))
G_t = np.arange(12.0).reshape(4, 3) / 10
dx = course.grad(lambda v: np.sum(batchnorm_forward(v, gamma_t, beta_t) * G_t))(x_t)
check_gradient(lambda v: np.sum(_bn_reference(v, gamma_t, beta_t) * G_t), x_t.copy(), dx,
               "course.grad through batchnorm_forward w.r.t. x", tol=1e-5)
### BEGIN HIDDEN TESTS
for m, d in [(16, 5), (2, 3)]:
    xh = 3 * rng.normal(size=(m, d)) + 1
    gh, bh = rng.normal(size=d), rng.normal(size=d)
    check_array(batchnorm_forward(xh, gh, bh), _bn_reference(xh, gh, bh), f"batchnorm_forward ({m}x{d})",
                rtol=1e-6, mistakes=_bn_mistakes(xh, gh, bh))
    Gh = rng.normal(size=(m, d))
    grads_h = course.grad(lambda t: np.sum(batchnorm_forward(t[0], t[1], t[2]) * Gh))((xh, gh, bh))
    check_gradient(lambda v: np.sum(_bn_reference(v, gh, bh) * Gh), xh.copy(), grads_h[0], f"d x ({m}x{d})", tol=1e-5)
    check_gradient(lambda v: np.sum(_bn_reference(xh, v, bh) * Gh), gh.copy(), grads_h[1], f"d gamma ({m}x{d})", tol=1e-5)
# A constant feature has variance 0: eps keeps the output finite.
const = np.ones((4, 2))
check_array(batchnorm_forward(const, np.ones(2), np.zeros(2)), np.zeros((4, 2)),
            "batchnorm_forward of a constant feature (needs eps)")
### END HIDDEN TESTS
""")

nb.md(r"""
### Exercise 7 (2 points): running statistics and evaluation mode

A trained network must give the same prediction for an example whatever else is in its batch, and
must work on a single example. So in **evaluation mode** batch norm uses fixed statistics: running
averages of the batch means and (biased) variances, updated at every training step,
$$\mu_\text{run} \leftarrow m\,\mu_\text{run} + (1-m)\,\mu_\text{batch},\qquad
  \sigma^2_\text{run} \leftarrow m\,\sigma^2_\text{run} + (1-m)\,\sigma^2_\text{batch}$$
with momentum $m = 0.9$ (the convention of CS231n and of `course.nn`'s `BatchNorm`). Write
`bn_update_running(running_mean, running_var, x, momentum)`, returning the new pair, and
`batchnorm_eval(x, gamma, beta, running_mean, running_var, eps)`, the forward pass with the running
statistics in place of the batch ones.
""")

nb.solution("batchnorm-eval", r"""
def bn_update_running(running_mean, running_var, x, momentum=0.9):
    ### BEGIN SOLUTION
    new_mean = momentum * running_mean + (1 - momentum) * x.mean(axis=0)
    new_var = momentum * running_var + (1 - momentum) * x.var(axis=0)
    return new_mean, new_var
    ### END SOLUTION


def batchnorm_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    ### BEGIN SOLUTION
    return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
    ### END SOLUTION
""")

nb.tests("batchnorm-eval-tests", 2, r"""
from course.nn.layers import BatchNorm

x_r = np.array([[1.0, 2.0, -1.0], [3.0, 0.0, 0.5], [2.0, 1.0, 2.0], [0.0, 5.0, 1.5]])
rm0, rv0 = np.array([0.5, -0.5, 0.0]), np.array([1.0, 2.0, 0.5])
ref_bn = BatchNorm(3)
ref_bn.running_mean, ref_bn.running_var = rm0.copy(), rv0.copy()
ref_bn.forward(x_r)  # training mode: one update of the running statistics
out = bn_update_running(rm0.copy(), rv0.copy(), x_r, 0.9)
check(isinstance(out, tuple) and len(out) == 2, "bn_update_running should return (running_mean, running_var).",
      "return new_mean, new_var")
check_order(out, (ref_bn.running_mean, ref_bn.running_var), "bn_update_running", ["running_mean", "running_var"])
check_array(out[0], ref_bn.running_mean, "the new running mean", mistakes={
    "the old running value keeps the weight momentum: momentum * running + (1 - momentum) * batch (you swapped them).":
        0.1 * rm0 + 0.9 * x_r.mean(axis=0)})
check_array(out[1], ref_bn.running_var, "the new running variance", mistakes={
    "use the biased batch variance x.var(axis=0) (divide by m), as in training: you used ddof=1.":
        0.9 * rv0 + 0.1 * x_r.var(axis=0, ddof=1),
    "the old running value keeps the weight momentum: momentum * running + (1 - momentum) * batch (you swapped them).":
        0.1 * rv0 + 0.9 * x_r.var(axis=0)})
gamma_r, beta_r = np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 0.3])
ref_bn.gamma.value, ref_bn.beta.value = gamma_r, beta_r
ref_bn.running_mean, ref_bn.running_var = rm0.copy(), rv0.copy()
ref_bn.eval()
check_array(batchnorm_eval(x_r, gamma_r, beta_r, rm0, rv0), ref_bn(x_r), "batchnorm_eval", mistakes={
    "evaluation mode normalises with the RUNNING mean and variance, not with the statistics of the batch.":
        batchnorm_forward(x_r, gamma_r, beta_r),
    "divide by the standard deviation sqrt(running_var + eps), not by the variance.":
        gamma_r * (x_r - rm0) / (rv0 + 1e-5) + beta_r})
### BEGIN HIDDEN TESTS
# One example alone gets exactly the output it gets inside a batch.
xb = rng.normal(size=(6, 4))
rmh, rvh = rng.normal(size=4), rng.uniform(0.5, 2.0, size=4)
gh, bh = rng.normal(size=4), rng.normal(size=4)
batch_out = batchnorm_eval(xb, gh, bh, rmh, rvh)
check_array(batchnorm_eval(xb[2:3], gh, bh, rmh, rvh), batch_out[2:3], "batchnorm_eval of one example alone")
ref_h = BatchNorm(4, momentum=0.8)
ref_h.running_mean, ref_h.running_var = rmh.copy(), rvh.copy()
for _ in range(3):
    xs = rng.normal(size=(5, 4)) * 2 + 1
    ref_h.forward(xs)
    rmh, rvh = bn_update_running(rmh, rvh, xs, 0.8)
check_array(rmh, ref_h.running_mean, "the running mean after 3 updates with momentum 0.8")
check_array(rvh, ref_h.running_var, "the running variance after 3 updates with momentum 0.8")
### END HIDDEN TESTS
""")

nb.md(r"""
Batch norm in action: a 6-layer **sigmoid** network on the spiral, which plain SGD trains very
slowly (section 2), with and without a batch-norm step before every sigmoid. Training uses the
batch statistics and updates the running ones; the curves show the loss of the whole training set
in **evaluation mode** (running statistics), as the network will be used. With batch norm the
network tolerates a large learning rate, but at a constant 0.5 its loss jumps from epoch to epoch;
the learning rate therefore decays from 0.5 to 0.05, which settles the run.
""")

nb.code(r"""
def bn_scores(params, X, use_bn, running=None):
    # running: None (training mode, batch statistics) or one (mean, var) pair per layer (evaluation mode).
    h = X
    for i, layer in enumerate(params[:-1]):
        z = h @ layer["W"] + layer["b"]
        if use_bn:
            z = (batchnorm_forward(z, layer["gamma"], layer["beta"]) if running is None
                 else batchnorm_eval(z, layer["gamma"], layer["beta"], *running[i]))
        h = course.sigmoid(z)
    return h @ params[-1]["W"] + params[-1]["b"]


def layer_inputs(params, X):
    # The inputs z of every batch-norm step (training mode), for the running statistics.
    h, zs = X, []
    for layer in params[:-1]:
        z = h @ layer["W"] + layer["b"]
        zs.append(z)
        h = course.sigmoid(batchnorm_forward(z, layer["gamma"], layer["beta"]))
    return zs


def run_bn(use_bn, epochs, lr0=0.5, batch_size=32):
    r = np.random.default_rng(6)
    params = mlp_init([2, 64, 64, 64, 64, 64, 3], r, scale="xavier")
    for layer in params[:-1]:
        layer["gamma"], layer["beta"] = np.ones(layer["b"].shape), np.zeros(layer["b"].shape)
    running = [(np.zeros(64), np.ones(64)) for _ in params[:-1]]
    step = course.grad(lambda p, Xb, yb: course.softmax_cross_entropy(bn_scores(p, Xb, use_bn), yb))
    losses = []
    for epoch in range(epochs):
        lr = lr0 * (1 - 0.9 * epoch / max(1, epochs - 1))  # 0.5 -> 0.05
        for Xb, yb in iterate_minibatches(X_sp, y_sp, batch_size, r):
            if use_bn:
                running = [bn_update_running(m, v, z, 0.9) for (m, v), z in zip(running, layer_inputs(params, Xb))]
            params = [sgd_step(p, g, lr) for p, g in zip(params, step(params, Xb, yb))]
        losses.append(float(course.softmax_cross_entropy(bn_scores(params, X_sp, use_bn, running if use_bn else None), y_sp)))
    return params, running, losses


epochs = 3 if GRADING else 30
fig, ax = plt.subplots(figsize=(6, 3.5))
for use_bn in [False, True]:
    params_bn, running_bn, losses = run_bn(use_bn, epochs)
    label = "with batch norm" if use_bn else "without"
    acc_eval = accuracy(bn_scores(params_bn, X_sp, use_bn, running_bn if use_bn else None), y_sp)
    ax.plot(losses, label=f"{label}: train acc {acc_eval:.0%} (evaluation mode)")
    print(f"{label:15s}: final loss {losses[-1]:.3f}, training accuracy in evaluation mode {acc_eval:.1%}")
ax.set_xlabel("epoch"); ax.set_ylabel("training loss (evaluation mode)"); ax.legend()
ax.set_title("6-layer sigmoid network on the spiral")
plt.show()
""", role="demo")

nb.md(r"""
## 6. Early stopping

The validation curve of the dropout-free run above goes down, reaches a minimum, then rises again
while the training loss keeps falling: the network starts memorising. **Early stopping** watches
the validation loss, remembers the best epoch, and stops once there was no improvement for
`patience` epochs; the parameters of the best epoch are the result.

### Exercise 8 (2 points): `early_stopping(val_losses, patience)`

Go through the validation losses epoch by epoch (0-based). An epoch *improves* if its loss is
strictly below the best loss so far. Stop at the first epoch `e` with `e - best_epoch == patience`.
Return `(stop_epoch, best_epoch)`; if training never stops early, `stop_epoch` is the last epoch.
""")

nb.solution("early-stopping", r"""
def early_stopping(val_losses, patience):
    ### BEGIN SOLUTION
    best_epoch, best = 0, np.inf
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best_epoch, best = epoch, loss
        elif epoch - best_epoch >= patience:
            return epoch, best_epoch
    return len(val_losses) - 1, best_epoch
    ### END SOLUTION
""")

nb.tests("early-stopping-tests", 2, r"""
def _check_early(losses, patience, expected, explanation):
    got = early_stopping(losses, patience)
    if got == expected:
        return
    what = f"early_stopping({losses}, patience={patience}) returned {got}, expected {expected}."
    if isinstance(got, tuple) and got == expected[::-1]:
        hint = "the values are right but in the wrong order: return (stop_epoch, best_epoch)."
    elif isinstance(got, tuple) and len(got) == 2 and got[1] == expected[1] and got[0] == expected[0] + 1 \
            and expected[0] - expected[1] == patience:
        hint = (f"you stop one epoch too late (off by one): stop at the first epoch e with e - best_epoch == patience "
                f"(here {expected[0]} = {expected[1]} + {patience}), i.e. test >= patience, not > patience.")
    else:  # no evidence of one mistake: walk through the expected answer instead
        what, hint = f"{what} {explanation[0].upper()}{explanation[1:]}", None
    check(False, what, hint)


losses_t = [1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.9, 0.65, 0.7]
_check_early(losses_t, 3, (5, 2),
             "the best loss 0.7 is at epoch 2; epochs 3, 4, 5 do not improve on it, so training stops at epoch 5 = 2 + 3.")
_check_early(losses_t, 5, (8, 7),
             "when patience is never exhausted, return (last epoch, best epoch); 0.65 at epoch 7 is the best.")
### BEGIN HIDDEN TESTS
check(early_stopping([0.5], 1) == (0, 0), "one epoch: expected (0, 0).", "handle short lists.")
check(early_stopping([1.0, 1.0, 1.0], 2) == (2, 0), f"equal losses are not improvements: expected (2, 0), got {early_stopping([1.0, 1.0, 1.0], 2)}.",
      "improve only when the loss is strictly below the best so far.")
check(early_stopping([3.0, 2.0, 1.0, 0.5], 1) == (3, 3), "a steadily falling loss never stops early.", "")
check(early_stopping([1.0, 2.0, 3.0, 4.0], 1) == (1, 0), f"expected (1, 0), got {early_stopping([1.0, 2.0, 3.0, 4.0], 1)}.",
      "with patience 1 training stops at the first epoch that does not improve.")
### END HIDDEN TESTS
""")

nb.code(r"""
val = dropout_curves[0.0]["val"]
stop, best = early_stopping(val, patience=10 if not GRADING else 3)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(dropout_curves[0.0]["train"], "--", label="train")
ax.plot(val, label="validation")
ax.axvline(best, color="g", ls=":", label=f"best epoch {best}")
ax.axvline(stop, color="r", ls=":", label=f"stopped at epoch {stop}")
ax.set_xlabel("epoch"); ax.set_ylabel("loss"); ax.set_ylim(0, 1.2); ax.legend()
ax.set_title("early stopping on the run without dropout")
plt.show()
print(f"best validation loss {val[best]:.3f} at epoch {best}; the last epoch had {val[-1]:.3f}")
""", role="demo")

nb.md(r"""
## 7. What reverse mode costs in memory

The backward pass runs the rules in reverse, and each rule needs values from the forward pass:
the input of a matrix product (for $\bar W = X^\top \bar S$), the mask of a ReLU, the output of
an exponential. The **tape** (the graph) keeps all of them alive from the forward pass until the
backward pass has used them. So training memory grows with depth $\times$ batch size $\times$
width, while a forward pass without recording (`course.no_grad()`, as for evaluation) holds only
the layer being computed. This, not the weights, is what limits the batch size of large models.

The cell measures it with Python's `tracemalloc` (numpy reports its arrays to it): the memory
still allocated after the forward pass of an MLP of 256 units per layer on a batch of 256, with
and without recording.

**Checkpointing** trades time for that memory: keep only every $k$-th layer's activation during
the forward pass; in the backward pass, recompute each segment's forward pass from its checkpoint
just before its gradients are needed. The tape then holds $L/k$ checkpoints plus one segment of
$k$ layers, about $2\sqrt{L}$ layers' worth for $k = \sqrt{L}$, for the price of one extra forward
pass (`torch.utils.checkpoint`, `jax.checkpoint`; with `course.primitive` a segment is a function
whose VJP rule recomputes it under `course.grad`).
""")

nb.code(r"""
import tracemalloc


def deep_relu_net(weights, X):
    h = X
    for W in weights[:-1]:
        h = np.maximum(h @ W, 0.0)
    return h @ weights[-1]


r_mem = np.random.default_rng(0)
X_mem = r_mem.normal(size=(256, 256)).astype(np.float32)
print(f"{'layers':>6} {'tape after forward (MB)':>24} {'no_grad forward, peak (MB)':>27}")
for depth in (2, 4, 8, 16):
    weights = [course.Tensor(r_mem.normal(0, np.sqrt(2 / 256), size=(256, 256)).astype(np.float32),
                             requires_grad=True) for _ in range(depth)]
    tracemalloc.start()
    loss = (deep_relu_net(weights, X_mem) ** 2).mean()
    taped = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    loss.backward()  # uses the tape, then frees it
    tracemalloc.start()
    with course.no_grad():
        deep_relu_net(weights, X_mem)
    untaped = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{depth:>6} {taped / 2**20:>24.2f} {untaped / 2**20:>27.2f}")
print(f"one activation of the batch: {X_mem.nbytes / 2**20:.2f} MB")
""", role="demo")

nb.md(r"""
## Summary

* Minibatches make each step cheap; momentum smooths and accelerates.
* Initialise with the variance that suits the activation (Xavier for tanh/sigmoid, He for ReLU);
  sigmoid's small derivative makes gradients vanish in deep networks, ReLU's does not.
* Clip the global gradient norm to survive rare huge gradients.
* Dropout and early stopping fight overfitting; batch normalisation keeps layer inputs well scaled.
* Reverse mode keeps every intermediate value it needs until the backward pass: memory grows with
  depth and batch size; checkpointing recomputes instead of storing.

All of these exist as reference implementations in `course.nn` (`SGD`, `Momentum`, `clip_grad_norm`,
`Dropout`, `BatchNorm` with running statistics for evaluation, `EarlyStopping`) and in
`course.train.fit`. Notebook 09 puts minibatch SGD to work on MNIST.
""")

if __name__ == "__main__":
    print(nb.write())
