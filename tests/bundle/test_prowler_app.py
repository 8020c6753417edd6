"""Prowler App's path, with the bundle pip-installed next to Prowler as in the App's images.

The App's Celery workers scan with the SDK: `AwsProvider(**secret)` then `Scan(provider, checks=...).scan()`
(api/src/backend/api/utils.py initialize_prowler_provider, tasks/jobs/scan.py perform_prowler_scan). Its API
lists compliance with `get_bulk_compliance_frameworks_universal` and maps checks to frameworks through
`CheckMetadata.get_bulk` (api/compliance.py); its compliance CSV export reads the legacy `Compliance.get_bulk`
under the same name (tasks/tasks.py). tests/bundle/prowler_sdk_probe.py makes those calls with the Python
of an environment holding only Prowler and the bundle, at both ends of the declared range.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from bundle_harness import BUNDLE_BIN, VENVS, bundle_env
from rule import PROWLER_CHECK, PROWLER_FRAMEWORK, ROOT, RULE

sys.path.insert(0, str(ROOT / "tools"))
from moto_account import moto_server  # noqa: E402

PROBE = ROOT / "tests" / "bundle" / "prowler_sdk_probe.py"
# Prowler release -> environment holding it with the bundle (tools/dev.py, tools/prowler_versions.py)
ENVIRONMENTS = {"5.46.0": "prowler", "5.41.0": "prowler-5.41.0"}
UNIVERSAL_FILE = ROOT / "d9_rules" / "compliance_universal" / f"{PROWLER_FRAMEWORK}.json"
LEGACY_FILE = ROOT / "d9_rules" / "compliance" / f"{PROWLER_FRAMEWORK}.json"
MEMBER, ROLE = "111111111111", "ProwlerScan"
US, EU = "us-east-1", "eu-west-1"
PRIVATE = {"DirectInternetAccess": "Disabled", "SubnetId": "subnet-0a", "SecurityGroupIds": ["sg-0a"]}
# notebook -> (region, settings, status the worker must store)
NOTEBOOKS = {
    "public": (US, {"DirectInternetAccess": "Enabled"}, "FAIL"),
    "omitted": (US, {}, "FAIL"),
    "accepted-risk": (US, {"DirectInternetAccess": "Enabled"}, "FAIL"),  # muted by the tenant's mutelist
    "private": (EU, PRIVATE, "PASS"),
    "private-root-enabled": (EU, {**PRIVATE, "RootAccess": "Enabled"}, "PASS"),
}


def python_of(engine: str):
    return BUNDLE_BIN.get(engine, VENVS / engine / "bin") / "python"


def probe(engine: str, arguments: list[str], cwd, extra: dict[str, str] | None = None) -> dict:
    """The probe with that environment's Python; no AWS setting of this process leaks in. Returns
    {command: its result} (commands separated by "+")."""
    env = {k: v for k, v in bundle_env(engine).items() if not k.startswith("AWS_")}
    result = subprocess.run([str(python_of(engine)), str(PROBE), *arguments], cwd=cwd, env={**env, **(extra or {})},
                            capture_output=True, text=True, timeout=900)
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "D9-PROBE-RESULT " in result.stdout, output[-4000:]
    return json.loads(result.stdout.split("D9-PROBE-RESULT ", 1)[1])


@pytest.fixture(scope="module")
def organization():
    """A management account (moto's default, 123456789012) and a member account reached through a role. A server
    of its own: the scan's expectations include how a fresh moto answers ap-southeast-6 (see below); after other
    tests' scans and a reset (tests/conftest.py moto_session) it answers that region normally."""
    with moto_server() as management:
        member = management.assume(MEMBER, ROLE)
        for name, (region, settings, _) in NOTEBOOKS.items():
            member.create_notebook(region, name, **settings)
        management.create_notebook(US, "management-account-notebook", DirectInternetAccess="Enabled")
        yield management


# What the App stores for an AWS provider added with a role: the secret, plus the tenant's mutelist
SECRET = {"role_arn": f"arn:aws:iam::{MEMBER}:role/{ROLE}", "external_id": "d9-tenant",
          "aws_access_key_id": "testing", "aws_secret_access_key": "testing",
          "mutelist_content": {"Accounts": {MEMBER: {"Checks": {PROWLER_CHECK: {
              "Regions": ["*"], "Resources": ["accepted-risk"]}}}}},
          # not part of the App's kwargs: only cuts the retries of moto's 500 to ListMonitoringSchedules
          "retries_max_attempts": 1}


@pytest.fixture(scope="module")
def app_calls(organization, tmp_path_factory):
    """Per Prowler release, one probe process (Prowler's import paid once) makes the worker's scan of the member
    account and the API's compliance calls: {"scan": ..., "compliance": ...}."""
    results = {}

    def of(version: str) -> dict:
        if version not in results:
            results[version] = probe(ENVIRONMENTS[version], ["scan", json.dumps(SECRET), PROWLER_CHECK, "+",
                                                             "compliance", "aws"], tmp_path_factory.mktemp("app"),
                                     {"AWS_ENDPOINT_URL": organization.endpoint, "AWS_DEFAULT_REGION": US})
        return results[version]

    return of


@pytest.mark.parametrize("version", ENVIRONMENTS)
def test_worker_scan_reports_each_notebook_of_the_role_account_once(app_calls, version):
    result = app_calls(version)["scan"]
    # The App scans every region. moto (tools/requirements/prowler.lock) answers SageMaker in ap-southeast-6 with
    # HTTP 500: Prowler's inventory could not list that region, and the check reports it (MANUAL, the region
    # as resource) instead of passing over it in silence.
    regions = [f for f in result["findings"] if f["resource_uid"].endswith(":notebook-instance/unknown")]
    assert {(f["resource_name"], f["region"], f["status"]) for f in regions} == {
        ("ap-southeast-6", "ap-southeast-6", "MANUAL")}
    assert "could not be listed" in regions[0]["status_extended"] and "500" in regions[0]["status_extended"]
    findings = [f for f in result["findings"] if f not in regions]
    assert result["progress"][-1] == 100.0
    names = [f["resource_name"] for f in findings]
    assert sorted(names) == sorted(NOTEBOOKS), "not exactly one finding per notebook of the member account"
    by_name = {f["resource_name"]: f for f in findings}
    assert {n: (f["region"], f["status"]) for n, f in by_name.items()} == {
        n: (region, status) for n, (region, _, status) in NOTEBOOKS.items()}
    assert {n for n, f in by_name.items() if f["muted"]} == {"accepted-risk"}
    assert {f["account_uid"] for f in findings} == {MEMBER}
    for name, finding in by_name.items():
        assert finding["resource_uid"] == f"arn:aws:sagemaker:{finding['region']}:{MEMBER}:notebook-instance/{name}"
        assert finding["check_id"] == PROWLER_CHECK and finding["severity"] == "high"
        assert finding["prowler_version"] == version
    assert "re-create the notebook in a VPC subnet" in by_name["public"]["status_extended"]
    # a scan started without a check list (the App's scheduled scans) selects the check too
    assert result["default_selection"]["includes"] == [PROWLER_CHECK] and result["default_selection"]["count"] > 500
    # The compliance the App stores with each finding: every requirement of our framework
    legacy = json.loads(LEGACY_FILE.read_text())
    expected = {f"{legacy['Framework']}-{legacy['Version']}": [r["Id"] for r in legacy["Requirements"]]}
    assert all(f["compliance"] == expected for f in findings), findings[0]["compliance"]


@pytest.mark.parametrize("version", ENVIRONMENTS)
def test_universal_loader_lists_the_framework_its_requirements_and_check(app_calls, version):
    result = app_calls(version)["compliance"]
    assert result["prowler_version"] == version
    universal = result["universal"]
    # beside the built-ins: per-provider ones and the multi-provider JSONs at the top of prowler/compliance
    assert len(universal) > 40 and any(n.startswith("cis_") for n in universal) and "csa_ccm_4.0" in universal
    [directory] = result["universal_entry_point_dirs"]
    assert directory.endswith("d9_rules/compliance_universal") and str(VENVS) in directory
    ours = universal[PROWLER_FRAMEWORK]
    generated = json.loads(UNIVERSAL_FILE.read_text())
    controls = sum(len(f["controls"]) or 1 for f in RULE["compliance_frameworks"])
    assert len(ours["requirements"]) == len(generated["requirements"]) == controls
    assert ours["framework"] == f"CloudGuard-{RULE['cloudguard_id']}" and ours["provider"] == "AWS"
    assert ours["attributes_metadata"] == ["ItemId", "Section", "SubSection", "Service"]
    assert {json.dumps(r["checks"]) for r in ours["requirements"]} == {json.dumps({"aws": [PROWLER_CHECK]})}
    for control in ("AWS NIST 800-53 Rev 5: SC-7", "AWS ISO27001:2022: A.8.20", "AWS MITRE ATT&CK Framework v10: T1530"):
        assert control in {r["id"] for r in ours["requirements"]}
    # The App's check-to-framework map: our check (known to CheckMetadata.get_bulk) belongs to our framework only
    assert PROWLER_CHECK in result["checks"]
    assert {name for name, framework in universal.items() for r in framework["requirements"]
            if PROWLER_CHECK in r["checks"].get("aws", [])} == {PROWLER_FRAMEWORK}
    # Its compliance CSV export looks the same name up in the legacy loader
    assert PROWLER_FRAMEWORK in result["legacy"]
    # Prowler's own adapter turns the legacy file into the same requirements as the universal file
    adapted = result["legacy_adapted"][PROWLER_FRAMEWORK]

    def essentials(framework: dict) -> list:
        return [(r["id"], r["name"], r["checks"], {k: v for k, v in r["attributes"].items() if v is not None})
                for r in framework["requirements"]]

    assert essentials(adapted) == essentials(ours)
    assert (adapted["framework"], adapted["name"], adapted["version"]) == (ours["framework"], ours["name"], ours["version"])


APP = ROOT / "docs" / "prowler-app"


@pytest.mark.parametrize("environment, passes", [("prowler-bundle", True), ("prowler-5.41.0", True),
                                                 ("prowler", False), ("prowler-5.40.0", False)])
def test_image_build_check_accepts_only_a_prowler_that_sees_the_bundle(environment, passes, tmp_path):
    """docs/prowler-app/check_bundle.py, which the Dockerfile runs to fail the image build: it passes with
    the bundle installed at either end of the range, fails without the bundle (the prowler environment:
    5.46.0 alone) and below the floor."""
    env = {k: v for k, v in bundle_env("prowler").items() if not k.startswith("AWS_")}
    result = subprocess.run([str(VENVS / environment / "bin" / "python"), str(APP / "check_bundle.py")], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == (0 if passes else 1), output[-3000:]
    if passes:
        assert f"lists {PROWLER_CHECK} and {PROWLER_FRAMEWORK}" in result.stdout
    else:
        assert f"does not list the check {PROWLER_CHECK}" in result.stderr
        assert ("is older than 5.41" in result.stderr) == (environment == "prowler-5.40.0")


def test_dockerfile_pins_the_newest_tested_release_and_ships_every_package():
    import re
    import tomllib

    dockerfile = (APP / "Dockerfile").read_text()
    newest = max(ENVIRONMENTS, key=lambda v: tuple(map(int, v.split("."))))
    assert re.search(r"^ARG PROWLER_API_VERSION=(\S+)$", dockerfile, re.M).group(1) == newest
    assert "FROM prowlercloud/prowler-api:${PROWLER_API_VERSION}" in dockerfile
    assert re.search(r"^FROM python:[\d.]+-slim-\w+@sha256:[0-9a-f]{64} AS wheel$", dockerfile, re.M)
    assert "uv pip install --python /home/prowler/.venv/bin/python --no-deps" in dockerfile
    assert "check_bundle.py" in dockerfile
    images = set(re.findall(r"image: (\S+)", (APP / "compose.override.yml").read_text()))
    assert images == {f"registry.example.com/prowler-api-d9:{newest}"}
    readme = (ROOT / "README.md").read_text()
    assert f"--build-arg PROWLER_API_VERSION={newest}" in readme and f"prowler-api-d9:{newest}" in readme
    # the build context is filtered by Dockerfile.dockerignore: it must keep every source the wheel needs
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    kept = {line[1:].rstrip("/") for line in (APP / "Dockerfile.dockerignore").read_text().splitlines()
            if line.startswith("!")}
    sources = {"pyproject.toml", project["project"]["readme"], "d9_rules",
               *project["tool"]["setuptools"]["package-dir"].values()}
    assert {s for s in sources if not any(s == k or s.startswith(k + "/") for k in kept)} == set()
