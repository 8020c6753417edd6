#!/usr/bin/env python3
"""Project tasks: `python3 tools/dev.py demo` and `python3 tools/dev.py test`.

Checkov and Prowler pin different boto3 releases, so each engine gets its own virtualenv
under .venvs/, installed from a pinned lock file. A stamp (hash of the lock file and the
Python version) makes the second run skip the install.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENVS = Path(os.environ.get("D9_VENVS_DIR", ROOT / ".venvs"))
LOCKS = ROOT / "tools" / "requirements"
ENGINES = ("checkov", "prowler")
CHECKOV_ID = "D9_AWS_NET_49"


def log(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def venv_python(engine: str) -> Path:
    return VENVS / engine / "bin" / "python"


def ensure_env(engine: str) -> Path:
    lock = LOCKS / f"{engine}.lock"
    stamp_value = hashlib.sha256(lock.read_bytes() + sys.version.encode()).hexdigest()
    env_dir = VENVS / engine
    stamp = env_dir / ".d9-stamp"
    if stamp.is_file() and stamp.read_text() == stamp_value and venv_python(engine).exists():
        return venv_python(engine)
    log(f"creating the {engine} environment in {env_dir} (first run only, a few minutes)")
    venv.EnvBuilder(clear=True, with_pip=True).create(env_dir)
    install_log = env_dir / "install.log"
    with open(install_log, "w") as out:
        result = subprocess.run(
            [str(venv_python(engine)), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", str(lock)],
            stdout=out, stderr=subprocess.STDOUT,
        )
    if result.returncode != 0:
        sys.exit(f"[dev] installing {engine} failed; see {install_log}")
    stamp.write_text(stamp_value)
    return venv_python(engine)


def engine_bin(engine: str, program: str) -> str:
    return str(venv_python(engine).parent / program)


def demo(_: argparse.Namespace) -> int:
    ensure_env("checkov")
    log("Checkov with the D9.AWS.NET.49 bundle over examples/ (expect the bad examples to FAIL)")
    command = [
        engine_bin("checkov", "checkov"), "-d", str(ROOT / "examples"),
        "--external-checks-dir", str(ROOT / "checkov_checks"), "--check", CHECKOV_ID,
        "--skip-download", "--compact", "--quiet",
    ]
    code = subprocess.run(command, cwd=ROOT).returncode
    # Checkov exits 1 when a check fails: that is the expected outcome on the bad examples.
    if code not in (0, 1):
        log(f"checkov exited {code}")
        return code
    python = ensure_env("prowler")
    log("Prowler with the D9.AWS.NET.49 bundle against a local moto account seeded from examples/cloudformation/")
    return subprocess.run([str(python), str(ROOT / "tools" / "prowler_demo.py")], cwd=ROOT).returncode


def test(args: argparse.Namespace) -> int:
    suites = {
        "checkov": ["tests/common", "tests/checkov"],
        "prowler": ["tests/prowler"],
    }
    failed = []
    for engine in args.engines or ENGINES:
        paths = [p for p in suites[engine] if (ROOT / p).is_dir()]
        if not paths:
            continue
        python = ensure_env(engine)
        log(f"pytest in the {engine} environment: {' '.join(paths)}")
        code = subprocess.run([str(python), "-m", "pytest", *paths, *args.pytest_args], cwd=ROOT).returncode
        if code != 0:
            failed.append(f"{engine} (exit {code})")
    if failed:
        log("FAILED: " + ", ".join(failed))
        return 1
    log("all suites passed")
    return 0


def generate(args: argparse.Namespace) -> int:
    python = ensure_env("checkov")  # any environment with PyYAML
    return subprocess.run([str(python), str(ROOT / "tools" / "generate.py"), *args.generate_args], cwd=ROOT).returncode


def setup(args: argparse.Namespace) -> int:
    for engine in args.engines or ENGINES:
        log(f"{engine}: {ensure_env(engine)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="task", required=True)
    sub.add_parser("demo", help="scan examples/ with the rule").set_defaults(func=demo)
    t = sub.add_parser("test", help="run every test suite, each in its engine's environment")
    t.add_argument("--engine", dest="engines", action="append", choices=ENGINES)
    t.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    t.set_defaults(func=test)
    g = sub.add_parser("generate", help="regenerate the files derived from metadata/ (--check: report drift)")
    g.add_argument("generate_args", nargs="*")
    g.set_defaults(func=generate)
    s = sub.add_parser("setup", help="only create the environments")
    s.add_argument("--engine", dest="engines", action="append", choices=ENGINES)
    s.set_defaults(func=setup)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
