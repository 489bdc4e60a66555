"""The data drill's rules: label issues, poisoning, drift and personal data.

Ids are stable. Tags carry OWASP Machine Learning Security Top 10 ids (ML02 data poisoning,
ML08 model skewing, ML03 model inversion for personal data a model can give back) and CWE ids.
"""

from __future__ import annotations

from drillhall.core.model import Severity
from drillhall.core.rules import RuleInfo

_PII_REMEDIATION = (
    "Remove the value or replace it with a consistent pseudonym before the data is used for "
    "training (drillhall ml data --pii --redact OUTPUT writes a masked copy); if it must stay, "
    "record the lawful basis and restrict who can read the data set.")


def _pii(rule_id: str, kind: str, what: str, severity: Severity = Severity.HIGH) -> RuleInfo:
    return RuleInfo(
        rule_id, f"Personal data in a data set: {kind}",
        f"A cell holds {what}. Personal data in training data can be memorised and given "
        "back by the model, and spreads to every copy of the data set.",
        _PII_REMEDIATION, severity,
        tags=("CWE-359", "ML03", f"pii:{rule_id.rsplit('-', 1)[1].lower()}"))


RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "DH-DATA-LABEL-ISSUE", "Label probably wrong (flipped or mislabelled row)",
        "An out-of-sample model is confident that the row belongs to another class than its "
        "label (confident learning over cross-validated probabilities). Flipped labels are a "
        "cheap form of data poisoning and also arise from careless annotation.",
        "Review the row and correct its label, or drop it; if many rows of one source are "
        "flagged, audit that source and who can write to it.",
        Severity.MEDIUM, tags=("ML02", "label:flip")),
    RuleInfo(
        "DH-DATA-BACKDOOR-TRIGGER", "Suspected backdoor trigger",
        "A rare token or feature value is carried almost only by rows of one label, although "
        "the rest of those rows points to other labels: the pattern of a planted trigger that "
        "teaches the model to obey the token rather than the content.",
        "Remove the rows carrying the trigger (or relabel them from their content), find out "
        "how they entered the data set, and retrain.",
        Severity.HIGH, tags=("ML02", "CWE-506", "poison:trigger")),
    RuleInfo(
        "DH-DATA-DUPLICATE-CLUSTER", "Cluster of near-identical rows with one label",
        "Three or more rows are identical after normalisation and carry the same label: "
        "injected copies give a label extra weight.",
        "Keep one copy unless the repetition is intended, and check where the copies came from.",
        Severity.MEDIUM, tags=("ML02", "poison:duplicate")),
    RuleInfo(
        "DH-DATA-DUPLICATE-ROW", "Duplicated row",
        "A row repeats an earlier one (after normalisation); copies with different labels "
        "contradict each other.",
        "Drop the duplicate; when the labels differ, decide which one is right.",
        Severity.LOW, tags=("ML02", "poison:duplicate")),
    RuleInfo(
        "DH-DATA-OUTLIER", "Outlying row",
        "An isolation forest isolates the row much faster than the others: it may be "
        "injected, corrupted or simply rare.",
        "Look at the row; drop or fix it if it is corrupted or does not belong.",
        Severity.LOW, tags=("ML02", "outlier")),
    RuleInfo(
        "DH-DATA-LABEL-SHIFT", "Label distribution shifted from the baseline",
        "The share of each label differs markedly from the trusted baseline snapshot: labels "
        "may have been flipped in bulk, or the population changed.",
        "Compare the snapshots' sources; retrain only once the shift is explained.",
        Severity.MEDIUM, tags=("ML02", "ML08", "drift:label")),
    RuleInfo(
        "DH-DATA-FEATURE-DRIFT", "Feature drifted from the baseline",
        "A feature's distribution differs from the trusted baseline (population stability "
        "index, Kolmogorov-Smirnov or chi-square test past its threshold).",
        "Check the pipeline that produces the feature; retrain or recalibrate if the change "
        "is real.",
        Severity.MEDIUM, tags=("ML08", "drift:feature")),
    RuleInfo(
        "DH-DATA-BASELINE-DISAGREEMENT", "Row disagrees with a model trained on the baseline",
        "A model trained on the trusted baseline confidently predicts another label for the "
        "row: new rows may be mislabelled or poisoned.",
        "Review the rows flagged; relabel or drop them before training on the new snapshot.",
        Severity.MEDIUM, tags=("ML02", "label:flip")),
    _pii("DH-PII-EMAIL", "email address", "an email address"),
    _pii("DH-PII-PHONE", "phone number", "a phone number (valid for its region)"),
    _pii("DH-PII-CARD", "payment card number",
         "a payment card number that passes the Luhn check", Severity.CRITICAL),
    _pii("DH-PII-IBAN", "IBAN", "an IBAN that passes the mod-97 check"),
    _pii("DH-PII-SSN", "US Social Security number", "a US Social Security number",
         Severity.CRITICAL),
    _pii("DH-PII-NINO", "UK National Insurance number", "a UK National Insurance number"),
    _pii("DH-PII-NHS", "NHS number", "a UK NHS number that passes its check digit"),
    _pii("DH-PII-IP", "IP address", "an IP address", Severity.MEDIUM),
    _pii("DH-PII-PERSON", "person name", "a person's name", Severity.MEDIUM),
    _pii("DH-PII-ADDRESS", "postal address", "a postal address"),
    _pii("DH-PII-DOB", "date of birth", "a date of birth (a date in a birth context)"),
    RuleInfo(
        "DH-PII-COLUMN", "Column of personal data",
        "Most sampled values of a column (or its name) show that the whole column holds "
        "personal data of one kind.",
        "Drop the column, or pseudonymise it consistently before training; document why it "
        "is needed if it stays.",
        Severity.HIGH, tags=("CWE-359", "ML03", "pii:column")),
)
"""Every rule of the data drill, for SARIF ``rules[]`` and documentation."""
