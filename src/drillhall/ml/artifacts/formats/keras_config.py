"""Judge a Keras model configuration (the JSON inside ``.h5`` and ``.keras`` files).

Loading a Keras model rebuilds every object its configuration names. Two things in it can run
code chosen by whoever wrote the file: a ``Lambda`` layer (its Python function travels as
marshalled bytecode, or as a function name that is imported) and objects whose ``module`` Keras 3
imports to find the class. This module walks the parsed JSON — it never imports or unmarshals
anything — and reports both.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from drillhall.core.model import Confidence, Severity
from drillhall.ml.artifacts.base import Issue
from drillhall.ml.artifacts.formats import _keras_names
from drillhall.ml.artifacts.formats._common import (
    KERAS_CUSTOM_OBJECT,
    KERAS_LAMBDA,
    SUPPLY_CHAIN,
    FormatError,
    short,
)

MAX_NODES = 2_000_000
MAX_DEPTH = 256
_CODE_TAGS = ("CWE-94", "CWE-502", SUPPLY_CHAIN)
_IMPORT_TAGS = ("CWE-470", "CWE-502", SUPPLY_CHAIN)
_SUSPICIOUS_NAMES = re.compile(
    rb"system|popen|subprocess|__import__|exec|eval|compile|socket|getattr|builtins|"
    rb"rmtree|urlopen|check_output|spawn|open"
)


def parse_config(raw: bytes | str, what: str) -> object:
    """Parse JSON text; ``FormatError`` names ``what`` when it is not JSON."""
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise FormatError(f"{what} is not valid JSON ({short(str(exc), 80)})") from None


@dataclass
class _Walk:
    keras3: bool
    issues: list[Issue] = field(default_factory=list)
    nodes: int = 0


def check_config(config: object, root: str = "config") -> list[Issue]:
    """Every Lambda layer and custom or dangerous object in a parsed Keras configuration.

    Raises :class:`FormatError` when the document is too large or too deeply nested to walk.
    """
    keras3 = isinstance(config, dict) and "module" in config
    walk = _Walk(keras3=keras3)
    for where, obj in _objects(config, root, walk):
        _judge(obj, where, walk)
    return walk.issues


def _objects(config: object, root: str, walk: _Walk) -> Iterator[tuple[str, dict[str, object]]]:
    """Every dict carrying a ``class_name``, depth-first, with its path; bounded."""
    stack: list[tuple[str, object, int, bool]] = [(root, config, 0, False)]
    while stack:
        where, node, depth, in_lambda = stack.pop()
        walk.nodes += 1
        if walk.nodes > MAX_NODES:
            raise FormatError(f"configuration has more than {MAX_NODES} values")
        if depth > MAX_DEPTH:
            raise FormatError(f"configuration is nested deeper than {MAX_DEPTH} levels at {where}")
        if isinstance(node, dict):
            is_lambda = False
            if isinstance(node.get("class_name"), str):
                yield where, node
                is_lambda = node["class_name"] == "Lambda"
            for key in reversed(list(node)):
                if in_lambda and key == "function":
                    continue  # judged with its Lambda layer
                child_in_lambda = is_lambda and key == "config"
                stack.append((f"{where}.{key}", node[key], depth + 1, child_in_lambda))
        elif isinstance(node, list):
            for index in range(len(node) - 1, -1, -1):
                stack.append((f"{where}[{index}]", node[index], depth + 1, False))


def _judge(obj: dict[str, object], where: str, walk: _Walk) -> None:
    class_name = str(obj["class_name"])
    config = obj.get("config")
    cfg = config if isinstance(config, dict) else {}
    if class_name == "Lambda":
        walk.issues.append(_lambda_issue(cfg, where, _layer_name(cfg)))
    elif class_name == "__lambda__":
        code = cfg.get("code", cfg.get("value"))
        walk.issues.append(_code_issue(code, where, "a serialized Python lambda"))
    elif class_name in _keras_names.TF_OP_LAMBDAS:
        function = str(cfg.get("function", ""))
        if any(word in function for word in _keras_names.DANGEROUS_TF_FUNCTIONS):
            walk.issues.append(Issue(
                rule_id=KERAS_LAMBDA, severity=Severity.HIGH,
                message=(f"{class_name} layer {_layer_name(cfg)!r} calls the TensorFlow "
                         f"function {short(function, 60)!r}, which reaches files or Python"),
                where=where, tags=_CODE_TAGS, evidence=f"{class_name} {short(function, 80)}",
            ))
    if "module" in obj or "registered_name" in obj:
        issue = _module_issue(obj, class_name, where)
        if issue is not None:
            walk.issues.append(issue)
    elif not walk.keras3 and class_name not in _keras_names.BUILTIN_CLASSES:
        walk.issues.append(Issue(
            rule_id=KERAS_CUSTOM_OBJECT, severity=Severity.MEDIUM,
            message=(f"custom object {short(class_name, 80)!r} is not a Keras built-in; loading "
                     "the model needs its code from custom_objects or a registered package"),
            where=where,
            confidence=Confidence.HIGH if ">" in class_name else Confidence.MEDIUM,
            tags=_IMPORT_TAGS, evidence=f"class_name {short(class_name, 80)}",
        ))


def _layer_name(cfg: dict[str, object]) -> str:
    name = cfg.get("name")
    return short(name, 60) if isinstance(name, str) else "?"


def _lambda_issue(cfg: dict[str, object], where: str, name: str) -> Issue:
    """A Lambda layer: serialized bytecode (Keras 2 list/str, Keras 3 ``__lambda__``) or a
    named function imported from a module."""
    function = cfg.get("function")
    function_type = cfg.get("function_type")
    if isinstance(function, dict):
        inner = function.get("config")
        if function.get("class_name") == "__lambda__":
            code = inner.get("code", inner.get("value")) if isinstance(inner, dict) else inner
            return _code_issue(code, where, f"Lambda layer {name!r} carries serialized Python code")
        module = function.get("module")
        return _named_function_issue(name, str(module or ""), str(inner or ""), where)
    if function_type == "function" and isinstance(function, str):
        return _named_function_issue(name, str(cfg.get("module") or ""), function, where)
    code = function[0] if isinstance(function, list) and function else function
    return _code_issue(code, where, f"Lambda layer {name!r} carries serialized Python code")


def _named_function_issue(layer: str, module: str, function: str, where: str) -> Issue:
    dangerous = _keras_names.is_dangerous_module(module)
    qualified = f"{module}.{function}" if module else function
    return Issue(
        rule_id=KERAS_LAMBDA,
        severity=Severity.HIGH if dangerous else Severity.MEDIUM,
        message=(f"Lambda layer {layer!r} calls {short(qualified, 80)!r}, imported when the "
                 "model is loaded" + (" from a module that runs commands or code" if dangerous
                                      else "")),
        where=where,
        confidence=Confidence.HIGH,
        tags=_IMPORT_TAGS,
        evidence=f"Lambda function {short(qualified, 80)}",
    )


def _code_issue(code: object, where: str, what: str) -> Issue:
    """High: marshalled bytecode runs when the layer is rebuilt or called."""
    detail = ""
    if isinstance(code, str):
        try:
            raw = base64.b64decode(code.encode("ascii", errors="replace")[:4_000_000])
        except (binascii.Error, ValueError):
            raw = code.encode("utf-8", errors="replace")
        names = sorted({m.decode() for m in _SUSPICIOUS_NAMES.findall(raw)})
        detail = f" ({len(raw)} bytes of bytecode"
        detail += f" naming {', '.join(names)})" if names else ")"
    return Issue(
        rule_id=KERAS_LAMBDA, severity=Severity.HIGH,
        message=f"{what}{detail}, which runs when the model is loaded or called",
        where=where, confidence=Confidence.HIGH, tags=_CODE_TAGS,
        evidence=f"serialized code{detail}",
    )


def _module_issue(obj: dict[str, object], class_name: str, where: str) -> Issue | None:
    """Keras 3: ``module`` is imported to find ``class_name`` (or the function in ``config``)."""
    module = obj.get("module")
    registered = obj.get("registered_name")
    module_text = module if isinstance(module, str) else ""
    target = class_name
    if class_name == "function" and isinstance(obj.get("config"), str):
        target = str(obj["config"])
    qualified = f"{module_text}.{target}" if module_text else target
    if _keras_names.is_dangerous_module(module_text):
        return Issue(
            rule_id=KERAS_CUSTOM_OBJECT, severity=Severity.HIGH,
            message=(f"configuration makes Keras import {short(qualified, 80)!r}, a module "
                     "that runs commands or code"),
            where=where, tags=_IMPORT_TAGS, evidence=f"module {short(qualified, 80)}",
        )
    if _keras_names.is_trusted_module(module_text):
        if class_name == "function" and target in _keras_names.DANGEROUS_KERAS_FUNCTIONS:
            return Issue(
                rule_id=KERAS_CUSTOM_OBJECT, severity=Severity.HIGH,
                message=(f"configuration calls {short(qualified, 80)!r}, a Keras function that "
                         "reads, writes or downloads files"),
                where=where, tags=_IMPORT_TAGS, evidence=f"function {short(qualified, 80)}",
            )
        package = registered.split(">", 1)[0] if isinstance(registered, str) else ""
        custom_name = isinstance(registered, str) and ">" in registered and (
            not _keras_names.is_trusted_module(package))
        if not custom_name:
            return None
    if not module_text and not isinstance(registered, str) and (
            class_name in _keras_names.BUILTIN_CLASSES):
        return None
    shown = module_text or (str(registered) if registered else class_name)
    return Issue(
        rule_id=KERAS_CUSTOM_OBJECT, severity=Severity.MEDIUM,
        message=(f"custom object {short(qualified, 80)!r} is imported from "
                 f"{short(shown, 60)!r} when the model is loaded"),
        where=where, confidence=Confidence.HIGH, tags=_IMPORT_TAGS,
        evidence=f"module {short(shown, 80)}",
    )
