"""Client keys: applications authenticate to the guard with their own keys, never the
provider's.

A key reads ``dhg-<key id>-<secret>``: the key id (12 hex digits) is public and finds the
stored record; the secret (43 URL-safe characters, 256 bits) is kept only as
HMAC-SHA256(salt, secret) with a random 128-bit salt per key, so a leaked store gives no key
back and a guessed key costs one HMAC to reject. :func:`new_key` makes one (shown to the user
once); :class:`KeyRing` checks presented keys against the store's records, re-read every
``refresh`` seconds so revocations take effect.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from drillhall.core.model import utcnow
from drillhall.store.guard import StoredKey

__all__ = ["KEY_PREFIX", "KeyRing", "NewKey", "digest", "new_key"]

KEY_PREFIX = "dhg"
_KEY = re.compile(rf"^{KEY_PREFIX}-([0-9a-f]{{12}})-([A-Za-z0-9_-]{{20,128}})$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def digest(salt: str, secret: str) -> str:
    """HMAC-SHA256 of ``secret`` under ``salt`` (hex)."""
    return hmac.new(bytes.fromhex(salt), secret.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class NewKey:
    """A freshly made key: ``token`` is shown once, ``record`` is what the store keeps."""

    token: str
    record: StoredKey


def valid_name(name: str) -> bool:
    """Whether ``name`` is a usable key name (letters, digits, ``.``, ``_``, ``-``; ≤ 64)."""
    return bool(_NAME.match(name))


def new_key(name: str, *, created: datetime | None = None) -> NewKey:
    """A new random client key called ``name``."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    record = StoredKey(name=name, key_id=key_id, salt=salt, digest=digest(salt, secret),
                       created=created or utcnow())
    return NewKey(f"{KEY_PREFIX}-{key_id}-{secret}", record)


class KeyRing:
    """The active client keys, for checking presented keys. ``load`` returns the stored
    records (revoked ones are ignored); it is called at most every ``refresh`` seconds, on
    the request path only when the ring is stale (:meth:`refresh_if_stale`)."""

    def __init__(self, load: Callable[[], Sequence[StoredKey]], refresh: float = 5.0) -> None:
        self._load = load
        self._refresh = refresh
        self._lock = threading.Lock()
        self._by_id: dict[str, StoredKey] = {}
        self._loaded_at = -1e18

    def reload(self) -> None:
        """Read the records now."""
        records = {k.key_id: k for k in self._load() if k.active}
        with self._lock:
            self._by_id = records
            self._loaded_at = time.monotonic()

    @property
    def stale(self) -> bool:
        return time.monotonic() - self._loaded_at >= self._refresh

    def refresh_if_stale(self) -> None:
        if self.stale:
            self.reload()

    def __len__(self) -> int:
        return len(self._by_id)

    def check(self, token: str) -> str | None:
        """The name of the active key ``token`` is, or ``None``."""
        match = _KEY.match(token)
        if match is None:
            return None
        record = self._by_id.get(match.group(1))
        if record is None:
            return None
        if hmac.compare_digest(digest(record.salt, match.group(2)), record.digest):
            return record.name
        return None
