"""Every annotated notebook in every framework gets exactly its annotated verdict, through the real CLI."""
from __future__ import annotations

from collections import Counter

import pytest
from checkov_harness import corpus_scan
from rule import EXAMPLES, FIXTURES, GUIDELINE_URL, annotated_name, declared_names, expected_verdict

# (scenario, folder, checkov framework, files that declare notebooks, results expected)
SCENARIOS = [
    ("terraform HCL: literals, variables, locals, conditionals, count, for_each, modules, functions, outputs",
     FIXTURES / "terraform", "terraform", (".tf",), 65),
    ("terraform HCL: precedence of defaults, tfvars, tfvars.json and auto tfvars", FIXTURES / "terraform_precedence",
     "terraform", (".tf",), 7),
    ("terraform HCL: override files, optional() defaults, nullable = false", FIXTURES / "terraform_overrides",
     "terraform", (".tf",), 7),
    ("terraform_json: .tf.json, with variable defaults and locals resolved by the rule", FIXTURES / "terraform_json",
     "terraform_json", (".tf.json",), 9),
    ("terraform_json: HCL tfvars (comments, heredocs, auto tfvars) over .tf.json defaults",
     FIXTURES / "terraform_json_tfvars", "terraform_json", (".tf.json",), 6),
    ("terraform HCL: subnet shapes of public modules (splats, element, tolist/toset/one, data source ids, module "
     "outputs, required lists); null or \"\" still fails", FIXTURES / "terraform_subnets" / "hcl", "terraform", (".tf",), 62),
    ("terraform_json: the same subnet shapes in .tf.json", FIXTURES / "terraform_subnets" / "json", "terraform_json",
     (".tf.json",), 60),
    ("terraform_plan: real `terraform show -json` output", FIXTURES / "terraform_plan", "terraform_plan",
     ("tfplan.json",), 10),
    ("cloudformation: YAML, JSON, a CDK cdk.out template, AWS::LanguageExtensions (FindInMap DefaultValue)", FIXTURES / "cloudformation", "cloudformation",
     (".yaml", ".json"), 100),
    ("serverless: the resources section (Parameters Defaults, Conditions)", FIXTURES / "serverless", "serverless", (".yml",), 12),
    ("kubernetes: ACK and Crossplane (cluster-scoped v1beta1/v1beta2, namespaced), subnet IDs, references, "
     "selectors (crossplane-runtime's resolution), initProvider, a List, imports, YAML merge keys; other API groups' "
     "NotebookInstance not reported", FIXTURES / "kubernetes", "kubernetes", (".yaml", ".json"), 51),
    ("examples/ in Terraform", EXAMPLES / "terraform", "terraform", (".tf",), 4),
    ("examples/ in CloudFormation", EXAMPLES / "cloudformation", "cloudformation", (".yaml",), 3),
    ("examples/ in Kubernetes", EXAMPLES / "kubernetes", "kubernetes", (".yaml",), 4),
]


# every scenario's folder in one Checkov run (checkov_harness.corpus_scan), also read by test_reasons and
# test_variable_files
VERDICT_CORPUS = tuple((folder, framework) for _, folder, framework, _, _ in SCENARIOS)


@pytest.fixture(scope="module", params=SCENARIOS, ids=[s[0].split(":")[0] + f"[{s[1].name}]" for s in SCENARIOS])
def scenario(request):
    name, folder, framework, suffixes, count = request.param
    findings = corpus_scan(VERDICT_CORPUS)[1][(folder, framework)]
    return name, folder, framework, suffixes, count, findings


def test_each_resource_gets_its_annotated_verdict(scenario):
    _, _, framework, _, _, findings = scenario
    wrong = {f.resource: f.verdict for f in findings if f.verdict != expected_verdict(f.resource)}
    assert not wrong, f"{framework}: resources with the wrong verdict: {wrong}"
    assert {f.framework for f in findings} == {framework}


def test_every_declared_notebook_is_reported_and_nothing_else(scenario):
    # A check that raised or returned UNKNOWN would vanish from the report: count in = count out.
    _, folder, _, suffixes, count, findings = scenario
    plan_source = folder / "source"
    declared = declared_names(folder if not plan_source.is_dir() else plan_source, suffixes if not plan_source.is_dir() else (".tf",))
    assert {annotated_name(f.resource) for f in findings} == declared
    assert len(findings) == count, Counter(annotated_name(f.resource) for f in findings)
    assert len({(f.file_path, f.resource) for f in findings}) == count, "a resource was reported twice"


def test_failures_say_why_and_carry_severity_and_guideline(scenario):
    _, _, _, _, _, findings = scenario
    for finding in findings:
        assert finding.severity == "HIGH", finding
        assert finding.guideline == GUIDELINE_URL, finding
        if finding.verdict == "FAILED":
            assert finding.details and finding.details[0].strip(), f"{finding.resource} failed without a reason"
        # every fixture is a shape the rule understands: none may reach the fail-closed exception fallback
        assert not any("could not be evaluated" in d for d in finding.details), finding
