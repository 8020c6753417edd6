#!/usr/bin/env python3
"""Checkov cost of D9_AWS_NET_49 against the built-in CKV_AWS_122 (run in the checkov environment).

    python3 tools/dev.py bench checkov [--notebooks 2000] [--files 200] [--runs 5]

Prints, for a generated Terraform and CloudFormation corpus (half good, half bad notebooks):
  A = Checkov with only a built-in (Terraform: CKV_AWS_122; CloudFormation has no twin of it, so
      CKV_AWS_187, another one-result-per-notebook SageMaker notebook check, stands in),
  B = Checkov with only our check (--external-checks-dir checkov_checks --check D9_AWS_NET_49),
  interleaved runs, medians, B/A; and the per-resource cost of scan_resource_conf in microseconds.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHECKOV = Path(sys.executable).parent / "checkov"
_RULE_DATA: dict = {}
exec((ROOT / "checkov_checks" / "d9_aws_net_49_rule_data.py").read_text(encoding="utf-8"), _RULE_DATA)
OUR_ID = _RULE_DATA["CHECKOV_ID"]  # from metadata/, through the generated rule data
BASELINE = {"terraform": "CKV_AWS_122", "cloudformation": "CKV_AWS_187"}
VALUES = ["Disabled", "Enabled", None]  # None: the setting is omitted


def terraform_corpus(folder: Path, notebooks: int, files: int, rng: random.Random) -> None:
    for f in range(files):
        blocks = [f'resource "aws_subnet" "s{f}" {{\n  vpc_id     = "vpc-0bench"\n  cidr_block = "10.{f % 250}.0.0/24"\n}}\n']
        for n in range(notebooks // files):
            value = VALUES[(f + n) % 3] if rng.random() < 0.5 else "Disabled"
            setting = f'  direct_internet_access = "{value}"\n' if value else ""
            blocks.append(f'resource "aws_sagemaker_notebook_instance" "nb_{f}_{n}" {{\n  name          = "nb-{f}-{n}"\n'
                          f'  role_arn      = "arn:aws:iam::123456789012:role/r"\n  instance_type = "ml.t3.medium"\n'
                          f'  subnet_id     = aws_subnet.s{f}.id\n{setting}}}\n')
        (folder / f"notebooks_{f:04d}.tf").write_text("\n".join(blocks))


def cloudformation_corpus(folder: Path, notebooks: int, files: int, rng: random.Random) -> None:
    for f in range(files):
        lines = ['AWSTemplateFormatVersion: "2010-09-09"', "Parameters:", "  Subnet: {Type: \"AWS::EC2::Subnet::Id\"}",
                 "Resources:"]
        for n in range(notebooks // files):
            value = VALUES[(f + n) % 3] if rng.random() < 0.5 else "Disabled"
            setting = f", DirectInternetAccess: {value}" if value else ""
            lines.append(f"  Nb{f}x{n}:\n    Type: AWS::SageMaker::NotebookInstance\n    Properties: "
                         f"{{InstanceType: ml.t3.medium, RoleArn: arn:aws:iam::123456789012:role/r, "
                         f"SubnetId: !Ref Subnet{setting}}}")
        (folder / f"notebooks_{f:04d}.yaml").write_text("\n".join(lines) + "\n")


def checkov_run(folder: Path, framework: str, check: str, external: bool) -> tuple[float, int]:
    command = [str(CHECKOV), "-d", str(folder), "--framework", framework, "--check", check, "--skip-download",
               "-o", "json"]
    if external:
        command += ["--external-checks-dir", str(ROOT / "checkov_checks")]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"checkov exited {result.returncode}: {result.stderr[-2000:]}")
    reports = json.loads(result.stdout) if result.stdout.strip() else []
    reports = reports if isinstance(reports, list) else [reports]
    results = sum(len(r["results"]["passed_checks"]) + len(r["results"]["failed_checks"])
                  for r in reports if "results" in r and r.get("check_type") == framework)
    return elapsed, results


def compare(framework: str, folder: Path, notebooks: int, runs: int) -> None:
    times = {"A": [], "B": []}
    for _ in range(runs):  # interleaved, so drift in machine load hits both alike
        for label, check, external in (("A", BASELINE[framework], False), ("B", OUR_ID, True)):
            elapsed, results = checkov_run(folder, framework, check, external)
            if results != notebooks:
                raise SystemExit(f"{framework} {label}: {results} results for {notebooks} notebooks")
            times[label].append(elapsed)
    a, b = statistics.median(times["A"]), statistics.median(times["B"])
    print(f"{framework:<15} {notebooks:>6} notebooks  A ({BASELINE[framework]}) {a:6.2f} s  B ({OUR_ID}) {b:6.2f} s  "
          f"B/A {b / a:.3f}  (medians of {runs}; {notebooks} results each)", flush=True)


def traced_terraform_corpus(folder: Path, notebooks: int, files: int, rng: random.Random) -> None:
    """Every notebook's value goes through a variable (set in terraform.tfvars), a local, a module output and
    a conditional, and its subnet through a module output: the rule traces all of it."""
    module = folder / "modules" / "settings"
    module.mkdir(parents=True)
    (module / "main.tf").write_text(
        'variable "environment" {\n  type = string\n}\n\nvariable "subnet" {\n  type = string\n}\n\n'
        'output "mode" {\n  value = var.environment == "dev" ? "Enabled" : "Disabled"\n}\n\n'
        'output "subnet" {\n  value = var.subnet\n}\n')
    (folder / "variables.tf").write_text('variable "environment" {\n  type = string\n}\n\n'
                                         'locals {\n  environment = var.environment\n}\n')
    (folder / "terraform.tfvars").write_text('environment = "prod"\n')
    for f in range(files):
        blocks = [f'resource "aws_subnet" "s{f}" {{\n  vpc_id     = "vpc-0bench"\n  cidr_block = "10.{f % 250}.0.0/24"\n}}\n',
                  f'module "settings_{f}" {{\n  source      = "./modules/settings"\n  environment = local.environment\n'
                  f'  subnet      = aws_subnet.s{f}.id\n}}\n']
        for n in range(notebooks // files):
            value = f"module.settings_{f}.mode" if rng.random() < 0.5 else f'lower(module.settings_{f}.mode)'
            blocks.append(f'resource "aws_sagemaker_notebook_instance" "nb_{f}_{n}" {{\n  name          = "nb-{f}-{n}"\n'
                          f'  role_arn      = "arn:aws:iam::123456789012:role/r"\n  instance_type = "ml.t3.medium"\n'
                          f'  subnet_id     = module.settings_{f}.subnet\n  direct_internet_access = {value}\n}}\n')
        (folder / f"notebooks_{f:04d}.tf").write_text("\n".join(blocks))


def per_resource_cost(folder: Path, check_id: str, external: bool) -> tuple[float, int]:
    """Seconds spent in the check's scan_resource_conf per resource during an in-process Terraform run:
    with the source tracing, a bare resource dict would measure nothing."""
    from checkov.runner_filter import RunnerFilter
    from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
    from checkov.terraform.runner import Runner

    spent = [0.0, 0]
    original = BaseResourceCheck.scan_entity_conf

    def timed(self, conf, entity_type):  # type: ignore[no-untyped-def]
        start = time.perf_counter()
        try:
            return original(self, conf, entity_type)
        finally:
            if self.id == check_id:
                spent[0] += time.perf_counter() - start
                spent[1] += 1

    BaseResourceCheck.scan_entity_conf = timed
    try:
        Runner().run(root_folder=str(folder), external_checks_dir=[str(ROOT / "checkov_checks")] if external else None,
                     runner_filter=RunnerFilter(checks=[check_id], framework=["terraform"]))
    finally:
        BaseResourceCheck.scan_entity_conf = original
    return spent[0] / max(spent[1], 1) * 1e6, spent[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notebooks", type=int, default=2000)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", help="run only the corpora whose label contains this text, e.g. 'terraform'")
    args = parser.parse_args()
    rng = random.Random(49)
    import checkov.version
    print(f"checkov {checkov.version.version}, python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as work:
        folders = {}
        for label, framework, build in (("terraform", "terraform", terraform_corpus),
                                        ("terraform, through variables and modules", "terraform", traced_terraform_corpus),
                                        ("cloudformation", "cloudformation", cloudformation_corpus)):
            if args.only and args.only not in label:
                continue
            folder = folders[label] = Path(work) / label.replace(" ", "_").replace(",", "")
            folder.mkdir()
            build(folder, args.notebooks, args.files, rng)
            print(f"corpus: {label}")
            compare(framework, folder, args.notebooks, args.runs)
        for label, folder in folders.items():
            if label.startswith("terraform"):
                for check_id, external in ((BASELINE["terraform"], False), (OUR_ID, True)):
                    cost, count = per_resource_cost(folder, check_id, external)
                    print(f"scan_resource_conf {check_id:<14} {cost:8.1f} µs per resource over {count} ({label})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
