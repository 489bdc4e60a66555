"""Where a drill's inputs are, and how their paths are shown in findings.

Every drill that reads files reports ``location.path`` the same way: relative to the one PATH
it was given (so ``drillhall secrets app/`` reports ``config.py``, not ``app/config.py``), or,
when it was given several, relative to the root (the directory of drillhall.toml).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from drillhall.errors import InputError


def resolve_input(text: str, root: Path) -> Path:
    """``text`` as a path: ``~`` expanded, relative paths taken from ``root``."""
    path = Path(text).expanduser()
    return path if path.is_absolute() else root / path


def scan_roots(paths: Sequence[str], root: Path) -> list[tuple[Path, str]]:
    """``(path, display prefix)`` for each input; raises InputError naming the first path
    that does not exist."""
    resolved = []
    for text in paths:
        path = resolve_input(text, root)
        if not path.exists():
            raise InputError(f"{text}: no such file or directory")
        resolved.append(path)
    if len(resolved) == 1:
        return [(resolved[0], "")]
    out = []
    for path in resolved:
        try:
            prefix = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            prefix = path.as_posix()
        out.append((path, "" if prefix == "." else prefix))
    return out
