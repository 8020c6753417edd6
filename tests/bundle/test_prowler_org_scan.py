"""README "Many accounts": the `d9-rules prowler-org` commands run exactly as written (plus
`--aws-retries-max-attempts 1` for Prowler) in the prowler-bundle environment, against one moto server
holding several accounts, with IAM enforced (tools/moto_account.py enforce_iam).

moto keeps each account ID's resources apart and STS AssumeRole into `arn:aws:iam::<id>:role/<name>` returns
credentials of that account. With IAM enforced, every request must be signed with keys moto issued and is
checked against the caller's policies: the scanning IAM user may assume the role only in the accounts its
identity policy names, so AssumeRole into another account fails with AccessDenied, as a real account
without the role (or whose role does not trust the scanner) refuses. moto does not check trust policies
or the role's existence across accounts, so that is how the failure is produced here.
"""
from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from bundle_harness import bundle_env
from rule import PROWLER_CHECK, ROOT

sys.path.insert(0, str(ROOT / "tools"))
from moto_account import moto_server  # noqa: E402

MANAGEMENT, SCANNER, ROLE = "123456789012", "org-scanner", "ProwlerScan"
US, EU = "us-east-1", "eu-west-1"
PRIVATE = {"DirectInternetAccess": "Disabled", "SubnetId": "subnet-0a", "SecurityGroupIds": ["sg-0a"]}
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
DENY_SAGEMAKER = {"Version": "2012-10-17", "Statement": [*ALLOW_ALL["Statement"],
                                                         {"Effect": "Deny", "Action": "sagemaker:*", "Resource": "*"}]}


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("### Many accounts", 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    commands = [line for line in block.replace("\\\n", "").splitlines() if line.startswith("d9-rules prowler-org")]
    assert len(commands) == 2, block
    return commands


def command_with(option: str) -> str:
    [command] = [c for c in readme_commands() if option in c.split()]
    return command


def scanner(server, assumable: str | list[str]) -> dict[str, str]:
    """The scanning IAM user in the management account: anything but AssumeRole, and AssumeRole only on
    `assumable`. Returns its keys."""
    iam = server.client("iam", US)
    iam.create_user(UserName=SCANNER)
    iam.put_user_policy(UserName=SCANNER, PolicyName="scan", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "NotAction": "sts:AssumeRole", "Resource": "*"},
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": assumable}]}))
    return iam.create_access_key(UserName=SCANNER)["AccessKey"]


def member(server, account_id: str, notebooks: dict[str, tuple[str, dict]], policy: dict = ALLOW_ALL):
    """The scan role in `account_id` (trusting the scanner, with `policy`) and its notebooks."""
    account = server.assume(account_id, ROLE)
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {
        "AWS": f"arn:aws:iam::{MANAGEMENT}:user/{SCANNER}"}}]}
    iam = account.client("iam", US)
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))
    iam.put_role_policy(RoleName=ROLE, PolicyName="scan", PolicyDocument=json.dumps(policy))
    for name, (region, settings) in notebooks.items():
        account.create_notebook(region, name, **settings)
    return account


def run_readme_command(command: str, server, key: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in bundle_env("prowler").items() if not k.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=server.endpoint, AWS_DEFAULT_REGION=US, AWS_ACCESS_KEY_ID=key["AccessKeyId"],
               AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"])
    help_text = subprocess.run(["d9-rules", "prowler-org", "--help"], env=env, capture_output=True, text=True, cwd=cwd)
    assert help_text.returncode == 0, ("d9-rules has no prowler-org subcommand: add the hook of d9_rules/org_scan.py "
                                       "to d9_rules/cli.py\n" + help_text.stderr[-1000:])
    return subprocess.run(["bash", "-c", command + " --aws-retries-max-attempts 1"], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=1800)


def merged(output: Path) -> tuple[dict, dict]:
    """{(account, notebook): (region, status)} from the merged CSV and from the merged OCSF file."""
    with open(output / "prowler-org.csv", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    findings = json.loads((output / "prowler-org.ocsf.json").read_text())
    assert len(rows) == len({(r["ACCOUNT_UID"], r["RESOURCE_NAME"]) for r in rows}), "a notebook was reported twice"
    assert len(findings) == len(rows)
    for row in rows:
        assert row["CHECK_ID"] == PROWLER_CHECK
        # a notebook, or a region whose notebooks could not be listed (named as the resource)
        name = "unknown" if row["RESOURCE_NAME"] == row["REGION"] else row["RESOURCE_NAME"]
        assert row["RESOURCE_UID"] == f"arn:aws:sagemaker:{row['REGION']}:{row['ACCOUNT_UID']}:notebook-instance/{name}"
    return ({(r["ACCOUNT_UID"], r["RESOURCE_NAME"]): (r["REGION"], r["STATUS"]) for r in rows},
            {(f["cloud"]["account"]["uid"], f["resources"][0]["name"]): (f["resources"][0]["region"], f["status_code"])
             for f in findings})


def most_at_once(accounts: list[dict]) -> int:
    events = sorted([(a["started"], 1) for a in accounts] + [(a["finished"], -1) for a in accounts])
    running = peak = 0
    for _, step in events:
        running += step
        peak = max(peak, running)
    return peak


def test_listed_accounts_each_notebook_once_and_the_unassumable_account_failed(tmp_path):
    command = command_with("--accounts")
    listed = re.search(r"--accounts ((?:\d{12} ?)+)", command).group(1).split()
    parallel = int(re.search(r"--parallel (\d+)", command).group(1))
    output = tmp_path / re.search(r"--output-dir (\S+)", command).group(1)
    assert len(listed) == 4 and parallel < len(listed)
    *reachable, refused = listed
    seeded = {  # account -> notebook -> (region, settings, status); one name in two accounts is two notebooks
        reachable[0]: {"public": (US, {"DirectInternetAccess": "Enabled"}, "FAIL"), "private": (EU, PRIVATE, "PASS")},
        reachable[1]: {"omitted": (EU, {}, "FAIL"), "shared-name": (US, PRIVATE, "PASS")},
        reachable[2]: {"shared-name": (US, {"DirectInternetAccess": "Enabled"}, "FAIL"), "private-2": (EU, PRIVATE, "PASS")},
    }
    notebooks = {account: {name: (region, settings) for name, (region, settings, _) in names.items()}
                 for account, names in seeded.items()}
    expected = {(account, name): (region, status)
                for account, names in seeded.items() for name, (region, _, status) in names.items()}
    with moto_server() as server:
        server.create_notebook(US, "management-notebook", DirectInternetAccess="Enabled")  # not listed: not scanned
        key = scanner(server, [f"arn:aws:iam::{account}:role/{ROLE}" for account in reachable])
        for account in reachable:
            member(server, account, notebooks[account])
        server.enforce_iam()
        result = run_readme_command(command, server, key, tmp_path)

    log = result.stdout + result.stderr
    assert result.returncode == 1, log[-5000:]
    assert f"could not be scanned: {refused}" in result.stderr
    [failure] = [line for line in result.stdout.splitlines() if f"{refused}: FAILED" in line]
    assert "AccessDenied" in failure and "AssumeRole" in failure, failure
    summary = json.loads((output / "summary.json").read_text())
    assert summary["failed"] == [refused]
    assert {a["account_id"]: a["scanned"] for a in summary["accounts"]} == {**dict.fromkeys(reachable, True), refused: False}
    assert most_at_once(summary["accounts"]) == parallel
    csv_view, ocsf_view = merged(output)
    assert csv_view == ocsf_view == expected
    for account in reachable:
        assert (output / account / f"prowler-{account}.csv").is_file()
    assert "AccessDenied" in (output / refused / "prowler.log").read_text()


def test_organization_accounts_all_scanned_and_one_not_fully(tmp_path):
    """Every account of the organization is scanned (each notebook once, with its account). The role of one
    created account may do anything but call SageMaker: Prowler logs the denial and would report nothing for that
    account; the check reports each audited region it could not list (MANUAL, the region as resource), and
    prowler-org counts the account as not fully scanned and exits 1, where the other accounts' FAILs alone
    would give 3 (exit 3 for a FAIL: tests/bundle/test_correlate.py, whose prowler-org run has no such account).
    One prowler-org run for both (each account is a Prowler start)."""
    command = command_with("--organization")
    output = tmp_path / re.search(r"--output-dir (\S+)", command).group(1)
    regions = re.search(r"-- --region ((?:[a-z]+-[a-z]+-\d ?)+)", command).group(1).split()
    with moto_server() as server:
        organizations = server.client("organizations", US)
        organizations.create_organization(FeatureSet="ALL")
        created = [organizations.create_account(Email=f"ml-{n}@example.com", AccountName=f"ml-{n}")
                   ["CreateAccountStatus"]["AccountId"] for n in range(2)]
        *judged, denied = [MANAGEMENT, *created]
        expected = {}
        for n, account in enumerate(judged):
            notebooks = {f"public-{n}": (US, {"DirectInternetAccess": "Enabled"}), f"private-{n}": (EU, PRIVATE)}
            member(server, account, notebooks)
            expected.update({(account, f"public-{n}"): (US, "FAIL"), (account, f"private-{n}"): (EU, "PASS")})
        member(server, denied, {"public-unseen": (US, {"DirectInternetAccess": "Enabled"})}, policy=DENY_SAGEMAKER)
        expected.update({(denied, region): (region, "MANUAL") for region in regions})
        key = scanner(server, f"arn:aws:iam::*:role/{ROLE}")
        server.enforce_iam()
        result = run_readme_command(command, server, key, tmp_path)

    assert result.returncode == 1, (result.stdout + result.stderr)[-5000:]
    assert f"not fully scanned (a region's notebooks could not be listed, see the MANUAL findings): {denied}" \
        in result.stderr
    [line] = [line for line in result.stdout.splitlines() if f"prowler-org: {denied}:" in line]
    assert f"NOT FULLY SCANNED: notebooks could not be listed in {', '.join(sorted(regions))}" in line, line
    assert "sagemaker:ListNotebookInstances" in line, line
    summary = json.loads((output / "summary.json").read_text())
    assert sorted(a["account_id"] for a in summary["accounts"] if a["scanned"]) == sorted([*judged, denied])
    assert summary["failed"] == [] and summary["not_fully_scanned"] == [denied]
    assert {a["account_id"]: sorted(a["unlisted_regions"]) for a in summary["accounts"]} == {
        **{account: [] for account in judged}, denied: sorted(regions)}
    # the installed plugin at the top of the declared range over a region it may not list (the floor's run:
    # test_prowler_unlisted_regions.py): a MANUAL finding that says why, and Prowler exits 0 (MANUAL is no failure)
    [denied_account] = [a for a in summary["accounts"] if a["account_id"] == denied]
    assert denied_account["exit_code"] == 0
    for region, extended in denied_account["unlisted_regions"].items():
        assert f"SageMaker notebook instances in {region} could not be listed" in extended, extended
        assert "not authorized to perform: sagemaker:ListNotebookInstances" in extended, extended
    csv_view, ocsf_view = merged(output)
    assert csv_view == ocsf_view == expected


@pytest.mark.parametrize("arguments, message", [
    (["--accounts", "12345"], "not 12-digit account IDs: 12345"),
    (["--accounts", "111111111111", "--parallel", "0"], "--parallel must be at least 1"),
    (["--accounts", "111111111111", "--exclude", "111111111111"], "no account to scan"),
])
def test_bad_input_is_refused_before_any_scan(tmp_path, capsys, arguments, message):
    sys.path.insert(0, str(ROOT))
    from d9_rules import org_scan

    code = org_scan.main(["--role-name", ROLE, "--output-dir", str(tmp_path / "out"), *arguments])
    assert code == 1 and message in capsys.readouterr().err and not (tmp_path / "out").exists()


def test_accounts_file_takes_one_id_a_line_with_comments(tmp_path):
    sys.path.insert(0, str(ROOT))
    from d9_rules import org_scan

    listing = tmp_path / "accounts.txt"
    listing.write_text("# ML accounts\n111111111111\n\n222222222222  # data science\n")
    assert org_scan._read_ids(listing) == ["111111111111", "222222222222"]
