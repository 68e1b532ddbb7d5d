"""Lazy package namespaces (PEP 562): a name is imported the first time it is used.

While a notebook is graded, the student's process sees only the parts of ``course`` that the
notebook may use (the rest is absent from its file system), so importing ``course`` must not
import everything; and a plain ``import course`` stays fast.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def lazy(package: str, namespace: dict[str, Any], exports: Mapping[str, str],
         submodules: Iterable[str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``.

    ``exports`` maps a public name to the submodule (relative, e.g. ``"autodiff"``) that defines
    it; ``submodules`` are importable as attributes.
    """
    subs = frozenset(submodules)

    def __getattr__(name: str) -> Any:
        if name in subs:
            target, attr = name, None
        elif name in exports:
            target, attr = exports[name], name
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        try:
            module = importlib.import_module(f"{package}.{target}")
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith(package):
                raise ImportError(
                    f"{exc.name} is not available here (while a notebook is graded, its code "
                    f"may use only the parts of the course package that the notebook declares; "
                    f"this exercise asks you to write it yourself)", name=exc.name) from None
            raise
        value = module if attr is None else getattr(module, attr)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports) | subs)

    return __getattr__, __dir__
