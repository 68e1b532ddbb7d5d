"""Generate notebooks/02-forward-mode.ipynb (run: python notebooks/_build/nb02.py)."""

from nbtools import Notebook

nb = Notebook("02-forward-mode", course_modules=[])

nb.md(r"""
# 02 · The evaluation trace and forward mode

**Total: {TOTAL_POINTS} points.** Fill in every `YOUR CODE HERE`, run the test cell below it, and
read its message if it fails. Hidden tests check your code on other inputs when you are graded.

Automatic differentiation does not work with formulas. It works with the **evaluation trace**: the
sequence of elementary operations ($+$, $\times$, $\sin$, $\ln$, ...) a program performs, each of
which has a derivative we know. In this notebook you

1. write down the trace of a small function and push derivatives through it by hand
   (the *tangent trace*),
2. automate that with **dual numbers**, a number type that carries a derivative along,
3. build a Jacobian-vector product `jvp` and a forward-mode Jacobian from it.
""")

nb.code(r"""
import os
import math

import matplotlib.pyplot as plt
import numpy as np

import course

GRADING = bool(os.environ.get("NBGRADER_EXECUTION"))  # set by nbgrader while grading
rng = np.random.default_rng(0)
np.set_printoptions(precision=6, suppress=True)
""", role="both")

nb.code(r"""
# The helpers the test cells use to check your answers and explain what is wrong.
from course.checks import check, check_array, check_gradient, check_outputs, check_scalar, spy
""", role="trusted")

nb.md(r"""
## 1. The evaluation trace

Our running example (from Baydin et al., *Automatic differentiation in machine learning: a
survey*) is
$$y = f(x_1, x_2) = \ln x_1 + x_1 x_2 - \sin x_2 \quad\text{at}\quad (x_1, x_2) = (2, 5).$$
A computer evaluates it one elementary operation at a time. Naming every intermediate result
$v_i$ (inputs get $v_{-1}, v_0$) gives the **forward primal trace**:

| variable | operation | value at (2, 5) |
|---|---|---|
| $v_{-1}$ | $x_1$ | 2 |
| $v_0$ | $x_2$ | 5 |
| $v_1$ | $\ln v_{-1}$ | 0.693 |
| $v_2$ | $v_{-1} \times v_0$ | 10 |
| $v_3$ | $v_1 + v_2$ | 10.693 |
| $v_4$ | $\sin v_0$ | −0.959 |
| $v_5$ | $v_3 - v_4$ | 11.652 |
| $y$ | $v_5$ | 11.652 |

**Numbering: where it differs from the lecture.** The lecture (like Baydin et al.) computes
$\sin v_0$ before the sum and calls it $v_3$, so there $v_3 = \sin v_0$, $v_4 = v_1 + v_2$ and
$v_5 = v_4 - v_3$. Here the variables are numbered in the order Python evaluates
`np.log(x1) + x1 * x2 - np.sin(x2)`: left to right, so the sum $v_1 + v_2$ is complete before
$\sin x_2$ is computed. That is also the order in which `course.trace` records the operations, so
its table and yours agree. Only the names of $v_3$ and $v_4$ swap; every value and derivative is
the same.

`course.trace` records this table from running the Python function (it also shows the reverse
adjoint trace, the topic of notebook 03):
""")

nb.code(r"""
def f(x1, x2):
    return np.log(x1) + x1 * x2 - np.sin(x2)


t = course.trace(f, 2.0, 5.0)
display(t)
print(f"y = {t.value:.3f}")
""", role="demo")

nb.md(r"""
### Exercise 1 (1 point): the primal trace

Return the list `[v_-1, v_0, v_1, v_2, v_3, v_4, v_5]` of the trace values for any inputs
`x1, x2` (use `math.log` and `math.sin`, one line per variable).
""")

nb.solution("primal-trace", r"""
def primal_trace(x1, x2):
    ### BEGIN SOLUTION
    v_m1 = x1
    v0 = x2
    v1 = math.log(v_m1)
    v2 = v_m1 * v0
    v3 = v1 + v2
    v4 = math.sin(v0)
    v5 = v3 - v4
    return [v_m1, v0, v1, v2, v3, v4, v5]
    ### END SOLUTION
""")

nb.tests("primal-trace-tests", 1, r"""
values = primal_trace(2.0, 5.0)
check(isinstance(values, (list, tuple)) and len(values) == 7,
      f"primal_trace should return a list of 7 values (v_-1 ... v_5), got {values!r}.",
      "return [v_m1, v0, v1, v2, v3, v4, v5].")
check_array(np.array(values, dtype=float),
            np.array([2, 5, math.log(2), 10, math.log(2) + 10, math.sin(5), math.log(2) + 10 - math.sin(5)]),
            "primal_trace(2, 5)", mistakes={
    "v_5 = v_3 - v_4 subtracts sin x_2: you added it (check the sign).":
        np.array([2, 5, math.log(2), 10, math.log(2) + 10, math.sin(5), math.log(2) + 10 + math.sin(5)]),
    "v_3 and v_4 are in the lecture's numbering (v_3 = sin v_0, v_4 = v_1 + v_2); this notebook numbers in "
    "Python's evaluation order, v_3 = v_1 + v_2 and v_4 = sin v_0 (see the note under the table).":
        np.array([2, 5, math.log(2), 10, math.sin(5), math.log(2) + 10, math.log(2) + 10 - math.sin(5)]),
})
check_scalar(values[-1], 11.652071455223084, "y = v_5 (course.trace above shows 11.652)")
### BEGIN HIDDEN TESTS
a, b = 0.7, -1.3
check_array(np.array(primal_trace(a, b), dtype=float),
            np.array([a, b, math.log(a), a * b, math.log(a) + a * b, math.sin(b), math.log(a) + a * b - math.sin(b)]),
            "primal_trace(0.7, -1.3)")
### END HIDDEN TESTS
""")

nb.md(r"""
## 2. Forward mode by hand: the tangent trace

To get $\partial y/\partial x_1$, attach to every $v_i$ its derivative with respect to $x_1$,
the **tangent** $\dot v_i = \partial v_i / \partial x_1$. Start with $\dot v_{-1} = 1$,
$\dot v_0 = 0$ (we are differentiating along $x_1$) and apply the chain rule line by line, next to
the primal computation:

| tangent | rule | value at (2, 5) |
|---|---|---|
| $\dot v_{-1}$ | $\dot x_1$ | 1 |
| $\dot v_0$ | $\dot x_2$ | 0 |
| $\dot v_1$ | $\dot v_{-1} / v_{-1}$ | 0.5 |
| $\dot v_2$ | $\dot v_{-1} v_0 + v_{-1} \dot v_0$ | 5 |
| $\dot v_3$ | $\dot v_1 + \dot v_2$ | 5.5 |
| $\dot v_4$ | $\dot v_0 \cos v_0$ | 0 |
| $\dot v_5$ | $\dot v_3 - \dot v_4$ | **5.5** |

So $\partial y/\partial x_1 = 5.5$ at $(2,5)$. Each line needs only values already computed, so
the tangents can be computed *in the same pass* as the primal values: that is **forward mode**.
Seeding $(\dot x_1, \dot x_2) = (v_1, v_2)$ instead gives the directional derivative
$\nabla f \cdot v$, and in general, for $f:\mathbb R^n\to\mathbb R^m$, one forward pass gives
one **Jacobian-vector product** $J v$.

### Exercise 2 (2 points): the tangent trace

Implement `tangent_trace(x1, x2, dx1, dx2)` returning the list of the seven tangents
$[\dot v_{-1}, \dot v_0, \dot v_1, \dots, \dot v_5]$ for the seed $(\dot x_1, \dot x_2) =$ `(dx1, dx2)`.
""")

nb.solution("tangent-trace", r"""
def tangent_trace(x1, x2, dx1, dx2):
    ### BEGIN SOLUTION
    v_m1, v0 = x1, x2
    dv_m1, dv0 = dx1, dx2
    dv1 = dv_m1 / v_m1
    dv2 = dv_m1 * v0 + v_m1 * dv0
    dv3 = dv1 + dv2
    dv4 = dv0 * math.cos(v0)
    dv5 = dv3 - dv4
    return [dv_m1, dv0, dv1, dv2, dv3, dv4, dv5]
    ### END SOLUTION
""")

nb.tests("tangent-trace-tests", 2, r"""
tangents = tangent_trace(2.0, 5.0, 1.0, 0.0)
check(isinstance(tangents, (list, tuple)) and len(tangents) == 7,
      f"tangent_trace should return a list of 7 tangents, got {tangents!r}.",
      "return [dv_m1, dv0, dv1, dv2, dv3, dv4, dv5].")
check_array(np.array(tangents, dtype=float), np.array([1, 0, 0.5, 5, 5.5, 0, 5.5]),
            "tangent_trace(2, 5, 1, 0)", mistakes={
    "dv_3 and dv_4 are in the lecture's numbering (v_3 = sin v_0, v_4 = v_1 + v_2); this notebook numbers in "
    "Python's evaluation order, v_3 = v_1 + v_2 and v_4 = sin v_0 (see the note under the primal trace).":
        np.array([1, 0, 0.5, 5, 0, 5.5, 5.5])})
along_x2 = np.array(tangent_trace(2.0, 5.0, 0.0, 1.0), dtype=float)
expected_x2 = np.array([0, 1, 0, 2, 2, math.cos(5), 2 - math.cos(5)])
check_array(along_x2, expected_x2, "tangent_trace(2, 5, 0, 1)", mistakes={
    "v_2 = v_-1 * v_0 is a product: its tangent is dv_-1 * v_0 + v_-1 * dv_0 (product rule).":
        np.array([0, 1, 0, 0, 0, math.cos(5), -math.cos(5)]),
    "the tangent of sin v_0 is dv_0 * cos(v_0), and v_5 = v_3 - v_4 subtracts it.":
        np.array([0, 1, 0, 2, 2, -math.cos(5), 2 + math.cos(5)]),
    "the tangent of v_1 = ln v_-1 is dv_-1 / v_-1 (chain rule): multiply the derivative 1 / v_-1 "
    "by the incoming tangent dv_-1 (here 0).":
        np.array([0, 1, 0.5, 2, 2.5, math.cos(5), 2.5 - math.cos(5)]),
    "dv_3 and dv_4 are in the lecture's numbering (v_3 = sin v_0, v_4 = v_1 + v_2); this notebook numbers in "
    "Python's evaluation order, v_3 = v_1 + v_2 and v_4 = sin v_0 (see the note under the primal trace).":
        np.array([0, 1, 0, 2, math.cos(5), 2, 2 - math.cos(5)]),
})
print(f"dy/dx1 = {tangents[-1]:.4f}, dy/dx2 = {along_x2[-1]:.4f}")
### BEGIN HIDDEN TESTS
x_h = np.array([0.7, -1.3])
v_h = np.array([0.4, -2.0])
dy = tangent_trace(*x_h, *v_h)[-1]
g_h = np.array([1 / x_h[0] + x_h[1], x_h[0] - np.cos(x_h[1])])
check_scalar(dy, g_h @ v_h, "directional derivative from tangent_trace(0.7, -1.3, 0.4, -2.0)")
### END HIDDEN TESTS
""")

nb.md(r"""
## 3. Dual numbers

Writing tangent traces by hand does not scale; but notice that every line only pairs a value with
its tangent. Make that pair a number type. A **dual number** is $a + b\,\varepsilon$ with the rule
$\varepsilon^2 = 0$ (like complex numbers, with $i^2=-1$ replaced by $\varepsilon^2=0$). Taylor
expansion shows why it computes derivatives:
$$f(a + b\varepsilon) = f(a) + f'(a)\, b\,\varepsilon + \tfrac12 f''(a) b^2 \varepsilon^2 + \dots
= f(a) + f'(a)\,b\,\varepsilon .$$
The $\varepsilon$-part of the result is the tangent. The arithmetic follows from $\varepsilon^2=0$:

$$\begin{aligned}
(a + \dot a\varepsilon) \pm (b + \dot b\varepsilon) &= (a \pm b) + (\dot a \pm \dot b)\varepsilon \\
(a + \dot a\varepsilon)(b + \dot b\varepsilon) &= ab + (\dot a b + a \dot b)\varepsilon \quad\text{(product rule)}\\
\frac{a + \dot a\varepsilon}{b + \dot b\varepsilon} &= \frac{a}{b} + \frac{\dot a b - a\dot b}{b^2}\varepsilon \quad\text{(quotient rule)}\\
g(a + \dot a\varepsilon) &= g(a) + g'(a)\,\dot a\,\varepsilon \quad\text{for } g = \sin, \cos, \exp, \ln .
\end{aligned}$$

A plain number $c$ is the dual number $c + 0\varepsilon$ (a constant has zero tangent).

### Exercise 3 (3 points): Dual arithmetic

Complete the class. `_lift` (given) turns plain numbers into constants so that `Dual(2, 1) * 3`
works. Python calls the **reflected** methods `__radd__`, `__rsub__`, `__rmul__`, `__rtruediv__`
for `3 + d`, `3 - d`, `3 * d`, `3 / d` when the left operand is a plain number; mind the order
in the non-commutative ones. Every method returns a new `Dual`.
""")

nb.solution("dual-arithmetic", r"""
class Dual:
    # A dual number value + tangent * eps with eps**2 = 0 (value and tangent: floats or arrays).

    def __init__(self, value, tangent=0.0):
        self.value = value
        self.tangent = tangent

    def __repr__(self):
        return f"Dual({self.value!r}, {self.tangent!r})"

    @staticmethod
    def _lift(x):
        return x if isinstance(x, Dual) else Dual(x, 0.0)

    def __add__(self, other):
        other = Dual._lift(other)
        ### BEGIN SOLUTION
        return Dual(self.value + other.value, self.tangent + other.tangent)
        ### END SOLUTION

    def __radd__(self, other):
        ### BEGIN SOLUTION
        return Dual._lift(other) + self
        ### END SOLUTION

    def __neg__(self):
        ### BEGIN SOLUTION
        return Dual(-self.value, -self.tangent)
        ### END SOLUTION

    def __sub__(self, other):
        other = Dual._lift(other)
        ### BEGIN SOLUTION
        return Dual(self.value - other.value, self.tangent - other.tangent)
        ### END SOLUTION

    def __rsub__(self, other):
        ### BEGIN SOLUTION
        return Dual._lift(other) - self
        ### END SOLUTION

    def __mul__(self, other):
        other = Dual._lift(other)
        ### BEGIN SOLUTION
        return Dual(self.value * other.value,
                    self.tangent * other.value + self.value * other.tangent)
        ### END SOLUTION

    def __rmul__(self, other):
        ### BEGIN SOLUTION
        return Dual._lift(other) * self
        ### END SOLUTION

    def __truediv__(self, other):
        other = Dual._lift(other)
        ### BEGIN SOLUTION
        return Dual(self.value / other.value,
                    (self.tangent * other.value - self.value * other.tangent) / other.value**2)
        ### END SOLUTION

    def __rtruediv__(self, other):
        ### BEGIN SOLUTION
        return Dual._lift(other) / self
        ### END SOLUTION
""")

nb.code(r"""
def check_dual(result, value, tangent, name, mistakes=None, value_mistakes=None):
    # Test helper: result must be a Dual with the given value and tangent.
    check(isinstance(result, Dual), f"{name} should be a Dual, got {type(result).__name__}: {result!r}.",
          "every operation returns a new Dual(value, tangent); plain numbers must be lifted with Dual._lift.")
    check_scalar(result.value, value, f"the value of {name}", mistakes=value_mistakes)
    check_scalar(result.tangent, tangent, f"the tangent of {name}", mistakes=mistakes)
""", role="trusted")

nb.tests("dual-arithmetic-tests", 3, r"""
a, b = Dual(3.0, 2.0), Dual(5.0, 7.0)


def operands_unchanged(expression):
    now = (a.value, a.tangent, b.value, b.tangent)
    check(now == (3.0, 2.0, 5.0, 7.0),
          f"{expression} changed its operands: afterwards a = Dual({now[0]}, {now[1]}) and "
          f"b = Dual({now[2]}, {now[3]}) instead of Dual(3.0, 2.0) and Dual(5.0, 7.0).",
          "an operation must not modify self or other (no += on their fields): build and return "
          "a new Dual(value, tangent).")


check_dual(a + b, 8, 9, "Dual(3, 2) + Dual(5, 7)")
operands_unchanged("a + b")
check_dual(a - b, -2, -5, "Dual(3, 2) - Dual(5, 7)")
operands_unchanged("a - b")
check_dual(-a, -3, -2, "-Dual(3, 2)")
operands_unchanged("-a")
check_dual(a * b, 15, 2 * 5 + 3 * 7, "Dual(3, 2) * Dual(5, 7)", mistakes={
    "product rule: (a + a'e)(b + b'e) = ab + (a'b + ab')e; you multiplied the tangents.": 2 * 7,
    "product rule: the tangent has two terms, a'b + ab'; you kept only one.": 2 * 5,
    "product rule: the tangent has two terms, a'b + ab' (the other one).": 3 * 7,
})
check_dual(a / b, 3 / 5, (2 * 5 - 3 * 7) / 25, "Dual(3, 2) / Dual(5, 7)", mistakes={
    "quotient rule: (a'b - ab') / b**2 -- check the order of the subtraction.": (3 * 7 - 2 * 5) / 25,
    "quotient rule: divide by b**2, not b.": (2 * 5 - 3 * 7) / 5,
    "quotient rule: the tangent is not a'/b'.": 2 / 7,
})
operands_unchanged("a * b and a / b")
# plain numbers on either side (reflected operators)
check_dual(a + 1, 4, 2, "Dual(3, 2) + 1")
check_dual(1 + a, 4, 2, "1 + Dual(3, 2)")
rsub_hint = "__rsub__ computes other - self (the plain number comes first): 10 - d, not d - 10."
check_dual(10 - a, 7, -2, "10 - Dual(3, 2)", mistakes={rsub_hint: 2}, value_mistakes={rsub_hint: -7})
check_dual(4 * a, 12, 8, "4 * Dual(3, 2)")
rdiv_hint = "__rtruediv__ computes other / self: 6 / d, not d / 6."
check_dual(6 / a, 2, -6 * 2 / 9, "6 / Dual(3, 2)", mistakes={rdiv_hint: 2 / 6}, value_mistakes={rdiv_hint: 0.5})
### BEGIN HIDDEN TESTS
# A rational function against its numeric derivative, at random points.
def r(x):
    return (3 * x * x - 2 * x + 1) / (x * x + 1) - 1 / x + (2 - x) * (x - 0.5)

def r_float(x):
    return (3 * x * x - 2 * x + 1) / (x * x + 1) - 1 / x + (2 - x) * (x - 0.5)

for x0 in rng.uniform(0.5, 3.0, size=4):
    out = r(Dual(float(x0), 1.0))
    numeric = (r_float(x0 + 1e-6) - r_float(x0 - 1e-6)) / 2e-6
    check_dual(out, r_float(x0), numeric, f"the derivative of a rational function at {x0:.3f}")
check_dual(Dual(2.0, 1.0) * Dual(2.0, 1.0), 4, 4, "x * x at x = 2 (fan-out)")
### END HIDDEN TESTS
""")

nb.md(r"""
### Exercise 4 (2 points): elementary functions

Implement `sin`, `cos`, `exp`, `log` so that they accept a `Dual` (return a `Dual` with the
chain-rule tangent $g'(a)\,\dot a$) or a plain number/array (return `np.sin(x)` etc.).
""")

nb.solution("dual-functions", r"""
def sin(x):
    if isinstance(x, Dual):
        ### BEGIN SOLUTION
        return Dual(np.sin(x.value), np.cos(x.value) * x.tangent)
        ### END SOLUTION
    return np.sin(x)


def cos(x):
    if isinstance(x, Dual):
        ### BEGIN SOLUTION
        return Dual(np.cos(x.value), -np.sin(x.value) * x.tangent)
        ### END SOLUTION
    return np.cos(x)


def exp(x):
    if isinstance(x, Dual):
        ### BEGIN SOLUTION
        return Dual(np.exp(x.value), np.exp(x.value) * x.tangent)
        ### END SOLUTION
    return np.exp(x)


def log(x):
    if isinstance(x, Dual):
        ### BEGIN SOLUTION
        return Dual(np.log(x.value), x.tangent / x.value)
        ### END SOLUTION
    return np.log(x)
""")

nb.tests("dual-functions-tests", 2, r"""
x = Dual(0.5, 3.0)
check_dual(sin(x), np.sin(0.5), 3 * np.cos(0.5), "sin(Dual(0.5, 3))", mistakes={
    "chain rule: multiply g'(a) by the incoming tangent (3 here).": np.cos(0.5)})
check_dual(cos(x), np.cos(0.5), -3 * np.sin(0.5), "cos(Dual(0.5, 3))", mistakes={
    "d/dx cos x = -sin x: check the sign.": 3 * np.sin(0.5)})
check_dual(exp(x), np.exp(0.5), 3 * np.exp(0.5), "exp(Dual(0.5, 3))")
check_dual(log(x), np.log(0.5), 3 / 0.5, "log(Dual(0.5, 3))", mistakes={
    "d/dx ln x = 1/x: divide the tangent by the value.": 3 * 0.5})
check_scalar(sin(0.5), np.sin(0.5), "sin(0.5) on a plain float")
### BEGIN HIDDEN TESTS
for x0 in rng.uniform(0.2, 2.0, size=3):
    g = lambda v: exp(sin(v) * cos(v)) + log(v * v + 1)
    g_float = lambda v: np.exp(np.sin(v) * np.cos(v)) + np.log(v * v + 1)
    check_dual(g(Dual(float(x0), 1.0)), g_float(x0), (g_float(x0 + 1e-6) - g_float(x0 - 1e-6)) / 2e-6,
               f"a composite function at {x0:.3f}")
check_array(cos(np.array([0.0, 1.0])), np.cos([0.0, 1.0]), "cos on a plain array")
### END HIDDEN TESTS
""")

nb.md(r"""
Now the running example runs unchanged on dual numbers. Seeding $x_1$ with tangent 1 gives
$\partial y/\partial x_1$; a second pass seeded along $x_2$ gives $\partial y / \partial x_2$.
""")

nb.code(r"""
def f_dual(x1, x2):
    return log(x1) + x1 * x2 - sin(x2)


y1 = f_dual(Dual(2.0, 1.0), Dual(5.0, 0.0))
y2 = f_dual(Dual(2.0, 0.0), Dual(5.0, 1.0))
print(f"y = {y1.value:.3f}   dy/dx1 = {y1.tangent:.4f}   dy/dx2 = {y2.tangent:.4f}")
""")

nb.code(r"""
# the course's reference forward mode agrees:
print("course.jvp:", course.jvp(lambda x1, x2: np.log(x1) + x1 * x2 - np.sin(x2), (2.0, 5.0), (1.0, 0.0)))
""", role="demo")

nb.md(r"""
### Exercise 5 (1 point): derivative of a one-variable function

`derivative(f, x)` returns $f'(x)$ by one forward pass: seed the input with tangent 1. If `f`
returns a plain number (it ignores its input), the derivative is 0.
""")

nb.solution("derivative", r"""
def derivative(f, x):
    ### BEGIN SOLUTION
    out = f(Dual(x, 1.0))
    return out.tangent if isinstance(out, Dual) else 0.0
    ### END SOLUTION
""")

nb.tests("derivative-tests", 1, r"""
check_scalar(derivative(lambda v: v * v * v, 2.0), 12.0, "derivative(x**3, 2)", mistakes={
    "seed the input with tangent 1: Dual(x, 1.0).": 0.0})
check_scalar(derivative(lambda v: 7.0, 2.0), 0.0, "derivative of a constant function")
### BEGIN HIDDEN TESTS
check_scalar(derivative(lambda v: exp(2 * v) / v, 1.5),
             np.exp(3.0) * (2 * 1.5 - 1) / 1.5**2, "derivative(exp(2x)/x, 1.5)")
# Forward mode evaluates f once, on a dual number; a finite difference calls it on plain floats.
cube = spy(lambda v: v * v * v)
check_scalar(derivative(cube, 0.7), 3 * 0.7**2, "derivative(x**3, 0.7)")
check(len(cube.calls) == 1 and isinstance(cube.calls[0][0], Dual),
      f"derivative called f {len(cube.calls)} time(s), with {[type(a[0]).__name__ for a in cube.calls]}.",
      "evaluate f once, on Dual(x, 1.0), and return the tangent of the result (a finite "
      "difference on plain numbers is not forward mode).")
### END HIDDEN TESTS
""")

nb.md(r"""
Because our `Dual` only uses `+ - * /` and numpy functions, the value and tangent may be whole
arrays: one pass differentiates on a grid of points. Below, $g(x) = \sin(x)\,e^{-x^2/8}$ and
its derivative, and Newton's method $x \leftarrow x - g(x)/g'(x)$ using `derivative` to find the
zeros of $g$:
""")

nb.code(r"""
def g(x):
    return sin(x) * exp(-1.0 * x * x / 8)


xs = np.linspace(-6, 6, 400)
gd = g(Dual(xs, np.ones_like(xs)))  # value and derivative on the whole grid in one pass

roots = []
for x in [-6.0, -3.0, 0.3, 3.0, 6.0]:
    for _ in range(20):
        x = x - g(x) / derivative(g, x)
    roots.append(x)

fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(xs, gd.value, label="g(x)")
ax.plot(xs, gd.tangent, label="g'(x) by dual numbers")
ax.plot(roots, np.zeros(len(roots)), "ko", label="Newton's roots")
ax.axhline(0, color="gray", lw=0.5); ax.legend(); ax.set_xlabel("x")
plt.show()
print("roots:", np.round(roots, 6), " (multiples of pi:", np.round(np.array(roots) / np.pi, 6), ")")
""")

nb.md(r"""
## 4. Jacobian-vector products

For $f:\mathbb R^n\to\mathbb R^m$ with Jacobian $J_{ij} = \partial f_i / \partial x_j$, seeding the
inputs with tangents $v$ gives output tangents $\dot y = J v$ (the chain rule in matrix form).
One forward pass = one JVP, whatever $m$ is. The full Jacobian needs $n$ passes, one per column
($v = e_1, \dots, e_n$). So forward mode is cheap for functions with **few inputs** and many
outputs, and expensive for a loss with a million inputs and one output: that is what reverse
mode (notebook 03) fixes.

### Exercise 6 (2 points): `jvp`

`f` takes a list of $n$ numbers and returns a number or a list of $m$ numbers. Return the pair
`(f(x), J v)` as float numpy arrays (1-d, length $m$; length 1 if `f` returns a number).
Outputs that are plain numbers (not `Dual`) have tangent 0.
""")

nb.solution("jvp", r"""
def jvp(f, x, v):
    ### BEGIN SOLUTION
    out = f([Dual(float(xi), float(vi)) for xi, vi in zip(x, v)])
    if not isinstance(out, (list, tuple)):
        out = [out]
    values = np.array([o.value if isinstance(o, Dual) else o for o in out], dtype=float)
    tangents = np.array([o.tangent if isinstance(o, Dual) else 0.0 for o in out], dtype=float)
    return values, tangents
    ### END SOLUTION
""")

nb.code(r"""
def polar(p):
    # (r, theta) -> (x, y, r**2): n = 2 inputs, m = 3 outputs
    r, theta = p
    return [r * cos(theta), r * sin(theta), r * r]


def polar_jacobian(p):
    r, theta = p
    return np.array([[np.cos(theta), -r * np.sin(theta)],
                     [np.sin(theta), r * np.cos(theta)],
                     [2 * r, 0.0]])
""", role="both")

nb.tests("jvp-tests", 2, r"""
p0, v0 = [2.0, 0.5], [1.0, -3.0]
result = jvp(polar, p0, v0)
check(isinstance(result, tuple) and len(result) == 2,
      f"jvp should return a pair (f(x), J v), got {type(result).__name__}.", "return values, tangents")
# Along v = (1, 1) first: the order of the pair (seeding with v or with ones agrees there).
check_outputs(jvp(polar, p0, [1.0, 1.0]), (np.array(polar(p0), dtype=float), polar_jacobian(p0) @ [1.0, 1.0]),
              "jvp(polar, [2, 0.5], [1, 1])", ("f(x)", "J v"))
check_array(result[0], np.array(polar(p0), dtype=float), "f(x) from jvp(polar, [2, 0.5], [1, -3])")
check_array(result[1], polar_jacobian(p0) @ v0, "J v from jvp(polar, [2, 0.5], [1, -3])", mistakes={
    "seed the inputs with the tangents v (Dual(x_i, v_i)), not with 1.": polar_jacobian(p0) @ np.ones(2),
})
scalar_error = None
try:
    y_, dy_ = jvp(lambda x: log(x[0]) + x[0] * x[1] - sin(x[1]), [2.0, 5.0], [1.0, 0.0])
except TypeError as err:
    if "not iterable" not in str(err) and "has no len" not in str(err):
        raise
    scalar_error = f"{type(err).__name__}: {err}"
check(scalar_error is None,
      f"jvp of the running example (a function with a scalar output) raised {scalar_error}, "
      "while it worked for polar (a list of outputs).",
      "for a scalar output f returns a single Dual, not a list: wrap it (`out = [out]`) before "
      "looping over the outputs.")
check_array(dy_, np.array([5.5]), "jvp of the running example along x1 (a scalar output)")
### BEGIN HIDDEN TESTS
for _ in range(3):
    p_h, v_h = rng.uniform(0.5, 2.0, size=2), rng.normal(size=2)
    check_array(jvp(polar, list(p_h), list(v_h))[1], polar_jacobian(p_h) @ v_h, f"J v at {p_h}")
_, d_const = jvp(lambda x: [x[0] * x[1], 3.0], [1.0, 2.0], [1.0, 1.0])
check_array(d_const, np.array([3.0, 0.0]), "jvp with a constant output")
polar_spy = spy(polar)
check_array(jvp(polar_spy, [1.5, 0.3], [0.2, -1.0])[1], polar_jacobian([1.5, 0.3]) @ [0.2, -1.0],
            "J v at (1.5, 0.3)")
check(len(polar_spy.calls) == 1 and all(isinstance(xi, Dual) for xi in polar_spy.calls[0][0]),
      f"jvp called f {len(polar_spy.calls)} time(s); one forward pass on dual numbers is enough.",
      "call f once with [Dual(x_i, v_i) ...] and read the tangents (finite differences on plain "
      "numbers are not forward mode).")
### END HIDDEN TESTS
""")

nb.md(r"""
### Exercise 7 (2 points): the Jacobian by forward mode

Build the $m\times n$ Jacobian column by column: column $j$ is `jvp(f, x, e_j)`.
""")

nb.solution("jacobian-forward", r"""
def jacobian_forward(f, x):
    ### BEGIN SOLUTION
    n = len(x)
    columns = [jvp(f, x, np.eye(n)[j])[1] for j in range(n)]
    return np.stack(columns, axis=1)
    ### END SOLUTION
""")

nb.tests("jacobian-forward-tests", 2, r"""
J = jacobian_forward(polar, [2.0, 0.5])
check_array(J, polar_jacobian([2.0, 0.5]), "jacobian_forward(polar, [2, 0.5])")
### BEGIN HIDDEN TESTS
def many(x):
    return [x[0] * x[1] * x[2], exp(x[0]) - x[2], x[1] / x[2], 2.0 * x[0]]

x_h = [0.3, -1.2, 2.0]
a_, b_, c_ = x_h
J_ref = np.array([[b_ * c_, a_ * c_, a_ * b_], [np.exp(a_), 0, -1], [0, 1 / c_, -b_ / c_**2], [2, 0, 0]])
many_spy = spy(many)
check_array(jacobian_forward(many_spy, x_h), J_ref, "jacobian_forward of a 3 -> 4 function")
check(not many_spy.calls or any(isinstance(xi, Dual) for c in many_spy.calls for xi in c[0]),
      f"jacobian_forward called f {len(many_spy.calls)} time(s) for 3 inputs, always on plain numbers.",
      "evaluating f on plain numbers is a finite difference, not forward mode: build column j "
      "with jvp(f, x, e_j), which calls f on dual numbers.")
check(len(many_spy.calls) == 3,
      f"jacobian_forward called f {len(many_spy.calls)} time(s) for 3 inputs.",
      "one forward pass (one jvp) per input, each on dual numbers.")
### END HIDDEN TESTS
""")

nb.md(r"""
The cost of forward mode is one pass per **input**. Counting the passes makes the point: a
function $\mathbb R^n \to \mathbb R$ (a loss of $n$ weights) needs $n$ passes for its gradient.
""")

nb.code(r"""
calls = {"f": 0}


def loss(x):  # R^n -> R
    calls["f"] += 1
    total = 0.0
    for xi in x:
        total = total + xi * xi
    return total


ns = [1, 2, 5, 10, 20, 50] if GRADING else [1, 2, 5, 10, 20, 50, 100, 200]
passes = []
for n in ns:
    calls["f"] = 0
    jacobian_forward(loss, list(rng.normal(size=n)))
    passes.append(calls["f"])
plt.figure(figsize=(5, 3))
plt.plot(ns, passes, "o-", label="forward mode: passes for one gradient")
plt.plot(ns, np.ones(len(ns)), "s--", label="reverse mode (notebook 03): 1 backward pass")
plt.xlabel("number of inputs n"); plt.ylabel("passes over f"); plt.legend(); plt.show()
""")

nb.md(r"""
## Summary

* A program's **evaluation trace** is a sequence of elementary operations with known derivatives.
* **Forward mode** propagates tangents $\dot v_i$ alongside values; one pass gives $J v$.
* **Dual numbers** $a + \dot a\varepsilon$, $\varepsilon^2=0$, implement forward mode by operator
  overloading; `course.Dual` and `course.jvp` are the reference versions (vectorised, all numpy
  functions).
* Cost: one pass per input direction. For gradients of scalar losses we want the other order:
  **03 · reverse mode**.
""")

if __name__ == "__main__":
    print(nb.write(), nb.total_points, "points")
