"""A local stand-in for OSV's query API (``POST /v1/query``) on 127.0.0.1, for pip-audit.

pip-audit has no local advisory source: it asks PyPI's JSON API or OSV's API over the network,
and neither can be reached from this machine. Its ``--osv-url`` option points its OSV service
here instead, and this server answers from the same snapshot drillhall reads.

Matching is deliberately *not* drillhall's: a record affects a version only when that version is
in the record's explicit ``affected[].versions`` list (the enumeration OSV publishes with every
PyPI record), compared after PEP 440 normalisation with ``packaging``. That makes the agreement
check a comparison of drillhall's range evaluation with an independent reference; records with
no ``versions`` list match nothing here, and are counted.
"""

from __future__ import annotations

import json
import re
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_version
from packaging.version import InvalidVersion, Version


def _norm_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _norm_version(text: str) -> str:
    try:
        return str(canonicalize_version(Version(text)))  # 3.2.0 and 3.2 are one version
    except InvalidVersion:
        return text


class Snapshot:
    """(package, normalised version) -> records, from an all.zip of OSV JSON records."""

    def __init__(self, all_zip: Path) -> None:
        self.by_key: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.records = 0
        self.without_versions = 0
        with zipfile.ZipFile(all_zip) as zf:
            for member in zf.namelist():
                record = json.loads(zf.read(member))
                self.records += 1
                if record.get("withdrawn"):
                    continue
                listed = False
                for aff in record.get("affected", []):
                    pkg = aff.get("package", {})
                    if pkg.get("ecosystem") != "PyPI":
                        continue
                    for v in aff.get("versions", []) or []:
                        listed = True
                        key = (_norm_name(pkg["name"]), _norm_version(str(v)))
                        bucket = self.by_key.setdefault(key, [])
                        if record not in bucket:
                            bucket.append(record)
                self.without_versions += not listed

    def query(self, name: str, version: str) -> list[dict[str, Any]]:
        return self.by_key.get((_norm_name(name), _norm_version(version)), [])


def serve(snapshot: Snapshot) -> tuple[ThreadingHTTPServer, str]:
    """Start the server on a free port of 127.0.0.1; returns it and its query URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            pkg = body.get("package", {})
            vulns = snapshot.query(str(pkg.get("name", "")), str(body.get("version", "")))
            data = json.dumps({"vulns": vulns} if vulns else {}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/v1/query"
