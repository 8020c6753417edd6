"""Files derived from metadata/ are regenerated and compared: any hand edit or stale file fails."""
import importlib.util
import subprocess
import sys

import pytest
from rule import ROOT

spec = importlib.util.spec_from_file_location("generate_under_test", ROOT / "tools" / "generate.py")
generate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(generate)


def test_generated_files_match_metadata():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "generate.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


FROM_METADATA = [p for p in generate.generated_files(generate.load_rule()) if p != generate.README]


@pytest.mark.parametrize("path", FROM_METADATA, ids=lambda p: p.name)
def test_a_metadata_change_reaches_every_generated_file(path):
    rule = generate.load_rule()
    rule["title"] = "Changed title"
    rule["compliance_frameworks"][0]["controls"].append("X-1")
    rule["engines"]["prowler"]["min_version"] = "5.99"  # the Prowler floor, in the package data and the check
    assert generate.generated_files(rule)[path] != path.read_text(), f"{path.name} ignores the metadata"


def test_the_readme_parity_table_follows_the_scenarios(monkeypatch):
    scenarios = generate.load_scenarios() + [{"name": "new-scenario", "settings": {}, "verdict": "FAIL", "live": True}]
    monkeypatch.setattr(generate, "load_scenarios", lambda: scenarios)
    assert "| new-scenario |" in generate.readme_with_parity_table()


def test_one_definition_of_the_prowler_check_and_its_floor():
    """The Prowler check ID and version floor are written in metadata/ only: the org scan, the correlation and
    the Prowler App probe read the generated package data, the check's floor line is generated."""
    rule = generate.load_rule()
    prowler = rule["engines"]["prowler"]
    for path in ("d9_rules/org_scan.py", "d9_rules/correlate.py", "docs/prowler-app/check_bundle.py"):
        text = (ROOT / path).read_text()
        assert f'"{prowler["check_name"]}"' not in text and "(5, 41)" not in text, path
        assert "d9_rules.rule_data" in text, path
    sys.path.insert(0, str(ROOT))
    from d9_rules import org_scan, rule_data
    assert org_scan.CHECK == rule_data.PROWLER_CHECK_ID == prowler["check_name"]
    assert ".".join(map(str, rule_data.PROWLER_MIN_VERSION)) == str(prowler["min_version"])
