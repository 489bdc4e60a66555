"""Loading a data set (CSV, Parquet, JSON Lines, or a directory of them) into a :class:`Table`.

Memory bound: at most ``max_rows`` rows are kept (default :data:`DEFAULT_MAX_ROWS`, one
million). Files are read in chunks of :data:`CHUNK_ROWS` rows; once the running total passes
``max_rows`` the loader keeps reading but keeps a deterministic, uniform sample of
``max_rows`` rows (a seeded reservoir by chunk), and says so in :attr:`Table.notes`. Peak
memory is therefore about ``max_rows + CHUNK_ROWS`` rows of the widest file.

Malformed input raises :class:`~drillhall.errors.InputError` (or
:class:`~drillhall.errors.ConfigError` for a label or text column that does not exist) with
one sentence naming the file and, where known, the line.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from drillhall.errors import ConfigError, InputError
from drillhall.ml.data.base import Table
from drillhall.ml.data.deps import need

DEFAULT_MAX_ROWS = 1_000_000
CHUNK_ROWS = 100_000
SUFFIXES: dict[str, str] = {".csv": "csv", ".tsv": "csv", ".parquet": "parquet",
                            ".pq": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl"}
_SNIFF_BYTES = 64 * 1024
_TOKENIZE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")

Progress = Callable[[str, float | None], None]


def _no_progress(message: str, fraction: float | None) -> None:
    return None


def data_files(path: Path) -> list[Path]:
    """The data files at ``path``: the file itself, or every data file under a directory
    (recursively, sorted by path)."""
    if not path.exists():
        raise InputError(f"{path}: no such file or directory")
    if path.is_file():
        return [path]
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES
                   and not any(part.startswith(".") for part in p.relative_to(path).parts))
    if not files:
        kinds = ", ".join(sorted(SUFFIXES))
        raise InputError(f"{path}: the directory holds no data files ({kinds})")
    return files


def _kind(path: Path) -> str:
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        with path.open("rb") as fh:
            head = fh.read(4)
        if head == b"PAR1":
            return "parquet"
        return "csv"
    return kind


def _sniff_delimiter(path: Path, encoding: str) -> str:
    with path.open("r", encoding=encoding, errors="replace", newline="") as fh:
        sample = fh.read(_SNIFF_BYTES)
    if path.suffix.lower() == ".tsv":
        return "\t"
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _encoding(path: Path, notes: list[str]) -> str:
    """UTF-8 (with or without a byte-order mark) if the whole file decodes, else Latin-1."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        try:
            while block := fh.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            notes.append(f"{path.name}: not valid UTF-8, read as Latin-1")
            return "latin-1"
    return "utf-8-sig"


def _csv_chunks(path: Path, notes: list[str]) -> Iterator[Any]:
    pd = need("pandas")
    encoding = _encoding(path, notes)
    delimiter = _sniff_delimiter(path, encoding)
    if delimiter != ",":
        notes.append(f"{path.name}: delimiter {delimiter!r} detected")
    try:
        reader = pd.read_csv(path, sep=delimiter, encoding=encoding, chunksize=CHUNK_ROWS,
                             on_bad_lines="error", engine="c")
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file is empty") from None
    yield from _guard_csv(path, reader)


def _guard_csv(path: Path, reader: Any) -> Iterator[Any]:
    pd = need("pandas")
    try:
        with reader:
            yield from reader
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file is empty") from None
    except pd.errors.ParserError as exc:
        match = _TOKENIZE.search(str(exc))
        if match:
            expected, line, saw = match.groups()
            raise InputError(f"{path}: line {line} has {saw} fields where the header has "
                             f"{expected} (ragged rows)") from None
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "parse error"
        raise InputError(f"{path}: not a readable CSV file ({first})") from None


def _parquet_chunks(path: Path) -> Iterator[Any]:
    pq = need("pyarrow.parquet")
    try:
        handle = pq.ParquetFile(path)
        for batch in handle.iter_batches(batch_size=CHUNK_ROWS):
            yield batch.to_pandas()
    except OSError as exc:
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from None
    except Exception as exc:  # pyarrow raises its own ArrowInvalid family
        if type(exc).__module__.startswith("pyarrow"):
            raise InputError(f"{path}: not a readable Parquet file ({exc})") from None
        raise


def _jsonl_chunks(path: Path, notes: list[str]) -> Iterator[Any]:
    pd = need("pandas")
    encoding = _encoding(path, notes)
    records: list[dict[str, Any]] = []
    try:
        with path.open("r", encoding=encoding) as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path}: line {number} is not valid JSON "
                                     f"({exc.msg})") from None
                if not isinstance(value, dict):
                    raise InputError(f"{path}: line {number} is not a JSON object")
                records.append(value)
                if len(records) >= CHUNK_ROWS:
                    yield pd.DataFrame.from_records(records)
                    records = []
    except UnicodeDecodeError:
        raise InputError(f"{path}: not valid UTF-8 text") from None
    if records:
        yield pd.DataFrame.from_records(records)


def _chunks(path: Path, notes: list[str]) -> Iterator[Any]:
    kind = _kind(path)
    if kind == "parquet":
        return _parquet_chunks(path)
    if kind == "jsonl":
        return _jsonl_chunks(path, notes)
    return _csv_chunks(path, notes)


class _Reservoir:
    """Keeps every row until ``cap``, then a seeded uniform sample of ``cap`` rows."""

    def __init__(self, cap: int, seed: int) -> None:
        self.cap = cap
        self.seen = 0
        self.parts: list[Any] = []
        self.sources: list[tuple[Path, int]] = []
        self.rng = need("numpy").random.default_rng(seed)

    def add(self, frame: Any, path: Path, first_row: int) -> None:
        pd = need("pandas")
        frame = frame.reset_index(drop=True)
        self.parts.append(frame)
        self.sources.extend((path, first_row + i) for i in range(len(frame)))
        self.seen += len(frame)
        if len(self.sources) > self.cap:
            merged = pd.concat(self.parts, ignore_index=True)
            keep = self.rng.permutation(len(merged))[: self.cap]
            keep.sort()
            self.parts = [merged.iloc[keep].reset_index(drop=True)]
            self.sources = [self.sources[i] for i in keep]

    def frame(self) -> Any:
        pd = need("pandas")
        if not self.parts:
            return pd.DataFrame()
        return pd.concat(self.parts, ignore_index=True)


def load_table(path: Path, *, label: str | None, text_columns: Sequence[str] = (),
               max_rows: int | None = None, progress: Progress | None = None,
               seed: int = 0) -> Table:
    """Load the data set at ``path`` (a file, or a directory of data files concatenated).

    ``label`` names the label column (it must exist, and the data must have at least two rows
    and two classes); ``text_columns`` names free-text columns, detected when empty;
    ``max_rows`` caps the rows kept (see the module docstring for the memory bound).
    """
    report = progress or _no_progress
    files = data_files(path)
    cap = max_rows or DEFAULT_MAX_ROWS
    notes: list[str] = []
    reservoir = _Reservoir(cap, seed)
    columns: list[str] | None = None
    for index, file in enumerate(files):
        report(f"reading {file.name}", index / len(files))
        row = 0
        for chunk in _chunks(file, notes):
            chunk.columns = [str(c) for c in chunk.columns]
            if columns is None:
                columns = list(chunk.columns)
            reservoir.add(chunk, file, row)
            row += len(chunk)
            report(f"reading {file.name}: {row} rows", index / len(files))
    report("read", 1.0)
    frame = reservoir.frame()
    if reservoir.seen > cap:
        notes.append(f"{reservoir.seen} rows read; a deterministic sample of {cap} kept "
                     f"(seed {seed}, raise max_rows to keep more)")
    if len(files) > 1:
        notes.append(f"{len(files)} files concatenated")
    where = path if len(files) > 1 else files[0]
    if frame.shape[1] == 0 or len(frame) == 0:
        raise InputError(f"{where}: the data set has no rows")
    _check_label(frame, label, where)
    texts = _text_columns(frame, label, text_columns, where, notes)
    return Table(frame=frame, sources=tuple(reservoir.sources), label=label,
                 text_columns=texts, notes=tuple(notes))


def _check_label(frame: Any, label: str | None, where: Path) -> None:
    if label is None:
        return
    if label not in frame.columns:
        listed = ", ".join(repr(c) for c in frame.columns)
        raise ConfigError(f"{where}: no label column {label!r} (the columns are {listed})")
    if len(frame) < 2:
        raise InputError(f"{where}: label checks need at least two rows, the data has "
                         f"{len(frame)}")
    classes = frame[label].dropna().astype(str).nunique()
    if classes < 2:
        raise InputError(f"{where}: label checks need at least two classes in column "
                         f"{label!r}, it has {classes}")


def is_texty(series: Any) -> bool:
    """Whether a column looks like free text: strings, mostly distinct, several words long."""
    pd = need("pandas")
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return False
    values = series.dropna()
    if len(values) == 0:
        return False
    values = values.astype(str)
    words = values.str.split().str.len().mean()
    distinct = values.nunique() / len(values)
    return bool(values.str.len().mean() >= 20 and words >= 3 and distinct >= 0.3)


def _text_columns(frame: Any, label: str | None, given: Sequence[str], where: Path,
                  notes: list[str]) -> tuple[str, ...]:
    if given:
        missing = [c for c in given if c not in frame.columns]
        if missing:
            listed = ", ".join(repr(c) for c in frame.columns)
            raise ConfigError(f"{where}: no text column {missing[0]!r} (the columns are "
                              f"{listed})")
        return tuple(given)
    found = tuple(c for c in frame.columns if c != label and is_texty(frame[c]))
    for column in found:
        notes.append(f"column {column!r} treated as free text")
    return found
