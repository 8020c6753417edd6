"""Differential testing of the Terraform tracer against Terraform itself.

A batch is one generated Terraform configuration (HCL and .tf.json, a root module calling a local module
plainly, with count and with for_each, which calls a nested module; variables from every source Terraform
reads) holding many cases. Each case is a random expression placed somewhere in it. Terraform is the
judge: `terraform plan` (offline: the hashicorp/aws provider from a local folder, fake credentials,
-refresh=false) and `terraform show -json` give the value of every expression.

Cost: each terraform process that loads the AWS provider spends ~2-3 s of CPU reading its schema (plan and
show alike, whether the plan succeeds or not). So pass 1's configuration declares no AWS resource (the
probes are terraform_data, Terraform's built-in provider: a plan costs a tenth of a second), a folder is
initialised once (rounds rewrite everything but .terraform and the lock file), and the fixtures found are
planned together in one configuration, each a module of its own (see plan_fixtures).

Pass 1 (values): each expression is the `input` of a `terraform_data` probe. The rule's tracer evaluates
the same attribute from the source; wherever it proves a value, that value must be Terraform's.
Pass 2 (verdicts): each case becomes a notebook whose `direct_internet_access` is the expression itself
when Terraform gives it a valid value, otherwise a comparison with Terraform's value
(`X == <value> ? "Disabled" : "Enabled"`, or `!=`), so that any mis-evaluation turns into a verdict; its
`subnet_id` is drawn from the subnet shapes. The real checkov CLI judges the notebooks; no notebook may
PASS unless Terraform's plan has it `Disabled` with a subnet.

Cases that Terraform rejects (a type error, an index out of range) are found in the plan's diagnostics,
dropped, and the plan is made again.
"""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

PLUGIN_DIR = Path(os.environ.get("TF_PLUGIN_DIR", "/opt/tf-plugins"))
PROVIDER_BLOCK = """terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
"""
NETWORK_BLOCK = """
resource "aws_vpc" "net" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "one" {
  vpc_id     = aws_vpc.net.id
  cidr_block = "10.0.1.0/24"
}

resource "terraform_data" "blank" {
  input = ""
}

resource "aws_subnet" "many" {
  count      = 2
  vpc_id     = aws_vpc.net.id
  cidr_block = "10.0.${10 + count.index}.0/24"
}
"""
NOTEBOOK = "aws_sagemaker_notebook_instance"
PROBE = "terraform_data"
# pass 1's main.tf: probes read variables, locals, module inputs and meta-arguments only, never the network,
# so no AWS provider is configured or started (the values are the same with it: measured on the CI seeds)
PROBES_HEADER = "# probes: terraform_data only (Terraform's built-in provider), no AWS provider to start\n"


class TerraformUnavailable(RuntimeError):
    """The oracle cannot run: a test must fail on it, never skip (CI would turn green without it)."""


# ------------------------------------------------------------------ HCL literals

def hcl_quoted(text: str) -> str:
    """`text` as a quoted HCL string whose value is exactly `text`."""
    out = []
    for index, char in enumerate(text):
        following = text[index + 1:index + 2]
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif char in "$%" and following == "{":
            out.append(char + char)
        elif ord(char) < 0x20 or ord(char) == 0x7f:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def hcl_value(value: Any) -> str:
    """A JSON-like value (from a plan) as an HCL literal expression."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, str):
        return hcl_quoted(value)
    if isinstance(value, list):
        return "[" + ", ".join(hcl_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{hcl_quoted(k)} = {hcl_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


# ------------------------------------------------------------------ the expression generator

WORDS = ["Disabled", "Enabled", "disabled", "DISABLED", "Disabled ", " Disabled", "Dis", "abled", "En", "", "a", "x-y",
         "true", "false", "0", "1", "01", "-1", "1.0", "null", "Disabled\n", "é", "e\u0301", "İ", "ß", "ǅ", "Ⅻ",
         "\u00a0Disabled", "Disabled\u200b", "\t", "a_b", "hello world", "${x}", "%{x}", "\\", '"', "\r\n", "\x0b", "Σ"]
# not "${" or "%{" at the end of a string: python-hcl2's lexer backtracks for minutes on `"a$${"`
NUMBERS = ["0", "1", "2", "-1", "10", "007", "1.5", "0.1", "2.50", "1e3", "1E2", "12345678901234567890123",
           "9007199254740993", "1e30", "-0", "3.0"]


@dataclass
class Scope:
    """References an expression may use where it is placed (text -> rough type)."""
    references: list[tuple[str, str]] = field(default_factory=list)


class Generator:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, items: list[Any]) -> Any:
        return self.rng.choice(items)

    # each returns HCL text; `kind` is a hint (string, number, bool, list, map, any), not a promise
    def expression(self, scope: Scope, kind: str = "any", depth: int = 0) -> str:
        rng = self.rng
        if kind == "any":
            kind = self.pick(["string", "string", "string", "number", "bool", "list", "map"])
        if depth >= 3 or rng.random() < 0.3:
            return self.leaf(scope, kind)
        makers: dict[str, list[Callable[[], str]]] = {
            "string": [lambda: self.template(scope, depth), lambda: self.string_call(scope, depth),
                       lambda: self.conditional(scope, "string", depth), lambda: self.indexed(scope, "string", depth),
                       lambda: self.heredoc(scope, depth)],
            "number": [lambda: self.arithmetic(scope, depth), lambda: self.conditional(scope, "number", depth),
                       lambda: self.indexed(scope, "number", depth)],
            "bool": [lambda: self.comparison(scope, depth), lambda: self.logic(scope, depth),
                     lambda: self.conditional(scope, "bool", depth)],
            "list": [lambda: self.list_call(scope, depth), lambda: self.conditional(scope, "list", depth),
                     lambda: self.leaf(scope, "list")],
            "map": [lambda: self.map_call(scope, depth), lambda: self.leaf(scope, "map")],
        }
        return self.pick(makers[kind])()

    def reference(self, scope: Scope, kind: str) -> str | None:
        matching = [text for text, k in scope.references if k == kind or k == "any" or kind == "any"]
        return self.pick(matching) if matching and self.rng.random() < 0.5 else None

    def leaf(self, scope: Scope, kind: str) -> str:
        found = self.reference(scope, kind)
        if found:
            return found
        rng = self.rng
        if kind == "string":
            if rng.random() < 0.15:
                return self.heredoc(scope, 3)
            return hcl_quoted(self.word()) if rng.random() < 0.8 else self.escaped_literal()
        if kind == "number":
            return self.pick(NUMBERS)
        if kind == "bool":
            return self.pick(["true", "false"])
        if kind == "list":
            items = [self.leaf(scope, "string") for _ in range(rng.randint(0, 3))]
            return "[" + ", ".join(items) + "]"
        if kind == "map":
            items = [f"{self.key()} = {self.leaf(scope, 'string')}" for _ in range(rng.randint(0, 3))]
            return "{" + ", ".join(items) + "}"
        return "null"

    def word(self) -> str:
        rng = self.rng
        if rng.random() < 0.5:
            return self.pick(["Disabled", "Enabled"])
        return "".join(self.pick(WORDS) for _ in range(rng.randint(1, 2)))

    def key(self) -> str:
        return self.pick(["a", "b", "mode", '"x y"', '"Disabled"', '"0"', '"1"', "k_1", '"é"', '"e\u0301"'])

    def escaped_literal(self) -> str:
        """A quoted literal written with escapes (the value is whatever Terraform makes of it)."""
        pieces = ["\\u0044isabled", "Dis\\u0061bled", "\\U00000045nabled", "\\n", "\\t", "\\\\", '\\"', "$${x}",
                  "%%{x}", "$$", "%%", "$", "%", "\\r", "\\u00e9", "e\\u0301", "\\u200b", "Disabled", "Enabled"]
        return '"' + "".join(self.pick(pieces) for _ in range(self.rng.randint(1, 3))) + '"'

    def heredoc(self, scope: Scope, depth: int) -> str:
        rng = self.rng
        marker = self.pick(["EOT", "EOF", "EOT", "EOF", "X"])  # python-hcl2 cannot read one-letter markers
        trim = rng.random() < 0.5
        indent = " " * rng.randint(0, 4) if trim else ""
        lines = []
        for _ in range(rng.randint(1, 3)):
            line = self.pick(["Disabled", "Enabled", "  Disabled", "Disabled  ", "a $${b}", "%%{x}", "\\n", "x", "Disabled",
                              "Enabled", ""])
            if rng.random() < 0.3 and depth < 3:
                strip = self.pick(["", "~"]), self.pick(["", "~"])
                line += "${" + strip[0] + " " + self.expression(scope, "string", 3) + " " + strip[1] + "}"
            lines.append((indent + (" " * rng.randint(0, 2) if trim else "") + line) if line else "")
        body = "\n".join(lines)
        closing = (indent if trim else "") + marker
        # in brackets: an expression may go on after the closing marker's line
        return f"[<<{'-' if trim else ''}{marker}\n{body}\n{closing}\n][0]"

    def template(self, scope: Scope, depth: int) -> str:
        rng = self.rng
        parts = []
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.5:
                open_, close = ("${~" if rng.random() < 0.2 else "${"), ("~}" if rng.random() < 0.2 else "}")
                parts.append(open_ + self.expression(scope, self.pick(["string", "number", "bool"]), depth + 1) + close)
            else:
                parts.append(hcl_quoted(self.word())[1:-1])
        if rng.random() < 0.1:
            parts.append("%{ if " + self.expression(scope, "bool", depth + 1) + " }Dis%{ else }En%{ endif }abled")
        return '"' + "".join(parts) + '"'

    def string_call(self, scope: Scope, depth: int) -> str:
        e = lambda kind="string": self.expression(scope, kind, depth + 1)  # noqa: E731
        n = lambda: self.pick(["0", "1", "2", "-1", "3", "10"])  # noqa: E731
        calls = [
            lambda: f"lower({e()})", lambda: f"upper({e()})", lambda: f"title({e()})", lambda: f"trimspace({e()})",
            lambda: f"trim({e()}, {hcl_quoted(self.pick([' ', 'd', 'D ', 'abc', '']))})",
            lambda: f"trimprefix({e()}, {e()})", lambda: f"trimsuffix({e()}, {e()})", lambda: f"chomp({e()})",
            lambda: f"format({hcl_quoted(self.pick(['%s', '%sabled', 'Dis%s', '%v', '%d', '%t', '%%%s', '%5s', '%q', '%-3s']))}, "
                    f"{e(self.pick(['string', 'number', 'bool']))})",
            lambda: f"join({e()}, {e('list')})", lambda: f"coalesce({e()}, {e()})",
            lambda: f"replace({e()}, {hcl_quoted(self.pick(['a', 'd', '/a/', '/[a-z]+/', 'Dis', '']))}, {e()})",
            lambda: f"substr({e()}, {n()}, {n()})", lambda: f"tostring({e(self.pick(['string', 'number', 'bool']))})",
            lambda: f"lookup({e('map')}, {e()}, {e()})", lambda: f"lookup({e('map')}, {e()})",
            lambda: f"element({e('list')}, {n()})", lambda: f"one({e('list')})",
            # outside the allow-list: the tracer must leave these unproven, never guess
            lambda: f"split({hcl_quoted(',')}, {e()})[0]", lambda: f"try({e()}, {e()})", lambda: f"jsonencode({e()})",
            lambda: f"regex({hcl_quoted('[A-Z][a-z]+')}, {e()})", lambda: f"sort({e('list')})[0]",
        ]
        return self.pick(calls)()

    def list_call(self, scope: Scope, depth: int) -> str:
        e = lambda kind="list": self.expression(scope, kind, depth + 1)  # noqa: E731
        return self.pick([lambda: f"concat({e()}, {e()})", lambda: f"tolist({e()})", lambda: f"toset({e()})",
                          lambda: f"[for v in {e()} : v]", lambda: f"reverse({e()})"])()

    def map_call(self, scope: Scope, depth: int) -> str:
        e = lambda: self.expression(scope, "map", depth + 1)  # noqa: E731
        return self.pick([lambda: f"merge({e()}, {e()})", lambda: f"tomap({e()})"])()

    def conditional(self, scope: Scope, kind: str, depth: int) -> str:
        return (f"{self.expression(scope, 'bool', depth + 1)} ? {self.expression(scope, kind, depth + 1)} : "
                f"{self.expression(scope, kind, depth + 1)}")

    def comparison(self, scope: Scope, depth: int) -> str:
        kind = self.pick(["string", "number", "bool", "any"])
        operator = self.pick(["==", "!=", "<", ">=", "==", "!="]) if kind == "number" else self.pick(["==", "!="])
        return f"{self.expression(scope, kind, depth + 1)} {operator} {self.expression(scope, kind, depth + 1)}"

    def logic(self, scope: Scope, depth: int) -> str:
        if self.rng.random() < 0.3:
            return f"!{self.leaf(scope, 'bool')}"
        return f"{self.expression(scope, 'bool', depth + 1)} {self.pick(['&&', '||'])} {self.expression(scope, 'bool', depth + 1)}"

    def arithmetic(self, scope: Scope, depth: int) -> str:
        operator = self.pick(["+", "-", "*", "/", "%"])
        return f"{self.expression(scope, 'number', depth + 1)} {operator} {self.expression(scope, 'number', depth + 1)}"

    def indexed(self, scope: Scope, kind: str, depth: int) -> str:
        rng = self.rng
        inner = [self.expression(scope, kind, depth + 1) for _ in range(rng.randint(1, 3))]
        position = rng.randrange(len(inner))
        shapes = [f"[{', '.join(inner)}][{position}]", f"[{', '.join(inner)}].{position}",
                  f"[{', '.join(inner)}][\"{position}\"]", f"{{a = {inner[0]}}}.a", f"{{a = {inner[0]}}}[\"a\"]",
                  f"[{{a = {inner[0]}}}][*].a[0]", f"[{{a = {inner[0]}}}].*.a[0]", f"({{\"x y\" = {inner[0]}}})[\"x y\"]",
                  f"{{\"0\" = {inner[0]}}}[0]", f"[{', '.join(inner)}][{position}.0]"]
        return self.pick(shapes)


# ------------------------------------------------------------------ subnet shapes (truth from the plan as well)

SUBNETS = [
    None, '""', "null", '"subnet-0123456789abcdef0"', '" "', "aws_subnet.one.id", "aws_subnet.many[0].id",
    "aws_subnet.many[*].id[0]", "aws_subnet.many.*.id[1]", "element(aws_subnet.many.*.id, 0)",
    "tolist(aws_subnet.many[*].id)[0]", "one([aws_subnet.one.id])", "one([])", "element([\"\"], 0)",
    "true ? aws_subnet.one.id : null", "false ? aws_subnet.one.id : \"\"", "\"${aws_subnet.one.id}\"",
    "trimspace(aws_subnet.one.id)", "coalesce(aws_subnet.one.id, \"\")", "aws_subnet.one.id == \"\" ? null : aws_subnet.one.id",
    # attributes the configuration sets itself: known at plan time, whatever their name suggests
    "terraform_data.blank.input", "terraform_data.blank.output", "aws_vpc.net.cidr_block",
]


# ------------------------------------------------------------------ a batch: the configuration and its cases

@dataclass
class Case:
    number: int
    site: str  # root, json, module (plain/count/for_each instances), nested, output (a module output used at root)
    probe: str = ""  # the expression (HCL text), in the scope of its site
    subnet: str | None = None
    meta: str = ""  # "", count, for_each: on the probe/notebook itself
    override: bool = False  # root cases: the value is set in an override file, a decoy in the block
    notebook: str | None = None  # direct_internet_access of pass 2
    dropped: str | None = None  # why Terraform refused it


@dataclass
class Variable:
    name: str
    type: str | None
    default: str | None
    sources: dict[str, str]  # source -> HCL literal (or raw text for the environment)


VARIABLE_SOURCES = ["terraform.tfvars", "terraform.tfvars.json", "a.auto.tfvars", "b.auto.tfvars.json",
                    "extra.tfvars", "extra.tfvars.json", "env"]
VAR_FILES = ["extra.tfvars", "extra.tfvars.json"]  # given with -var-file / --var-file, in this order


class Batch:
    """One generated configuration; `write(folder)` lays it out, `cases` say what is where."""

    MODULE_CALLS = {  # name -> (source as written, meta-argument text); all point at modules/m
        "mp": ("./modules/m", ""),
        "mc": ("./modules/m/", "count = 2"),
        "me": ("./modules/./m", 'for_each = {a = "Disabled", b = "Enabled"}'),
    }
    INSTANCES = {"mp": [None], "mc": [0, 1], "me": ["a", "b"]}

    def __init__(self, seed: int, size: int) -> None:
        self.seed, self.rng = seed, random.Random(seed)
        self.generator = Generator(self.rng)
        self.variables: list[Variable] = []
        self.root_locals: list[tuple[str, str]] = []
        self.cases: list[Case] = []
        self.module_inputs: dict[int, dict[str, str]] = {}  # case -> call name -> input expression
        self.nested_inputs: dict[int, str] = {}
        for number in range(size):
            self.cases.append(self._case(number))

    # -- scopes
    def _root_scope(self, number: int) -> Scope:
        scope = Scope()
        for _ in range(self.rng.randint(0, 2)):
            scope.references.append(self._variable(number))
        if self.rng.random() < 0.3:
            name = f"l{number}_{len(self.root_locals)}"
            self.root_locals.append((name, self.generator.expression(Scope(list(scope.references)))))
            scope.references.append((f"local.{name}", "any"))
        return scope

    def _variable(self, number: int) -> tuple[str, str]:
        rng = self.rng
        name = f"v{number}_{len(self.variables)}"
        type_ = self.generator.pick([None, "string", "string", "number", "bool", "list(string)", "map(string)", "any",
                                     "object({mode = string, other = optional(string, \"Enabled\")})"])
        kind = {"string": "string", "number": "number", "bool": "bool", "list(string)": "list",
                "map(string)": "map"}.get(type_ or "", "any")
        literal = lambda: self._literal(type_)  # noqa: E731
        sources = {s: literal()[1 if s.endswith(".json") else 0] for s in VARIABLE_SOURCES if rng.random() < 0.25}
        if "env" in sources:  # the environment gives raw text for strings, HCL otherwise
            sources["env"] = self.generator.word() if type_ in (None, "string") else sources["env"]
        default = literal()[0] if rng.random() < 0.7 or not sources else None
        self.variables.append(Variable(name, type_, default, sources))
        return (f"var.{name}.mode" if type_ and type_.startswith("object") else f"var.{name}", kind)

    def _literal(self, type_: str | None) -> tuple[str, str]:
        """A value for a variable source: (HCL text for .tf/.tfvars, JSON text for .tfvars.json)."""
        rng, g = self.rng, self.generator

        def string() -> tuple[str, str]:
            word = g.word()
            return hcl_quoted(word), json.dumps(word, ensure_ascii=rng.random() < 0.5)

        def number() -> tuple[str, str]:
            text = g.pick(NUMBERS)
            try:
                json.loads(text)
                return text, text
            except ValueError:  # 007, -0: HCL only; JSON gets the same number in its own syntax
                return text, str(int(text))

        def collection(pairs: list[tuple[str, tuple[str, str]]], brackets: str) -> tuple[str, str]:
            hcl = ", ".join(f"{k} = {v[0]}" if k else v[0] for k, v in pairs)
            js = ", ".join(f"{json.dumps(k.strip(chr(34)))}: {v[1]}" if k else v[1] for k, v in pairs)
            return brackets[0] + hcl + brackets[1], brackets[0] + js + brackets[1]

        if type_ == "number":
            return number()
        if type_ == "bool":
            return g.pick([("true", "true"), ("false", "false"), ('"true"', '"true"'), ("null", "null")])
        if type_ == "list(string)":
            return collection([("", string()) for _ in range(rng.randint(1, 3))], "[]")
        if type_ == "map(string)":
            keys = rng.sample(["a", "b", "mode", '"x y"', '"0"'], rng.randint(1, 3))
            return collection([(key, string()) for key in keys], "{}")
        if type_ and type_.startswith("object"):
            pairs = [("mode", string())] + ([("other", string())] if rng.random() < 0.5 else [])
            return collection(pairs, "{}")
        return g.pick([string, string, number, lambda: ("null", "null"), lambda: ('"Disabled"', '"Disabled"')])()

    def _case(self, number: int) -> Case:
        rng, g = self.rng, self.generator
        site = g.pick(["root", "root", "json", "module", "nested", "output"])
        # most notebooks get a subnet, so that direct_internet_access decides the verdict
        subnet = g.pick(["aws_subnet.one.id", '"subnet-0123456789abcdef0"']) if rng.random() < 0.6 else g.pick(SUBNETS)
        case = Case(number, site, subnet=subnet, meta=g.pick(["", "", "count", "for_each"]))
        if site in ("root", "json"):
            scope = self._root_scope(number)
            if case.meta == "count":
                scope.references.append(("count.index", "number"))
            elif case.meta == "for_each":
                scope.references += [("each.key", "string"), ("each.value", "string")]
            case.probe = g.expression(scope)
            case.override = site == "root" and rng.random() < 0.15
        else:  # the module declares var.in<N>; each call passes its own expression
            callers = {}
            for call in self.MODULE_CALLS:
                scope = self._root_scope(number)
                scope.references += {"mc": [("count.index", "number")],
                                     "me": [("each.key", "string"), ("each.value", "string")]}.get(call, [])
                callers[call] = g.expression(scope)
            self.module_inputs[number] = callers
            inner = Scope([(f"var.in{number}", "any")])
            if site == "nested":
                self.nested_inputs[number] = g.expression(inner)
                inner = Scope([(f"var.nin{number}", "any")])
            case.probe = g.expression(inner)
            if site == "output":
                case.meta = ""
        return case

    # -- layout
    def live(self) -> list[Case]:
        return [c for c in self.cases if c.dropped is None]

    def _meta(self, case: Case) -> str:
        return {"": "", "count": "  count = 2\n",
                "for_each": '  for_each = toset(["Disabled", "Enabled"])\n'}[case.meta]

    def _resource(self, case: Case, kind: str, name: str | None = None, value: str | None = None) -> str:
        """The probe or notebook block of a case; `value` is the text that stands for the case's value (its
        expression, or a module output reference at the root)."""
        value = f"({case.probe})" if value is None else value
        if kind == PROBE:
            body = f"  input = {value}\n"
        else:
            body = (f'  name          = "nb-{case.number}"\n  role_arn      = "arn:aws:iam::123456789012:role/nb"\n'
                    f'  instance_type = "ml.t3.medium"\n'
                    f'  direct_internet_access = {notebook_value(case, value)}\n')
            if case.subnet is not None:
                body += f"  subnet_id = {case.subnet}\n"
        return f'resource "{kind}" "{name or f"c{case.number}"}" {{\n{self._meta(case)}{body}}}\n'

    def _json_resource(self, case: Case, kind: str) -> dict[str, Any]:
        meta = {"": {}, "count": {"count": 2}, "for_each": {"for_each": '${toset(["Disabled", "Enabled"])}'}}[case.meta]
        value = f"({case.probe})"
        expression = "${" + (value if kind == PROBE else notebook_value(case, value)) + "}"
        if kind == PROBE:
            return {**meta, "input": expression}
        body = {**meta, "name": f"nb-{case.number}", "role_arn": "arn:aws:iam::123456789012:role/nb",
                "instance_type": "ml.t3.medium", "direct_internet_access": expression}
        if case.subnet is not None:
            body["subnet_id"] = "${" + case.subnet + "}"
        return body

    def write(self, folder: Path, kind: str) -> dict[str, list[tuple[int, int, int]]]:
        """Lay the configuration out in `folder` with resources of `kind` (probes or notebooks). Returns,
        per file, the line ranges each case owns (to map Terraform's diagnostics back to cases)."""
        owners: dict[str, list[tuple[int, int, int]]] = {}
        files: dict[str, list[str]] = {}

        def add(path: str, text: str, case: int | None) -> None:
            lines = files.setdefault(path, [])
            start = len(lines) + 1
            lines.extend(text.rstrip("\n").split("\n"))
            if case is not None:
                owners.setdefault(path, []).append((start, len(lines), case))

        add("main.tf", PROVIDER_BLOCK + NETWORK_BLOCK if kind == NOTEBOOK else PROBES_HEADER, None)
        live = self.live()
        numbers = {c.number for c in live}
        for variable in self.variables:
            owner = int(variable.name[1:].split("_")[0])
            if owner not in numbers:
                continue
            body = (f"  type = {variable.type}\n" if variable.type else "") + \
                   (f"  default = {variable.default}\n" if variable.default is not None else "")
            add("variables.tf", f'variable "{variable.name}" {{\n{body}}}\n', owner)
            for source, literal in variable.sources.items():
                if source == "env":
                    continue
                if source.endswith(".json"):
                    continue  # written below, as one JSON object per file
                add(source, f"{variable.name} = {literal}\n", owner)
        for name, expression in self.root_locals:
            owner = int(name[1:].split("_")[0])
            if owner in numbers:
                add("locals.tf", f"locals {{\n  {name} = {expression}\n}}\n", owner)
        json_resources: dict[str, Any] = {}
        for case in live:
            if case.site == "root" and case.override:  # Terraform merges the override into the block
                decoy = Case(case.number, "root", probe='"Disabled"', subnet=case.subnet, meta=case.meta)
                add("cases.tf", self._resource(decoy, kind), case.number)
                value = f"({case.probe})"
                attribute = f"input = {value}" if kind == PROBE else \
                    f"direct_internet_access = {notebook_value(case, value)}"
                add("cases_override.tf", f'resource "{kind}" "c{case.number}" {{\n  {attribute}\n}}\n', case.number)
            elif case.site == "root":
                add("cases.tf", self._resource(case, kind), case.number)
            elif case.site == "json":
                json_resources[f"c{case.number}"] = self._json_resource(case, kind)
            else:
                module_file = "modules/m/main.tf"
                add(module_file, f'variable "in{case.number}" {{}}\n', case.number)
                if case.site == "nested":
                    add("modules/n/main.tf", f'variable "nin{case.number}" {{}}\n', case.number)
                    add("modules/n/main.tf", self._resource(case, kind), case.number)
                elif case.site == "output":
                    expression = case.probe
                    add(module_file, f'output "out{case.number}" {{\n  value = {expression}\n}}\n', case.number)
                else:
                    add(module_file, self._resource(case, kind), case.number)
        # module calls: one block per call, each input owned by its case (diagnostics point at the line)
        calls = ["mp", "mc", "me"]
        for call in calls:
            source, meta = self.MODULE_CALLS[call]
            add("modules.tf", f'module "{call}" {{\n  source = "{source}"\n' + (f"  {meta}\n" if meta else ""), None)
            for case in live:
                if case.number in self.module_inputs:
                    add("modules.tf", f"  in{case.number} = {self.module_inputs[case.number][call]}", case.number)
            add("modules.tf", "}\n", None)
        nested = [c for c in live if c.site == "nested"]
        add("modules/m/nested.tf", 'module "inner" {\n  source = "../n"', None)
        for case in nested:
            add("modules/m/nested.tf", f"  nin{case.number} = {self.nested_inputs[case.number]}", case.number)
        add("modules/m/nested.tf", "}\n", None)
        files.setdefault("modules/n/main.tf", [])
        for case in live:  # module outputs read at the root, from every instance
            if case.site != "output":
                continue
            for call, keys in self.INSTANCES.items():
                for key in keys:
                    reference = f"module.{call}{'' if key is None else f'[{json.dumps(key)}]'}.out{case.number}"
                    add("outputs_read.tf", self._resource(case, kind, output_reader(case, call, key), reference),
                        case.number)
        for source in [s for s in VARIABLE_SOURCES if s.endswith(".json")]:
            owned = [(v, int(v.name[1:].split("_")[0])) for v in self.variables if source in v.sources]
            owned = [(v, owner) for v, owner in owned if owner in numbers]
            if owned:
                add(source, "{", None)
                for position, (variable, owner) in enumerate(owned):
                    comma = "," if position < len(owned) - 1 else ""
                    add(source, f"  {json.dumps(variable.name)}: {variable.sources[source]}{comma}", owner)
                add(source, "}", None)
        if json_resources:  # one line per case, so that a diagnostic's line names its case
            add("cases.tf.json", '{"resource": {' + json.dumps(kind) + ": {", None)
            for position, (name, body) in enumerate(json_resources.items()):
                comma = "," if position < len(json_resources) - 1 else ""
                add("cases.tf.json", f"  {json.dumps(name)}: {json.dumps(body, ensure_ascii=False)}{comma}",
                    int(name[1:]))
            add("cases.tf.json", "}}}", None)
        folder.mkdir(parents=True, exist_ok=True)
        for path, lines in files.items():
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return owners

    def environment(self) -> dict[str, str]:
        numbers = {c.number for c in self.live()}
        return {f"TF_VAR_{v.name}": v.sources["env"] for v in self.variables
                if "env" in v.sources and int(v.name[1:].split("_")[0]) in numbers}

    def var_files(self, folder: Path) -> list[Path]:
        return [folder / name for name in VAR_FILES if (folder / name).is_file()]


# ------------------------------------------------------------------ Terraform, offline

# Go's garbage collector only past 1 GiB of heap: the AWS provider builds its schema (~0.6 GB) at every start,
# and collecting while it does was a quarter of a plan's and a show's CPU time; values are not affected
GO_RUNTIME = {"GOGC": "off", "GOMEMLIMIT": "1GiB"}


def _terraform_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**GO_RUNTIME, **{k: v for k, v in os.environ.items() if not k.startswith("TF_VAR_")}}
    env.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "CHECKPOINT_DISABLE": "1",
                "TF_IN_AUTOMATION": "1", "TF_INPUT": "0"})
    env.pop("TF_CLI_CONFIG_FILE", None)
    env.update(extra or {})
    return env


def terraform_available() -> None:
    """Raise TerraformUnavailable with what is missing: a test must fail on it, never skip."""
    if shutil.which("terraform") is None:
        raise TerraformUnavailable("the terraform CLI is not on PATH (the differential suite needs it)")
    if not any(PLUGIN_DIR.glob("registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws*")):
        raise TerraformUnavailable(f"no hashicorp/aws provider under {PLUGIN_DIR} (set TF_PLUGIN_DIR)")


@dataclass
class Plan:
    values: dict[str, Any]  # address -> after (resource attributes)
    unknown: dict[str, Any]  # address -> after_unknown
    errors: list[dict[str, Any]]  # diagnostics of a plan that failed
    initialised: bool = True  # False: `terraform init` itself failed (errors are init's)


def error_diagnostics(stdout: str) -> list[dict[str, Any]]:
    """The error diagnostics among the JSON lines a `terraform ... -json` command printed."""
    errors = []
    for line in stdout.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if message.get("@level") == "error" and "diagnostic" in message:
            errors.append(message["diagnostic"])
    return errors


def _terraform_json(arguments: list[str], folder: Path, environment: dict[str, str]) -> tuple[int, list[Any]]:
    """Run a terraform command with -json; its exit code and the error diagnostics it printed."""
    run = subprocess.run(["terraform", *arguments, "-json"], cwd=folder, env=environment, capture_output=True, text=True)
    errors = error_diagnostics(run.stdout)
    if run.returncode != 0 and not errors:
        raise TerraformUnavailable(f"terraform {arguments[0]} failed without diagnostics in {folder}:\n"
                                   f"{run.stdout[-2000:]}{run.stderr[-2000:]}")
    return run.returncode, errors


def terraform_init(folder: Path, env: dict[str, str], cache: Path) -> list[Any]:
    """`terraform init` from the local provider folder; its errors. Not concurrency-safe (the provider
    cache): run one at a time."""
    environment = _terraform_env(env)
    environment["TF_PLUGIN_CACHE_DIR"] = str(cache)  # later batches link the provider, not copy it
    cache.mkdir(parents=True, exist_ok=True)
    code, errors = _terraform_json(["init", "-input=false", "-backend=false", f"-plugin-dir={PLUGIN_DIR}"],
                                   folder, environment)
    return errors if code != 0 else []


def terraform_plan(folder: Path, env: dict[str, str], var_files: list[Path], cache: Path, init: bool = True) -> Plan:
    """`terraform init` (unless done) and `plan -refresh=false`, offline."""
    environment = _terraform_env(env)
    if init:
        errors = terraform_init(folder, env, cache)
        if errors:
            return Plan({}, {}, errors, initialised=False)
    code, errors = _terraform_json(["plan", "-input=false", "-refresh=false", "-lock=false", "-out=tf.plan",
                                    *[f"-var-file={p}" for p in var_files]], folder, environment)
    if code != 0:
        return Plan({}, {}, errors)
    shown = subprocess.run(["terraform", "show", "-json", "tf.plan"], cwd=folder, env=environment,
                           capture_output=True, text=True, check=True).stdout
    document = json.loads(shown, parse_float=Decimal)
    values, unknown = {}, {}
    for change in document.get("resource_changes") or []:
        values[change["address"]] = change["change"].get("after") or {}
        unknown[change["address"]] = change["change"].get("after_unknown") or {}
    return Plan(values, unknown, [])


def cases_of_errors(errors: list[dict[str, Any]], owners: dict[str, list[tuple[int, int, int]]],
                    folder: Path) -> set[int]:
    found: set[int] = set()
    for diagnostic in errors:
        where = diagnostic.get("range") or {}
        filename, line = where.get("filename"), (where.get("start") or {}).get("line")
        if filename is None or line is None:
            continue
        path = os.path.relpath(os.path.normpath(folder / filename), folder) if not os.path.isabs(filename) else \
            os.path.relpath(filename, folder)
        owned = [case for start, end, case in owners.get(path, []) if start <= line <= end]
        if not owned and path.endswith(".json"):
            # Terraform places some JSON diagnostics at the end of the file, and counts the lines of a string
            # template with escaped newlines (a heredoc) as lines of the file: drop that file's cases that call
            # a function or hold an escaped newline (progress is what matters; a few cases lost)
            text = (folder / path).read_text(encoding="utf-8").split("\n")
            owned = [case for start, end, case in owners.get(path, [])
                     if re.search(r"[a-z]\(|\\n", "\n".join(text[start - 1:end]))]
        found.update(owned)
    filename_less = []
    for diagnostic in errors:
        if (diagnostic.get("range") or {}).get("filename"):
            continue
        # e.g. "failed to encode terraform_data.c11 in state" (an infinite number): the address names the case
        named = re.findall(rf"(?:{PROBE}|{NOTEBOOK})\.c(\d+)", f"{diagnostic.get('summary')} {diagnostic.get('detail')}")
        if named:
            found.update(int(n) for n in named)
        else:
            filename_less.append(diagnostic)
    if filename_less:
        raise TerraformUnavailable("terraform plan failed with errors not tied to a case: "
                                   + "; ".join(d.get("summary", "") for d in filename_less)[:2000])
    return found


HANGS: list[str] = []  # texts python-hcl2 did not finish parsing (printed by the exploration)


class ParserHang(AssertionError):
    """python-hcl2 (Checkov's parser) did not finish: a file that stalls every Checkov scan."""


class _time_limit:
    def __init__(self, seconds: int, message: str) -> None:
        self.seconds, self.message = seconds, message

    def __enter__(self) -> None:
        import signal

        def expired(*_: Any) -> None:
            raise ParserHang(self.message)
        self.previous = signal.signal(signal.SIGALRM, expired)
        signal.alarm(self.seconds)

    def __exit__(self, *_: Any) -> None:
        import signal
        signal.alarm(0)
        signal.signal(signal.SIGALRM, self.previous)


def unreadable_cases(folder: Path, owners: dict[str, list[tuple[int, int, int]]]) -> dict[int, str]:
    """Cases in files that python-hcl2 (Checkov's parser, which the tracer shares) or the tracer's own
    reading refuses. Such a module is never traced (the rule fails closed on it), so these cases are kept
    out of the batch and counted; they cannot test values."""
    from hcl2.parser import Hcl2

    tracer = load_tracer()
    found: dict[int, str] = {}
    for path, ranges in owners.items():
        if not path.endswith(".tf"):
            continue
        text = (folder / path).read_text(encoding="utf-8")
        lines = text.split("\n")
        for start, end, case in ranges:  # each case's own lines first: all the bad ones in one round
            chunk = "\n".join(lines[start - 1:end]) + "\n"
            try:
                with _time_limit(10, f"python-hcl2 did not finish parsing a case of {path}"):
                    Hcl2.lark_parser.parse(chunk)
            except ParserHang:  # Checkov would stall on such a file: worth knowing, not a value to test
                found[case] = "python-hcl2 does not finish parsing it"
                HANGS.append(chunk)
            except Exception:
                found[case] = "python-hcl2 cannot parse it"
        if found:
            continue
        line = None
        try:
            with _time_limit(60, f"python-hcl2 did not finish parsing {path}"):
                Hcl2.lark_parser.parse(text + "\n")
        except ParserHang:
            raise
        except Exception as exc:  # Lark's errors carry the line
            line = getattr(exc, "line", None) or 0
        if line is None:
            module = tracer.Module(str((folder / path).parent))
            try:
                module.add_hcl(text, False)
                continue
            except Exception:  # the tracer's heredoc checks: no line, blame the cases with heredocs
                for start, end, case in ranges:
                    if "<<" in "\n".join(text.split("\n")[start - 1:end]):
                        found[case] = "python-hcl2 reads its heredoc differently from Terraform"
                continue
        owner = [case for start, end, case in ranges if start <= line <= end]
        if not owner:  # an error past the case that caused it: drop the nearest case above
            above = [r for r in ranges if r[0] <= line]
            owner = [max(above)[2]] if above else [ranges[0][2]]
        for case in owner:
            found[case] = "python-hcl2 cannot parse it"
    return found


KEPT_BETWEEN_ROUNDS = (".terraform", ".terraform.lock.hcl")  # what `terraform init` wrote


def _clear(folder: Path) -> None:
    """Empty a batch folder but for what init wrote: the module calls and providers are the same in every
    round (the cases only add inputs and resources), so the folder is initialised once."""
    if not folder.exists():
        return
    for child in folder.iterdir():
        if child.name in KEPT_BETWEEN_ROUNDS:
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def plan_batch(batch: Batch, folder: Path, kind: str, cache: Path, rounds: int = 60) -> Plan:
    """Plan the batch, dropping the cases that python-hcl2 or Terraform reject, until the plan succeeds.
    Terraform reports its errors one phase at a time (loading, validation, evaluation), so every case named
    by a failed plan is dropped at once and the plan made again."""
    if folder.exists():
        shutil.rmtree(folder)
    initialised = False
    for _ in range(rounds):
        _clear(folder)
        owners = batch.write(folder, kind)
        unreadable = unreadable_cases(folder, owners)
        if unreadable:
            for case in batch.cases:
                if case.number in unreadable and case.dropped is None:
                    case.dropped = unreadable[case.number]
            continue
        plan = terraform_plan(folder, batch.environment(), batch.var_files(folder), cache, init=not initialised)
        initialised = initialised or plan.initialised
        if not plan.errors:
            return plan
        rejected = cases_of_errors(plan.errors, owners, folder)
        if not rejected:
            raise TerraformUnavailable("terraform plan failed: " + "; ".join(
                f"{d.get('summary')} ({(d.get('range') or {}).get('filename')}:{((d.get('range') or {}).get('start') or {}).get('line')})"
                for d in plan.errors)[:3000])
        for case in batch.cases:
            if case.number in rejected and case.dropped is None:
                case.dropped = "rejected by terraform plan"
    raise TerraformUnavailable(f"terraform plan still failed after {rounds} rounds of dropping rejected cases")


# ------------------------------------------------------------------ addresses of a case

def addresses(batch: Batch, case: Case, kind: str) -> list[str]:
    """Every address (plan form) of the resources of `kind` a case declares."""
    keys: list[Any] = {"": [None], "count": [0, 1], "for_each": ["Disabled", "Enabled"]}[case.meta]

    def instance(prefix: str, name: str) -> list[str]:
        return [f"{prefix}{kind}.{name}" + ("" if k is None else f"[{json.dumps(k)}]") for k in keys]

    name = f"c{case.number}"
    if case.site in ("root", "json"):
        return instance("", name)
    if case.site == "output":
        found = []
        for call, call_keys in batch.INSTANCES.items():
            for key in call_keys:
                suffix = f"_{call}{'' if key is None else '_' + str(key)}"
                found.append(f"{kind}.{name}{suffix}")
        return found
    found = []
    for call, call_keys in batch.INSTANCES.items():
        for key in call_keys:
            module = f"module.{call}" + ("" if key is None else f"[{json.dumps(key)}]") + "."
            if case.site == "nested":
                module += "module.inner."
            found += instance(module, name)
    return found


def output_reader(case: Case, call: str, key: Any) -> str:
    """Name of the root resource that reads a case's module output from one module instance."""
    return f"c{case.number}_{call}" + ("" if key is None else f"_{key}")


def notebook_value(case: Case, value: str) -> str:
    """direct_internet_access of a case's notebook: the value itself, or a comparison with Terraform's."""
    return case.notebook.replace("__VALUE__", value) if case.notebook else value


def file_of(case: Case) -> str:
    return {"root": "cases.tf", "json": "cases.tf.json", "module": "modules/m/main.tf", "nested": "modules/n/main.tf",
            "output": "outputs_read.tf"}[case.site]


def callers_of(case: Case, folder: Path) -> list[str]:
    """Files of the module calls leading to the case's resources, innermost first (as Checkov gives them)."""
    if case.site == "module":
        return [str(folder / "modules.tf")]
    if case.site == "nested":
        return [str(folder / "modules/m/nested.tf"), str(folder / "modules.tf")]
    return []



# ------------------------------------------------------------------ the rule's tracer, in process

def load_tracer() -> Any:
    """The check folder's Terraform evaluator, loaded as the check loads it (through the folder's package)."""
    import sys

    from checkov_harness import CHECKS_DIR
    from rule import ROOT
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from d9_rules import checkov_module
    return checkov_module("d9_aws_net_49_terraform", CHECKS_DIR)


UNPROVEN = "unproven"


def traced_value(tracer: Any, batch: Batch, case: Case, folder: Path, address: str, attribute: str) -> Any:
    """What the tracer proves for `attribute` of the resource at `address`: the value (None for null),
    or (UNPROVEN, reason)."""
    resource_file = folder / file_of(case)
    kind = address.split(".")[-2]
    try:
        resource = tracer.locate(str(resource_file), kind, address, callers_of(case, folder),
                                 [str(p) for p in batch.var_files(folder)], scan_root=str(folder),
                                 caller_suffixes=(".tf.json",))
        value = resource.attribute(attribute)
    except tracer.Unproven as exc:
        return (UNPROVEN, str(exc))
    return None if value is tracer.ABSENT else value


def same_value(traced: Any, planned: Any) -> bool:
    """Terraform's JSON value and the tracer's value are the same value of the same type."""
    if isinstance(traced, bool) or isinstance(planned, bool):
        return isinstance(traced, bool) and isinstance(planned, bool) and traced == planned
    if traced is None or planned is None:
        return traced is None and planned is None
    if isinstance(traced, (int, float, Decimal)) and isinstance(planned, (int, Decimal)):
        # a float (read from JSON by the tracer) is only the same number when its shortest text is exact
        return Decimal(repr(traced) if isinstance(traced, float) else traced) == Decimal(planned)
    if isinstance(traced, str) and isinstance(planned, str):
        return traced == planned
    if isinstance(traced, (list, tuple)) and isinstance(planned, list):
        return len(traced) == len(planned) and all(same_value(a, b) for a, b in zip(traced, planned))
    if isinstance(traced, dict) and isinstance(planned, dict):
        return traced.keys() == planned.keys() and all(same_value(traced[k], planned[k]) for k in traced)
    return False


# ------------------------------------------------------------------ pass 2: notebooks and their verdicts

VALID = ("Enabled", "Disabled", None)


def planned(plan: Plan, address: str, attribute: str) -> Any:
    """Terraform's value of an attribute in the plan, or UNKNOWN_AT_APPLY."""
    if (plan.unknown.get(address) or {}).get(attribute) is True:
        return UNKNOWN_AT_APPLY
    return (plan.values.get(address) or {}).get(attribute)


UNKNOWN_AT_APPLY = "(known after apply)"


def choose_notebooks(batch: Batch, probes: Plan) -> None:
    """Pass 2's direct_internet_access per case: the expression itself where Terraform gives every
    instance a valid value, else a comparison with the first instance's value (always valid)."""
    for case in batch.live():
        truths = [planned(probes, a, "input") for a in addresses(batch, case, PROBE)]
        if all(isinstance(t, str) and t in VALID or t is None for t in truths) and batch.rng.random() < 0.6:
            case.notebook = "__VALUE__"
            continue
        first = truths[0]
        literal = '"x"' if first == UNKNOWN_AT_APPLY else hcl_value(first)
        operator = batch.rng.choice(["==", "!="])
        case.notebook = f'__VALUE__ {operator} {literal} ? "Disabled" : "Enabled"'


def plan_verdict(plan: Plan, address: str) -> bool:
    """The rule's verdict on Terraform's own values: `Disabled` known at plan time, and a subnet that is
    set (a value known only after apply is set)."""
    access, subnet = planned(plan, address, "direct_internet_access"), planned(plan, address, "subnet_id")
    return access == "Disabled" and (subnet == UNKNOWN_AT_APPLY or isinstance(subnet, str) and subnet.strip() != "")


def checkov_verdicts(folder: Path, batch: Batch) -> tuple[dict[str, list[tuple[str, list[str]]]], Any]:
    """The real checkov CLI over the folder: resource id -> [(verdict, details)], and the run."""
    from checkov_harness import checkov_cli, findings_from_json

    arguments = ["--framework", "terraform", "terraform_json", "-o", "json"]
    for path in batch.var_files(folder):
        arguments += ["--var-file", str(path)]
    run = checkov_cli(folder, *arguments, env=batch.environment())
    if run.returncode not in (0, 1) or "Cannot load external check" in run.stderr:
        raise AssertionError(f"checkov exited {run.returncode}\n{run.stderr[-3000:]}")
    verdicts: dict[str, list[tuple[str, list[str]]]] = {}
    for finding in findings_from_json(run.stdout):
        key = f"{finding.file_path.lstrip('/')}::{finding.resource}"
        verdicts.setdefault(key, []).append((finding.verdict, finding.details))
    return verdicts, run


@dataclass
class Report:
    """What one batch showed."""
    seed: int
    cases: int = 0
    live: int = 0
    probes: int = 0
    proven: int = 0
    value_mismatches: list[str] = field(default_factory=list)
    notebooks: int = 0
    passed: int = 0
    plan_passed: int = 0
    false_passes: list[str] = field(default_factory=list)
    unjudged: list[str] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)


def checkov_key(address: str, case: Case) -> str:
    """The resource id Checkov reports for a notebook address: plan addresses for HCL, `resource.<name>`
    (one record for every instance) for .tf.json."""
    if case.site == "json":
        return f"cases.tf.json::resource.c{case.number}"
    return f"{file_of(case)}::{address}"


def run_batch(seed: int, size: int, work: Path) -> Report:
    """Both passes over one generated batch."""
    batch = Batch(seed, size)
    report = Report(seed, cases=size)
    cache = work / "provider-cache"
    probes = plan_batch(batch, work / "probes", PROBE, cache)
    tracer = load_tracer()
    saved = {k: v for k, v in os.environ.items() if k.startswith("TF_VAR_")}
    for key in saved:
        del os.environ[key]
    os.environ.update(batch.environment())
    try:
        for case in batch.live():
            for address in addresses(batch, case, PROBE):
                report.probes += 1
                truth = planned(probes, address, "input")
                traced = traced_value(tracer, batch, case, work / "probes", address, "input")
                if isinstance(traced, tuple) and traced and traced[0] == UNPROVEN:
                    continue
                report.proven += 1
                if truth == UNKNOWN_AT_APPLY or not same_value(traced, truth):
                    report.value_mismatches.append(
                        f"seed {seed} case {case.number} {address}: tracer {traced!r}, terraform {truth!r}; "
                        f"expression {case.probe!r}")
    finally:
        for key in batch.environment():
            os.environ.pop(key, None)
        os.environ.update(saved)
    choose_notebooks(batch, probes)
    notebooks = plan_batch(batch, work / "notebooks", NOTEBOOK, cache)
    verdicts, _ = checkov_verdicts(work / "notebooks", batch)
    for case in batch.live():
        for address in addresses(batch, case, NOTEBOOK):
            report.notebooks += 1
            truth = plan_verdict(notebooks, address)
            report.plan_passed += truth
            found = verdicts.get(checkov_key(address, case))
            if not found:
                report.unjudged.append(f"seed {seed} case {case.number} {address}: no verdict from checkov")
                continue
            verdict, details = found[0]
            if verdict == "PASSED":
                report.passed += 1
                if not truth:
                    report.false_passes.append(
                        f"seed {seed} case {case.number} {address}: PASSED, but terraform plans direct_internet_access="
                        f"{planned(notebooks, address, 'direct_internet_access')!r} subnet_id="
                        f"{planned(notebooks, address, 'subnet_id')!r}; expression {case.probe!r}, notebook "
                        f"{case.notebook!r}, subnet {case.subnet!r}")
    report.live = len(batch.live())
    for case in batch.cases:
        if case.dropped:
            report.dropped[case.dropped] = report.dropped.get(case.dropped, 0) + 1
    return report


# what only a root module has: variable files, and paths or blocks that differ or clash in a child module
ROOT_ONLY_FILES = (".tfvars", ".tfvars.json")
ROOT_ONLY_TEXT = re.compile(r"\bpath\.(?:root|cwd)\b|^\s*(?:terraform|provider)\b|\"(?:terraform|provider)\"\s*:", re.M)


def _needs_root(folder: Path) -> bool:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return any(p.name.endswith(ROOT_ONLY_FILES) for p in files) or any(
        ROOT_ONLY_TEXT.search(p.read_text(encoding="utf-8")) for p in files if p.name.endswith((".tf", ".tf.json")))


def fixture_module(name: str) -> str:
    """The module call of a fixture planned as a child module of the shared root."""
    return f"fixture_{name}"


def plan_fixtures(folders: list[Path], work: Path) -> dict[str, Plan]:
    """Terraform's plan of each fixture folder, addresses as in the fixture planned alone. One `terraform
    init`, `plan` and `show` for all: each fixture is a child module of one root (the module's addresses are
    read without their `module.fixture_<name>.` prefix), and the root is the one fixture, if any, that needs
    to be a root (variable files, path.root, provider blocks); any other such fixture is planned alone."""
    as_root = [folder for folder in folders if _needs_root(folder)]
    as_module = [folder for folder in folders if folder not in as_root]
    roots: list[tuple[Path, Path | None]] = []  # (copy, the fixture it is)
    shared = work / "fixtures"
    if as_root:
        shutil.copytree(as_root[0], shared)
    else:
        shared.mkdir(parents=True)
    roots.append((shared, as_root[0] if as_root else None))
    calls = []
    for folder in as_module:
        shutil.copytree(folder, shared / "d9_fixtures" / folder.name)
        calls.append(f'module "{fixture_module(folder.name)}" {{\n  source = "./d9_fixtures/{folder.name}"\n}}\n')
    (shared / "d9_fixture_modules.tf").write_text("\n".join(calls), encoding="utf-8")
    for folder in as_root[1:]:
        shutil.copytree(folder, work / folder.name)
        roots.append((work / folder.name, folder))
    plans: dict[str, Plan] = {}
    for root, fixture in roots:
        (root / "d9_offline_provider.tf").write_text(PROVIDER_BLOCK, encoding="utf-8")
        plan = terraform_plan(root, {}, [], work / "provider-cache")
        if plan.errors:
            raise AssertionError(f"terraform {'init' if not plan.initialised else 'plan'} rejects the fixtures planned "
                                 f"in {root.name} ({fixture.name if fixture else 'as modules'}): " + "; ".join(
                f"{d.get('summary')} ({(d.get('range') or {}).get('filename')})" for d in plan.errors))
        prefixes = {f"module.{fixture_module(f.name)}.": f.name for f in as_module} if root == shared else {}
        for prefix, name in prefixes.items():
            plans[name] = Plan({a[len(prefix):]: v for a, v in plan.values.items() if a.startswith(prefix)},
                               {a[len(prefix):]: v for a, v in plan.unknown.items() if a.startswith(prefix)}, [])
        if fixture is not None:  # the root's own resources: every address outside the fixtures' modules
            own = [a for a in plan.values if not any(a.startswith(prefix) for prefix in prefixes)]
            plans[fixture.name] = Plan({a: plan.values[a] for a in own}, {a: plan.unknown[a] for a in own}, [])
    return plans
