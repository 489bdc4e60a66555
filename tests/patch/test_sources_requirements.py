"""requirements files: includes, cycles, constraints, hashes, continuations, markers, skips."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillhall.errors import InputError
from drillhall.patch.sources import collect
from drillhall.patch.sources.requirements import logical_lines, parse_requirements, safe_url


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_logical_lines_join_continuations_and_strip_comments() -> None:
    text = "# header\nfoo==1.0 \\\n  --hash=sha256:aa \\\n  --hash=sha256:bb\n\nbar  # why\n"
    assert logical_lines(text) == [
        (2, "foo==1.0   --hash=sha256:aa   --hash=sha256:bb"),
        (6, "bar"),
    ]


def test_nested_includes_with_cycle_constraints_and_hashes(tmp_path: Path) -> None:
    top = write(tmp_path / "requirements.txt", (
        "--index-url https://pypi.example.org/simple\n"
        "-r base/common.txt\n"
        "--constraint constraints.txt\n"
        "Requests[socks,security]==2.31.0 \\\n"
        "    --hash=sha256:58cd \\\n"
        "    --hash=sha256:942c\n"
        "urllib3>=1.26,<3  # a range\n"
        "pywin32==306 ; sys_platform == \"win32\"\n"
        "-e git+https://example.org/repo.git#egg=thing\n"
        "git+https://example.org/other.git@v1#egg=other\n"
        "localpkg @ file:///tmp/localpkg\n"
        "./vendor/pkg\n"
    ))
    write(tmp_path / "base" / "common.txt", "--requirement ../requirements.txt\nidna\nrich~=13.0\n")
    write(tmp_path / "constraints.txt", "idna==3.6\nrich==12.0.0\nnot-used==1.0\n")

    found = parse_requirements(top)

    by_name = {dep.name: dep for dep in found.dependencies}
    assert list(by_name) == ["idna", "rich", "requests", "urllib3", "pywin32"]
    requests = by_name["requests"]
    assert (requests.version, requests.specifier, requests.line) == ("2.31.0", "==2.31.0", 4)
    assert requests.extras == ("security", "socks")
    assert requests.hashes == ("sha256:58cd", "sha256:942c")
    assert requests.source == top
    assert by_name["urllib3"].version is None
    assert by_name["urllib3"].line == 7
    assert by_name["pywin32"].marker == 'sys_platform == "win32"'
    # a constraint pin refines an unpinned dependency it satisfies ...
    assert by_name["idna"].version == "3.6"
    assert by_name["idna"].source == tmp_path / "base" / "common.txt"
    assert by_name["idna"].line == 2
    # ... but not one whose range excludes it
    assert by_name["rich"].version is None
    assert "not-used" not in by_name
    notes = "\n".join(found.notes)
    assert "include cycle skipped" in notes
    assert "--index-url https://pypi.example.org/simple" in notes
    assert "editable requirement skipped" in notes
    assert notes.count("skipped") >= 5
    assert "rich==12.0.0 is outside" in notes
    assert found.sources == [top, tmp_path / "base" / "common.txt", tmp_path / "constraints.txt"]


def test_invalid_requirement_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "requirements.txt", "ok==1\n\nbroken===\n")
    with pytest.raises(InputError) as err:
        parse_requirements(path)
    assert str(err.value).startswith(f"{path} line 3: invalid requirement 'broken==='")
    assert "\n" not in err.value.diagnostics()


def test_missing_include_is_an_input_error(tmp_path: Path) -> None:
    path = write(tmp_path / "requirements.txt", "-r nowhere.txt\n")
    with pytest.raises(InputError, match=r"nowhere\.txt cannot be read"):
        parse_requirements(path)


def test_bad_hash_option(tmp_path: Path) -> None:
    path = write(tmp_path / "req.in", "a==1 --hash=nocolon\n")
    with pytest.raises(InputError, match=r"line 1: --hash 'nocolon'"):
        collect(path)


def test_explicit_file_of_any_name_is_read_as_requirements(tmp_path: Path) -> None:
    path = write(tmp_path / "deps.in", "Django>=4.2\nflask==3.0.0\n")
    inventory = collect(path)
    assert [(d.name, d.version, d.specifier) for d in inventory.dependencies] == [
        ("django", None, ">=4.2"), ("flask", "3.0.0", "==3.0.0"),
    ]
    assert inventory.sources == (path,)


def test_index_url_credentials_are_masked(tmp_path: Path) -> None:
    secret = "tok" + "en-" + "x" * 24
    url = f"https://user:{secret}@pypi.example.org/simple"
    path = write(tmp_path / "requirements.txt", f"--extra-index-url={url}\nflask\n")
    notes = "\n".join(collect(path).notes)
    assert secret not in notes
    assert "@pypi.example.org/simple" in notes
    assert safe_url("https://pypi.org/simple") == "https://pypi.org/simple"
