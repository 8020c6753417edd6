"""Inputs a reviewer found that an earlier version wrongly PASSED (tests/fixtures/terraform_hunt/, one
folder per case, each checked against real Terraform). Every reported notebook must FAIL, with a reason.

Two cases hide a notebook from Checkov itself (python-hcl2 misreads an empty heredoc; Python's json keeps
only the last of two "resource" keys): the notebook Checkov does report next to it fails closed instead.
"""
from collections import Counter

from checkov_harness import scan
from rule import FIXTURES

HUNT = FIXTURES / "terraform_hunt"
# (framework, resource) of every notebook Checkov reports; fail_open_* in three cases are never reported
EXPECTED = {("terraform_json", f"resource.fail_nb_{case}") for case in
            ("json_duplicate_resource_key", "minor_json_duplicate_attribute", "tfjson_module_input")} | {
    ("terraform", f"aws_sagemaker_notebook_instance.fail_nb_{p.name}") for p in HUNT.iterdir()
    if p.is_dir() and p.name != "tfjson_module_input" and any(p.glob("*.tf"))}


def test_every_held_out_case_fails_with_a_reason():
    _, findings = scan(HUNT, "--framework", "terraform", "terraform_json")
    assert Counter((f.framework, f.resource) for f in findings) == Counter(EXPECTED)
    passed = [f.resource for f in findings if f.verdict != "FAILED"]
    assert passed == []
    assert all(f.details and "could not be evaluated" not in f.details[0] for f in findings)
