"""The offline advisory database: a local OSV snapshot.

The snapshot is a directory of OSV JSON files (searched recursively) or an ecosystem
``all.zip`` as published by OSV. It is read once, on first use, and indexed by normalised
project name; records are validated lazily per project. A file that is not valid JSON or not an
OSV record is skipped and counted in :attr:`OfflineDB.notes`, never fatal.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from drillhall.errors import InputError
from drillhall.patch.advisories.base import AdvisoryDB
from drillhall.patch.advisories.osv import OsvRecord, parse_record
from drillhall.patch.advisories.ranges import ECOSYSTEM, normalise

MAX_RECORD_BYTES = 16 * 1024 * 1024
"""A single OSV record larger than this is skipped."""
MAX_SNAPSHOT_BYTES = 4 * 1024 * 1024 * 1024
"""An ``all.zip`` whose members declare more than this in total is refused."""


class OfflineDB(AdvisoryDB):
    """Advisories from a local OSV directory or ``all.zip`` (see the module docstring)."""

    def __init__(self, path: Path | str, *, index_dir: Path | None = None) -> None:
        """``index_dir``: where to keep a per-project index of an ``all.zip`` between runs
        (keyed by the zip's path, size and modification time), so a warm audit reads only the
        records of the projects it asks about."""
        self.path = Path(path)
        self.index_dir = index_dir
        if not (self.path.is_dir() or (self.path.is_file() and zipfile.is_zipfile(self.path))):
            raise InputError(
                f"{self.path} is neither a directory of OSV JSON files nor an OSV all.zip"
            )
        self.notes: list[str] = []
        self._raw: dict[str, list[dict[str, Any]]] | None = None
        self._parsed: dict[str, list[OsvRecord]] = {}
        self._bad_ids: set[str] = set()

    @property
    def skipped(self) -> int:
        """How many files or records were skipped as unreadable."""
        return len(self.notes)

    @property
    def record_count(self) -> int:
        """How many distinct raw records mention at least one PyPI project."""
        index = self._index()
        return len({id(r) for records in index.values() for r in records})

    def records_for(self, name: str) -> Sequence[OsvRecord]:
        key = normalise(name)
        cached = self._parsed.get(key)
        if cached is not None:
            return cached
        out: list[OsvRecord] = []
        for raw in self._raw_for(key):
            try:
                record = parse_record(raw)
            except ValueError as exc:
                label = str(raw.get("id", "?"))
                if label not in self._bad_ids:
                    self._bad_ids.add(label)
                    self.notes.append(f"skipped advisory {label}: {exc}")
                continue
            if record.withdrawn is None:
                out.append(record)
        self._parsed[key] = out
        return out

    def _raw_for(self, key: str) -> list[dict[str, Any]]:
        """The raw records of one project: from the on-disk index when there is one."""
        folder = self._index_folder()
        if folder is None:
            return self._index().get(key, [])
        if not (folder / "complete").is_file():
            self._write_index(folder)
        try:
            loaded: list[dict[str, Any]] = json.loads(
                (folder / f"{key}.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError):
            return self._index().get(key, [])  # a damaged index entry: read the snapshot
        return loaded

    def _index_folder(self) -> Path | None:
        if self.index_dir is None or not self.path.is_file():
            return None
        stat = self.path.stat()
        ident = f"{self.path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}"
        return self.index_dir / hashlib.sha256(ident.encode()).hexdigest()[:24]

    def _write_index(self, folder: Path) -> None:
        """One JSON file per project, written into a temporary folder then renamed, so a
        reader never sees half an index."""
        index = self._index()
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".building-", dir=folder.parent))
        try:
            for key, docs in index.items():
                (staging / f"{key}.json").write_text(json.dumps(docs), encoding="utf-8")
            (staging / "complete").write_text("\n".join(self.notes), encoding="utf-8")
            with contextlib.suppress(OSError):  # another process built it first
                staging.rename(folder)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)

    def _index(self) -> dict[str, list[dict[str, Any]]]:
        if self._raw is None:
            index: dict[str, list[dict[str, Any]]] = {}
            for label, payload in self._documents():
                self._add(index, label, payload)
            if not index:
                why = f" ({len(self.notes)} file(s) skipped, first: {self.notes[0]})" \
                    if self.notes else ""
                raise InputError(f"{self.path}: the OSV snapshot holds no readable PyPI "
                                 f"advisory{why}")
            self._raw = index
        return self._raw

    def _add(self, index: dict[str, list[dict[str, Any]]], label: str, payload: bytes) -> None:
        try:
            data = json.loads(payload)
        except (ValueError, UnicodeDecodeError) as exc:
            self.notes.append(f"skipped {label}: not valid JSON ({exc})")
            return
        docs = data if isinstance(data, list) else [data]
        for doc in docs:
            if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
                self.notes.append(f"skipped {label}: not an OSV record")
                continue
            names: set[str] = set()
            for affected in doc.get("affected") or ():
                package = affected.get("package") if isinstance(affected, dict) else None
                if not isinstance(package, dict):
                    continue
                eco, pkg = package.get("ecosystem"), package.get("name")
                if isinstance(eco, str) and isinstance(pkg, str) and \
                        eco.split(":", 1)[0] == ECOSYSTEM:
                    names.add(normalise(pkg))
            for key in names:
                index.setdefault(key, []).append(doc)

    def _documents(self) -> Iterator[tuple[str, bytes]]:
        if self.path.is_dir():
            for file in sorted(self.path.rglob("*.json")):
                if not file.is_file():
                    continue
                label = str(file.relative_to(self.path))
                try:
                    if file.stat().st_size > MAX_RECORD_BYTES:
                        self.notes.append(f"skipped {label}: larger than {MAX_RECORD_BYTES} bytes")
                        continue
                    yield label, file.read_bytes()
                except OSError as exc:
                    self.notes.append(f"skipped {label}: {exc.strerror or exc}")
            return
        yield from self._zip_members()

    def _zip_members(self) -> Iterator[tuple[str, bytes]]:
        try:
            with zipfile.ZipFile(self.path) as archive:
                members = [m for m in archive.infolist()
                           if not m.is_dir() and m.filename.endswith(".json")]
                if sum(m.file_size for m in members) > MAX_SNAPSHOT_BYTES:
                    raise InputError(
                        f"{self.path} declares more than {MAX_SNAPSHOT_BYTES} bytes of records"
                    )
                for member in members:
                    label = f"{self.path.name}!/{member.filename}"
                    if member.file_size > MAX_RECORD_BYTES:
                        self.notes.append(f"skipped {label}: larger than {MAX_RECORD_BYTES} bytes")
                        continue
                    try:
                        with archive.open(member) as handle:
                            payload = handle.read(MAX_RECORD_BYTES + 1)
                    except (zipfile.BadZipFile, OSError, EOFError) as exc:
                        self.notes.append(f"skipped {label}: {exc}")
                        continue
                    if len(payload) > MAX_RECORD_BYTES:
                        self.notes.append(f"skipped {label}: larger than {MAX_RECORD_BYTES} bytes")
                        continue
                    yield label, payload
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"{self.path} cannot be read as an OSV all.zip: {exc}") from None
