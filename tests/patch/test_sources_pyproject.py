"""pyproject.toml: PEP 621, optional dependencies, PEP 735 groups and Poetry tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillhall.errors import InputError
from drillhall.patch.sources.pyproject import parse_pyproject

PYPROJECT = '''\
[project]
name = "demo"
version = "0.1.0"
dependencies = [
    "httpx>=0.27",
    "pydantic[email]==2.7.1",
    'tomli>=2; python_version < "3.11"',
    "lib @ https://example.org/lib-1.0.tar.gz",
]

[project.optional-dependencies]
fast = ["orjson==3.10.3"]
all = ["httpx>=0.27"]

[dependency-groups]
test = ["pytest>=8", "coverage[toml]"]
dev = [{include-group = "test"}, "ruff==0.4.4"]

[tool.poetry.dependencies]
python = "^3.11"
requests = "^2.31"
numpy = { version = "~1.26", extras = ["blas"], markers = "platform_machine == 'x86_64'" }
attrs = "23.2.0"
anything = "*"
mylib = { git = "https://example.org/mylib.git" }

[tool.poetry.group.lint.dependencies]
black = "==24.4.2"
'''


def test_every_table_with_groups_and_lines(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(PYPROJECT, encoding="utf-8")
    found = parse_pyproject(path)
    rows = [(d.name, d.version, d.specifier, d.group, d.line) for d in found.dependencies]
    assert rows == [
        ("httpx", None, ">=0.27", "", 5),
        ("pydantic", "2.7.1", "==2.7.1", "", 6),
        ("tomli", None, ">=2", "", 7),
        ("orjson", "3.10.3", "==3.10.3", "fast", 12),
        ("httpx", None, ">=0.27", "all", 13),
        ("pytest", None, ">=8", "test", 16),
        ("coverage", None, "", "test", 16),
        ("ruff", "0.4.4", "==0.4.4", "dev", 17),
        ("requests", None, "^2.31", "", 21),
        ("numpy", None, "~1.26", "", 22),
        ("attrs", "23.2.0", "23.2.0", "", 23),
        ("anything", None, "", "", 24),
        ("black", "24.4.2", "==24.4.2", "lint", 28),
    ]
    deps = {(d.name, d.group): d for d in found.dependencies}
    assert deps["pydantic", ""].extras == ("email",)
    assert deps["tomli", ""].marker == 'python_version < "3.11"'
    assert deps["coverage", "test"].extras == ("toml",)
    assert deps["numpy", ""].extras == ("blas",)
    assert deps["numpy", ""].marker == "platform_machine == 'x86_64'"
    assert any("URL requirement lib skipped" in note for note in found.notes)
    assert any("line 25" in note and "mylib" in note for note in found.notes)


@pytest.mark.parametrize(("groups", "message"), [
    ('a = [{include-group = "missing"}]', "includes unknown group 'missing'"),
    ('a = [{include-group = "b"}]\nb = [{include-group = "a"}]', "cycle (a -> b -> a)"),
])
def test_bad_include_group(tmp_path: Path, groups: str, message: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[dependency-groups]\n{groups}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        parse_pyproject(path)
    assert message in str(err.value)


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\ndependencies = ["a",\n\nbroken\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        parse_pyproject(path)
    assert str(err.value).startswith(f"{path} line 5 is not valid TOML (")


def test_invalid_pep508_string_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\ndependencies = [\n  "ok",\n  "bad ==",\n]\n',
                    encoding="utf-8")
    with pytest.raises(InputError, match=r"pyproject.toml line 5: invalid requirement 'bad =='"):
        parse_pyproject(path)
