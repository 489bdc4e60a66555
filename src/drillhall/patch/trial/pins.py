"""Rewrite a dependency's version in a requirements file or a ``pyproject.toml``, keeping
the user's range style: the first ``==``, ``===``, ``~=`` or ``>=`` clause of the requirement
gets the new version (``==1.0`` → ``==1.1``, ``>=1.0,<3`` → ``>=1.1,<3``, ``~=1.0`` →
``~=1.1``); everything else on the line (extras, markers, hashes options, comments) is kept.
A rewrite that would no longer admit the new version (an upper bound below it) is refused.

Only text is produced here; writing files is the caller's business (atomically, see
:func:`write_atomic`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from drillhall.core.files import KEEP, write_text_atomic
from drillhall.errors import DrillError
from drillhall.patch.model import Dependency

_CLAUSE = re.compile(r"(===|==|~=|>=)(\s*)([A-Za-z0-9][A-Za-z0-9.*+!_-]*)")
_QUOTED = re.compile(r"\"([^\"\n]*)\"|'([^'\n]*)'")


class PinError(DrillError):
    """A dependency's declaration cannot be rewritten to the new version."""


def _name_pattern(name: str) -> str:
    parts = [re.escape(p) for p in re.split(r"[-_.]+", name) if p]
    return r"[-_.]+".join(parts)


def rewrite_requirement(text: str, name: str, target: str) -> str | None:
    """``text`` (one requirement, possibly followed by options or a comment) with ``name``'s
    version set to ``target``; ``None`` when ``text`` is not a requirement for ``name``.
    Raises :class:`PinError` when the range would not admit ``target``."""
    head = re.match(rf"\s*({_name_pattern(name)})\s*(\[[^\]]*\])?\s*(?=[(=~><!;@#\s]|$)",
                    text, re.IGNORECASE)
    if head is None:
        return None
    rest = text[head.end():]
    stop = min((i for i in (rest.find(";"), rest.find("#"), rest.find(" --"))
                if i >= 0), default=len(rest))
    spec, tail = rest[:stop], rest[stop:]
    new_spec, count = _CLAUSE.subn(lambda m: f"{m.group(1)}{m.group(2)}{target}", spec, count=1)
    if count == 0:
        raise PinError(f"the requirement {text.strip()!r} has no ==, ~= or >= clause to "
                       f"move to {target}")
    cleaned = new_spec.strip().strip("()").replace(" ", "")
    try:
        admits = SpecifierSet(cleaned).contains(Version(target), prereleases=True)
    except InvalidSpecifier:
        admits = False
    if not admits:
        raise PinError(f"the requirement {text.strip()!r} would not admit {name} {target} "
                       f"after the rewrite ({cleaned})")
    return text[:head.end()] + new_spec + tail


def _rewrite_requirements(text: str, dep: Dependency, target: str) -> str:
    lines = text.splitlines(keepends=True)
    order = list(range(len(lines)))
    if dep.line is not None and 0 < dep.line <= len(lines):
        order.remove(dep.line - 1)
        order.insert(0, dep.line - 1)
    for index in order:
        body = lines[index]
        if body.lstrip().startswith(("#", "-")):
            continue
        ending = body[len(body.rstrip("\r\n")):]
        new = rewrite_requirement(body.rstrip("\r\n"), dep.name, target)
        if new is not None:
            lines[index] = new + ending
            return "".join(lines)
    raise PinError(f"{dep.source}: no requirement line for {dep.name} to rewrite")


def _rewrite_pyproject(text: str, dep: Dependency, target: str) -> str:
    lines = text.splitlines(keepends=True)
    order = list(range(len(lines)))
    if dep.line is not None and 0 < dep.line <= len(lines):
        order.remove(dep.line - 1)
        order.insert(0, dep.line - 1)
    for index in order:
        for match in _QUOTED.finditer(lines[index]):
            inner = match.group(1) if match.group(1) is not None else match.group(2)
            new = rewrite_requirement(inner, dep.name, target)
            if new is None:
                continue
            quote = lines[index][match.start()]
            start, end = match.span()
            lines[index] = lines[index][:start] + quote + new + quote + lines[index][end:]
            return "".join(lines)
    raise PinError(f"{dep.source}: no PEP 621 requirement string for {dep.name} to rewrite "
                   "(Poetry tables are not rewritten)")


def rewrite_text(text: str, dep: Dependency, target: str) -> str:
    """The text of ``dep.source`` with ``dep`` moved to ``target``."""
    if dep.source.name == "pyproject.toml":
        return _rewrite_pyproject(text, dep, target)
    if dep.source.suffix in (".lock", ".toml") or dep.source.name.startswith("Dockerfile"):
        raise PinError(f"{dep.source}: only requirements files and pyproject.toml are "
                       "rewritten")
    return _rewrite_requirements(text, dep, target)


def rewritten_files(changes: Iterable[tuple[Dependency, str]], *, root: Path | None = None,
                    into: Path | None = None) -> dict[Path, str]:
    """The new text of every file ``changes`` touch, by path. With ``root`` and ``into``, a
    dependency read from ``root/x`` is rewritten in ``into/x`` (the throwaway copy)."""
    texts: dict[Path, str] = {}
    for dep, target in changes:
        path = dep.source
        if root is not None and into is not None:
            try:
                path = into / dep.source.resolve().relative_to(root.resolve())
            except ValueError:
                raise PinError(f"{dep.source} is outside the project {root}") from None
        if path not in texts:
            try:
                texts[path] = path.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                raise PinError(f"{path} is not UTF-8 text") from None
            except OSError as exc:
                raise PinError(f"{path} cannot be read: {exc.strerror or exc}") from None
        texts[path] = rewrite_text(texts[path], dep, target)
    return texts


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically, keeping the file's permission bits."""
    write_text_atomic(path, text, mode=KEEP)
