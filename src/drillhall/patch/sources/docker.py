"""Dockerfile ``FROM`` lines and the end-of-life dates of Python releases.

Rules:

* Continuation lines (``\\``) are joined and ``#`` comment lines dropped; ``line`` is the first
  physical line of the ``FROM`` instruction.
* ``ARG NAME=default`` before the first ``FROM`` is substituted in ``FROM`` lines (``$NAME``,
  ``${NAME}``, ``${NAME:-default}``); an image still holding ``$`` afterwards is noted and
  skipped.
* ``--platform=...`` is ignored; ``AS name`` names a stage, and a ``FROM`` that refers to an
  earlier stage (or ``scratch``) is not a base image.
* The tag is the part after the last ``:`` of the last path segment (``latest`` when absent;
  a digest-only reference has the tag ``""``).
* ``python`` is the minor version implied by ``python:3.X...`` tags, or by a tag of any image
  containing ``python3.X`` (``uv:python3.12-bookworm``).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from drillhall.patch.model import BaseImage
from drillhall.patch.sources._common import read_text

_EOL: dict[str, tuple[int, int, int | None]] = {
    "2.7": (2020, 1, 1),
    "3.6": (2021, 12, 23),
    "3.7": (2023, 6, 27),
    "3.8": (2024, 10, 7),
    "3.9": (2025, 10, 31),
    "3.10": (2026, 10, None),
    "3.11": (2027, 10, None),
    "3.12": (2028, 10, None),
    "3.13": (2029, 10, None),
    "3.14": (2030, 10, None),
}
_VAR = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)")
_PY_TAG = re.compile(r"^(\d+)\.(\d+)(?!\d)")
_PY_IN_TAG = re.compile(r"(?:^|[-_.])python(\d)\.(\d+)(?!\d)")


def python_eol(minor: str) -> date | None:
    """The end-of-life date of Python ``minor`` (``"3.9"``); ``None`` when unknown.

    Where only the month is scheduled, the last day of that month is used.
    """
    known = _EOL.get(minor.strip())
    if known is None:
        return None
    year, month, day = known
    return date(year, month, day or calendar.monthrange(year, month)[1])


@dataclass
class DockerResult:
    """Base images and notes from one Dockerfile."""

    images: list[BaseImage] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def instructions(text: str) -> list[tuple[int, str]]:
    """``(first physical line, instruction)`` with continuations joined and comments dropped."""
    result: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped.startswith("#"):
            continue
        if not pending:
            if not stripped:
                continue
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].strip())
            continue
        pending.append(stripped)
        result.append((start, " ".join(part for part in pending if part)))
        pending = []
    if pending:
        result.append((start, " ".join(part for part in pending if part)))
    return result


def parse_dockerfile(path: Path) -> DockerResult:
    """Every external base image the ``FROM`` lines of ``path`` name."""
    result = DockerResult()
    args: dict[str, str] = {}
    stages: set[str] = set()
    seen_from = False
    for line, instruction in instructions(read_text(path)):
        keyword, _, rest = instruction.partition(" ")
        keyword = keyword.upper()
        if keyword == "ARG" and not seen_from:
            for word in rest.split():
                name, has_default, default = word.partition("=")
                args[name] = default.strip("\"'") if has_default else args.get(name, "")
        elif keyword == "FROM":
            seen_from = True
            _from(path, line, rest, args, stages, result)
    return result


def _substitute(text: str, args: dict[str, str]) -> str:
    def value(found: re.Match[str]) -> str:
        name = found.group(1) or found.group(3)
        current = args.get(name, "")
        if current:
            return current
        if found.group(2) is not None:
            return found.group(2)
        return found.group(0)

    return _VAR.sub(value, text)


def _from(
    path: Path, line: int, rest: str, args: dict[str, str], stages: set[str],
    result: DockerResult,
) -> None:
    words = [w for w in rest.split() if not w.startswith("--")]
    if not words:
        result.notes.append(f"{path} line {line}: FROM without an image")
        return
    reference = _substitute(words[0], args)
    if len(words) >= 3 and words[1].lower() == "as":
        stages.add(words[2].lower())
    if reference.lower() in stages or reference.lower() == "scratch":
        return
    if "$" in reference:
        result.notes.append(f"{path} line {line}: image {reference!r} has an unresolved variable")
        return
    image, tag = split_reference(reference)
    result.images.append(BaseImage(image=image, tag=tag, source=path, line=line,
                                   python=python_minor(image, tag)))


def split_reference(reference: str) -> tuple[str, str]:
    """``(image, tag)`` of an image reference; a digest follows the tag after ``@``."""
    name, at, digest = reference.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        return name[:colon], name[colon + 1:]
    return name, "" if at and digest else "latest"


def python_minor(image: str, tag: str) -> str | None:
    """The Python minor version an image tag implies, if any."""
    if image.rsplit("/", 1)[-1] == "python":
        found = _PY_TAG.match(tag)
        if found:
            return f"{found.group(1)}.{found.group(2)}"
    found = _PY_IN_TAG.search(tag)
    return f"{found.group(1)}.{found.group(2)}" if found else None
