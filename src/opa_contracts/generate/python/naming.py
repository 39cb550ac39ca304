"""Python names for channels and versions: modules, classes, packages — checked, never guessed.

Channel names are free text in a manifest (the naming rule is only a lint), so every name is
derived deterministically from the channel alone and two channels that would share a module are an
error rather than a silent rename (a rename would move one channel's import path when another
channel is added).
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from dataclasses import dataclass

from opa_contracts.generate.contracts import Channel, GenerateError
from opa_contracts.semver import Version

DISTRIBUTION = re.compile(r"^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$")
# modules of the package itself, and a later issue's runtime: no channel may take these names
RESERVED_MODULES = frozenset(
    {"channels", "errors", "schemas", "runtime", "tracing", "_base", "_codec", "_shared"}
)
# names a version module already binds; a channel class named so would shadow them
RESERVED_CLASSES = frozenset(
    {
        "Annotated",
        "Any",
        "AwareDatetime",
        "BaseModel",
        "CHANNEL",
        "ContractModel",
        "Field",
        "Final",
        "Literal",
        "MISSING",
        "MODEL",
        "RootModel",
        "VERSION",
        "date",
    }
)


@dataclass(frozen=True)
class ChannelNames:
    """Where a channel lives in the generated package."""

    module: str  # quotes_realtime
    model: str  # QuotesRealtime


def _ascii_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return [w for w in re.split(r"[^A-Za-z0-9]+", folded) if w]


def module_name(channel: str) -> str:
    """``quotes.realtime`` -> ``quotes_realtime`` (ASCII, lower case, never a keyword)."""
    name = "_".join(w.lower() for w in _ascii_words(channel)) or "channel"
    if name[0].isdigit():
        name = f"c_{name}"
    return f"{name}_" if keyword.iskeyword(name) else name


def class_name(channel: str) -> str:
    """``quotes.realtime`` -> ``QuotesRealtime``."""
    name = "".join(w[:1].upper() + w[1:] for w in _ascii_words(channel)) or "Message"
    if name[0].isdigit():
        name = f"M{name}"
    return f"{name}Message" if name in RESERVED_CLASSES else name


def version_module(version: str) -> str:
    """``1.2.0`` -> ``v1_2_0``; ``2.0.0-rc.1`` -> ``v2_0_0_rc_1``."""
    return "v" + re.sub(r"[^A-Za-z0-9]+", "_", version).strip("_").lower()


def major_module(semver: Version) -> str:
    """The module that follows the latest release of a major version: ``v1``."""
    return f"v{semver.major}"


def assign(channels: tuple[Channel, ...]) -> dict[str, ChannelNames]:
    """Names for every channel; raise when two channels (or a channel and the package) collide."""
    names = {c.name: ChannelNames(module_name(c.name), class_name(c.name)) for c in channels}
    owners: dict[str, list[str]] = {}
    for channel, chosen in names.items():
        owners.setdefault(chosen.module, []).append(channel)
    problems = [
        f"channels {', '.join(sorted(found))} would all be module {module!r}; rename one"
        for module, found in sorted(owners.items())
        if len(found) > 1
    ]
    problems += [
        f"channel {found[0]!r} would be module {module!r}, which the package reserves"
        for module, found in sorted(owners.items())
        if module in RESERVED_MODULES
    ]
    if problems:
        raise GenerateError(problems)
    return names


def check_package(distribution: str, module: str) -> list[str]:
    """Problems with the configured distribution and import names."""
    problems = []
    if not DISTRIBUTION.match(distribution):
        problems.append(f"package {distribution!r} is not a valid distribution name")
    if not (module.isascii() and module.isidentifier()) or keyword.iskeyword(module):
        problems.append(f"module {module!r} is not a valid Python module name")
    return problems
