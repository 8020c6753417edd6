"""The declared Prowler range, `prowler>=5.41,<6`, at both ends, and the release just below it.

The end-to-end verdict scenario of tests/prowler/test_prowler_cli_end_to_end.py (examples plus the
DirectInternetAccess/RootAccess combinations, two regions) with the check installed as a plugin, as the
declared range promises it: 5.46.0 (prowler-bundle) and 5.41.0 (tools/prowler_versions.py). Below the
floor the bundle cannot be installed (pip refuses the range); the check run from --checks-folder on
5.40.0 must say MANUAL for every notebook, because that inventory derived DirectInternetAccess from
RootAccess.
"""
from __future__ import annotations

import re
import sys

import pytest
from bundle_harness import BUNDLE_BIN, NO_PYC, VENVS, bundle_env, prowler_package, snapshot
from prowler_harness import EU, US, assert_verdicts, run_prowler, seed_verdict_scenario
from rule import PROWLER_CHECK, ROOT, RULE

sys.path.insert(0, str(ROOT / "tools"))
import prowler_versions  # noqa: E402

NEWEST, FLOOR, BELOW = "5.46.0", "5.41.0", "5.40.0"
PLUGIN_ENVIRONMENTS = {NEWEST: "prowler", FLOOR: "prowler-5.41.0"}


def environment(engine: str, account) -> dict[str, str]:
    return {**{k: v for k, v in bundle_env(engine).items() if not k.startswith("AWS_")}, **account.env_overrides}


def prowler_of(engine: str):
    return BUNDLE_BIN.get(engine, VENVS / engine / "bin") / "prowler"


@pytest.fixture(scope="module")
def account(moto_session):
    return moto_session  # each test seeds it anew (seed_verdict_scenario resets it)


def test_tested_versions_are_the_ends_of_the_declared_range():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'prowler = \["prowler>=(\d+\.\d+),<6"\]', pyproject).group(1) == RULE["engines"]["prowler"]["min_version"]
    assert FLOOR.startswith(RULE["engines"]["prowler"]["min_version"] + ".")
    assert "prowler==" + NEWEST in (ROOT / "tools" / "requirements" / "prowler.lock").read_text().split()
    assert prowler_versions.VERSIONS == {FLOOR: True, BELOW: False}
    for version in (FLOOR, BELOW):
        assert f"prowler=={version}" in prowler_versions.lock_file(version).read_text().split()
    assert tuple(map(int, BELOW.split("."))) < tuple(map(int, FLOOR.split(".")))


@pytest.mark.parametrize("version", PLUGIN_ENVIRONMENTS)
def test_end_to_end_verdicts_with_the_installed_plugin(account, version, tmp_path, request):
    """The plugin (no --checks-folder): the verdicts, and nothing written into Prowler's package (read-only safe).
    At 5.46.0 the run is the docs' CI step in prowler-bundle (tests/bundle/conftest.py pipeline_step_run): that
    same route, `prowler aws -c <check> --region us-east-1 eu-west-1 -M csv json-ocsf` with the plugin, over this
    same scenario, shared with test_prowler_bundle.py's pipeline step test (each Prowler start costs ~20 s)."""
    engine = PLUGIN_ENVIRONMENTS[version]
    if version == NEWEST:
        assert engine == "prowler"  # bundle_env("prowler"): the prowler-bundle environment, as pipeline_step_run
        shared = request.getfixturevalue("pipeline_step_run")
        result, rows, ocsf, seeded = shared.result, shared.rows, shared.ocsf, shared.seeded
        before, after = shared.package_before, shared.package_after
        assert len(shared.lines) == len(rows), "a notebook was reported twice"
    else:
        seeded = seed_verdict_scenario(account)
        package = prowler_package(engine, tmp_path)
        before = snapshot(package)
        result, rows, ocsf = run_prowler(account, tmp_path / "out", [US, EU], checks_folder=None,
                                         prowler=prowler_of(engine), env={**environment(engine, account), **NO_PYC},
                                         cwd=tmp_path)
        after = snapshot(package)
    assert before, "no snapshot of Prowler's package"
    assert_verdicts(result, rows, ocsf, seeded)
    assert {r["PROWLER_VERSION"] for r in rows.values()} == {version}
    assert after == before, "the run wrote into Prowler's package"


def test_below_the_floor_every_notebook_is_manual(account, tmp_path):
    engine = prowler_versions.env_name(BELOW)
    seeded = seed_verdict_scenario(account)
    result, rows, ocsf = run_prowler(account, tmp_path / "out", [US, EU], prowler=prowler_of(engine),
                                     env=environment(engine, account), cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]  # MANUAL is not a failure
    assert {n: (r["REGION"], r["STATUS"]) for n, r in rows.items()} == {n: (region, "MANUAL")
                                                                        for n, (region, _) in seeded.items()}
    assert {f["status_code"] for f in ocsf.values()} == {"MANUAL"}
    assert {r["PROWLER_VERSION"] for r in rows.values()} == {BELOW}
    assert all(f"Prowler {BELOW} reads DirectInternetAccess from the wrong field" in r["STATUS_EXTENDED"]
               and ">= 5.41" in r["STATUS_EXTENDED"] for r in rows.values())
    assert {r["CHECK_ID"] for r in rows.values()} == {PROWLER_CHECK}
