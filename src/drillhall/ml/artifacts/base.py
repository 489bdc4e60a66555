"""The interface between the model-file scanner and the per-format analyzers.

The scanner (:mod:`drillhall.ml.artifacts.scan`) walks a path, detects each file's format by
content, and hands the file to the analyzer of that format. An analyzer reads the file as
untrusted bytes — it never imports, unpickles or executes anything from it — and returns
:class:`Issue` values; the scanner turns them into findings with the file's location.

An analyzer that cannot parse its input returns an issue (fail closed), never an empty list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from drillhall.core.model import Confidence, Severity


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem in a model file.

    ``where`` locates it inside the file: an archive member (``archive/data.pkl``), a config
    path (``config.layers[3]``), a metadata key, or ``"byte 1234"``.
    """

    rule_id: str
    severity: Severity
    message: str
    where: str = ""
    confidence: Confidence = Confidence.HIGH
    tags: tuple[str, ...] = ()
    evidence: str = ""
    """What was found, for reports (an import such as ``os.system``, a layer name); never a
    secret."""


@dataclass(frozen=True, slots=True)
class ArtifactLimits:
    """Bounds that keep hostile files from exhausting time or memory."""

    max_member_bytes: int = 512 * 1024 * 1024      # bytes read from one member or file
    max_pickle_opcodes: int = 5_000_000             # opcodes walked in one pickle
    max_nesting: int = 4                            # archives / pickles inside each other
    max_members: int = 10_000
    max_total_uncompressed: int = 4 * 1024 * 1024 * 1024
    max_metadata_bytes: int = 64 * 1024 * 1024     # JSON headers, configs, GGUF metadata


@dataclass
class AnalyzeContext:
    """What an analyzer gets besides the bytes.

    ``path`` is the file on disk when there is one (for formats whose files point at others,
    such as ONNX external data), ``display`` its name in reports, ``strict`` whether unknown
    imports count as unsafe, and ``nested`` a callback to analyze bytes found inside
    (a pickle inside a Keras archive, say) with the same scanner.
    """

    display: str
    path: Path | None = None
    strict: bool = False
    limits: ArtifactLimits = field(default_factory=ArtifactLimits)
    depth: int = 0
    nested: Callable[[BinaryIO, int, str], list[Issue]] | None = None


Analyze = Callable[[BinaryIO, int, AnalyzeContext], list[Issue]]
"""``analyze(stream, size, ctx)``: ``stream`` is seekable and positioned at 0."""


@dataclass(frozen=True, slots=True)
class FormatSpec:
    """A model format: how to recognise it and how to analyze it.

    ``sniff`` sees the first 64 KiB of a file; ``sniff_zip`` the member names of a zip (for
    zip-based formats such as PyTorch and Keras v3); ``sniff_dir`` a directory (SavedModel).
    """

    name: str
    analyze: Analyze
    sniff: Callable[[bytes], bool] | None = None
    sniff_zip: Callable[[Sequence[str]], bool] | None = None
    sniff_dir: Callable[[Path], bool] | None = None
