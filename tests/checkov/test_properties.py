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

# Conditions as data: leaves whose truth follows from parameter Defaults (or literals), leaves that cannot be
# computed (a parameter without Default, a pseudo parameter), and Fn::Not/And/Or/Condition over them.
CONDITION_LEAVES = st.one_of(
    st.tuples(st.just("default"), st.booleans()), st.tuples(st.just("number_default"), st.booleans()),
    st.tuples(st.just("literal"), st.booleans()), st.tuples(st.just("mapping"), st.booleans()),
    st.just(("no_default",)), st.just(("pseudo",)))
CONDITIONS = st.recursive(CONDITION_LEAVES, lambda inner: st.one_of(
    st.tuples(st.just("not"), inner), st.tuples(st.just("named"), inner),
    st.tuples(st.just("and"), st.lists(inner, min_size=2, max_size=3)),
    st.tuples(st.just("or"), st.lists(inner, min_size=2, max_size=3))), max_leaves=5)


def condition_truth(spec: tuple) -> bool | None:
    """The oracle's truth of a condition under the parameter Defaults; None when it depends on a value
    not known before deployment (three-valued: `false and unknown` is false, `true or unknown` is true)."""
    kind = spec[0]
    if kind in ("default", "number_default", "literal", "mapping"):
        return spec[1]
    if kind in ("no_default", "pseudo"):
        return None
    if kind == "named":
        return condition_truth(spec[1])
    if kind == "not":
        inner = condition_truth(spec[1])
        return None if inner is None else not inner
    truths = [condition_truth(s) for s in spec[1]]
    decisive = kind == "or"
    if decisive in truths:
        return decisive
    return None if None in truths else not decisive


def chosen(spec: tuple, if_true, if_false) -> list:
    truth = condition_truth(spec)
    return [if_true, if_false] if truth is None else [if_true if truth else if_false]


BRANCH_WORDS = st.just("Disabled") | WORDS  # both branches Disabled is the interesting PASS of an unknown condition
CFN_VALUES = st.one_of(
    st.tuples(st.just("literal"), WORDS), st.tuples(st.just("number"), st.integers(-5, 5)),
    st.tuples(st.just("bool"), st.booleans()), st.tuples(st.just("list"), WORDS), st.just(("null",)),
    st.just(("absent",)), st.just(("novalue",)), st.tuples(st.just("param_default"), WORDS),
    st.just(("param_no_default",)), st.tuples(st.just("if"), WORDS, WORDS), st.tuples(st.just("mapping"), WORDS),
    st.tuples(st.just("sub_literal"), st.text("abcDEils", min_size=1, max_size=10) | st.just("Disabled")),
    st.tuples(st.just("ssm_default"), WORDS),
    st.tuples(st.just("if_condition"), CONDITIONS, BRANCH_WORDS, BRANCH_WORDS),
    st.tuples(st.just("if_condition_novalue"), CONDITIONS, BRANCH_WORDS),
    st.tuples(st.just("join_if"), CONDITIONS, st.sampled_from(["Dis", "En", "dis", "", "Disabled"]),
              st.sampled_from(["Dis", "En", "Disabled "]), st.sampled_from(["abled", "", " "])))
# Subnets: set (a subnet ID or a reference) or not (absent, AWS::NoValue, or a fold to "" / whitespace)
SUBNETS_SET = ["literal", "ref", "import", "getatt", "sub_literal", "sub_variable", "join_literal", "join_ref",
               "select_literal", "select_list_parameter", "parameter_default"]
SUBNETS_UNSET = ["empty", "null", "absent", "novalue", "number", "if_maybe_absent", "sub_empty", "sub_blank",
                 "sub_default_empty", "join_empty_list", "join_empty_strings", "select_empty",
                 "parameter_default_empty"]
SUBNET_BRANCHES = ["ref", "literal", "import", "novalue", "empty", "sub_empty", "join_empty_strings"]
CFN_SUBNETS = st.one_of(st.sampled_from(SUBNETS_SET + SUBNETS_UNSET).map(lambda kind: (kind,)),
                        st.tuples(st.just("if_condition"), CONDITIONS, st.sampled_from(SUBNET_BRANCHES),
                                  st.sampled_from(SUBNET_BRANCHES)))


def cfn_expected(value: tuple, subnet: tuple) -> str:
    kind = value[0]
    if kind in ("literal", "param_default", "mapping", "sub_literal"):
        received = [value[1]]
    elif kind == "if":
        received = [value[1], value[2]]  # condition over a parameter without default: both branches
    elif kind == "if_condition":
        received = chosen(value[1], value[2], value[3])
    elif kind == "if_condition_novalue":
        received = chosen(value[1], value[2], None)
    elif kind == "join_if":
        received = [part + value[4] for part in chosen(value[1], value[2], value[3])]
    else:  # not a string, absent, unresolved, or an SSM parameter (its Default names the parameter)
        received = [None]
    if subnet[0] == "if_condition":
        has_subnet = all(branch in SUBNETS_SET for branch in chosen(subnet[1], subnet[2], subnet[3]))
    else:
        has_subnet = subnet[0] in SUBNETS_SET
    return "PASSED" if all(v == "Disabled" for v in received) and has_subnet else "FAILED"


class Declarations:
    """Parameters, Mappings and Conditions a notebook's values need, with names unique per notebook."""

    def __init__(self, index: int) -> None:
        self.index, self.count = index, 0
        self.parameters: dict = {}
        self.mappings: dict = {}
        self.conditions: dict = {}

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.index}x{self.count}"

    def condition(self, spec: tuple) -> str:
        name = self.name("Cond")
        expression = self._expression(spec)
        if "Condition" in expression:  # a top-level entry must be a condition function
            expression = {"Fn::And": [expression, {"Fn::Equals": ["a", "a"]}]}
        self.conditions[name] = expression
        return name

    def _expression(self, spec: tuple) -> dict:
        kind = spec[0]
        if kind == "default":
            parameter = self.name("Env")
            self.parameters[parameter] = {"Type": "String", "Default": "prod"}
            return {"Fn::Equals": [{"Ref": parameter}, "prod" if spec[1] else "dev"]}
        if kind == "number_default":
            parameter = self.name("Count")
            self.parameters[parameter] = {"Type": "Number", "Default": 3}
            return {"Fn::Equals": [{"Ref": parameter}, 3 if spec[1] else 4]}
        if kind == "literal":
            return {"Fn::Equals": ["x", "x" if spec[1] else "y"]}
        if kind == "mapping":
            parameter, mapping = self.name("Tier"), self.name("Tiers")
            self.parameters[parameter] = {"Type": "String", "Default": "private"}
            self.mappings[mapping] = {"private": {"Internet": "off"}, "public": {"Internet": "on"}}
            return {"Fn::Equals": [{"Fn::FindInMap": [mapping, {"Ref": parameter}, "Internet"]},
                                   "off" if spec[1] else "on"]}
        if kind == "no_default":
            parameter = self.name("Open")
            self.parameters[parameter] = {"Type": "String"}
            return {"Fn::Equals": [{"Ref": parameter}, "yes"]}
        if kind == "pseudo":
            return {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}
        if kind == "named":
            return {"Condition": self.condition(spec[1])}
        if kind == "not":
            return {"Fn::Not": [self._expression(spec[1])]}
        return {"Fn::And" if kind == "and" else "Fn::Or": [self._expression(s) for s in spec[1]]}


def cfn_subnet(kind: str, declared: Declarations):
    if kind == "sub_default_empty":
        parameter = declared.name("SubnetEmpty")
        declared.parameters[parameter] = {"Type": "String", "Default": ""}
        return {"Fn::Sub": "${" + parameter + "}"}
    if kind in ("parameter_default", "parameter_default_empty"):
        parameter = declared.name("SubnetDefault")
        declared.parameters[parameter] = {"Type": "String",
                                          "Default": "subnet-0def" if kind == "parameter_default" else ""}
        return {"Ref": parameter}
    return {"literal": "subnet-0abc", "ref": {"Ref": "Subnet"}, "import": {"Fn::ImportValue": "net-Subnet"},
            "getatt": {"Fn::GetAtt": ["Net", "SubnetId"]}, "empty": "", "null": None,
            "novalue": {"Ref": "AWS::NoValue"}, "number": 42,
            "if_maybe_absent": {"Fn::If": ["Always", {"Ref": "Subnet"}, {"Ref": "AWS::NoValue"}]},
            "sub_empty": {"Fn::Sub": ""}, "sub_blank": {"Fn::Sub": "  "}, "sub_literal": {"Fn::Sub": "subnet-0abc"},
            "sub_variable": {"Fn::Sub": "${Subnet}"}, "join_empty_list": {"Fn::Join": ["", []]},
            "join_empty_strings": {"Fn::Join": ["", ["", ""]]}, "join_literal": {"Fn::Join": ["-", ["subnet", "0abc"]]},
            "join_ref": {"Fn::Join": ["", [{"Ref": "Subnet"}]]}, "select_empty": {"Fn::Select": [0, [""]]},
            "select_literal": {"Fn::Select": ["1", ["", "subnet-0abc"]]},
            "select_list_parameter": {"Fn::Select": [0, {"Ref": "Subnets"}]}}[kind]


def cfn_resource(index: int, value: tuple, subnet: tuple) -> tuple[dict, Declarations]:
    """(resource, its declarations) as plain JSON-able data; intrinsics in their long form."""
    kind, declared = value[0], Declarations(index)
    properties: dict = {"InstanceType": "ml.t3.medium", "RoleArn": "arn:aws:iam::123456789012:role/r"}
    setting = {
        "literal": lambda: value[1], "number": lambda: value[1], "bool": lambda: value[1], "list": lambda: [value[1]],
        "null": lambda: None, "novalue": lambda: {"Ref": "AWS::NoValue"},
        "param_default": lambda: {"Ref": f"Mode{index}"}, "param_no_default": lambda: {"Ref": f"Mode{index}"},
        "ssm_default": lambda: {"Ref": f"Mode{index}"},
        "if": lambda: {"Fn::If": ["Always", value[1], value[2]]},
        "mapping": lambda: {"Fn::FindInMap": [f"Map{index}", "key", "value"]},
        "sub_literal": lambda: {"Fn::Sub": value[1]},
        "if_condition": lambda: {"Fn::If": [declared.condition(value[1]), value[2], value[3]]},
        "if_condition_novalue": lambda: {"Fn::If": [declared.condition(value[1]), value[2], {"Ref": "AWS::NoValue"}]},
        "join_if": lambda: {"Fn::Join": ["", [{"Fn::If": [declared.condition(value[1]), value[2], value[3]]},
                                              value[4]]]},
    }
    if kind in setting:
        properties["DirectInternetAccess"] = setting[kind]()
    if kind == "param_default":
        declared.parameters[f"Mode{index}"] = {"Type": "String", "Default": value[1]}
    elif kind == "param_no_default":
        declared.parameters[f"Mode{index}"] = {"Type": "String"}
    elif kind == "ssm_default":
        declared.parameters[f"Mode{index}"] = {"Type": "AWS::SSM::Parameter::Value<String>", "Default": value[1]}
    elif kind == "mapping":
        declared.mappings[f"Map{index}"] = {"key": {"value": value[1]}}
    if subnet[0] == "if_condition":
        properties["SubnetId"] = {"Fn::If": [declared.condition(subnet[1]), cfn_subnet(subnet[2], declared),
                                             cfn_subnet(subnet[3], declared)]}
    elif subnet[0] != "absent":
        properties["SubnetId"] = cfn_subnet(subnet[0], declared)
    return {"Type": "AWS::SageMaker::NotebookInstance", "Properties": properties}, declared


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
                      "Parameters": {"Subnet": {"Type": "AWS::EC2::Subnet::Id"}, "Env": {"Type": "String"},
                                     "Subnets": {"Type": "List<AWS::EC2::Subnet::Id>"}},
                      "Conditions": {"Always": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
                      "Mappings": {}, "Resources": {}}
    for i, (value, subnet) in enumerate(notebooks):
        resource, declared = cfn_resource(i, value, subnet)
        template["Resources"][f"Nb{i}"] = resource
        template["Parameters"].update(declared.parameters)
        template["Mappings"].update(declared.mappings)
        template["Conditions"].update(declared.conditions)
    if not template["Mappings"]:
        del template["Mappings"]
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / "template.json").write_text(json.dumps(template, indent=1))
        found = verdicts(CloudFormationRunner(), Path(work))
    expected = {f"AWS::SageMaker::NotebookInstance.Nb{i}": cfn_expected(v, s) for i, (v, s) in enumerate(notebooks)}
    assert found == expected, notebooks
