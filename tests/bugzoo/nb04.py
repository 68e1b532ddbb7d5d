"""Bug zoo entries for notebooks/04-matrix-calculus.ipynb (format: README.md)."""

from zoo import Bug

NOTEBOOK = "04-matrix-calculus"

BUGS = [
    Bug("matmul-dW-missing-transpose", cell="matmul-vjp",
        find="dW = X.T @ dS",
        replace="dW = dS.T @ X",
        hint="missing a transpose"),
    Bug("matmul-dX-wrong-sign", cell="matmul-vjp",
        find="dX = dS @ W.T",
        replace="dX = -dS @ W.T",
        hint="wrong sign"),
    Bug("bias-gradient-not-summed-over-batch", cell="add-vjp",
        find="return unbroadcast(dZ, a_shape), unbroadcast(dZ, b_shape)",
        replace="return unbroadcast(dZ, a_shape), dZ",
        hint="sum the bias gradient over the batch axis"),
    Bug("relu-mask-from-upstream-gradient", cell="relu-vjp",
        find="return dH * (Z > 0)",
        replace="return dH * (dH > 0)",
        hint="must come from the forward input Z"),
    Bug("mean-vjp-not-divided-mean-vs-sum", cell="reduce-vjp",
        find="return sum_vjp(x_shape, axis, keepdims, g) / n",
        replace="return sum_vjp(x_shape, axis, keepdims, g)",
        hint="mean vs sum"),
    Bug("unbroadcast-uses-mean", cell="unbroadcast",
        find="grad = grad.sum(axis=tuple(range(extra)))",
        replace="grad = grad.mean(axis=tuple(range(extra)))",
        hint="a broadcast copy turns into a SUM"),
    Bug("mse-loss-sum-instead-of-mean", cell="mse-loss",
        find="return np.mean(residual**2)",
        replace="return np.sum(residual**2)",
        hint="np.mean, not np.sum"),
]
