from __future__ import annotations

from pathlib import Path

import pytest

from drillhall.cli.cmd_init import TEMPLATES, template_text
from drillhall.core.config import find_config, load_config, load_or_default
from drillhall.core.model import Severity
from drillhall.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "drillhall.toml"
    p.write_text(text)
    return p


@pytest.mark.parametrize("name", TEMPLATES)
def test_templates_are_valid(tmp_path: Path, name: str) -> None:
    cfg = load_config(write(tmp_path, template_text(name)))
    assert cfg.root == tmp_path.resolve()
    assert "secrets" in cfg.drills


def test_metric_shorthand_and_severities(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, """
[policy]
fail_on = "Medium"
[policy.max_severity]
secrets = "low"
[policy.metrics]
"secrets.findings" = 0
"llm.accuracy" = { min = 0.9 }
"""))
    assert cfg.policy.fail_on is Severity.MEDIUM
    assert cfg.policy.max_severity["secrets"] is Severity.LOW
    assert cfg.policy.metrics["secrets.findings"].max == 0
    assert cfg.policy.metrics["llm.accuracy"].min == 0.9


def test_fail_on_none(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, '[policy]\nfail_on = "none"\n')).policy.fail_on is None


@pytest.mark.parametrize(("text", "expected"), [
    ('[service]\nname = "x"\nbogus = 1\n', r"drillhall.toml:3: unknown key 'service.bogus'"),
    ('[policy]\nfail_on = "hihg"\n', r"drillhall.toml:2: key 'policy.fail_on': 'hihg' is not a"),
    ('[run]\ntimeout = -1\n', r"drillhall.toml:2: key 'run.timeout'"),
    ("[policy\n", r"invalid TOML"),
    ('[policy.max_severity]\nsecrets = 3\n', r"key 'policy.max_severity.secrets'"),
])
def test_errors_name_file_key_and_line(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected) as info:
        load_config(write(tmp_path, text))
    assert "\n" not in info.value.diagnostics()


def test_discovery_walks_up(tmp_path: Path) -> None:
    write(tmp_path, '[service]\nname = "up"\n')
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_config(nested) == tmp_path / "drillhall.toml"
    assert load_or_default(None, nested).service.name == "up"


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_or_default(tmp_path / "nope.toml", tmp_path)


def test_drill_option_errors_name_the_file_used(tmp_path: Path) -> None:
    from drillhall.core.drill import Registry
    from drillhall.core.execute import plan_configured

    cfg = tmp_path / "other.toml"
    cfg.write_text('[drills.secrets]\npaths = ["."]\nbogus = 1\n')
    with pytest.raises(ConfigError, match=r"other\.toml: \[drills\.secrets\] unknown key 'bogus'"):
        plan_configured(load_config(cfg), Registry.default())


def test_only_takes_drills_and_families(tmp_path: Path) -> None:
    from drillhall.core.drill import Registry
    from drillhall.core.execute import plan_configured

    cfg = tmp_path / "drillhall.toml"
    cfg.write_text('[drills.secrets]\npaths = ["."]\n[drills.model]\npaths = ["."]\n'
                   '[drills.patch]\npaths = ["."]\n')
    config = load_config(cfg)
    names = [d.name for d in plan_configured(config, Registry.default(), ["ml"]).drills]
    assert names == ["secrets", "model"]
    names = [d.name for d in plan_configured(config, Registry.default(), ["patch"]).drills]
    assert names == ["patch"]  # the drill of that name, not the whole family
    with pytest.raises(ConfigError, match="names the llm family, but none of its drills"):
        plan_configured(config, Registry.default(), ["llm"])
    with pytest.raises(ConfigError, match="unknown drill 'bogus'"):
        plan_configured(config, Registry.default(), ["bogus"])
