"""Writing files so that a reader never sees half of one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

KEEP = -1
"""``mode=KEEP``: keep the permission bits of the file being replaced."""


def write_text_atomic(path: Path, text: str, *, encoding: str = "utf-8",
                      errors: str = "strict", mode: int | None = None,
                      new_mode: int | None = None, fsync: bool = True) -> None:
    """Replace ``path`` with ``text``: a temporary file in the same folder, flushed to disk,
    then renamed over it. A failure leaves any earlier file intact and no temporary file
    behind; ``OSError`` reaches the caller, who words it.

    The text is written verbatim (no newline translation). ``mode`` sets the permission bits
    (``KEEP``: those of the file replaced, else ``new_mode``); with neither, the file keeps
    the private bits a temporary file is created with.
    """
    bits = mode
    if mode == KEEP:
        bits = path.stat().st_mode & 0o7777 if path.exists() else new_mode
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                dir=path.parent if str(path.parent) else None)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding=encoding, errors=errors, newline="") as handle:
            handle.write(text)
            handle.flush()
            if fsync:
                os.fsync(handle.fileno())
        if bits is not None:
            with contextlib.suppress(OSError):
                tmp.chmod(bits)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
