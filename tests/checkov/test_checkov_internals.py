"""The one adapter to Checkov's internals (d9_aws_net_49_checkov_adapter.py: runner frames, their locals, runner
attributes). Its self-test must pass on the installed Checkov, and every way its look-up can miss must turn
a notebook that PASSES into FAILED with a details line. The unmutated folder runs through the real checkov CLI;
the mutants of a copy of the check folder run through the CLI's entry point in children forked from one
interpreter that imported Checkov once (checkov_forks.py): the same run, without paying the import per mutant."""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from checkov_harness import CHECKOV, CHECKS_DIR, findings_from_json
from rule import CHECKOV_ID, ROOT

VALUES_FILE = "d9_aws_net_49_checkov_adapter.py"
NOTEBOOK = ("    Type: AWS::SageMaker::NotebookInstance\n    Properties:\n      InstanceType: ml.t3.medium\n"
            "      RoleArn: arn:aws:iam::123456789012:role/r\n      SubnetId: subnet-0123456789abcdef0\n")
TEMPLATE = ("AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Mode: {Type: String, Default: Disabled}\n"
            "Resources:\n  PassParameterDefault:\n" + NOTEBOOK + "      DirectInternetAccess: !Ref Mode\n")
TERRAFORM = ('resource "aws_sagemaker_notebook_instance" "PassTerraform" {\n  name = "nb"\n'
             '  role_arn = "arn:aws:iam::123456789012:role/r"\n  instance_type = "ml.t3.medium"\n'
             '  subnet_id = "subnet-0123456789abcdef0"\n  direct_internet_access = "Disabled"\n}\n')
SERVERLESS = ("service: nb\nprovider:\n  name: aws\nresources:\n  Resources:\n    PassServerless:\n"
              + "".join("  " + line + "\n" for line in NOTEBOOK.splitlines()) + "        DirectInternetAccess: Disabled\n")

CFN_NOTEBOOKS, TF_NOTEBOOKS = {"PassParameterDefault", "PassServerless"}, {"PassTerraform"}
# (mutation of the adapter, the details every notebook it reaches must then carry[, the notebooks it reaches:
# the CloudFormation and Serverless ones unless said]); the other notebooks must still pass
MUTANTS = {
    "frame search finds nothing": (("FRAME_SEARCH_DEPTH = 40", "FRAME_SEARCH_DEPTH = 0"),
                                   "runner was not found on the call stack", CFN_NOTEBOOKS | TF_NOTEBOOKS),
    "terraform runner method renamed": (('"checkov.terraform.runner", "run_block"',
                                         '"checkov.terraform.runner", "run_blockz"'),
                                        "checkov.terraform.runner.Runner.run_blockz is missing", TF_NOTEBOOKS),
    "terraform runner chooses no graph": (('"_assign_correct_graph_to_registry"', '"_assign_correct_graph_to_registrz"'),
                                          "does not choose its graph where the rule reads it", TF_NOTEBOOKS),
    "runner method renamed": (('"check_definitions",', '"check_definitionz",'),
                              "lacks the runner internals the rule reads"),
    "frame local renamed": (('"file_abs_path", "resource_name"', '"file_abs_path", "resource_nam"'),
                            "has no local resource_nam"),
    "runner attribute renamed": (('("definitions_raw",)', '("definitions_rawz",)'),
                                 "sets no attribute definitions_rawz"),
    "frame holds another resource": (('if scope.get("resource") is not conf:', 'if scope.get("resource") is conf:'),
                                     "is scanning another resource than the one judged"),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("internals")
    (folder / "template.yaml").write_text(TEMPLATE)
    (folder / "serverless.yml").write_text(SERVERLESS)
    (folder / "main.tf").write_text(TERRAFORM)
    return folder


def _arguments(project, checks_dir) -> list[str]:
    return ["-d", str(project), "--external-checks-dir", str(checks_dir), "--check", CHECKOV_ID, "--skip-download",
            "--framework", "cloudformation", "serverless", "terraform", "-o", "json"]


def _verdicts_of(returncode: int, stdout: str, stderr: str):
    assert returncode in (0, 1), stderr[-3000:]
    return {f.resource.split(".")[-1]: (f.verdict, f.details) for f in findings_from_json(stdout)}


def _verdicts(project, checks_dir):
    result = subprocess.run([str(CHECKOV), *_arguments(project, checks_dir)], capture_output=True, text=True,
                            cwd=ROOT, timeout=600)
    return _verdicts_of(result.returncode, result.stdout, result.stderr)


@pytest.fixture(scope="module")
def mutant_runs(project, tmp_path_factory):
    """Every mutant's check folder (None where the mutation no longer applies), all run in one checkov_forks.py."""
    runs, folders = [], {}
    for mutant, ((old, new), *_) in MUTANTS.items():
        folder = tmp_path_factory.mktemp("mutant")
        checks = folder / "checks"
        shutil.copytree(CHECKS_DIR, checks, ignore=shutil.ignore_patterns("__pycache__"))
        source = (checks / VALUES_FILE).read_text()
        if source.count(old) != 1:
            folders[mutant] = None
            continue
        (checks / VALUES_FILE).write_text(source.replace(old, new))
        folders[mutant] = folder
        runs.append({"argv": _arguments(project, checks), "stdout": str(folder / "stdout"),
                     "stderr": str(folder / "stderr")})
    runs_file = tmp_path_factory.mktemp("runs") / "runs.json"
    runs_file.write_text(json.dumps(runs))
    forks = subprocess.run([sys.executable, str(Path(__file__).with_name("checkov_forks.py")), str(runs_file)],
                           capture_output=True, text=True, cwd=ROOT, timeout=1800)
    assert forks.returncode == 0, forks.stderr[-3000:]
    codes = iter(json.loads(forks.stdout))
    return {mutant: folder and (next(codes), (folder / "stdout").read_text(), (folder / "stderr").read_text())
            for mutant, folder in folders.items()}


def test_the_self_test_passes_on_the_installed_checkov():
    spec = importlib.util.spec_from_file_location("d9_cfn_values_under_test", CHECKS_DIR / VALUES_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.INTERNALS_PROBLEM == ""
    assert sorted(module.RUNNER_CODES.values()) == ["cloudformation", "serverless"]
    assert not isinstance(module.TERRAFORM_RUN_BLOCK, str), module.TERRAFORM_RUN_BLOCK


def test_the_unmutated_rule_passes_both_notebooks(project):
    verdicts = _verdicts(project, CHECKS_DIR)
    assert verdicts == {name: ("PASSED", []) for name in CFN_NOTEBOOKS | TF_NOTEBOOKS}


@pytest.mark.parametrize("mutant", MUTANTS, ids=list(MUTANTS))
def test_a_look_up_that_misses_fails_closed(mutant_runs, mutant):
    (old, _), expected, *reached = MUTANTS[mutant]
    reached_names = reached[0] if reached else CFN_NOTEBOOKS
    assert mutant_runs[mutant] is not None, f"the mutation no longer applies: {old!r}"
    verdicts = _verdicts_of(*mutant_runs[mutant])
    assert set(verdicts) == CFN_NOTEBOOKS | TF_NOTEBOOKS
    for name, (verdict, details) in verdicts.items():
        if name not in reached_names:
            assert (verdict, details) == ("PASSED", []), (mutant, name)
            continue
        assert verdict == "FAILED", (mutant, name)
        assert len(details) == 1 and expected in details[0], (mutant, name, details)
