"""Reading every kind of input the secrets drill scans, safely.

The secrets engine asks this package for *text*: :func:`iter_files` walks a tree,
:func:`expand` turns one file into :class:`Blob` objects (text with its display path and line
numbers) and :class:`Skip` objects (what was not scanned and why), and :func:`iter_history`
does the same for every file version in a git repository's history.

Formats are detected by content, never by name:

==========================  ===========================================================
zip family                  zip, jar, war, whl, egg, apk, aab, ipa, xpi…: members expanded
tar                         plain, or inside gzip / bzip2 / xz (``.tgz``, ``.tar.xz``…)
gzip, bzip2, xz             one compressed file: its content expanded
text                        UTF-8, UTF-16/32 (with or without a mark), Latin-1; Jupyter
                            notebooks as their JSON text, so lines point into the file
Android DEX                 the ``string_ids`` table, one string per line
Android binary XML          elements and attribute values, then the rest of the pool
``resources.arsc``          the global string pool
property lists              binary and XML, flattened to ``key.path = value`` lines
anything else               printable ASCII and UTF-16LE runs of 8+ characters
==========================  ===========================================================

Hostile input (zip bombs, lying sizes, quines, path-traversal names, truncated or malformed
archives, huge or sparse files, random bytes) is bounded by :class:`Limits` in time and
memory; nothing is extracted to disk and nothing raises: every problem is a :class:`Skip`,
``hostile`` when the input looks built to hurt or evade a scanner.
"""

from drillhall.ml.secrets.containers.expand import expand
from drillhall.ml.secrets.containers.history import iter_history
from drillhall.ml.secrets.containers.model import Blob, Limits, Skip
from drillhall.ml.secrets.containers.walk import VCS_DIRS, iter_files

__all__ = ["VCS_DIRS", "Blob", "Limits", "Skip", "expand", "iter_files", "iter_history"]
