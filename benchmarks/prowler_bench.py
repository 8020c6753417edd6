#!/usr/bin/env python3
"""Prowler cost of our check against the built-in twin (run in the prowler environment).

    python3 tools/dev.py bench prowler [--notebooks 500] [--runs 3]

Seeds a moto server with notebooks (mixed settings, 2 regions), then runs the real `prowler aws` with only
the built-in `sagemaker_notebook_instance_without_direct_internet_access_configured` (A) and with only ours
through --checks-folder (B), interleaved. moto records every request it serves; the SageMaker API calls of
each run are counted per operation. Prints calls A, calls B, the difference, and the wall-time ratio B/A.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from moto_account import moto_server  # noqa: E402

import yaml  # noqa: E402

RULE = yaml.safe_load((ROOT / "metadata" / "D9.AWS.NET.49.yaml").read_text())
OURS = RULE["engines"]["prowler"]["check_name"]
BUILTIN = RULE["engines"]["prowler"]["builtin_counterpart"]
REGIONS = ["us-east-1", "eu-west-1"]
SETTINGS = [{"DirectInternetAccess": "Enabled"}, {},
            {"DirectInternetAccess": "Disabled", "SubnetId": "subnet-0b", "SecurityGroupIds": ["sg-0b"]},
            {"DirectInternetAccess": "Disabled", "RootAccess": "Enabled", "SubnetId": "subnet-0b",
             "SecurityGroupIds": ["sg-0b"]}]


def sagemaker_calls(recording: Path, offset: int) -> tuple[Counter, int]:
    calls: Counter = Counter()
    with open(recording, "rb") as handle:
        handle.seek(offset)
        for line in handle:
            target = json.loads(line).get("headers", {}).get("X-Amz-Target", "")
            if target.startswith("SageMaker."):
                calls[target.split(".", 1)[1]] += 1
        return calls, handle.tell()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notebooks", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    import prowler.config.config as prowler_config
    print(f"prowler {prowler_config.prowler_version}, {args.notebooks} notebooks in {', '.join(REGIONS)}")
    with tempfile.TemporaryDirectory() as work:
        recording = Path(work) / "requests.jsonl"
        with moto_server(record_to=recording) as account:
            for i in range(args.notebooks):
                account.create_notebook(REGIONS[i % 2], f"nb-{i:04d}", **SETTINGS[i % len(SETTINGS)])
            urlopen_post(f"{account.endpoint}/moto-api/recorder/start-recording")
            offset = recording.stat().st_size if recording.exists() else 0
            runs = {"A": [], "B": []}
            calls = {}
            for _ in range(args.runs):
                for label, extra in (("A", ["-c", BUILTIN]), ("B", ["--checks-folder", str(ROOT / "prowler_checks"),
                                                                    "-c", OURS])):
                    command = [str(Path(sys.executable).parent / "prowler"), "aws", *extra, "--region", *REGIONS,
                               "-M", "csv", "-o", str(Path(work) / label), "--no-banner",
                               "--aws-retries-max-attempts", "1"]
                    start = time.perf_counter()
                    result = subprocess.run(command, env=account.env, capture_output=True, text=True)
                    runs[label].append(time.perf_counter() - start)
                    if result.returncode not in (0, 3):
                        raise SystemExit(f"prowler {label} exited {result.returncode}: {result.stderr[-2000:]}")
                    calls[label], offset = sagemaker_calls(recording, offset)
    a, b = statistics.median(runs["A"]), statistics.median(runs["B"])
    total_a, total_b = sum(calls["A"].values()), sum(calls["B"].values())
    print(f"SageMaker API calls per run: A (built-in) {total_a}, B (ours) {total_b}, extra {total_b - total_a}")
    for operation in sorted(set(calls["A"]) | set(calls["B"])):
        print(f"  {operation:<40} A {calls['A'][operation]:>5}  B {calls['B'][operation]:>5}")
    print(f"wall time: A {a:.2f} s, B {b:.2f} s, B/A {b / a:.3f} (medians of {args.runs})")
    return 0


def urlopen_post(url: str) -> None:
    import urllib.request
    urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=10)


if __name__ == "__main__":
    sys.exit(main())
