"""Wrong answers for notebooks/02-forward-mode.ipynb (format: tests/mutants/README.md)."""
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
    # --- converted from tests/bugzoo/nb02.py -------------------------------------------------
    Wrong("dual-product-rule-multiplies-tangents", cell="dual-arithmetic",
          mistake="product rule: tangent a' * b' instead of a'b + ab'",
          hint="you multiplied the tangents",
          answer=_one(_DUAL, "self.tangent * other.value + self.value * other.tangent",
                      "self.tangent * other.tangent")),
    Wrong("dual-quotient-rule-sign", cell="dual-arithmetic",
          mistake="quotient rule with the subtraction reversed: (ab' - a'b) / b**2",
          hint="check the order of the subtraction",
          answer=_one(_DUAL, "(self.tangent * other.value - self.value * other.tangent)",
                      "(self.value * other.tangent - self.tangent * other.value)")),
    Wrong("dual-rsub-operands-swapped", cell="dual-arithmetic",
          mistake="__rsub__ computes self - other instead of other - self",
          hint="__rsub__ computes other - self",
          answer=_one(_DUAL, "return Dual._lift(other) - self", "return self - Dual._lift(other)")),
    Wrong("dual-cos-derivative-sign", cell="dual-functions",
          mistake="d/dx cos x taken as +sin x",
          hint="d/dx cos x = -sin x",
          answer=_one(_FUNCTIONS, "-np.sin(x.value) * x.tangent", "np.sin(x.value) * x.tangent")),
    Wrong("jvp-seeds-ones-instead-of-v", cell="jvp",
          mistake="jvp seeds every input with tangent 1 instead of v_i",
          hint="seed the inputs with the tangents v",
          answer=_one(_JVP, "Dual(float(xi), float(vi))", "Dual(float(xi), 1.0)")),
    # --- new ------------------------------------------------------------------------------------
    Wrong("primal-trace-sign-of-sin", cell="primal-trace",
          mistake="v5 = v3 + v4: adds sin(x2) instead of subtracting it",
          hint="sign",
          answer='''
def primal_trace(x1, x2):
    v_m1 = x1
    v0 = x2
    v1 = math.log(v_m1)
    v2 = v_m1 * v0
    v3 = v1 + v2
    v4 = math.sin(v0)
    v5 = v3 + v4
    return [v_m1, v0, v1, v2, v3, v4, v5]
'''),
    Wrong("tangent-trace-product-rule-one-term", cell="tangent-trace",
          mistake="tangent of v2 = v_m1 * v0 keeps only dv_m1 * v0 (half the product rule)",
          hint="product rule",
          answer='''
def tangent_trace(x1, x2, dx1, dx2):
    v_m1, v0 = x1, x2
    dv_m1, dv0 = dx1, dx2
    dv1 = dv_m1 / v_m1
    dv2 = dv_m1 * v0
    dv3 = dv1 + dv2
    dv4 = dv0 * math.cos(v0)
    dv5 = dv3 - dv4
    return [dv_m1, dv0, dv1, dv2, dv3, dv4, dv5]
'''),
    Wrong("tangent-trace-log-without-tangent", cell="tangent-trace",
          mistake="tangent of ln v is written 1 / v, without multiplying by the incoming tangent dv",
          hint="chain rule",
          answer='''
def tangent_trace(x1, x2, dx1, dx2):
    v_m1, v0 = x1, x2
    dv_m1, dv0 = dx1, dx2
    dv1 = 1 / v_m1
    dv2 = dv_m1 * v0 + v_m1 * dv0
    dv3 = dv1 + dv2
    dv4 = dv0 * math.cos(v0)
    dv5 = dv3 - dv4
    return [dv_m1, dv0, dv1, dv2, dv3, dv4, dv5]
'''),
    Wrong("dual-add-in-place", cell="dual-arithmetic",
          mistake="__add__ updates self in place and returns it (a + b changes a)",
          hint="new Dual",
          answer=_one(_DUAL, "        return Dual(self.value + other.value, self.tangent + other.tangent)",
                      "        self.value += other.value\n"
                      "        self.tangent += other.tangent\n"
                      "        return self")),
    Wrong("dual-rtruediv-operands-swapped", cell="dual-arithmetic",
          mistake="__rtruediv__ computes self / other instead of other / self",
          hint="other / self",
          answer=_one(_DUAL, "return Dual._lift(other) / self", "return self / Dual._lift(other)")),
    Wrong("dual-quotient-divided-by-b", cell="dual-arithmetic",
          mistake="quotient rule divided by b instead of b**2",
          hint="b**2",
          answer=_one(_DUAL, "/ other.value**2)", "/ other.value)")),
    Wrong("dual-sin-forgets-tangent", cell="dual-functions",
          mistake="sin's tangent is cos(a) instead of cos(a) * a' (chain rule)",
          hint="incoming tangent",
          answer=_one(_FUNCTIONS, "np.cos(x.value) * x.tangent)", "np.cos(x.value))")),
    Wrong("dual-log-multiplies-by-value", cell="dual-functions",
          mistake="log's tangent a' * a instead of a' / a",
          hint="1/x",
          answer=_one(_FUNCTIONS, "x.tangent / x.value)", "x.tangent * x.value)")),
    Wrong("derivative-of-constant-function", cell="derivative",
          mistake="reads .tangent of f's result, which is a plain float when f is constant",
          hint="constant",
          answer='''
def derivative(f, x):
    return f(Dual(x, 1.0)).tangent
'''),
    Wrong("derivative-seeded-with-zero", cell="derivative",
          mistake="seeds the input with tangent 0 (Dual(x) with the default tangent)",
          hint="seed",
          answer='''
def derivative(f, x):
    out = f(Dual(x))
    return out.tangent if isinstance(out, Dual) else 0.0
'''),
    Wrong("derivative-by-finite-difference", cell="derivative",
          mistake="a central difference on plain floats instead of forward mode with a dual number",
          hint="finite difference",
          answer='''
def derivative(f, x):
    h = 1e-6
    return (f(x + h) - f(x - h)) / (2 * h)
'''),
    Wrong("jvp-constant-output", cell="jvp",
          mistake="reads .tangent of every output, but a constant output is a plain float",
          hint="constant",
          answer=_one(_JVP, "np.array([o.tangent if isinstance(o, Dual) else 0.0 for o in out], dtype=float)",
                      "np.array([o.tangent for o in out], dtype=float)")),
    Wrong("jvp-returns-tangents-first", cell="jvp",
          mistake="returns (J v, f(x)) instead of (f(x), J v)",
          hint="order",
          answer=_one(_JVP, "return values, tangents", "return tangents, values")),
    Wrong("jvp-scalar-output-not-wrapped", cell="jvp",
          mistake="iterates over f's result, which is a single Dual for a scalar function",
          hint="scalar output",
          answer=_one(_JVP, "    if not isinstance(out, (list, tuple)):\n        out = [out]\n", "")),
    Wrong("jvp-unanswered", cell="jvp",
          mistake="jvp left unanswered (the release stub); jacobian_forward uses it",
          hint="not answered yet",
          answer='''
def jvp(f, x, v):
    # YOUR CODE HERE
    raise NotImplementedError()
'''),
    Wrong("jacobian-forward-stacks-rows", cell="jacobian-forward",
          mistake="stacks the J e_j as rows (axis=0): the transposed Jacobian",
          hint="transpose",
          answer='''
def jacobian_forward(f, x):
    n = len(x)
    columns = [jvp(f, x, np.eye(n)[j])[1] for j in range(n)]
    return np.stack(columns, axis=0)
'''),
    Wrong("jacobian-forward-by-finite-differences", cell="jacobian-forward",
          mistake="finite differences on plain floats instead of one jvp per input",
          hint="finite difference",
          answer='''
def jacobian_forward(f, x):
    n = len(x)
    h = 1e-6
    columns = []
    for j in range(n):
        plus = [xi + h * (i == j) for i, xi in enumerate(x)]
        minus = [xi - h * (i == j) for i, xi in enumerate(x)]
        columns.append((np.array(f(plus), dtype=float) - np.array(f(minus), dtype=float)) / (2 * h))
    return np.stack(columns, axis=1)
'''),
    Wrong("primal-trace-lecture-numbering", cell="primal-trace",
          mistake="v_3 and v_4 in the lecture's order (v_3 = sin v_0, v_4 = v_1 + v_2)",
          hint="lecture's numbering",
          answer='''
def primal_trace(x1, x2):
    v_m1 = x1
    v0 = x2
    v1 = math.log(v_m1)
    v2 = v_m1 * v0
    v3 = math.sin(v0)
    v4 = v1 + v2
    v5 = v4 - v3
    return [v_m1, v0, v1, v2, v3, v4, v5]
'''),
    Wrong("tangent-trace-lecture-numbering", cell="tangent-trace",
          mistake="dv_3 and dv_4 in the lecture's order (v_3 = sin v_0, v_4 = v_1 + v_2)",
          hint="lecture's numbering",
          answer='''
def tangent_trace(x1, x2, dx1, dx2):
    v_m1, v0 = x1, x2
    dv_m1, dv0 = dx1, dx2
    dv1 = dv_m1 / v_m1
    dv2 = dv_m1 * v0 + v_m1 * dv0
    dv3 = dv0 * math.cos(v0)
    dv4 = dv1 + dv2
    dv5 = dv4 - dv3
    return [dv_m1, dv0, dv1, dv2, dv3, dv4, dv5]
'''),
]
