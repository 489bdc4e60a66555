"""Keras HDF5: Lambda layers and custom objects read from model_config without TensorFlow."""

from __future__ import annotations

import base64
import json
import marshal
import sys
from pathlib import Path

import pytest

from drillhall.core.model import Severity
from drillhall.ml.artifacts.base import AnalyzeContext, ArtifactLimits
from drillhall.ml.artifacts.formats import keras_h5

from ._util import above_low, only, rules, run, run_file

h5py = pytest.importorskip("h5py")

LAMBDA = "DH-MODEL-KERAS-LAMBDA"
CUSTOM = "DH-MODEL-KERAS-CUSTOM-OBJECT"
MALFORMED = "DH-MODEL-MALFORMED"


def dense(name: str, units: int = 4) -> dict[str, object]:
    return {"class_name": "Dense", "config": {
        "name": name, "units": units, "activation": "relu",
        "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}}}}


def sequential(*layers: dict[str, object]) -> dict[str, object]:
    return {"class_name": "Sequential", "config": {
        "name": "sequential",
        "layers": [{"class_name": "InputLayer", "config": {"batch_input_shape": [None, 8]}},
                   *layers]}}


def payload_code() -> str:
    """Marshalled bytecode of a lambda that would run a command (never called here)."""
    source = "lambda x: __import__('os').system('true') or x"
    code = compile(source, "<payload>", "eval")
    return base64.b64encode(marshal.dumps(code)).decode()


def lambda_layer(name: str = "lambda") -> dict[str, object]:
    return {"class_name": "Lambda", "config": {
        "name": name, "function": [payload_code(), None, None], "function_type": "lambda",
        "output_shape": None, "output_shape_type": "raw", "arguments": {}}}


def write_h5(path: Path, config: object, **attrs: object) -> Path:
    with h5py.File(path, "w") as handle:
        if config is not None:
            handle.attrs["model_config"] = json.dumps(config)
        for key, value in attrs.items():
            handle.attrs[key] = value
        handle.create_group("model_weights").create_dataset("w", data=[1.0, 2.0])
    return path


def test_benign_sequential_has_no_issue(tmp_path: Path) -> None:
    path = write_h5(tmp_path / "model.h5", sequential(dense("d1"), dense("d2", 2)),
                    training_config=json.dumps({"loss": "mse", "optimizer_config": {
                        "class_name": "Adam", "config": {"learning_rate": 0.001}}}))
    assert keras_h5.sniff(path.read_bytes()[:65536])
    assert run_file(keras_h5.analyze, path) == []


def test_lambda_with_bytecode_is_high(tmp_path: Path) -> None:
    path = write_h5(tmp_path / "m.h5", sequential(dense("d1"), lambda_layer("evil")))
    issues = run_file(keras_h5.analyze, path)
    [issue] = only(issues, LAMBDA)
    assert issue.severity is Severity.HIGH
    assert "'evil'" in issue.message and "system" in issue.message
    assert issue.where == "model_config.config.layers[2]"


def test_lambda_nested_in_functional_and_time_distributed(tmp_path: Path) -> None:
    inner = {"class_name": "Functional", "config": {"name": "inner", "layers": [
        {"class_name": "TimeDistributed", "name": "td",
         "config": {"name": "td", "layer": lambda_layer("deep")}}]}}
    path = write_h5(tmp_path / "m.h5", {"class_name": "Functional", "config": {
        "name": "outer", "layers": [inner, dense("d")]}})
    [issue] = run_file(keras_h5.analyze, path)
    assert issue.rule_id == LAMBDA
    assert issue.where.endswith("layers[0].config.layer")


def test_lambda_naming_a_function_in_a_dangerous_module(tmp_path: Path) -> None:
    layer: dict[str, object] = {"class_name": "Lambda", "config": {
        "name": "named", "function": "system", "function_type": "function", "module": "os"}}
    [issue] = run_file(keras_h5.analyze, write_h5(tmp_path / "m.h5", sequential(layer)))
    assert (issue.rule_id, issue.severity) == (LAMBDA, Severity.HIGH)
    assert "os.system" in issue.message


def test_custom_object_is_medium(tmp_path: Path) -> None:
    custom: dict[str, object] = {"class_name": "MyAttention", "config": {"name": "att", "units": 3}}
    registered: dict[str, object] = {"class_name": "Addons>GELU", "config": {"name": "gelu"}}
    issues = run_file(keras_h5.analyze,
                      write_h5(tmp_path / "m.h5", sequential(dense("d"), custom, registered)))
    found = only(issues, CUSTOM)
    assert len(found) == 2
    assert all(issue.severity is Severity.MEDIUM for issue in found)
    assert "'MyAttention'" in found[0].message


def test_keras3_style_module_on_deny_list_is_high(tmp_path: Path) -> None:
    config = {"module": "keras", "class_name": "Sequential", "config": {"layers": [
        {"module": "keras.layers", "class_name": "Dense", "config": {
            "units": 2, "activation": {"module": "subprocess", "class_name": "function",
                                       "config": "check_output", "registered_name": None}},
         "registered_name": None}]}, "registered_name": None}
    [issue] = run_file(keras_h5.analyze, write_h5(tmp_path / "m.h5", config))
    assert (issue.rule_id, issue.severity) == (CUSTOM, Severity.HIGH)
    assert "subprocess.check_output" in issue.message


def test_weights_only_hdf5_is_clean(tmp_path: Path) -> None:
    assert run_file(keras_h5.analyze, write_h5(tmp_path / "w.h5", None)) == []


def test_user_block_is_sniffed(tmp_path: Path) -> None:
    path = tmp_path / "ub.h5"
    with h5py.File(path, "w", userblock_size=1024) as handle:
        handle.attrs["model_config"] = json.dumps(sequential(lambda_layer()))
    head = path.read_bytes()[:65536]
    assert not head.startswith(keras_h5.HDF5_MAGIC) and keras_h5.sniff(head)
    assert rules(run_file(keras_h5.analyze, path)) == {LAMBDA}


def test_config_not_json_fails_closed(tmp_path: Path) -> None:
    path = write_h5(tmp_path / "m.h5", None, model_config="{not json")
    assert rules(run_file(keras_h5.analyze, path)) == {MALFORMED}


def test_corrupt_and_truncated_files_fail_closed(tmp_path: Path) -> None:
    good = write_h5(tmp_path / "m.h5", sequential(dense("d"))).read_bytes()
    for data in (keras_h5.HDF5_MAGIC + b"\0" * 200, good[: len(good) // 3]):
        issues = run(keras_h5.analyze, data)
        assert rules(issues) == {MALFORMED} and above_low(issues)


def test_without_h5py_the_file_is_unscannable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "h5py", None)
    [issue] = run(keras_h5.analyze, keras_h5.HDF5_MAGIC + b"\0" * 64)
    assert issue.rule_id == "DH-MODEL-UNSCANNABLE" and issue.severity is Severity.MEDIUM
    assert "pip install 'drillhall[ml]'" in issue.message


def test_sniff_rejects_other_bytes() -> None:
    assert not keras_h5.sniff(b"PK\x03\x04" + b"\0" * 2000)
    assert not keras_h5.sniff(b"")


def test_keras2_training_config_metrics_are_builtin(tmp_path: Path) -> None:
    training = {"loss": {"class_name": "CategoricalCrossentropy", "config": {}},
                "metrics": [[{"class_name": "MeanMetricWrapper",
                              "config": {"name": "accuracy", "fn": "categorical_accuracy"}}]],
                "optimizer_config": {"class_name": "Adam", "config": {}}}
    path = write_h5(tmp_path / "m.h5", sequential(dense("d")),
                    training_config=json.dumps(training))
    assert run_file(keras_h5.analyze, path) == []


def test_oversized_variable_length_config_fails_closed(tmp_path: Path) -> None:
    path = write_h5(tmp_path / "m.h5", sequential(*[dense(f"d{i}") for i in range(50)]))
    with path.open("rb") as handle:
        issues = keras_h5.analyze(handle, path.stat().st_size, AnalyzeContext(
            display="m.h5", limits=ArtifactLimits(max_metadata_bytes=2000)))
    assert rules(issues) == {MALFORMED}


def test_member_stream_of_a_zip_is_read(tmp_path: Path) -> None:
    """A compressed archive member (no cheap seeking) is copied before h5py reads it."""
    import zipfile

    path = write_h5(tmp_path / "m.h5", sequential(lambda_layer()))
    with zipfile.ZipFile(tmp_path / "w.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(path, "inner.h5")
    with zipfile.ZipFile(tmp_path / "w.zip") as zf, zf.open("inner.h5") as member:
        issues = keras_h5.analyze(member, path.stat().st_size,  # type: ignore[arg-type]
                                  AnalyzeContext(display="w.zip!/inner.h5"))
    assert rules(issues) == {LAMBDA}
