"""The data-drill tests need the ``drillhall[ml]`` extra; without it they are not collected."""

from __future__ import annotations

import importlib.util

_NEEDED = ("pandas", "sklearn", "scipy", "pyarrow")
_MINE = ["test_load.py", "test_labels.py", "test_poison.py", "test_data_drill.py"]

collect_ignore = [] if all(importlib.util.find_spec(m) for m in _NEEDED) else _MINE
