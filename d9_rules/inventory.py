"""Every SageMaker notebook instance declared in the given files and folders, found without Checkov's parsers.

Checkov drops notebooks without a word: a file it cannot parse, a CloudFormation resource whose Condition it
evaluates false, `Fn::ForEach` (never expanded), Kubernetes `*List` kinds, paths whose names start with a dot
(skipped by `-d`), a Helm chart or Kustomize overlay when the binary is missing. This tolerant scan finds the
declarations (also in files that do not parse) so that `d9-rules checkov-scan` and `d9-rules audit` can name
every notebook Checkov gave no verdict. It only finds what must be reported: it never decides a verdict.

Read as the tools read them: Terraform ignores files named `.name.tf` and `name~` (so does this scan),
CloudFormation and Kubernetes do not care about file names. Tool folders are not walked: `.git`, `.terraform`
(copies of modules), `.serverless` (build output), `node_modules`, and virtualenvs.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

TERRAFORM_RESOURCE = "aws_sagemaker_notebook_instance"
CLOUDFORMATION_RESOURCE = "AWS::SageMaker::NotebookInstance"
KUBERNETES_KIND = "NotebookInstance"
# the API groups of the rule's controllers (metadata/: rule data KUBERNETES_API_GROUPS)
KUBERNETES_GROUPS = ("sagemaker.services.k8s.aws", "sagemaker.aws.upbound.io", "sagemaker.aws.m.upbound.io")
SKIPPED_FOLDERS = {".git", ".terraform", ".serverless", "node_modules"}
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json", ".template", ".tpl")
KUSTOMIZATIONS = ("kustomization.yaml", "kustomization.yml")
INSTALL = {
    "helm": "helm 3 or 4 on PATH (https://helm.sh/docs/intro/install/)",
    "kustomize": "kubectl >= 1.14 or kustomize on PATH (https://kubernetes.io/docs/tasks/tools/)",
}


@dataclass(frozen=True)
class Declared:
    """A notebook (or a chart/overlay whose notebooks only a renderer can show) declared in `path`.
    `kind`: terraform, terraform_plan, cloudformation, kubernetes, helm or kustomize. `name`: the Terraform
    address (`aws_sagemaker_notebook_instance.x`, a plan's full address), the CloudFormation logical ID, the
    Kubernetes metadata.name, or the chart/overlay folder. `missed`: why Checkov is known to skip it."""
    path: str
    kind: str
    name: str
    line: int = 0
    missed: str | None = None
    created: bool = True  # False: Terraform would not create it (a literal count = 0)

    def shown(self, relative_to: str | None = None) -> str:
        where = os.path.relpath(self.path, relative_to) if relative_to else self.path
        return f"{where}:{self.line} {self.kind} {self.name}"


@dataclass
class Inventory:
    declared: list[Declared] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)  # path -> why it could not be read


def _display(path: str) -> str:
    """A path as the user gave it: relative to the working directory when inside it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _hidden_terraform(name: str) -> bool:
    return name.startswith(".") or name.endswith("~") or name.startswith("#")


def _files(paths: list[str]) -> Iterator[tuple[str, bool]]:
    """(real path, given directly) of every file under the given paths, tool folders left out."""
    for given in paths:
        if os.path.isfile(given):
            yield os.path.realpath(given), True
            continue
        for root, folders, files in os.walk(given):
            folders[:] = sorted(f for f in folders if f not in SKIPPED_FOLDERS
                                and not os.path.isfile(os.path.join(root, f, "pyvenv.cfg")))
            for name in sorted(files):
                yield os.path.realpath(os.path.join(root, name)), False


def _read(path: str, inventory: Inventory) -> str | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        inventory.unreadable[path] = f"could not be read: {exc.strerror or exc}"
        return None
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            return data.decode(encoding)
        except UnicodeError:
            continue
    inventory.unreadable[path] = "is not UTF-8 or UTF-16 text"
    return None


# ---------------------------------------------------------------- Terraform HCL

def _hcl_code(text: str) -> str:
    """The HCL text with comments, string contents and heredoc bodies blanked (newlines kept), so that a
    top-level block can be found even in a file python-hcl2 rejects."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(" " * (end - i))
            i = end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"' and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            content = text[i + 1:j]
            # a label is kept (block labels never hold braces); other contents are blanked, so that a brace
            # in a string cannot shift the blocks
            out.append('"' + (content if re.fullmatch(r"[A-Za-z0-9_.:/-]{1,200}", content) else " " * len(content)) + '"')
            i = j + 1
        elif text.startswith("<<", i) and re.match(r"<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\n", text[i:]):
            marker = re.match(r"<<-?([A-Za-z_][A-Za-z0-9_]*)", text[i:]).group(1)
            end_match = re.compile(r"^[ \t]*" + re.escape(marker) + r"[ \t]*$", re.M).search(text, text.find("\n", i) + 1)
            end = n if end_match is None else end_match.end()
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        else:
            out.append(c)
            i += 1
    return "".join(out)


_TF_BLOCK = re.compile(r'^[ \t]*resource[ \t]+"?' + TERRAFORM_RESOURCE + r'"?[ \t]+"?([A-Za-z0-9_-]+)"?[ \t]*\{', re.M)
_TF_COUNT_ZERO = re.compile(r"^[ \t]*count[ \t]*=[ \t]*0[ \t]*$", re.M)


def _terraform(path: str, text: str, inventory: Inventory) -> None:
    code = _hcl_code(text)
    for match in _TF_BLOCK.finditer(code):
        line = code.count("\n", 0, match.start()) + 1
        body_end = _block_end(code, match.end())
        created = not _TF_COUNT_ZERO.search(code[match.end():body_end])
        inventory.declared.append(Declared(path, "terraform", f"{TERRAFORM_RESOURCE}.{match.group(1)}", line,
                                           created=created))


def _block_end(code: str, start: int) -> int:
    depth = 1
    for index in range(start, len(code)):
        depth += {"{": 1, "}": -1}.get(code[index], 0)
        if depth == 0:
            return index
    return len(code)


def _terraform_json(path: str, text: str, inventory: Inventory) -> None:
    """`.tf.json`: every "aws_sagemaker_notebook_instance" object key's entries (duplicate keys kept)."""
    try:
        pairs = json.loads(text, object_pairs_hook=lambda items: ("__pairs__", items))
    except ValueError:
        for match in re.finditer(r'"' + TERRAFORM_RESOURCE + r'"\s*:', text):
            line = text.count("\n", 0, match.start()) + 1
            inventory.declared.append(Declared(path, "terraform", f"{TERRAFORM_RESOURCE}.?", line,
                                               missed="the file is not valid JSON"))
        return

    def walk(node: Any, under_resource: bool) -> None:
        if isinstance(node, tuple) and node[:1] == ("__pairs__",):
            for key, value in node[1]:
                if under_resource and key == TERRAFORM_RESOURCE:
                    for instances in value if isinstance(value, list) else [value]:
                        if isinstance(instances, tuple):
                            for name, _ in instances[1]:
                                line = _json_line(text, name)
                                inventory.declared.append(Declared(path, "terraform", f"{TERRAFORM_RESOURCE}.{name}", line))
                else:
                    walk(value, key == "resource")
        elif isinstance(node, list):
            for item in node:
                walk(item, under_resource)
    walk(pairs, False)


def _json_line(text: str, key: str) -> int:
    index = text.find(json.dumps(key))
    return 0 if index < 0 else text.count("\n", 0, index) + 1


def _terraform_plan(path: str, document: dict[str, Any], text: str, inventory: Inventory) -> None:
    def module(node: Any) -> None:
        if not isinstance(node, dict):
            return
        for resource in node.get("resources") or []:
            if isinstance(resource, dict) and resource.get("type") == TERRAFORM_RESOURCE and resource.get("mode") != "data":
                address = str(resource.get("address"))
                inventory.declared.append(Declared(path, "terraform_plan", address, _json_line(text, address)))
        for child in node.get("child_modules") or []:
            module(child)
    module((document.get("planned_values") or {}).get("root_module"))


# ---------------------------------------------------------------- CloudFormation, SAM, Serverless, Kubernetes

def _yaml_documents(text: str) -> list[Any] | str:
    """The documents of a YAML (or JSON) file, any tag read as its plain value; the error text when the
    file does not load."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def any_tag(loader: Any, suffix: str, node: Any) -> Any:
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node)
        return loader.construct_scalar(node)

    Loader.add_multi_constructor("", any_tag)
    try:
        return [d for d in yaml.load_all(text, Loader=Loader)]
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        mark, problem = getattr(exc, "problem_mark", None), getattr(exc, "problem", None)
        if mark is not None and problem:
            return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"
        return " ".join(str(exc).split())[:200]


_CFN_TYPE = re.compile(r"""^([ \t]*)["']?Type["']?[ \t]*:[ \t]*["']?""" + re.escape(CLOUDFORMATION_RESOURCE) + r"""["']?[ \t]*,?[ \t]*$""", re.M)
_K8S_KIND = re.compile(r"""^[ \t-]*["']?kind["']?[ \t]*:[ \t]*["']?""" + KUBERNETES_KIND + r"""["']?[ \t]*,?[ \t]*$""", re.M)


def _cloudformation_resources(path: str, text: str, resources: Any, inventory: Inventory, missed: str | None) -> None:
    if not isinstance(resources, dict):
        return
    for logical_id, resource in resources.items():
        if isinstance(logical_id, str) and logical_id.startswith("Fn::ForEach::") and isinstance(resource, list):
            for template in resource[2:3]:
                _cloudformation_resources(path, text, template, inventory,
                                          "Checkov does not expand Fn::ForEach (the notebooks it creates are not judged)")
            continue
        if not isinstance(resource, dict) or resource.get("Type") != CLOUDFORMATION_RESOURCE:
            continue
        why = missed
        if why is None and resource.get("Condition") is not None:
            why = (f"it has the resource Condition {resource['Condition']!r}: Checkov drops the resource when it "
                   f"evaluates the condition false (also on values AWS would not use)")
        line = next((text.count("\n", 0, m.start()) + 1 for m in re.finditer(
            r"""^[ \t-]*["']?""" + re.escape(str(logical_id)) + r"""["']?[ \t]*:""", text, re.M)), 0)
        inventory.declared.append(Declared(path, "cloudformation", str(logical_id), line, missed=why))


def _kubernetes_objects(path: str, text: str, document: Any, inventory: Inventory, missed: str | None = None) -> None:
    if not isinstance(document, dict):
        return
    kind, api_version = document.get("kind"), document.get("apiVersion")
    items = document.get("items")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(items, list):
        why = missed or (None if kind == "List" else f"Checkov ignores the kind {kind} (kubectl applies its items)")
        for item in items:
            _kubernetes_objects(path, text, item, inventory, why)
        return
    if kind != KUBERNETES_KIND or not isinstance(api_version, str) or api_version.split("/")[0] not in KUBERNETES_GROUPS:
        return
    metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
    name = metadata.get("name")
    why = missed
    if not isinstance(name, str) or not name:
        name = f"(generateName {metadata.get('generateName')!r})"
        why = why or "Checkov does not report an object without metadata.name"
    line = next((text.count("\n", 0, m.start()) + 1 for m in re.finditer(
        r"""^[ \t]*["']?name["']?[ \t]*:[ \t]*["']?""" + re.escape(name) + r"""["']?""", text, re.M)), 0)
    inventory.declared.append(Declared(path, "kubernetes", name, line, missed=why))


def _manifest(path: str, text: str, inventory: Inventory) -> None:
    if CLOUDFORMATION_RESOURCE not in text and KUBERNETES_KIND not in text and TERRAFORM_RESOURCE not in text:
        return
    documents: list[Any] | str = []
    if path.endswith(".json"):  # JSON first: YAML refuses tabs, which JSON allows
        try:
            documents = [json.loads(text)]
        except (ValueError, RecursionError):
            documents = []
    documents = documents or _yaml_documents(text)
    if isinstance(documents, str):  # does not load: find the declarations line by line
        for match in _CFN_TYPE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            indent = len(match.group(1).expandtabs())
            above = [m for m in re.finditer(r"""^([ \t]*)["']?([A-Za-z0-9:_.${}-]+)["']?[ \t]*:[ \t]*$""",
                                             text[:match.start()], re.M)
                     if len(m.group(1).expandtabs()) < indent]
            name = above[-1].group(2) if above else "?"
            inventory.declared.append(Declared(path, "cloudformation", name, line,
                                               missed=f"the file does not load as YAML or JSON ({documents})"))
        for match in _K8S_KIND.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            inventory.declared.append(Declared(path, "kubernetes", "?", line,
                                               missed=f"the file does not load as YAML or JSON ({documents})"))
        return
    for document in documents:
        if not isinstance(document, dict):
            continue
        if "planned_values" in document and "format_version" in document:
            _terraform_plan(path, document, text, inventory)
            continue
        _cloudformation_resources(path, text, document.get("Resources"), inventory, None)
        serverless = document.get("resources")
        for part in serverless if isinstance(serverless, list) else [serverless]:
            if isinstance(part, dict):
                _cloudformation_resources(path, text, part.get("Resources"), inventory, None)
        _kubernetes_objects(path, text, document, inventory)


# ---------------------------------------------------------------- charts and overlays

def renderers() -> dict[str, str | None]:
    """The binary Checkov would render with, per framework (None: missing, the framework is skipped)."""
    return {"helm": shutil.which("helm"), "kustomize": shutil.which("kubectl") or shutil.which("kustomize")}


def scan(paths: list[str]) -> Inventory:
    inventory = Inventory()
    charts: list[str] = []
    seen: set[str] = set()
    for path, given in _files(paths):
        if path in seen:
            continue
        seen.add(path)
        name = os.path.basename(path)
        folder = os.path.dirname(path)
        if name == "Chart.yaml":
            charts.append(folder)
            inventory.declared.append(Declared(path, "helm", folder, 1))
            continue
        if name in KUSTOMIZATIONS:
            inventory.declared.append(Declared(path, "kustomize", folder, 1))
            continue
        if any((folder + os.sep).startswith(os.path.join(chart, "templates", "")) for chart in charts):
            continue  # a chart's templates are rendered by helm, not read as manifests
        if name.endswith(".tf"):
            if given or not _hidden_terraform(name):
                text = _read(path, inventory)
                if text is not None:
                    _terraform(path, text, inventory)
        elif name.endswith(".tf.json"):
            if given or not _hidden_terraform(name):
                text = _read(path, inventory)
                if text is not None:
                    _terraform_json(path, text, inventory)
        elif name.endswith(MANIFEST_SUFFIXES):
            text = _read(path, inventory)
            if text is not None:
                _manifest(path, text, inventory)
    return inventory


# ---------------------------------------------------------------- what Checkov's report has no verdict for

def _mentions_notebooks(folder: str, depth: int = 0) -> bool:
    """Whether a chart's or overlay's files (an overlay's local resources followed) mention the notebook kind."""
    if depth > 8 or not os.path.isdir(folder):
        return False
    for root, folders, files in os.walk(folder):
        folders[:] = [f for f in folders if f not in SKIPPED_FOLDERS]
        for name in files:
            try:
                text = Path(root, name).read_text(errors="replace")
            except OSError:
                continue
            if KUBERNETES_KIND in text:
                return True
            if name in KUSTOMIZATIONS:
                for entry in re.findall(r"^[ \t]*-[ \t]*([^\s#]+)", text, re.M):
                    target = os.path.normpath(os.path.join(root, entry.strip("'\"")))
                    if not target.startswith(folder) and _mentions_notebooks(target, depth + 1):
                        return True
    return False


_RECORD_KINDS = {"terraform": ("terraform", "terraform_json"), "terraform_plan": ("terraform_plan",),
                 "cloudformation": ("cloudformation", "serverless"), "kubernetes": ("kubernetes",),
                 "helm": ("helm",), "kustomize": ("kustomize",)}


def _judges(declared: Declared, record: dict[str, Any], record_path: str) -> bool:
    if record.get("check_type") not in _RECORD_KINDS[declared.kind]:
        return False
    resource = str(record.get("resource") or "")
    if declared.kind in ("helm", "kustomize"):
        return (record_path + os.sep).startswith(os.path.join(declared.name, "")) or record_path == declared.path
    if record_path != declared.path:
        return False
    if declared.kind == "terraform":
        name = declared.name.split(".", 1)[1]
        return bool(re.search(r"(^|\.)" + re.escape(declared.name) + r"(\[.*\])?$", resource)) or resource == f"resource.{name}" \
            or name == "?"
    if declared.kind == "terraform_plan":
        return resource == declared.name
    if declared.kind == "cloudformation":
        return resource == f"{CLOUDFORMATION_RESOURCE}.{declared.name}" or declared.name == "?"
    return resource.startswith(f"{KUBERNETES_KIND}.") and (resource.endswith(f".{declared.name}") or declared.name == "?")


def resource_name(declared: Declared) -> str:
    return {"cloudformation": f"{CLOUDFORMATION_RESOURCE}.{declared.name}", "kubernetes": f"{KUBERNETES_KIND}.{declared.name}",
            "helm": f"Helm chart {_display(declared.name)}",
            "kustomize": f"Kustomize overlay {_display(declared.name)}"}.get(
        declared.kind, declared.name)


def unjudged(inventory: Inventory, records: list[tuple[dict[str, Any], str]], parsing_errors: set[str],
             tools: dict[str, str | None] | None = None) -> tuple[list[tuple[Declared, str]], list[Declared]]:
    """(notebooks with no verdict in `records` and why, notebooks Terraform would not create).
    `records`: (Checkov JSON record, its file's real path). `tools`: renderers() of the machine Checkov ran
    on, or None when unknown (an audit of a report made elsewhere)."""
    missing, not_created = [], []
    for declared in inventory.declared:
        if any(_judges(declared, record, path) for record, path in records):
            continue
        if declared.kind in ("helm", "kustomize"):
            folder = declared.name
            if not _mentions_notebooks(folder):
                continue
            tool = "helm" if declared.kind == "helm" else "kubectl or kustomize"
            if tools is not None and tools.get(declared.kind) is None:
                why = f"{tool} is not on PATH, so Checkov skipped its {declared.kind} framework; install {INSTALL[declared.kind]}"
            else:
                why = (f"Checkov reported no notebook rendered from it; it skips the {declared.kind} framework without "
                       f"{INSTALL[declared.kind]}, and a chart or overlay that does not render ("
                       f"{'helm template' if declared.kind == 'helm' else 'kubectl kustomize'} {_display(folder)})")
            missing.append((declared, why))
            continue
        if not declared.created:
            not_created.append(declared)
            continue
        if declared.missed:
            why = declared.missed
        elif declared.path in parsing_errors:
            why = f"Checkov could not parse {_display(declared.path)}"
        elif any(part.startswith(".") for part in Path(declared.path).parts[1:]):
            why = "Checkov reported no verdict for it (Checkov's -d skips paths whose names start with a dot)"
        else:
            why = "Checkov reported no verdict for it"
        missing.append((declared, why))
    return missing, not_created
