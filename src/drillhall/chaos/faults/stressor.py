"""The stress process that ``cpu-stress`` and ``memory-stress`` start (standard library only,
run as a script so that it starts fast and never imports drillhall).

It runs as the leader of its own process group and session, forks ``--workers`` workers
into the group, writes its process-group id to ``--pgid-file`` and watches the workers.
Everything ends by itself when ``--duration`` passes or when the process that started it
(``--parent``) dies; each worker also asks the kernel (``prctl(PR_SET_PDEATHSIG)``) to kill
it if the leader dies. The revert kills the whole group. ``--token`` only marks the command
line so that a revert can tell these processes from any other.

    python stressor.py --mode cpu --workers 2 --duration 30 --parent 1234 \\
        --pgid-file /tmp/x.pgid --token drillhall-stress-ab12
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import sys
import time

PR_SET_PDEATHSIG = 1
PAGE = 4096


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent exits (no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _burn(deadline: float, leader: int) -> None:
    while time.monotonic() < deadline:
        for _ in range(20_000):
            pass
        if os.getppid() != leader:
            return


def _hold(megabytes: float, deadline: float, leader: int) -> None:
    size = int(megabytes * 1024 * 1024)
    block = bytearray(size)
    for i in range(0, size, PAGE):  # touch every page so the memory is really committed
        block[i] = 1
    while time.monotonic() < deadline and os.getppid() == leader:
        time.sleep(0.1)
    del block


def _worker(mode: str, megabytes: float, deadline: float, leader: int) -> None:
    _die_with_parent()
    if os.getppid() != leader:  # the leader died before prctl took effect
        return
    if mode == "cpu":
        _burn(deadline, leader)
    else:
        _hold(megabytes, deadline, leader)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mode", choices=("cpu", "memory"), required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--megabytes", type=float, default=0.0, help="per worker")
    parser.add_argument("--parent", type=int, required=True)
    parser.add_argument("--pgid-file", required=True)
    parser.add_argument("--token", required=True)
    args = parser.parse_args(argv)

    deadline = time.monotonic() + args.duration
    leader = os.getpid()
    children: list[int] = []

    def stop(*_: object) -> None:
        for pid in children:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

    def terminate(*_: object) -> None:
        stop()
        os._exit(0)

    signal.signal(signal.SIGTERM, terminate)
    for _ in range(max(1, args.workers)):
        pid = os.fork()
        if pid == 0:
            try:
                _worker(args.mode, args.megabytes, deadline, leader)
            finally:
                os._exit(0)
        children.append(pid)

    # written once every worker exists: the fault's inject() waits for this file
    tmp = args.pgid_file + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:  # noqa: PTH123 (standard library only)
        fh.write(f"{os.getpgid(0)}\n")
    os.replace(tmp, args.pgid_file)  # noqa: PTH105

    while time.monotonic() < deadline and os.getppid() == args.parent:
        time.sleep(0.1)
        with contextlib.suppress(ChildProcessError):
            while True:
                pid, _ = os.waitpid(-1, os.WNOHANG)
                if pid == 0:
                    break
                children.remove(pid)
        if not children:
            break
    stop()
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, 0):
            pass
    with contextlib.suppress(OSError):
        os.unlink(args.pgid_file)  # noqa: PTH108 (standard library only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
