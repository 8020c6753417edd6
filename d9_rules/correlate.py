"""`d9-rules correlate`: join Checkov's verdicts on declared notebooks with Prowler's on live ones.

    d9-rules correlate --checkov results.json --prowler prowler.ocsf.json \
        [--terraform-state state.json]... [--var-file FILE]... [--output-format text|json|sarif]

A declared notebook (one D9_AWS_NET_49 result of `checkov -o json`) is joined to a live one (one finding of the
Prowler check in `-M json-ocsf` output) by, in this order:
  - a Terraform state (`terraform show -json` of it): the resource address gives the notebook's ARN, exactly;
  - the name the IaC gives the notebook, read by parsing the source file the Checkov result points to
    (Terraform `name`, CloudFormation `NotebookInstanceName`, ACK `spec.notebookInstanceName`, Crossplane's
    `crossplane.io/external-name` annotation or the object's name);
  - for a CloudFormation notebook without a literal name: the tag `aws:cloudformation:logical-id` that
    CloudFormation puts on every resource it creates (with `aws:cloudformation:stack-name`).
Nothing is guessed: a name that cannot be read is said so, and a name found on several live notebooks (accounts,
regions, stacks), or a live notebook claimed by several declarations, is reported as ambiguous.

States: consistent (both verdicts agree), drift (they differ), unmanaged (live only), not-deployed (IaC only),
ambiguous, undecided (the name was not read, the IaC result was suppressed, or Prowler's status is MANUAL).
Exit code: 1 when any drift, otherwise 0; 2 when an input is missing, malformed or not what it should be.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from d9_rules import checkov_module
from d9_rules.rule_data import PROWLER_CHECK_ID as PROWLER_CHECK

STATES = ("drift", "ambiguous", "undecided", "unmanaged", "not-deployed", "consistent")
STACK_TAG, LOGICAL_ID_TAG = "aws:cloudformation:stack-name", "aws:cloudformation:logical-id"
EXTERNAL_NAME = "crossplane.io/external-name"
# Checkov result -> the live status that agrees with it
AGREES = {"PASSED": "PASS", "FAILED": "FAIL"}


class InputError(Exception):
    """An input file that is missing, malformed or not the report it should be."""


RULE = checkov_module("d9_aws_net_49_rule_data")  # the installed check folder's rule data


# ------------------------------------------------------------------------------------------------ inputs

def _load_json(path: Path, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the {what}: {exc}") from None
    if not text.strip():
        raise InputError(f"{path}: the {what} is empty")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InputError(f"{path}: the {what} is not JSON ({exc})") from None


@dataclass
class Declared:
    """One notebook as Checkov judged it."""
    framework: str
    resource: str
    path: str  # absolute, as Checkov reports it
    lines: list[int]
    verdict: str  # PASSED, FAILED, SKIPPED
    details: list[str]
    name: str | None = None
    name_problem: str = ""  # why the name was not read
    logical_id: str | None = None  # CloudFormation
    record: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def where(self) -> str:
        return f"{_shown(self.path)}:{self.lines[0] if self.lines else 0}"


@dataclass
class Live:
    """One notebook as Prowler judged it."""
    arn: str
    name: str
    account: str
    region: str
    status: str  # PASS, FAIL, MANUAL
    muted: bool
    tags: dict[str, str]
    message: str

    @property
    def status_text(self) -> str:
        return self.status + (" (muted)" if self.muted else "")


def _shown(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def read_checkov(path: Path) -> tuple[list[Declared], list[str]]:
    """The rule's results in a `checkov -o json` report, and the files Checkov could not parse."""
    document = _load_json(path, "Checkov report")
    reports = document if isinstance(document, list) else [document]
    if not reports or not all(isinstance(r, dict) and ("check_type" in r or "checkov_version" in r) for r in reports):
        raise InputError(f"{path}: not a Checkov JSON report (expected the output of checkov -o json)")
    declared: dict[tuple[Any, ...], Declared] = {}
    unparsed: list[str] = []
    for report in reports:
        results = report.get("results")
        if results is None:
            continue  # a summary alone: nothing found in that framework
        if not isinstance(results, dict):
            raise InputError(f"{path}: not a Checkov JSON report (results of {report.get('check_type')} is not a mapping)")
        if "passed_checks" not in results:
            raise InputError(f"{path}: the Checkov report was written with --quiet, which leaves out the notebooks that "
                             "passed: run Checkov without --quiet")
        unparsed += [str(p) for p in results.get("parsing_errors") or []]
        for bucket in ("passed_checks", "failed_checks", "skipped_checks"):
            for record in results.get(bucket) or []:
                if not isinstance(record, dict) or record.get("check_id") != RULE.CHECKOV_ID:
                    continue
                result = record.get("check_result") or {}
                # one notebook once: Checkov 3.3.30 repeats earlier -d folders' results in each later report
                key = (record.get("file_abs_path") or record.get("file_path"), tuple(record.get("file_line_range") or ()),
                       record.get("resource"))
                declared[key] = (Declared(
                    framework=str(report.get("check_type")), resource=str(record.get("resource")),
                    path=str(record.get("file_abs_path") or record.get("file_path")),
                    lines=list(record.get("file_line_range") or []), verdict=str(result.get("result")),
                    details=list(record.get("details") or []), record=record))
    if not declared:
        raise InputError(f"{path}: the Checkov report holds no {RULE.CHECKOV_ID} result: run Checkov with "
                         f"--external-checks-dir \"$(d9-rules checkov-dir)\" --check {RULE.CHECKOV_ID} over the IaC")
    return list(declared.values()), unparsed


def read_prowler(path: Path) -> list[Live]:
    """The check's findings in a Prowler `-M json-ocsf` report (a JSON array of OCSF Detection Findings)."""
    document = _load_json(path, "Prowler report")
    if not isinstance(document, list) or not all(
            isinstance(f, dict) and isinstance(f.get("metadata"), dict) and "status_code" in f for f in document):
        raise InputError(f"{path}: not a Prowler OCSF report (expected the .ocsf.json of prowler -M json-ocsf)")
    if not document:
        raise InputError(f"{path}: the Prowler report holds no finding")
    ours = [f for f in document if f["metadata"].get("event_code") == PROWLER_CHECK]
    if not ours:
        others = sorted({str(f["metadata"].get("event_code")) for f in document})
        raise InputError(f"{path}: the Prowler report holds no finding of {PROWLER_CHECK}, only of "
                         f"{', '.join(others[:5])}{' ...' if len(others) > 5 else ''}: run prowler aws -c {PROWLER_CHECK}")
    live = []
    for finding in ours:
        resources = finding.get("resources") or []
        if len(resources) != 1 or not isinstance(resources[0], dict) or not resources[0].get("uid"):
            raise InputError(f"{path}: a {PROWLER_CHECK} finding without exactly one resource with a uid (ARN)")
        resource = resources[0]
        account = str(((finding.get("cloud") or {}).get("account") or {}).get("uid") or "")
        live.append(Live(arn=str(resource["uid"]), name=str(resource.get("name") or ""), account=account,
                         region=str(resource.get("region") or (finding.get("cloud") or {}).get("region") or ""),
                         status=str(finding["status_code"]), muted=finding.get("status") == "Suppressed",
                         tags=_tags(resource), message=str(finding.get("status_detail") or finding.get("message") or "")))
    return live


def _tags(resource: dict[str, Any]) -> dict[str, str]:
    """The notebook's tags: Prowler's inventory keeps them as {Key, Value} pairs under data.metadata.tags.
    The OCSF `labels` ("key:value") cannot be split when keys hold colons, so only the two tag keys CloudFormation
    sets (users cannot create aws: keys) are taken from them when the inventory's list is absent."""
    metadata = (resource.get("data") or {}).get("metadata") or {}
    pairs = metadata.get("tags") if isinstance(metadata, dict) else None
    if isinstance(pairs, list):
        return {str(p["Key"]): str(p.get("Value", "")) for p in pairs if isinstance(p, dict) and "Key" in p}
    tags = {}
    for label in resource.get("labels") or []:
        for key in (STACK_TAG, LOGICAL_ID_TAG):
            if isinstance(label, str) and label.startswith(key + ":"):
                tags[key] = label[len(key) + 1:]
    return tags


def read_state(path: Path) -> list[dict[str, Any]]:
    """The notebooks of a `terraform show -json` state: {address, name, arn}."""
    document = _load_json(path, "Terraform state")
    if not isinstance(document, dict) or "format_version" not in document or "planned_values" in document \
            or "resource_changes" in document:
        raise InputError(f"{path}: not the JSON of a Terraform state (expected terraform show -json, without a plan file)")
    found = []
    pending = [(document.get("values") or {}).get("root_module") or {}]
    while pending:
        module = pending.pop()
        for resource in module.get("resources") or []:
            if resource.get("mode") == "managed" and resource.get("type") == RULE.TERRAFORM_RESOURCE:
                values = resource.get("values") or {}
                if not values.get("arn"):
                    raise InputError(f"{path}: {resource.get('address')} has no arn in the state")
                found.append({"address": resource["address"], "name": values.get("name"), "arn": values["arn"],
                              "state": str(path)})
        pending += module.get("child_modules") or []
    return found


# ------------------------------------------------------------------------------------------- names from IaC

class NameNotRead(Exception):
    pass


def _yaml_loader() -> type:
    """PyYAML's safe loader that keeps CloudFormation's short-form intrinsics (!Ref, !Sub ...) as mappings."""

    class Loader(yaml.SafeLoader):
        pass

    def intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {f"!{suffix}": value}

    Loader.add_multi_constructor("!", intrinsic)
    return Loader


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise NameNotRead(f"the source {path} cannot be read ({exc.__class__.__name__})") from None


def _cloudformation_name(notebook: Declared) -> None:
    prefix = RULE.CLOUDFORMATION_RESOURCE + "."
    if not notebook.resource.startswith(prefix):
        raise NameNotRead(f"the resource {notebook.resource} is not understood")
    notebook.logical_id = notebook.resource[len(prefix):]
    text = _read_text(notebook.path)
    try:
        document = json.loads(text) if notebook.path.endswith(".json") else yaml.load(text, Loader=_yaml_loader())
    except (ValueError, yaml.YAMLError) as exc:
        raise NameNotRead(f"the template does not parse ({exc.__class__.__name__})") from None
    if notebook.framework == "serverless" and isinstance(document, dict):
        document = document.get("resources")
    resources = document.get("Resources") if isinstance(document, dict) else None
    resource = resources.get(notebook.logical_id) if isinstance(resources, dict) else None
    if not isinstance(resource, dict) or resource.get("Type") != RULE.CLOUDFORMATION_RESOURCE:
        raise NameNotRead(f"{notebook.logical_id} is not a notebook of the template")
    name = (resource.get("Properties") or {}).get("NotebookInstanceName")
    if isinstance(name, str):
        notebook.name = name
    elif name is not None:
        notebook.name_problem = "NotebookInstanceName is not a literal"


def _kubernetes_name(notebook: Declared) -> None:
    if notebook.framework != "kubernetes":
        raise NameNotRead(f"rendered by {notebook.framework}: the manifest Checkov judged is not in a file")
    kind, _, name = notebook.resource.split(".", 2) if notebook.resource.count(".") >= 2 else ("", "", "")
    text = _read_text(notebook.path)
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise NameNotRead(f"the manifest does not parse ({exc.__class__.__name__})") from None
    start = notebook.lines[0] if notebook.lines else -1
    matches = []
    for node in nodes:
        if node is None or node.start_mark.line + 1 != start:
            continue
        document = _construct(node)
        if isinstance(document, dict) and document.get("kind") == kind == RULE.KUBERNETES_KIND:
            matches.append(document)
    if len(matches) != 1:
        raise NameNotRead(f"no single {kind} starts at line {start} of the manifest")
    document = matches[0]
    metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
    group = str(document.get("apiVersion", "")).split("/", 1)[0]
    layout = RULE.KUBERNETES_API_GROUPS.get(group, {}).get("layout")
    if metadata.get("name") != name:
        raise NameNotRead(f"the manifest at line {start} names another object")
    if layout == "ack":
        value = (document.get("spec") or {}).get("notebookInstanceName")
        if not isinstance(value, str):
            raise NameNotRead("spec.notebookInstanceName is not a string")
        notebook.name = value
    elif layout == "crossplane":
        external = (metadata.get("annotations") or {}).get(EXTERNAL_NAME)
        notebook.name = external if isinstance(external, str) and external else name
    else:
        raise NameNotRead(f"the API group {group!r} is not a SageMaker notebook's")


def _construct(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _terraform_plan_name(notebook: Declared) -> None:
    try:
        plan = json.loads(_read_text(notebook.path))
    except ValueError:
        raise NameNotRead("the plan is not JSON") from None
    pending = [(plan.get("planned_values") or {}).get("root_module") or {}]
    while pending:
        module = pending.pop()
        for resource in module.get("resources") or []:
            if resource.get("address") == notebook.resource:
                name = (resource.get("values") or {}).get("name")
                if not isinstance(name, str):
                    raise NameNotRead("the plan has no name (known only after apply)")
                notebook.name = name
                return
        pending += module.get("child_modules") or []
    raise NameNotRead(f"{notebook.resource} is not in the plan's planned_values")


def _terraform_address(notebook: Declared) -> str:
    if notebook.framework == "terraform_json" and notebook.resource.startswith("resource."):
        return f"{RULE.TERRAFORM_RESOURCE}.{notebook.resource[len('resource.'):]}"  # Checkov's .tf.json quirk
    return notebook.resource


def _terraform_name(notebook: Declared, var_files: list[str]) -> None:
    """The `name` argument traced by the rule's own Terraform evaluator (Checkov's HCL parser, python-hcl2),
    with the allow-list of constructs it evaluates exactly as Terraform does."""
    try:
        values = checkov_module("d9_aws_net_49_terraform")
    except ImportError as exc:
        raise NameNotRead(f"python-hcl2 is not installed here ({exc}); run correlate where Checkov is installed") from None
    address = _terraform_address(notebook)
    callers = []
    caller = notebook.record.get("caller_file_path")
    if caller:
        file_path = str(notebook.record.get("file_path") or "")
        root = notebook.path[:len(notebook.path) - len(file_path)] if notebook.path.endswith(file_path) else ""
        callers = [os.path.join(root, str(caller).lstrip("/"))]
    try:
        located = values.locate(notebook.path, RULE.TERRAFORM_RESOURCE, address, callers, var_files,
                                scan_root=os.path.dirname(notebook.path))
        name = located.attribute("name")
    except values.Unproven as exc:
        raise NameNotRead(str(exc)) from None
    except Exception as exc:  # the evaluator's parser on a file it cannot read
        raise NameNotRead(f"the source was not read ({exc.__class__.__name__}: {exc})") from None
    if not isinstance(name, str):
        raise NameNotRead("name is not set" if name is values.ABSENT else "name is not a string")
    notebook.name = name


def read_name(notebook: Declared, var_files: list[str]) -> None:
    try:
        if notebook.framework in ("cloudformation", "serverless"):
            _cloudformation_name(notebook)
        elif notebook.framework in ("kubernetes", "kustomize", "helm"):
            _kubernetes_name(notebook)
        elif notebook.framework == "terraform_plan":
            _terraform_plan_name(notebook)
        elif notebook.framework in ("terraform", "terraform_json"):
            _terraform_name(notebook, var_files)
        else:
            raise NameNotRead(f"the framework {notebook.framework} is not read")
    except NameNotRead as exc:
        notebook.name_problem = str(exc)


# ---------------------------------------------------------------------------------------------- matching

@dataclass
class Row:
    state: str
    declared: Declared | None
    live: list[Live]
    matched_by: str = ""
    note: str = ""

    @property
    def name(self) -> str:
        if self.declared is not None and self.declared.name:
            return self.declared.name
        names = sorted({n.name for n in self.live})
        return ",".join(names) if names else "(unnamed)"


def _base_address(address: str) -> str:
    return address[:-1].rsplit("[", 1)[0] if address.endswith("]") else address


def _state_instances(notebook: Declared, states: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """State entries of the notebook's address (all instances of a count/for_each resource Checkov reports once)."""
    if notebook.framework not in ("terraform", "terraform_json", "terraform_plan"):
        return []
    address = _terraform_address(notebook)
    found = [s for s in states if s["address"] == address or
             ("[" not in address.rsplit(".", 1)[-1] and _base_address(s["address"]) == address)]
    if notebook.name:  # another root module (a state of another folder) with the same address
        found = [s for s in found if s["name"] == notebook.name] or found
    return found


def _claims(notebook: Declared, live: list[Live], states: list[dict[str, Any]]) -> list[tuple[str, list[Live], str]]:
    """(how, candidate live notebooks, note) per notebook instance the declaration may be."""
    instances = _state_instances(notebook, states)
    if instances:
        by_arn = {n.arn: n for n in live}
        if len({s["state"] for s in instances}) > 1:  # the same root in several states (workspaces, accounts)
            return [("terraform state", [by_arn[s["arn"]] for s in instances if s["arn"] in by_arn],
                     "in several states: " + ", ".join(f"{_shown(s['state'])} {s['arn']}" for s in instances))]
        return [(f"terraform state: {s['address']}", [by_arn[s["arn"]]] if s["arn"] in by_arn else [],
                 "" if s["arn"] in by_arn else f"the state has {s['arn']}, which Prowler's report does not hold "
                                                 "(not scanned there, or deleted)") for s in instances]
    if notebook.name:
        return [("name", [n for n in live if n.name == notebook.name], "")]
    if notebook.logical_id:
        note = f"no literal NotebookInstanceName ({notebook.name_problem})" if notebook.name_problem else \
            "no NotebookInstanceName"
        return [(f"stack tag {LOGICAL_ID_TAG}", [n for n in live if n.tags.get(LOGICAL_ID_TAG) == notebook.logical_id],
                 note)]
    return []


def _compare(notebook: Declared, live: Live) -> tuple[str, str]:
    if notebook.verdict not in AGREES:
        return "undecided", f"the IaC result is {notebook.verdict}: no verdict to compare"
    if live.status not in AGREES.values():
        return "undecided", f"Prowler's status is {live.status}: no verdict to compare"
    if AGREES[notebook.verdict] == live.status:
        return "consistent", ""
    return "drift", f"IaC {notebook.verdict}, live {live.status}"


def correlate(declared: list[Declared], live: list[Live], states: list[dict[str, Any]]) -> list[Row]:
    pending: list[tuple[Declared, str, list[Live], str]] = []
    rows: list[Row] = []
    claimed: dict[str, list[Declared]] = {}
    for notebook in declared:
        claims = _claims(notebook, live, states)
        if not claims:
            rows.append(Row("undecided", notebook, [], note=f"name not read: {notebook.name_problem}"))
            continue
        for how, candidates, note in claims:
            pending.append((notebook, how, candidates, note))
            for candidate in candidates:
                claimed.setdefault(candidate.arn, []).append(notebook)
    for notebook, how, candidates, note in pending:
        others = {id(d) for c in candidates for d in claimed[c.arn]} - {id(notebook)}
        if not candidates:
            rows.append(Row("not-deployed", notebook, [], how, note or "no live notebook matches"))
        elif len(candidates) > 1:
            where = "several live notebooks match" if how == "name" else "the match is not unique"
            rows.append(Row("ambiguous", notebook, candidates, how, "; ".join(filter(None, [where, note]))))
        elif others:
            rows.append(Row("ambiguous", notebook, candidates, how, "; ".join(filter(None, [
                f"the live notebook is also matched by {len(others)} other declaration(s)", note]))))
        else:
            state, why = _compare(notebook, candidates[0])
            rows.append(Row(state, notebook, candidates, how, "; ".join(filter(None, [why, note]))))
    for notebook in live:
        if notebook.arn not in claimed:
            rows.append(Row(*_unmanaged(notebook)))
    rows.sort(key=lambda r: (STATES.index(r.state), r.name, r.declared.where if r.declared else "",
                             r.live[0].arn if r.live else ""))
    return rows


def _unmanaged(notebook: Live) -> tuple[str, None, list[Live], str, str]:
    stack = notebook.tags.get(STACK_TAG)
    note = f"created by CloudFormation stack {stack} ({notebook.tags.get(LOGICAL_ID_TAG)}), which the IaC scan " \
           "does not hold" if stack else "declared in no scanned IaC"
    return "unmanaged", None, [notebook], "", note


# ----------------------------------------------------------------------------------------------- outputs

def _row_json(row: Row) -> dict[str, Any]:
    notebook = row.declared
    return {
        "state": row.state, "name": row.name, "matched_by": row.matched_by or None, "note": row.note or None,
        "iac": None if notebook is None else {
            "file": _shown(notebook.path), "lines": notebook.lines, "resource": notebook.resource,
            "framework": notebook.framework, "verdict": notebook.verdict, "details": notebook.details,
            "name": notebook.name, "name_not_read": notebook.name_problem or None},
        "live": [{"account": n.account, "region": n.region, "arn": n.arn, "name": n.name, "status": n.status,
                  "muted": n.muted, "message": n.message,
                  "stack": n.tags.get(STACK_TAG), "logical_id": n.tags.get(LOGICAL_ID_TAG)} for n in row.live],
    }


def _live_text(row: Row) -> str:
    if not row.live:
        return "live: none"
    return "live: " + "; ".join(f"{n.account}/{n.region} {n.arn} {n.status_text}" for n in row.live)


def _iac_text(row: Row) -> str:
    notebook = row.declared
    return "iac: none" if notebook is None else f"iac: {notebook.where} {notebook.resource} {notebook.verdict}"


def text_line(row: Row) -> str:
    extra = "; ".join(filter(None, [f"by {row.matched_by}" if row.matched_by else "", row.note]))
    return f"{row.state:<12} {row.name}  {_iac_text(row)}  {_live_text(row)}" + (f"  ({extra})" if extra else "")


def summary(rows: list[Row]) -> dict[str, int]:
    return {state: sum(r.state == state for r in rows) for state in STATES}


SARIF_LEVEL = {"drift": "error", "ambiguous": "warning", "undecided": "warning", "unmanaged": "warning",
               "not-deployed": "note", "consistent": "none"}


def sarif(rows: list[Row]) -> dict[str, Any]:
    rules = [{"id": f"{RULE.CHECKOV_ID}/{state}", "name": f"correlation-{state}",
              "shortDescription": {"text": f"{RULE.TITLE}: IaC and live account are {state}"},
              "helpUri": RULE.GUIDELINE} for state in STATES]
    results = []
    for row in rows:
        result: dict[str, Any] = {
            "ruleId": f"{RULE.CHECKOV_ID}/{row.state}", "ruleIndex": STATES.index(row.state),
            "level": SARIF_LEVEL[row.state], "message": {"text": f"{row.state}: {row.name}; {_live_text(row)}"
                                                                 + (f" ({row.note})" if row.note else "")},
            "properties": _row_json(row)}
        if row.state == "consistent":
            result["kind"] = "pass"
        if row.declared is not None:
            lines = row.declared.lines or [1]
            result["locations"] = [{"physicalLocation": {
                "artifactLocation": {"uri": Path(_shown(row.declared.path)).as_posix()},
                "region": {"startLine": lines[0], "endLine": lines[-1]}}}]
        else:  # live only: no file to point at
            result["locations"] = [{"logicalLocations": [{"fullyQualifiedName": n.arn, "kind": "resource"}
                                                         for n in row.live]}]
        results.append(result)
    return {"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "runs": [{"tool": {"driver": {"name": "d9-rules correlate", "informationUri": RULE.GUIDELINE,
                                          "rules": rules}}, "results": results}]}


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    parser = sub.add_parser("correlate", help="join Checkov's verdicts (IaC) with Prowler's (live) per notebook",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkov", type=Path, required=True, metavar="JSON", help="checkov -o json report")
    parser.add_argument("--prowler", type=Path, required=True, action="append", metavar="OCSF_JSON",
                        help="prowler -M json-ocsf report (repeat for several accounts, or use prowler-org's merge)")
    parser.add_argument("--terraform-state", type=Path, action="append", default=[], metavar="JSON",
                        help="terraform show -json of a state: exact address-to-ARN mapping (repeatable)")
    parser.add_argument("--var-file", action="append", default=[], metavar="FILE",
                        help="the --var-file given to Checkov, to read Terraform names as it did (repeatable)")
    parser.add_argument("--output-format", choices=("text", "json", "sarif"), default="text",
                        help="text (default: one line per notebook), json, or sarif (one result per notebook)")
    parser.set_defaults(correlate=run)
    return parser


def run(args: argparse.Namespace) -> int:
    try:
        declared, unparsed = read_checkov(args.checkov)
        live_by_arn: dict[str, Live] = {}
        for report in args.prowler:
            for notebook in read_prowler(report):
                known = live_by_arn.setdefault(notebook.arn, notebook)
                if known.status != notebook.status:
                    raise InputError(f"{notebook.arn}: the Prowler reports disagree ({known.status}, {notebook.status})")
        states = [s for path in args.terraform_state for s in read_state(path)]
    except InputError as exc:
        print(f"d9-rules correlate: {exc}", file=sys.stderr)
        return 2
    var_files = [os.path.abspath(f) for f in args.var_file]
    for notebook in declared:
        read_name(notebook, var_files)
    rows = correlate(declared, list(live_by_arn.values()), states)
    warnings = [f"Checkov could not parse {_shown(p)}: its notebooks are not in this correlation (a live one "
                "declared there shows as unmanaged)" for p in unparsed]
    counts = summary(rows)
    if args.output_format == "json":
        print(json.dumps({"notebooks": [_row_json(r) for r in rows], "summary": counts, "warnings": warnings},
                         indent=2))
    elif args.output_format == "sarif":
        print(json.dumps(sarif(rows), indent=2))
    else:
        for row in rows:
            print(text_line(row))
        print("d9-rules correlate: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    for warning in warnings:
        print(f"d9-rules correlate: warning: {warning}", file=sys.stderr)
    return 1 if counts["drift"] else 0
