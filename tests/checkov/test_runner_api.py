"""The same verdicts through Checkov's runner API, as integrations embedding Checkov use it."""
from checkov.cloudformation.runner import Runner as CloudFormationRunner
from checkov.runner_filter import RunnerFilter
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
