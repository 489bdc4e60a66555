"""The demo's golden set against the demo documentation assistant."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drillhall.core.drill import DrillContext
from drillhall.core.model import Status
from drillhall.demo import assets_dir
from drillhall.demo.server import DemoServer
from drillhall.llm.evals.drill import from_config
from drillhall.llm.evals.golden import load_golden

GOLDEN = assets_dir() / "golden" / "docs-assistant.jsonl"


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    with DemoServer() as server:
        yield server


def test_demo_golden_set_is_valid_and_about_the_docs() -> None:
    golden = load_golden(GOLDEN)
    assert 20 <= len(golden) <= 30
    docs = " ".join(p.read_text(encoding="utf-8") for p in (assets_dir() / "docs").glob("*.md"))
    flat = " ".join(docs.split()).casefold()
    for item in golden.items:
        for fact in item.required_facts:
            assert " ".join(fact.split()).casefold() in flat, (item.id, fact)
    assert {i.scoring for i in golden.items} >= {"contains", "regex", "similarity"}


@pytest.mark.parametrize("similarity", ["auto", "tfidf"])
def test_demo_assistant_passes_its_golden_set(demo: DemoServer, tmp_path: Path,
                                              similarity: str) -> None:
    drill = from_config({"target": demo.base_url, "golden": str(GOLDEN),
                         "similarity": similarity, "concurrency": 8}, tmp_path)
    result = drill.run(DrillContext(tmp_path))
    assert result.status is Status.FAILED  # the planted exfiltration image is found
    assert (result.metric("eval.pass_rate") or 0) >= 0.9
    assert result.metric("eval.errors") == 0
    (finding,) = result.findings
    assert finding.rule_id == "DH-EVAL-FORBIDDEN" and finding.location.symbol == "travel-booking"
    assert "exfil.attacker.example" in finding.evidence
    failed = [e.detail for e in result.journal if e.event == "item" and '"passed": false' in
              e.detail]
    assert len(failed) == 1 and '"travel-booking"' in failed[0]
