"""OnlineDB and db_update against httpx.MockTransport (offline), plus one opt-in network test."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest

from drillhall.patch.advisories import AdvisoryServiceError, OnlineDB, db_update

GHSA = {
    "id": "GHSA-1111-2222-3333", "aliases": ["CVE-2023-0001"], "summary": "Bug",
    "modified": "2024-01-02T00:00:00Z", "database_specific": {"severity": "HIGH"},
    "affected": [{"package": {"ecosystem": "PyPI", "name": "demo-lib"},
                  "ranges": [{"type": "ECOSYSTEM",
                              "events": [{"introduced": "0"}, {"fixed": "1.5"}]}]}],
}
CVE = {
    "id": "CVE-2023-0001", "modified": "2024-01-01T00:00:00Z",
    "affected": [{"package": {"ecosystem": "PyPI", "name": "demo-lib"}, "versions": ["1.0"]}],
}
RECORDS = {r["id"]: r for r in (GHSA, CVE)}


class FakeOSV:
    """A tiny OSV API: answers querybatch from RECORDS' explicit ranges, counts requests."""

    def __init__(self, *, fail_first: int = 0, page: bool = False) -> None:
        self.calls: list[str] = []
        self.fail_first = fail_first
        self.page = page
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.calls.append(f"{request.method} {request.url.path}")
            if self.fail_first:
                self.fail_first -= 1
                return httpx.Response(503)
        if request.url.path == "/v1/querybatch":
            body = json.loads(request.content)
            results: list[dict[str, Any]] = []
            for query in body["queries"]:
                assert query["package"]["ecosystem"] == "PyPI"
                if query["package"]["name"] != "demo-lib":
                    results.append({})
                    continue
                vulns = [{"id": r["id"], "modified": r["modified"]} for r in RECORDS.values()]
                if self.page and "page_token" not in query:
                    results.append({"vulns": vulns[:1], "next_page_token": "p2"})
                elif self.page:
                    results.append({"vulns": vulns[1:]})
                else:
                    results.append({"vulns": vulns})
            return httpx.Response(200, json={"results": results})
        if request.url.path.startswith("/v1/vulns/"):
            vuln_id = request.url.path.rsplit("/", 1)[1]
            if vuln_id in RECORDS:
                return httpx.Response(200, json=RECORDS[vuln_id])
            return httpx.Response(404)
        return httpx.Response(404)


def _db(tmp_path: Path, fake: FakeOSV, **kwargs: Any) -> OnlineDB:
    return OnlineDB(tmp_path / "cache", transport=httpx.MockTransport(fake),
                    sleep=lambda _s: None, **kwargs)


def test_batch_then_records_merged(tmp_path: Path) -> None:
    fake = FakeOSV()
    db = _db(tmp_path, fake)
    out = db.affecting_many([("Demo_Lib", "1.0"), ("other", "2.0")])
    assert [a.id for a in out[("demo-lib", "1.0")]] == ["GHSA-1111-2222-3333"]
    assert out[("demo-lib", "1.0")][0].aliases == ("CVE-2023-0001",)
    assert out[("other", "2.0")] == []
    assert fake.calls.count("POST /v1/querybatch") == 1
    assert sorted(c for c in fake.calls if c.startswith("GET")) == [
        "GET /v1/vulns/CVE-2023-0001", "GET /v1/vulns/GHSA-1111-2222-3333"]
    assert (tmp_path / "cache" / "GHSA-1111-2222-3333.json").is_file()


def test_exact_semantics_applied_to_api_hits(tmp_path: Path) -> None:
    db = _db(tmp_path, FakeOSV())
    # The fake API names both records for any version; our own matching decides.
    assert db.affecting("demo-lib", "1.5") == []
    assert db.smallest_fix("demo-lib", "1.2") == "1.5"


def test_cache_reused_when_modified_unchanged(tmp_path: Path) -> None:
    _db(tmp_path, FakeOSV()).affecting("demo-lib", "1.0")
    fake = FakeOSV()
    again = _db(tmp_path, fake)
    assert len(again.affecting("demo-lib", "1.0")) == 1
    assert fake.calls == ["POST /v1/querybatch"]


def test_cache_refreshed_when_modified_changes(tmp_path: Path) -> None:
    _db(tmp_path, FakeOSV()).affecting("demo-lib", "1.0")
    cached = tmp_path / "cache" / "CVE-2023-0001.json"
    stale = json.loads(cached.read_text())
    stale["modified"] = "2020-01-01T00:00:00Z"
    cached.write_text(json.dumps(stale))
    fake = FakeOSV()
    _db(tmp_path, fake).affecting("demo-lib", "1.0")
    assert "GET /v1/vulns/CVE-2023-0001" in fake.calls
    assert "GET /v1/vulns/GHSA-1111-2222-3333" not in fake.calls


def test_retries_with_backoff(tmp_path: Path) -> None:
    fake = FakeOSV(fail_first=2)
    delays: list[float] = []
    db = OnlineDB(tmp_path / "c", transport=httpx.MockTransport(fake), sleep=delays.append,
                  backoff=0.25)
    assert len(db.affecting("demo-lib", "1.0")) == 1
    assert delays == [0.25, 0.5]


def test_gives_up_with_one_sentence(tmp_path: Path) -> None:
    db = _db(tmp_path, FakeOSV(fail_first=100), retries=2)
    with pytest.raises(AdvisoryServiceError, match="failed after 3 attempts"):
        db.affecting("demo-lib", "1.0")


def test_transport_errors_are_retried(tmp_path: Path) -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route", request=request)

    db = OnlineDB(tmp_path / "c", transport=httpx.MockTransport(broken), sleep=lambda _s: None,
                  retries=1)
    with pytest.raises(AdvisoryServiceError, match="ConnectError"):
        db.affecting("demo-lib", "1.0")


def test_page_tokens_are_followed(tmp_path: Path) -> None:
    fake = FakeOSV(page=True)
    db = _db(tmp_path, fake)
    assert db.affecting("demo-lib", "1.0")[0].aliases == ("CVE-2023-0001",)
    assert fake.calls.count("POST /v1/querybatch") == 2


def test_offline_mode_uses_cache_only(tmp_path: Path) -> None:
    _db(tmp_path, FakeOSV()).affecting("demo-lib", "1.0")

    def no_network(request: httpx.Request) -> httpx.Response:
        raise AssertionError("offline mode sent a request")

    offline = OnlineDB(tmp_path / "cache", offline=True, transport=httpx.MockTransport(no_network))
    assert [a.id for a in offline.affecting("demo-lib", "1.0")] == ["GHSA-1111-2222-3333"]
    empty = OnlineDB(tmp_path / "nothing", offline=True)
    assert empty.affecting("demo-lib", "1.0") == []


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("GHSA-1111-2222-3333.json", json.dumps(GHSA))
    return buffer.getvalue()


def test_db_update_downloads_atomically(tmp_path: Path) -> None:
    payload = _zip_bytes()
    seen: list[str] = []

    def serve(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, content=payload)

    path = db_update(tmp_path / "osv", transport=httpx.MockTransport(serve))
    assert path == tmp_path / "osv" / "all.zip"
    assert path.read_bytes() == payload
    assert seen == ["https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"]
    assert sorted(p.name for p in path.parent.iterdir()) == ["all.zip"]


@pytest.mark.parametrize(("status", "body", "match"), [
    (500, b"", "HTTP 500"), (200, b"<html>not a zip</html>", "not a zip"),
])
def test_db_update_failure_keeps_previous_snapshot(
    tmp_path: Path, status: int, body: bytes, match: str
) -> None:
    target = tmp_path / "osv"
    target.mkdir()
    (target / "all.zip").write_bytes(b"previous")
    transport = httpx.MockTransport(lambda _r: httpx.Response(status, content=body))
    with pytest.raises(AdvisoryServiceError, match=match):
        db_update(target, transport=transport)
    assert (target / "all.zip").read_bytes() == b"previous"
    assert sorted(p.name for p in target.iterdir()) == ["all.zip"]


@pytest.mark.network
def test_real_osv_api(tmp_path: Path) -> None:
    db = OnlineDB(tmp_path / "cache")
    found = db.affecting("jinja2", "2.10")
    assert found, "jinja2 2.10 has public advisories"
    assert all(a.package == "jinja2" for a in found)
