"""Nothing silent: every notebook declared in the scanned files gets a verdict, or is named as not judged.

tests/fixtures/silent/ holds notebooks Checkov 3.3.30 drops without a word (silent_* / Silent*: a Terraform file
python-hcl2 rejects, a resource Condition Checkov evaluates false, Fn::ForEach, text pasted after the YAML, a
NotebookInstanceList), a template in a hidden folder (skipped by -d), notebooks Checkov judges (judged_* /
Judged*), a literal count = 0 and an editor file Terraform ignores. The inventory (d9_rules/inventory.py)
finds them without Checkov's parsers; `d9-rules checkov-scan` and `d9-rules audit` report the ones without a
verdict as FAILED, not judged, and exit 1. Reports are read from their JSON.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from checkov_harness import CHECKOV, CHECKS_DIR, RULE_FRAMEWORKS, examples_reports
from rule import CHECKOV_ID, EXAMPLES, FIXTURES, ROOT

sys.path.insert(0, str(ROOT))
from d9_rules import inventory  # noqa: E402

SILENT = FIXTURES / "silent"
CFN, K8S, TF = "AWS::SageMaker::NotebookInstance.", "NotebookInstance.", "aws_sagemaker_notebook_instance."
# (file, resource, why it is not judged) for the notebooks Checkov drops in tests/fixtures/silent/
NOT_JUDGED = {
    ("cloudformation/conditional.yaml", f"{CFN}SilentConditionalNotebook", "it has the resource Condition 'IsProd'"),
    ("cloudformation/foreach.yaml", CFN + "SilentForEach${Team}", "Checkov does not expand Fn::ForEach"),
    ("cloudformation/pasted.yaml", f"{CFN}SilentPastedNotebook", "the file does not load as YAML or JSON"),
    ("kubernetes/list.yaml", f"{K8S}silent-typed-list", "Checkov ignores the kind NotebookInstanceList"),
    ("terraform_broken/main.tf", f"{TF}silent_tf_parse_error", "Checkov could not parse"),
}
HIDDEN = (".deploy/stack.yaml", f"{CFN}HiddenFolderNotebook", "Checkov's -d skips paths whose names start with a dot")
# (file, resource) Checkov judges when the scan command runs it (the hidden folder included)
JUDGED = {("terraform/main.tf", f"{TF}judged_tf"), ("cloudformation/conditional.yaml", f"{CFN}JudgedCfnNotebook"),
          ("kubernetes/list.yaml", f"{K8S}ml.judged-plain-list"), (".deploy/stack.yaml", f"{CFN}HiddenFolderNotebook")}


def test_inventory_finds_every_declaration_also_where_checkov_cannot_parse():
    found = inventory.scan([str(SILENT)])
    assert found.unreadable == {}
    got = {(os.path.relpath(d.path, SILENT.resolve()), d.kind, d.name, d.created) for d in found.declared}
    assert got == {
        ("terraform/main.tf", "terraform", f"{TF}judged_tf", True),
        ("terraform/main.tf", "terraform", f"{TF}never_created", False),  # count = 0
        ("terraform_broken/main.tf", "terraform", f"{TF}silent_tf_parse_error", True),
        ("cloudformation/conditional.yaml", "cloudformation", "SilentConditionalNotebook", True),
        ("cloudformation/conditional.yaml", "cloudformation", "JudgedCfnNotebook", True),
        ("cloudformation/foreach.yaml", "cloudformation", "SilentForEach${Team}", True),
        ("cloudformation/pasted.yaml", "cloudformation", "SilentPastedNotebook", True),
        ("kubernetes/list.yaml", "kubernetes", "silent-typed-list", True),
        ("kubernetes/list.yaml", "kubernetes", "judged-plain-list", True),
        (".deploy/stack.yaml", "cloudformation", "HiddenFolderNotebook", True),
    }  # not: the block in a heredoc, the commented-out one, .editor-backup.tf, another API group's NotebookInstance


def test_inventory_finds_what_hides_from_checkov_in_the_held_out_cases():
    found = inventory.scan([str(FIXTURES / "terraform_hunt" / "heredoc_empty_hides_resource")])
    assert sorted(d.name for d in found.declared) == [f"{TF}fail_nb_heredoc_empty_hides_resource",
                                                      f"{TF}fail_open_heredoc_empty_hides_resource"]
    found = inventory.scan([str(FIXTURES / "malformed")])
    assert sorted((Path(d.path).name, d.kind, d.name) for d in found.declared) == [
        ("broken.tf", "terraform", f"{TF}broken"), ("broken.yaml", "cloudformation", "Broken")]


def test_braces_in_strings_and_tabs_in_json_do_not_hide_a_notebook(tmp_path):
    (tmp_path / "main.tf").write_text(
        'locals {\n  open = "{ ${var.x}"\n}\n'
        'resource "aws_sagemaker_notebook_instance" "after_a_brace_in_a_string" {\n  name = "{"\n}\n'
        'resource "aws_sagemaker_notebook_instance" "zero" {\n  count = 0\n}\n')
    (tmp_path / "stack.json").write_text(
        '{\n\t"Resources": {\n\t\t"TabbedNotebook": {\n\t\t\t"Type": "AWS::SageMaker::NotebookInstance"\n\t\t}\n\t}\n}\n')
    found = inventory.scan([str(tmp_path)])
    assert sorted((d.name, d.created, d.missed) for d in found.declared) == [
        ("TabbedNotebook", True, None), (f"{TF}after_a_brace_in_a_string", True, None), (f"{TF}zero", False, None)]


def test_a_file_the_inventory_cannot_read_is_named(tmp_path):
    (tmp_path / "binary.yaml").write_bytes(b"\xff\xfe\x00\xd8" * 3 + b"\x80")
    (tmp_path / "main.tf").write_text('resource "aws_sagemaker_notebook_instance" "x" {}\n')
    (tmp_path / "main.tf").chmod(0)
    try:
        found = inventory.scan([str(tmp_path)])
    finally:
        (tmp_path / "main.tf").chmod(0o644)
    readable_by_root = os.geteuid() == 0  # root reads a file without permissions
    expected = {"binary.yaml"} | (set() if readable_by_root else {"main.tf"})
    assert {Path(p).name for p in found.unreadable} == expected


def scan_command(tmp_path: Path, paths: list[str], env: dict[str, str] | None = None) -> tuple[int, dict]:
    """`d9-rules checkov-scan PATHS --json FILE` in the checkov environment, from the fixture's folder."""
    output = tmp_path / "scan.json"
    result = subprocess.run([sys.executable, "-m", "d9_rules.cli", "checkov-scan", *paths, "--json", str(output)],
                            cwd=SILENT, capture_output=True, text=True, timeout=900,
                            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    assert output.is_file(), result.stdout[-3000:] + result.stderr[-3000:]
    return result.returncode, json.loads(output.read_text())


def relative(path: str) -> str:
    return os.path.relpath(path, SILENT.resolve())


@pytest.mark.parametrize("form", ["folder", "files"])
def test_scan_command_reports_every_silent_notebook(tmp_path, form):
    paths = ["."] if form == "folder" else sorted(
        str(p.relative_to(SILENT)) for p in SILENT.rglob("*") if p.is_file() and p.name != "README.md")
    code, report = scan_command(tmp_path, paths)
    assert code == 1
    not_judged = {(relative(r["file_abs_path"]), r["resource"], r["details"][0]) for r in report["not_judged"]}
    assert {(f, r) for f, r, _ in not_judged} == {(f, r) for f, r, _ in NOT_JUDGED}
    for file, resource, why in NOT_JUDGED:
        [details] = [d for f, r, d in not_judged if (f, r) == (file, resource)]
        assert details.startswith(f"not judged: {why}"), details
    assert all(r["result"] == "FAILED" for r in report["not_judged"])
    judged = {(relative(r["file_abs_path"]), r["resource"]) for r in report["checkov"]}
    expected = JUDGED | ({("terraform/.editor-backup.tf", f"{TF}ignored_by_terraform")} if form == "files" else set())
    assert judged == expected  # a given dot-named .tf file is judged on its own (and fails: Terraform ignores it)


@pytest.fixture(scope="module")
def plain_checkov_report(tmp_path_factory):
    """What a pipeline running Checkov its own way writes: the README's command over the corpus, -o json."""
    report = tmp_path_factory.mktemp("report") / "checkov.json"
    result = subprocess.run([str(CHECKOV), "-d", ".", "--external-checks-dir", str(CHECKS_DIR), "--check", CHECKOV_ID,
                             "--framework", *RULE_FRAMEWORKS, "--skip-download", "-o", "json"],
                            cwd=SILENT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 1, result.stderr[-3000:]
    report.write_text(result.stdout)
    return report


def audit(report: Path, root: Path, tmp_path: Path, cwd: Path = ROOT) -> tuple[int, dict]:
    output = tmp_path / "audit.json"
    result = subprocess.run([sys.executable, "-m", "d9_rules.cli", "audit", "--checkov-report", str(report),
                             "--root", str(root), "--json", str(output)], cwd=cwd, capture_output=True, text=True,
                            timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert output.is_file(), result.stdout[-3000:] + result.stderr[-3000:]
    return result.returncode, json.loads(output.read_text())


def test_audit_names_what_a_plain_checkov_run_did_not_judge(plain_checkov_report, tmp_path):
    code, report = audit(plain_checkov_report, SILENT, tmp_path)
    assert code == 1
    got = {(relative(r["file_abs_path"]), r["resource"]) for r in report["not_judged"]}
    assert got == {(f, r) for f, r, _ in NOT_JUDGED | {HIDDEN}}  # the scan command judges the hidden one
    [hidden] = [r for r in report["not_judged"] if r["resource"] == HIDDEN[1]]
    assert HIDDEN[2] in hidden["details"][0]


def test_audit_reads_a_report_made_in_another_checkout(plain_checkov_report, tmp_path):
    """A report from CI (other absolute paths) is read relative to --root."""
    moved = tmp_path / "elsewhere"
    shutil.copytree(SILENT, moved)
    ci_report = tmp_path / "ci.json"
    ci_report.write_text(plain_checkov_report.read_text().replace(str(SILENT.resolve()), "/builds/ci/repo"))
    assert str(SILENT.resolve()) not in ci_report.read_text()
    code, report = audit(ci_report, moved, tmp_path, cwd=tmp_path)
    assert code == 1
    assert {r["resource"] for r in report["not_judged"]} == {r for _, r, _ in NOT_JUDGED | {HIDDEN}}


def test_audit_passes_when_every_notebook_has_a_verdict(tmp_path):
    # `checkov -d examples --check <the rule> -o json`'s report, the run test_outputs.py reads too
    result, reports = examples_reports()
    assert result.returncode == 1, result.stderr[-3000:]
    code, report = audit(reports / "results_json.json", EXAMPLES, tmp_path)
    assert (code, report["not_judged"], report["unreadable"]) == (0, [], {})


@pytest.mark.parametrize("hidden_tool, fixture, expected", [
    ("helm", "helm", {"Helm chart notebooks"}),
    ("kustomize", "kustomize", {f"Kustomize overlay notebooks/{o}" for o in
                                ("base", "overlays/internet", "overlays/no-subnet", "overlays/private")}),
])
def test_a_chart_or_overlay_without_its_renderer_is_not_judged(tmp_path, hidden_tool, fixture, expected):
    """Checkov skips the helm and kustomize frameworks without a word when the binary is missing (as after
    `pip install ".[checkov]"`): the scan command names the chart or overlay, with how to get the tool."""
    tree = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, tree)
    output = tmp_path / "scan.json"
    result = subprocess.run([sys.executable, "-m", "d9_rules.cli", "checkov-scan", ".", "--json", str(output)],
                            cwd=tree, capture_output=True, text=True, timeout=900,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "PATH": str(Path(sys.executable).parent)})
    report = json.loads(output.read_text())
    assert result.returncode == 1, result.stderr[-3000:]
    assert {r["resource"] for r in report["not_judged"]} == expected
    tool = "helm" if hidden_tool == "helm" else "kubectl or kustomize"
    assert all(r["details"][0].startswith(f"not judged: {tool} is not on PATH") and "install" in r["details"][0]
               for r in report["not_judged"])
