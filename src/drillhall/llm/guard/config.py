"""The guard's settings (``GuardConfig``) and building its scanners from them.

The settings come from ``[drills.guard]`` in drillhall.toml (:func:`from_drillhall`) or from a
separate TOML or JSON file (:func:`load_guard_config`) and are shared by ``drillhall llm guard
scan``, the guard proxy and the library (:mod:`drillhall.llm.guard.api`)::

    [drills.guard]
    fail_closed = true                      # a scanner that raises blocks the text

    [drills.guard.input.prompt-injection]
    action = "block"                        # block | redact | log
    threshold = 0.8                         # replaces the detector's calibrated threshold
    stages = ["lexical", "embedding"]       # the embedding stage needs drillhall[llm-embed]

    [drills.guard.input.banned]
    substrings = ["internal use only"]
    regexes = ['\\bproject\\s+falcon\\b']
    topics = { weapons = ["explosive", "detonator"] }

    [drills.guard.output.exfiltration]
    allowed_hosts = ["docs.example.com"]
    tool_arguments = true                   # also scan tool calls' arguments (the default)

Every key is checked (unknown keys are errors naming the key); :func:`build_scanners` turns a
:class:`GuardConfig` into the input and output scanner lists, in the order they run. The proxy
adds its own settings by subclassing :class:`GuardConfig`.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from drillhall.core.validation import parse_section
from drillhall.errors import ConfigError, InputError
from drillhall.llm.guard.scanners.base import Action, Scanner
from drillhall.pii.model import KINDS as PII_KINDS
from drillhall.pii.text import STRUCTURED_KINDS

if TYPE_CHECKING:
    from drillhall.core.config import Config

SECTION = "drills.guard"
PROXY_KEY = "proxy"
INPUT_SCANNERS: tuple[str, ...] = (
    "invisible-text", "token-limit", "banned", "prompt-injection", "secrets", "pii")
"""Input scanner names, in the order they run: the detector reads the text after invisible
characters are stripped but before secrets and personal data are masked."""
OUTPUT_SCANNERS: tuple[str, ...] = ("leak", "secrets", "pii", "exfiltration", "relevance")
"""Output scanner names, in the order they run."""


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    enabled: bool = True
    action: Action = Action.BLOCK


class PromptInjectionSettings(_Settings):
    """``prompt-injection``: the detector of :mod:`drillhall.llm.guard.detector`."""

    threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    stages: tuple[Literal["lexical", "embedding"], ...] = Field(
        default=("lexical",), min_length=1)


class SecretsSettings(_Settings):
    """``secrets``: credentials found by drillhall's secret rules."""

    action: Action = Action.REDACT


class PiiSettings(_Settings):
    """``pii``: personal data found by :mod:`drillhall.pii`, of the ``kinds`` listed, with a
    recogniser score of at least ``threshold``."""

    action: Action = Action.REDACT
    kinds: tuple[str, ...] = tuple(k for k in PII_KINDS if k in STRUCTURED_KINDS)
    threshold: float = Field(default=0.0, ge=0.0, le=1.0)

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, kinds: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [k for k in kinds if k not in PII_KINDS]
        if unknown:
            raise ValueError(f"unknown personal-data kind {unknown[0]!r} (known: "
                             f"{', '.join(PII_KINDS)})")
        return kinds


class InvisibleTextSettings(_Settings):
    """``invisible-text``: tag characters, zero-width and bidi controls; ``redact`` strips
    them."""

    action: Action = Action.REDACT


class TokenLimitSettings(_Settings):
    """``token-limit``: texts estimated longer than ``max_tokens``; ``redact`` truncates."""

    max_tokens: int = Field(default=4096, ge=1)


class BannedSettings(_Settings):
    """``banned``: substrings, regular expressions and topics (keyword lists), all
    case-insensitive. With nothing listed the scanner is not built."""

    substrings: tuple[str, ...] = ()
    regexes: tuple[str, ...] = ()
    topics: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @field_validator("substrings")
    @classmethod
    def _non_empty(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        if any(not v.strip() for v in values):
            raise ValueError("an empty banned substring would match every text")
        return values

    @field_validator("regexes")
    @classmethod
    def _compiles(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        for value in values:
            try:
                pattern = re.compile(value, re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"regex {value!r} does not compile ({exc})") from None
            if pattern.search(""):
                raise ValueError(f"regex {value!r} matches the empty string")
        return values

    @field_validator("topics")
    @classmethod
    def _keywords(cls, topics: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for name, words in topics.items():
            if not words or any(not w.strip() for w in words):
                raise ValueError(f"topic {name!r} needs a non-empty list of non-empty keywords")
        return topics

    @property
    def empty(self) -> bool:
        """True when nothing is banned."""
        return not (self.substrings or self.regexes or self.topics)


class _ToolArguments(BaseModel):
    tool_arguments: bool = True
    """Also scan the arguments of the tool calls in answers (the guard proxy), with the same
    action."""


class OutputSecretsSettings(SecretsSettings, _ToolArguments):
    """``secrets`` on answers: as on prompts, and in tool calls' arguments."""


class OutputPiiSettings(PiiSettings, _ToolArguments):
    """``pii`` on answers: as on prompts, and in tool calls' arguments."""


class LeakSettings(_Settings, _ToolArguments):
    """``leak``: the answer reproduces the system prompt or contains a canary. ``canaries``
    and ``system_prompt`` add to what each request's context gives."""

    canaries: tuple[str, ...] = ()
    system_prompt: str | None = None


class ExfiltrationSettings(_Settings, _ToolArguments):
    """``exfiltration``: markdown or HTML images and links to hosts outside
    ``allowed_hosts`` (sub-domains included); ``redact`` neutralises the URLs. In tool calls'
    arguments every URL outside ``allowed_hosts`` counts, bare ones too."""

    action: Action = Action.REDACT
    allowed_hosts: tuple[str, ...] = ()


class RelevanceSettings(_Settings):
    """``relevance`` (off by default): the answer shares less than ``threshold`` of the
    prompt's content words."""

    enabled: bool = False
    action: Action = Action.LOG
    threshold: float = Field(default=0.1, ge=0.0, le=1.0)
    min_prompt_words: int = Field(default=3, ge=1)


class InputScanners(BaseModel):
    """``[drills.guard.input.*]``: one table per input scanner."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    prompt_injection: PromptInjectionSettings = Field(
        default_factory=PromptInjectionSettings, alias="prompt-injection")
    secrets: SecretsSettings = Field(default_factory=SecretsSettings)
    pii: PiiSettings = Field(default_factory=PiiSettings)
    invisible_text: InvisibleTextSettings = Field(
        default_factory=InvisibleTextSettings, alias="invisible-text")
    token_limit: TokenLimitSettings = Field(default_factory=TokenLimitSettings,
                                            alias="token-limit")
    banned: BannedSettings = Field(default_factory=BannedSettings)


class OutputScanners(BaseModel):
    """``[drills.guard.output.*]``: one table per output scanner."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    leak: LeakSettings = Field(default_factory=LeakSettings)
    secrets: OutputSecretsSettings = Field(default_factory=OutputSecretsSettings)
    pii: OutputPiiSettings = Field(default_factory=OutputPiiSettings)
    exfiltration: ExfiltrationSettings = Field(default_factory=ExfiltrationSettings)
    relevance: RelevanceSettings = Field(default_factory=RelevanceSettings)


class GuardConfig(BaseModel):
    """The guard's settings: per-scanner ``enabled`` / ``action`` / thresholds, and the
    failure policy (``fail_closed``: a scanner that raises blocks the text; with ``false`` the
    failure is logged and the text goes on)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    fail_closed: bool = True
    input: InputScanners = Field(default_factory=InputScanners)
    output: OutputScanners = Field(default_factory=OutputScanners)

    def with_threshold(self, threshold: float | None) -> GuardConfig:
        """A copy whose prompt-injection threshold is ``threshold`` (``None``: unchanged)."""
        if threshold is None:
            return self
        if not 0.0 <= threshold <= 1.0:
            raise ConfigError(f"--threshold {threshold!r} is not between 0 and 1")
        injection = self.input.prompt_injection.model_copy(update={"threshold": threshold})
        return self.model_copy(update={
            "input": self.input.model_copy(update={"prompt_injection": injection})})


def parse_guard_config(data: Mapping[str, Any], *, source: str,
                       section: str = SECTION) -> GuardConfig:
    """Validate a ``[drills.guard]`` table (raises :class:`ConfigError` naming the key). A
    ``proxy`` table belongs to the guard proxy, which validates it, and is skipped here."""
    return parse_section(GuardConfig, {k: v for k, v in data.items() if k != PROXY_KEY},
                         source=source, section=section)


def from_drillhall(config: Config) -> GuardConfig:
    """The ``[drills.guard]`` table of a loaded drillhall.toml (defaults when absent)."""
    return parse_guard_config(config.drills.get("guard", {}), source=config.source_name)


def load_guard_config(path: Path) -> GuardConfig:
    """Read guard settings from a TOML or JSON file (``.json`` is JSON, anything else TOML).
    The file holds the :class:`GuardConfig` keys at its top level, or under ``[guard]``; a
    ``[proxy]`` table (the proxy's own settings) may sit beside them."""
    try:
        raw = path.read_text("utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the guard settings "
                         f"({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: the guard settings are not UTF-8 text") from None
    try:
        data: Any = json.loads(raw) if path.suffix.lower() == ".json" else tomllib.loads(raw)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the guard settings must be a table of keys")
    section = ""
    if set(data) - {PROXY_KEY} == {"guard"} and isinstance(data["guard"], dict):
        data, section = data["guard"], "guard"
    return parse_guard_config(data, source=str(path), section=section)


def build_scanners(config: GuardConfig) -> tuple[list[Scanner], list[Scanner]]:
    """The enabled input and output scanners, in the order they run (see
    :data:`INPUT_SCANNERS` and :data:`OUTPUT_SCANNERS`). Each carries its configured
    ``action``. Loads the detector's weights, so build once and share: the scanners are
    safe to call from many threads."""
    from drillhall.llm.guard.scanners.banned import BannedScanner
    from drillhall.llm.guard.scanners.exfiltration import ExfiltrationScanner
    from drillhall.llm.guard.scanners.injection import PromptInjectionScanner
    from drillhall.llm.guard.scanners.invisible import InvisibleTextScanner
    from drillhall.llm.guard.scanners.leak import LeakScanner
    from drillhall.llm.guard.scanners.relevance import RelevanceScanner
    from drillhall.llm.guard.scanners.sensitive import PiiScanner, SecretsScanner
    from drillhall.llm.guard.scanners.tokens import TokenLimitScanner

    i, o = config.input, config.output
    inputs: list[Scanner] = []
    if i.invisible_text.enabled:
        inputs.append(InvisibleTextScanner(action=i.invisible_text.action))
    if i.token_limit.enabled:
        inputs.append(TokenLimitScanner(i.token_limit.max_tokens, action=i.token_limit.action))
    if i.banned.enabled and not i.banned.empty:
        inputs.append(BannedScanner(i.banned.substrings, i.banned.regexes, i.banned.topics,
                                    action=i.banned.action))
    if i.prompt_injection.enabled:
        inputs.append(PromptInjectionScanner.load(
            i.prompt_injection.stages, threshold=i.prompt_injection.threshold,
            action=i.prompt_injection.action))
    if i.secrets.enabled:
        inputs.append(SecretsScanner(("input",), action=i.secrets.action))
    if i.pii.enabled:
        inputs.append(PiiScanner(i.pii.kinds, threshold=i.pii.threshold, directions=("input",),
                                 action=i.pii.action))
    outputs: list[Scanner] = []
    if o.leak.enabled:
        outputs.append(LeakScanner(canaries=o.leak.canaries, system_prompt=o.leak.system_prompt,
                                   action=o.leak.action, tool_arguments=o.leak.tool_arguments))
    if o.secrets.enabled:
        outputs.append(SecretsScanner(("output",), action=o.secrets.action,
                                      tool_arguments=o.secrets.tool_arguments))
    if o.pii.enabled:
        outputs.append(PiiScanner(o.pii.kinds, threshold=o.pii.threshold,
                                  directions=("output",), action=o.pii.action,
                                  tool_arguments=o.pii.tool_arguments))
    if o.exfiltration.enabled:
        outputs.append(ExfiltrationScanner(o.exfiltration.allowed_hosts,
                                           action=o.exfiltration.action,
                                           tool_arguments=o.exfiltration.tool_arguments))
    if o.relevance.enabled:
        outputs.append(RelevanceScanner(o.relevance.threshold,
                                        min_prompt_words=o.relevance.min_prompt_words,
                                        action=o.relevance.action))
    return inputs, outputs


__all__ = [
    "INPUT_SCANNERS", "OUTPUT_SCANNERS", "BannedSettings", "ExfiltrationSettings",
    "GuardConfig", "InputScanners", "InvisibleTextSettings", "LeakSettings",
    "OutputPiiSettings", "OutputScanners", "OutputSecretsSettings", "PiiSettings",
    "PromptInjectionSettings", "RelevanceSettings", "SecretsSettings",
    "TokenLimitSettings", "build_scanners", "from_drillhall", "load_guard_config",
    "parse_guard_config",
]
