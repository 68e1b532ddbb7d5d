"""Held-out wrong answers for notebooks/03-reverse-mode.ipynb (format: tests/mutants/README.md)."""
from catalogue import Wrong

NOTEBOOK = "03-reverse-mode"


def _one(text: str, old: str, new: str) -> str:
    """``text`` with the single occurrence of ``old`` replaced (a long answer cell, one mistake)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


# The answer cells as the student completes them correctly; each entry changes one thing.
_ADJOINT = '''
def adjoint_trace(x1, x2):
    v_m1, v0 = x1, x2
    v1 = math.log(v_m1)
    v2 = v_m1 * v0
    v3 = v1 + v2
    v4 = math.sin(v0)
    v5 = v3 - v4
    vbar5 = 1.0
    vbar4 = -vbar5
    vbar3 = vbar5
    vbar2 = vbar3
    vbar1 = vbar3
    vbar0 = vbar2 * v_m1 + vbar4 * math.cos(v0)
    vbar_m1 = vbar2 * v0 + vbar1 / v_m1
    return [vbar5, vbar4, vbar3, vbar2, vbar1, vbar0, vbar_m1]
'''

_VALUE = '''
class Value:
    # A scalar node of the computational graph.

    def __init__(self, data, parents=(), local_grads=(), op=""):
        self.data = float(data)
        self.grad = 0.0
        self.parents = tuple(parents)          # the Values this one was computed from
        self.local_grads = tuple(local_grads)  # d self / d parent, one float per parent
        self.op = op

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{', op=' + self.op if self.op else ''})"

    @staticmethod
    def _lift(x):
        return x if isinstance(x, Value) else Value(x)

    def __add__(self, other):
        other = Value._lift(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other):
        other = Value._lift(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __pow__(self, k):
        return Value(self.data ** k, (self,), (k * self.data ** (k - 1),), f"**{k}")

    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), (e,), "exp")

    def log(self):
        return Value(math.log(self.data), (self,), (1.0 / self.data,), "log")

    def sin(self):
        return Value(math.sin(self.data), (self,), (math.cos(self.data),), "sin")

    # Built from the operations above.
    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-Value._lift(other))

    def __truediv__(self, other):
        return self * Value._lift(other) ** -1

    def __radd__(self, other):
        return Value._lift(other) + self

    def __rmul__(self, other):
        return Value._lift(other) * self

    def __rsub__(self, other):
        return Value._lift(other) - self

    def __rtruediv__(self, other):
        return Value._lift(other) / self
'''

_TOPO = '''
def topological_order(root):
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for parent in node.parents:
            if id(parent) not in visited:
                stack.append((parent, False))
    return order
'''

_BACKWARD = '''
def backward(root):
    order = topological_order(root)
    for node in order:
        if node.parents:  # computed nodes start from 0; inputs accumulate over calls
            node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += local * node.grad


Value.backward = backward  # so that y.backward() works too
'''

WRONG = [
    Wrong("ho-adjoint-product-wrong-factor", cell="adjoint-trace",
          mistake="vbar_m1 takes vbar2 * v_m1 (its own value) instead of vbar2 * v0 (the other factor of the product)",
          hint="other factor",
          answer=_one(_ADJOINT, "vbar_m1 = vbar2 * v0 + vbar1 / v_m1", "vbar_m1 = vbar2 * v_m1 + vbar1 / v_m1")),
    Wrong("ho-pow-precedence", cell="value-ops",
          mistake="k * self.data ** k - 1 without parentheses: k a^k - 1 instead of k a^(k-1)",
          hint="parenthes",
          answer=_one(_VALUE, "(k * self.data ** (k - 1),)", "(k * self.data ** k - 1,)")),
    Wrong("ho-topological-preorder", cell="topological-order",
          mistake="appends a node when it is first discovered (pre-order): children before their parents, root first",
          hint="after all of its parents",
          answer=_one(_TOPO, """        if expanded:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
""", """        if expanded:
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        order.append(node)
""")),
    Wrong("ho-backward-uses-root-grad", cell="backward",
          mistake="parent.grad += local * root.grad: multiplies by the root's gradient instead of the node's",
          hint="node.grad",
          answer=_one(_BACKWARD, "parent.grad += local * node.grad", "parent.grad += local * root.grad")),
    Wrong("ho-grad-of-returns-data", cell="grad-of",
          mistake="returns the inputs' values leaf.data instead of leaf.grad",
          hint=".data",
          answer='''
def grad_of(f, *xs):
    leaves = [Value(x) for x in xs]
    f(*leaves).backward()
    return [leaf.data for leaf in leaves]
'''),
]
