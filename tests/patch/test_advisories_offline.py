"""OfflineDB over a fixture OSV snapshot written by the tests: directory and all.zip."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from drillhall.core.model import Severity
from drillhall.errors import InputError
from drillhall.patch.advisories import OfflineDB, primary_id

CRIT = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"


def _pypi(name: str, *events: dict[str, str], versions: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"package": {"ecosystem": "PyPI", "name": name},
            "ranges": [{"type": "ECOSYSTEM", "events": list(events)}] if events else [],
            "versions": list(versions)}


RECORDS: dict[str, dict[str, Any]] = {
    # One vulnerability published three times: GHSA, PYSEC and a CVE-only record, linked
    # transitively (the PYSEC record names the CVE, the GHSA record names the PYSEC id).
    "ghsa/GHSA-1111-2222-3333.json": {
        "id": "GHSA-1111-2222-3333", "aliases": ["PYSEC-2023-1"],
        "summary": "Template injection in demo-lib", "modified": "2024-01-02T00:00:00Z",
        "published": "2023-05-01T00:00:00Z", "database_specific": {"severity": "HIGH"},
        "references": [{"type": "ADVISORY", "url": "https://example.test/GHSA-1111"}],
        "affected": [_pypi("Demo_Lib", {"introduced": "0"}, {"fixed": "1.9.5"}),
                     _pypi("Demo_Lib", {"introduced": "2.0.0a1"}, {"fixed": "2.0.0rc1"})],
    },
    "pysec/PYSEC-2023-1.json": {
        "id": "PYSEC-2023-1", "aliases": ["CVE-2023-0001"], "modified": "2024-01-01T00:00:00Z",
        "published": "2023-04-30T00:00:00Z",
        "affected": [_pypi("demo-lib", {"introduced": "0"}, {"fixed": "1.9.5"},
                           {"introduced": "2.0.0a1"}, {"fixed": "2.0.0rc1"})],
    },
    "nvd/CVE-2023-0001.json": {
        "id": "CVE-2023-0001", "severity": [{"type": "CVSS_V3", "score": CRIT}],
        "affected": [_pypi("demo-lib", versions=("1.0",))],
    },
    # An unrelated advisory for the same package, last_affected and a limit.
    "ghsa/GHSA-4444-5555-6666.json": {
        "id": "GHSA-4444-5555-6666", "summary": "Second bug", "database_specific":
            {"severity": "LOW"},
        "affected": [_pypi("demo-lib", {"introduced": "1.5"}, {"last_affected": "1.9.5"}),
                     _pypi("demo-lib", {"introduced": "3.0"}, {"limit": "3.2"})],
    },
    # Withdrawn: never reported.
    "ghsa/GHSA-7777-8888-9999.json": {
        "id": "GHSA-7777-8888-9999", "withdrawn": "2024-02-02T00:00:00Z",
        "affected": [_pypi("demo-lib", {"introduced": "0"})],
    },
    # Other ecosystem with the same name: ignored.
    "npm/GHSA-npm.json": {
        "id": "GHSA-aaaa-npmx-0000",
        "affected": [{"package": {"ecosystem": "npm", "name": "demo-lib"},
                      "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}],
    },
}


def write_snapshot(root: Path, records: dict[str, dict[str, Any]] = RECORDS) -> Path:
    for rel, data in records.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data), encoding="utf-8")
    return root


def write_zip(path: Path, records: dict[str, dict[str, Any]] = RECORDS,
              extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for rel, data in records.items():
            archive.writestr(Path(rel).name, json.dumps(data))
        for name, payload in (extra or {}).items():
            archive.writestr(name, payload)
    return path


@pytest.fixture(params=["dir", "zip"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> OfflineDB:
    if request.param == "dir":
        return OfflineDB(write_snapshot(tmp_path / "osv"))
    return OfflineDB(write_zip(tmp_path / "all.zip"))


def test_aliases_merged_transitively_across_files(db: OfflineDB) -> None:
    found = db.affecting("demo-lib", "1.0")
    assert [a.id for a in found] == ["GHSA-1111-2222-3333"]
    adv = found[0]
    assert adv.aliases == ("PYSEC-2023-1", "CVE-2023-0001")
    assert set(adv.ids) == {"GHSA-1111-2222-3333", "PYSEC-2023-1", "CVE-2023-0001"}
    assert adv.summary == "Template injection in demo-lib"
    assert adv.severity is Severity.CRITICAL  # the CVE's vector beats the GHSA label
    assert adv.cvss == CRIT
    assert adv.fixed == ("1.9.5", "2.0.0rc1")
    assert adv.package == "demo-lib"
    assert adv.url == "https://example.test/GHSA-1111"
    assert adv.published is not None and adv.published.day == 30


def test_two_advisories_worst_first(db: OfflineDB) -> None:
    found = db.affecting("DEMO.lib", "1.6")
    assert [(a.id, a.severity) for a in found] == [
        ("GHSA-1111-2222-3333", Severity.CRITICAL), ("GHSA-4444-5555-6666", Severity.LOW)]
    assert found[1].fixed == ()


@pytest.mark.parametrize(("version", "ids"), [
    ("1.9.4", {"GHSA-1111-2222-3333", "GHSA-4444-5555-6666"}),
    ("1.9.5", {"GHSA-4444-5555-6666"}),
    ("1.9.6", set()),
    ("2.0.0b1", {"GHSA-1111-2222-3333"}),
    ("2.0.0rc1", set()),
    ("3.1", {"GHSA-4444-5555-6666"}),
    ("3.2", set()),
    ("not-a-version", set()),
])
def test_versions(db: OfflineDB, version: str, ids: set[str]) -> None:
    assert {a.id for a in db.affecting("demo-lib", version)} == ids


def test_smallest_fix(db: OfflineDB) -> None:
    adv = db.affecting("demo-lib", "1.0")[0]
    assert db.smallest_fix("demo-lib", "1.0", adv) == "1.9.5"
    # 1.9.5 is still affected by the other advisory's last_affected: the overall fix is later.
    assert db.smallest_fix("demo-lib", "1.6") == "2.0.0rc1"
    assert db.smallest_fix("demo-lib", "3.1") is None
    assert db.smallest_fix("unknown", "1.0") is None


def test_twins_that_disagree_are_ored(tmp_path: Path) -> None:
    records = {k: v for k, v in RECORDS.items() if "PYSEC" in k or "CVE" in k}
    records["x/GHSA-wide.json"] = {"id": "GHSA-wide-wide-wide", "aliases": ["CVE-2023-0001"],
                                   "affected": [_pypi("demo-lib", {"introduced": "0"})]}
    db = OfflineDB(write_snapshot(tmp_path / "osv", records))
    assert [a.id for a in db.affecting("demo-lib", "1.9.6")] == ["GHSA-wide-wide-wide"]
    assert db.smallest_fix("demo-lib", "1.0") is None  # every fixed version is still affected


def test_unknown_package_and_withdrawn(db: OfflineDB) -> None:
    assert db.affecting("nothing-here", "1.0") == []
    assert all(a.id != "GHSA-7777-8888-9999" for a in db.affecting("demo-lib", "5.0"))


def test_affecting_many(db: OfflineDB) -> None:
    out = db.affecting_many([("Demo_Lib", "1.0"), ("other", "1.0")])
    assert set(out) == {("demo-lib", "1.0"), ("other", "1.0")}
    assert len(out[("demo-lib", "1.0")]) == 1


def test_bad_files_are_skipped_and_counted(tmp_path: Path) -> None:
    root = write_snapshot(tmp_path / "osv")
    (root / "broken.json").write_text("{not json", encoding="utf-8")
    (root / "list.json").write_text("[1, 2]", encoding="utf-8")
    (root / "bad-schema.json").write_text(json.dumps(
        {"id": "GHSA-bad", "affected": [{"package": {"ecosystem": "PyPI", "name": "demo-lib"},
                                          "ranges": "oops"}]}), encoding="utf-8")
    db = OfflineDB(root)
    assert {a.id for a in db.affecting("demo-lib", "1.0")} == {"GHSA-1111-2222-3333"}
    assert db.skipped == 4  # broken JSON, two non-records in the list, the bad schema
    assert any("broken.json" in note for note in db.notes)
    assert any("GHSA-bad" in note for note in db.notes)


def test_zip_with_bad_member_and_caps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import drillhall.patch.advisories.offline as offline

    archive = write_zip(tmp_path / "all.zip", extra={"junk.json": b"\xff\xfe nope"})
    db = OfflineDB(archive)
    assert len(db.affecting("demo-lib", "1.0")) == 1
    assert db.skipped == 1
    monkeypatch.setattr(offline, "MAX_RECORD_BYTES", 10)
    capped = OfflineDB(archive)
    # every record over the cap: nothing readable is an error, never a clean audit
    with pytest.raises(InputError, match="no readable PyPI advisory"):
        capped.affecting("demo-lib", "1.0")
    assert capped.skipped == len(RECORDS) + 1


def test_not_a_snapshot_is_an_input_error(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    for path in (text, tmp_path / "missing"):
        with pytest.raises(InputError, match=str(path.name)):
            OfflineDB(path)


def test_lazy_load_and_cache(tmp_path: Path) -> None:
    root = write_snapshot(tmp_path / "osv")
    db = OfflineDB(root)
    (root / "ghsa" / "GHSA-4444-5555-6666.json").unlink()  # not read yet: load is lazy
    assert {a.id for a in db.affecting("demo-lib", "1.6")} == {"GHSA-1111-2222-3333"}
    write_snapshot(root)
    assert len(db.affecting("demo-lib", "1.6")) == 1  # cached in memory after the first load


def test_primary_id_preference() -> None:
    assert primary_id(["CVE-1", "PYSEC-1", "GHSA-b", "GHSA-a"]) == "GHSA-a"
    assert primary_id(["CVE-1", "PYSEC-1"]) == "PYSEC-1"
    assert primary_id(["OSV-1", "CVE-1"]) == "CVE-1"


def test_zip_index_is_kept_between_runs(tmp_path: Path) -> None:
    """A second OfflineDB on the same all.zip answers from the on-disk per-project index
    without opening the zip."""
    import json as _json
    import zipfile as _zipfile

    from drillhall.patch.advisories import OfflineDB as _DB

    record = {"id": "GHSA-zzzz-yyyy-xxxx", "modified": "2024-01-01T00:00:00Z",
              "affected": [{"package": {"ecosystem": "PyPI", "name": "Demo_Pkg"},
                            "ranges": [{"type": "ECOSYSTEM",
                                        "events": [{"introduced": "0"}, {"fixed": "2.0"}]}]}]}
    snapshot = tmp_path / "all.zip"
    with _zipfile.ZipFile(snapshot, "w") as archive:
        archive.writestr("GHSA-zzzz-yyyy-xxxx.json", _json.dumps(record))
    index = tmp_path / "index"
    first = _DB(snapshot, index_dir=index)
    assert [a.id for a in first.affecting("demo-pkg", "1.0")] == ["GHSA-zzzz-yyyy-xxxx"]
    second = _DB(snapshot, index_dir=index)
    second._documents = None  # type: ignore[method-assign,assignment]  # must not be read
    assert [a.id for a in second.affecting("demo-pkg", "1.0")] == ["GHSA-zzzz-yyyy-xxxx"]
    assert second.affecting("other", "1.0") == []


def test_empty_or_unreadable_snapshot_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no readable PyPI advisory"):
        OfflineDB(empty).affecting("requests", "2.19.0")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "bad.json").write_text('{"id":', encoding="utf-8")
    with pytest.raises(InputError, match=r"1 file\(s\) skipped"):
        OfflineDB(broken).affecting("requests", "2.19.0")
