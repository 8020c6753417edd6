#!/usr/bin/env python3
"""Generate every engine file derived from metadata/ (needs only PyYAML).

    python3 tools/generate.py           write the generated files
    python3 tools/generate.py --check   exit 1 and list the files that differ (the drift test)
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
METADATA = ROOT / "metadata" / "D9.AWS.NET.49.yaml"


def load_rule(path: Path = METADATA) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def prowler_metadata(rule: dict) -> dict:
    prowler = rule["engines"]["prowler"]
    remediation = rule["remediation"]
    console = "\n".join(f"{n}. {step}" for n, step in enumerate(remediation["console"], 1))
    return {
        "Provider": "aws",
        "CheckID": prowler["check_name"],
        "CheckTitle": rule["title"],
        "CheckType": prowler["check_types"],
        "ServiceName": prowler["service"],
        "SubServiceName": "",
        "ResourceIdTemplate": "",
        "Severity": rule["severity"],
        "ResourceType": rule["resource"]["prowler_resource_type"],
        "ResourceGroup": prowler["resource_group"],
        "Description": rule["description"],
        "Risk": rule["risk"],
        "RelatedUrl": "",
        "AdditionalURLs": rule["references"],
        "Remediation": {
            "Code": {
                "CLI": remediation["cli"],
                "NativeIaC": f"```yaml\n{remediation['cloudformation']}```",
                "Other": console,
                "Terraform": f"```hcl\n{remediation['terraform']}```",
            },
            "Recommendation": {"Text": remediation["summary"], "Url": ""},
        },
        "Categories": prowler["categories"],
        "DependsOn": [],
        "RelatedTo": [prowler["builtin_counterpart"]],
        "Notes": (f"CloudGuard rule {rule['cloudguard_id']} ({rule['category']}): {rule['logic']}. "
                  f"Generated from metadata/{METADATA.name}; do not edit by hand."),
    }


def generated_files(rule: dict) -> dict[Path, str]:
    check = rule["engines"]["prowler"]["check_name"]
    return {
        ROOT / "prowler_checks" / check / f"{check}.metadata.json":
            json.dumps(prowler_metadata(rule), indent=2, ensure_ascii=False) + "\n",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="report drift instead of writing")
    args = parser.parse_args()
    drift = []
    for path, text in generated_files(load_rule()).items():
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current == text:
            continue
        if args.check:
            drift.append(path.relative_to(ROOT))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    if drift:
        print("generated files differ from metadata/ (run python3 tools/generate.py):", *drift, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
