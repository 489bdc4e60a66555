"""A small PEP 691 package index on 127.0.0.1, for testing the index client offline.

Packages are described in code; :class:`FakeIndexServer` serves them with uvicorn in a thread::

    index = FakeIndex([FakePackage("demo", [FakeRelease("1.0", uploaded=datetime(2024, 1, 2,
                                                         tzinfo=UTC))])])
    with FakeIndexServer(index) as server:
        client = IndexClient(server.simple_url)

Routes: ``/simple/`` and ``/simple/{name}/`` (PEP 691 JSON only, with PEP 700 ``versions``
and ``upload-time``; an Accept header that admits only HTML gets 406; a name that is not
normalised is redirected like PyPI does), ``/pypi/{name}/json`` (the Warehouse JSON API),
``/files/{filename}`` (real wheel bytes when a test registered some, see :func:`build_wheel`)
and ``/health``. Project pages carry an ``ETag`` and answer ``If-None-Match`` with 304.

Switches for failure tests: :meth:`FakeIndex.fail_next` answers the next N requests with a
status (429 or 500, optionally with ``Retry-After``); ``require_auth`` demands HTTP basic
auth; ``upload_times=False`` leaves ``upload-time`` out of the simple pages (an index without
PEP 700); ``delay`` holds every answer that long, and :attr:`FakeIndex.max_in_flight` then
shows how many requests the client had open at once. Every request is recorded in
:attr:`FakeIndex.requests`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import threading
import zipfile
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from packaging.utils import canonicalize_name

from drillhall.errors import DependencyMissing, DrillhallError
from drillhall.web.loopback import LOOPBACK, LoopbackServer

try:
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse, RedirectResponse, Response
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise DependencyMissing("fastapi", "web") from exc

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"


class FakeIndexError(DrillhallError):
    """The fake index server cannot start or stop."""


@dataclass(frozen=True, slots=True)
class FakeRelease:
    """One version. ``files`` are distribution file names (default: a pure-Python wheel and
    an sdist); ``yanked`` may be a reason string."""

    version: str
    uploaded: datetime | None = None
    yanked: bool | str = False
    requires_python: str | None = None
    files: tuple[str, ...] | None = None


@dataclass(slots=True)
class FakePackage:
    """A project on the fake index."""

    name: str
    releases: list[FakeRelease] = field(default_factory=list)

    def filenames(self, release: FakeRelease) -> tuple[str, ...]:
        if release.files is not None:
            return release.files
        stem = f"{canonicalize_name(self.name).replace('-', '_')}-{release.version}"
        return (f"{stem}-py3-none-any.whl", f"{stem}.tar.gz")


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the fake index received (headers that matter to the client only)."""

    method: str
    path: str
    accept: str
    if_none_match: str | None
    authorized: bool
    status: int


def _iso(when: datetime) -> str:
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def build_wheel(name: str, version: str, directory: Path, *,
                requires_python: str | None = None) -> Path:
    """Write a minimal valid pure-Python wheel (``METADATA``, ``WHEEL``, ``RECORD`` and one
    module) into ``directory`` and return its path."""
    dist = canonicalize_name(name).replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    if requires_python:
        metadata += f"Requires-Python: {requires_python}\n"
    members = {
        f"{dist}/__init__.py": f'__version__ = "{version}"\n',
        f"{info}/METADATA": metadata,
        f"{info}/WHEEL": ("Wheel-Version: 1.0\nGenerator: drillhall-testing\n"
                          "Root-Is-Purelib: true\nTag: py3-none-any\n"),
    }
    record = []
    for member, text in members.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{member},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{info}/RECORD,,")
    members[f"{info}/RECORD"] = "\n".join(record) + "\n"
    path = directory / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, text in members.items():
            archive.writestr(member, text)
    return path


class FakeIndex:
    """The packages and switches behind a :class:`FakeIndexServer` (thread-safe)."""

    def __init__(self, packages: Iterable[FakePackage] = (), *, upload_times: bool = True,
                 versions_key: bool = True, json_api: bool = True,
                 require_auth: tuple[str, str] | None = None, delay: float = 0.0) -> None:
        self.packages: dict[str, FakePackage] = {canonicalize_name(p.name): p for p in packages}
        self.upload_times = upload_times
        self.versions_key = versions_key
        self.json_api = json_api
        self.require_auth = require_auth
        self.files: dict[str, bytes] = {}
        self.requests: list[RequestRecord] = []
        self.delay = delay
        self.in_flight = 0
        self.max_in_flight = 0
        self._failures: list[tuple[int, str | None]] = []
        self._lock = threading.Lock()

    def add(self, package: FakePackage) -> None:
        with self._lock:
            self.packages[canonicalize_name(package.name)] = package

    def add_file(self, path: Path) -> None:
        """Serve the bytes of ``path`` at ``/files/{path.name}``."""
        with self._lock:
            self.files[path.name] = path.read_bytes()

    def fail_next(self, status: int, times: int = 1, *, retry_after: str | None = None) -> None:
        """Answer the next ``times`` requests with ``status`` (and ``Retry-After``)."""
        with self._lock:
            self._failures.extend([(status, retry_after)] * times)

    def count(self, path: str | None = None) -> int:
        """How many requests arrived (for ``path`` only, when given)."""
        with self._lock:
            return sum(1 for r in self.requests if path is None or r.path == path)

    def _next_failure(self) -> tuple[int, str | None] | None:
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _record(self, request: Request, authorized: bool, status: int) -> None:
        with self._lock:
            self.requests.append(RequestRecord(
                request.method, request.url.path, request.headers.get("accept", ""),
                request.headers.get("if-none-match"), authorized, status))

    def _authorized(self, request: Request) -> bool:
        if self.require_auth is None:
            return True
        user, password = self.require_auth
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        return request.headers.get("authorization", "") == f"Basic {token}"

    def project_page(self, name: str) -> dict[str, object]:
        package = self.packages[name]
        files: list[dict[str, object]] = []
        for release in package.releases:
            for filename in package.filenames(release):
                entry: dict[str, object] = {
                    "filename": filename, "url": f"/files/{filename}",
                    # the real digest of a served file (pip checks it); a stand-in otherwise
                    "hashes": {"sha256": hashlib.sha256(
                        self.files.get(filename, filename.encode())).hexdigest()},
                    "yanked": release.yanked,
                }
                if release.requires_python:
                    entry["requires-python"] = release.requires_python
                if self.upload_times and release.uploaded is not None:
                    entry["upload-time"] = _iso(release.uploaded)
                files.append(entry)
        page: dict[str, object] = {"meta": {"api-version": "1.1"}, "name": name,
                                   "files": files}
        if self.versions_key:
            page["versions"] = [r.version for r in package.releases]
        return page

    def json_page(self, name: str) -> dict[str, object]:
        package = self.packages[name]
        releases: dict[str, list[dict[str, object]]] = {}
        for release in package.releases:
            releases[release.version] = [{
                "filename": filename,
                "upload_time_iso_8601": _iso(release.uploaded) if release.uploaded else None,
                "yanked": release.yanked is not False,
                "requires_python": release.requires_python,
            } for filename in package.filenames(release)]
        latest = package.releases[-1].version if package.releases else ""
        return {"info": {"name": package.name, "version": latest}, "releases": releases}


def _etag(payload: bytes) -> str:
    return '"' + hashlib.sha256(payload).hexdigest()[:20] + '"'


def _accepts_json(accept: str) -> bool:
    if not accept:
        return True
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    return any(k in (SIMPLE_JSON, "application/json", "*/*", "application/*") for k in kinds)


def create_app(index: FakeIndex) -> FastAPI:
    """The ASGI app serving ``index``."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.middleware("http")
    async def gate(request: Request,
                   call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.url.path == "/health":
            return Response("ok")
        authorized = index._authorized(request)
        failure = index._next_failure()
        if failure is not None:
            status, retry_after = failure
            headers = {"Retry-After": retry_after} if retry_after else {}
            response: Response = Response("try again", status_code=status, headers=headers)
        elif not authorized:
            response = Response("unauthorized", status_code=401,
                                headers={"WWW-Authenticate": 'Basic realm="fake"'})
        else:
            index._enter()
            try:
                if index.delay:
                    await asyncio.sleep(index.delay)
                response = await call_next(request)
            finally:
                index._leave()
        index._record(request, authorized, response.status_code)
        return response

    def _json(payload: object, request: Request, media_type: str) -> Response:
        body = json.dumps(payload, sort_keys=True).encode()
        tag = _etag(body)
        if request.headers.get("if-none-match") == tag:
            return Response(status_code=304, headers={"ETag": tag})
        return Response(body, media_type=media_type, headers={"ETag": tag})

    @app.get("/simple/")
    async def root(request: Request) -> Response:
        if not _accepts_json(request.headers.get("accept", "")):
            return Response("only PEP 691 JSON is served", status_code=406)
        projects = [{"name": name} for name in sorted(index.packages)]
        return _json({"meta": {"api-version": "1.1"}, "projects": projects}, request,
                     SIMPLE_JSON)

    @app.get("/simple/{name}/")
    async def project(name: str, request: Request) -> Response:
        if not _accepts_json(request.headers.get("accept", "")):
            return Response("only PEP 691 JSON is served", status_code=406)
        canonical = canonicalize_name(name)
        if canonical != name:
            return RedirectResponse(f"/simple/{canonical}/", status_code=301)
        if canonical not in index.packages:
            return JSONResponse({"message": "Not Found"}, status_code=404)
        return _json(index.project_page(canonical), request, SIMPLE_JSON)

    @app.get("/pypi/{name}/json")
    async def json_api(name: str, request: Request) -> Response:
        canonical = canonicalize_name(name)
        if not index.json_api or canonical not in index.packages:
            return JSONResponse({"message": "Not Found"}, status_code=404)
        return _json(index.json_page(canonical), request, "application/json")

    @app.get("/files/{filename}")
    async def files(filename: str) -> Response:
        data = index.files.get(filename)
        if data is None:
            return Response("no such file", status_code=404)
        return Response(data, media_type="application/octet-stream")

    return app


class FakeIndexServer:
    """Serve a :class:`FakeIndex` on 127.0.0.1 (a context manager)."""

    def __init__(self, index: FakeIndex, *, port: int = 0) -> None:
        self.index = index
        self._server = LoopbackServer(create_app(index), host=LOOPBACK, port=port,
                                      error=FakeIndexError, what="the fake package index",
                                      thread_name="drillhall-fake-index")

    @property
    def url(self) -> str:
        """The root URL, e.g. ``http://127.0.0.1:54321``."""
        return self._server.url

    @property
    def simple_url(self) -> str:
        """The simple API root, ``{url}/simple/``."""
        return self.url + "/simple/"

    def start(self) -> FakeIndexServer:
        self._server.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._server.stop(timeout)

    def __enter__(self) -> FakeIndexServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def build_module_wheel(directory: Path, name: str, version: str, module: str) -> Path:
    """A pure-Python wheel whose import package ``name`` holds ``module`` as its
    ``__init__`` (for upgrade trials that must really import the library)."""
    info = f"{name}-{version}.dist-info"
    members = {
        f"{name}/__init__.py": module,
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: drillhall\nRoot-Is-Purelib: true\n"
                         "Tag: py3-none-any\n",
    }
    record = []
    for member, text in members.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{member},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{info}/RECORD,,")
    members[f"{info}/RECORD"] = "\n".join(record) + "\n"
    path = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, text in members.items():
            archive.writestr(member, text)
    return path
