"""The user's view: environments holding only an engine plus `pip install ".[engine]"` (see tools/dev.py)."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from rule import VENVS

BUNDLE_BIN = {"checkov": VENVS / "checkov-bundle" / "bin", "prowler": VENVS / "prowler-bundle" / "bin"}


def bundle_env(engine: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a shell where only that bundle's virtualenv is on PATH. `engine` is checkov,
    prowler, or another environment's name under .venvs (prowler-5.41.0: tools/prowler_versions.py)."""
    binaries = BUNDLE_BIN.get(engine, VENVS / engine / "bin")
    program = "d9-rules" if engine in BUNDLE_BIN else "prowler"
    assert (binaries / program).is_file(), (f"{binaries.parent} is missing: run python3 tools/dev.py setup"
                                            f"{'' if engine in BUNDLE_BIN else ' and python3 tools/prowler_versions.py setup'}")
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = f"{binaries}{os.pathsep}/usr/bin:/bin"
    return {**env, **(extra or {})}


def run(engine: str, command: list[str] | str, cwd: Path, extra: dict[str, str] | None = None,
        timeout: int = 600) -> subprocess.CompletedProcess[str]:
    shell = isinstance(command, str)
    return subprocess.run(["bash", "-c", command] if shell else command, cwd=cwd, env=bundle_env(engine, extra),
                          capture_output=True, text=True, timeout=timeout)


def installed_folder(engine: str, kind: str, cwd: Path) -> Path:
    result = run(engine, ["d9-rules", f"{kind}-dir"], cwd)
    assert result.returncode == 0, result.stderr
    folder = Path(result.stdout.strip())
    assert folder.is_dir() and str(folder).startswith(str(BUNDLE_BIN[engine].parent)), folder
    return folder


def prowler_package(engine: str, cwd: Path) -> Path:
    """The folder of the prowler package in that environment (prowler, prowler-5.41.0, ...)."""
    result = run(engine, ["python", "-c", "import prowler, os; print(os.path.dirname(prowler.__file__))"], cwd)
    assert result.returncode == 0, result.stderr[-2000:]
    return Path(result.stdout.strip())


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under folder with its size and modification time: what a run must leave as it was."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}
