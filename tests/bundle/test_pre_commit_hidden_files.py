"""The pre-commit hook entry (`d9-rules checkov-scan`) judges every file it is given, whatever its name.

Checkov's `-d` skips every entry whose name starts with a dot (CKV_IGNORE_HIDDEN_DIRECTORIES): a hook
that only scanned the changed files' folders approved a hidden template with a failing notebook.
Files are selected with the hook's own `files` pattern, as pre-commit selects them.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import yaml
from bundle_harness import run
from rule import CHECKOV_ID, FIXTURES, ROOT

[HOOK] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())

FAILING_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  FailHiddenNotebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::123456789012:role/notebook
"""
PASSING_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  PassHiddenNotebook:
    Type: AWS::SageMaker::NotebookInstance
    Properties:
      InstanceType: ml.t3.medium
      RoleArn: arn:aws:iam::123456789012:role/notebook
      SubnetId: subnet-0123456789abcdef0
      DirectInternetAccess: Disabled
"""
NOTEBOOK_USING_VARIABLE = """\
resource "aws_sagemaker_notebook_instance" "{name}" {{
  name                   = "{name}"
  role_arn               = "arn:aws:iam::123456789012:role/notebook"
  instance_type          = "ml.t3.medium"
  subnet_id              = "subnet-0123456789abcdef0"
  direct_internet_access = var.internet
}}
"""
VARIABLE = 'variable "internet" {{\n  default = "{value}"\n}}\n'


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def hook(root: Path, changed: list[str]) -> subprocess.CompletedProcess[str]:
    """What pre-commit runs for a commit of `changed`: the entry with the files its pattern selects."""
    selected = [f for f in changed if re.search(HOOK["files"], f) and not re.search(HOOK.get("exclude", "^$"), f)]
    assert selected == changed, f"the hook's files pattern does not select {sorted(set(changed) - set(selected))}"
    return run("checkov", [*HOOK["entry"].split(), *selected], root)


def output(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


def test_hidden_template_with_a_failing_notebook_fails(tmp_path):
    write(tmp_path, {".nb.cf.yaml": FAILING_TEMPLATE})
    result = hook(tmp_path, [".nb.cf.yaml"])
    assert result.returncode == 1, output(result)[-3000:]
    assert "FAILED for resource: AWS::SageMaker::NotebookInstance.FailHiddenNotebook" in result.stdout
    assert "File: .nb.cf.yaml:3-7" in result.stdout  # the user's path, not Checkov's path relative to its root


def test_template_in_hidden_folders_with_a_failing_notebook_fails(tmp_path):
    changed = [".deploy/template.yaml", "infra/.stacks/ml/notebooks.yaml"]
    write(tmp_path, {name: FAILING_TEMPLATE for name in changed})
    result = hook(tmp_path, changed)
    assert result.returncode == 1, output(result)[-3000:]
    assert result.stdout.count("FAILED for resource: AWS::SageMaker::NotebookInstance.FailHiddenNotebook") == 2
    for name in changed:
        assert f"File: {name}:3-7" in result.stdout


def test_passing_hidden_template_passes_and_shows_the_passed_result(tmp_path):
    write(tmp_path, {".nb.cf.yaml": PASSING_TEMPLATE})
    result = hook(tmp_path, [".nb.cf.yaml"])
    assert result.returncode == 0, output(result)[-3000:]
    assert f'Check: {CHECKOV_ID}: "' in result.stdout
    assert "PASSED for resource: AWS::SageMaker::NotebookInstance.PassHiddenNotebook" in result.stdout
    assert "File: .nb.cf.yaml:3-9" in result.stdout


def test_hidden_terraform_file_with_a_sibling_variable_fails(tmp_path):
    """Terraform ignores `.name.tf` files; Checkov's `-d` skips them. Given to the hook, the notebook
    it declares (direct internet access Enabled through var.internet of variables.tf) must not pass."""
    write(tmp_path, {"stack/.notebook.tf": NOTEBOOK_USING_VARIABLE.format(name="fail_hidden_file"),
                     "stack/variables.tf": VARIABLE.format(value="Enabled")})
    result = hook(tmp_path, ["stack/.notebook.tf"])
    assert result.returncode == 1, output(result)[-3000:]
    assert "FAILED for resource: aws_sagemaker_notebook_instance.fail_hidden_file" in result.stdout
    assert "File: stack/.notebook.tf:1-7" in result.stdout


def test_terraform_in_a_hidden_folder_gets_its_sibling_variables_and_modules(tmp_path):
    """The verdict comes from var.internet declared in the sibling variables.tf (and, for the module's
    notebook, from the calling block in main.tf): passing when it is Disabled, failing when Enabled."""
    module_call = 'module "nb" {\n  source   = "./modules/nb"\n  internet = var.internet\n}\n'
    write(tmp_path, {".deploy/main.tf": NOTEBOOK_USING_VARIABLE.format(name="root_notebook") + module_call,
                     ".deploy/variables.tf": VARIABLE.format(value="Disabled"),
                     ".deploy/modules/nb/main.tf": 'variable "internet" {}\n'
                                                   + NOTEBOOK_USING_VARIABLE.format(name="module_notebook")})
    passing = hook(tmp_path, [".deploy/main.tf"])
    assert passing.returncode == 0, output(passing)[-3000:]
    assert "PASSED for resource: aws_sagemaker_notebook_instance.root_notebook" in passing.stdout
    assert "PASSED for resource: module.nb.aws_sagemaker_notebook_instance.module_notebook" in passing.stdout
    assert "File: .deploy/modules/nb/main.tf:" in passing.stdout and "FAILED" not in passing.stdout

    write(tmp_path, {".deploy/variables.tf": VARIABLE.format(value="Enabled")})
    failing = hook(tmp_path, [".deploy/main.tf"])
    assert failing.returncode == 1, output(failing)[-3000:]
    assert "FAILED for resource: aws_sagemaker_notebook_instance.root_notebook" in failing.stdout
    assert "FAILED for resource: module.nb.aws_sagemaker_notebook_instance.module_notebook" in failing.stdout
    assert "direct_internet_access is 'Enabled'" in failing.stdout


def test_a_changed_variable_file_scans_its_folders_terraform(tmp_path):
    write(tmp_path, {"live/main.tf": NOTEBOOK_USING_VARIABLE.format(name="notebook"),
                     "live/variables.tf": VARIABLE.format(value="Disabled"),
                     "live/terraform.tfvars": 'internet = "Enabled"\n',
                     ".env/main.tf": NOTEBOOK_USING_VARIABLE.format(name="hidden_notebook"),
                     ".env/variables.tf": VARIABLE.format(value="Disabled"),
                     ".env/prod.auto.tfvars.json": '{"internet": "Enabled"}\n'})
    result = hook(tmp_path, ["live/terraform.tfvars", ".env/prod.auto.tfvars.json"])
    assert result.returncode == 1, output(result)[-3000:]
    assert "FAILED for resource: aws_sagemaker_notebook_instance.notebook" in result.stdout
    assert "FAILED for resource: aws_sagemaker_notebook_instance.hidden_notebook" in result.stdout


def test_unparsable_given_files_are_reported(tmp_path):
    malformed = FIXTURES / "malformed"
    changed = ["broken.yaml", ".broken.cf.yaml", ".stacks/broken.json", "tf/.broken.tf", "tf/broken.tf"]
    for name, source in zip(changed, ["broken.yaml", "broken.yaml", "broken.json", "broken.tf", "broken.tf"]):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(malformed / source, tmp_path / name)
    result = hook(tmp_path, changed)
    assert result.returncode != 0, output(result)[-3000:]
    for name in changed:
        assert f"could not parse {name}: its notebooks were not judged" in result.stderr, result.stderr[-3000:]


def test_given_files_without_a_notebook_are_not_an_error(tmp_path):
    changed = [".pre-commit-config.yaml", ".github/workflows/ci.yml", "package.json", "docs/mkdocs.yml"]
    write(tmp_path, {".pre-commit-config.yaml": "repos: []\n", ".github/workflows/ci.yml": "on: push\njobs: {}\n",
                     "package.json": '{"name": "x"}\n', "docs/mkdocs.yml": "site_name: x\n"})
    result = hook(tmp_path, changed)
    assert result.returncode == 0, output(result)[-3000:]
    assert "0 passed, 0 failed" in result.stdout and "could not parse" not in result.stderr


def test_documented_full_scan_includes_hidden_paths(tmp_path):
    """README "Pipelines": plain `checkov -d .` skips hidden paths; the documented variable brings them back."""
    [command] = re.findall(r"```sh\n(CKV_IGNORE_HIDDEN_DIRECTORIES=false checkov .*?)```",
                           (ROOT / "README.md").read_text(), re.DOTALL)
    names = ["visible.yaml", ".nb.cf.yaml", ".deploy/template.yaml", ".github/stacks/t.yaml", ".git/x/t.yaml",
             ".venv/lib/t.yaml", "node_modules/p/t.yaml"]
    write(tmp_path, {name: FAILING_TEMPLATE for name in names})

    def scanned(script: str) -> set[str]:
        result = run("checkov", script.strip() + " --skip-download -o json", tmp_path)
        assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
        reports = json.loads(result.stdout)
        return {r["file_path"].lstrip("/") for report in (reports if isinstance(reports, list) else [reports])
                for r in report["results"]["failed_checks"]}

    assert scanned(command.replace("CKV_IGNORE_HIDDEN_DIRECTORIES=false ", "")) == {"visible.yaml"}
    assert scanned(command) == {"visible.yaml", ".nb.cf.yaml", ".deploy/template.yaml", ".github/stacks/t.yaml"}
