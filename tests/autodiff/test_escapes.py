"""A catalogue of ways a value can leave the graph: each must raise, or give the right gradient.

A silently wrong gradient is the worst outcome for a course whose students learn to trust
them; an error that says what to write instead is fine.  Every idiom here is run through
``course.grad`` and, when it does not raise, compared with central differences (not with an
independent engine alone: HIPS autograd shares some of the bugs this catalogue guards against).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import course
from course import Tensor
from course.autodiff import GraphEscapeError, GraphEscapeWarning, teaching_mode
from course.gradcheck import numeric_grad, rel_error


def _buffer(x):
    out = np.zeros(2)
    out[0] = x[0] * 3
    out[1] = x[1]
    return np.sum(out)


def _slice_buffer(x):
    out = np.zeros((2, 2))
    out[0] = x * 3
    return np.sum(out)


def _listed(x):
    return np.sum(np.array([x[0] ** 2, x[1]]))


def _python_sum(x):
    return sum(v * v for v in x)  # iterating a Tensor gives Tensors: fine


def _loop_float_index(x):
    return x[int(np.argmax(x))] * 2.0  # an integer index computed from values: a constant


# name, function, input, how it may fail (None: it must work and be correct)
CATALOGUE = [
    ("np.array of Tensors", _listed, [1.0, 2.0], GraphEscapeError),
    ("assign into a numpy buffer", _buffer, [1.0, 2.0], (GraphEscapeError, ValueError)),
    ("assign a row into a numpy buffer", _slice_buffer, [1.0, 2.0], GraphEscapeError),
    ("math.exp", lambda x: math.exp(x), 0.5, GraphEscapeError),
    ("math.sqrt of a sum", lambda x: math.sqrt(np.sum(x * x)), [1.0, 2.0], GraphEscapeError),
    ("float()", lambda x: float(x) * x, 0.5, GraphEscapeError),
    (".item()", lambda x: x.item() * x, 0.5, GraphEscapeError),
    ("int()", lambda x: int(x) * x, 1.5, GraphEscapeError),
    ("np.asarray", lambda x: np.sum(np.asarray(x) * x), [1.0, 2.0], GraphEscapeError),
    ("np.array copy", lambda x: np.sum(np.array(x) * x), [1.0, 2.0], GraphEscapeError),
    ("np.float64()", lambda x: np.float64(x) * x, 0.5, GraphEscapeError),
    ("Tensor of a list of Tensors", lambda x: np.sum(Tensor([x[0], x[1]]) * x), [1.0, 2.0],
     GraphEscapeError),
    ("Tensor(x) of the variable", lambda x: np.sum(Tensor(x) * x), [1.0, 2.0], GraphEscapeError),
    ("Tensor(f(x), requires_grad=True)", lambda x: np.sum(Tensor(x ** 2, requires_grad=True)),
     [1.0, 2.0], GraphEscapeError),
    ("non-integer Tensor as an index", lambda x: np.sum(x[Tensor(np.array([0.0, 1.5]))]),
     [1.0, 2.0], IndexError),
    ("complex intermediate", lambda x: np.sum(np.abs(x * (1 + 1j)) ** 2), [0.5, 2.0], TypeError),
    ("list index from a Tensor", lambda x: [1.0, 2.0][x] * x, 1.0, TypeError),
    ("in-place operator on a numpy buffer", lambda x: np.sum(np.add(np.zeros(2), x, out=np.zeros(2))),
     [1.0, 2.0], TypeError),
    ("item assignment into a Tensor", lambda x: x.__setitem__(0, 1.0), [1.0, 2.0], TypeError),
    # Legitimate constants and conversions: must be right.
    ("astype(int) is a constant", lambda x: np.sum(x.astype(int) * x), [1.5, 2.5], None),
    ("astype(bool) is a constant", lambda x: np.sum(x.astype(bool) * x), [-0.5, 2.5], None),
    ("np.floor is a constant", lambda x: np.sum(np.floor(x) * x), [1.5, 2.5], None),
    ("comparison mask", lambda x: np.sum((x > 1.8) * x * x), [1.5, 2.5], None),
    ("iterating a Tensor", _python_sum, [1.0, 2.0], None),
    ("index computed from values", _loop_float_index, [1.0, 2.0], None),
    ("np.stack instead of np.array", lambda x: np.sum(np.stack([x[0] ** 2, x[1]])), [1.0, 2.0], None),
    ("branching on a value", lambda x: x * x if x > 0 else -x, 0.5, None),
]


def _no_grad_square(x):
    with course.no_grad():
        return float(x * x)  # explicit: no_grad says "constant"


@pytest.mark.parametrize("name, f, x, failure", CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_graph_escape_raises_or_is_right(name, f, x, failure):
    x = np.asarray(x, dtype=float)
    if failure is not None:
        with pytest.raises(failure) as info:
            course.grad(f)(x)
        text = str(info.value) + str(info.value.__cause__ or "")
        assert len(text) > 40, f"{name}: the error must say what to write instead: {text!r}"
        return
    analytic = course.grad(f)(x)
    numeric = numeric_grad(lambda v: float(np.asarray(_evaluate(f, v))), x.copy())
    assert rel_error(np.asarray(analytic), numeric) < 1e-6, (name, analytic, numeric)


def _evaluate(f, v):
    """f on plain numbers, for the central differences (a constant Tensor where f needs Tensor
    methods)."""
    try:
        return f(v)
    except AttributeError:
        return f(Tensor(v))


def test_escape_errors_say_what_to_write_instead():
    with pytest.raises(GraphEscapeError, match=r"np\.exp\(x\), not math\.exp\(x\)"):
        course.grad(lambda x: math.exp(x))(0.5)
    with pytest.raises(GraphEscapeError, match=r"np\.stack"):
        course.grad(_listed)(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="complex"):
        course.grad(lambda x: np.sum(np.abs(x * 1j)))(np.array([1.0]))


def test_escapes_raise_in_jacobian_jvp_and_trace_too():
    with pytest.raises(GraphEscapeError):
        course.jacobian(lambda x: np.asarray(x) * x)(np.ones(2))
    with pytest.raises(GraphEscapeError, match="Dual"):
        course.jvp(lambda x: math.sin(x), 0.5, 1.0)
    with pytest.raises(GraphEscapeError):
        course.trace(lambda a, b: math.log(a) + b, 2.0, 5.0)


def test_conversions_are_detaches_outside_grad_and_do_not_warn_by_default():
    """The Tensor API: float(loss) to print a number, np.asarray(model(X)) to plot outputs."""
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    loss = (w * w).sum()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float(loss) == 5.0 and loss.item() == 5.0
        np.testing.assert_array_equal(np.asarray(w * 2), [2.0, 4.0])
        loss.backward()
        assert float(loss) == 5.0


def test_teaching_mode_warns_once_per_line_before_backward_only():
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    teaching_mode(True)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            for _ in range(3):
                loss = (w * w).sum()
                float(loss)  # before backward: warns, once for this line
                loss.backward()
                float(loss)  # after backward: the graph is used up, no warning
            with course.no_grad():
                float((w * w).sum())  # nothing recorded: nothing to warn about
        escapes = [c for c in caught if issubclass(c.category, GraphEscapeWarning)]
        assert len(escapes) == 1, [str(c.message) for c in caught]
        assert "no gradient flows through it" in str(escapes[0].message)
    finally:
        teaching_mode(False)


def test_changing_a_value_between_forward_and_backward_raises():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x * x).sum()
    x.value -= 1.0  # e.g. an optimizer step before backward
    with pytest.raises(RuntimeError, match="modified after the forward pass"):
        y.backward()
    # the right order works, and so does an update after backward
    z = (x * x).sum()
    z.backward()
    x.value -= 0.1 * x.grad
    np.testing.assert_allclose(x.grad, 2 * np.array([0.0, 1.0]))


def test_changing_a_constant_tensor_input_raises_too():
    X = Tensor(np.ones((2, 2)))
    W = Tensor(np.eye(2), requires_grad=True)
    loss = (X @ W).sum()
    X.value = X.value * 2
    with pytest.raises(RuntimeError, match="modified"):
        loss.backward()


def test_value_and_no_grad_are_explicit_constants():
    np.testing.assert_allclose(course.grad(lambda x: np.sum(x.value * x))(np.array([1.0, 2.0])),
                               [1.0, 2.0])
    assert course.grad(lambda x: x * _no_grad_square(x))(0.5) == 0.25


def test_grad_mode_off_allows_every_conversion():
    def f(v):
        with course.no_grad():
            constant = np.asarray(v) + float(v[0]) + math.exp(v[1])
        return np.sum(v * constant)
    g = course.grad(f)(np.array([1.0, 2.0]))
    np.testing.assert_allclose(g, np.array([1.0, 2.0]) + 1.0 + math.exp(2.0))


def test_tensor_of_a_computed_tensor_warns_outside_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(GraphEscapeWarning, match="cut from the graph"):
        h = Tensor(x * 2)
    assert not h.requires_grad
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Tensor(x.detach())  # explicit constants do not warn
        Tensor(x)  # a leaf: a new leaf with its value, nothing computed is lost


def test_boolean_leaves_are_masks_not_numbers():
    # A mask in the parameter tree stays a mask (as 0.0/1.0 it indexed positions 0 and 1).
    p = {"w": np.array([1.0, 2.0, 3.0]), "mask": np.array([True, False, True])}
    value, g = course.value_and_grad(lambda p: np.sum(p["w"][p["mask"]] ** 2))(p)
    assert value == 10.0
    np.testing.assert_array_equal(g["w"], [2.0, 0.0, 6.0])
    np.testing.assert_array_equal(g["mask"], [0.0, 0.0, 0.0])
    # whole-number Tensors still index as integer arrays do
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(course.grad(lambda x: np.sum(x[Tensor([2.0, 2.0])]))(x), [0, 0, 2])


def test_a_tensor_made_from_a_mask_indexes_as_a_mask():
    """Tensor(mask) holds 0.0/1.0 (Tensors hold real numbers), but x[Tensor(mask)] must pick
    what x[mask] picks, not positions 0 and 1; so must its slices and reshapes."""
    mask = np.array([False, True, True, False])
    m = Tensor(mask)
    x = np.array([1.0, -2.0, 3.0, 4.0])
    np.testing.assert_array_equal(Tensor(x)[m].value, x[mask])
    value, g = course.value_and_grad(lambda v, m: np.sum(v[m] ** 2))(x, m)
    assert value == 13.0
    np.testing.assert_array_equal(g, [0.0, -4.0, 6.0, 0.0])
    np.testing.assert_array_equal(Tensor(x[1:])[m[1:]].value, x[1:][mask[1:]])
    np.testing.assert_array_equal(Tensor(x.reshape(2, 2))[m.reshape(2, 2)].value,
                                  x.reshape(2, 2)[mask.reshape(2, 2)])
    np.testing.assert_array_equal(Tensor(x)[Tensor([False, True, False, True])].value, x[1::2])
    np.testing.assert_array_equal(Tensor(x)[Tensor([1.0, 0.0])].value, [-2.0, 1.0])  # numbers


def _aliased(x):
    h = x * 1.0
    y = h
    y += 1  # numpy: h changes too
    y *= h
    y += 2.0 * y  # the right side is computed from the old y
    return np.sum(h * 2.0)


def _accumulated(x):
    total = 0.0
    for i in range(3):
        total += x[i] ** 2
    total /= 3
    return total


@pytest.mark.parametrize("f", [_aliased, _accumulated])
def test_in_place_operators_change_every_name_as_in_numpy(f):
    x = np.array([0.5, -1.0, 2.0])
    value, g = course.value_and_grad(f)(x)
    assert value == pytest.approx(float(f(x.copy())))  # the same code on numpy arrays
    assert rel_error(g, numeric_grad(lambda v: float(f(v.copy())), x.copy())) < 1e-6


def _rows_in_place(X):
    for row in X:  # rows are views: X changes, as in numpy
        row *= X[0]
        row += 1.0
    X /= 2.0
    return np.sum(X ** 2)


@pytest.mark.parametrize("f", [_aliased, _accumulated, _rows_in_place])
def test_in_place_operators_in_forward_mode_follow_numpy(f):
    x = np.array([[0.5, -1.0], [2.0, 0.3]]) if f is _rows_in_place else np.array([0.5, -1.0, 2.0])
    v = np.random.default_rng(0).standard_normal(x.shape)
    v_before = v.copy()
    value, tangent = course.jvp(lambda x: f(x), x.copy(), v)
    assert value == pytest.approx(float(f(x.copy())))
    eps = 1e-6
    numeric = (float(f(x + eps * v)) - float(f(x - eps * v))) / (2 * eps)
    assert tangent == pytest.approx(numeric, rel=1e-6)
    np.testing.assert_array_equal(v, v_before)  # the caller's tangent is left alone


def test_in_place_in_forward_mode_keeps_the_shape_as_numpy_does():
    def grow(x):
        x += np.ones((2, 3))  # numpy: non-broadcastable output operand
        return x
    with pytest.raises(ValueError, match="does not fit"):
        course.jvp(grow, np.ones(3), np.ones(3))


@pytest.mark.parametrize("f, message", [
    (lambda x: np.sum(x.__iadd__(1.0)), "leaf requiring grad"),  # x += 1 on grad's input
    (lambda x: np.sum((x * 1.0)[:2].__imul__(3.0)), "view"),     # v = x[:2]; v *= 3
    (lambda x: sum(row.__iadd__(1.0).sum() for row in (x * 1.0).reshape(2, 2)), "view"),
])
def test_in_place_changes_the_engine_cannot_follow_raise(f, message):
    with pytest.raises(RuntimeError, match=message):
        course.grad(f)(np.array([1.0, 2.0, 3.0, 4.0]))


def _used_then_updated(x):
    h = x * 2.0
    z = h ** 2  # uses the old h
    h += 1
    return np.sum(z) + np.sum(h * z)


def _running_state(x):
    h = x[:2] * 1.0
    outs = []
    for t in range(3):
        h *= 0.5
        h += x[t:t + 2]
        outs.append(np.sum(h * h))  # each uses h as it is now; later steps change h in place
    return outs[0] + outs[1] * 2 + outs[2] * 3


def _element_accumulator(x):
    total = x[0]  # an element: a copy in numpy, not a view
    for i in range(1, 4):
        total += x[i] * x[i]
    flat = x.reshape(2, 2).flatten()  # flatten copies
    flat += 1
    return total + np.sum(flat * flat)


def _unary_plus_copies(x):
    y = x * 2
    z = +y  # a copy in numpy: changing z leaves y
    z += 1
    return np.sum(y * z)


@pytest.mark.parametrize("f", [_used_then_updated, _running_state, _element_accumulator,
                               _unary_plus_copies])
def test_in_place_updates_of_used_values_are_right(f):
    # The nodes recorded from the old value keep it: the backward pass goes to the old node.
    x = np.array([0.3, -1.2, 2.0, 0.7])
    value, g = course.value_and_grad(f)(x)
    assert value == pytest.approx(float(f(x.copy())))
    assert rel_error(g, numeric_grad(lambda v: float(f(v.copy())), x.copy())) < 1e-6


def test_in_place_refusals_of_what_the_engine_cannot_follow():
    # the input of a grad nested in another stands for a leaf
    inner = lambda z: (z.__imul__(2), np.sum(z ** 3))[1]
    with pytest.raises(RuntimeError, match="leaf"):
        course.grad(lambda x: np.sum(course.grad(inner)(x)))(np.array([0.3, -1.2]))
    # under no_grad, writing through a view would change recorded memory behind the engine
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    y = x * 2
    z = np.sum(y * y)
    v = y[:2]
    with course.no_grad(), pytest.raises(RuntimeError, match="view"):
        v += 100
    z.backward()
    np.testing.assert_allclose(x.grad, 8 * x.value)


def test_in_place_update_of_a_parameter_under_no_grad():
    # W -= lr * W.grad once replaced W by a new constant Tensor: training silently stopped.
    W = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    same = W
    np.sum(W * W).backward()
    with course.no_grad():
        W -= 0.5 * W.grad
    assert W is same and W.requires_grad and W.is_leaf
    np.testing.assert_allclose(W.value, [0.0, 0.0])



def _reused_buffer(w):
    h = np.empty(3)
    total = 0.0
    for t in range(3):
        h[:] = t  # the product below read the previous contents
        total = total + np.sum(w * h)
    return total


def _changed_after_use(w):
    a = np.arange(3.0)
    y = np.sum(w * a)
    a += 10
    return y


@pytest.mark.parametrize("f", [_reused_buffer, _changed_after_use])
def test_writing_into_an_array_the_graph_uses_raises(f):
    X = np.arange(6.0).reshape(2, 3)
    with pytest.raises(ValueError, match="read-only.*derivative reads it"):
        course.grad(f)(np.ones(3))
    # the caller's arrays are writeable again afterwards, and used ones were not copied
    course.grad(lambda w: np.sum(X @ w))(np.ones(3))
    X[0, 0] = 1.0


def test_in_place_keeps_shape_and_type_as_numpy_does():
    def grows(x):
        h = x * 1.0
        h += np.ones((2, 3))  # numpy: non-broadcastable output operand
        return np.sum(h)
    with pytest.raises(ValueError, match="cannot change it"):
        course.grad(grows)(np.ones(3))
    t = Tensor(np.ones(3))
    with pytest.raises(ValueError, match="cannot change it"):
        t += np.ones((2, 3))

    def widened(x):
        h = x * np.float32(2)
        h += np.ones(3)  # float64 on the right: h stays float32
        assert h.dtype == np.float32
        return np.sum(h * h)
    x = np.array([1.0, 2.0, 3.0], np.float32)
    g = course.grad(widened)(x)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, 4 * (2 * x + 1), rtol=1e-6)


def _index_changed(W):
    labels = np.array([0, 1])
    picked = W[np.arange(2), labels]
    labels[:] = [1, 0]  # the index's arrays are read by the backward pass too
    return np.sum(picked * picked)


def _through_broadcast(w):
    buf = np.zeros(3)
    seen = np.broadcast_to(buf, (2, 3))  # a read-only view: its base must still be frozen
    total = 0.0
    for i in range(2):
        buf[:] = i
        total = total + np.sum(w * seen)
    return total


def _own_input(w, holder={}):
    y = np.sum(w * w)
    holder["w"][0] = 100.0  # f changing grad's own input through a closure
    return y


@pytest.mark.parametrize("f", [_index_changed, _through_broadcast])
def test_more_writes_the_backward_pass_would_see_raise(f):
    with pytest.raises(ValueError, match="read-only"):
        course.grad(f)(np.ones((2, 3)) if f is _index_changed else np.ones(3))


def test_grads_own_input_and_detached_values_are_read_only():
    w = np.array([1.0, 2.0])
    _own_input.__defaults__[0]["w"] = w
    with pytest.raises(ValueError, match="read-only"):
        course.grad(_own_input)(w)
    w[0] = 3.0  # writeable again afterwards
    y = np.exp(Tensor(np.array([0.5, 1.0]), requires_grad=True))
    e = y.detach()
    with pytest.raises((ValueError, RuntimeError)):
        e /= np.sum(e.value)  # would divide the values the graph recorded
    jac = course.jacobian(lambda x: x * 2.0)
    buf = np.ones(2)
    jac(buf)
    buf[0] = 5.0  # and after jacobian


def _constant_tensor_of_a_changed_array(w):
    a = np.arange(3.0)
    c = Tensor(a)  # a constant shares the caller's array (like torch.from_numpy)
    y = np.sum(w * c)
    a += 10  # the backward pass reads c's values: the gradient would be 10, 11, 12
    return y


def _constant_tensor_written_through_value(w):
    c = Tensor(np.arange(3.0))
    y = np.sum(w * c)
    c.value[:] = 7.0
    return y


def _result_written_through_value(w):
    y = np.exp(w)
    loss = np.sum(y)  # exp's rule reads its own result
    y.value[0] = 0.0
    return loss


def _result_written_through_numpy(w):
    y = w * 2.0
    loss = np.sum(y * y)
    y.numpy()[0] = 0.0
    return loss


@pytest.mark.parametrize("f", [_constant_tensor_of_a_changed_array,
                               _constant_tensor_written_through_value,
                               _result_written_through_value, _result_written_through_numpy])
def test_writes_into_the_arrays_of_tensors_the_graph_uses_raise(f):
    """The arrays behind Tensors are read by the backward pass as much as plain arrays are:
    a write into one (through the caller's array, .value or .numpy()) while grad runs must not
    silently change the gradient."""
    with pytest.raises(ValueError, match="read-only.*derivative reads it"):
        course.grad(f)(np.array([0.5, 1.0, 2.0]))


def test_a_constant_tensor_may_be_filled_before_use_and_its_array_is_writeable_after():
    data = np.arange(3.0)

    def loss(w):
        c = Tensor(np.zeros(3))
        c.value[1] = 2.0  # before any operation used it: an ordinary constant
        return np.sum(w * c) + np.sum(w * Tensor(data))
    np.testing.assert_allclose(course.grad(loss)(np.ones(3)), [0.0, 3.0, 2.0])
    data[0] = 5.0  # the caller's array is writeable again


def test_two_views_of_one_array_made_before_grad_are_writeable_afterwards():
    """X, y = data[:, :2], data[:, 2]: both views and their base are frozen while grad runs
    and all three are writeable after it (a view can only be thawed after its base)."""
    data = np.random.default_rng(0).standard_normal((5, 3))
    X, y = data[:, :2], data[:, 2]
    rows, cols = np.nonzero(np.ones((2, 2)))  # two views of one array, too

    def loss(w):
        return np.mean((X @ w - y) ** 2) + np.sum(w[rows] * w[cols])
    first = course.grad(loss)(np.zeros(2))
    assert data.flags.writeable and X.flags.writeable and y.flags.writeable
    assert rows.flags.writeable
    data[0, 0] = 1.0
    second = course.grad(loss)(np.zeros(2))
    assert not np.array_equal(first, second)
    assert rel_error(second, numeric_grad(lambda w: float(loss(w)), np.zeros(2))) < 1e-6


def _head_before_change(x):
    y = x * 2.0
    head = y[:2]  # a view: numpy shows it the change below
    y += 1.0
    return np.sum(head ** 2)


def _views_of_views(x):
    y = x * 2.0
    a = y.reshape(2, 2)
    b = a.T
    c = y[1:]
    before = np.sum(c * c)  # recorded before the change: the old values
    y *= y
    y += 1.0
    return np.sum(b ** 2) + before + np.sum(c * 3) + a[0, 1]


@pytest.mark.parametrize("f", [_head_before_change, _views_of_views])
def test_views_show_an_in_place_change_of_their_base(f):
    x = np.array([1.0, 2.0, 3.0, 4.0])
    value, g = course.value_and_grad(f)(x)
    assert value == pytest.approx(float(f(x.copy())))
    assert rel_error(g, numeric_grad(lambda v: float(f(v.copy())), x.copy())) < 1e-6


def _forward_copy_then_change(make):
    def f(x):
        y = make(x)
        y *= 2.0
        y += x
        return x + y  # 4x + a constant, whatever make is
    return f


@pytest.mark.parametrize("make", [lambda x: x + 1.0, lambda x: x - 1.0, lambda x: x.copy(),
                                  lambda x: np.copy(x), lambda x: +x, lambda x: x.flatten()])
def test_forward_mode_in_place_on_a_copy_leaves_the_original_tangent(make):
    _, tangent = course.jvp(_forward_copy_then_change(make), np.arange(1.0, 5.0), np.ones(4))
    np.testing.assert_array_equal(tangent, [4.0, 4.0, 4.0, 4.0])


def test_forward_mode_item_assignment_writes_value_and_tangent():
    def f(M):
        M[0] += 1  # a row changed in place, then assigned back by Python
        M[1] = M[0] * M[1]
        M[:, 0] = 5.0
        return np.sum(M ** 2)
    M = np.arange(1.0, 7.0).reshape(2, 3)
    V = np.random.default_rng(0).standard_normal((2, 3))
    value, tangent = course.jvp(f, M.copy(), V)
    assert value == pytest.approx(float(f(M.copy())))
    numeric = (f(M + 1e-6 * V) - f(M - 1e-6 * V)) / 2e-6
    assert tangent == pytest.approx(numeric, rel=1e-6)


def test_jacobian_is_taken_with_respect_to_its_argument_not_a_closure_parameter():
    w = Tensor(np.array([10.0, 20.0, 30.0, 40.0]), requires_grad=True)
    np.testing.assert_array_equal(course.jacobian(lambda x: w * x)(np.arange(1.0, 5.0)),
                                  np.diag(w.value))
    W = Tensor(np.ones((2, 2)), requires_grad=True)
    np.testing.assert_array_equal(course.jacobian(lambda x: (W * np.sum(x)).ravel())(np.ones(4)),
                                  np.ones((4, 4)))


def _list_changed_later(x):
    c = [1.0] * 4
    total = 0.0
    for i in range(2):
        total = total + np.sum(x * c)
        c[i] = 10.0  # the list the first product used
    return total


def _fill_from_a_tensor(x):
    return np.sum(np.full_like(x, x[0]) * x)


@pytest.mark.parametrize("f", [_list_changed_later, _fill_from_a_tensor])
def test_lists_and_fill_values_are_followed(f):
    x = np.array([1.0, 2.0, 3.0, 4.0])
    value, g = course.value_and_grad(f)(x)
    assert value == pytest.approx(float(f(x.copy())))
    assert rel_error(g, numeric_grad(lambda v: float(f(v.copy())), x.copy())) < 1e-6
    _, tangent = course.jvp(f, x.copy(), np.ones(4))
    assert tangent == pytest.approx(float(np.sum(g)))


def _minus_own_row(x):
    Y = x.reshape(2, 2) * 1.0
    Y -= Y[0]  # the right side is a view of the left one
    return np.sum(Y ** 2)


def _plus_own_reverse(x):
    y = x * 1.0
    y += y[::-1]
    return np.sum(y ** 3)


def _times_own_transpose(x):
    Y = x.reshape(2, 2) * 1.0
    Y *= Y.T
    t = Y.T
    Y @= t
    return np.sum(Y ** 2)


def _remainder_in_place(x):
    y = x * 1.0
    z, h = y, y[:2]
    y %= 1.0  # numpy: z and h see it
    return np.sum(z ** 3) + np.sum(h ** 2) + np.sum(np.mod(x, 0.7)) + np.sum(divmod(x, 0.5)[1])


@pytest.mark.parametrize("f", [_minus_own_row, _plus_own_reverse, _times_own_transpose,
                               _remainder_in_place])
def test_in_place_with_a_view_of_itself_on_the_right(f):
    x = np.array([0.3, 1.7, -0.4, 2.2])
    value, g = course.value_and_grad(f)(x)
    assert value == pytest.approx(float(f(x.copy())))
    assert rel_error(g, numeric_grad(lambda v: float(f(v.copy())), x.copy())) < 1e-6
    h = course.hvp(f)(x, np.ones(4))  # grad of grad through it finishes, and is right
    e = 1e-5
    fd = (course.grad(f)(x + e) - course.grad(f)(x - e)) / (2 * e)
    np.testing.assert_allclose(h, fd, atol=1e-4)


def _view_under_no_grad(x):
    y = x * 1.0
    with course.no_grad():
        h = y[:2]
    y *= x
    return np.sum(h * x[:2])


def _view_of_a_constant(x):
    y = Tensor(np.zeros(4))
    h = y[:2]
    y += x
    return np.sum(h * x[:2])


def _logged_then_changed(x):
    y = x * 2.0
    with course.no_grad():
        logged = y.T  # for a plot or a log; a notebook's Out[] keeps such views alive too
    y += 1.0
    return np.sum(y ** 2) + 0.0 * np.sum(logged)


def _rnn_from_constant_state(x):
    h = Tensor(np.zeros(2))
    with course.no_grad():
        start = h.T
    for t in range(3):
        h *= 0.5
        h += np.tanh(x[t:t + 2] + h)
    return np.sum(h ** 2) + 0.0 * np.sum(start)


@pytest.mark.parametrize("f", [_view_under_no_grad, _view_of_a_constant, _logged_then_changed,
                               _rnn_from_constant_state])
def test_views_the_engine_did_not_record_follow_an_in_place_change(f):
    """A view taken under no_grad or of a constant is taken again from the changed Tensor, in
    the mode it was taken in: a no_grad view shows the new values as a constant, a view of a
    constant taken while recording follows with its gradient (numpy's values either way)."""
    x = np.array([0.3, 1.7, -0.4, 2.2])
    value, g = course.value_and_grad(f)(x)
    assert value == pytest.approx(float(f(x.copy())))
    if f is _view_under_no_grad:  # h stays a constant: the gradient goes through x[:2] only
        np.testing.assert_allclose(g, np.r_[x[:2] ** 2, 0.0, 0.0])
        return
    assert rel_error(g, numeric_grad(lambda v: float(f(v.copy())), x.copy())) < 1e-6


def test_parameters_and_data_built_from_numpy_views_update_in_place():
    w = Tensor(np.random.default_rng(0).standard_normal(3).reshape(3, 1), requires_grad=True)
    (w * 2.0).sum().backward()
    with course.no_grad():
        w -= 0.5 * w.grad  # Tensor() owns a copy of a view: the update is its own
    data = np.ones((4, 5))
    X = Tensor(data[:, :3])
    X /= 2.0
    assert X.value[0, 0] == 0.5 and data[0, 0] == 1.0
    h = Tensor(np.zeros(4))
    v = h[:2]
    with pytest.raises(RuntimeError, match="slice or view"):
        v += Tensor(np.ones(2), requires_grad=True)  # numpy would change h: cannot be recorded


def test_item_assignment_on_constants_and_under_no_grad():
    B = Tensor(np.array([0.5, 2.0, 0.1]))
    B[B < 1] = 0.0
    np.testing.assert_array_equal(B.value, [0.0, 2.0, 0.0])
    P = Tensor(np.array([0.5, 2.0]), requires_grad=True) * 1.0
    with course.no_grad():
        P[P < 1] = 0.0
    np.testing.assert_array_equal(P.value, [0.0, 2.0])
    with pytest.raises(TypeError, match="cannot be changed in place"):
        course.grad(lambda x: (lambda y: (y.__setitem__(0, 1.0), y.sum())[1])(x * 1.0))(np.ones(2))
    q, r = np.divmod(Tensor([3.5]), 2)
    assert q[0] == 1.0 and r.value[0] == 1.5


def test_floor_division_in_place_says_what_to_write_and_copyto_is_an_escape():
    with pytest.raises(TypeError, match="y //="):
        course.grad(lambda x: np.sum(x.__mul__(1.0).__ifloordiv__(2.0)))(np.ones(3))
    with pytest.raises(GraphEscapeError, match="np.full_like"):
        course.grad(lambda x: np.sum(np.full_like(np.zeros(3), x[1])))(np.ones(3))
