"""One diff run over two registries (or the history of one): pairs, versions, bookkeeping.

Both sides are :class:`~opa_contracts.loader.Registry` objects from the one reader (a folder, a
git ref); the settings of the new side (``registry.yaml``) give the defaults and rule severities.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from opa_contracts.diffing import accepted as accepted_mod
from opa_contracts.diffing.inline import InlineError, inline
from opa_contracts.diffing.pairs import PairJudge
from opa_contracts.diffing.values import Options, Side
from opa_contracts.findings import Finding, Report, Severity
from opa_contracts.loader import Registry
from opa_contracts.rules import catalog as rc
from opa_contracts.semver import Version, version_key


class DiffSession:
    """One diff run: the registries compared, the findings so far, the acceptances in play."""

    def __init__(
        self,
        old: Registry | None,
        new: Registry,
        options: Options,
        channels: set[str] | None = None,
    ) -> None:
        self.old, self.new = old, new
        self.only_channels = channels  # channel folders to compare (None: all)
        self.findings: list[Finding] = []
        self.settings = new.settings
        options.default_mode = self.settings.compatibility
        options.default_policy = self.settings.open_content_policy
        self.acceptances, problems = accepted_mod.load(new)
        self.findings += problems
        self.judge = PairJudge(options, self.acceptances, self.settings)
        self.compared: set[str] = set()
        for registry in (r for r in (new, old) if r is not None):
            for shown, problem in registry.irregular():
                self.findings.append(
                    Finding(
                        rc.REGISTRY_IRREGULAR_FILE.id,
                        Severity.ERROR,
                        f"{shown} {problem} (in {registry.label}); it is not read",
                        file=shown,
                    )
                )

    def channels(self, registry: Registry) -> dict[str, dict[str, Path]]:
        found = registry.channels()
        if self.only_channels is None:
            return found
        return {c: v for c, v in found.items() if c in self.only_channels}

    # -- building blocks ------------------------------------------------------------------------

    def side(self, registry: Registry, path: Path) -> Side | None:
        source = registry.file(path)
        if source.document is None or not isinstance(source.data, dict):
            error = source.error
            message = error.message if error is not None else "not a mapping"
            self.findings.append(
                Finding(
                    rc.DIFF_INPUT_UNREADABLE.id,
                    Severity.ERROR,
                    f"cannot read manifest in {registry.label}: {message}",
                    file=source.display,
                    line=error.line if error is not None else 0,
                )
            )
            return None
        channel = source.data.get("channel")
        version = source.data.get("version")
        return Side(
            registry,
            path,
            channel if isinstance(channel, str) else path.parent.name,
            version if isinstance(version, str) else path.stem,
        )

    def pair(self, old: Side, new: Side, *, discipline: bool = True) -> None:
        self.compared.add(new.channel)
        outcome = self.judge.compare(old, new, discipline=discipline)
        self.findings += outcome.findings

    def history(self, channel: str, versions: dict[str, Path], only: set[str] | None) -> None:
        """Check versions (all, or ``only`` these) of one channel against their predecessors."""
        ordered = sorted(versions, key=version_key)
        sides: dict[str, Side | None] = {}

        def get(version: str) -> Side | None:
            if version not in sides:
                sides[version] = self.side(self.new, versions[version])
            return sides[version]

        for i, version in enumerate(ordered):
            if i == 0 or (only is not None and version not in only):
                continue
            current = get(version)
            if current is None:
                continue
            mode = self.judge.mode_of(current.data)
            previous = ordered[i - 1]
            targets = [previous]
            if mode.transitive:
                major = _major(version)
                targets = [v for v in ordered[:i] if _major(v) == major] or [previous]
            for target in reversed(targets):
                earlier = get(target)
                if earlier is not None:
                    # version discipline is judged against the direct predecessor only
                    self.pair(earlier, current, discipline=target == previous)
        for path in versions.values():
            self.new.release(path)

    # -- two registries ------------------------------------------------------------------------

    def compare_registries(self) -> Report:
        assert self.old is not None
        old_channels, new_channels = self.channels(self.old), self.channels(self.new)
        shared_changed = self.old.shared_files() != self.new.shared_files()
        for channel in sorted(old_channels.keys() - new_channels.keys()):
            rel = next(iter(old_channels[channel].values()))
            self._note(
                rc.CHANNEL_REMOVED.id,
                Severity.ERROR,
                self.old,
                rel,
                channel,
                f"channel {channel} was removed; its subscribers lose it",
            )
        for channel in sorted(new_channels.keys() - old_channels.keys()):
            rel = next(iter(new_channels[channel].values()))
            self._note(
                rc.CHANNEL_ADDED.id,
                Severity.NOTE,
                self.new,
                rel,
                channel,
                f"new channel {channel} ({len(new_channels[channel])} version(s))",
            )
            self.history(channel, new_channels[channel], only=None)
        for channel in sorted(old_channels.keys() & new_channels.keys()):
            self._channel(channel, old_channels[channel], new_channels[channel], shared_changed)
        return self.report()

    def _channel(
        self, channel: str, old: dict[str, Path], new: dict[str, Path], shared_changed: bool
    ) -> None:
        assert self.old is not None
        for version in sorted(old.keys() - new.keys(), key=version_key):
            self._note(
                rc.VERSION_REMOVED.id,
                Severity.ERROR,
                self.old,
                old[version],
                channel,
                f"{channel} {version} was removed; keep released versions in the registry",
            )
        for version in sorted(old.keys() & new.keys(), key=version_key):
            same_bytes = self.old.raw(old[version]) == self.new.raw(new[version])
            if same_bytes and not shared_changed:
                continue
            self._modified(channel, version, old[version], new[version], new)
        added = new.keys() - old.keys()
        newest_old = max(old, key=version_key) if old else None
        for version in sorted(added, key=version_key):
            if newest_old is not None and version_key(version) < version_key(newest_old):
                self._note(
                    rc.VERSION_ORDER.id,
                    Severity.ERROR,
                    self.new,
                    new[version],
                    channel,
                    f"{channel} {version} is added below the released {newest_old}; "
                    "new versions go on top",
                )
        if added:
            self.history(channel, new, only=added)

    def _modified(
        self, channel: str, version: str, old_path: Path, new_path: Path, versions: dict[str, Path]
    ) -> None:
        assert self.old is not None
        old_side, new_side = self.side(self.old, old_path), self.side(self.new, new_path)
        if old_side is None or new_side is None:
            return
        # only status or formatting changed, unless a shared schema it refers to did
        same = _without_status(old_side.data) == _without_status(new_side.data)
        if same and _resolved(old_side) == _resolved(new_side):
            return
        if old_side.data.get("status") == "draft":
            # a draft may change until released: judge it against its predecessors, not itself
            self.history(channel, versions, only={version})
            return
        line, column = new_side.position("")
        self.findings.append(
            Finding(
                rc.RELEASED_VERSION_MODIFIED.id,
                Severity.ERROR,
                f"{channel} {version} is released ({old_side.data.get('status', '?')}) and "
                "was edited in place; publish the change as a new version",
                file=new_side.display,
                line=line,
                column=column,
                channel=channel,
                version=version,
            )
        )
        self.pair(old_side, new_side, discipline=False)

    # -- bookkeeping --------------------------------------------------------------------------

    def _note(
        self,
        rule: str,
        severity: Severity,
        registry: Registry,
        path: Path,
        channel: str,
        message: str,
    ) -> None:
        source = registry.file(path)
        line = source.document.position("/channel")[0] if source.document is not None else 0
        self.findings.append(
            Finding(rule, severity, message, file=source.display, line=line, channel=channel)
        )

    def report(self) -> Report:
        self.findings += accepted_mod.leftovers(
            self.acceptances, self.new, self.compared, self.judge.options.today
        )
        sides = [r for r in (self.old, self.new) if r is not None]
        if not any(r.manifest_paths for r in sides):
            self.findings.append(
                Finding(
                    rc.DIFF_NOTHING_TO_COMPARE.id,
                    Severity.WARNING,
                    "nothing to compare: no manifest in " + " nor in ".join(r.label for r in sides),
                )
            )
        findings, suppressed = self.settings.apply(self.findings)
        breaking = sum(1 for f in findings if f.severity is Severity.ERROR)
        return Report.build(
            "diff",
            findings,
            files_checked=len(self.new.manifest_files()),
            suppressed=suppressed,
            summary={
                "old": self.old.label if self.old else None,
                "new": self.new.label,
                "pairs": self.judge.pairs,
                "breaking": breaking,
                "channels": sorted(self.compared),
                "witness_budget_hits": sum(
                    1 for f in findings if f.details.get("witness_budget_exhausted")
                ),
                "verdicts": verdict_counts(findings),
            },
        )


def verdict_counts(findings: list[Finding]) -> dict[str, int]:
    """How many reported schema changes are broken, compatible (of them, how many by a proof)
    and unknown."""
    counts = {"broken": 0, "compatible": 0, "unknown": 0, "proven": 0}
    for finding in findings:
        verdict = finding.details.get("verdict")
        if verdict in counts:
            counts[verdict] += 1
            counts["proven"] += bool(finding.details.get("proof"))
    return counts


def _resolved(side: Side) -> Any:
    try:
        return inline(side.registry, side.path, side.data.get("schema"))
    except InlineError as exc:
        return str(exc)


def _without_status(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "status"}


def _major(version: str) -> int:
    parsed = Version.parse(version)
    return parsed.major if parsed is not None else -1
