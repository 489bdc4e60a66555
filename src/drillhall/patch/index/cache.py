"""An on-disk cache of index responses, revalidated with ETag / If-None-Match.

One JSON file per (index, page): ``{cache_dir}/{index-hash}/{kind}/{name}.json`` holding the
ETag, when the body was stored and the body text. The index is named by a hash of its URL
without credentials, so a token never reaches the file system. Writes go to a temporary file
first and are renamed into place, so a crash or a concurrent writer never leaves half a file;
an unreadable entry is treated as absent (the page is fetched again).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from drillhall.core.files import write_text_atomic

_FORMAT = 1


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """A stored response: its body, its ETag (``None`` when the index sent none) and when it
    was stored (seconds since the epoch)."""

    body: str
    etag: str | None
    stored: float

    def age(self, now: float | None = None) -> float:
        return max(0.0, (time.time() if now is None else now) - self.stored)


class ResponseCache:
    """Cached index pages below ``root`` for the index at ``index_key`` (a credential-free
    URL)."""

    def __init__(self, root: Path, index_key: str) -> None:
        digest = hashlib.sha256(index_key.encode("utf-8")).hexdigest()[:16]
        self.root = root / digest

    def path(self, kind: str, name: str) -> Path:
        return self.root / kind / f"{canonicalize_name(name)}.json"

    def get(self, kind: str, name: str) -> CacheEntry | None:
        """The stored entry, or ``None`` when there is none or it cannot be read."""
        try:
            data = json.loads(self.path(kind, name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            return None
        body, etag, stored = data.get("body"), data.get("etag"), data.get("stored")
        if not isinstance(body, str) or not isinstance(stored, int | float):
            return None
        return CacheEntry(body=body, etag=etag if isinstance(etag, str) else None,
                          stored=float(stored))

    def put(self, kind: str, name: str, body: str, etag: str | None) -> None:
        """Store a body atomically. A cache that cannot be written is not an error: the
        client simply fetches again next time."""
        target = self.path(kind, name)
        payload = json.dumps({"format": _FORMAT, "etag": etag, "stored": time.time(),
                              "body": body})
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(target, payload, fsync=False)
        except OSError:
            return

    def touch(self, kind: str, name: str, entry: CacheEntry) -> None:
        """Record that ``entry`` was just revalidated (a 304), restarting its age."""
        self.put(kind, name, entry.body, entry.etag)
