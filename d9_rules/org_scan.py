"""`d9-rules prowler-org`: Prowler with this rule in many AWS accounts, one role assumed per account.

For each account ID (given, read from a file, or every ACTIVE account of the AWS Organization) it runs

    prowler aws --role arn:<partition>:iam::<id>:role/<role-name> -c <check> -M csv json-ocsf
        -o <output-dir>/<id> -F prowler-<id> --no-banner --no-color [--external-id X] [arguments after --]

at most --parallel at a time, each with its own output folder (replaced on every run) and log
(<output-dir>/<id>/prowler.log), then merges the accounts' findings into <output-dir>/prowler-org.csv
(Prowler's `;`-separated CSV) and <output-dir>/prowler-org.ocsf.json, and writes <output-dir>/summary.json
(and, with --summary FILE.md or FILE.html, a table of every account for people). Each account's line says how
far the run is ([n/N]) and how long that account took; muted findings are counted apart from the others.

An account is reported as failed (named on stderr) when Prowler could not scan it: the role could not be
assumed, Prowler exited with an error or was killed, its report is missing or names another account, or
the check itself failed to run; as timed out when it ran longer than --timeout. An account is reported as not fully scanned (named on stderr) when the
check reports a region whose notebooks could not be listed (an unmuted MANUAL finding whose resource is the
region: access denied, throttled, an endpoint error). Exit code: 1 when any account failed or was not fully
scanned (the others are still scanned and merged), otherwise 3 when any unmuted FAIL (as Prowler) or, with
--fail-on manual, any unmuted MANUAL (a notebook whose setting could not be read), otherwise 0.

"""
from __future__ import annotations

import argparse
import csv
import html
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from d9_rules import install_hint
from d9_rules.rule_data import PROWLER_CHECK_ID as CHECK  # generated from metadata/

ACCOUNT_ID = re.compile(r"^\d{12}$")
MERGED = "prowler-org"
# A run that did not judge the account: Prowler's critical errors (the role could not be assumed, invalid
# credentials) and errors naming the check (it failed to load or run: Prowler then still exits 0).
# A region Prowler could not list (an SCP denying it, say) is only an ERROR line there; the check reports it as
# a finding of its own (see unlisted_region), and the other regions are reported.
FAILURE_LINE = re.compile(r"CRITICAL|ERROR.*" + CHECK)
# The check's finding for a region whose notebooks could not be listed: MANUAL, resource the region, with
# Prowler's placeholder ARN for a resource it could not name.
UNLISTED_REGION_ARN = re.compile(r"^arn:[^:]+:sagemaker:(?P<region>[^:]+):\d{12}:notebook-instance/unknown$")
# terminal colour and cursor codes: the logs are plain text even when Prowler ignores --no-color somewhere
ANSI_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
STATUS_ORDER = ("PASS", "FAIL", "MANUAL")


@dataclass
class AccountResult:
    account_id: str
    role_arn: str
    output: str
    scanned: bool = False
    timed_out: bool = False
    reason: str = ""
    exit_code: int | None = None
    started: float = 0.0
    finished: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)  # unmuted findings by status
    muted: dict[str, int] = field(default_factory=dict)  # muted findings by status
    unmuted_fail: int = 0
    unmuted_manual: int = 0
    unlisted_regions: dict[str, str] = field(default_factory=dict)  # region -> the check's explanation


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "prowler-org", help="run Prowler with this rule in many AWS accounts (one role per account) and merge "
                            "the findings", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    fill(parser)
    return parser


def fill(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--accounts", nargs="+", metavar="ID", help="12-digit account IDs")
    source.add_argument("--accounts-file", type=Path, metavar="FILE",
                        help="one account ID a line; blank lines and text after # are ignored")
    source.add_argument("--organization", action="store_true",
                        help="every ACTIVE account of the AWS Organization (organizations:ListAccounts with the "
                             "current credentials: the management account or a delegated administrator)")
    parser.add_argument("--exclude", nargs="+", default=[], metavar="ID", help="account IDs to leave out")
    parser.add_argument("--role-name", required=True,
                        help="role to assume in every account, with its path if any (audit/ProwlerScan)")
    parser.add_argument("--external-id", help="passed to prowler --external-id")
    parser.add_argument("--partition", default="aws", help="ARN partition (aws, aws-us-gov, aws-cn)")
    parser.add_argument("--parallel", type=int, default=4, help="Prowler runs at the same time (default 4)")
    parser.add_argument("--output-dir", type=Path, default=Path("prowler-org-output"),
                        help="where each account's folder and the merged reports go (default prowler-org-output)")
    parser.add_argument("--timeout", type=int, default=4 * 3600,
                        help="seconds one account may take (default 4 hours); a longer run is stopped, TIMED OUT")
    parser.add_argument("--fail-on", choices=("fail", "manual"), default="fail",
                        help="exit 3 on any unmuted FAIL (fail, the default), or on any unmuted FAIL or MANUAL "
                             "(manual: a notebook whose setting could not be read also fails the gate)")
    parser.add_argument("--summary", type=Path, metavar="FILE.md|FILE.html",
                        help="also write a table of every account (status counts, muted apart, duration, problems) "
                             "as Markdown or HTML, by the file's suffix")
    parser.add_argument("--prowler", default="prowler", help="the prowler program (default: found on PATH)")
    parser.add_argument("prowler_args", nargs=argparse.REMAINDER,
                        help="after --: more prowler arguments for every account (--region ..., -w mutelist.yaml)")
    parser.set_defaults(prowler_org=run)


def _read_ids(path: Path) -> list[str]:
    return [line.split("#", 1)[0].strip() for line in path.read_text().splitlines() if line.split("#", 1)[0].strip()]


def organization_accounts() -> list[str]:
    import boto3  # Prowler's dependency

    accounts = []
    # a global service: any region of the caller's partition answers; us-east-1 when none is configured
    client = boto3.client("organizations", region_name=boto3.session.Session().region_name or "us-east-1")
    for page in client.get_paginator("list_accounts").paginate():
        for account in page["Accounts"]:
            # ListAccounts answers Status (and, since 2025, State) per account
            if account.get("State", account.get("Status")) == "ACTIVE":
                accounts.append(account["Id"])
    return accounts


def _prowler_command(args: argparse.Namespace, account: str, role_arn: str, folder: Path) -> list[str]:
    command = [args.prowler, "aws", "--role", role_arn, "-c", CHECK, "-M", "csv", "json-ocsf",
               "-o", str(folder), "-F", f"prowler-{account}", "--no-banner", "--no-color"]
    if args.external_id:
        command += ["--external-id", args.external_id]
    return command + args.prowler_args


def unlisted_region(row: dict[str, str]) -> str | None:
    """The region of an unmuted finding of the check for a region it could not list, else None."""
    match = UNLISTED_REGION_ARN.match(row.get("RESOURCE_UID") or "")
    if row.get("STATUS") != "MANUAL" or row.get("MUTED") == "True" or match is None:
        return None
    return match.group("region") if row.get("RESOURCE_NAME") == match.group("region") else None


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def scan_account(args: argparse.Namespace, account: str) -> AccountResult:
    role_arn = f"arn:{args.partition}:iam::{account}:role/{args.role_name}"
    folder = args.output_dir / account
    result = AccountResult(account, role_arn, str(folder), started=time.time())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    log = folder / "prowler.log"
    try:
        with open(log, "w") as out:
            process = subprocess.run(_prowler_command(args, account, role_arn, folder), stdout=out,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=args.timeout)
        result.exit_code = process.returncode
    except subprocess.TimeoutExpired:
        result.timed_out = True
        result.reason = f"prowler did not finish within --timeout {args.timeout} s and was stopped"
    except OSError as exc:
        result.reason = f"prowler could not be started: {exc}"
    result.finished = time.time()
    text = ANSI_ESCAPE.sub("", log.read_text(errors="replace"))
    log.write_text(text)
    if result.reason:
        return result
    # Prowler's log lines start with a time, file and module: keep the message
    problems = [re.sub(r"^.*?\b(CRITICAL|ERROR):?\s*", "", line).strip()
                for line in text.splitlines() if FAILURE_LINE.search(line)]
    report = folder / f"prowler-{account}.csv"
    if result.exit_code not in (0, 3):
        result.reason = f"prowler exited {result.exit_code}" + (f": {problems[-1]}" if problems else "")
    elif problems:
        result.reason = f"prowler reported: {problems[-1]}"
    elif report.is_file():
        rows = _read_csv(report)
        others = sorted({r.get("ACCOUNT_UID") for r in rows} - {account})
        if others:
            result.reason = f"the report names other accounts: {', '.join(map(str, others))}"
            return result
        for row in rows:
            muted = row.get("MUTED") == "True"
            counts = result.muted if muted else result.statuses
            counts[row["STATUS"]] = counts.get(row["STATUS"], 0) + 1
            result.unmuted_fail += row["STATUS"] == "FAIL" and not muted
            result.unmuted_manual += row["STATUS"] == "MANUAL" and not muted
            region = unlisted_region(row)
            if region is not None:
                result.unlisted_regions[region] = row.get("STATUS_EXTENDED", "")
        result.scanned = True
    elif result.exit_code == 0:  # Prowler writes no report when nothing was found
        result.scanned = True
    else:
        result.reason = "prowler exited 3 without a report"
    return result


def merge(results: list[AccountResult], output_dir: Path) -> tuple[Path, Path]:
    """One CSV and one OCSF file for every scanned account (Prowler's own columns, plus any extra ones)."""
    rows: list[dict[str, str]] = []
    columns: dict[str, None] = {}
    findings: list = []
    for result in results:
        if not result.scanned:
            continue
        folder = Path(result.output)
        report = folder / f"prowler-{result.account_id}.csv"
        if report.is_file():
            account_rows = _read_csv(report)
            rows += account_rows
            columns.update(dict.fromkeys(account_rows[0] if account_rows else []))
        ocsf = folder / f"prowler-{result.account_id}.ocsf.json"
        if ocsf.is_file() and ocsf.stat().st_size:
            findings += json.loads(ocsf.read_text())
    merged_csv, merged_ocsf = output_dir / f"{MERGED}.csv", output_dir / f"{MERGED}.ocsf.json"
    with open(merged_csv, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), delimiter=";", restval="")
        writer.writeheader()
        writer.writerows(rows)
    merged_ocsf.write_text(json.dumps(findings, indent=1) + "\n")
    return merged_csv, merged_ocsf


def run(args: argparse.Namespace) -> int:
    if args.prowler_args[:1] == ["--"]:
        args.prowler_args = args.prowler_args[1:]
    try:
        if args.organization:
            accounts = organization_accounts()
        elif args.accounts_file:
            accounts = _read_ids(args.accounts_file)
        else:
            accounts = args.accounts
    except Exception as exc:  # boto3's errors, an unreadable file
        print(f"d9-rules prowler-org: could not list the accounts: {exc}", file=sys.stderr)
        return 1
    accounts = [a for a in dict.fromkeys(accounts) if a not in set(args.exclude)]
    invalid = [a for a in accounts if not ACCOUNT_ID.match(a)]
    if invalid or not accounts or args.parallel < 1:
        problem = (f"not 12-digit account IDs: {', '.join(invalid)}" if invalid else
                   "no account to scan" if not accounts else "--parallel must be at least 1")
        print(f"d9-rules prowler-org: {problem}", file=sys.stderr)
        return 1
    if shutil.which(args.prowler) is None:
        print(f"d9-rules prowler-org: {args.prowler} not found (install it in this environment: {install_hint('prowler')})", file=sys.stderr)
        return 1
    if args.summary is not None and args.summary.suffix.lower() not in SUMMARY_FORMATS:
        print(f"d9-rules prowler-org: --summary {args.summary}: name a .md or .html file", file=sys.stderr)
        return 1
    args.output_dir.mkdir(parents=True, exist_ok=True)
    print(f"d9-rules prowler-org: {len(accounts)} account(s), {min(args.parallel, len(accounts))} at a time, "
          f"role {args.role_name}, output in {args.output_dir}", flush=True)
    started = time.monotonic()
    done: list[AccountResult] = []
    lock = threading.Lock()

    def one(account: str) -> AccountResult:
        result = scan_account(args, account)
        with lock:  # n/N in the order accounts finish
            done.append(result)
            print(f"d9-rules prowler-org: {account}: {account_state(result)} "
                  f"[{len(done)}/{len(accounts)} accounts done; this one took {result.finished - result.started:.0f} s]",
                  flush=True)
        return result

    with ThreadPoolExecutor(max_workers=args.parallel) as pool:
        results = list(pool.map(one, accounts))
    merged_csv, merged_ocsf = merge(results, args.output_dir)
    failed = [r.account_id for r in results if not r.scanned and not r.timed_out]
    timed_out = [r.account_id for r in results if r.timed_out]
    incomplete = [r.account_id for r in results if r.scanned and r.unlisted_regions]
    (args.output_dir / "summary.json").write_text(json.dumps(
        {"check": CHECK, "accounts": [asdict(r) for r in results], "failed": failed, "timed_out": timed_out,
         "not_fully_scanned": incomplete, "merged": {"csv": str(merged_csv), "ocsf": str(merged_ocsf)}}, indent=2) + "\n")
    scanned = [r for r in results if r.scanned]
    print(f"d9-rules prowler-org: {len(scanned)} of {len(results)} account(s) scanned in {time.monotonic() - started:.0f} s"
          + (f" ({counts_text(scanned)})" if scanned else "")
          + f"; merged into {merged_csv} and {merged_ocsf}")
    if args.summary is not None:
        args.summary.parent.mkdir(parents=True, exist_ok=True)
        args.summary.write_text(SUMMARY_FORMATS[args.summary.suffix.lower()](results, args), encoding="utf-8")
        print(f"d9-rules prowler-org: summary of every account in {args.summary}")
    if failed:
        print(f"d9-rules prowler-org: {len(failed)} account(s) could not be scanned: {', '.join(failed)}",
              file=sys.stderr)
    if timed_out:
        print(f"d9-rules prowler-org: {len(timed_out)} account(s) timed out after {args.timeout} s (--timeout): "
              f"{', '.join(timed_out)}", file=sys.stderr)
    if incomplete:
        print(f"d9-rules prowler-org: {len(incomplete)} account(s) not fully scanned (a region's notebooks could not "
              f"be listed, see the MANUAL findings): {', '.join(incomplete)}", file=sys.stderr)
    if failed or timed_out or incomplete:
        return 1
    manual = [r.account_id for r in results if r.unmuted_manual]
    if manual and args.fail_on == "manual":
        print(f"d9-rules prowler-org: --fail-on manual: notebooks whose setting could not be read (MANUAL) in "
              f"{', '.join(manual)}", file=sys.stderr)
        return 3
    return 3 if any(r.unmuted_fail for r in results) else 0


def _ordered(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (STATUS_ORDER.index(item[0]) if item[0] in STATUS_ORDER
                                                    else len(STATUS_ORDER), item[0]))


def counts_text(results: list[AccountResult]) -> str:
    """`2 PASS, 1 FAIL; muted: 1 FAIL` over the given accounts (muted findings apart: they gate nothing)."""
    unmuted: dict[str, int] = {}
    muted: dict[str, int] = {}
    for result in results:
        for total, counts in ((unmuted, result.statuses), (muted, result.muted)):
            for status, count in counts.items():
                total[status] = total.get(status, 0) + count
    text = ", ".join(f"{n} {s}" for s, n in _ordered(unmuted)) or "no unmuted finding"
    if muted:
        text += "; muted: " + ", ".join(f"{n} {s}" for s, n in _ordered(muted))
    if not unmuted and not muted:
        text = "no notebook found"
    return text


def account_state(result: AccountResult) -> str:
    log = f"{result.output}{os.sep}prowler.log"
    if result.timed_out:
        return f"TIMED OUT: {result.reason} (log: {log})"
    if not result.scanned:
        return f"FAILED: {result.reason} (log: {log})"
    unlisted = (f"; NOT FULLY SCANNED: notebooks could not be listed in {', '.join(sorted(result.unlisted_regions))}"
                f" ({next(iter(result.unlisted_regions.values()))})" if result.unlisted_regions else "")
    return f"scanned: {counts_text([result])}{unlisted}"


def _summary_rows(results: list[AccountResult]) -> tuple[list[str], list[list[str]]]:
    header = ["Account", "Result", "PASS", "FAIL", "MANUAL", "Muted", "Seconds", "Details"]
    rows = []
    for r in results:
        state = ("timed out" if r.timed_out else "failed" if not r.scanned else
                 "not fully scanned" if r.unlisted_regions else "scanned")
        details = r.reason or (f"notebooks could not be listed in {', '.join(sorted(r.unlisted_regions))}"
                               if r.unlisted_regions else "")
        rows.append([r.account_id, state, *(str(r.statuses.get(s, 0)) if r.scanned else "" for s in STATUS_ORDER),
                     ", ".join(f"{n} {s}" for s, n in _ordered(r.muted)) if r.scanned else "",
                     f"{r.finished - r.started:.0f}", details])
    scanned = [r for r in results if r.scanned]
    rows.append([f"all ({len(results)})", f"{len(scanned)} scanned",
                 *(str(sum(r.statuses.get(s, 0) for r in scanned)) for s in STATUS_ORDER),
                 str(sum(sum(r.muted.values()) for r in scanned)), "", ""])
    return header, rows


def summary_markdown(results: list[AccountResult], args: argparse.Namespace) -> str:
    header, rows = _summary_rows(results)

    def cells(values: list[str]) -> str:
        return "| " + " | ".join(v.replace("|", "\\|").replace("\n", " ") for v in values) + " |"

    return "\n".join([f"# {CHECK} in {len(results)} account(s)", "",
                      f"Role `{args.role_name}`; reports in `{args.output_dir}`. PASS, FAIL and MANUAL count unmuted "
                      "findings; MANUAL: the setting could not be read.", "",
                      cells(header), cells(["---"] * len(header)), *map(cells, rows), ""])


def summary_html(results: list[AccountResult], args: argparse.Namespace) -> str:
    header, rows = _summary_rows(results)

    def cells(tag: str, values: list[str]) -> str:
        return "<tr>" + "".join(f"<{tag}>{html.escape(v)}</{tag}>" for v in values) + "</tr>"

    title = html.escape(f"{CHECK} in {len(results)} account(s)")
    return "\n".join([
        "<!DOCTYPE html>", f'<html><head><meta charset="utf-8"><title>{title}</title>',
        "<style>table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px;text-align:left}</style>",
        f"</head><body><h1>{title}</h1>",
        f"<p>Role <code>{html.escape(args.role_name)}</code>; reports in <code>{html.escape(str(args.output_dir))}</code>. "
        "PASS, FAIL and MANUAL count unmuted findings; MANUAL: the setting could not be read.</p>",
        "<table>", cells("th", header), *(cells("td", row) for row in rows), "</table></body></html>", ""])


SUMMARY_FORMATS = {".md": summary_markdown, ".html": summary_html}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m d9_rules.org_scan", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    fill(parser)
    args = parser.parse_args(argv)
    return args.prowler_org(args)


if __name__ == "__main__":
    sys.exit(main())
