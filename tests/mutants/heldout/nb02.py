"""Held-out wrong answers for notebooks/02-forward-mode.ipynb (format: tests/mutants/README.md)."""
from catalogue import Wrong

NOTEBOOK = "02-forward-mode"


def _one(text: str, old: str, new: str) -> str:
    """``text`` with the single occurrence of ``old`` replaced (a long answer cell, one mistake)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


# The Dual cell as the student completes it correctly; the entries below change one line each.
_DUAL = '''
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
        return Dual(self.value + other.value, self.tangent + other.tangent)

    def __radd__(self, other):
        return Dual._lift(other) + self

    def __neg__(self):
        return Dual(-self.value, -self.tangent)

    def __sub__(self, other):
        other = Dual._lift(other)
        return Dual(self.value - other.value, self.tangent - other.tangent)

    def __rsub__(self, other):
        return Dual._lift(other) - self

    def __mul__(self, other):
        other = Dual._lift(other)
        return Dual(self.value * other.value,
                    self.tangent * other.value + self.value * other.tangent)

    def __rmul__(self, other):
        return Dual._lift(other) * self

    def __truediv__(self, other):
        other = Dual._lift(other)
        return Dual(self.value / other.value,
                    (self.tangent * other.value - self.value * other.tangent) / other.value**2)

    def __rtruediv__(self, other):
        return Dual._lift(other) / self
'''

_FUNCTIONS = '''
def sin(x):
    if isinstance(x, Dual):
        return Dual(np.sin(x.value), np.cos(x.value) * x.tangent)
    return np.sin(x)


def cos(x):
    if isinstance(x, Dual):
        return Dual(np.cos(x.value), -np.sin(x.value) * x.tangent)
    return np.cos(x)


def exp(x):
    if isinstance(x, Dual):
        return Dual(np.exp(x.value), np.exp(x.value) * x.tangent)
    return np.exp(x)


def log(x):
    if isinstance(x, Dual):
        return Dual(np.log(x.value), x.tangent / x.value)
    return np.log(x)
'''

_JVP = '''
def jvp(f, x, v):
    out = f([Dual(float(xi), float(vi)) for xi, vi in zip(x, v)])
    if not isinstance(out, (list, tuple)):
        out = [out]
    values = np.array([o.value if isinstance(o, Dual) else o for o in out], dtype=float)
    tangents = np.array([o.tangent if isinstance(o, Dual) else 0.0 for o in out], dtype=float)
    return values, tangents
'''

WRONG = [
    Wrong("ho-primal-trace-sin-of-x1", cell="primal-trace",
          mistake="v4 = sin(v_m1): sine of the wrong input (x1 instead of x2)",
          hint="v_0",
          answer='''
def primal_trace(x1, x2):
    v_m1 = x1
    v0 = x2
    v1 = math.log(v_m1)
    v2 = v_m1 * v0
    v3 = v1 + v2
    v4 = math.sin(v_m1)
    v5 = v3 - v4
    return [v_m1, v0, v1, v2, v3, v4, v5]
'''),
    Wrong("ho-dual-neg-keeps-tangent", cell="dual-arithmetic",
          mistake="__neg__ negates the value but not the tangent",
          hint="negat",
          answer=_one(_DUAL, "return Dual(-self.value, -self.tangent)", "return Dual(-self.value, self.tangent)")),
    Wrong("ho-dual-exp-forgets-tangent", cell="dual-functions",
          mistake="exp's tangent is exp(a) instead of exp(a) * a' (chain rule: incoming tangent dropped)",
          hint="incoming tangent",
          answer=_one(_FUNCTIONS, "np.exp(x.value) * x.tangent)", "np.exp(x.value))")),
    Wrong("ho-derivative-returns-value", cell="derivative",
          mistake="returns out.value (f(x)) instead of out.tangent",
          hint="value instead of",
          answer='''
def derivative(f, x):
    out = f(Dual(x, 1.0))
    return out.value if isinstance(out, Dual) else 0.0
'''),
    Wrong("ho-jvp-dual-arguments-swapped", cell="jvp",
          mistake="Dual(v_i, x_i): point and direction swapped when building the dual inputs",
          hint="swapped",
          answer=_one(_JVP, "Dual(float(xi), float(vi))", "Dual(float(vi), float(xi))")),
]
