"""A region whose notebooks the scanning identity cannot list is a finding, never a silence.

Prowler's SageMaker inventory logs the AccessDenied of ListNotebookInstances (at a log level users do not
set) and goes on as if the region held no notebook: before the check listed such regions itself, a scan
whose credentials may not call SageMaker reported no finding and exited 0 over an account holding a notebook
with direct internet access. Here a moto server with IAM enforced holds notebooks in two regions, and the
scanning IAM user's identity policy denies SageMaker: every way Prowler runs the check (the CLI with
--checks-folder, the installed plugin at both ends of the declared range, Prowler App's SDK path) must give
one MANUAL finding per audited region, the region as resource and the error in the extended status. The
installed plugin at the top of the range is run by test_prowler_org_scan.py (an organization account whose
role may not call SageMaker), with the same assertions.
"""
from __future__ import annotations

import json
import sys

import pytest
from bundle_harness import BUNDLE_BIN, VENVS, bundle_env
from prowler_harness import EU, US, run_prowler
from rule import PROWLER_CHECK, ROOT
from test_prowler_app import probe

sys.path.insert(0, str(ROOT / "tools"))
from moto_account import moto_server  # noqa: E402

ACCOUNT = "123456789012"
DENY_SAGEMAKER = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Effect": "Deny", "Action": "sagemaker:*", "Resource": "*"}]}
EXPECTED = {US: "MANUAL", EU: "MANUAL"}


@pytest.fixture(scope="module")
def denied():
    """(moto account, keys of a user that may do anything but call SageMaker); a notebook in each region."""
    with moto_server() as server:
        server.create_notebook(US, "public", DirectInternetAccess="Enabled")
        server.create_notebook(EU, "omitted")
        iam = server.client("iam", US)
        iam.create_user(UserName="scanner")
        iam.put_user_policy(UserName="scanner", PolicyName="no-sagemaker", PolicyDocument=json.dumps(DENY_SAGEMAKER))
        key = iam.create_access_key(UserName="scanner")["AccessKey"]
        server.enforce_iam()
        yield server, {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


def environment(engine: str, server, keys: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in bundle_env(engine).items() if not k.startswith("AWS_")}
    return {**env, "AWS_ENDPOINT_URL": server.endpoint, "AWS_DEFAULT_REGION": US, **keys}


def assert_region_findings(by_region: dict[str, tuple[str, str, str]]) -> None:
    """{resource name: (region, status, extended status)}: exactly one MANUAL finding per audited region."""
    assert {name: status for name, (_, status, _) in by_region.items()} == EXPECTED, by_region
    for region, (where, _, extended) in by_region.items():
        assert where == region
        assert f"SageMaker notebook instances in {region} could not be listed" in extended
        assert "not authorized to perform: sagemaker:ListNotebookInstances" in extended, extended


def test_prowler_cli_with_the_checks_folder(denied, tmp_path):
    server, keys = denied
    env = {**{k: v for k, v in server.env.items() if k != "AWS_SESSION_TOKEN"}, **keys}
    result, rows, ocsf = run_prowler(server, tmp_path, [US, EU], env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]  # MANUAL is not a failure
    assert_region_findings({n: (r["REGION"], r["STATUS"], r["STATUS_EXTENDED"]) for n, r in rows.items()})
    for region, row in rows.items():
        assert row["RESOURCE_UID"] == f"arn:aws:sagemaker:{region}:{ACCOUNT}:notebook-instance/unknown"
        assert row["CHECK_ID"] == PROWLER_CHECK
    assert {n: f["status_code"] for n, f in ocsf.items()} == EXPECTED


def test_installed_plugin_at_the_floor_of_the_range(denied, tmp_path):
    """The top of the range (prowler-bundle) runs this route in test_prowler_org_scan.py: the organization's
    account whose role may not call SageMaker, with the same assertions on its findings."""
    server, keys = denied
    engine = "prowler-5.41.0"
    prowler = BUNDLE_BIN.get(engine, VENVS / engine / "bin") / "prowler"
    result, rows, _ = run_prowler(server, tmp_path, [US, EU], checks_folder=None, prowler=prowler,
                                  env=environment(engine, server, keys), cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert_region_findings({n: (r["REGION"], r["STATUS"], r["STATUS_EXTENDED"]) for n, r in rows.items()})


@pytest.mark.parametrize("engine", ["prowler", "prowler-5.41.0"])
def test_prowler_app_sdk_path(denied, engine, tmp_path):
    server, keys = denied
    # the App scans every region; two keep the test short (regions and retries are not part of the App's kwargs)
    secret = {"aws_access_key_id": keys["AWS_ACCESS_KEY_ID"], "aws_secret_access_key": keys["AWS_SECRET_ACCESS_KEY"],
              "regions": [US, EU], "retries_max_attempts": 1}
    result = probe(engine, ["scan", json.dumps(secret), PROWLER_CHECK], tmp_path,
                   {"AWS_ENDPOINT_URL": server.endpoint, "AWS_DEFAULT_REGION": US})["scan"]
    assert_region_findings({f["resource_name"]: (f["region"], f["status"], f["status_extended"])
                            for f in result["findings"]})
    assert {f["resource_uid"] for f in result["findings"]} == {
        f"arn:aws:sagemaker:{region}:{ACCOUNT}:notebook-instance/unknown" for region in EXPECTED}
