"""Inline suppression, --check and --skip-check work with the rule's Checkov ID."""
import json

from checkov_harness import checkov_cli, examples_reports, findings_from_json, judged_check_ids, scan
from rule import CHECKOV_ID, EXAMPLES, FIXTURES, expected_verdict


def test_inline_skip_in_terraform_cloudformation_and_kubernetes():
    _, findings = scan(FIXTURES / "suppression")
    verdicts = {f.resource: f.verdict for f in findings}
    assert verdicts == {
        "aws_sagemaker_notebook_instance.skip_accepted_risk": "SKIPPED",
        "aws_sagemaker_notebook_instance.fail_not_suppressed": "FAILED",
        "AWS::SageMaker::NotebookInstance.SkipAcceptedRisk": "SKIPPED",
        "AWS::SageMaker::NotebookInstance.FailNotSuppressed": "FAILED",
        # Kubernetes: `checkov.io/skip<N>: D9_AWS_NET_49=<reason>` annotations
        "NotebookInstance.ml.skip-ack-accepted-risk": "SKIPPED",
        "NotebookInstance.default.skip-crossplane-accepted-risk": "SKIPPED",
        "NotebookInstance.ml.fail-crossplane-not-suppressed": "FAILED",
    }
    assert all(expected_verdict(r) == v for r, v in verdicts.items())
    assert {f.framework for f in findings if f.resource.startswith("NotebookInstance.")} == {"kubernetes"}


def test_skip_check_removes_only_this_rule():
    result = checkov_cli(EXAMPLES, "-o", "json", "--skip-check", CHECKOV_ID, check=None)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    assert findings_from_json(result.stdout) == []
    assert "CKV_AWS_122" in result.stdout, "the built-ins should still run"


def test_check_selects_only_this_rule():
    result, reports = examples_reports()  # `checkov -d examples --check <the rule>`, shared with test_outputs.py
    assert result.returncode == 1, result.stderr[-2000:]
    assert judged_check_ids(json.loads((reports / "results_json.json").read_text())) == {CHECKOV_ID}
