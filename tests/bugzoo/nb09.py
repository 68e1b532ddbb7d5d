"""Bug zoo entries for notebooks/09-mnist.ipynb (format: README.md)."""

from zoo import Bug

NOTEBOOK = "09-mnist"

BUGS = [
    Bug("init-xavier-instead-of-he", cell="init-mlp",
        find="np.sqrt(2 / n_in)",
        replace="np.sqrt(2 / (n_in + n_out))",
        hint="He initialisation uses std sqrt(2 / n_in)"),
    Bug("relu-on-the-logits", cell="mlp-forward",
        find='return h @ params[-1]["W"] + params[-1]["b"]',
        replace='return np.maximum(h @ params[-1]["W"] + params[-1]["b"], 0)',
        hint="no ReLU after the last layer"),
    Bug("train-epoch-wrong-sign", cell="train-epoch",
        find="layer[k] - lr * g[k]",
        replace="layer[k] + lr * g[k]",
        hint="wrong sign in the SGD update"),
]
