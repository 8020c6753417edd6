"""`d9-rules --version`, help texts a user can read (every command described, every option explained, no note
meant for this project's developers), and `pip install .` that writes nothing into the checkout."""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from rule import ROOT

sys.path.insert(0, str(ROOT))
from d9_rules import cli  # noqa: E402

PYPROJECT_VERSION = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)


def d9_rules(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "d9_rules.cli", *arguments], cwd=ROOT, capture_output=True, text=True)


def subcommands() -> dict[str, argparse.ArgumentParser]:
    [action] = [a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def test_version_is_the_projects():
    result = d9_rules("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"d9-rules {PYPROJECT_VERSION}", result


def test_top_level_help_describes_every_command():
    result = d9_rules("--help")
    assert result.returncode == 0
    description = result.stdout.split("positional arguments:")[0]
    undescribed = [name for name in subcommands() if name not in description]
    assert not undescribed, f"the description says nothing of {undescribed}"


def test_every_option_of_every_command_is_explained():
    unexplained = [f"{name} {action.dest}" for name, parser in subcommands().items() for action in parser._actions
                   if not isinstance(action, argparse._HelpAction) and not action.help
                   and name not in ("checkov-dir", "prowler-dir", "metadata-dir", "docs-dir")]
    assert not unexplained, unexplained


def test_no_developer_note_in_any_help():
    for name in subcommands():
        text = d9_rules(name, "--help").stdout
        assert text, name
        assert not re.search(r"d9_rules/\w+\.py|Hook it into|python -m d9_rules", text), (name, text)
        assert "  \\\n" not in text and "         -o" not in text, "a broken line continuation"


def test_pip_install_from_a_checkout_writes_nothing_into_it(tmp_path):
    """A copy of the checkout (as a user clones it), installed with plain pip: no build/ nor *.egg-info
    appears in it, and the installed command reports the same version."""
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT, checkout, ignore=shutil.ignore_patterns(".venvs", ".git", "build", "*.egg-info",
                                                                  "__pycache__", ".pytest_cache"))
    before = sorted(str(p.relative_to(checkout)) for p in checkout.rglob("*"))
    subprocess.run([sys.executable, "-m", "venv", str(tmp_path / "venv")], check=True)
    pip = tmp_path / "venv" / "bin" / "pip"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run([str(pip), "install", "-q", "--disable-pip-version-check", "."], cwd=checkout, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    after = sorted(str(p.relative_to(checkout)) for p in checkout.rglob("*"))
    assert after == before, f"pip install . wrote into the checkout: {sorted(set(after) - set(before))}"
    version = subprocess.run([str(tmp_path / "venv" / "bin" / "d9-rules"), "--version"], cwd=tmp_path, env=env,
                             capture_output=True, text=True)
    assert version.stdout.strip() == f"d9-rules {PYPROJECT_VERSION}", version
    checks = subprocess.run([str(tmp_path / "venv" / "bin" / "d9-rules"), "checkov-dir"], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert checks.stdout.strip().startswith(str(tmp_path / "venv")), checks


def test_the_prowler_app_image_build_context_keeps_the_build_backend():
    """docs/prowler-app/Dockerfile builds the wheel from a filtered context: the backend must be in it."""
    import tomllib

    backend = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]
    module = f"{backend['backend-path'][0]}/{backend['build-backend']}.py"
    assert (ROOT / module).is_file()
    kept = (ROOT / "docs" / "prowler-app" / "Dockerfile.dockerignore").read_text().splitlines()
    assert f"!{module}" in kept


def test_a_missing_engine_is_named_with_the_extra_that_installs_it(tmp_path):
    """The install hint names pyproject's extra (the one place the tested engine range is written), never a
    range copied into the message."""
    extras = re.findall(r'^(checkov|prowler) = \["(\w+)[^"]*"\]', (ROOT / "pyproject.toml").read_text(), re.M)
    assert sorted(extras) == [("checkov", "checkov"), ("prowler", "prowler")]
    system = {**os.environ, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    python = os.path.realpath(shutil.which("python3", path="/usr/bin:/bin") or "/usr/bin/python3")
    checkov = subprocess.run([python, "-m", "d9_rules.cli", "checkov-scan", str(tmp_path)], capture_output=True,
                             text=True, env=system, cwd=tmp_path)
    prowler = subprocess.run([python, "-m", "d9_rules.org_scan", "--prowler", str(tmp_path / "no-prowler"),
                              "--accounts", "123456789012", "--role-name", "r"], capture_output=True, text=True,
                             env=system, cwd=tmp_path)
    for result, engine, code in ((checkov, "checkov", 2), (prowler, "prowler", 1)):
        assert result.returncode == code, result.stderr
        assert f"pip install 'd9-aws-net-49[{engine}]' or, in a clone, pip install '.[{engine}]'" in result.stderr
        assert not re.search(r"[<>=]=?\d", result.stderr), result.stderr
