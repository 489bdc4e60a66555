"""The ticket-triage classifier and its training data."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from drillhall.demo import DemoServiceError, assets_dir
from drillhall.demo.classifier import NaiveBayesClassifier
from drillhall.errors import InputError

TICKETS = assets_dir() / "data" / "tickets.csv"


@pytest.fixture(scope="module")
def classifier() -> NaiveBayesClassifier:
    return NaiveBayesClassifier.from_csv(TICKETS)


def test_training_data_is_balanced_and_clean() -> None:
    with TICKETS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 300
    assert list(rows[0]) == ["ticket_id", "text", "label"]
    labels = {row["label"] for row in rows}
    assert labels == {"billing", "access", "bug", "hardware", "other"}
    assert len({row["ticket_id"] for row in rows}) == 300
    assert len({row["text"] for row in rows}) == 300
    # personal data is planted on purpose by build_data.plant_pii (five tickets carry emails)
    assert sum("@" in row["text"] for row in rows) == 5


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I was charged twice for the invoice, please refund me", "billing"),
        ("I cannot log in, my account is locked", "access"),
        ("The export button shows a 500 error since the release", "bug"),
        ("My laptop will not turn on", "hardware"),
        ("Where can I find the parking rules?", "other"),
    ],
)
def test_predicts_easy_examples(classifier: NaiveBayesClassifier, text: str, label: str) -> None:
    prediction = classifier.predict(text)
    assert prediction.label == label
    assert set(prediction.probabilities) == set(classifier.labels)
    assert sum(prediction.probabilities.values()) == pytest.approx(1.0)
    assert prediction.probabilities[label] == max(prediction.probabilities.values())


def test_unknown_words_fall_back_to_the_priors(classifier: NaiveBayesClassifier) -> None:
    prediction = classifier.predict("zzzz qqqq")
    assert all(p == pytest.approx(0.2) for p in prediction.probabilities.values())


def test_version_names_the_training_data(classifier: NaiveBayesClassifier) -> None:
    assert classifier.version.startswith("ticket-triage-nb-")
    assert classifier.training_size == 300


def test_bad_training_data_is_an_input_error(tmp_path: Path) -> None:
    missing = tmp_path / "none.csv"
    with pytest.raises(InputError, match=r"none\.csv"):
        NaiveBayesClassifier.from_csv(missing)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("id,body\n1,hello\n", encoding="utf-8")
    with pytest.raises(InputError, match="'text' column"):
        NaiveBayesClassifier.from_csv(wrong)
    with pytest.raises(DemoServiceError):
        NaiveBayesClassifier([])
