"""Prowler runs shared by tests of tests/bundle that test the same route (each `prowler` start costs ~20 s of CPU,
most of it Prowler loading its compliance frameworks). Session-scoped: the files using one stay in one shard
(tools/dev.py PROWLER_SHARDS)."""
from __future__ import annotations

import pytest
from bundle_harness import PipelineRun, pipeline_scripts, prowler_package, run_pipeline_step, snapshot
from prowler_harness import seed_verdict_scenario


@pytest.fixture(scope="session")
def pipeline_step_run(moto_session, tmp_path_factory) -> PipelineRun:
    """The docs' Prowler CI step (the first distinct one: GitHub's and GitLab's are the same command) run as written
    in prowler-bundle (Prowler 5.46.0 plus `pip install ".[prowler]"`: the check as an installed plugin, no
    --checks-folder) over the end-to-end verdict scenario (tests/prowler/prowler_harness.seed_verdict_scenario).
    That run is exactly the route of two tests, which share it: test_prowler_bundle.py's pipeline step test and
    test_prowler_versions.py's plugin verdicts at 5.46.0 (with the snapshot of Prowler's package around it)."""
    _, distinct = pipeline_scripts()
    script = distinct[0]
    assert script.startswith("prowler aws ") and "--checks-folder" not in script.split(), script
    seeded = seed_verdict_scenario(moto_session)
    cwd = tmp_path_factory.mktemp("pipeline-step")
    package = prowler_package("prowler", cwd)
    before = snapshot(package)
    shared = run_pipeline_step(script, moto_session, cwd)
    shared.seeded, shared.package_before, shared.package_after = seeded, before, snapshot(package)
    return shared
