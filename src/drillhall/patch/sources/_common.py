"""Helpers shared by the dependency source parsers: reading files, TOML with located errors,
PEP 508 strings turned into :class:`Dependency` values, and finding the line of a value."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from drillhall.errors import InputError
from drillhall.patch.model import Dependency

_TOML_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


def read_text(path: Path) -> str:
    """The text of ``path``; a missing, unreadable or non-UTF-8 file is an :class:`InputError`."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text (byte {exc.start})") from exc
    except OSError as exc:
        raise InputError(f"{path} cannot be read: {exc.strerror or exc}") from exc


def load_toml(path: Path) -> tuple[str, dict[str, Any]]:
    """The text and parsed table of a TOML file; a syntax error names the file and line."""
    text = read_text(path)
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _TOML_LINE.search(message)
        reason = _TOML_LINE.sub("", message).strip().rstrip(".")
        where = f" line {found.group(1)}" if found else ""
        raise InputError(f"{path}{where} is not valid TOML ({reason})") from exc


def toml_error(path: Path, what: str, line: int | None = None) -> InputError:
    """An :class:`InputError` for a TOML file whose structure is not the expected one."""
    where = f" line {line}" if line else ""
    return InputError(f"{path}{where}: {what}")


def pinned_version(specifier: str) -> str | None:
    """The exact version a specifier pins (``==1.2`` or ``===1.2``), else ``None``."""
    parts = [part.strip() for part in specifier.split(",") if part.strip()]
    if len(parts) != 1:
        return None
    part = parts[0]
    for operator in ("===", "=="):
        if part.startswith(operator):
            version = part[len(operator):].strip()
            return None if not version or "*" in version else version
    return None


def parse_requirement(text: str, path: Path, line: int | None) -> Requirement:
    """Parse one PEP 508 string; a malformed one is an :class:`InputError` naming file and line."""
    try:
        return Requirement(text)
    except InvalidRequirement as exc:
        where = f" line {line}" if line else ""
        reason = str(exc).splitlines()[0].rstrip(".")
        raise InputError(f"{path}{where}: invalid requirement {text!r} ({reason})") from exc


def dependency_from(
    req: Requirement,
    path: Path,
    line: int | None,
    *,
    group: str = "",
    hashes: tuple[str, ...] = (),
) -> Dependency:
    """A direct :class:`Dependency` for a parsed requirement without a URL."""
    specifier = str(req.specifier)
    return Dependency(
        name=canonicalize_name(req.name),
        version=pinned_version(specifier),
        specifier=specifier,
        source=path,
        line=line,
        group=group,
        extras=tuple(sorted(req.extras)),
        marker=str(req.marker) if req.marker is not None else "",
        hashes=hashes,
    )


def parse_time(value: object) -> datetime | None:
    """An aware datetime from an ISO string or TOML datetime; anything else is ``None``."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def line_of_offset(text: str, offset: int) -> int:
    """The 1-based line holding character ``offset``."""
    return text.count("\n", 0, offset) + 1


class StringLocator:
    """Finds the line of quoted strings in a file, each occurrence handed out once, in order."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._used: set[int] = set()

    def find(self, value: str, start: int = 0) -> int | None:
        """The line of the first unused ``"value"`` or ``'value'`` at or after ``start``."""
        best: int | None = None
        for quote in ('"', "'"):
            needle = f"{quote}{value}{quote}"
            at = self._text.find(needle, start)
            while at != -1 and at in self._used:
                at = self._text.find(needle, at + 1)
            if at != -1 and (best is None or at < best):
                best = at
        if best is None:
            return None
        self._used.add(best)
        return line_of_offset(self._text, best)


def header_offset(text: str, header: str) -> int:
    """The offset of a ``[table]`` header line (``0`` when it is not written as a header)."""
    found = re.search(rf"^[ \t]*\[\s*{header}\s*\]", text, re.MULTILINE)
    return found.start() if found else 0


def array_table_lines(text: str, header: str) -> list[int]:
    """The 1-based line of every ``[[header]]`` in the order written."""
    pattern = re.compile(rf"^[ \t]*\[\[\s*{re.escape(header)}\s*\]\][ \t]*(#.*)?$", re.MULTILINE)
    return [line_of_offset(text, found.start()) for found in pattern.finditer(text)]
