"""The client package's version, derived from the registry so it moves whenever a contract does.

Over each channel's highest version (drafts included):

- MAJOR = 1 + the sum of (major - 1): a new major version of any channel — a break — bumps it;
- MINOR = the number of channels + the sum of minors: a new channel or a new minor version bumps
  it (when a channel's major goes up its minor resets, but MAJOR has grown, so order holds);
- PATCH = the sum of patches, likewise.

A released manifest is immutable (``opa-contracts diff`` enforces it), so every change to a
released contract is a new version and moves the package version. Drafts may be edited in place;
while any draft is present the version carries a PEP 440 local label with the registry digest
(``1.4.0+draft.1a2b3c4d5e``), so even such an edit yields a new version. Local labels are refused
by public indexes — on purpose: a package built from drafts is not for release. A fixed
``options.version`` in the target file overrides the rule.
"""

from __future__ import annotations

import re

from opa_contracts.generate.contracts import Sources

PEP440 = re.compile(
    r"^([1-9][0-9]*!)?(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*((a|b|rc)(0|[1-9][0-9]*))?"
    r"(\.post(0|[1-9][0-9]*))?(\.dev(0|[1-9][0-9]*))?(\+[a-z0-9]+(\.[a-z0-9]+)*)?$"
)


def package_version(sources: Sources, fixed: object = None) -> str:
    """The version of the generated package (``fixed`` when given and not ``auto``)."""
    if isinstance(fixed, str) and fixed != "auto":
        if not PEP440.match(fixed):
            raise ValueError(f"options.version {fixed!r} is not a PEP 440 version")
        return fixed
    newest = [channel.versions[-1].semver for channel in sources.channels]
    major = 1 + sum(v.major - 1 for v in newest if v.major > 0)
    minor = len(newest) + sum(v.minor for v in newest)
    patch = sum(v.patch for v in newest)
    version = f"{major}.{minor}.{patch}"
    drafts = any(v.status == "draft" for c in sources.channels for v in c.versions)
    return f"{version}+draft.{sources.digest[:10]}" if drafts else version
