#!/usr/bin/env python3
"""Regenerate tests/fixtures/terraform_plan/tfplan.json with the real terraform CLI, offline.

Needs `terraform` and a local copy of the hashicorp/aws provider (default /opt/tf-plugins,
override with TF_PLUGIN_DIR). Fake credentials: the plan never calls AWS (-refresh=false,
no data sources, skip_* settings in the provider block).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "terraform_plan"


def main() -> int:
    plugin_dir = os.environ.get("TF_PLUGIN_DIR", "/opt/tf-plugins")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}
    with tempfile.TemporaryDirectory() as work:
        shutil.copytree(FIXTURE / "source", work, dirs_exist_ok=True)
        for step in (["init", "-input=false", f"-plugin-dir={plugin_dir}"],
                     ["plan", "-input=false", "-refresh=false", "-out=tf.plan"]):
            result = subprocess.run(["terraform", *step], cwd=work, env=env, capture_output=True, text=True)
            if result.returncode != 0:
                sys.stderr.write(result.stdout + result.stderr)
                return result.returncode
        shown = subprocess.run(["terraform", "show", "-json", "tf.plan"], cwd=work, env=env,
                               capture_output=True, text=True, check=True).stdout
    plan = json.loads(shown)
    (FIXTURE / "tfplan.json").write_text(json.dumps(plan, indent=1, sort_keys=True) + "\n")
    print(f"wrote {FIXTURE / 'tfplan.json'} (terraform {plan.get('terraform_version')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
