"""Advisories in the OSV schema: an offline snapshot, the online OSV API, and the snapshot
download.

::

    db = OfflineDB("osv/all.zip")            # or OnlineDB(cache_dir), OnlineDB(..., offline=True)
    for advisory in db.affecting("jinja2", "2.10"):
        print(advisory.id, advisory.severity, db.smallest_fix("jinja2", "2.10", advisory))

Range semantics are in :mod:`.ranges`, severity in :mod:`.cvss`, alias merging in :mod:`.merge`.
"""

from drillhall.patch.advisories.base import AdvisoryDB, AdvisoryServiceError
from drillhall.patch.advisories.cvss import band, cvss3_base_score, record_severity
from drillhall.patch.advisories.merge import group_records, primary_id, to_advisory
from drillhall.patch.advisories.offline import OfflineDB
from drillhall.patch.advisories.online import OnlineDB
from drillhall.patch.advisories.osv import OsvRecord, parse_record
from drillhall.patch.advisories.ranges import (
    entry_affects,
    fixed_versions,
    in_range,
    normalise,
    record_affects,
    smallest_fix,
)
from drillhall.patch.advisories.update import SNAPSHOT_URL, db_update

__all__ = [
    "SNAPSHOT_URL",
    "AdvisoryDB",
    "AdvisoryServiceError",
    "OfflineDB",
    "OnlineDB",
    "OsvRecord",
    "band",
    "cvss3_base_score",
    "db_update",
    "entry_affects",
    "fixed_versions",
    "group_records",
    "in_range",
    "normalise",
    "parse_record",
    "primary_id",
    "record_affects",
    "record_severity",
    "smallest_fix",
    "to_advisory",
]
