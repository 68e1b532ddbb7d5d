"""Bug zoo entries for notebooks/07-two-layer-network.ipynb (format: README.md)."""

from zoo import Bug

NOTEBOOK = "07-two-layer-network"

BUGS = [
    Bug("backprop-forgot-regularisation-gradient", cell="two-layer-backprop",
        find="dW2 = h.T @ dS + reg * W2",
        replace="dW2 = h.T @ dS",
        hint="you forgot the gradient of the regularisation term"),
    Bug("backprop-relu-mask-from-gradient", cell="two-layer-backprop",
        find="dZ = dh * (Z > 0)",
        replace="dZ = dh * (dh > 0)",
        hint="the ReLU mask must come from the hidden layer's input Z"),
    Bug("backprop-bias-gradient-not-summed", cell="two-layer-backprop",
        find="db1 = dZ.sum(axis=0)",
        replace="db1 = dZ",
        hint="sum the bias gradient over the batch axis"),
    Bug("backprop-sum-instead-of-mean", cell="two-layer-backprop",
        find="dS /= n",
        replace="dS /= 1",
        hint="(you used the sum)"),
    Bug("predict-argmax-over-examples", cell="predict",
        find="axis=1)",
        replace="axis=0)",
        hint="take the argmax over the classes (axis=1)"),
    Bug("tanh-net-forgot-regularisation", cell="tanh-net",
        find="return cross_entropy(scores, y) + penalty",
        replace="return cross_entropy(scores, y)",
        hint="the regularisation term reg/2"),
]
