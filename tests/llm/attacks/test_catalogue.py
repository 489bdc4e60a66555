"""The shipped catalogue is complete and consistent, and user catalogues are checked."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from drillhall.errors import ConfigError
from drillhall.llm.attacks import (
    ATLAS_TECHNIQUES,
    CATEGORIES,
    GRADERS,
    OWASP_LLM_TOP10,
    load_catalogue,
    load_user_attacks,
    marker_for,
)
from drillhall.llm.attacks import catalogue as catalogue_module
from drillhall.llm.attacks.catalogue import CONTEXT_PLACEHOLDERS, split_marker
from drillhall.llm.attacks.owasp import atlas_name, owasp_title
from drillhall.llm.types import Attack

ATTACKS = load_catalogue()


def _texts(attack: Attack) -> list[str]:
    return [*attack.turns, *attack.documents]


def test_catalogue_size_and_coverage() -> None:
    assert len(ATTACKS) >= 80
    per_category = Counter(a.category for a in ATTACKS)
    assert set(per_category) == set(CATEGORIES)
    assert min(per_category.values()) >= 4, per_category


def test_ids_unique_and_well_formed() -> None:
    ids = [a.id for a in ATTACKS]
    assert len(ids) == len(set(ids))
    for attack in ATTACKS:
        assert "+" not in attack.id
        assert attack.id.startswith(attack.category + "."), attack.id
        assert attack.id.count(".") >= 2, f"{attack.id} has no subfamily"


def test_every_attack_is_tagged_and_graded() -> None:
    for attack in ATTACKS:
        assert attack.owasp in OWASP_LLM_TOP10, attack.id
        assert attack.atlas in ATLAS_TECHNIQUES, attack.id
        assert attack.graders and set(attack.graders) <= GRADERS, attack.id
        assert attack.category in CATEGORIES
        assert attack.severity in {"info", "low", "medium", "high", "critical"}
        assert attack.converter is None
        assert attack.title and attack.goal and attack.remediation, attack.id


def test_category_conventions() -> None:
    for attack in ATTACKS:
        if attack.category in {"prompt-injection", "indirect-prompt-injection", "jailbreak"}:
            assert attack.marker and "marker" in attack.graders, attack.id
        if attack.category == "jailbreak":
            assert "refusal" in attack.graders
        if attack.category == "indirect-prompt-injection":
            assert attack.documents, attack.id
        if attack.category == "excessive-agency":
            assert any(t.dangerous for t in attack.tools), attack.id
            assert "tool-policy" in attack.graders
        if attack.category == "package-hallucination":
            assert attack.id.split(".")[1] in {"pypi", "npm"}


def test_markers_appear_and_are_unique() -> None:
    markers = [a.marker for a in ATTACKS if a.marker]
    assert len(markers) == len(set(markers))
    for attack in ATTACKS:
        if not attack.marker:
            continue
        assert attack.marker == marker_for(attack.id)
        head, tail = split_marker(attack.marker)
        text = "\n".join(_texts(attack))
        assert attack.marker in text or (head in text and tail in text), attack.id


def test_only_context_placeholders_remain() -> None:
    for attack in ATTACKS:
        for text in (*_texts(attack), attack.goal):
            for name in re.findall(r"\{([a-z_]+)\}", text):
                assert name in CONTEXT_PLACEHOLDERS, (attack.id, name)


def test_tools_are_valid_openai_functions() -> None:
    for attack in ATTACKS:
        for tool in attack.tools:
            assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", tool.name)
            assert tool.parameters.get("type") == "object"
            json.dumps(dict(tool.parameters))


def test_marker_for_is_stable_and_word_like() -> None:
    assert marker_for("a.b") == marker_for("a.b")
    assert marker_for("a.b") != marker_for("a.c")
    assert re.fullmatch(r"[a-z]{10}\d{2}", marker_for("x.y"))


def test_owasp_and_atlas_lookups() -> None:
    assert owasp_title("LLM07") == "LLM07:2025 System Prompt Leakage"
    assert atlas_name("AML.T0051.001") == "LLM Prompt Injection: Indirect"
    assert len(OWASP_LLM_TOP10) == 10


def test_broken_shipped_file_is_reported_as_a_bug(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "broken.toml").write_text(
        'category = "jailbreak"\n[[attack]]\nid = "jailbreak.x.y"\ntitle = "t"\n', "utf-8")
    monkeypatch.setattr(catalogue_module.resources, "files", lambda _pkg: tmp_path)
    with pytest.raises(RuntimeError, match=r"broken.toml: attack 1 \('jailbreak.x.y'\)"):
        load_catalogue.__wrapped__()


# --- user catalogues -------------------------------------------------------------------------

GOOD = {
    "category": "prompt-injection", "owasp": "LLM01", "atlas": "AML.T0051.000",
    "attacks": [{
        "id": "mine.override.one", "title": "Mine", "goal": "Says the word.",
        "graders": ["marker"], "marker": True,
        "turns": ["Say {marker} about {purpose}."],
    }],
}


def _write(tmp_path: Path, data: object, name: str = "mine.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), "utf-8")
    return path


def test_user_attacks_json(tmp_path: Path) -> None:
    (attack,) = load_user_attacks(_write(tmp_path, GOOD))
    assert attack.marker == marker_for("mine.override.one")
    assert attack.turns == (f"Say {attack.marker} about {{purpose}}.",)


def test_user_attacks_toml_and_yaml(tmp_path: Path) -> None:
    toml = tmp_path / "mine.toml"
    toml.write_text('category = "pii-disclosure"\nowasp = "LLM02"\natlas = "AML.T0057"\n'
                    'graders = ["pii"]\n[[attack]]\nid = "mine.pii.ask"\ntitle = "Ask"\n'
                    'goal = "Leaks."\nturns = ["Who is in your records?"]\n', "utf-8")
    assert load_user_attacks(toml)[0].graders == ("pii",)
    pytest.importorskip("yaml")
    yml = tmp_path / "mine.yaml"
    yml.write_text("- id: mine.len.long\n  category: unbounded-consumption\n  title: Long\n"
                   "  owasp: LLM10\n  atlas: AML.T0034.001\n  goal: Long.\n"
                   "  graders: [length]\n  turns: [Write a lot.]\n", "utf-8")
    assert load_user_attacks(yml)[0].category == "unbounded-consumption"


@pytest.mark.parametrize(("change", "message"), [
    ({"category": "sql-injection"}, r"attack 1 \('mine.override.one'\).*unknown category"),
    ({"owasp": "LLM11"}, r"key 'owasp'.*not an OWASP"),
    ({"atlas": "T0051"}, r"key 'atlas'"),
    ({"graders": ["magic"]}, r"unknown grader 'magic'"),
    ({"marker": False}, r"'marker' grader needs"),
    ({"turns": ["Say {markr}."]}, r"unknown placeholder \{markr\}"),
    ({"turns": []}, r"key 'turns'"),
    ({"id": "Bad Id"}, r"key 'id'"),
    ({"colour": "red"}, r"unknown key 'colour'"),
    ({"graders": ["tool-policy"], "marker": False, "turns": ["x"]}, r"needs at least one"),
])
def test_user_attack_errors_name_file_and_entry(tmp_path: Path, change: dict[str, object],
                                                message: str) -> None:
    entry = {**GOOD["attacks"][0], **change}  # type: ignore[index]
    path = _write(tmp_path, {**GOOD, "attacks": [entry]})
    with pytest.raises(ConfigError, match=message) as err:
        load_user_attacks(path)
    assert str(path) in str(err.value)
    assert "\n" not in str(err.value)


def test_user_attack_missing_key(tmp_path: Path) -> None:
    entry = dict(GOOD["attacks"][0])  # type: ignore[index]
    del entry["goal"]
    with pytest.raises(ConfigError, match=r"missing required key 'goal'"):
        load_user_attacks(_write(tmp_path, {**GOOD, "attacks": [entry]}))


def test_user_attack_duplicate_and_shipped_ids(tmp_path: Path) -> None:
    entry = GOOD["attacks"][0]  # type: ignore[index]
    with pytest.raises(ConfigError, match=r"attack 2 .*used twice"):
        load_user_attacks(_write(tmp_path, {**GOOD, "attacks": [entry, entry]}))
    clash = {**entry, "id": ATTACKS[0].id}
    with pytest.raises(ConfigError, match=r"already used by a shipped attack"):
        load_user_attacks(_write(tmp_path, {**GOOD, "attacks": [clash]}))


@pytest.mark.parametrize(("name", "content", "message"), [
    ("a.json", "{not json", r"not valid JSON \(line 1"),
    ("a.toml", "x = ", r"not valid TOML"),
    ("a.txt", "", r"must end in .toml, .json, .yaml or .yml"),
    ("a.json", '{"attacks": [], "attack": []}', r"expected one list"),
    ("a.json", '{"attacks": [], "colour": 1}', r"unknown top-level key 'colour'"),
    ("a.json", '{"attacks": [3]}', r"attack 1 must be a table"),
])
def test_user_file_errors(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, "utf-8")
    with pytest.raises(ConfigError, match=message):
        load_user_attacks(path)


def test_user_file_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"attack file not found"):
        load_user_attacks(tmp_path / "nope.json")
