"""The verdict of D9.AWS.NET.49 from the possible values of the setting, shared by every IaC language: a PASS
only for exactly 'Disabled' with a subnet; anything else FAILS with the details line that says why.

Imports only the generated rule data. Loaded by d9_aws_net_49_siblings.py; it registers no check (Checkov,
which imports every .py of the folder, finds nothing to run here).
"""
from __future__ import annotations

import json
from typing import Any

if __package__:  # imported through the folder's package (d9_aws_net_49_siblings); Checkov also executes it alone
    from .d9_aws_net_49_rule_data import PASSING_VALUE as PASSING  # "Disabled"; the API enum is case-sensitive

ABSENT = object()  # the property is not set: AWS applies its default (Enabled)


def type_name(value: Any) -> str:
    # Checkov's YAML loader hands out subclasses such as ListNode/DictNode
    for kind, name in ((bool, "boolean"), (int, "number"), (float, "number"), (list, "list"), (dict, "mapping")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def describe(value: Any) -> str:
    return json.dumps(value, default=str) if not isinstance(value, str) else repr(value)


def judge(values: list[Any] | None, unresolved: str | None, subnet_problem: str | None, key: str) -> tuple[bool, str]:
    """Common verdict for every IaC language, from the possible values of the setting."""
    if unresolved is not None:
        return False, f"{key} could not be resolved statically ({unresolved}); only a literal 'Disabled' passes"
    assert values is not None
    if ABSENT in values:
        where = "is not set" if len(values) == 1 else "is not set in at least one branch"
        return False, f"{key} {where}: AWS then enables direct internet access (the default is Enabled)"
    wrong = sorted({describe(v) for v in values if v != PASSING})
    if wrong:
        return False, f"{key} is {', '.join(wrong)}; only exactly 'Disabled' (case-sensitive) turns direct internet access off"
    if subnet_problem is not None:
        return False, f"{key} is 'Disabled' but {subnet_problem}: AWS accepts Disabled only for a notebook in a VPC subnet"
    return True, f"{key} is 'Disabled' and the notebook is in a VPC subnet"
