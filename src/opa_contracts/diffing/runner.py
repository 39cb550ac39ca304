"""The three forms of ``diff``: two paths, the working tree against a git ref, and the history
inside one registry. Each returns a :class:`~opa_contracts.findings.Report`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from opa_contracts import loader
from opa_contracts.diffing import accepted as accepted_mod
from opa_contracts.diffing import git, snapshot
from opa_contracts.diffing.inline import InlineError, inline
from opa_contracts.diffing.pairs import Options, PairJudge, Side
from opa_contracts.diffing.semver import Version
from opa_contracts.diffing.snapshot import Snapshot
from opa_contracts.errors import InputError, UsageError
from opa_contracts.findings import Finding, Report, Severity
from opa_contracts.yamlsource import Document


def diff_history(registry: Path, options: Options) -> Report:
    """Every version of every channel against its predecessor(s), as the mode asks."""
    new = _folder(registry)
    run = _Run(None, new, options)
    for channel, versions in new.manifests().items():
        run.history(channel, versions, only=None)
    return run.report()


def diff_against(registry: Path, ref: str, options: Options) -> Report:
    """The registry in the working tree against the same folder at a git ref."""
    new = _folder(registry)
    old = git.snapshot(_root(registry), ref, new.display_base)
    return _Run(old, new, options).compare_snapshots()


def diff_paths(old_path: Path, new_path: Path, options: Options) -> Report:
    """Two manifest files, two channel folders or two registries."""
    for path in (old_path, new_path):
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
    if old_path.is_file() != new_path.is_file():
        raise UsageError("compare a file with a file, or a folder with a folder")
    if old_path.is_file():
        old_snap = _single(old_path, "old")
        new_snap = _single(new_path, "new")
        run = _Run(old_snap, new_snap, options)
        old_side = run.side(old_snap, next(iter(old_snap.files)))
        new_side = run.side(new_snap, next(iter(new_snap.files)))
        if old_side is not None and new_side is not None:
            run.pair(old_side, new_side)
        return run.report()
    return _Run(_folder(old_path), _folder(new_path), options).compare_snapshots()


def _root(path: Path) -> Path:
    root, _ = loader.find_root(path)
    return root


def _folder(path: Path) -> Snapshot:
    root, selected = loader.find_root(path)
    display = loader.display(root)
    snap = snapshot.from_folder(root, str(path), display)
    if selected is not None:  # a channel folder: keep its manifests plus shared files
        keep = {p.relative_to(root).as_posix() for p in selected}
        snap.files = {
            rel: raw
            for rel, raw in snap.files.items()
            if rel in keep or "/" not in rel or rel.startswith("_")
        }
    return snap


def _single(path: Path, label: str) -> Snapshot:
    """A snapshot holding one manifest, keyed as ``<declared channel>/<file name>``."""
    raw = path.read_bytes()
    snap = Snapshot(label, {f"{path.parent.name}/{path.name}": raw}, str(path.parent.parent))
    return snap


class _Run:
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
        self.acceptances = self._acceptances()
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
        ordered = sorted(versions, key=_version_key)
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
                major = _version_key(version)[0]
                targets = [v for v in ordered[:i] if _version_key(v)[0] == major] or [previous]
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
        for version in sorted(old.keys() - new.keys(), key=_version_key):
            self._note(
                "version-removed",
                Severity.ERROR,
                self.old,
                old[version],
                channel,
                f"{channel} {version} was removed; keep released versions in the registry",
            )
        for version in sorted(old.keys() & new.keys(), key=_version_key):
            same_bytes = self.old.files[old[version]] == self.new.files[new[version]]
            if same_bytes and not shared_changed:
                continue
            self._modified(channel, version, old[version], new[version], new)
        added = new.keys() - old.keys()
        newest_old = max(old, key=_version_key) if old else None
        for version in sorted(added, key=_version_key):
            if newest_old is not None and _version_key(version) < _version_key(newest_old):
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

    def _acceptances(self) -> list[accepted_mod.Acceptance]:
        rel = loader.ACCEPTED_CHANGES_FILE
        if rel not in self.new.files:
            return []
        doc = self.new.document(rel)
        if not isinstance(doc, Document):
            self.findings.append(
                Finding(
                    "accepted-changes-invalid",
                    Severity.ERROR,
                    doc.message,
                    file=self.new.display(rel),
                    line=doc.line,
                )
            )
            return []
        found, problems = accepted_mod.parse(doc.data)
        for pointer, message in problems:
            line, column = doc.position(pointer)
            self.findings.append(
                Finding(
                    "accepted-changes-invalid",
                    Severity.ERROR,
                    f"{pointer or '/'}: {message}",
                    file=self.new.display(rel),
                    line=line,
                    column=column,
                    pointer=pointer,
                )
            )
        return found

    def report(self) -> Report:
        rel = loader.ACCEPTED_CHANGES_FILE
        today = self.judge.options.today
        for acc in self.acceptances:
            doc = self.new.document(rel)
            line = doc.position(f"/accepted/{acc.index}")[0] if isinstance(doc, Document) else 0
            where: dict[str, Any] = {
                "file": self.new.display(rel),
                "line": line,
                "channel": acc.channel,
            }
            if acc.expired(today):
                self.findings.append(
                    Finding(
                        "accepted-change-expired",
                        Severity.WARNING,
                        f"acceptance of {acc.rule} at {acc.pointer or '/'} in {acc.channel} "
                        f"expired on {acc.expires}; the change counts as breaking again",
                        **where,
                    )
                )
            elif not acc.used and acc.channel in self.compared:
                self.findings.append(
                    Finding(
                        "accepted-change-unused",
                        Severity.WARNING,
                        f"acceptance of {acc.rule} at {acc.pointer or '/'} in {acc.channel} "
                        "matches no change; remove it",
                        **where,
                    )
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


def _version_key(version: str) -> tuple[int, ...]:
    parsed = Version.parse(version)
    if parsed is None:
        return (-1,)
    return (parsed.major, parsed.minor, parsed.patch, 0 if parsed.pre else 1)


def _resolved(side: Side) -> Any:
    try:
        return inline(side.snapshot, side.rel, side.data.get("schema"))
    except InlineError as exc:
        return str(exc)


def _without_status(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "status"}
