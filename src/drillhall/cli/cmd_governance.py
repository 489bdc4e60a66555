"""``drillhall governance check``."""

from __future__ import annotations

from pathlib import Path

import typer

from drillhall.cli.console import err
from drillhall.cli.flow import open_store
from drillhall.cli.output import ConfigOpt, Delivery, FormatOpt, OutputOpt, deliver, report_context
from drillhall.core.config import CONFIG_NAME, load_or_default
from drillhall.core.execute import EVIDENCE_DRILLS
from drillhall.core.model import Run, Verdict, new_run_id, utcnow
from drillhall.errors import ConfigError

app = typer.Typer(help="Governance as code: the team's decisions in drillhall.toml, checked "
                  "against the evidence drills produce.", no_args_is_help=True)


@app.command()
def check(fmt: FormatOpt = None, output: OutputOpt = None, config: ConfigOpt = None) -> None:
    """Check the [governance] decisions against the newest stored evidence.

    Reads the newest result of each drill that shows whether a decision holds (data,
    secrets, red team, endpoint, guard, eval) from the history store, and the model
    endpoints drillhall.toml names. Nothing runs and nothing is stored; `drillhall run`
    makes the same checks part of every run.

    Exit codes: 0 every decision holds, 1 the evidence contradicts a decision, 2 error.
    """
    from drillhall.__about__ import __version__
    from drillhall.governance.checks import EvidenceItem
    from drillhall.governance.result import governance_result, governance_violations

    cfg = load_or_default(config, Path.cwd())
    if cfg.governance is None:
        raise ConfigError(f"{cfg.source_name}: no [governance] table; "
                          "'drillhall init --template llm-docs-assistant' writes an example")
    store = open_store(cfg, True)
    assert store is not None
    with store:
        stored = store.latest_results(cfg.service.name, EVIDENCE_DRILLS)
        evidence = {d: EvidenceItem(result, run_id) for d, (run_id, result) in stored.items()}
        result = governance_result(cfg.governance, evidence, cfg.drills,
                                   source=cfg.source.name if cfg.source else CONFIG_NAME)
        violations = tuple(governance_violations(result))
        now = utcnow()
        run = Run(id=new_run_id(now), service=cfg.service.name, started=result.started,
                  finished=result.finished, results=(result,),
                  verdict=Verdict.FAILED if violations else Verdict.PASSED,
                  violations=violations, drillhall_version=__version__)
        code = deliver(run, report_context(cfg, run, store, None), Delivery(fmt, output, None))
    if not stored:
        err.print(f"note: no stored run of service {cfg.service.name!r} holds evidence yet; "
                  "run 'drillhall run' first")
    raise typer.Exit(code)
