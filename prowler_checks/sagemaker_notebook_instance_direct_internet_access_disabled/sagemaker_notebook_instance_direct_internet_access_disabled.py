"""Prowler adapter for CloudGuard rule D9.AWS.NET.49.

Reads Prowler's shared SageMaker inventory (DescribeNotebookInstance is already called once
per notebook), so it adds no API call per notebook. Prowler's inventory logs a region it could not list
(access denied, throttled past its retries, an endpoint error) and goes on as if the region held no
notebook: each audited region where it holds none is therefore listed once more (ListNotebookInstances,
one result), and a region that cannot be listed, or turns out to hold notebooks the inventory missed, is
reported MANUAL with the region as resource. Texts, severity and remediation are in the generated
.metadata.json next to this file.
"""
import re
from concurrent.futures import ThreadPoolExecutor

from prowler.config.config import prowler_version
from prowler.lib.check.models import Check, Check_Report_AWS
from prowler.providers.aws.services.sagemaker.sagemaker_client import sagemaker_client

# Before this release the inventory derived direct_internet_access from RootAccess.
MIN_PROWLER = (5, 41)  # engines.prowler.min_version, written by tools/generate.py


def _error_text(error: Exception) -> str:
    """The error on one line, markup removed (an endpoint may answer an XML body to a JSON API)."""
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", str(error))).strip()
    return f"{type(error).__name__}: {text[:400]}"


def _unlisted_regions() -> dict[str, str]:
    """{region: why its notebooks were not judged} among the audited regions where the inventory holds no
    notebook: one ListNotebookInstances call each (a region where the inventory holds a notebook was listed)."""
    found = {notebook.region for notebook in sagemaker_client.sagemaker_notebook_instances}
    empty = {region: client for region, client in sagemaker_client.regional_clients.items() if region not in found}
    # resource filters (--resource-arn, --resource-tag) may leave a listed region's notebooks out on purpose
    filtered = bool(getattr(sagemaker_client, "audit_resources", None))

    def probe(client):  # the problem, or None when the region was listed and holds no notebook
        try:
            answer = client.list_notebook_instances(MaxResults=1)
        except Exception as error:  # every failure leaves the region unjudged: report it, never skip it
            return f"ListNotebookInstances failed: {_error_text(error)}"
        if answer.get("NotebookInstances") and not filtered:
            return ("ListNotebookInstances returns notebooks now, but Prowler's inventory listed none "
                    "(its listing failed earlier, see Prowler's log)")
        return None

    with ThreadPoolExecutor(max_workers=max(1, min(10, len(empty)))) as pool:
        problems = dict(zip(empty, pool.map(probe, empty.values())))
    return {region: problem for region, problem in sorted(problems.items()) if problem}


def _inventory_is_trustworthy() -> bool:
    try:
        return tuple(int(part) for part in prowler_version.split(".")[:2]) >= MIN_PROWLER
    except ValueError:
        return False


class sagemaker_notebook_instance_direct_internet_access_disabled(Check):
    def execute(self) -> list[Check_Report_AWS]:
        findings = []
        trustworthy = _inventory_is_trustworthy()
        for notebook in sagemaker_client.sagemaker_notebook_instances:
            report = Check_Report_AWS(metadata=self.metadata(), resource=notebook)
            name = f"SageMaker notebook instance {notebook.name}"
            network = f"in subnet {notebook.subnet_id}" if notebook.subnet_id else "not in a VPC subnet"
            if not trustworthy:
                report.status = "MANUAL"
                report.status_extended = (
                    f"{name}: Prowler {prowler_version} reads DirectInternetAccess from the wrong field; "
                    f"run Prowler >= {'.'.join(map(str, MIN_PROWLER))} to judge it.")
            elif notebook.direct_internet_access is False:
                report.status = "PASS"
                report.status_extended = f"{name} ({network}) has direct internet access disabled."
            elif notebook.direct_internet_access is True:
                report.status = "FAIL"
                report.status_extended = (
                    f"{name} ({network}) has direct internet access enabled. The setting cannot be changed: "
                    "re-create the notebook in a VPC subnet with direct internet access disabled.")
            else:  # DescribeNotebookInstance failed or did not return the field: unknown, never PASS
                report.status = "MANUAL"
                report.status_extended = (
                    f"{name} ({network}): DirectInternetAccess could not be read (DescribeNotebookInstance "
                    "failed or did not return it); verify it manually.")
            findings.append(report)
        for region, problem in _unlisted_regions().items():
            # the resource is the region, with Prowler's placeholder ARN for a resource it could not name
            arn = sagemaker_client.get_unknown_arn(resource_type="notebook-instance", region=region)
            report = Check_Report_AWS(metadata=self.metadata(), resource={"name": region, "region": region, "arn": arn})
            report.resource_id, report.region, report.resource_arn = region, region, arn
            report.status = "MANUAL"
            report.status_extended = (
                f"SageMaker notebook instances in {region} could not be listed, so none of them was judged: "
                f"{problem}. Allow sagemaker:ListNotebookInstances and sagemaker:DescribeNotebookInstance in "
                f"{region} for the scanning role, or leave the region out of the scan (--region / --excluded-region).")
            findings.append(report)
        return findings
