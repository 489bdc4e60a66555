"""The exceptions drillhall raises.

Every error a user can cause or meet derives from :class:`DrillhallError`; the command line
catches only that class, prints :meth:`DrillhallError.diagnostics` as one sentence and exits 2.
Anything else escaping is a bug and is shown with its traceback.

::

    DrillhallError
    ├── ConfigError        drillhall.toml, allowlists, baselines, command-line values
    ├── InputError         a file or archive to scan cannot be read at all
    ├── DrillError         a drill could not do its work (wrapped into an ``error`` result)
    ├── StoreError         the history store cannot be opened, migrated or queried
    ├── ReportError        a report cannot be rendered or written
    ├── DemoServiceError   the bundled demo service cannot start (drillhall.demo)
    ├── TargetError        an LLM or HTTP target cannot be reached or answers garbage
    ├── FaultError         a chaos fault cannot be injected or reverted
    └── DependencyMissing  an optional extra is not installed (carries the pip hint)
"""

from __future__ import annotations


class DrillhallError(Exception):
    """Root of drillhall's exceptions. ``str(err)`` is one sentence for the user."""

    def diagnostics(self) -> str:
        """One sentence naming what is at fault and, where known, how to fix it."""
        text = str(self).strip() or type(self).__name__
        return text if text.endswith((".", "?", "!")) else text + "."


class ConfigError(DrillhallError):
    """drillhall.toml, an allowlist, a baseline or a command-line value is wrong."""


class InputError(DrillhallError):
    """An input path cannot be read (missing, unreadable, not the expected kind)."""


class DrillError(DrillhallError):
    """A drill could not complete its work."""


class StoreError(DrillhallError):
    """The history store cannot be opened, migrated or queried."""


class ReportError(DrillhallError):
    """A report cannot be rendered or written."""


class TargetError(DrillhallError):
    """An LLM or HTTP target cannot be reached, refuses the request or answers garbage."""


class FaultError(DrillhallError):
    """A chaos fault cannot be injected or reverted."""


class DependencyMissing(DrillhallError):
    """An optional dependency is not installed."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"this needs the optional package {package!r}; install it with "
            f"pip install 'drillhall[{extra}]'"
        )
        self.package = package
        self.extra = extra
