"""Comparison of two parties, issue by issue, with simple and explainable rules.

For each issue either party has a position on:

* the **latest** positions of each side (those of its most recent article on the issue);
* each **condition** a side sets, checked against the other side's latest
  stated positions (any issue) by word overlap: a position sharing at least
  half of the condition's content words (party names aside) is *relevant*;
  relevant positions that all support it -> ``met``, all oppose it ->
  ``contradicted``, none -> ``ignored``, anything else (a mix, a conditional or
  mixed stance, or a condition worded as a negation/cessation whose polarity
  word overlap cannot read) -> ``ambiguous``. Every verdict says which words matched;
* **red-line clashes**: a red-line position of one side against an opposite
  stance (support vs oppose; conditional counts as support) of the other
  side on the same issue; the same stance on oppositely worded propositions
  (only one negated) is reported as a *possible* clash, marked ambiguous;
* **common ground**: both sides support (or one supports, one conditionally);
* a one-line **zone of possible agreement** statement with footnote numbers.

Two parties on one side (an actor and its own side, or two members of one side)
are never opposed: :func:`compare` refuses them (E508). A party whose side no
article gives is shown as "(side unknown)". Conditions and propositions are
shown as coming from the cited sentence only when it holds their words
(:mod:`.sources`); otherwise their own sentence is cited.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import AnalysisError
from ..model import Position
from .actors import ActorMatch
from .ledger import Ledger, Notes
from .names import content_tokens
from .sources import describe, ref, render_refs, shown, strip_marks

__all__ = ["ConditionCheck", "Clash", "IssueComparison", "Comparison", "compare", "compare_parties", "check_condition",
           "POLARITY"]

POLARITY = {"support": 1, "conditional": 1, "oppose": -1, "mixed": 0}
_NEGATION = {"not", "no", "never", "without", "stop", "stopp", "end", "halt", "cease", "ceas", "withdraw",
             "withdrawal", "lift", "drop", "ground", "suspend", "abandon", "pull", "out", "remov", "remove"}


@dataclass
class ConditionCheck:
    holder: str                  # who sets the condition
    condition: str
    position: Position           # the conditional position
    verdict: str                 # met | contradicted | ignored | ambiguous
    reason: str
    relevant: list[Position] = field(default_factory=list)   # the other side's positions it was checked against
    shown: str = ""              # the condition as displayed (with a reference to its own sentence if needed)


@dataclass
class Clash:
    issue: str
    red: Position                # the red-line position
    other: Position              # the other side's opposite position
    explanation: str


@dataclass
class IssueComparison:
    issue: str
    a: list[Position]
    b: list[Position]
    conditions: list[ConditionCheck] = field(default_factory=list)
    clashes: list[Clash] = field(default_factory=list)
    common_ground: str | None = None      # "both support" | "support and conditional support" | None
    zopa: str = ""


@dataclass
class Comparison:
    a: str
    b: str
    issues: list[IssueComparison]
    notes: Notes
    a_label: str = ""            # the party as shown ("Anton Brask (side unknown)")
    b_label: str = ""

    def __post_init__(self) -> None:
        self.a_label = self.a_label or self.a
        self.b_label = self.b_label or self.b

    def to_dict(self) -> dict[str, Any]:
        def pos(p: Position) -> dict[str, Any]:
            return {"actor": p.actor, "stance": p.stance, "proposition": p.proposition,
                    "conditions": list(p.conditions), "red_line": p.red_line, "note": self.ref(p),
                    "shown": render_refs(self.describe(p))}
        return {"a": self.a, "b": self.b, "a_label": self.a_label, "b_label": self.b_label, "issues": [
            {"issue": ic.issue, "a": [pos(p) for p in ic.a], "b": [pos(p) for p in ic.b],
             "conditions": [{"holder": c.holder, "condition": c.condition, "shown": render_refs(c.shown),
                             "verdict": c.verdict, "reason": c.reason,
                             "note": self.ref(c.position), "relevant": [self.ref(r) for r in c.relevant]}
                            for c in ic.conditions],
             "clashes": [{"red": pos(c.red), "other": pos(c.other), "explanation": render_refs(c.explanation)}
                         for c in ic.clashes],
             "common_ground": ic.common_ground, "zopa": render_refs(ic.zopa)} for ic in self.issues],
            "notes": self.notes.to_list()}

    def ref(self, p: Position) -> int:
        return self.notes.ref(self._ledger.cite(p))

    def describe(self, p: Position, actor: bool = True) -> str:
        """A position as shown, its phrases sourced (inline references into :attr:`notes`)."""
        return describe(self._ledger, p, self.notes, actor)

    _ledger: Ledger = None  # type: ignore[assignment]


def _latest(ledger: Ledger, ps: list[Position]) -> list[Position]:
    if not ps:
        return []
    ps = sorted(ps, key=ledger.order_key)
    last = ps[-1].article_id
    return [p for p in ps if p.article_id == last]


def _names_tokens(ledger: Ledger, names: list[str]) -> set[str]:
    out: set[str] = set()
    for n in names:
        out |= content_tokens(n)
        rec = ledger.resolution.record(n)
        if rec:
            for a in rec.aliases:
                out |= content_tokens(a)
    return out


def _negations(text: str) -> set[str]:
    """Negation/cessation words of a phrase (for opposite-wording checks)."""
    return (content_tokens(text) & _NEGATION) | {w for w in text.lower().split() if w in ("not", "no", "never")}


def check_condition(cond: str, others: list[Position], ignore: set[str]) -> tuple[str, str, list[Position]]:
    """(verdict, reason, relevant positions) for one condition against the other side's positions."""
    toks = content_tokens(cond) - ignore
    if not toks:
        return "ambiguous", "the condition has no content words besides party names", []
    need = 1 if len(toks) <= 2 else 2
    relevant: list[tuple[Position, set[str]]] = []
    for o in others:
        ot = content_tokens(f"{o.proposition} {o.evidence.text}") - ignore
        shared = toks & ot
        if len(shared) >= need and len(shared) / len(toks) >= 0.5:
            relevant.append((o, shared))
    if not relevant:
        return "ignored", "no stated position of the other side shares its words", []
    words = ", ".join(sorted(set().union(*(s for _, s in relevant))))
    stances = {o.stance for o, _ in relevant}
    shared_all = set().union(*(s for _, s in relevant))
    negated = bool((toks & _NEGATION) - shared_all) or any(w in cond.lower().split() for w in ("not", "no", "never"))
    if negated:
        return "ambiguous", f"relevant positions share {words!r}, but the condition is worded as a " \
                            "negation/cessation that word overlap cannot read", [o for o, _ in relevant]
    if stances == {"support"}:
        return "met", f"the other side supports it (shared words: {words})", [o for o, _ in relevant]
    if stances == {"oppose"}:
        return "contradicted", f"the other side opposes it (shared words: {words})", [o for o, _ in relevant]
    return "ambiguous", f"the other side's relevant stances are {', '.join(sorted(stances))} " \
                        f"(shared words: {words})", [o for o, _ in relevant]


def compare(ledger: Ledger, a: str | ActorMatch, b: str | ActorMatch, issue: str | None = None) -> Comparison:
    """Compare parties ``a`` and ``b`` (names, aliases or sides; E501 when unknown, E506 when ambiguous).

    Two parties on one side are refused (E508): an actor is never opposed to its own side."""
    ma, mb = ledger.lookup(a), ledger.lookup(b)
    na, nb = ledger.members_of(ma), ledger.members_of(mb)
    for x in ma.records:
        for y in mb.records:
            side = ledger.resolution.same_side(x.name, y.name)
            if side is not None:
                raise AnalysisError("E508", a=x.name, b=y.name, detail=_same_side_detail(ledger, x.name, y.name,
                                                                                          side))
    if set(na) & set(nb):
        both = sorted(set(na) & set(nb))
        raise AnalysisError("E508", a=ma.label, b=mb.label, detail=f"both include {', '.join(both[:3])}")
    return compare_parties(ledger, ma.label, na, mb.label, nb, issue)


def _same_side_detail(ledger: Ledger, a: str, b: str, side: str) -> str:
    if a == b:
        return f"both name {a}"
    bits = [f"side {side}"]
    for n in (a, b):
        rec = ledger.resolution.record(n)
        if rec and rec.side == side and rec.name != side and rec.side_evidence:
            bits.append(f"{n}: {rec.side_evidence[0].describe()}")
    return "; ".join(bits)


def compare_parties(ledger: Ledger, a: str, na: list[str], b: str, nb: list[str], issue: str | None = None,
                    notes: Notes | None = None) -> Comparison:
    """Compare two parties given as (name, canonical member names); footnotes go to ``notes``."""
    nb = [n for n in nb if n not in na] or nb
    pa = ledger.of(na)
    pb = ledger.of(nb)
    issues = sorted({p.issue for p in pa + pb if issue is None or p.issue == issue})
    notes = notes if notes is not None else Notes()
    comp = Comparison(a, b, [], notes, ledger.party_label(a), ledger.party_label(b))
    comp._ledger = ledger
    ignore = _names_tokens(ledger, na + nb)
    by_issue_a: dict[str, list[Position]] = {}
    by_issue_b: dict[str, list[Position]] = {}
    for ps, by in ((pa, by_issue_a), (pb, by_issue_b)):
        for p in ps:
            by.setdefault(p.issue, []).append(p)
    latest_a = {i: _latest(ledger, ps) for i, ps in by_issue_a.items()}
    latest_b = {i: _latest(ledger, ps) for i, ps in by_issue_b.items()}
    latest_a_all = [q for i in sorted(latest_a) for q in latest_a[i]]       # issue by issue, in name order
    latest_b_all = [q for i in sorted(latest_b) for q in latest_b[i]]
    for iss in issues:
        la = latest_a.get(iss, [])
        lb = latest_b.get(iss, [])
        ic = IssueComparison(iss, la, lb)
        for mine, theirs in ((la, latest_b_all), (lb, latest_a_all)):
            for p in mine:
                for c in p.conditions:
                    v, why, rel = check_condition(c, theirs, ignore)
                    ic.conditions.append(ConditionCheck(p.actor, c, p, v, why, rel, shown(ledger, p, c, notes)))
        for mine, theirs in ((la, lb), (lb, la)):
            for r in mine:
                if not r.red_line:
                    continue
                for o in theirs:
                    mutual = next((c for c in ic.clashes if c.red is o and c.other is r), None)
                    if mutual is not None:
                        # both sides draw a red line here: one clash, said once
                        mutual.explanation = mutual.explanation.replace(
                            f"against {r.actor}'s {r.stance}", f"against {r.actor}'s red line ({r.stance})", 1)
                        continue
                    if ledger.resolution.same_side(r.actor, o.actor):
                        continue          # never oppose an actor to its own side
                    if POLARITY[r.stance] * POLARITY[o.stance] < 0:
                        shared = (content_tokens(r.proposition) & content_tokens(o.proposition)) - ignore
                        how = f"propositions share {', '.join(sorted(shared))!r}" if shared else \
                            "propositions worded differently: check the sentences"
                        ic.clashes.append(Clash(iss, r, o, f"{r.actor}'s red line ({r.stance}) against "
                                                           f"{o.actor}'s {o.stance} on {iss}; {how}"))
                    elif r.stance == o.stance and r.stance in ("support", "oppose"):
                        # same stance, opposite things? ("return of the coast" vs "no return of the coast")
                        tr, to = content_tokens(r.proposition) - ignore, content_tokens(o.proposition) - ignore
                        nr, no = _negations(r.proposition), _negations(o.proposition)
                        if tr & to and nr != no:
                            ic.clashes.append(Clash(iss, r, o, (
                                f"possible clash (ambiguous): {r.actor}'s red line ({r.stance}: "
                                f"{shown(ledger, r, r.proposition, notes)}) and "
                                f"{o.actor}'s {o.stance} of '{shown(ledger, o, o.proposition, notes)}' share "
                                f"{', '.join(sorted(tr & to))!r} but only one is worded as a negation "
                                f"({', '.join(sorted(nr ^ no))})")))
        sa = {p.stance for p in la}
        sb = {p.stance for p in lb}
        if "support" in sa and "support" in sb:
            ic.common_ground = "both support"
        elif sa and sb and sa <= {"support", "conditional"} and sb <= {"support", "conditional"} \
                and not ic.clashes:
            ic.common_ground = "support and conditional support" if ("support" in sa | sb) else \
                "both support on conditions"
        definite = [c for c in ic.clashes if not c.explanation.startswith("possible clash")]
        if ic.common_ground and definite:
            ic.common_ground = None
        elif ic.common_ground and ic.clashes:
            ic.common_ground += " (but see the possible red-line clash)"
        if ic.common_ground:
            pa_t = set().union(*(content_tokens(p.proposition) for p in la)) - ignore
            pb_t = set().union(*(content_tokens(p.proposition) for p in lb)) - ignore
            if pa_t and pb_t and not pa_t & pb_t:
                ic.common_ground += " (propositions worded differently: check the sentences)"
        ic.zopa = _zopa(ledger, comp, ic, a, b)
        comp.issues.append(ic)
    return comp


def _cites(comp: Comparison, ps: list[Position]) -> str:
    return "".join(ref(comp.ref(p)) for p in ps)


def _zopa(ledger: Ledger, comp: Comparison, ic: IssueComparison, a: str, b: str) -> str:
    iss = ic.issue
    a, b = comp.a_label, comp.b_label
    definite = [c for c in ic.clashes if not c.explanation.startswith("possible clash")]
    if ic.clashes and not definite:
        c = ic.clashes[0]
        return (f"Unclear whether there is a zone of agreement on {iss}: {c.explanation} "
                f"{_cites(comp, [c.red, c.other])}.")
    if definite:
        c = definite[0]
        rp = f": {shown(ledger, c.red, c.red.proposition, comp.notes)}" if c.red.proposition else ""
        op = f": {shown(ledger, c.other, c.other.proposition, comp.notes)}" if c.other.proposition else ""
        return (f"No zone of agreement on {iss}: {c.red.actor}'s red line ({c.red.stance}{rp}) "
                f"{_cites(comp, [c.red])} clashes with {c.other.actor}'s {c.other.stance}{op} "
                f"{_cites(comp, [c.other])}.")
    if not ic.a or not ic.b:
        who, ps = (a, ic.a) if ic.a else (b, ic.b)
        return f"Unknown on {iss}: only {who} has a stated position ({'/'.join(sorted({p.stance for p in ps}))}) " \
               f"{_cites(comp, ps)}."
    sa, sb = {p.stance for p in ic.a}, {p.stance for p in ic.b}
    if "mixed" in sa | sb:
        mixed = [x for x, s in ((a, sa), (b, sb)) if "mixed" in s]
        verb = "sends" if len(mixed) == 1 else "send"
        return f"Unclear on {iss}: {' and '.join(mixed)} {verb} mixed signals {_cites(comp, ic.a + ic.b)}."
    if ic.common_ground and ic.common_ground.startswith("both support") and \
            ic.common_ground != "both support on conditions":
        return f"Zone of agreement on {iss}: both support it ({a} {_cites(comp, ic.a)}; {b} {_cites(comp, ic.b)})."
    if ic.common_ground:
        conds = [f"{c.shown or strip_marks(c.condition)} ({c.holder}; {c.verdict})" for c in ic.conditions
                 if c.position in ic.a or c.position in ic.b]
        return (f"Agreement on {iss} possible if these conditions hold: {'; '.join(conds) or '(none stated)'} "
                f"({a} {_cites(comp, ic.a)}; {b} {_cites(comp, ic.b)}).")
    if sa == {"oppose"} and sb == {"oppose"}:
        return f"Both oppose on {iss} ({a} {_cites(comp, ic.a)}; {b} {_cites(comp, ic.b)}): shared opposition."
    return (f"No agreement yet on {iss}: {a} {'/'.join(sorted(sa))} {_cites(comp, ic.a)}, "
            f"{b} {'/'.join(sorted(sb))} {_cites(comp, ic.b)}; no red line stated, so the gap may be negotiable.")
