"""Bypasses found by the artifact benchmark (bench/artifacts) and by probing the allow-list."""

from __future__ import annotations

from drillhall.core.model import Severity
from drillhall.ml.artifacts.pickle_policy import Verdict, judge
from tests.artifacts._corpus import call4, rules, scan_bytes, worst


def test_sklearn_testing_helper_runs_python_source() -> None:
    # sklearn.utils._testing.assert_run_python_script_without_output(source) runs `source` in
    # a Python subprocess; trusting all of scikit-learn once let it through
    data = call4("sklearn.utils._testing", "assert_run_python_script_without_output",
                 "import os; os.system('id')")
    issues = scan_bytes(data)
    assert worst(issues) is Severity.CRITICAL
    assert "DH-MODEL-PICKLE-DANGEROUS-IMPORT" in rules(issues)


def test_pydoc_locate_is_a_resolver() -> None:
    assert judge("pydoc", "locate").verdict is Verdict.DANGEROUS


def test_test_helpers_of_trusted_packages_are_not_trusted() -> None:
    assert judge("sklearn.utils.tests.helpers", "f").verdict is Verdict.UNKNOWN
    assert judge("sklearn.linear_model._logistic", "LogisticRegression").verdict is Verdict.SAFE
