"""The files of the D9.AWS.NET.49 check folder and the one loader that connects them.

Checkov executes every .py of the folder by itself, under its bare file stem, outside any package. The check
file (d9_aws_net_49_sagemaker_direct_internet.py) loads this file as the package of the folder, under a name
unique to the folder's path, so that copies of the folder, and two of them in one process, each use their own
files. The other files import each other with ordinary relative imports, guarded by `if __package__:` (when
Checkov executes one of them alone, it only defines names and registers nothing), in one direction: each file
imports only files listed above it in SIBLINGS.
"""
from __future__ import annotations

import importlib
import os
from types import ModuleType

SIBLINGS = {  # file stem -> its one job, lowest layer first
    "d9_aws_net_49_rule_data": "rule data, generated from metadata/",
    "d9_aws_net_49_verdict": "the verdict from the possible values of the setting",
    "d9_aws_net_49_hcl": "HCL values: parse, AST, values with Unknown as a value, functions",
    "d9_aws_net_49_terraform": "the Terraform module evaluator (HCL, .tf.json) and plan reading",
    "d9_aws_net_49_cloudformation": "CloudFormation folding (Parameters, Conditions, intrinsics)",
    "d9_aws_net_49_cloudformation_sources": "CloudFormation templates and serverless.yml as deployed",
    "d9_aws_net_49_kubernetes": "Kubernetes NotebookInstance manifests (ACK, Crossplane)",
    "d9_aws_net_49_checkov_adapter": "Checkov's internals: runner frames, parse capture, records, one scan's state",
    "d9_aws_net_49_sagemaker_direct_internet": "the Checkov checks, a thin judge over the evaluators",
}


def load(stem: str) -> ModuleType:
    """A file of the folder as a module of this package (imported once per process, thread-safely by Python's
    import system, which also publishes nothing when it fails)."""
    if stem not in SIBLINGS or not __package__:
        raise ImportError(f"D9.AWS.NET.49: {stem} is not loaded through the folder's package")
    folder = os.path.dirname(os.path.abspath(__file__))
    missing = [f"{name}.py" for name in SIBLINGS if not os.path.isfile(os.path.join(folder, f"{name}.py"))]
    if missing:
        raise ImportError(f"D9.AWS.NET.49: {', '.join(missing)} missing from {folder}; copy the whole folder")
    return importlib.import_module(f"{__name__}.{stem}")
