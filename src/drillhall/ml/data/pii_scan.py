"""Personal data in data sets, text files, notebooks and logs (the ``--pii`` part of the
``data`` drill), using the engine in :mod:`drillhall.pii`.

Tables: each column is classified from its name (``email``, ``phone``, ``dob``, ``ssn``…) and a
sample of its values; a column that holds one kind of personal data gets one ``DH-PII-COLUMN``
issue. Every other cell with personal data (free text, mixed columns) gets a ``DH-PII-<TYPE>``
issue with its row and column, capped per column. Text files give :class:`TextPiiIssue` values
that carry the 1-based line and column. Values appear only through
:func:`drillhall.core.redact.mask`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drillhall.core.model import Confidence, Severity
from drillhall.core.redact import mask
from drillhall.errors import InputError
from drillhall.ml.data.base import DataIssue, Table
from drillhall.pii import KINDS, PiiMatch, detect

CELL_CAP = 1000
"""Cell-level issues reported per column (or per text file) before one summary issue."""

PII_RULE_IDS: tuple[str, ...] = ("DH-PII-COLUMN", *(f"DH-PII-{k.upper()}" for k in KINDS))

DESCRIPTIONS: dict[str, str] = {
    "email": "e-mail address", "phone": "phone number", "card": "payment card number",
    "iban": "IBAN", "ssn": "US Social Security number", "nino": "UK National Insurance number",
    "nhs": "NHS number", "ip": "IP address", "person": "person name",
    "address": "postal address", "dob": "date of birth",
}
_SEVERITY: dict[str, Severity] = {k: Severity.HIGH for k in KINDS} | {
    "ip": Severity.MEDIUM, "person": Severity.MEDIUM,
    "card": Severity.CRITICAL, "ssn": Severity.CRITICAL}
"""Per kind, as documented by the DH-PII-* rules (payment cards and SSNs are critical)."""

_HINTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern)) for kind, pattern in (
        ("email", r"e_?mail"),
        ("ip", r"(?:^|_)ip(?:_|$)|ip_?addr|remote_?addr|client_?addr"),
        ("iban", r"iban|bank_?account"),
        ("card", r"(?:^|_)(?:pan|cc)(?:_|$)|card_?(?:num|no)|credit_?card|card$"),
        ("ssn", r"(?:^|_)ssn(?:_|$)|social_?security"),
        ("nino", r"nino|national_?insurance|(?:^|_)ni_?(?:number|no)(?:_|$)"),
        ("nhs", r"(?:^|_)nhs"),
        ("dob", r"(?:^|_)dob(?:_|$)|birth"),
        ("phone", r"phone|mobile|(?:^|_)(?:tel|telephone|cell|fax|msisdn)(?:_|$)"),
        ("address", r"address|street|post_?code|zip_?code|(?:^|_)zip(?:_|$)"),
        ("person", r"(?:^|_)(?:full_?|first_?|last_?|given_?|family_?|sur|middle_?)?name(?:_|$)"
                   r"|surname|forename|(?:^|_)(?:patient|employee|contact)(?:_|$)"),
    ))
_NOT_PERSON = re.compile(r"file|host|product|column|table|model|class|label|item|company|plan|"
                         r"feature|device|user_?name|domain|app|project|dataset|field|tag")


def column_hint(name: str) -> str | None:
    """The kind of personal data a column name suggests (``"E-Mail"`` → ``"email"``), or None."""
    norm = re.sub(r"([a-z])([A-Z])", r"\1_\2", name)
    norm = re.sub(r"[^a-z0-9]+", "_", norm.lower()).strip("_")
    for kind, pattern in _HINTS:
        if pattern.search(norm):
            if kind == "person" and _NOT_PERSON.search(norm):
                return None
            return kind
    return None


@dataclass(frozen=True, slots=True)
class ColumnClass:
    """What a column holds: its ``kind``, ``hits`` of ``sampled`` values of that kind,
    ``pure`` if the sample held nothing else, and one ``example`` value (never shown unmasked)."""

    column: str
    kind: str
    hits: int
    sampled: int
    pure: bool
    confidence: Confidence
    example: str


def column_strings(series: Any) -> list[tuple[int, str]]:
    """The non-empty values of a column as strings, with their 0-based row; floats skipped."""
    kind = getattr(series.dtype, "kind", "O")
    if kind in "fcbmM":
        return []
    out: list[tuple[int, str]] = []
    present = series.notna().tolist()
    for row, value in enumerate(series.tolist()):
        if not present[row]:
            continue
        text = value if isinstance(value, str) else str(value)
        if text.strip():
            out.append((row, text))
    return out


def _sample(values: list[tuple[int, str]], n: int) -> list[tuple[int, str]]:
    step = max(1, len(values) // max(1, n))
    return values[::step][:n]


def _covers(m: PiiMatch, text: str) -> bool:
    """True if the match is most of the cell."""
    return (m.end - m.start) >= 0.75 * len(text.strip())


def classify_column(name: str, values: list[tuple[int, str]], *,
                    sample_rows: int = 1000) -> ColumnClass | None:
    """Classify one column from its name and a sample of its values (see :func:`scan_table`)."""
    sample = _sample(values, sample_rows)
    if not sample:
        return None
    hint = column_hint(name)
    whole: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for _, text in sample:
        matches = detect(text, context=name)
        for kind in {m.kind for m in matches}:
            anywhere[kind] += 1
        if len(matches) == 1 and _covers(matches[0], text):
            whole[matches[0].kind] += 1
            examples.setdefault(matches[0].kind, matches[0].value)
    n = len(sample)
    best = whole.most_common(1)
    if best and best[0][1] >= 0.6 * n and (n >= 3 or best[0][0] == hint):
        kind, hits = best[0]
        conf = Confidence.HIGH if hits >= 0.9 * n else Confidence.MEDIUM
    elif hint is not None and whole[hint] >= 0.2 * n:
        kind, hits, conf = hint, whole[hint], Confidence.MEDIUM
    elif hint in ("person", "address") and sum(len(t) < 80 for _, t in sample) >= 0.9 * n:
        kind, hits, conf = hint, whole[hint], Confidence.LOW
        examples.setdefault(hint, sample[0][1])
    else:
        return None
    pure = hits == n and set(anywhere) <= {kind}
    return ColumnClass(name, kind, hits, n, pure, conf, examples.get(kind, sample[0][1]))


def scan_table(table: Table, *, sample_rows: int = 1000, cap: int = CELL_CAP) -> list[DataIssue]:
    """Personal data in a table: one ``DH-PII-COLUMN`` issue per personal-data column, and one
    ``DH-PII-<TYPE>`` issue per cell and kind elsewhere (row and column set), at most ``cap``
    per column plus a summary issue."""
    issues: list[DataIssue] = []
    for column in table.frame.columns:
        name = str(column)
        values = column_strings(table.frame[column])
        cls = classify_column(name, values, sample_rows=sample_rows)
        if cls is not None:
            issues.append(_column_issue(cls))
            if cls.pure:
                continue  # the sample held only this kind: one column issue says it all
        skip = cls.kind if cls is not None else None
        issues.extend(_cell_issues(name, values, skip, cap))
    return issues


def _column_issue(cls: ColumnClass) -> DataIssue:
    what = DESCRIPTIONS[cls.kind]
    basis = (f"{cls.hits} of {cls.sampled} sampled values" if cls.hits
             else "its name; the values were not recognised")
    return DataIssue(
        rule_id="DH-PII-COLUMN", severity=_SEVERITY[cls.kind], tag=f"pii:{cls.kind}",
        message=f"column {cls.column!r} holds personal data: {what} ({basis})",
        field=cls.column, score=cls.hits / cls.sampled, evidence=f"e.g. {mask(cls.example)}",
        confidence=cls.confidence)


def _cell_issues(name: str, values: list[tuple[int, str]], skip: str | None,
                 cap: int) -> Iterator[DataIssue]:
    seen: dict[str, list[PiiMatch]] = {}
    reported = 0
    overflow: Counter[str] = Counter()
    for row, text in values:
        matches = seen.get(text)
        if matches is None:
            matches = [m for m in detect(text, context=name) if m.kind != skip]
            if len(seen) < 100_000:
                seen[text] = matches
        for issue in _group(matches, row=row, field=name, where=f"column {name!r}"):
            if reported < cap:
                reported += 1
                yield issue
            else:
                overflow[issue.tag.removeprefix("pii:")] += 1
    if overflow:
        yield _summary(overflow, cap, field=name, where=f"column {name!r}")


def _group(matches: list[PiiMatch], *, row: int | None, field: str | None,
           where: str) -> Iterator[DataIssue]:
    """One issue per kind among ``matches`` (the first value as evidence)."""
    by_kind: dict[str, list[PiiMatch]] = {}
    for m in matches:
        by_kind.setdefault(m.kind, []).append(m)
    for kind, group in by_kind.items():
        top = max(group, key=lambda m: m.score)
        count = f" ({len(group)} found)" if len(group) > 1 else ""
        yield DataIssue(
            rule_id=f"DH-PII-{kind.upper()}",
            severity=_SEVERITY[kind] if top.score >= 0.5 else Severity.LOW,
            message=f"{DESCRIPTIONS[kind]} in {where}{count}", tag=f"pii:{kind}",
            row=row, field=field, score=top.score, evidence=mask(group[0].value),
            confidence=top.confidence)


def _summary(overflow: Counter[str], cap: int, *, field: str | None, where: str) -> DataIssue:
    kind = overflow.most_common(1)[0][0]
    kinds = ", ".join(f"{n} {DESCRIPTIONS[k]}" for k, n in overflow.most_common())
    return DataIssue(
        rule_id=f"DH-PII-{kind.upper()}", severity=Severity.INFO, tag=f"pii:{kind}",
        message=f"{sum(overflow.values())} more findings in {where} not listed "
                f"(first {cap} shown): {kinds}", field=field, confidence=Confidence.HIGH)


@dataclass(frozen=True, slots=True)
class TextPiiIssue(DataIssue):
    """A :class:`DataIssue` in a text file, log or notebook, with its position: ``line`` and
    ``column`` are 1-based positions in the file itself (for a notebook, in its JSON text);
    both are None only for the summary issue after the cap. ``row`` and ``field`` are None."""

    line: int | None = None
    column: int | None = None


_NOTEBOOK_ESCAPES = re.compile(r'\\[nrt"\\/]')
_DATA_LINE = re.compile(r'^\s*"(?:image/[\w.+-]+|application/pdf)"\s*:')


def _lines(path: Path) -> Iterable[str]:
    try:
        with path.open("r", encoding="utf-8", errors="replace", newline="") as fh:
            yield from fh
    except OSError as err:
        raise InputError(f"{path}: cannot be read ({err.strerror or err})") from None


def scan_text_file(path: Path, display: str, *, cap: int = CELL_CAP) -> list[TextPiiIssue]:
    """Personal data in a text file, log or Jupyter notebook (``.ipynb``), line by line.

    A notebook is scanned as its JSON text, so the line numbers are those of the file: string
    escapes (``\\n``, ``\\"``) are blanked in place before matching and embedded images are
    skipped. ``display`` is the path shown in messages. Undecodable bytes are replaced, so a
    log with a stray byte is still scanned.
    """
    notebook = path.suffix.lower() == ".ipynb"
    out: list[TextPiiIssue] = []
    overflow: Counter[str] = Counter()
    for number, raw in enumerate(_lines(path), 1):
        line = raw.rstrip("\r\n")
        if notebook:
            if _DATA_LINE.match(line):
                continue
            line = _NOTEBOOK_ESCAPES.sub("  ", line)
        if len(line) > 20_000 and " " not in line[:20_000]:
            continue  # base64 or minified blobs
        matches = detect(line)
        for issue in _group(matches, row=None, field=None, where=f"{display} line {number}"):
            if len(out) < cap:
                kind = issue.tag.removeprefix("pii:")
                first = next(m for m in matches if m.kind == kind)
                out.append(_located(issue, number, first.start + 1))
            else:
                overflow[issue.tag.removeprefix("pii:")] += 1
    if overflow:
        out.append(_located(_summary(overflow, cap, field=None, where=display), None, None))
    return out


def _located(issue: DataIssue, line: int | None, column: int | None) -> TextPiiIssue:
    return TextPiiIssue(
        rule_id=issue.rule_id, severity=issue.severity, message=issue.message, tag=issue.tag,
        row=None, field=None, score=issue.score, evidence=issue.evidence,
        confidence=issue.confidence, line=line, column=column)
