"""Our check run over Prowler's real SageMaker inventory, fed raw API answers by moto."""
from __future__ import annotations

import csv
import importlib.util
import io
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from unittest import mock

from botocore.awsrequest import AWSResponse
from rule import PROWLER_CHECK, ROOT

CHECK_DIR = ROOT / "prowler_checks" / PROWLER_CHECK
PROWLER = Path(sys.executable).parent / "prowler"
ROLE = "arn:aws:iam::123456789012:role/notebook"


def create_notebook(client, name: str, **settings) -> None:
    client.create_notebook_instance(NotebookInstanceName=name, InstanceType="ml.t3.medium", RoleArn=ROLE,
                                    Tags=[{"Key": "owner", "Value": name}], **settings)


class _RawBody(io.BytesIO):
    def stream(self, **_):
        yield self.read()


class Faults:
    """Raw error answers injected in front of moto: (operation, region, notebook or None) -> error code."""

    def __init__(self):
        self.rules: dict[tuple[str, str, str | None], tuple[str, int]] = {}
        self.calls: Counter[tuple[str, str]] = Counter()

    def fail(self, operation: str, region: str, code: str, notebook: str | None = None, times: int = 10**6):
        self.rules[(operation, region, notebook)] = (code, times)

    def __call__(self, request, **kwargs):
        operation = request.headers.get("X-Amz-Target", b"")
        operation = (operation.decode() if isinstance(operation, bytes) else operation).split(".")[-1]
        region = request.url.split("api.sagemaker.", 1)[-1].split(".", 1)[0]
        body = json.loads(request.body or b"{}")
        self.calls[(operation, region)] += 1
        for key in ((operation, region, body.get("NotebookInstanceName")), (operation, region, None)):
            if key in self.rules and self.rules[key][1] > 0:
                code, left = self.rules[key]
                self.rules[key] = (code, left - 1)
                payload = json.dumps({"__type": code, "message": f"injected {code}"}).encode()
                return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.1"}, _RawBody(payload))
        return None


def load_check_module():
    """Import our check as Prowler would, with Prowler's global provider patched out."""
    spec = importlib.util.spec_from_file_location(PROWLER_CHECK, CHECK_DIR / f"{PROWLER_CHECK}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[PROWLER_CHECK] = module  # Check.__init__ finds its .metadata.json through sys.modules
    with mock.patch("prowler.providers.common.provider.Provider.get_global_provider", return_value=mock.MagicMock()), \
            mock.patch("prowler.providers.aws.services.sagemaker.sagemaker_service.SageMaker", mock.MagicMock()):
        spec.loader.exec_module(module)
    return module


def run_check(check_module, regions: list[str], faults: Faults | None = None, retries: int = 1):
    """Build Prowler's real AWS provider and SageMaker inventory (under an active mock_aws) and run our check."""
    from prowler.providers.aws.aws_provider import AwsProvider
    from prowler.providers.aws.services.sagemaker.sagemaker_service import SageMaker

    from prowler.providers.common.models import Audit_Metadata

    provider = AwsProvider(regions=set(regions), retries_max_attempts=retries)
    # Set by Prowler's CLI before the services are built.
    provider.audit_metadata = Audit_Metadata(services_scanned=0, expected_checks=[PROWLER_CHECK],
                                             completed_checks=0, audit_progress=0)
    if faults is not None:
        provider.session.current_session._session.get_component("event_emitter").register_first(
            "before-send.sagemaker", faults)
    with mock.patch("prowler.providers.common.provider.Provider.get_global_provider", return_value=provider):
        inventory = SageMaker(provider)
        with mock.patch.object(check_module, "sagemaker_client", inventory):
            return check_module.sagemaker_notebook_instance_direct_internet_access_disabled().execute()


def run_prowler(account, out: Path, regions: list[str], *extra: str, checks_folder: Path = ROOT / "prowler_checks",
                cwd: Path | None = None) -> tuple[subprocess.CompletedProcess, dict, dict]:
    """The real `prowler aws --checks-folder prowler_checks -c <check>` against a moto account:
    (process, CSV rows by notebook, OCSF findings by notebook)."""
    command = [str(PROWLER), "aws", "--checks-folder", str(checks_folder), "-c", PROWLER_CHECK,
               "--region", *regions, "-M", "csv", "json-ocsf", "-o", str(out), "-F", "run", "--no-banner",
               "--log-level", "ERROR", "--aws-retries-max-attempts", "1", *extra]
    result = subprocess.run(command, env=account.env, capture_output=True, text=True, timeout=600, cwd=cwd)
    with open(out / "run.csv", newline="") as handle:
        rows = {r["RESOURCE_NAME"] or r["RESOURCE_UID"]: r for r in csv.DictReader(handle, delimiter=";")}
    ocsf = {f["resources"][0]["name"] or f["resources"][0]["uid"]: f
            for f in json.loads((out / "run.ocsf.json").read_text())}
    return result, rows, ocsf
