"""CloudFormation values for D9.AWS.NET.49: what AWS would receive for a notebook's DirectInternetAccess
and SubnetId, folded by the rule itself from the template (or from serverless.yml's resources), and the
verdict's inputs from them.

What Checkov 3.3.30 hands a CloudFormation check is the resource alone, after its graph rendered some values:
a `Ref` to a parameter with a non-empty Default becomes that Default (also for an SSM parameter type, whose
Default is a parameter *name*), `Fn::FindInMap` and `Fn::Sub` of such parameters are rendered, and `Fn::If` is
left as it is; Parameters and Conditions are not handed over. So the rule folds the notebook as written in its
template (read by d9_aws_net_49_cloudformation_sources.py, found through the adapter), choosing an `Fn::If`
branch only when the condition follows from parameter Defaults that nothing in the repository overrides.
`fold` without a template (a direct call) treats every condition as unknown.

Imports only the verdict. Loaded by d9_aws_net_49_siblings.py; it registers no check.
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable, NamedTuple

if __package__:  # imported through the folder's package (d9_aws_net_49_siblings); Checkov also executes it alone
    from . import d9_aws_net_49_verdict as verdict

NOT_SET = object()  # the property is absent or null: AWS applies its default
NO_VALUE = object()  # Ref AWS::NoValue: the same for AWS
MAX_DEPTH = 48  # nesting of intrinsics/conditions the rule follows before it gives up (fails closed)
MAX_OUTCOMES = 64  # combinations of Fn::If branches inside one value
PSEUDO_PREFIX = "AWS::"
CONDITION_FUNCTIONS = ("Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Condition")
SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
SERVERLESS_VARIABLE = "the Serverless variable "  # a Ref to this prefix: a value Serverless resolves
NO_TEMPLATE = "the template's Conditions are not available to the rule (it was called without a template)"


class Branch(NamedTuple):
    """An Fn::If branch an outcome depends on."""
    condition: str
    truth: bool
    expression: str  # the Fn::If, for the details line
    unknown: str | None  # why the condition cannot be computed; None: computed from parameter Defaults


When = tuple[Branch, ...]  # the Fn::If branches an outcome depends on


class Opaque(NamedTuple):
    """A value known only at deploy time: a reference (counts as a subnet), never a proven 'Disabled'."""
    description: str


class Outcome(NamedTuple):
    value: Any  # str, NOT_SET, NO_VALUE or Opaque
    when: When = ()


class Invalid(Exception):
    """A shape AWS would not accept as a string value, or that the rule cannot fold."""

    def __init__(self, message: str, when: When = ()) -> None:
        super().__init__(message + describe_when(when))


class Unknown(Exception):
    """A condition that does not follow from parameter Defaults."""


# ---------------------------------------------------------------- rendering for details lines

def _describe(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    try:
        return json.dumps(value, default=str)
    except (RecursionError, ValueError):  # nested too deeply, or a cycle
        return show(value)


def intrinsic(value: Any) -> tuple[str, Any] | None:
    """(function, arguments) of a one-key intrinsic; Checkov's loaders add __file__/__startline__ keys."""
    if not isinstance(value, dict):
        return None
    keys = [k for k in value if not (isinstance(k, str) and k.startswith("__") and k.endswith("__"))]
    return (keys[0], value[keys[0]]) if len(keys) == 1 and isinstance(keys[0], str) else None


def show(value: Any, limit: int = 160) -> str:
    """Short YAML-like text of an expression: Fn::If [IsProd, 'Disabled', Ref AWS::NoValue]."""
    def render(item: Any, depth: int) -> str:
        if depth > 6:
            return "..."
        if isinstance(item, str):
            return repr(item)
        found = intrinsic(item)
        if found and (found[0] in ("Ref", "Condition") or found[0].startswith("Fn::")):
            function, args = found
            if function in ("Ref", "Condition") and isinstance(args, str):
                return f"{function} {args}"
            if function == "Fn::If" and isinstance(args, list) and args and isinstance(args[0], str):
                return f"Fn::If [{', '.join([args[0], *(render(a, depth + 1) for a in args[1:])])}]"
            return f"{function} {render(args, depth + 1)}"
        if isinstance(item, list):
            return f"[{', '.join(render(a, depth + 1) for a in item)}]"
        if isinstance(item, dict):
            return "{" + ", ".join(f"{k}: {render(v, depth + 1)}" for k, v in item.items()
                                   if not (isinstance(k, str) and k.startswith("__"))) + "}"
        return _describe(item) if isinstance(item, (int, float, bool, type(None))) else type(item).__name__
    text = render(value, 0)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def describe_when(when: When) -> str:
    parts = []
    for branch in when:
        state = f"condition {branch.condition} is {'true' if branch.truth else 'false'}"
        if branch.unknown is None:
            parts.append(f"{state}, as it is with the parameter defaults ({branch.expression})")
        else:
            parts.append(f"{state} ({branch.expression}; {branch.condition} cannot be computed from parameter "
                         f"defaults: {branch.unknown})")
    return " when " + ", and ".join(parts) if parts else ""


# ---------------------------------------------------------------- the template: Parameters, Mappings, Conditions

def _section(document: Any, name: str) -> dict[str, Any]:
    section = document.get(name) if isinstance(document, dict) else None
    return section if isinstance(section, dict) else {}


class Template:
    """A CloudFormation template as written, and the conditions that follow from its parameter Defaults."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.parameters = _section(document, "Parameters")
        self.mappings = _section(document, "Mappings")
        self.conditions = _section(document, "Conditions")
        self.resources = _section(document, "Resources")
        transforms = document.get("Transform") if isinstance(document, dict) else None
        self.transforms = transforms if isinstance(transforms, list) else [] if transforms is None else [transforms]
        self.language_extensions = "AWS::LanguageExtensions" in self.transforms
        self._truths: dict[str, bool | Unknown] = {}
        self._active: set[str] = set()
        # why a parameter's Default may not be the deployed value ("" when nothing in the repository overrides it)
        self.overridden: Callable[[str], str] = lambda name: ""
        self.problem = ""  # why the template cannot be judged as written, if it cannot

    def default(self, name: str) -> tuple[str | None, str]:
        """(the Default as the string CloudFormation substitutes, or None with the reason)."""
        parameter = self.parameters.get(name)
        if not isinstance(parameter, dict):
            return None, f"{name} is not a parameter of the template"
        kind = parameter.get("Type")
        if isinstance(kind, str) and kind.startswith("AWS::SSM::Parameter::Value<"):  # Default: an SSM name
            return None, f"parameter {name} is an SSM parameter, whose value is read at deploy time"
        if isinstance(kind, str) and (kind.startswith("List<") or kind == "CommaDelimitedList"):
            return None, f"parameter {name} is a list"
        overridden = self.overridden(name)
        if overridden:
            return None, f"parameter {name}'s Default may be overridden: {overridden}"
        default = parameter.get("Default")
        if default is None:
            return None, f"parameter {name} has no Default"
        if isinstance(default, str) and "{{resolve:" in default:
            return None, f"the Default of parameter {name} is a dynamic reference, resolved at deploy time"
        if isinstance(default, bool):
            return ("true" if default else "false"), ""
        if isinstance(default, (str, int, float)):
            return str(default), ""
        return None, f"the Default of parameter {name} is not a single value"

    def condition(self, name: str, depth: int = 0) -> bool:
        """The condition's truth with the parameter Defaults, or Unknown."""
        if depth > MAX_DEPTH:
            raise Unknown("the conditions are nested too deeply")
        cached = self._truths.get(name)
        if isinstance(cached, bool):
            return cached
        if cached is not None:
            raise cached
        if name in self._active:
            raise Unknown(f"condition {name} depends on itself")
        if name not in self.conditions:
            raise Unknown(f"condition {name} is not defined in the template's Conditions")
        self._active.add(name)
        try:
            truth: bool | Unknown = self._truth(self.conditions[name], depth + 1)
        except Unknown as exc:
            truth = exc
        finally:
            self._active.discard(name)
        self._truths[name] = truth  # a condition reached again while it is evaluated is in a cycle: unknown
        if isinstance(truth, Unknown):
            raise truth
        return truth

    def _truth(self, expression: Any, depth: int) -> bool:
        if depth > MAX_DEPTH:
            raise Unknown("the conditions are nested too deeply")
        found = intrinsic(expression)
        if found is None:
            raise Unknown(f"{show(expression)} is not a condition function")
        function, args = found
        if function == "Condition" and isinstance(args, str):
            return self.condition(args, depth + 1)
        if function == "Fn::Equals" and isinstance(args, list) and len(args) == 2:
            return self._operand(args[0], depth) == self._operand(args[1], depth)
        if function == "Fn::Not" and isinstance(args, list) and len(args) == 1:
            return not self._truth(args[0], depth + 1)
        if function in ("Fn::And", "Fn::Or") and isinstance(args, list) and 2 <= len(args) <= 10:
            decisive = function == "Fn::Or"  # True decides an Or, False an And, whatever the other operands
            unknown = None
            for operand in args:
                try:
                    if self._truth(operand, depth + 1) is decisive:
                        return decisive
                except Unknown as exc:
                    unknown = unknown or exc
            if unknown is not None:
                raise unknown
            return not decisive
        raise Unknown(f"{show(expression)} is not a condition the rule computes")

    def _operand(self, value: Any, depth: int) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            return str(value)
        try:
            outcomes = fold(value, self, (), depth + 1)
        except Invalid as exc:
            raise Unknown(str(exc)) from None
        if len(outcomes) == 1 and not outcomes[0].when and isinstance(outcomes[0].value, str):
            return outcomes[0].value
        if len(outcomes) == 1 and isinstance(outcomes[0].value, Opaque):
            description = outcomes[0].value.description
            raise Unknown(description if description.startswith("Ref ")
                          else f"{description} is known only at deploy time")
        raise Unknown(f"{show(value)} is not a single string")


# ---------------------------------------------------------------- folding a value into the values AWS could receive

def fold(value: Any, template: Template | None, when: When = (), depth: int = 0) -> list[Outcome]:
    """Every value AWS could receive (under the parameter Defaults where a condition follows from them).
    `template` None: the template is not available, so no Ref/Fn::FindInMap/condition is computed."""
    if depth > MAX_DEPTH:
        raise Invalid(f"{show(value)} is nested too deeply", when)
    if value is None:
        return [Outcome(NOT_SET, when)]
    if isinstance(value, str):
        if "${" in value:  # Serverless/SAM variable the engine left unresolved
            return [Outcome(Opaque(f"variable {value!r}"), when)]
        if "{{resolve:" in value:  # a dynamic reference: SSM / Secrets Manager, read at deploy time
            return [Outcome(Opaque(f"the dynamic reference {value!r}, resolved at deploy time"), when)]
        return [Outcome(value, when)]
    found = intrinsic(value)
    if found is None:
        raise Invalid(f"a {verdict.type_name(value)} {_describe(value)} where a string is expected", when)
    function, args = found
    if function == "Ref":
        return _ref(args, value, template, when)
    if function == "Fn::If":
        return _if(args, value, template, when, depth)
    if function == "Fn::Sub":
        return _sub(args, value, template, when, depth)
    if function == "Fn::Join":
        return _join(args, value, template, when, depth)
    if function == "Fn::Select":
        return _select(args, value, template, when, depth)
    if function == "Fn::FindInMap":
        return _find_in_map(args, value, template, when, depth)
    if function.startswith("Fn::") and function not in CONDITION_FUNCTIONS:
        # Fn::ImportValue, Fn::GetAtt, Fn::Base64, ...: known at deploy time
        return [Outcome(Opaque(f"{function} {show(args)}"), when)]
    raise Invalid(f"a mapping {_describe(value)} where a string is expected", when)


def _ref(name: Any, value: Any, template: Template | None, when: When) -> list[Outcome]:
    if not isinstance(name, str):
        raise Invalid(f"{show(value)}, a Ref without a name", when)
    if name == "AWS::NoValue":
        return [Outcome(NO_VALUE, when)]
    if name.startswith(SERVERLESS_VARIABLE):  # put in by _resolve_serverless
        return [Outcome(Opaque(name), when)]
    if template is None:  # Checkov has already put in the Defaults it resolves
        return [Outcome(Opaque(f"Ref {name!r}"), when)]
    if name.startswith(PSEUDO_PREFIX):
        return [Outcome(Opaque(f"Ref {name!r} (a pseudo parameter, known at deploy time)"), when)]
    if name not in template.parameters:
        return [Outcome(Opaque(f"Ref {name!r} (a resource, known at deploy time)"), when)]
    default, why = template.default(name)
    if default is None:
        return [Outcome(Opaque(f"Ref {name!r} ({why})"), when)]
    return [Outcome(default, when)]


def _branches(args: Any, value: Any, template: Template | None, when: When,
              depth: int) -> list[tuple[Any, When]]:
    """The Fn::If operands AWS could use, each with the branch it depends on: only the chosen one when
    the condition follows from parameter Defaults (or is already assumed by an enclosing Fn::If)."""
    if not (isinstance(args, list) and len(args) == 3 and isinstance(args[0], str)):
        raise Invalid(f"{show(value)}, which is not Fn::If [condition, value if true, value if false]", when)
    name, expression = args[0], show(value)
    assumed = next((branch.truth for branch in when if branch.condition == name), None)
    if assumed is not None:
        return [(args[1] if assumed else args[2], when)]
    try:
        if template is None:
            raise Unknown(NO_TEMPLATE)
        truth = template.condition(name, depth + 1)
    except Unknown as exc:
        return [(args[1], (*when, Branch(name, True, expression, str(exc)))),
                (args[2], (*when, Branch(name, False, expression, str(exc))))]
    return [(args[1] if truth else args[2], (*when, Branch(name, truth, expression, None)))]


def _if(args: Any, value: Any, template: Template | None, when: When, depth: int) -> list[Outcome]:
    outcomes = []
    for operand, assumed in _branches(args, value, template, when, depth):
        outcomes += fold(operand, template, assumed, depth + 1)
    return outcomes


def _combine(parts: list[list[Outcome]], when: When, value: Any) -> list[tuple[list[Any], When]]:
    """Every consistent choice of one outcome per part (the same condition cannot be true and false)."""
    combined: list[tuple[list[Any], When]] = [([], when)]
    for outcomes in parts:
        grown = []
        for values, assumed in combined:
            for outcome in outcomes:
                truths = {b.condition: b.truth for b in assumed}
                if any(truths.get(b.condition, b.truth) != b.truth for b in outcome.when):
                    continue
                extra = tuple(b for b in outcome.when if b.condition not in truths)
                grown.append(([*values, outcome.value], assumed + extra))
        if len(grown) > MAX_OUTCOMES:
            raise Invalid(f"{show(value)} has too many Fn::If combinations to check", when)
        combined = grown
    return combined


def _strings(parts: list[list[Outcome]], when: When, value: Any, build: Any) -> list[Outcome]:
    """Outcomes of a function over folded parts: a part known at deploy time makes the whole opaque."""
    outcomes = []
    for values, assumed in _combine(parts, when, value):
        if any(v is NOT_SET or v is NO_VALUE for v in values):
            raise Invalid(f"{show(value)}, which uses an absent value (AWS::NoValue or null)", assumed)
        if any(isinstance(v, Opaque) for v in values):
            outcomes.append(Outcome(Opaque(f"{show(value)}"), assumed))
        else:
            outcomes.append(Outcome(build(values), assumed))
    return outcomes


def _list(items: Any, value: Any, template: Template | None, when: When,
          depth: int) -> list[tuple[list[Any] | None, When]]:
    """A list argument: literal lists, or the lists of Fn::If branches; None is a list known at deploy time."""
    if isinstance(items, list):
        return [(items, when)]
    found = intrinsic(items)
    if found and found[0] == "Fn::If":
        if depth > MAX_DEPTH:
            raise Invalid(f"{show(value)} is nested too deeply", when)
        lists = []
        for operand, assumed in _branches(found[1], items, template, when, depth):
            lists += _list(operand, value, template, assumed, depth + 1)
        return lists
    if found and (found[0] == "Ref" or found[0].startswith("Fn::")):
        return [(None, when)]  # Ref to a list parameter, Fn::GetAZs, Fn::Split, ...
    raise Invalid(f"{show(value)}, whose list argument is {show(items)}", when)


def _sub(args: Any, value: Any, template: Template | None, when: When, depth: int) -> list[Outcome]:
    variables: dict[str, Any] = {}
    text = args
    if isinstance(args, list) and len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], dict):
        text = args[0]
        variables = {k: v for k, v in args[1].items() if not (isinstance(k, str) and k.startswith("__"))}
    if not isinstance(text, str):
        raise Invalid(f"{show(value)}, which is not Fn::Sub text or [text, variables]", when)
    pieces: list[Any] = []  # literal strings and folded variables
    position = 0
    for match in SUB_VARIABLE.finditer(text):
        pieces.append(text[position:match.start()])
        position = match.end()
        name = match.group(1)
        if name.startswith("!"):  # ${!Literal} is the text ${Literal}
            pieces.append("${" + name[1:] + "}")
        elif name in variables:
            pieces.append(fold(variables[name], template, (), depth + 1))
        elif "." in name:  # ${Resource.Attribute}
            pieces.append([Outcome(Opaque(f"${{{name}}}"))])
        else:
            pieces.append(_ref(name, {"Ref": name}, template, ()))
    pieces.append(text[position:])
    parts = [piece if isinstance(piece, list) else [Outcome(piece)] for piece in pieces]
    return _strings(parts, when, value, "".join)


def _join(args: Any, value: Any, template: Template | None, when: When, depth: int) -> list[Outcome]:
    if not (isinstance(args, list) and len(args) == 2):
        raise Invalid(f"{show(value)}, which is not Fn::Join [delimiter, list]", when)
    outcomes = []
    for items, assumed in _list(args[1], value, template, when, depth):
        if items is None:
            outcomes.append(Outcome(Opaque(show(value)), assumed))
            continue
        parts = [fold(args[0], template, (), depth + 1), *(fold(item, template, (), depth + 1) for item in items)]
        outcomes += _strings(parts, assumed, value, lambda values: values[0].join(values[1:]))
    return outcomes


def _select(args: Any, value: Any, template: Template | None, when: When, depth: int) -> list[Outcome]:
    if not (isinstance(args, list) and len(args) == 2):
        raise Invalid(f"{show(value)}, which is not Fn::Select [index, list]", when)
    index = args[0]
    if isinstance(index, int) and not isinstance(index, bool):
        indexes = [Outcome(str(index))]
    else:
        indexes = fold(index, template, (), depth + 1)
    outcomes = []
    for (position, ), assumed in _combine([indexes], when, value):
        if isinstance(position, Opaque):
            outcomes.append(Outcome(Opaque(show(value)), assumed))
            continue
        if not (isinstance(position, str) and position.isdecimal()):
            raise Invalid(f"{show(value)}, whose index is not a number", assumed)
        for items, chosen in _list(args[1], value, template, assumed, depth):
            if items is None:
                outcomes.append(Outcome(Opaque(show(value)), chosen))
            elif int(position) >= len(items):
                raise Invalid(f"{show(value)}, whose index is out of range", chosen)
            else:
                _no_value_before(items[:int(position) + 1], value, template, chosen, depth)
                outcomes += fold(items[int(position)], template, chosen, depth + 1)
    return outcomes


def _no_value_before(items: list[Any], value: Any, template: Template | None, when: When, depth: int) -> None:
    """Fails closed when an item up to the selected one may be AWS::NoValue. CloudFormation drops
    AWS::NoValue from a list (the documented use: an Fn::If branch in a list property), which would shift
    the index; Fn::Select's own page says only that the list must not hold null values. Either way the
    written position does not prove the value, so the rule does not guess."""
    for item in items:
        for outcome in fold(item, template, when, depth + 1):
            if outcome.value is NO_VALUE or outcome.value is NOT_SET:
                raise Invalid(f"{show(value)}, whose list holds {show(item)} at or before the index: CloudFormation "
                              "removes AWS::NoValue from lists (or rejects a null), so the index does not prove "
                              "which item is selected", outcome.when)


def _find_in_map(args: Any, value: Any, template: Template | None, when: When, depth: int) -> list[Outcome]:
    """Fn::FindInMap [map, key, key], and under AWS::LanguageExtensions [map, key, key, {DefaultValue: v}]:
    v when a key is not in the map (its documented meaning); a key known only at deploy time then stands
    for every entry of the map, and for v."""
    default = _map_default(args, value, template, when)
    if template is None:
        return [Outcome(Opaque(f"Fn::FindInMap {show(args)}"), when)]
    keys = [fold(arg, template, (), depth + 1) for arg in args[:3]]
    outcomes = []
    for path, assumed in _combine(keys, when, value):
        if not all(isinstance(key, (str, Opaque)) for key in path):
            raise Invalid(f"{show(value)}, whose keys are not strings", assumed)
        if isinstance(path[0], Opaque) or (default is NOT_SET and any(isinstance(key, Opaque) for key in path)):
            outcomes.append(Outcome(Opaque(show(value)), assumed))
            continue
        maps = [v for k, v in template.mappings.items() if str(k) == path[0]]
        if len(maps) != 1:  # DefaultValue is documented for missing keys, not for a missing map
            raise Invalid(f"{show(value)}, which names no map of the template's Mappings", assumed)
        entries, missing = maps, False
        for key in path[1:]:
            found = []
            for entry in entries:
                if not isinstance(entry, dict):
                    raise Invalid(f"{show(value)}, whose map is not keys of keys", assumed)
                matches = [v for k, v in entry.items() if not (isinstance(k, str) and k.startswith("__"))
                           and (isinstance(key, Opaque) or str(k) == key)]
                missing = missing or isinstance(key, Opaque) or not matches
                found += matches
            if len(found) > MAX_OUTCOMES:
                raise Invalid(f"{show(value)} stands for too many entries of the Mappings to check", assumed)
            entries = found
        if default is NOT_SET and len(entries) != 1:
            raise Invalid(f"{show(value)}, which names no entry of the template's Mappings", assumed)
        for entry in entries:
            outcomes += fold(entry, template, assumed, depth + 1)
        if default is not NOT_SET and missing:
            outcomes += fold(default, template, assumed, depth + 1)
    return outcomes


def _map_default(args: Any, value: Any, template: Template | None, when: When) -> Any:
    """The DefaultValue of an Fn::FindInMap (NOT_SET without one); Invalid for any other shape."""
    if isinstance(args, list) and len(args) == 3:
        return NOT_SET
    found = args[3] if isinstance(args, list) and len(args) == 4 and isinstance(args[3], dict) else None
    fields = [k for k in found if not (isinstance(k, str) and k.startswith("__"))] if found is not None else []
    if fields != ["DefaultValue"]:
        raise Invalid(f"{show(value)}, which is not Fn::FindInMap [map, key, key] or [map, key, key, "
                      "{DefaultValue: value}]", when)
    if template is not None and not template.language_extensions:
        raise Invalid(f"{show(value)}: DefaultValue needs the template's Transform AWS::LanguageExtensions "
                      "(CloudFormation rejects it otherwise)", when)
    return found["DefaultValue"]


# ---------------------------------------------------------------- the verdict's inputs

class Assessment(NamedTuple):
    values: list[Any] | None  # the DirectInternetAccess values (None = not set), or None when unresolved
    unresolved: str | None
    subnet_problem: str | None
    branch_failure: str | None  # a complete details line when an Fn::If branch fails the rule


def assess(properties: dict[str, Any], template: Template | None, key: str, subnet_key: str,
           passing: str) -> Assessment:
    values, unresolved, branch_failure = None, None, None
    try:
        outcomes = fold(properties.get(key), template)
    except Invalid as exc:
        unresolved = str(exc)
    else:
        opaque = next((o for o in outcomes if isinstance(o.value, Opaque)), None)
        if opaque is not None:
            unresolved = opaque.value.description + describe_when(opaque.when)
        else:
            values = [None if o.value is NOT_SET or o.value is NO_VALUE else o.value for o in outcomes]
            failing = next((o for o in outcomes if o.when and o.value != passing), None)
            if failing is not None:
                when = describe_when(failing.when)
                if failing.value is NOT_SET or failing.value is NO_VALUE:
                    what = "not set" if failing.value is NOT_SET else "not set (AWS::NoValue)"
                    branch_failure = (f"{key} is {what}{when}: AWS then enables direct internet access "
                                      f"(the default is Enabled)")
                else:
                    branch_failure = (f"{key} is {_describe(failing.value)}{when}; only exactly {passing!r} "
                                      f"(case-sensitive) turns direct internet access off")
    return Assessment(values, unresolved, subnet_problem(properties.get(subnet_key), template, subnet_key),
                      branch_failure)


def subnet_problem(subnet: Any, template: Template | None, subnet_key: str) -> str | None:
    """Why the notebook is not proven to be in a subnet, or None. A reference counts as a subnet."""
    if subnet is None:
        return f"{subnet_key} is not set"
    try:
        outcomes = fold(subnet, template)
    except Invalid as exc:
        return f"{subnet_key} is not a subnet ID or reference ({exc})"
    for outcome in outcomes:
        when, found = describe_when(outcome.when), outcome.value
        if found is NOT_SET:
            return f"{subnet_key} is not set{when}"
        if found is NO_VALUE:
            return f"{subnet_key} is AWS::NoValue{when}"
        if isinstance(found, str) and not found.strip():
            if isinstance(subnet, str):
                return f"{subnet_key} is not set ({found!r})"
            if outcome.when:
                return f"{subnet_key} is {found!r}{when}"
            return f"{subnet_key} is {show(subnet)}, which folds to {found!r} (no subnet)"
    return None


# ---------------------------------------------------------------- the verdict

CFN_KEY, CFN_SUBNET = "DirectInternetAccess", "SubnetId"


def evaluate_cloudformation(conf: dict[str, Any],
                            scanned: tuple[dict[str, Any], Any] | str | None = None) -> tuple[bool, str]:
    """`scanned`: (the notebook's Properties as written, its Template), or why it was not found, from the
    adapter's scanned_resource (the check always passes it). Without it (a direct call) `conf` is folded and
    every Fn::If condition is unknown (both branches must pass)."""
    template = None
    if isinstance(scanned, str):  # the template is not deployed as written
        return False, f"{CFN_KEY} could not be traced: {scanned}; failing closed"
    if scanned is not None:
        properties, template = scanned
    else:
        properties = conf.get("Properties")
        if properties is None:
            properties = {}
    if not isinstance(properties, dict):
        return False, f"Properties is {_describe(properties)}, not a mapping; {CFN_KEY} cannot be read"
    found = assess(properties, template, CFN_KEY, CFN_SUBNET, verdict.PASSING)
    if found.branch_failure is not None:
        return False, found.branch_failure
    values = None if found.values is None else [verdict.ABSENT if v is None else v for v in found.values]
    return verdict.judge(values, found.unresolved, found.subnet_problem, CFN_KEY)
