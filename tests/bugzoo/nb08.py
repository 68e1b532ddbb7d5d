"""Bug zoo entries for notebooks/08-training-tricks.ipynb (format: README.md)."""

from zoo import Bug

NOTEBOOK = "08-training-tricks"

BUGS = [
    Bug("minibatches-not-shuffled", cell="minibatches",
        find="perm = rng.permutation(len(X))",
        replace="perm = np.arange(len(X))",
        hint="shuffle first"),
    Bug("sgd-step-wrong-sign", cell="sgd-step",
        find="params[k] - lr * grads[k]",
        replace="params[k] + lr * grads[k]",
        hint="wrong sign in the SGD update"),
    Bug("clip-norm-per-array", cell="clip-by-norm",
        find="    total = np.sqrt(sum(np.sum(g * g) for g in grads.values()))\n"
             "    scale = min(1.0, max_norm / total) if total > 0 else 1.0\n"
             "    return {k: g * scale for k, g in grads.items()}",
        replace="    return {k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in grads.items()}",
        hint="the norm is global"),
    Bug("dropout-not-rescaled", cell="dropout",
        find="mask = (rng.random(x.shape) >= p_drop) / (1 - p_drop)",
        replace="mask = (rng.random(x.shape) >= p_drop) * 1.0",
        hint="scales the kept units by 1 / (1 - p_drop)"),
    Bug("batchnorm-unbiased-variance", cell="batchnorm",
        find="var = np.mean((x - mu) ** 2, axis=0)",
        replace="var = np.sum((x - mu) ** 2, axis=0) / (x.shape[0] - 1)",
        hint="biased variance"),
]
