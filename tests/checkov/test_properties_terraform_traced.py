"""Generated Terraform where the value travels through variables (with tfvars precedence), locals, object
locals, module outputs, nested modules, for_each, conditionals, data sources and string functions, through
Checkov's real Terraform runner, against a reference oracle.

The oracle computes what Terraform would send AWS from the generator's own description of each value; it
shares no code with the check, and Terraform itself (`terraform console`) evaluates the string functions.
UNKNOWN is a value no one can know before apply (or a Terraform error).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from checkov.runner_filter import RunnerFilter
from checkov.terraform.runner import Runner as TerraformRunner
from checkov_harness import CHECKS_DIR
from hypothesis import example, given
from hypothesis import strategies as st
from rule import CHECKOV_ID
from test_properties import PROPERTIES, WORDS, hcl_string

UNKNOWN = object()
# Terraform's order for root variables: default < terraform.tfvars < terraform.tfvars.json < *.auto.tfvars
# and *.auto.tfvars.json in lexical order of file name.
LAYERS = ["default", "terraform.tfvars", "terraform.tfvars.json", "a.auto.tfvars", "b.auto.tfvars.json"]

leaf = st.one_of(
    st.tuples(st.just("word"), WORDS),
    st.just(("null",)),
    st.tuples(st.just("var_layers"), st.lists(st.tuples(st.sampled_from(LAYERS), WORDS), max_size=4)),
)


FUNCTION_NAMES = ("lower", "upper", "title", "trimspace")


def _extend(inner):
    return st.one_of(
        st.tuples(st.just("local"), inner),
        st.tuples(st.just("object_local"), inner),
        st.tuples(st.just("module_output"), inner),
        st.tuples(st.just("nested_module"), inner),
        st.tuples(st.just("cond_known"), st.booleans(), inner, inner),
        st.tuples(st.just("cond_data"), inner, inner),
        st.tuples(st.just("cond_no_value"), inner, inner),
        st.tuples(st.just("function"), st.sampled_from(FUNCTION_NAMES), inner),
    )


VALUES = st.recursive(leaf, _extend, max_leaves=4)
DELIVERY = st.sampled_from(["attribute", "for_each"])
SUBNETS = st.sampled_from(["literal", "reference", "data", "empty", "null", "absent", "var_null", "var_no_value",
                           "var_default", "local_null", "module_output_null", "module_output_value"])


# ---- the oracle

_FUNCTION_RESULTS: dict[tuple[str, str], str] = {}


def terraform_function(name: str, text: str) -> str:
    """What Terraform itself returns for `name(text)`: `terraform console` evaluates a pure expression offline
    with no configuration and no provider. Results are kept for the run."""
    if (name, text) not in _FUNCTION_RESULTS:
        _ask_terraform([(name, text)])
    return _FUNCTION_RESULTS[(name, text)]


def _ask_terraform(calls: list[tuple[str, str]]) -> None:
    terraform = shutil.which("terraform")
    assert terraform, "terraform is not on PATH: the oracle asks it what lower/upper/title/trimspace return"
    # console prints only its last expression's value: ask for one list, JSON-encoded so it reads back exactly
    expression = f"jsonencode([{', '.join(f'{name}({hcl_string(text)})' for name, text in calls)}])"
    with tempfile.TemporaryDirectory() as empty:
        result = subprocess.run([terraform, "console"], input=expression + "\n", capture_output=True, text=True,
                                cwd=empty, timeout=120, env={**os.environ, "CHECKPOINT_DISABLE": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    answers = json.loads(json.loads(result.stdout.strip()))  # an HCL string holding JSON
    assert len(answers) == len(calls), result.stdout
    _FUNCTION_RESULTS.update(zip(calls, answers))


def oracle(spec):
    kind = spec[0]
    if kind == "word":
        return spec[1]
    if kind == "null":
        return None
    if kind == "var_layers":
        chosen = UNKNOWN  # no value at all: Terraform asks for one, nothing is known
        for layer in LAYERS:
            for source, word in spec[1]:
                if source == layer:
                    chosen = word
        return chosen
    if kind in ("local", "object_local", "module_output", "nested_module"):
        return oracle(spec[1])
    if kind == "cond_known":
        return oracle(spec[2] if spec[1] else spec[3])
    if kind in ("cond_data", "cond_no_value"):
        true, false = oracle(spec[1]), oracle(spec[2])
        return true if true is not UNKNOWN and true == false else UNKNOWN
    if kind == "function":
        value = oracle(spec[2])
        return terraform_function(spec[1], value) if isinstance(value, str) else UNKNOWN
    raise AssertionError(spec)


HAS_SUBNET = {"literal", "reference", "data", "var_no_value", "var_default", "module_output_value"}


def expected(spec, subnet: str) -> str:
    return "PASSED" if oracle(spec) == "Disabled" and subnet in HAS_SUBNET else "FAILED"


# ---- rendering: a root folder, module folders and tfvars files

class Render:
    def __init__(self) -> None:
        self.root: list[str] = []
        self.modules: dict[str, str] = {}
        self.tfvars: dict[str, dict[str, str]] = {layer: {} for layer in LAYERS[1:]}
        self.counter = 0

    def name(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}_{self.counter}"

    def expression(self, spec) -> str:
        kind = spec[0]
        if kind == "word":
            return hcl_string(spec[1])
        if kind == "null":
            return "null"
        if kind == "var_layers":
            name = self.name("v")
            default = [w for source, w in spec[1] if source == "default"]
            body = f"  default = {hcl_string(default[-1])}\n" if default else "  type = string\n"
            self.root.append(f'variable "{name}" {{\n{body}}}')
            for source, word in spec[1]:
                if source != "default":
                    self.tfvars[source][name] = word
            return f"var.{name}"
        if kind == "local":
            name = self.name("l")
            self.root.append(f"locals {{\n  {name} = {self.expression(spec[1])}\n}}")
            return f"local.{name}"
        if kind == "object_local":
            name = self.name("o")
            self.root.append(f'locals {{\n  {name} = {{\n    other = "x"\n    mode  = {self.expression(spec[1])}\n  }}\n}}')
            return f'local.{name}["mode"]' if self.counter % 2 else f"local.{name}.mode"
        if kind == "module_output":
            name = self.name("m")
            self.modules[name] = 'variable "v" {}\n\noutput "out" {\n  value = var.v\n}\n'
            self.root.append(f'module "{name}" {{\n  source = "./{name}"\n  v      = {self.expression(spec[1])}\n}}')
            return f"module.{name}.out"
        if kind == "nested_module":
            name = self.name("n")
            self.modules[name] = ('variable "v" {}\n\nmodule "inner" {\n  source = "../' + name + '_inner"\n'
                                  '  v      = var.v\n}\n\noutput "out" {\n  value = module.inner.out\n}\n')
            self.modules[name + "_inner"] = 'variable "v" {}\n\noutput "out" {\n  value = var.v\n}\n'
            self.root.append(f'module "{name}" {{\n  source = "./{name}"\n  v      = {self.expression(spec[1])}\n}}')
            return f"module.{name}.out"
        if kind == "cond_known":
            name = self.name("flag")
            self.root.append(f'variable "{name}" {{\n  default = {str(spec[1]).lower()}\n}}')
            return f"(var.{name} ? {self.expression(spec[2])} : {self.expression(spec[3])})"
        if kind == "cond_data":
            return (f'(data.aws_ssm_parameter.exposure.value == "public" ? {self.expression(spec[1])} : '
                    f"{self.expression(spec[2])})")
        if kind == "cond_no_value":
            name = self.name("env")
            self.root.append(f'variable "{name}" {{\n  type = string\n}}')
            return f'(var.{name} == "dev" ? {self.expression(spec[1])} : {self.expression(spec[2])})'
        if kind == "function":
            return f"{spec[1]}({self.expression(spec[2])})"
        raise AssertionError(spec)

    def subnet(self, kind: str) -> str | None:
        if kind == "absent":
            return None
        simple = {"literal": '"subnet-0abc"', "reference": "aws_subnet.private.id",
                  "data": "data.aws_subnet.selected.id", "empty": '""', "null": "null"}
        if kind in simple:
            return simple[kind]
        name = self.name("s")
        if kind.startswith("var_"):
            body = {"var_null": "  type    = string\n  default = null\n", "var_no_value": "  type = string\n",
                    "var_default": '  default = "subnet-0def"\n'}[kind]
            self.root.append(f'variable "{name}" {{\n{body}}}')
            return f"var.{name}"
        if kind == "local_null":
            self.root.append(f"locals {{\n  {name} = null\n}}")
            return f"local.{name}"
        value = "null" if kind == "module_output_null" else '"subnet-0ghi"'
        self.modules[name] = 'variable "v" {}\n\noutput "out" {\n  value = var.v\n}\n'
        self.root.append(f'module "{name}" {{\n  source = "./{name}"\n  v      = {value}\n}}')
        return f"module.{name}.out"

    def notebook(self, index: int, spec, delivery: str, subnet: str) -> None:
        value = self.expression(spec)
        lines = ['name          = "nb"', 'role_arn      = "arn:aws:iam::123456789012:role/r"',
                 'instance_type = "ml.t3.medium"']
        if delivery == "for_each":
            lines.append(f"for_each = {{ k = {value} }}")
            value = "each.value"
        lines.append(f"direct_internet_access = {value}")
        subnet_expression = self.subnet(subnet)
        if subnet_expression:
            lines.append(f"subnet_id = {subnet_expression}")
        body = "\n".join(f"  {line}" for line in lines)
        self.root.append(f'resource "aws_sagemaker_notebook_instance" "nb_{index}" {{\n{body}\n}}')

    def write(self, folder: Path) -> None:
        header = ['resource "aws_subnet" "private" {\n  vpc_id     = "vpc-1"\n  cidr_block = "10.0.0.0/24"\n}',
                  'data "aws_ssm_parameter" "exposure" {\n  name = "/exposure"\n}',
                  'data "aws_subnet" "selected" {\n  id = "subnet-0jkl"\n}']
        (folder / "main.tf").write_text("\n\n".join(header + self.root) + "\n")
        for name, text in self.modules.items():
            (folder / name).mkdir()
            (folder / name / "main.tf").write_text(text)
        for layer, values in self.tfvars.items():
            if not values:
                continue
            if layer.endswith(".json"):
                (folder / layer).write_text(json.dumps(values))
            else:
                (folder / layer).write_text("".join(f"{k} = {hcl_string(v)}\n" for k, v in values.items()))


def verdicts(folder: Path) -> dict[str, str]:
    report = TerraformRunner().run(root_folder=str(folder), external_checks_dir=[str(CHECKS_DIR)],
                                   runner_filter=RunnerFilter(checks=[CHECKOV_ID], framework=["terraform"]))
    # a for_each notebook is reported per key ("k"); the verdict is the same for its single instance
    return {re.sub(r'\["k"\]$', "", r.resource): r.check_result["result"].name
            for r in report.passed_checks + report.failed_checks if r.check_id == CHECKOV_ID}


NOTEBOOKS = st.lists(st.tuples(VALUES, DELIVERY, SUBNETS), min_size=1, max_size=4)


@PROPERTIES
@given(NOTEBOOKS)
# explicit PASS cases: each construct must be able to prove "Disabled"
@example([(("module_output", ("word", "Disabled")), "attribute", "reference")])
@example([(("nested_module", ("var_layers", [("default", "Enabled"), ("a.auto.tfvars", "Disabled")])), "attribute",
           "module_output_value")])
@example([(("object_local", ("word", "Disabled")), "for_each", "data")])
@example([(("cond_known", False, ("word", "Enabled"), ("local", ("word", "Disabled"))), "attribute", "var_no_value")])
@example([(("cond_data", ("word", "Disabled"), ("module_output", ("word", "Disabled"))), "attribute", "literal")])
@example([(("function", "title", ("word", "disabled")), "for_each", "var_default")])
# Terraform's title() upper-cases word starts and keeps the rest (Python's str.title lowers it)
@example([(("function", "title", ("word", "DISABLED")), "attribute", "literal"),
          (("function", "title", ("function", "lower", ("word", "dIS-abled"))), "attribute", "literal"),
          (("function", "trimspace", ("word", " Disabled ")), "attribute", "literal")])
@example([(("var_layers", [("terraform.tfvars", "Enabled"), ("terraform.tfvars.json", "Disabled")]), "attribute",
           "literal")])
# and the shapes Checkov guesses: must FAIL
@example([(("cond_no_value", ("word", "Enabled"), ("word", "Disabled")), "for_each", "reference")])
@example([(("module_output", ("cond_data", ("word", "Enabled"), ("word", "Disabled"))), "attribute", "reference")])
@example([(("word", "Disabled"), "attribute", "local_null")])
def test_traced_terraform_matches_oracle(notebooks):
    render = Render()
    for index, (spec, delivery, subnet) in enumerate(notebooks):
        render.notebook(index, spec, delivery, subnet)
    with tempfile.TemporaryDirectory() as work:
        render.write(Path(work))
        found = verdicts(Path(work))
    want = {f"aws_sagemaker_notebook_instance.nb_{i}": expected(spec, subnet)
            for i, (spec, _, subnet) in enumerate(notebooks)}
    assert found == want, notebooks
