"""cfn-lint, AWS's own template linter, over every CloudFormation template among the fixtures and examples.
A template must have no cfn-lint error (E*) except those stated here with their reason: intended (the shape
the rule must fail) or incidental (a resource the fixture leaves out because the rule reads only notebooks).
Warnings (W*) are not asserted. cfn-lint is in the checkov lock file (tools/requirements/checkov.lock)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rule import ROOT

CFN_LINT = Path(sys.executable).parent / "cfn-lint"
LEFT_OUT = "GetAtt/Ref of a resource the fixture leaves out (the rule reads only notebooks)"
EXPECTED_ERRORS = {
    "tests/fixtures/cloudformation/cdk.out/ConditionsStack.template.json": {
        "E1010": LEFT_OUT, "E1151": "VpcId 'vpc-1', a placeholder"},
    "tests/fixtures/cloudformation/cdk.out/MlStack.template.json": {"E1010": LEFT_OUT, "E1020": LEFT_OUT},
    "tests/fixtures/cloudformation/conditions_and_subnets.yaml": {
        "E1017": "intended: Fn::Select [2, [one subnet]], an index out of range",
        "E1028": "intended: Fn::If on NoSuchCondition (FailIfMissingCondition)"},
    "tests/fixtures/cloudformation/notebooks.yaml": {
        "E1010": LEFT_OUT, "E1150": "SecurityGroupIds 'sg-1', a placeholder",
        "E3003": "intended: FailNoProperties has no Properties",
        "E3030": "intended: DirectInternetAccess 'disabled', a list, false and null",
        "E3012": "intended: DirectInternetAccess is a list",
        "E1154": "intended: SubnetId ''", "E3031": "intended: SubnetId ''"},
    "tests/fixtures/malformed/broken.json": {"E0000": "intended: not parsable"},
    "tests/fixtures/malformed/broken.yaml": {"E0000": "intended: not parsable"},
    "tests/fixtures/silent/cloudformation/pasted.yaml": {
        "E0000": "intended: text pasted after the YAML, which Checkov cannot parse (the inventory reports it)"},
}
# Not flagged by cfn-lint 1.58, so stated here: tests/fixtures/cloudformation/find_in_map_default_without_transform.yaml
# uses DefaultValue without AWS::LanguageExtensions (documented only under that transform: the rule fails
# closed); iac_hunt/cfn_novalue_list_select picks from a list holding AWS::NoValue (the rule fails closed).


def cloudformation_templates() -> list[Path]:
    found = []
    for base in (ROOT / "tests" / "fixtures", ROOT / "examples"):
        for path in sorted(base.rglob("*")):
            if (path.is_file() and path.suffix in (".yaml", ".yml", ".json", ".template")
                    and not path.name.startswith("serverless.")
                    and not {"kubernetes", "kustomize", "helm"} & set(path.relative_to(ROOT).parts)
                    and "AWS::SageMaker::NotebookInstance" in path.read_text(errors="replace")):
                found.append(path)
    return found


TEMPLATES = cloudformation_templates()


def test_every_template_fixture_is_linted():
    assert len(TEMPLATES) >= 25
    assert {str(p.relative_to(ROOT)) for p in TEMPLATES} >= set(EXPECTED_ERRORS)


@pytest.fixture(scope="module")
def errors_by_template() -> dict[str, set[str]]:
    """One cfn-lint process over every template (its start-up costs seconds), its errors split per file."""
    assert CFN_LINT.is_file(), "cfn-lint is missing from the checkov environment (tools/requirements/checkov.lock)"
    result = subprocess.run([str(CFN_LINT), "--format", "json", "--", *map(str, TEMPLATES)], capture_output=True,
                            text=True, timeout=900, cwd=ROOT)
    errors: dict[str, set[str]] = {str(p.relative_to(ROOT)): set() for p in TEMPLATES}
    for match in json.loads(result.stdout):
        name = str(Path(match["Filename"]).resolve().relative_to(ROOT))
        assert name in errors, f"cfn-lint reported a file it was not given: {name}"
        if match["Rule"]["Id"].startswith("E"):
            errors[name].add(match["Rule"]["Id"])
    return errors


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_cfn_lint_errors_are_the_stated_ones(errors_by_template, path):
    name = str(path.relative_to(ROOT))
    assert errors_by_template[name] == set(EXPECTED_ERRORS.get(name, {})), name
