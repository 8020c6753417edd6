"""Checkov adapter for CloudGuard rule D9.AWS.NET.49 (Terraform and CloudFormation).

Identity, name, severity, category and guideline come from metadata/D9.AWS.NET.49.yaml.
The verdict fails closed: anything that is not provably `Disabled` with a subnet FAILS
with a details line, because Checkov drops UNKNOWN results (and checks that raise)
from every report.
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import Any

import yaml
from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck as CfnCheck
from checkov.common.bridgecrew.severities import Severities
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck as TerraformCheck

RULE_FILE = "D9.AWS.NET.49.yaml"
HERE = Path(__file__).resolve().parent


def _beside(*candidates: str) -> Path:
    """metadata/ and docs/ sit beside checkov_checks/, in a checkout and in the installed d9_rules package."""
    for relative in candidates:
        if (HERE.parent / relative).is_file():
            return HERE.parent / relative
    raise RuntimeError(f"D9.AWS.NET.49: none of {candidates} found beside {HERE}")


RULE = yaml.safe_load(_beside(f"metadata/{RULE_FILE}").read_text(encoding="utf-8"))
CHECKOV = RULE["engines"]["checkov"]
PASSING = RULE["passing_value"]  # "Disabled"; the API enum is case-sensitive
# The guideline is the generated rule page shipped beside the checks (what, why, fix, frameworks,
# suppression). "file://localhost/..." because Checkov drops a SARIF helpUri without a host.
GUIDELINE = "file://localhost" + _beside(f"docs/rules/{RULE['cloudguard_id']}.md",
                                         f"docs/{RULE['cloudguard_id']}.md").as_uri()[len("file://"):]
BENCHMARKS = {f["name"]: f["controls"] for f in RULE["compliance_frameworks"]}

ABSENT = object()  # the property is not set: AWS applies its default (Enabled)


class Unresolved(Exception):
    """The engine could not tell what value AWS would receive."""


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
TF_REFERENCE_PREFIXES = ("var.", "local.", "module.", "data.", "each.", "count.", "self.", "path.", "terraform.")
_plan_unknowns: dict[str, dict[str, dict[str, Any]]] = {}


def _unwrap_tf(conf: dict[str, Any], key: str) -> Any:
    if key not in conf:
        return ABSENT
    value = conf[key]
    # Checkov wraps every attribute value in a one-element list.
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return ABSENT if value is None else value


def _after_unknown(conf: dict[str, Any]) -> dict[str, Any]:
    """`after_unknown` of this resource in a plan JSON: values known only after apply."""
    plan_file = _unwrap_tf(conf, "__file__")
    address = conf.get("__address__")
    if not isinstance(plan_file, str) or not isinstance(address, str) or "__change_actions__" not in conf:
        return {}
    if plan_file not in _plan_unknowns:
        try:
            with open(plan_file, encoding="utf-8") as handle:
                changes = json.load(handle).get("resource_changes") or []
            _plan_unknowns[plan_file] = {
                c.get("address"): (c.get("change") or {}).get("after_unknown") or {} for c in changes if isinstance(c, dict)
            }
        except (OSError, ValueError, AttributeError):
            _plan_unknowns[plan_file] = {}
    unknown = _plan_unknowns[plan_file].get(address, {})
    return unknown if isinstance(unknown, dict) else {}


TF_RESOURCE_REFERENCE = re.compile(r"^[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*(\[[^\]]*\])?\.")


def _is_tf_reference(value: str) -> bool:
    text = value.strip()
    return ("${" in text or text.startswith(TF_REFERENCE_PREFIXES) or "?" in text or "(" in text
            or bool(TF_RESOURCE_REFERENCE.match(text)))


class TerraformSource:
    """What Checkov's rendered value hides, read from its graph and the .tf source.

    Checkov evaluates `var.env == "dev" ? "Enabled" : "Disabled"` even when `env` has no value
    (the comparison is made against the text "var.env", so the else branch wins), also through
    locals, and keeps `var.x` as text when x defaults to null. Only consulted for a notebook that
    would PASS.
    """

    _cache: tuple[int, dict[str, Any], dict[tuple[str, str, str, str], Any]] | None = None
    ATTRIBUTE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=(?!=)")
    REFERENCE = re.compile(r"\b(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)")
    LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')

    def __init__(self, graph: Any, address: Any) -> None:
        self.resource: dict[str, Any] | None = None
        self.blocks: dict[tuple[str, str, str, str], Any] = {}
        if graph is None or not isinstance(address, str):
            return
        cache = TerraformSource._cache
        if cache is None or cache[0] != id(graph):
            cache = TerraformSource._cache = (id(graph), *self._index(graph))
        self.resource, self.blocks = cache[1].get(address), cache[2]

    @staticmethod
    def _scope(vertex: dict[str, Any]) -> tuple[str, str]:
        """Blocks see each other within one folder and one module instance."""
        return (os.path.dirname(str(vertex.get("file_path_"))),
                json.dumps(vertex.get("source_module_object_"), sort_keys=True, default=str))

    @classmethod
    def _index(cls, graph: Any) -> tuple[dict[str, Any], dict[tuple[str, str, str, str], Any]]:
        if hasattr(graph, "node_indexes"):  # rustworkx: payloads are (index, attributes)
            vertices = [p[1] if isinstance(p, tuple) else p for p in graph.nodes()]
        elif hasattr(graph, "nodes"):  # networkx
            vertices = [attributes for _, attributes in graph.nodes(data=True)]
        else:
            vertices = []
        resources, blocks = {}, {}
        kinds = {"variable": "var", "locals": "local"}
        for vertex in vertices:
            if not isinstance(vertex, dict):
                continue
            kind = vertex.get("block_type_")
            if kind == "resource" and vertex.get("resource_type") == RULE["resource"]["terraform"]:
                resources[vertex.get("__address__")] = vertex
            elif kind in kinds:
                blocks[(*cls._scope(vertex), kinds[kind], vertex.get("block_name_"))] = vertex
        return resources, blocks

    def block(self, kind: str, name: str) -> dict[str, Any] | None:
        return self.blocks.get((*self._scope(self.resource), kind, name)) if self.resource else None

    _files: dict[str, tuple[float, list[str]]] = {}

    @classmethod
    def _file_lines(cls, path: str) -> list[str]:
        """A .tf file's lines, read once per version of the file (many notebooks share a file)."""
        modified = os.stat(path).st_mtime
        cached = cls._files.get(path)
        if cached is None or cached[0] != modified:
            with open(path, encoding="utf-8", errors="replace") as handle:
                cached = cls._files[path] = (modified, handle.read().splitlines())
        return cached[1]

    @classmethod
    def _lines(cls, vertex: dict[str, Any] | None) -> list[str]:
        """Source lines of a resource block, or of every `locals` block of the vertex's file."""
        path = str((vertex or {}).get("file_path_", ""))
        if not path.endswith(".tf"):
            return []
        try:
            lines = cls._file_lines(path)
            if vertex.get("block_type_") != "locals":  # locals vertices carry no line numbers
                return lines[int(vertex["__start_line__"]) - 1:int(vertex["__end_line__"])]
        except (OSError, KeyError, TypeError, ValueError):
            return []
        inside, depth = [], 0
        for line in lines:
            if depth == 0 and re.match(r"^\s*locals\s*\{", line):
                depth = 1
                continue
            if depth:
                depth += line.count("{") - line.count("}")
                if depth > 0:
                    inside.append(line)
        return inside

    @classmethod
    def expression(cls, vertex: dict[str, Any] | None, key: str) -> str | None:
        """An attribute's source text in a .tf file (multi-line expressions included)."""
        lines = cls._lines(vertex)
        for number, line in enumerate(lines):
            match = cls.ATTRIBUTE.match(line)
            if match and match.group(1) == key:
                text = [line[match.end():]]
                for following in lines[number + 1:]:
                    if cls.ATTRIBUTE.match(following) or following.strip() in ("}", ""):
                        break
                    text.append(following)
                return " ".join(t.strip() for t in text)
        return None

    def doubts(self, key: str) -> list[str]:
        """Why Checkov's rendered value of the attribute cannot be trusted, following locals: variables
        without a value (no default, tfvars or module input), and padded string literals, which Checkov
        trims when it evaluates a conditional (`c ? " Disabled" : ...` renders as "Disabled")."""
        doubts, pending, seen = [], [self.expression(self.resource, key) or ""], set()
        while pending and len(seen) < 50:
            expression = pending.pop()
            doubts += [f"the literal {literal!r} is not exactly 'Disabled'" for literal in self.LITERAL.findall(expression)
                       if literal.strip() == PASSING != literal]
            for kind, name in self.REFERENCE.findall(expression):
                if (kind, name) in seen:
                    continue
                seen.add((kind, name))
                vertex = self.block(kind, name)
                if vertex is None:
                    continue
                if kind == "local":
                    pending.append(self.expression(vertex, name) or "")
                elif "default" not in vertex or (isinstance(vertex["default"], str) and _is_tf_reference(vertex["default"])):
                    doubts.append(f"var.{name} has no value")
        return doubts

    def null_variable(self, value: Any) -> bool:
        """`var.x` left as text although x's value is null or empty."""
        match = isinstance(value, str) and re.fullmatch(r"(?:\$\{)?var\.([A-Za-z_][A-Za-z0-9_-]*)\}?", value.strip())
        vertex = self.block("var", match.group(1)) if match else None
        return vertex is not None and "default" in vertex and vertex["default"] in (None, "")


class TerraformJsonValues:
    """Checkov's terraform_json runner resolves nothing: `"${var.mode}"` stays text even when the
    variable has a default. Resolve whole-value `${var.x}` / `${local.x}` as Terraform would, from
    the .tf.json files (and tfvars) of the scanned file's folder; anything else stays unresolved."""

    INTERPOLATION = re.compile(r"^\$\{\s*(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}$")
    HCL_TFVAR = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"([^"$]*)"|(null))\s*$')
    _folders: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}

    @staticmethod
    def scanned_file() -> str | None:
        """The runner does not hand the file to checks; its run_block frame has it."""
        frame = sys._getframe(1)
        for _ in range(15):
            if frame is None:
                return None
            path = frame.f_locals.get("full_file_path")
            if isinstance(path, str) and path.endswith(".tf.json"):
                return path
            frame = frame.f_back
        return None

    @staticmethod
    def _blocks(section: Any) -> list[dict[str, Any]]:
        items = section if isinstance(section, list) else [section]
        return [item for item in items if isinstance(item, dict)]

    @classmethod
    def _declarations(cls, folder: Path) -> tuple[dict[str, Any], dict[str, Any]]:
        if str(folder) in cls._folders:
            return cls._folders[str(folder)]
        values: dict[str, Any] = {}
        local_values: dict[str, Any] = {}
        for path in sorted(folder.glob("*.tf.json")):
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not isinstance(document, dict):
                continue
            for block in cls._blocks(document.get("variable")):
                values.update({n: v["default"] for n, v in block.items() if isinstance(v, dict) and "default" in v})
            for block in cls._blocks(document.get("locals")):
                local_values.update(block)
        tfvars = folder / "terraform.tfvars"
        if tfvars.is_file():
            for line in tfvars.read_text(encoding="utf-8", errors="replace").splitlines():
                match = cls.HCL_TFVAR.match(line)
                if match:
                    values[match.group(1)] = None if match.group(3) else match.group(2)
        for path in [folder / "terraform.tfvars.json", *sorted(folder.glob("*.auto.tfvars.json"))]:
            try:
                document = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
            except (OSError, ValueError):
                continue
            values.update(document if isinstance(document, dict) else {})
        cls._folders[str(folder)] = (values, local_values)
        return values, local_values

    @classmethod
    def resolve(cls, conf: dict[str, Any], path: str) -> dict[str, Any]:
        values, local_values = cls._declarations(Path(path).parent)
        resolved = dict(conf)
        for key in (TF_KEY, TF_SUBNET):
            value = _unwrap_tf(conf, key)
            for _ in range(10):  # locals may refer to variables or other locals
                match = cls.INTERPOLATION.match(value) if isinstance(value, str) else None
                table = values if match and match.group(1) == "var" else local_values
                if not match or match.group(2) not in table:
                    break
                value = table[match.group(2)]
            if value is not ABSENT:
                resolved[key] = [value]
        return resolved


def evaluate_terraform(conf: dict[str, Any], source: TerraformSource | None = None) -> tuple[bool, str]:
    unknown = _after_unknown(conf)
    value = _unwrap_tf(conf, TF_KEY)
    values, unresolved = [value], None
    if unknown.get(TF_KEY) is True:
        unresolved = "known only after apply"
    elif isinstance(value, str) and value != PASSING and _is_tf_reference(value):
        unresolved = f"expression {value!r}"
    elif value is not ABSENT and not isinstance(value, str):
        unresolved = f"a {_type_name(value)} {_describe(value)} where a string is expected"

    subnet = _unwrap_tf(conf, TF_SUBNET)
    subnet_problem = None
    if subnet is ABSENT or (isinstance(subnet, str) and not subnet.strip()):
        if unknown.get(TF_SUBNET) is not True:  # known only after apply still means "set"
            subnet_problem = "subnet_id is not set"
    elif not isinstance(subnet, str):
        subnet_problem = f"subnet_id is {_describe(subnet)}, not a subnet ID or reference"

    if source is not None and unresolved is None and subnet_problem is None and value == PASSING:
        doubts = source.doubts(TF_KEY)
        if doubts:
            expression = source.expression(source.resource, TF_KEY)
            unresolved = f"{'; '.join(doubts)}, so the expression {expression!r} is not known to be 'Disabled'"
        elif source.null_variable(subnet):
            subnet_problem = f"subnet_id is {subnet}, whose value is null"
    return judge(values, unresolved, subnet_problem, TF_KEY)


# ---------------------------------------------------------------- CloudFormation (YAML/JSON, CDK, Serverless)

CFN_KEY, CFN_SUBNET = "DirectInternetAccess", "SubnetId"


def _intrinsic(value: Any) -> tuple[str, Any] | None:
    """(function, arguments) of a one-key intrinsic; Checkov's JSON loader adds __file__/__startline__ keys."""
    if not isinstance(value, dict):
        return None
    keys = [k for k in value if not (isinstance(k, str) and k.startswith("__") and k.endswith("__"))]
    return (keys[0], value[keys[0]]) if len(keys) == 1 and isinstance(keys[0], str) else None


def _cfn_values(value: Any) -> list[Any]:
    """Every value AWS could receive for a string property, or Unresolved."""
    if value is None:
        return [ABSENT]
    if isinstance(value, str):
        if "${" in value:  # Serverless/SAM variable the engine left unresolved
            raise Unresolved(f"variable {value!r}")
        return [value]
    intrinsic = _intrinsic(value)
    if intrinsic:
        function, args = intrinsic
        if function == "Ref" and args == "AWS::NoValue":
            return [ABSENT]
        if function == "Fn::If" and isinstance(args, list) and len(args) == 3:
            return _cfn_values(args[1]) + _cfn_values(args[2])
        if function == "Fn::Sub" and isinstance(args, str) and "${" not in args:
            return [args]
        if function == "Fn::Join" and isinstance(args, list) and len(args) == 2 and isinstance(args[1], list) \
                and all(isinstance(p, str) for p in [args[0], *args[1]]):
            return [args[0].join(args[1])]
        if function == "Fn::Select" and isinstance(args, list) and len(args) == 2 and isinstance(args[1], list) \
                and str(args[0]).isdigit() and int(args[0]) < len(args[1]):
            return _cfn_values(args[1][int(args[0])])
        raise Unresolved(f"{function} {_describe(args)}")
    raise Unresolved(f"a {_type_name(value)} {_describe(value)} where a string is expected")


def _cfn_subnet_problem(subnet: Any) -> str | None:
    if subnet is None or (isinstance(subnet, str) and not subnet.strip()):
        return "SubnetId is not set"
    if isinstance(subnet, str):
        return None
    intrinsic = _intrinsic(subnet)
    if intrinsic:
        function, args = intrinsic
        if function == "Ref" and args == "AWS::NoValue":
            return "SubnetId is AWS::NoValue"
        if function == "Fn::If" and isinstance(args, list) and len(args) == 3:
            problems = [p for p in (_cfn_subnet_problem(args[1]), _cfn_subnet_problem(args[2])) if p]
            return f"{problems[0]} in one Fn::If branch" if problems else None
        if function.startswith("Fn::") or function == "Ref":
            return None  # Ref, Fn::ImportValue, Fn::GetAtt, ...: a reference counts as set
    return f"SubnetId is {_describe(subnet)}, not a subnet ID or reference"


def evaluate_cloudformation(conf: dict[str, Any]) -> tuple[bool, str]:
    properties = conf.get("Properties")
    if properties is None:
        properties = {}
    if not isinstance(properties, dict):
        return False, f"Properties is {_describe(properties)}, not a mapping; {CFN_KEY} cannot be read"
    values, unresolved = None, None
    try:
        values = _cfn_values(properties.get(CFN_KEY))
    except Unresolved as exc:
        unresolved = str(exc)
    return judge(values, unresolved, _cfn_subnet_problem(properties.get(CFN_SUBNET)), CFN_KEY)


# ---------------------------------------------------------------- Checkov classes (one ID, two registries)

def _carry_details_into_records() -> None:
    """Checkov's CloudFormation and Serverless runners do not copy `check.details` and
    `check.benchmarks` into the report (Terraform's does). Our checks also put the reason into
    the check result; this hands both to the report record when the runner passed none."""
    from checkov.common.output.record import Record

    if getattr(Record.__init__, "_d9_details", False):
        return
    original = Record.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        result = kwargs.get("check_result")
        if not self.details and isinstance(result, dict) and result.get(DETAILS_KEY):
            self.details = list(result[DETAILS_KEY])
        if self.check_id == CHECKOV["id"] and not self.benchmarks:
            self.benchmarks = BENCHMARKS

    __init__._d9_details = True  # type: ignore[attr-defined]
    Record.__init__ = __init__  # type: ignore[method-assign]


DETAILS_KEY = "d9_details"
_carry_details_into_records()


class _RuleIdentity:
    def _apply_metadata(self) -> None:
        self.severity = Severities[RULE["severity"].upper()]
        self.benchmarks = BENCHMARKS

    def run(self, *args: Any, **kwargs: Any) -> Any:
        check_result = super().run(*args, **kwargs)  # type: ignore[misc]
        if self.details:
            check_result[DETAILS_KEY] = list(self.details)
        return check_result

    def _verdict(self, evaluate: Any, conf: dict[str, Any], keys: list[str]) -> CheckResult:
        self.evaluated_keys = keys
        try:
            passed, why = evaluate(conf)
        except Exception as exc:  # never UNKNOWN: Checkov would hide the resource
            logging.warning("%s: unexpected resource shape, failing closed", CHECKOV["id"], exc_info=True)
            passed, why = False, f"the resource could not be evaluated ({type(exc).__name__}); failing closed"
        if not passed:
            self.details.append(why)
        return CheckResult.PASSED if passed else CheckResult.FAILED


_COMMON = dict(
    name=RULE["title"],
    id=CHECKOV["id"],
    categories=[CheckCategories[CHECKOV["category"]]],
    guideline=GUIDELINE,
)


class SageMakerNotebookDirectInternetTerraform(_RuleIdentity, TerraformCheck):
    def __init__(self) -> None:
        super().__init__(supported_resources=[RULE["resource"]["terraform"]], **_COMMON)
        self._apply_metadata()

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        scanned_json = TerraformJsonValues.scanned_file() if "__address__" not in conf else None

        def evaluate(resource: dict[str, Any]) -> tuple[bool, str]:
            if scanned_json:
                resource = TerraformJsonValues.resolve(resource, scanned_json)
            passed, why = evaluate_terraform(resource)
            if passed and "__change_actions__" not in resource:  # HCL/JSON: values Checkov may have guessed
                passed, why = evaluate_terraform(resource, TerraformSource(self.graph, resource.get("__address__")))
            return passed, why

        return self._verdict(evaluate, conf, [TF_KEY, TF_SUBNET])


class SageMakerNotebookDirectInternetCloudFormation(_RuleIdentity, CfnCheck):
    def __init__(self) -> None:
        super().__init__(supported_resources=[RULE["resource"]["cloudformation"]], **_COMMON)
        self._apply_metadata()

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return self._verdict(evaluate_cloudformation, conf, [f"Properties/{CFN_KEY}", f"Properties/{CFN_SUBNET}"])


terraform_check = SageMakerNotebookDirectInternetTerraform()
cloudformation_check = SageMakerNotebookDirectInternetCloudFormation()
