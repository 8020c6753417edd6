"""The same verdicts through Checkov's runner API, as integrations embedding Checkov use it."""
import os

from checkov.cloudformation.runner import Runner as CloudFormationRunner
from checkov.runner_filter import RunnerFilter
from checkov.serverless.runner import Runner as ServerlessRunner
from checkov.terraform.runner import Runner as TerraformRunner
from checkov_harness import CHECKS_DIR
from rule import CHECKOV_ID, EXAMPLES, FIXTURES, expected_verdict


def verdicts(runner, folder):
    report = runner.run(root_folder=str(folder), external_checks_dir=[str(CHECKS_DIR)],
                        runner_filter=RunnerFilter(checks=[CHECKOV_ID], framework=[runner.check_type]))
    records = report.passed_checks + report.failed_checks + report.skipped_checks
    return {r.resource: r.check_result["result"].name for r in records if r.check_id == CHECKOV_ID}


def test_terraform_runner():
    found = verdicts(TerraformRunner(), EXAMPLES / "terraform")
    assert len(found) == 4 and all(expected_verdict(r) == v for r, v in found.items())


def test_cloudformation_runner():
    found = verdicts(CloudFormationRunner(), FIXTURES / "cloudformation")
    assert len(found) == 100 and all(expected_verdict(r) == v for r, v in found.items()), found


def test_the_parser_is_left_as_it_was(monkeypatch):
    """The rule reuses Checkov's HCL parse only within a Terraform scan that runs it: a scan of other
    checks leaves python-hcl2's parser untouched, and one that runs the rule restores it once parsed, having
    parsed each file once (the traced notebooks used what the capture kept)."""
    from hcl2.parser import Hcl2

    original, parsed = Hcl2.lark_parser, []
    parse = original.parse
    monkeypatch.setattr(original, "parse", lambda text, *a, **k: parsed.append(text) or parse(text, *a, **k),
                        raising=False)
    TerraformRunner().run(root_folder=str(EXAMPLES / "terraform"), external_checks_dir=[str(CHECKS_DIR)],
                          runner_filter=RunnerFilter(checks=["CKV_AWS_122"], framework=["terraform"]))
    assert Hcl2.lark_parser is original
    parsed.clear()
    found = verdicts(TerraformRunner(), EXAMPLES / "terraform")
    assert len(found) == 4 and Hcl2.lark_parser is original
    assert len(parsed) == len(set(parsed)) == len(list((EXAMPLES / "terraform").glob("*.tf"))), len(parsed)


def _edit_in_place(path, old, new):
    """Rewrite `path` with `old` replaced by `new` (same length), keeping its size and modification time."""
    assert len(old) == len(new)
    info = path.stat()
    path.write_text(path.read_text().replace(old, new))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_size == info.st_size and path.stat().st_mtime_ns == info.st_mtime_ns


def test_a_second_scan_in_one_process_reads_files_edited_in_place(tmp_path):
    """A long-lived process (an IDE, a server embedding Checkov) scans again after an edit that keeps the
    file's size and modification time: nothing the rule read in the first scan may decide the second (the
    rule's caches are per scan, or keyed by content)."""
    folder = tmp_path / "iac"
    folder.mkdir()
    main = folder / "main.tf"
    main.write_text('resource "aws_sagemaker_notebook_instance" "nb" {\n  name = "nb"\n  role_arn = "r"\n'
                    '  instance_type = "ml.t3.medium"\n  subnet_id = "subnet-1"\n  direct_internet_access = "Disabled"\n}\n')
    assert verdicts(TerraformRunner(), folder) == {"aws_sagemaker_notebook_instance.nb": "PASSED"}
    _edit_in_place(main, '"Disabled"', '"Disablex"')
    assert verdicts(TerraformRunner(), folder) == {"aws_sagemaker_notebook_instance.nb": "FAILED"}
    serverless = tmp_path / "sls"
    serverless.mkdir()
    (serverless / "serverless.yml").write_text(
        "service: s\nprovider:\n  name: aws\nresources:\n  Resources:\n    Nb:\n      Type: AWS::SageMaker::NotebookInstance\n"
        "      Properties:\n        InstanceType: ml.t3.medium\n        RoleArn: r\n        SubnetId: subnet-1\n"
        "        DirectInternetAccess: Disabled\n")
    assert verdicts(ServerlessRunner(), serverless) == {"AWS::SageMaker::NotebookInstance.Nb": "PASSED"}
    _edit_in_place(serverless / "serverless.yml", "Access: Disabled", "Access: Disablex")
    assert verdicts(ServerlessRunner(), serverless) == {"AWS::SageMaker::NotebookInstance.Nb": "FAILED"}
