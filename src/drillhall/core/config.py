"""``drillhall.toml``: the service, its drills, its policy and its store, parsed once into
typed objects.

A wrong key, type or value raises :class:`~drillhall.errors.ConfigError` with one sentence
naming the file, the key and (where it can be found) the line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from drillhall.core.model import Severity
from drillhall.core.validation import describe_error
from drillhall.errors import ConfigError
from drillhall.governance.decisions import GovernanceSection

CONFIG_NAME = "drillhall.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ServiceSection(_Strict):
    name: str = Field(default="default", min_length=1, max_length=120)
    description: str = ""
    owner: str = ""


class StoreSection(_Strict):
    url: str | None = None


class RunSection(_Strict):
    timeout: float = Field(default=1800.0, gt=0, description="seconds each drill may take")
    formats: list[str] = Field(default_factory=lambda: ["table"])
    output_dir: str = ".drillhall/reports"


class MetricBound(_Strict):
    min: float | None = None
    max: float | None = None


def _severity(value: object) -> Severity:
    if isinstance(value, Severity):
        return value
    if not isinstance(value, str):
        raise ValueError("a severity must be a string such as 'high'")
    return Severity.parse(value)


SeverityValue = Annotated[Severity, BeforeValidator(_severity)]


class PolicySection(_Strict):
    fail_on: Severity | None = Severity.HIGH
    required: list[str] = Field(default_factory=list)
    max_severity: dict[str, SeverityValue] = Field(default_factory=dict)
    metrics: dict[str, MetricBound] = Field(default_factory=dict)
    allow_skipped: bool = True

    @field_validator("fail_on", mode="before")
    @classmethod
    def _fail_on(cls, value: object) -> Severity | None:
        if value is None or (isinstance(value, str) and value.strip().lower() == "none"):
            return None
        return _severity(value)

    @field_validator("metrics", mode="before")
    @classmethod
    def _metrics(cls, value: object) -> object:
        # "secrets.findings" = 0 is shorthand for { max = 0 }
        if isinstance(value, Mapping):
            return {
                k: {"max": v} if isinstance(v, int | float) and not isinstance(v, bool) else v
                for k, v in value.items()
            }
        return value


class ConfigFile(_Strict):
    service: ServiceSection = Field(default_factory=ServiceSection)
    store: StoreSection = Field(default_factory=StoreSection)
    run: RunSection = Field(default_factory=RunSection)
    policy: PolicySection = Field(default_factory=PolicySection)
    drills: dict[str, dict[str, Any]] = Field(default_factory=dict)
    governance: GovernanceSection | None = None


@dataclass(frozen=True)
class Config:
    """A loaded configuration. ``root`` is the directory holding drillhall.toml (or the
    current directory when there is none); drills resolve their paths against it."""

    root: Path
    source: Path | None
    service: ServiceSection = field(default_factory=ServiceSection)
    store: StoreSection = field(default_factory=StoreSection)
    run: RunSection = field(default_factory=RunSection)
    policy: PolicySection = field(default_factory=PolicySection)
    drills: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    governance: GovernanceSection | None = None

    @property
    def source_name(self) -> str:
        return str(self.source) if self.source else CONFIG_NAME


def find_config(start: Path) -> Path | None:
    """The nearest drillhall.toml in ``start`` or its parents."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def default_config(root: Path) -> Config:
    return Config(root=root.resolve(), source=None)


def _line_of(text: str, section: str, key: str) -> int | None:
    """Best-effort line number of ``key`` inside ``[section]`` (for error messages)."""
    lines = text.splitlines()
    in_section = not section
    head = re.compile(r"^\s*\[+\s*([^\]]+?)\s*\]+")
    keyre = re.compile(r'^\s*"?' + re.escape(key) + r'"?\s*=')
    for number, line in enumerate(lines, start=1):
        m = head.match(line)
        if m:
            name = m.group(1).replace('"', "")
            in_section = name == section or name.startswith(section + ".") if section else False
            if section and name == section and not key:
                return number
            continue
        if in_section and keyre.match(line):
            return number
    return None


def load_config(path: Path) -> Config:
    """Parse and validate a drillhall.toml."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such configuration file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    try:
        parsed = ConfigFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(p) for p in err.get("loc", ())]
        section = loc[0] if loc else ""
        key = loc[-1] if len(loc) > 1 else ""
        # nested tables such as policy.metrics."x".max: the section is everything but the key
        line = _line_of(text, ".".join(loc[:-1]) if len(loc) > 2 else section, key)
        where = f"{path}:{line}" if line else str(path)
        raise ConfigError(describe_error(exc, source=where)) from None
    return Config(
        root=path.parent.resolve(),
        source=path,
        service=parsed.service,
        store=parsed.store,
        run=parsed.run,
        policy=parsed.policy,
        drills=parsed.drills,
        governance=parsed.governance,
    )


def load_or_default(explicit: Path | None, cwd: Path) -> Config:
    """``--config FILE`` if given, else the nearest drillhall.toml, else defaults for ``cwd``."""
    if explicit is not None:
        return load_config(explicit)
    found = find_config(cwd)
    return load_config(found) if found else default_config(cwd)
