"""An installed Python environment, listed by its own interpreter.

The interpreter is run once (no shell, isolated mode, a timeout) with a short script that
prints every distribution importlib.metadata finds as JSON. Each one is a direct
:class:`Dependency` pinned to its installed version, with the interpreter as ``source``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from packaging.utils import canonicalize_name

from drillhall.errors import InputError
from drillhall.patch.model import Dependency, Inventory

TIMEOUT_SECONDS = 60.0
_SCRIPT = (
    "import json, importlib.metadata as m\n"
    "print(json.dumps([[d.metadata['Name'], d.version] for d in m.distributions()]))\n"
)


def collect_env(python: Path, *, timeout: float = TIMEOUT_SECONDS) -> Inventory:
    """The distributions installed in the environment of interpreter ``python``."""
    try:
        done = subprocess.run([str(python), "-I", "-c", _SCRIPT], capture_output=True,
                              text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise InputError(f"{python} did not list its packages within {timeout:g} s") from exc
    except OSError as exc:
        raise InputError(f"{python} cannot be run: {exc.strerror or exc}") from exc
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise InputError(f"{python} failed to list its packages (exit {done.returncode}: {last})")
    try:
        rows = json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        raise InputError(f"{python} printed an unreadable package list") from exc
    deps: dict[str, Dependency] = {}
    for row in rows:
        if not isinstance(row, list) or len(row) != 2 or not all(isinstance(v, str) for v in row):
            continue  # a distribution with broken metadata has no usable name
        name = canonicalize_name(row[0])
        deps.setdefault(name, Dependency(name=name, version=row[1], specifier=f"=={row[1]}",
                                         source=python))
    ordered = tuple(sorted(deps.values(), key=lambda dep: dep.name))
    return Inventory(dependencies=ordered, sources=(python,))
