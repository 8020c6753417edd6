"""cli, json, sarif and junitxml all show the ID, severity HIGH and the guideline."""
import json
import subprocess
import xml.etree.ElementTree as ET

import pytest
from checkov_harness import CHECKOV, RULE_FRAMEWORKS, checkov_cli, examples_reports, report_parts
from rule import CHECKOV_ID, EXAMPLE_NAMES, EXAMPLES, EXAMPLES_FAILING, RULE

from rule import GUIDELINE_URL as GUIDELINE


@pytest.fixture(scope="module")
def outputs():
    result, out = examples_reports()
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


def _records(stdout: str) -> dict[tuple[str, ...], dict]:
    """Every record of a JSON report, by framework, check, resource, file and result."""
    found = {}
    for report in report_parts(json.loads(stdout)):
        for bucket in ("passed_checks", "failed_checks", "skipped_checks"):
            for record in report.get("results", {}).get(bucket, []):
                key = (report["check_type"], record["check_id"], record["resource"], record["file_path"], bucket)
                assert key not in found, key
                found[key] = _canonical(record)
    return found


def _canonical(value):
    """The record with lists of strings sorted (graph checks list their evaluated keys in set order)."""
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        items = [_canonical(v) for v in value]
        return sorted(items) if all(isinstance(v, str) for v in items) else items
    return value


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


@pytest.fixture(scope="module")
def with_and_without_rule():
    """Checkov over examples/ with every built-in check of the rule's frameworks, with and without the folder."""
    frameworks = ["--framework", *RULE_FRAMEWORKS, "-o", "json"]
    ours = checkov_cli(EXAMPLES, *frameworks, check=None)
    assert ours.returncode == 1 and "Cannot load external check" not in ours.stderr, ours.stderr[-2000:]
    built_in = subprocess.run([str(CHECKOV), "-d", str(EXAMPLES), "--skip-download", *frameworks],
                              capture_output=True, text=True, timeout=600)
    assert built_in.returncode == 1, built_in.stderr[-2000:]
    return _records(ours.stdout), _records(built_in.stdout)


def test_the_rule_changes_no_other_record_and_adds_no_key(with_and_without_rule):
    """The details reach only this rule's records: no record of another check changes, and no private key
    (formerly `d9_details` in check_result) appears anywhere in the report."""
    ours, built_in = with_and_without_rule
    assert "d9_details" not in {k for record in ours.values() for k in _keys(record)}
    others = {key: record for key, record in ours.items() if key[1] != CHECKOV_ID}
    assert len(others) > 20 and others == built_in  # the same records, field for field
    mine = {key: record for key, record in ours.items() if key[1] == CHECKOV_ID}
    assert len(mine) == len(EXAMPLE_NAMES)
    for (framework, _, resource, _, bucket), record in mine.items():
        # every framework's failed records carry the reason; passed ones none
        assert bool(record["details"]) == (bucket == "failed_checks"), (framework, resource, record["details"])
        assert set(record["check_result"]) <= {"result", "evaluated_keys", "suppress_comment"}, record["check_result"]
        assert len(record["benchmarks"]) == 13
