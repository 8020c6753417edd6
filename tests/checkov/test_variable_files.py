"""--var-file given to Checkov is the last word on a root variable, as in Terraform; TF_VAR_ beats a default."""
from checkov_harness import corpus_scan, scan
from rule import FIXTURES
from test_verdicts_per_framework import VERDICT_CORPUS

PRECEDENCE = FIXTURES / "terraform_precedence"
VAR_FILE = FIXTURES / "var_files" / "private.tfvars"  # var_file_only = "Disabled"
TARGET = "aws_sagemaker_notebook_instance.fail_without_var_file"


def verdicts(*extra):
    findings = (scan(PRECEDENCE, "--framework", "terraform", *extra)[1] if extra
                else corpus_scan(VERDICT_CORPUS)[1][(PRECEDENCE, "terraform")])  # the verdict corpus's run
    return {f.resource: f.verdict for f in findings}


def test_var_file_overrides_every_tfvars_file():
    without, with_file = verdicts(), verdicts("--var-file", str(VAR_FILE))
    assert without[TARGET] == "FAILED"
    assert with_file[TARGET] == "PASSED"
    # nothing else moves: the var file sets only var_file_only
    assert {k: v for k, v in with_file.items() if k != TARGET} == {k: v for k, v in without.items() if k != TARGET}


def test_environment_variable_overrides_default():
    target = "aws_sagemaker_notebook_instance.pass_unless_tf_var_overrides_default"
    plain = corpus_scan(VERDICT_CORPUS)[1][(FIXTURES / "terraform_overrides", "terraform")]  # the verdict corpus's run
    _, with_env = scan(FIXTURES / "terraform_overrides", "--framework", "terraform", env={"TF_VAR_not_nullable": "Enabled"})
    assert {f.verdict for f in plain if f.resource == target} == {"PASSED"}
    assert {f.verdict for f in with_env if f.resource == target} == {"FAILED"}
