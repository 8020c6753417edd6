"""A new user with only the README: a copy of the checkout named as the clone would be, a fresh HOME, the system
Python, and the README's blocks run exactly as written, in order: install each engine into its own virtualenv
(from the package index, pinned by the lock files through PIP_CONSTRAINT), the first Checkov scan, the CI audit
step, the signed export, pre-commit once passing and once failing, and on the Prowler side the first scan, the
exported folder, the built-in twin left out or muted, and the compliance table, against a moto server."""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from prowler_harness import assert_prowler_left_intact, read_reports
from readme_blocks import assert_exit_codes, block, run_block
from rule import (CHECKOV_ID, EXAMPLE_NAMES, EXAMPLES, EXAMPLES_FAILING, PROWLER_BUILTIN_TWIN, PROWLER_CHECK,
                  PROWLER_FRAMEWORK, ROOT, RULE, VENVS)

sys.path.insert(0, str(ROOT / "tools"))
from moto_account import moto_server  # noqa: E402

# a shell's PATH: python3 is the one the lock files were resolved with (this interpreter's), git and openssl the system's
SYSTEM_PATH = f"{Path(os.path.realpath(sys.executable)).parent}:/usr/bin:/bin"
VERSION = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
US = "us-east-1"


def clone(tmp_path: Path) -> Path:
    """What `git clone` gives (the README's clone block needs a real host)."""
    checkout = tmp_path / "d9-aws-net-49"
    shutil.copytree(ROOT, checkout, ignore=shutil.ignore_patterns(".venvs", ".git", "build", "*.egg-info", "__pycache__",
                                                                  ".pytest_cache"))
    return checkout


def user_env(tmp_path: Path, engine: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {"HOME": str(home), "PATH": SYSTEM_PATH, "LANG": "C.UTF-8",
           # the tested releases, and one download cache for every test run
           "PIP_CONSTRAINT": str(ROOT / "tools" / "requirements" / f"{engine}.lock"),
           "PIP_CACHE_DIR": str(VENVS / ".pip-cache"), "PIP_DISABLE_PIP_VERSION_CHECK": "1",
           # pip's --no-compile (for pip's "--no-" options the variable's value is the option's dest, here
           # compile=False): byte-compiling the ~66,000 modules of Prowler's dependencies was a third of the
           # install's CPU; Python compiles the ~3,000 a scan imports at its first run instead
           "PIP_NO_COMPILE": "0"}
    return {**env, **(extra or {})}


def test_checkov_path_install_first_scan_audit_signed_export_and_pre_commit(tmp_path):
    checkout = clone(tmp_path)
    env = user_env(tmp_path, "checkov")
    assert_exit_codes(run_block("install-checkov", checkout, env), [0])

    scan = run_block("first-checkov-scan", checkout, env)
    assert_exit_codes(scan, [0, 1, 1])
    counts = [tuple(map(int, m)) for m in re.findall(r"Passed checks: (\d+), Failed checks: (\d+)", scan[1][2])]
    passing, failing = len(EXAMPLE_NAMES) - len(EXAMPLES_FAILING), len(EXAMPLES_FAILING)
    assert (sum(p for p, _ in counts), sum(f for _, f in counts)) == (passing, failing), scan[1][2][-3000:]
    assert scan[2][2].splitlines()[-1] == (f"d9-rules: {CHECKOV_ID} total: {passing} passed, {failing} failed, "
                                           "0 not judged, 0 skipped; 0 given file(s) not parsed")

    audit_dir = tmp_path / "ci"
    shutil.copytree(EXAMPLES, audit_dir)
    (audit_dir / "broken").mkdir()
    shutil.copy(ROOT / "tests" / "fixtures" / "silent" / "cloudformation" / "pasted.yaml", audit_dir / "broken")
    activated = {**env, "PATH": f"{tmp_path / 'home' / '.venvs' / 'd9-checkov' / 'bin'}:{SYSTEM_PATH}"}
    audit = run_block("ci-audit", audit_dir, activated)
    assert_exit_codes(audit, [1, 1])  # the bad examples fail; the template Checkov cannot parse is not judged
    report = json.loads((audit_dir / "results.json").read_text())
    records = [r for part in (report if isinstance(report, list) else [report])
               for bucket in ("passed_checks", "failed_checks") for r in part["results"][bucket]]
    assert len(records) == len(EXAMPLE_NAMES)
    assert "FAILED for resource: AWS::SageMaker::NotebookInstance.SilentPastedNotebook" in audit[1][2]

    share = run_block("share-checkov", checkout, env)
    assert_exit_codes(share, [0, 0, 0, 0, 0, 1])
    folder = checkout / "policies" / "checkov"
    assert all(p.read_text().splitlines()[-1].startswith("# checkov-digest: ") for p in folder.glob("*.py"))
    assert (folder / "__init__.py").is_file()
    assert re.findall(r"Failed checks: (\d+)", share[5][2]), share[5][2][-2000:]


def test_pre_commit_config_as_written_passes_then_fails(tmp_path):
    hook_repo = clone(tmp_path)
    git = ["git", "-c", "user.email=ci@example.invalid", "-c", "user.name=ci"]
    for command in (["init", "-q"], ["add", "."], ["commit", "-qm", "d9"], ["tag", f"v{VERSION}"]):
        subprocess.run([*git, *command], cwd=hook_repo, check=True, capture_output=True)
    config = block("pre-commit-config")
    assert f"rev: v{VERSION}" in config, "the README's rev is not this version's tag"
    [url] = re.findall(r"repo: (\S+)", config)
    user_repo = tmp_path / "infra"
    user_repo.mkdir()
    subprocess.run([*git, "init", "-q"], cwd=user_repo, check=True)
    (user_repo / ".pre-commit-config.yaml").write_text(config.replace(url, str(hook_repo)))  # your host: here, a path
    source = (EXAMPLES / "terraform" / "main.tf").read_text()
    (user_repo / "main.tf").write_text(source.split("# Bad:")[0])  # the network and the passing notebook
    subprocess.run([*git, "add", "."], cwd=user_repo, check=True)
    subprocess.run([os.path.realpath(sys.executable), "-m", "venv", str(tmp_path / "tools")], check=True)
    env = user_env(tmp_path, "checkov", {"PATH": f"{tmp_path / 'tools' / 'bin'}:{SYSTEM_PATH}",
                                         "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache")})
    passing = run_block("pre-commit-run", user_repo, env)
    assert_exit_codes(passing, [0, 0])
    hook_name = yaml.safe_load((hook_repo / ".pre-commit-hooks.yaml").read_text())[0]["name"]
    assert re.search(rf"^{re.escape(hook_name)}\.+Passed$", passing[1][2], re.M), passing[1][2][-2000:]

    (user_repo / "bad").mkdir()
    shutil.copy(EXAMPLES / "terraform" / "main.tf", user_repo / "bad" / "main.tf")
    subprocess.run([*git, "add", "."], cwd=user_repo, check=True)
    failing = run_block("pre-commit-run", user_repo, env)
    assert_exit_codes(failing, [0, 1])
    assert "FAILED for resource: aws_sagemaker_notebook_instance.fail_" in failing[1][2]
    assert re.search(rf"d9-rules: {CHECKOV_ID} total: \d+ passed, [1-9]\d* failed", failing[1][2]), failing[1][2][-2000:]


def ocsf(folder: Path) -> list[dict]:
    return [f for path in sorted(folder.glob("*.ocsf.json")) for f in json.loads(path.read_text() or "[]")]


def findings_by_check(findings: list[dict]) -> dict[str, list[tuple[str, str, bool]]]:
    """{check ID: [(notebook, status, muted)]}"""
    found: dict[str, list[tuple[str, str, bool]]] = {}
    for f in findings:
        found.setdefault(f["metadata"]["event_code"], []).append(
            (f["resources"][0]["name"], f["status_code"], f.get("status_detail", "") == "muted" or f["status"] == "Suppressed"))
    return found


@pytest.fixture(scope="module")
def prowler_user(tmp_path_factory):
    """The Prowler side installed as the README says, and a moto account with three notebooks in us-east-1."""
    tmp_path = tmp_path_factory.mktemp("prowler-user")
    checkout = clone(tmp_path)
    env = user_env(tmp_path, "prowler")
    assert_exit_codes(run_block("install-prowler", checkout, env), [0])
    with moto_server() as account:
        account.create_notebook(US, "public", DirectInternetAccess="Enabled")
        account.create_notebook(US, "omitted")
        account.create_notebook(US, "private", DirectInternetAccess="Disabled", SubnetId="subnet-0a",
                                SecurityGroupIds=["sg-0a"])
        yield checkout, {**env, **account.env_overrides}


EXPECTED = {"public": "FAIL", "omitted": "FAIL", "private": "PASS"}


def test_first_prowler_scan(prowler_user):
    checkout, env = prowler_user
    assert_exit_codes(run_block("first-prowler-scan", checkout, env), [0, 3])
    found = findings_by_check(ocsf(checkout / "prowler-output"))
    assert {name: status for name, status, _ in found[PROWLER_CHECK]} == EXPECTED
    assert len(found[PROWLER_CHECK]) == 3 and set(found) == {PROWLER_CHECK}


def test_exported_prowler_folder(prowler_user, tmp_path):
    """`d9-rules export prowler DIR`, the copy users commit to their own repository, run with --checks-folder
    from a folder unrelated to the checkout (a space in its path): the copy holds the check's three files only,
    gives each notebook its verdict, and leaves no copy in Prowler's package."""
    checkout, env = prowler_user
    elsewhere = tmp_path / "somewhere else"
    elsewhere.mkdir()
    share = run_block("share-prowler", elsewhere, env)
    assert_exit_codes(share, [0, 0, 3])
    exported = elsewhere / "policies" / "prowler"
    assert sorted(str(p.relative_to(exported)) for p in exported.rglob("*") if p.is_file()) == sorted(
        f"{PROWLER_CHECK}/{name}" for name in ("__init__.py", f"{PROWLER_CHECK}.py", f"{PROWLER_CHECK}.metadata.json"))
    [report] = (elsewhere / "output").glob("*.csv")
    rows, _, _ = read_reports([report], [])
    assert {r["RESOURCE_NAME"]: r["STATUS"] for r in rows} == EXPECTED and len(rows) == 3
    # --checks-folder copies the check into Prowler's package for the run (the user's virtualenv)
    [sagemaker] = Path(env["HOME"]).glob(".venvs/d9-prowler/lib/python3*/site-packages/prowler/providers/aws/services/sagemaker")
    assert_prowler_left_intact(share[2][2] + run_block.last_stderr, sagemaker)  # type: ignore[attr-defined]


def test_builtin_twin_left_out_or_muted_reports_each_notebook_once(prowler_user, tmp_path):
    checkout, env = prowler_user
    activated = {**env, "PATH": f"{env['HOME']}/.venvs/d9-prowler/bin:{SYSTEM_PATH}"}
    assert_exit_codes(run_block("twin-excluded", tmp_path, activated), [3])
    excluded = findings_by_check(ocsf(tmp_path / "twin-output"))
    assert PROWLER_BUILTIN_TWIN not in excluded and "sagemaker_notebook_instance_root_access_disabled" in excluded
    assert {n: s for n, s, _ in excluded[PROWLER_CHECK]} == EXPECTED and len(excluded[PROWLER_CHECK]) == 3

    # Both twins in one run (muted findings are still reported, so one run shows both facts, each Prowler start
    # costing ~20 s): each twin reports each notebook, so each notebook is there twice; the README's mutelist
    # mutes the built-in's findings, leaving each notebook once.
    (tmp_path / "mutelist.yaml").write_text(block("twin-mutelist"))
    assert yaml.safe_load(block("twin-mutelist"))["Mutelist"]["Accounts"]["*"]["Checks"][PROWLER_BUILTIN_TWIN]
    muted = subprocess.run(["prowler", "aws", "-c", PROWLER_CHECK, PROWLER_BUILTIN_TWIN, "--region", US,
                            "-w", "mutelist.yaml", "-o", "muted", "--no-banner"],
                           cwd=tmp_path, env=activated, capture_output=True, text=True, timeout=1800)
    assert muted.returncode == 3, muted.stdout[-3000:] + muted.stderr[-3000:]
    with_mutelist = findings_by_check(ocsf(tmp_path / "muted"))
    assert sorted(n for n, _, _ in with_mutelist[PROWLER_CHECK]) == sorted(
        n for n, _, _ in with_mutelist[PROWLER_BUILTIN_TWIN]) == sorted(EXPECTED)
    unmuted = [(n, s) for check in (PROWLER_CHECK, PROWLER_BUILTIN_TWIN) for n, s, m in with_mutelist[check] if not m]
    assert sorted(unmuted) == sorted(EXPECTED.items())  # each notebook once
    assert all(m for _, _, m in with_mutelist[PROWLER_BUILTIN_TWIN]) and len(with_mutelist[PROWLER_BUILTIN_TWIN]) == 3


def test_compliance_prints_its_table(prowler_user, tmp_path):
    checkout, env = prowler_user
    activated = {**env, "PATH": f"{env['HOME']}/.venvs/d9-prowler/bin:{SYSTEM_PATH}"}
    [(_, code, stdout)] = run_block("compliance", tmp_path, activated)
    assert code == 3, stdout[-3000:]
    stdout = re.sub(r"\x1b\[[0-9;]*m", "", stdout)  # Prowler colours the console
    assert "Compliance Status of CLOUDGUARD_D9_AWS_NET_49_AWS Framework:" in stdout
    sections = {f["name"] for f in RULE["compliance_frameworks"]}
    table = [line for line in stdout.splitlines() if line.startswith("│ AWS")]
    assert {line.split("│")[2].strip() for line in table} == sections, table
    assert all("FAIL(2)" in line for line in table), table
    # The compliance report (moved here from tests/bundle/test_prowler_bundle.py, whose own `--compliance` run this
    # block's run replaces: the same route, Prowler plus `pip install ".[prowler]"`): every control of the
    # framework for each of the 3 notebooks, each row naming the rule, each notebook with its status.
    assert f"--compliance {PROWLER_FRAMEWORK} " in block("compliance")
    [report] = (tmp_path / "compliance-output" / "compliance").glob(f"*{PROWLER_FRAMEWORK}.csv")
    with open(report, newline="") as handle:  # a compliance CSV: its own columns (RESOURCENAME)
        rows = list(csv.DictReader(handle, delimiter=";"))
    controls = sum(len(f["controls"]) or 1 for f in RULE["compliance_frameworks"])
    assert len(rows) == controls * len(EXPECTED)
    assert all(RULE["cloudguard_id"] in ";".join(r.values()) for r in rows)
    assert {(r["RESOURCENAME"], r["STATUS"]) for r in rows} == set(EXPECTED.items())
