"""Wrong answers for notebooks/03-reverse-mode.ipynb (format: tests/mutants/README.md)."""
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
    # --- converted from tests/bugzoo/nb03.py -------------------------------------------------
    Wrong("fan-out-overwritten-instead-of-accumulated", cell="backward",
          mistake="parent.grad = ... overwrites the contribution of another path (fan-out)",
          hint="accumulate with parent.grad +=",
          answer=_one(_BACKWARD, "parent.grad += local * node.grad", "parent.grad = local * node.grad")),
    Wrong("topological-order-reversed-in-backward", cell="backward",
          mistake="backward walks the nodes inputs-first instead of in reversed topological order",
          hint="iterate over reversed(order)",
          answer=_one(_BACKWARD, "for node in reversed(order):", "for node in order:")),
    Wrong("output-gradient-not-seeded", cell="backward",
          mistake="root.grad is never set to 1",
          hint="seed the output gradient",
          answer=_one(_BACKWARD, "    root.grad = 1.0\n", "")),
    Wrong("mul-local-gradients-swapped", cell="value-ops",
          mistake="local gradients of a * b stored as (a, b) instead of (b, a)",
          hint="the OTHER factor",
          answer=_one(_VALUE, '(other.data, self.data), "*"', '(self.data, other.data), "*"')),
    Wrong("topological-order-returns-root-first", cell="topological-order",
          mistake="returns the order reversed (root first)",
          hint="inputs first, root last",
          answer=_one(_TOPO, "    return order\n", "    return order[::-1]\n")),
    Wrong("adjoint-fan-out-missing", cell="adjoint-trace",
          mistake="vbar0 keeps only the path through v2, not the one through v4 = sin v0",
          hint="add both contributions",
          answer=_one(_ADJOINT, "vbar0 = vbar2 * v_m1 + vbar4 * math.cos(v0)", "vbar0 = vbar2 * v_m1")),
    Wrong("recursive-topological-sort", cell="topological-order",
          mistake="recursive depth-first search: right on small graphs, RecursionError on deep ones",
          hint="recursion fails on deep graphs",
          answer='''
def topological_order(root):
    order, visited = [], set()

    def visit(node):
        if id(node) not in visited:
            visited.add(id(node))
            for parent in node.parents:
                visit(parent)
            order.append(node)

    visit(root)
    return order
'''),
    # --- new ------------------------------------------------------------------------------------
    Wrong("adjoint-vbar4-sign", cell="adjoint-trace",
          mistake="vbar4 = vbar5: forgets that v5 = v3 - v4 subtracts v4 (d v5 / d v4 = -1)",
          hint="sign",
          answer=_one(_ADJOINT, "vbar4 = -vbar5", "vbar4 = vbar5")),
    Wrong("adjoint-returned-inputs-first", cell="adjoint-trace",
          mistake="returns the adjoints from vbar_m1 up to vbar5 instead of the asked order vbar5 ... vbar_m1",
          hint="order",
          answer=_one(_ADJOINT, "return [vbar5, vbar4, vbar3, vbar2, vbar1, vbar0, vbar_m1]",
                      "return [vbar_m1, vbar0, vbar1, vbar2, vbar3, vbar4, vbar5]")),
    Wrong("pow-forgets-factor-k", cell="value-ops",
          mistake="local gradient of a ** k is a ** (k - 1), without the factor k",
          hint="factor k",
          answer=_one(_VALUE, "(k * self.data ** (k - 1),)", "(self.data ** (k - 1),)")),
    Wrong("sin-local-gradient-minus-cos", cell="value-ops",
          mistake="local gradient of sin a is -cos a (confused with the derivative of cos)",
          hint="sign",
          answer=_one(_VALUE, "(math.cos(self.data),)", "(-math.cos(self.data),)")),
    Wrong("log-local-gradient-is-data", cell="value-ops",
          mistake="local gradient of ln a stored as a instead of 1 / a",
          hint="1/a",
          answer=_one(_VALUE, "(1.0 / self.data,)", "(self.data,)")),
    Wrong("topological-order-without-visited-set", cell="topological-order",
          mistake="iterative DFS without a visited set: a shared node is listed several times",
          hint="visited",
          answer='''
def topological_order(root):
    order = []
    stack = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        stack.append((node, True))
        for parent in node.parents:
            stack.append((parent, False))
    return order
'''),
    Wrong("topological-order-reversed-bfs", cell="topological-order",
          mistake="breadth-first search from the root, reversed: not a topological order when paths "
                  "have different lengths",
          hint="parents",
          answer='''
def topological_order(root):
    order, visited = [], set()
    queue = [root]
    while queue:
        node = queue.pop(0)
        if id(node) in visited:
            continue
        visited.add(id(node))
        order.append(node)
        queue.extend(node.parents)
    return order[::-1]
'''),
    Wrong("topological-order-unanswered", cell="topological-order",
          mistake="topological_order left unanswered (the release stub); backward calls it",
          hint="not answered yet",
          answer='''
def topological_order(root):
    # YOUR CODE HERE
    raise NotImplementedError()
'''),
    Wrong("backward-does-not-reset-grads", cell="backward",
          mistake="no reset of the computed nodes' grads: a second backward passes on stale gradients",
          hint="reset",
          answer=_one(_BACKWARD, "    for node in order:\n        if node.parents:  # computed nodes start from 0; inputs "
                               "accumulate over calls\n            node.grad = 0.0\n", "")),
    Wrong("backward-forgets-upstream-gradient", cell="backward",
          mistake="parent.grad += local: the local gradient is not multiplied by node.grad (chain rule)",
          hint="chain rule",
          answer=_one(_BACKWARD, "parent.grad += local * node.grad", "parent.grad += local")),
    Wrong("backward-unanswered", cell="backward",
          mistake="backward left unanswered (the release stub); grad_of uses it",
          hint="not answered yet",
          answer='''
def backward(root):
    order = topological_order(root)
    # YOUR CODE HERE
    raise NotImplementedError()


Value.backward = backward  # so that y.backward() works too
'''),
    Wrong("grad-of-returns-leaves", cell="grad-of",
          mistake="returns the leaf Values instead of their .grad",
          hint=".grad",
          answer='''
def grad_of(f, *xs):
    leaves = [Value(x) for x in xs]
    f(*leaves).backward()
    return leaves
'''),
    Wrong("grad-of-one-pass-per-input", cell="grad-of",
          mistake="calls f and backward once per input (n passes instead of one)",
          hint="once",
          answer='''
def grad_of(f, *xs):
    grads = []
    for i in range(len(xs)):
        leaves = [Value(x) for x in xs]
        f(*leaves).backward()
        grads.append(leaves[i].grad)
    return grads
'''),
    Wrong("adjoint-trace-lecture-numbering", cell="adjoint-trace",
          mistake="vbar3 and vbar4 in the lecture's order (v_3 = sin v_0, v_4 = v_1 + v_2)",
          hint="lecture's numbering",
          answer='''
def adjoint_trace(x1, x2):
    v_m1, v0 = x1, x2
    v1 = math.log(v_m1)
    v2 = v_m1 * v0
    v3 = math.sin(v0)
    v4 = v1 + v2
    v5 = v4 - v3
    vbar5 = 1.0
    vbar4 = vbar5
    vbar3 = -vbar5
    vbar2 = vbar4
    vbar1 = vbar4
    vbar0 = vbar2 * v_m1 + vbar3 * math.cos(v0)
    vbar_m1 = vbar2 * v0 + vbar1 / v_m1
    return [vbar5, vbar4, vbar3, vbar2, vbar1, vbar0, vbar_m1]
'''),
]
