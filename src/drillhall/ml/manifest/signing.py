"""Ed25519 keys and signatures for manifests, and the signed manifest file.

The signed file is JSON (schema ``drillhall/signed-manifest/v1``) holding the manifest object
and a signature over the manifest's canonical bytes (:func:`~.manifest.canonical_json`),
so re-indenting the file keeps it valid while any change of meaning breaks it::

    {"schema": "drillhall/signed-manifest/v1",
     "manifest": {"schema": "drillhall/manifest/v1", "created": "…", "root": "assets",
                  "include": ["**/*"], "exclude": [], "files": [
                    {"path": "models/a.joblib", "type": "file", "sha256": "…", "size": 912}]},
     "signature": {"algorithm": "ed25519", "key_fingerprint": "<sha256 of the raw public key>",
                   "value": "<base64>"}}

Keys are PEM files (PKCS#8 private key written with mode 0600, SubjectPublicKeyInfo public key)
made by the ``cryptography`` package, an optional dependency (``drillhall[ml]``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from drillhall.core.files import write_text_atomic
from drillhall.core.validation import describe_error
from drillhall.errors import ConfigError, DependencyMissing, InputError
from drillhall.ml.manifest.manifest import (
    SCHEMA,
    EntryType,
    FileEntry,
    Manifest,
    canonical_json,
)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

SIGNED_SCHEMA = "drillhall/signed-manifest/v1"
ALGORITHM = "ed25519"


def _require_cryptography() -> None:
    try:
        import cryptography  # noqa: F401
    except ImportError:
        raise DependencyMissing("cryptography", "ml") from None


# --- keys ------------------------------------------------------------------------------------

def public_key_fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 (hex) of the 32 raw bytes of the public key."""
    from cryptography.hazmat.primitives import serialization

    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def _fchmod(fd: int, mode: int) -> None:
    if hasattr(os, "fchmod"):  # not on Windows, where the mode bits mean little
        os.fchmod(fd, mode)


def _create_exclusive(path: Path, data: bytes, mode: int) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, mode)
    except FileExistsError:
        raise InputError(f"{path}: already exists; refusing to overwrite a key") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be written ({exc.strerror or exc})") from None
    with os.fdopen(fd, "wb") as fh:
        _fchmod(fh.fileno(), mode)  # the umask may have changed the mode os.open set
        fh.write(data)


def generate_key(private_path: Path, public_path: Path, *,
                 passphrase: bytes | None = None) -> str:
    """Write a new Ed25519 key pair as PEM files and return the public key's fingerprint.

    The private key file is created with mode 0600; neither file is ever overwritten
    (:class:`InputError` if one exists). ``passphrase`` encrypts the private key.
    """
    _require_cryptography()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    for p in (private_path, public_path):
        if p.exists() or p.is_symlink():
            raise InputError(f"{p}: already exists; refusing to overwrite a key")
    key = Ed25519PrivateKey.generate()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase
        else serialization.NoEncryption())
    private_pem = key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.PKCS8, encryption)
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    _create_exclusive(private_path, private_pem, 0o600)
    try:
        _create_exclusive(public_path, public_pem, 0o644)
    except InputError:
        private_path.unlink()
        raise
    return public_key_fingerprint(key.public_key())


def _read_key_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def load_public_key(path: Path) -> Ed25519PublicKey:
    """Read an Ed25519 public key from a PEM file; :class:`ConfigError` if it is not one."""
    _require_cryptography()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    data = _read_key_file(path)
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        raise ConfigError(f"{path}: not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigError(f"{path}: not an Ed25519 public key")
    return key


def load_private_key(path: Path, *, passphrase: bytes | None = None) -> Ed25519PrivateKey:
    """Read an Ed25519 private key from a PEM file; :class:`ConfigError` if it is not one or
    the passphrase is wrong."""
    _require_cryptography()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    data = _read_key_file(path)
    try:
        key = serialization.load_pem_private_key(data, password=passphrase)
    except TypeError:
        raise ConfigError(f"{path}: the private key needs a passphrase, or has none") from None
    except ValueError:
        raise ConfigError(f"{path}: not a PEM private key (or the passphrase is wrong)") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(f"{path}: not an Ed25519 private key")
    return key


# --- signed manifests ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SignedManifest:
    """A manifest with its signature. ``payload`` is the exact byte string signed (the
    canonical form of the manifest object as read from the file)."""

    manifest: Manifest
    signature: str
    key_fingerprint: str
    algorithm: str = ALGORITHM
    payload: bytes = field(default=b"", repr=False)

    def signed_bytes(self) -> bytes:
        return self.payload or self.manifest.canonical_bytes()

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of the signed file."""
        return {"schema": SIGNED_SCHEMA, "manifest": self.manifest.as_dict(),
                "signature": {"algorithm": self.algorithm,
                              "key_fingerprint": self.key_fingerprint,
                              "value": self.signature}}


def sign(manifest: Manifest, private_key_path: Path, *,
         passphrase: bytes | None = None) -> SignedManifest:
    """Sign the manifest's canonical bytes with the Ed25519 key in ``private_key_path``."""
    key = load_private_key(private_key_path, passphrase=passphrase)
    payload = manifest.canonical_bytes()
    return SignedManifest(
        manifest=manifest, signature=base64.b64encode(key.sign(payload)).decode("ascii"),
        key_fingerprint=public_key_fingerprint(key.public_key()), payload=payload)


def signature_valid(signed: SignedManifest, key: Ed25519PublicKey) -> bool:
    """Whether ``signed``'s signature verifies over its payload with ``key``."""
    from cryptography.exceptions import InvalidSignature

    if signed.algorithm != ALGORITHM:
        return False
    try:
        raw = base64.b64decode(signed.signature, validate=True)
        key.verify(raw, signed.signed_bytes())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def write_signed(signed: SignedManifest, path: Path) -> None:
    """Write the signed manifest to ``path`` atomically (temporary file, then rename)."""
    text = json.dumps(signed.as_dict(), indent=2, sort_keys=True, ensure_ascii=True) + "\n"
    try:
        write_text_atomic(path, text, encoding="ascii", mode=0o644)
    except OSError as exc:
        raise InputError(f"{path}: cannot be written ({exc.strerror or exc})") from None


class _EntryModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    path: str = Field(min_length=1)
    type: Literal["file", "symlink", "other"]
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    size: int | None = Field(default=None, ge=0)
    target: str | None = None

    @model_validator(mode="after")
    def _fields_fit_type(self) -> _EntryModel:
        if self.type == "file" and (self.sha256 is None or self.size is None):
            raise ValueError(f"file entry {self.path!r} needs sha256 and size")
        if self.type == "symlink" and self.target is None:
            raise ValueError(f"symlink entry {self.path!r} needs a target")
        if self.path.startswith("/") or ".." in self.path.split("/"):
            raise ValueError(f"entry path {self.path!r} is not relative to the directory")
        return self


class _ManifestModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    schema_: Literal["drillhall/manifest/v1"] = Field(alias="schema")
    created: str
    root: str
    include: list[str]
    exclude: list[str]
    files: list[_EntryModel]

    @model_validator(mode="after")
    def _unique_sorted(self) -> _ManifestModel:
        paths = [f.path for f in self.files]
        if len(set(paths)) != len(paths):
            raise ValueError("a path is listed twice")
        return self


class _SignatureModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    algorithm: Literal["ed25519"]
    key_fingerprint: str = Field(pattern=r"^[0-9a-f]{64}$")
    value: str = Field(min_length=1)


class _SignedModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    schema_: Literal["drillhall/signed-manifest/v1"] = Field(alias="schema")
    manifest: dict[str, Any]
    signature: _SignatureModel


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"key {key!r} appears twice")
        out[key] = value
    return out


def load_signed(path: Path) -> SignedManifest:
    """Read a signed manifest file. :class:`InputError` if it cannot be read,
    :class:`ConfigError` naming the file and the line or key at fault if it is malformed."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such manifest") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read ({exc})") from None
    try:
        raw = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: not a signed manifest (expected a JSON object)")
    try:
        outer = _SignedModel.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(describe_error(exc, source=str(path))) from None
    try:
        inner = _ManifestModel.model_validate(outer.manifest)
    except ValidationError as exc:
        raise ConfigError(describe_error(exc, source=str(path), section="manifest")) from None
    manifest = Manifest(
        created=inner.created, root=inner.root, include=tuple(inner.include),
        exclude=tuple(inner.exclude), schema=SCHEMA,
        files=tuple(FileEntry(f.path, EntryType(f.type), f.sha256, f.size, f.target)
                    for f in inner.files))
    sig = outer.signature
    return SignedManifest(manifest=manifest, signature=sig.value,
                          key_fingerprint=sig.key_fingerprint, algorithm=sig.algorithm,
                          payload=canonical_json(outer.manifest))
