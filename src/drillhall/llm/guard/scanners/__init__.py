"""The guard's input and output scanners; the interface is in
:mod:`~drillhall.llm.guard.scanners.base`."""

from drillhall.llm.guard.scanners.banned import BannedScanner
from drillhall.llm.guard.scanners.base import Action, Direction, ScanContext, Scanner, Verdict
from drillhall.llm.guard.scanners.common import action_of
from drillhall.llm.guard.scanners.exfiltration import ExfiltrationScanner
from drillhall.llm.guard.scanners.injection import PromptInjectionScanner
from drillhall.llm.guard.scanners.invisible import InvisibleTextScanner
from drillhall.llm.guard.scanners.leak import LeakScanner
from drillhall.llm.guard.scanners.relevance import RelevanceScanner
from drillhall.llm.guard.scanners.sensitive import PiiScanner, SecretsScanner
from drillhall.llm.guard.scanners.tokens import TokenLimitScanner

__all__ = [
    "Action", "BannedScanner", "Direction", "ExfiltrationScanner", "InvisibleTextScanner",
    "LeakScanner", "PiiScanner", "PromptInjectionScanner", "RelevanceScanner", "ScanContext",
    "Scanner", "SecretsScanner", "TokenLimitScanner", "Verdict", "action_of",
]
