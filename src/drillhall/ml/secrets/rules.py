"""The secrets drill's rules: documentation (:data:`RULES`) and detectors (:data:`DETECTORS`).

Rule ids are stable (``DH-SECRET-…``). Provider rules live in :mod:`.rules_cloud` and
:mod:`.rules_services`, the generic high-entropy rule in :mod:`.generic`.
``DH-SECRET-UNSCANNABLE`` is not a pattern: it reports input that could not be fully scanned
(a zip bomb, an archive nested too deep, a malformed archive), so the drill fails closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from drillhall.core.model import Confidence, Severity
from drillhall.core.rules import RuleInfo
from drillhall.ml.secrets import generic, rules_cloud, rules_services
from drillhall.ml.secrets.detectors import Detector, RuleSpec, rule

UNSCANNABLE = "DH-SECRET-UNSCANNABLE"

_UNSCANNABLE_SPEC = rule(
    UNSCANNABLE, "Input could not be fully scanned",
    "An archive or file could not be scanned completely (zip bomb, nesting too deep, path "
    "traversal, malformed archive), so secrets in it may have been missed.",
    "Inspect the file by hand; if it is legitimate, unpack it and scan the contents, or "
    "exclude it with the reason in the allowlist.", Severity.MEDIUM,
    tags=("CWE-409",), confidence=Confidence.MEDIUM,
)

SPECS: tuple[RuleSpec, ...] = (
    *rules_cloud.SPECS, *rules_services.SPECS, *generic.SPECS, _UNSCANNABLE_SPEC,
)

RULES: tuple[RuleInfo, ...] = tuple(s.info for s in SPECS)
"""Every rule of the secrets drill, for SARIF ``rules[]`` and documentation."""

SPEC_BY_ID: Mapping[str, RuleSpec] = MappingProxyType({s.info.rule_id: s for s in SPECS})

DETECTORS: tuple[Detector, ...] = (
    *rules_cloud.DETECTORS, *rules_services.DETECTORS, *generic.DETECTORS,
)
"""Every detector, in a fixed order (the engine's results do not depend on it)."""
