"""The allowlist: findings a team has reviewed and accepted, each with its reason.

A TOML file of ``[[allow]]`` entries; an entry matches a finding when every key it gives
matches (``rule`` and ``path`` are globs, ``*`` crossing directories)::

    [[allow]]
    rule = "DH-SECRET-JWT"
    path = "docs/*"
    reason = "sample tokens in the API guide, signed with a throwaway key"

    [[allow]]
    value_sha256 = "<64 hex digits: sha256 of the value>"
    reason = "public demo key, rate-limited"
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from drillhall.core.validation import parse_section
from drillhall.errors import ConfigError
from drillhall.ml.secrets.engine import Hit


class AllowEntry(BaseModel):
    """One ``[[allow]]`` entry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str | None = None
    path: str | None = None
    value_sha256: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{64}$")
    reason: str = Field(min_length=1)

    @model_validator(mode="after")
    def _needs_a_key(self) -> AllowEntry:
        if self.rule is None and self.path is None and self.value_sha256 is None:
            raise ValueError("an allow entry needs at least one of rule, path, value_sha256")
        return self

    def matches(self, hit: Hit) -> bool:
        """Whether this entry allows ``hit``."""
        f = hit.finding
        if self.rule is not None and not fnmatchcase(f.rule_id, self.rule):
            return False
        if self.path is not None and not fnmatchcase(f.location.path or "", self.path):
            return False
        return self.value_sha256 is None or self.value_sha256.lower() == hit.value_sha256


class _AllowFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allow: list[AllowEntry] = []


@dataclass(frozen=True, slots=True)
class Allowlist:
    """Parsed allowlist entries."""

    entries: tuple[AllowEntry, ...] = ()
    source: str = ""

    def allowing(self, hit: Hit) -> AllowEntry | None:
        """The first entry that allows ``hit``, if any."""
        return next((e for e in self.entries if e.matches(hit)), None)


def load_allowlist(path: Path) -> Allowlist:
    """Read and validate an allowlist; :class:`ConfigError` names the file and entry at fault."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"allowlist {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"allowlist {path}: cannot be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"allowlist {path}: invalid TOML ({exc})") from None
    parsed = parse_section(_AllowFile, data, source=f"allowlist {path}")
    return Allowlist(tuple(parsed.allow), str(path))
