from __future__ import annotations

import base64
import json
from pathlib import Path

from drillhall.ml.manifest import FileStatus, verify
from drillhall.ml.manifest.manifest import EntryType
from tests.manifest.helpers import keypair, signed_tree


def _statuses(report_files: object) -> dict[str, FileStatus]:
    return {c.path: c.status for c in report_files}  # type: ignore[attr-defined]


def test_round_trip_is_clean(tmp_path: Path) -> None:
    s = signed_tree(tmp_path)
    report = verify(s.root, s.manifest, s.public)
    assert report.signature_valid and report.key_matches and report.trusted and report.ok
    assert len(report.files) == 4
    assert all(c.status is FileStatus.UNCHANGED for c in report.files)


def test_one_byte_edit_is_a_change_with_old_and_new(tmp_path: Path) -> None:
    s = signed_tree(tmp_path)
    target = s.root / "models" / "router.joblib"
    data = bytearray(target.read_bytes())
    data[5] ^= 1
    target.write_bytes(bytes(data))
    report = verify(s.root, s.manifest, s.public)
    assert report.trusted and not report.ok
    (change,) = report.differences
    assert change.path == "models/router.joblib" and change.status is FileStatus.CHANGED
    assert change.old is not None and change.new is not None
    assert change.old.sha256 != change.new.sha256 and change.old.size == change.new.size


def test_added_removed_and_type_changed(tmp_path: Path) -> None:
    s = signed_tree(tmp_path)
    (s.root / "models" / "planted.pkl").write_bytes(b"\x80\x04N.")
    (s.root / "data" / "notes.txt").unlink()
    csv = s.root / "data" / "train.csv"
    csv.unlink()
    csv.symlink_to(tmp_path / "keys" / "signing.pub")
    report = verify(s.root, s.manifest, s.public)
    assert _statuses(report.differences) == {
        "models/planted.pkl": FileStatus.ADDED, "data/notes.txt": FileStatus.REMOVED,
        "data/train.csv": FileStatus.TYPE_CHANGED}
    changed = report.with_status(FileStatus.TYPE_CHANGED)[0]
    assert changed.new is not None and changed.new.type is EntryType.SYMLINK


def test_other_key_is_reported_as_wrong_key(tmp_path: Path) -> None:
    s = signed_tree(tmp_path)
    _, other_public = keypair(tmp_path / "other")
    report = verify(s.root, s.manifest, other_public)
    assert not report.key_matches and not report.signature_valid and not report.trusted
    assert report.signed_fingerprint != report.key_fingerprint
    assert not report.differences  # the files are still compared


def test_corrupt_signature_is_bad_and_files_still_compared(tmp_path: Path) -> None:
    s = signed_tree(tmp_path)
    doc = json.loads(s.manifest.read_text())
    raw = bytearray(base64.b64decode(doc["signature"]["value"]))
    raw[0] ^= 0xFF
    doc["signature"]["value"] = base64.b64encode(bytes(raw)).decode()
    s.manifest.write_text(json.dumps(doc))
    (s.root / "data" / "extra.csv").write_text("a\n")
    report = verify(s.root, s.manifest, s.public)
    assert report.key_matches and not report.signature_valid and not report.trusted
    assert _statuses(report.differences) == {"data/extra.csv": FileStatus.ADDED}
    doc["signature"]["value"] = "not base64!"
    s.manifest.write_text(json.dumps(doc))
    assert not verify(s.root, s.manifest, s.public).signature_valid


def test_editing_the_manifest_after_signing_breaks_the_signature(tmp_path: Path) -> None:
    s = signed_tree(tmp_path)
    target = s.root / "models" / "router.joblib"
    target.write_bytes(b"\x80\x04 swapped model")
    doc = json.loads(s.manifest.read_text())
    for entry in doc["manifest"]["files"]:  # the attacker "fixes" the hash to match
        if entry["path"] == "models/router.joblib":
            import hashlib
            entry["sha256"] = hashlib.sha256(target.read_bytes()).hexdigest()
            entry["size"] = target.stat().st_size
    s.manifest.write_text(json.dumps(doc, indent=4))
    report = verify(s.root, s.manifest, s.public)
    assert not report.signature_valid and report.key_matches
    assert not report.differences  # the forged list matches, but it is not trusted


def test_widening_the_selection_in_the_manifest_breaks_the_signature(tmp_path: Path) -> None:
    s = signed_tree(tmp_path)
    doc = json.loads(s.manifest.read_text())
    doc["manifest"]["exclude"] = ["models/**"]
    s.manifest.write_text(json.dumps(doc))
    assert not verify(s.root, s.manifest, s.public).signature_valid


def test_extra_exclude_and_key_inside_root(tmp_path: Path) -> None:
    s = signed_tree(tmp_path)
    (s.root / "data" / "scratch.tmp").write_text("x")
    inside = s.root / "signing.pub"
    inside.write_bytes(s.public.read_bytes())
    report = verify(s.root, s.manifest, inside, exclude=["*.tmp", "data/notes.txt"])
    assert report.ok
    assert "data/notes.txt" not in {c.path for c in report.files}


def test_a_copy_verifies_the_same(tmp_path: Path) -> None:
    import shutil

    s = signed_tree(tmp_path)
    copy = tmp_path / "copy"
    shutil.copytree(s.root, copy, symlinks=True)
    assert verify(copy, copy / s.manifest.name, s.public).ok


def test_cancel_stops_early_and_reports_no_removals(tmp_path: Path) -> None:
    import threading

    from drillhall.ml.manifest.signing import load_public_key, load_signed
    from drillhall.ml.manifest.verify import verify_signed

    s = signed_tree(tmp_path)
    cancel = threading.Event()
    cancel.set()
    report = verify_signed(s.root, load_signed(s.manifest), load_public_key(s.public),
                           ignore=["drillhall-manifest.json"], cancel=cancel)
    assert report.cancelled and not report.ok and report.files == ()
