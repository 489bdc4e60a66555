"""``uv.lock``: every locked package once, direct ones told apart from transitive ones.

Rules:

* Root packages are those whose ``source`` is ``{ editable = ... }`` or ``{ virtual = ... }``
  (the project and its workspace members); they are not reported themselves.
* A package is direct when a root names it in ``dependencies`` (group ``""``),
  ``[package.optional-dependencies]`` (group = the extra) or ``[package.dev-dependencies]``
  (group = the dependency group); everything else is transitive with group ``""``.
* Packages from git, a URL, a path or a directory are skipped with a note (no index version).
* ``upload_time`` is the sdist's ``upload-time``, or the earliest wheel's when there is no
  sdist; ``hashes`` are the sdist's and wheels' hashes.
* A name/version locked several times (forked resolutions) is reported once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from drillhall.patch.model import Dependency
from drillhall.patch.sources._common import array_table_lines, load_toml, parse_time, toml_error

_ROOT_KINDS = ("editable", "virtual")
_LOCAL_KINDS = ("git", "url", "path", "directory")


@dataclass
class LockResult:
    """Dependencies and notes from one lockfile."""

    dependencies: list[Dependency] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parse_uv_lock(path: Path) -> LockResult:
    """Every package ``path`` locks, direct ones first in file order."""
    text, data = load_toml(path)
    packages = data.get("package", [])
    if not isinstance(packages, list):
        raise toml_error(path, "'package' is not an array of tables")
    lines = array_table_lines(text, "package")
    direct: dict[str, str] = {}
    for package in packages:
        if isinstance(package, Mapping) and _source_kind(package) in _ROOT_KINDS:
            _root_names(package, direct)
    result = LockResult()
    seen: set[tuple[str, str]] = set()
    for index, package in enumerate(packages):
        line = lines[index] if index < len(lines) else None
        if not isinstance(package, Mapping):
            raise toml_error(path, "a [[package]] entry is not a table", line)
        name, version = package.get("name"), package.get("version")
        if not isinstance(name, str):
            raise toml_error(path, "a [[package]] entry has no name", line)
        kind = _source_kind(package)
        if kind in _ROOT_KINDS:
            continue
        if kind in _LOCAL_KINDS or not isinstance(version, str):
            result.notes.append(f"{path} line {line}: {name} from {kind or 'no index'} skipped")
            continue
        key = (canonicalize_name(name), version)
        if key in seen:
            continue
        seen.add(key)
        result.dependencies.append(Dependency(
            name=key[0],
            version=version,
            specifier=f"=={version}",
            source=path,
            line=line,
            direct=key[0] in direct,
            group=direct.get(key[0], ""),
            hashes=_hashes(package),
            upload_time=_upload_time(package),
        ))
    return result


def _source_kind(package: Mapping[str, Any]) -> str:
    source = package.get("source", {})
    if isinstance(source, Mapping):
        for kind in (*_ROOT_KINDS, *_LOCAL_KINDS, "registry"):
            if kind in source:
                return kind
    return ""


def _root_names(package: Mapping[str, Any], direct: dict[str, str]) -> None:
    """Record the names a root package depends on, with the group they come from."""
    tables: list[tuple[str, object]] = [("", package.get("dependencies", []))]
    for key in ("optional-dependencies", "dev-dependencies"):
        extra = package.get(key, {})
        if isinstance(extra, Mapping):
            tables.extend((str(group), entries) for group, entries in extra.items())
    for group, entries in tables:
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if isinstance(entry, Mapping) and isinstance(entry.get("name"), str):
                name = canonicalize_name(entry["name"])
                if name not in direct or (direct[name] and not group):
                    direct[name] = group


def _artifacts(package: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    sdist = package.get("sdist")
    if isinstance(sdist, Mapping):
        found.append(sdist)
    wheels = package.get("wheels", [])
    if isinstance(wheels, list):
        found.extend(wheel for wheel in wheels if isinstance(wheel, Mapping))
    return found


def _hashes(package: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(a["hash"]) for a in _artifacts(package) if isinstance(a.get("hash"), str))


def _upload_time(package: Mapping[str, Any]) -> datetime | None:
    sdist = package.get("sdist")
    if isinstance(sdist, Mapping):
        moment = parse_time(sdist.get("upload-time"))
        if moment is not None:
            return moment
    times = [parse_time(a.get("upload-time")) for a in _artifacts(package)]
    known = [moment for moment in times if moment is not None]
    return min(known) if known else None
