"""The Terraform module evaluator of D9.AWS.NET.49, for HCL and `.tf.json` (and the reading of a plan).

Checkov evaluates expressions before a check sees them and guesses where it cannot (a comparison on a
variable without a value comes out false). So a notebook PASSES only when this module traces the attribute
from the resource's own source expression to a literal, through an allow-list of constructs it evaluates
exactly as Terraform does: literals and templates, variables (default < TF_VAR_* < terraform.tfvars <
terraform.tfvars.json < *.auto.tfvars(.json) in lexical order < --var-file; module inputs per calling module
block), locals, module outputs, each/count, conditionals, operators and the pure functions of the HCL value
layer. Anything else raises `Unproven`, whose text names the first thing not proven. What one scan reads is
owned by a `Scan`; nothing here reads Checkov's internals (the adapter hands over what it found).

Imports the HCL value layer and the verdict. Loaded by d9_aws_net_49_siblings.py; it registers no check.
"""
from __future__ import annotations

import json
import os
from collections import OrderedDict
from typing import Any, Callable, NamedTuple

from lark import Token, Tree

if __package__:  # imported through the folder's package (d9_aws_net_49_siblings); Checkov also executes it alone
    from . import d9_aws_net_49_verdict as verdict
    from .d9_aws_net_49_verdict import ABSENT
    from .d9_aws_net_49_hcl import (
        FUNCTIONS, TfSet, Unknown, Unproven, any_of, check_plain, describe, equal, index_value, is_number, json_ast,
        kind_of, parse_expression, parse_hcl, same_type, to_ast, to_bool, to_number, to_set, to_string, unify,
    )


def unwrap(conf: dict[str, Any], key: str) -> Any:
    if key not in conf:
        return ABSENT
    value = conf[key]
    # Checkov wraps every attribute value in a one-element list.
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return ABSENT if value is None else value


def after_unknown(conf: dict[str, Any], plans: dict[str, Any]) -> dict[str, Any]:
    """`after_unknown` of this resource in a plan JSON: values known only after apply. `plans`: the scan's
    plan files already read, by path."""
    plan_file = unwrap(conf, "__file__")
    address = conf.get("__address__")
    if not isinstance(plan_file, str) or not isinstance(address, str) or "__change_actions__" not in conf:
        return {}
    if plan_file not in plans:
        try:
            with open(plan_file, encoding="utf-8") as handle:
                changes = json.load(handle).get("resource_changes") or []
            plans[plan_file] = {
                c.get("address"): (c.get("change") or {}).get("after_unknown") or {} for c in changes if isinstance(c, dict)
            }
        except (OSError, ValueError, AttributeError):
            plans[plan_file] = {}
    unknown = plans[plan_file].get(address, {})
    return unknown if isinstance(unknown, dict) else {}

# ------------------------------------------------------------------ one module: its files, blocks and attributes

class Expression:
    """An attribute's expression: an HCL one as its AST (converted when its file was read), a .tf.json one as
    its JSON value, converted to the AST on first use."""

    __slots__ = ("source", "json", "_ast")

    def __init__(self, ast: Any = None, json_value: Any = None, is_json: bool = False) -> None:
        self.source, self.json, self._ast = json_value, is_json, ast

    def ast(self) -> Any:
        if self._ast is None:
            self._ast = json_ast(self.source)
        return self._ast


class Literal(Expression):
    """A value that is not an expression (a .tf.json variable default, a tfvars.json value)."""

    def __init__(self, value: Any) -> None:
        super().__init__(("lit", value), value, True)


class Module:
    """The blocks of one Terraform module folder (its *.tf and *.tf.json files, override files merged)."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.variables: dict[str, dict[str, Expression]] = {}
        self.locals: dict[str, Expression] = {}
        self.outputs: dict[str, dict[str, Expression]] = {}
        self.module_calls: dict[str, dict[str, Expression]] = {}
        self.resources: dict[tuple[str, str], dict[str, Expression]] = {}
        self.data_sources: dict[tuple[str, str], dict[str, Expression]] = {}
        self.duplicates: set[tuple[str, ...]] = set()
        self.broken: list[str] = []

    def _add(self, table: dict[Any, Any], key: Any, attributes: dict[str, Expression], kind: str, override: bool) -> None:
        if key in table and override:
            table[key].update(attributes)
        elif key in table:
            self.duplicates.add((kind, *(key if isinstance(key, tuple) else (key,))))
        else:
            table[key] = attributes

    def add_block(self, kind: str, labels: list[str], attributes: dict[str, Expression], override: bool) -> None:
        if kind == "variable" and len(labels) == 1:
            self._add(self.variables, labels[0], attributes, kind, override)
        elif kind == "output" and len(labels) == 1:
            self._add(self.outputs, labels[0], attributes, kind, override)
        elif kind == "module" and len(labels) == 1:
            self._add(self.module_calls, labels[0], attributes, kind, override)
        elif kind == "resource" and len(labels) == 2:
            self._add(self.resources, (labels[0], labels[1]), attributes, kind, override)
        elif kind == "data" and len(labels) == 2:
            self._add(self.data_sources, (labels[0], labels[1]), attributes, kind, override)
        elif kind == "locals":
            for name, expression in attributes.items():
                if name in self.locals and not override:
                    self.duplicates.add(("local", name))
                self.locals[name] = expression

    def add_hcl(self, text: str, override: bool, parsed: dict[str, Any] | None = None) -> None:
        """An HCL file: its blocks from `parsed` (what the capture of Checkov's own parse kept, by the exact
        text parsed: the file and a line end) when there, else parsed here by the same parser."""
        text = text + "\n"  # what is parsed: node positions refer to it
        blocks = parsed.pop(text, None) if parsed else None
        if blocks is None:
            blocks = hcl_blocks(parse_hcl(text), text)
        for kind, labels, attributes, repeated in blocks:
            for name in repeated:
                self.duplicates.add(("attribute", kind, *labels, name))
            self.add_block(kind, labels, {name: Expression(ast) for name, ast in attributes}, override)

    def add_json(self, document: Any, override: bool) -> None:
        if not isinstance(document, _Pairs):
            raise ValueError("not a JSON object")
        keys = [k for k, _ in document]
        repeated = sorted({k for k in keys if keys.count(k) > 1 and k != "//"})
        if repeated:  # Terraform reads every one, Checkov (Python's json) only the last
            raise ValueError(f"the top level declares {', '.join(repeated)} more than once")

        def objects(section: Any) -> list[Any]:
            items = section if isinstance(section, list) and not isinstance(section, _Pairs) else [section]
            return [item for item in items if isinstance(item, _Pairs)]

        def attributes_of(body: Any, literal: tuple[str, ...] = ()) -> dict[str, Expression]:
            result: dict[str, Expression] = {}
            for body_object in objects(body):
                for name, value in body_object:
                    if name == "//":
                        continue
                    if name in result:
                        raise ValueError(f"the argument {name} is set twice in one block")
                    value = json_plain(value)
                    result[name] = Literal(value) if name in literal else Expression(json_value=value, is_json=True)
            return result

        def named(item: Any) -> list[tuple[str, Any]]:
            names = [k for k, _ in item if k != "//"]
            if len(set(names)) != len(names):
                raise ValueError("a block name is declared twice in one object")
            return [(k, v) for k, v in item if k != "//"]

        for kind, section in document:
            if kind == "//":
                continue
            for item in objects(section):
                if kind == "locals":
                    self.add_block(kind, [], attributes_of(item), override)
                elif kind in ("resource", "data"):
                    for resource_type, by_name in named(item):
                        for named_object in objects(by_name):
                            for name, body in named(named_object):
                                self.add_block(kind, [resource_type, name], attributes_of(body), override)
                elif kind in ("variable", "output", "module"):
                    for name, body in named(item):
                        self.add_block(kind, [name], attributes_of(body, ("default",) if kind == "variable" else ()),
                                       override)


def hcl_blocks(tree: Any, text: str) -> list[tuple[str, list[str], list[tuple[str, Any]], list[str]]]:
    """What a module keeps of a parsed HCL file: (kind, labels, [(attribute, AST)], attributes set twice) per
    block. The Lark tree is not kept: the collector would walk it for the rest of Checkov's scan (issue 19:
    keeping Checkov's trees cost more collector time than the parse they saved)."""
    if "<<" in text:
        _check_heredocs(tree, text)
    body = tree.children[0] if tree.children and isinstance(tree.children[0], Tree) else None
    blocks = []
    for block in body.children if body is not None else []:
        if not isinstance(block, Tree) or block.data != "block":
            continue
        kind = str(block.children[0].children[0])
        labels = [str(c)[1:-1] if isinstance(c, Token) else str(c.children[0]) for c in block.children[1:-1]]
        attributes: list[tuple[str, Any]] = []
        seen: set[str] = set()
        repeated: list[str] = []
        for item in block.children[-1].children:
            if isinstance(item, Tree) and item.data == "attribute":
                name = str(item.children[0].children[0])
                if name in seen:
                    repeated.append(name)
                seen.add(name)
                try:
                    ast = to_ast(item.children[1], text)
                except Exception:  # a shape the rule does not read: this expression is unproven, not the file
                    ast = ("unsupported", f"the expression of {name}")
                attributes.append((name, ast))  # set twice: the later one is kept (and the file reported)
        blocks.append((kind, labels, attributes, repeated))
    return blocks


def _check_heredocs(tree: Any, text: str) -> None:
    """python-hcl2 ends a heredoc at any line that starts with its marker and needs one character of
    content at least, where Terraform ends it only at a line that is the marker alone: a file where the two
    disagree is read differently by Checkov and by Terraform, so it is refused."""
    for node in tree.iter_subtrees():
        if node.data not in ("heredoc_template", "heredoc_template_trim"):
            continue
        token = node.children[0]
        lines = str(token).split("\n")
        marker = lines[0].lstrip("<-").strip()
        end = getattr(token, "end_pos", None)
        if end is None or text[end:end + 1] not in ("\n", "\r", ""):
            raise ValueError(f"the heredoc {marker} does not end at a line of its own")
        if any(line.strip() == marker for line in lines[1:-1]):
            raise ValueError(f"the heredoc {marker} is empty or ends earlier than python-hcl2 reads it")


def _module_files(folder: str) -> list[os.DirEntry[str]]:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    # Terraform's own rule: *.tf and *.tf.json, ignoring editor files (.name, name~, #name#)
    return sorted((e for e in entries if e.name.endswith((".tf", ".tf.json")) and not e.name.startswith(".")
                   and not e.name.endswith("~") and not (e.name.startswith("#") and e.name.endswith("#"))
                   and e.is_file()), key=lambda e: e.name)


def _is_override(name: str) -> bool:
    stem = name[:-len(".tf.json")] if name.endswith(".tf.json") else name[:-len(".tf")]
    return stem == "override" or stem.endswith("_override")


def _read(path: str) -> str:
    # UTF-8 with an optional byte order mark, line ends kept: Terraform does not turn a lone CR into a
    # line break (Python's universal newlines, which Checkov reads with, would). A file without CR is the
    # same text Checkov parsed, so its kept tree is reused.
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return handle.read()


class _Pairs(list):
    """A JSON object as its (key, value) pairs: Python's dict keeps only the last of duplicate keys."""


def load_json(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_Pairs)


def json_plain(value: Any) -> Any:
    """A JSON value with objects as dicts, refusing duplicate keys (Terraform rejects them in values)."""
    if isinstance(value, _Pairs):
        keys = [k for k, _ in value]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate keys {sorted({k for k in keys if keys.count(k) > 1})}")
        return {k: json_plain(v) for k, v in value}
    if isinstance(value, list):
        return [json_plain(v) for v in value]
    return value


class Scan:
    """What one Checkov scan owns on the Terraform side: the modules read (each folder listed and read once),
    the root instances (their memoized values), the module-call index and what the capture of Checkov's own
    parse kept of its files. A new scan starts empty; across scans only PARSED survives, keyed by the files' content."""

    def __init__(self, root: str | None = None, parsed: dict[str, Any] | None = None) -> None:
        self.root = root  # the folder Checkov was asked to scan
        self.parsed = parsed if parsed is not None else {}  # text -> hcl_blocks(), from Checkov's own parse
        self.modules: dict[str, Module] = {}
        self.roots: dict[tuple[str, tuple[str, ...]], ModuleInstance] = {}
        self.callers: dict[tuple[str, tuple[str, ...]], dict[str, list[str]]] = {}


class _Parsed:
    """Modules already read, by folder and the exact content of its files (never by modification time), for
    a long-lived process that scans the same files again; bounded, least recently used first out."""

    LIMIT = 512
    modules: "OrderedDict[tuple[Any, ...], Module]" = OrderedDict()

    @classmethod
    def get(cls, key: tuple[Any, ...]) -> Module | None:
        module = cls.modules.get(key)
        if module is not None:
            cls.modules.move_to_end(key)
        return module

    @classmethod
    def put(cls, key: tuple[Any, ...], module: Module) -> None:
        cls.modules[key] = module
        while len(cls.modules) > cls.LIMIT:
            cls.modules.popitem(last=False)


def load_module(folder: str, scan: Scan) -> Module:
    module = scan.modules.get(folder)
    if module is not None:
        return module
    texts: list[tuple[str, str | None]] = []
    for entry in _module_files(folder):
        try:
            texts.append((entry.name, _read(entry.path)))
        except (OSError, UnicodeError):
            texts.append((entry.name, None))
    key = (folder, tuple((name, text) for name, text in texts))
    module = _Parsed.get(key)
    if module is None:
        module = Module(folder)
        for name, text in sorted(texts, key=lambda item: (_is_override(item[0]), item[0])):
            try:
                if text is None:
                    raise ValueError("it could not be read")
                if name.endswith(".tf.json"):
                    module.add_json(load_json(text), _is_override(name))
                else:
                    module.add_hcl(text, _is_override(name), scan.parsed)
            except Exception as exc:  # Terraform refuses a module with a file it cannot parse
                detail = str(exc) if isinstance(exc, ValueError) and str(exc).startswith(("the ", "a ")) else \
                    "it could not be parsed"
                module.broken.append(f"{os.path.join(folder, name)}: {detail}")
        _Parsed.put(key, module)
    scan.modules[folder] = module
    return module

def convert(value: Any, type_ast: Any, what: str) -> Any:
    """Terraform's conversion of a variable's value to its declared type."""
    if value is None or type_ast is None or isinstance(value, Unknown):  # converted at apply time
        return value
    if type_ast[0] == "trav" and not type_ast[2]:
        name = type_ast[1]
        if name == "any":
            return value
        if name == "string":
            return to_string(value, what)
        if name == "bool":
            return to_bool(value, what)
        if name == "number":
            return to_number(value, what)
    if type_ast[0] == "call" and type_ast[1] in ("list", "set", "map") and len(type_ast[2]) == 1:
        element = type_ast[2][0]
        if type_ast[1] == "map":
            if not isinstance(value, dict):
                raise Unproven(f"{what} is {describe(value)}, not a map")
            converted = {k: convert(v, element, what) for k, v in value.items()}
            return dict(zip(converted, unify(list(converted.values()), what)))  # map(any): one element type
        if not isinstance(value, (list, tuple)):
            raise Unproven(f"{what} is {describe(value)}, not a {type_ast[1]}")
        items = unify([convert(v, element, what) for v in value], what)
        return to_set(items) if type_ast[1] == "set" else items
    if type_ast[0] == "call" and type_ast[1] == "object" and len(type_ast[2]) == 1 and type_ast[2][0][0] == "object":
        if not isinstance(value, dict):
            raise Unproven(f"{what} is {describe(value)}, not an object")
        result = {}
        for key_ast, attribute_type in type_ast[2][0][1]:
            key = key_ast[1] if key_ast[0] == "lit" else None
            if not isinstance(key, str):
                raise Unproven(f"the type of {what} is not evaluated by the rule")
            optional = attribute_type[0] == "call" and attribute_type[1] == "optional"
            if optional:
                arguments = attribute_type[2]
                attribute_type = arguments[0]
                if key not in value or value[key] is None:
                    default = evaluate(arguments[1], Scope.LITERAL) if len(arguments) > 1 else None
                    result[key] = convert(default, attribute_type, what)
                    continue
            if key not in value:
                raise Unproven(f"{what} lacks the attribute {key!r} its type requires")
            result[key] = convert(value[key], attribute_type, what)
        return result
    raise Unproven(f"the type constraint of {what} is not evaluated by the rule")

# ------------------------------------------------------------------ scopes and module instances

class Scope:
    """Where an expression is evaluated: a module instance, and each/count of the block."""

    EMPTY: "Scope"
    LITERAL: "Scope"

    def __init__(self, instance: "ModuleInstance | None", each: Any = None, count: Any = None,
                 literal_only: bool = False) -> None:
        self.instance, self.each, self.count, self.literal_only = instance, each, count, literal_only


Scope.EMPTY = Scope(None)
Scope.LITERAL = Scope(None, literal_only=True)  # variable defaults and tfvars: no functions, no references


def _instance_key(block: dict[str, Expression], key: Any, scope: Scope, what: str) -> tuple[Any, Any]:
    """(each, count) of one instance of a block with count or for_each, its key taken from Checkov's
    address and checked against the rule's own evaluation of for_each."""
    if "for_each" in block:
        if key is None:
            return Unproven(f"{what} has for_each, but its instance key is not known"), None
        try:
            collection = evaluate(block["for_each"].ast(), scope)
        except Unproven as exc:
            return Unproven(f"the for_each of {what} is not proven: {exc}"), None
        if isinstance(collection, dict):
            if key not in collection:
                return Unproven(f"for_each of {what} has no key {key!r}"), None
            return (key, collection[key]), None
        if isinstance(collection, TfSet):
            if key not in collection:
                return Unproven(f"for_each of {what} has no element {key!r}"), None
            return (key, key), None
        return Unproven(f"for_each of {what} is {describe(collection)}, not a map or a set of strings"), None
    if "count" in block:
        if not isinstance(key, int):
            return None, Unproven(f"{what} has count, but its index is not known")
        return None, key
    return None, None


class ModuleInstance:
    """One instance of a module: the root module of a folder, or a module call (with its key)."""

    def __init__(self, module: Module, address: str, inputs: Callable[[str], Any], scan: Scan) -> None:
        self.module, self.address, self.inputs, self.scan = module, address, inputs, scan
        self.values: dict[tuple[str, str], Any] = {}
        self.trails: dict[tuple[str, str], tuple[str, ...]] = {}
        self.children: dict[tuple[str, Any], ModuleInstance] = {}

    def label(self, reference: str) -> str:
        return f"{self.address}.{reference}" if self.address else reference

    def _memo(self, kind: str, name: str, compute: Callable[[], Any]) -> Any:
        key = (kind, name)
        if key in self.values:
            value = self.values[key]
            if value is _IN_PROGRESS:
                raise Unproven(f"{self.label(kind + '.' + name)} refers to itself")
            if isinstance(value, Unproven):
                raise value
            if Trail.current is not None:
                Trail.current.extend(self.trails.get(key, ()))
            return value
        self.values[key] = _IN_PROGRESS
        start = len(Trail.current) if Trail.current is not None else 0
        try:
            value = compute()
        except Unproven as exc:
            self.values[key] = exc
            raise
        self.values[key] = value
        if Trail.current is not None and len(Trail.current) > start:
            self.trails[key] = tuple(Trail.current[start:])
        return value

    def _check_module(self) -> None:
        if self.module.broken:
            raise Unproven(f"the module is not read as Terraform reads it ({'; '.join(self.module.broken)})")

    def variable(self, name: str) -> Any:
        def compute() -> Any:
            self._check_module()
            declaration = self.module.variables.get(name)
            if declaration is None or ("variable", name) in self.module.duplicates:
                raise Unproven(f"{self.label('var.' + name)} is not declared once in {self.module.folder}")
            type_ast = type_constraint(declaration)
            given = self.inputs(name)
            if given is not ABSENT:
                value = given
                if value is None and "default" in declaration and "nullable" in declaration and \
                        evaluate(declaration["nullable"].ast(), Scope.LITERAL) is False:
                    value = evaluate(declaration["default"].ast(), Scope.LITERAL)
            elif "default" in declaration:
                value = evaluate(declaration["default"].ast(), Scope.LITERAL)
            else:
                where = "the module call passes none" if self.address else "no tfvars or --var-file entry"
                # known when Terraform runs: the rule's policy counts it as a subnet
                shape = "list" if type_ast is not None and type_ast[0] == "call" and \
                    type_ast[1] in ("list", "set", "tuple") else "value"
                return Unknown(f"{self.label('var.' + name)} has no value: no default and {where}", shape)
            return convert(value, type_ast, self.label("var." + name))
        return self._memo("var", name, compute)

    def local(self, name: str) -> Any:
        def compute() -> Any:
            self._check_module()
            if name not in self.module.locals or ("local", name) in self.module.duplicates:
                raise Unproven(f"{self.label('local.' + name)} is not declared once in {self.module.folder}")
            return evaluate(self.module.locals[name].ast(), Scope(self))
        return self._memo("local", name, compute)

    def child(self, name: str, key: Any, folder: str | None = None) -> "ModuleInstance":
        """The instance of `module.<name>[key]` called from this module."""
        memo_key = (name, key)
        if memo_key in self.children:
            return self.children[memo_key]
        self._check_module()
        call = self.module.module_calls.get(name)
        label = self.label(f"module.{name}")
        if call is None or ("module", name) in self.module.duplicates:
            raise Unproven(f"{label} is not declared once in {self.module.folder}")
        source = call.get("source")
        source_value = evaluate(source.ast(), Scope.LITERAL) if source is not None else None
        if isinstance(source_value, str) and "\\" in source_value:
            # Terraform reads ".\\modules\\m" as the local folder modules/m (measured); not a remote module
            raise Unproven(f"{label}'s source {source_value!r} is written with backslashes, not evaluated by the rule")
        if isinstance(source_value, str) and source_value.startswith(("./", "../")):
            local_folder = os.path.normpath(os.path.join(self.module.folder, source_value))
            if folder is not None and not same_folder(folder, local_folder):
                raise Unproven(f"{label}'s source {source_value!r} is not the folder Checkov reports")
            folder = local_folder
        elif folder is None:
            raise Unproven(f"{label}'s source {source_value!r} is not a local path", reference=True)
        each, count = _instance_key(call, key, Scope(self), label)
        caller = Scope(self, each, count)
        address = label + (f"[{json.dumps(key)}]" if key is not None else "")

        def inputs(variable: str) -> Any:
            if variable not in call or variable in META_ARGUMENTS:
                return ABSENT
            return evaluate(call[variable].ast(), caller)

        instance = ModuleInstance(load_module(folder, self.scan), address, inputs, self.scan)
        self.children[memo_key] = instance
        return instance

    def output(self, name: str, key: Any, output: str) -> Any:
        call = self.module.module_calls.get(name)
        if call is not None and ("for_each" in call or "count" in call) and key is None:
            raise Unproven(f"{self.label('module.' + name)} has several instances; the rule traces one at a time")
        child = self.child(name, key)
        declaration = child.module.outputs.get(output)
        if declaration is None or "value" not in declaration:
            raise Unproven(f"{child.label('output.' + output)} is not declared in {child.module.folder}")
        return child._memo("output", output, lambda: evaluate(declaration["value"].ast(), Scope(child)))


def type_constraint(declaration: dict[str, Expression]) -> Any:
    """A variable's type as an AST; .tf.json writes it as a string ("map(string)")."""
    if "type" not in declaration:
        return None
    type_ast = declaration["type"].ast()
    if type_ast[0] == "lit" and isinstance(type_ast[1], str) and declaration["type"].json:
        text = type_ast[1]
        text = text[2:-1] if text.startswith("${") and text.endswith("}") else text
        type_ast = parse_expression(text)
    return type_ast


_IN_PROGRESS = object()
META_ARGUMENTS = {"source", "version", "count", "for_each", "providers", "depends_on"}


def _root_inputs(folder: str, module: Module, var_files: list[str]) -> Callable[[str], Any]:
    """Terraform's precedence for root module variables: environment < terraform.tfvars <
    terraform.tfvars.json < *.auto.tfvars(.json) in lexical order < each --var-file."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for key, text in os.environ.items():
        if key.startswith("TF_VAR_"):
            values[key[len("TF_VAR_"):]] = ("env", text)
    names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
    files = [n for n in ("terraform.tfvars", "terraform.tfvars.json") if n in names]
    files += [n for n in names if n.endswith((".auto.tfvars", ".auto.tfvars.json"))]
    for path in [os.path.join(folder, n) for n in files] + list(var_files):
        try:
            if path.endswith(".json"):
                document = json_plain(load_json(_read(path)))
                if not isinstance(document, dict):
                    raise ValueError("not an object")
                values.update({k: ("value", v) for k, v in document.items()})
            else:
                body = parse_hcl(_read(path) + "\n").children[0]
                for item in body.children:
                    if isinstance(item, Tree) and item.data == "attribute":
                        values[str(item.children[0].children[0])] = ("hcl", Expression(to_ast(item.children[1], "")))
                    else:
                        raise ValueError("a tfvars file holds only attributes")
        except Exception:
            problems.append(os.path.basename(path))

    def inputs(name: str) -> Any:
        if problems:
            raise Unproven(f"the variable file(s) {', '.join(problems)} could not be parsed")
        if name not in values:
            return ABSENT
        kind, value = values[name]
        if kind == "env":
            type_ast = type_constraint(module.variables.get(name, {}))
            if type_ast is not None and type_ast != ("trav", "string", []):
                raise Unproven(f"var.{name} is set by TF_VAR_{name} for a non-string type, not evaluated by the rule")
        try:
            if kind == "hcl":
                return evaluate(value.ast(), Scope.LITERAL)
            # plain ASCII only, as for literals in .tf files: Terraform normalizes strings to NFC
            return _literal(value)
        except Unproven as exc:
            raise Unproven(f"var.{name} in {'TF_VAR_' + name if kind == 'env' else 'a variable file'}: {exc}") from None

    return inputs


# ------------------------------------------------------------------ the evaluator

def unparse(node: Any) -> str:
    """An AST back as HCL-like text, for details lines."""
    kind = node[0]
    if kind == "lit":
        return "null" if node[1] is None else json.dumps(node[1])
    if kind == "tmpl":
        return '"' + "".join(p if isinstance(p, str) else "${" + unparse(p) + "}" for p in node[1]) + '"'
    if kind == "trav":
        root = node[1] if isinstance(node[1], str) else f"({unparse(node[1])})"
        return root + "".join(f".{step[1]}" if step[0] == "attr" else f"[{unparse(step[1])}]" for step in node[2])
    if kind == "cond":
        return f"{_operand(node[1])} ? {_operand(node[2])} : {_operand(node[3])}"
    if kind == "binary":
        return f"{_operand(node[2])} {node[1]} {_operand(node[3])}"
    if kind == "unary":
        return f"{node[1]}{unparse(node[2])}"
    if kind == "call":
        return f"{node[1]}({', '.join(unparse(a) for a in node[2])})"
    if kind == "tuple":
        return "[" + ", ".join(unparse(i) for i in node[1]) + "]"
    if kind == "object":
        return "{" + ", ".join(f"{unparse(k)} = {unparse(v)}" for k, v in node[1]) + "}"
    return f"<{node[1]}>" if kind == "unsupported" else "..."


def _operand(node: Any) -> str:
    return f"({unparse(node)})" if node[0] in ("cond", "binary") else unparse(node)


class Trail:
    """The conditions whose outcome chose the value being evaluated, for the details line."""

    current: list[str] | None = None


def _literal(value: Any) -> Any:
    if isinstance(value, str):
        check_plain(value)
    elif isinstance(value, float):
        is_number(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_plain(key)
            _literal(item)
    elif isinstance(value, list):
        for item in value:
            _literal(item)
    return value


DIRECT = {"trav", "lit", "tuple", "object", "unsupported"}


def evaluate(node: Any, scope: Scope) -> Any:
    """The value of an AST node (an Unknown where Terraform knows it only at apply time), or Unproven."""
    if node[0] in DIRECT or (node[0] == "tmpl" and len(node[1]) == 1):
        return _evaluate(node, scope)
    try:
        return _evaluate(node, scope)
    except Unproven as exc:
        if exc.reference and node[0] != "cond":
            raise Unproven(str(exc)) from None
        raise


def _evaluate(node: Any, scope: Scope) -> Any:
    kind = node[0]
    if kind == "lit":
        return _literal(node[1])
    if kind == "tmpl":
        parts = node[1]
        if len(parts) == 1:  # "${x}" alone keeps x's type
            return evaluate(parts[0], scope)
        return "".join(p if isinstance(p, str) else to_string(evaluate(p, scope), "an interpolated value")
                       for p in parts)
    if kind == "trav":
        return _traverse(node, scope)
    if kind == "cond":
        return _conditional(node, scope)
    if kind == "binary":
        return _binary(node[1], evaluate(node[2], scope), evaluate(node[3], scope))
    if kind == "unary":
        value = evaluate(node[2], scope)
        if node[1] == "!":
            return not to_bool(value, "the operand of !")
        number = to_number(value, "the operand of -")
        if number == 0:  # Terraform keeps a negative zero ("-0")
            raise Unproven("the negative zero is not evaluated by the rule")
        return -number
    if kind == "tuple":
        return [evaluate(item, scope) for item in node[1]]
    if kind == "object":
        result = {}
        for key, value in node[1]:
            result[to_string(evaluate(key, scope), "an object key")] = evaluate(value, scope)
        return result
    if kind == "call":
        function = FUNCTIONS.get(node[1])
        if scope.literal_only:
            raise Unproven(f"the function {node[1]}() where Terraform accepts only a literal value")
        if function is None:
            raise Unproven(f"the function {node[1]}() is not evaluated by the rule")
        arguments = [evaluate(argument, scope) for argument in node[2]]
        try:
            return function(*arguments)
        except Unproven:
            raise
        except (TypeError, ValueError, AttributeError) as exc:
            raise Unproven(f"{node[1]}() with these arguments is not evaluated by the rule ({exc})") from None
    if kind == "unsupported":
        raise Unproven(f"{node[1]} is not evaluated by the rule")
    raise Unproven("an unknown expression")


def _conditional(node: Any, scope: Scope) -> Any:
    try:
        condition = to_bool(evaluate(node[1], scope), "the condition")
    except Unproven as exc:
        # An unknown condition still proves a value when both branches give it.
        outcomes = []
        for branch in (node[2], node[3]):
            try:
                outcomes.append(("value", evaluate(branch, scope)))
            except Unproven as branch_exc:
                outcomes.append(("unproven", branch_exc))
        if all(o[0] == "value" for o in outcomes):
            true, false = outcomes[0][1], outcomes[1][1]
            if isinstance(true, Unknown) or isinstance(false, Unknown):  # a subnet either way, or unproven
                return any_of([true, false], f"the condition `{unparse(node[1])}` is not proven: {exc}")
            try:
                same = equal(true, false) and type(true) is type(false)
            except Unproven:
                same = False
            if same:
                return true
            raise Unproven(f"the condition `{unparse(node[1])}` is not proven: {exc}; its branches differ: "
                           f"{describe(true)} if true, {describe(false)} if false") from None
        raise Unproven(f"the condition `{unparse(node[1])}` is not proven: {exc}") from None
    if Trail.current is not None:
        Trail.current.append(f"`{unparse(node[1])}` is {'true' if condition else 'false'}")
    chosen, other = (node[2], node[3]) if condition else (node[3], node[2])
    value = evaluate(chosen, scope)
    if isinstance(value, Unknown):  # converted to the branches' type at apply time
        return value
    # Terraform gives both branches one type: `true ? 1 : "x"` is "1". A string (or null) stays as it is;
    # another value is kept only when the other branch is known to have its type.
    mark = len(Trail.current) if Trail.current is not None else 0
    try:
        other_value = evaluate(other, scope)
    except Unproven:
        other_value = Unknown("the branch not taken")
    finally:
        if Trail.current is not None:
            del Trail.current[mark:]
    if isinstance(other_value, Unknown):
        # strings (in a list too) convert to no other type: they stay, or Terraform stops with an error
        # a list of strings may become a set (sorted, without duplicates) when the other branch is one:
        # kept only when that cannot change it (at most one element, or only apply-time elements)
        if kind_of(value) in ("string", "null") or isinstance(value, list) and \
                all(v is None or isinstance(v, (str, Unknown)) for v in value) and \
                (len(value) <= 1 or all(isinstance(v, Unknown) for v in value)):
            return value
        raise Unproven(f"the branch not taken of `{unparse(node)}` has a type the rule cannot tell, "
                       f"and Terraform may convert {describe(value)} to it")
    if not same_type(value, other_value):
        # Terraform converts both branches to one type decided from the expressions' static types, which
        # values do not always show (a branch whose own parts are unknown has no type until apply)
        raise Unproven(f"the branches of `{unparse(node)}` have different types, which Terraform converts")
    return value


def _binary(operator: str, left: Any, right: Any) -> Any:
    if operator == "==":
        return equal(left, right)
    if operator == "!=":
        return not equal(left, right)
    if operator in ("&&", "||"):
        a, b = to_bool(left, f"the left operand of {operator}"), to_bool(right, f"the right operand of {operator}")
        return (a and b) if operator == "&&" else (a or b)
    a, b = to_number(left, f"the left operand of {operator}"), to_number(right, f"the right operand of {operator}")
    if operator == "<":
        return a < b
    if operator == ">":
        return a > b
    if operator == "<=":
        return a <= b
    if operator == ">=":
        return a >= b
    if operator == "+":
        return a + b
    if operator == "-":
        return a - b
    if operator == "*":
        return a * b
    if operator in ("/", "%"):
        if b == 0:
            raise Unproven("a division by zero")
        quotient = abs(a) // abs(b) * (1 if (a >= 0) == (b > 0) else -1)  # truncated, as Terraform's %
        if operator == "/":
            if quotient * b != a:
                raise Unproven("a division with a fractional result is not evaluated by the rule")
            return quotient
        return a - b * quotient
    raise Unproven(f"the operator {operator} is not evaluated by the rule")


def _step_key(step: Any, scope: Scope) -> Any:
    return step[1] if step[0] == "attr" else evaluate(step[1], scope)


def _apply_steps(value: Any, steps: list[Any], scope: Scope) -> Any:
    for step in steps:
        if step[0] == "splat":
            value = _splat(value, step[1], scope)
        else:
            value = index_value(value, _step_key(step, scope))
    return value


SPLAT_LIMIT = 1000  # elements the rule expands one by one


def _splat(value: Any, steps: list[Any], scope: Scope) -> Any:
    """HCL's splat: the steps applied to each element of a list; a value that is not a list is taken as a
    list of itself, and null as an empty list."""
    if isinstance(value, Unknown) and value.shape != "object":
        for step in steps:  # evaluated for what they would raise
            _step_key(step, scope)
        return Unknown(value.reason, "list")  # its length is known only at apply time
    if isinstance(value, TfSet):
        raise Unproven("a splat over a set is not evaluated by the rule")
    items = [] if value is None else list(value) if isinstance(value, (list, tuple)) else [value]
    return [_apply_steps(item, steps, scope) for item in items]


def _instances(kind: str, type_name: str, name: str, scope: Scope) -> Any:
    """The value of a resource or data source block as a whole: one apply-time object; with count a list
    of them, with for_each a map of them by key, when the rule proves the count or the keys (a splat or
    values() over it then has a known length)."""
    label = f"{'data.' if kind == 'data' else ''}{type_name}.{name}"
    instance = scope.instance
    table = instance.module.data_sources if kind == "data" else instance.module.resources
    block = table.get((type_name, name))
    if block is None:  # not declared in this module (Terraform refuses the reference)
        return Unknown(instance.label(label))
    meta = "for_each" if "for_each" in block else "count" if "count" in block else None
    if meta is None:
        return Unknown(instance.label(label), "object", ResourceInstance(type_name, block, Scope(instance)))

    def instances() -> Any:
        value = evaluate(block[meta].ast(), Scope(instance))
        if meta == "count":
            return to_number(value, f"the count of {instance.label(label)}")
        if isinstance(value, TfSet):
            return {key: key for key in value}
        if isinstance(value, dict):
            return value
        raise Unproven(f"the for_each of {instance.label(label)} is not a map or a set of strings")

    try:
        found = instance._memo("instances", label, instances)
    except Unproven:
        return Unknown(instance.label(label), "list" if meta == "count" else "value")
    if isinstance(found, dict):
        return {key: Unknown(instance.label(f"{label}[{json.dumps(key)}]"), "object",
                             ResourceInstance(type_name, block, Scope(instance, (key, found[key])))) for key in sorted(found)}
    if not 0 <= found <= SPLAT_LIMIT:
        return Unknown(instance.label(label), "list")
    return [Unknown(instance.label(f"{label}[{i}]"), "object", ResourceInstance(type_name, block, Scope(instance, None, i)))
            for i in range(found)]


# terraform_data's output is its input, known at plan time when the input is
MIRRORED_ATTRIBUTES = {("terraform_data", "output"): "input"}


class ResourceInstance(NamedTuple):
    """One resource or data source instance whose attributes are known at apply time (an Unknown "object")."""
    type_name: str
    block: dict[str, Expression]
    scope: Scope

    def attribute(self, reason: str, name: str) -> Any:
        """An attribute of the instance. An argument its block sets is planned from that expression: "" or
        null there stay what they are (no subnet), everything else is left to the provider and known at
        apply. An argument the block leaves unset is computed by the provider (the rule's policy counts it as
        a subnet), except where the rule knows it stays null."""
        name = MIRRORED_ATTRIBUTES.get((self.type_name, name), name)
        reason = f"{reason}.{name}"
        if name not in self.block:
            if (self.type_name, name) in NULL_WHEN_UNSET:
                return None
            return Unknown(reason)
        expression, scope = self.block[name], self.scope
        try:  # memoized per instance, which also stops a block that refers to itself
            return scope.instance._memo("attribute", reason, lambda: _planned(evaluate(expression.ast(), scope), reason))
        except Unproven as exc:
            raise Unproven(f"{reason} is set by the configuration to a value the rule does not prove ({exc})") from None


NULL_WHEN_UNSET = {("terraform_data", "input")}


def _planned(value: Any, reason: str) -> Any:
    if value is None or isinstance(value, (str, Unknown)) and (isinstance(value, Unknown) or not value.strip()):
        return value
    if isinstance(value, (list, tuple)):
        return [_planned(v, reason) for v in value]
    if isinstance(value, dict):
        return {k: _planned(v, reason) for k, v in value.items()}
    return Unknown(reason)  # a value the provider plans (it may normalize it): known here only as set


def _text(root: str, steps: list[Any]) -> str:
    out = root
    for step in steps:
        if step[0] == "splat":
            out += "[*]" + _text("", step[1])
        elif step[0] == "attr":
            out += "." + step[1]
        else:
            out += f"[{describe(step[1][1])}]" if step[1][0] == "lit" else "[...]"
    return out


SPECIAL_ROOTS = ("path", "self", "var", "local", "each", "count", "module", "terraform")


def _traverse(node: Any, scope: Scope) -> Any:
    root, steps = node[1], node[2]
    if not isinstance(root, str):  # e.g. (local.x)["a"], a function result indexed
        return _apply_steps(evaluate(root, scope), steps, scope)
    instance = scope.instance
    first = steps[0][1] if steps and steps[0][0] == "attr" else None
    if root in ("var", "local") and first is not None and instance is not None:
        value = instance.variable(first) if root == "var" else instance.local(first)
        return _apply_steps(value, steps[1:], scope)
    if root == "each" and first in ("key", "value"):
        if isinstance(scope.each, Unproven):
            raise scope.each
        if scope.each is None:
            raise Unproven(f"each.{first} is used outside a for_each")
        return _apply_steps(scope.each[0 if first == "key" else 1], steps[1:], scope)
    if root == "count" and first == "index":
        if isinstance(scope.count, Unproven):
            raise scope.count
        if scope.count is None:
            raise Unproven("count.index is used outside a count")
        return _apply_steps(scope.count, steps[1:], scope)
    if root == "module" and first is not None and instance is not None:
        rest, key = steps[1:], None
        if rest and rest[0][0] == "index":
            key, rest = evaluate(rest[0][1], scope), rest[1:]
        if not rest or rest[0][0] != "attr":
            raise Unproven(f"{_text(root, steps)}: a whole module is not evaluated by the rule")
        try:
            value = instance.output(first, key, rest[0][1])
        except Unproven as exc:
            if not exc.reference:
                raise
            value = Unknown(f"{_text(root, steps)} is an output of a module the rule does not read ({exc})")
        return _apply_steps(value, rest[1:], scope)
    if root == "data" or steps and "_" in root and root not in SPECIAL_ROOTS:
        if scope.literal_only or instance is None:
            raise Unproven(f"the reference {_text(root, steps)} where Terraform accepts only a literal value")
        if root == "data":
            reason = f"the data source {_text(root, steps[:2])} is read only at apply time"
            names, rest = [s[1] for s in steps[:2] if s[0] == "attr"], steps[2:]
        else:  # aws_subnet.private.id: a resource attribute, known after apply
            reason = f"the resource attribute {_text(root, steps)} is known only after apply"
            names, rest = [root, *[s[1] for s in steps[:1] if s[0] == "attr"]], steps[1:]
        if len(names) != 2:
            raise Unproven(f"{_text(root, steps)} is not evaluated by the rule")
        value = _apply_steps(_instances(root, names[0], names[1], scope), rest, scope)
        return Unknown(reason, value.shape, value.instance) if isinstance(value, Unknown) else value
    if root == "terraform" and first == "workspace":
        raise Unproven("terraform.workspace is chosen when Terraform runs")
    raise Unproven(f"{_text(root, steps) or root} is not evaluated by the rule")

# ------------------------------------------------------------------ locating a notebook and tracing its attributes

def same_folder(a: str, b: str) -> bool:
    return os.path.normpath(a) == os.path.normpath(b) or os.path.realpath(a) == os.path.realpath(b)


def split_address(address: str) -> list[tuple[str, Any]]:
    """`module.a["k"].module.b.aws_x.y[0]` -> [("module", None), ("a", "k"), ...]: names with instance keys."""
    if "[" not in address and not address.endswith("."):  # no instance key: the names between the dots
        return [(name, None) for name in address.split(".")] if address else []
    segments: list[tuple[str, Any]] = []
    index, name = 0, []
    while index < len(address):
        char = address[index]
        if char == ".":
            segments.append(("".join(name), None))
            name = []
            index += 1
        elif char == "[":
            end = index + 1
            if address[end:end + 1] == '"':
                end += 1
                while end < len(address) and address[end] != '"':
                    end += 2 if address[end] == "\\" else 1
                end += 1
            while end < len(address) and address[end] != "]":
                end += 1
            raw = address[index + 1:end]
            key: Any = json.loads(raw) if raw.startswith('"') else int(raw)
            segments.append(("".join(name), key))
            name = []
            index = end + 1
            if address[index:index + 1] == ".":
                index += 1
        else:
            name.append(char)
            index += 1
    if name:
        segments.append(("".join(name), None))
    return segments


class Notebook:
    """A notebook resource located in the rule's own reading of the source."""

    def __init__(self, scope: Scope, block: dict[str, Expression], address: str, twice: set[str]) -> None:
        self.scope, self.block, self.address, self.twice = scope, block, address, twice
        self.conditions: dict[str, list[str]] = {}

    def attribute(self, name: str) -> Any:
        """The value Terraform would send (ABSENT when unset or null), or Unproven. `conditions[name]`
        lists the proven conditions whose outcome chose it."""
        if name not in self.block:
            return ABSENT
        if name in self.twice:
            raise Unproven(f"{name} is set twice in the resource block, which Terraform refuses")
        Trail.current = self.conditions[name] = []
        try:
            value = evaluate(self.block[name].ast(), self.scope)
        finally:
            Trail.current = None
        if isinstance(value, Unknown):
            if value.shape != "value":
                raise Unproven(f"{name} is {'a list' if value.shape == 'list' else 'a whole resource'} known only "
                               f"at apply time ({value.reason}), not one value")
            raise Unproven(value.reason, reference=True)
        return ABSENT if value is None else value


def root_instance(folder: str, var_files: list[str], scan: Scan) -> ModuleInstance:
    """The root module of `folder` with its variable values, once per scan (the instance memoizes values)."""
    folder = os.path.abspath(folder)
    key = (folder, tuple(var_files))
    instance = scan.roots.get(key)
    if instance is None:
        module = load_module(folder, scan)
        instance = scan.roots[key] = ModuleInstance(module, "", _root_inputs(folder, module, var_files), scan)
    return instance


def module_tree_problems(instance: ModuleInstance) -> list[str]:
    """Files of the root module and of every local module it calls, recursively, that the rule (and
    Checkov, which uses the same parser) cannot read as Terraform does: notebooks there go unjudged."""
    cached = getattr(instance, "tree_problems", None)
    if cached is not None:
        return cached
    problems: list[str] = []
    pending, seen = [instance.module], set()
    while pending and len(seen) < 500:
        module = pending.pop()
        if module.folder in seen:
            continue
        seen.add(module.folder)
        problems += module.broken
        for call in module.module_calls.values():
            try:
                source = evaluate(call["source"].ast(), Scope.LITERAL) if "source" in call else None
            except Unproven:
                continue
            if isinstance(source, str) and source.startswith(("./", "../")):
                folder = os.path.normpath(os.path.join(module.folder, source))
                if os.path.isdir(folder):
                    pending.append(load_module(folder, instance.scan))
    instance.tree_problems = problems  # type: ignore[attr-defined]
    return problems


def callers_in_scan(folder: str, scan: Scan, suffixes: tuple[str, ...]) -> list[str]:
    """Module blocks, in files with `suffixes` under the scan's root, whose local source is `folder`.
    Checkov's terraform runner reads no .tf.json and its terraform_json runner reads no module calls, so a
    notebook there is handed over as if its folder were a root module: without its caller's inputs."""
    root = os.path.abspath(scan.root or os.path.dirname(folder))
    index = scan.callers.get((root, suffixes))
    if index is None:
        index = {}
        for directory, subfolders, files in os.walk(root):
            subfolders[:] = [d for d in subfolders if not d.startswith(".")]
            if not any(f.endswith(suffixes) and not f.startswith(".") for f in files):
                continue
            try:
                module = load_module(directory, scan)
            except OSError:
                continue
            for name, call in module.module_calls.items():
                try:
                    source = evaluate(call["source"].ast(), Scope.LITERAL) if "source" in call else None
                except Unproven:
                    continue
                if isinstance(source, str) and source.startswith(("./", "../")):
                    target = os.path.normpath(os.path.join(directory, source))
                    index.setdefault(target, []).append(f'module "{name}" in {directory}')
        scan.callers[(root, suffixes)] = index
    return index.get(os.path.normpath(folder), [])


def locate(file_path: str, resource_type: str, address: str, callers: list[str], var_files: list[str],
           scan_root: str | None = None, caller_suffixes: tuple[str, ...] = (".tf.json",),
           scan: Scan | None = None) -> Notebook:
    """`callers`: the files of the module calls from the innermost out (Checkov's source_module_object_).
    `caller_suffixes`: the files whose module calls Checkov did not follow to this notebook. `scan`: the
    scan's state (a new one, rooted at `scan_root`, when not given)."""
    scan = scan if scan is not None else Scan(scan_root)
    if os.path.basename(file_path).startswith("."):
        raise Unproven(f"Terraform ignores {os.path.basename(file_path)} (its name starts with a dot), so this "
                       "notebook is not part of the configuration; rename the file to have it judged")
    segments = split_address(address)
    if len(segments) < 2 or len(segments) % 2:
        raise Unproven(f"the address {address!r} is not understood")
    module_steps = segments[:-2]
    if any(name != "module" for name, _ in module_steps[0::2]) or len(module_steps) // 2 != len(callers):
        raise Unproven(f"the module path of {address!r} is not understood")
    folders = [os.path.dirname(os.path.abspath(p)) for p in reversed(callers)] + \
              [os.path.dirname(os.path.abspath(file_path))]
    instance = root_instance(folders[0], var_files, scan)
    problems = module_tree_problems(instance)
    if problems:
        raise Unproven(f"the configuration in {folders[0]} is not read as Terraform reads it ({'; '.join(problems)}); "
                       "a notebook there could go unjudged")
    if not callers:
        called = callers_in_scan(folders[0], scan, caller_suffixes)
        if called:
            raise Unproven(f"{folders[0]} is a module called by {', '.join(called)}; the values its caller passes "
                           "are not seen in this framework")
    for level, (name, key) in enumerate(module_steps[1::2]):
        instance = instance.child(name, key, folders[level + 1])
    if not same_folder(instance.module.folder, folders[-1]):
        raise Unproven(f"the module path of {address!r} leads to {instance.module.folder}, not to {folders[-1]}")
    instance._check_module()
    (type_name, _), (resource_name, key) = segments[-2], segments[-1]
    if type_name != resource_type:
        raise Unproven(f"the address {address!r} is not a {resource_type}")
    block = instance.module.resources.get((resource_type, resource_name))
    if block is None or ("resource", resource_type, resource_name) in instance.module.duplicates:
        raise Unproven(f"{resource_type}.{resource_name} is not declared once in {instance.module.folder}")
    each, count = _instance_key(block, key, Scope(instance), instance.label(f"{resource_type}.{resource_name}"))
    twice = {d[-1] for d in instance.module.duplicates if d[:4] == ("attribute", "resource", resource_type, resource_name)}
    return Notebook(Scope(instance, each, count), block, address, twice)


# ------------------------------------------------------------------ the verdict's inputs

TF_KEY, TF_SUBNET = "direct_internet_access", "subnet_id"


def evaluate_plan(conf: dict[str, Any], plans: dict[str, Any]) -> tuple[bool, str]:
    """A plan holds Terraform's own values: proof, except those known only after apply."""
    unknown = after_unknown(conf, plans)
    value = unwrap(conf, TF_KEY)
    unresolved = None
    if unknown.get(TF_KEY) is True:
        unresolved = "known only after apply"
    elif value is not verdict.ABSENT and not isinstance(value, str):
        unresolved = f"a {verdict.type_name(value)} {verdict.describe(value)} where a string is expected"
    subnet = unwrap(conf, TF_SUBNET)
    subnet_problem = None
    if subnet is verdict.ABSENT or (isinstance(subnet, str) and not subnet.strip()):
        if unknown.get(TF_SUBNET) is not True:  # known only after apply still means "set"
            subnet_problem = "subnet_id is not set"
    elif not isinstance(subnet, str):
        subnet_problem = f"subnet_id is {verdict.describe(subnet)}, not a subnet ID or reference"
    return verdict.judge([value], unresolved, subnet_problem, TF_KEY)


def evaluate_terraform(conf: dict[str, Any], locate: Callable[[], Any] | None) -> tuple[bool, str]:
    """HCL and .tf.json: the rule traces both attributes from the source itself (the Terraform module evaluator above).
    Checkov's rendered value in `conf` is not used: it is wrong both ways (a comparison on a variable
    without a value comes out false; `["Enabled", "Disabled"][1]` comes out "Enabled")."""
    if locate is None:
        return False, f"{TF_KEY} could not be traced: the notebook's source was not found; failing closed"
    try:
        notebook = locate()
    except Unproven as exc:
        return False, f"{TF_KEY} could not be traced: {exc}; failing closed"
    unresolved = None
    try:
        value = notebook.attribute(TF_KEY)
    except Unproven as exc:
        value, unresolved = None, str(exc)
    if unresolved is None and value is not verdict.ABSENT and not isinstance(value, str):
        unresolved = f"it is a {verdict.type_name(value)} {verdict.describe(value)} where a string is expected"
    conditions = notebook.conditions.get(TF_KEY)
    if unresolved is None and value != verdict.PASSING and conditions:  # name the branch, not just the value
        shown = "not set (AWS default Enabled)" if value is verdict.ABSENT else verdict.describe(value)
        return False, (f"{TF_KEY} is {shown} in the branch chosen because {' and '.join(conditions)}; "
                       f"only exactly 'Disabled' turns direct internet access off")
    subnet_problem = None
    try:
        subnet = notebook.attribute(TF_SUBNET)
        if subnet is verdict.ABSENT:
            subnet_problem = "subnet_id is not set (or null)"
        elif isinstance(subnet, str) and not subnet.strip():
            subnet_problem = f"subnet_id is {subnet!r}"
        elif not isinstance(subnet, str):
            subnet_problem = f"subnet_id is {verdict.describe(subnet)}, not a subnet ID or reference"
    except Unproven as exc:
        if not exc.reference:  # a resource, data source or required input is a subnet known at apply
            subnet_problem = f"subnet_id could not be traced ({exc})"
    return verdict.judge([value], unresolved, subnet_problem, TF_KEY)
