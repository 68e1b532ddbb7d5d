"""Wrong answers for notebooks/01-derivatives.ipynb (format: tests/mutants/README.md)."""
from catalogue import Wrong

NOTEBOOK = "01-derivatives"

WRONG = [
    # --- converted from tests/bugzoo/nb01.py -------------------------------------------------
    Wrong("forward-difference-instead-of-central", cell="central-difference",
          mistake="forward difference (f(x+h) - f(x)) / h instead of the central difference",
          hint="you computed the forward difference",
          answer='''
def central_difference(f, x, h=1e-5):
    # Approximate f'(x) by (f(x + h) - f(x - h)) / (2 h).
    return (f(x + h) - f(x)) / h
'''),
    Wrong("central-difference-divided-by-h", cell="central-difference",
          mistake="central difference divided by h instead of 2h",
          hint="divide by (2 * h), not h",
          answer='''
def central_difference(f, x, h=1e-5):
    # Approximate f'(x) by (f(x + h) - f(x - h)) / (2 h).
    return (f(x + h) - f(x - h)) / h
'''),
    Wrong("numeric-gradient-does-not-restore-x", cell="numeric-gradient",
          mistake="numeric gradient leaves x[i] at old - h (modifies the caller's array)",
          hint="restore x[i]",
          answer='''
def numeric_gradient(f, x, h=1e-5):
    # Central-difference gradient of the scalar function f at the float array x (same shape as x).
    grad = np.zeros_like(x, dtype=float)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad
'''),
    Wrong("chain-rule-inner-derivative-missing", cell="chain-rule",
          mistake="chain rule stopped one step early (no factor cos x)",
          hint="derivative of the innermost function",
          answer='''
def dh_dx(x):
    return np.exp(np.sin(x) ** 2) * 2 * np.sin(x)
'''),
    Wrong("wrong-sign-of-cos", cell="grad-f2",
          mistake="d/dx2 of -sin(x2) taken as +cos(x2)",
          hint="check the sign of the cosine term",
          answer='''
def grad_f2(x):
    x1, x2 = x
    return np.array([1 / x1 + x2, x1 + np.cos(x2)])
'''),
    # --- new ------------------------------------------------------------------------------------
    Wrong("central-difference-unanswered", cell="central-difference",
          mistake="central_difference left unanswered (the release stub); difference_errors needs it",
          hint="not answered yet",
          answer='''
def central_difference(f, x, h=1e-5):
    # Approximate f'(x) by (f(x + h) - f(x - h)) / (2 h).
    # YOUR CODE HERE
    raise NotImplementedError()
'''),
    Wrong("central-difference-swapped-evaluations", cell="central-difference",
          mistake="(f(x - h) - f(x + h)) / (2h): the two evaluations swapped, derivative of the wrong sign",
          hint="swapped",
          answer='''
def central_difference(f, x, h=1e-5):
    # Approximate f'(x) by (f(x + h) - f(x - h)) / (2 h).
    return (f(x - h) - f(x + h)) / (2 * h)
'''),
    Wrong("difference-errors-returned-in-wrong-order", cell="difference-errors",
          mistake="returns (central, forward) instead of (forward, central)",
          hint="order",
          answer='''
def difference_errors(f, dfdx, x, hs):
    # Returns (forward_errors, central_errors), two arrays with one entry per h in hs.
    exact = dfdx(x)
    forward = np.array([abs(forward_difference(f, x, h) - exact) for h in hs])
    central = np.array([abs(central_difference(f, x, h) - exact) for h in hs])
    return central, forward
'''),
    Wrong("difference-errors-signed", cell="difference-errors",
          mistake="signed errors (no abs): negative where the difference underestimates",
          hint="absolute",
          answer='''
def difference_errors(f, dfdx, x, hs):
    # Returns (forward_errors, central_errors), two arrays with one entry per h in hs.
    exact = dfdx(x)
    forward = np.array([forward_difference(f, x, h) - exact for h in hs])
    central = np.array([central_difference(f, x, h) - exact for h in hs])
    return forward, central
'''),
    Wrong("optimal-step-forward-difference-formula", cell="optimal-step",
          mistake="square root (the forward difference's optimal step) instead of a cube root",
          hint="cube root",
          answer='''
def optimal_central_step(eps, F, M):
    # The h > 0 minimising h**2 / 6 * M + eps * F / h.
    return np.sqrt(3 * eps * F / M)
'''),
    Wrong("optimal-step-rounded-exponent", cell="optimal-step",
          mistake="exponent 0.333 instead of 1 / 3 (a slightly wrong scalar)",
          hint="1 / 3",
          answer='''
def optimal_central_step(eps, F, M):
    # The h > 0 minimising h**2 / 6 * M + eps * F / h.
    return (3 * eps * F / M) ** 0.333
'''),
    Wrong("numeric-gradient-perturbs-all-entries", cell="numeric-gradient",
          mistake="shifts the whole array by h instead of one entry at a time (a directional derivative)",
          hint="one entry",
          answer='''
def numeric_gradient(f, x, h=1e-5):
    # Central-difference gradient of the scalar function f at the float array x (same shape as x).
    grad = np.zeros_like(x, dtype=float)
    for i in np.ndindex(x.shape):
        grad[i] = (f(x + h) - f(x - h)) / (2 * h)
    return grad
'''),
    Wrong("numeric-gradient-forward-difference", cell="numeric-gradient",
          mistake="one-sided (forward) difference per entry instead of the central difference",
          hint="central difference",
          answer='''
def numeric_gradient(f, x, h=1e-5):
    # Central-difference gradient of the scalar function f at the float array x (same shape as x).
    grad = np.zeros_like(x, dtype=float)
    f0 = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old
        grad[i] = (f_plus - f0) / h
    return grad
'''),
    Wrong("chain-rule-rounded-e", cell="chain-rule",
          mistake="2.71828 ** u instead of np.exp(u): right to only about 6 digits",
          hint="rounded",
          answer='''
def dh_dx(x):
    return 2.71828 ** (np.sin(x) ** 2) * 2 * np.sin(x) * np.cos(x)
'''),
    Wrong("grad-f2-entries-swapped", cell="grad-f2",
          mistake="returns [df/dx2, df/dx1]: the two partial derivatives in the wrong order",
          hint="order",
          answer='''
def grad_f2(x):
    x1, x2 = x
    return np.array([x1 - np.cos(x2), 1 / x1 + x2])
'''),
    Wrong("grad-f2-unanswered", cell="grad-f2",
          mistake="grad_f2 left unanswered (the release stub); df2_dt uses it",
          hint="not answered yet",
          answer='''
def grad_f2(x):
    x1, x2 = x
    # YOUR CODE HERE
    raise NotImplementedError()
'''),
    Wrong("path-derivative-not-summed", cell="path-derivative",
          mistake="elementwise product of gradient and velocity, not summed (returns an array)",
          hint="dot product",
          answer='''
def df2_dt(t):
    dx_dt = np.array([2 * t, -3 * np.sin(t)])
    return grad_f2(path(t)) * dx_dt
'''),
    Wrong("path-derivative-sign-of-sin", cell="path-derivative",
          mistake="d/dt 3 cos t taken as +3 sin t",
          hint="sign",
          answer='''
def df2_dt(t):
    dx_dt = np.array([2 * t, 3 * np.sin(t)])
    return float(grad_f2(path(t)) @ dx_dt)
'''),
    Wrong("path-derivative-at-t", cell="path-derivative",
          mistake="evaluates the gradient at (t, t) instead of at the point path(t)",
          hint="path(t)",
          answer='''
def df2_dt(t):
    dx_dt = np.array([2 * t, -3 * np.sin(t)])
    return float(grad_f2(np.array([t, t])) @ dx_dt)
'''),
]
