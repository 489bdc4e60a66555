"""TensorFlow ops that reach outside the graph: files, Python, the network.

A SavedModel runs its graph inside the serving process, so an op that reads or writes files
or calls back into Python acts with that process's rights. There is no op that runs a shell
command; the closest are the Python-callback ops, which call whatever function the loading
process registered under the token in the graph.
"""

from __future__ import annotations

import re

from drillhall.core.model import Severity

_HIGH = Severity.HIGH
_MEDIUM = Severity.MEDIUM

DANGEROUS_OPS: dict[str, tuple[Severity, str]] = {
    "ReadFile": (_HIGH, "reads any file the serving process can read"),
    "WriteFile": (_HIGH, "writes any file the serving process can write"),
    "ImmutableConst": (_HIGH, "memory-maps a file named in its attributes"),
    "WholeFileReader": (_HIGH, "reads whole files named at run time"),
    "WholeFileReaderV2": (_HIGH, "reads whole files named at run time"),
    "PyFunc": (_HIGH, "calls a Python function of the loading process"),
    "PyFuncStateless": (_HIGH, "calls a Python function of the loading process"),
    "EagerPyFunc": (_HIGH, "calls a Python function of the loading process"),
    "SaveDataset": (_HIGH, "writes a dataset to a path chosen by the graph"),
    "SaveDatasetV2": (_HIGH, "writes a dataset to a path chosen by the graph"),
    "DatasetToTFRecord": (_HIGH, "writes records to a path chosen by the graph"),
    "ExperimentalDatasetToTFRecord": (_HIGH, "writes records to a path chosen by the graph"),
    "Rpc": (_HIGH, "makes network calls"),
    "TryRpc": (_HIGH, "makes network calls"),
    "RpcClient": (_HIGH, "makes network calls"),
    "RpcCall": (_HIGH, "makes network calls"),
    "RpcServer": (_HIGH, "opens a network server"),
    "RpcServerStart": (_HIGH, "opens a network server"),
    "MatchingFiles": (_MEDIUM, "lists the file system (reconnaissance)"),
    "TextLineDataset": (_MEDIUM, "reads files at a path chosen by the graph"),
    "TFRecordDataset": (_MEDIUM, "reads files at a path chosen by the graph"),
    "TFRecordDatasetV2": (_MEDIUM, "reads files at a path chosen by the graph"),
    "FixedLengthRecordDataset": (_MEDIUM, "reads files at a path chosen by the graph"),
    "FixedLengthRecordDatasetV2": (_MEDIUM, "reads files at a path chosen by the graph"),
    "TextLineReader": (_MEDIUM, "reads files named at run time"),
    "TextLineReaderV2": (_MEDIUM, "reads files named at run time"),
    "TFRecordReader": (_MEDIUM, "reads files named at run time"),
    "TFRecordReaderV2": (_MEDIUM, "reads files named at run time"),
    "FixedLengthRecordReader": (_MEDIUM, "reads files named at run time"),
    "FixedLengthRecordReaderV2": (_MEDIUM, "reads files named at run time"),
    "LMDBReader": (_MEDIUM, "reads database files named at run time"),
    "LMDBDataset": (_MEDIUM, "reads database files at a path chosen by the graph"),
    "ExperimentalLMDBDataset": (_MEDIUM, "reads database files at a path chosen by the graph"),
    "SqlDataset": (_MEDIUM, "opens a database at a path chosen by the graph"),
    "ExperimentalSqlDataset": (_MEDIUM, "opens a database at a path chosen by the graph"),
    "CSVDataset": (_MEDIUM, "reads files at a path chosen by the graph"),
    "CSVDatasetV2": (_MEDIUM, "reads files at a path chosen by the graph"),
    "ExperimentalCSVDataset": (_MEDIUM, "reads files at a path chosen by the graph"),
    "SnapshotDataset": (_MEDIUM, "writes dataset snapshots to a path chosen by the graph"),
    "SnapshotDatasetV2": (_MEDIUM, "writes dataset snapshots to a path chosen by the graph"),
    "CreateSummaryFileWriter": (_MEDIUM, "writes event files to a directory chosen by the graph"),
    "CreateSummaryDbWriter": (_MEDIUM, "writes a database chosen by the graph"),
    "DebugIdentity": (_MEDIUM, "copies tensors to debug URLs (files or gRPC)"),
    "DebugIdentityV2": (_MEDIUM, "copies tensors to debug URLs (files or gRPC)"),
    "DebugIdentityV3": (_MEDIUM, "copies tensors to debug URLs (files or gRPC)"),
}
"""Op name → (severity, what it does). Checked on every node of the graph and its functions."""

CHECKPOINT_OPS: frozenset[str] = frozenset({
    "Save", "SaveV2", "SaveSlices", "Restore", "RestoreV2", "RestoreSlice",
    "MergeV2Checkpoints", "ShardedFilename", "ShardedFilespec",
})
"""Ops every SavedModel uses in its saver (TF1 ``save/…`` nodes, TF2 ``…traced_save…``
functions). There they are expected; anywhere else they read, write or delete
(``MergeV2Checkpoints`` with ``delete_old_dirs``) checkpoint files at a path computed by the
graph."""

_SAVER_NODE = re.compile(r"^save(_\d+)?/")
_SAVER_FUNCTION = re.compile(r"traced_(save|restore)|(^|_)(save|restore)_fn(_\d+)?$")


def in_saver(function: str, node: str) -> bool:
    """Whether a node belongs to the standard checkpoint saver of a SavedModel."""
    return bool(_SAVER_FUNCTION.search(function) if function else _SAVER_NODE.match(node))


def judge(op: str, function: str, node: str, print_to_file: bool) -> tuple[Severity, str] | None:
    """Severity and reason for one node, or ``None`` when the op is harmless here."""
    if op in DANGEROUS_OPS:
        return DANGEROUS_OPS[op]
    if op in CHECKPOINT_OPS and not in_saver(function, node):
        return _HIGH, "reads, writes or deletes checkpoint files outside the model's saver"
    if op == "PrintV2" and print_to_file:
        return _HIGH, "prints tensors to a file named in its output_stream attribute"
    return None
