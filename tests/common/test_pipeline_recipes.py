"""The pipeline recipes are valid for the systems that will read them (schemas vendored by check-jsonschema)."""
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rule import CHECKOV_ID, PROWLER_CHECK, ROOT

CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
RECIPES = [("github-actions.yml", "vendor.github-workflows"), ("gitlab-ci.yml", "vendor.gitlab-ci")]


@pytest.mark.parametrize("name, schema", RECIPES)
def test_recipe_validates_against_its_schema(name, schema):
    result = subprocess.run([str(CHECK_JSONSCHEMA), "--builtin-schema", schema, str(ROOT / "docs" / "pipelines" / name)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name, schema", RECIPES)
def test_schema_check_can_fail(tmp_path, name, schema):
    broken = tmp_path / name
    document = yaml.safe_load((ROOT / "docs" / "pipelines" / name).read_text())
    document["stages" if "gitlab" in name else "jobs"] = "not-a-valid-value"
    broken.write_text(yaml.safe_dump(document))
    result = subprocess.run([str(CHECK_JSONSCHEMA), "--builtin-schema", schema, str(broken)], capture_output=True)
    assert result.returncode == 1


@pytest.mark.parametrize("name", [n for n, _ in RECIPES])
def test_recipes_use_the_rule_ids(name):
    text = (ROOT / "docs" / "pipelines" / name).read_text()
    assert CHECKOV_ID in text and PROWLER_CHECK in text and "d9-rules checkov-dir" in text
    assert "--checks-folder" not in text  # installed bundles are Prowler plugins


def test_pre_commit_hooks_file_shape():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert isinstance(hooks, list) and len(hooks) == 1
    assert {"id", "name", "entry", "language"} <= set(hooks[0])
