"""The packaged JSON Schemas of the tool's own file formats."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

from opa_contracts import hints
from opa_contracts.pointer import from_path, join

SCHEMA_DIR = Path(__file__).parent / "schemas"


@cache
def load(name: str) -> dict[str, Any]:
    """A packaged schema by file name (``manifest-v1.schema.json``)."""
    data: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return data


@cache
def validator(name: str) -> jsonschema_rs.Validator:
    """A compiled validator for a packaged schema."""
    return jsonschema_rs.validator_for(load(name), validate_formats=True)


@dataclass(frozen=True)
class Problem:
    """One way a document misses a schema: where (a JSON pointer), and what to do about it.

    ``key`` is true when the pointer names a key that should not be there: the finding belongs on
    the key's own line, not on its value's (which may start lines later)."""

    pointer: str
    message: str
    key: bool = False


def problems(name: str, data: Any) -> list[Problem]:
    """Every way ``data`` misses the packaged schema ``name``, explained (see :func:`explain`)."""
    schema = load(name)
    return [p for error in validator(name).iter_errors(data) for p in explain(error, schema)]


def explain(error: jsonschema_rs.ValidationError, schema: Any = None) -> list[Problem]:
    """The problems behind one validator error, at the offending key or value, with a fix.

    ``schema`` is the schema that was validated against (for the keys allowed where an unknown
    one was found); ``oneOf``/``anyOf`` errors are explained by the branch that fits the value's
    type (a subscriber mapping is explained by the mapping's rules, not the string's)."""
    path = list(error.instance_path)
    pointer = from_path(path)
    where = pointer or "/"
    kind = error.kind
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.AdditionalProperties):
        allowed = _allowed_keys(schema, list(error.schema_path)[:-1])
        out = []
        for key in kind.unexpected:
            hint = hints.did_you_mean(key, allowed)
            if not hint and allowed:
                hint = "; allowed here: " + ", ".join(sorted(allowed)) + " (and x-... extensions)"
            out.append(Problem(join(pointer, key), f"{where}: unknown key {key!r}{hint}", key=True))
        return out
    if not path and list(error.schema_path) == ["oneOf"] and isinstance(error.instance, dict):
        alternatives = _alternative_keys(schema)
        if alternatives:
            return [_alternatives(alternatives, error.instance)]
    if isinstance(
        kind,
        jsonschema_rs.ValidationErrorKind.OneOfNotValid | jsonschema_rs.ValidationErrorKind.AnyOf,
    ):
        fitting = [b for b in kind.context if not any(_misfit(e, path) for e in b)]
        if len(fitting) == 1 and fitting[0]:
            return [p for e in fitting[0] for p in explain(e, schema)]
    return [Problem(pointer, f"{where}: {describe(error, pointer)}")]


def _alternative_keys(schema: Any) -> list[str]:
    """The keys of a root ``oneOf`` whose branches each require one key (``publisher`` or
    ``publishers``); empty when the root ``oneOf`` is not of that form."""
    branches = schema.get("oneOf") if isinstance(schema, dict) else None
    if not isinstance(branches, list):
        return []
    keys: list[str] = []
    for branch in branches:
        required = branch.get("required") if isinstance(branch, dict) else None
        if set(branch) != {"required"} or not isinstance(required, list) or len(required) != 1:
            return []
        keys.append(str(required[0]))
    return keys


def _alternatives(keys: list[str], instance: dict[str, Any]) -> Problem:
    """Both (or more) of ``keys`` given, or none: one problem saying to write exactly one."""
    listed = " or ".join(repr(k) for k in keys)
    given = [k for k in keys if k in instance]
    if given:
        both = " and ".join(repr(k) for k in given)
        message = f"/: {both} are both given; write exactly one of {listed}"
        return Problem(join("", given[-1]), message, key=True)
    return Problem("", f"/: missing {listed}; write exactly one of them")


_SEMVER_PATTERN = "^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$"


def describe(error: jsonschema_rs.ValidationError, pointer: str = "") -> str:
    """The validator's message, made complete where jsonschema-rs abbreviates it, with a fix."""
    message: str = error.message
    kind = error.kind
    instance = error.instance
    options = getattr(kind, "options", None)
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Enum) and isinstance(options, list):
        # "is not one of "a", "b" or 3 other candidates" hides the answer; list them all
        listed = ", ".join(json.dumps(o, ensure_ascii=False) for o in options)
        what = "is not one of:"
        if list(error.schema_path)[-2:] in (["simpleTypes", "enum"],):
            what = "is not a JSON Schema type; use one of:"
        hint = ""
        if isinstance(instance, str):
            names = [o for o in options if isinstance(o, str)]
            hint = hints.did_you_mean(instance, names, quote='"')
        return f"{json.dumps(instance, ensure_ascii=False)} {what} {listed}{hint}"
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Format) and kind.format == "regex":
        return (
            f"{json.dumps(instance, ensure_ascii=False)} is not a valid regex: "
            f"{hints.regex_problem(str(instance))}"
        )
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Pattern) and (
        getattr(kind, "pattern", "") == _SEMVER_PATTERN and isinstance(instance, str)
    ):
        return f"{json.dumps(instance)} is not a semantic version MAJOR.MINOR.PATCH" + _semver_fix(
            instance
        )
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Constant):
        expected = json.dumps(kind.expected_value, ensure_ascii=False)
        return f"{json.dumps(instance, ensure_ascii=False)} is given; only {expected} is allowed"
    # make the oneOf wording for participants say what is accepted
    if "is not valid under any of the schemas listed in the 'oneOf'" in message and (
        pointer.startswith(("/publisher", "/subscribers"))  # /publisher, /publishers/<i>
    ):
        return (
            message.split(" is not valid")[0]
            + " is neither a service name nor a mapping with 'name'"
        )
    return message


def _semver_fix(text: str) -> str:
    parts = text.strip().lstrip("vV").split(".")
    if 1 <= len(parts) <= 3 and all(p.isdigit() for p in parts):
        fixed = ".".join(str(int(p)) for p in parts + ["0"] * (3 - len(parts)))
        return f'; write "{fixed}"'
    return ' such as "1.0.0"'


def _misfit(error: jsonschema_rs.ValidationError, path: list[str | int]) -> bool:
    """Whether ``error`` says the value at ``path`` is of a kind its branch never takes."""
    if list(error.instance_path) != path:
        return False
    kind = error.kind
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Type):
        return True
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Enum):
        return not any(_same_kind(o, error.instance) for o in kind.options)
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Constant):
        return not _same_kind(kind.expected_value, error.instance)
    return False


def _same_kind(a: Any, b: Any) -> bool:
    def shape(v: Any) -> str:
        if isinstance(v, bool) or v is None:
            return type(v).__name__
        return "number" if isinstance(v, int | float) else type(v).__name__

    return shape(a) == shape(b)


def _allowed_keys(schema: Any, schema_path: list[str | int]) -> list[str]:
    """The ``properties`` of the subschema at ``schema_path`` (none when it cannot be found)."""
    node = schema
    for token in schema_path:
        in_dict = isinstance(node, dict) and isinstance(token, str) and token in node
        if in_dict or (isinstance(node, list) and isinstance(token, int) and token < len(node)):
            node = node[token]
        else:
            return []
    properties = node.get("properties") if isinstance(node, dict) else None
    return sorted(properties) if isinstance(properties, dict) else []
