"""Scanning a pickle stream without loading it: imports judged, payloads stepped over.

:func:`analyze_pickle` walks every pickle in a stream — one after another, as joblib and the
legacy PyTorch format write them — and returns :class:`~drillhall.ml.artifacts.base.Issue`
values:

* every import is judged by :mod:`drillhall.ml.artifacts.pickle_policy`;
* callables computed at load time, STACK_GLOBAL of computed names and attribute writes on
  imported objects are gadgets (critical);
* a nested ``pickle.loads`` of constant bytes is reported and the bytes are scanned too;
* joblib's inline arrays and the legacy PyTorch storages are skipped by their declared sizes
  so the opcodes after them are still walked;
* anything that cannot be walked — truncation, unknown opcodes, stack or memo misuse, limits
  reached — is a ``DH-MODEL-MALFORMED`` issue, and the unparsed rest is searched for the names
  of dangerous modules.
"""

from __future__ import annotations

import io
import re
from typing import Any, BinaryIO, cast

from drillhall.core.model import Confidence, Severity
from drillhall.ml.artifacts.base import AnalyzeContext, Issue
from drillhall.ml.artifacts.pickle_ops import OPCODES, Reader, Truncated
from drillhall.ml.artifacts.pickle_policy import NESTED_LOADERS, Verdict, judge
from drillhall.ml.artifacts.pickle_walk import (
    Big,
    Const,
    Events,
    Glob,
    Malformed,
    Obj,
    Seq,
    Value,
    Walker,
    text,
)
from drillhall.ml.artifacts.rules import (
    DANGEROUS_IMPORT,
    GADGET,
    MALFORMED,
    NESTED,
    UNKNOWN_IMPORT,
)

TORCH_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_TORCH_ELEMENT_SIZES = {
    "DoubleStorage": 8, "FloatStorage": 4, "HalfStorage": 2, "BFloat16Storage": 2,
    "LongStorage": 8, "IntStorage": 4, "ShortStorage": 2, "CharStorage": 1,
    "ByteStorage": 1, "BoolStorage": 1, "ComplexFloatStorage": 8,
    "ComplexDoubleStorage": 16, "QInt8Storage": 1, "QUInt8Storage": 1, "QInt32Storage": 4,
    "UntypedStorage": 1, "Float8_e5m2Storage": 1, "Float8_e4m3fnStorage": 1,
}
_PROTO0_STARTS = frozenset(b"(cdlN)]}KIJLFSVUXTBCGMh")
_SEARCH_CHUNK = 1 << 20


class _Scan(Events):
    """Collects issues while walkers run over one stream."""

    def __init__(self, stream: BinaryIO, ctx: AnalyzeContext, prefix: str) -> None:
        self.stream = stream
        self.ctx = ctx
        self.prefix = prefix
        self.issues: list[Issue] = []
        self._seen: set[tuple[str, str]] = set()
        self.storages: dict[str, int | None] = {}
        self.counter = [0]
        self.imports = 0

    def where(self, offset: int) -> str:
        return f"{self.prefix}byte {offset}"

    def add(self, rule: str, severity: Severity, message: str, offset: int, evidence: str,
            confidence: Confidence = Confidence.HIGH) -> None:
        key = (rule, evidence)
        if key in self._seen:
            return
        self._seen.add(key)
        self.issues.append(Issue(rule, severity, message, self.where(offset), confidence,
                                 evidence=evidence))

    # -- walker events -----------------------------------------------------------------------

    def imported(self, glob: Glob) -> None:
        self.imports += 1
        verdict = judge(glob.module, glob.name)
        if verdict.verdict is Verdict.DANGEROUS:
            self.add(DANGEROUS_IMPORT, Severity.CRITICAL,
                     f"imports {glob.full}, which {verdict.reason}; loading this file can run "
                     "code", glob.offset, glob.full)
        elif verdict.verdict is Verdict.UNKNOWN:
            self.add(UNKNOWN_IMPORT, Severity.HIGH if self.ctx.strict else Severity.MEDIUM,
                     f"imports {glob.full}, which is not known to be used by model files",
                     glob.offset, glob.full, Confidence.MEDIUM)

    def gadget(self, message: str, evidence: str, offset: int) -> None:
        self.add(GADGET, Severity.CRITICAL, message, offset, evidence)

    def unknown_ext(self, code: int, offset: int) -> None:
        self.add(UNKNOWN_IMPORT, Severity.HIGH if self.ctx.strict else Severity.MEDIUM,
                 f"imports through the extension registry (code {code}), which cannot be "
                 "resolved without loading", offset, f"extension {code}", Confidence.MEDIUM)

    def persistent(self, pid: Value) -> None:
        if isinstance(pid, Seq) and len(pid.items) >= 3 and text(pid.items[0]) == "storage":
            storage_type, key = pid.items[1], text(pid.items[2])
            if key is not None:
                size = None
                if isinstance(storage_type, Glob):
                    size = _TORCH_ELEMENT_SIZES.get(storage_type.name)
                self.storages[key] = size

    def called(self, func: Value, args: Value, offset: int, kind: str) -> Value | None:
        if not isinstance(func, Glob):
            return None
        if func.full in NESTED_LOADERS:
            self._nested(func, args, offset)
        elif func.full == "_codecs.encode" and isinstance(args, Seq) and args.items:
            # how protocol 0-2 pickles carry bytes: encode(str, "latin1")
            value = text(args.items[0])
            if value is not None and len(value) <= 1 << 20:
                try:
                    return Const(value.encode("latin-1"))
                except UnicodeEncodeError:
                    return None
        return None

    def built(self, obj: Obj, walker: Walker) -> None:
        func = obj.func
        if (isinstance(func, Glob) and func.name == "NumpyArrayWrapper"
                and func.module.endswith("numpy_pickle")):
            _skip_joblib_array(obj, walker, self)

    # -- nested pickles ----------------------------------------------------------------------

    def _nested(self, func: Glob, args: Value, offset: int) -> None:
        payload = args.items[0] if isinstance(args, Seq) and args.items else None
        if isinstance(payload, Const) and isinstance(payload.value, str):
            payload = Const(payload.value.encode("latin-1", "replace"))
        if isinstance(payload, Const) and isinstance(payload.value, bytes):
            data: BinaryIO = io.BytesIO(payload.value)
            size = len(payload.value)
        elif isinstance(payload, Big) and not payload.text:
            window = Window(self.stream, payload.offset, payload.length)
            data, size = cast(BinaryIO, window), payload.length
        else:
            self.add(NESTED, Severity.CRITICAL,
                     f"calls {func.full} on data computed at load time; the inner pickle "
                     "cannot be analyzed", offset, func.full)
            return
        self.add(NESTED, Severity.CRITICAL,
                 f"calls {func.full} on an embedded {size}-byte pickle (analyzed below)",
                 offset, func.full)
        child = f"{self.where(offset)} › nested pickle › "
        if self.ctx.depth + 1 > self.ctx.limits.max_nesting:
            self.add(MALFORMED, Severity.HIGH, "pickles nested deeper than "
                     f"{self.ctx.limits.max_nesting} levels; the innermost was not analyzed",
                     offset, "nesting")
            return
        sub = AnalyzeContext(display=self.ctx.display, path=None, strict=self.ctx.strict,
                             limits=self.ctx.limits, depth=self.ctx.depth + 1,
                             nested=self.ctx.nested)
        self.issues.extend(_scan_stream(data, size, sub, child))


class Window(io.RawIOBase):
    """A read-only view of ``length`` bytes of ``stream`` from ``start``."""

    def __init__(self, stream: BinaryIO, start: int, length: int) -> None:
        super().__init__()
        self.s, self.start, self.length, self.p = stream, start, length, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self.p, 2: self.length}[whence]
        self.p = max(0, base + offset)
        return self.p

    def tell(self) -> int:
        return self.p

    def readinto(self, buffer: Any) -> int:
        n = max(0, min(len(buffer), self.length - self.p))
        self.s.seek(self.start + self.p)
        data = self.s.read(n)
        buffer[:len(data)] = data
        self.p += len(data)
        return len(data)


# -- joblib ----------------------------------------------------------------------------------


def _as_dict(v: Any) -> dict[str, Any]:
    if not isinstance(v, Seq) or v.kind != "dict":
        return {}
    items = v.items
    return {k: items[i + 1] for i in range(0, len(items) - 1, 2)
            if (k := text(items[i])) is not None}


def _dtype(v: Any, depth: int = 0) -> tuple[int, bool] | None:
    """``(itemsize, has_objects)`` of a pickled ``numpy.dtype``, if it can be told."""
    if depth > 8 or not isinstance(v, Obj) or not isinstance(v.args, Seq) or not v.args.items:
        return None
    code = text(v.args.items[0])
    if code is None:
        return None
    state = v.state.items if isinstance(v.state, Seq) else []
    has_objects = code.startswith("O")
    if len(state) > 4 and isinstance(state[4], Seq):
        for item in state[4].items:     # fields: name -> (dtype, offset[, title])
            if isinstance(item, Seq) and item.items:
                inner = _dtype(item.items[0], depth + 1)
                has_objects = has_objects or (inner is not None and inner[1])
    if len(state) > 5 and isinstance(state[5], Const) and isinstance(state[5].value, int) \
            and state[5].value > 0:
        return state[5].value, has_objects
    digits = re.search(r"\d+", code)
    if digits is None:
        return (8, True) if has_objects else None
    return int(digits.group()), has_objects


def _skip_joblib_array(wrapper: Obj, walker: Walker, scan: _Scan) -> None:
    """Step over the array joblib wrote right after a NumpyArrayWrapper, as it reads it."""
    state = _as_dict(wrapper.state)
    dtype = _dtype(state.get("dtype"))
    shape = state.get("shape")
    if dtype is None or not isinstance(shape, Seq):
        raise Malformed("joblib array with a dtype or shape that cannot be read", walker.at)
    itemsize, has_objects = dtype
    if has_objects:
        # joblib pickles object arrays as a whole second pickle, inline
        inner = Walker(walker.r, scan, max_opcodes=walker.max_opcodes, counter=walker.counter)
        inner.walk()
        return
    count = 1
    for dim in shape.items:
        if not isinstance(dim, Const) or not isinstance(dim.value, int) or dim.value < 0:
            raise Malformed("joblib array with a malformed shape", walker.at)
        count *= dim.value
    if "numpy_array_alignment_bytes" in state:
        pad = walker.r.byte()
        walker.r.skip(pad)
    walker.r.skip(count * itemsize)


# -- the stream driver -----------------------------------------------------------------------


def _looks_like_pickle(head: bytes) -> bool:
    if not head:
        return False
    if head[0] == 0x80:
        return len(head) > 1 and 2 <= head[1] <= 5
    return head[0] in _PROTO0_STARTS


def _walk_one(reader: Reader, scan: _Scan) -> Any:
    walker = Walker(reader, scan, max_opcodes=scan.ctx.limits.max_pickle_opcodes,
                    counter=scan.counter)
    try:
        return walker.walk()
    except Truncated:
        raise Malformed("the pickle is truncated (data ends before its STOP opcode)",
                        reader.pos) from None
    except (ValueError, OverflowError, MemoryError) as exc:
        raise Malformed(f"the pickle cannot be walked ({exc})", walker.at) from None


def _torch_legacy(reader: Reader, scan: _Scan) -> None:
    """After the magic number: protocol, system info, model, storage keys, raw storages."""
    for _ in range(3):
        _walk_one(reader, scan)
    keys = _walk_one(reader, scan)
    if not isinstance(keys, Seq):
        raise Malformed("legacy PyTorch file without its storage key list", reader.pos)
    for key in keys.items:
        name = text(key)
        size = scan.storages.get(name) if name is not None else None
        if size is None:
            raise Malformed(f"legacy PyTorch storage {name!r} of unknown element size",
                            reader.pos)
        try:
            count = int.from_bytes(reader.read(8), "little", signed=True)
            if count < 0:
                raise Malformed("negative storage size", reader.pos)
            reader.skip(count * size)
        except Truncated:
            raise Malformed("legacy PyTorch storage data is truncated", reader.pos) from None


def _scan_stream(stream: BinaryIO, size: int, ctx: AnalyzeContext, prefix: str) -> list[Issue]:
    scan = _Scan(stream, ctx, prefix)
    reader = Reader(stream, 0, size if size >= 0 else None)
    first = True
    try:
        while first or not reader.at_end():
            if not first and not _looks_like_pickle(reader.peek(2)):
                at = reader.pos
                scan.add(MALFORMED, Severity.LOW, "data after the last pickle is not a pickle; "
                         "it was searched for dangerous names only", at, "trailing data")
                _search_rest(stream, at, size, scan)
                break
            value = _walk_one(reader, scan)
            if first and isinstance(value, Const) and value.value == TORCH_LEGACY_MAGIC:
                _torch_legacy(reader, scan)
            first = False
    except Malformed as exc:
        scan.add(MALFORMED, Severity.HIGH, f"{exc}; the file cannot be fully analyzed and is "
                 "treated as unsafe", exc.offset, str(exc))
        _search_rest(stream, exc.offset, size, scan)
    except OSError as exc:
        scan.add(MALFORMED, Severity.HIGH, f"the file cannot be read ({exc})", reader.pos,
                 "read error")
    return scan.issues


def _needles() -> re.Pattern[bytes]:
    from drillhall.ml.artifacts.pickle_policy import _DENY_MODULES

    names = sorted({m for m in _DENY_MODULES if "." not in m} | {"builtins", "__builtin__"})
    alts = []
    for name in names:
        raw = name.encode()
        alts.append(re.escape(b"\x8c" + bytes([len(raw)]) + raw))
        alts.append(re.escape(b"c" + raw + b"\n"))
        alts.append(re.escape(b"X" + len(raw).to_bytes(4, "little") + raw))
    return re.compile(b"|".join(alts))


_NEEDLES: list[re.Pattern[bytes]] = []


def _search_rest(stream: BinaryIO, start: int, size: int, scan: _Scan) -> None:
    """Search unparsed bytes for the pickle encodings of dangerous module names."""
    if not _NEEDLES:
        _NEEDLES.append(_needles())
    needles = _NEEDLES[0]
    end = size if size >= 0 else start + scan.ctx.limits.max_member_bytes
    end = min(end, start + scan.ctx.limits.max_member_bytes)
    pos, tail = start, b""
    try:
        stream.seek(start)
        while pos < end:
            chunk = stream.read(min(_SEARCH_CHUNK, end - pos))
            if not chunk:
                break
            data = tail + chunk
            hit = needles.search(data)
            if hit is not None:
                at = pos - len(tail) + hit.start()
                name = hit.group().lstrip(b"c\x8cX").strip(b"\n\x00\x01\x02\x03\x04\x05\x06"
                                                             b"\x07\x08\x09\x0a\x0b\x0c\x0d")
                evidence = name.decode("latin-1", "replace")
                scan.add(DANGEROUS_IMPORT, Severity.CRITICAL,
                         f"unparsed data holds a pickle import of {evidence!r}; a loader that "
                         "reads past the damage could run it", at, evidence)
                return
            tail = data[-64:]
            pos += len(chunk)
    except OSError:
        return


def analyze_pickle(stream: BinaryIO, size: int, ctx: AnalyzeContext) -> list[Issue]:
    """Analyze every pickle in ``stream`` (``size`` bytes, or -1 if unknown)."""
    return _scan_stream(stream, size, ctx, "")


def probe(head: bytes) -> bool:
    """Whether ``head`` (the first bytes of a file) reads as the start of a pickle.

    A protocol 2+ header is enough; protocol 0/1 text must walk cleanly through its first
    opcodes (or to STOP) without an unknown opcode. Truncated pickles still count, so they
    are reported as malformed rather than ignored.
    """
    if not _looks_like_pickle(head[:2]):
        return False
    if head[0] == 0x80:
        return len(head) > 2 and head[2] in OPCODES
    ctx = AnalyzeContext(display="")
    scan = _Scan(io.BytesIO(head), ctx, "")
    reader = Reader(io.BytesIO(head), 0, len(head))
    walker = Walker(reader, scan, max_opcodes=4096)
    try:
        walker.walk()
    except Truncated:
        return walker.counter[0] >= 64 or (walker.counter[0] >= 2 and scan.imports > 0)
    except (Malformed, ValueError):
        return walker.counter[0] >= 64
    return walker.counter[0] >= 2
