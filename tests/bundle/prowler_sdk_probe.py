"""What Prowler App's Celery workers and API do with the installed bundle, through Prowler's SDK.

Run with the Python of an environment holding only Prowler plus the bundle (never imported by the tests).
Several commands separated by `+` run in one process (Prowler's import is paid once); the result is a JSON
object with one entry per command name:

    python prowler_sdk_probe.py scan '{"role_arn": ..., "aws_access_key_id": ...}' CHECK [CHECK...]
        The worker's scan task: AwsProvider(**secret) (api/utils.py initialize_prowler_provider), then
        prowler.lib.scan.scan.Scan(provider, checks=[...]).scan() (tasks/jobs/scan.py perform_prowler_scan).
        Prints {"progress": [...], "findings": [...]} as JSON.
    python prowler_sdk_probe.py compliance PROVIDER
        The API's compliance catalogue: get_bulk_compliance_frameworks_universal (api/compliance.py),
        CheckMetadata.get_bulk (the App's check list) and the legacy Compliance.get_bulk (its CSV export).
"""
from __future__ import annotations

import json
import sys


def scan(secret: dict, checks: list[str]) -> dict:
    from prowler.lib.scan.scan import Scan
    from prowler.providers.aws.aws_provider import AwsProvider

    provider = AwsProvider(**secret)
    progress, findings = [], []
    for step, batch in Scan(provider=provider, checks=checks).scan():
        progress.append(step)
        for finding in batch:
            findings.append({
                "check_id": finding.metadata.CheckID,
                "status": finding.status.value if hasattr(finding.status, "value") else str(finding.status),
                "status_extended": finding.status_extended,
                "muted": finding.muted,
                "account_uid": finding.account_uid,
                "region": finding.region,
                "resource_uid": finding.resource_uid,
                "resource_name": finding.resource_name,
                "severity": finding.metadata.Severity,
                "compliance": finding.compliance,
                "uid": finding.uid,
                "prowler_version": finding.prowler_version,
            })
    # A scheduled scan passes no check list: every check Prowler lists runs, the plugin's included
    everything = Scan(provider=provider).checks_to_execute
    return {"progress": progress, "findings": findings,
            "default_selection": {"count": len(everything), "includes": [c for c in checks if c in everything]}}


def compliance(provider: str) -> dict:
    from prowler.config.config import prowler_version
    from prowler.lib.check.compliance_models import (Compliance, adapt_legacy_to_universal,
                                                     get_bulk_compliance_frameworks_universal,
                                                     get_universal_compliance_entry_point_dirs)
    from prowler.lib.check.models import CheckMetadata

    universal = get_bulk_compliance_frameworks_universal(provider)
    legacy = Compliance.get_bulk(provider)

    def describe(framework) -> dict:
        return {"framework": framework.framework, "name": framework.name, "provider": framework.provider,
                "version": framework.version,
                "attributes_metadata": [m.key for m in framework.attributes_metadata or []],
                "requirements": [{"id": r.id, "name": r.name, "attributes": r.attributes, "checks": r.checks}
                                 for r in framework.requirements]}

    return {
        "prowler_version": prowler_version,
        "universal": {name: describe(framework) for name, framework in universal.items()},
        "universal_entry_point_dirs": get_universal_compliance_entry_point_dirs(),
        "legacy": sorted(legacy),
        # Prowler's own adapter applied to the legacy file of the same name: what the universal file must equal
        "legacy_adapted": {name: describe(adapt_legacy_to_universal(framework))
                           for name, framework in legacy.items() if name in universal},
        "checks": sorted(CheckMetadata.get_bulk(provider)),
    }


def main(argv: list[str]) -> int:
    commands, current = [], []
    for word in argv:
        if word == "+":
            commands.append(current)
            current = []
        else:
            current.append(word)
    commands.append(current)
    results = {}
    for command in commands:
        if command[0] == "scan":
            results["scan"] = scan(json.loads(command[1]), command[2:])
        elif command[0] == "compliance":
            results["compliance"] = compliance(command[1])
        else:
            raise SystemExit(f"unknown command {command[0]!r}")
    print("D9-PROBE-RESULT " + json.dumps(results, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
