"""Builders for the model-artifact test corpus.

Malicious pickles are written opcode by opcode (nothing is ever unpickled or called); benign
files are made with numpy / scikit-learn / joblib, which the test environment has. Helpers
return bytes; tests write them under tmp_path.
"""

from __future__ import annotations

import io
import os
import pickle
import struct
import tarfile
import zipfile
from collections.abc import Iterable
from typing import Any

from drillhall.core.model import Severity
from drillhall.ml.artifacts.base import AnalyzeContext, ArtifactLimits, Issue
from drillhall.ml.artifacts.pickle_scan import analyze_pickle

PROTO2 = b"\x80\x02"
PROTO4 = b"\x80\x04"
MEMOIZE = b"\x94"
TUPLE1 = b"\x85"
TUPLE2 = b"\x86"
REDUCE = b"R"
STOP = b"."


def su(text: str) -> bytes:
    """SHORT_BINUNICODE."""
    raw = text.encode()
    return b"\x8c" + bytes([len(raw)]) + raw


def xu(text: str) -> bytes:
    """BINUNICODE (protocol 1+)."""
    raw = text.encode()
    return b"X" + struct.pack("<I", len(raw)) + raw


def binbytes(data: bytes) -> bytes:
    """BINBYTES."""
    return b"B" + struct.pack("<I", len(data)) + data


def glob0(module: str, name: str) -> bytes:
    """GLOBAL (text form, every protocol)."""
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def sglob(module: str, name: str) -> bytes:
    """STACK_GLOBAL of two short strings (protocol 4+)."""
    return su(module) + su(name) + b"\x93"


def call4(module: str, name: str, *args: str) -> bytes:
    """A protocol 4 pickle that calls ``module.name(*args)``."""
    body = b"".join(su(a) for a in args)
    tup = {0: b")", 1: TUPLE1, 2: TUPLE2, 3: b"\x87"}[len(args)]
    return PROTO4 + sglob(module, name) + body + tup + REDUCE + STOP


def call0(module: str, name: str, arg: str) -> bytes:
    """A protocol 0 pickle that calls ``module.name(arg)``."""
    return glob0(module, name) + b"(S'" + arg.encode() + b"'\ntR."


class Reducer:
    """Pickles as ``func(*args)`` without calling anything (for pickle.dumps / joblib.dump)."""

    def __init__(self, func: Any, *args: Any) -> None:
        self.func = func
        self.args = args

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return self.func, self.args


def os_system_ref() -> Any:
    """``os.system`` itself, as a reference for :class:`Reducer` (never called)."""
    return os.system


def scan_bytes(data: bytes, *, strict: bool = False,
               limits: ArtifactLimits | None = None) -> list[Issue]:
    ctx = AnalyzeContext(display="t", strict=strict, limits=limits or ArtifactLimits())
    return analyze_pickle(io.BytesIO(data), len(data), ctx)


def worst(issues: Iterable[Issue]) -> Severity | None:
    return max((i.severity for i in issues), key=lambda s: s.rank, default=None)


def rules(issues: Iterable[Issue]) -> set[str]:
    return {i.rule_id for i in issues}


def torch_state_pickle(extra: bytes = b"") -> bytes:
    """A protocol 2 ``OrderedDict`` with one tensor, as torch.save writes its data.pkl;
    ``extra`` opcodes (leaving the stack unchanged) go before STOP."""
    pid = (b"(" + xu("storage") + glob0("torch", "FloatStorage") + xu("0") + xu("cpu")
           + b"K\x04tQ")
    tensor = (glob0("torch._utils", "_rebuild_tensor_v2") + b"(" + pid + b"K\x00"
              + b"K\x02K\x02\x86" + b"K\x02K\x01\x86" + b"\x89"
              + glob0("collections", "OrderedDict") + b")Rt" + REDUCE)
    return (PROTO2 + glob0("collections", "OrderedDict") + b")R" + xu("fc.weight") + tensor
            + b"s" + extra + STOP)


def torch_zip(data_pkl: bytes, *, storage: bytes = b"\x80\x02\x00\x01" * 4,
              extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", data_pkl)
        z.writestr("archive/byteorder", b"little")
        z.writestr("archive/data/0", storage)
        z.writestr("archive/version", b"3\n")
        z.writestr("archive/.data/serialization_id", b"1234567890")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def torch_legacy(model_pickle: bytes, *, storage_numel: int = 4, tail: bytes = b"") -> bytes:
    """The pre-1.6 ``torch.save`` stream: magic, protocol, sys info, model, keys, storages."""
    head = pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2)
    head += pickle.dumps(1001, protocol=2)
    head += pickle.dumps({"protocol_version": 1001, "little_endian": True,
                          "type_sizes": {"short": 2, "int": 4, "long": 4}}, protocol=2)
    keys = pickle.dumps(["0"], protocol=2)
    raw = struct.pack("<q", storage_numel) + b"\x80\x02co" * storage_numel  # float32 noise
    return head + model_pickle + keys + raw + tail


def zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def tar_of(members: dict[str, bytes], mode: str = "w") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as t:  # type: ignore[call-overload]
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()
