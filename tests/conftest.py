import sys
from pathlib import Path

import pytest

# Test modules import the shared helpers (rule.py, checkov_harness.py, prowler_harness.py) by name.
sys.path[:0] = [str(Path(__file__).resolve().parent / d) for d in ("", "checkov", "prowler")]


@pytest.fixture(scope="session")
def moto_session():
    """One moto server for the whole session (the Prowler environment's): its start-up is paid once. A test
    that seeds it resets it first (MotoAccount.reset); tests that enforce IAM start their own server."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
    from moto_account import moto_server

    with moto_server() as server:
        yield server


@pytest.fixture(scope="session")
def verdict_run(moto_session, tmp_path_factory):
    """One `prowler aws --checks-folder prowler_checks` run (each start costs ~20 s) that serves the end-to-end
    verdict test (tests/prowler) and the parity test (tests/parity): see prowler_harness.run_verdict_scenarios."""
    from prowler_harness import run_verdict_scenarios

    return run_verdict_scenarios(moto_session, tmp_path_factory.mktemp("verdict-run"))
