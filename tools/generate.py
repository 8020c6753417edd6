#!/usr/bin/env python3
"""Generate every engine file derived from metadata/ (needs only PyYAML).

    python3 tools/generate.py           write the generated files
    python3 tools/generate.py --check   exit 1 and list the files that differ (the drift test)
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
METADATA = ROOT / "metadata" / "D9.AWS.NET.49.yaml"
README = ROOT / "README.md"
PARITY_START, PARITY_END = "<!-- parity table: generated from tests/parity/scenarios.yaml -->", "<!-- end of parity table -->"

sys.path.insert(0, str(Path(__file__).resolve().parent))
from parity import load_scenarios, readme_table  # noqa: E402


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
        "AdditionalURLs": [rule["public_url"], *[u for u in rule["references"] if u != rule["public_url"]]],
        "Remediation": {
            "Code": {
                "CLI": remediation["cli"],
                "NativeIaC": f"```yaml\n{remediation['cloudformation']}```",
                "Other": console,
                "Terraform": f"```hcl\n{remediation['terraform']}```",
            },
            "Recommendation": {"Text": f"{remediation['summary']} Rule page: {rule['public_url']} (the bundle ships "
                                       f"a copy: docs/rules/{rule['cloudguard_id']}.md, `d9-rules docs-dir`).",
                               "Url": ""},
        },
        "Categories": prowler["categories"],
        "DependsOn": [],
        "RelatedTo": [prowler["builtin_counterpart"]],
        "Notes": (f"CloudGuard rule {rule['cloudguard_id']} ({rule['category']}): {rule['logic']}. "
                  f"Generated from metadata/{METADATA.name}; do not edit by hand."),
    }


def compliance_framework_name(rule: dict) -> str:
    """File stem Prowler uses as the --compliance name (`<name>_aws.json`)."""
    return "cloudguard_" + rule["cloudguard_id"].lower().replace(".", "_") + "_aws"


def prowler_compliance(rule: dict) -> dict:
    """One Prowler framework: a requirement per (rule-card framework, control) pair, all met by our check."""
    check = rule["engines"]["prowler"]["check_name"]
    requirements = []
    for framework in rule["compliance_frameworks"]:
        for control in framework["controls"] or [rule["cloudguard_id"]]:
            requirements.append({
                "Id": f"{framework['name']}: {control}",
                "Name": f"{rule['cloudguard_id']} {rule['title']}",
                "Description": f"{framework['name']} {control} is supported by CloudGuard rule {rule['cloudguard_id']}: "
                               f"{rule['logic']}.",
                "Attributes": [{"ItemId": control, "Section": framework["name"], "SubSection": rule["cloudguard_id"],
                                "Service": rule["engines"]["prowler"]["service"]}],
                "Checks": [check],
            })
    return {
        "Framework": f"CloudGuard-{rule['cloudguard_id']}",
        "Name": f"CloudGuard {rule['cloudguard_id']} across the frameworks of its rule card",
        "Version": str(rule["schema_version"]),
        "Provider": "AWS",
        "Description": f"Controls of the {len(rule['compliance_frameworks'])} compliance frameworks that CloudGuard rule "
                       f"{rule['cloudguard_id']} ({rule['title']}) belongs to, checked by Prowler check {check}.",
        "Requirements": requirements,
    }


def prowler_compliance_universal(rule: dict) -> dict:
    """The same framework in Prowler's universal schema (`ComplianceFramework`), for the entry point group
    `prowler.compliance.universal`: Prowler App's compliance overview reads only that loader. Same file
    name, so the App's CSV export still finds the legacy framework of the same name."""
    legacy = prowler_compliance(rule)
    attributes = [("ItemId", "Control"), ("Section", "Framework"), ("SubSection", "CloudGuard rule"),
                  ("Service", "Service")]
    sections = [f["name"] for f in rule["compliance_frameworks"]]
    return {
        "framework": legacy["Framework"],
        "name": legacy["Name"],
        "provider": legacy["Provider"],
        "version": legacy["Version"],
        "description": legacy["Description"],
        "requirements": [{
            "id": requirement["Id"],
            "name": requirement["Name"],
            "description": requirement["Description"],
            "attributes": requirement["Attributes"][0],
            "checks": {legacy["Provider"].lower(): requirement["Checks"]},
        } for requirement in legacy["Requirements"]],
        "attributes_metadata": [{"key": key, "label": label, "type": "str", "required": True,
                                 **({"enum": sections} if key == "Section" else {})} for key, label in attributes],
        # `prowler --compliance` prints a console table only for a framework that says how to group it
        "outputs": {"table_config": {"group_by": "Section"}},
    }


def fenced(language: str, code: str) -> str:
    return f"```{language}\n{code.rstrip()}\n```"


def rule_page(rule: dict) -> str:
    checkov, prowler = rule["engines"]["checkov"], rule["engines"]["prowler"]
    remediation = rule["remediation"]
    frameworks = "\n".join(f"| {f['name']} | {', '.join(f['controls']) or 'no public control IDs'} |"
                            for f in rule["compliance_frameworks"])
    console = "\n".join(f"{n}. {step}" for n, step in enumerate(remediation["console"], 1))
    references = "\n".join(f"- <{url}>" for url in rule["references"])
    kubernetes = rule["resource"]["kubernetes"]
    api_groups = "\n".join(f"| `{g['group']}` | {g['controller']} | {', '.join(g['versions'])} | {g['scope']} |"
                            for g in kubernetes["api_groups"])
    k8s_skip = (f"metadata:{chr(10)}  annotations:{chr(10)}"
                f"    checkov.io/skip1: {checkov['id']}=<reason without an equals sign>")
    mutelist = (f"Mutelist:\n  Accounts:\n    \"*\":\n      Checks:\n        {prowler['check_name']}:\n"
                f"          Regions: [\"*\"]\n          Resources: [\"<notebook-name>\"]")
    return f"""<!-- Generated from metadata/{METADATA.name} by `python3 tools/dev.py generate`; do not edit. -->
# {rule['cloudguard_id']}: {rule['title']}

| | |
|---|---|
| Severity | {rule['severity'].capitalize()} |
| Cloud entity | {rule['cloud_entity']} (`{rule['resource']['cloudformation']}`, `{rule['resource']['terraform']}`, Kubernetes `{kubernetes['kind']}`) |
| Category | {rule['category']} |
| Public rule page | <{rule['public_url']}> |
| Logic | `{rule['logic']}` |
| Checkov ID | `{checkov['id']}` (built-in counterpart `{checkov['builtin_counterpart']}`) |
| Checkov frameworks | {', '.join(f'`{f}`' for f in checkov['frameworks'])} |
| Prowler check | `{prowler['check_name']}` (Prowler >= {prowler['min_version']}; built-in counterpart `{prowler['builtin_counterpart']}`) |

## What it checks

{rule['description']}

A notebook instance passes only when `DirectInternetAccess` is exactly `{rule['passing_value']}`. When the setting
is absent AWS uses `{rule['default_when_absent']}`.

## Why it matters

{rule['risk']}

## How to fix

{remediation['summary']}

Console:

{console}

Terraform:

{fenced('hcl', remediation['terraform'])}

CloudFormation:

{fenced('yaml', remediation['cloudformation'])}

Kubernetes, AWS Controllers for Kubernetes (ACK):

{fenced('yaml', remediation['kubernetes_ack'])}

Kubernetes, Crossplane (Upbound AWS provider; `subnetIdRef` or `subnetIdSelector` may replace `subnetId`):

{fenced('yaml', remediation['kubernetes_crossplane'])}

AWS CLI:

{fenced('sh', remediation['cli'])}

Passing and failing notebooks side by side: `examples/terraform/main.tf`,
`examples/cloudformation/notebooks.yaml` and `examples/kubernetes/` (each resource's name states its verdict).

## Kubernetes resources judged

A `{kubernetes['kind']}` is judged when its API group is one of these (any other group's `{kubernetes['kind']}` is
not this resource and is not reported; a version not listed FAILS until the rule knows it):

| API group | Controller | Versions | Scope |
|---|---|---|---|
{api_groups}

## Suppressing a finding

Checkov, Terraform (a comment inside the resource block):

{fenced('hcl', f'# checkov:skip={checkov["id"]}:<reason>')}

Checkov, CloudFormation (the resource's `Metadata`):

{fenced('yaml', f'Metadata:{chr(10)}  checkov:{chr(10)}    skip:{chr(10)}      - id: {checkov["id"]}{chr(10)}        comment: <reason>')}

Checkov, Kubernetes (an annotation of the resource; Checkov splits the value at `=`):

{fenced('yaml', k8s_skip)}

Prowler (`prowler aws ... -w mutelist.yaml`):

{fenced('yaml', mutelist)}

## Compliance frameworks

| Framework | Controls |
|---|---|
{frameworks}

Prowler: `prowler aws --compliance {compliance_framework_name(rule)}` writes a compliance report with one
requirement per framework control above.

## References

{references}
"""


def checkov_rule_data(rule: dict) -> str:
    """The rule data the Checkov check reads, as Python inside checkov_checks/: a copied, git-pulled or
    signed folder then needs nothing outside itself (Checkov parses .yaml/.json there as policies, and
    signs only .py files)."""
    checkov = rule["engines"]["checkov"]
    values = {
        "CLOUDGUARD_ID": rule["cloudguard_id"],
        "CHECKOV_ID": checkov["id"],
        "TITLE": rule["title"],
        "SEVERITY": rule["severity"].upper(),
        "CATEGORY": checkov["category"],
        "PASSING_VALUE": rule["passing_value"],
        "TERRAFORM_RESOURCE": rule["resource"]["terraform"],
        "CLOUDFORMATION_RESOURCE": rule["resource"]["cloudformation"],
        "KUBERNETES_KIND": rule["resource"]["kubernetes"]["kind"],
        "KUBERNETES_API_GROUPS": {g["group"]: {"controller": g["controller"], "layout": g["layout"], "scope": g["scope"],
                                               "versions": list(g["versions"])}
                                  for g in rule["resource"]["kubernetes"]["api_groups"]},
        "CHECKOV_FRAMEWORKS": list(checkov["frameworks"]),
        "GUIDELINE": rule["public_url"],
        "BENCHMARKS": {f["name"]: list(f["controls"]) for f in rule["compliance_frameworks"]},
    }
    lines = [f'"""Rule data of {rule["cloudguard_id"]} for the Checkov check beside this file.',
             "",
             f"Generated from metadata/{METADATA.name} by `python3 tools/dev.py generate`; do not edit. It registers",
             'no check (Checkov imports every .py of the folder and finds nothing to run here)."""', ""]
    for name, value in values.items():
        if isinstance(value, dict):
            lines.append(f"{name} = {{")
            lines += [f"    {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}," for k, v in value.items()]
            lines.append("}")
        else:
            lines.append(f"{name} = {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def package_rule_data(rule: dict) -> str:
    """The identifiers d9_rules' own modules (org scan, correlation) and the Prowler App probe need, as Python
    inside the package: one definition, no metadata parsing at run time."""
    prowler = rule["engines"]["prowler"]
    values = {
        "CLOUDGUARD_ID": rule["cloudguard_id"],
        "PROWLER_CHECK_ID": prowler["check_name"],
        "PROWLER_MIN_VERSION": tuple(int(part) for part in str(prowler["min_version"]).split(".")),
        "PROWLER_FRAMEWORK": compliance_framework_name(rule),
    }
    lines = [f'"""Rule data of {rule["cloudguard_id"]} for the d9_rules package (Prowler side).',
             "",
             f"Generated from metadata/{METADATA.name} by `python3 tools/dev.py generate`; do not edit."
             '"""', ""]
    lines += [f"{name} = {value!r}" for name, value in values.items()]
    return "\n".join(lines) + "\n"


PROWLER_FLOOR_LINE = re.compile(r"^MIN_PROWLER = .*$", re.MULTILINE)


def prowler_check_source(rule: dict, check: str) -> str:
    """The Prowler check with its version floor from metadata/: Prowler treats every module of the check's
    folder as a check, so the floor cannot live in a sibling file; this one line of the check is generated."""
    path = ROOT / "prowler_checks" / check / f"{check}.py"
    text = path.read_text(encoding="utf-8")
    floor = tuple(int(part) for part in str(rule["engines"]["prowler"]["min_version"]).split("."))
    line = f"MIN_PROWLER = {floor!r}  # engines.prowler.min_version, written by tools/generate.py"
    if not PROWLER_FLOOR_LINE.search(text):
        raise SystemExit(f"{path.relative_to(ROOT)} lacks its `MIN_PROWLER = ...` line")
    return PROWLER_FLOOR_LINE.sub(line, text, count=1)


def readme_with_parity_table() -> str:
    text = README.read_text(encoding="utf-8")
    head, found, rest = text.partition(PARITY_START)
    _, found_end, tail = rest.partition(PARITY_END)
    if not (found and found_end):
        raise SystemExit(f"README.md lacks the markers {PARITY_START!r} ... {PARITY_END!r}")
    return f"{head}{PARITY_START}\n{readme_table(load_scenarios())}\n{PARITY_END}{tail}"


def generated_files(rule: dict) -> dict[Path, str]:
    check = rule["engines"]["prowler"]["check_name"]
    return {
        README: readme_with_parity_table(),
        ROOT / "prowler_checks" / check / f"{check}.metadata.json":
            json.dumps(prowler_metadata(rule), indent=2, ensure_ascii=False) + "\n",
        ROOT / "d9_rules" / "compliance" / f"{compliance_framework_name(rule)}.json":
            json.dumps(prowler_compliance(rule), indent=2, ensure_ascii=False) + "\n",
        ROOT / "d9_rules" / "compliance_universal" / f"{compliance_framework_name(rule)}.json":
            json.dumps(prowler_compliance_universal(rule), indent=2, ensure_ascii=False) + "\n",
        ROOT / "docs" / "rules" / f"{rule['cloudguard_id']}.md": rule_page(rule),
        ROOT / "checkov_checks" / "d9_aws_net_49_rule_data.py": checkov_rule_data(rule),
        ROOT / "d9_rules" / "rule_data.py": package_rule_data(rule),
        ROOT / "prowler_checks" / check / f"{check}.py": prowler_check_source(rule, check),
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
