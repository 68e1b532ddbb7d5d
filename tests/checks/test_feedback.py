"""course.feedback: explanations of errors raised in student code, and checked calls.

Errors are raised by real code compiled under a notebook cell's file name (as IPython names
cells), and the IPython integration runs in a real ``InteractiveShell``.
"""

from __future__ import annotations

import linecache

import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell

from course import feedback
from course.feedback import InputChanged, checked_call, explain, fingerprint

CELL = "/tmp/ipykernel_1234/123456.py"  # how ipykernel names a cell's code


@pytest.fixture(autouse=True)
def state():
    saved = (feedback.STATE.answers, feedback.STATE.exercise, feedback.STATE.in_test)
    feedback.STATE.answers = {"forward": 2, "grad_f2": 6, "hessian": 7, "Dual": 3}
    feedback.STATE.exercise = None
    feedback.STATE.in_test = False
    yield feedback.STATE
    feedback.STATE.answers, feedback.STATE.exercise, feedback.STATE.in_test = saved


def error_of(cell_source: str, call: str, filename: str = CELL) -> BaseException:
    """The exception ``call`` raises after running ``cell_source`` as a notebook cell."""
    ns: dict = {"np": np, "__name__": "__main__"}
    # IPython keeps each cell's source in linecache; so does this stand-in for a cell
    linecache.cache[filename] = (len(cell_source), None, cell_source.splitlines(True), filename)
    exec(compile(cell_source, filename, "exec"), ns)
    with pytest.raises(BaseException) as info:
        exec(compile(call, "<test>", "exec"), ns)
    return info.value


def hint(lines: list[str]) -> str:
    return "\n".join(line for line in lines if line.startswith("Hint:"))


def test_where_names_the_function_its_exercise_and_line():
    exc = error_of("def forward(W, X):\n    Y = X @ W\n    return Y @ W\n",
                   "forward(np.ones((2, 3)), np.ones((4, 2)))")
    lines = explain(exc)
    assert lines[0] == "Your function `forward` (Exercise 2) raised ValueError at line 3 of its cell."


def test_missing_transpose_in_a_matrix_product():
    exc = error_of("def forward(W, X):\n    return X @ W\n", "forward(np.ones((3, 2)), np.ones((4, 2)))")
    lines = explain(exc)
    assert "The product `X @ W`: X has shape (4, 2) and W has shape (3, 2)." in lines
    assert hint(lines) == "Hint: `X @ W.T` fits: W needs a transpose."
    exc = error_of("def forward(W, X):\n    return np.dot(X, W)\n",
                   "forward(np.ones((3, 2)), np.ones((4, 2)))")
    assert hint(explain(exc)) == "Hint: `X @ W.T` fits: W needs a transpose."
    exc = error_of("def forward(p, X):\n    h = X @ p['W1'].T\n    return h\n",
                   "forward({'W1': np.ones((3, 2))}, np.ones((4, 3)))")
    assert "`X @ p['W1'].T` fits" not in hint(explain(exc))
    assert "`p['W1'].T.T" not in hint(explain(exc))


def test_matrix_product_hints_only_what_fits():
    # the wrong operand: no transpose and no swap fits (X is the input, not the hidden layer)
    exc = error_of("def forward(X, W2):\n    return X @ W2\n", "forward(np.ones((9, 3)), np.ones((7, 2)))")
    assert "one of them is not the array this product needs" in hint(explain(exc))
    # swapped operands
    exc = error_of("def forward(W, X):\n    return W @ X\n", "forward(np.ones((3, 5)), np.ones((4, 3)))")
    assert hint(explain(exc)) == "Hint: `X @ W` fits: the operands are in the wrong order."
    # two different fixes fit (square shapes): no hint, only the shapes
    exc = error_of("def forward(A, B):\n    return A @ B\n", "forward(np.ones((2, 3)), np.ones((2, 3)))")
    lines = explain(exc)
    assert hint(lines) == "" and "A has shape (2, 3) and B has shape (2, 3)" in lines[1]
    # an operand that is not a plain name: nothing is claimed
    exc = error_of("def forward(A, B):\n    return A @ (B + 1)\n", "forward(np.ones((9, 3)), np.ones((7, 2)))")
    assert hint(explain(exc)) == ""
    # np.dot names both shapes itself
    exc = error_of("def forward(A, B):\n    f = np.dot\n    return f(A, B)\n",
                   "forward(np.ones((4, 3)), np.ones((4, 5)))")
    assert hint(explain(exc)) == "Hint: `A.T @ B` fits: A needs a transpose."


def test_a_reduction_given_two_arrays():
    exc = error_of("def forward(x):\n    return np.max(0, x)\n", "forward(np.ones((2, 2)))")
    assert "np.maximum(a, b)" in hint(explain(exc))
    exc = error_of("def forward(x):\n    return np.max(x, 0.5)\n", "forward(np.ones((2, 2)))")
    assert "the second argument of `np.max` is the axis" in hint(explain(exc))


def test_broadcast_hint_only_for_transposed_shapes():
    exc = error_of("def forward(a, b):\n    return a + b\n", "forward(np.ones((2, 3)), np.ones((3, 2)))")
    assert "transposes of each other" in hint(explain(exc))
    exc = error_of("def forward(a, b):\n    return a + b\n", "forward(np.ones((2, 3)), np.ones((4, 5)))")
    assert hint(explain(exc)) == ""  # no evidence of a transpose: no hint
    assert explain(exc)[0].startswith("Your function `forward`")


def test_not_answered_yet_names_the_exercise_it_depends_on(state):
    stub = "def grad_f2(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
    state.exercise = 7
    lines = explain(error_of(stub, "grad_f2(1.0)"))
    assert lines == ["Hint: Exercise 7 uses `grad_f2` (Exercise 6), which is not answered yet: "
                     "finish Exercise 6 first (replace `raise NotImplementedError()` with your "
                     "code)."]
    state.exercise = 6
    assert "`grad_f2` (Exercise 6) is not answered yet" in hint(explain(error_of(stub, "grad_f2(1.0)")))


def test_name_error_of_an_answer_says_which_exercise_to_run(state):
    exc = error_of("", "grad_f2(1.0)")
    assert "defined by your answer to Exercise 6" in hint(explain(exc))
    exc = error_of("", "eps_value + 1")
    assert "Run the cells above in order" in hint(explain(exc))


def test_attribute_error_on_a_plain_number_and_on_none():
    exc = error_of("def forward(y):\n    return y.derivative\n", "forward(3.0)")
    assert "a plain number (float) has no `.derivative`" in hint(explain(exc))
    exc = error_of("def forward(y):\n    return y.derivative\n", "forward(None)")
    assert "a function without a `return` statement returns None" in hint(explain(exc))


def test_unpacking_errors():
    exc = error_of("def forward():\n    return 1.0\n", "a, b = forward()")
    assert "return a tuple" in hint(explain(exc))
    exc = error_of("def forward():\n    return 1, 2, 3\n", "a, b = forward()")
    assert "returned more values than the 2" in hint(explain(exc))


def test_floating_point_errors_ask_for_a_stable_formula():
    with np.errstate(over="raise"):
        exc = error_of("def forward(x):\n    return 1 / (1 + np.exp(-x))\n", "forward(np.array([-1000.0]))")
    assert isinstance(exc, FloatingPointError)
    lines = explain(exc)
    assert "A result of `exp` was too large for a float (inf)." in lines
    assert "exp overflowed" in hint(lines) and "exp only sees numbers <= 0" in hint(lines)


def test_log_of_zero_and_division_by_zero():
    with np.errstate(divide="raise", under="ignore"):
        exc = error_of("def forward(s):\n    p = np.exp(s - s.max())\n    return np.log(p / p.sum())\n",
                       "forward(np.array([0.0, -1000.0]))")
    assert "log of 0" in hint(explain(exc)) and "log-softmax" in hint(explain(exc))
    with np.errstate(divide="raise"):
        exc = error_of("def forward(g):\n    return 1.0 / np.linalg.norm(g)\n", "forward(np.zeros(2))")
    assert "a division by zero in `divide`" in hint(explain(exc))


def test_invalid_value_is_a_fact_not_a_hint():
    with np.errstate(invalid="raise"):
        exc = error_of("def forward(x):\n    return np.sqrt(x)\n", "forward(np.array([-1.0]))")
    lines = explain(exc)
    assert "`sqrt` gave NaN" in lines[1] and hint(lines) == ""


def test_recursion_error():
    exc = error_of("def forward(n):\n    return forward(n + 1)\n", "forward(0)")
    assert "loop with an explicit stack" in hint(explain(exc))


def test_silent_when_there_is_no_evidence():
    exc = error_of("def forward(x):\n    return {}[x]\n", "forward('a')")
    lines = explain(exc)
    assert lines == ["Your function `forward` (Exercise 2) raised KeyError at line 2 of its cell."]
    # code that is not the student's (a test's own lambda, a library) is not blamed on them
    assert explain(error_of("", "(lambda: {}['a'])()")) == []
    assert explain(error_of("def helper(x):\n    return {}[x]\n", "helper(1)")) == []


def test_a_checks_own_failure_is_not_explained_again():
    from course.checks import check_scalar

    with pytest.raises(AssertionError) as info:
        check_scalar(2.0, 1.0, "y")
    assert explain(info.value) == []
    assert explain(InputChanged("x")) == []


def test_remote_errors_use_the_reported_frames():
    class Remote(Exception):
        remote_type = "ValueError"
        remote_frames = [("<test>", 1, "<module>", "<module>"), (CELL, 5, "forward", "forward")]

    exc = Remote("matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
                 "signature (n?,k),(k,m?)->(n?,m?) (size 4 is different from 3) (`dS @ W`: dS "
                 "has shape (5, 4) and W has shape (3, 4))")
    lines = explain(exc)
    assert lines[0] == "Your function `forward` (Exercise 2) raised ValueError at line 5 of its cell."
    assert lines[1] == "Hint: `dS @ W.T` fits: W needs a transpose."


def test_methods_are_named_by_class():
    exc = error_of("class Dual:\n    def __mul__(self, o):\n        return self.v * o.v\n",
                   "Dual() * 2")
    assert explain(exc)[0] == "Your function `Dual.__mul__` (Exercise 3) raised AttributeError at line 3 of its cell."


# -- checked calls -----------------------------------------------------------------------------------
def answer(source: str, name: str):
    ns: dict = {"np": np, "__name__": "__main__"}
    exec(compile(source, CELL, "exec"), ns)
    return ns[name]


def test_checked_call_reports_a_changed_input(state):
    state.in_test = True
    forward = answer("def forward(x, scale=None):\n    x *= 2\n    return x\n", "forward")
    with pytest.raises(InputChanged, match=r"forward changed its input in place \(argument 1\)"):
        checked_call(forward, np.ones(3))
    kw = answer("def forward(x, scale=None):\n    scale[0] = 0\n    return x\n", "forward")
    with pytest.raises(InputChanged, match=r"argument `scale`"):
        checked_call(kw, np.ones(3), scale=np.ones(2))
    nested = answer("def forward(params):\n    params['W'] -= 1\n", "forward")
    with pytest.raises(InputChanged):
        checked_call(nested, {"W": np.ones(2)})


def test_checked_call_makes_overflow_an_error(state):
    state.in_test = True
    forward = answer("def forward(x):\n    return 1 / (1 + np.exp(-x))\n", "forward")
    with pytest.raises(FloatingPointError, match="overflow"):
        checked_call(forward, np.array([-1000.0]))
    with pytest.warns(RuntimeWarning):  # outside the call the usual rules hold (a warning)
        np.exp(np.array([1000.0]))


def test_checked_call_leaves_other_code_and_cells_alone(state):
    mutate = answer("def forward(x):\n    x[0] = 5\n    return x\n", "forward")
    assert checked_call(mutate, np.ones(2))[0] == 5  # not in a test cell
    state.in_test = True
    helper = answer("def helper(x):\n    x[0] = 5\n    return x\n", "helper")  # not an answer
    assert checked_call(helper, np.ones(2))[0] == 5
    assert checked_call(np.sort, np.array([2, 1]))[0] == 1


def test_fingerprint_sees_contents_and_identity():
    a = np.arange(4.0)
    before = fingerprint([a, (a,), {"k": a}])
    assert fingerprint([a, (a,), {"k": a}]) == before
    a[1] = 7
    assert fingerprint([a, (a,), {"k": a}]) != before


# -- in IPython --------------------------------------------------------------------------------------
@pytest.fixture
def shell():
    ip = InteractiveShell.instance()
    saved = list(ip.ast_transformers)
    yield ip
    ip.ast_transformers[:] = saved
    ip.set_custom_exc((), None)
    for name in ("pre_run_cell", "post_run_cell"):
        for cb in list(ip.events.callbacks[name]):
            if getattr(cb, "__module__", "") == "course.feedback":
                ip.events.unregister(name, cb)
    ip.user_ns.pop("__grader__", None)


def run(shell, source: str):
    result = shell.run_cell(source, store_history=True)
    return result


def test_installed_in_ipython_a_test_cell_reports_a_changed_input(shell, capsys):
    feedback.install(answers={"scale": 1}, shell=shell)
    assert run(shell, "import numpy as np\ndef scale(x):\n    x *= 2\n    return x\n").success
    assert run(shell, "y = scale(np.ones(2))").success  # not a test cell: no check
    result = run(shell, "# Tests for Exercise 1\nscale(np.ones(2))")
    assert not result.success
    out = capsys.readouterr().out
    assert "scale changed its input in place" in out


def test_installed_in_ipython_the_traceback_ends_with_the_explanation(shell, capsys):
    feedback.install(answers={"forward": 2}, shell=shell)
    run(shell, "import numpy as np\ndef forward(W, X):\n    return X @ W\n")
    result = run(shell, "# Tests for Exercise 2\nforward(np.ones((3, 2)), np.ones((4, 2)))")
    assert isinstance(result.error_in_exec, ValueError)
    out = capsys.readouterr().out
    assert "Your function `forward` (Exercise 2) raised ValueError at line 3" in out
    assert "The product `X @ W`: X has shape (4, 2) and W has shape (3, 2)." in out
    assert "Hint: `X @ W.T` fits: W needs a transpose." in out
    assert "feedback.py" not in out  # the student's traceback does not show our frames


def test_installed_in_ipython_overflow_fails_only_in_test_cells(shell, capsys):
    feedback.install(answers={"sigmoid": 1}, shell=shell)
    run(shell, "import numpy as np\ndef sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n")
    with pytest.warns(RuntimeWarning):
        assert run(shell, "sigmoid(np.array([-1000.0]))").success
    result = run(shell, "# Tests for Exercise 1\nsigmoid(np.array([-1000.0]))")
    assert isinstance(result.error_in_exec, FloatingPointError)
    assert "exp overflowed" in capsys.readouterr().out


def test_under_the_grader_only_the_cell_hooks_are_installed(shell):
    shell.user_ns["__grader__"] = True
    before = list(shell.ast_transformers)
    feedback.install(answers={"scale": 1}, shell=shell)
    assert shell.ast_transformers == before
    run(shell, "import numpy as np\ndef scale(x):\n    x *= 2\n    return x\n")
    assert run(shell, "# Tests for Exercise 1\nscale(np.ones(2))").success


def test_install_twice_keeps_one_of_each(shell):
    feedback.install(answers={}, shell=shell)
    feedback.install(answers={}, shell=shell)
    names = [type(t).__name__ for t in shell.ast_transformers]
    assert names.count("_CallsThroughChecks") == 1
    assert sum(getattr(cb, "__module__", "") == "course.feedback"
               for cb in shell.events.callbacks["pre_run_cell"]) == 1


def test_a_reduction_that_dropped_its_axis():
    exc = error_of("def forward(s):\n    return s - s.max(axis=1)\n", "forward(np.ones((4, 3)))")
    assert "shape (4,) is shape (4, 3) without its axis 1" in hint(explain(exc))
    assert "keepdims=True" in hint(explain(exc))
    exc = error_of("def forward(g):\n    return np.broadcast_to(g, (2, 3, 4))\n",
                   "forward(np.ones((2, 4)))")
    assert "np.expand_dims(x, 1)" in hint(explain(exc))
    # (4, 3) against (5,): no axis of (4, 3) gives (5,), so nothing is claimed
    exc = error_of("def forward(s, y):\n    return s - y\n", "forward(np.ones((4, 3)), np.ones(5))")
    assert hint(explain(exc)) == ""


def test_a_vector_operand_has_one_fix_even_when_two_products_fit():
    exc = error_of("def grad(X, ds):\n    return X @ ds\n", "grad(np.ones((3, 2)), np.ones(3))")
    assert hint(explain(exc)) == "Hint: `X.T @ ds` fits (the same as `ds @ X`): X needs a transpose."
