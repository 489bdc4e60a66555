"""``drillhall llm eval``: answer accuracy on a golden set, and drift of the guard's signals.

:func:`eval_command` is mounted on the ``llm`` group as ``eval``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from drillhall.cli.console import err
from drillhall.cli.flow import run_plan
from drillhall.cli.llm_options import (
    ApiKeyEnvOpt,
    DryRunOpt,
    JudgeApiKeyEnvOpt,
    JudgeModelOpt,
    ModelOpt,
    TargetHelp,
    absolute,
    with_store_url,
)
from drillhall.cli.output import (
    ConfigOpt,
    Delivery,
    FailOnOpt,
    FormatOpt,
    NoStoreOpt,
    OutputOpt,
    parse_fail_on,
)
from drillhall.core.config import load_or_default
from drillhall.core.execute import Plan
from drillhall.core.redact import scrub


def eval_command(
    target: Annotated[str | None, typer.Option(
        "--target", "-t", help=TargetHelp, show_default=False)]
    = None,
    golden: Annotated[Path | None, typer.Option(
        "--golden", "-g", help="Golden set: JSONL, one {id, question, expected | "
        "required_facts | pattern, forbidden, scoring, weight} per line.", dir_okay=False,
        show_default=False)] = None,
    label: Annotated[str | None, typer.Option(
        "--label", help="A stable name for the target: runs are compared with earlier runs "
        "of the same label and golden set (default: host, port and model).",
        show_default=False)] = None,
    model: ModelOpt = None,
    api_key_env: ApiKeyEnvOpt = None,
    system_prompt_file: Annotated[Path | None, typer.Option(
        "--system-prompt-file", help="Send this system prompt before every question (for a "
        "bare model server that has none of its own).", dir_okay=False,
        show_default=False)] = None,
    canary: Annotated[list[str] | None, typer.Option(
        "--canary", help="A token planted in the application; masked wherever an answer is "
        "shown or stored (repeatable).", show_default=False)] = None,
    scoring: Annotated[str | None, typer.Option(
        "--scoring", help="Score every item this way: exact, contains, regex, similarity or "
        "judge (default: each item's own).", show_default=False)] = None,
    similarity: Annotated[str | None, typer.Option(
        "--similarity", help="Similarity backend: auto (MiniLM when the llm-embed extra is "
        "installed, else TF-IDF), minilm or tfidf.", show_default=False)] = None,
    similarity_threshold: Annotated[float | None, typer.Option(
        "--similarity-threshold", min=0, max=1, help="Cosine similarity at which an answer "
        "passes (default 0.75 MiniLM, 0.5 TF-IDF).", show_default=False)] = None,
    judge: Annotated[str | None, typer.Option(
        "--judge", help="OpenAI-compatible endpoint of a judge model for items scored "
        "'judge'.", show_default=False)] = None,
    judge_model: JudgeModelOpt = None,
    judge_api_key_env: JudgeApiKeyEnvOpt = None,
    min_pass_rate: Annotated[float | None, typer.Option(
        "--min-pass-rate", min=0, max=1, help="A pass rate below this is a finding.",
        show_default=False)] = None,
    drop_test: Annotated[str | None, typer.Option(
        "--drop-test", help="Test for a drop against earlier runs: two-proportion (pooled "
        "earlier runs) or exact (paired binomial against the previous run).",
        show_default=False)] = None,
    alpha: Annotated[float | None, typer.Option(
        "--alpha", min=0, max=1, help="Significance of the drop test (default 0.05).",
        show_default=False)] = None,
    min_drop: Annotated[float | None, typer.Option(
        "--min-drop", min=0, max=1, help="Smallest pass-rate drop that counts (default "
        "0.05, five points).", show_default=False)] = None,
    no_compare: Annotated[bool, typer.Option(
        "--no-compare", help="Do not compare with earlier stored runs.")] = False,
    drift: Annotated[bool, typer.Option(
        "--drift", help="Check the guard's stored summaries for drift against a "
        "baseline.")] = False,
    service: Annotated[str | None, typer.Option(
        "--service", help="The guard's service name (default: this configuration's "
        "service).", show_default=False)] = None,
    baseline_window: Annotated[int | None, typer.Option(
        "--baseline-window", min=3, help="Guard summaries in the baseline (default 10).",
        show_default=False)] = None,
    recent_window: Annotated[int | None, typer.Option(
        "--recent-window", min=1, help="Newest guard summaries compared with the baseline "
        "(default 3).", show_default=False)] = None,
    concurrency: Annotated[int | None, typer.Option(
        "--concurrency", min=1, max=256, help="Questions in flight at once (default 4).",
        show_default=False)] = None,
    timeout: Annotated[float | None, typer.Option(
        "--timeout", min=0.1, help="Seconds to wait for one answer (default 60).",
        show_default=False)] = None,
    dry_run: DryRunOpt = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    config: ConfigOpt = None,
    no_store: NoStoreOpt = False,
) -> None:
    """Score an LLM application's answers on a golden set, and watch the guard for drift.

    Each golden question is sent to --target and scored (exact, contains, regex, embedding
    similarity or an LLM judge); forbidden content in an answer is a finding, and so is a
    pass rate that dropped significantly against earlier runs of the same target and golden
    set. With --drift, the guard's newest stored summaries of --service are compared with a
    baseline window: refusal, blocked, injection and leak rates, answer length, latency and
    the answer-embedding distribution.

    Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 bad input or error.
    """
    cfg = load_or_default(config, Path.cwd())
    overrides: dict[str, Any] = {
        "target": target, "golden": absolute(golden), "label": label, "model": model,
        "api_key_env": api_key_env, "system_prompt_file": absolute(system_prompt_file),
        "scoring": scoring, "similarity": similarity,
        "similarity_threshold": similarity_threshold, "judge": judge,
        "judge_model": judge_model, "judge_api_key_env": judge_api_key_env,
        "min_pass_rate": min_pass_rate, "drop_test": drop_test, "alpha": alpha,
        "min_drop": min_drop, "service": service, "baseline_window": baseline_window,
        "recent_window": recent_window, "concurrency": concurrency, "timeout": timeout,
    }
    options = {**cfg.drills.get("eval", {}),
               **{k: v for k, v in overrides.items() if v is not None}}
    if canary:
        options["canaries"] = canary
    if no_compare:
        options["compare"] = False
    if drift:
        options["drift"] = True
    if options.get("drift") and not options.get("service"):
        options["service"] = cfg.service.name
    with_store_url(options, cfg)
    from drillhall.llm.evals.drill import from_config

    drill = from_config(options, cfg.root)
    err.print(Text(scrub(f"eval plan: {drill.describe()}", drill.secrets()), style="bold"))
    raise typer.Exit(run_plan(cfg, Plan((drill,), frozenset({drill.name})),
                              Delivery(fmt, output, parse_fail_on(fail_on)),
                              store_runs=not no_store, dry_run=dry_run))
