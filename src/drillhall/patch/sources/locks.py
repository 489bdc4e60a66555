"""``poetry.lock``, ``Pipfile.lock`` and PEP 751 ``pylock.toml``.

Rules:

* ``poetry.lock``: each ``[[package]]`` once (name/version). Group ``"dev"`` when the old
  ``category = "dev"`` says so or when ``groups`` does not contain ``"main"`` (then the first
  group). Direct means named in the ``pyproject.toml`` beside the lock; without one every
  package counts as direct and a note says so. git/path/url/directory packages are skipped.
* ``Pipfile.lock`` (JSON): ``default`` (group ``""``) and ``develop`` (group ``"dev"``) entries
  with ``"version": "==X"``; hashes and markers kept. Direct means named in the ``Pipfile``
  beside it (``[packages]``/``[dev-packages]``); without one, every package is direct (noted).
  Entries without a version (git, path, editable) are skipped with a note.
* ``pylock.toml``: each ``[[packages]]`` with a ``version``. When packages list
  ``dependencies``, those no other package depends on are direct; otherwise all are direct.
  ``upload_time`` from the sdist or the earliest wheel; hashes kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from drillhall.errors import InputError
from drillhall.patch.model import Dependency
from drillhall.patch.sources._common import (
    array_table_lines,
    line_of_offset,
    load_toml,
    parse_time,
    pinned_version,
    read_text,
    toml_error,
)
from drillhall.patch.sources.pyproject import declared_names
from drillhall.patch.sources.uvlock import LockResult

_LOCAL_KEYS = ("git", "path", "url", "directory", "file", "editable", "vcs", "archive")


def parse_poetry_lock(path: Path) -> LockResult:
    """Every package a ``poetry.lock`` records."""
    text, data = load_toml(path)
    packages = data.get("package", [])
    if not isinstance(packages, list):
        raise toml_error(path, "'package' is not an array of tables")
    lines = array_table_lines(text, "package")
    result = LockResult()
    pyproject = path.parent / "pyproject.toml"
    direct: set[str] | None = declared_names(pyproject) if pyproject.is_file() else None
    if direct is None:
        result.notes.append(f"{path}: no pyproject.toml beside it; every package counted direct")
    seen: set[tuple[str, str]] = set()
    for index, package in enumerate(packages):
        line = lines[index] if index < len(lines) else None
        name, version = _name_version(path, package, line)
        source = package.get("source", {})
        if isinstance(source, Mapping) and source.get("type") in _LOCAL_KEYS:
            result.notes.append(f"{path} line {line}: {name} from {source['type']} skipped")
            continue
        if (name, version) in seen:
            continue
        seen.add((name, version))
        group = _poetry_group(package)
        result.dependencies.append(Dependency(
            name=name, version=version, specifier=f"=={version}", source=path, line=line,
            direct=direct is None or name in direct, group=group,
            hashes=_file_hashes(package.get("files", [])),
        ))
    return result


def _name_version(path: Path, package: object, line: int | None) -> tuple[str, str]:
    if not isinstance(package, Mapping):
        raise toml_error(path, "a package entry is not a table", line)
    name, version = package.get("name"), package.get("version")
    if not isinstance(name, str) or not isinstance(version, str):
        raise toml_error(path, "a package entry lacks a name or version", line)
    return canonicalize_name(name), version


def _poetry_group(package: Mapping[str, Any]) -> str:
    groups = package.get("groups")
    if isinstance(groups, list) and groups:
        return "" if "main" in groups else str(groups[0])
    return "dev" if package.get("category") == "dev" else ""


def _file_hashes(files: object) -> tuple[str, ...]:
    if not isinstance(files, list):
        return ()
    return tuple(str(f["hash"]) for f in files if isinstance(f, Mapping) and "hash" in f)


def parse_pipfile_lock(path: Path) -> LockResult:
    """Every package a ``Pipfile.lock`` records."""
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} line {exc.lineno} is not valid JSON ({exc.msg})") from exc
    if not isinstance(data, Mapping):
        raise InputError(f"{path} is not a JSON object")
    result = LockResult()
    direct = _pipfile_names(path.parent / "Pipfile")
    if direct is None:
        result.notes.append(f"{path}: no Pipfile beside it; every package counted direct")
    seen: set[tuple[str, str]] = set()
    for section, group in (("default", ""), ("develop", "dev")):
        entries = data.get(section, {})
        if not isinstance(entries, Mapping):
            raise InputError(f"{path}: {section!r} is not a JSON object")
        for raw_name, entry in entries.items():
            line = _json_key_line(text, str(raw_name))
            name = canonicalize_name(str(raw_name))
            spec = entry.get("version", "") if isinstance(entry, Mapping) else ""
            version = pinned_version(spec) if isinstance(spec, str) else None
            if not isinstance(entry, Mapping) or version is None:
                result.notes.append(f"{path} line {line}: {name} has no pinned version; skipped")
                continue
            if (name, version) in seen:
                continue
            seen.add((name, version))
            hashes = entry.get("hashes", [])
            result.dependencies.append(Dependency(
                name=name, version=version, specifier=str(spec), source=path, line=line,
                direct=direct is None or name in direct, group=group,
                marker=str(entry.get("markers", "")),
                hashes=tuple(str(h) for h in hashes) if isinstance(hashes, list) else (),
            ))
    return result


def _pipfile_names(pipfile: Path) -> set[str] | None:
    if not pipfile.is_file():
        return None
    _, data = load_toml(pipfile)
    names: set[str] = set()
    for section in ("packages", "dev-packages"):
        table = data.get(section, {})
        if isinstance(table, Mapping):
            names.update(canonicalize_name(str(key)) for key in table)
    return names


def _json_key_line(text: str, key: str) -> int | None:
    found = re.search(rf'^\s*"{re.escape(key)}"\s*:\s*\{{', text, re.MULTILINE)
    return line_of_offset(text, found.start()) if found else None


def parse_pylock(path: Path) -> LockResult:
    """Every package a PEP 751 ``pylock.toml`` records with a version."""
    text, data = load_toml(path)
    packages = data.get("packages", [])
    if not isinstance(packages, list):
        raise toml_error(path, "'packages' is not an array of tables")
    lines = array_table_lines(text, "packages")
    required: set[str] = set()
    listed = False
    for package in packages:
        deps = package.get("dependencies") if isinstance(package, Mapping) else None
        if isinstance(deps, list):
            listed = True
            required.update(canonicalize_name(str(d["name"])) for d in deps
                            if isinstance(d, Mapping) and "name" in d)
    result = LockResult()
    seen: set[tuple[str, str]] = set()
    for index, package in enumerate(packages):
        line = lines[index] if index < len(lines) else None
        if not isinstance(package, Mapping) or not isinstance(package.get("name"), str):
            raise toml_error(path, "a [[packages]] entry has no name", line)
        name = canonicalize_name(package["name"])
        version = package.get("version")
        if not isinstance(version, str):
            result.notes.append(f"{path} line {line}: {name} has no version; skipped")
            continue
        if (name, version) in seen:
            continue
        seen.add((name, version))
        artifacts = _pylock_artifacts(package)
        result.dependencies.append(Dependency(
            name=name, version=version, specifier=f"=={version}", source=path, line=line,
            direct=not listed or name not in required,
            marker=str(package.get("marker", "")),
            hashes=tuple(f"{algo}:{digest}" for a in artifacts
                         for algo, digest in (a.get("hashes") or {}).items()),
            upload_time=_earliest(package, artifacts),
        ))
    return result


def _pylock_artifacts(package: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    if isinstance(package.get("sdist"), Mapping):
        found.append(package["sdist"])
    wheels = package.get("wheels", [])
    if isinstance(wheels, list):
        found.extend(w for w in wheels if isinstance(w, Mapping))
    return found


def _earliest(package: Mapping[str, Any], artifacts: list[Mapping[str, Any]]) -> datetime | None:
    sdist = package.get("sdist")
    if isinstance(sdist, Mapping) and parse_time(sdist.get("upload-time")) is not None:
        return parse_time(sdist.get("upload-time"))
    times = [t for t in (parse_time(a.get("upload-time")) for a in artifacts) if t is not None]
    return min(times) if times else None
