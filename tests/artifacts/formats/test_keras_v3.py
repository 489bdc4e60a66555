"""Keras v3 archives: config.json judged, other members handed to the nested scanner."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import BinaryIO

from drillhall.core.model import Severity
from drillhall.ml.artifacts.base import AnalyzeContext, ArtifactLimits, Issue
from drillhall.ml.artifacts.formats import keras_v3

from ._util import only, rules, run

LAMBDA = "DH-MODEL-KERAS-LAMBDA"
CUSTOM = "DH-MODEL-KERAS-CUSTOM-OBJECT"
MALFORMED = "DH-MODEL-MALFORMED"


def layer(class_name: str, config: dict[str, object], module: str = "keras.layers",
          registered: str | None = None) -> dict[str, object]:
    return {"module": module, "class_name": class_name, "config": config,
            "registered_name": registered}


def model(*layers: dict[str, object]) -> dict[str, object]:
    return {"module": "keras", "class_name": "Sequential",
            "config": {"name": "seq", "layers": list(layers),
                       "dtype": layer("DTypePolicy", {"name": "float32"}, module="keras")},
            "registered_name": None,
            "compile_config": {"optimizer": layer("Adam", {"learning_rate": 0.001},
                                                  module="keras.optimizers"),
                               "loss": "mse"}}


DENSE = layer("Dense", {"name": "d", "units": 4,
                        "activation": {"module": "keras.activations", "class_name": "function",
                                       "config": "relu", "registered_name": "relu"}})


def archive(config: object, extra: dict[str, bytes] | None = None,
            config_text: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("metadata.json", json.dumps({"keras_version": "3.6.0"}))
        zf.writestr("config.json", config_text if config_text is not None
                    else json.dumps(config))
        zf.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n" + b"\0" * 32)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_sniff_zip() -> None:
    assert keras_v3.sniff_zip(["metadata.json", "config.json", "model.weights.h5"])
    assert keras_v3.sniff_zip(["config.json", "model.weights.h5"])
    assert not keras_v3.sniff_zip(["config.json", "tokenizer.json"])
    assert not keras_v3.sniff_zip(["archive/data.pkl", "archive/version"])


def test_benign_archive_has_no_issue() -> None:
    assert run(keras_v3.analyze, archive(model(DENSE))) == []


def test_lambda_layer_keras3() -> None:
    lam = layer("Lambda", {"name": "lam", "function": {
        "class_name": "__lambda__", "config": {"code": "YWJj", "defaults": None,
                                               "closure": None}}})
    [issue] = run(keras_v3.analyze, archive(model(DENSE, lam)))
    assert (issue.rule_id, issue.severity) == (LAMBDA, Severity.HIGH)
    assert issue.where == "config.config.layers[1]"


def test_custom_module_is_medium_and_dangerous_function_high() -> None:
    custom = layer("Gated", {"name": "g"}, module="my_package.layers",
                   registered="MyPackage>Gated")
    fetch = layer("Dense", {"name": "d2", "units": 1, "activation": {
        "module": "keras.utils", "class_name": "function", "config": "get_file",
        "registered_name": "get_file"}})
    issues = run(keras_v3.analyze, archive(model(custom, fetch)))
    severities = sorted((i.severity.rank, i.message) for i in only(issues, CUSTOM))
    assert len(severities) == 2
    assert severities[0][0] == Severity.MEDIUM.rank and "my_package" in severities[0][1]
    assert severities[1][0] == Severity.HIGH.rank and "get_file" in severities[1][1]


def test_builtins_module_is_high() -> None:
    evil = layer("Dense", {"name": "d", "units": 1, "activation": {
        "module": "builtins", "class_name": "function", "config": "exec",
        "registered_name": None}})
    [issue] = run(keras_v3.analyze, archive(model(evil)))
    assert (issue.rule_id, issue.severity) == (CUSTOM, Severity.HIGH)


def test_bad_json_missing_config_and_not_a_zip_fail_closed() -> None:
    assert rules(run(keras_v3.analyze, archive(None, config_text="{oops"))) == {MALFORMED}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("metadata.json", "{}")
        zf.writestr("model.weights.h5", b"x")
    assert rules(run(keras_v3.analyze, buffer.getvalue())) == {MALFORMED}
    good = archive(model(DENSE))
    assert rules(run(keras_v3.analyze, good[: len(good) // 2])) == {MALFORMED}


def test_oversized_config_fails_closed() -> None:
    data = archive(model(DENSE, *[DENSE] * 200))
    issues = run(keras_v3.analyze, data, limits=ArtifactLimits(max_metadata_bytes=1000))
    assert rules(issues) == {MALFORMED}


def test_traversal_member_name_fails_closed() -> None:
    issues = run(keras_v3.analyze, archive(model(DENSE), {"../../evil.py": b"x"}))
    assert [i.where for i in only(issues, MALFORMED)] == ["../../evil.py"]


def test_other_members_go_to_the_nested_scanner(tmp_path: Path) -> None:
    seen: list[tuple[str, bytes]] = []

    def nested(stream: BinaryIO, size: int, display: str) -> list[Issue]:
        data = stream.read()
        seen.append((display, data))
        if display.endswith(".pkl"):
            return [Issue("DH-PICKLE-TEST", Severity.CRITICAL, "payload", where="byte 3")]
        return []

    data = archive(model(DENSE), {"assets/vocab.pkl": b"\x80\x04payload"})
    ctx = AnalyzeContext(display="m.keras", nested=nested)
    issues = run(keras_v3.analyze, data, ctx=ctx)
    assert [name for name, _ in seen] == ["model.weights.h5", "assets/vocab.pkl"]
    assert [(i.rule_id, i.where) for i in issues] == [("DH-PICKLE-TEST",
                                                       "assets/vocab.pkl › byte 3")]
    deep = AnalyzeContext(display="m.keras", nested=nested, depth=4)
    seen.clear()
    assert run(keras_v3.analyze, data, ctx=deep) == [] and seen == []
