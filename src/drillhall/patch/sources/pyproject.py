"""``pyproject.toml``: PEP 621 ``[project]``, PEP 735 ``[dependency-groups]`` and Poetry.

Rules:

* ``[project] dependencies`` have group ``""``; ``[project.optional-dependencies]`` entries have
  the extra's name as group; ``[dependency-groups]`` entries the group's name.
* ``{include-group = "..."}`` is checked (an unknown group or a cycle is an error) but a
  dependency is reported once, in the group where it is written.
* Poetry: ``[tool.poetry.dependencies]`` (group ``""``, ``python`` left out),
  ``[tool.poetry.group.NAME.dependencies]`` and the old ``[tool.poetry.dev-dependencies]``
  (group ``"dev"``). Caret and tilde constraints are kept as written in ``specifier``; a bare
  or ``==`` version is a pin. Git, path and URL dependencies are skipped with a note.
* ``line`` is the line where the requirement string (or Poetry key) is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from drillhall.patch.model import Dependency
from drillhall.patch.sources._common import (
    StringLocator,
    dependency_from,
    header_offset,
    line_of_offset,
    load_toml,
    parse_requirement,
    pinned_version,
    toml_error,
)

_EXACT = re.compile(r"^\s*(==)?\s*\d[\w.+!-]*\s*$")


@dataclass
class PyprojectResult:
    """Dependencies and notes from one ``pyproject.toml``."""

    dependencies: list[Dependency] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_pyproject(path: Path) -> PyprojectResult:
    """Every dependency ``path`` declares, in the order written."""
    text, data = load_toml(path)
    result = PyprojectResult()
    locate = StringLocator(text)
    project = data.get("project", {})
    if not isinstance(project, Mapping):
        raise toml_error(path, "[project] is not a table")
    main_start = header_offset(text, r"project")
    for entry in _string_list(path, project.get("dependencies", []), "project.dependencies"):
        _add(result, path, entry, locate.find(entry, main_start))
    optional = project.get("optional-dependencies", {})
    if not isinstance(optional, Mapping):
        raise toml_error(path, "[project.optional-dependencies] is not a table")
    start = header_offset(text, r"project\.optional-dependencies")
    for extra, entries in optional.items():
        for entry in _string_list(path, entries, f"optional-dependencies.{extra}"):
            _add(result, path, entry, locate.find(entry, start), str(extra))
    _dependency_groups(path, text, data.get("dependency-groups", {}), locate, result)
    tool = data.get("tool", {})
    poetry = tool.get("poetry", {}) if isinstance(tool, Mapping) else {}
    if isinstance(poetry, Mapping):
        _poetry(path, text, poetry, result)
    return result


def declared_names(path: Path) -> set[str]:
    """The normalised names ``pyproject.toml`` declares directly (any group)."""
    return {dep.name for dep in parse_pyproject(path).dependencies} | set(
        _poetry_skipped_names(path)
    )


def _add(
    result: PyprojectResult, path: Path, entry: str, line: int | None, group: str = ""
) -> None:
    req = parse_requirement(entry, path, line)
    if req.url:
        result.notes.append(f"{path} line {line}: URL requirement {req.name} skipped")
    else:
        result.dependencies.append(dependency_from(req, path, line, group=group))


def _string_list(path: Path, value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise toml_error(path, f"{where} is not a list of requirement strings")
    return list(value)


def _dependency_groups(
    path: Path, text: str, groups: object, locate: StringLocator, result: PyprojectResult
) -> None:
    if not isinstance(groups, Mapping):
        raise toml_error(path, "[dependency-groups] is not a table")
    normalised: dict[str, str] = {canonicalize_name(str(n)): str(n) for n in groups}
    start = header_offset(text, r"dependency-groups")
    for name, entries in groups.items():
        if not isinstance(entries, list):
            raise toml_error(path, f"dependency group {name!r} is not a list")
        for entry in entries:
            if isinstance(entry, str):
                _add(result, path, entry, locate.find(entry, start), str(name))
            elif isinstance(entry, Mapping) and isinstance(entry.get("include-group"), str):
                _check_include(path, groups, normalised, str(name), (str(name),))
            else:
                raise toml_error(path, f"dependency group {name!r} has an invalid entry")


def _check_include(
    path: Path,
    groups: Mapping[str, Any],
    normalised: Mapping[str, str],
    name: str,
    chain: tuple[str, ...],
) -> None:
    for entry in groups.get(name, []):
        if not isinstance(entry, Mapping) or "include-group" not in entry:
            continue
        target = normalised.get(canonicalize_name(str(entry["include-group"])))
        if target is None:
            raise toml_error(path, f"dependency group {name!r} includes unknown group "
                             f"{entry['include-group']!r}")
        if target in chain:
            raise toml_error(path, f"dependency groups include each other in a cycle "
                             f"({' -> '.join((*chain, target))})")
        _check_include(path, groups, normalised, target, (*chain, target))


def _poetry_tables(poetry: Mapping[str, Any]) -> list[tuple[str, str, object]]:
    """``(group, header regex, table)`` for each Poetry dependency table."""
    tables: list[tuple[str, str, object]] = [
        ("", r"tool\.poetry\.dependencies", poetry.get("dependencies", {})),
        ("dev", r"tool\.poetry\.dev-dependencies", poetry.get("dev-dependencies", {})),
    ]
    groups = poetry.get("group", {})
    if isinstance(groups, Mapping):
        for name, group in groups.items():
            if isinstance(group, Mapping):
                header = rf"tool\.poetry\.group\.{re.escape(str(name))}\.dependencies"
                tables.append((str(name), header, group.get("dependencies", {})))
    return tables


def _poetry(path: Path, text: str, poetry: Mapping[str, Any], result: PyprojectResult) -> None:
    for group, header, table in _poetry_tables(poetry):
        if not isinstance(table, Mapping):
            raise toml_error(path, f"[{header.replace(chr(92), '')}] is not a table")
        start = header_offset(text, header)
        for key, value in table.items():
            name = canonicalize_name(str(key))
            if name == "python":
                continue
            line = _key_line(text, str(key), start)
            dep = _poetry_dependency(path, name, value, line, group)
            if dep is None:
                result.notes.append(f"{path} line {line}: git, path or URL dependency "
                                    f"{name} skipped")
            else:
                result.dependencies.append(dep)


def _poetry_dependency(
    path: Path, name: str, value: object, line: int | None, group: str
) -> Dependency | None:
    extras: tuple[str, ...] = ()
    marker = ""
    if isinstance(value, str):
        spec = value
    elif isinstance(value, Mapping):
        if any(key in value for key in ("git", "path", "url", "file")):
            return None
        spec = str(value.get("version", ""))
        extras = tuple(sorted(str(extra) for extra in value.get("extras", [])))
        marker = str(value.get("markers", ""))
    elif isinstance(value, list):
        specs = [str(v.get("version", "")) if isinstance(v, Mapping) else str(v) for v in value]
        spec = " || ".join(specs)
    else:
        raise toml_error(path, f"Poetry dependency {name!r} has an unexpected value", line)
    spec = "" if spec.strip() == "*" else spec.strip()
    version = spec.lstrip("=").strip() if _EXACT.match(spec) else pinned_version(spec)
    return Dependency(name=name, version=version, specifier=spec, source=path, line=line,
                      group=group, extras=extras, marker=marker)


def _key_line(text: str, key: str, start: int) -> int | None:
    pattern = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?\s*=", re.MULTILINE)
    found = pattern.search(text, start)
    return line_of_offset(text, found.start()) if found else None


def _poetry_skipped_names(path: Path) -> list[str]:
    _, data = load_toml(path)
    tool = data.get("tool", {})
    poetry = tool.get("poetry", {}) if isinstance(tool, Mapping) else {}
    if not isinstance(poetry, Mapping):
        return []
    return [canonicalize_name(str(key)) for _, _, table in _poetry_tables(poetry)
            if isinstance(table, Mapping) for key in table]
