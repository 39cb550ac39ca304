"""The code blocks of README.md and docs/*.md, as the snippet tests run them.

A fenced block (``` or ~~~, three or more, with an info string naming its language) is one
:class:`Block`. What happens to it depends on its language:

* ``sh``/``shell``/``bash``: run with ``bash -eu -o pipefail`` in a copy of the project.
* ``python``: run in order with the other Python blocks of the same page, in one namespace (a
  page reads top to bottom). A comment ``# → TEXT`` says what the block prints: the test checks
  that ``TEXT`` is in the block's output.
* ``yaml``/``yml``: told apart by content (:func:`yaml_kind`) and checked the way the tool uses
  that kind of file.
* anything else (``json``, ``text``, ``console``, ``markdown``, no language): data or a transcript,
  not run. A block with no language whose first line looks like a command fails the test: tag it.

A block that is not meant to run is marked by an HTML comment right before it (blank lines
between are allowed): ``<!-- not-run: why -->``. The reason is required.

A placeholder is a shell comment line of the form ``# ... what to do ...``: the docs say there
that the reader does something by hand; the test replaces the line by what it registered for
that text (``PLACEHOLDERS`` in test_snippets.py), and an unknown placeholder fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

RUN_LANGUAGES = {"sh": "shell", "shell": "shell", "bash": "shell", "python": "python"}
RUN_LANGUAGES |= {"yaml": "yaml", "yml": "yaml"}

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")
_NOT_RUN = re.compile(r"^<!--\s*not-run:\s*(?P<reason>.*?)\s*-->\s*$")
_PLACEHOLDER = re.compile(r"^\s*#\s*\.\.\.\s*(?P<text>.+?)\s*\.\.\.\s*$")
_PRINTS = re.compile(r"#\s*→\s*(?P<text>.+?)\s*$")
_COMMAND = re.compile(r"^\s*(\$ |opa-contracts\b|pip3? |python3? |make |git |cd |mkdir )")


class SnippetError(ValueError):
    """A block that is malformed as a snippet (an empty not-run reason, an unclosed fence)."""


@dataclass(frozen=True)
class Block:
    """One fenced code block of a Markdown file."""

    path: str  # relative to the repository root, POSIX
    line: int  # 1-based line of the opening fence
    language: str  # first word of the info string, lower case ("" when none)
    text: str
    not_run: str | None = None  # the reason, when marked <!-- not-run: ... -->

    @property
    def kind(self) -> str | None:
        """``shell``, ``python``, ``yaml``, or None for a block that is never run."""
        return RUN_LANGUAGES.get(self.language)

    @property
    def runs(self) -> bool:
        return self.kind is not None and self.not_run is None

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}"

    def looks_like_a_command(self) -> bool:
        """An untagged block whose first line reads like something to type in a terminal."""
        first = next((ln for ln in self.text.splitlines() if ln.strip()), "")
        return self.language == "" and bool(_COMMAND.match(first))

    def placeholders(self) -> list[str]:
        """The texts of the block's ``# ... text ...`` lines."""
        found = (_PLACEHOLDER.match(line) for line in self.text.splitlines())
        return [m.group("text") for m in found if m]

    def prints(self) -> list[str]:
        """What the block says it prints (``# → TEXT`` comments)."""
        found = (_PRINTS.search(line) for line in self.text.splitlines())
        return [m.group("text") for m in found if m]


def blocks(text: str, path: str) -> list[Block]:
    """Every fenced block of a Markdown text, in order; nested fences stay inside their block."""
    lines = text.splitlines()
    found: list[Block] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        fence = opening.group("fence")
        language = (opening.group("info").split() or [""])[0].lower()
        indent = len(opening.group("indent"))
        body: list[str] = []
        j = i + 1
        while j < len(lines):
            closing = _FENCE.match(lines[j])
            if (
                closing
                and closing.group("fence")[0] == fence[0]
                and len(closing.group("fence")) >= len(fence)
                and not closing.group("info").strip()
            ):
                break
            body.append(lines[j][indent:] if lines[j][:indent].isspace() else lines[j])
            j += 1
        else:
            raise SnippetError(f"{path}:{i + 1}: the fence opened here is never closed")
        found.append(Block(path, i + 1, language, "\n".join(body) + "\n", _marker(lines, i, path)))
        i = j + 1
    return found


def _marker(lines: list[str], fence: int, path: str) -> str | None:
    """The reason of a ``<!-- not-run: reason -->`` comment right before line ``fence``."""
    k = fence - 1
    while k >= 0 and not lines[k].strip():
        k -= 1
    if k < 0:
        return None
    match = _NOT_RUN.match(lines[k].strip())
    if match is None:
        return None
    if not match.group("reason"):
        raise SnippetError(f"{path}:{k + 1}: `<!-- not-run: -->` needs a reason")
    return match.group("reason")


def document_blocks(root: Path, names: list[str]) -> list[Block]:
    """The blocks of the named Markdown files (relative to ``root``)."""
    out: list[Block] = []
    for name in names:
        out += blocks((root / name).read_text(encoding="utf-8"), name)
    return out


def yaml_kind(data: Any, text: str) -> str | None:
    """What a YAML block is, from its content; None when the tests do not know the kind."""
    if data is None:
        return "schema-comment" if "yaml-language-server: $schema=" in text else None
    if isinstance(data, list):
        steps = all(isinstance(s, dict) and ({"run", "uses"} & set(s)) for s in data)
        return "actions-steps" if data and steps else None
    if not isinstance(data, dict):
        return None
    if "accepted" in data:
        return "accepted-changes"
    if "channel" in data and "schema" in data:
        return "manifest"
    if "target" in data:
        return "generator"
    if "repos" in data:
        return "pre-commit"
    if set(data) == {"lint"}:
        return "manifest-fragment"
    if data.get("apiVersion") == "opa-contracts/v1":
        return "registry"
    return None


def replace_placeholders(text: str, known: dict[str, str]) -> str:
    """``text`` with every ``# ... placeholder ...`` line replaced by its registered commands."""
    out = []
    for line in text.splitlines():
        match = _PLACEHOLDER.match(line)
        if match is None:
            out.append(line)
            continue
        if match.group("text") not in known:
            raise SnippetError(f"unknown placeholder {match.group('text')!r}")
        out.append(known[match.group("text")])
    return "\n".join(out) + "\n"


def load_yaml(text: str) -> Any:
    return yaml.safe_load(text)
