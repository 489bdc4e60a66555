"""Reading an experiment file (YAML or JSON) into an :class:`~drillhall.chaos.experiment.
Experiment`.

Every error is one :class:`~drillhall.errors.ConfigError` sentence naming the file, the line
(from the YAML parser, which also reads JSON) and the JSON path of the bad value, e.g.
``exp.yaml:14: method[1].provider.port: Input should be a valid integer (got 'http')``.

``configuration`` and ``secrets`` follow Chaos Toolkit: a value is literal or
``{"type": "env", "key": "NAME", "default": …, "env_var_type": "int"}``; ``${name}`` in any
activity string is replaced by the configuration value or secret of that name (a string that
is exactly ``${name}`` takes the value with its type). Secret values are remembered so that
the journal shows them masked.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from drillhall.chaos import schema
from drillhall.chaos.experiment import (
    Activity,
    BlastRadius,
    ChaosDayNotes,
    Experiment,
    FaultAction,
    Pauses,
    StopCondition,
)
from drillhall.chaos.faultref import build_fault
from drillhall.chaos.probes.base import Provider
from drillhall.chaos.probes.command import CommandProvider, command_line
from drillhall.chaos.probes.http import HttpProvider
from drillhall.chaos.probes.process import ProcessAliveProvider
from drillhall.chaos.probes.python import PythonProvider
from drillhall.chaos.probes.slo import SloProvider
from drillhall.chaos.probes.tcp import TcpProvider
from drillhall.chaos.tolerance import from_raw
from drillhall.core.redact import mask
from drillhall.errors import ConfigError

MAX_BYTES = 2_000_000
_VAR = re.compile(r"\$\{([A-Za-z_][\w.-]*)\}")
_ENV_TYPES: dict[str, Callable[[str], Any]] = {"str": str, "int": int, "float": float,
              "bool": lambda v: v.strip().lower() in ("1", "true", "yes", "on"),
              "json": json.loads}

Path_ = tuple[str | int, ...]


def line_map(text: str) -> dict[Path_, int]:
    """Line (1-based) of every mapping key and list item, by JSON path."""
    import yaml

    lines: dict[Path_, int] = {}

    def walk(node: yaml.Node, path: Path_) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, str(key.value))
                lines[child] = key.start_mark.line + 1
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines
    if root is not None:
        walk(root, ())
    return lines


def line_of(lines: dict[Path_, int], path: Path_) -> int | None:
    """The line of ``path``, or of its nearest parent that has one (a missing key)."""
    for n in range(len(path), -1, -1):
        line = lines.get(tuple(path[:n]))
        if line is not None:
            return line
    return None


def dotted(path: Path_) -> str:
    """``("method", 1, "provider")`` → ``method[1].provider``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


@dataclass
class _Source:
    path: Path
    data: Any
    lines: dict[Path_, int]

    def where(self, path: Path_) -> str:
        line = line_of(self.lines, path)
        return str(self.path) if line is None else f"{self.path}:{line}"

    def error(self, path: Path_, message: str) -> ConfigError:
        return ConfigError(f"{self.where(path)}: {dotted(path)}: {message}")

    def data_path(self, loc: tuple[Any, ...], base: Path_ = ()) -> Path_:
        """Keep the parts of a pydantic location that index into the data (drops union tags
        such as ``fault`` or ``function-before[...]``)."""
        node: Any = self.data
        for part in base:
            node = node[part]
        path: list[str | int] = list(base)
        for part in loc:
            in_dict = isinstance(node, dict) and part in node
            if in_dict or (isinstance(node, list) and isinstance(part, int)
                           and part < len(node)):
                node = node[part]
                path.append(part)
        return tuple(path)


def _read(path: Path) -> _Source:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such experiment file") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_BYTES:
        raise ConfigError(f"{path}: is larger than {MAX_BYTES // 1_000_000} MB; not an "
                          "experiment")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: is not UTF-8 text") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    else:
        try:
            import yaml
        except ImportError:
            raise ConfigError(f"{path}: reading YAML needs PyYAML (pip install pyyaml); "
                              "or write the experiment as JSON") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or "not valid YAML"
            raise ConfigError(f"{path}{line}: invalid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: an experiment is a mapping with title, method, …; "
                          f"this file holds {type(data).__name__}")
    try:
        lines = line_map(text)
    except ImportError:
        lines = {}
    return _Source(path, data, lines)


def _env_value(spec: Mapping[str, Any], src: _Source, path: Path_,
               environ: Mapping[str, str]) -> Any:
    key = spec.get("key")
    if not isinstance(key, str) or not key:
        raise src.error(path, "an env value needs 'key' naming the environment variable")
    if key not in environ:
        if "default" in spec:
            return spec["default"]
        raise src.error(path, f"the environment variable {key} is not set")
    kind = str(spec.get("env_var_type", "str"))
    if kind not in _ENV_TYPES:
        raise src.error(path, f"env_var_type {kind!r} is not one of {', '.join(_ENV_TYPES)}")
    try:
        return _ENV_TYPES[kind](environ[key])
    except ValueError:
        raise src.error(path, f"the environment variable {key} is not a valid {kind}") from None


def _resolve(value: Any, src: _Source, path: Path_, environ: Mapping[str, str]) -> Any:
    if isinstance(value, dict) and value.get("type") == "env":
        return _env_value(value, src, path, environ)
    return value


def _substitute(value: Any, names: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        whole = _VAR.fullmatch(value)
        if whole and whole.group(1) in names:
            return names[whole.group(1)]
        return _VAR.sub(lambda m: str(names.get(m.group(1), m.group(0))), value)
    if isinstance(value, list):
        return [_substitute(v, names) for v in value]
    if isinstance(value, dict):
        return {k: _substitute(v, names) for k, v in value.items()}
    return value


class _Builder:
    """Turns validated specs into experiment values, resolving refs and building faults."""

    def __init__(self, src: _Source, names: Mapping[str, Any], secrets: tuple[str, ...]
                 ) -> None:
        self.src = src
        self.names = names
        self.secrets = secrets
        self.by_name: dict[str, Activity] = {}

    def provider(self, spec: Any, path: Path_) -> Provider | FaultAction:
        where = self.src.where(path)
        if isinstance(spec, schema.FaultSpec):
            fault = build_fault(spec.kind, spec.arguments(), where=f"{where}: {dotted(path)}")
            return FaultAction(spec.kind, fault)
        if isinstance(spec, schema.PythonSpec):
            return PythonProvider(spec.module, spec.func, spec.arguments, self.secrets)
        if isinstance(spec, schema.ProcessSpec):
            base = Path(spec.cwd) if spec.cwd else self.src.path.parent
            return CommandProvider(tuple(command_line(spec.path, spec.arguments)),
                                   str(base.resolve()), spec.env, spec.timeout)
        if isinstance(spec, schema.HttpSpec):
            extra = {"json_expect": spec.json_expect} if "json_expect" in \
                spec.model_fields_set else {}
            return HttpProvider(spec.url, spec.method, spec.headers, spec.arguments,
                                tuple(spec.expected_status), spec.timeout, spec.verify_tls,
                                spec.max_latency_ms, spec.body_contains, spec.body_regex,
                                spec.json_path, secrets=self.secrets, **extra)
        if isinstance(spec, schema.TcpSpec):
            return TcpProvider(spec.host, spec.port, spec.timeout)
        if isinstance(spec, schema.ProcessAliveSpec):
            pid_file = spec.pid_file
            if pid_file and not Path(pid_file).is_absolute():
                pid_file = str(self.src.path.parent / pid_file)
            return ProcessAliveProvider(pid_file, spec.name)
        assert isinstance(spec, schema.SloSpec)
        return SloProvider(spec.url, spec.method, spec.headers, spec.arguments, spec.requests,
                           spec.concurrency, spec.percentile, spec.max_latency_ms,
                           spec.max_error_rate, tuple(spec.expected_status), spec.timeout,
                           self.secrets)

    def tolerance(self, spec: Any, path: Path_) -> Any:
        if "tolerance" not in spec.model_fields_set or spec.tolerance is None:
            return None
        try:
            return from_raw(spec.tolerance)
        except ValueError as exc:
            raise self.src.error((*path, "tolerance"), str(exc)) from None

    def activity(self, spec: schema.ActivitySpec, path: Path_) -> Activity:
        if spec.ref is not None:
            found = self.by_name.get(spec.ref)
            if found is None:
                raise self.src.error((*path, "ref"), f"no activity named {spec.ref!r} is "
                                     "defined before this one")
            return found
        assert spec.type is not None and spec.name is not None and spec.provider is not None
        provider = self.provider(spec.provider, (*path, "provider"))
        if isinstance(provider, FaultAction) and spec.type != "action":
            raise self.src.error((*path, "type"), "a fault provider belongs to an action, "
                                 "not a probe")
        activity = Activity(spec.type, spec.name, provider,
                            f"{self.src.where(path)} {dotted(path)}", spec.timeout,
                            Pauses(spec.pauses.before, spec.pauses.after),
                            self.tolerance(spec, path), spec.background)
        self.by_name.setdefault(spec.name, activity)
        return activity


def _validation_error(exc: ValidationError, src: _Source, base: Path_ = ()) -> ConfigError:
    err = exc.errors()[0]
    path = src.data_path(tuple(err.get("loc", ())), base)
    kind = err.get("type", "")
    loc = [p for p in err.get("loc", ()) if isinstance(p, str | int)]
    if kind == "extra_forbidden":
        return src.error(path, "unknown key (check its spelling)")
    if kind == "missing":
        return src.error(path, f"missing required key {loc[-1]!r}" if loc else "missing key")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        given = err.get("input")
        tag = given.get("type") if isinstance(given, dict) else given
        at = (*path, "type") if isinstance(given, dict) and "type" in given else path
        return src.error(at, f"provider type {tag!r} is not one of "
                         f"{', '.join(schema.PROVIDER_TYPES)}")
    msg = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    value = err.get("input")
    shown = ""
    if isinstance(value, str) and len(value) > 16:
        shown = f" (got {mask(value)})"
    elif not isinstance(value, dict | list) and repr(value) not in msg:
        shown = f" (got {value!r})"
    return src.error(path, msg + shown)


def load_experiment(path: Path, environ: Mapping[str, str] | None = None) -> Experiment:
    """Read, validate and build the experiment at ``path`` (faults are built, nothing runs)."""
    environ = os.environ if environ is None else environ
    src = _read(path)
    data = src.data
    config_raw = data.get("configuration") or {}
    secrets_raw = data.get("secrets") or {}
    if not isinstance(config_raw, dict):
        raise src.error(("configuration",), "must be a mapping of names to values")
    if not isinstance(secrets_raw, dict) or not all(isinstance(v, dict)
                                                    for v in secrets_raw.values()):
        raise src.error(("secrets",), "must map scope names to mappings of secrets")
    names: dict[str, Any] = {}
    secret_values: list[str] = []
    for scope, values in secrets_raw.items():
        for key, value in values.items():
            resolved = _resolve(value, src, ("secrets", scope, key), environ)
            names[key] = resolved
            if isinstance(resolved, str) and resolved:
                secret_values.append(resolved)
    for key, value in config_raw.items():
        names[key] = _resolve(value, src, ("configuration", key), environ)
    substituted = dict(data)
    for section in ("steady-state-hypothesis", "method", "rollbacks", "stop_conditions"):
        if section in substituted:
            substituted[section] = _substitute(substituted[section], names)
    try:
        spec = schema.ExperimentSpec.model_validate(substituted)
    except ValidationError as exc:
        raise _validation_error(exc, src) from None
    builder = _Builder(src, names, tuple(secret_values))
    steady = spec.steady_state or schema.SteadyStateSpec()
    probes = tuple(builder.activity(p, ("steady-state-hypothesis", "probes", i))
                   for i, p in enumerate(steady.probes))
    for i, probe in enumerate(probes):
        if probe.type != "probe":
            raise src.error(("steady-state-hypothesis", "probes", i, "type"),
                            "the steady-state hypothesis holds probes only")
    method = tuple(builder.activity(a, ("method", i)) for i, a in enumerate(spec.method))
    rollbacks = tuple(builder.activity(a, ("rollbacks", i))
                      for i, a in enumerate(spec.rollbacks))
    for i, activity in enumerate(rollbacks):
        if activity.is_fault:
            raise src.error(("rollbacks", i, "provider"), "a rollback cannot inject a fault")
    stops = []
    for i, cond in enumerate(spec.stop_conditions):
        at: Path_ = ("stop_conditions", i)
        provider = builder.provider(cond.provider, (*at, "provider"))
        if isinstance(provider, FaultAction):
            raise src.error((*at, "provider"), "a stop condition is a probe, not a fault")
        probe = Activity("probe", cond.name, provider, f"{src.where(at)} {dotted(at)}",
                         cond.timeout, Pauses(), builder.tolerance(cond, at))
        stops.append(StopCondition(probe, cond.abort_when))
    blast = spec.blast_radius
    experiment = Experiment(
        title=spec.title, source=path, description=spec.description,
        hypothesis=spec.hypothesis, steady_state_title=steady.title, steady_state=probes,
        method=method, rollbacks=rollbacks, stop_conditions=tuple(stops),
        max_duration=spec.max_duration, probe_interval=spec.probe_interval,
        recovery_timeout=spec.recovery_timeout,
        blast_radius=BlastRadius(blast.description, tuple(blast.components), blast.max_faults,
                                 blast.local_only),
        notes=ChaosDayNotes(spec.expected_impact, spec.expected_response,
                            tuple(spec.rollback_steps)),
        tags=tuple(spec.tags), secret_values=tuple(secret_values))
    _check_blast_radius(experiment, src)
    return experiment


def _check_blast_radius(experiment: Experiment, src: _Source) -> None:
    blast = experiment.blast_radius
    faults = experiment.faults()
    if blast.max_faults is not None and len(faults) > blast.max_faults:
        raise src.error(("blast_radius", "max_faults"), f"the method injects {len(faults)} "
                        f"faults, more than max_faults = {blast.max_faults}")
    remote = experiment.remote_faults()
    if blast.local_only and remote:
        raise src.error(("blast_radius", "local_only"), f"{remote[0].where} injects a fault "
                        "outside this machine, which local_only forbids")
