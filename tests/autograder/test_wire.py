"""The channel between the trusted grader and the student's process (autograder/wire.py).

Both ends run here, the student's side in a thread. What matters: values arrive as the same
plain data; objects stay where they live and behave like themselves through handles; the
trusted side answers only the few read-only requests it allows; anything malformed ends the
channel instead of being half-understood.
"""
from __future__ import annotations

import json
import math
import struct
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder import wire


class Pair:
    """A trusted peer talking to a student peer served in a thread."""

    def __init__(self, namespace: dict | None = None, limits: wire.Limits = wire.Limits()) -> None:
        a, b = wire.socketpair()
        self.ns = {} if namespace is None else namespace

        def run(source: str, cell: int) -> dict:
            exec(source, self.ns)
            return {"ok": True}

        self.student = wire.Peer(wire.Channel(b, limits), wire.OPEN, namespace=self.ns,
                                 executor=run)
        self.trusted = wire.Peer(wire.Channel(a, limits), wire.GUARDED)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            self.student.serve_forever()
        except wire.ChannelError:
            pass

    def define(self, source: str) -> dict:
        self.trusted.request("exec", source=source, cell=0)
        names = [n for n in self.ns if not n.startswith("__")]
        return self.trusted.request("globals", names=names)

    def echo(self, value):
        """``value`` sent to the student's side and back (through an identity function)."""
        return self.define("def echo(v):\n    return v\n")["echo"](value)

    def close(self) -> None:
        self.trusted.channel.close()
        self.thread.join(timeout=5)  # the student's side sees the close and stops serving
        self.student.channel.close()


@pytest.fixture
def pair():
    p = Pair()
    yield p
    p.close()


# -- values --------------------------------------------------------------------------------------
PLAIN = [None, True, False, 0, -7, 2**70, 1.5, float("inf"), -float("inf"), "text", "ü€𝄞",
         b"\x00bytes", 3 + 4j, (1, (2, 3)), [1, [2, [3]]], {"a": 1, (1, 2): [3], 4: None},
         {1, 2}, frozenset({3}), slice(1, None, 2), Ellipsis, np.float32(1.25), np.int64(-3),
         np.bool_(True), np.dtype("float32")]


@pytest.mark.parametrize("value", PLAIN, ids=[repr(v)[:30] for v in PLAIN])
def test_plain_values_round_trip(pair, value):
    out = pair.echo(value)
    assert type(out) is type(value) and out == value


def test_nan_round_trips(pair):
    assert math.isnan(pair.echo(float("nan")))


@pytest.mark.parametrize("dtype", sorted(wire._DTYPES))
def test_arrays_of_every_plain_dtype_round_trip(pair, dtype):
    rng = np.random.default_rng(0)
    for shape in [(), (0,), (3,), (2, 0, 3), (2, 3, 4)]:
        a = np.asarray(rng.normal(size=shape) * 50).astype(dtype)
        out = pair.echo(a)
        assert type(out) is np.ndarray and out.dtype == a.dtype and out.shape == a.shape
        assert np.array_equal(out, a)
        if out.size:
            out.flat[0] = 1  # a writable copy, not a view of the receive buffer
    strided = np.arange(20.0).reshape(4, 5)[::2, ::-1]
    assert np.array_equal(pair.echo(strided), strided)


def test_functions_and_numpy_names_cross_by_reference(pair):
    assert pair.echo(np.exp) is np.exp and pair.echo(math.sin) is math.sin
    assert pair.echo(np.linalg.norm) is np.linalg.norm and pair.echo(float) is float


def test_generators_cross_by_value_and_advance_both_sides(pair):
    draw = pair.define("def draw(rng, n):\n    return rng.normal(size=n)\n")["draw"]
    mine, reference = np.random.default_rng(5), np.random.default_rng(5)
    assert np.array_equal(draw(mine, 3), reference.normal(size=3))
    assert mine.normal() == reference.normal()  # ours advanced as if the draws were here
    assert np.array_equal(draw(n=2, rng=mine), reference.normal(size=2))


def test_a_generator_state_made_up_by_the_student_is_not_taken(pair):
    # inc 0 and state 0: PCG64 then draws zeros for ever, and tests that draw their inputs
    # from the generator after a student's function had it checked nothing.
    rig = pair.define(
        "def rig(rng):\n"
        "    rng.bit_generator.state = {'bit_generator': 'PCG64', 'state': {'state': 0, 'inc': 0},"
        " 'has_uint32': 0, 'uinteger': 0}\n")["rig"]
    mine, reference = np.random.default_rng(5), np.random.default_rng(5)
    rig(mine)
    assert mine.normal() == reference.normal() != 0.0


@settings(max_examples=60, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=25))
def test_nested_plain_data_round_trips(value):
    p = Pair()
    try:
        assert p.echo(value) == value
    finally:
        p.close()


# -- objects stay where they live ------------------------------------------------------------------
VALUE_CLASS = """
import numpy as np
class Value:
    def __init__(self, data, parents=()):
        self.data = float(data)
        self.parents = tuple(parents)
        self.grad = 0.0
    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other))
    __rmul__ = __mul__
    def __neg__(self):
        return Value(-self.data, (self,))
    def __repr__(self):
        return f"Value({self.data})"
    def __format__(self, spec):
        return format(self.data, spec)
    def __len__(self):
        return 2
    def __iter__(self):
        return iter([self.data, self.grad])
class Layer:
    def __init__(self):
        self.params = {"W": np.ones((2, 2)), "b": np.zeros(2)}
def mutate(x):
    x[0] = 99.0
    return float(x.sum())
def gen(n):
    for i in range(n):
        yield i * i
"""


def test_student_objects_are_handles_that_behave(pair):
    g = pair.define(VALUE_CLASS)
    Value = g["Value"]
    a, b = Value(3.0), Value(-2.0)
    c = a * b
    assert isinstance(c, wire.Remote) and c.remote_type_name == "Value"
    assert c.data == -6.0 and c.parents[0] is a and c.parents[1] is b  # identity is kept
    assert isinstance(a, Value) and not isinstance(3.0, Value)
    assert (2 * a).data == 6.0 and (-a).data == -3.0
    assert repr(a) == "Value(3.0)" and f"{a:.2f}" == "3.00" and len(a) == 2
    assert list(a) == [3.0, 0.0]
    assert Value.remote_name == "Value"


def test_attribute_containers_are_live_on_the_students_side(pair):
    layer = pair.define(VALUE_CLASS)["Layer"]()
    layer.params["b"] = np.array([5.0, 6.0])  # must reach the student's dict
    assert np.array_equal(layer.params["b"], [5.0, 6.0])
    assert sorted(layer.params) == ["W", "b"] and layer.params.get("W").shape == (2, 2)


def test_generators_of_the_student_iterate_lazily(pair):
    assert list(pair.define(VALUE_CLASS)["gen"](4)) == [0, 1, 4, 9]


def test_in_place_changes_to_arguments_are_reported_not_copied_back(pair):
    mutate = pair.define(VALUE_CLASS)["mutate"]
    headers = []
    pair.trusted.after_reply = lambda header, buffers: headers.append(header)
    x = np.zeros(3)
    assert mutate(x) == 99.0
    assert np.array_equal(x, np.zeros(3))  # the trusted array is untouched
    assert headers[-1].get("mutated") == [0]


def test_in_place_changes_to_keyword_arguments_are_reported_by_name(pair):
    step = pair.define("def step(p, *, g):\n    g *= 2\n    return p\n")["step"]
    headers = []
    pair.trusted.after_reply = lambda header, buffers: headers.append(header)
    step(np.ones(2), g=np.ones(2))
    assert headers[-1].get("mutated") == ["g"]
    step(np.ones(2), g=[1.0])  # no array changed
    assert "mutated" not in headers[-1]


def test_errors_carry_the_frames_of_the_student_code(pair):
    f = pair.define("def outer(x):\n    return inner(x)\n\ndef inner(x):\n    return 1 / x\n")
    with pytest.raises(ZeroDivisionError) as info:
        f["outer"](0)
    frames = info.value.remote_frames
    assert [(name, line) for _, line, name, _ in frames][-2:] == [("outer", 2), ("inner", 5)]
    assert not any(file.endswith("wire.py") for file, *_ in frames)


@pytest.mark.parametrize("frames", [None, "x", [["f", "2", "g", "g"]], [["f", 2, "g"]],
                                    [["f" * 501, 2, "g", "g"]], [["f", 2, "g", "g"]] * 201])
def test_malformed_frames_are_dropped(frames):
    assert wire._frames(frames) is None


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # the cell's own warning
def test_serving_hook_sets_the_context_of_requests():
    """The student's process answers tests' requests with floating-point errors raised."""
    a, b = wire.socketpair()
    ns: dict = {}

    class Strict(wire.Peer):
        def serving(self, verb):
            return np.errstate(over="raise") if verb != "exec" else super().serving(verb)

    def run(source, cell):
        exec(source, ns)
        return {"ok": True}

    student = Strict(wire.Channel(b), wire.OPEN, namespace=ns, executor=run)
    trusted = wire.Peer(wire.Channel(a), wire.GUARDED)
    thread = threading.Thread(target=lambda: _serve_quietly(student), daemon=True)
    thread.start()
    try:
        trusted.request("exec", source="import numpy as np\ndef big(x):\n    return np.exp(x)\n"
                        "y = np.exp(np.array([1000.0]))\n", cell=0)  # a cell: only a warning
        assert np.isinf(trusted.request("globals", names=["y"])["y"]).all()
        big = trusted.request("globals", names=["big"])["big"]
        with pytest.raises(FloatingPointError, match="overflow encountered in exp"):
            big(np.array([1000.0]))
        assert big(np.array([1.0]))[0] == pytest.approx(np.e)
    finally:
        trusted.channel.close()
        thread.join(timeout=5)
        student.channel.close()


def _serve_quietly(peer):
    try:
        peer.serve_forever()
    except wire.ChannelError:
        pass


def test_trusted_functions_are_called_back(pair):
    apply = pair.define("def apply(f, x):\n    return f(x) + f(x + 1)\n")["apply"]
    calls = []

    def f(t):
        calls.append(t)
        return t * t

    assert apply(f, 2.0) == 4.0 + 9.0 and calls == [2.0, 3.0]


def test_numpy_on_remote_objects_runs_where_they_live(pair):
    g = pair.define("import numpy as np\nclass Box:\n    def __init__(self, v):\n        self.v = v\n"
                    "    def __array_ufunc__(self, ufunc, method, *args, **kw):\n"
                    "        args = [a.v if isinstance(a, Box) else a for a in args]\n"
                    "        return Box(getattr(ufunc, method)(*args, **kw))\n"
                    "    def __array_function__(self, func, types, args, kwargs):\n"
                    "        return func(*[a.v if isinstance(a, Box) else a for a in args], **kwargs)\n")
    box = g["Box"](np.arange(3.0))
    assert np.array_equal(np.exp(box).v, np.exp(np.arange(3.0)))
    assert np.sum(box) == 3.0


def test_remote_errors_keep_their_builtin_type(pair):
    f = pair.define("def boom(kind):\n    raise {'r': RecursionError, 'v': ValueError}[kind]('no')\n"
                    "def deep(n):\n    return deep(n + 1)\n")
    with pytest.raises(RecursionError):
        f["deep"](0)
    with pytest.raises(ValueError) as info:
        f["boom"]("v")
    assert isinstance(info.value, wire.RemoteError) and "boom" in info.value.remote_traceback
    assert "wire.py" not in info.value.remote_traceback  # the channel's own frames are left out


# -- what the trusted side refuses -------------------------------------------------------------------
class Secret:
    hidden_answer = 42
    _private = "tests"

    def __call__(self, x):
        return x + 1


def _ask(policy: wire.Policy, obj, header: dict, buffers: list | None = None) -> dict:
    """Serve one raw request about ``obj`` (exported by a ``policy`` peer); return the reply."""
    a, b = wire.socketpair()
    server, client = wire.Peer(wire.Channel(a), policy), wire.Channel(b)
    handle = server.export(obj)
    header = json.loads(json.dumps(header).replace('"HANDLE"', str(handle["id"])))
    server.serve_one({"id": 7, **header}, buffers or [])
    reply, _ = client.recv()
    a.close()
    b.close()
    return reply


OWN = {"$": "h", "id": "HANDLE", "o": "r"}


@pytest.mark.parametrize("request_", [
    {"do": "getattr", "obj": OWN, "name": "_private"},
    {"do": "getattr", "obj": OWN, "name": "__class__"},
    {"do": "getattr", "obj": OWN, "name": "__globals__"},
    {"do": "setattr", "obj": OWN, "name": "hidden_answer", "value": 0},
    {"do": "delattr", "obj": OWN, "name": "hidden_answer"},
    {"do": "setitem", "obj": OWN, "key": 0, "value": 1},
    {"do": "globals", "names": ["check_array"]},
    {"do": "exec", "source": "import os", "cell": 0},
    {"do": "func", "f": {"$": "ref", "n": "numpy.save"}, "args": ["/tmp/x", OWN]},
    {"do": "func", "f": {"$": "ref", "n": "builtins.open"}, "args": ["/etc/passwd"]},
    {"do": "ufunc", "f": {"$": "ref", "n": "numpy.add"}, "method": "at", "args": [OWN, 0, 1]},
    {"do": "ufunc", "f": {"$": "ref", "n": "numpy.add"}, "method": "__call__", "args": [1, 1],
     "kwargs": {"out": OWN}},
    {"do": "shutdown"},
], ids=lambda r: r["do"] + ":" + str(r.get("name", r.get("op", r.get("f", {}).get("n", "")))))
def test_trusted_side_refuses(request_):
    secret = Secret()
    reply = _ask(wire.GUARDED, secret, request_)
    assert reply["re"] == 7 and "err" in reply and "ok" not in reply, reply
    assert reply["err"].get("tb", "") == ""  # no traceback: it would show the tests' code
    assert Secret.hidden_answer == 42 and not hasattr(secret, "__setitem__")


@pytest.mark.parametrize("request_", [
    {"do": "binop", "op": "mul", "args": ["x", 4 << 30]},
    {"do": "ufunc", "f": {"$": "ref", "n": "numpy.add"}, "method": "outer",
     "args": [[1.0] * 1000, [1.0] * 1000]},
    {"do": "func", "f": {"$": "ref", "n": "numpy.tile"}, "args": [[1.0], [1000, 1000]]},
], ids=["binop", "ufunc", "func"])
def test_trusted_side_computes_only_with_its_own_objects(request_):
    # A request whose operands are all the student's values made the grader spend its memory
    # and time on them ("x" * 4 GB took 4 GB and 11 s of the trusted kernel).
    reply = _ask(wire.GUARDED, Secret(), request_)
    assert "ok" not in reply and "its own objects" in json.dumps(reply["err"]), reply


def test_trusted_side_answers_public_reads_and_calls():
    assert _ask(wire.GUARDED, Secret(), {"do": "getattr", "obj": OWN, "name": "hidden_answer"})["ok"] == 42
    assert _ask(wire.GUARDED, Secret(), {"do": "call", "obj": OWN, "args": [1], "kwargs": {}})["ok"] == 2
    # operations on its own objects still work, the handle anywhere among the operands
    assert _ask(wire.GUARDED, 20, {"do": "binop", "op": "add", "args": [1, OWN]})["ok"] == 21


def test_the_students_side_answers_everything_about_its_objects():
    reply = _ask(wire.OPEN, Secret(), {"do": "getattr", "obj": OWN, "name": "_private"})
    assert reply["ok"] == "tests"


def test_trusted_errors_carry_no_traceback(pair):
    def fails(x):
        raise ValueError("detail")

    probe = pair.define("def probe(f):\n    try:\n        f(1)\n    except Exception as exc:\n"
                        "        return type(exc).__name__, str(exc), exc.remote_traceback\n")
    assert probe["probe"](fails) == ("ValueError", "detail", "")


# -- malformed input ends the channel --------------------------------------------------------------------
def _raw(fields: dict | None = None, *, magic: bytes = b"AGW1", json_len: int | None = None,
         nbuf: int = 0, payload: bytes | None = None) -> bytes:
    data = payload if payload is not None else json.dumps(fields).encode()
    return struct.pack("!4sII", magic, len(data) if json_len is None else json_len, nbuf) + data


@pytest.mark.parametrize("frame", [
    _raw({"re": 1}, magic=b"EVIL"),
    _raw({"re": 1}, json_len=1 << 30),
    _raw({"re": 1}, nbuf=100_000),
    _raw(payload=b"[" * 100_000),
    _raw(payload=b"not json"),
    _raw(payload=b"[1, 2]"),
    _raw({"re": 2, "ok": 1}),
    _raw({"re": 1, "ok": {"$": "h", "id": 123456, "o": "r"}}),
    _raw({"re": 1, "ok": {"$": "nd", "d": "|O", "s": [1], "b": 0}}),
    _raw({"re": 1, "ok": {"$": "nd", "d": "<f8", "s": [10], "b": 0}}),
    _raw({"re": 1, "ok": {"$": "nd", "d": "<f8", "s": [-1], "b": 0}}),
    _raw({"re": 1, "ok": {"$": "ref", "n": "os.system"}}),
    _raw({"re": 1, "ok": {"$": "rng", "g": "Evil", "s": {}}}),
    _raw({"re": 1, "ok": {"$": "whatever"}}),
    _raw({"re": 1, "ok": [1, 2]}),
    _raw(payload=b'{"re": 1, "ok": ' + b"1" * 5000 + b"}"),
    _raw({"re": 1, "ok": {"$": "list", "v": [[]]}}),
    _raw({"re": 1, "err": "not a dict"}),
    _raw({"do": "getattr"}),
], ids=lambda b: b[12:40].decode(errors="replace"))
def test_malformed_frames_end_the_channel(frame):
    a, b = wire.socketpair()
    trusted = wire.Peer(wire.Channel(a), wire.GUARDED)
    b.sendall(frame)
    with pytest.raises(wire.ChannelError):
        trusted.request("ping")
    assert trusted.broken
    with pytest.raises(wire.ChannelError):
        trusted.request("ping")
    b.close()
    a.close()


def test_too_deep_values_are_refused_both_ways(pair):
    deep: list = []
    for _ in range(200):
        deep = [deep]
    with pytest.raises(ValueError):
        pair.echo(deep)
    nest = pair.define("def nest(n):\n    v = 0\n    for _ in range(n):\n        v = [v]\n    return v\n")["nest"]
    assert nest(10) == [[[[[[[[[[0]]]]]]]]]]
    with pytest.raises(wire.RemoteError):
        nest(10_000)  # the student's side cannot encode it: an error reply, the channel lives
    assert nest(2) == [[0]]


def test_frames_over_the_size_limit_end_the_channel():
    p = Pair(limits=wire.Limits(max_bytes=1 << 20))
    big = p.define("import numpy as np\ndef big():\n    return np.zeros(1 << 20)\n")["big"]
    with pytest.raises(wire.ChannelError):
        big()
    assert p.trusted.broken
    p.close()


def test_nested_calls_are_bounded(pair):
    bounce = pair.define("def bounce(f, n):\n    return f(f, n - 1) if n else 0\n")["bounce"]

    def back(f, n):
        return bounce(f, n)

    assert back(back, 5) == 0
    with pytest.raises(RecursionError):
        back(back, 10_000)


def test_a_student_class_cannot_claim_the_graders_values(pair):
    # A metaclass of the student's answered yes to isinstance(complex, Dual), and spies that
    # check how a function was called took complex-step calls for dual numbers.
    ns = pair.define(
        "class Liar(type):\n"
        "    def __instancecheck__(cls, obj):\n"
        "        return True\n"
        "class Dual(metaclass=Liar):\n"
        "    pass\n"
        "honest = Dual()\n")
    Dual = ns["Dual"]
    for value in (1 + 1e-30j, 0.5, np.ones(2), "x"):
        assert not isinstance(value, Dual)
    assert isinstance(ns["honest"], Dual)  # the student's own objects are still asked about



@pytest.mark.parametrize("request_", [
    {"do": "ufunc", "f": {"$": "ref", "n": "numpy.add"}, "method": "__call__",
     "args": [OWN, 1.0, OWN]},
    {"do": "ufunc", "f": {"$": "ref", "n": "numpy.add"}, "method": "accumulate",
     "args": [OWN, 0, None, OWN]},
    {"do": "func", "f": {"$": "ref", "n": "numpy.clip"}, "args": [OWN, 0.0, 0.5, OWN]},
], ids=["ufunc", "accumulate", "func"])
def test_out_by_position_cannot_write_into_the_graders_arrays(request_):
    trusted = np.array([1.0, 2.0])
    reply = _ask(wire.GUARDED, trusted, request_)
    assert "ok" not in reply and "out" in json.dumps(reply["err"]), reply
    np.testing.assert_array_equal(trusted, [1.0, 2.0])



def test_made_up_error_names_cannot_crowd_out_the_builtin_ones(monkeypatch):
    monkeypatch.setattr(wire, "_ERROR_CLASSES", {})  # this process's table stays as it was
    for i in range(300):  # one student's errors with made-up names, in a reused trusted kernel
        wire.remote_error(f"MadeUp{i}Error", "x")
    for kind, builtin in [("RecursionError", RecursionError), ("FloatingPointError", FloatingPointError)]:
        assert isinstance(wire.remote_error(kind, "y"), builtin)
