from __future__ import annotations

from pathlib import Path

import pytest

from drillhall.core.drill import BUILTIN_DRILLS, DrillFactory, Registry
from drillhall.errors import ConfigError


def test_builtins_registered_in_order() -> None:
    reg = Registry.default(plugins=False)
    orders = [reg.get(n).order for n in reg.names()]
    assert orders == sorted(orders)
    assert set(reg.names()) == {f.name for f in BUILTIN_DRILLS}


def test_unknown_drill_lists_known() -> None:
    with pytest.raises(ConfigError, match=r"unknown drill 'nope' \(known drills: .*secrets"):
        Registry.default(plugins=False).get("nope")


def test_factory_builds_lazily(tmp_path: Path) -> None:
    factory = DrillFactory("x", "test", "a test drill", "tests.core.plugin_drill:build")
    drill = factory.build({"answer": 42}, tmp_path)
    assert drill.name == "x"


def test_every_builtin_documents_its_rules() -> None:
    from drillhall.core.rules import load_rules

    for f in BUILTIN_DRILLS:
        assert f.rules is not None
        assert load_rules(f.rules), f.name
