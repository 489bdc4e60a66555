"""Every file version in a git repository's history, for secrets that were committed and
later removed (they are still in the history, and still leaked).

``git log --all --reverse --topo-order --raw -m --root`` lists, oldest first, each blob that
each commit added or changed, with its path; every blob not seen before is read with
``git cat-file --batch`` (sizes first, with ``--batch-check``, so an oversized blob is never
read) and expanded like a file, so archives in history are opened too. Output is streamed:
memory holds the set of blob ids seen and one blob at a time. Git runs without a shell, with
no pager and no prompts; nothing in the repository's configuration is executed by these
plumbing commands.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from drillhall.ml.secrets.containers.budget import Budget
from drillhall.ml.secrets.containers.expand import expand_bytes
from drillhall.ml.secrets.containers.model import Blob, Limits, MiB, Skip

Item = Blob | Skip

_FILE_MODES = (b"100644", b"100755", b"100664")
_NULL_SHA = b"0" * 40
_READ = 1 << 16


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(GIT_TERMINAL_PROMPT="0", GIT_PAGER="cat", PAGER="cat", GIT_OPTIONAL_LOCKS="0",
               LC_ALL="C")
    return env


def _git(git: str, repo: Path, *args: str) -> list[str]:
    return [git, "-C", str(repo), "-c", "core.quotepath=false", "--no-pager", *args]


def iter_history(repo: Path, limits: Limits = Limits()) -> Iterator[Item]:  # noqa: B008
    """Every unique file version reachable from any ref of the git repository at ``repo``,
    expanded like a file; each :class:`Blob` carries the path the version had (relative to
    the repository's top level) and the first commit found that holds it (oldest first).
    If ``git`` is missing or ``repo`` is not a repository, one :class:`Skip` says so."""
    git = shutil.which("git")
    if git is None:
        yield Skip(str(repo), "git history not scanned: the git program is not installed")
        return
    check = subprocess.run(_git(git, repo, "rev-parse", "--git-dir"), capture_output=True,
                           env=_git_env(), check=False)
    if check.returncode != 0:
        why = check.stderr.decode("utf-8", "replace").strip().splitlines()
        reason = why[-1] if why else f"git exited with status {check.returncode}"
        yield Skip(str(repo), f"git history not scanned: {reason.removeprefix('fatal: ')}")
        return
    yield from _History(git, repo, limits).items()


class _History:
    """The three git processes of one history scan, and their clean-up."""

    def __init__(self, git: str, repo: Path, limits: Limits) -> None:
        self.git, self.repo, self.limits = git, repo, limits
        self.procs: list[subprocess.Popen[bytes]] = []

    def _start(self, *args: str, stdin: bool = False, stderr: IO[bytes] | None = None,
               ) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(_git(self.git, self.repo, *args), env=_git_env(),
                                stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=stderr if stderr is not None else subprocess.DEVNULL)
        self.procs.append(proc)
        return proc

    def items(self) -> Iterator[Item]:
        with tempfile.TemporaryFile() as errors:
            try:
                log = self._start("log", "--all", "--reverse", "--topo-order", "--raw", "-m",
                                  "--root", "--no-renames", "--no-abbrev", "-z",
                                  "--format=%x01%H", stderr=errors)
                check = self._start("cat-file", "--batch-check", stdin=True)
                cat = self._start("cat-file", "--batch", stdin=True)
                seen: set[bytes] = set()
                assert log.stdout is not None
                for commit, sha, path in _changes(log.stdout):
                    if sha in seen:
                        continue
                    seen.add(sha)
                    yield from self._blob(check, cat, commit, sha, path)
                if log.wait() != 0:
                    errors.seek(0)
                    lines = errors.read().decode("utf-8", "replace").strip().splitlines()
                    reason = lines[-1] if lines else f"status {log.returncode}"
                    yield Skip(str(self.repo), f"git log failed, history only partly "
                                               f"scanned: {reason}")
            finally:
                self._close()

    def _blob(self, check: subprocess.Popen[bytes], cat: subprocess.Popen[bytes],
              commit: str, sha: bytes, path: str) -> Iterator[Item]:
        header = _ask(check, sha)
        parts = header.split()
        if len(parts) != 3 or parts[1] != b"blob":
            yield Skip(path, f"blob {sha.decode()} of commit {commit[:12]} is missing from "
                             "the repository")
            return
        size = int(parts[2])
        if size > self.limits.max_scan_bytes:
            yield Skip(path, f"version in commit {commit[:12]} is {size / MiB:.1f} MiB, over "
                             f"the {self.limits.max_scan_bytes / MiB:.0f} MiB scan limit; "
                             "not scanned")
            return
        answer = _ask(cat, sha).split()
        assert cat.stdout is not None
        size = int(answer[2]) if len(answer) == 3 and answer[2].isdigit() else 0
        data = _read_exact(cat.stdout, size)
        cat.stdout.read(1)  # the newline after the content
        for item in expand_bytes(data, path, Budget(self.limits), 0):
            if isinstance(item, Blob):
                yield dataclasses.replace(item, commit=commit)
            else:
                yield dataclasses.replace(item, reason=f"{item.reason.rstrip('.')} "
                                                       f"(in commit {commit[:12]})")

    def _close(self) -> None:
        for proc in self.procs:
            for pipe in (proc.stdin, proc.stdout):
                if pipe is not None:
                    pipe.close()
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _ask(proc: subprocess.Popen[bytes], sha: bytes) -> bytes:
    """Send one object id to a ``cat-file --batch*`` process and read its header line."""
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(sha + b"\n")
    proc.stdin.flush()
    return proc.stdout.readline().rstrip(b"\n")


def _read_exact(stream: IO[bytes], size: int) -> bytes:
    chunks: list[bytes] = []
    left = size
    while left:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _changes(stream: IO[bytes]) -> Iterator[tuple[str, bytes, str]]:
    """``(commit, blob id, path)`` for each file a commit added or changed, from the
    NUL-separated output of ``git log --raw -z --format=%x01%H``."""
    commit = ""
    pending: bytes | None = None  # the new blob id of a raw line, waiting for its path
    rest = b""
    while True:
        chunk = stream.read(_READ)
        if not chunk:
            break
        fields = (rest + chunk).split(b"\0")
        rest = fields.pop()
        for field in fields:
            token = field.lstrip(b"\n")
            if pending is not None:
                sha, pending = pending, None
                if sha:
                    yield commit, sha, token.decode("utf-8", "replace")
            elif token.startswith(b"\x01"):
                commit = token[1:].decode("ascii", "replace")
            elif token.startswith(b":"):
                meta = token[1:].split(b" ")
                ok = len(meta) >= 5 and meta[1] in _FILE_MODES and meta[3] != _NULL_SHA
                pending = meta[3] if ok else b""
