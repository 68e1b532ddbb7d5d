"""Bug zoo entries for notebooks/03-reverse-mode.ipynb (format: README.md)."""

from zoo import Bug

NOTEBOOK = "03-reverse-mode"

BUGS = [
    Bug("fan-out-overwritten-instead-of-accumulated", cell="backward",
        find="parent.grad += local * node.grad",
        replace="parent.grad = local * node.grad",
        hint="accumulate with parent.grad +="),
    Bug("topological-order-reversed-in-backward", cell="backward",
        find="for node in reversed(order):",
        replace="for node in order:",
        hint="iterate over reversed(order)"),
    Bug("output-gradient-not-seeded", cell="backward",
        find="    root.grad = 1.0\n",
        replace="",
        hint="seed the output gradient"),
    Bug("mul-local-gradients-swapped", cell="value-ops",
        find="(other.data, self.data), \"*\"",
        replace="(self.data, other.data), \"*\"",
        hint="the OTHER factor"),
    Bug("topological-order-returns-root-first", cell="topological-order",
        find="    return order\n",
        replace="    return order[::-1]\n",
        hint="inputs first, root last"),
    Bug("adjoint-fan-out-missing", cell="adjoint-trace",
        find="vbar0 = vbar2 * v_m1 + vbar4 * math.cos(v0)",
        replace="vbar0 = vbar2 * v_m1",
        hint="add both contributions"),
]
