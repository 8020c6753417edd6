"""Our check run over Prowler's real SageMaker inventory, fed raw API answers by moto."""
from __future__ import annotations

import csv
import importlib.util
import io
import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import yaml
from botocore.awsrequest import AWSResponse
from rule import PROWLER_BUILTIN_TWIN, PROWLER_CHECK, ROOT

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


def run_prowler(account, out: Path, regions: list[str], *extra: str, checks_folder: Path | None = ROOT / "prowler_checks",
                cwd: Path | None = None, prowler: Path = PROWLER,
                env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess, dict, dict]:
    """The real `prowler aws --checks-folder prowler_checks -c <check>` against a moto account:
    (process, CSV rows by notebook, OCSF findings by notebook). `checks_folder=None`: the check as an
    installed plugin (no --checks-folder); `prowler`: another environment's prowler program."""
    command = [str(prowler), "aws", *(["--checks-folder", str(checks_folder)] if checks_folder else []),
               "-c", PROWLER_CHECK, "--region", *regions, "-M", "csv", "json-ocsf", "-o", str(out), "-F", "run",
               "--no-banner", "--log-level", "ERROR", "--aws-retries-max-attempts", "1", *extra]
    result = subprocess.run(command, env=env or account.env, capture_output=True, text=True, timeout=600, cwd=cwd)
    assert (out / "run.csv").is_file(), result.stdout[-3000:] + result.stderr[-3000:]
    _, rows, ocsf = read_reports([out / "run.csv"], [out / "run.ocsf.json"])
    return result, rows, ocsf


def read_reports(csv_files: list[Path], ocsf_files: list[Path]) -> tuple[list[dict], dict, dict]:
    """Prowler's CSV and OCSF reports: (every CSV row, CSV rows by notebook, OCSF findings by notebook); a
    finding without a resource name (a region reported MANUAL) is keyed by its resource UID."""
    lines: list[dict] = []
    for report in csv_files:
        with open(report, newline="") as handle:
            lines += list(csv.DictReader(handle, delimiter=";"))
    findings = [f for path in ocsf_files for f in json.loads(path.read_text())]
    return (lines, {r["RESOURCE_NAME"] or r["RESOURCE_UID"]: r for r in lines},
            {f["resources"][0]["name"] or f["resources"][0]["uid"]: f for f in findings})


def assert_prowler_left_intact(log: str, sagemaker: Path) -> None:
    """After a `--checks-folder` run (log: its console output): the copy of our check Prowler made in its package
    folder `sagemaker` (prowler/providers/aws/services/sagemaker) is gone, the built-in twin is intact, and no
    error about the check was logged."""
    assert (sagemaker / PROWLER_BUILTIN_TWIN / f"{PROWLER_BUILTIN_TWIN}.py").is_file(), "the built-in check was destroyed"
    assert not (sagemaker / PROWLER_CHECK).exists(), "a copy of our check was left inside Prowler"
    # A broken custom check is only logged and Prowler still exits 0: look for it explicitly.
    bad = [line for line in log.splitlines() if PROWLER_CHECK in line and ("ERROR" in line or "Invalid" in line)]
    assert bad == [], bad


US, EU = "us-east-1", "eu-west-1"
STATUS = {"PASSED": "PASS", "FAILED": "FAIL"}


def seed_verdict_scenario(account) -> dict[str, tuple[str, str]]:
    """The end-to-end verdict scenario: examples/cloudformation/notebooks.yaml in us-east-1 (each name
    states its verdict) and the DirectInternetAccess/RootAccess combinations in eu-west-1.
    Returns {notebook: (region, expected status)}."""
    from rule import EXAMPLES, expected_verdict

    account.reset()
    seeded = {name: (US, STATUS[expected_verdict(name)])
              for name in account.seed_from_template(EXAMPLES / "cloudformation" / "notebooks.yaml", US)}
    private = {"SubnetId": "subnet-0eu", "SecurityGroupIds": ["sg-0eu"]}
    for name, settings, status in [
        ("eu-internet-enabled-root-disabled", {"DirectInternetAccess": "Enabled", "RootAccess": "Disabled"}, "FAIL"),
        ("eu-internet-disabled-root-enabled", {"DirectInternetAccess": "Disabled", "RootAccess": "Enabled",
                                               **private}, "PASS"),
        ("eu-internet-omitted", {}, "FAIL"),
    ]:
        account.create_notebook(EU, name, Tags=[{"Key": "team", "Value": "ml"}], **settings)
        seeded[name] = (EU, status)
    return seeded


def assert_verdicts(result, rows: dict, ocsf: dict, seeded: dict[str, tuple[str, str]]) -> None:
    """One finding per seeded notebook with its region and status, in the CSV and the OCSF output."""
    assert result.returncode == 3, result.stdout[-3000:] + result.stderr[-3000:]
    assert {n: (r["REGION"], r["STATUS"]) for n, r in rows.items()} == seeded
    assert {n: (f["resources"][0]["region"], f["status_code"]) for n, f in ocsf.items()} == seeded
    assert {r["CHECK_ID"] for r in rows.values()} == {PROWLER_CHECK}
    assert {r["SEVERITY"] for r in rows.values()} == {"high"}
    assert {f["severity"] for f in ocsf.values()} == {"High"}
    assert all(r["RESOURCE_UID"].endswith(f":notebook-instance/{n}") for n, r in rows.items())
    assert "subnet-0example" in rows["PassPrivateNotebook"]["STATUS_EXTENDED"]
    assert rows["eu-internet-omitted"]["RESOURCE_TAGS"] == "team=ml"
    assert "re-create the notebook in a VPC subnet" in rows["eu-internet-omitted"]["STATUS_EXTENDED"]


PARITY_REGION = "us-west-2"  # the parity scenarios' live notebooks (tests/parity/scenarios.yaml), apart from the rest


@dataclass
class VerdictRun:
    result: subprocess.CompletedProcess
    rows: dict  # CSV rows by notebook, every region
    ocsf: dict  # OCSF findings by notebook, every region
    seeded: dict[str, tuple[str, str]]  # the end-to-end verdict scenario: {notebook: (region, expected status)}
    parity: dict[str, str]  # {notebook: status Prowler gave} in PARITY_REGION
    muted: dict  # the CSV row of MUTED_NOTEBOOK, which the run's mutelist mutes (left out of `rows` and `ocsf`)

    def rows_in(self, *regions: str) -> dict:
        return {n: r for n, r in self.rows.items() if r["REGION"] in regions}

    def ocsf_in(self, *regions: str) -> dict:
        return {n: f for n, f in self.ocsf.items() if f["resources"][0]["region"] in regions}


MUTED_NOTEBOOK = "accepted-risk"  # a failing notebook in US that the verdict run's mutelist mutes


def run_verdict_scenarios(account, out: Path) -> VerdictRun:
    """The end-to-end verdict scenario (US, EU) and the parity scenarios' live notebooks (PARITY_REGION) in one
    account, judged by one Prowler run, with `-w` a mutelist muting one more failing notebook (MUTED_NOTEBOOK).
    Every finding belongs to one of these, once: each test then asserts exact verdicts over its own part."""
    sys.path.insert(0, str(ROOT / "tools"))
    from parity import load_scenarios

    seeded = seed_verdict_scenario(account)
    live = [s["name"] for s in load_scenarios() if s["live"]]
    for scenario in load_scenarios():
        if scenario["live"]:
            account.create_notebook(PARITY_REGION, scenario["name"], **scenario["settings"])
    account.create_notebook(US, MUTED_NOTEBOOK, DirectInternetAccess="Enabled")
    mutelist = out.parent / f"{out.name}-mutelist.yaml"
    mutelist.write_text(yaml.safe_dump({"Mutelist": {"Accounts": {"*": {"Checks": {
        PROWLER_CHECK: {"Regions": ["*"], "Resources": [MUTED_NOTEBOOK]}}}}}}))
    result, rows, ocsf = run_prowler(account, out, [US, EU, PARITY_REGION], "-w", str(mutelist))
    lines, _, _ = read_reports([out / "run.csv"], [])
    assert len(lines) == len(rows) == len(seeded) + len(live) + 1, "a notebook was reported twice or not at all"
    muted = rows.pop(MUTED_NOTEBOOK)
    ocsf.pop(MUTED_NOTEBOOK)
    assert {r["REGION"] for r in rows.values()} == {US, EU, PARITY_REGION}
    assert set(rows) == set(seeded) | set(live)
    parity = {n: r["STATUS"] for n, r in rows.items() if r["REGION"] == PARITY_REGION}
    return VerdictRun(result, rows, ocsf, seeded, parity, muted)
