"""Pydantic models for OSV records: the boundary where advisory JSON comes in.

Only the fields drillhall reads are typed; unknown fields are ignored so that newer schema
versions still parse. Use :func:`parse_record` to turn a decoded JSON object into an
:class:`OsvRecord`; it raises :class:`ValueError` on a record that does not fit the schema.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class OsvSeverity(_Model):
    """One ``severity`` entry: ``type`` is ``CVSS_V3``, ``CVSS_V4``, ``CVSS_V2``, …"""

    type: str
    score: str


class OsvPackage(_Model):
    """The package an ``affected`` entry is about."""

    ecosystem: str = ""
    name: str = ""
    purl: str | None = None


class OsvEvent(_Model):
    """One range event; exactly one of the four fields is expected to be set."""

    introduced: str | None = None
    fixed: str | None = None
    last_affected: str | None = None
    limit: str | None = None


class OsvRange(_Model):
    """One range of an ``affected`` entry: ``ECOSYSTEM``, ``SEMVER`` or ``GIT``."""

    type: str
    repo: str | None = None
    events: tuple[OsvEvent, ...] = ()


class OsvAffected(_Model):
    """One ``affected`` entry: a package, its ranges and its explicit versions."""

    package: OsvPackage = Field(default_factory=OsvPackage)
    ranges: tuple[OsvRange, ...] = ()
    versions: tuple[str, ...] = ()
    severity: tuple[OsvSeverity, ...] = ()
    database_specific: dict[str, Any] | None = None
    ecosystem_specific: dict[str, Any] | None = None


class OsvReference(_Model):
    """A link: ``type`` is ``ADVISORY``, ``WEB``, ``FIX``, ``PACKAGE``, …"""

    type: str = ""
    url: str = ""


class OsvRecord(_Model):
    """One OSV vulnerability record."""

    id: str
    modified: datetime | None = None
    published: datetime | None = None
    withdrawn: datetime | None = None
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    summary: str = ""
    details: str = ""
    severity: tuple[OsvSeverity, ...] = ()
    affected: tuple[OsvAffected, ...] = ()
    references: tuple[OsvReference, ...] = ()
    database_specific: dict[str, Any] | None = None

    @property
    def ids(self) -> tuple[str, ...]:
        """The record's own id followed by its aliases."""
        return (self.id, *self.aliases)


def parse_record(data: object) -> OsvRecord:
    """Validate one decoded OSV JSON object; ``ValueError`` names the first problem."""
    try:
        return OsvRecord.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "record"
        raise ValueError(f"not an OSV record ({where}: {first['msg']})") from None
