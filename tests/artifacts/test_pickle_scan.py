"""The pickle scanner on a generated corpus: benign files stay quiet, malicious ones are
caught, hostile ones fail closed within bounded time."""

from __future__ import annotations

import collections
import datetime
import decimal
import io
import pickle
import struct
import time
from collections.abc import Callable

import joblib  # type: ignore[import-untyped]
import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.pipeline import make_pipeline  # type: ignore[import-untyped]
from sklearn.preprocessing import StandardScaler  # type: ignore[import-untyped]

from drillhall.core.model import Severity
from drillhall.ml.artifacts.base import ArtifactLimits
from drillhall.ml.artifacts.pickle_policy import Verdict, judge
from drillhall.ml.artifacts.rules import (
    DANGEROUS_IMPORT,
    GADGET,
    MALFORMED,
    NESTED,
    UNKNOWN_IMPORT,
)
from tests.artifacts._corpus import (
    MEMOIZE,
    PROTO4,
    REDUCE,
    STOP,
    TUPLE1,
    TUPLE2,
    Reducer,
    binbytes,
    call0,
    call4,
    glob0,
    os_system_ref,
    rules,
    scan_bytes,
    sglob,
    su,
    torch_legacy,
    torch_state_pickle,
    worst,
)


def _forest() -> RandomForestClassifier:
    rng = np.random.default_rng(7)
    x = rng.random((40, 4))
    return RandomForestClassifier(n_estimators=3, max_depth=3, random_state=0).fit(
        x, (x[:, 0] > 0.5).astype(int))


def _logreg() -> object:
    rng = np.random.default_rng(3)
    x = rng.random((30, 3))
    return make_pipeline(StandardScaler(), LogisticRegression()).fit(x, (x[:, 1] > 0.4))


def _joblib(obj: object, **kw: object) -> bytes:
    buf = io.BytesIO()
    joblib.dump(obj, buf, **kw)
    return buf.getvalue()


BENIGN_OBJECTS: dict[str, Callable[[], object]] = {
    "numpy-array": lambda: np.arange(12, dtype=np.float32).reshape(3, 4),
    "numpy-mixed": lambda: {"a": np.zeros(3, dtype=np.int64), "b": np.float64(2.5),
                            "c": np.array(["x", "yz"]), "d": np.array([1 + 2j])},
    "forest": _forest,
    "pipeline": _logreg,
    "collections": lambda: {"od": collections.OrderedDict(a=1),
                            "dd": collections.defaultdict(list, {"k": [1]}),
                            "dq": collections.deque([1, 2]), "c": collections.Counter("aab"),
                            "s": {1, 2}, "fs": frozenset({3}), "ba": bytearray(b"xy"),
                            "sl": slice(1, 5), "cx": complex(1, 2), "r": range(3)},
    "datetime": lambda: [datetime.datetime(2024, 1, 2, 3, 4, 5), datetime.date(2024, 1, 1),
                         datetime.timedelta(days=2), decimal.Decimal("1.5")],
}


@pytest.mark.parametrize("protocol", [0, 1, 2, 3, 4, 5])
@pytest.mark.parametrize("name", sorted(BENIGN_OBJECTS))
def test_benign_pickles_have_nothing_above_low(name: str, protocol: int) -> None:
    data = pickle.dumps(BENIGN_OBJECTS[name](), protocol=protocol)
    issues = scan_bytes(data)
    assert worst(issues) is None, issues


@pytest.mark.parametrize("kw", [{}, {"compress": 0}, {"protocol": 2}, {"protocol": 5}])
def test_benign_joblib_dumps_are_clean(kw: dict[str, object]) -> None:
    data = _joblib({"model": _forest(), "pipe": _logreg(),
                    "objects": np.array([1, "a", None], dtype=object)}, **kw)
    assert scan_bytes(data) == []


def test_torch_state_dict_pickles_are_clean() -> None:
    assert scan_bytes(torch_state_pickle()) == []
    assert scan_bytes(torch_legacy(torch_state_pickle())) == []


MALICIOUS = {
    "os.system protocol 0 text GLOBAL": call0("os", "system", "echo pwned"),
    "posix.system protocol 2": b"\x80\x02" + glob0("posix", "system") + su("id") + TUPLE1
                               + REDUCE + STOP,
    "subprocess.Popen STACK_GLOBAL": call4("subprocess", "Popen", "id"),
    "subprocess.check_output": call4("subprocess", "check_output", "id"),
    "builtins.eval": call4("builtins", "eval", "1+1"),
    "builtins.exec": call4("builtins", "exec", "pass"),
    "__builtin__.eval protocol 0": call0("__builtin__", "eval", "1"),
    "builtins.__import__": call4("builtins", "__import__", "os"),
    "importlib.import_module": call4("importlib", "import_module", "os"),
    "pkgutil.resolve_name": call4("pkgutil", "resolve_name", "os:system"),
    "runpy.run_path": call4("runpy", "run_path", "/tmp/x.py"),
    "marshal.loads": call4("marshal", "loads", "x"),
    "socket.create_connection": call4("socket", "create_connection", "h"),
    "shutil.rmtree": call4("shutil", "rmtree", "/"),
    "webbrowser.open": call4("webbrowser", "open", "http://127.0.0.1/"),
    "ctypes.CDLL": call4("ctypes", "CDLL", "libc.so.6"),
    "operator.attrgetter": call4("operator", "attrgetter", "system"),
    "_operator.methodcaller": call4("_operator", "methodcaller", "system", "id"),
    "timeit.timeit": call4("timeit", "timeit", "print(1)"),
    "pty.spawn": call0("pty", "spawn", "id"),
    "numpy.testing runstring": call4("numpy.testing._private.utils", "runstring", "1", "x"),
    "torch.load": call4("torch", "load", "x.pt"),
    "sys.modules": PROTO4 + sglob("sys", "modules") + STOP,
    "types.CodeType": call4("types", "CodeType", "x"),
    "requests.get": call4("requests", "get", "http://127.0.0.1/"),
}


@pytest.mark.parametrize("name", sorted(MALICIOUS))
def test_malicious_pickles_are_critical(name: str) -> None:
    issues = scan_bytes(MALICIOUS[name])
    assert worst(issues) is Severity.CRITICAL, issues
    assert DANGEROUS_IMPORT in rules(issues)


def test_evidence_names_the_import() -> None:
    issues = scan_bytes(call0("os", "system", "echo pwned"))
    assert [i.evidence for i in issues] == ["os.system"]
    assert issues[0].where == "byte 0"


def test_getattr_chain_is_a_gadget() -> None:
    # getattr(collections.OrderedDict, "system")("id"): the second call's callable is computed
    data = (PROTO4 + sglob("builtins", "getattr") + MEMOIZE + sglob("collections", "OrderedDict")
            + su("system") + TUPLE2 + REDUCE + su("id") + TUPLE1 + REDUCE + STOP)
    issues = scan_bytes(data)
    assert {DANGEROUS_IMPORT, GADGET} <= rules(issues)


def test_stack_global_through_memo_indirection() -> None:
    data = (PROTO4 + su("os") + MEMOIZE + su("pad") + b"0" + su("system") + MEMOIZE + b"0" + b"0"
            + b"h\x00" + b"h\x01" + b"\x93" + su("id") + TUPLE1 + REDUCE + STOP)
    issues = scan_bytes(data)
    assert any(i.evidence == "os.system" for i in issues), issues


def test_stack_global_of_computed_names_is_a_gadget() -> None:
    # the module name is the result of a call, not a constant
    data = (PROTO4 + sglob("builtins", "str") + su("os") + TUPLE1 + REDUCE + su("system")
            + b"\x93" + STOP)
    assert GADGET in rules(scan_bytes(data))


def test_nested_pickle_loads_is_followed() -> None:
    inner = call0("os", "system", "id")
    data = PROTO4 + sglob("pickle", "loads") + binbytes(inner) + TUPLE1 + REDUCE + STOP
    issues = scan_bytes(data)
    assert NESTED in rules(issues)
    nested = [i for i in issues if "nested pickle" in i.where]
    assert any(i.evidence == "os.system" for i in nested), issues


def test_nested_pickle_through_codecs_encode_protocol_0() -> None:
    inner = call0("subprocess", "getoutput", "id")
    data = pickle.dumps(Reducer(pickle.loads, inner), protocol=0)
    issues = scan_bytes(data)
    assert any(i.evidence == "subprocess.getoutput" for i in issues), issues


def test_large_nested_payload_is_read_from_the_stream() -> None:
    inner = b"\x80\x04" + binbytes(b"\x00" * 100_000) + b"0" + call0("os", "system", "id")
    data = PROTO4 + sglob("_pickle", "loads") + binbytes(inner) + TUPLE1 + REDUCE + STOP
    assert any(i.evidence == "os.system" and "nested" in i.where for i in scan_bytes(data))


def test_payload_after_joblib_arrays_is_found() -> None:
    # issue 8: missed by picklescan, modelscan and fickling alike
    data = _joblib({"model": _forest(), "hook": Reducer(os_system_ref(), "echo pwned")})
    issues = scan_bytes(data)
    assert worst(issues) is Severity.CRITICAL
    assert any(i.evidence in ("os.system", "posix.system") for i in issues)


def test_payload_after_joblib_object_array_is_found() -> None:
    data = _joblib([np.array([1, "x"], dtype=object), np.arange(1000.0),
                    Reducer(os_system_ref(), "id")])
    assert worst(scan_bytes(data)) is Severity.CRITICAL


def test_payload_inside_joblib_object_array_is_found() -> None:
    data = _joblib({"a": np.array([Reducer(os_system_ref(), "id"), 1], dtype=object)})
    assert worst(scan_bytes(data)) is Severity.CRITICAL


def test_torch_legacy_payload_in_model_pickle() -> None:
    model = torch_state_pickle(extra=glob0("os", "system") + b"0")
    issues = scan_bytes(torch_legacy(model))
    assert any(i.evidence == "os.system" for i in issues)


def test_torch_legacy_payload_after_storages() -> None:
    issues = scan_bytes(torch_legacy(torch_state_pickle(), tail=call0("os", "system", "x")))
    assert any(i.evidence == "os.system" for i in issues)


def test_unknown_import_is_medium_and_high_when_strict() -> None:
    data = call4("mypackage.models", "CustomHead", "x")
    assert [i.rule_id for i in scan_bytes(data)] == [UNKNOWN_IMPORT]
    assert worst(scan_bytes(data)) is Severity.MEDIUM
    assert worst(scan_bytes(data, strict=True)) is Severity.HIGH


def test_policy_verdicts() -> None:
    assert judge("numpy", "__builtins__").verdict is Verdict.DANGEROUS
    assert judge("numpy.core.multiarray", "_reconstruct").verdict is Verdict.SAFE
    assert judge("numpy", "load").verdict is Verdict.DANGEROUS
    assert judge("sklearn.tree._tree", "Tree").verdict is Verdict.SAFE
    assert judge("torch._utils", "_rebuild_tensor_v2").verdict is Verdict.SAFE
    assert judge("torch", "FloatStorage").verdict is Verdict.SAFE
    assert judge("_codecs", "encode").verdict is Verdict.SAFE
    assert judge("builtins", "getattr").verdict is Verdict.DANGEROUS
    assert judge("builtins", "set").verdict is Verdict.SAFE
    assert judge("osx", "thing").verdict is Verdict.UNKNOWN


# -- hostile input: fail closed, bounded ------------------------------------------------------


@pytest.mark.parametrize("cut", [3, 50, 400, 2000])
def test_truncated_pickles_are_malformed(cut: int) -> None:
    data = pickle.dumps(_forest(), protocol=4)[:cut]
    issues = scan_bytes(data)
    assert MALFORMED in rules(issues)
    assert worst(issues) in (Severity.HIGH, Severity.CRITICAL)


@pytest.mark.parametrize("data", [
    PROTO4 + b"\xff" + STOP,                                    # unknown opcode
    PROTO4 + b"0" + STOP,                                       # stack underflow
    PROTO4 + b"h\x05" + STOP,                                   # memo read before write
    PROTO4 + b"\x8e" + struct.pack("<Q", 1 << 62) + STOP,        # absurd length
    PROTO4 + b"(" * 200_000 + STOP,                             # MARK nesting bomb
    b"\x80\x09N.",                                              # unknown protocol
    PROTO4 + b"e" + STOP,                                       # APPENDS without MARK
])
def test_hostile_pickles_are_malformed(data: bytes) -> None:
    issues = scan_bytes(data)
    assert MALFORMED in rules(issues), issues
    assert worst(issues) is Severity.HIGH


def test_opcode_bomb_stops_at_the_limit() -> None:
    data = PROTO4 + b"N0" * 200_000 + b"N" + STOP
    started = time.perf_counter()
    issues = scan_bytes(data, limits=ArtifactLimits(max_pickle_opcodes=10_000))
    assert time.perf_counter() - started < 2
    assert any(i.rule_id == MALFORMED and "opcodes" in i.message for i in issues)


def test_nested_pickles_too_deep_fail_closed() -> None:
    data = call0("os", "getcwd", "x")
    for _ in range(8):
        data = PROTO4 + sglob("pickle", "loads") + binbytes(data) + TUPLE1 + REDUCE + STOP
    issues = scan_bytes(data, limits=ArtifactLimits(max_nesting=3))
    assert any(i.rule_id == MALFORMED and "nested deeper" in i.message for i in issues)


def test_malformed_pickle_rest_is_searched_for_names() -> None:
    data = PROTO4 + b"\xfe" + b"\x00" * 100 + call4("subprocess", "run", "id")
    issues = scan_bytes(data)
    assert MALFORMED in rules(issues)
    assert any(i.rule_id == DANGEROUS_IMPORT and i.evidence == "subprocess" for i in issues)


@pytest.mark.parametrize("array", [
    np.array(["ab", "cde"]), np.zeros(3, dtype=[("a", "i4"), ("b", "f8", (2,))]),
    np.array(["2020-01-01"], dtype="M8[D]"), np.array([True, False]),
    np.zeros((2, 3), dtype=np.float16, order="F"), np.array([b"xy"]), np.zeros((3, 0, 2)),
    np.zeros(3, dtype=[("o", "O"), ("i", "i8")]), np.ma.masked_array([1, 2], [False, True]),
], ids=lambda a: str(a.dtype))
def test_joblib_arrays_of_every_dtype_are_stepped_over(array: np.ndarray) -> None:
    data = _joblib([array, Reducer(os_system_ref(), "x")])
    issues = scan_bytes(data)
    assert [i.evidence for i in issues] in (["os.system"], ["posix.system"]), issues
