"""The package index client (PEP 691 JSON simple API, JSON API fallback, ETag cache).

See :mod:`drillhall.patch.index.client` for the decisions it makes."""

from drillhall.patch.index.client import PYPI_SIMPLE, IndexClient, Lookup, PackageIndexError
from drillhall.patch.index.parse import file_version, parse_json_api, parse_simple

__all__ = ["PYPI_SIMPLE", "IndexClient", "Lookup", "PackageIndexError", "file_version",
           "parse_json_api", "parse_simple"]
