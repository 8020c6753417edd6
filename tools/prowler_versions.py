#!/usr/bin/env python3
"""Extra Prowler releases for the version tests (tests/bundle/test_prowler_versions.py, test_prowler_app.py).

    python3 tools/prowler_versions.py setup [VERSION ...]   create or refresh .venvs/prowler-VERSION
    python3 tools/prowler_versions.py lock [VERSION ...]    re-resolve tools/requirements/prowler-VERSION.lock
    python3 tools/prowler_versions.py list                  the versions and what their environments hold

The declared range is `prowler>=5.41,<6` (pyproject.toml, extra "prowler"); its newest end, 5.46.0, is
tools/requirements/prowler.lock (the prowler and prowler-bundle environments of tools/venvs.py). Here:

- the floor of the range: Prowler from its lock plus the bundle installed as a user installs it
  (`pip install -c LOCK ".[prowler]"`, so pip also proves the release satisfies the declared range);
  the bundle is reinstalled from the current tree on every run, like tools/venvs.py's bundle environments;
- one release below the floor: Prowler only (the bundle's declared range refuses it); the tests run the
  check there through --checks-folder and expect MANUAL.

Locks are plain `pip freeze` output of a fresh virtualenv after `pip install prowler==VERSION` from the
package index. Environments are built in parallel, with tools/venvs.py's installers (uv when it can be had,
pip otherwise); a stamp (lock, Python version) skips a second build.
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import venvs  # noqa: E402  (VENVS, LOCKS and the installers tools/venvs.py uses too)

# version -> True when the environment also holds the bundle (the version is inside the declared range)
VERSIONS = {"5.41.0": True, "5.40.0": False}


def env_name(version: str) -> str:
    return f"prowler-{version}"


def lock_file(version: str) -> Path:
    return venvs.LOCKS / f"prowler-{version}.lock"


def lock(version: str) -> None:
    """Resolve prowler==VERSION from the package index in a throw-away virtualenv and freeze it."""
    with tempfile.TemporaryDirectory() as work:
        python = Path(work) / "bin" / "python"
        venv.EnvBuilder(with_pip=True).create(work)
        subprocess.run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q",
                        f"prowler=={version}"], check=True)
        frozen = subprocess.run([str(python), "-m", "pip", "freeze"], check=True, capture_output=True,
                                text=True).stdout
    lock_file(version).write_text(f"# python3 tools/prowler_versions.py lock {version}: pip install prowler=={version}, "
                                  f"then pip freeze (Python {sys.version.split()[0]})\n{frozen}")
    venvs.log(f"wrote {lock_file(version).relative_to(venvs.ROOT)}")


def ensure(version: str) -> Path:
    env = env_name(version)
    lock_path = lock_file(version)
    env_dir = venvs.VENVS / env
    stamp = env_dir / ".d9-stamp"
    stamp_value = hashlib.sha256(lock_path.read_bytes() + sys.version.encode() + env.encode()).hexdigest()
    with_bundle = VERSIONS[version]
    if not (stamp.is_file() and stamp.read_text() == stamp_value and venvs.venv_python(env).exists()):
        started = time.monotonic()
        venvs.log(f"creating the {env} environment in {env_dir} (first run only)")
        if env_dir.exists():
            shutil.rmtree(env_dir)
        venvs.create_venv(env_dir)  # uv when it can be had, else venv and pip, as tools/venvs.py does
        if with_bundle:
            venvs.install_bundle(env, "-c", str(lock_path), ".[prowler]")
        else:
            venvs.pip_install(env, "-r", str(lock_path))
        stamp.write_text(stamp_value)
        venvs.log(f"{env} created in {time.monotonic() - started:.0f} s")
    elif with_bundle:
        venvs.install_bundle(env, "--no-deps", "--force-reinstall", ".")
    return venvs.venv_python(env)


def ensure_all(versions: list[str] | None = None) -> dict[str, Path]:
    """Every (or the given) version's environment, built in parallel: {version: its python}."""
    versions = list(versions or VERSIONS)
    venvs.VENVS.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=len(versions)) as pool:
        return dict(zip(versions, pool.map(ensure, versions)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("task", choices=["setup", "lock", "list"])
    parser.add_argument("versions", nargs="*", metavar="VERSION", help=f"default: all of {', '.join(VERSIONS)}")
    args = parser.parse_args()
    versions = args.versions or list(VERSIONS)
    unknown = [v for v in versions if v not in VERSIONS]
    if unknown:
        parser.error(f"unknown version(s) {', '.join(unknown)}: add them to VERSIONS first")
    if args.task == "list":
        for version in versions:
            print(f"{version}\t{venvs.VENVS / env_name(version)}\t{'prowler + bundle' if VERSIONS[version] else 'prowler'}")
        return 0
    if args.task == "lock":
        with ThreadPoolExecutor(max_workers=len(versions)) as pool:
            list(pool.map(lock, versions))
        return 0
    for version, python in ensure_all(versions).items():
        venvs.log(f"prowler {version}: {python}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
