"""Only Prowler plus `pip install ".[prowler]"`: the check is a plugin (no --checks-folder), read-only safe."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from bundle_harness import BUNDLE_BIN, installed_folder, run
from rule import EXAMPLES, PROWLER_CHECK, ROOT, RULE

US, EU = "us-east-1", "eu-west-1"
# The plugin's verdicts, and that a plugin run writes nothing into Prowler's package, are asserted by
# tests/bundle/test_prowler_versions.py test_end_to_end_verdicts_with_the_installed_plugin (one run serves both).


@pytest.fixture(scope="module")
def account(moto_session):
    moto_session.reset()
    moto_session.seed_from_template(EXAMPLES / "cloudformation" / "notebooks.yaml", US)
    moto_session.create_notebook(EU, "eu-public", DirectInternetAccess="Enabled", RootAccess="Disabled")
    return moto_session


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_service_filter_and_listing_find_the_plugin(tmp_path):
    result = run("prowler", ["prowler", "aws", "--list-checks", "-s", "sagemaker", "--no-banner"], tmp_path)
    assert PROWLER_CHECK in result.stdout and RULE["engines"]["prowler"]["builtin_counterpart"] in result.stdout


def test_compliance_framework_runs_the_check_and_writes_its_report(account, tmp_path):
    framework = "cloudguard_" + RULE["cloudguard_id"].lower().replace(".", "_") + "_aws"
    listing = run("prowler", ["prowler", "aws", "--list-compliance", "--no-banner"], tmp_path)
    assert framework in listing.stdout
    result = run("prowler", ["prowler", "aws", "--compliance", framework, "--region", US, "-o", "out", "-F", "c",
                             "--no-banner", "--aws-retries-max-attempts", "1"], tmp_path, account.env_overrides)
    assert result.returncode == 3, result.stdout[-3000:] + result.stderr[-3000:]
    [report] = (tmp_path / "out" / "compliance").glob(f"*{framework}*.csv")
    rows = read_csv(report)
    controls = sum(len(f["controls"]) or 1 for f in RULE["compliance_frameworks"])
    assert len(rows) == controls * 3  # every control, for each of the 3 notebooks
    assert all(RULE["cloudguard_id"] in ";".join(r.values()) for r in rows)
    assert {r["STATUS"] for r in rows if r["RESOURCENAME"] == "PassPrivateNotebook"} == {"PASS"}
    assert {r["STATUS"] for r in rows if r["RESOURCENAME"] == "FailDefaultInternet"} == {"FAIL"}


def test_installed_checks_folder_also_works_as_checks_folder(tmp_path):
    folder = installed_folder("prowler", "prowler", tmp_path)
    assert [p.name for p in folder.iterdir()] == [PROWLER_CHECK], "Prowler would treat every sub-folder as a check"


def test_github_and_gitlab_prowler_steps_run_as_written(account, tmp_path):
    github = yaml.safe_load((ROOT / "docs" / "pipelines" / "github-actions.yml").read_text())
    gitlab = yaml.safe_load((ROOT / "docs" / "pipelines" / "gitlab-ci.yml").read_text())
    scripts = [next(s["run"] for s in github["jobs"]["prowler"]["steps"] if s.get("name") == "Scan"),
               next(line for line in gitlab["d9-prowler"]["script"] if line.startswith("prowler"))]
    # Steps that are the same words once bash has joined the continuation lines (and quote nothing) are one
    # command, run once: a Prowler start costs ~20 s. A step written otherwise runs on its own.
    distinct = {tuple(script.replace("\\\n", " ").split()) if not set("'\"$`") & set(script) else script: script
                for script in scripts}
    assert len(scripts) == 2 and all(script.startswith("prowler aws ") for script in distinct.values())
    for script in distinct.values():
        result = run("prowler", script.rstrip() + " --no-banner --aws-retries-max-attempts 1", tmp_path,
                     account.env_overrides)
        assert result.returncode == 3, result.stdout[-3000:] + result.stderr[-3000:]
        [report] = (tmp_path / "prowler-output").glob("*.csv")
        assert len(read_csv(report)) == 4
        report.unlink()
    assert BUNDLE_BIN["prowler"].is_dir()
