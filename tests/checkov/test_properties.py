"""Generated notebooks through Checkov's real runners must match a small reference oracle of the rule.

The oracle knows only the rule: PASS exactly when AWS would receive `Disabled` and a subnet. It does not
share code with the check.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from checkov.cloudformation.runner import Runner as CloudFormationRunner
from checkov.runner_filter import RunnerFilter
from checkov.terraform.runner import Runner as TerraformRunner
from checkov_harness import CHECKS_DIR
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rule import CHECKOV_ID

WORDS = st.sampled_from(["Disabled", "Enabled", "disabled", "DISABLED", "enabled", " Disabled", "Disabled ", "",
                         "Dis abled", "None", "null", "true"]) | st.text("abcdDEis- ", max_size=10)
# CI replays the same derandomized 100 examples per test; D9_PROPERTY_EXAMPLES=N explores N random ones.
PROPERTIES = settings(max_examples=int(os.environ.get("D9_PROPERTY_EXAMPLES", "100")), deadline=None,
                      derandomize="D9_PROPERTY_EXAMPLES" not in os.environ,
                      suppress_health_check=[HealthCheck.too_slow])


def hcl_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid HCL string for this alphabet


# ---- Terraform: (value, subnet) specs -> source, and the oracle's expectation

TF_VALUES = st.one_of(
    st.tuples(st.just("literal"), WORDS), st.tuples(st.just("number"), st.integers(-5, 5)),
    st.tuples(st.just("bool"), st.booleans()), st.tuples(st.just("list"), WORDS), st.just(("null",)),
    st.just(("absent",)), st.tuples(st.just("var_default"), WORDS), st.just(("var_no_value",)),
    st.tuples(st.just("local"), WORDS), st.tuples(st.just("conditional_default"), st.booleans(), WORDS, WORDS),
    st.tuples(st.just("conditional_no_value"), WORDS, WORDS), st.tuples(st.just("comparison_no_value"), WORDS, WORDS))
TF_SUBNETS = st.sampled_from(["literal", "reference", "empty", "null", "absent", "var_null", "var_no_value",
                              "var_default", "number"])


def tf_expected(value: tuple, subnet: str) -> str:
    kind = value[0]
    # a condition nobody can evaluate still proves a value when both branches are that value
    received = {"literal": lambda: value[1], "var_default": lambda: value[1], "local": lambda: value[1],
                "conditional_default": lambda: value[2] if value[1] else value[3],
                "conditional_no_value": lambda: value[1] if value[1] == value[2] else None,
                "comparison_no_value": lambda: value[1] if value[1] == value[2] else None}.get(kind, lambda: None)()
    has_subnet = subnet in ("literal", "reference", "var_no_value", "var_default")
    return "PASSED" if received == "Disabled" and has_subnet else "FAILED"


def tf_source(index: int, value: tuple, subnet: str) -> str:
    name = f"nb_{index}"
    lines, declarations = [], []
    kind = value[0]
    if kind == "literal":
        lines.append(f"direct_internet_access = {hcl_string(value[1])}")
    elif kind == "number":
        lines.append(f"direct_internet_access = {value[1]}")
    elif kind == "bool":
        lines.append(f"direct_internet_access = {str(value[1]).lower()}")
    elif kind == "list":
        lines.append(f"direct_internet_access = [{hcl_string(value[1])}]")
    elif kind == "null":
        lines.append("direct_internet_access = null")
    elif kind == "var_default":
        declarations.append(f'variable "mode_{index}" {{\n  default = {hcl_string(value[1])}\n}}')
        lines.append(f"direct_internet_access = var.mode_{index}")
    elif kind == "var_no_value":
        declarations.append(f'variable "mode_{index}" {{\n  type = string\n}}')
        lines.append(f"direct_internet_access = var.mode_{index}")
    elif kind == "local":
        declarations.append(f"locals {{\n  mode_{index} = {hcl_string(value[1])}\n}}")
        lines.append(f"direct_internet_access = local.mode_{index}")
    elif kind == "conditional_default":
        declarations.append(f'variable "flag_{index}" {{\n  default = {str(value[1]).lower()}\n}}')
        lines.append(f"direct_internet_access = var.flag_{index} ? {hcl_string(value[2])} : {hcl_string(value[3])}")
    elif kind == "conditional_no_value":
        declarations.append(f'variable "flag_{index}" {{\n  type = bool\n}}')
        lines.append(f"direct_internet_access = var.flag_{index} ? {hcl_string(value[1])} : {hcl_string(value[2])}")
    elif kind == "comparison_no_value":
        declarations.append(f'variable "env_{index}" {{\n  type = string\n}}')
        lines.append(f'direct_internet_access = var.env_{index} == "dev" ? {hcl_string(value[1])} : '
                     f"{hcl_string(value[2])}")
    subnet_line = {
        "literal": 'subnet_id = "subnet-0abc"', "reference": "subnet_id = aws_subnet.private.id",
        "empty": 'subnet_id = ""', "null": "subnet_id = null", "absent": None, "number": "subnet_id = 42",
        "var_null": f"subnet_id = var.subnet_{index}", "var_no_value": f"subnet_id = var.subnet_{index}",
        "var_default": f"subnet_id = var.subnet_{index}"}[subnet]
    if subnet == "var_null":
        declarations.append(f'variable "subnet_{index}" {{\n  type    = string\n  default = null\n}}')
    elif subnet == "var_no_value":
        declarations.append(f'variable "subnet_{index}" {{\n  type = string\n}}')
    elif subnet == "var_default":
        declarations.append(f'variable "subnet_{index}" {{\n  default = "subnet-0def"\n}}')
    body = "\n".join(f"  {line}" for line in ['name = "nb"', 'role_arn = "arn:aws:iam::123456789012:role/r"',
                                               'instance_type = "ml.t3.medium"', *lines, subnet_line] if line)
    return "\n\n".join([*declarations, f'resource "aws_sagemaker_notebook_instance" "{name}" {{\n{body}\n}}']) + "\n"


# ---- CloudFormation

CFN_VALUES = st.one_of(
    st.tuples(st.just("literal"), WORDS), st.tuples(st.just("number"), st.integers(-5, 5)),
    st.tuples(st.just("bool"), st.booleans()), st.tuples(st.just("list"), WORDS), st.just(("null",)),
    st.just(("absent",)), st.just(("novalue",)), st.tuples(st.just("param_default"), WORDS),
    st.just(("param_no_default",)), st.tuples(st.just("if"), WORDS, WORDS), st.tuples(st.just("mapping"), WORDS),
    st.tuples(st.just("sub_literal"), st.text("abcDEils", min_size=1, max_size=10) | st.just("Disabled")))
CFN_SUBNETS = st.sampled_from(["literal", "ref", "import", "getatt", "empty", "null", "absent", "novalue",
                               "if_maybe_absent", "number"])


def cfn_expected(value: tuple, subnet: str) -> str:
    kind = value[0]
    if kind in ("literal", "param_default", "mapping", "sub_literal"):
        received = [value[1]]
    elif kind == "if":
        received = [value[1], value[2]]
    else:
        received = [None]
    has_subnet = subnet in ("literal", "ref", "import", "getatt")
    return "PASSED" if all(v == "Disabled" for v in received) and has_subnet else "FAILED"


def cfn_resource(index: int, value: tuple, subnet: str) -> tuple[dict, dict, dict]:
    """(resource, parameters, mappings) as plain JSON-able data; intrinsics in their long form."""
    kind, parameters, mappings = value[0], {}, {}
    properties: dict = {"InstanceType": "ml.t3.medium", "RoleArn": "arn:aws:iam::123456789012:role/r"}
    setting = {
        "literal": lambda: value[1], "number": lambda: value[1], "bool": lambda: value[1], "list": lambda: [value[1]],
        "null": lambda: None, "novalue": lambda: {"Ref": "AWS::NoValue"},
        "param_default": lambda: {"Ref": f"Mode{index}"}, "param_no_default": lambda: {"Ref": f"Mode{index}"},
        "if": lambda: {"Fn::If": ["Always", value[1], value[2]]},
        "mapping": lambda: {"Fn::FindInMap": [f"Map{index}", "key", "value"]},
        "sub_literal": lambda: {"Fn::Sub": value[1]},
    }
    if kind in setting:
        properties["DirectInternetAccess"] = setting[kind]()
    if kind == "param_default":
        parameters[f"Mode{index}"] = {"Type": "String", "Default": value[1]}
    elif kind == "param_no_default":
        parameters[f"Mode{index}"] = {"Type": "String"}
    elif kind == "mapping":
        mappings[f"Map{index}"] = {"key": {"value": value[1]}}
    subnet_value = {"literal": "subnet-0abc", "ref": {"Ref": "Subnet"}, "import": {"Fn::ImportValue": "net-Subnet"},
                    "getatt": {"Fn::GetAtt": ["Net", "SubnetId"]}, "empty": "", "null": None,
                    "novalue": {"Ref": "AWS::NoValue"}, "number": 42,
                    "if_maybe_absent": {"Fn::If": ["Always", {"Ref": "Subnet"}, {"Ref": "AWS::NoValue"}]}}
    if subnet != "absent":
        properties["SubnetId"] = subnet_value[subnet]
    return {"Type": "AWS::SageMaker::NotebookInstance", "Properties": properties}, parameters, mappings


def verdicts(runner, folder: Path) -> dict[str, str]:
    report = runner.run(root_folder=str(folder), external_checks_dir=[str(CHECKS_DIR)],
                        runner_filter=RunnerFilter(checks=[CHECKOV_ID], framework=[runner.check_type]))
    return {r.resource: r.check_result["result"].name for r in report.passed_checks + report.failed_checks
            if r.check_id == CHECKOV_ID}


@PROPERTIES
@given(st.lists(st.tuples(TF_VALUES, TF_SUBNETS), min_size=1, max_size=8))
def test_terraform_matches_oracle(notebooks):
    with tempfile.TemporaryDirectory() as work:
        sources = ['resource "aws_subnet" "private" {\n  vpc_id     = "vpc-1"\n  cidr_block = "10.0.0.0/24"\n}\n']
        sources += [tf_source(i, value, subnet) for i, (value, subnet) in enumerate(notebooks)]
        (Path(work) / "main.tf").write_text("\n".join(sources))
        found = verdicts(TerraformRunner(), Path(work))
    expected = {f"aws_sagemaker_notebook_instance.nb_{i}": tf_expected(v, s) for i, (v, s) in enumerate(notebooks)}
    assert found == expected, notebooks


@PROPERTIES
@given(st.lists(st.tuples(CFN_VALUES, CFN_SUBNETS), min_size=1, max_size=8))
def test_cloudformation_matches_oracle(notebooks):
    template: dict = {"AWSTemplateFormatVersion": "2010-09-09",
                      "Parameters": {"Subnet": {"Type": "AWS::EC2::Subnet::Id"}, "Env": {"Type": "String"}},
                      "Conditions": {"Always": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
                      "Mappings": {}, "Resources": {}}
    for i, (value, subnet) in enumerate(notebooks):
        resource, parameters, mappings = cfn_resource(i, value, subnet)
        template["Resources"][f"Nb{i}"] = resource
        template["Parameters"].update(parameters)
        template["Mappings"].update(mappings)
    if not template["Mappings"]:
        del template["Mappings"]
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / "template.json").write_text(json.dumps(template, indent=1))
        found = verdicts(CloudFormationRunner(), Path(work))
    expected = {f"AWS::SageMaker::NotebookInstance.Nb{i}": cfn_expected(v, s) for i, (v, s) in enumerate(notebooks)}
    assert found == expected, notebooks
