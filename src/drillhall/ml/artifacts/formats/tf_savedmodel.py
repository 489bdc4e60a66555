"""TensorFlow SavedModel (``saved_model.pb``): dangerous ops, found without TensorFlow.

The protobuf is walked with :mod:`._wire` along SavedModel → MetaGraphDef → GraphDef → NodeDef
and GraphDef → FunctionDefLibrary → FunctionDef → NodeDef (field numbers from TensorFlow's
public ``saved_model.proto``, ``meta_graph.proto``, ``graph.proto``, ``function.proto`` and
``node_def.proto``). The text form (``saved_model.pbtxt``) is read with a pattern. A
``keras_metadata.pb`` next to the file is checked for Lambda layers and custom objects.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from drillhall.ml.artifacts.base import AnalyzeContext, FormatSpec, Issue
from drillhall.ml.artifacts.formats import _tf_ops
from drillhall.ml.artifacts.formats._common import (
    SUPPLY_CHAIN,
    TF_DANGEROUS_OP,
    FormatError,
    malformed,
    read_capped,
    short,
)
from drillhall.ml.artifacts.formats._wire import LEN, VARINT, WireError, iter_fields, message, text
from drillhall.ml.artifacts.formats.keras_config import check_config, parse_config

_FORMAT = "TensorFlow SavedModel"
_MAX_ISSUES = 100
_TAGS = ("CWE-73", "CWE-94", SUPPLY_CHAIN)
_TEXT_NODE = re.compile(rb'name:\s*"((?:[^"\\]|\\.){0,512})"\s*op:\s*"([A-Za-z0-9_>.]{1,256})"')
_TEXT_SIGNATURE = re.compile(rb'signature\s*\{\s*name:\s*"([^"]{0,512})"')
_TEXT_OP = re.compile(rb'\bop:\s*"([A-Za-z0-9_>.]{1,256})"')


@dataclass(frozen=True, slots=True)
class _Node:
    name: str
    op: str
    function: str  # "" for nodes of the main graph
    print_to_file: bool = False


def sniff(head: bytes) -> bool:
    """A binary SavedModel: schema version varint, then a MetaGraphDef opening with a field
    of MetaGraphDef (meta_info_def or graph_def, …)."""
    if len(head) < 5 or head[0] != 0x08 or head[1] > 0x7F or head[2] != 0x12:
        return False
    pos = 3
    while pos < min(len(head), 13) and head[pos] & 0x80:
        pos += 1
    return pos + 1 < len(head) and head[pos + 1] in (0x0A, 0x12, 0x1A, 0x22, 0x2A, 0x32, 0x3A)


def sniff_dir(path: Path) -> bool:
    """A directory holding ``saved_model.pb`` or ``saved_model.pbtxt``."""
    return (path / "saved_model.pb").is_file() or (path / "saved_model.pbtxt").is_file()


def analyze(stream: BinaryIO, size: int, ctx: AnalyzeContext) -> list[Issue]:
    """Dangerous ops in every graph and function of ``saved_model.pb`` (or ``.pbtxt``).

    ``stream`` is the protobuf file; when ``ctx.path`` is the SavedModel directory instead (the
    scanner's directory mode), its ``saved_model.pb`` or ``saved_model.pbtxt`` is read.
    """
    cap = ctx.limits.max_member_bytes
    model_file = ctx.path
    try:
        if ctx.path is not None and ctx.path.is_dir():
            model_file = _model_file(ctx.path)
            with model_file.open("rb") as handle:
                data = read_capped(handle, model_file.stat().st_size, cap, model_file.name)
        else:
            data = read_capped(stream, size, cap, "saved_model.pb")
    except (FormatError, OSError) as exc:
        return [malformed(_FORMAT, str(exc))]
    if not data:
        return [malformed(_FORMAT, "the file is empty")]
    if _looks_textual(data):
        nodes = list(_text_nodes(data))
        if not nodes and b"meta_graphs" not in data:
            return [malformed(_FORMAT, "text SavedModel without meta_graphs or nodes")]
    else:
        try:
            nodes = list(_binary_nodes(data))
        except WireError as exc:
            return [malformed(_FORMAT, f"protobuf structure broken ({exc})")]
    issues = _judge(nodes)
    if model_file is not None:
        issues.extend(_keras_metadata(model_file.parent / "keras_metadata.pb", ctx))
    return issues


def _model_file(directory: Path) -> Path:
    for name in ("saved_model.pb", "saved_model.pbtxt"):
        if (directory / name).is_file():
            return directory / name
    raise FormatError(f"{directory.name} holds no saved_model.pb")


def _looks_textual(data: bytes) -> bool:
    head = data[:256].lstrip()
    return head.startswith((b"saved_model_schema_version", b"meta_graphs", b"#"))


def _binary_nodes(data: bytes) -> Iterator[_Node]:
    seen_graph = False
    for field, wire, value in iter_fields(data):
        if field == 2 and wire == LEN:
            seen_graph = True
            for f_meta, w_meta, v_meta in iter_fields(message(value)):
                if f_meta == 2 and w_meta == LEN:
                    yield from _graph(message(v_meta))
        elif field == 1 and wire != VARINT:
            raise WireError("saved_model_schema_version is not a number")
    if not seen_graph:
        raise WireError("no meta graph in the SavedModel")


def _graph(graph: memoryview) -> Iterator[_Node]:
    """GraphDef: node = 1, library = 2 (FunctionDefLibrary: function = 1)."""
    for field, wire, value in iter_fields(graph):
        if field == 1 and wire == LEN:
            yield _node(message(value), "")
        elif field == 2 and wire == LEN:
            for f_lib, w_lib, v_lib in iter_fields(message(value)):
                if f_lib == 1 and w_lib == LEN:
                    yield from _function(message(v_lib))


def _function(function: memoryview) -> Iterator[_Node]:
    """FunctionDef: signature = 1 (OpDef, name = 1), node_def = 3."""
    name = ""
    bodies: list[memoryview] = []
    for field, wire, value in iter_fields(function):
        if field == 1 and wire == LEN:
            for f_sig, w_sig, v_sig in iter_fields(message(value)):
                if f_sig == 1 and w_sig == LEN:
                    name = text(v_sig, 512)
        elif field == 3 and wire == LEN:
            bodies.append(message(value))
    for body in bodies:
        yield _node(body, name or "?")


def _node(node: memoryview, function: str) -> _Node:
    """NodeDef: name = 1, op = 2, attr = 5 (map entry key = 1, AttrValue value = 2)."""
    name = op = ""
    print_to_file = False
    for field, wire, value in iter_fields(node):
        if wire != LEN:
            continue
        if field == 1:
            name = text(value, 512)
        elif field == 2:
            op = text(value, 256)
        elif field == 5:
            print_to_file = print_to_file or _file_stream_attr(message(value))
    return _Node(name=name, op=op, function=function, print_to_file=print_to_file)


def _file_stream_attr(entry: memoryview) -> bool:
    """Whether a NodeDef attr is ``output_stream`` set to a ``file://`` URL (PrintV2)."""
    key = ""
    payload = b""
    for field, wire, value in iter_fields(entry):
        if field == 1 and wire == LEN:
            key = text(value, 64)
        elif field == 2 and wire == LEN:
            for f_attr, w_attr, v_attr in iter_fields(message(value)):
                if f_attr == 2 and w_attr == LEN:  # AttrValue.s
                    payload = bytes(message(v_attr)[:16])
    return key == "output_stream" and payload.lower().startswith(b"file://")


def _text_nodes(data: bytes) -> Iterator[_Node]:
    """Nodes of a text SavedModel; a node after a ``signature { name: … }`` belongs to that
    function of the library."""
    starts = [(m.start(), m.group(1).decode("utf-8", "replace"))
              for m in _TEXT_SIGNATURE.finditer(data)]
    named = set()
    for match in _TEXT_NODE.finditer(data):
        named.add(match.start(2))
        yield _Node(name=match.group(1).decode("utf-8", "replace"),
                    op=match.group(2).decode("ascii"),
                    function=_text_function(starts, match.start()))
    for match in _TEXT_OP.finditer(data):
        if match.start(1) not in named:
            yield _Node(name="?", op=match.group(1).decode("ascii"),
                        function=_text_function(starts, match.start()))


def _text_function(starts: list[tuple[int, str]], pos: int) -> str:
    index = bisect.bisect_right(starts, (pos, "\uffff")) - 1
    return starts[index][1] if index >= 0 else ""


def _judge(nodes: list[_Node]) -> list[Issue]:
    issues: list[Issue] = []
    extra = 0
    for node in nodes:
        verdict = _tf_ops.judge(node.op, node.function, node.name, node.print_to_file)
        if verdict is None:
            continue
        if len(issues) >= _MAX_ISSUES:
            extra += 1
            continue
        severity, reason = verdict
        where = f"node {short(node.name, 120)!r}"
        if node.function:
            where = f"function {short(node.function, 120)!r} " + where
        issues.append(Issue(
            rule_id=TF_DANGEROUS_OP, severity=severity,
            message=f"graph uses the {node.op} op, which {reason}",
            where=where, tags=_TAGS, evidence=f"op {node.op}",
        ))
    if extra:
        last = issues[-1]
        issues.append(Issue(
            rule_id=TF_DANGEROUS_OP, severity=last.severity,
            message=f"{extra} more dangerous ops not listed", tags=_TAGS,
        ))
    return issues


def _keras_metadata(meta: Path, ctx: AnalyzeContext) -> list[Issue]:
    """Lambda layers and custom objects in a ``keras_metadata.pb`` beside the file.

    Its SavedObject entries carry each layer's metadata as JSON; every length-delimited value
    that opens with ``{`` is parsed and judged.
    """
    if not meta.is_file():
        return []
    where = "keras_metadata.pb"
    cap = ctx.limits.max_metadata_bytes
    try:
        with meta.open("rb") as handle:
            data = read_capped(handle, meta.stat().st_size, cap, where)
        issues: list[Issue] = []
        for field, wire, value in iter_fields(data):
            if field != 1 or wire != LEN:
                continue
            for _f, w_obj, v_obj in iter_fields(message(value)):
                if w_obj == LEN and bytes(message(v_obj)[:1]) == b"{":
                    parsed = parse_config(bytes(message(v_obj)), where)
                    issues.extend(check_config(parsed, where))
        return issues
    except (FormatError, WireError, OSError) as exc:
        return [malformed(_FORMAT, f"keras_metadata.pb unreadable ({exc})", where=where)]


FORMAT = FormatSpec(name="tf-savedmodel", analyze=analyze, sniff=sniff, sniff_dir=sniff_dir)
