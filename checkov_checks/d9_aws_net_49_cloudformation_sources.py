"""The CloudFormation template of a notebook as it is deployed, for D9.AWS.NET.49: the template read again with
Checkov's own parser (only when the text equals what the runner scanned), vetted for what changes it before
deployment (macros, ${file(...)}, parameter overrides and nested stacks elsewhere in the repository), and the
`resources` section of serverless.yml read with a CloudFormation-tag loader, allow-listed variables resolved.
Anything that would change the template makes it a reason to fail closed. What one scan reads is owned by a
`Sources` (per scan, from the adapter).

Imports the CloudFormation folding. Loaded by d9_aws_net_49_siblings.py; it registers no check.
"""
from __future__ import annotations

import os
import re
from typing import Any, Callable, NamedTuple

if __package__:  # imported through the folder's package (d9_aws_net_49_siblings); Checkov also executes it alone
    from .d9_aws_net_49_cloudformation import MAX_DEPTH, SERVERLESS_VARIABLE, Template, show


class Sources:
    """What one scan read: the repositories searched (by root), the templates (by path, with the lines the
    runner scanned) and the serverless.yml documents (by path). A new scan starts empty."""

    def __init__(self) -> None:
        self.repositories: dict[str, Repository] = {}
        self.templates: dict[str, tuple[list[Any], Template | str]] = {}
        self.serverless: dict[str, Any] = {}


# ---------------------------------------------------------------- vetting a template

ALLOWED_TRANSFORMS = {"AWS::Serverless-2016-10-31", "AWS::LanguageExtensions"}


def _key_path(value: Any, key: str, where: str = "", depth: int = 0) -> str | None:
    """Where `key` first appears as a mapping key inside `value` ("" at the top), or None."""
    if depth > MAX_DEPTH:
        return f"{where} (nested too deeply to search)"
    if isinstance(value, dict):
        if key in value:
            return where or "the top level"
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for name, item in items:
        if isinstance(name, str) and name.startswith("__"):
            continue
        found = _key_path(item, key, f"{where}.{name}" if where else str(name), depth + 1)
        if found is not None:
            return found
    return None


def _macro_problem(transforms: list[Any], section: Any, what: str) -> str:
    """Why macros may rewrite `section` before deployment ("" when none do)."""
    macros = [t for t in transforms if not (isinstance(t, str) and t in ALLOWED_TRANSFORMS)]
    if macros:
        return f"{what} has Transform {show(macros)}, which may rewrite it before deployment"
    where = _key_path(section, "Fn::Transform")
    if where is not None:
        return (f"{what} uses Fn::Transform (at {where}): a macro, or AWS::Include from S3, replaces that part "
                "before deployment")
    return ""


# ------------------------------------------------ files elsewhere in the repository that change what is deployed

# Text markers of parameter values given at deploy time. `parameter_overrides`: SAM CLI configuration
# (samconfig.toml/.yaml/.yml in the project folder, or any file given with --config-file, any environment);
# `parameter-overrides`: sam deploy / aws cloudformation deploy in scripts and CI; `ParameterKey`:
# aws cloudformation create-stack/update-stack parameter files; `ParameterOverrides`: CodePipeline's
# CloudFormation action; `stackParameters`: Serverless; `aws_cloudformation_stack`: Terraform deploying the
# template; `CfnInclude`: CDK including it; `template_parameters`: Ansible's cloudformation module. A text
# test, which can only fail closed.
OVERRIDE_MARKERS = ("parameter_overrides", "parameter-overrides", "ParameterOverrides", "ParameterKey",
                    "stackParameters", "aws_cloudformation_stack", "CfnInclude", "template_parameters")
NESTING_TYPES = ("AWS::CloudFormation::Stack", "AWS::Serverless::Application")
SEARCHED_SUFFIXES = (".toml", ".yaml", ".yml", ".json", ".template", ".sh", ".bash", ".ps1", ".mk", ".py",
                     ".js", ".ts", ".cfg", ".ini", ".env", ".txt", ".tf", ".hcl")
SEARCHED_NAMES = ("Makefile", "Justfile", "Jenkinsfile", "Taskfile")
SKIPPED_FOLDERS = {".git", "node_modules", "__pycache__", ".terraform", ".tox"}
MAX_SEARCHED_FILES = 20_000
MAX_FILE_BYTES = 5_000_000


class Repository(NamedTuple):
    root: str
    files: list[tuple[str, str]]  # (path, text) of files with a marker, a nesting type or ${file(...)}
    truncated: bool  # more files than MAX_SEARCHED_FILES: nothing can be ruled out


def _search_root(path: str, scan_root: str | None) -> str:
    """The folder searched for files that change a template: the scanned folder (-d) holding it, else the
    nearest folder with .git above it, else its folder and the two above."""
    path = os.path.abspath(path)
    if scan_root and path.startswith(os.path.abspath(scan_root).rstrip(os.sep) + os.sep):
        return os.path.abspath(scan_root)
    folder = os.path.dirname(path)
    for _ in range(64):
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    folder = os.path.dirname(path)
    for _ in range(2):
        folder = os.path.dirname(folder) or folder
    return folder


def _repository(root: str, sources: Sources) -> Repository:
    """The files under `root` that may change a template, read once per scan."""
    cached = sources.repositories.get(root)
    if cached is not None:
        return cached
    found, count, truncated = [], 0, False
    for folder, subfolders, names in os.walk(root):
        if "pyvenv.cfg" in names:  # a Python virtual environment
            subfolders[:] = []
            continue
        subfolders[:] = sorted(d for d in subfolders if d not in SKIPPED_FOLDERS)
        for name in sorted(names):
            count += 1
            if count > MAX_SEARCHED_FILES:
                truncated = True
                break
            if not (name.endswith(SEARCHED_SUFFIXES) or name in SEARCHED_NAMES):
                continue
            full = os.path.join(folder, name)
            try:
                if os.path.getsize(full) > MAX_FILE_BYTES:
                    continue
                with open(full, encoding="utf-8-sig", errors="replace") as handle:
                    text = handle.read()
            except OSError:
                continue
            if any(m in text for m in (*OVERRIDE_MARKERS, *NESTING_TYPES, "${file(")):
                found.append((full, text))
        if truncated:
            break
    repository = sources.repositories[root] = Repository(root, found, truncated)
    return repository


def _overrides(repository: Repository, template_path: str) -> Callable[[str], str]:
    """Why a parameter of the template may be given another value than its Default ("" when nothing under
    the searched folder names it beside a deploy-time parameter marker or a nested stack)."""
    def overridden(name: str) -> str:
        if repository.truncated:
            return (f"{repository.root} holds more than {MAX_SEARCHED_FILES} files, too many to rule out "
                    "parameter overrides")
        named = re.compile(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])")
        for path, text in repository.files:
            if path == template_path or not named.search(text):
                continue
            shown = os.path.relpath(path, repository.root)
            if any(kind in text for kind in NESTING_TYPES):
                return f"{shown} declares a nested stack and names {name}: a parent stack passes its own value"
            if any(marker in text for marker in OVERRIDE_MARKERS):
                return (f"{shown} names {name} beside parameter overrides (SAM CLI configuration, a deploy "
                        "command or a parameter file)")
        return ""
    return overridden


def _serverless_includer(repository: Repository, path: str) -> str | None:
    """A serverless.yml that includes this file with ${file(...)} (a text test: it can only fail closed)."""
    name = os.path.basename(path)
    for other, text in repository.files:
        if os.path.basename(other) in ("serverless.yml", "serverless.yaml") and "${file(" in text and name in text:
            return other
    return None


def _vet(template: Template, document: dict[str, Any], path: str, root: str | None, sources: Sources) -> None:
    """What makes the written template differ from what CloudFormation deploys."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            raw = handle.read()
    except OSError:
        raw = ""
    if "${file(" in raw:  # Checkov's YAML loader inlines ${file(x)} (a Serverless feature); CloudFormation does not
        template.problem = "the template uses ${file(...)}, which Checkov's parser replaces by a file's content " \
                           "and CloudFormation does not"
        return
    template.problem = _macro_problem(template.transforms, document, "the template")
    if template.problem:
        return
    repository = _repository(_search_root(path, root), sources)
    includer = _serverless_includer(repository, path)
    if includer:
        template.problem = (f"{includer} includes this file with ${{file(...)}}, and Serverless merges it with its "
                            "other resources before deployment")
        return
    template.overridden = _overrides(repository, os.path.abspath(path))


def template_as_scanned(path: str, lines: list[Any], root: str | None, sources: Sources) -> Template | str:
    """The template as Checkov's parser reads it, if its lines are the ones the runner scanned (`root`: the
    scanned folder, None for -f), or why it cannot be judged as deployed."""
    cached = sources.templates.get(path)
    if cached is not None and cached[0] is lines:
        return cached[1]
    from checkov.cloudformation.parser import parse
    try:
        document, parsed_lines = parse(path)
    except Exception:  # noqa: BLE001 - Checkov's parser already handles the usual errors
        document, parsed_lines = None, None
    template: Template | str
    if not isinstance(document, dict) or parsed_lines != lines:
        template = f"{path} could not be read again as Checkov scanned it (changed, or unreadable)"
    else:
        template = Template(document)
        _vet(template, document, path, root, sources)
    sources.templates[path] = (lines, template)
    return template


# ---------------------------------------------------------------- Serverless: the resource as written in serverless.yml

SELF_REFERENCE = re.compile(r"\$\{self:([A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)*)\}")
# Plugins run when Serverless packages the service and may rewrite the compiled template. These only build or
# prune function code, or emulate it locally (their documentation); any other plugin fails the notebook closed.
HARMLESS_PLUGINS = {"serverless-offline", "serverless-python-requirements", "serverless-esbuild",
                    "serverless-webpack", "serverless-prune-plugin"}


def _cfn_yaml_loader() -> Any:
    import yaml

    class Loader(yaml.SafeLoader):  # CloudFormation's short tags as their long form
        pass

    def tagged(loader: Any, suffix: str, node: Any) -> Any:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        if suffix == "Ref":
            return {"Ref": value}
        if suffix == "Condition":
            return {"Condition": value}
        if suffix == "GetAtt" and isinstance(value, str):
            return {"Fn::GetAtt": value.split(".", 1)}
        return {f"Fn::{suffix}": value}

    Loader.add_multi_constructor("!", tagged)
    return Loader


def _serverless_document(path: str, sources: Sources) -> Any:
    if path in sources.serverless:
        return sources.serverless[path]
    try:
        import yaml
        with open(path, encoding="utf-8-sig") as handle:
            document = yaml.load(handle, Loader=_cfn_yaml_loader())  # noqa: S506 - a SafeLoader subclass
    except Exception:  # noqa: BLE001 - unreadable: the caller fails closed
        document = None
    sources.serverless[path] = document
    return document


def _self_value(document: Any, path: str) -> Any:
    value = document
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _resolve_serverless(value: Any, document: Any, depth: int = 0) -> Any:
    """Serverless variables, allow-listed: `${self:a.b}` naming a plain literal string is that string;
    anything else (opt, env, ssm, cf, param, file, fallbacks, nested variables) is known only when
    Serverless runs, so it becomes a Ref to nothing the template declares (unknown; a subnet reference)."""
    if depth > MAX_DEPTH:
        return {"Ref": f"{SERVERLESS_VARIABLE}nested too deeply"}
    if isinstance(value, dict):
        return {k: _resolve_serverless(v, document, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_serverless(v, document, depth + 1) for v in value]
    if isinstance(value, str) and "${" in value:
        match = SELF_REFERENCE.fullmatch(value)
        found = _self_value(document, match.group(1)) if match else None
        if isinstance(found, str) and "${" not in found and "{{resolve:" not in found:
            return found
        return {"Ref": f"{SERVERLESS_VARIABLE}{value} (resolved when Serverless runs)"}
    return value


def _plugin_problem(document: dict[str, Any]) -> str:
    plugins = document.get("plugins")
    if plugins is None:
        return ""
    if isinstance(plugins, dict):  # {localPath: ..., modules: [...]}
        names = plugins.get("modules") or []
        if plugins.get("localPath") is not None:
            return "serverless.yml loads plugins from a local path, which run when Serverless packages the service"
    else:
        names = plugins
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return f"serverless.yml's plugins are {show(plugins)}, not a list of names"
    unknown = [n for n in names if n not in HARMLESS_PLUGINS]
    if unknown:
        return (f"serverless.yml loads the plugin(s) {', '.join(unknown)}, which run when Serverless packages the "
                f"service and can rewrite its CloudFormation; only {', '.join(sorted(HARMLESS_PLUGINS))} are known "
                "to leave resources alone")
    return ""


def _stack_parameters(document: dict[str, Any]) -> Callable[[str], str]:
    """provider.stackParameters: the values Serverless passes to CloudFormation for the Parameters."""
    provider = document.get("provider")
    given = provider.get("stackParameters") if isinstance(provider, dict) else None
    if given is None:
        return lambda name: ""
    keys = [p.get("ParameterKey") for p in given if isinstance(p, dict)] if isinstance(given, list) else []
    if not isinstance(given, list) or len(keys) != len(given) or not all(isinstance(k, str) for k in keys):
        return lambda name: "provider.stackParameters is not a literal list of ParameterKey/ParameterValue"
    return lambda name: "provider.stackParameters gives it a value" if name in keys else ""


def serverless_resource(path: str, name: str, conf: dict[str, Any], sources: Sources) -> tuple[Any, Template] | str:
    """The notebook as written in serverless.yml's resources, folded like a template made of that section
    (Parameters, Mappings, Conditions), with allow-listed variables resolved; a reason to fail closed when
    Serverless would change it (merged files, extensions, Transform, plugins)."""
    document = _serverless_document(path, sources)
    resources = document.get("resources") if isinstance(document, dict) else None
    if not isinstance(resources, dict):
        return ("serverless.yml's resources are merged by Serverless from other files (a list or ${file(...)}); "
                "the rule judges only resources written in serverless.yml itself")
    assert isinstance(document, dict)
    extensions = resources.get("extensions")
    if isinstance(extensions, dict) and name in extensions:
        return f"resources.extensions.{name} changes this notebook's properties when Serverless packages it"
    written = resources.get("Resources")
    written = written.get(name) if isinstance(written, dict) else None
    if not isinstance(written, dict) or written.get("Type") != conf.get("Type"):
        return f"the notebook {name} is not written in {os.path.basename(path)}'s resources"
    transforms = resources.get("Transform")
    transforms = transforms if isinstance(transforms, list) else [] if transforms is None else [transforms]
    problem = _plugin_problem(document) or _macro_problem(transforms, resources, "serverless.yml's resources section")
    if problem:
        return problem
    template = Template(_resolve_serverless(resources, document))
    template.overridden = _stack_parameters(document)
    properties = template.resources[name].get("Properties")
    return ({} if properties is None else properties), template
