"""The two Jinja environments of the docs: HTML with autoescape on, Markdown with escaping filters.

Both look templates up where every generator does (a target's ``options.templates`` folder first,
then the shipped ``templates/``), so a registry can replace any page or asset of ``docs/``.

- HTML: every ``{{ value }}`` is HTML-escaped unless it is :class:`markupsafe.Markup`, which only
  this package makes (the SVG diagrams, built with escaped labels).
- Markdown: the shared environment refuses unfiltered strings; ``|md`` escapes inline text
  (``|``, ``<``, ``>``, backticks, ``&`` and the other Markdown punctuation), ``|mdcode`` makes a
  code span no text can close, ``|fence`` a code fence no text can close.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2

from opa_contracts.generate import templates
from opa_contracts.generate.templates import Safe

TEMPLATE_DIR = "docs"
_TICKS = re.compile(r"`+")
_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def md(value: Any) -> Safe:
    """Inline Markdown text: one line, table-safe, no raw HTML, no entities."""
    return Safe(templates.md(value).replace("&", "\\&"))


def mdcode(value: Any, table: bool = True) -> Safe:
    """A code span holding ``value`` literally (one line; ``|`` escaped for a table cell)."""
    text = " ".join(str(value).split())
    if not text:
        return Safe("")
    longest = max((len(run) for run in _TICKS.findall(text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    if table:
        text = text.replace("|", "\\|")
    return Safe(f"{ticks}{pad}{text}{pad}{ticks}")


def fence(value: Any) -> Safe:
    """A run of backticks longer than any in ``value``: a code fence it cannot close."""
    longest = max((len(run) for run in _TICKS.findall(str(value))), default=0)
    return Safe("`" * max(3, longest + 1))


def verbatim(value: Any) -> Safe:
    """Text for inside a fenced code block (already fenced by :func:`fence`)."""
    return Safe(str(value))


def slug(value: Any) -> Safe:
    """A file name made by ``views.slugs`` (checked: safe in a link without escaping)."""
    text = str(value)
    if not _SLUG.fullmatch(text):
        raise ValueError(f"{text!r} is not a generated file name")
    return Safe(text)


def markdown(override: Path | None) -> jinja2.Environment:
    """The Markdown environment (the shared one, with the docs filters)."""
    env = templates.environment(override)
    env.filters.update(md=md, mdcode=mdcode, fence=fence, verbatim=verbatim, slug=slug)
    return env


def html(override: Path | None) -> jinja2.Environment:
    """The HTML environment: autoescape on, undefined names are errors."""
    loader = templates.environment(override).loader
    return jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def asset(env: jinja2.Environment, name: str) -> bytes:
    """A static file of the templates folder (``docs/style.css``...), overrides first."""
    if env.loader is None:
        raise jinja2.TemplateNotFound(name)
    source, _, _ = env.loader.get_source(env, f"{TEMPLATE_DIR}/{name}")
    return source.encode()
