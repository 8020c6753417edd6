"""Only Prowler plus `pip install ".[prowler]"`: the check is a plugin (no --checks-folder), read-only safe."""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest
import yaml
from bundle_harness import BUNDLE_BIN, installed_folder, run
from rule import EXAMPLES, PROWLER_CHECK, ROOT, RULE

sys.path.insert(0, str(ROOT / "tools"))
from moto_account import moto_server  # noqa: E402

US, EU = "us-east-1", "eu-west-1"
NO_PYC = {"PYTHONDONTWRITEBYTECODE": "1"}  # only Prowler's own writes matter here, not Python's caches


@pytest.fixture(scope="module")
def account():
    with moto_server() as account:
        account.seed_from_template(EXAMPLES / "cloudformation" / "notebooks.yaml", US)
        account.create_notebook(EU, "eu-public", DirectInternetAccess="Enabled", RootAccess="Disabled")
        yield account


def prowler_package(tmp_path: Path) -> Path:
    result = run("prowler", ["python", "-c", "import prowler, os; print(os.path.dirname(prowler.__file__))"], tmp_path)
    return Path(result.stdout.strip())


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_plugin_mode_writes_nothing_into_prowler(account, tmp_path):
    package = prowler_package(tmp_path)
    before = snapshot(package)
    result = run("prowler", ["prowler", "aws", "-c", PROWLER_CHECK, "--region", US, EU, "-M", "csv", "-o", "out",
                             "-F", "plugin", "--no-banner", "--aws-retries-max-attempts", "1"],
                 tmp_path, {**account.env_overrides, **NO_PYC})
    assert result.returncode == 3, result.stdout[-3000:] + result.stderr[-3000:]
    rows = {r["RESOURCE_NAME"]: r["STATUS"] for r in read_csv(tmp_path / "out" / "plugin.csv")}
    assert rows == {"PassPrivateNotebook": "PASS", "FailDefaultInternet": "FAIL", "FailInternetEnabled": "FAIL",
                    "eu-public": "FAIL"}
    assert snapshot(package) == before, "the run wrote into Prowler's package"


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
    for script in scripts:
        result = run("prowler", script.rstrip() + " --no-banner --aws-retries-max-attempts 1", tmp_path,
                     account.env_overrides)
        assert result.returncode == 3, result.stdout[-3000:] + result.stderr[-3000:]
        [report] = (tmp_path / "prowler-output").glob("*.csv")
        assert len(read_csv(report)) == 4
        report.unlink()
    assert BUNDLE_BIN["prowler"].is_dir()
