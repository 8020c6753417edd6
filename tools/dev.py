#!/usr/bin/env python3
"""Project tasks: `python3 tools/dev.py demo` and `python3 tools/dev.py test`.

Checkov and Prowler pin different boto3 releases, so each engine gets its own virtualenv
under .venvs/, installed from a pinned lock file. A stamp (hash of the lock file and the
Python version) makes the second run skip the install.

Two more environments hold what a user gets: only the engine plus `pip install ".[engine]"`
(checkov-bundle, prowler-bundle), pinned by the same lock files used as constraints. The
project itself is reinstalled into them on every run, so they test the current tree.

One more holds the oldest Checkov the rule supports (pyproject's `checkov>=` floor, checkov-floor.lock):
`test` runs the verdict suites there too, so both ends of the supported range are tested.

`test` runs its suites side by side (CPUs permitting, longest first) and ends with a timing table;
`test --quick` is the inner loop (no floor suite, no bundle or version environments). Each engine's tests run as
shards (one pytest each), so the CPUs stay busy until the end.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import prowler_versions  # noqa: E402  (the Prowler release environments)
from venvs import LOCKS, ROOT, VENVS, create_venv, install_bundle, log, pip_install, venv_python  # noqa: E402
ENGINES = ("checkov", "prowler")
BUNDLES = {"checkov-bundle": "checkov", "prowler-bundle": "prowler"}
FLOOR_ENV = "checkov-floor"  # built from tools/requirements/checkov-floor.lock
# every verdict the rule gives, through the real CLI: what must hold on the oldest supported Checkov
FLOOR_SUITE = (
    "tests/checkov/test_verdicts_per_framework.py", "tests/checkov/test_held_out_cases.py",
    "tests/checkov/test_variable_files.py", "tests/checkov/test_reasons.py",
    "tests/checkov/test_suppression_and_selection.py", "tests/checkov/test_outputs.py",
    "tests/checkov/test_checkov_internals.py",
)


def _rule_data_value(name: str) -> object:
    """A value of the rule data generated from metadata/ into the check folder (no PyYAML needed here)."""
    namespace: dict[str, object] = {}
    exec((ROOT / "checkov_checks" / "d9_aws_net_49_rule_data.py").read_text(encoding="utf-8"), namespace)
    return namespace[name]


CHECKOV_ID = _rule_data_value("CHECKOV_ID")


def ensure_env(env: str) -> Path:
    engine = BUNDLES.get(env, env)
    lock = LOCKS / f"{engine}.lock"
    stamp_value = hashlib.sha256(lock.read_bytes() + sys.version.encode() + env.encode()).hexdigest()
    env_dir = VENVS / env
    stamp = env_dir / ".d9-stamp"
    fresh = not (stamp.is_file() and stamp.read_text() == stamp_value and venv_python(env).exists())
    if fresh:
        log(f"creating the {env} environment in {env_dir} (first run only)")
        started = time.monotonic()
        if env_dir.exists():
            shutil.rmtree(env_dir)
        create_venv(env_dir)
        if env in BUNDLES:  # the engine and the bundle, exactly as a user installs them
            install_bundle(env, "-c", str(lock), f".[{engine}]")
        else:
            pip_install(env, "-r", str(lock))
        stamp.write_text(stamp_value)
        log(f"{env} ready in {time.monotonic() - started:.0f} s")
    elif env in BUNDLES:  # the bundle from the current tree
        install_bundle(env, "--no-deps", "--force-reinstall", ".")
    if env == "checkov":  # kubectl (kustomize) and helm for Checkov's kustomize and helm frameworks
        __import__("k8s_tools").ensure_k8s_tools(VENVS, venv_python(env))
    return venv_python(env)


def engine_bin(engine: str, program: str) -> str:
    return str(venv_python(engine).parent / program)


def demo(_: argparse.Namespace) -> int:
    ensure_env("checkov")
    log("Checkov with the D9.AWS.NET.49 bundle over examples/ (expect the bad examples to FAIL)")
    reports = Path(tempfile.mkdtemp(prefix="d9-demo-"))
    checkov_report, prowler_report = reports / "checkov.json", reports / "prowler.ocsf.json"
    command = [
        engine_bin("checkov", "checkov"), "-d", str(ROOT / "examples"),
        "--external-checks-dir", str(ROOT / "checkov_checks"), "--check", CHECKOV_ID,
        "--skip-download", "--compact", "-o", "cli", "-o", "json", "--output-file-path", f"console,{checkov_report}",
    ]
    code = subprocess.run(command, cwd=ROOT).returncode
    # Checkov exits 1 when a check fails: that is the expected outcome on the bad examples.
    if code not in (0, 1):
        log(f"checkov exited {code}")
        return code
    python = ensure_env("prowler")
    log("Prowler with the D9.AWS.NET.49 bundle against a local moto account seeded from examples/cloudformation/")
    code = subprocess.run([str(python), str(ROOT / "tools" / "prowler_demo.py"), str(prowler_report)], cwd=ROOT).returncode
    if code != 0:
        return code
    log("d9-rules correlate: each notebook of examples/ joined with the live one (by name, or by the stack's tags)")
    code = subprocess.run([str(venv_python("checkov")), "-m", "d9_rules.cli", "correlate", "--checkov", str(checkov_report),
                           "--prowler", str(prowler_report)], cwd=ROOT).returncode
    shutil.rmtree(reports, ignore_errors=True)
    return 0 if code in (0, 1) else code  # 1 = a drift, an expected outcome like Checkov's 1


@dataclass
class Suite:
    name: str
    env: str  # the environment whose python runs pytest
    paths: list[str]
    ignores: list[str] = field(default_factory=list)  # files under `paths` another suite (shard) runs
    estimate: float = 0.0  # seconds on an idle 2-core machine (measured): the longest start first
    log: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    seconds: float = 0.0
    cpu: float = 0.0  # CPU seconds of pytest and every process it waited for (user + system)
    code: int | None = None


QUICK_SKIPS = ("tests/checkov/test_terraform_differential.py",)  # terraform plans: minutes
# Each engine's tests are cut into shards, so that the CPUs stay busy until the end: a shard lists its files,
# the engine's last shard runs everything else under the engine's folders (a new test file lands there).
# Files sharing a session fixture stay in one shard (tests/conftest.py verdict_run: test_prowler_cli_end_to_end.py
# and tests/parity; tests/bundle/conftest.py pipeline_step_run: test_prowler_versions.py and
# test_prowler_bundle.py). Every `prowler --checks-folder` run of one environment stays in one shard: Prowler
# copies the check into its own package and deletes it at the end, so two such runs side by side would break each
# other (the prowler shard holds them all; the bundle shard runs installed plugins only).
# Estimates: seconds per shard of a fresh clone's full run (2026-12-01, 2 cores, 991 s in all), to start
# the longest first; an estimate off by much only makes a shard end later, it leaves no test out.
PROWLER_FOLDERS = ["tests/prowler", "tests/bundle", "tests/parity"]
PROWLER_SHARDS = {  # name -> (files, estimate)
    "prowler": (["tests/prowler", "tests/parity", "tests/bundle/test_prowler_versions.py",
                 "tests/bundle/test_prowler_unlisted_regions.py", "tests/bundle/test_prowler_bundle.py",
                 "tests/bundle/test_prowler_app.py"], 530),
}
PROWLER_REST = ("bundle", 805)  # tests/bundle's other files: prowler-org, correlate, pre-commit, checkov-bundle
CHECKOV_FOLDERS = ["tests/common", "tests/checkov"]
CHECKOV_SHARDS = {
    "checkov": (["tests/checkov/test_kubernetes.py", "tests/checkov/test_thread_mode.py",
                 "tests/checkov/test_properties.py", "tests/checkov/test_properties_terraform_traced.py",
                 "tests/checkov/test_terraform_differential.py", "tests/checkov/test_subnet_shapes.py"], 175),
}
CHECKOV_REST = ("checkov-2", 190)


def _shards(env: str, folders: list[str], shards: dict[str, tuple[list[str], float]],
            rest: tuple[str, float], quick: bool) -> list[Suite]:
    """One suite per shard of an engine's folders (quick: the folders of --quick only)."""
    def kept(paths: list[str]) -> list[str]:
        return [p for p in paths if any(p == f or p.startswith(f + "/") for f in folders) and (ROOT / p).exists()
                and not (quick and p in QUICK_SKIPS)]

    suites = [Suite(name, env, kept(paths), estimate=estimate) for name, (paths, estimate) in shards.items()]
    taken = [p for suite in suites for p in suite.paths]
    # the rest: the folders, without what a shard runs (a shard's folder wholly taken is not passed at all)
    suites.append(Suite(rest[0], env, [f for f in folders if f not in taken and (ROOT / f).exists()],
                        ignores=[p for p in taken if not any(p == f for f in folders)], estimate=rest[1]))
    return [suite for suite in suites if suite.paths]


def _suites(args: argparse.Namespace) -> list[Suite]:
    """The suites to run, longest first (so the CPUs stay busy to the end)."""
    engines = args.engines or ENGINES
    suites = []
    if "prowler" in engines:  # bundle and parity tests drive the other environments' CLIs and need moto from this one
        folders = [f for f in PROWLER_FOLDERS if not (args.quick and f == "tests/bundle")]
        suites += _shards("prowler", folders, PROWLER_SHARDS, PROWLER_REST, args.quick)
    if "checkov" in engines:
        suites += _shards("checkov", CHECKOV_FOLDERS, CHECKOV_SHARDS, CHECKOV_REST, args.quick)
        if not (args.skip_floor or args.quick):  # the floor runs what must hold on the oldest supported Checkov
            suites.append(Suite(FLOOR_ENV, FLOOR_ENV, [p for p in FLOOR_SUITE if (ROOT / p).exists()], estimate=65))
    return sorted(suites, key=lambda suite: -suite.estimate)


def _prepare(suites: list[Suite], quick: bool) -> None:
    """Environments are created or refreshed one after the other, before any suite starts: the bundle
    reinstall and the installers must not run under a suite's feet."""
    wanted = list(dict.fromkeys(suite.env for suite in suites))
    if "prowler" in wanted:
        wanted = ["checkov", *([] if quick else BUNDLES), *wanted]  # parity uses checkov; bundle tests the bundles
    for env in dict.fromkeys(wanted):
        ensure_env(env)
    if "prowler" in wanted and not quick:
        prowler_versions.ensure_all()  # both ends of the declared Prowler range, and one below


def suite_env() -> dict[str, str]:
    """The suites' environment: Python may cache bytecode, in one folder beside the environments. uv installs
    without compiling (pip compiles at install), and with PYTHONDONTWRITEBYTECODE set, as on these machines,
    every Prowler start compiled ~3,000 modules again: 8 of its 21 s of CPU (Checkov and moto likewise).
    The prefix keeps the caches out of users' folders and installed packages, which tests compare before
    and after a run."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(VENVS / ".pycache")
    return env


def _start(suite: Suite, workspace: Path, args: argparse.Namespace) -> None:
    """pytest in the suite's environment. Suites running side by side share the source tree only: each has
    its own pytest temp folder and cache, and its output goes to its own log (printed when it ends)."""
    suite.log = workspace / f"{suite.name}.log"
    skips = [f"--ignore={path}" for path in [*suite.ignores, *(QUICK_SKIPS if args.quick else ())]]
    command = [str(venv_python(suite.env)), "-m", "pytest", *suite.paths, *skips,
               f"--basetemp={workspace / suite.name}", "-o", f"cache_dir=.pytest_cache/{suite.name}", *args.pytest_args]
    log(f"start {suite.name}: pytest in the {suite.env} environment: {' '.join(suite.paths)}")
    suite.started = time.monotonic()
    with open(suite.log, "wb") as out:
        suite.process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=suite_env())


def _finish(suite: Suite) -> None:
    assert suite.process is not None and suite.log is not None
    suite.code = suite.process.returncode
    suite.seconds = time.monotonic() - suite.started
    print(f"\n{'=' * 30} {suite.name} ({suite.env} environment) {'=' * 30}", flush=True)
    sys.stdout.buffer.write(suite.log.read_bytes())
    sys.stdout.flush()
    log(f"{suite.name} {'passed' if suite.code == 0 else f'FAILED (exit {suite.code})'} in {suite.seconds:.0f} s")


def _ended(suite: Suite) -> bool:
    """Whether the suite's pytest has ended; if so, its exit code and the CPU it and the processes it waited for
    used (wait4's resource usage: a measure that, unlike wall time, does not grow when suites run side by side)."""
    assert suite.process is not None
    if suite.process.returncode is not None or not hasattr(os, "wait4"):  # Windows: no CPU figure
        return suite.process.poll() is not None
    pid, status, usage = os.wait4(suite.process.pid, os.WNOHANG)
    if pid == 0:
        return False
    suite.process.returncode = os.waitstatus_to_exitcode(status)
    suite.cpu = usage.ru_utime + usage.ru_stime
    return True


def _children_cpu() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def test(args: argparse.Namespace) -> int:
    suites = _suites(args)
    began, cpu_before = time.monotonic(), _children_cpu()
    _prepare(suites, args.quick)
    prepared, prepared_cpu = time.monotonic() - began, _children_cpu() - cpu_before
    jobs = max(1, min(args.jobs or os.cpu_count() or 1, len(suites)))
    log(f"{len(suites)} suites, {jobs} at a time" + (" (--quick: no floor, bundle or version environments, "
                                                     f"no {', '.join(QUICK_SKIPS)})" if args.quick else ""))
    waiting, running = list(suites), []
    with tempfile.TemporaryDirectory(prefix="d9-test-") as work:
        try:
            while waiting or running:
                while waiting and len(running) < jobs:
                    suite = waiting.pop(0)
                    _start(suite, Path(work), args)
                    running.append(suite)
                time.sleep(0.5)
                for suite in [s for s in running if _ended(s)]:
                    running.remove(suite)
                    _finish(suite)
        finally:
            for suite in running:  # interrupted: stop what this run started
                if suite.process and suite.process.poll() is None:
                    suite.process.terminate()
                    suite.process.wait()
    wall = time.monotonic() - began
    print(f"\n[dev] {'suite':<16}{'environment':<16}{'result':<18}{'seconds':>8}{'CPU s':>8}")
    print(f"[dev] {'(environments)':<16}{'':<16}{'ready':<18}{prepared:>8.0f}{prepared_cpu:>8.0f}")
    for suite in suites:
        result = "passed" if suite.code == 0 else f"FAILED (exit {suite.code})"
        print(f"[dev] {suite.name:<16}{suite.env:<16}{result:<18}{suite.seconds:>8.0f}{suite.cpu:>8.0f}")
    total_cpu = prepared_cpu + sum(suite.cpu for suite in suites)
    print(f"[dev] {'total (wall)':<16}{'':<16}{'':<18}{wall:>8.0f}{total_cpu:>8.0f}", flush=True)
    failed = [suite.name for suite in suites if suite.code != 0]
    if failed:
        log("FAILED: " + ", ".join(failed))
        return 1
    log("all suites passed")
    return 0


def generate(args: argparse.Namespace) -> int:
    python = ensure_env("checkov")  # any environment with PyYAML
    return subprocess.run([str(python), str(ROOT / "tools" / "generate.py"), *args.generate_args], cwd=ROOT).returncode


def bench(args: argparse.Namespace) -> int:
    """Benchmarks print figures; they are not tests (see benchmarks/README.md)."""
    code = 0
    for engine in [args.engine] if args.engine else list(ENGINES):
        python = ensure_env(engine)
        log(f"benchmark: {engine}")
        code |= subprocess.run([str(python), str(ROOT / "benchmarks" / f"{engine}_bench.py"), *args.bench_args],
                               cwd=ROOT).returncode
    return code


def differential(args: argparse.Namespace) -> int:
    """Explore the Terraform tracer against terraform plan beyond the seeds CI replays."""
    python = ensure_env("checkov")
    env = {**os.environ, "D9_DIFFERENTIAL_EXAMPLES": str(args.examples),
           "D9_DIFFERENTIAL_FIRST_SEED": str(args.first_seed), "D9_DIFFERENTIAL_SEEDS": str(args.first_seed)}
    log(f"exploring at least {args.examples} generated notebooks from seed {args.first_seed} (disagreements are printed)")
    return subprocess.run([str(python), "-m", "pytest", "-x", "-q", "-s", "-p", "no:cacheprovider",
                           "tests/checkov/test_terraform_differential.py", "-k", "traced_value or passes or verdict"],
                          cwd=ROOT, env=env).returncode


def setup(args: argparse.Namespace) -> int:
    for env in args.engines or (*ENGINES, *BUNDLES, FLOOR_ENV):
        log(f"{env}: {ensure_env(env)}")
    if not args.engines:
        prowler_versions.ensure_all()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="task", required=True)
    sub.add_parser("demo", help="scan examples/ with the rule").set_defaults(func=demo)
    t = sub.add_parser("test", help="run every test suite, each in its engine's environment")
    t.add_argument("--engine", dest="engines", action="append", choices=ENGINES)
    t.add_argument("--skip-floor", action="store_true", help=f"do not run the verdict suites in {FLOOR_ENV}")
    t.add_argument("--quick", action="store_true",
                   help=f"inner loop: no {FLOOR_ENV} suite, no bundle or Prowler version environments (tests/bundle), "
                        f"no {', '.join(QUICK_SKIPS)}")
    t.add_argument("--jobs", type=int, help="suites run side by side (default: the number of CPUs)")
    t.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    t.set_defaults(func=test)
    g = sub.add_parser("generate", help="regenerate the files derived from metadata/ (--check: report drift)")
    g.add_argument("generate_args", nargs="*")
    g.set_defaults(func=generate)
    b = sub.add_parser("bench", help="run the benchmarks (benchmarks/README.md)")
    b.add_argument("engine", nargs="?", choices=ENGINES)
    b.add_argument("bench_args", nargs="*")
    b.set_defaults(func=bench)
    d = sub.add_parser("differential", help="explore the Terraform tracer against terraform plan (more seeds than CI)")
    d.add_argument("--examples", type=int, default=5000, help="generated notebooks to judge, at least")
    d.add_argument("--first-seed", type=int, default=2000)
    d.set_defaults(func=differential)
    s = sub.add_parser("setup", help="only create the environments")
    s.add_argument("--engine", dest="engines", action="append", choices=(*ENGINES, *BUNDLES, FLOOR_ENV))
    s.set_defaults(func=setup)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
