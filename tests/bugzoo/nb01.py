"""Bug zoo entries for notebooks/01-derivatives.ipynb (format: README.md)."""

from zoo import Bug

NOTEBOOK = "01-derivatives"

BUGS = [
    Bug("forward-difference-instead-of-central", cell="central-difference",
        find="return (f(x + h) - f(x - h)) / (2 * h)",
        replace="return (f(x + h) - f(x)) / h",
        hint="you computed the forward difference"),
    Bug("central-difference-divided-by-h", cell="central-difference",
        find="return (f(x + h) - f(x - h)) / (2 * h)",
        replace="return (f(x + h) - f(x - h)) / h",
        hint="divide by (2 * h), not h"),
    Bug("numeric-gradient-does-not-restore-x", cell="numeric-gradient",
        find="        x[i] = old\n",
        replace="",
        hint="restore x[i]"),
    Bug("chain-rule-inner-derivative-missing", cell="chain-rule",
        find=" * np.cos(x)",
        replace="",
        hint="derivative of the innermost function"),
    Bug("wrong-sign-of-cos", cell="grad-f2",
        find="x1 - np.cos(x2)",
        replace="x1 + np.cos(x2)",
        hint="check the sign of the cosine term"),
]
