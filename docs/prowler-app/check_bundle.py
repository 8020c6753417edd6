"""Build-time check of docs/prowler-app/Dockerfile: the image's Prowler sees the bundle as Prowler App uses it.

Exit 1, failing the image build, unless the check is listed with the checks a scan runs
(CheckMetadata.get_bulk: the App's workers run every check it lists), the framework is in the loader of the
App's compliance overview (get_bulk_compliance_frameworks_universal) and in the one of its compliance CSV
export (Compliance.get_bulk), and Prowler is at least the rule's floor (older releases make the check report MANUAL).
"""
import sys

from prowler.config.config import prowler_version
from prowler.lib.check.compliance_models import Compliance, get_bulk_compliance_frameworks_universal
from prowler.lib.check.models import CheckMetadata

problems = []


def report() -> None:
    """Print the problems found (or the all-clear) and exit 1 when there is one: the image build fails."""
    for problem in problems:
        print(f"d9 bundle: {problem}", file=sys.stderr)
    if not problems:
        print(f"d9 bundle: Prowler {prowler_version} lists {CHECK} and {FRAMEWORK}")
    sys.exit(1 if problems else 0)


try:  # the installed bundle's rule data, generated from metadata/
    import d9_rules.rule_data as rule_data
except ImportError:  # no bundle installed: say so, naming the check from the checkout's rule data when at hand
    problems.append("the bundle's package d9_rules is not installed")
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "d9_rule_data", Path(__file__).resolve().parents[2] / "d9_rules" / "rule_data.py")
    rule_data = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(rule_data)
    except OSError:
        report()
CHECK, FRAMEWORK, FLOOR = rule_data.PROWLER_CHECK_ID, rule_data.PROWLER_FRAMEWORK, rule_data.PROWLER_MIN_VERSION

try:
    too_old = tuple(int(part) for part in prowler_version.split(".")[:2]) < FLOOR
except ValueError:
    too_old = True
if too_old:
    problems.append(f"Prowler {prowler_version} is older than {'.'.join(map(str, FLOOR))}")
if CHECK not in CheckMetadata.get_bulk("aws"):
    problems.append(f"Prowler does not list the check {CHECK}")
if FRAMEWORK not in get_bulk_compliance_frameworks_universal("aws"):
    problems.append(f"Prowler's universal compliance loader does not list {FRAMEWORK}")
if FRAMEWORK not in Compliance.get_bulk("aws"):
    problems.append(f"Prowler's compliance loader does not list {FRAMEWORK}")
report()
