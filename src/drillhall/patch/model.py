"""Types shared by the dependency sources, the advisory databases, the package index client
and the patch drills. Plain frozen dataclasses; parsing happens at the edges."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from drillhall.core.model import Severity


@dataclass(frozen=True, slots=True)
class Dependency:
    """One dependency as a manifest or lockfile declares it.

    ``name`` is the PEP 503 normalised name; ``version`` the exact version in use when the
    source pins or locks it (``None`` for a bare range); ``specifier`` the declared range as
    written (``">=2.0,<3"``, ``"==2.31.0"``, ``""``); ``source``/``line`` where it is declared
    (``line`` 1-based, ``None`` when the format has no useful line); ``direct`` is False for a
    transitive dependency that a lockfile records; ``group`` names an optional group or extra
    (``"dev"``) or is empty for the main dependencies.
    """

    name: str
    version: str | None
    specifier: str
    source: Path
    line: int | None = None
    direct: bool = True
    group: str = ""
    extras: tuple[str, ...] = ()
    marker: str = ""
    hashes: tuple[str, ...] = ()
    upload_time: datetime | None = None
    """Upload time of the locked version when the lockfile records it (uv.lock does)."""


@dataclass(frozen=True, slots=True)
class BaseImage:
    """A ``FROM`` line of a Dockerfile."""

    image: str
    tag: str
    source: Path
    line: int
    python: str | None = None
    """The Python minor version the tag implies (``"3.8"`` for ``python:3.8-slim``)."""


@dataclass(frozen=True, slots=True)
class Inventory:
    """Everything a project's sources declare."""

    dependencies: tuple[Dependency, ...] = ()
    images: tuple[BaseImage, ...] = ()
    sources: tuple[Path, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Advisory:
    """One vulnerability record, aliases merged (a CVE and its GHSA/PYSEC twins are one).

    ``fixed`` lists the versions that fix it for the package it was matched against, lowest
    first (empty when no fix exists).
    """

    id: str
    aliases: tuple[str, ...]
    summary: str
    severity: Severity
    package: str
    fixed: tuple[str, ...] = ()
    cvss: str | None = None
    published: datetime | None = None
    url: str | None = None

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)


@dataclass(frozen=True, slots=True)
class Release:
    """One released version of a package on an index."""

    version: str
    upload_time: datetime | None
    yanked: bool = False
    requires_python: str | None = None
    prerelease: bool = False
    files: int = 0


@dataclass(frozen=True, slots=True)
class PackageInfo:
    """What the index knows of a package."""

    name: str
    releases: tuple[Release, ...] = field(default_factory=tuple)
