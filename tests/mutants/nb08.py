"""Wrong answers for notebooks/08-training-tricks.ipynb (format: tests/mutants/README.md)."""
from catalogue import Wrong

NOTEBOOK = "08-training-tricks"


def _one(text: str, old: str, new: str) -> str:
    """``text`` with the single occurrence of ``old`` replaced (a long answer cell, one mistake)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


# The dropout cell as the student completes it correctly; its entries change one thing each.
_DROPOUT = '''
def dropout_forward(x, p_drop, rng, train=True):
    if not train or p_drop == 0:
        return x, None
    mask = (rng.random(x.shape) >= p_drop) / (1 - p_drop)
    return x * mask, mask


def dropout_backward(grad_output, mask):
    return grad_output if mask is None else grad_output * mask
'''

_EARLY = '''
def early_stopping(val_losses, patience):
    best_epoch, best = 0, np.inf
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best_epoch, best = epoch, loss
        elif epoch - best_epoch >= patience:
            return epoch, best_epoch
    return len(val_losses) - 1, best_epoch
'''

_BN_EVAL = '''
def bn_update_running(running_mean, running_var, x, momentum=0.9):
    new_mean = momentum * running_mean + (1 - momentum) * x.mean(axis=0)
    new_var = momentum * running_var + (1 - momentum) * x.var(axis=0)
    return new_mean, new_var


def batchnorm_eval(x, gamma, beta, running_mean, running_var, eps=1e-5):
    return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
'''


WRONG = [
    # --- converted from tests/bugzoo/nb08.py -------------------------------------------------
    Wrong("minibatches-not-shuffled", cell="minibatches",
          mistake="batches in the original order (no permutation)",
          hint="shuffle first",
          answer='''
def iterate_minibatches(X, y, batch_size, rng):
    perm = np.arange(len(X))
    for start in range(0, len(X), batch_size):
        idx = perm[start:start + batch_size]
        yield X[idx], y[idx]
'''),
    Wrong("sgd-step-wrong-sign", cell="sgd-step",
          mistake="params + lr * grads (ascent instead of descent)",
          hint="wrong sign in the SGD update",
          answer='''
def sgd_step(params, grads, lr):
    return {k: params[k] + lr * grads[k] for k in params}
'''),
    Wrong("clip-norm-per-array", cell="clip-by-norm",
          mistake="clips every array by its own norm instead of one global norm",
          hint="the norm is global",
          answer='''
def clip_by_norm(grads, max_norm):
    return {k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in grads.items()}
'''),
    Wrong("dropout-not-rescaled", cell="dropout",
          mistake="plain dropout mask, kept units not scaled by 1 / (1 - p_drop)",
          hint="scales the kept units by 1 / (1 - p_drop)",
          answer=_one(_DROPOUT, "mask = (rng.random(x.shape) >= p_drop) / (1 - p_drop)",
                      "mask = (rng.random(x.shape) >= p_drop) * 1.0")),
    Wrong("batchnorm-unbiased-variance", cell="batchnorm",
          mistake="unbiased variance (divides by m - 1)",
          hint="biased variance",
          answer='''
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    mu = np.mean(x, axis=0)
    var = np.sum((x - mu) ** 2, axis=0) / (x.shape[0] - 1)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta
'''),
    # --- new ------------------------------------------------------------------------------------
    Wrong("minibatches-drops-last-batch", cell="minibatches",
          mistake="range(0, N - batch_size + 1, batch_size): the last, smaller batch is dropped",
          hint="last",
          answer='''
def iterate_minibatches(X, y, batch_size, rng):
    perm = rng.permutation(len(X))
    for start in range(0, len(X) - batch_size + 1, batch_size):
        idx = perm[start:start + batch_size]
        yield X[idx], y[idx]
'''),
    Wrong("minibatches-separate-permutations", cell="minibatches",
          mistake="shuffles X and y with two different permutations: labels no longer match their rows",
          hint="same permutation",
          answer='''
def iterate_minibatches(X, y, batch_size, rng):
    X_shuffled = X[rng.permutation(len(X))]
    y_shuffled = y[rng.permutation(len(y))]
    for start in range(0, len(X), batch_size):
        yield X_shuffled[start:start + batch_size], y_shuffled[start:start + batch_size]
'''),
    Wrong("sgd-step-in-place", cell="sgd-step",
          mistake="params[k] -= lr * grads[k]: updates the caller's arrays in place",
          hint="changed its input",
          answer='''
def sgd_step(params, grads, lr):
    for k in params:
        params[k] -= lr * grads[k]
    return params
'''),
    Wrong("momentum-returns-velocity-first", cell="momentum-step",
          mistake="returns (velocity, params) instead of (params, velocity)",
          hint="order",
          answer='''
def momentum_step(params, grads, velocity, lr, beta=0.9):
    velocity = {k: beta * velocity[k] + grads[k] for k in params}
    return velocity, {k: params[k] - lr * velocity[k] for k in params}
'''),
    Wrong("momentum-steps-with-old-velocity", cell="momentum-step",
          mistake="updates the parameters with the old velocity, before adding the gradient",
          hint="NEW velocity",
          answer='''
def momentum_step(params, grads, velocity, lr, beta=0.9):
    new_params = {k: params[k] - lr * velocity[k] for k in params}
    velocity = {k: beta * velocity[k] + grads[k] for k in params}
    return new_params, velocity
'''),
    Wrong("momentum-velocity-updated-in-place", cell="momentum-step",
          mistake="writes the new velocity into the caller's velocity dict",
          hint="changed its input",
          answer='''
def momentum_step(params, grads, velocity, lr, beta=0.9):
    for k in params:
        velocity[k] = beta * velocity[k] + grads[k]
    return {k: params[k] - lr * velocity[k] for k in params}, velocity
'''),
    Wrong("clip-divides-by-zero-norm", cell="clip-by-norm",
          mistake="max_norm / total without guarding total == 0 (division by zero for a zero gradient)",
          hint="division by zero",
          answer='''
def clip_by_norm(grads, max_norm):
    total = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    scale = min(1.0, max_norm / total)
    return {k: g * scale for k, g in grads.items()}
'''),
    Wrong("clip-always-rescales", cell="clip-by-norm",
          mistake="always rescales to max_norm, also when the norm is already below it",
          hint="only rescale",
          answer='''
def clip_by_norm(grads, max_norm):
    total = np.sqrt(sum(np.sum(g * g) for g in grads.values()))
    scale = max_norm / total if total > 0 else 1.0
    return {k: g * scale for k, g in grads.items()}
'''),
    Wrong("dropout-keeps-below-p", cell="dropout",
          mistake="keeps a unit when rng.random() < p_drop (drops the wrong ones)",
          hint="keep it when",
          answer=_one(_DROPOUT, "(rng.random(x.shape) >= p_drop)", "(rng.random(x.shape) < p_drop)")),
    Wrong("dropout-eval-scaled", cell="dropout",
          mistake="scales by (1 - p_drop) at evaluation time (inverted dropout needs nothing there)",
          hint="evaluation time",
          answer=_one(_DROPOUT, "    if not train or p_drop == 0:\n        return x, None\n",
                      "    if not train:\n        return x * (1 - p_drop), None\n"
                      "    if p_drop == 0:\n        return x, None\n")),
    Wrong("dropout-backward-unscaled-mask", cell="dropout",
          mistake="backward multiplies by the 0/1 pattern (mask > 0), losing the 1 / (1 - p_drop) scale",
          hint="same mask",
          answer=_one(_DROPOUT, "grad_output * mask\n", "grad_output * (mask > 0)\n")),
    Wrong("batchnorm-without-eps", cell="batchnorm",
          mistake="divides by np.sqrt(var) without eps: 0 / 0 for a constant feature",
          hint="eps",
          answer='''
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    mu = np.mean(x, axis=0)
    var = np.mean((x - mu) ** 2, axis=0)
    return gamma * (x - mu) / np.sqrt(var) + beta
'''),
    Wrong("batchnorm-hardcoded-eps", cell="batchnorm",
          mistake="hard-codes eps = 1e-8 instead of using the eps argument (1e-5): off by about 1e-6",
          hint="eps",
          answer='''
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    mu = np.mean(x, axis=0)
    var = np.mean((x - mu) ** 2, axis=0)
    return gamma * (x - mu) / np.sqrt(var + 1e-8) + beta
'''),
    Wrong("batchnorm-over-features", cell="batchnorm",
          mistake="mean and variance over axis=1 (per example, layer-norm style) with keepdims",
          hint="axis=0",
          answer='''
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    mu = np.mean(x, axis=1, keepdims=True)
    var = np.mean((x - mu) ** 2, axis=1, keepdims=True)
    return gamma * (x - mu) / np.sqrt(var + eps) + beta
'''),
    Wrong("early-stopping-returns-best-first", cell="early-stopping",
          mistake="returns (best_epoch, stop_epoch) instead of (stop_epoch, best_epoch)",
          hint="order",
          answer=_one(_one(_EARLY, "            return epoch, best_epoch", "            return best_epoch, epoch"),
                      "    return len(val_losses) - 1, best_epoch", "    return best_epoch, len(val_losses) - 1")),
    Wrong("early-stopping-one-epoch-late", cell="early-stopping",
          mistake="epoch - best_epoch > patience: waits one epoch longer than the patience (off by one)",
          hint="off by one",
          answer=_one(_EARLY, "elif epoch - best_epoch >= patience:", "elif epoch - best_epoch > patience:")),
    Wrong("early-stopping-equal-is-improvement", cell="early-stopping",
          mistake="loss <= best counts an equal loss as an improvement",
          hint="strictly",
          answer=_one(_EARLY, "if loss < best:", "if loss <= best:")),
    Wrong("bn-running-momentum-swapped", cell="batchnorm-eval",
          mistake="the batch statistics get the weight momentum, the running ones 1 - momentum",
          hint="you swapped them",
          answer=_one(_BN_EVAL, "new_mean = momentum * running_mean + (1 - momentum) * x.mean(axis=0)",
                      "new_mean = (1 - momentum) * running_mean + momentum * x.mean(axis=0)")),
    Wrong("bn-running-unbiased-var", cell="batchnorm-eval",
          mistake="the running variance averages the unbiased batch variance (ddof=1)",
          hint="ddof=1",
          answer=_one(_BN_EVAL, "x.var(axis=0)", "x.var(axis=0, ddof=1)")),
    Wrong("bn-eval-batch-statistics", cell="batchnorm-eval",
          mistake="evaluation mode still normalises with the batch's own statistics",
          hint="RUNNING mean and variance",
          answer=_one(_BN_EVAL, "    return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta",
                      "    return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta")),
]
