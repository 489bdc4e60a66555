"""ONNX models: custom operator domains and external-data paths, read without ``onnx``.

ModelProto is walked with :mod:`._wire` (field numbers from the public ``onnx.proto``), through
the main graph, subgraphs held in attributes (If/Loop/Scan bodies), training graphs and local
functions. Nothing is loaded or resolved except the external-data paths, which are compared
with the model's directory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from drillhall.core.model import Confidence, Severity
from drillhall.ml.artifacts.base import AnalyzeContext, FormatSpec, Issue
from drillhall.ml.artifacts.formats._common import (
    ONNX_CUSTOM_DOMAIN,
    ONNX_EXTERNAL_DATA_ESCAPE,
    SUPPLY_CHAIN,
    FormatError,
    malformed,
    read_capped,
    short,
)
from drillhall.ml.artifacts.formats._wire import (
    LEN,
    VARINT,
    WireError,
    iter_fields,
    message,
    read_varint,
    text,
)

_FORMAT = "ONNX"
STANDARD_DOMAINS = frozenset({
    "", "ai.onnx", "ai.onnx.ml", "ai.onnx.training", "ai.onnx.preview.training",
})
MAX_GRAPH_DEPTH = 32
MAX_NODES = 5_000_000
_MAX_LOCATION_ISSUES = 100
_EXTERNAL = 1  # TensorProto.DataLocation.EXTERNAL
_DRIVE = re.compile(r"^[A-Za-z]:")
# ModelProto fields and wire types, for sniffing
_MODEL_FIELDS = {1: VARINT, 2: LEN, 3: LEN, 4: LEN, 5: VARINT, 6: LEN, 7: LEN, 8: LEN,
                 14: LEN, 20: LEN, 25: LEN, 26: LEN}
_BIG_FIELDS = frozenset({6, 7, 8, 14, 20, 25, 26})


@dataclass
class _Model:
    opset_domains: set[str] = field(default_factory=set)
    custom_ops: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    local_functions: set[tuple[str, str]] = field(default_factory=set)
    locations: dict[str, str] = field(default_factory=dict)  # location -> tensor name
    nodes: int = 0
    ir_version: int | None = None
    has_graph: bool = False


def sniff(head: bytes) -> bool:
    """ONNX has no magic: the head must parse as a ModelProto that opens with ``ir_version``,
    keeps fields in ascending order with their proper wire types, and reaches ``graph`` or
    ``opset_import``."""
    if not head or head[0] != 0x08:
        return False
    pos, last, seen = 0, 0, set()
    try:
        while pos < len(head):
            key, pos = read_varint(head, pos)
            number, wire = key >> 3, key & 7
            if _MODEL_FIELDS.get(number) != wire or number < last:
                return False
            last = number
            seen.add(number)
            value, pos = read_varint(head, pos)
            if number == 1 and not 1 <= value <= 64:
                return False
            if wire == LEN:
                if pos + value > len(head):
                    return number in _BIG_FIELDS and 1 in seen
                if number in (2, 3, 4) and not _short_text(head[pos:pos + value]):
                    return False
                pos += value
    except WireError:
        return False
    return 1 in seen and bool(seen & {7, 8})


def _short_text(raw: bytes) -> bool:
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return len(raw) <= 4096 and decoded.isprintable()


def analyze(stream: BinaryIO, size: int, ctx: AnalyzeContext) -> list[Issue]:
    """Custom-domain operators and external data that points outside the model directory."""
    try:
        data = read_capped(stream, size, ctx.limits.max_member_bytes, "ONNX model")
        model = _parse(data)
    except (FormatError, WireError) as exc:
        return [malformed(_FORMAT, str(exc))]
    if model.ir_version is None or not model.has_graph:
        return [malformed(_FORMAT, "no ir_version or no graph in the model")]
    issues = _domain_issues(model)
    issues.extend(_location_issues(model, ctx.path))
    return issues


def _parse(data: bytes) -> _Model:
    model = _Model()
    graphs: list[memoryview] = []
    for number, wire, value in iter_fields(data):
        if number == 1 and wire == VARINT:
            model.ir_version = int(value) if isinstance(value, int) else None
        elif number == 8 and wire == LEN:
            model.opset_domains.add(_opset_domain(message(value)))
        elif number == 7 and wire == LEN:
            model.has_graph = True
            graphs.append(message(value))
        elif number == 20 and wire == LEN:  # TrainingInfoProto: initialization, algorithm
            graphs.extend(message(v) for f, w, v in iter_fields(message(value))
                          if f in (1, 2) and w == LEN)
        elif number == 25 and wire == LEN:
            _function(message(value), model)
    for graph in graphs:
        _graph(graph, model, 0)
    return model


def _opset_domain(opset: memoryview) -> str:
    """OperatorSetIdProto: domain = 1."""
    for number, wire, value in iter_fields(opset):
        if number == 1 and wire == LEN:
            return text(value, 256)
    return ""


def _function(function: memoryview, model: _Model) -> None:
    """FunctionProto: name = 1, node = 7, domain = 10 (its body nodes are checked too)."""
    name = domain = ""
    nodes: list[memoryview] = []
    for number, wire, value in iter_fields(function):
        if wire != LEN:
            continue
        if number == 1:
            name = text(value, 256)
        elif number == 10:
            domain = text(value, 256)
        elif number == 7:
            nodes.append(message(value))
    model.local_functions.add((domain, name))
    for node in nodes:
        _node(node, model, 1)


def _graph(graph: memoryview, model: _Model, depth: int) -> None:
    """GraphProto: node = 1, initializer = 5, sparse_initializer = 15."""
    if depth > MAX_GRAPH_DEPTH:
        raise FormatError(f"subgraphs nested deeper than {MAX_GRAPH_DEPTH} levels")
    for number, wire, value in iter_fields(graph):
        if wire != LEN:
            continue
        if number == 1:
            _node(message(value), model, depth)
        elif number == 5:
            _tensor(message(value), model)
        elif number == 15:
            _sparse(message(value), model)


def _node(node: memoryview, model: _Model, depth: int) -> None:
    """NodeProto: name = 3, op_type = 4, attribute = 5, domain = 7."""
    model.nodes += 1
    if model.nodes > MAX_NODES:
        raise FormatError(f"more than {MAX_NODES} nodes")
    name = op_type = domain = ""
    for number, wire, value in iter_fields(node):
        if wire != LEN:
            continue
        if number == 3:
            name = text(value, 256)
        elif number == 4:
            op_type = text(value, 256)
        elif number == 7:
            domain = text(value, 256)
        elif number == 5:
            _attribute(message(value), model, depth)
    if domain not in STANDARD_DOMAINS:
        model.custom_ops.setdefault(domain, []).append((op_type, name))


def _attribute(attribute: memoryview, model: _Model, depth: int) -> None:
    """AttributeProto: t = 5, g = 6, tensors = 10, graphs = 11, sparse_tensor(s) = 22, 23."""
    for number, wire, value in iter_fields(attribute):
        if wire != LEN:
            continue
        if number in (5, 10):
            _tensor(message(value), model)
        elif number in (6, 11):
            _graph(message(value), model, depth + 1)
        elif number in (22, 23):
            _sparse(message(value), model)


def _sparse(sparse: memoryview, model: _Model) -> None:
    """SparseTensorProto: values = 1, indices = 2 (both TensorProto)."""
    for number, wire, value in iter_fields(sparse):
        if number in (1, 2) and wire == LEN:
            _tensor(message(value), model)


def _tensor(tensor: memoryview, model: _Model) -> None:
    """TensorProto: name = 8, external_data = 13 (key = 1, value = 2), data_location = 14."""
    name = ""
    location: str | None = None
    external = False
    for number, wire, value in iter_fields(tensor):
        if number == 8 and wire == LEN:
            name = text(value, 256)
        elif number == 14 and wire == VARINT:
            external = value == _EXTERNAL
        elif number == 13 and wire == LEN:
            key, entry_value = _entry(message(value))
            if key == "location":
                location = entry_value
    if location is not None:
        model.locations.setdefault(location, name)
    elif external:
        raise FormatError(f"tensor {short(name, 60)!r} keeps its data outside the model "
                          "but names no location")


def _entry(entry: memoryview) -> tuple[str, str]:
    key = value_text = ""
    for number, wire, value in iter_fields(entry):
        if number == 1 and wire == LEN:
            key = text(value, 256)
        elif number == 2 and wire == LEN:
            value_text = text(value, 4096)
    return key, value_text


def _domain_issues(model: _Model) -> list[Issue]:
    local_domains = {domain for domain, _name in model.local_functions}
    issues: list[Issue] = []
    declared = sorted(model.opset_domains - STANDARD_DOMAINS - local_domains
                      - set(model.custom_ops))
    for domain in declared:
        issues.append(_domain_issue(domain, [], "opset_import"))
    for domain, ops in sorted(model.custom_ops.items()):
        unresolved = [op for op in ops if (domain, op[0]) not in model.local_functions]
        if unresolved:
            op_type, name = unresolved[0]
            issues.append(_domain_issue(domain, unresolved, f"node {short(name or op_type, 80)!r}"))
    return issues


def _domain_issue(domain: str, ops: list[tuple[str, str]], where: str) -> Issue:
    kinds = sorted({op for op, _name in ops})
    used = ""
    if kinds:
        listed = ", ".join(kinds[:5]) + (", …" if len(kinds) > 5 else "")
        used = f" for {len(ops)} node(s) ({short(listed, 100)})"
    return Issue(
        rule_id=ONNX_CUSTOM_DOMAIN, severity=Severity.MEDIUM,
        message=(f"operator domain {short(domain, 60)!r} is not a standard ONNX domain; running "
                 f"the model needs a custom operator library{used}"),
        where=where, confidence=Confidence.HIGH, tags=("CWE-829", SUPPLY_CHAIN),
        evidence=f"domain {short(domain, 80)}",
    )


def _location_issues(model: _Model, path: Path | None) -> list[Issue]:
    issues: list[Issue] = []
    for location, tensor in model.locations.items():
        reason = _escape_reason(location, path)
        if reason is None:
            continue
        if len(issues) >= _MAX_LOCATION_ISSUES:
            break
        issues.append(Issue(
            rule_id=ONNX_EXTERNAL_DATA_ESCAPE, severity=Severity.HIGH,
            message=(f"external data of tensor {short(tensor, 60)!r} is read from "
                     f"{short(location, 100)!r}, {reason}"),
            where=f"tensor {short(tensor, 80)!r}", tags=("CWE-22", "CWE-59", SUPPLY_CHAIN),
            evidence=f"location {short(location, 200)}",
        ))
    return issues


def _escape_reason(location: str, path: Path | None) -> str | None:
    """Why ``location`` leaves the model's directory, or ``None`` when it stays inside."""
    if not location.strip():
        return "an empty path"
    if "\x00" in location:
        return "a path with a NUL byte"
    if location.startswith(("/", "\\")) or _DRIVE.match(location):
        return "an absolute path outside the model directory"
    if ".." in re.split(r"[\\/]", location):
        return "a path that climbs out of the model directory"
    if "://" in location or location.startswith("~"):
        return "a URL or home-relative path rather than a file beside the model"
    if path is not None:
        base = path.parent.resolve()
        try:
            target = (base / location).resolve()
        except (OSError, RuntimeError):
            return "a path that cannot be resolved (symlink loop)"
        if not target.is_relative_to(base):
            return "a path that a symlink leads out of the model directory"
    return None


FORMAT = FormatSpec(name="onnx", analyze=analyze, sniff=sniff)
