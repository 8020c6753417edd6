"""CloudGuard rule D9.AWS.NET.49 for Checkov and Prowler: where the checks, metadata and docs are.

Works from a checkout (folders at the repository root) and when installed (folders inside this package).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

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


def install_hint(engine: str) -> str:
    """How to install an engine beside this bundle: the extra of pyproject.toml, the one place its tested range
    is written."""
    return f"pip install 'd9-aws-net-49[{engine}]' or, in a clone, pip install '.[{engine}]'"


def checkov_module(stem: str, folder: Path | None = None) -> Any:
    """A file of the Checkov check folder (`folder`, else the installed or checkout one) as the check loads it:
    through the folder's package (d9_aws_net_49_siblings.py), under a name of d9_rules' own."""
    import hashlib
    import importlib.util
    import sys

    folder = (folder or location("checkov")).resolve()
    name = "d9_rules_checkov_" + hashlib.sha256(str(folder).encode("utf-8")).hexdigest()[:12]
    package = sys.modules.get(name)
    if package is None:
        spec = importlib.util.spec_from_file_location(name, folder / "d9_aws_net_49_siblings.py",
                                                      submodule_search_locations=[str(folder)])
        if spec is None or spec.loader is None:
            raise ImportError(f"d9_rules: no Checkov check folder in {folder}")
        package = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(package)
        sys.modules[name] = package
    return package.load(stem)
