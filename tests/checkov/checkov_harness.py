"""Runs the real checkov CLI and reads its JSON report."""
from __future__ import annotations

import atexit
import functools
import importlib.util
import json
import os
import shutil
import subprocess
import tempfile
import sys
from dataclasses import dataclass
from pathlib import Path

from rule import CHECKOV_ID, EXAMPLES, ROOT

sys.path.insert(0, str(ROOT / "tools"))
from k8s_tools import with_k8s_tools_on_path  # noqa: E402

CHECKOV = Path(sys.executable).parent / "checkov"
CHECKS_DIR = ROOT / "checkov_checks"


def _rule_data():
    spec = importlib.util.spec_from_file_location("d9_rule_data_for_tests", CHECKS_DIR / "d9_aws_net_49_rule_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RULE_DATA = _rule_data()
# The Checkov frameworks that can carry a notebook (the README's recommended --framework list), from metadata/
RULE_FRAMEWORKS = list(RULE_DATA.CHECKOV_FRAMEWORKS)


@dataclass
class Finding:
    framework: str
    resource: str
    verdict: str
    severity: str | None
    details: list[str]
    file_path: str
    guideline: str | None


def checkov_cli(target: Path, *extra: str, check: str | None = CHECKOV_ID,
                env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [str(CHECKOV), "-d", str(target), "--external-checks-dir", str(CHECKS_DIR), "--skip-download", *extra]
    if check:
        command += ["--check", check]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TF_VAR_")}  # only what a test sets
    # the project's pinned kubectl and helm (tools/k8s_tools.py) first on PATH, for kustomize and helm
    environment = with_k8s_tools_on_path(environment)
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=600, env={**environment, **(env or {})})


def report_parts(data: object) -> list[dict]:
    """Checkov's JSON output: one report per framework, or a bare report when one framework ran."""
    return data if isinstance(data, list) else [data]


def judged_check_ids(data: object) -> set[str]:
    """The check ID of every passed or failed record of a JSON report."""
    return {record["check_id"] for report in report_parts(data) for bucket in ("passed_checks", "failed_checks")
            for record in report["results"][bucket]}


def write_reports(target: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """One run writing the cli, json, sarif and junitxml reports into `out`."""
    return checkov_cli(target, *extra, "-o", "cli", "-o", "json", "-o", "sarif", "-o", "junitxml",
                       "--output-file-path", str(out))


def findings_from_json(stdout: str) -> list[Finding]:
    found = []
    for report in report_parts(json.loads(stdout)):
        if "results" not in report:  # checkov prints a summary dict when nothing was scanned
            continue
        for bucket in ("passed_checks", "failed_checks", "skipped_checks"):
            for record in report["results"][bucket]:
                if record["check_id"] != CHECKOV_ID:
                    continue
                found.append(Finding(report["check_type"], record["resource"], record["check_result"]["result"],
                                     record.get("severity"), record.get("details") or [], record["file_path"],
                                     record.get("guideline")))
    return found


def scan(target: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess[str], list[Finding]]:
    result = checkov_cli(target, "-o", "json", *extra, env=env)
    assert result.returncode in (0, 1), f"checkov exited {result.returncode}\n{result.stderr[-3000:]}"
    assert "Cannot load external check" not in result.stderr, result.stderr[-3000:]
    return result, findings_from_json(result.stdout)


RENDERING_FRAMEWORKS = ("helm", "kustomize")  # Checkov renders these, and may report at the render folder


@functools.lru_cache(maxsize=None)
def corpus_scan(corpus: tuple[tuple[Path, str], ...], env: tuple[tuple[str, str], ...] = ()
                ) -> tuple[subprocess.CompletedProcess[str], dict[tuple[Path, str], list[Finding]]]:
    """The findings of each (folder, framework) of `corpus`, from ONE checkov run (environment `env`): the
    folders are copied side by side into one folder and scanned with every framework named. Run once per
    session for the same corpus, so the test files that read a corpus (the verdict corpus: verdicts per
    framework, reasons, variable files) pay one Checkov start-up and scan instead of one per folder. A finding
    belongs to the copy its file is in (a rendered manifest reported at its render folder: to the copy of its
    framework); what the other frameworks of the run report about a folder is left out (each folder is asked of
    its own framework, as a `--framework` run of that folder alone would be). The run and the findings are
    shared: read them, never change them."""
    root = Path(tempfile.mkdtemp(prefix="d9-verdict-corpus-"))
    atexit.register(shutil.rmtree, root, True)
    copies = {}
    for index, folder in enumerate(dict.fromkeys(folder for folder, _ in corpus)):
        copy = f"{index:02d}_{folder.name}"
        shutil.copytree(folder, root / copy)
        copies[copy] = folder
    result, findings = scan(root, "--framework", *sorted({framework for _, framework in corpus}), env=dict(env))
    found: dict[tuple[Path, str], list[Finding]] = {key: [] for key in corpus}
    for finding in findings:
        copy = finding.file_path.lstrip("/").split("/", 1)[0]
        if copy in copies:
            key = (copies[copy], finding.framework)
        else:
            rendered = [k for k in corpus if k[1] == finding.framework and finding.framework in RENDERING_FRAMEWORKS]
            assert len(rendered) == 1, f"{finding.resource} is reported in {finding.file_path}, outside the corpus"
            key = rendered[0]
        if key in found:
            found[key].append(finding)
    return result, found


@functools.lru_cache(maxsize=None)
def examples_reports() -> tuple[subprocess.CompletedProcess[str], Path]:
    """One `checkov -d examples/ --check <the rule>` run writing the cli, json, sarif and junitxml reports into a
    folder, read by the output tests and the --check selection test."""
    out = Path(tempfile.mkdtemp(prefix="d9-examples-reports-"))
    atexit.register(shutil.rmtree, out, True)
    return write_reports(EXAMPLES, out), out
