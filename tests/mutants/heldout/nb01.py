"""Held-out wrong answers for notebooks/01-derivatives.ipynb (format: tests/mutants/README.md)."""
from catalogue import Wrong

NOTEBOOK = "01-derivatives"

WRONG = [
    Wrong("ho-central-difference-precedence", cell="central-difference",
          mistake="(f(x+h) - f(x-h)) / 2 * h: divides by 2 and multiplies by h (missing parentheses)",
          hint="parenthes",
          answer='''
def central_difference(f, x, h=1e-5):
    # Approximate f'(x) by (f(x + h) - f(x - h)) / (2 h).
    return (f(x + h) - f(x - h)) / 2 * h
'''),
    Wrong("ho-difference-errors-central-twice", cell="difference-errors",
          mistake="copy-paste: the 'forward' errors are computed with central_difference too",
          hint="forward difference",
          answer='''
def difference_errors(f, dfdx, x, hs):
    # Returns (forward_errors, central_errors), two arrays with one entry per h in hs.
    exact = dfdx(x)
    forward = np.array([abs(central_difference(f, x, h) - exact) for h in hs])
    central = np.array([abs(central_difference(f, x, h) - exact) for h in hs])
    return forward, central
'''),
    Wrong("ho-optimal-step-power-precedence", cell="optimal-step",
          mistake="(3 eps F / M) ** 1 / 3: the power binds first, so this is (3 eps F / M) / 3 (no cube root)",
          hint="parenthes",
          answer='''
def optimal_central_step(eps, F, M):
    # The h > 0 minimising h**2 / 6 * M + eps * F / h.
    return (3 * eps * F / M) ** 1 / 3
'''),
    Wrong("ho-numeric-gradient-loops-over-rows", cell="numeric-gradient",
          mistake="for i in range(len(x)): on a 2-d array x[i] is a whole row (a view), not one entry",
          hint="ndindex",
          answer='''
def numeric_gradient(f, x, h=1e-5):
    # Central-difference gradient of the scalar function f at the float array x (same shape as x).
    grad = np.zeros_like(x, dtype=float)
    for i in range(len(x)):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
'''),
    Wrong("ho-path-derivative-missing-factor-3", cell="path-derivative",
          mistake="d/dt 3 cos t written -sin t: the factor 3 is lost",
          hint="factor 3",
          answer='''
def df2_dt(t):
    dx_dt = np.array([2 * t, -np.sin(t)])
    return float(grad_f2(path(t)) @ dx_dt)
'''),
]
