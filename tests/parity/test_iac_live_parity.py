"""One scenario table, every engine: Checkov on Terraform, CloudFormation and Kubernetes (ACK and Crossplane),
Prowler on a live account."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from rule import CHECKOV_ID, ROOT, VENVS

sys.path.insert(0, str(ROOT / "tools"))
from parity import (cloudformation_name, kubernetes_names, load_scenarios, terraform_name,  # noqa: E402
                    to_cloudformation, to_kubernetes, to_terraform)

SCENARIOS = load_scenarios()
CHECKOV = VENVS / "checkov" / "bin" / "checkov"


@pytest.fixture(scope="module")
def checkov_verdicts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("iac")
    (folder / "tf").mkdir()
    (folder / "tf" / "main.tf").write_text(to_terraform(SCENARIOS))
    (folder / "cfn").mkdir()
    (folder / "cfn" / "template.yaml").write_text(to_cloudformation(SCENARIOS))
    (folder / "k8s").mkdir()
    (folder / "k8s" / "notebooks.yaml").write_text(to_kubernetes(SCENARIOS))
    assert CHECKOV.is_file(), "the checkov environment is missing: run python3 tools/dev.py setup"
    result = subprocess.run([str(CHECKOV), "-d", str(folder), "--external-checks-dir", str(ROOT / "checkov_checks"),
                             "--check", CHECKOV_ID, "--skip-download", "-o", "json"], capture_output=True, text=True)
    assert result.returncode == 1, result.stderr[-3000:]
    records = [r for report in json.loads(result.stdout) for b in ("passed_checks", "failed_checks")
               for r in report["results"][b]]
    frameworks = {report["check_type"] for report in json.loads(result.stdout)}
    assert {"terraform", "cloudformation", "kubernetes"} <= frameworks, frameworks
    return {r["resource"].split(".")[-1]: r["check_result"]["result"][:4] for r in records}


@pytest.fixture(scope="module")
def prowler_verdicts(verdict_run):
    """{notebook: status} of the live scenarios, from the Prowler run shared with the end-to-end verdict test
    (tests/conftest.py verdict_run: the scenarios have a region of their own there)."""
    assert verdict_run.result.returncode == 3, verdict_run.result.stdout[-3000:] + verdict_run.result.stderr[-3000:]
    return verdict_run.parity


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s["name"] for s in SCENARIOS])
def test_engines_agree(scenario, checkov_verdicts, prowler_verdicts):
    expected = scenario["verdict"]
    assert checkov_verdicts[terraform_name(scenario)] == expected, "Terraform"
    assert checkov_verdicts[cloudformation_name(scenario)] == expected, "CloudFormation"
    ack, crossplane = kubernetes_names(scenario)
    assert checkov_verdicts[ack] == expected, "Kubernetes (ACK)"
    assert checkov_verdicts[crossplane] == expected, "Kubernetes (Crossplane)"
    if scenario["live"]:
        assert prowler_verdicts[scenario["name"]] == expected, "live account"
    else:
        assert scenario["name"] not in prowler_verdicts


def test_every_scenario_reached_every_engine(checkov_verdicts, prowler_verdicts):
    assert len(checkov_verdicts) == 4 * len(SCENARIOS)
    assert set(prowler_verdicts) == {s["name"] for s in SCENARIOS if s["live"]}
