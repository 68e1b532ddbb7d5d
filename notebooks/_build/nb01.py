"""Generate notebooks/01-derivatives.ipynb (run: python notebooks/_build/nb01.py)."""

from nbtools import Notebook

nb = Notebook("01-derivatives", course_modules=[])

nb.md(r"""
# 01 · Derivatives four ways

**Total: {TOTAL_POINTS} points.** Fill in every cell that contains `YOUR CODE HERE`, then run the
test cell below it: a failing test tells you what is wrong and gives a hint. Some tests are hidden
and only run when your work is graded, so make your code work for any input, not just the example.

This course builds an automatic-differentiation (AD) engine from scratch and uses it to train
neural networks. Everything starts with one question: *how does a computer compute a
derivative?* There are four answers:

1. **by hand** (manual): you derive $f'$ on paper and type it in;
2. **symbolically**: a program manipulates the formula of $f$ and returns the formula of $f'$;
3. **numerically**: finite differences $\frac{f(x+h)-f(x-h)}{2h}$ evaluate $f$ a few times;
4. **automatically** (AD): the program that computes $f(x)$ is run with the chain rule applied
   to every elementary operation, giving $f'(x)$ exactly (up to rounding) at a small constant
   factor of the cost of $f$.

In this notebook you implement numeric differentiation, measure how accurate it is, and practise
the chain rule, which is the one idea every AD system is built on.
""")

nb.md(r"""
**Keep your work.** If you work on Binder, the session is temporary: after about 10 minutes
without activity, or when the tab stays closed, it ends and everything in it is gone. Save often
(`Ctrl-S`) and **download** the notebook regularly (right-click it in the file browser,
*Download*, or *File > Download*). To continue later, upload the saved notebook again (*Upload*
in the file browser). A notebook you are not using stops its kernel after 20 minutes without
running a cell; run its cells again to continue.

**Hand in** the downloaded `.ipynb` file through your course's learning platform, under its
original name (`01-derivatives.ipynb` here), with the cells in place: do not delete or copy the
exercise and test cells. The **Validate** button at the top of the notebook runs everything as a
check before you hand in.
""")

nb.code(r"""
import os

import matplotlib.pyplot as plt
import numpy as np

import course

GRADING = bool(os.environ.get("NBGRADER_EXECUTION"))  # set by nbgrader while grading
rng = np.random.default_rng(0)
np.set_printoptions(precision=6, suppress=True)
""", role="both")

nb.code(r"""
# The helpers the test cells use to check your answers and explain what is wrong.
from course.checks import check, check_array, check_exact, check_gradient, check_outputs, check_scalar
""", role="trusted")

nb.md(r"""
## 1. By hand

The derivative of $f$ at $x$ is the slope of the tangent,
$$f'(x) = \lim_{h\to 0} \frac{f(x+h) - f(x)}{h}.$$
For $f(x) = x^2 \sin x$ the product rule $(uv)' = u'v + uv'$ gives
$$f'(x) = 2x\sin x + x^2 \cos x .$$
Manual derivatives are exact and fast, but deriving them for a neural network with millions of
parameters (and keeping them correct after every change of the model) is error-prone work.
""")

nb.code(r"""
def f(x):
    return x**2 * np.sin(x)


def df_manual(x):
    return 2 * x * np.sin(x) + x**2 * np.cos(x)


xs = np.linspace(-4, 4, 400)
x0 = 1.5
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(xs, f(xs), label="$f(x) = x^2 \\sin x$")
ax.plot(xs, f(x0) + df_manual(x0) * (xs - x0), "--", label=f"tangent at x = {x0}")
ax.plot([x0], [f(x0)], "ko")
ax.set_ylim(-12, 12); ax.legend(); ax.set_xlabel("x")
plt.show()
print(f"f'({x0}) = {df_manual(x0):.6f}")
""")

nb.md(r"""
## 2. Symbolically

A computer-algebra system applies the same rules to a *formula*. Below is a complete (tiny)
symbolic differentiator: an expression is a number, the variable `"x"`, or a tuple
`(op, left, right)`. Its rules are the sum, difference and product rules.

The problem with symbolic differentiation is **expression swell**: the product rule copies both
factors, so the derivative of a nested expression can be exponentially larger than the
expression itself. The classic example (Baydin et al., *Automatic differentiation in machine
learning: a survey*) is the logistic map $l_{n+1} = 4 l_n (1 - l_n)$ with $l_1 = x$.
""")

nb.code(r"""
def diff(e):
    # d e / d x for e built from numbers, "x", and ("+" | "-" | "*", a, b)
    if isinstance(e, (int, float)):
        return 0
    if e == "x":
        return 1
    op, a, b = e
    if op in "+-":
        return (op, diff(a), diff(b))
    if op == "*":
        return ("+", ("*", diff(a), b), ("*", a, diff(b)))
    raise ValueError(op)


def size(e):
    return 1 if not isinstance(e, tuple) else 1 + size(e[1]) + size(e[2])


def evaluate(e, x):
    if isinstance(e, (int, float)):
        return e
    if e == "x":
        return x
    op, a, b = e
    a, b = evaluate(a, x), evaluate(b, x)
    return a + b if op == "+" else a - b if op == "-" else a * b


l = "x"
print(" n   size of l_n   size of dl_n/dx")
for n in range(1, 7):
    print(f"{n:2d} {size(l):12d} {size(diff(l)):17d}")
    l = ("*", ("*", 4, l), ("-", 1, l))  # l_{n+1} = 4 l_n (1 - l_n)

# The formula is right, only huge: compare with the central difference at x = 0.3.
x0 = 0.3
print("symbolic:", evaluate(diff(l), x0),
      " numeric:", (evaluate(l, x0 + 1e-6) - evaluate(l, x0 - 1e-6)) / 2e-6)
""")

nb.md(r"""
Both $l_n$ and its derivative are stored as trees; $l_n$ is already big because $l_n$ appears twice
in $l_{n+1}$, but the derivative grows faster still. A real CAS simplifies and shares common
subexpressions, and that sharing is exactly what AD does by working with *values* of
intermediate variables instead of formulas.

## 3. Numerically: finite differences

Replace the limit by a small but finite $h$. Taylor's theorem tells us how good that is:
$$f(x \pm h) = f(x) \pm h f'(x) + \tfrac{h^2}{2} f''(x) \pm \tfrac{h^3}{6} f'''(x) + O(h^4).$$

* **Forward difference** $\displaystyle D_+ f(x) = \frac{f(x+h) - f(x)}{h} = f'(x) + \frac{h}{2} f''(x) + O(h^2)$: error $O(h)$.
* **Central difference** $\displaystyle D_0 f(x) = \frac{f(x+h) - f(x-h)}{2h} = f'(x) + \frac{h^2}{6} f'''(x) + O(h^4)$:
  the even terms cancel, error $O(h^2)$.

The central difference costs the same two evaluations of $f$ (when $f(x)$ is not needed
anyway) and is far more accurate, which is why gradient checkers use it.

### Exercise 1 (2 points): central difference

Implement `central_difference(f, x, h)`. It must also work when `x` is a numpy array and `f`
acts elementwise (then it returns the array of derivatives).
""")

nb.code(r"""
def forward_difference(f, x, h=1e-5):
    # Given for comparison: the one-sided difference with O(h) error.
    return (f(x + h) - f(x)) / h
""")

nb.solution("central-difference", r"""
def central_difference(f, x, h=1e-5):
    # Approximate f'(x) by (f(x + h) - f(x - h)) / (2 h).
    ### BEGIN SOLUTION
    return (f(x + h) - f(x - h)) / (2 * h)
    ### END SOLUTION
""")

nb.tests("central-difference-tests", 2, r"""
# A large step 0.1 makes the different difference formulas give clearly different numbers.
x, step = 1.0, 0.1
wrong_ways = {
    "you computed the forward difference (f(x+h) - f(x)) / h; the central difference looks at "
    "both sides: (f(x+h) - f(x-h)) / (2h).": (np.exp(x + step) - np.exp(x)) / step,
    "you computed the backward difference (f(x) - f(x-h)) / h; the central difference looks at "
    "both sides: (f(x+h) - f(x-h)) / (2h).": (np.exp(x) - np.exp(x - step)) / step,
    "the distance between x-h and x+h is 2h: divide by (2 * h), not h.":
        (np.exp(x + step) - np.exp(x - step)) / step,
    "the order of the two evaluations is swapped: f(x+h) comes first.":
        (np.exp(x - step) - np.exp(x + step)) / (2 * step),
}
check_scalar(central_difference(np.exp, x, h=step), (np.exp(x + step) - np.exp(x - step)) / (2 * step),
             "central_difference(np.exp, 1.0, h=0.1)", mistakes=wrong_ways, rtol=1e-10)
check_scalar(central_difference(np.sin, 0.5), np.cos(0.5), "central_difference(np.sin, 0.5)",
             rtol=1e-9)
### BEGIN HIDDEN TESTS
# The central difference of x^3 is exactly 3x^2 + h^2 (the h^2 f'''/6 term, f''' = 6).
check_scalar(central_difference(lambda t: t**3, 2.0, h=0.01), 12.0 + 1e-4,
             "central_difference(x**3, 2.0, h=0.01)", rtol=1e-9)
xs_hidden = rng.uniform(0.5, 3.0, size=7)
check_array(central_difference(np.log, xs_hidden, h=1e-6), 1 / xs_hidden,
            "central_difference(np.log, array)", rtol=1e-7)
check_scalar(central_difference(lambda t: 5.0, 3.0), 0.0, "derivative of a constant", atol=1e-9)
### END HIDDEN TESTS
""")

nb.md(r"""
### Truncation error vs round-off error

The Taylor analysis says: make $h$ small. But a computer stores numbers with about 16 significant
digits (machine epsilon $\varepsilon \approx 2.2\times 10^{-16}$ for float64), so $f(x+h)$ and
$f(x-h)$ each carry an error of about $\varepsilon |f(x)|$. Dividing their difference by a tiny
$2h$ magnifies that error. The total error of the central difference is roughly
$$E(h) \approx \underbrace{\frac{h^2}{6}|f'''(x)|}_{\text{truncation}}
  + \underbrace{\frac{\varepsilon |f(x)|}{h}}_{\text{round-off}},$$
and for the forward difference $\frac{h}{2}|f''(x)| + \frac{2\varepsilon|f(x)|}{h}$.
There is a best $h$ in between.

### Exercise 2 (2 points): measure the errors

Write `difference_errors(f, dfdx, x, hs)` returning two arrays of the same length as `hs`: the
absolute errors $|D_+ f(x) - f'(x)|$ of `forward_difference` and $|D_0 f(x) - f'(x)|$ of your
`central_difference` for every step `h` in `hs`.
""")

nb.solution("difference-errors", r"""
def difference_errors(f, dfdx, x, hs):
    # Returns (forward_errors, central_errors), two arrays with one entry per h in hs.
    ### BEGIN SOLUTION
    exact = dfdx(x)
    forward = np.array([abs(forward_difference(f, x, h) - exact) for h in hs])
    central = np.array([abs(central_difference(f, x, h) - exact) for h in hs])
    return forward, central
    ### END SOLUTION
""")

nb.tests("difference-errors-tests", 2, r"""
hs_test = np.array([1e-1, 1e-2, 1e-3])
result = difference_errors(np.exp, np.exp, 1.0, hs_test)
check(isinstance(result, tuple) and len(result) == 2,
      f"difference_errors should return a tuple (forward_errors, central_errors), got {type(result).__name__}.",
      "end with `return forward, central`.")
fwd_expected = np.abs((np.exp(1 + hs_test) - np.e) / hs_test - np.e)
cen_expected = np.abs((np.exp(1 + hs_test) - np.exp(1 - hs_test)) / (2 * hs_test) - np.e)
check_outputs(result, (fwd_expected, cen_expected), "difference_errors(np.exp, np.exp, 1.0, hs)",
              ("forward_errors", "central_errors"), rtol=1e-6)
### BEGIN HIDDEN TESTS
hs_hidden = np.logspace(-6, -1, 4)
fw, ce = difference_errors(np.sin, np.cos, 0.7, hs_hidden)
# Both differences underestimate cos(0.7) here: signed errors are negative.
fw_signed = (np.sin(0.7 + hs_hidden) - np.sin(0.7)) / hs_hidden - np.cos(0.7)
ce_signed = (np.sin(0.7 + hs_hidden) - np.sin(0.7 - hs_hidden)) / (2 * hs_hidden) - np.cos(0.7)
signed_hint = ("these are signed errors D f(x) - f'(x): the error is the absolute value "
               "|D f(x) - f'(x)| (use abs(...)).")
check_array(fw, np.abs(fw_signed), "forward_errors (sin at 0.7)", rtol=1e-4, atol=1e-12,
            mistakes={signed_hint: fw_signed})
check_array(ce, np.abs(ce_signed), "central_errors (sin at 0.7)", rtol=1e-4, atol=1e-12,
            mistakes={signed_hint: ce_signed})
### END HIDDEN TESTS
""")

nb.md(r"""
Now the picture. On a log-log plot a power law $E \propto h^p$ is a straight line of slope $p$:
slope 1 (forward) and 2 (central) on the right where truncation dominates, slope $-1$ on the left
where round-off dominates.
""")

nb.code(r"""
hs = np.logspace(-16, 0, 161)
x0 = 1.0
fwd_err, cen_err = difference_errors(np.exp, np.exp, x0, hs)
eps = np.finfo(float).eps
tiny = 1e-18  # log axes cannot show an error of exactly 0

fig, ax = plt.subplots(figsize=(7, 4.5))
ax.loglog(hs, np.maximum(fwd_err, tiny), ".", label="forward difference (measured)")
ax.loglog(hs, np.maximum(cen_err, tiny), ".", label="central difference (measured)")
ax.loglog(hs, hs / 2 * np.e + 2 * eps * np.e / hs, "C0-", lw=1, alpha=0.6,
          label=r"model $\frac{h}{2}|f''| + \frac{2\varepsilon |f|}{h}$")
ax.loglog(hs, hs**2 / 6 * np.e + eps * np.e / hs, "C1-", lw=1, alpha=0.6,
          label=r"model $\frac{h^2}{6}|f'''| + \frac{\varepsilon |f|}{h}$")
ax.set_ylim(1e-13, 1e2)
ax.set_xlabel("step h"); ax.set_ylabel("absolute error in f'(1), f = exp")
ax.set_title("Truncation error (right) vs round-off error (left)")
ax.legend(fontsize=8)
plt.show()

best_fwd, best_cen = hs[np.argmin(fwd_err)], hs[np.argmin(cen_err)]
print(f"best measured h: forward {best_fwd:.1e} (error {fwd_err.min():.1e}), "
      f"central {best_cen:.1e} (error {cen_err.min():.1e})")
""", role="demo")

nb.md(r"""
The measured points follow the models: the forward difference is at best accurate to about
8 digits (near $h \approx \sqrt{\varepsilon} \approx 10^{-8}$), the central difference to about
11 digits (near $h \approx \varepsilon^{1/3} \approx 10^{-5}$; the printout above gives the
measured numbers). That is why gradient checkers
use central differences with $h$ around $10^{-5}$ to $10^{-6}$ in float64, and why they compare
*relative* errors of about $10^{-7}$ rather than demanding equality. In float32
($\varepsilon \approx 1.2\times10^{-7}$) the best you can get is only about 5 digits.

### Exercise 3 (1 point): the best step, predicted

Minimise the central-difference error model $E(h) = \frac{h^2}{6}M + \frac{\varepsilon F}{h}$
(with $M = |f'''(x)|$, $F = |f(x)|$) over $h>0$: set $E'(h)=0$ and solve for $h$. Implement the
result as `optimal_central_step(eps, F, M)`.
""")

nb.solution("optimal-step", r"""
def optimal_central_step(eps, F, M):
    # The h > 0 minimising h**2 / 6 * M + eps * F / h.
    ### BEGIN SOLUTION
    return (3 * eps * F / M) ** (1 / 3)
    ### END SOLUTION
""")

nb.tests("optimal-step-tests", 1, r"""
eps = np.finfo(float).eps
h_star = optimal_central_step(eps, np.e, np.e)
step_mistakes = {
    "E'(h) = h M / 3 - eps F / h^2: the 3 comes from differentiating h^2/6, so h^3 = 3 eps F / M.":
        (6 * eps) ** (1 / 3),
    "solve E'(h) = 0 for h^3 and take the cube root.": 3 * eps,
    "h^3 = 3 eps F / M: take the cube root, `** (1 / 3)`, not the square root (h^2 belongs to the "
    "forward difference).": np.sqrt(3 * eps),
}
for rounded in ("0.33", "0.333", "0.3333"):
    step_mistakes[f"you used the exponent {rounded}, a rounded 1 / 3: write `** (1 / 3)` "
                  "(or np.cbrt) for the exact cube root."] = (3 * eps) ** float(rounded)
check_scalar(h_star, (3 * eps) ** (1 / 3), "optimal_central_step(eps, e, e)", mistakes=step_mistakes)
print(f"predicted best h = {h_star:.2e} (compare with the measured best h printed above)")
### BEGIN HIDDEN TESTS
for F_, M_ in [(2.0, 0.5), (1e-3, 10.0)]:
    hh = optimal_central_step(1e-7, F_, M_)
    check_scalar(hh, (3e-7 * F_ / M_) ** (1 / 3), f"optimal_central_step(1e-7, {F_}, {M_})")
    grid = hh * np.array([0.9, 1.0, 1.1])
    model = grid**2 / 6 * M_ + 1e-7 * F_ / grid
    check(np.argmin(model) == 1, "your step does not minimise the error model.",
          "set the derivative of E(h) to zero.")
### END HIDDEN TESTS
""")

nb.md(r"""
### Exercise 4 (3 points): numeric gradient of a function of many variables

For $f:\mathbb{R}^n\to\mathbb{R}$ the gradient collects the partial derivatives,
$\nabla f(x) = \left(\frac{\partial f}{\partial x_1}, \dots, \frac{\partial f}{\partial x_n}\right)$,
and each partial derivative is a one-variable derivative along a coordinate direction $e_i$:
$$\frac{\partial f}{\partial x_i}(x) \approx \frac{f(x + h e_i) - f(x - h e_i)}{2h}.$$

Implement `numeric_gradient(f, x, h)` for an array `x` of **any shape** (a weight matrix, say):
return an array of the same shape. Nudge one entry at a time (`np.ndindex(x.shape)` loops over all
indices) and **restore it afterwards**: the caller's `x` must be unchanged when you return.
Note the cost: $2n$ evaluations of $f$ for $n$ parameters, hopeless for a network with a million
weights, but perfect for *checking* a gradient on a small example.
""")

nb.solution("numeric-gradient", r"""
def numeric_gradient(f, x, h=1e-5):
    # Central-difference gradient of the scalar function f at the float array x (same shape as x).
    ### BEGIN SOLUTION
    grad = np.zeros_like(x, dtype=float)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
    ### END SOLUTION
""")

nb.tests("numeric-gradient-tests", 3, r"""
w = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])
w_before = w.copy()
restore_hint = ("restore x[i] to its old value after evaluating f(x + h e_i) and f(x - h e_i); x[i] must be "
                "one entry (loop with np.ndindex(x.shape)): for a 2-d x, x[i] is a row, and `old = x[i]` is a view "
                "that changes with x.")
changed_input = None
try:
    g = numeric_gradient(lambda v: np.sum(v**2), w)
except AssertionError as err:  # raised when numeric_gradient changes the array it was given
    if "changed its input" not in str(err):
        raise
    changed_input = str(err)
check(changed_input is None, str(changed_input), restore_hint)
h_ = 1e-5
check_array(g, 2 * w_before, "numeric_gradient(sum(w**2), w)", rtol=1e-6, atol=1e-8, mistakes={
    "you moved every entry of x by h at once (f(x + h) - f(x - h)): that is the derivative along "
    "(1, 1, ..., 1), the same number in every entry. Nudge one entry at a time: x[i] = old + h.":
        np.full_like(w_before, 2 * w_before.sum()),
    "that is the one-sided (forward) difference (f(x + h e_i) - f(x)) / h; use the central "
    "difference (f(x + h e_i) - f(x - h e_i)) / (2h).": ((w_before + h_)**2 - w_before**2) / h_,
    "that is the one-sided (backward) difference (f(x) - f(x - h e_i)) / h; use the central "
    "difference (f(x + h e_i) - f(x - h e_i)) / (2h).": (w_before**2 - (w_before - h_)**2) / h_,
})
check(np.array_equal(w, w_before),
      "numeric_gradient changed its input: after the call w is\n" + str(w) + "\ninstead of\n" + str(w_before),
      restore_hint)
### BEGIN HIDDEN TESTS
A = rng.normal(size=(4, 4))
v = rng.normal(size=4)
check_array(numeric_gradient(lambda t: t @ A @ t, v.copy()), (A + A.T) @ v, "gradient of x^T A x",
            rtol=1e-6, atol=1e-8)
W = rng.normal(size=(3, 2, 2))
W_before = W.copy()
loss = lambda t: float(np.sum(np.tanh(t) * np.arange(t.size).reshape(t.shape)))
check_gradient(loss, W_before.copy(), numeric_gradient(loss, W), "numeric_gradient on a 3-d array", tol=1e-6)
check(np.array_equal(W, W_before), "numeric_gradient changed its 3-d input.", "restore every entry.")
### END HIDDEN TESTS
""")

nb.md(r"""
## 4. Automatically

AD gets exact derivatives without formulas and without choosing $h$. The `course` package contains
the engine you will build in notebooks 02-04; `course.grad(f)` returns a function computing the
gradient of `f`, and `f` can be written with plain numpy. Compare the three methods on
$f(x) = x^2\sin x$ at $x = 1.5$:
""")

nb.code(r"""
x0 = 1.5
exact = df_manual(x0)
auto = course.grad(f)(x0)
for label, value in [("manual", exact), ("numeric (forward)", forward_difference(f, x0)),
                     ("numeric (central)", central_difference(f, x0)), ("automatic", auto)]:
    print(f"{label:18s} {float(value):.16f}   error {abs(float(value) - exact):.1e}")
""", role="demo")

nb.md(r"""
AD agrees with the manual derivative to rounding (here to every digit: it evaluates the same
product rule), while finite differences lose digits: the forward difference keeps about 6 of the
16 significant digits here, the central difference about 10. How AD does it is the subject of the next
notebooks; the key ingredient is the chain rule.

## 5. The chain rule

For a composition $y = f(g(x))$, write $u = g(x)$. Then
$$\frac{dy}{dx} = \frac{dy}{du}\,\frac{du}{dx} = f'(g(x))\, g'(x).$$
A longer chain $y = f_3(f_2(f_1(x)))$ multiplies one local derivative per step:
$\frac{dy}{dx} = f_3'(u_2)\, f_2'(u_1)\, f_1'(x)$ with $u_1 = f_1(x)$, $u_2 = f_2(u_1)$.
Computing the product from right to left (starting at $x$) is **forward mode**; from left to right
(starting at $y$) is **reverse mode**. For a chain of scalars they cost the same; for many inputs
and one output (a loss) reverse mode wins, as we will see.

Worked example: $y = \sin(x^2)$, $u = x^2$: $\frac{dy}{dx} = \cos(u)\cdot 2x = 2x\cos(x^2)$.
""")

nb.code(r"""
x0 = 0.8
print("chain rule:", 2 * x0 * np.cos(x0**2), " central difference:", central_difference(lambda t: np.sin(t**2), x0))
""", role="demo")

nb.md(r"""
### Exercise 5 (2 points): a three-step chain

Let $h(x) = \exp\!\big(\sin(x)^2\big)$. Write it as a chain $u_1 = \sin x$, $u_2 = u_1^2$,
$y = e^{u_2}$, multiply the local derivatives, and implement `dh_dx(x)` (it must work on arrays).
The tests compare with the exact derivative to 12 digits, so a finite difference will not do.
""")

nb.code(r"""
def h(x):
    return np.exp(np.sin(x) ** 2)
""", role="both")

nb.solution("chain-rule", r"""
def dh_dx(x):
    ### BEGIN SOLUTION
    return np.exp(np.sin(x) ** 2) * 2 * np.sin(x) * np.cos(x)
    ### END SOLUTION
""")

nb.tests("chain-rule-tests", 2, r"""
x_test = np.array([0.3, 1.0, -2.0])
s, c = np.sin(x_test), np.cos(x_test)
check_array(dh_dx(x_test), np.exp(s**2) * 2 * s * c, "dh_dx([0.3, 1.0, -2.0])", mistakes={
    "you stopped one step early: multiply by the derivative of the innermost function, d/dx sin x = cos x.":
        np.exp(s**2) * 2 * s,
    "the derivative of u^2 is 2u: you forgot the factor 2 * sin(x).": np.exp(s**2) * c,
    "d/du e^u = e^u, evaluated at u = sin(x)^2, not at x.": np.exp(x_test) * 2 * s * c,
})
### BEGIN HIDDEN TESTS
x_hidden = rng.uniform(-3, 3, size=(3, 5))
check_gradient(lambda t: np.sum(h(t)), x_hidden, dh_dx(x_hidden), "dh_dx on random inputs")
s_h, c_h = np.sin(x_hidden), np.cos(x_hidden)
check_exact(dh_dx(x_hidden), np.exp(s_h**2) * 2 * s_h * c_h, "dh_dx on random inputs (to 12 digits)")
check_scalar(dh_dx(0.0), 0.0, "dh_dx(0.0)")
### END HIDDEN TESTS
""")

nb.md(r"""
## 6. The multivariate chain rule

When $y$ depends on $x$ through several intermediate variables, the contributions of all paths
**add up**. For $y = f(u_1, u_2)$ with $u_1 = u_1(t)$, $u_2 = u_2(t)$:
$$\frac{dy}{dt} = \frac{\partial f}{\partial u_1}\frac{du_1}{dt} + \frac{\partial f}{\partial u_2}\frac{du_2}{dt}
= \nabla f \cdot \frac{d\mathbf u}{dt}.$$
This sum over paths is what makes *fan-out* (a value used twice) work in AD: the gradients arriving
along each use must be accumulated, not overwritten.

Our running example for the next notebooks is
$$f(x_1, x_2) = \ln x_1 + x_1 x_2 - \sin x_2, \qquad f(2, 5) = \ln 2 + 10 - \sin 5 \approx 11.652 .$$
""")

nb.code(r"""
def f2(x):
    x1, x2 = x
    return np.log(x1) + x1 * x2 - np.sin(x2)


print(f"f(2, 5) = {f2(np.array([2.0, 5.0])):.3f}")
""", role="both")

nb.md(r"""
### Exercise 6 (3 points): gradient of the running example

Derive $\frac{\partial f}{\partial x_1}$ and $\frac{\partial f}{\partial x_2}$ by hand and implement
`grad_f2(x)` returning `np.array([df/dx1, df/dx2])` for `x = np.array([x1, x2])`.
(At $(2, 5)$ you should get $(5.5, 1.716)$: these numbers return in notebooks 02 and 03.)
""")

nb.solution("grad-f2", r"""
def grad_f2(x):
    x1, x2 = x
    ### BEGIN SOLUTION
    return np.array([1 / x1 + x2, x1 - np.cos(x2)])
    ### END SOLUTION
""")

nb.tests("grad-f2-tests", 3, r"""
x_test = np.array([2.0, 5.0])
expected = np.array([1 / 2 + 5, 2 - np.cos(5.0)])
check_array(grad_f2(x_test), expected, "grad_f2([2, 5])", mistakes={
    "d/dx2 of -sin(x2) is -cos(x2): check the sign of the cosine term.": np.array([5.5, 2 + np.cos(5.0)]),
    "d/dx1 of ln(x1) is 1/x1, and x1*x2 contributes x2.": np.array([5.0, 2 - np.cos(5.0)]),
    "the order is [df/dx1, df/dx2].": expected[::-1],
})
print("grad f(2, 5) =", grad_f2(x_test))
### BEGIN HIDDEN TESTS
for _ in range(3):
    x_hidden = rng.uniform(0.5, 4.0, size=2)
    check_gradient(f2, x_hidden, grad_f2(x_hidden), f"grad_f2({x_hidden})")
    check_exact(grad_f2(x_hidden), [1 / x_hidden[0] + x_hidden[1], x_hidden[0] - np.cos(x_hidden[1])],
                f"grad_f2({x_hidden}) to 12 digits")
### END HIDDEN TESTS
""")

nb.md(r"""
### Exercise 7 (2 points): along a path

Move along the curve $x_1(t) = 1 + t^2$, $x_2(t) = 3\cos t$. Use the multivariate chain rule and
your `grad_f2` to implement `df2_dt(t)` $= \frac{d}{dt} f(x_1(t), x_2(t))$ for a float `t`.
""")

nb.code(r"""
def path(t):
    return np.array([1 + t**2, 3 * np.cos(t)])
""", role="both")

nb.solution("path-derivative", r"""
def df2_dt(t):
    ### BEGIN SOLUTION
    dx_dt = np.array([2 * t, -3 * np.sin(t)])
    return float(grad_f2(path(t)) @ dx_dt)
    ### END SOLUTION
""")

nb.tests("path-derivative-tests", 2, r"""
t0 = 0.7
g0 = np.array([1 / (1 + t0**2) + 3 * np.cos(t0), 1 + t0**2 - np.cos(3 * np.cos(t0))])
v0 = np.array([2 * t0, -3 * np.sin(t0)])
check_scalar(df2_dt(t0), g0 @ v0, "df2_dt(0.7)", mistakes={
    "the paths add up: sum df/dx_i * dx_i/dt over both i (a dot product), do not multiply them.":
        g0[0] * v0[0] * g0[1] * v0[1],
    "d/dt 3 cos t = -3 sin t: check the sign.": g0 @ (v0 * [1, -1]),
    "you used only the first path (through x1); add the path through x2.": g0[0] * v0[0],
    "you evaluated the gradient at (t, t): evaluate it at the point on the curve, grad_f2(path(t)).":
        np.array([1 / t0 + t0, t0 - np.cos(t0)]) @ v0,
})
### BEGIN HIDDEN TESTS
for t_hidden in [-1.3, 0.0, 2.1]:
    reference = (f2(path(t_hidden + 1e-6)) - f2(path(t_hidden - 1e-6))) / 2e-6
    check_scalar(df2_dt(t_hidden), reference,
                 f"df2_dt({t_hidden})", rtol=1e-6, atol=1e-8)
    x1_h, x2_h = path(t_hidden)
    exact = (1 / x1_h + x2_h) * 2 * t_hidden + (x1_h - np.cos(x2_h)) * (-3 * np.sin(t_hidden))
    check_exact(df2_dt(t_hidden), exact, f"df2_dt({t_hidden}) to 12 digits")
### END HIDDEN TESTS
""")

nb.md(r"""
## Summary

| method | exact? | cost for $\nabla f$, $f:\mathbb R^n\to\mathbb R$ | problem |
|---|---|---|---|
| manual | yes | cheap | human effort and bugs |
| symbolic | yes | expression swell | needs a closed formula |
| numeric | no, 5-10 digits | $2n$ evaluations of $f$ | round-off vs truncation |
| automatic | yes (to rounding) | a few times $f$ (reverse mode) | needs an engine: next notebooks |

Next: **02 · forward mode**, the evaluation trace and dual numbers.
""")

if __name__ == "__main__":
    print(nb.write(), nb.total_points, "points")
