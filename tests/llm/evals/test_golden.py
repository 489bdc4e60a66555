"""Golden-set files: what loads, and one clear sentence (exit 2) for every bad line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drillhall.errors import ConfigError, InputError
from drillhall.llm.evals.golden import load_golden, parse_golden, with_scoring
from tests.llm.evals.fakes import cli


def test_defaults_and_fields() -> None:
    text = "\n".join([
        "# a comment",
        json.dumps({"id": "a", "question": "Q1?", "required_facts": ["x", "y"]}),
        "",
        json.dumps({"id": "b", "question": "Q2?", "expected": "yes", "weight": 2}),
        json.dumps({"id": "c", "question": "Q3?", "pattern": "^no"}),
        json.dumps({"id": "d", "question": "Q4?", "expected": "yes", "scoring": "similarity",
                    "forbidden": ["secret"]}),
    ])
    golden = parse_golden(text, "g.jsonl")
    assert [(i.id, i.scoring, i.line) for i in golden.items] == [
        ("a", "contains", 2), ("b", "exact", 4), ("c", "regex", 5), ("d", "similarity", 6)]
    assert golden.items[1].weight == 2 and golden.items[3].forbidden == ("secret",)
    assert golden.items[0].reference == "x; y" and golden.items[1].reference == "yes"
    assert len(golden.digest) == 16
    assert parse_golden(text.replace("Q1?", "Q1 changed?"), "g.jsonl").digest != golden.digest


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", "g.jsonl:2: not valid JSON"),
    ("[1, 2]", "g.jsonl:2: expected a JSON object"),
    ('{"question": "Q?", "expected": "a"}', "g.jsonl:2: missing required key 'id'"),
    ('{"id": "x", "question": "Q?", "expected": "a", "colour": 1}', "unknown key 'colour'"),
    ('{"id": "x", "question": "Q?"}', "needs 'expected', 'required_facts' or 'pattern'"),
    ('{"id": "x", "question": "Q?", "expected": "a", "scoring": "regex"}',
     "scoring 'regex' needs 'pattern'"),
    ('{"id": "x", "question": "Q?", "pattern": "(unclosed"}', "not a valid regular expression"),
    ('{"id": "x", "question": "Q?", "expected": "a", "weight": 0}', "key 'weight'"),
    ('{"id": "x", "question": "Q?", "expected": "a", "scoring": "fuzzy"}', "key 'scoring'"),
    ('{"id": "x", "question": "Q?", "required_facts": ["a", " "]}', "must not be empty"),
    ('{"id": "a", "question": "Q?", "expected": "a"}', "id 'a' is already used on line 1"),
])
def test_bad_lines_name_file_and_line(line: str, message: str) -> None:
    text = json.dumps({"id": "a", "question": "Q?", "expected": "a"}) + "\n" + line + "\n"
    with pytest.raises(InputError) as caught:
        parse_golden(text, "g.jsonl")
    sentence = caught.value.diagnostics()
    assert message in sentence and sentence.startswith("g.jsonl:2")
    assert "\n" not in sentence


def test_missing_empty_and_override(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="golden set not found"):
        load_golden(tmp_path / "nope.jsonl", "nope.jsonl")
    (tmp_path / "empty.jsonl").write_text("# nothing\n\n")
    with pytest.raises(InputError, match="has no items"):
        load_golden(tmp_path / "empty.jsonl")
    golden = parse_golden('{"id": "a", "question": "Q?", "pattern": "x"}\n', "g.jsonl")
    with pytest.raises(ConfigError, match="item 'a' has no 'expected'"):
        with_scoring(golden, "exact")
    assert with_scoring(golden, "regex").items[0].scoring == "regex"


def test_cli_bad_golden_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / "golden.jsonl"
    bad.write_text('{"id": "a", "question": "Q?", "expected": "a"}\n{"id": "b"}\n')
    code = cli("llm", "eval", "--target", "http://127.0.0.1:9/v1", "--golden", str(bad),
               "-f", "json")
    assert code == 2
    message = capsys.readouterr().err
    assert "golden.jsonl:2" in message and "missing required key 'question'" in message
    assert "Traceback" not in message
    assert cli("llm", "eval", "--target", "http://127.0.0.1:9/v1", "-f", "json") == 2
    assert "needs a golden set" in capsys.readouterr().err
