"""The one Jinja2 environment for generated files, and the filters that make values safe in them.

Contract text (descriptions, enum values, names) is hostile input for a code generator: pasted
into Python source it could close a string and run code at import. So every ``{{ value }}`` must
go through a filter that returns :class:`Safe` text (``|py`` writes a ``repr()``-style literal,
``|ident`` checks an identifier, ``|md`` escapes Markdown...); an unfiltered string is an error at
render time, not a hole in the output.

Templates are looked up in an override folder (a target's ``options.templates``), then the copy
shipped in the wheel (``opa_contracts/templates``), then the repository's ``templates/``.
"""

from __future__ import annotations

import json
import keyword
import math
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2

import opa_contracts

PACKAGED = Path(opa_contracts.__file__).parent / "templates"
REPOSITORY = Path(__file__).resolve().parents[3] / "templates"


class Safe(str):
    """Text that a filter made safe for the file it goes into."""

    __slots__ = ()


def py(value: Any) -> Safe:
    """A Python literal for JSON-like data (strings through ``repr``, so nothing can escape)."""
    return Safe(_literal(value))


def _literal(value: Any) -> str:
    if value is None or isinstance(value, bool | int | str):
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} has no JSON representation")
        return repr(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_literal(k)}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Sequence):
        items = [_literal(v) for v in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    raise TypeError(f"no Python literal for {type(value).__name__}")


def ident(value: Any) -> Safe:
    """A Python identifier (or a dotted path of them) that reads back as itself, checked."""
    text = str(value)
    parts = text.split(".")
    if not all(_identifier(p) for p in parts):
        raise ValueError(f"{text!r} is not a safe Python name")
    return Safe(text)


def _identifier(part: str) -> bool:
    # Python folds identifiers to NFKC when it reads them: "ﬁeld" would silently become "field"
    stable = unicodedata.normalize("NFKC", part) == part
    return part.isidentifier() and stable and not keyword.iskeyword(part)


def md(value: Any) -> Safe:
    """Inline Markdown text: one line, table-safe, no raw HTML."""
    text = " ".join(str(value).split())
    for char in ("\\", "|", "*", "_", "`", "[", "]", "<", ">", "#"):
        text = text.replace(char, "\\" + char)
    return Safe(text)


def code(value: Any) -> Safe:
    """Text for inside a Markdown code span (backticks removed, one line)."""
    return Safe(" ".join(str(value).replace("`", "'").split()))


def toml(value: Any) -> Safe:
    """A TOML basic string (JSON string escapes are valid TOML)."""
    return Safe(json.dumps(str(value), ensure_ascii=False))


def json_text(value: Any, indent: int | None = None) -> Safe:
    """Compact or indented JSON, for code blocks in Markdown and for literals in code."""
    separators = (",", ":") if indent is None else (",", ": ")
    return Safe(
        json.dumps(value, ensure_ascii=False, allow_nan=False, indent=indent, separators=separators)
    )


def _finalize(value: Any) -> Any:
    if isinstance(value, Safe):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise jinja2.TemplateError(
        f"unfiltered value {str(value)[:60]!r} in a template; use |py, |ident, |md, |toml or |json"
    )


def environment(override: Path | None = None) -> jinja2.Environment:
    """The Jinja environment, with ``override`` (if any) searched before the shipped templates."""
    folders = [p for p in (override, PACKAGED, REPOSITORY) if p is not None and p.is_dir()]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in folders]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # not HTML: values are escaped per file type, by the filters
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters.update(py=py, ident=ident, md=md, code=code, toml=toml, json=json_text)
    return env
