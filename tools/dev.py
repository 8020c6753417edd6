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
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENVS = Path(os.environ.get("D9_VENVS_DIR", ROOT / ".venvs"))
LOCKS = ROOT / "tools" / "requirements"
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


def log(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def venv_python(engine: str) -> Path:
    return VENVS / engine / "bin" / "python"


UV_VERSION = "0.13.9"  # uv resolves and installs in parallel: most of a first run was pip


def _uv() -> str | None:
    """The uv binary: on PATH, or installed once from the package index into .venvs/.uv; None when it
    cannot be had (then pip does the work, slower)."""
    found = shutil.which("uv")
    if found:
        return found
    target = VENVS / ".uv"
    binary = target / "bin" / "uv"
    if not binary.is_file():
        result = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check",
                                 "--target", str(target), f"uv=={UV_VERSION}"], capture_output=True, text=True)
        if result.returncode != 0 or not binary.is_file():
            log(f"uv could not be installed ({result.stderr.strip()[-200:]}); using pip")
            return None
    return str(binary)


def _uv_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("UV_NATIVE_TLS", "1")  # the system's certificate store, as pip uses
    env.setdefault("UV_CACHE_DIR", str(VENVS / ".uv-cache"))
    return env


def _pip(env: str, *arguments: str, log_name: str = "install.log") -> None:
    install_log = VENVS / env / log_name
    uv = _uv()
    with open(install_log, "w") as out:
        if uv:
            command = [uv, "pip", "install", "--python", str(venv_python(env)), "--quiet",
                       *["--reinstall" if a == "--force-reinstall" else a for a in arguments]]
            result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=_uv_env())
            if result.returncode == 0:
                return
            out.write("\n[dev] uv failed; trying pip\n")
            out.flush()
        result = subprocess.run([str(venv_python(env)), "-m", "pip", "install", "--disable-pip-version-check", "-q",
                                 *arguments], stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    if result.returncode != 0:
        sys.exit(f"[dev] installing into {env} failed; see {install_log}")


def _create_venv(env_dir: Path) -> None:
    uv = _uv()
    if uv and subprocess.run([uv, "venv", "--quiet", "--seed", "--python", sys.executable, str(env_dir)],
                             env=_uv_env(), capture_output=True).returncode == 0:
        return
    venv.EnvBuilder(clear=True, with_pip=True).create(env_dir)


def _install_bundle(env: str, *arguments: str) -> None:
    """pip install the project from a copy: setuptools would leave build/ and *.egg-info in the tree."""
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / "project"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venvs", ".git", "tests", "build", "*.egg-info",
                                                                  "__pycache__", ".pytest_cache"))
        _pip(env, *[str(copy) if a == "." else a.replace(".[", f"{copy}[") for a in arguments])


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
        _create_venv(env_dir)
        if env in BUNDLES:  # the engine and the bundle, exactly as a user installs them
            _install_bundle(env, "-c", str(lock), f".[{engine}]")
        else:
            _pip(env, "-r", str(lock))
        stamp.write_text(stamp_value)
        log(f"{env} ready in {time.monotonic() - started:.0f} s")
    elif env in BUNDLES:  # the bundle from the current tree
        _install_bundle(env, "--no-deps", "--force-reinstall", ".")
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


def test(args: argparse.Namespace) -> int:
    suites = {
        "checkov": ["tests/common", "tests/checkov"],
        # bundle and parity tests drive the other environments' CLIs and need moto from this one
        "prowler": ["tests/prowler", "tests/bundle", "tests/parity"],
    }
    failed = []
    for engine in args.engines or ENGINES:
        paths = [p for p in suites[engine] if (ROOT / p).is_dir()]
        if not paths:
            continue
        if engine == "prowler":
            for env in ("checkov", *BUNDLES):
                ensure_env(env)
            __import__("prowler_versions").ensure_all()  # both ends of the declared Prowler range, and one below
        python = ensure_env(engine)
        log(f"pytest in the {engine} environment: {' '.join(paths)}")
        code = subprocess.run([str(python), "-m", "pytest", *paths, *args.pytest_args], cwd=ROOT).returncode
        if code != 0:
            failed.append(f"{engine} (exit {code})")
        floor = [p for p in FLOOR_SUITE if (ROOT / p).is_file()]
        if engine == "checkov" and floor and not args.skip_floor:
            python = ensure_env(FLOOR_ENV)
            log(f"pytest in the {FLOOR_ENV} environment (oldest supported Checkov): the verdict suites")
            code = subprocess.run([str(python), "-m", "pytest", *floor, *args.pytest_args], cwd=ROOT).returncode
            if code != 0:
                failed.append(f"{FLOOR_ENV} (exit {code})")
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
        __import__("prowler_versions").ensure_all()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="task", required=True)
    sub.add_parser("demo", help="scan examples/ with the rule").set_defaults(func=demo)
    t = sub.add_parser("test", help="run every test suite, each in its engine's environment")
    t.add_argument("--engine", dest="engines", action="append", choices=ENGINES)
    t.add_argument("--skip-floor", action="store_true", help=f"do not run the verdict suites in {FLOOR_ENV}")
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
