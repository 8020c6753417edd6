"""The Checkov check folder works the ways users share it: exported and copied under any name next to
other people's checks, pulled with --external-checks-git, signed, and two copies in one process. Nothing
outside the folder is read, so nothing can silently drop the check (an import error makes Checkov skip it
and `--check D9_AWS_NET_49` then exits 0 with no output)."""
from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from checkov.runner_filter import RunnerFilter
from checkov.terraform.runner import Runner as TerraformRunner
from checkov_harness import CHECKOV, findings_from_json
from rule import CHECKOV_ID, EXAMPLE_NAMES, EXAMPLES, ROOT, expected_verdict

sys.path.insert(0, str(ROOT))
from d9_rules.export import ExportError, export  # noqa: E402

PYTHON = Path(sys.executable)
# Runs the checkov CLI with an audit hook that records every file opened under the repository
# (its virtualenvs aside): a self-contained folder opens none.
AUDITED_CHECKOV = textwrap.dedent("""
    import sys, warnings
    forbidden, report = sys.argv[1], sys.argv[2]
    opened = []
    def hook(event, args):
        if event == "open" and isinstance(args[0], str) and args[0].startswith(forbidden) \\
                and not args[0].startswith(forbidden + "/.venvs/"):
            opened.append(args[0])
    sys.addaudithook(hook)
    sys.argv = ["checkov", *sys.argv[3:]]
    from checkov.main import Checkov
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = Checkov().run()
    open(report, "w").write("\\n".join(opened))
    sys.exit(code)
""")
OTHER_TEAMS_CHECK = textwrap.dedent("""
    from checkov.common.models.enums import CheckCategories, CheckResult
    from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

    class AcmeBucketNamed(BaseResourceCheck):
        def __init__(self):
            super().__init__(name="Buckets are named", id="ACME_S3_1", categories=[CheckCategories.GENERAL_SECURITY],
                             supported_resources=["aws_s3_bucket"])

        def scan_resource_conf(self, conf):
            return CheckResult.PASSED if conf.get("bucket") else CheckResult.FAILED

    check = AcmeBucketNamed()
""")


def verdicts(stdout: str) -> dict[str, str]:
    return {f.resource: f.verdict for f in findings_from_json(stdout)}


def assert_examples_judged(stdout: str) -> None:
    found = verdicts(stdout)
    assert len(found) == len(EXAMPLE_NAMES), found
    assert all(expected_verdict(resource) == verdict for resource, verdict in found.items()), found


@pytest.fixture
def workspace(tmp_path):
    """An unrelated working directory with the IaC to scan."""
    work = tmp_path / "work"
    shutil.copytree(EXAMPLES, work / "iac")
    return work


def test_export_writes_python_only_and_a_copy_runs_anywhere_next_to_other_checks(tmp_path, workspace):
    folder = tmp_path / "policy-repo" / "team rules"  # any name, even with a space
    folder.mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    (folder / "utils.py").write_text("VALUE = 1\n")  # other people's generic names
    (folder / "acme_s3.py").write_text(OTHER_TEAMS_CHECK)
    report = export("checkov", folder)
    assert {p.suffix for p in folder.iterdir() if p.is_file()} == {".py"}
    assert (folder / "utils.py").read_text() == "VALUE = 1\n", "another team's file was modified"
    assert any("wrote" in line for line in report)
    opened = tmp_path / "opened.txt"
    result = subprocess.run([str(PYTHON), "-c", AUDITED_CHECKOV, str(ROOT), str(opened), "-d", "iac",
                             "--external-checks-dir", str(folder), "--check", CHECKOV_ID, "--skip-download", "-o", "json"],
                            cwd=workspace, capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Cannot load external check" not in result.stderr, result.stderr[-3000:]
    assert_examples_judged(result.stdout)
    assert opened.read_text() == "", f"the check read files outside its folder: {opened.read_text()}"


def test_external_checks_git_with_an_export_at_the_repository_root(tmp_path, workspace):
    repository = tmp_path / "d9-policies"
    export("checkov", repository)
    git = ["git", "-c", "user.email=ci@example.invalid", "-c", "user.name=ci"]
    for command in (["init", "-q"], ["add", "."], ["commit", "-qm", "D9.AWS.NET.49"]):
        subprocess.run([*git, *command], cwd=repository, check=True)
    # Checkov 3.3.30 clones into <cwd>/<8 hex>_checks/ and loads the clone's root (a //subdir is ignored)
    result = subprocess.run([str(CHECKOV), "-d", "iac", "--external-checks-git", repository.as_uri(),
                             "--check", CHECKOV_ID, "--skip-download", "-o", "json"],
                            cwd=workspace, capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Cannot load external check" not in result.stderr
    assert_examples_judged(result.stdout)


@pytest.fixture
def key_pair(tmp_path):
    from ecdsa import NIST256p, SigningKey
    key = SigningKey.generate(curve=NIST256p)
    public = tmp_path / "d9-public.pem"
    public.write_bytes(key.get_verifying_key().to_pem())
    return key.to_pem(), public


def signed_scan(folder: Path, public: Path, workspace: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CHECKOV), "-d", "iac", "--external-checks-dir", str(folder),
                           "--external-checks-public-key", str(public), "--check", CHECKOV_ID, "--skip-download",
                           "-o", "json"], cwd=workspace, capture_output=True, text=True, timeout=600)


def test_signed_export_verifies_and_covers_the_rule_data(tmp_path, workspace, key_pair):
    private, public = key_pair
    folder = tmp_path / "signed"
    export("checkov", folder, key_pem=private)
    result = signed_scan(folder, public, workspace)
    assert result.returncode == 1, result.stderr[-3000:]
    assert_examples_judged(result.stdout)
    # The verdict's data is signed too: flipping the passing value breaks the signature, not the verdicts.
    data = folder / "d9_aws_net_49_rule_data.py"
    data.write_text(data.read_text().replace('PASSING_VALUE = "Disabled"', 'PASSING_VALUE = "Enabled"'))
    tampered = signed_scan(folder, public, workspace)
    assert tampered.returncode == 2, tampered.stdout[-2000:]
    assert CHECKOV_ID not in tampered.stdout


def test_export_never_replaces_what_the_user_has(tmp_path):
    folder = tmp_path / "checks"
    folder.mkdir()
    mine = folder / "d9_aws_net_49_rule_data.py"
    mine.write_text("# my own edits\n")
    with pytest.raises(ExportError, match="nothing was written"):
        export("checkov", folder)
    assert mine.read_text() == "# my own edits\n"
    assert sorted(p.name for p in folder.iterdir()) == ["d9_aws_net_49_rule_data.py"]
    export("checkov", folder, force=True)
    assert "PASSING_VALUE" in mine.read_text()
    assert all("unchanged" in line for line in export("checkov", folder))  # idempotent


def _load_copy(folder: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, folder / "d9_aws_net_49_sagemaker_direct_internet.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_two_copies_in_one_process_use_their_own_siblings(tmp_path):
    first, second = tmp_path / "a" / "checks", tmp_path / "b" / "checks"
    export("checkov", first)
    export("checkov", second)
    one, two = _load_copy(first, "d9_copy_one"), _load_copy(second, "d9_copy_two")
    for module, folder in ((one, first), (two, second)):
        for sibling in (module.siblings, module.rule_data, module.verdict, module.terraform, module.cloudformation,
                        module.kubernetes, module.adapter):
            assert Path(sibling.__file__).parent == folder
    # and Checkov with both folders loaded still judges every notebook right
    report = TerraformRunner().run(root_folder=str(EXAMPLES / "terraform"), external_checks_dir=[str(first), str(second)],
                                   runner_filter=RunnerFilter(checks=[CHECKOV_ID], framework=["terraform"]))
    records = [r for r in report.passed_checks + report.failed_checks if r.check_id == CHECKOV_ID]
    assert records and all(expected_verdict(r.resource) == r.check_result["result"].name for r in records)


def test_rule_data_is_generated_python_beside_the_check():
    text = (ROOT / "checkov_checks" / "d9_aws_net_49_rule_data.py").read_text()
    assert "do not edit" in text and json.dumps(CHECKOV_ID) in text


def test_pre_commit_entry_refuses_to_pass_when_the_check_cannot_load(tmp_path, monkeypatch, capsys):
    """A check file that raises at import is dropped by Checkov, which then reports nothing: the hook's
    entry must say so and exit 2, not 0."""
    from d9_rules import cli

    broken = tmp_path / "checks"
    export("checkov", broken)
    main_file = broken / "d9_aws_net_49_sagemaker_direct_internet.py"
    main_file.write_text(main_file.read_text().replace("    rule_data = siblings.load(", "    rule_data = 1 / 0 or siblings.load("))
    shutil.copytree(EXAMPLES / "terraform", tmp_path / "iac")
    monkeypatch.setattr(cli, "location", lambda kind: broken)
    assert cli.checkov_scan([str(tmp_path / "iac" / "main.tf")]) == 2
    assert "could not load the rule" in capsys.readouterr().err
    monkeypatch.setattr(cli, "location", lambda kind: ROOT / "checkov_checks")
    assert cli.checkov_scan([str(tmp_path / "iac" / "main.tf")]) == 1  # the same files, the rule loaded: failures


def _siblings_table() -> dict[str, str]:
    spec = importlib.util.spec_from_file_location("d9_siblings_table", ROOT / "checkov_checks" / "d9_aws_net_49_siblings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SIBLINGS


def test_one_table_lists_every_file_and_imports_go_one_way():
    """d9_aws_net_49_siblings.SIBLINGS names every .py of the folder (Checkov executes them all), each keeps the
    folder's prefix, and a file imports only files listed above it (rule data <- verdict <- values <- evaluators
    <- adapter <- check)."""
    import ast

    table = list(_siblings_table())
    folder = ROOT / "checkov_checks"
    assert sorted([*table, "d9_aws_net_49_siblings"]) == sorted(p.stem for p in folder.glob("*.py") if p.name != "__init__.py")
    assert all(stem.startswith("d9_aws_net_49_") for stem in table)
    for position, stem in enumerate(table):
        tree = ast.parse((folder / f"{stem}.py").read_text())
        imported = {node.module or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level
                    for alias in node.names}
        assert imported <= set(table[:position]), (stem, imported - set(table[:position]))


def test_every_file_executes_alone_as_checkov_executes_it():
    """Checkov executes every .py of the folder under its bare stem, outside any package: each file must then
    execute without error (the evaluators define names only; only the check file registers checks)."""
    probe = textwrap.dedent("""
        import importlib.util, pathlib, sys
        for path in sorted(pathlib.Path(sys.argv[1]).glob("*.py")):
            spec = importlib.util.spec_from_file_location(path.stem, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[path.stem] = module
            spec.loader.exec_module(module)
            print(path.stem)
    """)
    result = subprocess.run([sys.executable, "-c", probe, str(ROOT / "checkov_checks")], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(result.stdout.split()) == len(_siblings_table()) + 2  # and __init__.py, and the table itself
