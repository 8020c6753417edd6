"""The real `prowler aws --checks-folder prowler_checks` against a moto server on 127.0.0.1."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from prowler_harness import EU, US, assert_verdicts, run_prowler
from rule import PROWLER_CHECK, ROOT, RULE

import prowler

SAGEMAKER_CHECKS = Path(prowler.__file__).parent / "providers" / "aws" / "services" / "sagemaker"
BUILTIN = RULE["engines"]["prowler"]["builtin_counterpart"]


def assert_prowler_left_intact(result):
    assert (SAGEMAKER_CHECKS / BUILTIN / f"{BUILTIN}.py").is_file(), "the built-in check was destroyed"
    assert not (SAGEMAKER_CHECKS / PROWLER_CHECK).exists(), "a copy of our check was left inside Prowler"
    log = result.stdout + result.stderr
    # A broken custom check is only logged and Prowler still exits 0: look for it explicitly.
    bad = [line for line in log.splitlines() if PROWLER_CHECK in line and ("ERROR" in line or "Invalid" in line)]
    assert bad == [], bad


def test_examples_and_root_access_combinations_in_two_regions(verdict_run):
    """The end-to-end verdict test (Prowler 5.46.0, --checks-folder); tests/bundle/test_prowler_versions.py
    runs the same scenario at both ends of the declared range with the installed plugin. The same Prowler run
    judges the parity scenarios in a third region (tests/parity)."""
    assert_verdicts(verdict_run.result, verdict_run.rows_in(US, EU), verdict_run.ocsf_in(US, EU), verdict_run.seeded)
    assert_prowler_left_intact(verdict_run.result)


def test_our_check_name_is_not_a_builtin():
    # --checks-folder deletes a built-in of the same name before copying ours over it.
    services = SAGEMAKER_CHECKS.parent
    builtins = {p.name for p in services.glob("*/*") if p.is_dir() and (p / f"{p.name}.metadata.json").is_file()}
    assert BUILTIN in builtins and len(builtins) > 500
    assert PROWLER_CHECK not in builtins


def test_exported_check_folder_from_an_unrelated_directory_with_a_mutelist(moto_session, tmp_path):
    """`d9-rules export prowler DIR`: the copy users commit to their own repository, run from elsewhere, with
    `-w mutelist.yaml` muting the only failing notebook. One Prowler run for both (each start costs ~20 s):
    the exported copy's FAIL and PASS verdicts, the mute, and exit 0 when every FAIL is muted (exit 3 for an
    unmuted FAIL is asserted by test_examples_and_root_access_combinations_in_two_regions)."""
    sys.path.insert(0, str(ROOT))
    from d9_rules.export import export

    elsewhere = tmp_path / "somewhere else"
    checks = elsewhere / "org policies" / "prowler"
    export("prowler", checks)
    assert sorted(str(p.relative_to(checks)) for p in checks.rglob("*") if p.is_file()) == sorted(
        f"{PROWLER_CHECK}/{name}" for name in ("__init__.py", f"{PROWLER_CHECK}.py", f"{PROWLER_CHECK}.metadata.json"))
    account = moto_session
    account.reset()
    account.create_notebook(US, "accepted-risk", DirectInternetAccess="Enabled")
    account.create_notebook(US, "private", DirectInternetAccess="Disabled", SubnetId="subnet-0a",
                            SecurityGroupIds=["sg-0a"])
    mutelist = tmp_path / "mutelist.yaml"
    mutelist.write_text(
        "Mutelist:\n  Accounts:\n    \"*\":\n      Checks:\n"
        f"        {PROWLER_CHECK}:\n          Regions: [\"*\"]\n          Resources: [\"accepted-risk\"]\n")
    result, rows, _ = run_prowler(account, tmp_path / "out", [US], "-w", str(mutelist), checks_folder=checks,
                                  cwd=elsewhere)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert {n: (r["STATUS"], r["MUTED"]) for n, r in rows.items()} == {
        "accepted-risk": ("FAIL", "True"), "private": ("PASS", "False")}
    assert_prowler_left_intact(result)
