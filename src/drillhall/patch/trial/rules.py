"""Rules of the patch trial drill (``patch-drill``)."""

from __future__ import annotations

from drillhall.core.model import Severity
from drillhall.core.rules import RuleInfo

UPGRADE_BREAKS = "DH-PATCH-UPGRADE-BREAKS"
UPGRADE_READY = "DH-PATCH-UPGRADE-READY"

RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        UPGRADE_BREAKS, "Upgrade breaks the project's tests",
        "Installing the newer version of a dependency in a throwaway copy of the project made "
        "its test suite fail (or the install itself failed); the failing tests are listed.",
        "Read the dependency's changelog for the failing behaviour, adapt the code or pin "
        "below the breaking version, and run the drill again; a security fix should not wait.",
        Severity.MEDIUM, ("CWE-1104",)),
    RuleInfo(
        UPGRADE_READY, "Upgrade passes the project's tests",
        "The newer version of a dependency installed cleanly in a throwaway copy of the "
        "project and its test suite passed.",
        "Apply it (drillhall patch drill --apply) and ship it while it is a small change.",
        Severity.LOW, ("CWE-1104",)),
)
