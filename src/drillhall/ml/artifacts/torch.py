"""PyTorch files: which members of a ``torch.save`` zip or TorchScript archive to scan.

A ``torch.save`` zip holds ``ARCHIVE/data.pkl`` (the pickle), ``ARCHIVE/data/N`` (raw tensor
bytes), ``ARCHIVE/version``, ``ARCHIVE/byteorder`` and ``ARCHIVE/.data/serialization_id``; a
TorchScript archive adds ``code/`` (TorchScript source), ``constants.pkl`` and
``*.debug_pkl``. Every pickle member is scanned as a pickle whatever its first bytes, raw
storages are skipped, and the other members are scanned by content. The legacy (pre-1.6)
format — five pickles then raw storages in one stream — is handled by
:mod:`drillhall.ml.artifacts.pickle_scan`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_STORAGE = re.compile(r"(^|/)data/\d+\Z")
_PICKLE_MEMBER = re.compile(r"\.(pkl|debug_pkl|pickle)\Z")


def torch_zip(names: Sequence[str]) -> bool:
    """Whether zip member names are a PyTorch (``torch.save``) or TorchScript archive."""
    has_pkl = any(n == "data.pkl" or n.endswith("/data.pkl") for n in names)
    marker = any(n.endswith(("/version", "/.data/version", "/byteorder"))
                 or n in ("version", ".data/version", ".data/serialization_id")
                 or n.endswith("/constants.pkl") or "/code/" in n for n in names)
    return has_pkl and marker


def torch_storage(name: str) -> bool:
    """Whether a PyTorch archive member holds raw tensor bytes (``archive/data/0``)."""
    return _STORAGE.search(name) is not None


def torch_pickle(name: str) -> bool:
    """Whether a PyTorch archive member is a pickle (``data.pkl``, ``constants.pkl``…)."""
    return _PICKLE_MEMBER.search(name) is not None
