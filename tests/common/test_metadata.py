"""metadata/ is the single hand-written source: strict schema, and engine IDs that cannot collide."""
import copy
import json
import jsonschema
import pytest
from rule import METADATA_FILE, RULE

SCHEMA = json.loads((METADATA_FILE.parent / "rule.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def test_metadata_file_is_valid():
    VALIDATOR.validate(RULE)
    assert RULE["cloudguard_id"] + ".yaml" == METADATA_FILE.name
    assert RULE["severity"] == "high" and RULE["category"] == "Machine learning"
    names = [f["name"] for f in RULE["compliance_frameworks"]]
    assert len(names) == len(set(names)) == 13
    controls = {f["name"]: f["controls"] for f in RULE["compliance_frameworks"]}
    assert {"AC-4", "SC-7"} <= set(controls["AWS NIST 800-53 Rev 5"])
    assert "T1530" in controls["AWS MITRE ATT&CK Framework v11.3"]
    assert all(c.startswith("A.8.") for c in controls["AWS ISO27001:2022"])
    assert all(c.startswith("SEC05") for c in controls["AWS CloudGuard Well Architected Framework"])


def test_engine_ids_follow_each_engine_rules():
    checkov_id = RULE["engines"]["checkov"]["id"]
    prowler = RULE["engines"]["prowler"]
    assert "." not in checkov_id and checkov_id != RULE["engines"]["checkov"]["builtin_counterpart"]
    assert prowler["check_name"] != prowler["builtin_counterpart"] and "-" not in prowler["check_name"]
    assert prowler["check_name"].split("_")[0] == prowler["service"]


@pytest.mark.parametrize("mutation", [
    lambda r: r.update(unknown_key=1),
    lambda r: r.update(severity="High"),
    lambda r: r.pop("logic"),
    lambda r: r["engines"]["checkov"].update(id="D9.AWS.NET.49"),
    lambda r: r["engines"]["checkov"].update(id="CKV_AWS_122"),
    lambda r: r["engines"]["prowler"].update(check_name="notebook_check"),
    lambda r: r["remediation"].update(extra="x"),
    lambda r: r.update(title="Ensure " + r["title"]),
    lambda r: r.update(references=["http://insecure.example"]),
    lambda r: r["resource"]["kubernetes"]["api_groups"][0].update(layout="other"),
    lambda r: r["resource"]["kubernetes"]["api_groups"][0].update(group="Sagemaker.services.k8s.aws"),
    lambda r: r["resource"]["kubernetes"]["api_groups"][0].update(versions=["1alpha1"]),
    lambda r: r["resource"]["kubernetes"].pop("kind"),
    lambda r: r["engines"]["checkov"]["frameworks"].append("json"),
    lambda r: r["engines"]["checkov"].pop("frameworks"),
    lambda r: r["remediation"].pop("kubernetes_ack"),
], ids=["unknown key", "severity case", "missing logic", "dotted checkov id", "built-in checkov id",
        "prowler name without service", "unknown remediation key", "title starting with Ensure", "http reference",
        "unknown kubernetes layout", "api group not a DNS name", "kubernetes version without v",
        "kubernetes kind missing", "framework that carries no notebook", "frameworks missing",
        "kubernetes remediation missing"])
def test_schema_rejects(mutation):
    broken = copy.deepcopy(RULE)
    mutation(broken)
    assert list(VALIDATOR.iter_errors(broken)), "the schema accepted a broken rule file"
