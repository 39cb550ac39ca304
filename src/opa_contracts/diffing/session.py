"""One diff run over two snapshots (or the history of one): pairs, versions, bookkeeping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from opa_contracts.diffing import accepted as accepted_mod
from opa_contracts.diffing.inline import InlineError, inline
from opa_contracts.diffing.pairs import PairJudge
from opa_contracts.diffing.snapshot import Snapshot
from opa_contracts.diffing.values import Options, Side
from opa_contracts.findings import Finding, Report, Severity
from opa_contracts.semver import Version, version_key
from opa_contracts.yamlsource import Document


class DiffSession:
    """One diff run: the snapshots compared, the findings so far, the acceptances in play."""

    def __init__(self, old: Snapshot | None, new: Snapshot, options: Options) -> None:
        self.old, self.new = old, new
        self.findings: list[Finding] = []
        settings = new.data("registry.yaml") if "registry.yaml" in new.files else None
        defaults = settings.get("defaults", {}) if isinstance(settings, dict) else {}
        if isinstance(defaults, dict):
            options.default_mode = str(defaults.get("compatibility", options.default_mode))
            options.default_policy = str(
                defaults.get("open_content_policy", options.default_policy)
            )
        self.acceptances, problems = accepted_mod.load(new)
        self.findings += problems
        self.judge = PairJudge(options, self.acceptances)
        self.compared: set[str] = set()

    # -- building blocks ------------------------------------------------------------------------

    def side(self, snap: Snapshot, rel: str) -> Side | None:
        doc = snap.document(rel)
        if not isinstance(doc, Document) or not isinstance(doc.data, dict):
            message = doc.message if not isinstance(doc, Document) else "not a mapping"
            self.findings.append(
                Finding(
                    "diff-input-unreadable",
                    Severity.ERROR,
                    f"cannot read manifest in {snap.label}: {message}",
                    file=snap.display(rel),
                    line=getattr(doc, "line", 0),
                )
            )
            return None
        channel = doc.data.get("channel")
        version = doc.data.get("version")
        return Side(
            snap,
            rel,
            channel if isinstance(channel, str) else rel.split("/")[0],
            version if isinstance(version, str) else Path(rel).stem,
        )

    def pair(self, old: Side, new: Side, *, discipline: bool = True) -> None:
        self.compared.add(new.channel)
        outcome = self.judge.compare(old, new, discipline=discipline)
        self.findings += outcome.findings

    def history(self, channel: str, versions: dict[str, str], only: set[str] | None) -> None:
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
            mode = self.judge.mode_of(current)
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
        for rel in versions.values():
            self.new.release(rel)

    # -- two snapshots ------------------------------------------------------------------------

    def compare_snapshots(self) -> Report:
        assert self.old is not None
        old_channels, new_channels = self.old.manifests(), self.new.manifests()
        shared_changed = any(
            self.old.files.get(rel) != self.new.files.get(rel)
            for rel in set(self.old.shared()) | set(self.new.shared())
            if rel.startswith("_")
        )
        for channel in sorted(old_channels.keys() - new_channels.keys()):
            rel = next(iter(old_channels[channel].values()))
            self._note(
                "channel-removed",
                Severity.ERROR,
                self.old,
                rel,
                channel,
                f"channel {channel} was removed; its subscribers lose it",
            )
        for channel in sorted(new_channels.keys() - old_channels.keys()):
            rel = next(iter(new_channels[channel].values()))
            self._note(
                "channel-added",
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
        self, channel: str, old: dict[str, str], new: dict[str, str], shared_changed: bool
    ) -> None:
        assert self.old is not None
        for version in sorted(old.keys() - new.keys(), key=version_key):
            self._note(
                "version-removed",
                Severity.ERROR,
                self.old,
                old[version],
                channel,
                f"{channel} {version} was removed; keep released versions in the registry",
            )
        for version in sorted(old.keys() & new.keys(), key=version_key):
            same_bytes = self.old.files[old[version]] == self.new.files[new[version]]
            if same_bytes and not shared_changed:
                continue
            self._modified(channel, version, old[version], new[version], new)
        added = new.keys() - old.keys()
        newest_old = max(old, key=version_key) if old else None
        for version in sorted(added, key=version_key):
            if newest_old is not None and version_key(version) < version_key(newest_old):
                self._note(
                    "version-order",
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
        self, channel: str, version: str, old_rel: str, new_rel: str, versions: dict[str, str]
    ) -> None:
        assert self.old is not None
        old_side, new_side = self.side(self.old, old_rel), self.side(self.new, new_rel)
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
                "released-version-modified",
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
        self, rule: str, severity: Severity, snap: Snapshot, rel: str, channel: str, message: str
    ) -> None:
        doc = snap.document(rel)
        line = doc.position("/channel")[0] if isinstance(doc, Document) else 0
        self.findings.append(
            Finding(rule, severity, message, file=snap.display(rel), line=line, channel=channel)
        )

    def report(self) -> Report:
        self.findings += accepted_mod.leftovers(
            self.acceptances, self.new, self.compared, self.judge.options.today
        )
        breaking = sum(1 for f in self.findings if f.severity is Severity.ERROR)
        return Report.build(
            "diff",
            self.findings,
            files_checked=len(self.new.files),
            summary={
                "old": self.old.label if self.old else None,
                "new": self.new.label,
                "pairs": self.judge.pairs,
                "breaking": breaking,
                "channels": sorted(self.compared),
                "witness_budget_hits": sum(
                    1 for f in self.findings if f.details.get("witness_budget_exhausted")
                ),
            },
        )


def _resolved(side: Side) -> Any:
    try:
        return inline(side.snapshot, side.rel, side.data.get("schema"))
    except InlineError as exc:
        return str(exc)


def _without_status(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "status"}


def _major(version: str) -> int:
    parsed = Version.parse(version)
    return parsed.major if parsed is not None else -1
