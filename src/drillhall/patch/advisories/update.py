"""``drillhall patch db update``: download the OSV PyPI snapshot (``all.zip``) atomically."""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import httpx

from drillhall.patch.advisories.base import AdvisoryServiceError

SNAPSHOT_URL = "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"
SNAPSHOT_NAME = "all.zip"
MAX_DOWNLOAD_BYTES = 2 * 1024 * 1024 * 1024


def db_update(
    target_dir: Path | str,
    *,
    transport: httpx.BaseTransport | None = None,
    url: str = SNAPSHOT_URL,
    timeout: float = 120.0,
) -> Path:
    """Download the PyPI ``all.zip`` into ``target_dir`` and return its path.

    The file is written beside the target and renamed into place only once it is complete and
    opens as a zip archive, so a failed or interrupted download leaves any previous snapshot
    untouched. Raises :class:`AdvisoryServiceError` on a network error or a bad download.
    """
    target = Path(target_dir)
    target.mkdir(parents=True, exist_ok=True)
    final = target / SNAPSHOT_NAME
    fd, tmp_name = tempfile.mkstemp(dir=target, prefix=".all.zip.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle, \
                httpx.Client(transport=transport, timeout=timeout, follow_redirects=True) as client:
            try:
                with client.stream("GET", url) as response:
                    if response.status_code != 200:
                        raise AdvisoryServiceError(
                            f"downloading {url} failed with HTTP {response.status_code}"
                        )
                    size = 0
                    for chunk in response.iter_bytes():
                        size += len(chunk)
                        if size > MAX_DOWNLOAD_BYTES:
                            raise AdvisoryServiceError(
                                f"{url} is larger than {MAX_DOWNLOAD_BYTES} bytes"
                            )
                        handle.write(chunk)
            except httpx.HTTPError as exc:
                raise AdvisoryServiceError(f"downloading {url} failed: {exc}") from None
        if not zipfile.is_zipfile(tmp):
            raise AdvisoryServiceError(f"the download from {url} is not a zip archive")
        tmp.replace(final)
    finally:
        tmp.unlink(missing_ok=True)
    return final
