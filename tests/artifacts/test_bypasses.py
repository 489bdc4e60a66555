"""One regression test per known bypass of picklescan, modelscan and fickling.

Each payload is rebuilt here opcode by opcode from the public report cited above its test
(nothing is ever loaded). Each must be reported at severity high or above.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path

import pytest

from drillhall.core.model import Severity
from drillhall.ml.artifacts.scan import Scanner
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
    scan_bytes,
    sglob,
    su,
    torch_state_pickle,
    torch_zip,
    worst,
)


def _unsafe(data: bytes) -> bool:
    found = worst(scan_bytes(data))
    return found is not None and found.at_least(Severity.HIGH)


# https://github.com/protectai/modelscan/issues/330 — numpy.__builtins__ reached through an
# allow-listed module with STACK_GLOBAL, then eval taken out of it.
def test_modelscan_330_numpy_builtins() -> None:
    data = (PROTO4 + sglob("numpy", "size") + MEMOIZE + MEMOIZE + sglob("numpy", "__builtins__")
            + MEMOIZE + MEMOIZE + b"h\x01}}" + su("shape") + b"h\x03s" + TUPLE2 + b"b"
            + b"h\x01h\x01" + su("eval") + TUPLE2 + REDUCE + su("__import__('os')")
            + TUPLE1 + REDUCE + STOP)
    assert _unsafe(data)


# https://github.com/protectai/modelscan/issues/331 — importlib.import_module("builtins") and a
# getattr chain that joins "o" "s" at load time.
def test_modelscan_331_importlib_getattr_join() -> None:
    data = (PROTO4 + sglob("importlib", "import_module") + MEMOIZE + su("builtins") + TUPLE1
            + REDUCE + MEMOIZE + sglob("builtins", "getattr") + MEMOIZE + b"h\x02h\x01"
            + su("str") + TUPLE2 + REDUCE + su("join") + TUPLE2 + REDUCE + su("") + b"](" + su("o")
            + su("s") + b"e" + TUPLE2 + REDUCE + STOP)
    assert _unsafe(data)


# https://github.com/protectai/modelscan/issues/85 — BUILD writes "os" / "system" onto
# attributes of numpy.prod, then STACK_GLOBAL reads them back through the memo.
def test_modelscan_85_build_setattr_then_stack_global() -> None:
    data = (b"\x80\x05" + glob0("numpy", "prod") + b"N(Va\nVos\nd\x86b"
            + b"N(Vb\nVsystem\nd\x86b0" + glob0("numpy", "prod.a") + b"p0\n"
            + glob0("numpy", "prod.b") + b"p1\n00g0\ng1\n\x93Vecho pwned\n" + TUPLE1 + REDUCE
            + STOP)
    assert _unsafe(data)


# https://github.com/protectai/modelscan/issues/267 — a nested pickle.loads() call.
def test_modelscan_267_nested_pickle_loads() -> None:
    inner = b"cbuiltins\nprint\n(S'exploited'\ntR."
    assert _unsafe(pickle.dumps(Reducer(pickle.loads, inner), protocol=4))


# https://github.com/mmaitre314/picklescan/pull/25 — pickle.loads of bytes made by
# _codecs.encode in a protocol 0 pickle.
def test_picklescan_25_pickle_loads_codecs_protocol_0() -> None:
    data = (glob0("pickle", "loads") + b"p0\n(" + glob0("_codecs", "encode") + b"p1\n(VI12345\n."
            + b"\np2\nVlatin1\np3\ntp4\nRp5\ntp6\nRp7\n.")
    assert _unsafe(data)


# https://github.com/mmaitre314/picklescan/security/advisories/GHSA-vvpj-8cmc-gx39 —
# pkgutil.resolve_name reaches any callable by name.
def test_picklescan_ghsa_vvpj_pkgutil_resolve_name() -> None:
    data = (PROTO4 + sglob("pkgutil", "resolve_name") + su("os:system") + TUPLE1 + REDUCE
            + su("id") + TUPLE1 + REDUCE + STOP)
    assert _unsafe(data)


# Stdlib callables that run code, each a picklescan "missing detection" advisory:
# https://github.com/mmaitre314/picklescan/pull/48 and https://github.com/mmaitre314/picklescan/pull/49
@pytest.mark.parametrize(("module", "name", "advisory"), [
    ("profile", "Profile.run", "GHSA-x696-vm39-cp64"),
    ("profile", "Profile.runctx", "GHSA-6vqj-c2q5-j97w"),
    ("cProfile", "runctx", "GHSA-9w88-8rmg-7g2p"),
    ("trace", "Trace.run", "GHSA-5qwp-399c-mjwf"),
    ("trace", "Trace.runctx", "GHSA-g344-hcph-8vgg"),
    ("lib2to3.pgen2.grammar", "Grammar.loads", "GHSA-f54q-57x4-jg88"),
    ("idlelib.debugobj", "ObjectTreeItem", "GHSA-3vg9-h568-4w9m"),
    ("idlelib.autocomplete", "AutoComplete.get_entity", "GHSA-6w4w-5w54-rjvr"),
    ("idlelib.run", "Executive.runcode", "GHSA-m869-42cg-3xwr"),
    ("idlelib.pyshell", "ModifiedInterpreter.runcommand", "GHSA-j343-8v2j-ff7w"),
    ("ensurepip", "_run_pip", "GHSA-xp4f-hrf8-rxw7"),
    ("lib2to3.pgen2.pgen", "ParserGenerator.make_label", "GHSA-p9w7-82w4-7q8m"),
    ("doctest", "debug_script", "GHSA-fqq6-7vqf-w3fg"),
    ("torch.utils.bottleneck.__main__", "run_autograd_prof", "GHSA-4whj-rm5r-c2v8"),
    ("timeit", "timeit", "GHSA-v7x6-rv5q-mhwc"),
])
def test_picklescan_missing_detection_advisories(module: str, name: str, advisory: str) -> None:
    assert _unsafe(call4(module, name, "import os")), advisory


# https://github.com/mmaitre314/picklescan/pull/54 (GHSA-955r-x9j8-7rhh) — _operator gadgets.
@pytest.mark.parametrize("name", ["attrgetter", "itemgetter", "methodcaller"])
def test_picklescan_54_operator_gadgets(name: str) -> None:
    assert _unsafe(call4("_operator", name, "system"))


# https://github.com/trailofbits/fickling/pull/108 — pty.spawn through INST/OBJ.
def test_fickling_108_pty_spawn_obj() -> None:
    assert _unsafe(b'(cpty\nspawn\nS"id"\no.')


# https://github.com/trailofbits/fickling/pull/302 (GHSA-6ggj-6f2q-f7mx) — sub-interpreters
# run source code.
@pytest.mark.parametrize("module", ["_interpreters", "_xxsubinterpreters"])
def test_fickling_302_subinterpreters(module: str) -> None:
    assert _unsafe(call4(module, "run_string", "1", "import os"))


# https://github.com/trailofbits/fickling/pull/210 — asyncio subprocess transport, distutils
# file writes, io.FileIO, and functools.partial wrapping a dangerous callable.
@pytest.mark.parametrize(("module", "name"), [
    ("asyncio.unix_events", "_UnixSubprocessTransport"),
    ("distutils.file_util", "write_file"),
    ("_io", "FileIO"),
    ("numpy.f2py.crackfortran", "getlincoef"),
    ("venv", "create"),
])
def test_fickling_210_unsafe_imports(module: str, name: str) -> None:
    assert _unsafe(call4(module, name, "x"))


def test_fickling_210_functools_partial_wrapper() -> None:
    data = (PROTO4 + sglob("functools", "partial") + sglob("os", "system") + su("id") + TUPLE2
            + REDUCE + b")" + REDUCE + STOP)
    assert _unsafe(data)


# https://github.com/protectai/modelscan/issues/338 — alternative execution primitives.
@pytest.mark.parametrize(("module", "name"), [
    ("torch.utils.collect_env", "run"),
    ("multiprocessing.util", "spawnv_passfds"),
    ("mlflow.projects.backend.local", "_run_entry_point"),
    ("pandas.io.parsers.readers", "read_csv"),
    ("urllib.request", "urlopen"),
])
def test_modelscan_338_alternative_primitives(module: str, name: str) -> None:
    assert _unsafe(call4(module, name, "x"))


# https://github.com/msaad00/agent-bom/pull/3326 — dangerous STACK_GLOBAL operands replayed
# from the memo after padding literals.
def test_agent_bom_3326_memo_replay() -> None:
    data = (PROTO4 + su("os") + b"q\x07" + su("system") + b"q\x08" + b"00"
            + b"".join(su(f"pad{i}") + b"0" for i in range(8))
            + b"h\x07h\x08\x93" + su("id") + TUPLE1 + REDUCE + STOP)
    assert _unsafe(data)


# https://github.com/mmaitre314/picklescan/security/advisories/GHSA-769v-p64c-89pr — a PyTorch
# archive whose pickle member has a non-standard name.
def test_picklescan_ghsa_769v_pickle_member_renamed(tmp_path: Path) -> None:
    data = torch_zip(torch_state_pickle(), extra={"archive/extra/hook.bin": call0(
        "os", "system", "id")})
    (tmp_path / "model.pt").write_bytes(data)
    report = Scanner().scan_path(tmp_path)
    assert any(loc.path == "model.pt!/archive/extra/hook.bin"
               and loc.issue.severity is Severity.CRITICAL for loc in report.issues)


# https://github.com/mmaitre314/picklescan/security/advisories/GHSA-w8jq-xcqf-f792 — the zip
# "encrypted" flag bit set on a member PyTorch reads anyway.
def test_picklescan_ghsa_w8jq_zip_flag_bit(tmp_path: Path) -> None:
    raw = bytearray(torch_zip(torch_state_pickle(extra=glob0("os", "system") + b"0")))
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        at = raw.find(sig)
        while at >= 0:
            flag_at = at + (6 if sig == b"PK\x03\x04" else 8)
            raw[flag_at] |= 0x01
            at = raw.find(sig, at + 4)
    (tmp_path / "model.pt").write_bytes(bytes(raw))
    report = Scanner().scan_path(tmp_path)
    assert any(loc.issue.evidence == "os.system" for loc in report.issues)


# https://github.com/mmaitre314/picklescan/security/advisories/GHSA-7q5r-7gvp-wc82 (and JFrog's
# CRC report, CVE-2025-10156) — a zip member with a bad CRC that lenient loaders still read.
def test_picklescan_zip_bad_crc_fails_closed(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", call0("os", "system", "id"))
        z.writestr("archive/version", b"3\n")
    raw = bytearray(buf.getvalue())
    at = raw.find(b"PK\x03\x04")
    raw[at + 14] ^= 0xFF                        # CRC-32 in the local header
    at = raw.find(b"PK\x01\x02")
    raw[at + 16] ^= 0xFF                        # and in the central directory
    (tmp_path / "model.pt").write_bytes(bytes(raw))
    report = Scanner().scan_path(tmp_path)
    assert any(loc.issue.severity.at_least(Severity.HIGH) for loc in report.issues)
    assert any(loc.issue.evidence == "os.system" for loc in report.issues)


# https://github.com/mmaitre314/picklescan/security/advisories/GHSA-9gvj-pp9x-gcfr — parsing
# stopped early on a crafted stream; here: a payload behind a large BINBYTES8 payload.
def test_picklescan_ghsa_9gvj_payload_behind_large_bytes() -> None:
    data = PROTO4 + b"\x8e" + (200_000).to_bytes(8, "little") + b"\x00" * 200_000 + b"0" \
        + sglob("os", "system") + su("id") + TUPLE1 + REDUCE + STOP
    assert _unsafe(data)


# https://github.com/protectai/modelscan/issues/267 variant with bytes held in BINBYTES.
def test_nested_binbytes_payload() -> None:
    data = PROTO4 + sglob("dill", "loads") + binbytes(call0("os", "system", "x")) + TUPLE1 \
        + REDUCE + STOP
    issues = scan_bytes(data)
    assert any(i.evidence == "os.system" for i in issues)
