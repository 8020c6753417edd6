"""Kubernetes manifests for D9.AWS.NET.49: NotebookInstance custom resources of AWS Controllers for Kubernetes
(ACK) and of Crossplane's Upbound AWS provider, read as their controllers read them, and the verdict's inputs.

Kubernetes manifests hold literal values (Kustomize and Helm are rendered by Checkov before a check sees them).
What the rule proves beyond them: the resource's API group and version, that kubectl's YAML reading of the file
matches Checkov's (PyYAML), adoption/import annotations and Crossplane's subnet references.

Imports the rule data and the verdict. Loaded by d9_aws_net_49_siblings.py; it registers no check.
"""
from __future__ import annotations

import os
from typing import Any

if __package__:  # imported through the folder's package (d9_aws_net_49_siblings); Checkov also executes it alone
    from . import d9_aws_net_49_verdict as verdict
    from .d9_aws_net_49_rule_data import KUBERNETES_API_GROUPS

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
    return verdict.ABSENT if value is None else value


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
    if value is verdict.ABSENT:
        return False
    if not isinstance(value, str):
        return f"{name} is {verdict.describe(value)}, not a subnet ID"
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
        if given is not verdict.ABSENT and not isinstance(given, dict):
            return f"{path}.{name} is {verdict.describe(given)}, not a {'reference' if name.endswith('Ref') else 'selector'}"
    always = _policy(selector if selector is not verdict.ABSENT else ref, "resolve") == "Always"
    if value is not verdict.ABSENT and not always:
        given = _subnet_given(f"{path}.subnetId", value)
        if given is not False or (isinstance(value, str) and value):  # a value is kept, even a blank one
            return given
    if ref is not verdict.ABSENT and not (selector is not verdict.ABSENT and always):
        name = ref.get("name")
        if not (isinstance(name, str) and name.strip()):
            return (f"{path}.subnetIdRef has no name: crossplane-runtime cannot read the Subnet, so no notebook "
                    "is created with this manifest")
        used, shown = ref, "subnetIdRef"
    elif selector is not verdict.ABSENT:
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
    return (f"the annotation {CROSSPLANE_EXTERNAL_NAME}: {verdict.describe(name)} makes Crossplane manage the existing "
            f"notebook of that name (an import), whose {K8S_KEY} is whatever it was created with and cannot be "
            "changed afterwards; failing closed")


def _evaluate_ack(spec: dict[str, Any], conf: dict[str, Any]) -> tuple[bool, str]:
    key = f"spec.{K8S_KEY}"
    adoption = _annotations(conf).get(ACK_ADOPTION)
    if adoption is not None:
        return False, (f"the annotation {ACK_ADOPTION}: {verdict.describe(adoption)} makes ACK adopt a notebook that may "
                       f"already exist, and its {K8S_KEY} cannot be changed after creation; failing closed")
    value = _setting(spec, K8S_KEY)
    unresolved = None
    if value is not verdict.ABSENT and not isinstance(value, str):
        unresolved = f"a {verdict.type_name(value)} {verdict.describe(value)} where a string is expected"
    subnet = _subnet_given(f"spec.{ACK_SUBNET}", _setting(spec, ACK_SUBNET))
    subnet_problem = None if subnet is True else (subnet or f"spec.{ACK_SUBNET} is not set (or empty)")
    return verdict.judge([value], unresolved, subnet_problem, key)


def _evaluate_crossplane(spec: dict[str, Any], conf: dict[str, Any]) -> tuple[bool, str]:
    imported = _external_name(conf)
    if imported is not None:
        return False, imported
    policies = spec.get("managementPolicies")
    if policies is not None and (not isinstance(policies, list) or not any(p in CROSSPLANE_CREATES for p in policies)):
        return False, (f"spec.managementPolicies is {verdict.describe(policies)}: without '*' or 'Create' Crossplane does not "
                       f"create this notebook, so the manifest does not decide its {K8S_KEY}; failing closed")
    blocks = {}
    for block in ("forProvider", "initProvider"):
        value = spec.get(block)
        if value is None:
            value = {}
        if not isinstance(value, dict):
            return False, f"spec.{block} is {verdict.describe(value)}, not a mapping; {K8S_KEY} cannot be read"
        blocks[block] = value
    # At creation the provider merges initProvider into forProvider; which side wins for a field set in
    # both has differed between provider releases (and an empty string is overwritten), so a value set on
    # either side must pass on its own.
    found = {block: _setting(values, K8S_KEY) for block, values in blocks.items()}
    set_in = [block for block, value in found.items() if value is not verdict.ABSENT]
    if len(set_in) == 2 and found["forProvider"] != found["initProvider"]:
        shown = " and ".join(f"spec.{b}.{K8S_KEY} is {verdict.describe(found[b])}" for b in set_in)
        return False, (f"{shown}: which one AWS receives depends on the provider release; only 'Disabled' on both "
                       f"sides turns direct internet access off")
    key = f"spec.{(set_in or ['forProvider'])[0]}.{K8S_KEY}"
    value = found[set_in[0]] if set_in else verdict.ABSENT
    unresolved = None
    if value is not verdict.ABSENT and not isinstance(value, str):
        unresolved = f"a {verdict.type_name(value)} {verdict.describe(value)} where a string is expected"
    subnet_problem = None
    given = [_crossplane_subnet(block, values) for block, values in blocks.items()]
    if True not in given:
        problems = [g for g in given if isinstance(g, str)]
        subnet_problem = problems[0] if problems else (
            f"spec.forProvider (and spec.initProvider) has no {', '.join(CROSSPLANE_SUBNETS[:-1])} or "
            f"{CROSSPLANE_SUBNETS[-1]}")
    return verdict.judge([value], unresolved, subnet_problem, key)


MERGE_TAG = "tag:yaml.org,2002:merge"  # a plain `<<` key


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


def decoding_differences(path: str, cache: dict[str, Any] | None = None) -> dict[int, list[str]] | None:
    """{first line of a mapping: how kubectl's reading of it differs from Checkov's} for a manifest file, read
    as Checkov's kubernetes parser reads it (PyYAML; a JSON file wrapped in a list); None when the file cannot
    be read that way. {} when there is no such file (a check run outside a scan). `cache`: the scan's files
    already read, by path."""
    if cache is not None and path in cache:
        return cache[path]
    if not (isinstance(path, str) and os.path.isfile(path)):
        return {}
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
    if cache is not None:
        cache[path] = found
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


def evaluate_kubernetes(conf: dict[str, Any], path: str | None = None,
                        cache: dict[str, Any] | None = None) -> tuple[bool, str]:
    """A NotebookInstance of one of the rule's API groups (see kubernetes_api); `path`: its file; `cache`: the
    scan's decoding differences by file."""
    found = kubernetes_api(conf)
    assert found is not None, "evaluate_kubernetes needs a NotebookInstance of the rule's API groups"
    group, version, api = found
    if version not in api["versions"]:
        return False, (f"apiVersion {group}/{version} is not a version of the {api['controller']} CRD the rule knows "
                       f"({', '.join(api['versions'])}); failing closed")
    if path is not None:
        differences = decoding_differences(path, cache)
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
        return False, f"spec is {verdict.describe(spec)}, not a mapping; {K8S_KEY} cannot be read"
    if api["layout"] == "ack":
        return _evaluate_ack(spec, conf)
    return _evaluate_crossplane(spec, conf)
