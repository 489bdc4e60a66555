"""Benign and malicious model artifacts, with ground truth, for the model-artifact benchmark.

    .venv/bin/python bench/artifacts/corpus.py OUT_DIR         # OUT_DIR/{benign,malicious}
                                                               # and OUT_DIR.json (the truth)
    .venv/bin/python bench/artifacts/corpus.py --big FILE [BYTES]  # the large joblib checkpoint
    .venv/bin/python bench/artifacts/corpus.py --big-pickle FILE [BYTES]  # ... as a plain pickle

Benign files are made by the libraries that make them in real projects (numpy, scikit-learn,
joblib, onnx, h5py, gguf) or byte by byte to their published layout (PyTorch zip,
safetensors, Keras v3). Malicious pickles are written opcode by opcode or through
``__reduce__`` at dump time: nothing here is ever unpickled, called or loaded. The opcode
helpers come from the test suite (``tests/artifacts/_corpus.py``); the format builders are
this file's own, so the benchmark does not reuse the fixtures drillhall was tested against.

Every entry of the truth records the file (relative to OUT_DIR), whether it is malicious,
its container format and what the payload is.
"""

from __future__ import annotations

import base64
import builtins
import io
import json
import marshal
import os
import pickle
import runpy
import struct
import subprocess
import sys
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.artifacts._corpus import (  # noqa: E402  (the test suite's opcode helpers)
    PROTO4,
    REDUCE,
    STOP,
    TUPLE1,
    TUPLE2,
    Reducer,
    binbytes,
    glob0,
    sglob,
    su,
    tar_of,
    torch_state_pickle,
    torch_zip,
    zip_of,
)

CMD = "echo drillhall-bench-payload"
ONE_GB = 1024 ** 3

# -- pickles ------------------------------------------------------------------------------


def _call(module: str, name: str, *args: str) -> bytes:
    """``module.name(*args)`` as protocol 4 opcodes."""
    tup = {1: TUPLE1, 2: TUPLE2}[len(args)]
    return PROTO4 + sglob(module, name) + b"".join(su(a) for a in args) + tup + REDUCE + STOP


def os_system() -> bytes:
    return _call("os", "system", CMD)


def os_system_proto0() -> bytes:
    return glob0("os", "system") + b"(S'" + CMD.encode() + b"'\ntR."


def getattr_chain() -> bytes:
    """``getattr(__import__('os'), 'system')(CMD)``."""
    return (PROTO4 + sglob("builtins", "getattr") + sglob("builtins", "__import__") + su("os")
            + TUPLE1 + REDUCE + su("system") + TUPLE2 + REDUCE + su(CMD) + TUPLE1 + REDUCE
            + STOP)


def importlib_gadget() -> bytes:
    """``operator.methodcaller('system', CMD)(importlib.import_module('os'))``."""
    return (PROTO4 + sglob("operator", "methodcaller") + su("system") + su(CMD) + TUPLE2
            + REDUCE + sglob("importlib", "import_module") + su("os") + TUPLE1 + REDUCE
            + TUPLE1 + REDUCE + STOP)


def resolve_name_gadget() -> bytes:
    """``pkgutil.resolve_name('os:system')(CMD)``."""
    return (PROTO4 + sglob("pkgutil", "resolve_name") + su("os:system") + TUPLE1 + REDUCE
            + su(CMD) + TUPLE1 + REDUCE + STOP)


def nested_loads() -> bytes:
    """``pickle.loads(<a pickle that calls os.system>)``."""
    return PROTO4 + sglob("pickle", "loads") + binbytes(os_system()) + TUPLE1 + REDUCE + STOP


def reduce_dump(func: Callable[..., Any], *args: Any) -> bytes:
    """What ``pickle.dumps`` writes for an object whose ``__reduce__`` names ``func``
    (the function is referenced by name, never called)."""
    return pickle.dumps(Reducer(func, *args), protocol=4)


# -- benign model files -------------------------------------------------------------------


def _sklearn() -> tuple[Any, Any, Any]:
    import numpy as np
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(7)
    x = rng.normal(size=(400, 8))
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    forest = RandomForestClassifier(n_estimators=20, max_depth=6, random_state=7).fit(x, y)
    logreg = LogisticRegression().fit(x, y)
    pipe = make_pipeline(StandardScaler(), LogisticRegression()).fit(x, y)
    return forest, logreg, pipe


def safetensors_bytes() -> bytes:
    import numpy as np

    data = np.arange(16, dtype=np.float32).tobytes()
    header = {"__metadata__": {"format": "pt"},
              "fc.weight": {"dtype": "F32", "shape": [4, 4], "data_offsets": [0, len(data)]}}
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + data


def onnx_bytes(external_location: str | None = None) -> bytes:
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    weight = numpy_helper.from_array(np.ones((4, 4), dtype=np.float32), "W")
    if external_location is not None:
        weight.ClearField("raw_data")
        weight.data_location = TensorProto.EXTERNAL
        for key, value in (("location", external_location), ("offset", "0"),
                           ("length", "64")):
            entry = weight.external_data.add()
            entry.key, entry.value = key, value
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["X", "W"], ["Y"])], "g",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, 4])], [weight])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return bytes(model.SerializeToString())


def _dense(name: str, units: int) -> dict[str, Any]:
    return {"class_name": "Dense", "config": {"name": name, "units": units,
                                              "activation": "relu", "use_bias": True}}


def _lambda_code() -> str:
    """Marshalled bytecode of a lambda that would run a command (compiled, never run)."""
    code = compile(f"lambda x: __import__('os').system({CMD!r}) or x", "<payload>", "eval")
    return base64.b64encode(marshal.dumps(code)).decode()


def keras_h5(path: Path, with_lambda: bool) -> None:
    import h5py

    layers: list[dict[str, Any]] = [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 8], "name": "in"}},
        _dense("dense", 4)]
    if with_lambda:
        layers.append({"class_name": "Lambda", "config": {
            "name": "lambda", "function": [_lambda_code(), None, None],
            "function_type": "lambda", "arguments": {}}})
    layers.append(_dense("out", 2))
    config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}}
    with h5py.File(path, "w") as handle:
        handle.attrs["keras_version"] = "2.15.0"
        handle.attrs["backend"] = "tensorflow"
        handle.attrs["model_config"] = json.dumps(config)
        weights = handle.create_group("model_weights")
        weights.create_group("dense").create_dataset("kernel", data=[[0.5] * 4] * 8)


def keras_v3(with_lambda: bool) -> bytes:
    """A ``.keras`` archive: metadata.json, config.json and (empty) weights."""
    layers: list[dict[str, Any]] = [
        {"module": "keras.layers", "class_name": "Dense",
         "config": {"name": "dense", "units": 4, "activation": "relu"}}]
    if with_lambda:
        layers.append({"module": "keras.layers", "class_name": "Lambda", "config": {
            "name": "lambda", "function": {"class_name": "__lambda__", "config": {
                "code": _lambda_code(), "defaults": None, "closure": None}}}})
    config = {"module": "keras", "class_name": "Sequential",
              "config": {"name": "sequential", "layers": layers}}
    meta = {"keras_version": "3.3.3", "date_saved": "2026-01-01@00:00:00"}
    return zip_of({"metadata.json": json.dumps(meta).encode(),
                   "config.json": json.dumps(config).encode(),
                   "model.weights.h5": _weights_h5()})


def _weights_h5() -> bytes:
    """A small HDF5 weights file, as Keras 3 stores next to its config."""
    import h5py

    buf = io.BytesIO()
    with h5py.File(buf, "w") as handle:
        layer = handle.create_group("layers").create_group("dense").create_group("vars")
        layer.create_dataset("0", data=[[0.5] * 4] * 8)
        layer.create_dataset("1", data=[0.0] * 4)
    return buf.getvalue()


BENIGN_TEMPLATE = ("{% for message in messages %}<|{{ message['role'] }}|>\n"
                   "{{ message['content'] }}</s>\n{% endfor %}"
                   "{% if add_generation_prompt %}<|assistant|>\n{% endif %}")
INJECTED_TEMPLATE = ("{{ cycler.__init__.__globals__.os.popen('" + CMD + "').read() }}"
                     + BENIGN_TEMPLATE)


def gguf_file(path: Path, template: str) -> None:
    import gguf
    import numpy as np

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("bench-tiny")
    writer.add_context_length(128)
    writer.add_chat_template(template)
    writer.add_tensor("token_embd.weight", np.zeros((8, 4), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def npy_object_payload() -> bytes:
    """An ``.npy`` of dtype object: its body is a pickle (here one that calls os.system)."""
    header = b"{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"
    header += b" " * (-(10 + len(header) + 1) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + os_system()


# -- the corpus ---------------------------------------------------------------------------


def generate(out: Path) -> dict[str, Any]:
    """Write the corpus under ``out``; return the ground truth."""
    import joblib
    import numpy as np

    forest, logreg, pipe = _sklearn()
    truth: list[dict[str, Any]] = []

    def put(rel: str, data: bytes | Callable[[Path], None], malicious: bool, fmt: str,
            what: str) -> None:
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            data(path)
        truth.append({"file": rel, "malicious": malicious, "format": fmt, "what": what,
                      "bytes": path.stat().st_size})

    def npy(arr: Any) -> bytes:
        buf = io.BytesIO()
        np.save(buf, arr)
        return buf.getvalue()

    def npz(path: Path) -> None:
        np.savez(path, w=np.ones((16, 16), np.float32), b=np.zeros(16, np.float32))

    b, m = "benign/", "malicious/"
    put(b + "numpy_array.pkl", pickle.dumps(np.arange(64.0).reshape(8, 8), protocol=4),
        False, "pickle", "numpy array, pickle protocol 4")
    put(b + "sklearn_logreg.pkl", pickle.dumps(logreg, protocol=5), False, "pickle",
        "scikit-learn LogisticRegression, protocol 5")
    put(b + "sklearn_pipeline.pkl", pickle.dumps(pipe, protocol=2), False, "pickle",
        "scikit-learn Pipeline (scaler + logistic regression), protocol 2")
    put(b + "config_proto0.pkl", pickle.dumps({"lr": 0.1, "layers": [8, 4]}, protocol=0),
        False, "pickle", "plain dict, protocol 0")
    put(b + "ordered_dict.pkl", pickle.dumps(OrderedDict(a=1, b=[1.5, 2.5]), protocol=2),
        False, "pickle", "collections.OrderedDict, protocol 2")
    put(b + "random_forest.joblib", lambda p: joblib.dump(forest, p), False, "joblib",
        "scikit-learn RandomForest, joblib.dump")
    put(b + "random_forest_z.joblib", lambda p: joblib.dump(forest, p, compress=3), False,
        "joblib", "scikit-learn RandomForest, joblib.dump(compress=3)")
    put(b + "state_dict.pt", torch_zip(torch_state_pickle()), False, "pytorch-zip",
        "PyTorch zip (OrderedDict of one tensor, torch._utils._rebuild_tensor_v2)")
    put(b + "weights.npy", npy(np.ones((32, 32), np.float32)), False, "npy", "float32 .npy")
    put(b + "arrays.npz", npz, False, "npz", "np.savez of two float arrays")
    put(b + "model.safetensors", safetensors_bytes(), False, "safetensors", "one F32 tensor")
    put(b + "model.onnx", onnx_bytes(), False, "onnx", "MatMul graph via onnx.helper")
    put(b + "model.h5", lambda p: keras_h5(p, False), False, "keras-h5",
        "Keras HDF5 Sequential of Dense layers")
    put(b + "model.keras", keras_v3(False), False, "keras-v3", "Keras v3 archive, Dense only")
    put(b + "model.gguf", lambda p: gguf_file(p, BENIGN_TEMPLATE), False, "gguf",
        "GGUF with an ordinary chat template")

    put(m + "os_system.pkl", os_system(), True, "pickle", "os.system (STACK_GLOBAL)")
    put(m + "os_system_proto0.pkl", os_system_proto0(), True, "pickle",
        "os.system, protocol 0 GLOBAL")
    put(m + "posix_system_reduce.pkl", reduce_dump(os.system, CMD), True, "pickle",
        "os.system via __reduce__ (pickled as posix.system)")
    put(m + "subprocess.pkl", reduce_dump(subprocess.check_output, ["id"]), True, "pickle",
        "subprocess.check_output via __reduce__")
    put(m + "builtins_eval.pkl", reduce_dump(builtins.eval, f"__import__('os').system({CMD!r})"),
        True, "pickle", "builtins.eval")
    put(m + "builtins_exec.pkl", reduce_dump(builtins.exec, f"import os; os.system({CMD!r})"),
        True, "pickle", "builtins.exec")
    put(m + "getattr_chain.pkl", getattr_chain(), True, "pickle",
        "getattr(__import__('os'), 'system')(cmd)")
    put(m + "importlib_gadget.pkl", importlib_gadget(), True, "pickle",
        "operator.methodcaller('system', cmd)(importlib.import_module('os'))")
    put(m + "resolve_name.pkl", resolve_name_gadget(), True, "pickle",
        "pkgutil.resolve_name('os:system')(cmd)")
    put(m + "sklearn_testing_gadget.pkl",
        _call("sklearn.utils._testing", "assert_run_python_script_without_output",
              f"import os; os.system({CMD!r})"), True, "pickle",
        "a member of an allow-listed package that runs code: scikit-learn's test helper "
        "assert_run_python_script_without_output(source)")
    put(m + "runpy.pkl", reduce_dump(runpy.run_path, "/tmp/payload.py"), True, "pickle",
        "runpy.run_path")
    put(m + "nested_loads.pkl", nested_loads(), True, "pickle",
        "pickle.loads of an inner os.system pickle")
    put(m + "rf_payload_after_arrays.joblib",
        lambda p: joblib.dump({"model": forest, "hook": Reducer(os.system, CMD)}, p), True,
        "joblib", "joblib.dump of a random forest, os.system after its numpy arrays")
    put(m + "renamed/weights.txt", os_system(), True, "pickle",
        "os.system pickle renamed to weights.txt, inside a directory")
    put(m + "payload_in.zip", zip_of({"model/model.pkl": os_system()}), True, "zip",
        "os.system pickle as a zip member")
    put(m + "payload.tar.gz", tar_of({"model.pkl": os_system()}, "w:gz"), True, "tar.gz",
        "os.system pickle inside a .tar.gz")
    put(m + "torch_payload.pt",
        torch_zip(torch_state_pickle(glob0("os", "system") + b"(S'" + CMD.encode()
                                     + b"'\ntR0")), True, "pytorch-zip",
        "PyTorch zip whose data.pkl calls os.system next to a real tensor")
    put(m + "object_array.npy", npy_object_payload(), True, "npy",
        ".npy of dtype object whose pickle calls os.system")
    put(m + "keras_lambda.h5", lambda p: keras_h5(p, True), True, "keras-h5",
        "Keras HDF5 with a Lambda layer (marshalled bytecode)")
    put(m + "keras_lambda.keras", keras_v3(True), True, "keras-v3",
        "Keras v3 archive with a Lambda layer")
    put(m + "template_injection.gguf", lambda p: gguf_file(p, INJECTED_TEMPLATE), True,
        "gguf", "GGUF chat template with a Jinja sandbox escape")
    put(m + "external_escape.onnx", onnx_bytes("../../../../etc/passwd"), True, "onnx",
        "ONNX initializer whose external data points outside the model directory")
    return {"root": str(out), "command": CMD, "files": truth}


def big_checkpoint(path: Path, size: int = ONE_GB) -> None:
    """A joblib dump of a ``size``-byte float32 array followed by an os.system payload."""
    import joblib
    import numpy as np

    weights = np.random.default_rng(7).standard_normal(size // 4, dtype=np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump({"weights": weights, "hook": Reducer(os.system, CMD)}, path)


def big_pickle(path: Path, size: int = ONE_GB) -> None:
    """A plain pickle (protocol 4) of the same array and payload: the array's bytes are
    inside the pickle stream, so a scanner has to get past them to reach the payload."""
    import numpy as np

    weights = np.random.default_rng(7).standard_normal(size // 4, dtype=np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        pickle.dump({"weights": weights, "hook": Reducer(os.system, CMD)}, handle, protocol=4)


def main(argv: list[str]) -> int:
    if len(argv) in (3, 4) and argv[1] in ("--big", "--big-pickle"):
        make = big_checkpoint if argv[1] == "--big" else big_pickle
        make(Path(argv[2]), int(argv[3]) if len(argv) == 4 else ONE_GB)
        return 0
    if len(argv) != 2:
        print(__doc__)
        return 2
    out = Path(argv[1])
    truth = generate(out)
    out.with_suffix(".json").write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    print(f"{len(truth['files'])} files under {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
