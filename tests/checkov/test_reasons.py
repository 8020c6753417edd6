"""The details line of a FAILED names the cause, so a user can fix the right thing."""
import pytest
from checkov_harness import corpus_scan
from rule import FIXTURES
from test_verdicts_per_framework import VERDICT_CORPUS

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
    ("terraform", "terraform", "aws_sagemaker_notebook_instance.fail_conditional_unresolved",
     "its branches differ: 'Disabled' if true, 'Enabled' if false"),
    ("terraform", "terraform", "aws_sagemaker_notebook_instance.fail_comparison_on_variable_without_value",
     'the condition `var.environment_no_value == "dev"` is not proven'),
    ("terraform", "terraform", "module.fail_nested_module_public.aws_sagemaker_notebook_instance.this",
     "is 'Enabled' in the branch chosen because `var.private` is false"),
    ("terraform", "terraform", "aws_sagemaker_notebook_instance.fail_data_source_comparison",
     "the data source data.aws_ssm_parameter.exposure is read only at apply time"),
    ("terraform", "terraform", "aws_sagemaker_notebook_instance.fail_unknown_function",
     "the function jsondecode() is not evaluated by the rule"),
    ("terraform_json", "terraform_json_tfvars", "resource.fail_json_tfvars_heredoc", "'Enabled\\n'"),
    ("terraform_plan", "terraform_plan", "aws_sagemaker_notebook_instance.fail_setting_known_after_apply",
     "known only after apply"),
    ("terraform_plan", "terraform_plan", "aws_sagemaker_notebook_instance.fail_absent", "'Enabled'"),
    ("cloudformation", "cloudformation", "AWS::SageMaker::NotebookInstance.FailParameterNoDefault", "Ref 'ModeNoDefault'"),
    ("cloudformation", "cloudformation", "AWS::SageMaker::NotebookInstance.FailIfOneBranchNoValue",
     "DirectInternetAccess is not set (AWS::NoValue) when condition IsProd is false (Fn::If [IsProd, 'Disabled', "
     "Ref AWS::NoValue]; IsProd cannot be computed from parameter defaults: Ref 'ModeNoDefault'"),
    ("cloudformation", "cloudformation", "AWS::SageMaker::NotebookInstance.FailIfSubnetMaybeAbsent",
     "SubnetId is AWS::NoValue when condition IsProd is false"),
    # Fn::If: the failing branch and its condition, chosen by the parameter defaults or not computable
    ("cloudformation", "cloudformation", "AWS::SageMaker::NotebookInstance.FailIfDefaultsChooseEnabled",
     "DirectInternetAccess is 'Enabled' when condition IsDev is false, as it is with the parameter defaults "
     "(Fn::If [IsDev, 'Disabled', 'Enabled'])"),
    ("cloudformation", "cloudformation", "AWS::SageMaker::NotebookInstance.FailIfUnknownOneEnabled",
     "DirectInternetAccess is 'Enabled' when condition IsExposed is true (Fn::If [IsExposed, 'Enabled', 'Disabled']; "
     "IsExposed cannot be computed from parameter defaults: Ref 'Exposure' (parameter Exposure has no Default))"),
    ("cloudformation", "cloudformation", "AWS::SageMaker::NotebookInstance.FailIfConditionCycle",
     "condition CycleA depends on itself"),
    ("cloudformation", "cloudformation", "AWS::SageMaker::NotebookInstance.FailIfMissingCondition",
     "condition NoSuchCondition is not defined"),
    ("cloudformation", "cloudformation", "AWS::SageMaker::NotebookInstance.FailCdkIfRegionNotebook9C0D1E2F",
     "Ref 'AWS::Region' (a pseudo parameter"),
    ("cloudformation", "cloudformation", "AWS::SageMaker::NotebookInstance.FailSsmParameterDefault",
     "an SSM parameter, whose value is read at deploy time"),
    # SubnetId folded like DirectInternetAccess
    ("cloudformation", "cloudformation", "AWS::SageMaker::NotebookInstance.FailSubEmptySubnet",
     "SubnetId is Fn::Sub '', which folds to '' (no subnet)"),
    ("cloudformation", "cloudformation", "AWS::SageMaker::NotebookInstance.FailSelectEmptySubnet",
     "SubnetId is Fn::Select [0, ['']], which folds to ''"),
    ("cloudformation", "cloudformation", "AWS::SageMaker::NotebookInstance.FailIfSubnetNoValueChosen",
     "SubnetId is AWS::NoValue when condition IsDev is false, as it is with the parameter defaults"),
    ("cloudformation", "cloudformation", "AWS::SageMaker::NotebookInstance.FailIfSubnetEmptySubChosen",
     "SubnetId is '' when condition IsProd is true, as it is with the parameter defaults"),
    ("serverless", "serverless", "AWS::SageMaker::NotebookInstance.FailServerlessOptionVariable",
     "${opt:internet-mode}"),
]


@pytest.fixture(scope="module")
def details_by_resource():
    seen = {}
    for framework, folder in sorted({(r[0], r[1]) for r in REASONS}):
        findings = corpus_scan(VERDICT_CORPUS)[1][(FIXTURES / folder, framework)]  # the verdict corpus's run
        seen.update({(framework, f.resource): " ".join(f.details) for f in findings})
    return seen


@pytest.mark.parametrize("framework, folder, resource, words", REASONS, ids=[r[2].split(".")[-1] for r in REASONS])
def test_failure_reason(details_by_resource, framework, folder, resource, words):
    assert words in details_by_resource[(framework, resource)]
