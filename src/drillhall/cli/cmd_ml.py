"""``drillhall ml``: model artifacts, signed manifests and model endpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from drillhall.cli.console import drill_progress, err
from drillhall.cli.flow import plan_command, run_command, run_plan
from drillhall.cli.output import (
    ConfigOpt,
    Delivery,
    FailOnOpt,
    FormatOpt,
    NoStoreOpt,
    OutputOpt,
    parse_fail_on,
    scan_base,
)
from drillhall.core.redact import scrub
from drillhall.errors import InputError

app = typer.Typer(no_args_is_help=True, help="MLOps security: unsafe model files, signed "
                  "manifests for models and data, exposed model endpoints.")


@app.command()
def model(
    path: Annotated[Path, typer.Argument(help="Model file, archive, directory or model "
                                         "repository.", show_default=False)],
    strict: Annotated[bool, typer.Option("--strict", help="Imports that are neither known "
                                         "safe nor known dangerous count as unsafe.")] = False,
    exclude: Annotated[list[str] | None, typer.Option(
        "--exclude", "-x", help="Glob of paths to skip (repeatable).",
        show_default=False)] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    config: ConfigOpt = None,
    no_store: NoStoreOpt = False,
) -> None:
    """Find unsafe model files without loading them.

    Pickle (and joblib, PyTorch, NumPy object arrays) is analysed opcode by opcode, never
    unpickled; Keras, TensorFlow SavedModel, ONNX, safetensors and GGUF files are parsed as
    data. Formats are recognised by content, so a renamed payload is still found.

    Exit codes: 0 nothing at or above --fail-on, 1 unsafe files, 2 bad input or error.
    """
    if not path.expanduser().exists():
        raise InputError(f"{path}: no such file or directory")
    overrides: dict[str, Any] = {"paths": [str(path.expanduser().resolve())]}
    if strict:
        overrides["strict"] = True
    if exclude:
        overrides["exclude"] = exclude
    delivery = Delivery(fmt, output, parse_fail_on(fail_on), scan_base(path))
    raise typer.Exit(run_command("model", overrides, config, delivery, store_runs=not no_store))


@app.command()
def endpoint(
    url: Annotated[str, typer.Argument(help="The model's prediction URL, e.g. "
                                       "http://127.0.0.1:8000/classify.", show_default=False)],
    max_requests: Annotated[int | None, typer.Option(
        "--max-requests", min=1, max=1000, help="Request budget for the whole probe "
        "(default 60).", show_default=False)] = None,
    active: Annotated[bool, typer.Option("--active", help="Also measure how well a copy of "
                                         "the model can be trained from its answers "
                                         "(uses more of the budget).")] = False,
    header: Annotated[list[str] | None, typer.Option(
        "--header", "-H", help="Extra request header 'Name: value' (repeatable). Prefer "
        "--token-env for credentials.", show_default=False)] = None,
    token_env: Annotated[str | None, typer.Option(
        "--token-env", help="Environment variable holding a bearer token to compare "
        "authenticated and anonymous access.", show_default=False)] = None,
    body_template: Annotated[str | None, typer.Option(
        "--body-template", help='JSON request body with a {text} or {x} placeholder '
        '(default: {"text": "{text}"}).', show_default=False)] = None,
    allow_remote: Annotated[bool, typer.Option(
        "--allow-remote", help="Allow a host other than this machine. Only probe "
        "endpoints you are authorised to test.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the plan; send "
                                          "nothing.")] = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    config: ConfigOpt = None,
    no_store: NoStoreOpt = False,
) -> None:
    """Probe a model-serving endpoint for exposure, within a small request budget.

    Checks access without credentials, management and documentation routes, leaked
    probabilities and model details, missing rate limits, permissive CORS, error details and
    plain HTTP; --active measures model extraction. Only the given origin is contacted.

    Exit codes: 0 nothing at or above --fail-on, 1 exposures, 2 bad input or error.
    """
    overrides: dict[str, Any] = {"url": url, "active": active, "allow_remote": allow_remote}
    if max_requests is not None:
        overrides["max_requests"] = max_requests
    if token_env is not None:
        overrides["token_env"] = token_env
    if body_template is not None:
        overrides["body_template"] = body_template
    if header:
        headers: dict[str, str] = {}
        for item in header:
            name, sep, value = item.partition(":")
            if not sep or not name.strip():
                raise InputError("--header: expected 'Name: value', got a value with no "
                                 "header name (the value is not shown: it may be a secret)")
            headers[name.strip()] = value.strip()
        overrides["headers"] = headers
    cfg, plan = plan_command("endpoint", overrides, config)
    _print_probe_plan(plan.drills[0])
    raise typer.Exit(run_plan(cfg, plan, Delivery(fmt, output, parse_fail_on(fail_on)),
                              store_runs=not no_store, dry_run=dry_run))


def _print_probe_plan(drill: Any) -> None:
    """The endpoint probe's plan on stderr before anything is sent."""
    probe_plan = drill.plan()
    secrets = drill.query_values()
    err.print(Text(scrub(f"probe plan for {probe_plan.origin}{probe_plan.target_path}: at most "
                         f"{probe_plan.total} of {probe_plan.budget} requests", secrets),
                   style="bold"))
    for step in probe_plan.steps:
        what = f"  {step.check:<18} {step.requests:>4} × {step.method:<7} "
        where = ", ".join(step.paths[:4]) + (" …" if len(step.paths) > 4 else "")
        line = what + (f"(skipped: {step.skipped})" if step.skipped else where)
        err.print(Text(scrub(line, secrets), style="dim" if step.skipped else ""))


manifest_app = typer.Typer(no_args_is_help=True, help="Signed manifests of model and data "
                           "files: create, verify, keygen.")
app.add_typer(manifest_app, name="manifest")

PathArg = Annotated[Path, typer.Argument(help="Directory of model and data files.",
                                         file_okay=False, show_default=False)]


@manifest_app.command("keygen")
def manifest_keygen(
    private: Annotated[Path, typer.Option("--private", help="Where to write the private key "
                                          "(PEM, mode 0600; never overwritten).",
                                          dir_okay=False)] = Path("drillhall-signing.key"),
    public: Annotated[Path, typer.Option("--public", help="Where to write the public key.",
                                         dir_okay=False)] = Path("drillhall-signing.pub"),
) -> None:
    """Make an Ed25519 key pair for signing manifests."""
    from drillhall.ml.manifest import generate_key

    fingerprint = generate_key(private, public)
    err.print(Text(f"wrote {private} (keep it secret) and {public}; key fingerprint "
                   f"{fingerprint[:16]}…"))


@manifest_app.command("create")
def manifest_create(
    path: PathArg,
    key: Annotated[Path, typer.Option("--key", "-k", help="Private key to sign with (see "
                                      "keygen).", dir_okay=False, show_default=False)],
    include: Annotated[list[str] | None, typer.Option(
        "--include", "-i", help="Glob of files to cover (repeatable; default: every file).",
        show_default=False)] = None,
    exclude: Annotated[list[str] | None, typer.Option(
        "--exclude", "-x", help="Glob of files to leave out (repeatable).",
        show_default=False)] = None,
    bom: Annotated[Path | None, typer.Option(
        "--bom", help="Also write a CycloneDX 1.6 ML-BOM (JSON) of the files.",
        dir_okay=False, show_default=False)] = None,
) -> None:
    """Inventory every model and data file (SHA-256, size) and sign the list.

    Writes PATH/drillhall-manifest.json; `drillhall ml manifest verify PATH` later reports
    every changed, added or removed file.
    """
    from drillhall.ml.manifest import (
        DEFAULT_MANIFEST_NAME,
        create_manifest,
        sign,
        to_cyclonedx,
        write_signed,
    )
    from drillhall.reports import write_report

    if not path.is_dir():
        raise InputError(f"{path}: not a directory")
    with drill_progress() as progress:
        manifest = create_manifest(path, include=tuple(include or ("**/*",)),
                                   exclude=tuple(exclude or ()),
                                   progress=progress.callback("manifest"))
    if not manifest.files:
        raise InputError(f"{path}: no file matches the selection (--include / --exclude); "
                         "an empty manifest would prove nothing")
    target = path / DEFAULT_MANIFEST_NAME
    write_signed(sign(manifest, key), target)
    err.print(Text(f"signed {len(manifest.files)} file(s) into {target}"))
    if bom is not None and bom.resolve().is_relative_to(path.resolve()):
        err.print(Text(f"note: {bom} is inside {path}, so the next verify will report it as "
                       "an added file; write it elsewhere or --exclude it", style="yellow"))
    if bom is not None:
        write_report(to_cyclonedx(manifest, name=path.resolve().name, version=manifest.created,
                                  root=path), bom)
        err.print(Text(f"wrote CycloneDX ML-BOM to {bom}"))


@manifest_app.command("verify")
def manifest_verify(
    path: PathArg,
    public_key: Annotated[Path, typer.Option("--public-key", "-p", help="Public key the "
                                             "manifest must be signed with.",
                                             dir_okay=False, show_default=False)],
    manifest: Annotated[str, typer.Option("--manifest", help="Manifest file, relative to "
                                          "PATH.")] = "drillhall-manifest.json",
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    config: ConfigOpt = None,
    no_store: NoStoreOpt = False,
) -> None:
    """Check that the files match their signed manifest: a bad signature, a wrong key and
    every changed, added or removed file is a finding.

    Exit codes: 0 all files match, 1 differences, 2 bad input or error.
    """
    overrides = {"path": str(path.resolve()), "public_key": str(public_key.resolve()),
                 "manifest": manifest}
    delivery = Delivery(fmt, output, parse_fail_on(fail_on), path.resolve())
    raise typer.Exit(run_command("manifest", overrides, config, delivery,
                                 store_runs=not no_store))


@app.command()
def data(
    path: Annotated[Path, typer.Argument(help="CSV, Parquet or JSON Lines file, or a directory "
                                         "of them (with --pii: also text files, notebooks "
                                         "and logs).", show_default=False)],
    label: Annotated[str | None, typer.Option(
        "--label", "-l", help="The label column: checks flipped labels, backdoor triggers, "
        "duplicates and outliers.", show_default=False)] = None,
    baseline: Annotated[Path | None, typer.Option(
        "--baseline", help="A trusted earlier snapshot: label shift, feature drift, rows "
        "that disagree with a model trained on it.", show_default=False)] = None,
    pii: Annotated[bool, typer.Option("--pii", help="Also find personal data (cells and "
                                      "columns).")] = False,
    pred_probs: Annotated[Path | None, typer.Option(
        "--pred-probs", help="Your own out-of-sample predicted probabilities (CSV or .npy, "
        "one column per class in sorted label order).", show_default=False)] = None,
    text_column: Annotated[list[str] | None, typer.Option(
        "--text-column", help="Treat this column as free text (repeatable; default: "
        "detected).", show_default=False)] = None,
    redact: Annotated[Path | None, typer.Option(
        "--redact", help="Write a copy with personal values pseudonymised (keyed by "
        "DRILLHALL_PSEUDONYM_KEY); the input is left untouched.", dir_okay=False,
        show_default=False)] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    config: ConfigOpt = None,
    no_store: NoStoreOpt = False,
) -> None:
    """Check training data: flipped labels, poisoning, drift and personal data.

    Findings name the file, the 0-based data row and the column; personal values are always
    masked. Without --label only personal data is checked (then --pii is implied).

    Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 bad input or error.
    """
    if not path.expanduser().exists():
        raise InputError(f"{path}: no such file or directory")
    overrides: dict[str, Any] = {"paths": [str(path.expanduser().resolve())]}
    if label is not None:
        overrides["label"] = label
    if baseline is not None:
        overrides["baseline"] = str(baseline.resolve())
    if pii or label is None:
        overrides["pii"] = True
    if label is None:
        overrides["pii_only"] = True
    if pred_probs is not None:
        overrides["pred_probs"] = str(pred_probs.resolve())
    if text_column:
        overrides["text_columns"] = text_column
    cfg, plan = plan_command("data", overrides, config)  # checked before anything is written
    if redact is not None:
        _redact(path, redact, label, text_column or [])
    raise typer.Exit(run_plan(cfg, plan,
                              Delivery(fmt, output, parse_fail_on(fail_on), scan_base(path)),
                              store_runs=not no_store))


def _redact(source: Path, target: Path, label: str | None, text_columns: list[str]) -> None:
    """Write a pseudonymised copy of ``source`` to ``target``."""
    import os

    from drillhall.errors import ConfigError
    from drillhall.ml.data.load import load_table
    from drillhall.ml.data.redact_table import redact_table

    key = os.environ.get("DRILLHALL_PSEUDONYM_KEY", "")
    if len(key) < 16:
        raise ConfigError("--redact needs a secret of at least 16 characters in the "
                          "environment variable DRILLHALL_PSEUDONYM_KEY (the same key always "
                          "gives the same pseudonyms)")
    if target.resolve() == source.resolve():
        raise InputError(f"--redact {target}: must not be the input file")
    table = load_table(source, label=label, text_columns=text_columns)
    count = redact_table(table, target, key=key.encode(), mode="pseudonymise")
    err.print(Text(f"wrote {target} with {count} personal value(s) pseudonymised"))
