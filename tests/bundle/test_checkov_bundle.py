"""Only Checkov plus `pip install ".[checkov]"`: the documented command finds the installed rule."""
import json
import shutil

import yaml
from bundle_harness import BUNDLE_BIN, installed_folder, run
from rule import GUIDELINE_URL, CHECKOV_ID, EXAMPLE_NAMES, EXAMPLES, FIXTURES, ROOT, expected_verdict


def test_installed_bundle_holds_checks_metadata_and_docs_but_no_tests(tmp_path):
    checks = installed_folder("checkov", "checkov", tmp_path)
    package = checks.parent
    files = {p.relative_to(package).as_posix() for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert "checkov_checks/d9_aws_net_49_sagemaker_direct_internet.py" in files
    assert "metadata/D9.AWS.NET.49.yaml" in files and "docs/D9.AWS.NET.49.md" in files
    assert not any("test" in f or "fixture" in f or "example" in f for f in files), files
    assert {p.suffix for p in checks.iterdir() if p.is_file()} == {".py"}  # nothing Checkov would parse as a policy


def test_documented_command_scans_with_the_installed_rule(tmp_path):
    shutil.copytree(EXAMPLES, tmp_path / "iac")
    result = run("checkov", f'checkov -d iac --external-checks-dir "$(d9-rules checkov-dir)" --check {CHECKOV_ID} '
                            "--skip-download -o json", tmp_path)
    assert result.returncode == 1, result.stderr[-2000:]
    records = [r for report in json.loads(result.stdout) for b in ("passed_checks", "failed_checks")
               for r in report["results"][b]]
    assert len(records) == len(EXAMPLE_NAMES)
    assert all(r["check_result"]["result"] == expected_verdict(r["resource"]) for r in records)
    assert {r["guideline"] for r in records} == {GUIDELINE_URL}


def test_pre_commit_hook_entry_on_good_and_bad_files(tmp_path):
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["language"] == "python" and any("checkov" in d for d in hook["additional_dependencies"])
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    source = (EXAMPLES / "terraform" / "main.tf").read_text()
    (good / "main.tf").write_text(source.split("# Bad:")[0])  # the network and the passing notebook only
    shutil.copy(EXAMPLES / "terraform" / "main.tf", bad / "main.tf")
    shutil.copy(EXAMPLES / "cloudformation" / "notebooks.yaml", bad / "notebooks.yaml")
    entry = hook["entry"].split()
    passing = run("checkov", [*entry, "good/main.tf"], tmp_path)
    failing = run("checkov", [*entry, "bad/main.tf", "bad/notebooks.yaml"], tmp_path)
    assert passing.returncode == 0, passing.stdout[-2000:] + passing.stderr[-2000:]
    assert failing.returncode == 1, failing.stdout[-2000:] + failing.stderr[-2000:]
    # every result is shown, passes included, each once, with the user's paths
    assert passing.stdout.count(f"Check: {CHECKOV_ID}") == 1
    assert "PASSED for resource: aws_sagemaker_notebook_instance.pass_private_notebook" in passing.stdout
    assert failing.stdout.count(f"Check: {CHECKOV_ID}") == 7
    assert failing.stdout.count("FAILED for resource:") == 5 and failing.stdout.count("PASSED for resource:") == 2
    assert "File: bad/notebooks.yaml:" in failing.stdout and "File: bad/main.tf:" in failing.stdout


def test_github_and_gitlab_checkov_steps_run_as_written(tmp_path):
    shutil.copytree(EXAMPLES, tmp_path, dirs_exist_ok=True)
    github = yaml.safe_load((ROOT / "docs" / "pipelines" / "github-actions.yml").read_text())
    gitlab = yaml.safe_load((ROOT / "docs" / "pipelines" / "gitlab-ci.yml").read_text())
    steps = github["jobs"]["checkov"]["steps"]
    github_scan = next(s["run"] for s in steps if s.get("name") == "Scan")
    github_audit = next(s["run"] for s in steps if s.get("name") == "Notebooks without a verdict")
    gitlab_script = "\n".join(gitlab["d9-checkov"]["script"][1:])  # after pip install, in one shell as GitLab runs it
    # a template Checkov cannot parse, holding a notebook: the audit names it (FAILED, not judged), exit 1
    shutil.copy(FIXTURES / "silent" / "cloudformation" / "pasted.yaml", tmp_path / "pasted.yaml")
    for script in (github_scan, gitlab_script):
        result = run("checkov", script, tmp_path)
        assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]  # the bad examples fail
        sarif = json.loads((tmp_path / "results.sarif").read_text())
        assert {r["ruleId"] for run_ in sarif["runs"] for r in run_["results"]} == {CHECKOV_ID}
        audit = run("checkov", github_audit, tmp_path)
        assert audit.returncode == 1, audit.stdout[-2000:] + audit.stderr[-2000:]
        assert "FAILED for resource: AWS::SageMaker::NotebookInstance.SilentPastedNotebook" in audit.stdout
        assert "1 without a verdict" in audit.stdout, audit.stdout[-2000:]
        if script == gitlab_script:
            assert "FAILED for resource: AWS::SageMaker::NotebookInstance.SilentPastedNotebook" in result.stdout
        (tmp_path / "results.sarif").unlink()
        (tmp_path / "results.json").unlink()
    assert (tmp_path / "results.xml").is_file()  # GitLab's JUnit report
    assert BUNDLE_BIN["checkov"].is_dir()


def test_export_from_the_installed_bundle_scans_from_the_copy(tmp_path):
    shutil.copytree(EXAMPLES, tmp_path / "iac")
    exported = run("checkov", ["d9-rules", "export", "checkov", "policies/checkov"], tmp_path)
    assert exported.returncode == 0, exported.stderr
    folder = tmp_path / "policies" / "checkov"
    assert {p.suffix for p in folder.iterdir()} == {".py"} and (folder / "__init__.py").is_file()
    assert "wrote" in exported.stdout
    result = run("checkov", f"checkov -d iac --external-checks-dir policies/checkov --check {CHECKOV_ID} "
                            "--skip-download -o json", tmp_path)
    assert result.returncode == 1 and "Cannot load external check" not in result.stderr, result.stderr[-2000:]
    records = [r for report in json.loads(result.stdout) for b in ("passed_checks", "failed_checks")
               for r in report["results"][b]]
    assert len(records) == len(EXAMPLE_NAMES) and all(
        r["check_result"]["result"] == expected_verdict(r["resource"]) for r in records)
    again = run("checkov", ["d9-rules", "export", "checkov", "policies/checkov"], tmp_path)
    assert again.returncode == 0 and "wrote" not in again.stdout  # nothing changed, nothing rewritten
    (folder / "d9_aws_net_49_rule_data.py").write_text("# mine\n")
    refused = run("checkov", ["d9-rules", "export", "checkov", "policies/checkov"], tmp_path)
    assert refused.returncode == 1 and "nothing was written" in refused.stderr
    assert (folder / "d9_aws_net_49_rule_data.py").read_text() == "# mine\n"
