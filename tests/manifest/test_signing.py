from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from drillhall.errors import ConfigError, InputError
from drillhall.ml.manifest import create_manifest, generate_key, load_public_key, load_signed, sign
from drillhall.ml.manifest.signing import (
    load_private_key,
    public_key_fingerprint,
    signature_valid,
    write_signed,
)
from tests.manifest.helpers import keypair, make_tree, signed_tree


def test_keygen_writes_pem_private_key_0600_and_refuses_overwrite(tmp_path: Path) -> None:
    private, public = tmp_path / "k.key", tmp_path / "k.pub"
    fingerprint = generate_key(private, public)
    assert len(fingerprint) == 64
    if os.name == "posix":
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert private.read_bytes().startswith(b"-----BEGIN ")
    assert public_key_fingerprint(load_public_key(public)) == fingerprint
    before = private.read_bytes()
    with pytest.raises(InputError, match="already exists; refusing to overwrite"):
        generate_key(private, tmp_path / "other.pub")
    with pytest.raises(InputError, match=r"k\.pub: already exists"):
        generate_key(tmp_path / "other.key", public)
    assert private.read_bytes() == before
    assert not (tmp_path / "other.pub").exists() and not (tmp_path / "other.key").exists()


def test_passphrase_protected_key(tmp_path: Path) -> None:
    private, public = tmp_path / "k.key", tmp_path / "k.pub"
    generate_key(private, public, passphrase=b"correct horse")
    m = create_manifest(make_tree(tmp_path / "b"))
    signed = sign(m, private, passphrase=b"correct horse")
    assert signature_valid(signed, load_public_key(public))
    with pytest.raises(ConfigError, match=r"k\.key: "):
        load_private_key(private)
    with pytest.raises(ConfigError, match=r"k\.key: "):
        load_private_key(private, passphrase=b"wrong")


def test_bad_key_files(tmp_path: Path) -> None:
    private, public = keypair(tmp_path)
    junk = tmp_path / "junk.pub"
    junk.write_text("hello\n")
    with pytest.raises(ConfigError, match=r"junk\.pub: not a PEM public key"):
        load_public_key(junk)
    with pytest.raises(ConfigError, match=r"signing\.key: not a PEM public key"):
        load_public_key(private)
    with pytest.raises(ConfigError, match=r"signing\.pub: not a PEM private key"):
        load_private_key(public)
    with pytest.raises(InputError, match=r"missing\.pub: cannot be read"):
        load_public_key(tmp_path / "missing.pub")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    ec_pub = tmp_path / "ec.pub"
    ec_pub.write_bytes(other.public_bytes(serialization.Encoding.PEM,
                                          serialization.PublicFormat.SubjectPublicKeyInfo))
    with pytest.raises(ConfigError, match=r"ec\.pub: not an Ed25519 public key"):
        load_public_key(ec_pub)


def test_round_trip_of_the_signed_file(tmp_path: Path) -> None:
    s = signed_tree(tmp_path)
    loaded = load_signed(s.manifest)
    assert loaded.algorithm == "ed25519"
    assert loaded.key_fingerprint == public_key_fingerprint(load_public_key(s.public))
    assert loaded.payload == loaded.manifest.canonical_bytes()
    assert signature_valid(loaded, load_public_key(s.public))
    doc = json.loads(s.manifest.read_text())
    assert doc["schema"] == "drillhall/signed-manifest/v1"
    assert doc["manifest"]["files"][0]["path"] == "data/notes.txt"
    # re-indenting does not change the meaning, so the signature still holds
    s.manifest.write_text(json.dumps(doc))
    assert signature_valid(load_signed(s.manifest), load_public_key(s.public))
    # writing is atomic: no temporary file left behind
    write_signed(loaded, s.manifest)
    assert sorted(p.name for p in s.root.iterdir()) == ["data", "drillhall-manifest.json",
                                                       "models"]


@pytest.mark.parametrize(("text", "message"), [
    ('{"schema": "drillhall/signed-manifest/v1",\n "manifest": ', r"not valid JSON \(line 2"),
    ("[]", "expected a JSON object"),
    ('{"schema": "x", "schema": "y"}', "key 'schema' appears twice"),
    ('{"schema": "drillhall/signed-manifest/v1", "manifest": {}, "signature": '
     '{"algorithm": "ed25519", "key_fingerprint": "' + "0" * 64 + '", "value": "AA=="}, '
     '"colour": 1}', "unknown key 'colour'"),
    ('{"schema": "drillhall/signed-manifest/v1", "manifest": {}}', "missing required key "
     "'signature'"),
])
def test_malformed_signed_file_names_file_and_key(tmp_path: Path, text: str,
                                                  message: str) -> None:
    bad = tmp_path / "m.json"
    bad.write_text(text)
    with pytest.raises(ConfigError, match=rf"m.json: .*{message}"):
        load_signed(bad)


def test_malformed_manifest_entry_names_the_key(tmp_path: Path) -> None:
    s = signed_tree(tmp_path)
    doc = json.loads(s.manifest.read_text())
    doc["manifest"]["files"][1]["size"] = "12"
    s.manifest.write_text(json.dumps(doc))
    with pytest.raises(ConfigError, match=r"\[manifest\] key 'files.1.size'"):
        load_signed(s.manifest)
    doc["manifest"]["files"][1]["size"] = 12
    doc["manifest"]["files"][1]["path"] = "../escape"
    s.manifest.write_text(json.dumps(doc))
    with pytest.raises(ConfigError, match="not relative"):
        load_signed(s.manifest)


def test_missing_manifest_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nothing\.json: no such manifest"):
        load_signed(tmp_path / "nothing.json")
