"""`d9-rules`: print where the installed checks are, or run Checkov with them (pre-commit)."""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from d9_rules import location

CHECKOV_ID = "D9_AWS_NET_49"
# Only the frameworks that can carry a notebook: faster, and Checkov's generic json framework aborts
# the whole scan on a JSON nested deeper than Python's recursion limit.
FRAMEWORKS = ["terraform", "terraform_json", "terraform_plan", "cloudformation", "serverless"]


def checkov_scan(paths: list[str]) -> int:
    """Checkov with only this rule. Each changed file's folder is scanned whole, because a Terraform
    file alone lacks the variables and locals declared next to it."""
    checkov = shutil.which("checkov", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if not checkov:
        print("d9-rules: checkov is not installed (pip install 'd9-aws-net-49[checkov]')", file=sys.stderr)
        return 2
    folders = sorted({str(Path(p).parent) for p in paths}) or ["."]
    command = [checkov, "--external-checks-dir", str(location("checkov")), "--check", CHECKOV_ID,
               "--framework", *FRAMEWORKS, "--skip-download", "--compact", "--quiet"]
    for folder in folders:
        command += ["-d", folder]
    return subprocess.run(command).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="d9-rules", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for kind, text in (("checkov-dir", "folder for checkov --external-checks-dir"),
                       ("prowler-dir", "folder for prowler --checks-folder"),
                       ("metadata-dir", "folder of the rule metadata"),
                       ("docs-dir", "folder of the rule page")):
        sub.add_parser(kind, help=text)
    scan = sub.add_parser("checkov-scan", help="run Checkov with only this rule over the given files' folders")
    scan.add_argument("paths", nargs="*")
    args = parser.parse_args(argv)
    if args.command == "checkov-scan":
        return checkov_scan(args.paths)
    print(location(args.command.removesuffix("-dir")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
