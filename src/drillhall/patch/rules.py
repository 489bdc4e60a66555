"""Rules of the patch drills."""

from __future__ import annotations

from drillhall.core.model import Severity
from drillhall.core.rules import RuleInfo

VULNERABLE = "DH-PATCH-VULNERABLE"
EOL_RUNTIME = "DH-PATCH-EOL-RUNTIME"
STALE_IMAGE = "DH-PATCH-STALE-BASE-IMAGE"
UNPINNED = "DH-PATCH-UNPINNED"

RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        VULNERABLE, "Dependency with a known vulnerability",
        "A dependency is pinned or locked at a version that a published advisory (OSV: "
        "PyPA, GitHub, and others; aliases merged) says is affected.",
        "Upgrade to the smallest fixing version shown (drillhall patch drill tries it against "
        "the project's tests); if no fix exists, check the advisory for a workaround.",
        Severity.HIGH, ("CWE-1395", "OWASP-A06:2021", "ML06")),
    RuleInfo(
        EOL_RUNTIME, "Python runtime past its end of life",
        "A Dockerfile base image runs a Python version that no longer gets security fixes.",
        "Move the image to a supported Python version and run the test suite on it.",
        Severity.HIGH, ("CWE-1104", "OWASP-A06:2021")),
    RuleInfo(
        STALE_IMAGE, "Base image tag not pinned",
        "A Dockerfile FROM line uses no tag or 'latest', so what is built changes silently "
        "and cannot be audited.",
        "Pin the base image to a version tag (and ideally a digest) and update it on purpose.",
        Severity.LOW, ("CWE-1104",)),
    RuleInfo(
        UNPINNED, "Dependency not pinned",
        "A dependency is declared with a range and no lockfile pins it, so the version "
        "installed (and its advisories) depends on the day of the install.",
        "Lock dependencies (uv lock, poetry lock, pip-compile) so audits see what ships.",
        Severity.INFO, ("CWE-1104",)),
)
