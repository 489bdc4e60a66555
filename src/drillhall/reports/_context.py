"""The closed set of report formats and what a report may show beyond the run itself."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from drillhall.core.model import RunSummary, Severity
from drillhall.core.rules import RuleInfo


class Format(StrEnum):
    """The output formats every findings-producing command accepts (``--format``)."""

    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"
    MARKDOWN = "markdown"
    HTML = "html"


@dataclass(frozen=True)
class ReportContext:
    """What a report may show beyond the run itself.

    ``rules`` documents rule ids (SARIF ``rules[]``, HTML help); ``history`` holds earlier runs
    of the same service, oldest first, for trends; ``fail_on`` is the severity threshold in
    force; ``root`` is the scanned directory (SARIF ``originalUriBaseIds``).
    """

    rules: Mapping[str, RuleInfo] = field(default_factory=dict)
    history: Sequence[RunSummary] = ()
    fail_on: Severity | None = None
    root: str | None = None
