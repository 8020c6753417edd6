"""Subnet shapes of public Terraform modules (tests/fixtures/terraform_subnets/, HCL and .tf.json): the
annotated verdicts themselves are asserted with the other fixtures (test_verdicts_per_framework.py); here
each annotation is checked against the truth, the real `terraform plan`, offline (the hashicorp/aws provider
from a local plugin folder, fake credentials, -refresh=false).

- a pass_ notebook has a subnet in every plan: known only after apply, or a non-blank ID;
- a fail_ notebook gets null or "" in at least one plan (the required flag true or false), unless it is
  listed in UNPROVEN_BY_CHOICE: there Terraform too knows the subnet only at apply, and the rule cannot prove
  it is not "" or null (one() of a list that may be empty, a string function of an ID, a count the rule
  does not evaluate, a template joining an ID to other text), or in EMPTY_AT_APPLY: Terraform knows the
  subnet only at apply, where it is "" (terraform_data's output is a copy of its input);
- the notebooks of invalid_in_terraform.tf (and their .tf.json twins) are rejected by `terraform plan`.

Needs `terraform` on PATH and the provider in TF_PLUGIN_DIR (default /opt/tf-plugins): without them
the test fails and says so, it is never skipped.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from rule import FIXTURES, annotated_name

SUBNETS = FIXTURES / "terraform_subnets"
PLUGIN_DIR = os.environ.get("TF_PLUGIN_DIR", "/opt/tf-plugins")
NOTEBOOK = "aws_sagemaker_notebook_instance"
UNPROVEN_BY_CHOICE = {
    "fail_one_data_ids_may_be_empty", "fail_concat_default_after_unknown_count", "fail_join_of_data_ids",
    "fail_trimspace_of_reference", "fail_substr_of_reference", "fail_json_template_with_text"}
# the plan cannot tell either, but apply gives "": terraform_data's output is a copy of its input made at apply
EMPTY_AT_APPLY = {"fail_terraform_data_output_of_empty", "fail_terraform_data_list_element_empty",
                  "fail_local_holding_resource_with_empty_input"}
TERRAFORM_REJECTS = {"fail_whole_splat_list", "fail_full_splat_index_applies_to_each_element",
                     "fail_index_into_single_instance"}
PROVIDER = '''provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
'''
# stands in for terraform-aws-modules/vpc/aws (no network here): its private_subnets output, as it builds it
VPC_STUB = '''variable "name" {}
variable "cidr" {}
variable "azs" {}
variable "private_subnets" { type = list(string) }
resource "aws_vpc" "this" { cidr_block = var.cidr }
resource "aws_subnet" "private" {
  count      = length(var.private_subnets)
  vpc_id     = aws_vpc.this.id
  cidr_block = var.private_subnets[count.index]
}
output "private_subnets" { value = aws_subnet.private[*].id }
'''
ENV = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "CHECKPOINT_DISABLE": "1",
       "TF_IN_AUTOMATION": "1", "TF_CLI_CONFIG_FILE": os.devnull}


def terraform(work: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["terraform", *args], cwd=work, env=ENV, capture_output=True, text=True, timeout=600)
    if check:
        assert result.returncode == 0, f"terraform {' '.join(args)} failed in {work}:\n{result.stdout}{result.stderr}"
    return result


def prepare(variant: str, work: Path) -> dict[str, tuple[str, str]]:
    """A copy Terraform can plan offline: a provider block, the registry module replaced by a local stand-in,
    the notebooks Terraform rejects left out: returned as name -> (file name, text), one file each."""
    assert shutil.which("terraform"), "the terraform CLI is not on PATH: it is this test's oracle"
    assert Path(PLUGIN_DIR).is_dir(), f"no provider plugin folder {PLUGIN_DIR} (set TF_PLUGIN_DIR)"
    shutil.copytree(SUBNETS / variant, work)
    (work / "provider.tf").write_text(PROVIDER)
    (work / "vpc_stub").mkdir()
    (work / "vpc_stub" / "main.tf").write_text(VPC_STUB)
    if variant == "hcl":
        invalid = (work / "invalid_in_terraform.tf").read_text()
        (work / "invalid_in_terraform.tf").unlink()
        rejected = {name: ("rejected.tf", block) for block, name in
                    re.findall(rf'^(resource "{NOTEBOOK}" "(\w+)" {{.*?^}})', invalid, re.M | re.S)}
        text = (work / "network.tf").read_text()
        registry = re.compile(r'source\s*=\s*"terraform-aws-modules/vpc/aws"\n\s*version\s*=\s*"[^"]*"')
        assert registry.search(text)
        (work / "network.tf").write_text(registry.sub('source = "./vpc_stub"', text))
    else:
        document = json.loads((work / "main.tf.json").read_text())
        notebooks = document["resource"][NOTEBOOK]
        rejected = {name: ("rejected.tf.json", json.dumps({"resource": {NOTEBOOK: {name: notebooks.pop(name)}}}))
                    for name in TERRAFORM_REJECTS}
        document["module"]["vpc"] = {**document["module"]["vpc"], "source": "./vpc_stub"}
        del document["module"]["vpc"]["version"]
        (work / "main.tf.json").write_text(json.dumps(document))
    terraform(work, "init", "-input=false", f"-plugin-dir={PLUGIN_DIR}")
    return rejected


def planned_subnets(work: Path, flag: bool) -> dict[str, list[tuple[object, bool]]]:
    """notebook name -> (subnet_id, known only after apply) of each of its instances."""
    terraform(work, "plan", "-input=false", "-refresh=false", "-lock=false", "-out=tf.plan",
              '-var=subnet_ids=["subnet-0123456789abcdef0"]', f"-var=private_flag={str(flag).lower()}")
    plan = json.loads(terraform(work, "show", "-json", "tf.plan").stdout)
    found: dict[str, list[tuple[object, bool]]] = {}
    for change in plan["resource_changes"]:
        if change["type"] == NOTEBOOK and change["mode"] == "managed":
            after = change["change"]["after"] or {}
            unknown = (change["change"].get("after_unknown") or {}).get("subnet_id") is True
            found.setdefault(annotated_name(change["address"]), []).append((after.get("subnet_id"), unknown))
    return found


def has_subnet(value: object, unknown: bool) -> bool:
    return unknown or isinstance(value, str) and bool(value.strip())


@pytest.mark.parametrize("variant", ["hcl", "json"])
def test_annotations_match_terraform_plan(variant, tmp_path):
    work = tmp_path / variant
    rejected = prepare(variant, work)
    plans = [planned_subnets(work, flag) for flag in (True, False)]
    names = set(plans[0])
    assert names == set(plans[1]) and len(names) > 30
    wrong = []
    for name in sorted(names):
        instances = [i for plan in plans for i in plan[name]]
        if name.startswith("pass"):
            if not all(has_subnet(*i) for i in instances):
                wrong.append(f"{name} passes but Terraform plans {instances}")
        elif name in UNPROVEN_BY_CHOICE | EMPTY_AT_APPLY:
            if not all(unknown for _, unknown in instances):
                wrong.append(f"{name} is unknown until apply, but Terraform's plan knows its subnet: {instances}")
        elif all(has_subnet(*i) for i in instances):
            wrong.append(f"{name} fails, but Terraform gives it a subnet in every plan: {instances}")
    assert not wrong, "\n".join(wrong)
    # the shapes Terraform refuses, one at a time (it stops at the first kind of error): the plan fails on
    # that notebook (`terraform validate` takes counts as unknown and lets some through)
    assert set(rejected) == TERRAFORM_REJECTS
    for name, (file_name, text) in sorted(rejected.items()):
        (work / file_name).write_text(text)
        result = terraform(work, "plan", "-input=false", "-refresh=false", "-lock=false", "-no-color",
                           '-var=subnet_ids=["subnet-0123456789abcdef0"]', "-var=private_flag=true", check=False)
        (work / file_name).unlink()
        named = f'{NOTEBOOK}" "{name}"' in result.stderr or f"resource.{NOTEBOOK}.{name}:" in result.stderr  # HCL, JSON
        assert result.returncode != 0 and named, result.stdout + result.stderr
