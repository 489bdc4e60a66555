"""Reading responses: score vectors and their precision, labels, model info, errors."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx

from drillhall.ml.endpoint import analysis
from drillhall.ml.endpoint.payload import BodyTemplate, InputGenerator


def parse(text: str) -> object:
    return json.loads(text, parse_float=Decimal)


def test_probability_map_with_precision() -> None:
    body = parse('{"label": "a", "probabilities": {"a": 0.912345678, "b": 0.087654322}}')
    (leak,) = analysis.find_scores(body)
    assert leak.kind == "probabilities" and leak.size == 2
    assert leak.labels == ("a", "b") and leak.digits == 9


def test_unnamed_vector_summing_to_one_and_logits() -> None:
    (leak,) = analysis.find_scores(parse('{"out": [[0.25, 0.75]]}'))
    assert leak.kind == "probabilities" and leak.pointer == "/out/0" and leak.digits == 2
    (logits,) = analysis.find_scores(parse('{"logits": [-1.5, 2.25, 0.125]}'))
    assert logits.kind == "logits" and logits.size == 3


def test_single_score_and_plain_numbers() -> None:
    (leak,) = analysis.find_scores(parse('{"label": "x", "confidence": 0.97}'))
    assert leak.kind == "score"
    assert analysis.find_scores(parse('{"ids": [3, 9, 12], "count": 2}')) == []
    assert analysis.find_scores(parse('{"label": "spam"}')) == []


def test_labels() -> None:
    assert analysis.extract_label(parse('{"label": "billing"}')) == "billing"
    assert analysis.extract_label(parse('{"predictions": [{"class": 3}]}')) == "3"
    assert analysis.extract_label(parse('{"probabilities": {"a": 0.2, "b": 0.8}}')) == "b"
    assert analysis.extract_label(parse('[{"prediction": "cat"}]')) == "cat"
    assert analysis.extract_label(parse('{"nothing": true}')) is None


def test_model_info() -> None:
    body = parse('{"label": "a", "model_version": "v7", "meta": {"framework": "torch"}}')
    found = analysis.find_model_info(body)
    assert "model_version=v7" in found and "meta/framework=torch" in found
    assert analysis.find_model_info(parse('{"label": "a", "version": "1.2"}')) == []
    headers = httpx.Headers({"X-Model-Version": "3", "Server": "TorchServe/0.11",
                             "Content-Type": "application/json"})
    assert analysis.find_model_headers(headers) == ["x-model-version: 3",
                                                    "server: TorchServe/0.11"]
    assert analysis.find_model_headers(httpx.Headers({"Server": "uvicorn"})) == []


def test_error_details() -> None:
    trace = ('Traceback (most recent call last):\n  File "/app/server.py", line 12, in x\n'
             "KeyError: 'text'")
    kinds = {kind for kind, _, _ in analysis.find_error_details(trace)}
    assert {"stack trace", "source file path", "framework internals"} <= kinds
    sql = analysis.find_error_details('ERROR: syntax error at or near "SELECT"')
    assert sql[0][0] == "SQL error"
    assert analysis.find_error_details('{"error": "invalid request"}') == []


def test_rate_limit_signals() -> None:
    assert analysis.rate_limit_signals(200, httpx.Headers({"a": "b"})) == []
    assert analysis.rate_limit_signals(429, httpx.Headers())[0] == "status 429"
    assert analysis.rate_limit_signals(200, httpx.Headers({"X-RateLimit-Remaining": "9"}))


def test_templates_escape_and_fill() -> None:
    text = BodyTemplate.parse(None)
    assert json.loads(text.render('say "hi"\n')) == {"text": 'say "hi"\n'}
    assert isinstance(json.loads(text.render_wrong_type())["text"], dict)
    vector = BodyTemplate.parse('{"x": "{x}"}', features=3)
    assert json.loads(vector.render([1.0, 2.0, 3.0])) == {"x": [1.0, 2.0, 3.0]}
    indexed = BodyTemplate.parse('{"a": "{x0}", "b": ["{x1}"]}')
    assert indexed.features == 2
    assert json.loads(indexed.render([0.5, -1.0])) == {"a": 0.5, "b": [-1.0]}


def test_inputs_are_reproducible_and_use_label_words() -> None:
    template = BodyTemplate.parse(None)
    first = [InputGenerator(template, seed=3).text() for _ in range(2)]
    assert first[0] == first[1]
    gen = InputGenerator(template, seed=3, extra_words=["zebra_crossing"])
    assert any("zebra" in gen.text() for _ in range(40))
