"""Write a copy of a data set with its personal values masked or pseudonymised.

``mask`` replaces each value by its kind (``<email>``); ``pseudonymise`` by its kind and an
HMAC-SHA256 of the value keyed by a secret (``<email:3f2a9c1b>``), so the same value always
maps to the same token and joins across files still work, while nobody without the key can
test a guess. Columns classified as personal data are replaced whole; elsewhere only the
personal spans inside a cell are. The input is never modified; the output is written to a
temporary file next to ``out`` and renamed into place.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from drillhall.errors import ConfigError, InputError
from drillhall.ml.data.base import Table
from drillhall.ml.data.deps import need
from drillhall.ml.data.pii_scan import classify_column, column_strings
from drillhall.pii import detect

KEY_ENV = "DRILLHALL_PSEUDONYM_KEY"
TOKEN_HEX = 8
_FORMATS = {".csv": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet",
            ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}


def key_from_env(environ: dict[str, str] | None = None) -> bytes:
    """The pseudonymisation key from ``DRILLHALL_PSEUDONYM_KEY`` (at least 16 characters)."""
    value = (os.environ if environ is None else environ).get(KEY_ENV, "")
    if len(value) < 16:
        raise ConfigError(f"set {KEY_ENV} to a secret of at least 16 characters to pseudonymise")
    return value.encode("utf-8")


def _normalise(kind: str, value: str) -> str:
    """The canonical form of a value, so spacing and case variants map to one token."""
    value = value.strip()
    if kind == "email":
        return value.lower()
    if kind in ("card", "iban", "nino", "nhs", "ssn", "phone"):
        return re.sub(r"[\s().-]", "", value).upper()
    return " ".join(value.split()).lower()


def pseudonym(kind: str, value: str, key: bytes) -> str:
    """The token for ``value``: ``<kind:hmac8>``, the same for the same key, kind and value."""
    digest = hmac.new(key, f"{kind}\0{_normalise(kind, value)}".encode(), hashlib.sha256)
    return f"<{kind}:{digest.hexdigest()[:TOKEN_HEX]}>"


def _format(table: Table, out: Path) -> str:
    fmt = _FORMATS.get(out.suffix.lower())
    if fmt is None and table.sources:
        fmt = _FORMATS.get(table.sources[0][0].suffix.lower())
    if fmt is None:
        raise ConfigError(f"{out}: cannot tell the output format; use .csv, .parquet or .jsonl")
    return fmt


def _check_complete(table: Table, out: Path) -> None:
    """Refuse a sampled table (the copy would silently lose rows) and overwriting an input."""
    rows: dict[Path, list[int]] = {}
    for path, row in table.sources:
        rows.setdefault(path, []).append(row)
    for path, seen in rows.items():
        if seen != list(range(len(seen))):
            raise InputError(f"{path}: only a sample of the rows was loaded, so a redacted copy "
                             "would lose rows; load it whole (raise max_rows)")
        with contextlib.suppress(OSError):
            if out.exists() and out.samefile(path):
                raise ConfigError(f"{out}: the redacted copy must not overwrite its input")


def redact_table(table: Table, out: Path, *, key: bytes,
                 mode: Literal["mask", "pseudonymise"] = "pseudonymise",
                 sample_rows: int = 1000) -> int:
    """Write ``table`` to ``out`` (CSV, Parquet or JSON Lines, from ``out``'s suffix or else
    the input's) with personal values replaced; return how many values were replaced."""
    if mode not in ("mask", "pseudonymise"):
        raise ConfigError(f"redaction mode {mode!r} is not 'mask' or 'pseudonymise'")
    if mode == "pseudonymise" and len(key) < 16:
        raise ConfigError("the pseudonymisation key must be at least 16 bytes")
    fmt = _format(table, out)
    _check_complete(table, out)

    def token(kind: str, value: str) -> str:
        return f"<{kind}>" if mode == "mask" else pseudonym(kind, value, key)

    frame = table.frame.copy()
    replaced = 0
    for column in frame.columns:
        name = str(column)
        values = column_strings(frame[column])
        if not values:
            continue
        cls = classify_column(name, values, sample_rows=sample_rows)
        new, count = _redact_column(name, values, cls.kind if cls else None, token)
        if count:
            series = frame[column].astype(object)
            for row, text in new.items():
                series.iat[row] = text
            frame[column] = series
            replaced += count
    _write(frame, out, fmt)
    return replaced


def _redact_column(name: str, values: list[tuple[int, str]], whole_kind: str | None,
                   token: Callable[[str, str], str]) -> tuple[dict[int, str], int]:
    new: dict[int, str] = {}
    count = 0
    for row, text in values:
        if whole_kind is not None:
            new[row] = token(whole_kind, text)
            count += 1
            continue
        matches = detect(text, context=name)
        if not matches:
            continue
        parts: list[str] = []
        last = 0
        for m in matches:
            parts.extend((text[last:m.start], token(m.kind, m.value)))
            last = m.end
        parts.append(text[last:])
        new[row] = "".join(parts)
        count += len(matches)
    return new, count


def _write(frame: Any, out: Path, fmt: str) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if fmt == "csv":
            frame.to_csv(tmp, index=False, sep="\t" if out.suffix.lower() == ".tsv" else ",")
        elif fmt == "parquet":
            need("pyarrow")
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_json(tmp, orient="records", lines=True, force_ascii=False)
        tmp.replace(out)
    except OSError as err:
        raise InputError(f"{out}: cannot write the redacted copy ({err.strerror or err})") from None
    finally:
        tmp.unlink(missing_ok=True)
