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

# the installed bundle's rule data, generated from metadata/
from d9_rules.rule_data import PROWLER_CHECK_ID as CHECK, PROWLER_FRAMEWORK as FRAMEWORK, PROWLER_MIN_VERSION as FLOOR

problems = []
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
for problem in problems:
    print(f"d9 bundle: {problem}", file=sys.stderr)
if not problems:
    print(f"d9 bundle: Prowler {prowler_version} lists {CHECK} and {FRAMEWORK}")
sys.exit(1 if problems else 0)
