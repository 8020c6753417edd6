"""Checkov's internals as D9.AWS.NET.49 reads them: the one adapter (issue 15). Every read of Checkov's runner
frames, their locals and attributes, its graph, its report records and python-hcl2's parser goes through this
file; the evaluators below it see only files and values.

Checkov hands a check only the rendered resource. The runners' frames hold the rest: the scan's RunnerFilter
(its --var-file list, and the identity of one scan), the scanned root, a .tf.json resource's file and name, a
CloudFormation template's path, the notebook's logical ID and the lines scanned. self_test() runs when the
folder loads, and a look-up that misses (another Checkov release, another runner, a call from outside a scan)
is a reason to fail closed, never a fallback to Checkov's rendered values. Also here: the capture of
Checkov's own HCL parse during a scan that runs the rule, the hand-over of the details line to this rule's
report records, and the state one scan owns (ScanState).

Imports the evaluators. Loaded by d9_aws_net_49_siblings.py; it registers no check.
"""
from __future__ import annotations

import inspect
import json
import os
import sys
from typing import Any, NamedTuple

if __package__:  # imported through the folder's package (d9_aws_net_49_siblings); Checkov also executes it alone
    from . import d9_aws_net_49_cloudformation_sources as cloudformation_sources
    from . import d9_aws_net_49_terraform as terraform


# ---------------------------------------------------------------- python-hcl2's parser: Checkov's parse, read once

class _CapturingParser:
    """Stands in for python-hcl2's Lark parser during the parse of a Terraform scan that runs this rule, and
    keeps what the evaluator reads of each text Checkov parses anyway (only texts that declare a notebook; the
    blocks and their expressions' ASTs, never the Lark tree), keyed by the exact text, so tracing does not
    parse those files a second time. Only a speed-up: a file not kept is parsed again by the same parser.
    Installed when the folder loads in such a scan's Terraform runner (before Checkov parses) and removed when the rule first judges a notebook of it (after Checkov parsed) or when the
    folder loads for a Terraform scan that does not run the rule: it never outlives one scan's parse."""

    LIMIT = 16 * 1024 * 1024  # characters of source whose blocks are kept

    def __init__(self, parser: Any, marker: str) -> None:
        self._d9_parser, self.marker = parser, marker
        self.parsed: dict[str, Any] = {}
        self.size = 0

    def parse(self, text: str, *args: Any, **kwargs: Any) -> Any:
        tree = self._d9_parser.parse(text, *args, **kwargs)
        if isinstance(text, str) and self.marker in text and self.size + len(text) <= self.LIMIT:
            try:
                self.parsed[text] = terraform.hcl_blocks(tree, text)
                self.size += len(text)
            except Exception:  # e.g. a heredoc Terraform reads otherwise: the evaluator parses it again and says so
                pass
        return tree

    def __getattr__(self, name: str) -> Any:
        return getattr(self._d9_parser, name)


def _loading_terraform_scan() -> tuple[bool, Any]:
    """(True, its RunnerFilter) when this folder is being loaded by Checkov's Terraform runner (its `run`
    frame, a few frames up, holds `self` with check_type "terraform" and the `runner_filter`)."""
    frame = sys._getframe(1)
    while frame is not None:
        local_names = frame.f_locals
        if "runner_filter" in local_names and getattr(local_names.get("self"), "check_type", None) == "terraform":
            return True, local_names["runner_filter"]
        frame = frame.f_back
    return False, None


def capture_parse_for_scan(resource_type: str, check_id: str) -> None:
    """At the folder's load: capture the parse of a Terraform scan that runs `check_id`, and drop a capture
    left by an earlier scan otherwise. Loads by other runners change nothing (in Checkov's thread mode they
    load while the Terraform runner parses)."""
    try:
        from hcl2.parser import Hcl2
    except ImportError:  # pragma: no cover - Checkov always ships python-hcl2
        return
    terraform, runner_filter = _loading_terraform_scan()
    if not terraform:
        return
    try:
        wanted = runner_filter is None or bool(runner_filter.should_run_check(check_id=check_id))
    except Exception:  # an unknown RunnerFilter: capture, as a scan that runs every check would
        wanted = True
    current = Hcl2.lark_parser
    # duck-typed: the installed capture may come from another copy of this folder
    original = getattr(current, "_d9_parser", current)
    Hcl2.lark_parser = _CapturingParser(original, resource_type) if wanted else original


def release_parse_capture() -> dict[str, Any]:
    """Removes the capture (Checkov's parse of the scan is over once the rule judges) and hands its files over."""
    try:
        from hcl2.parser import Hcl2
    except ImportError:  # pragma: no cover
        return {}
    current = Hcl2.lark_parser
    original = getattr(current, "_d9_parser", None)
    if original is None:
        return {}
    Hcl2.lark_parser = original
    parsed = getattr(current, "parsed", None)
    return parsed if isinstance(parsed, dict) else {}


# ---------------------------------------------------------------- Terraform: the scan in progress, its graph and module calls

def runner_filter() -> Any:
    """The RunnerFilter nearest on the stack (the registry's scan has it, a few frames up); reading every
    frame's locals to the top costs more than the check itself."""
    frame = sys._getframe(1)
    while frame is not None:
        candidate = frame.f_locals.get("runner_filter")
        if candidate is not None and hasattr(candidate, "var_files"):
            return candidate
        frame = frame.f_back
    return None


def terraform_graph() -> Any:
    """The graph Checkov's terraform runner chose for the file it is scanning, or why it cannot be read. Asked
    of the runner itself (its run_block frame: `self` and `scanned_file`), with Checkov's own choice among its
    graphs, never of the check's `graph` attribute: the terraform and terraform_plan runners share one check
    registry, and in thread mode (the default on macOS and Windows) each assigns its own graph to that
    registry, and so to the check, while the other runner's notebooks are being judged."""
    if isinstance(TERRAFORM_RUN_BLOCK, str):
        return TERRAFORM_RUN_BLOCK
    frame = sys._getframe(1)
    for _ in range(FRAME_SEARCH_DEPTH):
        if frame is None:
            break
        if frame.f_code is TERRAFORM_RUN_BLOCK:
            runner, scanned_file = frame.f_locals.get("self"), frame.f_locals.get("scanned_file")
            choose = getattr(runner, "_assign_correct_graph_to_registry", None)
            if not (callable(choose) and isinstance(scanned_file, str)):
                return "Checkov's terraform runner does not choose its graph where the rule reads it"
            chosen = _ChosenGraph()
            choose(chosen, scanned_file)  # Checkov's choice, made on a stand-in for the shared registry
            return chosen.graph
        frame = frame.f_back
    return "Checkov's terraform runner was not found on the call stack, so the notebook's graph is unknown"


class _ChosenGraph:
    """Receives the graph Checkov's terraform runner assigns to a registry."""
    graph: Any = None


def scan_root() -> str | None:
    """The folder Checkov was asked to scan (its runner's `root_folder`)."""
    frame = sys._getframe(1)
    while frame is not None:
        candidate = frame.f_locals.get("root_folder")
        if isinstance(candidate, str) and candidate:
            return candidate
        frame = frame.f_back
    return None


def json_resource(resource_type: str) -> tuple[str, str] | None:
    """(file, resource name) of the .tf.json resource being scanned: Checkov's terraform_json runner hands
    neither to checks; its run_block frame holds both."""
    frame = sys._getframe(1)
    while frame is not None:
        local_names = frame.f_locals
        path, entity = local_names.get("full_file_path"), local_names.get("entity")
        if isinstance(path, str) and path.endswith(".tf.json") and isinstance(entity, dict):
            named = entity.get(resource_type)
            if isinstance(named, dict) and len(named) == 1:
                return path, next(iter(named))
            return None
        frame = frame.f_back
    return None


def _var_files(found: Any) -> list[str]:
    files: list[str] = []
    for path in getattr(found, "var_files", None) or []:
        path = os.path.abspath(path)
        if path not in files:
            files.append(path)
    return files


class ScanState:
    """Everything the rule keeps during one Checkov scan (one RunnerFilter, held here so that an identity test
    cannot match a newer one at a reused address): the scan's --var-file list and root, the Terraform
    evaluator's Scan (modules, root instances, module-call index, the files of Checkov's parse it kept), the
    CloudFormation sources read, the Kubernetes files re-read, the plans read and the graph index. A new scan
    gets a new state: nothing survives it but the evaluator's content-keyed cache of parsed modules."""

    def __init__(self, token: Any) -> None:
        self.token = token
        self.var_files = _var_files(token)
        self.terraform = terraform.Scan(scan_root())
        self.parsed_taken = False
        self.sources = cloudformation_sources.Sources()
        self.kubernetes: dict[str, Any] = {}
        self.plans: dict[str, Any] = {}
        self._vertices: tuple[Any, dict[str, dict[str, Any]]] | None = None

    def vertex(self, graph: Any, resource_type: str, address: str) -> dict[str, Any] | None:
        """The graph vertex of a resource (its file and module path), indexed once per graph. The index holds
        the graph itself, so an identity test cannot match a newer graph at the same address."""
        if graph is None:
            return None
        if self._vertices is None or self._vertices[0] is not graph:
            self._vertices = (graph, resource_vertices(graph, resource_type))
        return self._vertices[1].get(address)


_state: ScanState | None = None


def current_scan(hcl: bool = False) -> ScanState:
    """The state of the scan in progress. `hcl`: asked for a notebook of the terraform runner, whose parse is
    then over: the files kept from it are taken over (not for the terraform_json runner, which in thread mode can
    run while the terraform runner still parses)."""
    global _state
    token = runner_filter()
    state = _state
    if state is None or token is None or state.token is not token:
        state = _state = ScanState(token)
    if hcl and not state.parsed_taken:
        state.terraform.parsed, state.parsed_taken = release_parse_capture(), True
    return state


def resource_vertices(graph: Any, resource_type: str) -> dict[str, dict[str, Any]]:
    """address -> attributes of each vertex of `resource_type` in Checkov's graph (rustworkx or networkx)."""
    if hasattr(graph, "node_indexes"):  # rustworkx: payloads are (index, attributes)
        vertices = [p[1] if isinstance(p, tuple) else p for p in graph.nodes()]
    elif hasattr(graph, "nodes"):  # networkx
        vertices = [attributes for _, attributes in graph.nodes(data=True)]
    else:
        vertices = []
    return {v.get("__address__"): v for v in vertices if isinstance(v, dict) and v.get("block_type_") == "resource"
            and v.get("resource_type") == resource_type}


def module_callers(source_module: Any) -> list[str]:
    """Files of the module calls that lead to a resource, innermost first, from Checkov's source_module_object_."""
    if isinstance(source_module, str):
        source_module = json.loads(source_module) if source_module.strip() else None
    callers = []
    while source_module is not None:
        if isinstance(source_module, dict):  # serialized
            callers.append(str(source_module.get("path")))
            source_module = source_module.get("nested_tf_module")
        else:  # checkov.terraform.modules.module_objects.TFModule
            callers.append(str(getattr(source_module, "path")))
            source_module = getattr(source_module, "nested_tf_module", None)
    return callers


# ---------------------------------------------------------------- CloudFormation and Serverless: the runner's frame

# Checkov hands a CloudFormation check only the rendered resource. Its runners' frames hold the rest: the
# template's path, the notebook's logical ID, the lines scanned and the scan root. Every read of Checkov's
# internals goes through this section; self_test() runs when the check loads, and a look-up that misses
# (another Checkov release, another runner, a call from outside a scan) is a reason to fail closed, never a
# fallback to Checkov's rendered values.

FRAME_SEARCH_DEPTH = 40  # frames between the runner's method and the check (about 6 in Checkov 3.2/3.3)


class RunnerFrame(NamedTuple):
    module: str
    method: str  # the Runner method whose frame calls the checks
    local_names: tuple[str, ...]  # the locals read from that frame
    attributes: tuple[str, ...]  # the Runner attributes read (set in its __init__ or run)


RUNNER_FRAMES = {
    "cloudformation": RunnerFrame("checkov.cloudformation.runner", "check_definitions",
                                  ("self", "root_folder", "file_abs_path", "resource_name", "resource"),
                                  ("definitions_raw",)),
    "serverless": RunnerFrame("checkov.serverless.runner", "cfn_resources_checks",
                              ("self", "sls_file", "resource_name", "resource"), ("root_folder",)),
}


class RunnerScope(NamedTuple):
    """What Checkov's runner knows about the notebook it hands the check."""
    framework: str  # a key of RUNNER_FRAMES
    runner: Any  # the Runner object (identifies one scan)
    path: str  # the template, or serverless.yml
    name: str  # the notebook's logical ID
    lines: list[Any] | None  # the template's lines as the runner scanned them (CloudFormation only)
    root: str | None  # the scanned folder (-d), None for -f


def _runner_code(frame: RunnerFrame) -> Any:
    """The code object of the runner method, or why it is not there."""
    import importlib
    try:
        module = importlib.import_module(frame.module)
    except Exception as exc:  # noqa: BLE001 - any import failure means the adapter cannot work
        return f"{frame.module} cannot be imported ({type(exc).__name__})"
    runner = getattr(module, "Runner", None)
    code = getattr(getattr(runner, frame.method, None), "__code__", None)
    if code is None:
        return f"{frame.module}.Runner.{frame.method} is missing"
    missing = [n for n in frame.local_names if n not in code.co_varnames]
    if missing:
        return f"{frame.module}.Runner.{frame.method} has no local {', '.join(missing)}"
    assigned: set[str] = set()
    for method in ("__init__", "run"):
        assigned |= set(getattr(getattr(getattr(runner, method, None), "__code__", None), "co_names", ()))
    missing = [n for n in frame.attributes if n not in assigned]
    if missing:
        return f"{frame.module}.Runner sets no attribute {', '.join(missing)}"
    return code


def self_test() -> tuple[dict[Any, str], str]:
    """({runner method code: framework}, "" or why the adapter cannot read this Checkov release)."""
    codes, problems = {}, []
    for framework, frame in RUNNER_FRAMES.items():
        found = _runner_code(frame)
        if isinstance(found, str):
            problems.append(found)
        else:
            codes[found] = framework
    return codes, "; ".join(problems)


RUNNER_CODES, INTERNALS_PROBLEM = self_test()
# the terraform runner's method that hands HCL notebooks to checks (terraform_graph), or why it is not there
TERRAFORM_RUN_BLOCK = _runner_code(RunnerFrame("checkov.terraform.runner", "run_block", ("self", "scanned_file"),
                                               ("all_graphs",)))


def runner_scope(conf: Any) -> RunnerScope | str:
    """The Scope of the runner that handed `conf` to the check, or why it cannot be found."""
    if INTERNALS_PROBLEM:
        return f"this Checkov release lacks the runner internals the rule reads ({INTERNALS_PROBLEM})"
    frame = sys._getframe(1)
    for _ in range(FRAME_SEARCH_DEPTH):
        if frame is None:
            break
        framework = RUNNER_CODES.get(frame.f_code)
        if framework is not None:
            return _scope(framework, frame.f_locals, conf)
        frame = frame.f_back
    return ("Checkov's CloudFormation or Serverless runner was not found on the call stack (another Checkov "
            "release or runner, or a call from outside a scan), so the notebook's template is unknown")


def _scope(framework: str, scope: dict[str, Any], conf: Any) -> RunnerScope | str:
    if scope.get("resource") is not conf:
        return f"Checkov's {framework} runner is scanning another resource than the one judged"
    runner = scope.get("self")
    if framework == "cloudformation":
        path, root = scope.get("file_abs_path"), scope.get("root_folder")
        raw = getattr(runner, "definitions_raw", None)
        lines = raw.get(path) if isinstance(raw, dict) else None
    else:
        path, root, lines = scope.get("sls_file"), getattr(runner, "root_folder", None), None
    name = scope.get("resource_name")
    if not (isinstance(path, str) and isinstance(name, str)) or (framework == "cloudformation"
                                                                 and not isinstance(lines, list)):
        return (f"Checkov's {framework} runner does not hold the file, the notebook's logical ID and the "
                "scanned lines where the rule reads them")
    return RunnerScope(framework, runner, path, name, lines, root if isinstance(root, str) else None)


# ---------------------------------------------------------------- finding the notebook's template

def scanned_resource(conf: dict[str, Any], sources: Any) -> tuple[Any, Any] | str:
    """The notebook's Properties as written in its template (or serverless.yml) and the template, or
    why the rule cannot judge it as deployed. `sources`: the scan's cloudformation_sources.Sources."""
    scope = runner_scope(conf)
    if isinstance(scope, str):
        return scope
    if scope.framework == "serverless":
        return cloudformation_sources.serverless_resource(scope.path, scope.name, conf, sources)
    assert scope.lines is not None
    template = cloudformation_sources.template_as_scanned(scope.path, scope.lines, scope.root, sources)
    if isinstance(template, str):
        return template
    written = template.resources.get(scope.name)
    if not isinstance(written, dict) or written.get("Type") != conf.get("Type"):
        return f"the notebook {scope.name} is not in {scope.path} as Checkov reported it"
    if template.problem:
        return template.problem
    properties = written.get("Properties")
    return ({} if properties is None else properties), template


# ---------------------------------------------------------------- report records (CloudFormation, Serverless, Kubernetes)

def record_being_built(frame: Any) -> Any:
    """The Record a runner is building in `frame`, or None. Checkov's CloudFormation, Serverless and Kubernetes
    runners copy neither a check's `details` nor its `benchmarks` into the record (Terraform's copies both,
    .tf.json and plan only the details); each of them, as Terraform's, reads `check.guideline` right after
    building the record, as `record.set_guideline(check.guideline)`: the record is then the local `record`."""
    record = frame.f_locals.get("record") if frame is not None else None
    return record if hasattr(record, "check_result") and hasattr(record, "details") else None


# ---------------------------------------------------------------- Kubernetes: the arguments of a check's run()

def _run_arguments_problem() -> str:
    """The Kubernetes check reads the manifest's file from Checkov's run(scanned_file, entity_configuration, ...)
    arguments; checked when the check loads ("" when they are where it reads them)."""
    from checkov.kubernetes.checks.resource.base_spec_check import BaseK8Check
    try:
        names = list(inspect.signature(BaseK8Check.run).parameters)[1:3]
    except (TypeError, ValueError):
        names = []
    return "" if names == ["scanned_file", "entity_configuration"] else (
        f"this Checkov release passes {names} to a check's run(), not (scanned_file, entity_configuration)")


KUBERNETES_RUN_PROBLEM = _run_arguments_problem()
