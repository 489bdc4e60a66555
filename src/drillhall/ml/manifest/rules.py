"""The rules of the manifest drill (model and data provenance). Ids are stable."""

from __future__ import annotations

from drillhall.core.model import Severity
from drillhall.core.rules import RuleInfo

BAD_SIGNATURE = "DH-MANIFEST-BAD-SIGNATURE"
WRONG_KEY = "DH-MANIFEST-WRONG-KEY"
FILE_CHANGED = "DH-MANIFEST-FILE-CHANGED"
FILE_ADDED = "DH-MANIFEST-FILE-ADDED"
FILE_REMOVED = "DH-MANIFEST-FILE-REMOVED"
MISSING = "DH-MANIFEST-MISSING"

SIGNATURE_TAGS = ("CWE-347", "ML06")
FILE_TAGS = ("CWE-345", "CWE-494", "ML06")

RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        BAD_SIGNATURE, "Manifest signature is not valid",
        "The signed manifest of the model and data files does not verify with the trusted "
        "public key, or cannot be read: the manifest was edited after signing or damaged, so "
        "none of its hashes can be trusted.",
        "Find out who changed the manifest and why; restore the files and the manifest from a "
        "trusted source, then sign a new manifest with the team's key.",
        Severity.CRITICAL, SIGNATURE_TAGS),
    RuleInfo(
        WRONG_KEY, "Manifest signed with an unexpected key",
        "The manifest was signed with a key other than the trusted public key (the key "
        "fingerprints differ): someone may have replaced the files and re-signed them.",
        "Check which key signed the manifest; if the team rotated keys, configure the new "
        "public key, otherwise treat the files as tampered with.",
        Severity.CRITICAL, SIGNATURE_TAGS),
    RuleInfo(
        FILE_CHANGED, "Model or data file changed since it was signed",
        "A file's SHA-256 or size, a link's target, or an entry's type differs from the signed "
        "manifest (or the file cannot be read to check it): the model or data set in use is not "
        "the one that was reviewed and signed.",
        "Compare the file with the signed version; if the change is intended, review it and "
        "sign a new manifest, otherwise restore the signed file.",
        Severity.HIGH, FILE_TAGS),
    RuleInfo(
        FILE_ADDED, "File not in the signed manifest",
        "A model or data file is present that the signed manifest does not list, for example a "
        "planted model or an extra training file.",
        "Remove the file, or review it and sign a new manifest that includes it.",
        Severity.MEDIUM, FILE_TAGS),
    RuleInfo(
        FILE_REMOVED, "Signed file is missing",
        "A file listed in the signed manifest is no longer present.",
        "Restore the file from a trusted source, or sign a new manifest without it.",
        Severity.HIGH, FILE_TAGS),
    RuleInfo(
        MISSING, "No signed manifest",
        "The directory is configured to carry a signed manifest of its model and data files, "
        "but there is none, so their provenance cannot be checked.",
        "Create and sign one: drillhall ml manifest create PATH.",
        Severity.HIGH, FILE_TAGS),
)
"""Every rule of the manifest drill, for SARIF ``rules[]`` and documentation."""

RULE_BY_ID = {r.rule_id: r for r in RULES}
