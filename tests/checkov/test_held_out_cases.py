"""Inputs a reviewer found that an earlier version wrongly PASSED (tests/fixtures/terraform_hunt/, one
folder per case, each checked against real Terraform). Every reported notebook must FAIL, with a reason.

Two cases hide a notebook from Checkov itself (python-hcl2 misreads an empty heredoc; Python's json keeps
only the last of two "resource" keys): the notebook Checkov does report next to it fails closed instead.
"""
from collections import Counter

from checkov_harness import scan
from rule import FIXTURES

HUNT = FIXTURES / "terraform_hunt"
# (framework, resource) of every notebook Checkov reports; fail_open_* in three cases are never reported
EXPECTED = {("terraform_json", f"resource.fail_nb_{case}") for case in
            ("json_duplicate_resource_key", "minor_json_duplicate_attribute", "tfjson_module_input")} | {
    ("terraform", f"aws_sagemaker_notebook_instance.fail_nb_{p.name}") for p in HUNT.iterdir()
    if p.is_dir() and p.name != "tfjson_module_input" and any(p.glob("*.tf"))}


def test_every_held_out_case_fails_with_a_reason():
    _, findings = scan(HUNT, "--framework", "terraform", "terraform_json")
    assert Counter((f.framework, f.resource) for f in findings) == Counter(EXPECTED)
    passed = [f.resource for f in findings if f.verdict != "FAILED"]
    assert passed == []
    assert all(f.details and "could not be evaluated" not in f.details[0] for f in findings)


IAC_HUNT = FIXTURES / "iac_hunt"
NOTEBOOK = "AWS::SageMaker::NotebookInstance."
# A second review's CloudFormation, SAM and Serverless cases (tests/fixtures/iac_hunt/): values the
# repository changes before deployment (nested stack Parameters, samconfig parameter_overrides, Serverless
# extensions and merged resources files, macros), values read at deploy time (dynamic references, Serverless
# sources with fallbacks), and ${file(...)}, which Checkov's YAML loader expands in any template.
# A third review's (issue 17), each wrongly PASSED before: AWS::NoValue in a list before Fn::Select;
# Fn::Transform outside Properties (beside them, in Resources, in Mappings) and a top-level Transform that is
# a mapping; SAM CLI configuration at the project root (template_file) and under another name (--config-file,
# environment prod); a parent stack in another branch of the repository; Serverless plugins (a list, or
# modules from a local path), a Transform and Fn::Transform in resources, provider.stackParameters; Terraform
# deploying the template with parameters (aws_cloudformation_stack).
EXPECTED_IAC = {
    ("cloudformation", f"/{case}", f"{NOTEBOOK}Notebook") for case in (
        "cfn_dynamic_reference_default_condition/template.yaml", "cfn_dynamic_reference_default_condition/template_inline.yaml",
        "cfn_macro_transform/properties_fn_transform.yaml", "cfn_macro_transform/template_macro.yaml",
        "cfn_nested_stack_parameter_override/child.yaml", "cfn_yaml_file_include_condition/template.yaml",
        "sam_samconfig_parameter_override/template.yaml", "sls_resources_list_merge_override/notebooks.yml",
        "cfn_novalue_list_select/template.yaml", "cfn_fn_transform_outside_properties/resource_level.yaml",
        "cfn_fn_transform_outside_properties/resources_section.yaml",
        "cfn_fn_transform_outside_properties/mappings_section.yaml",
        "cfn_fn_transform_outside_properties/top_level_mapping.yaml",
        "sam_config_project_root/infra/sam/stacks/notebook/template.yaml", "sam_config_file_option/app/template.yaml",
        "cfn_parent_stack_elsewhere/children/ml/team/notebook.yaml",
        "cfn_terraform_stack_parameters/templates/notebook.yaml")} | {
    ("cloudformation", "/cfn_novalue_list_select/template.yaml", f"{NOTEBOOK}NotebookIf"),
    ("serverless", "/sls_resources_transform/serverless.yml", f"{NOTEBOOK}NotebookSnippet")} | {
    ("serverless", f"/{case}/serverless.yml", f"{NOTEBOOK}Notebook") for case in (
        "sls_plugins", "sls_plugins_modules", "sls_resources_transform", "sls_stack_parameters")} | {
    ("serverless", "/sls_fallbacks/serverless.yml", f"{NOTEBOOK}{name}") for name in (
        "CfFallback", "EnvFallback", "OptFallback", "ParamFallback", "SelfViaOpt", "SsmFallback", "StageKeyedMap",
        "StageMap")} | {
    ("serverless", "/sls_resources_extensions_override/serverless.yml", f"{NOTEBOOK}Notebook"),
    ("serverless", "/sls_sub_variable_taken_as_literal/serverless.yml", f"{NOTEBOOK}Notebook")}


def test_every_cloudformation_and_serverless_held_out_case_fails_with_a_reason():
    _, findings = scan(IAC_HUNT, "--framework", "cloudformation", "serverless")
    assert Counter((f.framework, f.file_path, f.resource) for f in findings) == Counter(EXPECTED_IAC)
    assert [f.resource for f in findings if f.verdict != "FAILED"] == []
    assert all(f.details and "could not be evaluated" not in f.details[0] for f in findings)
