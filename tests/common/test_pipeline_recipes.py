"""The pipeline recipes are valid for the systems that will read them (schemas vendored by check-jsonschema)."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rule import CHECKOV_ID, PROWLER_CHECK, ROOT, RULE

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


# ---------------------------------------------------------------- one framework list (metadata/ engines.checkov.frameworks)

FRAMEWORKS = RULE["engines"]["checkov"]["frameworks"]


def _framework_lists(text: str) -> list[list[str]]:
    """The values of every `--framework` option in a text (up to the next option or line continuation)."""
    found = []
    for match in re.finditer(r"--framework((?:\s+(?!-)[a-z_]+)+)", text):
        found.append(match.group(1).split())
    return found


@pytest.mark.parametrize("path", ["docs/pipelines/github-actions.yml", "docs/pipelines/gitlab-ci.yml", "README.md"])
def test_every_framework_list_is_the_metadata_list(path):
    lists = _framework_lists((ROOT / path).read_text())
    assert lists, f"{path} names no --framework list"
    assert all(found == FRAMEWORKS for found in lists), (path, lists)


def test_framework_list_drift_is_caught():
    assert _framework_lists("checkov --framework terraform cloudformation \\\n  --check X") == [["terraform", "cloudformation"]]
    assert _framework_lists("--framework terraform\n") != [FRAMEWORKS]


def test_cli_and_harness_read_the_metadata_list():
    sys.path.insert(0, str(ROOT))
    from checkov_harness import RULE_FRAMEWORKS
    from d9_rules import cli

    assert cli.checkov_frameworks() == RULE_FRAMEWORKS == FRAMEWORKS
    assert {"kubernetes", "kustomize", "helm"} <= set(FRAMEWORKS)


# A file each Checkov framework of the list reads (helm: the chart's parts; .tpl holds its named templates)
FRAMEWORK_FILES = {
    "terraform": ["main.tf", "prod.tfvars"], "terraform_json": ["main.tf.json", "prod.tfvars.json"],
    "terraform_plan": ["tfplan.json"], "cloudformation": ["stack.yaml", "stack.template", "cdk.out/Stack.template.json"],
    "serverless": ["serverless.yml"], "kubernetes": ["deploy/notebook.yaml", "deploy/notebook.yml", "deploy/notebook.json"],
    "kustomize": ["overlays/prod/kustomization.yaml", "base/kustomization.yml", "overlays/prod/patch.yaml"],
    "helm": ["chart/Chart.yaml", "chart/values.yaml", "chart/templates/notebook.yaml", "chart/templates/_helpers.tpl"],
}


def test_pre_commit_file_pattern_covers_every_framework():
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    pattern = re.compile(hook["files"])
    assert set(FRAMEWORK_FILES) == set(FRAMEWORKS), "a framework was added: name the files it reads here"
    missed = [name for names in FRAMEWORK_FILES.values() for name in names if not pattern.search(name)]
    assert not missed, missed
    assert not pattern.search("README.md") and not pattern.search("main.py")


def test_pre_commit_scan_includes_the_helm_chart_root(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT))
    from d9_rules.cli import _plan

    (tmp_path / "chart" / "templates" / "sub").mkdir(parents=True)
    (tmp_path / "chart" / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (tmp_path / "chart" / "templates" / "sub" / "nb.yaml").write_text("kind: NotebookInstance\n")
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "nb.yaml").write_text("kind: NotebookInstance\n")
    monkeypatch.chdir(tmp_path)
    folders, files, problems = _plan(["chart/templates/sub/nb.yaml", "plain/nb.yaml"])
    assert folders == ["chart/templates/sub", "chart", "plain"] and files == [] and problems == []
