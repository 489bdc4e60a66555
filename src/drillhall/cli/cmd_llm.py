"""``drillhall llm``: red-team an LLM endpoint."""

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

app = typer.Typer(no_args_is_help=True, help="LLM security: red-team an LLM endpoint.")


def _split(values: list[str] | None) -> list[str] | None:
    """``--categories a,b --categories c`` → ``[a, b, c]``."""
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


@app.command()
def redteam(
    target: Annotated[str, typer.Option(
        "--target", "-t", help=TargetHelp, show_default=False)],
    model: ModelOpt = None,
    api_key_env: ApiKeyEnvOpt = None,
    system_prompt_file: Annotated[Path | None, typer.Option(
        "--system-prompt-file", help="The application's system prompt, to detect its "
        "leakage (omit for a black-box test).", dir_okay=False, show_default=False)] = None,
    send_system_prompt: Annotated[bool, typer.Option(
        "--send-system-prompt", help="Also send the system prompt with every attack (for a "
        "bare model server such as Ollama or vLLM that has none of its own).")] = False,
    canary: Annotated[list[str] | None, typer.Option(
        "--canary", help="A token planted in the system prompt, a document or a user record; "
        "seeing it in an answer is a leak (repeatable).", show_default=False)] = None,
    purpose: Annotated[str | None, typer.Option(
        "--purpose", help="What the application is for, in a sentence (goal-hijack attacks "
        "try to pull it away from this).", show_default=False)] = None,
    tools_file: Annotated[Path | None, typer.Option(
        "--tools-file", help="JSON list of the tools the application offers the model "
        "(OpenAI format, or name/description/parameters/dangerous/allowed).",
        dir_okay=False, show_default=False)] = None,
    accepts_documents: Annotated[bool, typer.Option(
        "--accepts-documents", help="The target takes retrieved documents in the first user "
        "message: send indirect-injection documents that way.")] = False,
    categories: Annotated[list[str] | None, typer.Option(
        "--categories", help="Attack categories to run, comma-separated (default: all).",
        show_default=False)] = None,
    owasp: Annotated[list[str] | None, typer.Option(
        "--owasp", help="OWASP LLM ids to run, comma-separated (e.g. LLM01,LLM07).",
        show_default=False)] = None,
    converters: Annotated[list[str] | None, typer.Option(
        "--converters", help="Also send each attack encoded: base64, rot13, leetspeak, "
        "homoglyphs, … (comma-separated).", show_default=False)] = None,
    attacks_file: Annotated[Path | None, typer.Option(
        "--attacks-file", help="Your own attacks (TOML, JSON or YAML), added to the "
        "catalogue.", dir_okay=False, show_default=False)] = None,
    limit: Annotated[int | None, typer.Option(
        "--limit", min=0, help="Run at most this many attacks (every category keeps a "
        "share).", show_default=False)] = None,
    budget: Annotated[int | None, typer.Option(
        "--budget", min=1, help="At most this many requests in all (a resumed run counts "
        "what it already sent).", show_default=False)] = None,
    concurrency: Annotated[int, typer.Option(
        "--concurrency", min=1, max=256, help="Attacks in flight at once.")] = 8,
    timeout: Annotated[float, typer.Option(
        "--timeout", min=0.1, help="Seconds to wait for one answer.")] = 60.0,
    seed: Annotated[int, typer.Option(
        "--seed", help="Attack order and sampling; the same seed gives the same attacks.")] = 0,
    resume: Annotated[str | None, typer.Option(
        "--resume", metavar="RUN_ID", help="Continue an interrupted red-team run (its id is "
        "printed in the plan).", show_default=False)] = None,
    crescendo: Annotated[bool, typer.Option(
        "--crescendo", help="Also run multi-turn escalations of jailbreak and injection "
        "attacks (written by --attacker when given).")] = False,
    attacker: Annotated[str | None, typer.Option(
        "--attacker", help="OpenAI-compatible endpoint of an attacker model that writes the "
        "escalation turns.", show_default=False)] = None,
    attacker_model: Annotated[str | None, typer.Option(
        "--attacker-model", help="Model name of the attacker.", show_default=False)] = None,
    attacker_api_key_env: Annotated[str | None, typer.Option(
        "--attacker-api-key-env", help="Environment variable holding the attacker's API key.",
        show_default=False)] = None,
    allowed_host: Annotated[list[str] | None, typer.Option(
        "--allowed-host", help="A host the application's answers may link to or load images "
        "from (repeatable).", show_default=False)] = None,
    package_index: Annotated[str | None, typer.Option(
        "--package-index", help="PEP 691 index that suggested packages are checked against "
        "(default PyPI; 'none' turns the check off).", show_default=False)] = None,
    judge: Annotated[str | None, typer.Option(
        "--judge", help="OpenAI-compatible endpoint of a judge model for harmful-content "
        "attacks.", show_default=False)] = None,
    judge_model: JudgeModelOpt = None,
    judge_api_key_env: JudgeApiKeyEnvOpt = None,
    price_in: Annotated[float | None, typer.Option(
        "--price-in", min=0, help="Price per 1,000 prompt tokens, for the cost estimate.",
        show_default=False)] = None,
    price_out: Annotated[float | None, typer.Option(
        "--price-out", min=0, help="Price per 1,000 completion tokens.",
        show_default=False)] = None,
    no_compare: Annotated[bool, typer.Option(
        "--no-compare", help="Do not compare with the previous stored run of this "
        "target.")] = False,
    dry_run: DryRunOpt = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    config: ConfigOpt = None,
    no_store: NoStoreOpt = False,
) -> None:
    """Attack an LLM endpoint with drillhall's catalogue and report what got through.

    Prompt injection (direct and indirect), jailbreaks, system-prompt extraction, canary and
    personal-data leaks, unsafe output, excessive agency, unbounded consumption and package
    hallucination, each finding tagged with its OWASP LLM id. Everything runs locally; the
    run is checkpointed as it goes, so an interrupted run continues with --resume RUN_ID.

    Exit codes: 0 nothing at or above --fail-on, 1 successful attacks, 2 bad input or error,
    130 interrupted (resumable).
    """
    overrides: dict[str, Any] = {
        "target": target, "concurrency": concurrency, "timeout": timeout, "seed": seed,
        "send_system_prompt": send_system_prompt, "accepts_documents": accepts_documents,
    }
    optional: dict[str, Any] = {
        "model": model, "api_key_env": api_key_env,
        "system_prompt_file": absolute(system_prompt_file),
        "tools_file": absolute(tools_file), "attacks_file": absolute(attacks_file),
        "purpose": purpose, "categories": _split(categories), "owasp": _split(owasp),
        "converters": _split(converters), "limit": limit, "budget": budget,
        "resume": resume, "judge": judge, "judge_model": judge_model,
        "judge_api_key_env": judge_api_key_env, "price_in": price_in, "price_out": price_out,
        "attacker": attacker, "attacker_model": attacker_model,
        "attacker_api_key_env": attacker_api_key_env, "package_index": package_index,
        "allowed_hosts": allowed_host or None,
    }
    overrides.update({k: v for k, v in optional.items() if v is not None})
    if canary:
        overrides["canaries"] = canary
    if no_compare:
        overrides["compare"] = False
    if crescendo:
        overrides["crescendo"] = True
    cfg = load_or_default(config, Path.cwd())
    options = {**cfg.drills.get("redteam", {}), **overrides}
    with_store_url(options, cfg)
    from drillhall.llm.redteam.drill import from_config

    drill = from_config(options, cfg.root)
    _print_plan(drill)
    raise typer.Exit(run_plan(cfg, Plan((drill,), frozenset({drill.name})),
                              Delivery(fmt, output, parse_fail_on(fail_on)),
                              store_runs=not no_store, dry_run=dry_run))


def _print_plan(drill: Any) -> None:
    """The red-team plan on stderr before anything is sent (never a key: the target is its
    host and model, and every known secret is masked)."""
    plan = drill.plan()
    secrets = drill.secrets()
    left = len(plan.attacks) - plan.done
    head = (f"red-team plan: {left} attack(s) in {len(plan.categories)} categor"
            f"{'y' if len(plan.categories) == 1 else 'ies'} against {plan.target}"
            + (f" (resuming run {plan.run_id}, {plan.done} done)" if plan.resumed else ""))
    err.print(Text(scrub(head, secrets), style="bold"))
    budget = f" (budget {plan.budget})" if plan.budget is not None else ""
    err.print(Text(f"  requests: at most {plan.requests}{budget}"))
    if plan.cost is not None:
        err.print(Text(f"  expected: {plan.cost.describe()}"))
    err.print(Text(f"  OWASP ids: {', '.join(plan.owasp)}"))
    err.print(Text(f"  categories: {', '.join(plan.categories)}"))
    err.print(Text(f"  run id: {plan.run_id} (continue an interrupted run with --resume "
                   f"{plan.run_id})", style="dim"))
