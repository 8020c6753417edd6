"""Demo of the Prowler half: a moto account seeded with the notebooks of
examples/cloudformation/notebooks.yaml (tagged as the stack d9-demo would tag them), scanned by the real
`prowler aws --checks-folder prowler_checks`. Runs in the Prowler environment (see tools/dev.py demo).
`prowler_demo.py OCSF_PATH` also keeps Prowler's OCSF report there, for `d9-rules correlate`."""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from moto_account import moto_server  # noqa: E402

RULE = yaml.safe_load((ROOT / "metadata" / "D9.AWS.NET.49.yaml").read_text())
CHECK = RULE["engines"]["prowler"]["check_name"]
REGION = "us-east-1"


def main() -> int:
    with moto_server() as account, tempfile.TemporaryDirectory() as out:
        names = account.seed_from_template(ROOT / "examples" / "cloudformation" / "notebooks.yaml", REGION,
                                           stack_name="d9-demo")
        print(f"[demo] moto account at {account.endpoint}: created notebooks {', '.join(names)} in {REGION}")
        command = [str(Path(sys.executable).parent / "prowler"), "aws", "--checks-folder", str(ROOT / "prowler_checks"),
                   "-c", CHECK, "--region", REGION, "-M", "csv", "json-ocsf", "-o", out, "-F", "demo", "--no-banner",
                   "--aws-retries-max-attempts", "1"]
        code = subprocess.run(command, env=account.env, stdout=subprocess.DEVNULL).returncode
        report = Path(out) / "demo.csv"
        if code not in (0, 3) or not report.is_file():
            print(f"[demo] prowler exited {code} without a report")
            return code or 1
        with open(report, newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter=";"))
        print(f"[demo] prowler exited {code} (3 = some notebook FAILED); {len(rows)} findings:")
        for row in rows:
            print(f"  {row['STATUS']:<6} {row['SEVERITY']:<5} {row['REGION']} {row['RESOURCE_NAME']}: "
                  f"{row['STATUS_EXTENDED']}")
        if len(sys.argv) > 1:
            shutil.copy(Path(out) / "demo.ocsf.json", sys.argv[1])
        return 0 if len(rows) == len(names) else 1


if __name__ == "__main__":
    sys.exit(main())
