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
