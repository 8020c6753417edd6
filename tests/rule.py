"""Shared by every suite: where things are, the rule metadata, and the verdict annotations."""
from __future__ import annotations

import os
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# the engines' environments, where tools/dev.py puts them
VENVS = Path(os.environ.get("D9_VENVS_DIR", ROOT / ".venvs"))
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLES = ROOT / "examples"
METADATA_FILE = ROOT / "metadata" / "D9.AWS.NET.49.yaml"
RULE = yaml.safe_load(METADATA_FILE.read_text())
CHECKOV_ID = RULE["engines"]["checkov"]["id"]
PROWLER_CHECK = RULE["engines"]["prowler"]["check_name"]
PROWLER_BUILTIN_TWIN = RULE["engines"]["prowler"]["builtin_counterpart"]  # Prowler's own check of the setting
# the Prowler compliance framework of the rule (d9_rules/compliance*/), as Prowler names it
PROWLER_FRAMEWORK = "cloudguard_" + RULE["cloudguard_id"].lower().replace(".", "_") + "_aws"
RULE_PAGE = ROOT / "docs" / "rules" / f"{RULE['cloudguard_id']}.md"


# Checkov's guideline and SARIF helpUri: Check Point's public rule page
GUIDELINE_URL = RULE["public_url"]

# A resource's verdict is written in its own name: pass_*/Pass* PASSES, fail_*/Fail* FAILS,
# skip_*/Skip* is suppressed. Module resources take it from the module call's name.
ANNOTATION = re.compile(r"^(pass|fail|skip)", re.IGNORECASE)
VERDICTS = {"pass": "PASSED", "fail": "FAILED", "skip": "SKIPPED"}


def annotated_name(resource_id: str) -> str:
    """The first segment, from the right, whose name carries a verdict annotation."""
    for segment in reversed(resource_id.split(".")):
        name = re.sub(r"\[.*\]$", "", segment)
        if ANNOTATION.match(name):
            return name
    raise AssertionError(f"{resource_id} has no pass/fail/skip annotation in its name")


def expected_verdict(resource_id: str) -> str:
    return VERDICTS[ANNOTATION.match(annotated_name(resource_id)).group(1).lower()]


DECLARATIONS = [
    re.compile(r'^\s*(?:resource\s+"aws_sagemaker_notebook_instance"|module)\s+"((?:pass|fail|skip)_\w+)"', re.M),
    re.compile(r'^\s*"?((?:pass|fail|skip)_\w+)"?\s*:\s*\{', re.M),  # .tf.json
    re.compile(r'^\s*"?((?:Pass|Fail|Skip)\w+)"?\s*:', re.M),  # CloudFormation YAML/JSON
    re.compile(r'^\s*"?name"?:\s*"?((?:pass|fail|skip)-[-.\w]*)"?,?\s*$', re.M),  # Kubernetes metadata.name
]


def declared_names(folder: Path, suffixes: tuple[str, ...]) -> set[str]:
    """Every annotated notebook (or module call) declared in the fixture files."""
    names: set[str] = set()
    for path in folder.rglob("*"):
        if path.is_file() and path.name.endswith(suffixes):
            text = path.read_text()
            for pattern in DECLARATIONS:
                names.update(pattern.findall(text))
    return names


# Every annotated notebook of examples/ (Terraform, CloudFormation, Kubernetes), and those that fail
EXAMPLE_NAMES = declared_names(EXAMPLES, (".tf", ".yaml"))
EXAMPLES_FAILING = {name for name in EXAMPLE_NAMES if name.lower().startswith("fail")}
