"""Provenance of model and data files: a signed manifest, its verification, a CycloneDX ML-BOM.

``drillhall ml manifest create PATH`` inventories a directory (:func:`create_manifest`) and
signs it (:func:`sign`, :func:`write_signed`); ``drillhall ml manifest verify PATH`` checks it
(:func:`verify`, or the :class:`~drillhall.ml.manifest.drill.ManifestDrill`);
``drillhall ml manifest keygen`` makes a key pair (:func:`generate_key`). Signing needs the
optional ``cryptography`` package (``drillhall[ml]``); creating a manifest and exporting a BOM
do not.
"""

from drillhall.ml.manifest.bom import to_cyclonedx
from drillhall.ml.manifest.manifest import (
    DEFAULT_MANIFEST_NAME,
    EntryType,
    FileEntry,
    Manifest,
    create_manifest,
)
from drillhall.ml.manifest.signing import (
    SignedManifest,
    generate_key,
    load_public_key,
    load_signed,
    sign,
    write_signed,
)
from drillhall.ml.manifest.verify import FileChange, FileStatus, VerifyReport, verify

__all__ = [
    "DEFAULT_MANIFEST_NAME",
    "EntryType",
    "FileChange",
    "FileEntry",
    "FileStatus",
    "Manifest",
    "SignedManifest",
    "VerifyReport",
    "create_manifest",
    "generate_key",
    "load_public_key",
    "load_signed",
    "sign",
    "to_cyclonedx",
    "verify",
    "write_signed",
]
