"""cli, json, sarif and junitxml all show the ID, severity HIGH and the guideline."""
import json
import xml.etree.ElementTree as ET

import pytest
from checkov_harness import checkov_cli
from rule import CHECKOV_ID, EXAMPLE_NAMES, EXAMPLES, EXAMPLES_FAILING, RULE

from rule import GUIDELINE_URL as GUIDELINE


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = checkov_cli(EXAMPLES, "-o", "cli", "-o", "json", "-o", "sarif", "-o", "junitxml",
                         "--output-file-path", str(out))
    assert result.returncode == 1, result.stderr[-2000:]  # the bad examples fail
    return out


def test_cli(outputs):
    text = (outputs / "results_cli.txt").read_text()
    assert f"Check: {CHECKOV_ID}: \"{RULE['title']}\"" in text
    assert "Severity: HIGH" in text and f"Guide: {GUIDELINE}" in text
    assert "Details: DirectInternetAccess is not set" in text  # CloudFormation details reach the report


def test_json(outputs):
    reports = json.loads((outputs / "results_json.json").read_text())
    records = [r for rep in reports for b in ("passed_checks", "failed_checks") for r in rep["results"][b]]
    assert len(records) == len(EXAMPLE_NAMES) == 11
    # the frameworks of the rule card with their control IDs, in Terraform, CloudFormation and Kubernetes records
    assert {len(r["benchmarks"]) for r in records} == {13}
    assert all(r["benchmarks"]["AWS NIST 800-53 Rev 5"] == ["AC-4", "AC-4(21)", "SC-7", "SC-7(3)"] for r in records)
    assert {(r["check_id"], r["severity"], r["guideline"]) for r in records} == {
        (CHECKOV_ID, "HIGH", GUIDELINE)}


def test_sarif(outputs):
    sarif = json.loads((outputs / "results_sarif.sarif").read_text())
    rules = [r for run in sarif["runs"] for r in run["tool"]["driver"]["rules"] if r["id"] == CHECKOV_ID]
    assert rules, "rule missing from SARIF"
    assert all(r["helpUri"] == GUIDELINE for r in rules)
    assert all(float(r["properties"]["security-severity"]) >= 7.0 for r in rules)
    failing = [r for run in sarif["runs"] for r in run["results"] if r["ruleId"] == CHECKOV_ID]
    assert len(failing) == len(EXAMPLES_FAILING) == 7 and all(r["level"] == "error" for r in failing)


def test_junitxml(outputs):
    tree = ET.parse(outputs / "results_junitxml.xml")
    cases = [c for c in tree.iter("testcase") if c.get("name") == f"[HIGH][{CHECKOV_ID}] {RULE['title']}"]
    assert len(cases) == len(EXAMPLE_NAMES)
    failures = [c.find("failure") for c in cases if c.find("failure") is not None]
    assert len(failures) == len(EXAMPLES_FAILING)
    assert all(f"Guideline: {GUIDELINE}" in f.text for f in failures)
