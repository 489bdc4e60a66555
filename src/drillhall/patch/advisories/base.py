"""The interface every advisory database implements, and the shared matching logic.

A database only has to say which OSV records mention a PyPI project
(:meth:`AdvisoryDB.records_for`); matching versions, merging aliases and choosing the fix are
the same for the offline snapshot and the online service.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence

from drillhall.errors import DrillError
from drillhall.patch.advisories.merge import group_records, to_advisory
from drillhall.patch.advisories.osv import OsvRecord
from drillhall.patch.advisories.ranges import normalise, record_affects, smallest_fix
from drillhall.patch.model import Advisory


class AdvisoryServiceError(DrillError):
    """An advisory database could not be queried or downloaded."""


class AdvisoryDB(ABC):
    """A source of OSV records for PyPI projects."""

    @abstractmethod
    def records_for(self, name: str) -> Sequence[OsvRecord]:
        """Every non-withdrawn record with an ``affected`` entry for PyPI project ``name``."""

    def prefetch(self, pairs: Iterable[tuple[str, str]]) -> None:  # noqa: B027
        """Warm the database for several ``(name, version)`` pairs at once (optional)."""

    def _groups(self, name: str, version: str) -> list[list[OsvRecord]]:
        # asked again by smallest_fix for every advisory found: computed once per pair
        cache: dict[tuple[str, str], list[list[OsvRecord]]] = self.__dict__.setdefault(
            "_group_cache", {})
        key = (name, version)
        if key not in cache:
            records = [r for r in self.records_for(name) if r.withdrawn is None]
            cache[key] = [g for g in group_records(records)
                          if any(record_affects(r, name, version) for r in g)]
        return cache[key]

    def affecting(self, name: str, version: str) -> list[Advisory]:
        """The merged advisories that affect ``name`` at ``version``, worst first."""
        found = [to_advisory(group, name) for group in self._groups(name, version)]
        return sorted(found, key=lambda a: (-a.severity.rank, a.id))

    def affecting_many(
        self, pairs: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], list[Advisory]]:
        """:meth:`affecting` for several pairs, keyed by ``(normalised name, version)``."""
        wanted = list(dict.fromkeys((normalise(n), v) for n, v in pairs))
        self.prefetch(wanted)
        return {pair: self.affecting(*pair) for pair in wanted}

    def smallest_fix(self, name: str, version: str, advisory: Advisory | None = None) -> str | None:
        """The lowest version above ``version`` that the advisory (or, without one, every
        advisory for ``name``) no longer affects; ``None`` when there is none."""
        groups = self._groups(name, version)
        if advisory is not None:
            wanted = set(advisory.ids)
            groups = [g for g in groups if wanted & {i for r in g for i in r.ids}]
        if not groups:
            return None
        pool = [r for g in groups for r in g]
        return smallest_fix(pool, name, version)
