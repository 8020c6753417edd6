"""HCL values for D9.AWS.NET.49: parsing (Checkov's own parser, python-hcl2), the AST the rule evaluates,
values with "known only at apply time" as a value (Unknown) rather than an exception, and Terraform's
conversions, comparisons and the allow-list of pure functions, evaluated exactly as Terraform does. Anything
else raises `Unproven`, whose text names the first thing not proven.

The bottom of the Terraform side: imports no other file of the folder. Loaded by d9_aws_net_49_siblings.py;
it registers no check (Checkov, which imports every .py of the folder, finds nothing to run here).
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable

from lark import Token, Tree

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
    resource or data source instance; `instance` then answers its attributes, `instance.attribute(reason,
    name)`, as the module evaluator plans them). Anything that would need its content (a comparison, a string
    operation) raises Unproven with `reason`."""

    __slots__ = ("reason", "shape", "instance")

    def __init__(self, reason: str, shape: str = "value", instance: Any = None) -> None:
        self.reason, self.shape, self.instance = reason, shape, instance

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


# ------------------------------------------------------------------ parsing with Checkov's HCL parser (python-hcl2)

def _parser() -> Any:
    from hcl2.parser import Hcl2
    parser = Hcl2.lark_parser
    return getattr(parser, "_d9_parser", parser)


def parse_hcl(text: str) -> Any:
    """The Lark tree of an HCL text (its `start` node), by the parser Checkov uses."""
    return _parser().parse(text)


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
        if _misread_number(tree.children[-1], text):
            return ("unsupported", "a number python-hcl2 does not read as Terraform does (an exponent)")
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
    if isinstance(inner, Token):
        if _misread_number(inner, text):
            return ("index", ("unsupported", "an index python-hcl2 does not read as Terraform does"))
        return ("index", ("lit", int(str(inner))))
    return ("index", to_ast(inner, text))


def _misread_number(token: Any, text: str) -> bool:
    """python-hcl2 has no exponent without a fraction: `{a = 1e3 - 7}` is read as `a = 1` and `e3 = -7`,
    where Terraform reads 993. A whole number that a letter, digit or dot follows in the source (or whose
    place in it is not known) is not trusted."""
    end = getattr(token, "end_pos", None)
    if not isinstance(token, Token) or end is None or not text:
        return True
    following = text[end:end + 1]
    return following.isalnum() or following in ("_", ".")


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
    if "\\" not in text:
        return text
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
    if "{" not in body and not (quoted and "\\" in body):  # no interpolation, directive or escape: the text itself
        try:
            return ("lit", check_plain(body))
        except Unproven as exc:
            return ("unsupported", str(exc))
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
        elif verb == "v" and is_number(value) and not (value == int(value) and abs(value) < 10 ** 6):
            # Terraform's %v writes a number as Go's %g: 1000000 is "1e+06", 0.00001 is "1e-05"
            raise Unproven("format() %v of a number that is not a whole number below a million")
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


def index_value(collection: Any, key: Any) -> Any:
    if isinstance(collection, Unknown):  # an element or attribute of an apply-time value
        if not isinstance(key, Unknown):
            to_string(key, "an index")
            if collection.shape == "object" and is_number(key):
                raise Unproven(f"{collection.reason} is a single instance (no count), not a list")
            if collection.instance is not None:
                return collection.instance.attribute(collection.reason, key)
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
    "toset": lambda value: to_set(value),
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


def to_set(value: Any) -> Any:
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
