"""A tiny TCP service for the process-fault tests, run as a script.

    python service.py PORT PID_FILE MARKER

It listens on 127.0.0.1:PORT (SO_REUSEADDR, so a restart can bind again at once), writes its
pid to PID_FILE and answers ``ok`` to every connection. MARKER only makes its command line
unique so that a test can select exactly its own processes.
"""

from __future__ import annotations

import os
import socket
import sys


def main() -> None:
    port, pid_file = int(sys.argv[1]), sys.argv[2]
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(16)
    with open(pid_file, "w", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()}\n")
    while True:
        conn, _ = server.accept()
        with conn:
            conn.sendall(b"ok\n")


if __name__ == "__main__":
    main()
