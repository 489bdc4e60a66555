"""The package index client: PEP 691 JSON pages, an ETag cache, retries and concurrency.

:class:`IndexClient` asks ``{index_url}{name}/`` for the PEP 691 JSON page of each package
(``Accept: application/vnd.pypi.simple.v1+json``), parses it with :mod:`.parse`, and keeps the
body and ETag in an optional on-disk cache (:mod:`.cache`); the next request for the same page
sends ``If-None-Match`` and a ``304`` reuses the stored body.

Decisions:

* **Upload times.** PEP 700 puts ``upload-time`` in the simple API, and PyPI sends it. When an
  index sends files without any upload time and its URL ends in ``/simple/`` (Warehouse, devpi
  and most mirrors lay out ``/pypi/NAME/json`` beside it), the client also reads the JSON API
  page for the dates. If that page is missing or malformed the simple data is kept and a note
  says the dates are unknown: freshness then reports "unknown", never "fresh".
* **Not on the index.** 404 and 410 are not errors: the :class:`Lookup` says ``found=False``
  with a note, and its :class:`PackageInfo` has no releases.
* **Retries.** 429, 500, 502, 503, 504 and transport errors (timeouts, refused connections)
  are retried up to ``retries`` times. The wait is ``Retry-After`` when the index sends it
  (seconds or an HTTP date), else ``backoff_base * 2**attempt`` plus up to ``backoff_base``
  of random jitter; either way at most ``backoff_max``.
* **Credentials.** User info in the index URL (``https://USER:PASSWORD@host/simple/``) is
  taken out of the URL, sent as HTTP basic auth, never written to the cache (entries are keyed
  by a hash of the credential-free URL) and shown only through
  :func:`drillhall.core.redact.mask`.
* **HTML-only indexes** (PEP 503 without PEP 691) are reported as a
  :class:`PackageIndexError`: the client reads JSON only.
* **Failures of one package.** :meth:`IndexClient.lookups` records the error in that
  package's :class:`Lookup` and carries on; :meth:`IndexClient.packages` fails closed and
  raises the first one.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import TracebackType
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import httpx
from packaging.utils import canonicalize_name

from drillhall.__about__ import __version__
from drillhall.core.redact import mask, scrub
from drillhall.errors import DrillError
from drillhall.patch.index.cache import ResponseCache
from drillhall.patch.index.parse import (
    SIMPLE_JSON,
    Parsed,
    ParseError,
    parse_json_api,
    parse_simple,
)
from drillhall.patch.model import PackageInfo

PYPI_SIMPLE = "https://pypi.org/simple/"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class PackageIndexError(DrillError):
    """The package index cannot be read (unreachable, refusing, or answering nonsense)."""


@dataclass(frozen=True, slots=True)
class Lookup:
    """What the client learnt of one package.

    ``found`` is False when the index does not know the package (404/410) or when ``error``
    says why it could not be read; ``notes`` explain anything dropped or guessed;
    ``from_cache`` is True when no new body was downloaded (a 304, or a fresh cache entry).
    """

    info: PackageInfo
    found: bool = True
    notes: tuple[str, ...] = ()
    from_cache: bool = False
    error: str | None = None


@dataclass(frozen=True, slots=True)
class _Page:
    body: str | None
    from_cache: bool


def _split_credentials(index_url: str) -> tuple[str, str | None, str | None]:
    """The URL without user info (with a trailing slash), and the user and password."""
    parts = urlsplit(index_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PackageIndexError(f"the index URL {_display(index_url)} is not an http(s) URL")
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    clean = urlunsplit((parts.scheme, netloc, path, parts.query, ""))
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    return clean, user, password


def _display(index_url: str) -> str:
    """The URL as it may be shown: the password (or a lone user, often a token) masked."""
    parts = urlsplit(index_url.strip())
    if "@" not in parts.netloc:
        return index_url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, sep, password = userinfo.partition(":")
    shown = f"{user}:{mask(unquote(password))}" if sep else mask(unquote(user))
    return urlunsplit((parts.scheme, f"{shown}@{hostport}", parts.path, parts.query, ""))


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class IndexClient:
    """Reads packages from a PEP 691 index; thread-safe, one connection pool per client.

    ``transport`` replaces httpx's network transport (e.g. ``httpx.MockTransport``);
    ``max_age`` (seconds) lets a cached page younger than that be used without asking the
    index at all (default 0: always revalidate with ``If-None-Match``); ``json_api=False``
    turns off the JSON API fallback for upload times; ``sleep`` is called for every backoff
    wait (tests pass a recorder).
    """

    def __init__(self, index_url: str = PYPI_SIMPLE, *, cache_dir: Path | None = None,
                 transport: httpx.BaseTransport | None = None, concurrency: int = 8,
                 retries: int = 3, timeout: float = 10.0, backoff_base: float = 0.5,
                 backoff_max: float = 30.0, max_age: float = 0.0, json_api: bool = True,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if concurrency < 1 or retries < 0:
            raise PackageIndexError(f"concurrency must be at least 1 and retries at least 0 "
                                    f"(got {concurrency} and {retries})")
        self.index_url, user, password = _split_credentials(index_url)
        self.display_url = _display(index_url)
        self._secrets = [s for s in (password, user if password is None else None) if s]
        self._secrets += [quote(s, safe="") for s in self._secrets]
        self.concurrency = concurrency
        self.retries = retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_age = max_age
        self.json_api = json_api
        self._sleep = sleep
        self._cache = ResponseCache(cache_dir, self.index_url) if cache_dir else None
        auth = httpx.BasicAuth(user or "", password or "") if user or password else None
        self._http = httpx.Client(
            transport=transport, timeout=timeout, auth=auth, follow_redirects=True,
            limits=httpx.Limits(max_connections=concurrency,
                                max_keepalive_connections=concurrency),
            headers={"User-Agent": f"drillhall/{__version__}"})

    # -- public API -------------------------------------------------------------------------

    def lookup(self, name: str) -> Lookup:
        """Everything the index says of ``name``; raises :class:`PackageIndexError` when the
        index cannot be read."""
        canonical = canonicalize_name(name)
        page = self._page("simple", canonical, f"{self.index_url}{canonical}/", SIMPLE_JSON)
        if page.body is None:
            return Lookup(PackageInfo(name=canonical), found=False, from_cache=page.from_cache,
                          notes=(f"{canonical} is not on the index {self.display_url}",))
        parsed = self._parse(parse_simple, page.body, canonical)
        notes = list(parsed.notes)
        from_cache = page.from_cache
        if parsed.missing_upload_times and self.json_api:
            parsed, extra, json_cached = self._with_json_dates(canonical, parsed)
            notes += extra
            from_cache = from_cache and json_cached
        return Lookup(parsed.info, found=True, notes=tuple(notes), from_cache=from_cache)

    def package(self, name: str) -> PackageInfo:
        """The releases of ``name`` (none when it is not on the index)."""
        return self.lookup(name).info

    def lookups(self, names: Iterable[str]) -> dict[str, Lookup]:
        """Look up many packages concurrently, keyed by normalised name. A package that cannot
        be read gets a :class:`Lookup` with ``error`` set instead of stopping the others."""
        unique = list(dict.fromkeys(canonicalize_name(n) for n in names))

        def one(name: str) -> Lookup:
            try:
                return self.lookup(name)
            except PackageIndexError as exc:
                return Lookup(PackageInfo(name=name), found=False, error=str(exc))

        if len(unique) <= 1:
            return {n: one(n) for n in unique}
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(unique)),
                                thread_name_prefix="drillhall-index") as pool:
            return dict(zip(unique, pool.map(one, unique), strict=True))

    def packages(self, names: Iterable[str]) -> dict[str, PackageInfo]:
        """:meth:`lookups` without the details; raises the first package's error, if any."""
        found = self.lookups(names)
        for result in found.values():
            if result.error is not None:
                raise PackageIndexError(result.error)
        return {name: result.info for name, result in found.items()}

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> IndexClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- internals --------------------------------------------------------------------------

    def _json_url(self, name: str) -> str | None:
        parts = urlsplit(self.index_url)
        if not parts.path.endswith("/simple/"):
            return None
        root = parts.path[: -len("simple/")]
        return urlunsplit((parts.scheme, parts.netloc, f"{root}pypi/{name}/json", "", ""))

    def _with_json_dates(self, name: str, simple: Parsed) -> tuple[Parsed, list[str], bool]:
        url = self._json_url(name)
        unknown = f"{name}: the index gives no upload times, so release dates are unknown"
        if url is None:
            return simple, [unknown], True
        try:
            page = self._page("json", name, url, "application/json")
            if page.body is None:
                return simple, [unknown], page.from_cache
            parsed = self._parse(parse_json_api, page.body, name)
        except PackageIndexError:
            return simple, [unknown], False
        note = f"{name}: upload times taken from the JSON API"
        return parsed, [*parsed.notes, note], page.from_cache

    def _parse(self, parser: Callable[[str, str], Parsed], body: str, name: str) -> Parsed:
        try:
            return parser(body, name)
        except ParseError as exc:
            raise PackageIndexError(f"{exc} (index {self.display_url})") from None

    def _page(self, kind: str, name: str, url: str, accept: str) -> _Page:
        entry = self._cache.get(kind, name) if self._cache else None
        if entry is not None and self.max_age > 0 and entry.age() < self.max_age:
            return _Page(entry.body, from_cache=True)
        headers = {"Accept": accept}
        if entry is not None and entry.etag:
            headers["If-None-Match"] = entry.etag
        response = self._get(url, headers, name)
        status = response.status_code
        if status == 304 and entry is not None:
            if self._cache is not None:
                self._cache.touch(kind, name, entry)
            return _Page(entry.body, from_cache=True)
        if status in (404, 410):
            return _Page(None, from_cache=False)
        if status in (401, 403):
            raise PackageIndexError(f"the index {self.display_url} refused access to {name!r} "
                                    f"(HTTP {status}); check the credentials in the index URL")
        if status != 200:
            raise PackageIndexError(f"the index {self.display_url} answered HTTP {status} "
                                    f"for {name!r}")
        ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "simple" and ctype not in (SIMPLE_JSON, "application/json"):
            raise PackageIndexError(f"the index {self.display_url} does not serve PEP 691 JSON "
                                    f"for {name!r} (it sent {ctype or 'no content type'})")
        body = response.text
        if self._cache is not None:
            self._cache.put(kind, name, body, response.headers.get("etag"))
        return _Page(body, from_cache=False)

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        asked = _retry_after(retry_after)
        if asked is None:
            asked = self.backoff_base * 2**attempt + random.uniform(0, self.backoff_base)  # noqa: S311
        return min(self.backoff_max, asked)

    def _get(self, url: str, headers: dict[str, str], name: str) -> httpx.Response:
        for attempt in range(self.retries + 1):
            try:
                response = self._http.get(url, headers=headers)
            except httpx.TransportError as exc:
                if attempt >= self.retries:
                    detail = scrub(str(exc), self._secrets) or type(exc).__name__
                    raise PackageIndexError(
                        f"cannot reach the index {self.display_url} for {name!r} after "
                        f"{attempt + 1} attempt(s): {detail}") from None
                self._sleep(self._delay(attempt, None))
                continue
            if response.status_code in RETRY_STATUSES and attempt < self.retries:
                response.close()
                self._sleep(self._delay(attempt, response.headers.get("retry-after")))
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover
