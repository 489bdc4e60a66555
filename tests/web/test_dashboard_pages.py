"""Every dashboard page over real HTTP, rendering the stored sample history."""

from __future__ import annotations

import re

import httpx
import pytest

from drillhall.store import Store
from drillhall.web.dashboard import views
from tests.web.sample import DAY, OTHER, PATCH_FINDINGS, SERVICE, Sample


def get(base: str, path: str, **params: object) -> httpx.Response:
    response = httpx.get(base + path, params=params, timeout=10)  # type: ignore[arg-type]
    assert response.status_code == 200, (path, response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    return response


def finding_rows(html: str) -> list[str]:
    return re.findall(r'<tr class="finding sev-row-(\w+)">', html)


def test_overview_shows_each_service_with_family_scorecards(base: str, sample: Sample) -> None:
    html = get(base, "/").text
    assert SERVICE in html and OTHER in html
    assert f'href="/runs/{sample.latest.id}"' in html
    families = {views.family_of(r.drill) for r in sample.latest.results}
    assert {"patch", "ml", "governance", "other"} <= families
    for family in families:
        assert f"<h3>{family}</h3>" in html
    assert html.count('<svg class="spark"') >= 6
    assert "✘ Policy not met" in html and "✔ Policy met" in html


def test_service_page_lists_its_runs_newest_first(base: str, sample: Sample) -> None:
    html = get(base, f"/services/{SERVICE}").text
    ids = re.findall(r'href="/runs/([^"]+)"', html)
    assert ids == [r.id for r in sorted(sample.runs, key=lambda r: r.started, reverse=True)
                   if r.service == SERVICE]
    assert httpx.get(base + "/services/no-such-service").status_code == 404


def test_run_page_shows_drills_metrics_findings_and_journals(base: str, sample: Sample) -> None:
    html = get(base, f"/runs/{sample.latest.id}").text
    total = len(sample.latest.findings)
    assert f'<span class="big">{total}</span>' in html
    assert f'<span id="match-count">{total}</span>' in html
    assert len(finding_rows(html)) == 50
    assert "page 1 of 2" in html
    assert "patch.libyears" in html and "llm.attack_success_rate" in html
    for drill in ("chaos", "redteam", "patch-drill", "governance"):
        assert f"<b>{drill}</b>" in html  # a journal section per drill
    # the long red-team plan is collapsed, shown as preformatted text
    assert '<details class="long"><summary>attack 00' in html
    # a run id prefix resolves to the run
    assert get(base, f"/runs/{sample.latest.id[:20]}").text.count(sample.latest.id) > 1
    assert httpx.get(base + "/runs/does-not-exist").status_code == 404


def test_findings_filter_by_severity_drill_rule_and_search(base: str, sample: Sample) -> None:
    run = sample.latest
    html = get(base, f"/runs/{run.id}", severity="critical").text
    expected = sum(1 for f in run.findings if f.severity.value == "critical")
    assert set(finding_rows(html)) == {"critical"}
    assert f'<span id="match-count">{expected}</span>' in html

    html = get(base, f"/runs/{run.id}", drill="chaos").text
    assert finding_rows(html) == ["high"]
    assert "Steady state did not hold" in html

    html = get(base, f"/runs/{run.id}", rule="DH-PATCH-OUTDATED").text
    outdated = sum(1 for f in run.findings if f.rule_id == "DH-PATCH-OUTDATED")
    assert f'<span id="match-count">{outdated}</span>' in html
    assert "DH-PATCH-VULN</code>" not in html.split('id="findings"')[1].split("</table>")[0]

    html = get(base, f"/runs/{run.id}", q="DELETE_TICKET").text  # evidence, any case
    assert '<span id="match-count">1</span>' in html and "Indirect injection" in html

    html = get(base, f"/runs/{run.id}", q="100%_no_such").text  # LIKE wildcards are literal
    assert "No finding matches these filters." in html


def test_findings_sort_and_paginate(base: str, sample: Sample) -> None:
    run = sample.latest
    first = get(base, f"/runs/{run.id}", drill="patch", sort="title", order="asc").text
    second = get(base, f"/runs/{run.id}", drill="patch", sort="title", order="asc",
                 page=2).text
    titles = re.findall(r'<td class="f-title"><b>([^<]+)</b>', first + second)
    assert len(titles) == PATCH_FINDINGS
    assert titles == sorted(titles)
    assert "page 2 of 2" in second and 'rel="prev"' in second
    # severity order, worst first, by default
    ranks = ["critical", "high", "medium", "low", "info"]
    severities = finding_rows(get(base, f"/runs/{run.id}", drill="patch").text)
    assert severities == sorted(severities, key=ranks.index)
    # a page past the end is empty, not an error
    assert finding_rows(get(base, f"/runs/{run.id}", page=99).text) == []


def test_chaos_journal_is_a_timeline(base: str, sample: Sample) -> None:
    ordinal = next(i for i, r in enumerate(sample.latest.results) if r.drill == "chaos")
    html = get(base, f"/runs/{sample.latest.id}/results/{ordinal}").text
    assert '<ol class="timeline">' in html
    items = re.findall(r'<li class="tl-item tl-(\w+)">', html)
    assert len(items) == 12
    assert {"milestone", "fault", "revert", "probe", "alert"} <= set(items)
    assert "+3.0s" in html and "chaos.recover_seconds" in html


def test_redteam_transcript_is_a_conversation(base: str, sample: Sample) -> None:
    ordinal = next(i for i, r in enumerate(sample.latest.results) if r.drill == "redteam")
    html = get(base, f"/runs/{sample.latest.id}/results/{ordinal}").text
    assert "attack <code>indirect-03</code>" in html
    assert len(re.findall(r'<li class="msg msg-(system|user|assistant)">', html)) == 3
    assert "delete_ticket({&#34;id&#34;: 42})" in html
    assert "&lt;!-- ignore previous instructions" in html  # shown, escaped


def test_patch_drill_result_is_an_upgrade_table(base: str, sample: Sample) -> None:
    ordinal = next(i for i, r in enumerate(sample.latest.results) if r.drill == "patch-drill")
    html = get(base, f"/runs/{sample.latest.id}/results/{ordinal}").text
    assert "requests==2.32.3" in html and "jinja2==3.1.6" in html
    assert "failing tests: tests/test_client.py::test_retry" in html
    assert html.count('<span class="tag">trial</span>') == 2
    assert "patch.time_to_patch_seconds" in html


def test_metric_history_chart_for_any_metric(base: str, sample: Sample) -> None:
    html = get(base, "/metrics").text
    for name in ("patch.libyears", "llm.attack_success_rate", "chaos.recover_seconds",
                 "ml.label_issue_rate", "patch.time_to_patch_seconds"):
        assert f'<option value="{name}"' in html
    html = get(base, "/metrics", name="ml.label_issue_rate").text
    data = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html)
    assert data is not None
    import json

    chart = json.loads(data.group(1))
    assert [s["label"] for s in chart["series"]] == [SERVICE, OTHER]
    assert len(chart["x"]) == 6
    assert '<script src="/static/uplot/uPlot.iife.min.js" defer></script>' in html
    one = get(base, "/metrics", name="ml.label_issue_rate", service=OTHER).text
    assert f'<option value="{OTHER}" selected>' in one and one.count("<tr><td>") == 1


def test_governance_page_checks_decisions_against_stored_evidence(base: str) -> None:
    html = get(base, "/governance").text
    assert "head-of-platform" in html and "legal-team" in html and "ml-platform" in html
    assert "2020-01-01" in html and "overdue" in html  # a review date in the past
    outcomes = dict(re.findall(r'<tr class="check-([\w-]+)">\s*<td>.*?</td>\s*<td>([^<]+)</td>',
                               html, re.S)[::-1])
    assert "not-met" in html
    assert "DH-GOV-PERSONAL-DATA" in html and "DH-GOV-OPEN-ENDPOINT" in html
    assert "DH-GOV-AUTONOMOUS-ACTION" in html and "DH-GOV-LEGAL-REVIEW" in html
    assert outcomes  # rows rendered
    assert "✘ Evidence contradicts a decision" in html
    assert "Governance results of stored runs" in html
    assert html.count('<span class="status status-failed">failed</span>') >= 4


def test_chaos_day_list_and_board(base: str, sample: Sample) -> None:
    html = get(base, "/chaosday").text
    assert f'href="/chaosday/{DAY}"' in html
    board = get(base, f"/chaosday/{DAY}").text
    columns = re.findall(r'<section class="board-col col-([\w-]+)".*?</section>', board, re.S)
    assert columns == ["open", "resolved-by-agents", "resolved-by-team"]
    for status, text in (("open", "Assistant answers time out"),
                         ("resolved-by-agents", "Retry storm on the gateway"),
                         ("resolved-by-team", "Stale cache after failover")):
        column = board.split(f"col-{status}")[1].split("</section>")[0]
        assert text in column
    assert f'href="/runs/{sample.latest.id}"' in board  # the run entry links its run
    assert 'data-refresh="10"' in board
    live = get(base, f"/chaosday/{DAY}/live").text
    assert "<html" not in live and "Retry storm on the gateway" in live


def test_hostile_text_is_escaped(base: str, sample: Sample) -> None:
    html = get(base, f"/runs/{sample.latest.id}", q="pwned").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in html


def test_no_secret_or_personal_value_in_any_page(base: str, sample: Sample) -> None:
    paths = ["/", f"/runs/{sample.latest.id}", "/governance", f"/chaosday/{DAY}"]
    paths += [f"/runs/{sample.latest.id}/results/{i}" for i in range(len(sample.latest.results))]
    for path in paths:
        html = get(base, path).text
        assert sample.raw_secret not in html, path
        assert sample.email not in html, path
    # the clear secret planted in a journal line is masked on the page
    ordinal = next(i for i, r in enumerate(sample.latest.results) if r.drill == "secrets")
    html = get(base, f"/runs/{sample.latest.id}/results/{ordinal}").text
    assert "scanned with token " in html and "(sha256:" in html


def test_security_headers_on_every_response(base: str) -> None:
    for path in ("/", "/metrics", "/static/dashboard.js", "/runs/nope"):
        response = httpx.get(base + path)
        csp = response.headers["content-security-policy"]
        assert "unsafe-eval" not in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "same-origin"
    assert httpx.get(base + "/").headers["cache-control"] == "no-store"


def test_static_assets_are_served_with_the_chart_library_licence(base: str) -> None:
    js = httpx.get(base + "/static/uplot/uPlot.iife.min.js")
    assert js.status_code == 200 and "uPlot" in js.text[:200]
    assert "MIT License" in httpx.get(base + "/static/uplot/LICENSE").text
    css = httpx.get(base + "/static/report.css")
    assert css.status_code == 200 and "--accent" in css.text and "{%" not in css.text


@pytest.mark.parametrize("path", ["/runs/x/results/not-a-number", "/chaosday/Bad%20Day"])
def test_bad_addresses_get_an_error_page(base: str, path: str) -> None:
    response = httpx.get(base + path)
    assert response.status_code in (400, 404)
    assert "<h1 class=\"page-title\">" in response.text


def test_store_is_left_readable(filled: tuple[Store, Sample]) -> None:
    store, sample = filled
    assert store.get(sample.latest.id).id == sample.latest.id
