"""Checkov adapter for CloudGuard rule D9.AWS.NET.49 (Terraform, CloudFormation and Kubernetes).

Self-contained: everything it reads at import and scan time is a .py file of this folder (identity,
title, severity, guideline and frameworks in the generated d9_aws_net_49_rule_data.py), so the folder
works copied anywhere, pulled with --external-checks-git, and signed with --external-checks-public-key.
The verdict fails closed: anything that is not provably `Disabled` with a subnet FAILS with a details
line, because Checkov drops UNKNOWN results (and checks that raise) from every report.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import sys
import threading
import types
from pathlib import Path
from typing import Any, Callable

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck as CfnCheck
from checkov.common.bridgecrew.severities import Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check as KubernetesCheck
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck as TerraformCheck

HERE = Path(__file__).resolve().parent
_FOLDER_KEY = hashlib.sha256(str(HERE).encode("utf-8")).hexdigest()[:12]


def _process_lock() -> Any:
    """One lock per process, shared by every copy of this folder. Checkov executes this file once per runner,
    and in its thread mode (the default on macOS and Windows) the runners load the folder concurrently in one
    process; the lock also guards the patches of Checkov classes, which are process-wide. It lives in
    sys.modules, the one registry all executions share; `setdefault` is atomic, so exactly one holder (its
    lock already set) wins. The holder's only contract, kept by every version of this file: `.lock`."""
    holder = types.ModuleType("d9_aws_net_49_load_lock", "D9.AWS.NET.49: serialises loading of its check folders")
    holder.lock = threading.RLock()  # type: ignore[attr-defined]
    return sys.modules.setdefault(holder.__name__, holder).lock


_LOAD_LOCK = _process_lock()


def _sibling_module(stem: str) -> Any:
    """Checkov executes each check file by path, outside any package, under its bare file stem. Siblings
    are loaded under a name unique to this folder, so that two copies of it in one process (a checkout and
    an installed bundle, or another team's copy) each use their own, whatever the folder is called.
    Thread-safe and idempotent: a sibling is executed once per process, under the loading lock, and is
    published in sys.modules only after it executed completely (a failed execution publishes nothing)."""
    name = f"{stem}__{_FOLDER_KEY}"
    with _LOAD_LOCK:
        module = sys.modules.get(name)
        if module is None:
            spec = importlib.util.spec_from_file_location(name, HERE / f"{stem}.py")
            if spec is None or spec.loader is None:
                raise ImportError(f"D9.AWS.NET.49: {stem}.py is missing from {HERE}; copy the whole folder")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            sys.modules[name] = module
    return module


rule_data = _sibling_module("d9_aws_net_49_rule_data")
CHECKOV_ID = rule_data.CHECKOV_ID
PASSING = rule_data.PASSING_VALUE  # "Disabled"; the API enum is case-sensitive
GUIDELINE = rule_data.GUIDELINE  # Check Point's public rule page: also the SARIF helpUri
BENCHMARKS = rule_data.BENCHMARKS
TERRAFORM_RESOURCE, CLOUDFORMATION_RESOURCE = rule_data.TERRAFORM_RESOURCE, rule_data.CLOUDFORMATION_RESOURCE
KUBERNETES_KIND, KUBERNETES_API_GROUPS = rule_data.KUBERNETES_KIND, rule_data.KUBERNETES_API_GROUPS

terraform_values = _sibling_module("d9_aws_net_49_terraform_values")
with _LOAD_LOCK:  # reuse the trees of Checkov's own HCL parse in a Terraform scan that runs this rule (a speed-up)
    terraform_values.capture_parse_for_scan(TERRAFORM_RESOURCE, CHECKOV_ID)
ABSENT = terraform_values.ABSENT  # the property is not set: AWS applies its default (Enabled)


def _type_name(value: Any) -> str:
    # Checkov's YAML loader hands out subclasses such as ListNode/DictNode
    for kind, name in ((bool, "boolean"), (int, "number"), (float, "number"), (list, "list"), (dict, "mapping")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _describe(value: Any) -> str:
    return json.dumps(value, default=str) if not isinstance(value, str) else repr(value)


def judge(values: list[Any] | None, unresolved: str | None, subnet_problem: str | None, key: str) -> tuple[bool, str]:
    """Common verdict for both IaC languages, from the possible values of the setting."""
    if unresolved is not None:
        return False, f"{key} could not be resolved statically ({unresolved}); only a literal 'Disabled' passes"
    assert values is not None
    if ABSENT in values:
        where = "is not set" if len(values) == 1 else "is not set in at least one branch"
        return False, f"{key} {where}: AWS then enables direct internet access (the default is Enabled)"
    wrong = sorted({_describe(v) for v in values if v != PASSING})
    if wrong:
        return False, f"{key} is {', '.join(wrong)}; only exactly 'Disabled' (case-sensitive) turns direct internet access off"
    if subnet_problem is not None:
        return False, f"{key} is 'Disabled' but {subnet_problem}: AWS accepts Disabled only for a notebook in a VPC subnet"
    return True, f"{key} is 'Disabled' and the notebook is in a VPC subnet"


# ---------------------------------------------------------------- Terraform (HCL, .tf.json, plan JSON)

TF_KEY, TF_SUBNET = "direct_internet_access", "subnet_id"


def evaluate_plan(conf: dict[str, Any]) -> tuple[bool, str]:
    """A plan holds Terraform's own values: proof, except those known only after apply."""
    unknown = terraform_values.after_unknown(conf)
    value = terraform_values.unwrap(conf, TF_KEY)
    unresolved = None
    if unknown.get(TF_KEY) is True:
        unresolved = "known only after apply"
    elif value is not ABSENT and not isinstance(value, str):
        unresolved = f"a {_type_name(value)} {_describe(value)} where a string is expected"
    subnet = terraform_values.unwrap(conf, TF_SUBNET)
    subnet_problem = None
    if subnet is ABSENT or (isinstance(subnet, str) and not subnet.strip()):
        if unknown.get(TF_SUBNET) is not True:  # known only after apply still means "set"
            subnet_problem = "subnet_id is not set"
    elif not isinstance(subnet, str):
        subnet_problem = f"subnet_id is {_describe(subnet)}, not a subnet ID or reference"
    return judge([value], unresolved, subnet_problem, TF_KEY)


def evaluate_terraform(conf: dict[str, Any], locate: Callable[[], Any] | None) -> tuple[bool, str]:
    """HCL and .tf.json: the rule traces both attributes from the source itself (terraform_values).
    Checkov's rendered value in `conf` is not used: it is wrong both ways (a comparison on a variable
    without a value comes out false; `["Enabled", "Disabled"][1]` comes out "Enabled")."""
    if locate is None:
        return False, f"{TF_KEY} could not be traced: the notebook's source was not found; failing closed"
    try:
        notebook = locate()
    except terraform_values.Unproven as exc:
        return False, f"{TF_KEY} could not be traced: {exc}; failing closed"
    unresolved = None
    try:
        value = notebook.attribute(TF_KEY)
    except terraform_values.Unproven as exc:
        value, unresolved = None, str(exc)
    if unresolved is None and value is not ABSENT and not isinstance(value, str):
        unresolved = f"it is a {_type_name(value)} {_describe(value)} where a string is expected"
    conditions = notebook.conditions.get(TF_KEY)
    if unresolved is None and value != PASSING and conditions:  # name the branch, not just the value
        shown = "not set (AWS default Enabled)" if value is ABSENT else _describe(value)
        return False, (f"{TF_KEY} is {shown} in the branch chosen because {' and '.join(conditions)}; "
                       f"only exactly 'Disabled' turns direct internet access off")
    subnet_problem = None
    try:
        subnet = notebook.attribute(TF_SUBNET)
        if subnet is ABSENT:
            subnet_problem = "subnet_id is not set (or null)"
        elif isinstance(subnet, str) and not subnet.strip():
            subnet_problem = f"subnet_id is {subnet!r}"
        elif not isinstance(subnet, str):
            subnet_problem = f"subnet_id is {_describe(subnet)}, not a subnet ID or reference"
    except terraform_values.Unproven as exc:
        if not exc.reference:  # a resource, data source or required input is a subnet known at apply
            subnet_problem = f"subnet_id could not be traced ({exc})"
    return judge([value], unresolved, subnet_problem, TF_KEY)


# ---------------------------------------------------------------- CloudFormation (YAML/JSON, CDK, Serverless)

CFN_KEY, CFN_SUBNET = "DirectInternetAccess", "SubnetId"
cloudformation_values = _sibling_module("d9_aws_net_49_cloudformation_values")


def evaluate_cloudformation(conf: dict[str, Any],
                            scanned: tuple[dict[str, Any], Any] | None = None) -> tuple[bool, str]:
    """`scanned`: (the notebook's Properties as written, its cloudformation_values.Template), or why it was not
    found, from cloudformation_values.scanned_resource (the check always passes it). Without it (a direct call)
    `conf` is folded and every Fn::If condition is unknown (both branches must pass)."""
    template = None
    if isinstance(scanned, str):  # the template is not deployed as written
        return False, f"{CFN_KEY} could not be traced: {scanned}; failing closed"
    if scanned is not None:
        properties, template = scanned
    else:
        properties = conf.get("Properties")
        if properties is None:
            properties = {}
    if not isinstance(properties, dict):
        return False, f"Properties is {_describe(properties)}, not a mapping; {CFN_KEY} cannot be read"
    found = cloudformation_values.assess(properties, template, CFN_KEY, CFN_SUBNET, PASSING)
    if found.branch_failure is not None:
        return False, found.branch_failure
    values = None if found.values is None else [ABSENT if v is None else v for v in found.values]
    return judge(values, found.unresolved, found.subnet_problem, CFN_KEY)


# ---------------------------------------------------------------- Kubernetes (ACK and Crossplane custom resources)

# Kubernetes manifests hold literal values (Kustomize and Helm are rendered by Checkov before a check sees
# them). The layouts are those of the controllers' CRDs (see metadata/): ACK's NotebookInstanceSpec has
# directInternetAccess and subnetID; the Upbound provider's spec has forProvider and initProvider, each
# with directInternetAccess, subnetId, subnetIdRef and subnetIdSelector.
K8S_KEY = "directInternetAccess"
ACK_SUBNET = "subnetID"
CROSSPLANE_SUBNETS = ("subnetId", "subnetIdRef", "subnetIdSelector")
CROSSPLANE_CREATES = ("*", "Create")  # managementPolicies that let Crossplane create the notebook
ACK_ADOPTION = "services.k8s.aws/adoption-policy"  # adopt / adopt-or-create: an existing notebook is taken over
CROSSPLANE_EXTERNAL_NAME = "crossplane.io/external-name"  # the notebook to observe: set by hand, an import


def kubernetes_api(conf: Any) -> tuple[str, str, dict[str, Any]] | None:
    """(group, version, the group's rule data) when `conf` is a NotebookInstance of one of the rule's API
    groups; None for any other group (another product's NotebookInstance kind: not this resource)."""
    api_version = conf.get("apiVersion") if isinstance(conf, dict) else None
    if not isinstance(api_version, str) or api_version.count("/") != 1:
        return None
    group, version = api_version.split("/")
    api = KUBERNETES_API_GROUPS.get(group)
    return None if api is None else (group, version, api)


def _fields(mapping: dict[str, Any]) -> dict[str, Any]:
    """A mapping without the line markers Checkov's YAML loader adds (__startline__, __endline__)."""
    return {k: v for k, v in mapping.items() if not (isinstance(k, str) and k.startswith("__") and k.endswith("__"))}


def _setting(mapping: dict[str, Any], key: str) -> Any:
    """The value as the API server stores it: a missing key and an explicit null both leave the field unset."""
    value = mapping.get(key)
    return ABSENT if value is None else value


def _annotations(conf: dict[str, Any]) -> dict[str, Any]:
    """metadata.annotations as one mapping (Checkov turns it into a list of mappings while reading skips)."""
    metadata = conf.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    merged: dict[str, Any] = {}
    for item in annotations if isinstance(annotations, list) else [annotations]:
        if isinstance(item, dict):
            merged.update(_fields(item))
    return merged


def _subnet_given(name: str, value: Any) -> bool | str:
    """True for a subnet ID, False when unset or blank, or a problem text for a value of the wrong shape."""
    if value is ABSENT:
        return False
    if not isinstance(value, str):
        return f"{name} is {_describe(value)}, not a subnet ID"
    return bool(value.strip())


def _policy(reference: Any, field: str) -> Any:
    policy = reference.get("policy") if isinstance(reference, dict) else None
    return policy.get(field) if isinstance(policy, dict) else None


def _crossplane_subnet(block: str, values: dict[str, Any]) -> bool | str:
    """Whether the notebook gets a subnet from this block, as crossplane-runtime resolves it
    (pkg/reference/reference.go, ResolutionRequest.IsNoOp and APIResolver.Resolve): a set subnetId is kept
    unless a policy says resolve: Always; else subnetIdRef names the Subnet to read (a selector with resolve:
    Always replaces it); else subnetIdSelector lists the Subnets matching its labels, all of them when it has
    none, and takes the first one (with matchControllerRef, the first with the same controller). Finding
    nothing, or an empty value, is an error and the notebook is not created, unless the policy says
    resolution: Optional: then it goes on without a subnet. True, False (no subnet) or a problem text."""
    path = f"spec.{block}"
    value, ref, selector = (_setting(values, name) for name in CROSSPLANE_SUBNETS)
    for name, given in (("subnetIdRef", ref), ("subnetIdSelector", selector)):
        if given is not ABSENT and not isinstance(given, dict):
            return f"{path}.{name} is {_describe(given)}, not a {'reference' if name.endswith('Ref') else 'selector'}"
    always = _policy(selector if selector is not ABSENT else ref, "resolve") == "Always"
    if value is not ABSENT and not always:
        given = _subnet_given(f"{path}.subnetId", value)
        if given is not False or (isinstance(value, str) and value):  # a value is kept, even a blank one
            return given
    if ref is not ABSENT and not (selector is not ABSENT and always):
        name = ref.get("name")
        if not (isinstance(name, str) and name.strip()):
            return (f"{path}.subnetIdRef has no name: crossplane-runtime cannot read the Subnet, so no notebook "
                    "is created with this manifest")
        used, shown = ref, "subnetIdRef"
    elif selector is not ABSENT:
        used, shown = selector, "subnetIdSelector"
    else:
        return False
    if _policy(used, "resolution") == "Optional":
        return (f"{path}.{shown} has policy resolution: Optional: when no Subnet is found, Crossplane creates the "
                "notebook without a subnet")
    return True


def _external_name(conf: dict[str, Any]) -> str | None:
    """Why a Crossplane notebook may be an existing one taken over, or None."""
    name = _annotations(conf).get(CROSSPLANE_EXTERNAL_NAME)
    if name is None:
        return None
    return (f"the annotation {CROSSPLANE_EXTERNAL_NAME}: {_describe(name)} makes Crossplane manage the existing "
            f"notebook of that name (an import), whose {K8S_KEY} is whatever it was created with and cannot be "
            "changed afterwards; failing closed")


def _evaluate_ack(spec: dict[str, Any], conf: dict[str, Any]) -> tuple[bool, str]:
    key = f"spec.{K8S_KEY}"
    adoption = _annotations(conf).get(ACK_ADOPTION)
    if adoption is not None:
        return False, (f"the annotation {ACK_ADOPTION}: {_describe(adoption)} makes ACK adopt a notebook that may "
                       f"already exist, and its {K8S_KEY} cannot be changed after creation; failing closed")
    value = _setting(spec, K8S_KEY)
    unresolved = None
    if value is not ABSENT and not isinstance(value, str):
        unresolved = f"a {_type_name(value)} {_describe(value)} where a string is expected"
    subnet = _subnet_given(f"spec.{ACK_SUBNET}", _setting(spec, ACK_SUBNET))
    subnet_problem = None if subnet is True else (subnet or f"spec.{ACK_SUBNET} is not set (or empty)")
    return judge([value], unresolved, subnet_problem, key)


def _evaluate_crossplane(spec: dict[str, Any], conf: dict[str, Any]) -> tuple[bool, str]:
    imported = _external_name(conf)
    if imported is not None:
        return False, imported
    policies = spec.get("managementPolicies")
    if policies is not None and (not isinstance(policies, list) or not any(p in CROSSPLANE_CREATES for p in policies)):
        return False, (f"spec.managementPolicies is {_describe(policies)}: without '*' or 'Create' Crossplane does not "
                       f"create this notebook, so the manifest does not decide its {K8S_KEY}; failing closed")
    blocks = {}
    for block in ("forProvider", "initProvider"):
        value = spec.get(block)
        if value is None:
            value = {}
        if not isinstance(value, dict):
            return False, f"spec.{block} is {_describe(value)}, not a mapping; {K8S_KEY} cannot be read"
        blocks[block] = value
    # At creation the provider merges initProvider into forProvider; which side wins for a field set in
    # both has differed between provider releases (and an empty string is overwritten), so a value set on
    # either side must pass on its own.
    found = {block: _setting(values, K8S_KEY) for block, values in blocks.items()}
    set_in = [block for block, value in found.items() if value is not ABSENT]
    if len(set_in) == 2 and found["forProvider"] != found["initProvider"]:
        shown = " and ".join(f"spec.{b}.{K8S_KEY} is {_describe(found[b])}" for b in set_in)
        return False, (f"{shown}: which one AWS receives depends on the provider release; only 'Disabled' on both "
                       f"sides turns direct internet access off")
    key = f"spec.{(set_in or ['forProvider'])[0]}.{K8S_KEY}"
    value = found[set_in[0]] if set_in else ABSENT
    unresolved = None
    if value is not ABSENT and not isinstance(value, str):
        unresolved = f"a {_type_name(value)} {_describe(value)} where a string is expected"
    subnet_problem = None
    given = [_crossplane_subnet(block, values) for block, values in blocks.items()]
    if True not in given:
        problems = [g for g in given if isinstance(g, str)]
        subnet_problem = problems[0] if problems else (
            f"spec.forProvider (and spec.initProvider) has no {', '.join(CROSSPLANE_SUBNETS[:-1])} or "
            f"{CROSSPLANE_SUBNETS[-1]}")
    return judge([value], unresolved, subnet_problem, key)


MERGE_TAG = "tag:yaml.org,2002:merge"  # a plain `<<` key
_DECODING_DIFFERENCES: dict[tuple[str, int, int], dict[int, list[str]] | None] = {}


def _merged_keys(node: Any, depth: int = 0) -> set[str] | None:
    """The keys a merge (`<<: value`) brings in, or None when the rule cannot list them."""
    import yaml

    if depth > 32:
        return None
    nodes = node.value if isinstance(node, yaml.SequenceNode) else [node]
    keys: set[str] = set()
    for item in nodes:
        if not isinstance(item, yaml.MappingNode):
            return None
        for key, value in item.value:
            inner = _merged_keys(value, depth + 1) if key.tag == MERGE_TAG else None
            if key.tag == MERGE_TAG and inner is None or not isinstance(key, yaml.ScalarNode):
                return None
            keys |= inner if inner is not None else {key.value}
    return keys


def _mapping_differences(node: Any) -> list[str]:
    """Where Checkov's YAML reading (PyYAML) and kubectl's (sigs.k8s.io/yaml, Go yaml.v2) give this mapping
    different contents: a repeated key (PyYAML keeps the last), and a merge key `<<` after an explicit key it
    also sets (PyYAML keeps the explicit value wherever it is written; Go yaml.v2 applies keys in order, so the
    merge overrides what was written before it: measured with kubectl)."""
    differences, seen = [], set()
    keys = [k.value for k, _ in node.value if k.tag != MERGE_TAG]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        differences.append(f"repeats the key {key!r}: Checkov reads the last value, kubectl and kustomize reject "
                           "the file, other tools may take the first")
    for key, value in node.value:
        if key.tag != MERGE_TAG:
            seen.add(key.value)
            continue
        merged = _merged_keys(value)
        if merged is None:
            differences.append("has a merge key `<<` whose value is not a mapping the rule can read")
        elif merged & seen:
            shown = ", ".join(repr(k) for k in sorted(merged & seen))
            differences.append(f"merges {shown} with `<<` after setting them: kubectl (Go YAML) takes the merged "
                               "values, Checkov (PyYAML) the ones written")
    return differences


def decoding_differences(path: str) -> dict[int, list[str]] | None:
    """{first line of a mapping: how kubectl's reading of it differs from Checkov's} for a manifest file, read
    as Checkov's kubernetes parser reads it (PyYAML; a JSON file wrapped in a list); None when the file cannot
    be read that way. {} when there is no such file (a check run outside a scan)."""
    try:
        stat = os.stat(path)
    except (OSError, TypeError, ValueError):
        return {}
    cache_key = (path, stat.st_mtime_ns, stat.st_size)
    if cache_key in _DECODING_DIFFERENCES:
        return _DECODING_DIFFERENCES[cache_key]
    import yaml
    from checkov.common.util.file_utils import read_file_with_any_encoding

    found: dict[int, list[str]] | None = {}
    try:
        content = read_file_with_any_encoding(file_path=path)
        if path.endswith(".json"):  # as checkov.kubernetes.parser.k8_json.loads, which keeps the line numbers
            content = "[" + content.replace("}{", "},{").replace("}\n{", "},\n{") + "]"
        for root in yaml.compose_all(content, Loader=yaml.SafeLoader):
            pending, visited = [root], set()
            while pending:
                node = pending.pop()
                if id(node) in visited:  # an alias is the anchored node itself
                    continue
                visited.add(id(node))
                if isinstance(node, yaml.MappingNode):
                    differences = _mapping_differences(node)
                    if differences:
                        found.setdefault(node.start_mark.line + 1, []).extend(differences)
                    pending.extend(v for pair in node.value for v in pair)
                elif isinstance(node, yaml.SequenceNode):
                    pending.extend(node.value)
    except (OSError, UnicodeError, ValueError, RecursionError, yaml.YAMLError):
        found = None
    if len(_DECODING_DIFFERENCES) > 256:
        _DECODING_DIFFERENCES.clear()
    _DECODING_DIFFERENCES[cache_key] = found
    return found


def _mapping_lines(conf: Any) -> set[int]:
    """The first line of every mapping of a resource (Checkov's loader marks each with __startline__)."""
    lines, pending = set(), [conf]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            line = value.get("__startline__")
            if isinstance(line, int) and not isinstance(line, bool):
                lines.add(line)
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return lines


def evaluate_kubernetes(conf: dict[str, Any], path: str | None = None) -> tuple[bool, str]:
    """A NotebookInstance of one of the rule's API groups (see kubernetes_api); `path`: its file."""
    found = kubernetes_api(conf)
    assert found is not None, "evaluate_kubernetes needs a NotebookInstance of the rule's API groups"
    group, version, api = found
    if version not in api["versions"]:
        return False, (f"apiVersion {group}/{version} is not a version of the {api['controller']} CRD the rule knows "
                       f"({', '.join(api['versions'])}); failing closed")
    if path is not None:
        differences = decoding_differences(path)
        if differences is None:
            return False, f"{path} could not be re-read to compare with kubectl's reading; failing closed"
        clashes = sorted((line, text) for line in _mapping_lines(conf) for text in differences.get(line, []))
        if clashes:
            line, text = clashes[0]
            return False, f"the mapping at line {line} {text}; failing closed"
    spec = conf.get("spec")
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        return False, f"spec is {_describe(spec)}, not a mapping; {K8S_KEY} cannot be read"
    if api["layout"] == "ack":
        return _evaluate_ack(spec, conf)
    return _evaluate_crossplane(spec, conf)


# ---------------------------------------------------------------- Checkov classes (one ID, three registries)

class _RuleIdentity:
    """What the three check classes share: identity, severity, benchmarks, the fail-closed verdict, and the
    hand-over of the details line to this rule's report records."""

    _guideline: str | None = None
    _PENDING_LIMIT = 4096  # results whose record was never built (a Checkov that reads no guideline)

    def _apply_metadata(self) -> None:
        self.severity = Severities[rule_data.SEVERITY]
        self.benchmarks = BENCHMARKS
        self._pending: dict[int, tuple[dict[str, Any], list[str]]] = {}

    def run(self, *args: Any, **kwargs: Any) -> Any:
        check_result = super().run(*args, **kwargs)  # type: ignore[misc]
        if len(self._pending) >= self._PENDING_LIMIT:
            self._pending.clear()
        # keyed by the result's identity (the result is held, so the key cannot be reused meanwhile)
        self._pending[id(check_result)] = (check_result, list(self.details))
        return check_result

    @property
    def guideline(self) -> str | None:
        """Checkov's CloudFormation, Serverless and Kubernetes runners copy neither `details` nor `benchmarks`
        into a record (Terraform's copies both, .tf.json and plan only the details). Every runner reads
        `check.guideline` right after building the record, as `record.set_guideline(check.guideline)`: the
        record is then the caller's local `record`. Only a record of this check, holding a result this
        check returned, is completed; nothing else is touched (no class of Checkov is patched)."""
        self._complete_record(sys._getframe(1).f_locals.get("record"))
        return self._guideline

    @guideline.setter
    def guideline(self, value: str | None) -> None:
        self._guideline = value

    def _complete_record(self, record: Any) -> None:
        result = getattr(record, "check_result", None)
        pending = getattr(self, "_pending", None)
        found = pending.pop(id(result), None) if pending and result is not None else None
        if found is None or found[0] is not result or getattr(record, "check_id", None) != self.id:
            return
        if found[1] and not record.details:
            record.details = found[1]
        if not record.benchmarks:
            record.benchmarks = BENCHMARKS

    def _verdict(self, evaluate: Any, conf: dict[str, Any], keys: list[str]) -> CheckResult:
        self.evaluated_keys = keys
        try:
            passed, why = evaluate(conf)
        except Exception as exc:  # never UNKNOWN: Checkov would hide the resource
            logging.warning("%s: unexpected resource shape, failing closed", CHECKOV_ID, exc_info=True)
            passed, why = False, f"the resource could not be evaluated ({type(exc).__name__}); failing closed"
        if not passed:
            self.details.append(why)
        return CheckResult.PASSED if passed else CheckResult.FAILED


_COMMON = dict(
    name=rule_data.TITLE,
    id=CHECKOV_ID,
    categories=[CheckCategories[rule_data.CATEGORY]],
    guideline=GUIDELINE,
)


class SageMakerNotebookDirectInternetTerraform(_RuleIdentity, TerraformCheck):
    def __init__(self) -> None:
        super().__init__(supported_resources=[TERRAFORM_RESOURCE], **_COMMON)
        self._apply_metadata()
        self._graph_index: tuple[Any, dict[str, Any]] | None = None

    def _vertex(self, address: str) -> dict[str, Any] | None:
        """The graph vertex of a resource (its file and module path), indexed once per graph. The
        index holds the graph itself, so an identity test cannot match a newer graph at the same address."""
        graph = getattr(self, "graph", None)
        if graph is None:
            return None
        if self._graph_index is None or self._graph_index[0] is not graph:
            self._graph_index = (graph, terraform_values.resource_vertices(graph, TERRAFORM_RESOURCE))
        return self._graph_index[1].get(address)

    def _locator(self, conf: dict[str, Any]) -> Callable[[], Any] | None:
        resource_type = TERRAFORM_RESOURCE
        address = conf.get("__address__")
        if isinstance(address, str):  # terraform (HCL)
            vertex = self._vertex(address)
            if vertex is None:
                return None
            return lambda: terraform_values.locate(
                str(vertex.get("file_path_")), resource_type, address,
                terraform_values.module_callers(vertex.get("source_module_object_")),
                terraform_values.ScanContext.var_files(hcl=True))
        found = terraform_values.ScanContext.json_resource(resource_type)  # terraform_json
        if found is None:
            return None
        path, name = found
        # the terraform_json runner follows no module call: a caller in a .tf or .tf.json file is not seen
        return lambda: terraform_values.locate(path, resource_type, f"{resource_type}.{name}", [],
                                               terraform_values.ScanContext.var_files(),
                                               caller_suffixes=(".tf", ".tf.json"))

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if "__change_actions__" in conf:  # a plan holds Terraform's own values
            return self._verdict(evaluate_plan, conf, [TF_KEY, TF_SUBNET])
        locate = self._locator(conf)
        return self._verdict(lambda resource: evaluate_terraform(resource, locate), conf, [TF_KEY, TF_SUBNET])


class SageMakerNotebookDirectInternetCloudFormation(_RuleIdentity, CfnCheck):
    def __init__(self) -> None:
        super().__init__(supported_resources=[CLOUDFORMATION_RESOURCE], **_COMMON)
        self._apply_metadata()

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        # the notebook as written in its template, or why it cannot be found: never Checkov's rendered values
        return self._verdict(lambda resource: evaluate_cloudformation(
            resource, cloudformation_values.scanned_resource(resource)),
            conf, [f"Properties/{CFN_KEY}", f"Properties/{CFN_SUBNET}"])


def _run_arguments_problem() -> str:
    """The Kubernetes check reads the manifest's file from Checkov's run(scanned_file, entity_configuration, ...)
    arguments; checked when the check loads ("" when they are where it reads them)."""
    import inspect
    try:
        names = list(inspect.signature(KubernetesCheck.run).parameters)[1:3]
    except (TypeError, ValueError):
        names = []
    return "" if names == ["scanned_file", "entity_configuration"] else (
        f"this Checkov release passes {names} to a check's run(), not (scanned_file, entity_configuration)")


KUBERNETES_RUN_PROBLEM = _run_arguments_problem()


class SageMakerNotebookDirectInternetKubernetes(_RuleIdentity, KubernetesCheck):
    """Frameworks kubernetes, kustomize and helm (the last two render, then share this registry)."""

    def __init__(self) -> None:
        super().__init__(supported_entities=[KUBERNETES_KIND], **_COMMON)
        self._apply_metadata()

    def run(self, *args: Any, **kwargs: Any) -> Any:
        conf = kwargs.get("entity_configuration", args[1] if len(args) > 1 else None)
        self._scanned_file = kwargs.get("scanned_file", args[0] if args else None)
        if kubernetes_api(conf) is None:
            # Another API group's NotebookInstance is not a SageMaker notebook. UNKNOWN is the one result
            # Checkov leaves out of every report; answering before the skip annotations are read keeps
            # such a resource out even when it carries this rule's skip annotation.
            self.details = []
            return {"result": CheckResult.UNKNOWN}
        return super().run(*args, **kwargs)

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        found = kubernetes_api(conf)
        layout = found[2]["layout"] if found else None
        keys = (["spec/directInternetAccess", "spec/subnetID"] if layout == "ack" else
                [f"spec/{block}/{name}" for block in ("forProvider", "initProvider")
                 for name in (K8S_KEY, *CROSSPLANE_SUBNETS)])
        path = getattr(self, "_scanned_file", None)
        problem = KUBERNETES_RUN_PROBLEM or ("" if isinstance(path, str) else "Checkov did not name the manifest's file")
        if problem:  # without the file, kubectl's reading of its YAML cannot be compared: never a PASS
            return self._verdict(lambda resource: (False, f"{problem}, so the rule cannot compare its YAML with "
                                                          "kubectl's reading; failing closed"), conf, keys)
        return self._verdict(lambda resource: evaluate_kubernetes(resource, path), conf, keys)


terraform_check = SageMakerNotebookDirectInternetTerraform()
cloudformation_check = SageMakerNotebookDirectInternetCloudFormation()
kubernetes_check = SageMakerNotebookDirectInternetKubernetes()
