"""Held-out wrong answers for notebooks/06-layers.ipynb (format: tests/mutants/README.md)."""
from catalogue import Wrong

NOTEBOOK = "06-layers"


def _one(text: str, old: str, new: str) -> str:
    """``text`` with the single occurrence of ``old`` replaced (a long answer cell, one mistake)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


# The answer cells as the student completes them correctly; each entry changes one thing.
_DENSE = '''
class Dense(Layer):
    def __init__(self, n_in, n_out, rng):
        super().__init__()
        self.params = {"W": xavier_init(n_in, n_out, rng), "b": np.zeros(n_out)}

    def forward(self, x):
        self.x = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, grad_output):
        self.grads["W"] = self.x.T @ grad_output
        self.grads["b"] = grad_output.sum(axis=0)
        return grad_output @ self.params["W"].T
'''

_RELU = '''
class ReLU(Layer):
    def forward(self, x):
        self.mask = x > 0
        return np.where(self.mask, x, 0.0)

    def backward(self, grad_output):
        return grad_output * self.mask
'''

_SIGMOID = '''
class Sigmoid(Layer):
    def forward(self, x):
        self.y = np.exp(-np.logaddexp(0.0, -x))
        return self.y

    def backward(self, grad_output):
        return grad_output * self.y * (1 - self.y)
'''

_TANH = '''
class Tanh(Layer):
    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, grad_output):
        return grad_output * (1 - self.y ** 2)
'''

_SOFTMAX_CE = '''
def softmax_cross_entropy(logits, y):
    n = logits.shape[0]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(n), y].mean()
    dlogits = np.exp(log_probs)
    dlogits[np.arange(n), y] -= 1
    return float(loss), dlogits / n
'''

WRONG = [
    Wrong("ho-xavier-precedence", cell="xavier-init",
          mistake="np.sqrt(2.0 / n_in + n_out): missing parentheses around n_in + n_out",
          hint="parenthes",
          answer='''
def xavier_init(n_in, n_out, rng):
    std = np.sqrt(2.0 / n_in + n_out)
    return rng.normal(0.0, std, size=(n_in, n_out))
'''),
    Wrong("ho-relu-forward-np-max", cell="relu",
          mistake="np.max(x, 0) (the column maxima) where the elementwise np.maximum(x, 0) is meant",
          hint="np.maximum",
          answer=_one(_RELU, "return np.where(self.mask, x, 0.0)", "return np.max(x, 0)")),
    Wrong("ho-tanh-backward-square-of-difference", cell="tanh",
          mistake="(1 - y) ** 2 instead of 1 - y ** 2 (parenthesis in the wrong place)",
          hint="(1 - y)",
          answer=_one(_TANH, "grad_output * (1 - self.y ** 2)", "grad_output * (1 - self.y) ** 2")),
    Wrong("ho-softmax-ce-gradient-all-labels", cell="softmax-ce",
          mistake="dlogits[:, y] -= 1 subtracts 1 in every row at every label column, not once per row",
          hint="np.arange",
          answer=_one(_SOFTMAX_CE, "dlogits[np.arange(n), y] -= 1", "dlogits[:, y] -= 1")),
    Wrong("ho-softmax-ce-gradient-unnormalised", cell="softmax-ce",
          mistake="dlogits = np.exp(shifted): the unnormalised exponentials instead of the probabilities",
          hint="probabilit",
          answer=_one(_SOFTMAX_CE, "dlogits = np.exp(log_probs)", "dlogits = np.exp(shifted)")),
]
