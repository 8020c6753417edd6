"""Checkov checks for CloudGuard rule D9.AWS.NET.49 (Terraform, CloudFormation and Kubernetes): the classes
Checkov registers, a thin judge over what the evaluators of this folder prove.

Self-contained: everything it reads at import and scan time is a .py file of this folder (identity, title,
severity, guideline and frameworks in the generated d9_aws_net_49_rule_data.py; the files and their jobs are
listed in d9_aws_net_49_siblings.py), so the folder works copied anywhere, pulled with --external-checks-git,
and signed with --external-checks-public-key. The verdict fails closed: anything that is not provably
`Disabled` with a subnet FAILS with a details line, because Checkov drops UNKNOWN results (and checks that
raise) from every report.
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
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


def _process_lock() -> Any:
    """One lock per process, shared by every copy of this folder. Checkov executes this file once per runner,
    and in its thread mode (the default on macOS and Windows) the runners load the folder concurrently in one
    process. It lives in sys.modules, the one registry all executions share; `setdefault` is atomic, so exactly
    one holder (its lock already set) wins. The holder's only contract, kept by every version of this file:
    `.lock`."""
    holder = types.ModuleType("d9_aws_net_49_load_lock", "D9.AWS.NET.49: serialises loading of its check folders")
    holder.lock = threading.RLock()  # type: ignore[attr-defined]
    return sys.modules.setdefault(holder.__name__, holder).lock


_LOAD_LOCK = _process_lock()


def _folder_package() -> Any:
    """This folder as a package (its __init__ is d9_aws_net_49_siblings.py, the table of its files and their
    loader), under a name unique to the folder's path; published in sys.modules only once it executed."""
    name = "d9_aws_net_49__" + hashlib.sha256(str(HERE).encode("utf-8")).hexdigest()[:12]
    package = sys.modules.get(name)
    if package is None:
        spec = importlib.util.spec_from_file_location(name, HERE / "d9_aws_net_49_siblings.py",
                                                      submodule_search_locations=[str(HERE)])
        if spec is None or spec.loader is None or not (HERE / "d9_aws_net_49_siblings.py").is_file():
            raise ImportError(f"D9.AWS.NET.49: d9_aws_net_49_siblings.py is missing from {HERE}; copy the whole folder")
        package = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(package)
        sys.modules[name] = package
    return package


with _LOAD_LOCK:
    siblings = _folder_package()
    rule_data = siblings.load("d9_aws_net_49_rule_data")
    verdict = siblings.load("d9_aws_net_49_verdict")
    terraform = siblings.load("d9_aws_net_49_terraform")
    cloudformation = siblings.load("d9_aws_net_49_cloudformation")
    kubernetes = siblings.load("d9_aws_net_49_kubernetes")
    adapter = siblings.load("d9_aws_net_49_checkov_adapter")
    # reuse Checkov's own HCL parse in a Terraform scan that runs this rule (a speed-up)
    adapter.capture_parse_for_scan(rule_data.TERRAFORM_RESOURCE, rule_data.CHECKOV_ID)

CHECKOV_ID = rule_data.CHECKOV_ID
TERRAFORM_RESOURCE, CLOUDFORMATION_RESOURCE = rule_data.TERRAFORM_RESOURCE, rule_data.CLOUDFORMATION_RESOURCE


_EVALUATION_LOCK = threading.RLock()  # this folder copy's scan state (adapter.current_scan) has one user at a time
_THREAD = threading.local()


def _thread_details() -> dict[int, list[str]]:
    """This thread's details lists, per check object."""
    table = getattr(_THREAD, "details", None)
    if table is None:
        table = _THREAD.details = {}
    return table


class _RuleIdentity:
    """What the three check classes share: identity, severity, benchmarks, the fail-closed verdict, and the
    hand-over of the details line to this rule's report records."""

    _guideline: str | None = None
    _PENDING_LIMIT = 4096  # results whose record was never built (a Checkov that reads no guideline)

    def _apply_metadata(self) -> None:
        self.severity = Severities[rule_data.SEVERITY]
        self.benchmarks = rule_data.BENCHMARKS
        self._pending: dict[int, tuple[dict[str, Any], list[str]]] = {}

    # Checkov keeps a check's details on the check object, and in its thread mode the runners that share a
    # registry (terraform and terraform_plan) run the same check object at once: each thread has its own list,
    # so a runner copies the details of the notebook it judged, never another runner's.
    @property
    def details(self) -> list[str]:
        return _thread_details().setdefault(id(self), [])

    @details.setter
    def details(self, value: list[str]) -> None:
        _thread_details()[id(self)] = value

    def run(self, *args: Any, **kwargs: Any) -> Any:
        with _EVALUATION_LOCK:  # one notebook at a time: the scan's state and caches are shared by the runners
            check_result = super().run(*args, **kwargs)  # type: ignore[misc]
            if len(self._pending) >= self._PENDING_LIMIT:
                self._pending.clear()
            # keyed by the result's identity (the result is held, so the key cannot be reused meanwhile)
            self._pending[id(check_result)] = (check_result, list(self.details))
        return check_result

    @property
    def guideline(self) -> str | None:
        """Read by every runner right after it built a record of this check (adapter.record_being_built): only
        a record of this check, holding a result this check returned, gets the details and benchmarks the
        runner did not copy; nothing else is touched (no class of Checkov is patched)."""
        self._complete_record(adapter.record_being_built(sys._getframe(1)))
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
            record.benchmarks = rule_data.BENCHMARKS

    def _verdict(self, evaluate: Callable[[dict[str, Any]], tuple[bool, str]], conf: dict[str, Any],
                 keys: list[str]) -> CheckResult:
        self.evaluated_keys = keys
        try:
            passed, why = evaluate(conf)
        except Exception as exc:  # never UNKNOWN: Checkov would hide the resource
            logging.warning("%s: unexpected resource shape, failing closed", CHECKOV_ID, exc_info=True)
            passed, why = False, f"the resource could not be evaluated ({type(exc).__name__}); failing closed"
        if not passed:
            self.details.append(why)
        return CheckResult.PASSED if passed else CheckResult.FAILED


def _unlocated(why: str) -> Callable[[], Any]:
    def locate() -> Any:
        raise terraform.Unproven(why)
    return locate


_COMMON = dict(
    name=rule_data.TITLE,
    id=CHECKOV_ID,
    categories=[CheckCategories[rule_data.CATEGORY]],
    guideline=rule_data.GUIDELINE,  # Check Point's public rule page: also the SARIF helpUri
)


class SageMakerNotebookDirectInternetTerraform(_RuleIdentity, TerraformCheck):
    """Frameworks terraform, terraform_json and terraform_plan (one registry)."""

    def __init__(self) -> None:
        super().__init__(supported_resources=[TERRAFORM_RESOURCE], **_COMMON)
        self._apply_metadata()

    def _locator(self, conf: dict[str, Any]) -> Callable[[], Any] | None:
        """How to find the notebook in the rule's own reading of the source, or None when Checkov did not say
        where it is."""
        resource_type = TERRAFORM_RESOURCE
        address = conf.get("__address__")
        if isinstance(address, str):  # terraform (HCL)
            scan = adapter.current_scan(hcl=True)
            graph = adapter.terraform_graph()
            if isinstance(graph, str):
                return _unlocated(graph)
            vertex = scan.vertex(graph, resource_type, address)
            if vertex is None:
                return None
            return lambda: terraform.locate(
                str(vertex.get("file_path_")), resource_type, address,
                adapter.module_callers(vertex.get("source_module_object_")), scan.var_files, scan=scan.terraform)
        found = adapter.json_resource(resource_type)  # terraform_json
        if found is None:
            return None
        path, name = found
        scan = adapter.current_scan()
        # the terraform_json runner follows no module call: a caller in a .tf or .tf.json file is not seen
        return lambda: terraform.locate(path, resource_type, f"{resource_type}.{name}", [], scan.var_files,
                                        caller_suffixes=(".tf", ".tf.json"), scan=scan.terraform)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        keys = [terraform.TF_KEY, terraform.TF_SUBNET]
        if "__change_actions__" in conf:  # a plan holds Terraform's own values
            plans = adapter.current_scan().plans
            return self._verdict(lambda resource: terraform.evaluate_plan(resource, plans), conf, keys)
        locate = self._locator(conf)
        return self._verdict(lambda resource: terraform.evaluate_terraform(resource, locate), conf, keys)


class SageMakerNotebookDirectInternetCloudFormation(_RuleIdentity, CfnCheck):
    """Frameworks cloudformation and serverless (its `resources`; one registry)."""

    def __init__(self) -> None:
        super().__init__(supported_resources=[CLOUDFORMATION_RESOURCE], **_COMMON)
        self._apply_metadata()

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        # the notebook as written in its template, or why it cannot be found: never Checkov's rendered values
        sources = adapter.current_scan().sources
        return self._verdict(lambda resource: cloudformation.evaluate_cloudformation(
            resource, adapter.scanned_resource(resource, sources)),
            conf, [f"Properties/{cloudformation.CFN_KEY}", f"Properties/{cloudformation.CFN_SUBNET}"])


class SageMakerNotebookDirectInternetKubernetes(_RuleIdentity, KubernetesCheck):
    """Frameworks kubernetes, kustomize and helm (the last two render, then share this registry)."""

    def __init__(self) -> None:
        super().__init__(supported_entities=[rule_data.KUBERNETES_KIND], **_COMMON)
        self._apply_metadata()

    def run(self, *args: Any, **kwargs: Any) -> Any:
        conf = kwargs.get("entity_configuration", args[1] if len(args) > 1 else None)
        with _EVALUATION_LOCK:  # the kubernetes, kustomize and helm runners share this object: one file at a time
            self._scanned_file = kwargs.get("scanned_file", args[0] if args else None)
            if kubernetes.kubernetes_api(conf) is None:
                # Another API group's NotebookInstance is not a SageMaker notebook. UNKNOWN is the one result
                # Checkov leaves out of every report; answering before the skip annotations are read keeps
                # such a resource out even when it carries this rule's skip annotation.
                self.details = []
                return {"result": CheckResult.UNKNOWN}
            return super().run(*args, **kwargs)

    def scan_spec_conf(self, conf: dict[str, Any]) -> CheckResult:
        found = kubernetes.kubernetes_api(conf)
        layout = found[2]["layout"] if found else None
        keys = ([f"spec/{kubernetes.K8S_KEY}", f"spec/{kubernetes.ACK_SUBNET}"] if layout == "ack" else
                [f"spec/{block}/{name}" for block in ("forProvider", "initProvider")
                 for name in (kubernetes.K8S_KEY, *kubernetes.CROSSPLANE_SUBNETS)])
        path = getattr(self, "_scanned_file", None)
        problem = adapter.KUBERNETES_RUN_PROBLEM or ("" if isinstance(path, str) else
                                                     "Checkov did not name the manifest's file")
        if problem:  # without the file, kubectl's reading of its YAML cannot be compared: never a PASS
            return self._verdict(lambda resource: (False, f"{problem}, so the rule cannot compare its YAML with "
                                                          "kubectl's reading; failing closed"), conf, keys)
        cache = adapter.current_scan().kubernetes
        return self._verdict(lambda resource: kubernetes.evaluate_kubernetes(resource, path, cache), conf, keys)


terraform_check = SageMakerNotebookDirectInternetTerraform()
cloudformation_check = SageMakerNotebookDirectInternetCloudFormation()
kubernetes_check = SageMakerNotebookDirectInternetKubernetes()
