import sys
from pathlib import Path

# Test modules import the shared helpers (rule.py, checkov_harness.py, prowler_harness.py) by name.
sys.path[:0] = [str(Path(__file__).resolve().parent / d) for d in ("", "checkov", "prowler")]
