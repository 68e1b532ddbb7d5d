"""Held-out wrong answers for notebooks/08-training-tricks.ipynb (format: tests/mutants/README.md)."""
from catalogue import Wrong

NOTEBOOK = "08-training-tricks"

WRONG = [
    Wrong("ho-momentum-beta-on-gradient", cell="momentum-step",
          mistake="velocity = v + beta * grad: beta multiplies the gradient instead of the old velocity",
          hint="beta * v",
          answer='''
def momentum_step(params, grads, velocity, lr, beta=0.9):
    velocity = {k: velocity[k] + beta * grads[k] for k in params}
    return {k: params[k] - lr * velocity[k] for k in params}, velocity
'''),
    Wrong("ho-clip-sum-of-norms", cell="clip-by-norm",
          mistake="total = sum of the arrays' norms instead of the norm of all entries together (sqrt of the sum of squares)",
          hint="sum of squares",
          answer='''
def clip_by_norm(grads, max_norm):
    total = sum(np.linalg.norm(g) for g in grads.values())
    scale = min(1.0, max_norm / total) if total > 0 else 1.0
    return {k: g * scale for k, g in grads.items()}
'''),
    Wrong("ho-dropout-global-random", cell="dropout",
          mistake="np.random.random(x.shape) instead of the rng argument: the mask ignores the given generator",
          hint="rng",
          answer='''
def dropout_forward(x, p_drop, rng, train=True):
    if not train or p_drop == 0:
        return x, None
    mask = (np.random.random(x.shape) >= p_drop) / (1 - p_drop)
    return x * mask, mask


def dropout_backward(grad_output, mask):
    return grad_output if mask is None else grad_output * mask
'''),
    Wrong("ho-batchnorm-eps-outside-sqrt", cell="batchnorm",
          mistake="np.sqrt(var) + eps: eps added outside the square root",
          hint="inside the square root",
          answer='''
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    mu = np.mean(x, axis=0)
    var = np.mean((x - mu) ** 2, axis=0)
    return gamma * (x - mu) / (np.sqrt(var) + eps) + beta
'''),
    Wrong("ho-early-stopping-best-starts-at-zero", cell="early-stopping",
          mistake="best initialised to 0 instead of np.inf: no loss ever counts as an improvement",
          hint="initial",
          answer='''
def early_stopping(val_losses, patience):
    best_epoch, best = 0, 0
    for epoch, loss in enumerate(val_losses):
        if loss < best:
            best_epoch, best = epoch, loss
        elif epoch - best_epoch >= patience:
            return epoch, best_epoch
    return len(val_losses) - 1, best_epoch
'''),
]
