"""Bad input never silences the rule: malformed neighbours, odd value shapes, no stray policy files."""
from __future__ import annotations

import importlib.util
import reprlib
import shutil

import pytest
from checkov.common.models.enums import CheckResult
from checkov_harness import CHECKS_DIR, scan
from rule import EXAMPLE_NAMES, EXAMPLES, FIXTURES, expected_verdict


def test_malformed_files_next_to_good_ones(tmp_path):
    shutil.copytree(EXAMPLES, tmp_path, dirs_exist_ok=True)
    for broken in ("broken.tf", "broken.yaml", "broken.json"):
        shutil.copy(FIXTURES / "malformed" / broken, tmp_path / broken)
    result, findings = scan(tmp_path)
    assert result.returncode == 1  # findings, not a crash (2)
    assert len(findings) == len(EXAMPLE_NAMES)
    assert all(f.verdict == expected_verdict(f.resource) for f in findings)


def test_checks_dir_holds_only_python():
    # Checkov parses any .yaml/.json there as a graph policy; a bad one aborts the whole scan.
    stray = [p.name for p in CHECKS_DIR.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")]
    assert stray == []


@pytest.fixture(scope="module")
def check_module():
    path = CHECKS_DIR / "d9_aws_net_49_sagemaker_direct_internet.py"
    spec = importlib.util.spec_from_file_location("d9_check_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _deep(levels: int) -> dict:
    value: object = "Disabled"
    for level in range(levels):  # distinct conditions: deeper than the rule follows, so it fails closed
        value = {"Fn::If": [f"C{level}", value, "Disabled"]}
    return value  # type: ignore[return-value]


# Every one of these FAILS. (`Fn::Sub ["Disabled", {}]`, the list form with no variables, is not odd: it is
# the literal 'Disabled' and passes, see test_cloudformation_literal_folds.)
ODD_VALUES = [None, "", " ", 0, 1, 1.5, True, False, [], [[]], ["Disabled", "Disabled"], [None], {}, {"a": 1},
              {"Fn::If": "not-a-list"}, {"Fn::If": ["C", {"Fn::If": ["D", "Disabled", {"Ref": "X"}]}, "Disabled"]},
              {"Fn::Join": ["", ["Dis", {"Ref": "AWS::Region"}]]}, {"Fn::Sub": ["Disabled", "not-a-mapping"]},
              {"Fn::Sub": ["Disabled"]}, {"Fn::Sub": ["${X}", {"X": "Enabled"}]}, {"Fn::Sub": "${X}"}, {"Ref": None},
              {"Fn::If": ["C", "Disabled"]}, {"Fn::If": [{"Ref": "C"}, "Disabled", "Disabled"]},
              {"Fn::Select": ["-1", ["Disabled"]]}, {"Fn::Select": [True, ["Disabled"]]},
              {"Fn::Select": [0, {"Ref": "List"}]}, {"Fn::Join": [{"Ref": "D"}, ["Disabled"]]},
              {"Fn::Join": ["", [{"Ref": "AWS::NoValue"}, "Disabled"]]}, {"Fn::FindInMap": ["M", "k", "v"]},
              {"Fn::Equals": ["Disabled", "Disabled"]}, {"Condition": "C"}, {"Fn::If": ["C", "Disabled", _deep(200)]},
              _deep(2000), {1: 2}, ("Disabled",), b"Disabled", object()]


@pytest.mark.parametrize("value", ODD_VALUES, ids=reprlib.repr)
@pytest.mark.parametrize("subnet", [None, "subnet-1", 7, ["subnet-1"], {"Ref": "S"}, {"Fn::If": ["C", "s", None]}],
                         ids=repr)
def test_odd_cloudformation_shapes_fail_closed_and_never_raise(check_module, value, subnet):
    # the fold itself, called directly: it must answer (an exception here would fail the test) and fail
    cfn, _ = check_module.cloudformation.evaluate_cloudformation(
        {"Type": "AWS::SageMaker::NotebookInstance", "Properties": {"DirectInternetAccess": value, "SubnetId": subnet}})
    assert cfn is False


def _nested_condition(levels: int) -> str:
    expression = '"Enabled"'
    for level in range(levels):  # distinct inputs without a value: no branch is known
        expression = f'(var.c{level} ? {expression} : "Disabled")'
    return expression


# Terraform's odd shapes, written as HCL and judged by a real Checkov run (the check traces the source file:
# called on a bare dict it has none and fails whatever its evaluator does). Every one of these FAILS.
TF_ODD_VALUES = ['null', '""', '" "', '0', '1', '1.5', 'true', 'false', '[]', '[[]]', '["Disabled", "Disabled"]',
                 '[null]', '{}', '{ a = 1 }', '"disabled"', '"Disabled "', '"Enabled"', 'var.unset',
                 'var.c0 ? "Disabled" : "Enabled"', '["Enabled", "Disabled"][0]', 'upper("disabled")',
                 'jsonencode("Disabled")', '"${var.unset}"', _nested_condition(8)]
TF_ODD_SUBNETS = ['null', '"subnet-1"', '7', '["subnet-1"]', 'var.subnet', '{}']
# controls: the same run must PASS exact literals, or a check that fails everything would satisfy the above
TF_PASSING = [('"Disabled"', '"subnet-1"'), ('"Disabled"', 'var.subnet'), ('"Disabled"', 'aws_subnet.a.id')]
TF_NOT_IN_A_SUBNET = [('"Disabled"', 'null'), ('"Disabled"', '""'), ('"Disabled"', '" "')]


def _tf_cases() -> dict[str, tuple[str, str, str]]:
    """resource address -> (direct_internet_access, subnet_id, expected verdict)"""
    cases = {f"aws_sagemaker_notebook_instance.odd_{v}_{s}": (value, subnet, "FAILED")
             for v, value in enumerate(TF_ODD_VALUES) for s, subnet in enumerate(TF_ODD_SUBNETS)}
    cases.update({f"aws_sagemaker_notebook_instance.pass_{i}": (*pair, "PASSED") for i, pair in enumerate(TF_PASSING)})
    cases.update({f"aws_sagemaker_notebook_instance.no_subnet_{i}": (*pair, "FAILED")
                  for i, pair in enumerate(TF_NOT_IN_A_SUBNET)})
    return cases


TF_CASES = _tf_cases()


@pytest.fixture(scope="module")
def terraform_verdicts(tmp_path_factory):
    """One Checkov run over every Terraform case: resource address -> verdict."""
    folder = tmp_path_factory.mktemp("odd_terraform")
    variables = "".join(f'variable "{name}" {{}}\n' for name in ("unset", "subnet", *(f"c{i}" for i in range(8))))
    resources = "".join(
        f'resource "aws_sagemaker_notebook_instance" "{address.split(".")[1]}" {{\n'
        f'  name          = "{address.split(".")[1].replace("_", "-")}"\n  role_arn      = "arn:aws:iam::1:role/r"\n'
        f'  instance_type = "ml.t3.medium"\n  direct_internet_access = {value}\n  subnet_id = {subnet}\n}}\n'
        for address, (value, subnet, _) in TF_CASES.items())
    (folder / "main.tf").write_text(variables + 'resource "aws_subnet" "a" {\n  vpc_id = "vpc-1"\n}\n' + resources)
    _, findings = scan(folder, "--framework", "terraform")
    verdicts = {f.resource: f.verdict for f in findings}
    assert len(verdicts) == len(findings)  # one finding per notebook
    return verdicts


def test_every_terraform_case_was_judged(terraform_verdicts):
    # a notebook Checkov could not parse would be missing here, not judged
    assert sorted(terraform_verdicts) == sorted(TF_CASES)


@pytest.mark.parametrize("address", TF_CASES)
def test_odd_terraform_shapes_fail_closed(terraform_verdicts, address):
    value, subnet, expected = TF_CASES[address]
    assert terraform_verdicts.get(address) == expected, f"direct_internet_access = {value}, subnet_id = {subnet}"


@pytest.mark.parametrize("conf", [{}, {"Properties": None}, {"Properties": []}, {"Properties": "x"}, {"Properties": 3}])
def test_odd_cloudformation_resource_shapes(check_module, conf):
    assert check_module.cloudformation_check.scan_resource_conf(conf) == CheckResult.FAILED


# A plan resource's conf is Terraform's own values (no source to trace): these odd shapes are called directly.
@pytest.mark.parametrize("conf", [{}, {"direct_internet_access": []}, {"direct_internet_access": "Disabled"},
                                  {"direct_internet_access": ["Disabled"], "subnet_id": []},
                                  {"direct_internet_access": ["Disabled"], "subnet_id": ["s"], "__file__": ["/nope"],
                                   "__address__": "a.b"}])
def test_odd_terraform_plan_resource_shapes(check_module, conf):
    conf = {**conf, "__change_actions__": ["create"]}
    expected = CheckResult.PASSED if conf.get("subnet_id") == ["s"] else CheckResult.FAILED
    assert check_module.terraform_check.scan_resource_conf(conf) == expected


def test_exact_pass_in_both_languages(check_module):
    # Called outside a scan, Terraform has no source to trace: never a PASS from `conf` alone (a scan's
    # verdicts are test_odd_terraform_shapes_fail_closed's).
    check = check_module.terraform_check
    assert check.scan_resource_conf({"direct_internet_access": ["Disabled"], "subnet_id": ["aws_subnet.a.id"]}) \
        == CheckResult.FAILED
    assert "source was not found" in check.details[-1]
    assert check_module.cloudformation.evaluate_cloudformation(
        {"Properties": {"DirectInternetAccess": "Disabled", "SubnetId": {"Fn::ImportValue": "x"}}})[0] is True


def test_the_cloudformation_check_outside_a_scan_fails_closed(check_module):
    # Called outside Checkov's runners, the check cannot find the template: never a PASS from `conf` alone.
    check = check_module.cloudformation_check
    check.details = []
    assert check.scan_resource_conf({"Type": "AWS::SageMaker::NotebookInstance", "Properties": {
        "DirectInternetAccess": "Disabled", "SubnetId": "subnet-1"}}) == CheckResult.FAILED
    assert "runner was not found on the call stack" in check.details[-1]


# Without a template (evaluate_cloudformation called on a resource alone) literals still fold, references
# count as a subnet, and every condition is unknown.
@pytest.mark.parametrize("value, subnet, expected", [
    ({"Fn::Sub": ["Disabled", {}]}, "subnet-1", CheckResult.PASSED),
    ({"Fn::Sub": ["${X}", {"X": "Disabled"}]}, "subnet-1", CheckResult.PASSED),
    ({"Fn::Join": ["", [{"Fn::If": ["C", "Dis", "Dis"]}, "abled"]]}, {"Ref": "S"}, CheckResult.PASSED),
    ({"Fn::If": ["C", "Disabled", "Enabled"]}, "subnet-1", CheckResult.FAILED),  # no template: C is unknown
    ("Disabled", {"Fn::Sub": ""}, CheckResult.FAILED),
    ("Disabled", {"Fn::Sub": "  "}, CheckResult.FAILED),
    ("Disabled", {"Fn::Join": ["", []]}, CheckResult.FAILED),
    ("Disabled", {"Fn::Join": ["", ["", ""]]}, CheckResult.FAILED),
    ("Disabled", {"Fn::Select": [0, [""]]}, CheckResult.FAILED),
    ("Disabled", {"Fn::Select": ["1", ["subnet-1", {"Ref": "AWS::NoValue"}]]}, CheckResult.FAILED),
    ("Disabled", {"Fn::If": ["C", {"Fn::Sub": ""}, {"Ref": "S"}]}, CheckResult.FAILED),
    ("Disabled", {"Fn::Sub": "${S}"}, CheckResult.PASSED),
    ("Disabled", {"Fn::Join": ["", [{"Ref": "S"}]]}, CheckResult.PASSED),
    ("Disabled", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}, CheckResult.PASSED),
    ("Disabled", {"Fn::If": ["C", {"Ref": "S"}, "subnet-1"]}, CheckResult.PASSED),
], ids=repr)
def test_cloudformation_literal_folds(check_module, value, subnet, expected):
    passed, _ = check_module.cloudformation.evaluate_cloudformation(
        {"Type": "AWS::SageMaker::NotebookInstance", "Properties": {"DirectInternetAccess": value, "SubnetId": subnet}})
    assert (CheckResult.PASSED if passed else CheckResult.FAILED) == expected
