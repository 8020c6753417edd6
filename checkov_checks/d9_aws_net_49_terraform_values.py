"""Terraform values that Checkov leaves unresolved, drops or guesses, recovered for D9.AWS.NET.49.

Loaded by d9_aws_net_49_sagemaker_direct_internet.py; it registers no check (Checkov, which imports
every .py of the folder, finds nothing to run here).
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

ABSENT = object()  # the attribute is not set: AWS applies its default
REFERENCE_PREFIXES = ("var.", "local.", "module.", "data.", "each.", "count.", "self.", "path.", "terraform.")
_plan_unknowns: dict[str, dict[str, dict[str, Any]]] = {}


def unwrap(conf: dict[str, Any], key: str) -> Any:
    if key not in conf:
        return ABSENT
    value = conf[key]
    # Checkov wraps every attribute value in a one-element list.
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return ABSENT if value is None else value


def after_unknown(conf: dict[str, Any]) -> dict[str, Any]:
    """`after_unknown` of this resource in a plan JSON: values known only after apply."""
    plan_file = unwrap(conf, "__file__")
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


def is_reference(value: str) -> bool:
    text = value.strip()
    return ("${" in text or text.startswith(REFERENCE_PREFIXES) or "?" in text or "(" in text
            or bool(TF_RESOURCE_REFERENCE.match(text)))


class TerraformSource:
    """What Checkov's rendered value hides, read from its graph and the .tf source.

    Checkov evaluates `var.env == "dev" ? "Enabled" : "Disabled"` even when `env` has no value
    (the comparison is made against the text "var.env", so the else branch wins), also through
    locals, trims the branches of a conditional it evaluates, and keeps `var.x` as text when x
    defaults to null. Meant for a resource that would otherwise PASS.
    """

    _cache: tuple[tuple[int, str], dict[str, Any], dict[tuple[str, str, str, str], Any]] | None = None
    ATTRIBUTE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*=(?!=)")
    REFERENCE = re.compile(r"\b(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)")
    LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')

    def __init__(self, graph: Any, address: Any, resource_type: str, passing: str) -> None:
        self.resource: dict[str, Any] | None = None
        self.blocks: dict[tuple[str, str, str, str], Any] = {}
        self.passing = passing
        if graph is None or not isinstance(address, str):
            return
        cache = TerraformSource._cache
        if cache is None or cache[0] != (id(graph), resource_type):
            cache = TerraformSource._cache = ((id(graph), resource_type), *self._index(graph, resource_type))
        self.resource, self.blocks = cache[1].get(address), cache[2]

    @staticmethod
    def _scope(vertex: dict[str, Any]) -> tuple[str, str]:
        """Blocks see each other within one folder and one module instance."""
        return (os.path.dirname(str(vertex.get("file_path_"))),
                json.dumps(vertex.get("source_module_object_"), sort_keys=True, default=str))

    @classmethod
    def _index(cls, graph: Any, resource_type: str) -> tuple[dict[str, Any], dict[tuple[str, str, str, str], Any]]:
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
            if kind == "resource" and vertex.get("resource_type") == resource_type:
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
            if key not in line:  # cheap test first: this runs for every notebook that would pass
                continue
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
            doubts += [f"the literal {literal!r} is not exactly {self.passing!r}"
                       for literal in self.LITERAL.findall(expression) if literal.strip() == self.passing != literal]
            for kind, name in self.REFERENCE.findall(expression):
                if (kind, name) in seen:
                    continue
                seen.add((kind, name))
                vertex = self.block(kind, name)
                if vertex is None:
                    continue
                if kind == "local":
                    pending.append(self.expression(vertex, name) or "")
                elif "default" not in vertex or (isinstance(vertex["default"], str) and is_reference(vertex["default"])):
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
    _folders: dict[str, tuple[tuple[tuple[str, float], ...], dict[str, Any], dict[str, Any]]] = {}

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
        # read once per version of the folder's files, like TerraformSource._file_lines
        sources = [*folder.glob("*.tf.json"), folder / "terraform.tfvars", folder / "terraform.tfvars.json",
                   *folder.glob("*.auto.tfvars.json")]
        version = tuple(sorted((str(p), p.stat().st_mtime) for p in sources if p.is_file()))
        cached = cls._folders.get(str(folder))
        if cached is not None and cached[0] == version:
            return cached[1], cached[2]
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
        cls._folders[str(folder)] = (version, values, local_values)
        return values, local_values

    @classmethod
    def resolve(cls, conf: dict[str, Any], path: str, keys: tuple[str, ...]) -> dict[str, Any]:
        values, local_values = cls._declarations(Path(path).parent)
        resolved = dict(conf)
        for key in keys:
            value = unwrap(conf, key)
            for _ in range(10):  # locals may refer to variables or other locals
                match = cls.INTERPOLATION.match(value) if isinstance(value, str) else None
                table = values if match and match.group(1) == "var" else local_values
                if not match or match.group(2) not in table:
                    break
                value = table[match.group(2)]
            if value is not ABSENT:
                resolved[key] = [value]
        return resolved
