"""Terraform values traced by D9.AWS.NET.49 itself, from the source, for HCL and `.tf.json`.

Checkov evaluates expressions before a check sees them and guesses where it cannot (a comparison on a
variable without a value comes out false). So a notebook PASSES only when this module traces the
attribute from the resource's own source expression to a literal, through an allow-list of constructs it
evaluates exactly as Terraform does: literals and templates, variables (default < TF_VAR_* <
terraform.tfvars < terraform.tfvars.json < *.auto.tfvars(.json) in lexical order < --var-file; module
inputs per calling module block), locals, module outputs, each/count, conditionals, operators and a list
of pure functions. Anything else raises `Unproven`, whose text names the first thing not proven.

Loaded by d9_aws_net_49_sagemaker_direct_internet.py; it registers no check (Checkov, which imports
every .py of the folder, finds nothing to run here).
"""
from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Callable

from lark import Token, Tree

ABSENT = object()  # the attribute is not set: AWS applies its default
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
    try:
        info = os.stat(plan_file)
        cache_key = f"{plan_file}\0{info.st_mtime_ns}\0{info.st_size}"  # re-read when the plan changes
    except OSError:
        return {}
    if cache_key not in _plan_unknowns:
        try:
            with open(plan_file, encoding="utf-8") as handle:
                changes = json.load(handle).get("resource_changes") or []
            _plan_unknowns[cache_key] = {
                c.get("address"): (c.get("change") or {}).get("after_unknown") or {} for c in changes if isinstance(c, dict)
            }
        except (OSError, ValueError, AttributeError):
            _plan_unknowns[cache_key] = {}
    unknown = _plan_unknowns[cache_key].get(address, {})
    return unknown if isinstance(unknown, dict) else {}


class Unproven(Exception):
    """The rule could not trace a value. `reference` marks a value that exists but is known only at
    apply time (a resource or data source attribute, a required input): enough to count as a subnet."""

    def __init__(self, reason: str, reference: bool = False) -> None:
        super().__init__(reason)
        self.reference = reference


class Unknown:
    """A value Terraform knows only at apply time (cty's unknown): a resource or data source attribute, a
    required input, a remote module's output. It flows through the values the rule evaluates, so an index,
    a splat or element() picks exactly what Terraform would pick. `shape`: "value" (any type: the rule's
    policy counts it as a subnet), "list" (a list of such values, length not known here) or "object" (one
    resource or data source instance; `block` and `scope` then say how its arguments are set). Anything
    that would need its content (a comparison, a string operation) raises Unproven with `reason`."""

    __slots__ = ("reason", "shape", "block", "scope")

    def __init__(self, reason: str, shape: str = "value", block: Any = None, scope: Any = None) -> None:
        self.reason, self.shape, self.block, self.scope = reason, shape, block, scope

    def __str__(self) -> str:
        return f"<{self.reason}>"


def known(value: Any) -> Any:
    """`value` itself, or Unproven when it is known only at apply time."""
    if isinstance(value, Unknown):
        raise Unproven(value.reason)
    return value


def subnet_like(value: Any) -> bool:
    """A value that passes as a subnet: a non-blank string, or an apply-time value (the rule's policy)."""
    if isinstance(value, Unknown):
        return value.shape == "value"
    return isinstance(value, str) and bool(value.strip())


def any_of(values: list[Any], reason: str) -> "Unknown":
    """One of `values`, not known which: an apply-time value when each of them passes as a subnet."""
    if values and all(subnet_like(v) for v in values):
        return Unknown(reason)
    raise Unproven(reason)


class TfSet(tuple):
    """A Terraform set (for_each accepts a set of strings, not a list)."""


# ------------------------------------------------------------------ parsing with Checkov's own HCL parser

def _parser() -> Any:
    from hcl2.parser import Hcl2
    parser = Hcl2.lark_parser
    return getattr(parser, "_d9_parser", parser)


class _CapturingParser:
    """Stands in for python-hcl2's Lark parser during the parse of a Terraform scan that runs this rule, and
    keeps the trees Checkov parses anyway (only of texts that declare a notebook), keyed by the exact text, so
    tracing does not parse those files a second time. Only a speed-up: a file whose tree was not kept is
    parsed again by the same parser. Installed when the folder loads in such a scan's Terraform runner (before
    Checkov parses) and removed when the rule first judges a notebook of it (after Checkov parsed) or when the
    folder loads for a Terraform scan that does not run the rule: it never outlives one scan's parse."""

    LIMIT = 16 * 1024 * 1024  # characters of source whose trees are kept (a tree takes ~30 times more)

    def __init__(self, parser: Any, marker: str) -> None:
        self._d9_parser, self.marker = parser, marker
        self.trees: dict[str, Any] = {}
        self.size = 0

    def parse(self, text: str, *args: Any, **kwargs: Any) -> Any:
        tree = self._d9_parser.parse(text, *args, **kwargs)
        if isinstance(text, str) and self.marker in text and self.size + len(text) <= self.LIMIT:
            self.trees[text] = tree
            self.size += len(text)
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
    """Removes the capture (Checkov's parse of the scan is over once the rule judges) and hands its trees over."""
    try:
        from hcl2.parser import Hcl2
    except ImportError:  # pragma: no cover
        return {}
    current = Hcl2.lark_parser
    original = getattr(current, "_d9_parser", None)
    if original is None:
        return {}
    Hcl2.lark_parser = original
    trees = getattr(current, "trees", None)
    return trees if isinstance(trees, dict) else {}


def parse_hcl(text: str) -> Any:
    """The Lark tree of an HCL text (its `start` node), from Checkov's parse when the scan kept one."""
    text = text + "\n"
    tree = ScanContext.trees.pop(text, None)
    return tree if tree is not None else _parser().parse(text)


def parse_expression(text: str) -> Any:
    """AST of one expression given as text (an interpolation, a .tf.json type string)."""
    tree = _parser().parse(f"d9_expression = {text}\n")
    body = tree.children[0]
    attribute = body.children[0] if isinstance(body, Tree) and body.children else None
    if not isinstance(attribute, Tree) or attribute.data != "attribute" or len(body.children) != 1:
        raise Unproven(f"the expression {text!r} could not be parsed")
    return to_ast(attribute.children[1], f"d9_expression = {text}\n")


# ------------------------------------------------------------------ Lark tree -> a small AST
# ("lit", v) ("tmpl", parts) ("trav", root, steps) ("call", name, args) ("tuple", items) ("object", pairs)
# ("unary", op, x) ("binary", op, l, r) ("cond", c, t, f) ("unsupported", what)

BINARY_PRECEDENCE = {"||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4,
                     "+": 5, "-": 5, "*": 6, "/": 6, "%": 6}


def _flatten(tree: Any, out: list[Any]) -> None:
    """python-hcl2's grammar nests operators right to left with no precedence; flatten them into the
    source order of operands and operators, then rebuild the tree with HCL's precedence."""
    if isinstance(tree, Tree) and tree.data == "binary_op":
        _flatten(tree.children[0], out)
        term = tree.children[1]
        out.append(("op", str(term.children[0].children[0])))
        _flatten(term.children[1], out)
    elif isinstance(tree, Tree) and tree.data == "conditional":
        _flatten(tree.children[0], out)
        out.append(("op", "?"))
        _flatten(tree.children[1], out)
        out.append(("op", ":"))
        _flatten(tree.children[2], out)
    else:
        out.append(("atom", tree))


class _Rebuild:
    def __init__(self, items: list[Any], text: str) -> None:
        self.items, self.position, self.text = items, 0, text

    def peek(self) -> Any:
        return self.items[self.position] if self.position < len(self.items) else None

    def conditional(self) -> Any:
        condition = self.binary(1)
        item = self.peek()
        if item == ("op", "?"):
            self.position += 1
            true = self.conditional()
            if self.peek() != ("op", ":"):
                return ("unsupported", "a malformed conditional")
            self.position += 1
            return ("cond", condition, true, self.conditional())
        return condition

    def binary(self, level: int) -> Any:
        if level > 6:
            item = self.peek()
            self.position += 1
            if item is None or item[0] != "atom":
                return ("unsupported", "a malformed operation")
            return to_ast(item[1], self.text)
        left = self.binary(level + 1)
        while True:
            item = self.peek()
            if item is None or item[0] != "op" or BINARY_PRECEDENCE.get(item[1]) != level:
                return left
            self.position += 1
            left = ("binary", item[1], left, self.binary(level + 1))


def to_ast(tree: Any, text: str) -> Any:
    if isinstance(tree, Token):
        if tree.type == "STRING_LIT":
            return parse_template(str(tree)[1:-1], quoted=True)
        return ("unsupported", f"the token {str(tree)!r}")
    if not isinstance(tree, Tree):
        return ("unsupported", "an unknown expression")
    kind = tree.data
    if kind in ("binary_op", "conditional"):
        items: list[Any] = []
        _flatten(tree, items)
        rebuild = _Rebuild(items, text)
        result = rebuild.conditional()
        return result if rebuild.position == len(items) else ("unsupported", "a malformed operation")
    if kind == "expr_term":
        if len(tree.children) != 1:
            return ("unsupported", "an unknown expression")
        return to_ast(tree.children[0], text)
    if kind == "unary_op":
        return ("unary", str(tree.children[0]), to_ast(tree.children[1], text))
    if kind == "identifier":
        name = str(tree.children[0])
        return {"true": ("lit", True), "false": ("lit", False), "null": ("lit", None)}.get(name, ("trav", name, []))
    if kind == "int_lit":
        return ("lit", int("".join(str(c) for c in tree.children)))
    if kind == "float_lit":  # Terraform's numbers are exact decimals; Python floats are not
        return ("unsupported", "a fractional number")
    if kind == "tuple":
        return ("tuple", [to_ast(c, text) for c in tree.children])
    if kind == "object":
        pairs = []
        for element in tree.children:
            key, value = element.children[0], element.children[-1]
            if isinstance(key, Tree) and key.data == "identifier":
                key_ast = ("lit", str(key.children[0]))
            else:
                key_ast = to_ast(key, text)
                if key_ast[0] == "trav":
                    key_ast = ("lit", key_ast[1]) if not key_ast[2] else ("unsupported", "an object key traversal")
            pairs.append((key_ast, to_ast(value, text)))
        return ("object", pairs)
    if kind == "function_call":
        name = str(tree.children[0].children[0])
        arguments = tree.children[1].children if len(tree.children) > 1 else []
        meta = getattr(tree, "meta", None)
        source = text[meta.start_pos:meta.end_pos] if meta is not None and not meta.empty and text else ""
        if not source or "..." in source:
            return ("unsupported", f"{name}(...) with expanded arguments")
        return ("call", name, [to_ast(a, text) for a in arguments])
    if kind in ("get_attr_expr_term", "index_expr_term", "attr_splat_expr_term", "full_splat_expr_term"):
        base = to_ast(tree.children[0], text)
        if kind in ("get_attr_expr_term", "index_expr_term"):
            new_steps = [_step(tree.children[1], text)]
        else:
            # HCL: a full splat x[*] applies every following attribute and index to each element; the
            # legacy x.* only the attributes, and an index after them applies to the list (x.*.id[0] is
            # the first id). python-hcl2 puts both in the splat node.
            inner = [_step(s, text) for s in tree.children[1].children]
            cut = len(inner) if kind == "full_splat_expr_term" else \
                next((i for i, s in enumerate(inner) if s[0] != "attr"), len(inner))
            new_steps = [("splat", inner[:cut]), *inner[cut:]]
        if base[0] == "trav":
            return ("trav", base[1], [*base[2], *new_steps])
        return ("trav", base, new_steps)  # a traversal on a computed value: the root is an AST
    if kind in ("heredoc_template", "heredoc_template_trim"):
        return _heredoc(str(tree.children[0]), trim=kind.endswith("trim"))
    names = {"for_tuple_expr": "a for expression", "for_object_expr": "a for expression",
             "provider_function_call": "a provider-defined function"}
    return ("unsupported", names.get(kind, f"an expression of kind {kind}"))


def _step(step: Any, text: str) -> Any:
    """One attribute or index step of a traversal."""
    if step.data == "get_attr":
        return ("attr", str(step.children[0].children[0]))
    inner = step.children[0]
    return ("index", ("lit", int(str(inner))) if isinstance(inner, Token) else to_ast(inner, text))


def _multiline_interpolation(body: str) -> bool:
    """An interpolation of the heredoc body that spans lines (a nested heredoc, say): HCL then reads the
    lines inside it as part of the expression, not of the heredoc (measured: a <<- heredoc's indentation
    is counted without them)."""
    index = body.find("${")
    while index != -1:
        if index > 0 and body[index - 1] == "$":  # the escape $${
            index = body.find("${", index + 2)
            continue
        try:
            end = _interpolation_end(body, index + 2)
        except Unproven:
            return True
        if "\n" in body[index:end]:
            return True
        index = body.find("${", end)
    return False


def _heredoc(token: str, trim: bool) -> Any:
    lines = token.split("\n")
    content = lines[1:-1]
    if _multiline_interpolation("\n".join(content)):
        return ("unsupported", "a heredoc with an interpolation that spans lines")
    if trim:
        if any(line and not line.strip() for line in content):
            return ("unsupported", "a <<- heredoc with a line of only spaces")
        indents = [len(line) - len(line.lstrip(" ")) for line in content if line.strip()]
        if any("\t" in line[:len(line) - len(line.lstrip())] for line in content):
            return ("unsupported", "a heredoc indented with tabs")
        cut = min(indents) if indents else 0
        content = [line[cut:] for line in content]
    body = "\n".join(content) + ("\n" if content else "")
    if "~}" in body or "${~" in body or "%{~" in body:
        # HCL strips a heredoc's whitespace line by line next to a strip marker (measured with terraform plan)
        return ("unsupported", "a strip marker (~) in a heredoc")
    return parse_template(body, quoted=False)


ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
# Terraform normalizes strings to Unicode NFC and counts grapheme clusters; the rule evaluates only plain ASCII
NOT_PLAIN = re.compile(r"[^\t\n\r\x20-\x7e]")


def check_plain(text: str) -> str:
    if NOT_PLAIN.search(text):
        raise Unproven(f"a string with non-ASCII or control characters ({text!r})")
    return text


def _unescape(text: str) -> str:
    out, index = [], 0
    while index < len(text):
        char = text[index]
        if char != "\\":
            out.append(char)
            index += 1
            continue
        following = text[index + 1:index + 2]
        if following in ESCAPES:
            out.append(ESCAPES[following])
            index += 2
        elif following in ("u", "U"):
            width = 4 if following == "u" else 8
            digits = text[index + 2:index + 2 + width]
            if len(digits) != width or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise Unproven(f"the string escape {text[index:index + 2 + width]!r} is invalid")
            out.append(chr(int(digits, 16)))
            index += 2 + width
        else:
            raise Unproven(f"the string escape {text[index:index + 2]!r} is invalid")
    return "".join(out)


def _interpolation_end(text: str, start: int) -> int:
    """Index of the `}` closing the interpolation whose body starts at `start`."""
    depth, index = 1, start
    while index < len(text):
        char = text[index]
        if char == '"':
            index += 1
            while index < len(text) and text[index] != '"':
                index += 2 if text[index] == "\\" else 1
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise Unproven("an interpolation is not closed")


HCL_SPACE = " \t\n\r"


def parse_template(body: str, quoted: bool) -> Any:
    """A string template: literal parts and `${...}` interpolations (quoted HCL strings also have escapes).
    Template directives `%{...}` are not evaluated."""
    try:
        parts: list[Any] = []
        literal: list[str] = []
        index = 0
        strip_next = False
        while index < len(body):
            if body.startswith("$${", index) or body.startswith("%%{", index):
                literal.append(body[index + 1:index + 3])
                index += 3
            elif body.startswith("%{", index):
                return ("unsupported", "a template directive %{...}")
            elif body.startswith("${", index):
                end = _interpolation_end(body, index + 2)
                inner = body[index + 2:end]
                text = "".join(literal)
                text = check_plain(_unescape(text) if quoted else text)
                if strip_next:
                    text = text.lstrip(HCL_SPACE)
                if inner.startswith("~"):
                    text, inner = text.rstrip(HCL_SPACE), inner[1:]
                strip_next = inner.endswith("~")
                inner = inner[:-1] if strip_next else inner
                if text:
                    parts.append(text)
                literal = []
                parts.append(parse_expression(inner))
                index = end + 1
            else:
                literal.append(body[index])
                index += 1
        text = "".join(literal)
        text = check_plain(_unescape(text) if quoted else text)
        if strip_next:
            text = text.lstrip(HCL_SPACE)
        if text or not parts:
            parts.append(text)
    except Unproven as exc:
        return ("unsupported", str(exc))
    except Exception:  # the interpolation is not an expression python-hcl2 parses
        return ("unsupported", "an interpolation that could not be parsed")
    if len(parts) == 1 and isinstance(parts[0], str):
        return ("lit", parts[0])
    return ("tmpl", parts)


def json_ast(value: Any) -> Any:
    """A .tf.json expression: strings are templates, arrays tuples, objects objects."""
    if isinstance(value, str):
        return parse_template(value, quoted=False)
    if isinstance(value, list):
        return ("tuple", [json_ast(v) for v in value])
    if isinstance(value, dict):
        pairs = []
        for key, item in value.items():
            if "${" in key or "%{" in key:  # keys are templates too: "a%%{" is the key "a%{"
                return ("unsupported", "an object key with a template sequence")
            pairs.append((("lit", key), json_ast(item)))
        return ("object", pairs)
    return ("lit", value)


# ------------------------------------------------------------------ one module: its files, blocks and attributes

class Expression:
    """An attribute's expression, converted to the AST on first use."""

    __slots__ = ("source", "text", "json", "_ast")

    def __init__(self, source: Any, text: str, is_json: bool) -> None:
        self.source, self.text, self.json, self._ast = source, text, is_json, None

    def ast(self) -> Any:
        if self._ast is None:
            self._ast = json_ast(self.source) if self.json else to_ast(self.source, self.text)
        return self._ast


class Literal(Expression):
    """A value that is not an expression (a .tf.json variable default, a tfvars.json value)."""

    def __init__(self, value: Any) -> None:
        super().__init__(value, "", True)
        self._ast = ("lit", value)


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

    def add_hcl(self, text: str, override: bool) -> None:
        tree = parse_hcl(text)
        text = text + "\n"  # what was parsed: node positions refer to it
        if "<<" in text:
            _check_heredocs(tree, text)
        body = tree.children[0] if tree.children and isinstance(tree.children[0], Tree) else None
        for block in body.children if body is not None else []:
            if not isinstance(block, Tree) or block.data != "block":
                continue
            kind = str(block.children[0].children[0])
            labels = [str(c)[1:-1] if isinstance(c, Token) else str(c.children[0]) for c in block.children[1:-1]]
            attributes: dict[str, Expression] = {}
            for item in block.children[-1].children:
                if isinstance(item, Tree) and item.data == "attribute":
                    name = str(item.children[0].children[0])
                    if name in attributes:
                        self.duplicates.add(("attribute", kind, *labels, name))
                    attributes[name] = Expression(item.children[1], text, False)
            self.add_block(kind, labels, attributes, override)

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
                    result[name] = Literal(value) if name in literal else Expression(value, "", True)
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


_module_cache: dict[str, tuple[tuple[Any, ...], Module]] = {}


class _Epoch:
    """Within one Checkov scan (one RunnerFilter object, held here so that an identity test cannot match
    a newer one at a reused address) each folder is listed and stat'ed once, not once per notebook."""

    token: Any = None
    seen: set[Any] = set()

    @classmethod
    def fresh(cls, key: Any) -> bool:
        """True when `key` was already validated in the scan in progress."""
        token = ScanContext.token
        if token is None:
            return False
        if cls.token is not token:
            cls.token, cls.seen = token, set()
        if key in cls.seen:
            return True
        cls.seen.add(key)
        return False


def load_module(folder: str) -> Module:
    cached = _module_cache.get(folder)
    if cached is not None and _Epoch.fresh(("module", folder)):
        return cached[1]
    files = _module_files(folder)
    stamp = tuple((e.name, e.stat().st_mtime_ns, e.stat().st_size) for e in files)
    cached = _module_cache.get(folder)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    module = Module(folder)
    for entry in sorted(files, key=lambda e: (_is_override(e.name), e.name)):
        try:
            if entry.name.endswith(".tf.json"):
                module.add_json(load_json(_read(entry.path)), _is_override(entry.name))
            else:
                module.add_hcl(_read(entry.path), _is_override(entry.name))
        except Exception as exc:  # Terraform refuses a module with a file it cannot parse
            detail = str(exc) if isinstance(exc, ValueError) and str(exc).startswith(("the ", "a ")) else \
                "it could not be parsed"
            module.broken.append(f"{os.path.join(folder, entry.name)}: {detail}")
    _module_cache[folder] = (stamp, module)
    return module


# ------------------------------------------------------------------ values: conversions and comparisons

def is_number(value: Any) -> bool:
    """Whole numbers only: Python ints are exact, as Terraform's numbers are; fractions are refused."""
    if isinstance(value, float):
        raise Unproven(f"the fractional number {value!r} is not evaluated by the rule")
    return isinstance(value, int) and not isinstance(value, bool)


def number_text(value: int) -> str:
    return str(value)


def kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    if is_number(value):
        return "number"
    return "collection"


def unify(values: list[Any], what: str) -> list[Any]:
    """Terraform's conversion of values that must share one type (a list, a map, a set, both branches of
    a conditional): mixed primitives become strings; anything else mixed is not evaluated."""
    if any(isinstance(v, Unknown) for v in values):
        # the type of an apply-time value is not known here: only strings (the type every primitive
        # converts to) stay what they are whatever it is
        if all(isinstance(v, Unknown) or v is None or isinstance(v, str) for v in values):
            return list(values)
        raise Unproven(f"{what} mixes a value known only at apply time with other types")
    kinds = {kind_of(v) for v in values} - {"null"}
    if len(kinds) <= 1:
        return list(values)
    # Terraform unifies primitives to string only when one of them is a string: bool with number is an error
    if "string" in kinds and kinds <= {"string", "number", "bool"}:
        return [None if v is None else to_string(v, what) for v in values]
    raise Unproven(f"{what} mixes types Terraform would have to unify")


def same_type(left: Any, right: Any) -> bool:
    """Both values have one Terraform type (null goes with any type)."""
    if left is None or right is None:
        return True
    kinds = kind_of(left), kind_of(right)
    if kinds[0] != kinds[1]:
        return False
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same_type(left[k], right[k]) for k in left)
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        return isinstance(left, TfSet) == isinstance(right, TfSet) and len(left) == len(right) and \
            all(same_type(a, b) for a, b in zip(left, right))
    return kinds[0] != "collection"


def describe(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value, default=str)


def to_string(value: Any, what: str) -> str:
    if isinstance(known(value), str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return number_text(value)
    raise Unproven(f"{what} is {'null' if value is None else describe(value)}, which Terraform cannot use as a string")


def to_bool(value: Any, what: str) -> bool:
    if isinstance(known(value), bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise Unproven(f"{what} is {describe(value)}, not a boolean")


WHOLE_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)")


def to_number(value: Any, what: str) -> int:
    if is_number(known(value)):
        return value
    if isinstance(value, str) and WHOLE_NUMBER.fullmatch(value) and value != "-0":
        return int(value)
    raise Unproven(f"{what} is {describe(value)}, not a whole number the rule evaluates")


def equal(left: Any, right: Any) -> bool:
    known(left), known(right)  # an apply-time value could be anything, null included
    if left is None or right is None:
        return left is None and right is None
    if is_number(left) and is_number(right):
        return left == right
    if type(left) in (str, bool) and type(left) is type(right):
        return left == right
    if isinstance(left, (str, bool)) and isinstance(right, (str, bool)) or is_number(left) or is_number(right):
        return False  # different primitive types are never equal in Terraform
    raise Unproven("a comparison of collections is not evaluated by the rule")


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
        return _toset(items) if type_ast[1] == "set" else items
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


# ------------------------------------------------------------------ functions evaluated exactly

def _ascii(value: str, name: str) -> str:
    if not value.isascii():
        raise Unproven(f"{name}() of a non-ASCII string is not evaluated by the rule")
    return value


def _title(value: str) -> str:
    out, previous_letter = [], False
    for char in _ascii(value, "title"):
        out.append(char.upper() if not previous_letter else char)
        previous_letter = char.isalnum() or char == "_"
    return "".join(out)


def _format(spec: Any, *args: Any) -> str:
    spec = to_string(spec, "format()'s first argument")
    out, index, used = [], 0, 0
    while index < len(spec):
        char = spec[index]
        if char != "%":
            out.append(char)
            index += 1
            continue
        verb = spec[index + 1:index + 2]
        index += 2
        if verb == "%":
            out.append("%")
            continue
        if verb not in ("s", "v", "d", "t") or used >= len(args):
            raise Unproven(f"format() with the verb %{verb} is not evaluated by the rule")
        value = args[used]
        used += 1
        if verb == "d":
            if not is_number(value) or value != int(value):
                raise Unproven("format() %d of a value that is not a whole number")
            out.append(str(int(value)))
        elif verb == "t":
            out.append(to_string(to_bool(value, "format() %t argument"), "format()"))
        else:
            out.append(to_string(value, "a format() argument"))
    if used != len(args):
        raise Unproven("format() with more arguments than verbs")
    return "".join(out)


def _strings(values: Any, name: str) -> list[str]:
    if not isinstance(known(values), (list, tuple)):
        raise Unproven(f"{name}() of {describe(values)}, not a list")
    return [to_string(v, f"an element given to {name}()") for v in values]


def _coalesce(*args: Any) -> Any:
    if not args:
        raise Unproven("coalesce() without arguments")
    if all(a is None or isinstance(a, str) or isinstance(a, Unknown) and a.shape == "value" for a in args):
        for a in args:
            if a is not None and a != "":
                return a  # an apply-time value first: coalesce() returns it, unless it is null or ""
        raise Unproven("coalesce() has no non-empty argument")
    raise Unproven("coalesce() of values that are not all strings is not evaluated by the rule")


def _index(collection: Any, key: Any) -> Any:
    if isinstance(collection, Unknown):  # an element or attribute of an apply-time value
        if not isinstance(key, Unknown):
            to_string(key, "an index")
            if collection.shape == "object" and is_number(key):
                raise Unproven(f"{collection.reason} is a single instance (no count), not a list")
            if collection.block is not None:
                return _attribute(collection, key)
        return Unknown(collection.reason)
    if isinstance(key, Unknown) and isinstance(collection, (list, tuple, dict)):
        return any_of(list(collection.values() if isinstance(collection, dict) else collection), key.reason)
    if isinstance(collection, (list, tuple)):
        position = to_number(key, "a list index")
        if position != int(position) or not 0 <= int(position) < len(collection):
            raise Unproven(f"the index {describe(key)} is out of range")
        return collection[int(position)]
    if isinstance(collection, dict):
        name = to_string(key, "a map key")
        if name not in collection:
            raise Unproven(f"the key {name!r} does not exist")
        return collection[name]
    raise Unproven(f"{describe(collection)} cannot be indexed")


def _lookup(collection: Any, key: Any, *default: Any) -> Any:
    if not isinstance(collection, dict) or len(default) > 1:
        raise Unproven("lookup() of a value that is not a map")
    name = to_string(key, "lookup()'s key")
    if name in collection:
        return collection[name]
    if default:
        return default[0]
    raise Unproven(f"lookup() of the missing key {name!r} without a default")


def _element(collection: Any, position: Any) -> Any:
    if isinstance(collection, Unknown) or isinstance(position, Unknown):
        # element() of an empty list is an error, never null: it returns one of the elements
        if isinstance(collection, Unknown):
            return Unknown(f"element() of an apply-time list ({collection.reason})")
        return any_of(list(collection) if isinstance(collection, (list, tuple)) else [None], position.reason)
    if not isinstance(collection, (list, tuple)) or not collection:
        raise Unproven("element() of an empty or non-list value")
    number = to_number(position, "element()'s index")
    if number != int(number) or number < 0:
        raise Unproven("element() with an index that is not a whole non-negative number")
    return collection[int(number) % len(collection)]


def _merge(*maps: Any) -> Any:
    result: dict[str, Any] = {}
    for item in maps:
        if item is None:
            continue
        if not isinstance(item, dict):
            raise Unproven("merge() of a value that is not a map")
        result.update(item)
    return result


def _replace(value: Any, search: Any, replacement: Any) -> str:
    value, search, replacement = (to_string(v, "replace()'s argument") for v in (value, search, replacement))
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        raise Unproven("replace() with a regular expression is not evaluated by the rule")
    return value.replace(search, replacement)


def _substr(value: Any, offset: Any, length: Any) -> str:
    text = _ascii(to_string(value, "substr()'s string"), "substr")
    start, size = int(to_number(offset, "substr()'s offset")), int(to_number(length, "substr()'s length"))
    if "\r" in text or size < -1:  # Terraform counts "\r\n" as one character
        raise Unproven("substr() with a carriage return or a negative length other than -1")
    if start < 0:
        start += len(text)
    if start < 0 or start > len(text):
        raise Unproven("substr() with an offset outside the string")
    return text[start:] if size == -1 else text[start:start + size]


def _chomp(value: Any) -> str:
    text = to_string(value, "chomp()'s string")
    while text.endswith(("\r\n", "\n", "\r")):
        text = text[:-2] if text.endswith("\r\n") else text[:-1]
    return text


ASCII_SPACE = " \t\n\r\v\f"


def _trimspace(value: Any) -> str:
    text = to_string(value, "trimspace()'s string")
    stripped = text.strip(ASCII_SPACE)
    if stripped and (not stripped[0].isascii() or not stripped[-1].isascii()):
        raise Unproven("trimspace() next to non-ASCII characters is not evaluated by the rule")
    return stripped


def _one(value: Any) -> Any:
    if isinstance(value, Unknown):
        raise Unproven(f"one() of a list known only at apply time, which is null when the list is empty "
                       f"({value.reason})")
    if not isinstance(value, (list, tuple)) or len(value) > 1:
        raise Unproven("one() of a value that is not a list of at most one element")
    return value[0] if value else None


def _single_string(function: Callable[[str], str], name: str) -> Callable[[Any], str]:
    return lambda value: function(_ascii(to_string(value, f"{name}()'s argument"), name))


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "lower": _single_string(str.lower, "lower"),
    "upper": _single_string(str.upper, "upper"),
    "title": lambda value: _title(to_string(value, "title()'s argument")),
    "trimspace": _trimspace,
    "trim": lambda value, cutset: to_string(value, "trim()").strip(to_string(cutset, "trim()'s cutset")),
    "trimprefix": lambda value, prefix: to_string(value, "trimprefix()").removeprefix(to_string(prefix, "trimprefix()")),
    "trimsuffix": lambda value, suffix: to_string(value, "trimsuffix()").removesuffix(to_string(suffix, "trimsuffix()")),
    "chomp": _chomp,
    "format": _format,
    "join": lambda separator, *lists: to_string(separator, "join()'s separator").join(
        [s for items in lists for s in _strings(items, "join")]),
    "coalesce": _coalesce,
    "replace": _replace,
    "substr": _substr,
    "tostring": lambda value: None if value is None else to_string(value, "tostring()'s argument"),
    "lookup": _lookup,
    "element": _element,
    "merge": _merge,
    "one": _one,
    "concat": lambda *lists: [v for items in lists for v in (items if isinstance(known(items), (list, tuple)) else
                                                             _raise(Unproven("concat() of a value that is not a list")))],
    "tolist": lambda value: Unknown(value.reason, "list") if isinstance(value, Unknown) else
    unify(list(value), "tolist()") if isinstance(value, (list, tuple)) else _raise(Unproven("tolist() of a non-list")),
    "toset": lambda value: _toset(value),
    "values": lambda value: _values(value),
    "tomap": lambda value: dict(zip(value, unify(list(value.values()), "tomap()"))) if isinstance(value, dict) else
    _raise(Unproven("tomap() of a non-map")),
}


def _values(value: Any) -> Any:
    if isinstance(value, Unknown):
        return Unknown(value.reason, "list")
    if not isinstance(value, dict):
        raise Unproven("values() of a value that is not a map")
    return [value[key] for key in sorted(value)]  # by key, as Terraform orders a map


def _raise(exc: Exception) -> Any:
    raise exc


def _toset(value: Any) -> Any:
    if isinstance(value, Unknown):
        return Unknown(value.reason, "list")
    if isinstance(value, (list, tuple)) and any(isinstance(v, Unknown) for v in value):
        # a set holding apply-time values is ordered only at apply: any element may come first
        for item in value:
            if not subnet_like(item):
                raise Unproven(f"toset() of an apply-time value and {describe(item)}: its order is not known")
        return Unknown("toset() of values known only at apply time", "list")
    items = unify(list(value), "toset()") if isinstance(value, (list, tuple)) else _raise(Unproven("toset() of a non-list"))
    if not all(isinstance(v, str) for v in items):  # Terraform orders numbers numerically, strings lexically
        raise Unproven("toset() of values that are not all strings is not evaluated by the rule")
    return TfSet(sorted(set(items)))


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

    def __init__(self, module: Module, address: str, inputs: Callable[[str], Any]) -> None:
        self.module, self.address, self.inputs = module, address, inputs
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

        instance = ModuleInstance(load_module(folder), address, inputs)
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
                body = parse_hcl(_read(path)).children[0]
                for item in body.children:
                    if isinstance(item, Tree) and item.data == "attribute":
                        values[str(item.children[0].children[0])] = ("hcl", Expression(item.children[1], "", False))
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
        if kind_of(value) in ("string", "null") or isinstance(value, list) and \
                all(v is None or isinstance(v, (str, Unknown)) for v in value):
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
            value = _index(value, _step_key(step, scope))
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
        return Unknown(instance.label(label), "object", (type_name, block), Scope(instance))

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
        return {key: Unknown(instance.label(f"{label}[{json.dumps(key)}]"), "object", (type_name, block),
                             Scope(instance, (key, found[key]))) for key in sorted(found)}
    if not 0 <= found <= SPLAT_LIMIT:
        return Unknown(instance.label(label), "list")
    return [Unknown(instance.label(f"{label}[{i}]"), "object", (type_name, block), Scope(instance, None, i)) for i in range(found)]


# terraform_data's output is its input, known at plan time when the input is
MIRRORED_ATTRIBUTES = {("terraform_data", "output"): "input"}


def _attribute(instance: Unknown, name: str) -> Any:
    """An attribute of a resource or data source instance. An argument its block sets is planned from
    that expression: "" or null there stay what they are (no subnet), everything else is left to the
    provider and known at apply. An argument the block leaves unset is computed by the provider (the rule's
    policy counts it as a subnet), except where the rule knows it stays null."""
    type_name, block = instance.block
    name = MIRRORED_ATTRIBUTES.get((type_name, name), name)
    reason = f"{instance.reason}.{name}"
    if name not in block:
        if (type_name, name) in NULL_WHEN_UNSET:
            return None
        return Unknown(reason)
    try:  # memoized per instance, which also stops a block that refers to itself
        return instance.scope.instance._memo(
            "attribute", reason, lambda: _planned(evaluate(block[name].ast(), instance.scope), reason))
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
        return Unknown(reason, value.shape, value.block, value.scope) if isinstance(value, Unknown) else value
    if root == "terraform" and first == "workspace":
        raise Unproven("terraform.workspace is chosen when Terraform runs")
    raise Unproven(f"{_text(root, steps) or root} is not evaluated by the rule")


# ------------------------------------------------------------------ locating a notebook and tracing its attributes

def same_folder(a: str, b: str) -> bool:
    return os.path.normpath(a) == os.path.normpath(b) or os.path.realpath(a) == os.path.realpath(b)


def split_address(address: str) -> list[tuple[str, Any]]:
    """`module.a["k"].module.b.aws_x.y[0]` -> [("module", None), ("a", "k"), ...]: names with instance keys."""
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


class ScanContext:
    """What Checkov knows about the scan in progress: its --var-file list. Found on the call stack, since
    Checkov hands checks only the resource."""

    @staticmethod
    def runner_filter() -> Any:
        """The RunnerFilter nearest on the stack (the registry's scan has it, a few frames up); reading
        every frame's locals to the top costs more than the check itself."""
        frame = sys._getframe(1)
        while frame is not None:
            candidate = frame.f_locals.get("runner_filter")
            if candidate is not None and hasattr(candidate, "var_files"):
                return candidate
            frame = frame.f_back
        return None

    _root: tuple[Any, str | None] = (None, None)

    @classmethod
    def root(cls) -> str | None:
        """The folder Checkov was asked to scan (its runner's `root_folder`), looked up once per scan."""
        if cls.token is not None and cls._root[0] is cls.token:
            return cls._root[1]
        found, frame = None, sys._getframe(1)
        while frame is not None:
            candidate = frame.f_locals.get("root_folder")
            if isinstance(candidate, str) and candidate:
                found = candidate
                break
            frame = frame.f_back
        cls._root = (cls.token, found)
        return found

    @staticmethod
    def json_resource(resource_type: str) -> tuple[str, str] | None:
        """(file, resource name) of the .tf.json resource being scanned: Checkov's terraform_json runner
        hands neither to checks; its run_block frame holds both."""
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

    token: Any = None  # the RunnerFilter of the scan in progress, set by var_files()
    trees: dict[str, Any] = {}  # Checkov's parse trees of the scan in progress, by text (release_parse_capture)
    _trees_token: Any = None

    @classmethod
    def var_files(cls, hcl: bool = False) -> list[str]:
        """`hcl`: called for a notebook of the terraform runner, whose parse is then over (not the terraform_json
        runner's, which in thread mode can run while the terraform runner still parses)."""
        runner_filter = cls.runner_filter()
        if hcl and (runner_filter is not cls._trees_token or runner_filter is None):
            cls.trees, cls._trees_token = release_parse_capture(), runner_filter
        cls.token = runner_filter
        files: list[str] = []
        for path in getattr(runner_filter, "var_files", None) or []:
            path = os.path.abspath(path)
            if path not in files:
                files.append(path)
        return files


_roots: dict[tuple[str, tuple[str, ...]], tuple[tuple[Any, ...], ModuleInstance]] = {}


def root_instance(folder: str, var_files: list[str]) -> ModuleInstance:
    folder = os.path.abspath(folder)
    module = load_module(folder)
    key = (folder, tuple(var_files))
    cached = _roots.get(key)
    if cached is not None and _Epoch.fresh(("root", key)):
        return cached[1]
    names = sorted(os.listdir(folder)) if os.path.isdir(folder) else []
    stamp_files = [os.path.join(folder, n) for n in names if n.endswith((".tfvars", ".tfvars.json"))] + var_files

    def stat(path: str) -> Any:
        try:
            info = os.stat(path)
            return (path, info.st_mtime_ns, info.st_size)
        except OSError:
            return (path, None, None)

    # the instance memoizes values: rebuilt when the module or a variable file or the environment changes
    stamp = (_module_stamp(module), tuple(stat(p) for p in stamp_files),
             tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("TF_VAR_"))))
    if cached is not None and cached[0] == stamp:
        return cached[1]
    instance = ModuleInstance(module, "", _root_inputs(folder, module, var_files))
    _roots[key] = (stamp, instance)
    return instance


def _module_stamp(module: Module) -> tuple[Any, ...]:
    return _module_cache.get(module.folder, ((),))[0]


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
                    pending.append(load_module(folder))
    instance.tree_problems = problems  # type: ignore[attr-defined]
    return problems


class _CallersIndex:
    """module source folder -> callers, for one scan (its RunnerFilter held, compared by identity)."""

    token: Any = None
    indexes: dict[tuple[str, tuple[str, ...]], dict[str, list[str]]] = {}


def callers_in_scan(folder: str, scan_root: str | None, suffixes: tuple[str, ...]) -> list[str]:
    """Module blocks, in files with `suffixes` under the scan's root, whose local source is `folder`.
    Checkov's terraform runner reads no .tf.json and its terraform_json runner reads no module calls, so a
    notebook there is handed over as if its folder were a root module: without its caller's inputs."""
    root = os.path.abspath(scan_root or os.path.dirname(folder))
    token = ScanContext.token
    if token is None or _CallersIndex.token is not token:
        _CallersIndex.token, _CallersIndex.indexes = token, {}
    index = _CallersIndex.indexes.get((root, suffixes))
    if index is None:
        index = {}
        for directory, subfolders, files in os.walk(root):
            subfolders[:] = [d for d in subfolders if not d.startswith(".")]
            if not any(f.endswith(suffixes) and not f.startswith(".") for f in files):
                continue
            try:
                module = load_module(directory)
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
        _CallersIndex.indexes[(root, suffixes)] = index
    return index.get(os.path.normpath(folder), [])


def locate(file_path: str, resource_type: str, address: str, callers: list[str], var_files: list[str],
           scan_root: str | None = None, caller_suffixes: tuple[str, ...] = (".tf.json",)) -> Notebook:
    """`callers`: the files of the module calls from the innermost out (Checkov's source_module_object_).
    `caller_suffixes`: the files whose module calls Checkov did not follow to this notebook."""
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
    instance = root_instance(folders[0], var_files)
    problems = module_tree_problems(instance)
    if problems:
        raise Unproven(f"the configuration in {folders[0]} is not read as Terraform reads it ({'; '.join(problems)}); "
                       "a notebook there could go unjudged")
    if not callers:
        called = callers_in_scan(folders[0], scan_root or ScanContext.root(), caller_suffixes)
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
