"""Our check over Prowler's real SageMaker service, fed raw API answers by moto (no hand-built models)."""
from __future__ import annotations

import boto3
import pytest
from prowler_harness import Faults, create_notebook, run_check
from moto import mock_aws

US, EU = "us-east-1", "eu-west-1"


def by_name(findings):
    names = [f.resource_id for f in findings]
    assert len(names) == len(set(names)), "a notebook was reported twice"
    return {f.resource_id: f for f in findings}


# Named scenarios: (name, settings passed to CreateNotebookInstance, expected status)
SCENARIOS = [
    ("enabled_root_disabled", {"DirectInternetAccess": "Enabled", "RootAccess": "Disabled"}, "FAIL"),
    ("enabled_root_enabled", {"DirectInternetAccess": "Enabled", "RootAccess": "Enabled"}, "FAIL"),
    ("disabled_root_enabled", {"DirectInternetAccess": "Disabled", "RootAccess": "Enabled",
                               "SubnetId": "subnet-0abc", "SecurityGroupIds": ["sg-0abc"]}, "PASS"),
    ("disabled_root_disabled", {"DirectInternetAccess": "Disabled", "RootAccess": "Disabled",
                                "SubnetId": "subnet-0abc", "SecurityGroupIds": ["sg-0abc"]}, "PASS"),
    ("omitted_aws_default", {}, "FAIL"),
    ("omitted_root_disabled", {"RootAccess": "Disabled"}, "FAIL"),
]


@mock_aws
def test_named_scenarios_one_finding_each(check_module):
    client = boto3.client("sagemaker", region_name=US)
    for name, settings, _ in SCENARIOS:
        create_notebook(client, name, **settings)
    found = by_name(run_check(check_module, [US]))
    assert {n: f.status for n, f in found.items()} == {name: status for name, _, status in SCENARIOS}
    for name, settings, status in SCENARIOS:
        finding = found[name]
        assert finding.region == US and finding.resource_arn.endswith(f":notebook-instance/{name}")
        assert finding.resource_tags == [{"Key": "owner", "Value": name}]
        assert name in finding.status_extended
        assert finding.check_metadata.Severity == "high"
        if "SubnetId" in settings:
            assert settings["SubnetId"] in finding.status_extended
        if status == "FAIL":
            assert "re-create the notebook in a VPC subnet" in finding.status_extended


@mock_aws
def test_no_notebooks_no_findings(check_module):
    assert run_check(check_module, [US, EU]) == []


@mock_aws
def test_more_than_one_page_of_notebooks(check_module):
    client = boto3.client("sagemaker", region_name=US)
    for i in range(130):
        create_notebook(client, f"nb-{i:03d}", **({"DirectInternetAccess": "Enabled"} if i % 2 else {
            "DirectInternetAccess": "Disabled", "SubnetId": "subnet-0abc", "SecurityGroupIds": ["sg-0abc"]}))
    faults = Faults()  # no fault: only counts the calls
    found = by_name(run_check(check_module, [US], faults))
    assert len(found) == 130
    assert faults.calls[("ListNotebookInstances", US)] >= 2, "the listing did not paginate"
    assert all(f.status == ("FAIL" if int(n[3:]) % 2 else "PASS") for n, f in found.items())


@mock_aws
def test_two_regions(check_module):
    create_notebook(boto3.client("sagemaker", region_name=US), "us-public", DirectInternetAccess="Enabled")
    create_notebook(boto3.client("sagemaker", region_name=EU), "eu-private", DirectInternetAccess="Disabled",
                    SubnetId="subnet-0eu", SecurityGroupIds=["sg-0eu"])
    found = by_name(run_check(check_module, [US, EU]))
    assert {(n, f.region, f.status) for n, f in found.items()} == {("us-public", US, "FAIL"),
                                                                   ("eu-private", EU, "PASS")}


@pytest.mark.parametrize("code", ["AccessDeniedException", "ThrottlingException", "InternalFailure"])
@mock_aws
def test_a_region_that_cannot_be_listed_is_a_manual_finding(check_module, code):
    """Prowler's inventory logs the error and goes on as if the region held no notebook; the check lists
    each region where the inventory holds none once more, and reports the one that fails (the region as
    resource), next to the other region's verdicts."""
    create_notebook(boto3.client("sagemaker", region_name=US), "us-public", DirectInternetAccess="Enabled")
    create_notebook(boto3.client("sagemaker", region_name=EU), "eu-public", DirectInternetAccess="Enabled")
    faults = Faults()
    faults.fail("ListNotebookInstances", EU, code)
    found = by_name(run_check(check_module, [US, EU], faults))
    assert {n: f.status for n, f in found.items()} == {"us-public": "FAIL", EU: "MANUAL"}
    region = found[EU]
    assert region.region == EU and region.resource_arn == f"arn:aws:sagemaker:{EU}:123456789012:notebook-instance/unknown"
    assert f"SageMaker notebook instances in {EU} could not be listed" in region.status_extended
    assert f"ListNotebookInstances failed: ClientError: An error occurred ({code})" in region.status_extended
    assert faults.calls[("ListNotebookInstances", US)] == 1  # a region the inventory holds notebooks of: no call


@mock_aws
def test_an_empty_region_costs_one_call_and_reports_nothing(check_module):
    create_notebook(boto3.client("sagemaker", region_name=US), "us-public", DirectInternetAccess="Enabled")
    faults = Faults()  # no fault: only counts the calls
    found = by_name(run_check(check_module, [US, EU], faults))
    assert {n: f.status for n, f in found.items()} == {"us-public": "FAIL"}
    assert faults.calls[("ListNotebookInstances", EU)] == 2 and faults.calls[("ListNotebookInstances", US)] == 1


@mock_aws
def test_a_region_whose_listing_failed_only_during_the_inventory_is_a_manual_finding(check_module):
    create_notebook(boto3.client("sagemaker", region_name=EU), "eu-public", DirectInternetAccess="Enabled")
    faults = Faults()
    faults.fail("ListNotebookInstances", EU, "AccessDeniedException", times=1)  # the inventory's call only
    found = by_name(run_check(check_module, [EU], faults))
    assert {n: f.status for n, f in found.items()} == {EU: "MANUAL"}
    assert "Prowler's inventory listed none" in found[EU].status_extended


@pytest.mark.parametrize("code", ["AccessDeniedException", "ThrottlingException", "ValidationException",
                                  "InternalFailure"])
@mock_aws
def test_describe_failing_for_one_notebook_is_manual_never_pass(check_module, code):
    client = boto3.client("sagemaker", region_name=US)
    private = {"DirectInternetAccess": "Disabled", "SubnetId": "subnet-0abc", "SecurityGroupIds": ["sg-0abc"]}
    for name in ("ok-private", "broken-private"):
        create_notebook(client, name, **private)
    create_notebook(client, "ok-public", DirectInternetAccess="Enabled")
    faults = Faults()
    faults.fail("DescribeNotebookInstance", US, code, notebook="broken-private")
    found = by_name(run_check(check_module, [US], faults))
    assert {n: f.status for n, f in found.items()} == {
        "ok-private": "PASS", "ok-public": "FAIL", "broken-private": "MANUAL"}
    assert "could not be read" in found["broken-private"].status_extended


@mock_aws
def test_transient_throttling_is_retried_and_judged(check_module):
    client = boto3.client("sagemaker", region_name=US)
    create_notebook(client, "public", DirectInternetAccess="Enabled")
    create_notebook(client, "private", DirectInternetAccess="Disabled", SubnetId="subnet-0abc",
                    SecurityGroupIds=["sg-0abc"])
    faults = Faults()
    faults.fail("DescribeNotebookInstance", US, "ThrottlingException", notebook="private", times=1)
    faults.fail("ListNotebookInstances", US, "ThrottlingException", times=1)
    found = by_name(run_check(check_module, [US], faults, retries=3))
    assert {n: f.status for n, f in found.items()} == {"public": "FAIL", "private": "PASS"}


def test_old_prowler_inventory_is_never_trusted(check_module, monkeypatch):
    from types import SimpleNamespace

    monkeypatch.setattr(check_module, "prowler_version", "5.40.0")
    notebook = SimpleNamespace(name="nb", region=US, arn="arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/nb",
                               subnet_id=None, direct_internet_access=False, tags=[])
    monkeypatch.setattr(check_module, "sagemaker_client", SimpleNamespace(sagemaker_notebook_instances=[notebook],
                                                                          regional_clients={}))
    [finding] = check_module.sagemaker_notebook_instance_direct_internet_access_disabled().execute()
    assert finding.status == "MANUAL" and ">= 5.41" in finding.status_extended
