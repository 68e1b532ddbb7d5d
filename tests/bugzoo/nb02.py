"""Bug zoo entries for notebooks/02-forward-mode.ipynb (format: README.md)."""

from zoo import Bug

NOTEBOOK = "02-forward-mode"

BUGS = [
    Bug("dual-product-rule-multiplies-tangents", cell="dual-arithmetic",
        find="self.tangent * other.value + self.value * other.tangent",
        replace="self.tangent * other.tangent",
        hint="you multiplied the tangents"),
    Bug("dual-quotient-rule-sign", cell="dual-arithmetic",
        find="(self.tangent * other.value - self.value * other.tangent)",
        replace="(self.value * other.tangent - self.tangent * other.value)",
        hint="check the order of the subtraction"),
    Bug("dual-rsub-operands-swapped", cell="dual-arithmetic",
        find="return Dual._lift(other) - self",
        replace="return self - Dual._lift(other)",
        hint="__rsub__ computes other - self"),
    Bug("dual-cos-derivative-sign", cell="dual-functions",
        find="-np.sin(x.value) * x.tangent",
        replace="np.sin(x.value) * x.tangent",
        hint="d/dx cos x = -sin x"),
    Bug("jvp-seeds-ones-instead-of-v", cell="jvp",
        find="Dual(float(xi), float(vi))",
        replace="Dual(float(xi), 1.0)",
        hint="seed the inputs with the tangents v"),
]
