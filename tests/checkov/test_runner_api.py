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


def test_the_parser_is_left_as_it_was(monkeypatch):
    """The rule reuses the trees of Checkov's HCL parse only within a Terraform scan that runs it: a scan of other
    checks leaves python-hcl2's parser untouched, and one that runs the rule restores it once parsed, having
    parsed each file once (the traced notebooks used the kept trees)."""
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
