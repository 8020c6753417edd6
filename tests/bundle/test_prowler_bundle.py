"""Only Prowler plus `pip install ".[prowler]"`: the check is a plugin (no --checks-folder), read-only safe."""
from __future__ import annotations

from bundle_harness import BUNDLE_BIN, installed_folder, pipeline_scripts, run, run_pipeline_step
from prowler_harness import seed_verdict_scenario
from rule import PROWLER_BUILTIN_TWIN, PROWLER_CHECK, PROWLER_FRAMEWORK

# The plugin's verdicts, and that a plugin run writes nothing into Prowler's package, are asserted by
# tests/bundle/test_prowler_versions.py test_end_to_end_verdicts_with_the_installed_plugin, over the run of the
# pipeline step below at 5.46.0 (tests/bundle/conftest.py pipeline_step_run: one run serves both). The compliance
# report (`prowler aws --compliance <framework>`: every control for each notebook, with its status) is asserted by
# tests/bundle/test_readme_user_path.py test_compliance_prints_its_table, over the README's compliance block, that
# same route (Prowler plus `pip install ".[prowler]"`) run as a user runs it.


def test_service_filter_and_listing_find_the_plugin(tmp_path):
    result = run("prowler", ["prowler", "aws", "--list-checks", "-s", "sagemaker", "--no-banner"], tmp_path)
    assert PROWLER_CHECK in result.stdout and PROWLER_BUILTIN_TWIN in result.stdout


def test_compliance_framework_is_listed(tmp_path):
    listing = run("prowler", ["prowler", "aws", "--list-compliance", "--no-banner"], tmp_path)
    assert PROWLER_FRAMEWORK in listing.stdout


def test_installed_checks_folder_also_works_as_checks_folder(tmp_path):
    folder = installed_folder("prowler", "prowler", tmp_path)
    assert [p.name for p in folder.iterdir()] == [PROWLER_CHECK], "Prowler would treat every sub-folder as a check"


def test_github_and_gitlab_prowler_steps_run_as_written(pipeline_step_run, moto_session, tmp_path):
    """The first distinct step's run is shared (tests/bundle/conftest.py pipeline_step_run: the end-to-end verdict
    scenario, US and EU); a step written otherwise runs on its own, over the same scenario."""
    scripts, distinct = pipeline_scripts()
    assert len(scripts) == 2 and all(script.startswith("prowler aws ") for script in distinct)
    runs = [pipeline_step_run]
    for n, script in enumerate(distinct[1:]):
        seed_verdict_scenario(moto_session)
        (tmp_path / str(n)).mkdir()
        runs.append(run_pipeline_step(script, moto_session, tmp_path / str(n)))
    for step in runs:
        assert step.result.returncode == 3, step.result.stdout[-3000:] + step.result.stderr[-3000:]
        assert len(step.reports) == 1, step.reports
        # one finding per notebook of both regions, each with its verdict
        assert len(step.lines) == len(pipeline_step_run.seeded)
        assert {n: (r["REGION"], r["STATUS"]) for n, r in step.rows.items()} == pipeline_step_run.seeded
    assert BUNDLE_BIN["prowler"].is_dir()
