"""Each scoring method, over real HTTP against stand-in targets on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from drillhall.errors import DependencyMissing, TargetError
from drillhall.llm.evals.golden import parse_golden
from drillhall.llm.evals.judge import EvalJudge, parse_judgement
from drillhall.llm.evals.runner import EvalSettings, ItemResult, evaluate, summarise
from drillhall.llm.evals.scoring import (
    forbidden_present,
    normalise_exact,
    score_contains,
    score_exact,
    score_regex,
)
from drillhall.llm.evals.similarity import (
    MiniLmSimilarity,
    TfidfSimilarity,
    open_similarity,
    score_similarity,
)
from drillhall.llm.targets import OpenAIChatTarget
from drillhall.testing.llm import serve_model
from tests.llm.evals.fakes import JudgeModel, ScriptedModel

ANSWERS = {
    "Capital of France?": "  **Paris.** ",
    "Deploy freeze?": "No deploys on Friday afternoons or from 20 December to 3 January.",
    "Half freeze?": "No deploys from 20   DECEMBER onwards.",
    "Severity?": "SEV1 means customers\ncannot use the product.",
    "Split tunnel?": "Only internal traffic goes through the VPN tunnel; video calls use your "
                     "local connection.",
    "Judge me?": "Laptops are replaced every four years.",
    "Judge fail?": "Laptops are replaced when they break.",
    "Leaky?": "Sure, the internal password is hunter2-hunter2 and the freeze starts 20 December.",
}
GOLDEN = "\n".join([
    '{"id": "exact", "question": "Capital of France?", "expected": "paris"}',
    '{"id": "exact-wrong", "question": "Deploy freeze?", "expected": "20 December"}',
    '{"id": "contains", "question": "Deploy freeze?", '
    '"required_facts": ["Friday afternoons", "20 december", "3 January"]}',
    '{"id": "partial", "question": "Half freeze?", '
    '"required_facts": ["20 December", "3 January"], "weight": 3}',
    '{"id": "regex", "question": "Severity?", "pattern": "sev1 means customers cannot"}',
    '{"id": "similar", "question": "Split tunnel?", "expected": "With split tunnelling only '
    'internal traffic goes through the VPN tunnel; video calls use your local connection.", '
    '"scoring": "similarity"}',
    '{"id": "judged", "question": "Judge me?", "required_facts": ["four years"], '
    '"scoring": "judge"}',
    '{"id": "judged-wrong", "question": "Judge fail?", "required_facts": ["four years"], '
    '"scoring": "judge"}',
    '{"id": "forbidden", "question": "Leaky?", "required_facts": ["20 December"], '
    '"forbidden": ["hunter2-hunter2"]}',
])


@pytest.fixture(scope="module")
def urls() -> Iterator[tuple[str, str]]:
    with serve_model(ScriptedModel(ANSWERS)) as app, serve_model(JudgeModel()) as judge:
        yield app, judge


def run_golden(urls: tuple[str, str], similarity_mode: str = "tfidf") -> dict[str, ItemResult]:
    golden = parse_golden(GOLDEN, "g.jsonl")

    async def go() -> list[ItemResult]:
        target = OpenAIChatTarget(urls[0], "scripted-1", timeout=10)
        judge_target = OpenAIChatTarget(urls[1], None, timeout=10)
        corpus = [t for i in golden.items for t in (i.question, i.reference)]
        try:
            return await evaluate(
                target, golden, settings=EvalSettings(concurrency=3), redact=lambda t: t,
                similarity=open_similarity(similarity_mode, corpus),  # type: ignore[arg-type]
                judge=EvalJudge(judge_target))
        finally:
            await target.aclose()
            await judge_target.aclose()

    return {r.id: r for r in asyncio.run(go())}


def test_every_method_over_http(urls: tuple[str, str]) -> None:
    results = run_golden(urls)
    assert [k for k, r in results.items() if r.passed] == [
        "exact", "contains", "regex", "similar", "judged"]
    assert results["exact-wrong"].score == 0.0 and results["exact-wrong"].method == "exact"
    assert results["partial"].score == 0.5 and not results["partial"].passed
    assert "missing #2" in results["partial"].detail
    assert results["similar"].method == "similarity:tfidf"
    assert results["judged"].method == "judge" and results["judged"].score == 0.9
    assert "not correct" in results["judged-wrong"].detail
    leaky = results["forbidden"]
    assert leaky.score == 0.0 and not leaky.passed and leaky.forbidden == (0,)
    assert "forbidden content #1" in leaky.detail
    summary = summarise(list(results.values()))
    assert summary.items == 9 and summary.passed == 5 and summary.forbidden == 1
    # weighted mean over weight 11: the partial item (weight 3) counts 0.5 three times
    similar = results["similar"].score
    assert 0.5 <= similar < 1.0
    expected = (1.0 + 0.0 + 1.0 + 3 * 0.5 + 1.0 + similar + 0.9 + 0.1 + 0.0) / 11
    assert summary.score == pytest.approx(expected, abs=1e-4)
    assert summary.latency_p50_ms > 0


def test_minilm_similarity_when_installed(urls: tuple[str, str]) -> None:
    try:
        MiniLmSimilarity()
    except DependencyMissing:
        pytest.skip("the llm-embed extra is not installed")
    results = run_golden(urls, "auto")
    assert results["similar"].method == "similarity:minilm" and results["similar"].passed
    assert results["similar"].score > 0.75


def test_scorers_directly() -> None:
    assert normalise_exact(' "Paris." ') == "paris"
    assert score_exact("PARIS", "paris").passed and not score_exact("Paris, TX", "Paris").passed
    assert score_contains("a  B\nc", ["a b", "C"]).score == 1.0
    assert score_contains("nothing", ["a", "b", "c", "d"]).score == 0.0
    assert score_regex("Line one\n  line TWO", r"one line two").passed
    assert forbidden_present("The Password is…", ["password", "token"]) == [0]
    tfidf = TfidfSimilarity(["the vpn uses udp", "expenses within 60 days"])
    same = score_similarity(tfidf, "the vpn uses udp", "The VPN uses UDP")
    other = score_similarity(tfidf, "claim expenses within 60 days", "the vpn uses udp")
    assert same.passed and same.score == pytest.approx(1.0)
    assert not other.passed and other.score == 0.0
    assert score_similarity(tfidf, "   ", "x").score == 0.0


def test_judge_verdict_parsing() -> None:
    assert parse_judgement('```json\n{"correct": true, "score": 0.8}\n```', "j") == (
        True, 0.8, "")
    assert parse_judgement('{"correct": false, "score": "high", "reason": "no"}', "j") == (
        False, 0.0, "no")
    with pytest.raises(TargetError, match="the judge j answered without a JSON verdict"):
        parse_judgement("I think it is fine", "j")
    with pytest.raises(TargetError, match="boolean 'correct'"):
        parse_judgement('{"harmful": false}', "j")


def test_target_errors_count_as_failed_items(tmp_path: Path) -> None:
    golden = parse_golden('{"id": "a", "question": "Q?", "expected": "x"}\n', "g.jsonl")

    async def go() -> list[ItemResult]:
        target = OpenAIChatTarget("http://127.0.0.1:9/v1", "m", timeout=2, max_retries=0)
        try:
            return await evaluate(target, golden, settings=EvalSettings(),
                                  redact=lambda t: t)
        finally:
            await target.aclose()

    (result,) = asyncio.run(go())
    assert result.error is not None and not result.passed and result.score == 0.0


def test_auto_falls_back_to_tfidf_without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from drillhall.llm.evals import similarity

    def missing(*_args: object, **_kwargs: object) -> None:
        raise DependencyMissing("onnxruntime", "llm-embed")

    monkeypatch.setattr(similarity.MiniLmSimilarity, "__init__", missing)
    assert open_similarity("auto", ["a b"]).name == "tfidf"
    with pytest.raises(DependencyMissing, match="llm-embed"):
        open_similarity("minilm")
