"""Lazy imports of the optional ``drillhall[ml]`` packages.

pandas, scikit-learn, SciPy and pyarrow are imported only when a data drill runs, and a
missing one becomes :class:`~drillhall.errors.DependencyMissing` with the install hint. The
modules come back typed ``Any`` (these libraries ship no complete type information).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from drillhall.errors import DependencyMissing

_DISTRIBUTION = {"sklearn": "scikit-learn", "scipy": "scipy", "pandas": "pandas",
                 "pyarrow": "pyarrow", "numpy": "numpy"}


def need(module: str) -> Any:
    """Import ``module`` (e.g. ``"sklearn.linear_model"``) or raise DependencyMissing."""
    try:
        return import_module(module)
    except ImportError:
        top = module.partition(".")[0]
        raise DependencyMissing(_DISTRIBUTION.get(top, top), "ml") from None
