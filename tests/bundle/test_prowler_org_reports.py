"""`d9-rules prowler-org` reports people read, with the real Prowler of the prowler-bundle environment against
a moto server holding two accounts (IAM enforced, as in test_prowler_org_scan.py): progress per account
(n/N, seconds), muted findings counted apart from the others, a MANUAL notebook (its setting could not be
read) that passes a gate unless `--fail-on manual`, plain-text logs, a Markdown and an HTML summary of all
accounts, and a timeout stated as a timeout."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from bundle_harness import bundle_env, replay_prowler
from rule import PROWLER_CHECK, ROOT

sys.path.insert(0, str(ROOT / "tools"))
from moto_account import moto_server  # noqa: E402

SCANNER, ROLE, US = "org-scanner", "ProwlerScan", "us-east-1"
READABLE, UNREADABLE = "111111111111", "222222222222"
PRIVATE = {"DirectInternetAccess": "Disabled", "SubnetId": "subnet-0a", "SecurityGroupIds": ["sg-0a"]}
ALLOW_ALL = {"Effect": "Allow", "Action": "*", "Resource": "*"}
# the role may list notebooks but not read one: Prowler's inventory holds the notebook without its setting
NO_DESCRIBE = {"Effect": "Deny", "Action": "sagemaker:DescribeNotebookInstance", "Resource": "*"}
MUTELIST = f"""Mutelist:
  Accounts:
    "*":
      Checks:
        {PROWLER_CHECK}:
          Regions: ["*"]
          Resources: ["accepted-public"]
"""


@pytest.fixture(scope="module")
def org():
    """(moto server, the scanner's environment): READABLE holds a passing and a muted failing notebook,
    UNREADABLE one notebook its scan role may not describe."""
    with moto_server() as server:
        iam = server.client("iam", US)
        iam.create_user(UserName=SCANNER)
        iam.put_user_policy(UserName=SCANNER, PolicyName="scan", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [ALLOW_ALL]}))
        key = iam.create_access_key(UserName=SCANNER)["AccessKey"]
        for account, statements, notebooks in (
                (READABLE, [ALLOW_ALL], {"private": PRIVATE, "accepted-public": {"DirectInternetAccess": "Enabled"}}),
                (UNREADABLE, [ALLOW_ALL, NO_DESCRIBE], {"unreadable": PRIVATE})):
            member = server.assume(account, ROLE)
            role_iam = member.client("iam", US)
            role_iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                        "Principal": {"AWS": f"arn:aws:iam::123456789012:user/{SCANNER}"}}]}))
            role_iam.put_role_policy(RoleName=ROLE, PolicyName="scan", PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": statements}))
            for name, settings in notebooks.items():
                member.create_notebook(US, name, **settings)
        server.enforce_iam()
        env = {k: v for k, v in bundle_env("prowler").items() if not k.startswith("AWS_")}
        env.update(AWS_ENDPOINT_URL=server.endpoint, AWS_DEFAULT_REGION=US, AWS_ACCESS_KEY_ID=key["AccessKeyId"],
                   AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"])
        yield server, env


def prowler_org(env: dict[str, str], cwd: Path, *options: str) -> subprocess.CompletedProcess[str]:
    (cwd / "mutelist.yaml").write_text(MUTELIST)
    command = ["d9-rules", "prowler-org", "--role-name", ROLE, "--accounts", READABLE, UNREADABLE, "--parallel", "2",
               "--output-dir", "out", *options, "--", "--region", US, "-w", "mutelist.yaml",
               "--aws-retries-max-attempts", "1"]
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=1800)


def per_account(summary: dict) -> dict[str, dict]:
    """What prowler-org read of each account's run, without its times."""
    return {a["account_id"]: {k: v for k, v in a.items() if k not in ("started", "finished")} for a in summary["accounts"]}


def account_line(stdout: str, account: str) -> str:
    [line] = [line for line in stdout.splitlines() if line.startswith(f"d9-rules prowler-org: {account}: ")]
    return line


class Table(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.rows[-1].append("")

    def handle_data(self, data):
        if self.rows and self.rows[-1]:
            self.rows[-1][-1] += data


def test_progress_muted_apart_manual_gate_plain_logs_and_summaries(org, tmp_path):
    _, env = org
    gated = prowler_org(env, tmp_path, "--fail-on", "manual", "--summary", "org.md")
    output = gated.stdout + gated.stderr
    assert gated.returncode == 3, output[-5000:]  # the unread notebook fails the gate
    assert f"--fail-on manual: notebooks whose setting could not be read (MANUAL) in {UNREADABLE}" in gated.stderr
    readable, unreadable = account_line(gated.stdout, READABLE), account_line(gated.stdout, UNREADABLE)
    assert re.search(r"scanned: 1 PASS; muted: 1 FAIL \[[12]/2 accounts done; this one took \d+ s\]$", readable), readable
    assert re.search(r"scanned: 1 MANUAL \[[12]/2 accounts done; this one took \d+ s\]$", unreadable), unreadable
    assert {re.search(r"\[(\d)/2", line).group(1) for line in (readable, unreadable)} == {"1", "2"}
    assert re.search(r"2 of 2 account\(s\) scanned in \d+ s \(1 PASS, 1 MANUAL; muted: 1 FAIL\)", gated.stdout), gated.stdout
    for account in (READABLE, UNREADABLE):
        log = (tmp_path / "out" / account / "prowler.log").read_text()
        assert log and "\x1b[" not in log, "ANSI codes in the log"
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    by_account = {a["account_id"]: a for a in summary["accounts"]}
    assert by_account[READABLE]["statuses"] == {"PASS": 1} and by_account[READABLE]["muted"] == {"FAIL": 1}
    assert by_account[READABLE]["exit_code"] == 0  # Prowler's own: every FAIL of the account is muted
    assert by_account[UNREADABLE]["statuses"] == {"MANUAL": 1} and by_account[UNREADABLE]["muted"] == {}
    markdown = (tmp_path / "org.md").read_text().splitlines()
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in markdown if line.startswith("| ")]
    assert rows[0] == ["Account", "Result", "PASS", "FAIL", "MANUAL", "Muted", "Seconds", "Details"]
    assert [r[:6] for r in rows[2:]] == [[READABLE, "scanned", "1", "0", "0", "1 FAIL"],
                                         [UNREADABLE, "scanned", "0", "0", "1", ""],
                                         ["all (2)", "2 scanned", "1", "0", "1", "1"]]

    # the same scan without --fail-on manual: a MANUAL notebook does not fail, a muted FAIL does not either.
    # What is tested here is prowler-org's gate and summary over the same findings: the run above is replayed
    # (its reports, output and exit codes) rather than Prowler started twice more.
    replayed = replay_prowler(tmp_path / "out", tmp_path)
    plain = prowler_org(env, tmp_path, "--summary", "report/org.html", "--prowler", str(replayed))
    assert per_account(json.loads((tmp_path / "out" / "summary.json").read_text())) == per_account(summary)
    assert plain.returncode == 0, (plain.stdout + plain.stderr)[-5000:]
    table = Table()
    table.feed((tmp_path / "report" / "org.html").read_text())
    assert [r[:6] for r in table.rows[1:]] == [r[:6] for r in rows[2:]]


def test_a_timeout_is_stated_as_a_timeout(org, tmp_path):
    _, env = org
    result = prowler_org(env, tmp_path, "--timeout", "2", "--summary", "org.md")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-5000:]
    assert "no notebook found" not in output, output
    for account in (READABLE, UNREADABLE):
        assert "TIMED OUT: prowler did not finish within --timeout 2 s" in account_line(result.stdout, account)
    assert f"2 account(s) timed out after 2 s (--timeout): {READABLE}, {UNREADABLE}" in result.stderr
    assert re.search(r"0 of 2 account\(s\) scanned in \d+ s; merged", result.stdout), result.stdout
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["timed_out"] == [READABLE, UNREADABLE] and summary["failed"] == []
    assert "| timed out |" in (tmp_path / "org.md").read_text()


def test_summary_needs_a_markdown_or_html_name(tmp_path):
    sys.path.insert(0, str(ROOT))
    from d9_rules import org_scan

    code = org_scan.main(["--role-name", ROLE, "--accounts", READABLE, "--output-dir", str(tmp_path / "out"),
                          "--summary", str(tmp_path / "org.pdf"), "--prowler", sys.executable])
    assert code == 1 and not (tmp_path / "out").exists()
