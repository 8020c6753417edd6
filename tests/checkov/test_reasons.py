"""The details line of a FAILED names the cause, so a user can fix the right thing."""
import pytest
from checkov_harness import scan
from rule import FIXTURES

REASONS = [  # (framework, fixture folder, resource, words the details must contain)
    ("terraform", "terraform", "aws_sagemaker_notebook_instance.fail_absent", "is not set"),
    ("terraform", "terraform", "aws_sagemaker_notebook_instance.fail_lowercase", "'disabled'"),
    ("terraform", "terraform", "aws_sagemaker_notebook_instance.fail_disabled_without_subnet", "subnet_id is not set"),
    ("terraform", "terraform", "aws_sagemaker_notebook_instance.fail_variable_no_default", "could not be resolved"),
    ("terraform", "terraform", "aws_sagemaker_notebook_instance.fail_conditional_unresolved", "could not be resolved"),
    ("terraform", "terraform", "aws_sagemaker_notebook_instance.fail_boolean_value", "where a string is expected"),
    ("terraform", "terraform", "aws_sagemaker_notebook_instance.fail_comparison_on_variable_without_value",
     "var.environment_no_value has no value"),
    ("terraform", "terraform", "aws_sagemaker_notebook_instance.fail_subnet_variable_default_null",
     "subnet_id is not set (or null)"),
    ("terraform_plan", "terraform_plan", "aws_sagemaker_notebook_instance.fail_setting_known_after_apply",
     "known only after apply"),
    ("terraform_plan", "terraform_plan", "aws_sagemaker_notebook_instance.fail_absent", "'Enabled'"),
    ("cloudformation", "cloudformation", "AWS::SageMaker::NotebookInstance.FailParameterNoDefault", "Ref 'ModeNoDefault'"),
    ("cloudformation", "cloudformation", "AWS::SageMaker::NotebookInstance.FailIfOneBranchNoValue",
     "not set in at least one branch"),
    ("cloudformation", "cloudformation", "AWS::SageMaker::NotebookInstance.FailIfSubnetMaybeAbsent",
     "SubnetId is AWS::NoValue in one Fn::If branch"),
    ("serverless", "serverless", "AWS::SageMaker::NotebookInstance.FailServerlessOptionVariable",
     "${opt:internet-mode}"),
]


@pytest.fixture(scope="module")
def details_by_resource():
    seen = {}
    for framework, folder in sorted({(r[0], r[1]) for r in REASONS}):
        _, findings = scan(FIXTURES / folder, "--framework", framework)
        seen.update({(framework, f.resource): " ".join(f.details) for f in findings})
    return seen


@pytest.mark.parametrize("framework, folder, resource, words", REASONS, ids=[r[2].split(".")[-1] for r in REASONS])
def test_failure_reason(details_by_resource, framework, folder, resource, words):
    assert words in details_by_resource[(framework, resource)]
