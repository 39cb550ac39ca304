"""The changelog of a channel: what the compatibility engine finds between consecutive versions.

Each version after the first is judged against its predecessor by the judge ``opa-contracts
diff`` and ``validate --history`` use (:class:`~opa_contracts.diffing.pairs.PairJudge`): the
stronger of the two versions' modes and policies, the registry's ``rules:`` (``verdict-unknown``
included), the encoding, the acceptances. This module only tells the result: a break that the
engine proves carries its witness (a message one side writes and the other rejects); a break that
``accepted-changes.yaml`` accepts (and that has not expired) is shown as accepted, with the reason
and the expiry. ``diff`` stays the gate; this page tells the story.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from opa_contracts.compat import api as engine
from opa_contracts.compat.model import BACKWARD, CheckedChange, Mode, Verdict
from opa_contracts.compat.witness import WitnessBudget
from opa_contracts.diffing.accepted import Acceptance
from opa_contracts.diffing.pairs import Judged, PairJudge
from opa_contracts.diffing.values import Options
from opa_contracts.findings import Severity
from opa_contracts.generate.contracts import Channel, ContractVersion
from opa_contracts.settings import Settings

WITNESS_BUDGET_S = 0.1


def run_budget() -> WitnessBudget:
    """What every witness search of one docs run shares (each worker process its own copy, when
    pages are built in several), as `diff`'s do: past it, breaks are told without a witness."""
    return WitnessBudget(engine.RUN_BUDGETS * WITNESS_BUDGET_S)


MAX_WITNESS_CHARS = 600  # a witness is proof, not payload: a long one is shortened


@dataclass(frozen=True)
class Entry:
    """One change between two versions, judged under the channel's mode."""

    rule: str
    pointer: str
    message: str
    verdict: str  # "breaking", "accepted", "compatible", "allowed" (breaks what the mode ignores)
    detail: str
    witness: str | None
    accepted: str = ""  # for an accepted break: the reason written in accepted-changes.yaml
    expires: str = ""  # ... and the last day the acceptance applies (YYYY-MM-DD), if any


@dataclass(frozen=True)
class Step:
    """One version of a channel and what changed since the previous one."""

    contract: ContractVersion
    previous: str | None
    mode: str
    policy: str
    entries: tuple[Entry, ...]
    breaking: bool
    error: str
    weakened: str = ""  # what this version weakens ("compatibility FULL → BACKWARD"), if anything

    @property
    def summary(self) -> str:
        """One line: the verdict of this version against its predecessor."""
        if self.weakened:
            return (
                f"{self._summary}; weakens {self.weakened}, so this change is judged under "
                f"{self.mode}/{self.policy}"
            )
        return self._summary

    @property
    def _summary(self) -> str:
        if self.previous is None:
            return "first version"
        if self.error:
            return f"cannot compare with {self.previous}: {self.error}"
        if not self.entries:
            return f"no schema change since {self.previous}"
        count = len(self.entries)
        changes = f"{count} change{'s' if count != 1 else ''} since {self.previous}"
        if self.mode == Mode.NONE.value:
            return f"{changes}; not checked (compatibility NONE)"
        accepted = sum(e.verdict == "accepted" for e in self.entries)
        also = f", {accepted} accepted" if accepted else ""
        if self.breaking:
            broken = sum(e.verdict == "breaking" for e in self.entries)
            bump = " (major version bump)" if self._major else " without a major version bump"
            return f"{changes}; {broken} break {self.mode}{bump}{also}"
        if accepted:
            s = "s" if accepted != 1 else ""
            return f"{changes}; {accepted} accepted break{s} of {self.mode}, compatible otherwise"
        return f"{changes}; compatible under {self.mode}"

    @property
    def _major(self) -> bool:
        if self.previous is None:
            return True
        return self.contract.semver.major > int(self.previous.split(".")[0])


def history(
    channel: Channel,
    settings: Settings,
    acceptances: Sequence[Acceptance] = (),
    today: dt.date | None = None,
    budget: WitnessBudget | None = None,
) -> tuple[Step, ...]:
    """Every version of ``channel``, oldest first, each judged against its predecessor (a break
    one of ``acceptances`` accepts on ``today``, default the real today, is accepted; witness
    searches share ``budget``, the run's)."""
    steps = [_first(channel.versions[0], settings)]
    for old, new in zip(channel.versions, channel.versions[1:], strict=False):
        steps.append(step(old, new, settings, acceptances, today or dt.date.today(), budget))
    return tuple(steps)


def _names(contract: ContractVersion, settings: Settings) -> tuple[str, str]:
    mode = contract.manifest.get("compatibility", settings.compatibility)
    policy = contract.manifest.get("open_content_policy", settings.open_content_policy)
    return str(mode).upper(), str(policy).upper()


def _first(contract: ContractVersion, settings: Settings) -> Step:
    mode, policy = _names(contract, settings)
    return Step(contract, None, mode, policy, (), False, "")


def step(
    old: ContractVersion,
    new: ContractVersion,
    settings: Settings,
    acceptances: Sequence[Acceptance] = (),
    today: dt.date | None = None,
    budget: WitnessBudget | None = None,
) -> Step:
    """``new`` judged against ``old`` by ``diff``'s own judge (:class:`PairJudge`): under the
    stronger of the two versions' modes and policies, with the registry's rule severities (a
    rule turned off is not told, one turned down is not a break, ``verdict-unknown`` included),
    the encoding, and the acceptances (a break one matches is accepted until it expires)."""
    options = Options(
        today=today or dt.date.today(),
        witness_budget_s=WITNESS_BUDGET_S,
        default_mode=settings.compatibility,
        default_policy=settings.open_content_policy,
    )
    judge = PairJudge(options, acceptances, settings, budget)
    judged = judge.judge(
        old.manifest,
        new.manifest,
        lambda: (old.schema, new.schema),
        new.channel,
        old.version,
        new.version,
        lambda: (old.key.schema, new.key.schema),  # bundled, as diff inlines them
    )
    mode, policy = judged.mode.value, judged.policy.value
    if judged.error:
        error = judged.error.splitlines()[0]
        return Step(new, old.version, mode, policy, (), True, error, judged.weakened)
    entries = tuple(_entry(j, judged.mode, old.version, new.version) for j in judged.changes)
    breaking = any(e.verdict == "breaking" for e in entries)
    return Step(new, old.version, mode, policy, entries, breaking, "", judged.weakened)


def _entry(judged: Judged, mode: Mode, old: str, new: str) -> Entry:
    """How the changelog tells one judged change."""
    change, hit, acceptance = judged.change, judged.hit, judged.acceptance
    if hit is not None and hit.verdict is Verdict.COMPATIBLE:
        verdict, detail = "compatible", f"proven: {hit.proof}"
    elif not judged.breaks_mode:
        acceptance = None  # nothing to accept
        if change.breaks and not change.breaks & mode.directions:
            verdict = "allowed"
            directions = "/".join(sorted(d.upper() for d in change.breaks))
            detail = f"breaks {directions} only, which {mode.value} does not protect"
        else:
            verdict, detail = "compatible", ""
    else:
        unknown = hit is not None and hit.verdict is Verdict.UNKNOWN
        detail = _broken(change.breaks & mode.directions, old, new)
        if acceptance is not None:
            verdict = "accepted"
        elif judged.rule_severity is Severity.ERROR:
            verdict = "breaking"
            if unknown:
                detail += "; unknown: no witness found and no proof, counted as breaking"
        elif unknown:
            verdict = "allowed"
            detail += (
                "; unknown: no witness found and no proof, which the registry reports as a "
                f"{judged.rule_severity.value}, not a break"
            )
        else:
            verdict = "allowed"
            detail = f"the registry reports {change.rule} as a {judged.rule_severity.value}"
        if judged.expired is not None:
            detail += f"; its acceptance expired on {judged.expired.expires}"
    return Entry(
        change.rule,
        change.pointer or "/",
        change.message,
        verdict,
        detail,
        _witness(hit, old, new),
        acceptance.reason if acceptance else "",
        str(acceptance.expires or "") if acceptance else "",
    )


def _broken(directions: frozenset[str], old: str, new: str) -> str:
    parts = []
    if BACKWARD in directions:
        parts.append(f"BACKWARD: readers on {new} reject messages written under {old}")
    if directions - {BACKWARD}:
        parts.append(f"FORWARD: readers still on {old} reject messages written under {new}")
    return "; ".join(parts)


def _witness(hit: CheckedChange | None, old: str, new: str) -> str | None:
    if hit is None or not hit.witness_found:
        return None
    writer, reader = (old, new) if hit.writer == "old" else (new, old)
    message = json.dumps(hit.witness, ensure_ascii=False, sort_keys=True)
    if len(message) > MAX_WITNESS_CHARS:
        message = message[: MAX_WITNESS_CHARS - 1] + "…"
    return f"{message} (written under {writer}, rejected by {reader})"
