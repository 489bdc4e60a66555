"""pip requirements files (``requirements*.txt`` and anything named explicitly).

Rules:

* Physical lines ending in ``\\`` are joined; a dependency's ``line`` is the first physical line.
* ``#`` at the start of a line or after whitespace starts a comment.
* ``-r``/``--requirement`` includes another requirements file, ``-c``/``--constraint`` a
  constraints file, both relative to the including file. Each file is read once per
  collection; an include that closes a cycle is skipped with a note.
* ``--hash=ALGO:DIGEST`` options are kept in ``Dependency.hashes``; markers are kept as text,
  extras sorted; ``name==version`` sets ``version``, any range leaves it ``None``.
* Editable, URL, VCS and local-path lines are skipped with a note (no index version to audit).
* ``--index-url``/``--extra-index-url`` lines are reported as notes (credentials masked);
  other global options are ignored.
* Constraints: entries of a constraints file are not dependencies. A constraint that pins
  ``name==version`` sets the version of every unpinned dependency of that name collected from
  the same top-level file (its includes too) when the pin satisfies the dependency's range;
  a pin outside the range is reported as a note and the dependency is left unpinned.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from drillhall.core.redact import mask
from drillhall.errors import InputError
from drillhall.patch.model import Dependency
from drillhall.patch.sources._common import (
    dependency_from,
    parse_requirement,
    pinned_version,
    read_text,
)

_COMMENT = re.compile(r"(^|\s+)#.*$")
_INCLUDE = {"-r": "r", "--requirement": "r", "-c": "c", "--constraint": "c"}
_INDEX = ("-i", "--index-url", "--extra-index-url")
_EDITABLE = ("-e", "--editable")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^(git|hg|svn|bzr)\+")
_LOCAL = re.compile(r"^(\.{1,2}(/|\\|$)|/|~)|\.(whl|zip|tar\.gz|tgz|tar\.bz2)$", re.IGNORECASE)
_PER_REQ = ("--hash", "--config-settings", "--global-option", "--install-option")


@dataclass
class RequirementsResult:
    """What one top-level requirements file (with its includes) declares."""

    dependencies: list[Dependency] = field(default_factory=list)
    sources: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def logical_lines(text: str) -> list[tuple[int, str]]:
    """``(first physical line, joined text)`` pairs with comments removed and blanks dropped."""
    result: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        if raw.endswith("\\") and not _COMMENT.search(raw):
            pending.append(raw[:-1])
            continue
        pending.append(raw)
        joined = _COMMENT.sub("", "".join(pending)).strip()
        pending = []
        if joined:
            result.append((start, joined))
    if pending:
        joined = _COMMENT.sub("", "".join(pending)).strip()
        if joined:
            result.append((start, joined))
    return result


def parse_requirements(path: Path, *, seen: set[Path] | None = None) -> RequirementsResult:
    """Read a requirements file and its includes; ``seen`` shares read files across calls."""
    state = _State(seen if seen is not None else set())
    state.read(path, stack=(), constraint=False)
    state.apply_constraints()
    return state.result


@dataclass
class _State:
    seen: set[Path]
    result: RequirementsResult = field(default_factory=RequirementsResult)
    constraints: list[tuple[Path, int, str, str]] = field(default_factory=list)

    def read(self, path: Path, stack: tuple[Path, ...], constraint: bool) -> None:
        key = path.resolve()
        if key in stack:
            chain = " -> ".join(p.name for p in (*stack, key))
            self.result.notes.append(f"{path}: include cycle skipped ({chain})")
            return
        if key in self.seen:
            return
        self.seen.add(key)
        self.result.sources.append(path)
        for line, text in logical_lines(read_text(path)):
            self._line(path, line, text, (*stack, key), constraint)

    def _line(
        self, path: Path, line: int, text: str, stack: tuple[Path, ...], constraint: bool
    ) -> None:
        words = text.split()
        first = words[0]
        option, _, value = first.partition("=")
        if option in _INCLUDE:
            target = value or (words[1] if len(words) > 1 else "")
            if not target:
                raise InputError(f"{path} line {line}: {option} needs a file name")
            self.read(path.parent / target, stack, constraint or _INCLUDE[option] == "c")
            return
        if option in _INDEX:
            target = value or (words[1] if len(words) > 1 else "")
            self.result.notes.append(f"{path} line {line}: {option} {safe_url(target)}")
            return
        if option in _EDITABLE:
            self.result.notes.append(f"{path} line {line}: editable requirement skipped")
            return
        if first.startswith("-"):
            return  # a global pip option (--pre, --no-binary, -f ...) does not name a package
        self._requirement(path, line, text, constraint)

    def _requirement(self, path: Path, line: int, text: str, constraint: bool) -> None:
        spec, hashes = _split_options(text, path, line)
        if _URL.search(spec) or _LOCAL.search(spec):
            self.result.notes.append(f"{path} line {line}: URL or local requirement skipped")
            return
        req = parse_requirement(spec, path, line)
        if req.url:
            self.result.notes.append(f"{path} line {line}: URL requirement {req.name} skipped")
            return
        if constraint:
            self.constraints.append((path, line, canonicalize_name(req.name), str(req.specifier)))
            return
        self.result.dependencies.append(dependency_from(req, path, line, hashes=hashes))

    def apply_constraints(self) -> None:
        pins: dict[str, tuple[Path, int, str]] = {}
        for path, line, name, specifier in self.constraints:
            version = pinned_version(specifier)
            if version is not None:
                pins.setdefault(name, (path, line, version))
        if not pins:
            return
        refined: list[Dependency] = []
        for dep in self.result.dependencies:
            pin = pins.get(dep.name)
            if pin is None or dep.version is not None:
                refined.append(dep)
                continue
            cpath, cline, version = pin
            if _allows(dep.specifier, version):
                refined.append(dataclasses.replace(dep, version=version))
            else:
                self.result.notes.append(
                    f"{cpath} line {cline}: constraint {dep.name}=={version} is outside "
                    f"{dep.specifier!r} declared in {dep.source} line {dep.line}"
                )
                refined.append(dep)
        self.result.dependencies = refined


def safe_url(url: str) -> str:
    """``url`` with any user name or password in it masked (private index URLs carry tokens)."""
    parts = urlsplit(url)
    userinfo, at, host = parts.netloc.rpartition("@")
    if not at:
        return url
    return urlunsplit(parts._replace(netloc=f"{mask(userinfo)}@{host}"))


def _allows(specifier: str, version: str) -> bool:
    try:
        return SpecifierSet(specifier).contains(version, prereleases=True)
    except InvalidSpecifier:
        return False


def _split_options(text: str, path: Path, line: int) -> tuple[str, tuple[str, ...]]:
    """Separate per-requirement options (``--hash`` ...) from the requirement text."""
    cut = len(text)
    for option in _PER_REQ:
        found = re.search(rf"(^|\s){re.escape(option)}(=|\s)", text)
        if found:
            cut = min(cut, found.start())
    spec, rest = text[:cut].strip(), text[cut:]
    hashes: list[str] = []
    words = rest.split()
    index = 0
    while index < len(words):
        word = words[index]
        if word.startswith("--hash="):
            hashes.append(word.removeprefix("--hash="))
        elif word == "--hash" and index + 1 < len(words):
            index += 1
            hashes.append(words[index])
        index += 1
    for digest in hashes:
        if ":" not in digest:
            raise InputError(f"{path} line {line}: --hash {digest!r} is not ALGO:DIGEST")
    if not spec:
        raise InputError(f"{path} line {line}: options without a requirement")
    return spec, tuple(hashes)
