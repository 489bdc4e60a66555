"""The online advisory database: the OSV API, with an on-disk cache of full records.

``affecting_many`` sends one ``POST /v1/querybatch`` per 1000 queries (following page tokens),
then fetches each full record with ``GET /v1/vulns/{id}`` unless the cache already holds it
with the same ``modified`` time. Requests run on a bounded thread pool and are retried with
exponential backoff on transport errors, 429 and 5xx. With ``offline=True`` nothing is sent:
answers come from the cached records only, exactly as :class:`OfflineDB` would give them.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from drillhall.core.files import write_text_atomic
from drillhall.patch.advisories.base import AdvisoryDB, AdvisoryServiceError
from drillhall.patch.advisories.offline import OfflineDB
from drillhall.patch.advisories.osv import OsvRecord, parse_record
from drillhall.patch.advisories.ranges import ECOSYSTEM, normalise
from drillhall.patch.model import Advisory

API_URL = "https://api.osv.dev"
BATCH_SIZE = 1000
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


def request_with_retries(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    retries: int = 3,
    backoff: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
    **kwargs: Any,
) -> httpx.Response:
    """Send one request, retrying transport errors, 429 and 5xx with exponential backoff.

    Raises :class:`AdvisoryServiceError` when every attempt failed.
    """
    last = ""
    for attempt in range(retries + 1):
        if attempt:
            sleep(backoff * 2 ** (attempt - 1))
        try:
            response = client.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            last = f"{type(exc).__name__}: {exc}"
            continue
        if response.status_code in _RETRY_STATUS:
            last = f"HTTP {response.status_code}"
            continue
        if response.status_code >= 400:
            raise AdvisoryServiceError(f"{method} {url} failed with HTTP {response.status_code}")
        return response
    raise AdvisoryServiceError(f"{method} {url} failed after {retries + 1} attempts ({last})")


class OnlineDB(AdvisoryDB):
    """Advisories from the OSV API (see the module docstring).

    ``cache_dir`` holds one ``<id>.json`` per fetched record; ``transport`` replaces the network
    (an ``httpx.MockTransport`` in tests); ``sleep`` replaces ``time.sleep`` between retries.
    """

    def __init__(
        self,
        cache_dir: Path | str,
        *,
        offline: bool = False,
        transport: httpx.BaseTransport | None = None,
        base_url: str = API_URL,
        concurrency: int = 8,
        retries: int = 3,
        backoff: float = 0.5,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.cache_dir = Path(cache_dir)
        self.offline = offline
        self.base_url = base_url.rstrip("/")
        self.concurrency = max(1, concurrency)
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self._transport = transport
        self._sleep = sleep
        self._records: dict[str, OsvRecord] = {}
        self._ids_by_name: dict[str, set[str]] = {}
        self._queried: set[tuple[str, str]] = set()
        self._offline_db: OfflineDB | None = None
        self.requests = 0
        """How many HTTP requests were sent (for tests and metrics)."""

    # -- AdvisoryDB -------------------------------------------------------------------------

    def records_for(self, name: str) -> Sequence[OsvRecord]:
        key = normalise(name)
        if self.offline:
            cache = self._cache_db()
            return cache.records_for(key) if cache is not None else ()
        ids = self._ids_by_name.get(key, set())
        return [self._records[i] for i in sorted(ids) if i in self._records]

    def affecting(self, name: str, version: str) -> list[Advisory]:
        if not self.offline:
            self.prefetch([(name, version)])
        return super().affecting(name, version)

    def prefetch(self, pairs: Iterable[tuple[str, str]]) -> None:
        if self.offline:
            return
        todo = [p for p in dict.fromkeys((normalise(n), v) for n, v in pairs)
                if p not in self._queried]
        if not todo:
            return
        with self._client() as client:
            hits = self._query_batch(client, todo)
            wanted: dict[str, datetime | None] = {}
            for (name, _version), found in zip(todo, hits, strict=True):
                for vuln_id, modified in found:
                    self._ids_by_name.setdefault(name, set()).add(vuln_id)
                    wanted[vuln_id] = modified
            missing = [i for i, m in wanted.items() if not self._load_cached(i, m)]
            if missing:
                with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
                    for record in pool.map(lambda i: self._fetch(client, i), missing):
                        self._records[record.id] = record
        self._queried.update(todo)

    # -- internals --------------------------------------------------------------------------

    def _client(self) -> httpx.Client:
        return httpx.Client(transport=self._transport, timeout=self.timeout,
                            headers={"User-Agent": "drillhall"})

    def _send(self, client: httpx.Client, method: str, url: str, **kwargs: Any) -> httpx.Response:
        self.requests += 1
        return request_with_retries(client, method, url, retries=self.retries,
                                    backoff=self.backoff, sleep=self._sleep, **kwargs)

    def _query_batch(
        self, client: httpx.Client, pairs: list[tuple[str, str]]
    ) -> list[list[tuple[str, datetime | None]]]:
        results: list[list[tuple[str, datetime | None]]] = [[] for _ in pairs]
        pending: list[tuple[int, str | None]] = [(i, None) for i in range(len(pairs))]
        while pending:
            chunk, pending = pending[:BATCH_SIZE], pending[BATCH_SIZE:]
            queries = []
            for index, token in chunk:
                name, version = pairs[index]
                query: dict[str, Any] = {"package": {"name": name, "ecosystem": ECOSYSTEM},
                                         "version": version}
                if token:
                    query["page_token"] = token
                queries.append(query)
            response = self._send(client, "POST", f"{self.base_url}/v1/querybatch",
                                  json={"queries": queries})
            body = _json(response, "querybatch")
            answers = body.get("results") if isinstance(body, dict) else None
            if not isinstance(answers, list) or len(answers) != len(chunk):
                raise AdvisoryServiceError("the OSV querybatch answer does not match the queries")
            for (index, _), raw in zip(chunk, answers, strict=True):
                answer: dict[str, Any] = raw if isinstance(raw, dict) else {}
                for vuln in answer.get("vulns") or ():
                    if isinstance(vuln, dict) and isinstance(vuln.get("id"), str):
                        results[index].append((vuln["id"], _date(vuln.get("modified"))))
                token = answer.get("next_page_token")
                if isinstance(token, str) and token:
                    pending.append((index, token))
        return results

    def _fetch(self, client: httpx.Client, vuln_id: str) -> OsvRecord:
        response = self._send(client, "GET", f"{self.base_url}/v1/vulns/{vuln_id}")
        data = _json(response, vuln_id)
        try:
            record = parse_record(data)
        except ValueError as exc:
            raise AdvisoryServiceError(f"OSV record {vuln_id} is malformed: {exc}") from None
        self._store(vuln_id, data)
        return record

    def _cache_path(self, vuln_id: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in vuln_id)
        return self.cache_dir / f"{safe}.json"

    def _load_cached(self, vuln_id: str, modified: datetime | None) -> bool:
        if vuln_id in self._records and modified is not None and \
                self._records[vuln_id].modified == modified:
            return True
        path = self._cache_path(vuln_id)
        try:
            record = parse_record(json.loads(path.read_bytes()))
        except (OSError, ValueError):
            return False
        if modified is None or record.modified != modified:
            return False
        self._records[vuln_id] = record
        return True

    def _store(self, vuln_id: str, data: Any) -> None:
        with contextlib.suppress(OSError):  # a cache that cannot be written is refetched
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            write_text_atomic(self._cache_path(vuln_id), json.dumps(data), fsync=False)

    def _cache_db(self) -> OfflineDB | None:
        if self._offline_db is None and self.cache_dir.is_dir():
            self._offline_db = OfflineDB(self.cache_dir)
        return self._offline_db


def _json(response: httpx.Response, what: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise AdvisoryServiceError(f"the OSV answer for {what} is not JSON") from None


def _date(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
