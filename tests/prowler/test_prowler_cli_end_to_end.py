"""The real `prowler aws --checks-folder prowler_checks` against a moto server on 127.0.0.1."""
from __future__ import annotations

from pathlib import Path

from prowler_harness import EU, US, assert_prowler_left_intact, assert_verdicts
from rule import PROWLER_BUILTIN_TWIN, PROWLER_CHECK

import prowler

SAGEMAKER_CHECKS = Path(prowler.__file__).parent / "providers" / "aws" / "services" / "sagemaker"


def test_examples_and_root_access_combinations_in_two_regions(verdict_run):
    """The end-to-end verdict test (Prowler 5.46.0, --checks-folder); tests/bundle/test_prowler_versions.py
    runs the same scenario at both ends of the declared range with the installed plugin. The same Prowler run
    judges the parity scenarios in a third region (tests/parity)."""
    assert_verdicts(verdict_run.result, verdict_run.rows_in(US, EU), verdict_run.ocsf_in(US, EU), verdict_run.seeded)
    assert_prowler_left_intact(verdict_run.result.stdout + verdict_run.result.stderr, SAGEMAKER_CHECKS)


def test_our_check_name_is_not_a_builtin():
    # --checks-folder deletes a built-in of the same name before copying ours over it.
    services = SAGEMAKER_CHECKS.parent
    builtins = {p.name for p in services.glob("*/*") if p.is_dir() and (p / f"{p.name}.metadata.json").is_file()}
    assert PROWLER_BUILTIN_TWIN in builtins and len(builtins) > 500
    assert PROWLER_CHECK not in builtins


def test_the_mutelist_mutes_only_the_listed_notebook(verdict_run):
    """`-w mutelist.yaml` on the --checks-folder run: the listed failing notebook is reported FAIL and muted, every
    other finding of the run is unmuted (the run's exit 3 comes from those). Prowler's exit 0 when every FAIL is
    muted: tests/bundle/test_prowler_org_reports.py; the exported folder run from another directory:
    tests/bundle/test_readme_user_path.py::test_exported_prowler_folder."""
    assert (verdict_run.muted["REGION"], verdict_run.muted["STATUS"], verdict_run.muted["MUTED"]) == (US, "FAIL", "True")
    assert {r["MUTED"] for r in verdict_run.rows.values()} == {"False"}
    assert verdict_run.result.returncode == 3
