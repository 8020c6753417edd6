"""Virtualenvs of the project's tools: where they live, uv (or pip) to create them and install into them.

Shared by tools/dev.py and tools/prowler_versions.py; imports neither.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENVS = Path(os.environ.get("D9_VENVS_DIR", ROOT / ".venvs"))
LOCKS = ROOT / "tools" / "requirements"


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


def pip_install(env: str, *arguments: str, log_name: str = "install.log") -> None:
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


def create_venv(env_dir: Path) -> None:
    uv = _uv()
    if uv and subprocess.run([uv, "venv", "--quiet", "--seed", "--python", sys.executable, str(env_dir)],
                             env=_uv_env(), capture_output=True).returncode == 0:
        return
    venv.EnvBuilder(clear=True, with_pip=True).create(env_dir)


def install_bundle(env: str, *arguments: str) -> None:
    """pip install the project from a copy: setuptools would leave build/ and *.egg-info in the tree."""
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / "project"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".venvs", ".git", "tests", "build", "*.egg-info",
                                                                  "__pycache__", ".pytest_cache"))
        pip_install(env, *[str(copy) if a == "." else a.replace(".[", f"{copy}[") for a in arguments])
