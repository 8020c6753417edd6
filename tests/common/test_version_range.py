"""The engine version floors come from the metadata: pyproject's extras, the pre-commit hook and the
Checkov floor environment must say the same."""
import re
import tomllib

import yaml
from rule import ROOT, RULE

CHECKOV_FLOOR = RULE["engines"]["checkov"]["min_version"]
PROWLER_FLOOR = RULE["engines"]["prowler"]["min_version"]


def test_pyproject_extras_declare_the_metadata_floors():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert extras["checkov"] == [f"checkov>={CHECKOV_FLOOR},<4"]
    assert extras["prowler"] == [f"prowler>={PROWLER_FLOOR},<6"]


def test_pre_commit_hook_and_floor_lock_use_the_checkov_floor():
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["additional_dependencies"] == [f"checkov>={CHECKOV_FLOOR},<4"]
    lock = (ROOT / "tools" / "requirements" / "checkov-floor.lock").read_text()
    assert re.search(rf"^checkov=={re.escape(CHECKOV_FLOOR)}$", lock, re.M)


def test_prowler_release_environments_sit_at_the_metadata_floor_and_below_it():
    import sys
    sys.path.insert(0, str(ROOT / "tools"))
    import prowler_versions

    floor = tuple(int(part) for part in PROWLER_FLOOR.split("."))
    inside = {v for v, in_range in prowler_versions.VERSIONS.items() if in_range}
    below = [v for v, in_range in prowler_versions.VERSIONS.items() if not in_range]
    assert inside == {f"{PROWLER_FLOOR}.0"}  # the oldest release the declared range admits
    assert below and all(tuple(int(p) for p in v.split("."))[:len(floor)] < floor for v in below)
