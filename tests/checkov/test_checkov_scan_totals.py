"""`d9-rules checkov-scan` output a person reads: the notebooks one framework after the other in the rule's
framework order (metadata/; Checkov's own report order varies), a count per framework, and a last line with
the totals: passed, failed, not judged, skipped."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

from rule import CHECKOV_ID, EXAMPLE_NAMES, EXAMPLES, EXAMPLES_FAILING, FIXTURES, ROOT, RULE

FRAMEWORKS = RULE["engines"]["checkov"]["frameworks"]


def test_frameworks_in_the_rule_order_and_a_total_line_last(tmp_path):
    shutil.copytree(EXAMPLES, tmp_path / "iac")
    shutil.copy(FIXTURES / "silent" / "cloudformation" / "pasted.yaml", tmp_path / "iac" / "pasted.yaml")
    result = subprocess.run([sys.executable, "-m", "d9_rules.cli", "checkov-scan", "iac"], cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=900)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    lines = result.stdout.splitlines()
    passed = len(EXAMPLE_NAMES) - len(EXAMPLES_FAILING)
    assert lines[-1] == (f"d9-rules: {CHECKOV_ID} total: {passed} passed, {len(EXAMPLES_FAILING)} failed, "
                         "1 not judged, 0 skipped; 1 given file(s) not parsed"), lines[-5:]
    per_framework = [re.match(rf"d9-rules: {CHECKOV_ID} (\w+): (\d+) passed, (\d+) failed, (\d+) skipped$", line)
                     for line in lines[-4:-1]]
    assert all(per_framework), lines[-4:]
    named = [m.group(1) for m in per_framework]
    assert named == [f for f in FRAMEWORKS if f in named] == ["terraform", "cloudformation", "kubernetes"]
    assert sum(int(m.group(2)) for m in per_framework) == passed
    assert sum(int(m.group(3)) for m in per_framework) == len(EXAMPLES_FAILING)
    # the judged notebooks, grouped in the same order (by path alone, cloudformation/ would come first)
    folders = [re.match(r"\tFile: iac/(\w+)/", line).group(1) for line in lines if re.match(r"\tFile: iac/\w+/", line)]
    assert folders == sorted(folders, key=["terraform", "cloudformation", "kubernetes"].index), folders
    assert len(folders) == len(EXAMPLE_NAMES)
