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

Cost: every terraform process loads the AWS provider's schema (~2-3 s of CPU). So both variants and both
values of the flag are planned in one `terraform plan` and read with one `terraform show`: each (variant,
flag) is a module call of one root (the variant's folder as the module), and the rejected notebooks, each
in a file of its own, are planned together in one more root, as many times as it takes Terraform (which
reports its errors one phase at a time) to name each of them in an error.

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
from terraform_differential import GO_RUNTIME, error_diagnostics

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
VARIANTS = ("hcl", "json")
FLAGS = (True, False)  # private_flag
SUBNET_IDS = '["subnet-0123456789abcdef0"]'
ENV = {**GO_RUNTIME, **os.environ, "AWS_ACCESS_KEY_ID": "testing",
       "AWS_SECRET_ACCESS_KEY": "testing", "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1",
       "TF_CLI_CONFIG_FILE": os.devnull}


def terraform(work: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["terraform", *args], cwd=work, env=ENV, capture_output=True, text=True, timeout=600)
    if check:
        assert result.returncode == 0, f"terraform {' '.join(args)} failed in {work}:\n{result.stdout}{result.stderr}"
    return result


def prepare(variant: str, work: Path) -> dict[str, tuple[str, str]]:
    """A copy of a variant Terraform can plan offline as a child module (the root holds the provider block):
    the registry module replaced by a local stand-in, the notebooks Terraform rejects left out: returned as
    name -> (file name, text), a file each."""
    shutil.copytree(SUBNETS / variant, work)
    (work / "vpc_stub").mkdir()
    (work / "vpc_stub" / "main.tf").write_text(VPC_STUB)
    if variant == "hcl":
        invalid = (work / "invalid_in_terraform.tf").read_text()
        (work / "invalid_in_terraform.tf").unlink()
        rejected = {name: (f"rejected_{name}.tf", block) for block, name in
                    re.findall(rf'^(resource "{NOTEBOOK}" "(\w+)" {{.*?^}})', invalid, re.M | re.S)}
        text = (work / "network.tf").read_text()
        registry = re.compile(r'source\s*=\s*"terraform-aws-modules/vpc/aws"\n\s*version\s*=\s*"[^"]*"')
        assert registry.search(text)
        (work / "network.tf").write_text(registry.sub('source = "./vpc_stub"', text))
    else:
        document = json.loads((work / "main.tf.json").read_text())
        notebooks = document["resource"][NOTEBOOK]
        rejected = {name: (f"rejected_{name}.tf.json",
                           json.dumps({"resource": {NOTEBOOK: {name: notebooks.pop(name)}}}))
                    for name in TERRAFORM_REJECTS if name in notebooks}
        document["module"]["vpc"] = {**document["module"]["vpc"], "source": "./vpc_stub"}
        del document["module"]["vpc"]["version"]
        (work / "main.tf.json").write_text(json.dumps(document))
    return rejected


def root(work: Path, calls: dict[str, tuple[str, bool]]) -> None:
    """A root module calling each variant folder (call name -> (variant, private_flag)), initialised."""
    text = PROVIDER
    for call, (variant, flag) in calls.items():
        text += (f'module "{call}" {{\n  source       = "./{variant}"\n  subnet_ids   = {SUBNET_IDS}\n'
                 f"  private_flag = {str(flag).lower()}\n}}\n")
    (work / "main.tf").write_text(text)
    terraform(work, "init", "-input=false", f"-plugin-dir={PLUGIN_DIR}")


def planned_subnets(work: Path, calls: dict[str, tuple[str, bool]]) -> dict[tuple[str, bool], dict[str, list]]:
    """(variant, flag) -> notebook name -> (subnet_id, known only after apply) of each of its instances:
    one plan of every call."""
    terraform(work, "plan", "-input=false", "-refresh=false", "-lock=false", "-out=tf.plan")
    plan = json.loads(terraform(work, "show", "-json", "tf.plan").stdout)
    found: dict[tuple[str, bool], dict[str, list[tuple[object, bool]]]] = {key: {} for key in calls.values()}
    for change in plan["resource_changes"]:
        if change["type"] == NOTEBOOK and change["mode"] == "managed":
            call, address = re.fullmatch(r"module\.(\w+)\.(.*)", change["address"]).groups()
            after = change["change"]["after"] or {}
            unknown = (change["change"].get("after_unknown") or {}).get("subnet_id") is True
            found[calls[call]].setdefault(annotated_name(address), []).append((after.get("subnet_id"), unknown))
    return found


def plan_errors(work: Path) -> tuple[int, list[dict]]:
    """`terraform plan -json`: its exit code and the error diagnostics it printed."""
    result = terraform(work, "plan", "-input=false", "-refresh=false", "-lock=false", "-json", check=False)
    errors = error_diagnostics(result.stdout)
    assert result.returncode == 0 or errors, f"terraform plan failed, no diagnostics:\n{result.stdout}{result.stderr}"
    return result.returncode, errors


def rejections(work: Path, prepared: Path,
               rejected: dict[str, dict[str, tuple[str, str]]]) -> dict[str, dict[str, list[str]]]:
    """variant -> rejected notebook -> the summaries of the errors of a failed plan in the notebook's own
    file (none: never rejected). The variants as prepared (under `prepared`), called from one root with the
    flag true; each round plans the notebooks no error has named yet, so a plan that succeeds leaves them
    unnamed, and an error outside their files fails the test."""
    work.mkdir()
    for variant in rejected:
        shutil.copytree(prepared / variant, work / variant)
    root(work, {variant: (variant, True) for variant in rejected})
    files = {f"{variant}/{file_name}": (variant, name)
             for variant, notebooks in rejected.items() for name, (file_name, _) in notebooks.items()}
    named: dict[str, dict[str, list[str]]] = {variant: {name: [] for name in notebooks}
                                              for variant, notebooks in rejected.items()}
    waiting = set(files)
    while waiting:
        for path in files:
            variant, name = files[path]
            if path in waiting:
                (work / path).write_text(rejected[variant][name][1])
            else:
                (work / path).unlink(missing_ok=True)
        code, errors = plan_errors(work)
        if code == 0:
            break
        for error in errors:
            path = (error.get("range") or {}).get("filename")
            assert path in waiting, f"terraform plan fails outside the rejected notebooks' files: {error}"
            named[files[path][0]][files[path][1]].append(error["summary"])
        waiting -= {(error.get("range") or {}).get("filename") for error in errors}
    return named


@pytest.fixture(scope="module")
def oracle(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[list[dict], dict, dict]]:
    """variant -> (its plans with the flag true and false, its notebooks Terraform rejects, and the errors
    naming each of them): two roots for both variants, one plan with every call, rejections in rounds."""
    assert shutil.which("terraform"), "the terraform CLI is not on PATH: it is this test's oracle"
    assert Path(PLUGIN_DIR).is_dir(), f"no provider plugin folder {PLUGIN_DIR} (set TF_PLUGIN_DIR)"
    work = tmp_path_factory.mktemp("subnet_shapes")
    rejected = {variant: prepare(variant, work / "plans" / variant) for variant in VARIANTS}
    calls = {f"{variant}_{str(flag).lower()}": (variant, flag) for variant in VARIANTS for flag in FLAGS}
    root(work / "plans", calls)
    plans = planned_subnets(work / "plans", calls)
    named = rejections(work / "rejected", work / "plans", rejected)
    return {variant: ([plans[variant, flag] for flag in FLAGS], rejected[variant], named[variant])
            for variant in VARIANTS}


def has_subnet(value: object, unknown: bool) -> bool:
    return unknown or isinstance(value, str) and bool(value.strip())


@pytest.mark.parametrize("variant", VARIANTS)
def test_annotations_match_terraform_plan(variant, oracle):
    plans, rejected, named = oracle[variant]
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
    # the shapes Terraform refuses: a plan fails on each, with an error in that notebook's own file (Terraform
    # stops at the first phase with errors, so the ones not yet named are planned again; `terraform validate`
    # takes counts as unknown and lets some through)
    assert set(rejected) == TERRAFORM_REJECTS
    assert {name for name, errors in named.items() if not errors} == set(), named
