"""Walking one pickle's opcodes with a symbolic stack and memo, never unpickling.

The walker follows what ``pickle.load`` would do with symbolic values: constants, imported
globals, containers and "objects built by calling X". It records every import (GLOBAL,
STACK_GLOBAL, INST) and every call (REDUCE, NEWOBJ, NEWOBJ_EX, OBJ, INST, BUILD) so that
indirection through the memo or through constants built at load time cannot hide a callable.
Inline payloads that ``joblib`` writes into its pickles (NumpyArrayWrapper: raw array bytes,
or a whole second pickle for object arrays) are stepped over the way joblib's loader reads
them, so that the opcodes *after* the arrays are walked too.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from drillhall.ml.artifacts.pickle_ops import OPCODES, Arg, Reader

#: Payloads up to this size are kept as constants (nested pickles are read from them).
KEEP_BYTES = 64 * 1024
MAX_STACK = 1_000_000
MAX_MARKS = 100_000


class Malformed(Exception):
    """The pickle cannot be walked; ``offset`` is where it went wrong."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class Exhausted(Malformed):
    """A resource limit (opcodes, stack, marks) was reached."""


@dataclass(slots=True)
class Const:
    value: str | bytes | int | float | bool | None


@dataclass(slots=True)
class Big:
    """A payload too large to keep: where it lies in the stream."""

    offset: int
    length: int
    text: bool


@dataclass(slots=True)
class Glob:
    module: str
    name: str
    offset: int

    @property
    def full(self) -> str:
        return f"{self.module}.{self.name}"


@dataclass(slots=True)
class Seq:
    kind: str                       # tuple, list, dict (flat key, value, …), set
    items: list[Any] = field(default_factory=list)


@dataclass(slots=True)
class Obj:
    """What calling ``func`` with ``args`` built (REDUCE, NEWOBJ, OBJ, INST)."""

    func: Any
    args: Any
    offset: int
    state: Any = None


@dataclass(slots=True)
class Opaque:
    what: str


Value = Const | Big | Glob | Seq | Obj | Opaque


class Events:
    """What the walker tells its owner. Subclassed by the scanner."""

    def imported(self, glob: Glob) -> None:
        """A global was imported."""

    def called(self, func: Value, args: Value, offset: int, kind: str) -> Value | None:
        """A callable was called; may return a better value for the result."""
        return None

    def gadget(self, message: str, evidence: str, offset: int) -> None:
        """Something only an attack does (computed callables, attribute writes on imports)."""

    def unknown_ext(self, code: int, offset: int) -> None:
        """An extension-registry import (EXT1/2/4), which cannot be resolved statically."""

    def persistent(self, pid: Value) -> None:
        """A persistent id (PyTorch storages)."""

    def built(self, obj: Obj, walker: Walker) -> None:
        """BUILD set the state of an object (joblib arrays are stepped over here)."""


def text(v: Value) -> str | None:
    """The string a value holds, if it is a string constant."""
    if isinstance(v, Const) and isinstance(v.value, str):
        return v.value
    return None


class Walker:
    """Walks one pickle from the reader's position to its STOP opcode."""

    def __init__(self, reader: Reader, events: Events, *, max_opcodes: int,
                 counter: list[int] | None = None) -> None:
        self.r = reader
        self.events = events
        self.max_opcodes = max_opcodes
        self.counter = counter if counter is not None else [0]
        self.stack: list[Any] = []
        self.meta: list[list[Any]] = []
        self.memo: dict[int, Any] = {}
        self.proto = 0
        self.at = 0

    # -- stack helpers -----------------------------------------------------------------------

    def pop(self) -> Any:
        if not self.stack:
            raise Malformed("stack underflow", self.at)
        return self.stack.pop()

    def top(self) -> Any:
        if not self.stack:
            raise Malformed("stack underflow", self.at)
        return self.stack[-1]

    def pop_mark(self) -> list[Any]:
        if not self.meta:
            raise Malformed("MARK expected but not found", self.at)
        items = self.stack
        self.stack = self.meta.pop()
        return items

    def push(self, v: Any) -> None:
        if len(self.stack) >= MAX_STACK:
            raise Exhausted(f"stack deeper than {MAX_STACK} items", self.at)
        self.stack.append(v)

    # -- argument decoding -------------------------------------------------------------------

    def _payload(self, n: int, textual: bool) -> Value:
        if n < 0:
            raise Malformed(f"negative length {n}", self.at)
        if n > KEEP_BYTES:
            offset = self.r.pos
            self.r.skip(n)
            return Big(offset, n, textual)
        data = self.r.read(n)
        if not textual:
            return Const(data)
        try:
            return Const(data.decode("utf-8", "surrogatepass"))
        except UnicodeDecodeError:
            raise Malformed("string is not valid UTF-8", self.at) from None

    def _arg(self, kind: Arg, name: str) -> Any:
        r = self.r
        if kind is Arg.NONE:
            return None
        if kind is Arg.U1:
            return r.byte()
        if kind is Arg.LINE:
            return r.readline()
        if kind is Arg.TWO_LINES:
            return r.readline(), r.readline()
        if kind is Arg.U2:
            return int.from_bytes(r.read(2), "little")
        if kind is Arg.I4:
            return int.from_bytes(r.read(4), "little", signed=True)
        if kind is Arg.U4:
            return int.from_bytes(r.read(4), "little")
        if kind is Arg.U8:
            return int.from_bytes(r.read(8), "little")
        if kind is Arg.F8:
            return struct.unpack(">d", r.read(8))[0]
        if kind is Arg.LEN1:
            n = r.byte()
        elif kind is Arg.LEN4:
            n = int.from_bytes(r.read(4), "little", signed=name in ("BINSTRING", "LONG4"))
        else:
            n = int.from_bytes(r.read(8), "little")
        textual = name in ("BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8")
        if name in ("BINSTRING", "SHORT_BINSTRING"):
            v = self._payload(n, False)
            return Const(v.value.decode("latin-1")) if isinstance(v, Const) and isinstance(
                v.value, bytes) else v
        if name in ("LONG1", "LONG4"):
            v = self._payload(n, False)
            if isinstance(v, Const) and isinstance(v.value, bytes):
                return Const(int.from_bytes(v.value, "little", signed=True))
            return Opaque("huge integer")
        return self._payload(n, textual)

    # -- the walk ----------------------------------------------------------------------------

    def walk(self) -> Any:
        """Walk to STOP; return the value left on the stack."""
        handlers = self._handlers()
        r = self.r
        while True:
            self.at = r.pos
            code = r.byte()
            op = OPCODES.get(code)
            if op is None:
                raise Malformed(f"unknown opcode 0x{code:02x}", self.at)
            self.counter[0] += 1
            if self.counter[0] > self.max_opcodes:
                raise Exhausted(f"more than {self.max_opcodes} opcodes", self.at)
            name, kind = op
            arg = self._arg(kind, name)
            if name == "STOP":
                if self.meta:
                    raise Malformed("STOP inside an open MARK", self.at)
                return self.pop()
            handlers[name](arg)

    def _handlers(self) -> dict[str, Callable[[Any], None]]:
        h: dict[str, Callable[[Any], None]] = {}
        push = self.push
        for name in ("SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "SHORT_BINBYTES",
                     "BINBYTES", "BINBYTES8", "BYTEARRAY8", "BINSTRING", "SHORT_BINSTRING",
                     "LONG1", "LONG4"):
            h[name] = push
        for name in ("BININT", "BININT1", "BININT2", "BINFLOAT"):
            h[name] = lambda a: push(Const(a))
        h["NONE"] = lambda a: push(Const(None))
        h["NEWTRUE"] = lambda a: push(Const(True))
        h["NEWFALSE"] = lambda a: push(Const(False))
        h["INT"] = self._int
        h["LONG"] = self._int
        h["FLOAT"] = self._float
        h["STRING"] = self._string
        h["UNICODE"] = self._unicode
        h["MARK"] = self._mark
        h["POP"] = self._pop
        h["POP_MARK"] = self._pop_mark
        h["DUP"] = lambda a: push(self.top())
        h["EMPTY_LIST"] = lambda a: push(Seq("list"))
        h["EMPTY_TUPLE"] = lambda a: push(Seq("tuple"))
        h["EMPTY_DICT"] = lambda a: push(Seq("dict"))
        h["EMPTY_SET"] = lambda a: push(Seq("set"))
        h["LIST"] = lambda a: push(Seq("list", self.pop_mark()))
        h["TUPLE"] = lambda a: push(Seq("tuple", self.pop_mark()))
        h["FROZENSET"] = lambda a: push(Seq("set", self.pop_mark()))
        h["TUPLE1"] = lambda a: self._tuple_n(1)
        h["TUPLE2"] = lambda a: self._tuple_n(2)
        h["TUPLE3"] = lambda a: self._tuple_n(3)
        h["DICT"] = self._dict
        h["APPEND"] = self._append
        h["APPENDS"] = lambda a: self._extend(self.pop_mark(), pairs=False)
        h["ADDITEMS"] = lambda a: self._extend(self.pop_mark(), pairs=False)
        h["SETITEM"] = self._setitem
        h["SETITEMS"] = lambda a: self._extend(self.pop_mark(), pairs=True)
        h["GLOBAL"] = self._global
        h["STACK_GLOBAL"] = self._stack_global
        h["INST"] = self._inst
        h["OBJ"] = self._obj
        h["REDUCE"] = self._reduce
        h["NEWOBJ"] = self._newobj
        h["NEWOBJ_EX"] = self._newobj_ex
        h["BUILD"] = self._build
        h["PUT"] = lambda a: self._put(self._line_int(a))
        h["BINPUT"] = self._put
        h["LONG_BINPUT"] = self._put
        h["MEMOIZE"] = lambda a: self._put(len(self.memo))
        h["GET"] = lambda a: self._get(self._line_int(a))
        h["BINGET"] = self._get
        h["LONG_BINGET"] = self._get
        h["PERSID"] = lambda a: self._persistent(Const(a.decode("latin-1")))
        h["BINPERSID"] = lambda a: self._persistent(self.pop())
        h["EXT1"] = self._ext
        h["EXT2"] = self._ext
        h["EXT4"] = self._ext
        h["PROTO"] = self._proto
        h["FRAME"] = lambda a: None
        h["NEXT_BUFFER"] = lambda a: push(Opaque("out-of-band buffer"))
        h["READONLY_BUFFER"] = lambda a: self.top() and None
        return h

    # -- handlers ----------------------------------------------------------------------------

    def _line_int(self, line: bytes) -> int:
        try:
            return int(line)
        except ValueError:
            raise Malformed(f"bad integer {line[:20]!r}", self.at) from None

    def _int(self, line: bytes) -> None:
        body = line.rstrip(b"L")
        if body in (b"00", b"01"):
            self.push(Const(body == b"01"))
            return
        if len(body) > 4300:
            raise Malformed("integer literal too long", self.at)
        self.push(Const(self._line_int(body)))

    def _float(self, line: bytes) -> None:
        try:
            self.push(Const(float(line)))
        except ValueError:
            raise Malformed(f"bad float {line[:20]!r}", self.at) from None

    def _string(self, line: bytes) -> None:
        if len(line) < 2 or line[:1] not in b"'\"" or line[-1:] != line[:1]:
            raise Malformed("STRING argument is not quoted", self.at)
        import codecs
        try:
            raw = codecs.escape_decode(line[1:-1])[0]
        except ValueError:
            raise Malformed("bad escape in STRING", self.at) from None
        self.push(Const(raw.decode("latin-1")))

    def _unicode(self, line: bytes) -> None:
        try:
            self.push(Const(line.decode("raw-unicode-escape")))
        except UnicodeDecodeError:
            raise Malformed("bad UNICODE argument", self.at) from None

    def _mark(self, _: Any) -> None:
        if len(self.meta) >= MAX_MARKS:
            raise Exhausted(f"more than {MAX_MARKS} nested MARKs", self.at)
        self.meta.append(self.stack)
        self.stack = []

    def _pop_mark(self, _: Any) -> None:
        self.pop_mark()

    def _pop(self, _: Any) -> None:
        if self.stack:
            self.stack.pop()
        else:
            self.pop_mark()

    def _tuple_n(self, n: int) -> None:
        if len(self.stack) < n:
            raise Malformed("stack underflow", self.at)
        items = self.stack[-n:]
        del self.stack[-n:]
        self.push(Seq("tuple", items))

    def _dict(self, _: Any) -> None:
        items = self.pop_mark()
        if len(items) % 2:
            raise Malformed("DICT with an odd number of items", self.at)
        self.push(Seq("dict", items))

    def _append(self, _: Any) -> None:
        v = self.pop()
        self._extend([v], pairs=False)

    def _setitem(self, _: Any) -> None:
        v = self.pop()
        k = self.pop()
        self._extend([k, v], pairs=True)

    def _extend(self, items: list[Any], *, pairs: bool) -> None:
        if pairs and len(items) % 2:
            raise Malformed("SETITEMS with an odd number of items", self.at)
        target = self.top()
        if isinstance(target, Seq):
            target.items.extend(items)
        elif isinstance(target, Glob):
            self.events.gadget(f"adds items to the imported object {target.full}",
                               target.full, self.at)

    def _import(self, module: str, name: str) -> Glob:
        glob = Glob(module, name, self.at)
        self.events.imported(glob)
        return glob

    def _global(self, arg: tuple[bytes, bytes]) -> None:
        module, name = (a.decode("utf-8", "replace") for a in arg)
        self.push(self._import(module, name))

    def _stack_global(self, _: Any) -> None:
        name, module = self.pop(), self.pop()
        m, n = text(module), text(name)
        if m is None or n is None:
            self.events.gadget("STACK_GLOBAL imports a name computed at load time",
                               "STACK_GLOBAL", self.at)
            self.push(Opaque("computed import"))
            return
        self.push(self._import(m, n))

    def _call(self, func: Any, args: Any, kind: str) -> None:
        if not isinstance(func, Glob):
            what = func.full if isinstance(func, Glob) else type(func).__name__.lower()
            self.events.gadget(f"{kind} calls a callable computed at load time ({what}), as "
                               "getattr and import gadgets do", kind, self.at)
        better = self.events.called(func, args, self.at, kind)
        self.push(better if better is not None else Obj(func, args, self.at))

    def _inst(self, arg: tuple[bytes, bytes]) -> None:
        module, name = (a.decode("utf-8", "replace") for a in arg)
        args = self.pop_mark()
        self._call(self._import(module, name), Seq("tuple", args), "INST")

    def _obj(self, _: Any) -> None:
        items = self.pop_mark()
        if not items:
            raise Malformed("OBJ without a class", self.at)
        self._call(items[0], Seq("tuple", items[1:]), "OBJ")

    def _reduce(self, _: Any) -> None:
        args = self.pop()
        func = self.pop()
        self._call(func, args, "REDUCE")

    def _newobj(self, _: Any) -> None:
        args = self.pop()
        cls = self.pop()
        self._call(cls, args, "NEWOBJ")

    def _newobj_ex(self, _: Any) -> None:
        self.pop()
        args = self.pop()
        cls = self.pop()
        self._call(cls, args, "NEWOBJ_EX")

    def _build(self, _: Any) -> None:
        state = self.pop()
        target = self.top()
        if isinstance(target, Glob):
            self.events.gadget(f"BUILD sets attributes on the imported object {target.full}",
                               target.full, self.at)
        elif isinstance(target, Obj):
            target.state = state
            self.events.built(target, self)

    def _put(self, idx: int) -> None:
        if idx < 0:
            raise Malformed("negative memo index", self.at)
        self.memo[idx] = self.top()

    def _get(self, idx: int) -> None:
        try:
            self.push(self.memo[idx])
        except KeyError:
            raise Malformed(f"memo index {idx} read before it was written", self.at) from None

    def _persistent(self, pid: Any) -> None:
        self.events.persistent(pid)
        self.push(Opaque("persistent object"))

    def _ext(self, code: int) -> None:
        self.events.unknown_ext(code, self.at)
        self.push(Opaque(f"extension {code}"))

    def _proto(self, version: int) -> None:
        if version > 5:
            raise Malformed(f"unsupported pickle protocol {version}", self.at)
        self.proto = version
