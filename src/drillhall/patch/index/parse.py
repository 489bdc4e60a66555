"""Turn index responses into :class:`~drillhall.patch.model.PackageInfo`.

Two shapes are read: the PEP 691 JSON simple API (``files[]`` with ``filename``,
``upload-time`` from PEP 700, ``yanked`` and ``requires-python``; ``versions`` from PEP 700 when
the index sends it) and the Warehouse JSON API (``/pypi/NAME/json``, ``releases`` keyed by
version). Pydantic checks the outside data once; everything returned is plain frozen types.

A release gathers the files of one version: its ``upload_time`` is the earliest file upload
(when the version was first published), it is ``yanked`` only when every file is yanked (PEP 592
yanks files; a release with one unyanked file is still installable), and ``requires_python`` is
taken from the first file that states one. Versions that :mod:`packaging` cannot parse are
dropped with a note, as are file names that are neither wheels nor sdists of the package.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from drillhall.patch.model import PackageInfo, Release

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"

_OTHER_DIST = re.compile(r"\.(?:tar\.bz2|tar\.xz|tgz|tbz|egg|exe|msi|rpm|dmg)$", re.IGNORECASE)


class ParseError(ValueError):
    """A response body is not the expected JSON shape (the message says what is wrong)."""


class _SimpleFile(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    filename: str
    upload_time: datetime | None = Field(default=None, alias="upload-time")
    yanked: bool | str = False
    requires_python: str | None = Field(default=None, alias="requires-python")


class _SimpleProject(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str
    files: list[_SimpleFile] = Field(default_factory=list)
    versions: list[str] | None = None


class _JsonFile(BaseModel):
    model_config = ConfigDict(extra="ignore")

    filename: str = ""
    upload_time_iso_8601: datetime | None = None
    upload_time: datetime | None = None
    yanked: bool = False
    requires_python: str | None = None


class _JsonInfo(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str


class _JsonProject(BaseModel):
    model_config = ConfigDict(extra="ignore")

    info: _JsonInfo
    releases: dict[str, list[_JsonFile]] = Field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed response: the package and what was dropped or odd about it."""

    info: PackageInfo
    notes: tuple[str, ...] = ()
    missing_upload_times: bool = False
    """True when files exist but none carries an upload time (an index without PEP 700)."""


@dataclass(frozen=True, slots=True)
class _File:
    version: str
    upload_time: datetime | None
    yanked: bool
    requires_python: str | None


def _utc(when: datetime | None) -> datetime | None:
    if when is None:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def file_version(filename: str, name: str) -> str | None:
    """The version in a distribution file name, or ``None`` when the name is not a wheel or an
    sdist of ``name`` (wheel and sdist rules of :mod:`packaging`; legacy archive suffixes by a
    ``{name}-{version}`` prefix match)."""
    canonical = canonicalize_name(name)
    try:
        if filename.endswith(".whl"):
            wheel_name, version, _build, _tags = parse_wheel_filename(filename)
            return str(version) if wheel_name == canonical else None
        if filename.endswith((".tar.gz", ".zip")):
            sdist_name, version = parse_sdist_filename(filename)
            return str(version) if sdist_name == canonical else None
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None
    match = _OTHER_DIST.search(filename)
    if match is None:
        return None
    stem = filename[: match.start()]
    if filename.lower().endswith(".egg"):  # name-version-pyX.Y[-platform]
        parts = stem.split("-")
        head, tail = parts[0], parts[1] if len(parts) > 1 else ""
    else:
        head, _, tail = stem.rpartition("-")
    if not head or canonicalize_name(head) != canonical:
        return None
    try:
        return str(Version(tail))
    except InvalidVersion:
        return None


def _release(version: str, files: list[_File]) -> Release:
    times = [f.upload_time for f in files if f.upload_time is not None]
    requires = next((f.requires_python for f in files if f.requires_python), None)
    return Release(
        version=version,
        upload_time=min(times) if times else None,
        yanked=bool(files) and all(f.yanked for f in files),
        requires_python=requires,
        prerelease=Version(version).is_prerelease,
        files=len(files),
    )


def _build(name: str, versions: Iterable[str], files: list[_File],
           notes: list[str]) -> PackageInfo:
    by_version: dict[str, list[_File]] = {}
    bad: list[str] = []
    for raw in versions:
        try:
            by_version.setdefault(str(Version(raw)), [])
        except InvalidVersion:
            bad.append(raw)
    for f in files:
        by_version.setdefault(f.version, []).append(f)
    if bad:
        notes.append(f"{name}: ignored {len(bad)} version(s) that are not PEP 440 "
                     f"(e.g. {bad[0]!r})")
    ordered = sorted(by_version, key=Version)
    return PackageInfo(name=name, releases=tuple(_release(v, by_version[v]) for v in ordered))


def parse_simple(body: bytes | str, name: str) -> Parsed:
    """Parse a PEP 691 JSON project page for ``name``."""
    try:
        project = _SimpleProject.model_validate_json(body)
    except ValidationError as exc:
        raise ParseError(f"the simple API page for {name!r} is not PEP 691 JSON "
                         f"({exc.error_count()} problem(s))") from None
    canonical = canonicalize_name(project.name or name)
    notes: list[str] = []
    files: list[_File] = []
    unparsed = 0
    for f in project.files:
        version = file_version(f.filename, canonical)
        if version is None:
            unparsed += 1
            continue
        files.append(_File(version, _utc(f.upload_time), f.yanked is not False,
                           f.requires_python or None))
    if unparsed:
        notes.append(f"{canonical}: ignored {unparsed} file(s) whose names are not a wheel or "
                     f"an sdist of the package")
    missing = bool(files) and all(f.upload_time is None for f in files)
    info = _build(canonical, project.versions or (), files, notes)
    return Parsed(info=info, notes=tuple(notes), missing_upload_times=missing)


def parse_json_api(body: bytes | str, name: str) -> Parsed:
    """Parse a Warehouse JSON API document (``/pypi/NAME/json``)."""
    try:
        project = _JsonProject.model_validate_json(body)
    except ValidationError as exc:
        raise ParseError(f"the JSON API page for {name!r} is not the expected JSON "
                         f"({exc.error_count()} problem(s))") from None
    canonical = canonicalize_name(project.info.name or name)
    notes: list[str] = []
    files: list[_File] = []
    versions: list[str] = []
    for raw, entries in project.releases.items():
        try:
            version = str(Version(raw))
        except InvalidVersion:
            versions.append(raw)  # reported as not PEP 440 by _build
            continue
        versions.append(version)
        for f in entries:
            files.append(_File(version, _utc(f.upload_time_iso_8601 or f.upload_time),
                               f.yanked, f.requires_python or None))
    info = _build(canonical, versions, files, notes)
    missing = bool(files) and all(f.upload_time is None for f in files)
    return Parsed(info=info, notes=tuple(notes), missing_upload_times=missing)
