"""The user's view: environments holding only an engine plus `pip install ".[engine]"` (see tools/dev.py)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from prowler_harness import read_reports
from rule import ROOT, VENVS

BUNDLE_BIN = {"checkov": VENVS / "checkov-bundle" / "bin", "prowler": VENVS / "prowler-bundle" / "bin"}


def bundle_env(engine: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a shell where only that bundle's virtualenv is on PATH. `engine` is checkov,
    prowler, or another environment's name under .venvs (prowler-5.41.0: tools/prowler_versions.py)."""
    binaries = BUNDLE_BIN.get(engine, VENVS / engine / "bin")
    program = "d9-rules" if engine in BUNDLE_BIN else "prowler"
    assert (binaries / program).is_file(), (f"{binaries.parent} is missing: run python3 tools/dev.py setup"
                                            f"{'' if engine in BUNDLE_BIN else ' and python3 tools/prowler_versions.py setup'}")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = f"{binaries}{os.pathsep}/usr/bin:/bin"
    return {**env, **(extra or {})}


def run(engine: str, command: list[str] | str, cwd: Path, extra: dict[str, str] | None = None,
        timeout: int = 600) -> subprocess.CompletedProcess[str]:
    shell = isinstance(command, str)
    return subprocess.run(["bash", "-c", command] if shell else command, cwd=cwd, env=bundle_env(engine, extra),
                          capture_output=True, text=True, timeout=timeout)


def installed_folder(engine: str, kind: str, cwd: Path) -> Path:
    result = run(engine, ["d9-rules", f"{kind}-dir"], cwd)
    assert result.returncode == 0, result.stderr
    folder = Path(result.stdout.strip())
    assert folder.is_dir() and str(folder).startswith(str(BUNDLE_BIN[engine].parent)), folder
    return folder


def prowler_package(engine: str, cwd: Path) -> Path:
    """The folder of the prowler package in that environment (prowler, prowler-5.41.0, ...)."""
    result = run(engine, ["python", "-c", "import prowler, os; print(os.path.dirname(prowler.__file__))"], cwd)
    assert result.returncode == 0, result.stderr[-2000:]
    return Path(result.stdout.strip())


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under folder with its size and modification time: what a run must leave as it was."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


# Only Prowler's own writes into its package matter, not Python's bytecode caches: those go to the cache prefix
# when one is set (tools/dev.py suite_env), else they are not written.
NO_PYC = {} if os.environ.get("PYTHONPYCACHEPREFIX") else {"PYTHONDONTWRITEBYTECODE": "1"}


def pipeline_scripts() -> tuple[list[str], list[str]]:
    """The Prowler scan step of docs/pipelines/ (GitHub Actions, GitLab CI) and the distinct commands among them:
    steps that are the same words once bash has joined the continuation lines (and quote nothing) are one command."""
    github = yaml.safe_load((ROOT / "docs" / "pipelines" / "github-actions.yml").read_text())
    gitlab = yaml.safe_load((ROOT / "docs" / "pipelines" / "gitlab-ci.yml").read_text())
    scripts = [next(s["run"] for s in github["jobs"]["prowler"]["steps"] if s.get("name") == "Scan"),
               next(line for line in gitlab["d9-prowler"]["script"] if line.startswith("prowler"))]
    distinct = {tuple(script.replace("\\\n", " ").split()) if not set("'\"$`") & set(script) else script: script
                for script in scripts}
    return scripts, list(distinct.values())


def run_pipeline_step(script: str, account, cwd: Path) -> "PipelineRun":
    """One pipeline step as written (plus --no-banner and one retry) in the prowler-bundle environment, in `cwd`."""
    env = {**{k: v for k, v in bundle_env("prowler").items() if not k.startswith("AWS_")}, **account.env_overrides,
           **NO_PYC}
    result = subprocess.run(["bash", "-c", script.rstrip() + " --no-banner --aws-retries-max-attempts 1"], cwd=cwd,
                            env=env, capture_output=True, text=True, timeout=600)
    reports = sorted((cwd / "prowler-output").glob("*.csv"))
    lines, rows, ocsf = read_reports(reports, sorted((cwd / "prowler-output").glob("*.ocsf.json")))
    return PipelineRun(script, result, reports, lines, rows, ocsf)


@dataclass
class PipelineRun:
    script: str
    result: object  # subprocess.CompletedProcess
    reports: list[Path]  # the CSV files written to prowler-output/
    lines: list[dict]  # every CSV row
    rows: dict  # CSV rows by notebook
    ocsf: dict  # OCSF findings by notebook
    # set by the fixture that shares the run (tests/bundle/conftest.py pipeline_step_run)
    seeded: dict = field(default_factory=dict)  # the end-to-end verdict scenario: {notebook: (region, expected status)}
    package_before: dict = field(default_factory=dict)  # snapshot of prowler-bundle's prowler package before the run
    package_after: dict = field(default_factory=dict)  # and right after it


REPLAY_PROWLER = '''#!{python}
"""A stand-in for `prowler` under d9-rules prowler-org: replays the real run recorded in {recorded} (the account's
reports, its console output and its exit code) instead of starting Prowler again."""
import json, shutil, sys
from pathlib import Path

args = sys.argv[1:]
folder, name = Path(args[args.index("-o") + 1]), args[args.index("-F") + 1]
recorded = Path({recorded!r}) / name.removeprefix("prowler-")
summary = json.loads((Path({recorded!r}) / "summary.json").read_text())
[account] = [a for a in summary["accounts"] if a["account_id"] == recorded.name]
for report in recorded.glob(name + ".*"):
    shutil.copy(report, folder / report.name)
sys.stdout.write((recorded / "prowler.log").read_text())
sys.exit(account["exit_code"])
'''


def replay_prowler(org_output: Path, where: Path) -> Path:
    """A `prowler` program for `d9-rules prowler-org --prowler` that replays the real per-account runs of an
    earlier prowler-org output folder (copied aside, since prowler-org clears an account's folder before its
    run): the same reports again without another Prowler start, for what only prowler-org decides from them
    (gates, exit codes, summaries)."""
    recorded = where / "recorded-org-output"
    shutil.copytree(org_output, recorded)
    program = where / "replayed-prowler"
    program.write_text(REPLAY_PROWLER.format(python=sys.executable, recorded=str(recorded)))
    program.chmod(0o755)
    return program
