"""CloudGuard rule D9.AWS.NET.49 for Checkov and Prowler: where the checks, metadata and docs are.

Works from a checkout (folders at the repository root) and when installed (folders inside this package).
"""
from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent

# (installed location, checkout location)
_LOCATIONS = {
    "checkov": (PACKAGE / "checkov_checks", CHECKOUT / "checkov_checks"),
    "prowler": (PACKAGE / "services" / "sagemaker", CHECKOUT / "prowler_checks"),
    "metadata": (PACKAGE / "metadata", CHECKOUT / "metadata"),
    "docs": (PACKAGE / "docs", CHECKOUT / "docs" / "rules"),
}


def location(kind: str) -> Path:
    """Folder of `kind` (checkov, prowler, metadata, docs); raises if neither layout has it."""
    for candidate in _LOCATIONS[kind]:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"d9_rules: no {kind} folder in {' or '.join(map(str, _LOCATIONS[kind]))}")


def version() -> str:
    """This bundle's version: pyproject.toml's when run from a checkout, else the installed distribution's."""
    pyproject = CHECKOUT / "pyproject.toml"
    if (CHECKOUT / "checkov_checks").is_dir() and pyproject.is_file():
        import re

        found = re.search(r'^version = "([^"]+)"', pyproject.read_text(encoding="utf-8"), re.M)
        if found:
            return found.group(1)
    from importlib.metadata import version as distribution_version

    return distribution_version("d9-aws-net-49")
