"""Dependency sources: what a project declares, read from its manifests and lockfiles.

:func:`collect` takes a project directory or one file and returns an :class:`Inventory`.
Supported: ``requirements*.txt`` (and any file named explicitly), ``pyproject.toml`` (PEP 621,
PEP 735, Poetry), ``uv.lock``, ``poetry.lock``, ``Pipfile.lock``, ``pylock.toml``, Dockerfile
``FROM`` lines, and an installed environment (:func:`collect_env`). Each format's rules are in
its module's docstring. A file that cannot be parsed is an :class:`~drillhall.errors.InputError`
naming the file and line.

In a directory, the lockfiles and ``pyproject.toml`` are read from the top level only;
``requirements*.txt`` and ``Dockerfile*`` files are found up to three directories deep.
Virtual environments, ``node_modules``, VCS and cache directories are never entered. The same
dependency read from several files is kept once per file; the caller decides how to merge.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from drillhall.errors import InputError
from drillhall.patch.model import BaseImage, Dependency, Inventory
from drillhall.patch.sources.docker import parse_dockerfile, python_eol
from drillhall.patch.sources.environment import collect_env
from drillhall.patch.sources.locks import parse_pipfile_lock, parse_poetry_lock, parse_pylock
from drillhall.patch.sources.pyproject import parse_pyproject
from drillhall.patch.sources.requirements import parse_requirements
from drillhall.patch.sources.uvlock import parse_uv_lock

__all__ = ["collect", "collect_env", "python_eol"]

MAX_DEPTH = 3
_SKIP_DIRS = frozenset({
    ".venv", "venv", "node_modules", ".git", ".hg", ".svn", "site-packages", "__pycache__",
    ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
})
_REQUIREMENTS = re.compile(r"^requirements.*\.txt$", re.IGNORECASE)
_DOCKERFILE = re.compile(r"^(Dockerfile.*|.+\.dockerfile)$", re.IGNORECASE)
_PYLOCK = re.compile(r"^pylock(\.[^.]+)?\.toml$")


class _HasDeps(Protocol):
    """What each parser returns besides the Dockerfile one."""

    @property
    def dependencies(self) -> list[Dependency]: ...

    @property
    def notes(self) -> list[str]: ...


class _Collector:
    """Accumulates dependencies, images, sources and notes in reading order."""

    def __init__(self) -> None:
        self.dependencies: list[Dependency] = []
        self.images: list[BaseImage] = []
        self.sources: list[Path] = []
        self.notes: list[str] = []

    def read(self, path: Path) -> None:
        name = path.name
        if name == "pyproject.toml":
            self._add([path], parse_pyproject(path))
        elif name == "uv.lock":
            self._add([path], parse_uv_lock(path))
        elif name == "poetry.lock":
            self._add([path], parse_poetry_lock(path))
        elif name == "Pipfile.lock":
            self._add([path], parse_pipfile_lock(path))
        elif _PYLOCK.match(name):
            self._add([path], parse_pylock(path))
        elif _DOCKERFILE.match(name):
            docker = parse_dockerfile(path)
            self.images.extend(docker.images)
            self.sources.append(path)
            self.notes.extend(docker.notes)
        else:
            found = parse_requirements(path)
            self._add(found.sources, found)

    def _add(self, sources: list[Path], found: _HasDeps) -> None:
        self.dependencies.extend(found.dependencies)
        self.sources.extend(sources)
        self.notes.extend(found.notes)

    def inventory(self) -> Inventory:
        return Inventory(
            dependencies=tuple(dict.fromkeys(self.dependencies)),
            images=tuple(dict.fromkeys(self.images)),
            sources=tuple(dict.fromkeys(self.sources)),
            notes=tuple(dict.fromkeys(self.notes)),
        )


def collect(path: Path, *, python: str | None = None) -> Inventory:
    """Everything ``path`` (a project directory or one file) declares.

    ``python`` names an interpreter whose installed distributions are added
    (see :func:`collect_env`).
    """
    collector = _Collector()
    if path.is_dir():
        for found in discover(path):
            collector.read(found)
    elif path.is_file():
        collector.read(path)
    else:
        raise InputError(f"{path} does not exist")
    inventory = collector.inventory()
    if python is None:
        return inventory
    env = collect_env(Path(python))
    return Inventory(
        dependencies=inventory.dependencies + env.dependencies,
        images=inventory.images,
        sources=inventory.sources + env.sources,
        notes=inventory.notes + env.notes,
    )


def discover(root: Path) -> list[Path]:
    """The supported files of project directory ``root``, in a stable order."""
    top: list[Path] = []
    nested: list[Path] = []
    for name in ("pyproject.toml", "uv.lock", "poetry.lock", "Pipfile.lock"):
        if (root / name).is_file():
            top.append(root / name)
    top.extend(sorted(p for p in root.iterdir() if p.is_file() and _PYLOCK.match(p.name)))
    for path in _walk(root, 0):
        if _REQUIREMENTS.match(path.name) or _DOCKERFILE.match(path.name):
            nested.append(path)
    return top + sorted(nested, key=lambda p: (len(p.relative_to(root).parts), str(p)))


def _walk(directory: Path, depth: int) -> Iterator[Path]:
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError as exc:
        raise InputError(f"{directory} cannot be listed: {exc.strerror or exc}") from exc
    for entry in entries:
        if entry.is_file():
            yield Path(entry.path)
        elif entry.is_dir(follow_symlinks=False) and depth < MAX_DEPTH:
            sub = Path(entry.path)
            if entry.name in _SKIP_DIRS or (sub / "pyvenv.cfg").is_file():
                continue
            yield from _walk(sub, depth + 1)
