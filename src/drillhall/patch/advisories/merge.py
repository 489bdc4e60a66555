"""Merging OSV records that describe one vulnerability into one :class:`Advisory`.

Records for the same package that share an id or an alias, directly or through a chain of
other records, are one advisory. Its primary id is chosen by prefix: ``GHSA-`` first, then
``PYSEC-``, then ``CVE-``, then any other, ties broken alphabetically (GHSA ids carry the
reviewed severity label and are what most users recognise in pull requests; the CVE is kept
among the aliases). Every other id is an alias.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from drillhall.core.model import Severity
from drillhall.patch.advisories.cvss import record_severity
from drillhall.patch.advisories.osv import OsvRecord
from drillhall.patch.advisories.ranges import fixed_versions, normalise
from drillhall.patch.model import Advisory

_PREFIX_RANK = ("GHSA-", "PYSEC-", "CVE-")


def _id_rank(advisory_id: str) -> tuple[int, str]:
    for rank, prefix in enumerate(_PREFIX_RANK):
        if advisory_id.upper().startswith(prefix):
            return rank, advisory_id
    return len(_PREFIX_RANK), advisory_id


def primary_id(ids: Iterable[str]) -> str:
    """The id a merged advisory is known by (see the module docstring)."""
    return min(ids, key=_id_rank)


def group_records(records: Sequence[OsvRecord]) -> list[list[OsvRecord]]:
    """Split ``records`` into groups linked by shared ids or aliases (transitively).

    Groups keep the input order of their first record; a record appears in one group only.
    """
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        root = key
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[key] != root:
            parent[key], key = root, parent[key]
        return root

    for record in records:
        first = find(record.id)
        for alias in record.aliases:
            other = find(alias)
            if other != first:
                parent[other] = first
    groups: dict[str, list[OsvRecord]] = {}
    seen: set[tuple[str, datetime | None]] = set()
    for record in records:
        marker = (record.id, record.modified)
        if marker in seen:
            continue
        seen.add(marker)
        groups.setdefault(find(record.id), []).append(record)
    return list(groups.values())


def to_advisory(group: Sequence[OsvRecord], package: str) -> Advisory:
    """One :class:`Advisory` for ``package`` from a group of linked records.

    The severity is the highest any record gives (fail closed); the summary comes from the
    primary record when it is in the group, else the first record with one; ``published`` is the
    earliest date; ``url`` the primary's ``ADVISORY`` reference, else its osv.dev page.
    """
    ids = {i for record in group for i in record.ids}
    primary = primary_id(ids)
    ordered = sorted(group, key=lambda r: (r.id != primary, _id_rank(r.id)))
    severity, vector = Severity.INFO, None
    for record in ordered:
        sev, vec = record_severity(record)
        if sev.rank > severity.rank or (sev == severity and vector is None and vec):
            severity, vector = sev, vec
    summary = next((r.summary.strip() for r in ordered if r.summary.strip()), "")
    if not summary:
        details = next((r.details.strip() for r in ordered if r.details.strip()), "")
        summary = details.splitlines()[0][:200] if details else ""
    dates = [r.published for r in group if r.published is not None]
    url = next(
        (ref.url for r in ordered for ref in r.references if ref.type.upper() == "ADVISORY"),
        f"https://osv.dev/vulnerability/{primary}",
    )
    return Advisory(
        id=primary,
        aliases=tuple(sorted(ids - {primary}, key=_id_rank)),
        summary=summary,
        severity=severity,
        package=normalise(package),
        fixed=fixed_versions(group, package),
        cvss=vector,
        published=min(dates) if dates else None,
        url=url,
    )
