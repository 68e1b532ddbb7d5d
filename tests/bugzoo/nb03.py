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

# A recursive depth-first search: right on small graphs, RecursionError on deep ones.
BUGS.append(Bug(
    "recursive-topological-sort", cell="topological-order",
    find="""    order, visited = [], set()
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
    return order""",
    replace="""    order, visited = [], set()

    def visit(node):
        if id(node) not in visited:
            visited.add(id(node))
            for parent in node.parents:
                visit(parent)
            order.append(node)

    visit(root)
    return order""",
    hint="recursion fails on deep graphs"))
