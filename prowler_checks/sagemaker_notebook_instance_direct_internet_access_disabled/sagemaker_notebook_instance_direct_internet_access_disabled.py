"""Prowler adapter for CloudGuard rule D9.AWS.NET.49.

Reads Prowler's shared SageMaker inventory (DescribeNotebookInstance is already called once
per notebook), so it adds no API call. Texts, severity and remediation are in the generated
.metadata.json next to this file.
"""
from prowler.config.config import prowler_version
from prowler.lib.check.models import Check, Check_Report_AWS
from prowler.providers.aws.services.sagemaker.sagemaker_client import sagemaker_client

# Before 5.41 the inventory derived direct_internet_access from RootAccess
# (= metadata/D9.AWS.NET.49.yaml engines.prowler.min_version).
MIN_PROWLER = (5, 41)


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
        return findings
