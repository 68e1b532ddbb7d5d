"""Wrong answers for notebooks/06-layers.ipynb (format: tests/mutants/README.md)."""
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

_LSE = '''
def lse_forward(x):
    m = x.max(axis=-1, keepdims=True)
    return (m + np.log(np.exp(x - m).sum(axis=-1, keepdims=True)))[..., 0]


def lse_vjp(g, ans, x):
    return g[..., None] * np.exp(x - ans[..., None])
'''


WRONG = [
    # --- converted from tests/bugzoo/nb06.py -------------------------------------------------
    Wrong("xavier-variance-used-as-std", cell="xavier-init",
          mistake="uses the variance 2 / (n_in + n_out) as the standard deviation",
          hint="take np.sqrt",
          answer='''
def xavier_init(n_in, n_out, rng):
    std = 2.0 / (n_in + n_out)
    return rng.normal(0.0, std, size=(n_in, n_out))
'''),
    Wrong("dense-dW-missing-transpose", cell="dense",
          mistake="dW = grad_output.T @ x (the transpose of x.T @ grad_output)",
          hint="missing a transpose",
          answer=_one(_DENSE, 'self.grads["W"] = self.x.T @ grad_output',
                      'self.grads["W"] = grad_output.T @ self.x')),
    Wrong("dense-bias-gradient-not-summed", cell="dense",
          mistake="db = grad_output, not summed over the batch",
          hint="sum the bias gradient over the batch axis",
          answer=_one(_DENSE, 'self.grads["b"] = grad_output.sum(axis=0)', 'self.grads["b"] = grad_output')),
    Wrong("relu-mask-from-grad-output", cell="relu",
          mistake="ReLU backward masks with grad_output > 0 instead of the input's mask",
          hint="mask must come from the layer's input",
          answer=_one(_RELU, "return grad_output * self.mask", "return grad_output * (grad_output > 0)")),
    Wrong("sigmoid-derivative-with-pre-activation", cell="sigmoid",
          mistake="y (1 - y) evaluated at the pre-activation x instead of the output y",
          hint="you used the pre-activation x",
          answer='''
class Sigmoid(Layer):
    def forward(self, x):
        self.x = x
        self.y = np.exp(-np.logaddexp(0.0, -x))
        return self.y

    def backward(self, grad_output):
        return grad_output * self.x * (1 - self.x)
'''),
    Wrong("tanh-derivative-not-squared", cell="tanh",
          mistake="tanh' written 1 - tanh(x) instead of 1 - tanh(x)**2",
          hint="not 1 - tanh(x)",
          answer=_one(_TANH, "(1 - self.y ** 2)", "(1 - self.y)")),
    Wrong("softmax-ce-without-max-shift", cell="softmax-ce",
          mistake="softmax without subtracting the row max (overflows for large logits)",
          hint="without the max shift",
          answer=_one(_SOFTMAX_CE, "shifted = logits - logits.max(axis=1, keepdims=True)", "shifted = logits")),
    Wrong("softmax-ce-gradient-not-divided-by-n", cell="softmax-ce",
          mistake="dlogits = P - Y, not divided by the batch size (the loss is a mean)",
          hint="mean vs sum",
          answer=_one(_SOFTMAX_CE, "return float(loss), dlogits / n", "return float(loss), dlogits")),
    # --- new ------------------------------------------------------------------------------------
    Wrong("xavier-shape-transposed", cell="xavier-init",
          mistake="draws a matrix of shape (n_out, n_in): the transposed shape",
          hint="transpose",
          answer='''
def xavier_init(n_in, n_out, rng):
    std = np.sqrt(2.0 / (n_in + n_out))
    return rng.normal(0.0, std, size=(n_out, n_in))
'''),
    Wrong("xavier-he-std", cell="xavier-init",
          mistake="He's std sqrt(2 / n_in) instead of Xavier's sqrt(2 / (n_in + n_out))",
          hint="n_in + n_out",
          answer='''
def xavier_init(n_in, n_out, rng):
    std = np.sqrt(2.0 / n_in)
    return rng.normal(0.0, std, size=(n_in, n_out))
'''),
    Wrong("xavier-unanswered", cell="xavier-init",
          mistake="xavier_init left unanswered (the release stub); Dense.__init__ calls it",
          hint="not answered yet",
          answer='''
def xavier_init(n_in, n_out, rng):
    # YOUR CODE HERE
    raise NotImplementedError()
'''),
    Wrong("dense-dx-missing-W-transpose", cell="dense",
          mistake="input gradient grad_output @ W without W.T (a shape error)",
          hint="transpose",
          answer=_one(_DENSE, 'return grad_output @ self.params["W"].T', 'return grad_output @ self.params["W"]')),
    Wrong("dense-db-summed-over-outputs", cell="dense",
          mistake="db = grad_output.sum(axis=1): summed over the outputs instead of the batch",
          hint="axis=0",
          answer=_one(_DENSE, 'grad_output.sum(axis=0)', 'grad_output.sum(axis=1)')),
    Wrong("dense-db-mean-over-batch", cell="dense",
          mistake="db = grad_output.mean(axis=0): a mean where the broadcast bias needs a sum",
          hint="batch size",
          answer=_one(_DENSE, 'grad_output.sum(axis=0)', 'grad_output.mean(axis=0)')),
    Wrong("dense-dW-from-output", cell="dense",
          mistake="remembers the layer's output instead of its input and uses it in dW",
          hint="input",
          answer=_one(_DENSE, '''        self.x = x
        return x @ self.params["W"] + self.params["b"]''', '''        self.x = x @ self.params["W"] + self.params["b"]
        return self.x''')),
    Wrong("relu-forward-in-place", cell="relu",
          mistake="x[x < 0] = 0 in forward: zeroes the caller's array in place",
          hint="changed its input",
          answer=_one(_RELU, '''        self.mask = x > 0
        return np.where(self.mask, x, 0.0)''', '''        x[x < 0] = 0
        self.mask = x > 0
        return x''')),
    Wrong("relu-backward-returns-mask", cell="relu",
          mistake="backward returns the 0/1 mask without multiplying by grad_output",
          hint="mask alone",
          answer=_one(_RELU, "return grad_output * self.mask", "return self.mask * 1.0")),
    Wrong("sigmoid-naive-overflows", cell="sigmoid",
          mistake="naive 1 / (1 + np.exp(-x)): np.exp overflows for large negative inputs",
          hint="numerically stable",
          answer=_one(_SIGMOID, "self.y = np.exp(-np.logaddexp(0.0, -x))", "self.y = 1 / (1 + np.exp(-x))")),
    Wrong("sigmoid-backward-without-grad-output", cell="sigmoid",
          mistake="backward returns y (1 - y) without multiplying by grad_output (chain rule)",
          hint="chain rule",
          answer=_one(_SIGMOID, "return grad_output * self.y * (1 - self.y)", "return self.y * (1 - self.y)")),
    Wrong("tanh-derivative-with-pre-activation", cell="tanh",
          mistake="1 - x**2 with the pre-activation x instead of the output y = tanh(x)",
          hint="pre-activation",
          answer='''
class Tanh(Layer):
    def forward(self, x):
        self.x = x
        self.y = np.tanh(x)
        return self.y

    def backward(self, grad_output):
        return grad_output * (1 - self.x ** 2)
'''),
    Wrong("softmax-ce-over-batch-axis", cell="softmax-ce",
          mistake="softmax over the batch axis (axis=0) instead of the classes (axis=1)",
          hint="axis=1",
          answer=_one(_SOFTMAX_CE, '''    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))''',
                      '''    shifted = logits - logits.max(axis=0, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))''')),
    Wrong("softmax-ce-without-keepdims", cell="softmax-ce",
          mistake="the row sum without keepdims=True: (N,) does not broadcast against (N, K)",
          hint="keepdims",
          answer=_one(_SOFTMAX_CE, "np.exp(shifted).sum(axis=1, keepdims=True)", "np.exp(shifted).sum(axis=1)")),
    Wrong("softmax-ce-returns-gradient-first", cell="softmax-ce",
          mistake="returns (dlogits, loss) instead of (loss, dlogits)",
          hint="order",
          answer=_one(_SOFTMAX_CE, "return float(loss), dlogits / n", "return dlogits / n, float(loss)")),
    Wrong("softmax-ce-shifts-logits-in-place", cell="softmax-ce",
          mistake="logits -= logits.max(...): shifts the caller's logits in place",
          hint="changed its input",
          answer=_one(_SOFTMAX_CE, "    shifted = logits - logits.max(axis=1, keepdims=True)\n",
                      "    logits -= logits.max(axis=1, keepdims=True)\n    shifted = logits\n")),
    Wrong("lse-unshifted", cell="logsumexp",
          mistake="log-sum-exp without the max shift: exp(1000) overflows",
          hint="subtract each row's maximum",
          answer=_one(_one(_LSE, "    m = x.max(axis=-1, keepdims=True)\n", ""),
                      "(m + np.log(np.exp(x - m).sum(axis=-1, keepdims=True)))[..., 0]",
                      "np.log(np.exp(x).sum(axis=-1))")),
    Wrong("lse-vjp-without-g", cell="logsumexp",
          mistake="the VJP returns the softmax without multiplying by the upstream gradient",
          hint="upstream gradient g",
          answer=_one(_LSE, "return g[..., None] * np.exp(x - ans[..., None])", "return np.exp(x - ans[..., None])")),
    Wrong("lse-vjp-exp", cell="logsumexp",
          mistake="the VJP uses exp(x) instead of the softmax exp(x - lse(x))",
          hint="not exp(x)",
          answer=_one(_LSE, "np.exp(x - ans[..., None])", "np.exp(x)")),
    Wrong("lse-wrong-axis", cell="logsumexp",
          mistake="log-sum-exp over the rows (axis 0) instead of the last axis",
          hint="last axis",
          answer=_one(_one(_LSE, "m = x.max(axis=-1, keepdims=True)", "m = x.max(axis=0, keepdims=True)"),
                      "(m + np.log(np.exp(x - m).sum(axis=-1, keepdims=True)))[..., 0]",
                      "(m + np.log(np.exp(x - m).sum(axis=0, keepdims=True)))[0]")),
]
