"""Generate notebooks/03-reverse-mode.ipynb (run: python notebooks/_build/nb03.py)."""

from nbtools import Notebook

nb = Notebook("03-reverse-mode", course_modules=[])

nb.md(r"""
# 03 · Reverse mode and the computational graph

**Total: {TOTAL_POINTS} points.** Fill in every `YOUR CODE HERE`, run the test cell below it, and
read its message if it fails. Hidden tests check your code on other inputs when you are graded.

Forward mode (notebook 02) needs one pass per input. Training a network means differentiating one
number, the loss, with respect to millions of weights, so we want the opposite: **one pass per
output**. Reverse mode (backpropagation) does that. In this notebook you

1. compute the reverse **adjoint trace** of the running example by hand,
2. build a scalar autodiff engine, `Value`, that records the computational graph,
3. write the two algorithms at its heart: a **topological sort** and a **backward pass** that
   accumulates gradients at nodes used more than once (fan-out),
4. see why the obvious recursive implementation fails.
""")

nb.code(r"""
import os
import math
import sys

import matplotlib.pyplot as plt
import numpy as np

import course

GRADING = bool(os.environ.get("NBGRADER_EXECUTION"))  # set by nbgrader while grading
rng = np.random.default_rng(0)
np.set_printoptions(precision=6, suppress=True)
""", role="both")

nb.code(r"""
# The helpers the test cells use to check your answers and explain what is wrong.
from course.checks import check, check_array, check_gradient, check_scalar, spy
""", role="trusted")

nb.md(r"""
## 1. The adjoint trace

Run the primal trace forward first (values $v_i$), then go **backwards** computing the
**adjoints** $\bar v_i = \partial y / \partial v_i$, the sensitivity of the output to each
intermediate. We start from $\bar y = \bar v_5 = 1$. If $v_i$ is used by the operations producing
$v_j$ (its *children*), the multivariate chain rule sums over them:
$$\bar v_i = \sum_{j\,:\,v_i \to v_j} \bar v_j \,\frac{\partial v_j}{\partial v_i}.$$

For $y = \ln x_1 + x_1 x_2 - \sin x_2$ at $(2, 5)$:

| adjoint | rule | value |
|---|---|---|
| $\bar v_5$ | $\bar y$ | 1 |
| $\bar v_4$ | $\bar v_5 \cdot \partial v_5/\partial v_4 = -\bar v_5$ | −1 |
| $\bar v_3$ | $\bar v_5 \cdot \partial v_5/\partial v_3 = \bar v_5$ | 1 |
| $\bar v_2$ | $\bar v_3$ | 1 |
| $\bar v_1$ | $\bar v_3$ | 1 |
| $\bar v_0$ | $\bar v_2\, v_{-1} + \bar v_4 \cos v_0$ | $2 - \cos 5 = 1.716$ |
| $\bar v_{-1}$ | $\bar v_2\, v_0 + \bar v_1 / v_{-1}$ | $5 + 0.5 = 5.5$ |

Both inputs are used twice ($x_1$ by $\ln$ and $\times$, $x_2$ by $\times$ and $\sin$), so their
adjoints are **sums of two contributions**. One backward pass produced *both* partial derivatives
$\partial y/\partial x_1 = 5.5$ and $\partial y / \partial x_2 = 1.716$; forward mode needed two
passes. `course.trace` shows both traces:

(The numbering is notebook 02's, Python's evaluation order: $v_3 = v_1 + v_2$ and
$v_4 = \sin v_0$, which the lecture calls $v_4$ and $v_3$.)
""")

nb.code(r"""
def f(x1, x2):
    return np.log(x1) + x1 * x2 - np.sin(x2)


t = course.trace(f, 2.0, 5.0)
display(t)
print("adjoints (dy/dx1, dy/dx2) =", np.round(t.grads, 3))
""", role="demo")

nb.md(r"""
### Exercise 1 (2 points): the adjoint trace by hand

Return the adjoints `[vbar_5, vbar_4, vbar_3, vbar_2, vbar_1, vbar_0, vbar_m1]` (in the order they
are computed) for any inputs `x1, x2`. Compute the primal values first.
""")

nb.solution("adjoint-trace", r"""
def adjoint_trace(x1, x2):
    v_m1, v0 = x1, x2
    v1 = math.log(v_m1)
    v2 = v_m1 * v0
    v3 = v1 + v2
    v4 = math.sin(v0)
    v5 = v3 - v4
    ### BEGIN SOLUTION
    vbar5 = 1.0
    vbar4 = -vbar5
    vbar3 = vbar5
    vbar2 = vbar3
    vbar1 = vbar3
    vbar0 = vbar2 * v_m1 + vbar4 * math.cos(v0)
    vbar_m1 = vbar2 * v0 + vbar1 / v_m1
    return [vbar5, vbar4, vbar3, vbar2, vbar1, vbar0, vbar_m1]
    ### END SOLUTION
""")

nb.tests("adjoint-trace-tests", 2, r"""
adj = adjoint_trace(2.0, 5.0)
check(isinstance(adj, (list, tuple)) and len(adj) == 7,
      f"adjoint_trace should return a list of 7 adjoints, got {adj!r}.",
      "return [vbar5, vbar4, vbar3, vbar2, vbar1, vbar0, vbar_m1].")
expected = np.array([1, -1, 1, 1, 1, 2 - math.cos(5), 5.5])
check_array(np.array(adj, dtype=float), expected, "adjoint_trace(2, 5)", mistakes={
    "x2 = v_0 is used twice (by v_2 = v_-1 * v_0 and by v_4 = sin v_0): add both contributions, "
    "vbar0 = vbar2 * v_-1 + vbar4 * cos(v_0).": np.array([1, -1, 1, 1, 1, 2, 5.5]),
    "x1 = v_-1 is used twice (by ln and by the product): vbar_m1 = vbar2 * v0 + vbar1 / v_m1.":
        np.array([1, -1, 1, 1, 1, 2 - math.cos(5), 5.0]),
    "v_5 = v_3 - v_4, so d v_5 / d v_4 = -1: the sign of vbar4 is wrong, vbar4 = -vbar5.":
        np.array([1, 1, 1, 1, 1, 2 + math.cos(5), 5.5]),
    "vbar3 and vbar4 are in the lecture's numbering (v_3 = sin v_0, v_4 = v_1 + v_2); these notebooks number "
    "in Python's evaluation order, v_3 = v_1 + v_2 and v_4 = sin v_0 (notebook 02 explains why).":
        np.array([1, 1, -1, 1, 1, 2 - math.cos(5), 5.5]),
})
### BEGIN HIDDEN TESTS
a_, b_ = 0.7, -1.3
adj_h = np.array(adjoint_trace(a_, b_), dtype=float)
check_array(adj_h[-2:][::-1], np.array([1 / a_ + b_, a_ - math.cos(b_)]),
            "the input adjoints (vbar_m1, vbar0) at (0.7, -1.3)")
### END HIDDEN TESTS
""")

nb.md(r"""
## 2. A scalar engine that records the graph

To automate this, every operation creates a node that remembers

* its value `data`,
* its **parents** (the inputs of the operation), and
* the **local gradients** $\partial\,\text{node} / \partial\,\text{parent}$, numbers computed right
  away in the forward pass while the inputs are at hand.

The nodes form the **computational graph**, a directed acyclic graph (DAG) from the inputs to the
output. Storing plain numbers (rather than a closure for each node, as micrograd does) keeps the
graph free of reference cycles, so Python frees it immediately when it is no longer used.

### Exercise 2 (3 points): operations with their local gradients

Complete `__add__`, `__mul__`, `__pow__` (the exponent `k` is a plain number), `exp`, `log` and
`sin`. Each returns `Value(result, parents, local_grads, op)` where `local_grads[i]` is the
derivative of the result with respect to `parents[i]`. The remaining operators (given) are built
from these: $a - b = a + (-1)\cdot b$, $a / b = a \cdot b^{-1}$.
""")

nb.solution("value-ops", r"""
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
        ### BEGIN SOLUTION
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")
        ### END SOLUTION

    def __mul__(self, other):
        other = Value._lift(other)
        ### BEGIN SOLUTION
        return Value(self.data * other.data, (self, other), (other.data, self.data), "*")
        ### END SOLUTION

    def __pow__(self, k):
        ### BEGIN SOLUTION
        return Value(self.data ** k, (self,), (k * self.data ** (k - 1),), f"**{k}")
        ### END SOLUTION

    def exp(self):
        ### BEGIN SOLUTION
        e = math.exp(self.data)
        return Value(e, (self,), (e,), "exp")
        ### END SOLUTION

    def log(self):
        ### BEGIN SOLUTION
        return Value(math.log(self.data), (self,), (1.0 / self.data,), "log")
        ### END SOLUTION

    def sin(self):
        ### BEGIN SOLUTION
        return Value(math.sin(self.data), (self,), (math.cos(self.data),), "sin")
        ### END SOLUTION

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
""")

nb.code(r"""
def check_node(node, data, parents, local_grads, name, mistakes=None):
    # Test helper: a Value with the given data, parents (identity) and local gradients.
    check(isinstance(node, Value), f"{name} should return a Value, got {type(node).__name__}.",
          "return Value(result, parents, local_grads, op).")
    check_scalar(node.data, data, f"{name}.data")
    check(len(node.parents) == len(parents) and all(p is q for p, q in zip(node.parents, parents)),
          f"{name}.parents should be the input Values {parents}, got {node.parents}.",
          "pass the operands themselves (self, other) as parents, in that order.")
    check_array(np.array(node.local_grads, dtype=float), np.array(local_grads, dtype=float),
                f"{name}.local_grads", mistakes=mistakes)
""", role="trusted")

nb.tests("value-ops-tests", 3, r"""
a, b = Value(3.0), Value(-2.0)
check_node(a + b, 1.0, (a, b), (1.0, 1.0), "a + b")
check_node(a * b, -6.0, (a, b), (-2.0, 3.0), "a * b", mistakes={
    "d(a*b)/da = b and d(a*b)/db = a: each parent's local gradient is the OTHER factor.": [3.0, -2.0]})
check_node(a ** 3, 27.0, (a,), (27.0,), "a ** 3", mistakes={
    "d(a**k)/da = k * a**(k-1): you forgot the factor k.": [9.0],
    "d(a**k)/da = k * a**(k-1), not k * a**k.": [81.0]})
check_node(a.exp(), math.exp(3), (a,), (math.exp(3),), "a.exp()")
check_node(a.log(), math.log(3), (a,), (1 / 3,), "a.log()", mistakes={
    "d(ln a)/da = 1/a.": [3.0]})
check_node(a.sin(), math.sin(3), (a,), (math.cos(3),), "a.sin()", mistakes={
    "the sign is wrong: d(sin a)/da = +cos a (the minus sign belongs to d(cos a)/da = -sin a).":
        [-math.cos(3)]})
check_scalar((2.0 - a / b).data, 2.0 + 1.5, "(2 - a / b).data (built from your operations)")
### BEGIN HIDDEN TESTS
c = Value(0.4)
check_node(c ** -2, 0.4 ** -2, (c,), (-2 * 0.4 ** -3,), "c ** -2")
check_node(c ** 0.5, 0.4 ** 0.5, (c,), (0.5 * 0.4 ** -0.5,), "c ** 0.5")
check_node(c * c, 0.16, (c, c), (0.4, 0.4), "c * c")
s_ = c + 2.5
check_node(s_, 2.9, (c, s_.parents[1]), (1.0, 1.0), "c + 2.5")
### END HIDDEN TESTS
""")

nb.md(r"""
## 3. Topological order

The backward pass may only propagate a node's gradient to its parents once that gradient is
**complete**, i.e. after all of the node's children have contributed. Processing the nodes in
reverse **topological order** (every node after all nodes computed from it) guarantees this.

A topological order lists every node after its parents: inputs first, the output last. The
textbook algorithm is a depth-first search that appends a node after all of its parents. Written
recursively it is four lines, but Python's recursion limit (about 1000 frames) breaks it on deep
graphs (an RNN unrolled over many steps, a long chain of operations). Write it **iteratively**
with an explicit stack.

### Exercise 3 (2 points): `topological_order(root)`

Return a list of all nodes the `root` depends on (including `root`), each exactly once, every node
after its parents, `root` last. Compare nodes by identity (`id(node)`): two different nodes can
have equal data. Hint: push `(node, expanded)` pairs; when a node is popped the second time
(`expanded=True`) all its parents are done, so append it.
""")

nb.solution("topological-order", r"""
def topological_order(root):
    ### BEGIN SOLUTION
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
    ### END SOLUTION
""")

nb.code(r"""
def check_topological(order, root, name):
    # Test helper: each node once, parents before children, root last, nothing missing.
    check(isinstance(order, list) and order and all(isinstance(n, Value) for n in order),
          f"{name} should be a non-empty list of Values.", "return the list you appended the nodes to.")
    position = {id(n): i for i, n in enumerate(order)}
    check(len(position) == len(order), f"{name} lists some node more than once.",
          "keep a set of visited nodes (by id) so that a shared node is added only once.")
    reachable, todo = set(), [root]
    while todo:
        n = todo.pop()
        if id(n) not in reachable:
            reachable.add(id(n))
            todo.extend(n.parents)
    check(set(position) == reachable,
          f"{name} has {len(position)} nodes, the graph has {len(reachable)}.",
          "visit all parents of every node, recursively (but without recursion!).")
    if order[-1] is not root:
        backwards = {id(n): i for i, n in enumerate(reversed(order))}
        reversed_order = all(backwards[id(p)] < backwards[id(n)] for n in order for p in n.parents)
        check(False, f"{name} should end with the root (the output).",
              "your list is a topological order read backwards: list parents before children "
              "(inputs first, root last) and do not reverse it here (backward reverses it)."
              if reversed_order else
              "append a node only after all of its parents were appended: the root depends on "
              "every other node, so it comes last.")
    for n in order:
        for p in n.parents:
            check(position[id(p)] < position[id(n)],
                  f"{name}: a parent comes after its child ({p} after {n}).",
                  "append a node only after all of its parents were appended.")
""", role="trusted")

nb.tests("topological-order-tests", 2, r"""
x1, x2 = Value(2.0), Value(5.0)
y = x1.log() + x1 * x2 - x2.sin()
check_topological(topological_order(y), y, "topological_order(y) for the running example")
d = Value(1.0)
e = d * d + d  # d is shared three times
check_topological(topological_order(e), e, "topological_order(d * d + d)")
### BEGIN HIDDEN TESTS
# 2000 steps: a path of 4000 nodes, deeper than Python's recursion limit (1000 frames).
deep = Value(0.5)
for _ in range(2000):
    deep = deep * 1.0 + 0.0
try:
    n_nodes = len(topological_order(deep))
except RecursionError:
    n_nodes = None
check(n_nodes is not None,
      "topological_order hit Python's recursion limit on a chain of 4000 operations.",
      "recursion fails on deep graphs: use an explicit stack (a list you append to and pop from).")
check(n_nodes == 1 + 2000 * 4,
      f"topological_order on a chain of 4000 operations returns {n_nodes} nodes instead of {1 + 2000 * 4}.",
      "visit every node exactly once.")
w = [Value(float(i)) for i in range(6)]
z = ((w[0] * w[1] + w[2]) * (w[1] + w[3]) + w[0] * w[4] * w[5]) * w[2]
check_topological(topological_order(z), z, "topological_order of a diamond-shaped graph")
### END HIDDEN TESTS
""")

nb.md(r"""
## 4. The backward pass

With the order in hand, backpropagation is a loop:

1. reset the `grad` of every **computed** node (one with parents) to 0, so that gradients from an
   earlier call do not leak in; the inputs keep theirs (see below),
2. seed the output: `root.grad = 1` (since $\partial y/\partial y = 1$),
3. for each node in **reverse** topological order (output first), send its gradient to every
   parent: `parent.grad += local_grad * node.grad`.

The `+=` is the sum over children in the adjoint formula: a node used twice receives two
contributions (**fan-out**). Writing `=` instead keeps only the last one.

**The convention of this course** (and of `course.Tensor`, PyTorch, and the array engine you build
in notebook 04): the gradients of the *inputs* **accumulate** over calls of `backward`, so that
the gradients of several losses, or of several minibatches, add up in the same parameters; reset
an input yourself (`x.grad = 0.0`, or `zero_grad()` for Tensors) before the next step.

### Exercise 4 (3 points): `backward(root)`
""")

nb.solution("backward", r"""
def backward(root):
    order = topological_order(root)
    ### BEGIN SOLUTION
    for node in order:
        if node.parents:  # computed nodes start from 0; inputs accumulate over calls
            node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += local * node.grad
    ### END SOLUTION


Value.backward = backward  # so that y.backward() works too
""")

nb.tests("backward-tests", 3, r"""
# y = x*w + x at x = 3, w = -2: dy/dx = w + 1 = -1, dy/dw = x = 3
x, w = Value(3.0), Value(-2.0)
y = x * w + x
y.backward()
check_array(np.array([x.grad, w.grad]), np.array([-1.0, 3.0]), "(x.grad, w.grad) for y = x*w + x", mistakes={
    "fan-out: x is used twice, so its gradient is the SUM of both contributions; "
    "accumulate with parent.grad += local * node.grad instead of overwriting with =.": np.array([-2.0, 3.0]),
    "process the nodes from the output back to the inputs: iterate over reversed(order). "
    "Your loop runs in topological order, so the gradients reach a node before it is complete.": np.array([1.0, 0.0]),
    "seed the output gradient: root.grad = 1 before the loop.": np.array([0.0, 0.0]),
})
# q = (u * v) * 4: the gradient arriving at u * v is 4, not 1.
u, v = Value(3.0), Value(-2.0)
q = (u * v) * 4.0
q.backward()
check_array(np.array([u.grad, v.grad]), np.array([-8.0, 12.0]), "(u.grad, v.grad) for q = (u * v) * 4", mistakes={
    "chain rule: a parent receives local * node.grad, the local gradient times the gradient "
    "arriving at the node, not the local gradient alone.": np.array([-2.0, 3.0])})
x1, x2 = Value(2.0), Value(5.0)
y = x1.log() + x1 * x2 - x2.sin()
y.backward()
check_scalar(y.data, 11.652071455223084, "y.data for the running example")
check_array(np.array([x1.grad, x2.grad]), np.array([5.5, 2 - math.cos(5.0)]),
            "(x1.grad, x2.grad) for the running example")
a, b = Value(3.0), Value(4.0)
z = a * b
z.backward()
z.backward()
check_array(np.array([a.grad, b.grad]), np.array([8.0, 6.0]),
            "(a.grad, b.grad) for z = a * b after calling z.backward() twice", mistakes={
    "the inputs' gradients accumulate over calls (the course's convention, as in course.Tensor and PyTorch): "
    "reset only the computed nodes, those with parents, at the start of backward.": np.array([4.0, 3.0])})
u2, v2 = Value(3.0), Value(-2.0)
q2 = (u2 * v2) * 4.0
q2.backward()
q2.backward()
check_array(np.array([u2.grad, v2.grad]), np.array([-16.0, 24.0]),
            "(u.grad, v.grad) for q = (u * v) * 4 after calling q.backward() twice", mistakes={
    "reset the grad of every computed node (a node with parents) to 0 at the start of backward: u * v still "
    "held its gradient from the first call, so it passed on twice as much.": np.array([-24.0, 36.0]),
    "the inputs' gradients accumulate over calls (the course's convention, as in course.Tensor and PyTorch): "
    "reset only the computed nodes, those with parents, at the start of backward.": np.array([-8.0, 12.0])})
### BEGIN HIDDEN TESTS
# Random expressions against numeric differences.
def expr(v, lib):
    a, b, c = v
    ex, lg, sn = (lambda t: t.exp(), lambda t: t.log(), lambda t: t.sin()) if lib == "value" else (np.exp, np.log, np.sin)
    s = a * b + c
    return sn(s) * s + ex(a / (b * b + 1.0)) - lg(c * c + 1.0) * a + (a - c) ** 3 / 7.0

def value_grad(v):
    leaves = [Value(float(t)) for t in v]
    expr(leaves, "value").backward()
    return np.array([n.grad for n in leaves])

for _ in range(4):
    v_h = rng.normal(size=3)
    check_gradient(lambda t: float(expr(t, "numpy")), v_h, value_grad(v_h), f"gradient of a random expression at {v_h}")
# A deep chain: no recursion limit. d/dx of x * 1.0001**10000 is 1.0001**10000.
xd = Value(1.0)
yd = xd
for _ in range(10000):
    yd = yd * 1.0001
yd.backward()
check_scalar(xd.grad, 1.0001 ** 10000, "x.grad at the start of a chain of 10000 products", rtol=1e-9)
### END HIDDEN TESTS
""")

nb.md(r"""
### Exercise 5 (2 points): a `grad` function

Package it like a library: `grad_of(f, *xs)` wraps the float inputs into `Value`s, calls `f`,
runs `backward` and returns the list of the inputs' gradients.
""")

nb.solution("grad-of", r"""
def grad_of(f, *xs):
    ### BEGIN SOLUTION
    leaves = [Value(x) for x in xs]
    f(*leaves).backward()
    return [leaf.grad for leaf in leaves]
    ### END SOLUTION
""")

nb.tests("grad-of-tests", 2, r"""
g = grad_of(lambda a, b: a.log() + a * b - b.sin(), 2.0, 5.0)
check(not (isinstance(g, (list, tuple)) and any(isinstance(gi, Value) for gi in g)),
      "grad_of returned Value objects (the graph's input nodes), not numbers.",
      "return the inputs' gradients, [leaf.grad for leaf in leaves], not the Values themselves.")
check_array(np.array(g, dtype=float), np.array([5.5, 2 - math.cos(5.0)]), "grad_of(running example, 2, 5)")
print("reverse mode, one pass:", np.round(g, 3))
### BEGIN HIDDEN TESTS
gh = grad_of(lambda a, b, c: a * b * c + a / c, 1.5, -2.0, 0.5)
check_array(np.array(gh, dtype=float), np.array([-2.0 * 0.5 + 1 / 0.5, 1.5 * 0.5, 1.5 * -2.0 - 1.5 / 0.25]),
            "grad_of(a*b*c + a/c)")
# Reverse mode runs f once, on Values, then one backward pass (not a difference per input).
expr = spy(lambda a, b: a * b + b.sin())
check_array(np.array(grad_of(expr, 0.4, 1.1), dtype=float), np.array([1.1, 0.4 + math.cos(1.1)]),
            "grad_of(a*b + sin b) at (0.4, 1.1)")
check(len(expr.calls) == 1 and all(isinstance(v, Value) for v in expr.calls[0]),
      f"grad_of called f {len(expr.calls)} time(s); reverse mode needs one call, on Values.",
      "wrap the inputs in Value objects, call f once and run backward on its result.")
### END HIDDEN TESTS
""")

nb.md(r"""
### Forward vs reverse mode, measured

For $f:\mathbb R^n \to \mathbb R$, forward mode needs $n$ passes (one JVP per input direction),
reverse mode one forward and one backward pass. With the course's engine (`course.jvp` is forward
mode, `course.grad` reverse mode) on $f(x) = \sum_i \sin(x_i)\,x_i$:
""")

nb.code(r"""
import time


def f_vec(x):
    return np.sum(np.sin(x) * x)


def forward_gradient(x):
    # n forward passes, one per unit vector e_i
    return np.array([course.jvp(f_vec, x, np.eye(1, x.size, i)[0])[1] for i in range(x.size)])


ns = [10, 30, 100] if GRADING else [10, 30, 100, 300, 1000]
t_forward, t_reverse = [], []
for n in ns:
    x = rng.normal(size=n)
    start = time.perf_counter(); g_fwd = forward_gradient(x); t_forward.append(time.perf_counter() - start)
    start = time.perf_counter(); g_rev = course.grad(f_vec)(x); t_reverse.append(time.perf_counter() - start)
    assert np.allclose(g_fwd, g_rev)

plt.figure(figsize=(5.5, 3.5))
plt.loglog(ns, t_forward, "o-", label="forward mode (n passes)")
plt.loglog(ns, t_reverse, "s-", label="reverse mode (1 backward pass)")
plt.xlabel("number of inputs n"); plt.ylabel("seconds for the gradient"); plt.legend()
plt.show()
""", role="demo")

nb.md(r"""
## 5. Why not just recurse?

The most direct implementation of "propagate the gradient to the parents" is recursive: call
`naive_backward(parent, upstream * local)` for every parent. It computes the right numbers (it
sums over every **path** from output to input), but:

1. **Shared nodes make it exponential.** It walks every path, and the number of paths doubles
   every time a value is used twice. In $v_{k+1} = v_k + v_k$ there are $2^n$ paths through $n$
   levels, while the graph has only $n+1$ nodes. The topological algorithm visits each edge once.
2. **Deep graphs overflow the stack.** Each level of the graph is a Python stack frame; beyond
   the recursion limit Python raises `RecursionError`.
""")

nb.code(r"""
calls = {"n": 0}


def naive_backward(node, upstream):
    calls["n"] += 1
    node.grad += upstream
    for parent, local in zip(node.parents, node.local_grads):
        naive_backward(parent, upstream * local)


levels = range(1, 15 if GRADING else 19)
naive_calls, edges = [], []
for n in levels:
    x = Value(1.0)
    v = x
    for _ in range(n):
        v = v + v  # v is used twice
    calls["n"] = 0
    naive_backward(v, 1.0)
    naive_calls.append(calls["n"])
    edges.append(sum(len(node.parents) for node in topological_order(v)))
    assert x.grad == 2.0**n  # the numbers are right...

plt.figure(figsize=(6, 3.5))
plt.semilogy(list(levels), naive_calls, "o-", label="naive recursion: calls")
plt.semilogy(list(levels), edges, "s-", label="topological backward: edges visited")
plt.xlabel("levels n of v = v + v"); plt.ylabel("work"); plt.legend()
plt.title("...but the work of naive recursion explodes on shared nodes")
plt.show()
print(f"n = {levels[-1]}: {naive_calls[-1]:,} recursive calls vs {edges[-1]} edges")
""", role="demo")

nb.code(r"""
depth = 3 * sys.getrecursionlimit()
x = Value(1.0)
y = x
for _ in range(depth):
    y = y * 1.0
try:
    naive_backward(y, 1.0)
    print("no error?!")
except RecursionError as err:
    print(f"naive recursion on a chain of {depth} products: RecursionError ({err})")
y.backward()
print(f"iterative backward on the same chain: x.grad = {x.grad}")
""", role="demo")

nb.md(r"""
## 6. The picture: `course.draw`

The `course` package has the same engine for numpy arrays (`course.Tensor`). `course.draw` shows
the graph that computed a tensor: hover over a node to see its value and its adjoint
$\bar v = \partial y/\partial v$ (the picture computes them itself). Call it before `backward`,
which frees the graph to save memory.
""")

nb.code(r"""
x1 = course.Tensor(2.0, requires_grad=True)
x2 = course.Tensor(5.0, requires_grad=True)
y = np.log(x1) + x1 * x2 - np.sin(x2)
display(course.draw(y, names={"x1": x1, "x2": x2}))
y.backward()
print(f"y = {float(y.value):.3f}, x1.grad = {float(x1.grad):.4f}, x2.grad = {float(x2.grad):.4f}")
""", role="demo")

nb.md(r"""
## Summary

* Reverse mode computes **adjoints** $\bar v_i = \partial y / \partial v_i$ from the output back;
  one backward pass gives the gradient with respect to **all** inputs, at a small constant
  multiple of the cost of the forward pass.
* The price is memory: the forward pass must record the graph (values and local gradients).
* Correctness needs **accumulation** at fan-out (`+=`) and an order where each node is complete
  before it propagates: reverse **topological order**, computed iteratively.
* `course.Tensor` / `course.grad` do the same for arrays; notebook **04** derives the rules for
  matrix operations.
""")

if __name__ == "__main__":
    print(nb.write(), nb.total_points, "points")
