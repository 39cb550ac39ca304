"""Comparing two versions of one channel: the engine's changes, judged under the channel's mode,
with acceptances and version discipline applied, turned into findings."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from opa_contracts import reads
from opa_contracts.compat import api as engine
from opa_contracts.compat import rules_scalar as rsc
from opa_contracts.compat.keywords import ANNOTATION_RULES
from opa_contracts.compat.model import (
    BACKWARD,
    Change,
    CheckedChange,
    Mode,
    Policy,
    SchemaCompareError,
    Verdict,
)
from opa_contracts.compat.witness import WitnessBudget
from opa_contracts.diffing.accepted import Acceptance
from opa_contracts.diffing.inline import InlineError, inline
from opa_contracts.diffing.values import Options, Outcome, Side
from opa_contracts.encodings import encoding_of
from opa_contracts.findings import Finding, Severity
from opa_contracts.kafka_key import DIFF_PREFIX, KEY_POINTER, SCHEMA_POINTER, KafkaKey, key_of
from opa_contracts.pointer import resolve
from opa_contracts.rules import catalog as rc
from opa_contracts.semver import bump_between, next_major, next_minor
from opa_contracts.settings import Settings


@dataclass(frozen=True)
class Judged:
    """One change of a version pair, judged."""

    change: Change
    hit: CheckedChange | None  # the engine's check, when the change touches a protected direction
    breaks_mode: bool  # flagged for a direction the mode protects and not proven compatible
    severity: Severity  # as ``diff`` reports it (a note when accepted or not breaking the mode)
    rule_severity: Severity  # of a break under the registry's `rules:`, before a major bump
    acceptance: Acceptance | None  # the acceptance that applies today
    expired: Acceptance | None  # one that matched but has expired
    #: the subscribers the change touches (reads.touched): those whose declared reads it
    #: overlaps, and every one that declares nothing
    readers: tuple[reads.ReaderHit, ...] = ()
    #: a break no declared read touches, let through by `reads: {unread_changes: minor}`
    unread: bool = False


@dataclass
class Judgement:
    """A version pair, judged: under which mode and policy, and each change (a rule the
    registry turned off is left out)."""

    mode: Mode
    policy: Policy
    weakened: str = ""  # what the new version weakens ("compatibility BACKWARD → NONE"), if any
    changes: list[Judged] = field(default_factory=list)
    breaking: bool = False  # an unaccepted break without a major bump (or: cannot compare)
    schema_changed: bool = False
    major_bump: bool = False
    error: str = ""  # why the schemas cannot be compared


class PairJudge:
    """Turns engine results into findings for one diff run (shared acceptances and options)."""

    def __init__(
        self,
        options: Options,
        acceptances: Sequence[Acceptance],
        settings: Settings,
        run_budget: WitnessBudget | None = None,
    ) -> None:
        """``run_budget``: what every witness search of the run shares (default: one made from
        ``options``)."""
        self.options = options
        self.acceptances = acceptances
        self.settings = settings
        self.pairs = 0
        run_s = options.witness_run_budget_s
        self.run_budget = run_budget or WitnessBudget(
            engine.RUN_BUDGETS * options.witness_budget_s if run_s is None else run_s
        )

    def mode_of(self, manifest: Mapping[str, Any]) -> Mode:
        text = self.options.mode or manifest.get("compatibility") or self.options.default_mode
        return Mode.parse(str(text))

    def policy_of(self, manifest: Mapping[str, Any]) -> Policy:
        text = manifest.get("open_content_policy") or self.options.default_policy
        return Policy.parse(str(text))

    def compare(self, old: Side, new: Side, *, discipline: bool = True) -> Outcome:
        """Compare ``old`` (writer history) with ``new``; findings are located in ``new``."""
        outcome = Outcome()

        def schemas() -> tuple[Any, Any]:
            return (
                inline(old.registry, old.path, old.data.get("schema", True)),
                inline(new.registry, new.path, new.data.get("schema", True)),
            )

        def key_schemas() -> tuple[Any, Any]:
            return (
                inline(old.registry, old.path, key_of(old.data).schema),
                inline(new.registry, new.path, key_of(new.data).schema),
            )

        judged = self.judge(
            old.data, new.data, schemas, new.channel, old.version, new.version, key_schemas
        )
        mode = judged.mode
        if judged.weakened:
            outcome.findings.append(
                self._finding(
                    rc.COMPATIBILITY_WEAKENED.id,
                    Severity.WARNING,
                    f"{new.channel} {old.version} → {new.version} weakens "
                    f"{judged.weakened}; this change is still judged under "
                    f"{mode.value}/{judged.policy.value}, later ones will not be",
                    new,
                    "/compatibility" if "compatibility" in new.data else "",
                )
            )
        if judged.error:
            outcome.breaking = True
            outcome.findings.append(
                self._finding(
                    rc.SCHEMA_UNCOMPARABLE.id,
                    Severity.ERROR,
                    f"{new.channel} {old.version} → {new.version}: cannot compare schemas: "
                    f"{judged.error}",
                    new,
                    "/schema",
                )
            )
            return outcome
        outcome.breaking = judged.breaking
        outcome.schema_changed = judged.schema_changed
        for j in judged.changes:
            outcome.findings.append(
                self._change_finding(
                    j.change, j.hit, j.severity, mode, old, new, j.breaks_mode, j.acceptance, j
                )
            )
        if discipline:
            outcome.findings += self._discipline(old, new, outcome, mode)
        return outcome

    def judge(
        self,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        schemas: Callable[[], tuple[Any, Any]],
        channel: str,
        old_version: str,
        new_version: str,
        key_schemas: Callable[[], tuple[Any, Any]] | None = None,
    ) -> Judgement:
        """The one judgement of a version pair, from the two manifests (``old``, ``new``) and
        their payload schemas (``schemas()``, read only here): every verb that tells whether a
        pair breaks (``diff``, ``validate --history``, the docs changelog) presents this.

        When both versions give the Kafka key a schema of its own, the two key schemas
        (``key_schemas()``, default: as the manifests hold them) are judged by the same engine
        under the same mode: consumers read the key like the payload. Their changes' pointers
        start with ``key:``."""
        self.pairs += 1
        mode, policy, weakened = self._strongest(old, new)
        judged = Judgement(mode, policy, weakened)
        old_key, new_key = key_of(old), key_of(new)
        try:
            old_schema, new_schema = schemas()
            result = engine.check(
                old_schema,
                new_schema,
                mode=mode,
                policy=policy,
                witness_budget_s=self.options.witness_budget_s,
                run_budget=self.run_budget,
            )
            key_result = None
            if old_key.kind == new_key.kind == "schema":
                old_ks, new_ks = key_schemas() if key_schemas else (old_key.schema, new_key.schema)
                key_result = engine.check(
                    old_ks,
                    new_ks,
                    mode=mode,
                    policy=policy,
                    witness_budget_s=self.options.witness_budget_s,
                    run_budget=self.run_budget,
                )
        except (SchemaCompareError, InlineError, RecursionError, TypeError, ValueError) as exc:
            judged.error = str(exc) or type(exc).__name__
            judged.breaking = True
            return judged
        checked = {(c.change.rule, c.change.pointer): c for c in result.checked}
        judged.major_bump = bump_between(old_version, new_version) == "major"
        changes = list(result.changes)
        if key_result is not None:
            changes += [_of_key(c) for c in key_result.changes]
            for c in key_result.checked:
                keyed = replace(c, change=_of_key(c.change))
                checked[(keyed.change.rule, keyed.change.pointer)] = keyed
        # broken by definition: no reader of one encoding parses a message of the other, and
        # no reader of one key finds its records by the other
        for manifest_change, proof in (
            (_key_change(old_key, new_key), "readers of either version misread the other's keys"),
            (_encoding_change(old, new), "every {old} message is unreadable as {new}, and back"),
        ):
            if manifest_change is None:
                continue
            changes.insert(0, manifest_change)
            if manifest_change.breaks & mode.directions:
                checked[(manifest_change.rule, manifest_change.pointer)] = CheckedChange(
                    manifest_change,
                    min(manifest_change.breaks & mode.directions),
                    Verdict.BROKEN,
                    proof=proof.format(old=manifest_change.old, new=manifest_change.new),
                )
        readers = _Readers(old, new, old_schema, new_schema)
        for change in changes:
            if change.rule not in ANNOTATION_RULES:
                judged.schema_changed = True
            hit = checked.get((change.rule, change.pointer))
            touched = readers.of(change, hit)
            # flagged for a protected direction and not proven compatible: broken or unknown
            breaks_mode = hit is not None and hit.verdict is not Verdict.COMPATIBLE
            acceptance, expired = self._accepted(change.rule, channel, change.pointer, new_version)
            if self.settings.severity(change.rule, Severity.ERROR) is None:
                continue  # the registry turned the rule off: no verb tells it
            rule_severity = Severity.NOTE
            if breaks_mode:
                default = Severity.ERROR
                if hit is not None and hit.verdict is Verdict.UNKNOWN:
                    # `--unknown warning`, or the registry's `rules: {verdict-unknown: ...}`
                    default = self.settings.severity(rc.VERDICT_UNKNOWN.id, Severity.ERROR) or (
                        Severity.NOTE
                    )
                    if self.options.unknown == "warning" and default is Severity.ERROR:
                        default = Severity.WARNING
                # the registry's `rules:` override applies here as in every verb: a rule turned
                # down to a warning does not make the change breaking
                rule_severity = self.settings.severity(change.rule, default) or Severity.NOTE
            # a break no declared read touches: the registry says whether it needs a major
            unread = (
                breaks_mode
                and self.settings.unread_changes == "minor"
                and readers.declared(hit)
                and not any(r.declared for r in touched)
            )
            if unread and rule_severity is Severity.ERROR:
                rule_severity = Severity.WARNING
            if not breaks_mode or acceptance is not None:
                severity = Severity.NOTE
            elif judged.major_bump:
                severity = Severity.WARNING
            else:
                severity = rule_severity
                judged.breaking = judged.breaking or severity is Severity.ERROR
            judged.changes.append(
                Judged(
                    change,
                    hit,
                    breaks_mode,
                    severity,
                    rule_severity,
                    acceptance,
                    expired,
                    tuple(touched),
                    unread,
                )
            )
        return judged

    def _strongest(
        self, old: Mapping[str, Any], new: Mapping[str, Any]
    ) -> tuple[Mode, Policy, str]:
        """The stronger of the two versions' modes and policies: a new version cannot let its
        own break through by weakening the rules in the same change (that is reported: the
        third value says what was weakened, empty when nothing was)."""
        old_mode, new_mode = self.mode_of(old), self.mode_of(new)
        old_policy, new_policy = self.policy_of(old), self.policy_of(new)
        directions = old_mode.directions | new_mode.directions
        transitive = old_mode.transitive or new_mode.transitive
        mode = Mode.from_directions(directions, transitive) if not self.options.mode else new_mode
        policy = Policy.STRICT if Policy.STRICT in (old_policy, new_policy) else Policy.LENIENT
        weaker = []
        if not self.options.mode and mode is not new_mode:
            weaker.append(f"compatibility {old_mode.value} → {new_mode.value}")
        if policy is not new_policy:
            weaker.append(f"open_content_policy {old_policy.value} → {new_policy.value}")
        return mode, policy, " and ".join(weaker)

    def _accepted(
        self, rule: str, channel: str, pointer: str, version: str
    ) -> tuple[Acceptance | None, Acceptance | None]:
        """The acceptance that applies to a change today, and the one that matched but expired."""
        for acceptance in self.acceptances:
            if acceptance.matches(rule, channel, pointer, version):
                acceptance.used = True
                if acceptance.expired(self.options.today):
                    return None, acceptance
                return acceptance, None
        return None, None

    def _change_finding(
        self,
        change: Change,
        hit: CheckedChange | None,
        severity: Severity,
        mode: Mode,
        old: Side,
        new: Side,
        breaks_mode: bool,
        acceptance: Acceptance | None,
        judged: Judged | None = None,
    ) -> Finding:
        touched = judged.readers if judged is not None else ()
        verdict = _verdict(
            change,
            hit,
            mode,
            old,
            new,
            breaks_mode,
            self._budget_text(hit),
            [r.name for r in touched] if judged is not None else None,
        )
        if breaks_mode and touched:
            verdict += "; readers: " + ", ".join(r.label for r in touched)
        elif breaks_mode and judged is not None and reads.subscribers(new.data):
            verdict += "; no subscriber reads it"
        if acceptance is not None:
            verdict += f" — accepted: {acceptance.reason}"
        elif judged is not None and judged.unread and severity is Severity.WARNING:
            verdict += (
                " — no subscriber that declares its reads reads it; allowed without a major "
                "version by reads.unread_changes: minor"
            )
        elif breaks_mode and severity is Severity.WARNING:
            verdict += " — allowed by the major version bump"
        details: dict[str, Any] = {
            "from_version": old.version,
            "to_version": new.version,
            "mode": mode.value,
            "old": change.old,
            "new": change.new,
            "breaks": sorted(change.breaks),
            # broken (witness), compatible (proven, or breaking no protected direction), unknown
            "verdict": (hit.verdict if hit is not None else Verdict.COMPATIBLE).value,
            "proof": hit.proof if hit is not None else None,
            "confluent": change.confluent,
            "accepted": acceptance.reason if acceptance else None,
            # what an entry of accepted-changes.yaml matches: the pointer is into the payload
            # schema (the finding's own pointer is into the manifest, under /schema)
            "acceptance": {
                "rule": change.rule,
                "channel": new.channel,
                "pointer": change.pointer,
                "version": new.version,
            },
        }
        if judged is not None and (touched or reads.subscribers(new.data)):
            # who the change touches: declared readers whose reads it overlaps, and every
            # subscriber declaring nothing (it reads everything)
            details["readers"] = [r.as_dict() for r in touched]
        if hit is not None and hit.long_strings:
            shown = "; ".join(long.describe() for long in hit.long_strings)
            verdict += f"; witness shown abbreviated: {shown}"
            details["witness_abbreviated"] = [
                {"pointer": long.pointer, "char": long.char, "length": long.length}
                for long in hit.long_strings
            ]
        if hit is not None and hit.witness_found:
            details["witness"] = hit.witness
            details["witness_writer"] = old.version if hit.writer == "old" else new.version
            details["witness_reader"] = new.version if hit.writer == "old" else old.version
        if hit is not None and hit.budget_exhausted:
            details["witness_budget_exhausted"] = True
            details["witness_budget"] = hit.budget
        return self._finding(
            change.rule,
            severity,
            f"{new.channel} {old.version} → {new.version}: {change.message}; {verdict}",
            new,
            manifest_pointer(change),
            details,
        )

    def _budget_text(self, hit: CheckedChange | None) -> str:
        """Why no witness was found, when a budget ran out."""
        if hit is None or not hit.budget_exhausted:
            return ""
        per_change = self.options.witness_budget_s
        if hit.budget == "run":
            return (
                f"the witness searches of this run used up their budget "
                f"({_seconds(self.run_budget.seconds)}, --witness-run-budget), so this change "
                "was not searched"
            )
        if hit.budget == "pair":
            return (
                f"the witness searches of this version pair used up their budget "
                f"({_seconds(engine.PAIR_BUDGETS * per_change)}, {engine.PAIR_BUDGETS} × "
                "--witness-budget)"
            )
        return (
            f"the witness search ran out of its budget ({_seconds(per_change)}, --witness-budget)"
        )

    def _discipline(self, old: Side, new: Side, outcome: Outcome, mode: Mode) -> list[Finding]:
        kind = bump_between(old.version, new.version)
        if outcome.breaking and kind != "major":
            return [
                self._finding(
                    rc.MAJOR_VERSION_REQUIRED.id,
                    Severity.ERROR,
                    f"{new.channel} {old.version} → {new.version} breaks {mode.value}; "
                    f"publish it as {next_major(old.version)} (or accept the change)",
                    new,
                    "/version",
                )
            ]
        if outcome.schema_changed and kind in ("patch", "none"):
            return [
                self._finding(
                    rc.MINOR_VERSION_REQUIRED.id,
                    Severity.ERROR,
                    f"{new.channel} {old.version} → {new.version} changes the schema; "
                    f"a patch may change only annotations: use {next_minor(old.version)}",
                    new,
                    "/version",
                )
            ]
        return []

    def _finding(
        self,
        rule: str,
        severity: Severity,
        message: str,
        side: Side,
        pointer: str,
        details: dict[str, Any] | None = None,
    ) -> Finding:
        line, column = side.position(pointer)
        return Finding(
            rule=rule,
            severity=severity,
            message=message,
            file=side.display,
            line=line,
            column=column,
            pointer=pointer,
            channel=side.channel,
            version=side.version,
            details=details or {},
        )


def manifest_pointer(change: Change) -> str:
    """Where ``change`` is in the new manifest: the payload schema's place under ``/schema``, a
    key schema's (pointers ``key:...``) under ``/transports/kafka/key/schema``; the encoding and
    the key themselves are the manifest's own keys."""
    if change.rule == rsc.ENCODING_CHANGED.id:
        return "/encoding"
    if change.rule == rsc.KAFKA_KEY_CHANGED.id:
        return KEY_POINTER
    if change.pointer.startswith(DIFF_PREFIX):
        return SCHEMA_POINTER + change.pointer[len(DIFF_PREFIX) :]
    return "/schema" + change.pointer


def _of_key(change: Change) -> Change:
    """A change of the key schema, told apart from the payload's."""
    return replace(
        change, pointer=DIFF_PREFIX + change.pointer, message="Kafka key: " + change.message
    )


def _key_change(old: KafkaKey, new: KafkaKey) -> Change | None:
    """The change of what the Kafka key is, if any (a change inside a key schema is not one)."""
    if old.kind == new.kind and old.field == new.field:
        return None
    return Change(
        rule=rsc.KAFKA_KEY_CHANGED.id,
        pointer=DIFF_PREFIX,
        old=old.field if old.kind == "property" else old.kind,
        new=new.field if new.kind == "property" else new.kind,
        breaks=rsc.KAFKA_KEY_CHANGED.breaks,
        message=f"the Kafka key changed from {old.describe()} to {new.describe()}",
        confluent=None,
    )


def _encoding_change(old: Mapping[str, Any], new: Mapping[str, Any]) -> Change | None:
    """The change of payload encoding between two versions, if any: no schema can bridge it."""
    before, after = encoding_of(old), encoding_of(new)
    if before == after:
        return None
    return Change(
        rule=rsc.ENCODING_CHANGED.id,
        pointer="",
        old=before,
        new=after,
        breaks=rsc.ENCODING_CHANGED.breaks,
        message=f"the payload encoding changed from {before} to {after}",
        confluent=None,
    )


def _verdict(
    change: Change,
    hit: CheckedChange | None,
    mode: Mode,
    old: Side,
    new: Side,
    breaks_mode: bool,
    budget: str = "",
    touched: list[str] | None = None,
) -> str:
    if hit is not None and hit.verdict is Verdict.COMPATIBLE:
        return f"compatible, proven ({hit.proof})"
    if not breaks_mode:
        if change.breaks:
            return f"breaks {'/'.join(sorted(change.breaks)).upper()} only, allowed by {mode.value}"
        return "compatible"
    parts = []
    what = "broken" if hit is not None and hit.verdict is Verdict.BROKEN else "may break"
    if BACKWARD in change.breaks & mode.directions:
        parts.append(
            f"{what} BACKWARD: readers on {new.version} reject messages written under "
            f"{old.version} (including any replayed from Kafka retention)"
        )
    if "forward" in change.breaks & mode.directions:
        # the readers the change touches, when they were told apart (reads.touched)
        names = touched if touched is not None else new.subscribers()
        readers = f" ({', '.join(names)})" if names else ""
        parts.append(
            f"{what} FORWARD: readers still on {old.version}{readers} reject messages "
            f"written under {new.version}"
        )
    if hit is not None and hit.verdict is Verdict.UNKNOWN:
        why = budget or "no witness found and no proof"
        parts.append(f"unknown: {why}; counts as breaking unless --unknown warning")
    return "; ".join(parts) or "breaks the mode"


def _seconds(value: float) -> str:
    return f"{value:g} s"


class _Readers:
    """The subscribers of a version pair and the changes' places in the message: readers on the
    new version for a message the old one wrote (backward), and back (forward)."""

    def __init__(
        self, old: Mapping[str, Any], new: Mapping[str, Any], old_schema: Any, new_schema: Any
    ) -> None:
        self.old = reads.subscribers(old)
        self.new = reads.subscribers(new)
        self.old_schema = old_schema
        self.new_schema = new_schema
        self._index: dict[int, dict[str, list[str]]] = {}  # reads.ref_index, by schema

    def side(self, hit: CheckedChange | None) -> tuple[list[reads.Subscriber], Any]:
        """The readers a change reaches, and the schema they read with."""
        if hit is not None and hit.writer == "new":
            return self.old, self.old_schema
        return self.new, self.new_schema

    def declared(self, hit: CheckedChange | None) -> bool:
        """Whether some reader of this side declares its reads."""
        return any(s.declares for s in self.side(hit)[0])

    def of(self, change: Change, hit: CheckedChange | None) -> list[reads.ReaderHit]:
        subscribers, schema = self.side(hit)
        if not subscribers:
            return []
        if change.rule == rsc.ENCODING_CHANGED.id:
            place: tuple[str, ...] | None = ()  # the whole message
        else:
            where = self.new_schema if _has(self.new_schema, change.pointer) else self.old_schema
            index = self._index.get(id(where))
            if index is None:  # built on first use, once per schema of the pair
                index = self._index[id(where)] = reads.RefIndex(where)
            place = reads.instance_path(where, change.pointer, change.old, change.new, index)
        found = hit is not None and hit.witness_found
        return reads.touched(
            subscribers, place, hit.witness if found and hit else None, schema, found
        )


def _has(schema: Any, pointer: str) -> bool:
    try:
        resolve(schema, pointer)
    except LookupError:
        return False
    return True
