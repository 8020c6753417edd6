"""The parity scenarios (tests/parity/scenarios.yaml) rendered for each engine."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS_FILE = ROOT / "tests" / "parity" / "scenarios.yaml"
TERRAFORM_NAMES = {"DirectInternetAccess": "direct_internet_access", "SubnetId": "subnet_id",
                   "SecurityGroupIds": "security_groups", "RootAccess": "root_access"}
# Kubernetes: field names of the ACK and Crossplane (Upbound AWS provider) NotebookInstance CRDs
ACK_NAMES = {"DirectInternetAccess": "directInternetAccess", "SubnetId": "subnetID",
             "SecurityGroupIds": "securityGroupIDs", "RootAccess": "rootAccess"}
CROSSPLANE_NAMES = {"DirectInternetAccess": "directInternetAccess", "SubnetId": "subnetId",
                    "SecurityGroupIds": "securityGroups", "RootAccess": "rootAccess"}


def load_scenarios() -> list[dict[str, Any]]:
    return yaml.safe_load(SCENARIOS_FILE.read_text())


def terraform_name(scenario: dict[str, Any]) -> str:
    return scenario["name"].replace("-", "_")


def cloudformation_name(scenario: dict[str, Any]) -> str:
    return "".join(part.capitalize() for part in scenario["name"].split("-"))


def kubernetes_names(scenario: dict[str, Any]) -> tuple[str, str]:
    """metadata.name of the scenario's ACK and Crossplane notebooks."""
    return f"ack-{scenario['name']}", f"crossplane-{scenario['name']}"


def _hcl(value: Any) -> str:
    return "[" + ", ".join(f'"{v}"' for v in value) + "]" if isinstance(value, list) else f'"{value}"'


def to_terraform(scenarios: list[dict[str, Any]]) -> str:
    blocks = []
    for scenario in scenarios:
        lines = [f'resource "aws_sagemaker_notebook_instance" "{terraform_name(scenario)}" {{',
                 f'  name          = "{scenario["name"]}"',
                 '  role_arn      = "arn:aws:iam::123456789012:role/notebook"',
                 '  instance_type = "ml.t3.medium"']
        lines += [f"  {TERRAFORM_NAMES[k]} = {_hcl(v)}" for k, v in scenario["settings"].items()]
        blocks.append("\n".join(lines) + "\n}\n")
    return "\n".join(blocks)


def to_cloudformation(scenarios: list[dict[str, Any]]) -> str:
    """One template. A scenario's `cloudformation` block writes the same settings another way: `properties`
    replace the settings' spelling (intrinsic functions), `mappings` join the template's Mappings; the
    template has AWS::LanguageExtensions (which changes nothing for the plain scenarios)."""
    resources, mappings = {}, {}
    for s in scenarios:
        written = s.get("cloudformation", {})
        resources[cloudformation_name(s)] = {"Type": "AWS::SageMaker::NotebookInstance", "Properties": {
            "InstanceType": "ml.t3.medium", "RoleArn": "arn:aws:iam::123456789012:role/notebook", **s["settings"],
            **written.get("properties", {})}}
        mappings.update(written.get("mappings", {}))
    template: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::LanguageExtensions"}
    if mappings:
        template["Mappings"] = mappings
    return yaml.safe_dump({**template, "Resources": resources}, sort_keys=False)


def _merged_after(document: str, indent: int, merged: dict[str, Any], names: dict[str, str]) -> str:
    """The document with a YAML merge key `<<` written after the explicit keys of its last mapping, which
    kubectl (Go YAML) applies over them and PyYAML does not."""
    flow = yaml.safe_dump({names[k]: v for k, v in merged.items()}, default_flow_style=True).strip()
    return document.rstrip("\n") + "\n" + " " * indent + "<<: " + flow + "\n"


def to_kubernetes(scenarios: list[dict[str, Any]]) -> str:
    """One ACK (sagemaker.services.k8s.aws/v1alpha1) and one Crossplane (sagemaker.aws.upbound.io/v1beta2)
    NotebookInstance per scenario, as one multi-document YAML file. A scenario's `kubernetes` block writes the
    settings another way: `written` replaces settings in the explicit keys, `merged_after` follows them as a
    merge key (kubectl then sends the merged values: the scenario's settings)."""
    documents = []
    for scenario in scenarios:
        ack, crossplane = kubernetes_names(scenario)
        written = scenario.get("kubernetes", {})
        settings = {**scenario["settings"], **written.get("written", {})}
        merged = written.get("merged_after")
        document = yaml.safe_dump({
            "apiVersion": "sagemaker.services.k8s.aws/v1alpha1", "kind": "NotebookInstance",
            "metadata": {"name": ack, "namespace": "parity"},
            "spec": {"notebookInstanceName": scenario["name"], "instanceType": "ml.t3.medium",
                     "roleARN": "arn:aws:iam::123456789012:role/notebook",
                     **{ACK_NAMES[k]: v for k, v in settings.items()}}}, sort_keys=False)
        documents.append(_merged_after(document, 2, merged, ACK_NAMES) if merged else document)
        document = yaml.safe_dump({
            "apiVersion": "sagemaker.aws.upbound.io/v1beta2", "kind": "NotebookInstance",
            "metadata": {"name": crossplane},
            "spec": {"forProvider": {"region": "us-east-1", "instanceType": "ml.t3.medium",
                                     "roleArn": "arn:aws:iam::123456789012:role/notebook",
                                     **{CROSSPLANE_NAMES[k]: v for k, v in settings.items()}}}}, sort_keys=False)
        documents.append(_merged_after(document, 4, merged, CROSSPLANE_NAMES) if merged else document)
    return "---\n".join(documents)


def readme_table(scenarios: list[dict[str, Any]]) -> str:
    rows = ["| Scenario | Settings | Terraform (Checkov) | CloudFormation (Checkov) | Kubernetes: ACK and Crossplane "
            "(Checkov) | Live account (Prowler) |",
            "|---|---|---|---|---|---|"]
    verdict = {"PASS": "PASSED", "FAIL": "FAILED"}
    for s in scenarios:
        settings = ", ".join(f"`{k}: {'[' + ', '.join(v) + ']' if isinstance(v, list) else v}`"
                             for k, v in s["settings"].items()) or "nothing set"
        if s.get("note"):
            settings += f" ({s['note']})"
        live = s["verdict"] if s["live"] else "cannot exist: AWS rejects it"
        rows.append(f"| {s['name']} | {settings} | {verdict[s['verdict']]} | {verdict[s['verdict']]} | "
                    f"{verdict[s['verdict']]} | {live} |")
    return "\n".join(rows)
