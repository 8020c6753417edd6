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


@pytest.mark.parametrize("path", list(generate.generated_files(generate.load_rule())), ids=lambda p: p.name)
def test_a_metadata_change_reaches_every_generated_file(path):
    rule = generate.load_rule()
    rule["title"] = "Changed title"
    rule["compliance_frameworks"][0]["controls"].append("X-1")
    assert generate.generated_files(rule)[path] != path.read_text(), f"{path.name} ignores the metadata"
