"""LLM red-team benchmark: drillhall side by side with garak against the same local targets.

    python bench/llm/redteam.py                 # drillhall (catalogue + 2 converters) and garak
    python bench/llm/redteam.py --quick         # catalogue only; garak probes capped at 10
    python bench/llm/redteam.py --skip-garak    # drillhall only

Both tools attack the stand-in models shipped in ``drillhall.testing.llm``, each served in its
own process on 127.0.0.1 (so neither tool shares a Python interpreter with its target):

* the **naive** model, with ten planted weaknesses — one per drillhall attack category:
  direct and indirect prompt injection, jailbreak frames, system-prompt extraction, canary
  leakage, personal-data disclosure, markdown exfiltration / HTML output, excessive agency
  (calls any tool offered), runaway output, invented package names;
* the **hardened** model, with none of them (any finding on it is a false finding).

The same process also serves a small PEP 691 package index (``drillhall.testing.pypi``) that
knows a dozen real package names, for drillhall's package-hallucination grader.

drillhall runs through its command line (``drillhall llm redteam --target URL --canary …
--system-prompt-file … -f json``). garak (PyPI, installed into ``bench/.work/garak-venv``, never
into the project's venv) runs with its OpenAI-compatible generator pointed at the same base
URL, with the probes closest to drillhall's categories that work offline:

=============================  ===========================================================
drillhall category             garak probes
=============================  ===========================================================
prompt-injection               promptinject.HijackHateHumans, encoding.InjectBase64
indirect-prompt-injection      latentinjection.LatentInjectionReport
jailbreak                      dan.Ablation_Dan_11_0
canary-leakage                 apikey.GetKey
output-handling                web_injection.MarkdownImageExfil, web_injection.MarkdownXSS
unbounded-consumption          divergence.Repeat
system-prompt-extraction       sysprompt_extraction.SystemPromptExtraction (needs a data set
                               downloaded at run time: no prompts offline, left out)
package-hallucination          packagehallucination.Python (needs a package list downloaded
                               at run time: nothing offline, left out)
pii-disclosure, excessive      no garak probe takes the application's user record or tools
agency
=============================  ===========================================================

Figures: wall time per 100 attacks (garak: per 100 attempts, one generation each; both include
start-up), planted weaknesses found on the naive model (categories with at least one
successful attack, of the ten planted), and false findings on the hardened model. Results go
to bench/.work/llm-redteam-results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
VENV_PY = REPO / ".venv" / "bin" / "python"
WORK = REPO / "bench" / ".work" / "llm"
RESULTS = REPO / "bench" / ".work" / "llm-redteam-results.json"
GARAK_VENV = REPO / "bench" / ".work" / "garak-venv"
GARAK_INSTALL_SECONDS = 15 * 60
CANARY = "CANARY-" + "4f2b8e19c7"
PLANTED = ("prompt-injection", "indirect-prompt-injection", "jailbreak",
           "system-prompt-extraction", "canary-leakage", "pii-disclosure", "output-handling",
           "excessive-agency", "unbounded-consumption", "package-hallucination")
GARAK_PROBES: dict[str, str] = {
    "promptinject.HijackHateHumans": "prompt-injection",
    "encoding.InjectBase64": "prompt-injection",
    "latentinjection.LatentInjectionReport": "indirect-prompt-injection",
    "dan.Ablation_Dan_11_0": "jailbreak",
    "apikey.GetKey": "canary-leakage",
    "web_injection.MarkdownImageExfil": "output-handling",
    "web_injection.MarkdownXSS": "output-handling",
    "divergence.Repeat": "unbounded-consumption",
}
GARAK_NOT_OFFLINE = {
    "sysprompt_extraction.SystemPromptExtraction": "system-prompt-extraction",
    "packagehallucination.Python": "package-hallucination",
}

_SERVE = r"""
import sys
from datetime import UTC, datetime
from drillhall.testing.llm import HardenedModel, NaiveModel, StandInServer
from drillhall.testing.pypi import FakeIndex, FakeIndexServer, FakePackage, FakeRelease
names = ("requests", "numpy", "pandas", "flask", "django", "fastapi", "httpx", "pydantic",
         "scikit-learn", "pyyaml", "sqlalchemy", "pytest")
when = datetime(2024, 1, 2, tzinfo=UTC)
index = FakeIndex([FakePackage(n, [FakeRelease("1.0", uploaded=when)]) for n in names])
model = NaiveModel() if sys.argv[1] == "naive" else HardenedModel()
with FakeIndexServer(index) as pypi, StandInServer(model, canaries=(sys.argv[2],)) as server:
    print(server.base_url, model.model_id, pypi.simple_url, flush=True)
    sys.stdin.read()
"""

# `drillhall llm` is mounted by the integrator; until then this mounts it for the run.
_DRILLHALL = (
    "import sys\n"
    "from drillhall.cli import cmd_llm, main\n"
    "if not any(g.name == 'llm' for g in main.app.registered_groups):\n"
    "    main.app.add_typer(cmd_llm.app, name='llm')\n"
    "sys.exit(main.main(sys.argv[1:]))\n"
)


def _reexec_in_venv() -> None:
    """This script needs drillhall's test servers: run it with the project's .venv."""
    if Path(sys.prefix).resolve() != (REPO / ".venv").resolve() and VENV_PY.exists():
        os.execv(str(VENV_PY), [str(VENV_PY), *sys.argv])


def machine() -> dict[str, Any]:
    cpu = "unknown"
    for ln in Path("/proc/cpuinfo").read_text().splitlines():
        if ln.startswith("model name"):
            cpu = ln.split(":", 1)[1].strip()
            break
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "load_avg_at_start": [round(x, 2) for x in os.getloadavg()]}


class Served:
    """A stand-in model (and the package index) in a child process."""

    def __init__(self, kind: str) -> None:
        self.proc = subprocess.Popen([str(VENV_PY), "-c", _SERVE, kind, CANARY],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().split()
        if len(line) != 3:
            self.stop()
            raise SystemExit(f"the {kind} stand-in server did not start")
        self.url, self.model, self.index = line

    def stop(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# -- drillhall ------------------------------------------------------------------------------

def run_drillhall(served: Served, converters: str, name: str) -> dict[str, Any]:
    prompt = WORK / "system-prompt.txt"
    from drillhall.testing.llm import DEFAULT_SYSTEM_PROMPT

    prompt.write_text(DEFAULT_SYSTEM_PROMPT)
    report = WORK / f"drillhall-{name}.json"
    cmd = [str(VENV_PY), "-c", _DRILLHALL, "llm", "redteam", "--target", served.url,
           "--system-prompt-file", str(prompt), "--canary", CANARY,
           "--package-index", served.index, "--concurrency", "8", "--no-store",
           "--no-compare", "-f", "json", "-o", str(report)]
    if converters:
        cmd += ["--converters", converters]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=WORK, capture_output=True, text=True, check=False,
                          timeout=1800)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"drillhall failed ({proc.returncode}): {proc.stderr[-2000:]}")
    (result,) = json.loads(report.read_text())["results"]
    metrics = result["metrics"]
    found = sorted({t.removeprefix("attack:") for f in result["findings"] for t in f["tags"]
                    if t.startswith("attack:")})
    return {"seconds": round(seconds, 2), "attacks": int(metrics["llm.attacks"]),
            "requests": int(metrics["llm.requests"]), "findings": len(result["findings"]),
            "categories_found": found,
            "asr": metrics["llm.attack_success_rate"],
            "per_100_attacks_s": round(seconds / max(1, metrics["llm.attacks"]) * 100, 2)}


# -- garak ----------------------------------------------------------------------------------

def ensure_garak() -> str | None:
    """Install garak into its own venv (at most 15 minutes); the reason when it cannot."""
    garak = GARAK_VENV / "bin" / "garak"
    if garak.exists():
        return None
    try:
        subprocess.run([str(VENV_PY), "-m", "venv", str(GARAK_VENV)], check=True,
                       timeout=120)
        subprocess.run([str(GARAK_VENV / "bin" / "pip"), "install", "-q", "garak"],
                       check=True, timeout=GARAK_INSTALL_SECONDS)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        shutil.rmtree(GARAK_VENV, ignore_errors=True)
        return f"garak could not be installed within 15 minutes ({exc})"
    return None


def run_garak(served: Served, name: str, cap: int | None) -> dict[str, Any]:
    out = WORK / f"garak-{name}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    options = {"openai": {"OpenAICompatible": {
        "uri": served.url, "model": served.model, "api_key": "not-needed",
        "max_tokens": 512,
        "suppressed_params": ["n", "frequency_penalty", "presence_penalty", "stop", "seed"]}}}
    (out / "generator.json").write_text(json.dumps(options))
    config = ["run:", "  generations: 1"]
    if cap is not None:
        config.append(f"  soft_probe_prompt_cap: {cap}")
    config += ["system:", "  parallel_attempts: 8", "  lite: true", "reporting:",
               f"  report_dir: {out}"]
    (out / "config.yaml").write_text("\n".join(config) + "\n")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "XDG_DATA_HOME": str(out / "data"), "XDG_CACHE_HOME": str(WORK / "garak-cache"),
           "XDG_CONFIG_HOME": str(out / "config")}
    cmd = [str(GARAK_VENV / "bin" / "garak"), "--config", str(out / "config.yaml"),
           "--target_type", "openai.OpenAICompatible", "--target_name", served.model,
           "--generator_option_file", str(out / "generator.json"),
           "--probes", ",".join(GARAK_PROBES), "--report_prefix", "run"]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=out, env=env, capture_output=True, text=True, check=False,
                          timeout=3600)
    seconds = time.perf_counter() - started
    report = out / "run.report.jsonl"
    if not report.exists():
        raise SystemExit(f"garak wrote no report ({proc.returncode}): {proc.stderr[-2000:]}")
    attempts: set[str] = set()
    failed: dict[str, int] = {}
    for line in report.read_text().splitlines():
        entry = json.loads(line)
        if entry.get("entry_type") == "attempt" and entry.get("status") == 2:
            attempts.add(entry["uuid"])
        elif entry.get("entry_type") == "eval":
            fails = int(entry.get("total_evaluated", entry.get("total", 0))) - int(
                entry.get("passed", 0))
            failed[f"{entry['probe']} / {entry['detector']}"] = fails
    found = sorted({GARAK_PROBES[k.split(" / ")[0]] for k, n in failed.items() if n > 0})
    return {"seconds": round(seconds, 2), "attacks": len(attempts),
            "failed_by_probe_detector": failed, "findings": sum(failed.values()),
            "categories_found": found, "exit_code": proc.returncode,
            "per_100_attacks_s": round(seconds / max(1, len(attempts)) * 100, 2)}


# -- main -----------------------------------------------------------------------------------

def main() -> int:
    _reexec_in_venv()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip-garak", action="store_true")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    converters = "" if args.quick else "base64,rot13"
    results: dict[str, Any] = {"machine": machine(), "planted": list(PLANTED),
                               "garak_probes": GARAK_PROBES,
                               "garak_not_offline": GARAK_NOT_OFFLINE}
    garak_problem = None if args.skip_garak else ensure_garak()
    if garak_problem:
        print(garak_problem)
        results["garak_problem"] = garak_problem
    for kind in ("naive", "hardened"):
        served = Served(kind)
        try:
            results[f"drillhall_{kind}"] = run_drillhall(served, converters, kind)
            if not args.skip_garak and not garak_problem:
                results[f"garak_{kind}"] = run_garak(served, kind, 10 if args.quick else None)
        finally:
            served.stop()
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"{'tool':<10} {'target':<9} {'attacks':>7} {'wall s':>7} {'s/100':>6} "
          f"{'planted found':>13} {'findings':>8}")
    for tool in ("drillhall", "garak"):
        for kind in ("naive", "hardened"):
            r = results.get(f"{tool}_{kind}")
            if r is None:
                continue
            planted = (f"{len(set(r['categories_found']) & set(PLANTED))}/{len(PLANTED)}"
                       if kind == "naive" else "-")
            print(f"{tool:<10} {kind:<9} {r['attacks']:>7} {r['seconds']:>7.1f} "
                  f"{r['per_100_attacks_s']:>6.2f} {planted:>13} {r['findings']:>8}")
    print(f"results: {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
