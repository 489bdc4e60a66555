"""Rule ids, issue builders and bounded reads shared by the format analyzers."""

from __future__ import annotations

from typing import BinaryIO

from drillhall.core.model import Confidence, Severity
from drillhall.ml.artifacts.base import Issue

KERAS_LAMBDA = "DH-MODEL-KERAS-LAMBDA"
KERAS_CUSTOM_OBJECT = "DH-MODEL-KERAS-CUSTOM-OBJECT"
TF_DANGEROUS_OP = "DH-MODEL-TF-DANGEROUS-OP"
ONNX_CUSTOM_DOMAIN = "DH-MODEL-ONNX-CUSTOM-DOMAIN"
ONNX_EXTERNAL_DATA_ESCAPE = "DH-MODEL-ONNX-EXTERNAL-DATA-ESCAPE"
SAFETENSORS_INVALID = "DH-MODEL-SAFETENSORS-INVALID"
GGUF_TEMPLATE_INJECTION = "DH-MODEL-GGUF-TEMPLATE-INJECTION"
MALFORMED = "DH-MODEL-MALFORMED"
UNSCANNABLE = "DH-MODEL-UNSCANNABLE"

SUPPLY_CHAIN = "ML06"
"""OWASP Machine Learning Security Top 10: AI supply chain attacks."""


class FormatError(ValueError):
    """The file claims a format but its bytes do not follow it; the message says where."""


def malformed(fmt: str, reason: str, where: str = "") -> Issue:
    """The fail-closed issue: ``fmt`` was detected but the file could not be parsed."""
    return Issue(
        rule_id=MALFORMED,
        severity=Severity.HIGH,
        message=f"{fmt} file could not be parsed safely: {reason}",
        where=where,
        evidence=short(reason, 200),
        tags=("CWE-20", SUPPLY_CHAIN),
    )


def unscannable(fmt: str, package: str) -> Issue:
    """An optional package needed to read ``fmt`` is missing; the file was not checked."""
    return Issue(
        rule_id=UNSCANNABLE,
        severity=Severity.MEDIUM,
        message=(
            f"{fmt} file not scanned: the optional package {package!r} is not installed; "
            "install it with pip install 'drillhall[ml]'"
        ),
        confidence=Confidence.HIGH,
        tags=(SUPPLY_CHAIN,),
        evidence=f"{package} not importable",
    )


def read_capped(stream: BinaryIO, size: int, cap: int, what: str) -> bytes:
    """Read a whole stream of ``size`` bytes, refusing (``FormatError``) above ``cap``."""
    if size > cap:
        raise FormatError(f"{what} is {size} bytes, over the limit of {cap}")
    data = stream.read(size + 1)
    if len(data) > size:
        raise FormatError(f"{what} is longer than its declared size of {size} bytes")
    return data


def short(value: str, limit: int = 120) -> str:
    """``value`` on one line, cut to ``limit`` characters for a message."""
    flat = " ".join(value.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
