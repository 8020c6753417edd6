"""Checkov adapter for CloudGuard rule D9.AWS.NET.49 (Terraform and CloudFormation).

Self-contained: everything it reads at import and scan time is a .py file of this folder (identity,
title, severity, guideline and frameworks in the generated d9_aws_net_49_rule_data.py), so the folder
works copied anywhere, pulled with --external-checks-git, and signed with --external-checks-public-key.
The verdict fails closed: anything that is not provably `Disabled` with a subnet FAILS with a details
line, because Checkov drops UNKNOWN results (and checks that raise) from every report.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import sys
from pathlib import Path
from typing import Any, Callable

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck as CfnCheck
from checkov.common.bridgecrew.severities import Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck as TerraformCheck

HERE = Path(__file__).resolve().parent
_FOLDER_KEY = hashlib.sha256(str(HERE).encode("utf-8")).hexdigest()[:12]


def _sibling_module(stem: str) -> Any:
    """Checkov executes each check file by path, outside any package, under its bare file stem. Siblings
    are loaded under a name unique to this folder, so that two copies of it in one process (a checkout and
    an installed bundle, or another team's copy) each use their own, whatever the folder is called."""
    name = f"{stem}__{_FOLDER_KEY}"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, HERE / f"{stem}.py")
        if spec is None or spec.loader is None:
            raise ImportError(f"D9.AWS.NET.49: {stem}.py is missing from {HERE}; copy the whole folder")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
    return module


rule_data = _sibling_module("d9_aws_net_49_rule_data")
CHECKOV_ID = rule_data.CHECKOV_ID
PASSING = rule_data.PASSING_VALUE  # "Disabled"; the API enum is case-sensitive
GUIDELINE = rule_data.GUIDELINE  # Check Point's public rule page: also the SARIF helpUri
BENCHMARKS = rule_data.BENCHMARKS
TERRAFORM_RESOURCE, CLOUDFORMATION_RESOURCE = rule_data.TERRAFORM_RESOURCE, rule_data.CLOUDFORMATION_RESOURCE

terraform_values = _sibling_module("d9_aws_net_49_terraform_values")
terraform_values.install_parse_capture(TERRAFORM_RESOURCE)  # reuse the trees of Checkov's own HCL parse (a speed-up)
ABSENT = terraform_values.ABSENT  # the property is not set: AWS applies its default (Enabled)


class Unresolved(Exception):
    """The engine could not tell what value AWS would receive."""


def _type_name(value: Any) -> str:
    # Checkov's YAML loader hands out subclasses such as ListNode/DictNode
    for kind, name in ((bool, "boolean"), (int, "number"), (float, "number"), (list, "list"), (dict, "mapping")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _describe(value: Any) -> str:
    return json.dumps(value, default=str) if not isinstance(value, str) else repr(value)


def judge(values: list[Any] | None, unresolved: str | None, subnet_problem: str | None, key: str) -> tuple[bool, str]:
    """Common verdict for both IaC languages, from the possible values of the setting."""
    if unresolved is not None:
        return False, f"{key} could not be resolved statically ({unresolved}); only a literal 'Disabled' passes"
    assert values is not None
    if ABSENT in values:
        where = "is not set" if len(values) == 1 else "is not set in at least one branch"
        return False, f"{key} {where}: AWS then enables direct internet access (the default is Enabled)"
    wrong = sorted({_describe(v) for v in values if v != PASSING})
    if wrong:
        return False, f"{key} is {', '.join(wrong)}; only exactly 'Disabled' (case-sensitive) turns direct internet access off"
    if subnet_problem is not None:
        return False, f"{key} is 'Disabled' but {subnet_problem}: AWS accepts Disabled only for a notebook in a VPC subnet"
    return True, f"{key} is 'Disabled' and the notebook is in a VPC subnet"


# ---------------------------------------------------------------- Terraform (HCL, .tf.json, plan JSON)

TF_KEY, TF_SUBNET = "direct_internet_access", "subnet_id"


def evaluate_plan(conf: dict[str, Any]) -> tuple[bool, str]:
    """A plan holds Terraform's own values: proof, except those known only after apply."""
    unknown = terraform_values.after_unknown(conf)
    value = terraform_values.unwrap(conf, TF_KEY)
    unresolved = None
    if unknown.get(TF_KEY) is True:
        unresolved = "known only after apply"
    elif value is not ABSENT and not isinstance(value, str):
        unresolved = f"a {_type_name(value)} {_describe(value)} where a string is expected"
    subnet = terraform_values.unwrap(conf, TF_SUBNET)
    subnet_problem = None
    if subnet is ABSENT or (isinstance(subnet, str) and not subnet.strip()):
        if unknown.get(TF_SUBNET) is not True:  # known only after apply still means "set"
            subnet_problem = "subnet_id is not set"
    elif not isinstance(subnet, str):
        subnet_problem = f"subnet_id is {_describe(subnet)}, not a subnet ID or reference"
    return judge([value], unresolved, subnet_problem, TF_KEY)


def evaluate_terraform(conf: dict[str, Any], locate: Callable[[], Any] | None) -> tuple[bool, str]:
    """HCL and .tf.json: the rule traces both attributes from the source itself (terraform_values).
    Checkov's rendered value in `conf` is not used: it is wrong both ways (a comparison on a variable
    without a value comes out false; `["Enabled", "Disabled"][1]` comes out "Enabled")."""
    if locate is None:
        return False, f"{TF_KEY} could not be traced: the notebook's source was not found; failing closed"
    try:
        notebook = locate()
    except terraform_values.Unproven as exc:
        return False, f"{TF_KEY} could not be traced: {exc}; failing closed"
    unresolved = None
    try:
        value = notebook.attribute(TF_KEY)
    except terraform_values.Unproven as exc:
        value, unresolved = None, str(exc)
    if unresolved is None and value is not ABSENT and not isinstance(value, str):
        unresolved = f"it is a {_type_name(value)} {_describe(value)} where a string is expected"
    conditions = notebook.conditions.get(TF_KEY)
    if unresolved is None and value != PASSING and conditions:  # name the branch, not just the value
        shown = "not set (AWS default Enabled)" if value is ABSENT else _describe(value)
        return False, (f"{TF_KEY} is {shown} in the branch chosen because {' and '.join(conditions)}; "
                       f"only exactly 'Disabled' turns direct internet access off")
    subnet_problem = None
    try:
        subnet = notebook.attribute(TF_SUBNET)
        if subnet is ABSENT:
            subnet_problem = "subnet_id is not set (or null)"
        elif isinstance(subnet, str) and not subnet.strip():
            subnet_problem = f"subnet_id is {subnet!r}"
        elif not isinstance(subnet, str):
            subnet_problem = f"subnet_id is {_describe(subnet)}, not a subnet ID or reference"
    except terraform_values.Unproven as exc:
        if not exc.reference:  # a resource, data source or required input is a subnet known at apply
            subnet_problem = f"subnet_id could not be traced ({exc})"
    return judge([value], unresolved, subnet_problem, TF_KEY)


# ---------------------------------------------------------------- CloudFormation (YAML/JSON, CDK, Serverless)

CFN_KEY, CFN_SUBNET = "DirectInternetAccess", "SubnetId"
cloudformation_values = _sibling_module("d9_aws_net_49_cloudformation_values")


def evaluate_cloudformation(conf: dict[str, Any],
                            scanned: tuple[dict[str, Any], Any] | None = None) -> tuple[bool, str]:
    """`scanned`: (the notebook's Properties as written, its cloudformation_values.Template), found by
    cloudformation_values.scanned_resource; without it Checkov's rendered `conf` is folded and every
    Fn::If condition is unknown (both branches must pass)."""
    template = None
    if isinstance(scanned, str):  # the template is not deployed as written
        return False, f"{CFN_KEY} could not be traced: {scanned}; failing closed"
    if scanned is not None:
        properties, template = scanned
    else:
        properties = conf.get("Properties")
        if properties is None:
            properties = {}
    if not isinstance(properties, dict):
        return False, f"Properties is {_describe(properties)}, not a mapping; {CFN_KEY} cannot be read"
    found = cloudformation_values.assess(properties, template, CFN_KEY, CFN_SUBNET, PASSING)
    if found.branch_failure is not None:
        return False, found.branch_failure
    values = None if found.values is None else [ABSENT if v is None else v for v in found.values]
    return judge(values, found.unresolved, found.subnet_problem, CFN_KEY)


# ---------------------------------------------------------------- Checkov classes (one ID, two registries)

def _carry_details_into_records() -> None:
    """Checkov's CloudFormation and Serverless runners do not copy `check.details` and
    `check.benchmarks` into the report (Terraform's does). Our checks also put the reason into
    the check result; this hands both to the report record when the runner passed none."""
    from checkov.common.output.record import Record

    if getattr(Record.__init__, "_d9_details", False):
        return
    original = Record.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        result = kwargs.get("check_result")
        if not self.details and isinstance(result, dict) and result.get(DETAILS_KEY):
            self.details = list(result[DETAILS_KEY])
        if self.check_id == CHECKOV_ID and not self.benchmarks:
            self.benchmarks = BENCHMARKS

    __init__._d9_details = True  # type: ignore[attr-defined]
    Record.__init__ = __init__  # type: ignore[method-assign]


DETAILS_KEY = "d9_details"
_carry_details_into_records()


class _RuleIdentity:
    def _apply_metadata(self) -> None:
        self.severity = Severities[rule_data.SEVERITY]
        self.benchmarks = BENCHMARKS

    def run(self, *args: Any, **kwargs: Any) -> Any:
        check_result = super().run(*args, **kwargs)  # type: ignore[misc]
        if self.details:
            check_result[DETAILS_KEY] = list(self.details)
        return check_result

    def _verdict(self, evaluate: Any, conf: dict[str, Any], keys: list[str]) -> CheckResult:
        self.evaluated_keys = keys
        try:
            passed, why = evaluate(conf)
        except Exception as exc:  # never UNKNOWN: Checkov would hide the resource
            logging.warning("%s: unexpected resource shape, failing closed", CHECKOV_ID, exc_info=True)
            passed, why = False, f"the resource could not be evaluated ({type(exc).__name__}); failing closed"
        if not passed:
            self.details.append(why)
        return CheckResult.PASSED if passed else CheckResult.FAILED


_COMMON = dict(
    name=rule_data.TITLE,
    id=CHECKOV_ID,
    categories=[CheckCategories[rule_data.CATEGORY]],
    guideline=GUIDELINE,
)


class SageMakerNotebookDirectInternetTerraform(_RuleIdentity, TerraformCheck):
    def __init__(self) -> None:
        super().__init__(supported_resources=[TERRAFORM_RESOURCE], **_COMMON)
        self._apply_metadata()
        self._graph_index: tuple[Any, dict[str, Any]] | None = None

    def _vertex(self, address: str) -> dict[str, Any] | None:
        """The graph vertex of a resource (its file and module path), indexed once per graph. The
        index holds the graph itself, so an identity test cannot match a newer graph at the same address."""
        graph = getattr(self, "graph", None)
        if graph is None:
            return None
        if self._graph_index is None or self._graph_index[0] is not graph:
            self._graph_index = (graph, terraform_values.resource_vertices(graph, TERRAFORM_RESOURCE))
        return self._graph_index[1].get(address)

    def _locator(self, conf: dict[str, Any]) -> Callable[[], Any] | None:
        resource_type = TERRAFORM_RESOURCE
        address = conf.get("__address__")
        if isinstance(address, str):  # terraform (HCL)
            vertex = self._vertex(address)
            if vertex is None:
                return None
            return lambda: terraform_values.locate(
                str(vertex.get("file_path_")), resource_type, address,
                terraform_values.module_callers(vertex.get("source_module_object_")),
                terraform_values.ScanContext.var_files())
        found = terraform_values.ScanContext.json_resource(resource_type)  # terraform_json
        if found is None:
            return None
        path, name = found
        # the terraform_json runner follows no module call: a caller in a .tf or .tf.json file is not seen
        return lambda: terraform_values.locate(path, resource_type, f"{resource_type}.{name}", [],
                                               terraform_values.ScanContext.var_files(),
                                               caller_suffixes=(".tf", ".tf.json"))

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if "__change_actions__" in conf:  # a plan holds Terraform's own values
            return self._verdict(evaluate_plan, conf, [TF_KEY, TF_SUBNET])
        locate = self._locator(conf)
        return self._verdict(lambda resource: evaluate_terraform(resource, locate), conf, [TF_KEY, TF_SUBNET])


class SageMakerNotebookDirectInternetCloudFormation(_RuleIdentity, CfnCheck):
    def __init__(self) -> None:
        super().__init__(supported_resources=[CLOUDFORMATION_RESOURCE], **_COMMON)
        self._apply_metadata()

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        # the notebook as written in its template; None outside Checkov's CloudFormation runner
        return self._verdict(lambda resource: evaluate_cloudformation(
            resource, cloudformation_values.scanned_resource(resource)
            or cloudformation_values.scanned_serverless_resource(resource)),
            conf, [f"Properties/{CFN_KEY}", f"Properties/{CFN_SUBNET}"])


terraform_check = SageMakerNotebookDirectInternetTerraform()
cloudformation_check = SageMakerNotebookDirectInternetCloudFormation()
