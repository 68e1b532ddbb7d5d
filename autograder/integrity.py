"""Tamper detection for student notebooks: a static scan before grading and a runtime check.

Student code and test code run in the same Python process, so a submission can in principle make
any test pass (patch ``numpy.allclose``, swallow exceptions through IPython hooks, rewrite the
source of later cells...). Two layers make that hard and visible:

1. :func:`scan_source` (static, run by the grader on every cell the student could edit) flags the
   *means* of tampering: imports of reflective or process-control modules, ``setattr``/``exec``/
   ``get_ipython``/``__import__``, dangerous dunder attributes (``__code__``, ``__globals__``,
   ``__dict__`` ...), assignments to attributes of imported modules (``np.allclose = ...``) and
   rebinding names that the locked/test cells imported (``def check_array(*a): pass``).
2. :func:`snapshot` / :func:`verify` (runtime, executed in the kernel by hidden cells the grader
   inserts before the first cell, before every test cell and at the end) compare what the tests
   rely on with its state before any student code ran: module attributes of numpy, builtins,
   ``course`` and its submodules, methods of course classes, IPython's hooks (input and AST
   transformers, custom exception handlers, event callbacks, shadowed shell methods), the trace
   function, ``sys.stdout``/``stderr``/``displayhook``, ``sys.modules`` entries and threads.
   ``verify`` prints a line with a nonce that the grader chose for that run, so a check that was
   silenced or skipped counts as a failure too.

Limits (also in autograder/README.md): Python has no in-process security boundary. Code that
escapes the static scan (e.g. by aliasing a module and patching it, which the runtime check then
catches) *and* restores every patch before the next check, or that corrupts this module's own
snapshot through an alias, is not detected. Objects that lie in comparisons (``__eq__`` returning
True) are only caught when tests coerce results with ``np.asarray(..., dtype=float)``.
"""
from __future__ import annotations

import ast
import json
import sys
from dataclasses import dataclass

# Modules a graded notebook never needs and that give access to interpreter internals, other
# processes or the kernel machinery.
BANNED_MODULES = frozenset({
    "builtins", "__builtin__", "ctypes", "cffi", "gc", "inspect", "importlib", "IPython",
    "ipykernel", "traitlets", "jupyter_client", "zmq", "autograder", "nbgrader", "unittest",
    "mock", "pickle", "_pickle", "marshal", "dill", "cloudpickle", "shelve", "code", "codeop",
    "runpy", "types", "signal", "threading", "_thread", "multiprocessing", "concurrent",
    "subprocess", "pty", "operator", "copyreg", "faulthandler", "sitecustomize", "site",
    "asyncio", "socket", "pdb", "bdb", "trace", "sched",
})
BANNED_NAMES = frozenset({
    "get_ipython", "setattr", "delattr", "exec", "eval", "compile", "__import__", "globals",
    "vars", "breakpoint", "__builtins__", "__loader__", "__spec__",
})
BANNED_ATTRS = frozenset({
    "__code__", "__globals__", "__builtins__", "__dict__", "__subclasses__", "__bases__",
    "__mro__", "__closure__", "__defaults__", "__kwdefaults__", "__getattribute__",
    "__setattr__", "__delattr__", "__loader__", "__spec__", "f_globals", "f_locals", "f_back",
    "f_builtins", "gi_frame", "cr_frame", "ag_frame", "tb_frame", "_getframe", "modules",
    "settrace", "setprofile", "_current_frames", "meta_path", "path_hooks", "displayhook",
    "excepthook", "system", "popen", "fork", "forkpty", "execv", "execve", "execvp", "execl",
    "execlp", "spawnv", "spawnl", "posix_spawn", "posix_spawnp", "kill", "killpg",
})
# Line magics a student may keep in a cell (IPython turns magics into get_ipython() calls).
ALLOWED_MAGICS = frozenset({"matplotlib", "time", "timeit", "precision"})


@dataclass(frozen=True)
class Finding:
    """One suspicious construct: where it is and why it is not allowed."""

    cell: int
    line: int
    message: str

    def __str__(self) -> str:
        return f"cell {self.cell}, line {self.line}: {self.message}"


def to_python(source: str) -> str:
    """Cell source as plain Python (IPython magics become ``get_ipython()`` calls)."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # pragma: no cover - IPython is a dependency of nbgrader
        return source
    return TransformerManager().transform_cell(source)


def imported_names(source: str) -> dict[str, str]:
    """Names bound by import statements in ``source``, mapped to what they import."""
    try:
        tree = ast.parse(to_python(source))
    except SyntaxError:
        return {}
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    names[root] = root
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _root_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _bound_names(target: ast.AST) -> list[ast.Name]:
    return [n for n in ast.walk(target) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]


class _Scanner(ast.NodeVisitor):
    def __init__(self, cell: int, module_names: set[str], protected: dict[str, str]) -> None:
        self.cell = cell
        self.module_names = module_names
        self.protected = protected
        self.findings: list[Finding] = []

    def flag(self, node: ast.AST, message: str) -> None:
        self.findings.append(Finding(self.cell, getattr(node, "lineno", 0), message))

    def _check_import(self, node: ast.AST, module: str, bound: str, imported: str) -> None:
        if module.split(".")[0] in BANNED_MODULES:
            self.flag(node, f"import of '{module}' is not allowed in graded notebooks")
        if bound in self.protected and self.protected[bound] != imported:
            self.flag(node, f"rebinds '{bound}', which the notebook imported as "
                            f"'{self.protected[bound]}'")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            imported = alias.name if alias.asname else alias.name.split(".")[0]
            self._check_import(node, alias.name, bound, imported)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            if alias.name == "*":
                self.flag(node, f"'from {module} import *' is not allowed")
                continue
            self._check_import(node, module, alias.asname or alias.name, f"{module}.{alias.name}")
            if module.split(".")[0] in {"os", "sys"} and alias.name in BANNED_ATTRS:
                self.flag(node, f"'{module}.{alias.name}' is not allowed")

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in BANNED_NAMES:
            self.flag(node, f"'{node.id}' is not allowed in graded notebooks")
        elif isinstance(node.ctx, (ast.Store, ast.Del)) and node.id in self.protected:
            self.flag(node, f"rebinds '{node.id}', which the notebook imported as "
                            f"'{self.protected[node.id]}'")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in BANNED_ATTRS:
            self.flag(node, f"attribute '{node.attr}' is not allowed in graded notebooks")
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            root = _root_name(node)
            if root in self.module_names:
                self.flag(node, f"assigns to '{ast.unparse(node)}', an attribute of an imported "
                                "module or class")
        self.generic_visit(node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if isinstance(node.ctx, (ast.Store, ast.Del)) and _root_name(node) in self.module_names:
            self.flag(node, f"assigns into '{ast.unparse(node.value)}' of an imported module")
        self.generic_visit(node)

    def _check_def(self, node: ast.AST, name: str) -> None:
        if name in self.protected:
            self.flag(node, f"defines '{name}', which the notebook imported as "
                            f"'{self.protected[name]}'")

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._check_def(node, node.name)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._check_def(node, node.name)
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:
        for name in node.names:
            if name in self.protected:
                self.flag(node, f"declares '{name}' global to rebind an imported name")

    def visit_Call(self, node: ast.Call) -> None:
        if _is_allowed_magic(node):
            return
        func = node.func
        if isinstance(func, ast.Name) and func.id == "getattr" and len(node.args) >= 2:
            attr = node.args[1]
            if not (isinstance(attr, ast.Constant) and isinstance(attr.value, str)):
                self.flag(node, "getattr with a computed attribute name is not allowed")
            elif attr.value.startswith("__") or attr.value in BANNED_ATTRS:
                self.flag(node, f"getattr(..., {attr.value!r}) is not allowed")
        self.generic_visit(node)


def _is_allowed_magic(node: ast.Call) -> bool:
    """``get_ipython().run_line_magic('matplotlib', ...)`` and the other allowed magics."""
    func = node.func
    return (isinstance(func, ast.Attribute) and func.attr == "run_line_magic"
            and isinstance(func.value, ast.Call) and isinstance(func.value.func, ast.Name)
            and func.value.func.id == "get_ipython" and bool(node.args)
            and isinstance(node.args[0], ast.Constant) and node.args[0].value in ALLOWED_MAGICS)


def scan_source(source: str, cell: int, protected: dict[str, str]) -> list[Finding]:
    """Findings for one student-editable cell; ``protected`` are names the locked cells import."""
    try:
        tree = ast.parse(to_python(source))
    except SyntaxError:
        return []  # the cell cannot run at all; the kernel reports the error
    own_imports = set(imported_names(source))
    scanner = _Scanner(cell, own_imports | set(protected), protected)
    scanner.visit(tree)
    return scanner.findings


# --------------------------------------------------------------------------------------------
# Runtime part: runs inside the kernel. Keep it small and dependency free.

_WATCHED_MODULES = ("builtins", "numpy", "numpy.linalg", "numpy.testing", "numpy.random", "math",
                    "course", "course.checks", "course.gradcheck")
# Modules whose every attribute matters (tolerances, flags): all names are compared.
_STRICT_MODULES = ("course.checks", "course.gradcheck", "builtins")
_SHELL_METHODS = ("run_cell", "run_cell_async", "run_ast_nodes", "run_code", "showtraceback",
                  "_showtraceback", "showsyntaxerror", "transform_cell", "should_run_async",
                  "ex", "ev", "push")
# Rebound by the kernel itself: ipykernel installs input() per request for stdin forwarding.
_VOLATILE = {"builtins": {"input", "raw_input", "getpass", "_", "__", "___"}}
# Event callbacks that libraries register on their own (matplotlib's inline backend).
_TRUSTED_CALLBACK_MODULES = ("matplotlib", "matplotlib_inline", "ipykernel", "IPython", "ipywidgets")
# Threads libraries start themselves (tqdm's monitor, zmq/asyncio helpers of the kernel).
_TRUSTED_THREAD_MODULES = ("threading", "zmq", "concurrent", "asyncio", "tqdm")
_SNAPSHOT: dict | None = None


def _module_state(name: str, mod: object) -> dict[str, int]:
    strict = name in _STRICT_MODULES or name.startswith("course.checks")
    skip = _VOLATILE.get(name, set())
    state = {}
    for key, value in list(vars(mod).items()):
        if key in skip:
            continue
        if strict or callable(value) or isinstance(value, type(sys)):
            state[key] = id(value)
    return state


def _class_state(mod: object) -> dict[str, dict[str, int]]:
    classes = {}
    for key, value in list(vars(mod).items()):
        if isinstance(value, type) and getattr(value, "__module__", "").startswith("course"):
            classes[f"{value.__module__}.{value.__qualname__}"] = {
                k: id(v) for k, v in vars(value).items() if k != "__dict__"}
    return classes


def _trusted(func: object) -> bool:
    module = getattr(func, "__module__", None) or getattr(
        getattr(func, "__func__", None), "__module__", "") or ""
    return module.split(".")[0] in _TRUSTED_CALLBACK_MODULES


def _shell_state() -> dict:
    try:
        shell = get_ipython()  # type: ignore[name-defined]  # noqa: F821 - kernel builtin
    except NameError:
        return {}
    if shell is None:
        return {}
    tm = shell.input_transformer_manager
    events = getattr(shell, "events", None)
    return {
        "input_transformers": [id(t) for t in list(shell.input_transformers_cleanup)
                               + list(shell.input_transformers_post)
                               + list(getattr(tm, "cleanup_transforms", []))
                               + list(getattr(tm, "line_transforms", []))],
        "ast_transformers": [id(t) for t in shell.ast_transformers],
        "custom_exceptions": repr(shell.custom_exceptions),
        "events": {k: [id(f) for f in v if not _trusted(f)]
                   for k, v in (events.callbacks.items() if events else [])},
        "shadowed": sorted(k for k in _SHELL_METHODS if k in vars(shell)),
        "displayhook": id(shell.displayhook),
        "InteractiveTB": id(shell.InteractiveTB),
        "compile": id(shell.compile),
    }


def _thread_origin(thread: object) -> str:
    target = getattr(thread, "_target", None)
    module = getattr(target, "__module__", None) or type(thread).__module__ or ""
    return f"{getattr(thread, 'name', '?')} ({module})"


def _state() -> dict:
    import threading

    modules = {}
    classes = {}
    for name in sorted(sys.modules):
        if name in _WATCHED_MODULES or name.startswith("course."):
            mod = sys.modules[name]
            modules[name] = _module_state(name, mod)
            classes.update(_class_state(mod))
    return {
        "modules": modules,
        "classes": classes,
        "module_ids": {k: id(sys.modules[k]) for k in modules},
        "sys": {"stdout": id(sys.stdout), "stderr": id(sys.stderr),
                "displayhook": id(sys.displayhook),
                "trace": repr(sys.gettrace()), "profile": repr(sys.getprofile()),
                "meta_path": [id(f) for f in sys.meta_path]},
        "shell": _shell_state(),
        "threads": {t.ident or 0: _thread_origin(t) for t in threading.enumerate()},
    }


def snapshot() -> None:
    """Record the trusted state; the grader runs this before any student code."""
    global _SNAPSHOT
    import importlib

    for name in _WATCHED_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    _SNAPSHOT = _state()


def _diff(before: dict, after: dict, where: str = "") -> list[str]:
    problems = []
    if isinstance(before, dict) and isinstance(after, dict):
        for key, old in before.items():
            path = f"{where}.{key}" if where else str(key)
            if key not in after:
                problems.append(f"{path} was deleted")
            else:
                problems.extend(_diff(old, after[key], path))
        return problems
    if before != after:
        problems.append(f"{where} was changed")
    return problems


def problems() -> list[str]:
    """What differs from the snapshot (new threads, patched functions, hooks ...)."""
    if _SNAPSHOT is None:
        return ["no integrity snapshot was taken"]
    now = _state()
    found = _diff({k: v for k, v in _SNAPSHOT.items() if k != "threads"},
                  {k: v for k, v in now.items() if k != "threads"})
    new_threads = [origin for ident, origin in now["threads"].items()
                   if ident not in _SNAPSHOT["threads"]
                   and origin.rsplit("(", 1)[-1].split(".")[0].rstrip(")")
                   not in _TRUSTED_CALLBACK_MODULES + _TRUSTED_THREAD_MODULES]
    if new_threads:
        found.append("threads started by the notebook: " + ", ".join(new_threads))
    return found


def verify(nonce: str) -> None:
    """Print the verdict for the grader, tagged with the nonce it chose for this run."""
    found = problems()
    verdict = "OK" if not found else "FAIL " + json.dumps(found[:20])
    sys.stdout.write(f"AUTOGRADER-INTEGRITY {nonce} {verdict}\n")
    sys.stdout.flush()
