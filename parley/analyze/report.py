"""Briefings: current positions, new conditions and red lines, shifts, clashes and common ground.

:func:`build_report` returns a :class:`Report` (plain data, every claim
carrying footnote numbers); :func:`render_markdown` and :func:`render_html`
turn it into text. The HTML is one self-contained file: a Jinja2 template with
autoescape on (article text is never trusted) and timeline charts embedded as
base64 PNG. Chart points carry the report's footnote numbers (one numbering);
every source names its outlet, date and URL when known.

Parties are sides with their members; an actor no article places on a side is
its own party, shown "(side unknown)". Two parties on one side are never
compared. "New" items (conditions, red lines, shifts since/until a date) are
dated ones only, unless undated ones are asked for.
"""
from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from ..errors import AnalysisError, Arg, UsageError
from ..model import Evidence, Shift
from .actors import ActorMatch
from .compare import Comparison, compare_parties
from .ledger import Citation, Ledger, Notes, check_range, in_range
from .shifts import detect_shifts
from .sources import describe, refs, render_refs

if TYPE_CHECKING:
    from ..model import Position
    from .timeline import Timeline

__all__ = ["Report", "build_report", "render_markdown", "render_html", "write_report", "audit_report"]

MAX_PARTIES = 8


@dataclass
class Claim:
    text: str                    # may hold inline references (sources.ref) to footnotes of its phrases
    notes: list[int]


@dataclass
class PartySection:
    name: str
    members: list[str]
    current: list[Claim] = field(default_factory=list)          # latest stance per (actor, issue)
    new_terms: list[Claim] = field(default_factory=list)        # conditions and red lines (in the date range)
    chart_png: bytes | None = None
    label: str = ""                                             # as shown: "X (side unknown)"
    undated: int = 0                                            # undated positions left out of "new" and charts
    chart: Timeline | None = None                             # what the chart draws ...
    chart_numbers: list[int] = field(default_factory=list)      # ... and its points' footnote numbers
    current_more: int = 0                                       # left out by ``max_items`` (older ones)
    new_terms_more: int = 0
    chart_more: int = 0                                         # older points left off the chart


@dataclass
class Report:
    title: str
    actor: str | None
    issue: str | None
    since: date | None
    parties: list[PartySection]
    shifts: list[Claim]
    clashes: list[Claim]
    common_ground: list[Claim]
    zopa: list[Claim]
    notes: Notes
    shift_objects: list[Shift] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)
    until: date | None = None
    include_undated: bool = False
    not_compared: list[str] = field(default_factory=list)     # parties of unknown side, left out of pairs
    shifts_more: int = 0                                       # older shifts left out by ``max_items``
    max_items: int = 0

    def more_note(self, n: int) -> str:
        """What is said under a list that ``max_items`` cut ("" when nothing was left out)."""
        if not n:
            return ""
        return (f"{n} older items not shown (at most {self.max_items} per list, the most recent): narrow the "
                f"briefing with --since, --actor or --issue, or list everything with --max-items 0.")

    @property
    def compare_note(self) -> str:
        """Said under the clashes when parties of unknown side were not compared."""
        return self.compare_note_with(str)

    def compare_note_with(self, esc: Callable[[str], str]) -> str:
        """:attr:`compare_note` with the (article-derived) party names passed through ``esc``."""
        if not self.not_compared:
            return ""
        names = esc(", ".join(self.not_compared))
        return (f"Not compared with the other parties, no article giving their side: {names}. "
                f"Give one with `parley actors side NAME SIDE`, or brief on one with --actor.")

    @property
    def footnotes(self) -> list[Citation]:
        return self.notes.items

    @property
    def undated_note(self) -> str:
        """Said under "new" when a date range left undated positions out."""
        undated = sum(s.undated for s in self.parties)
        if (self.since or self.until) and undated and not self.include_undated:
            return (f"{undated} positions from undated articles are left out: they cannot be placed in time "
                    f"(--include-undated lists them).")
        return ""

    @property
    def window(self) -> str:
        """" since 2026-06-01", " until ...", " from ... to ..." or ""."""
        if self.since and self.until:
            return f" from {self.since.isoformat()} to {self.until.isoformat()}"
        if self.since:
            return f" since {self.since.isoformat()}"
        if self.until:
            return f" until {self.until.isoformat()}"
        return ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for the API): claims carry footnote numbers into ``notes``."""
        def claims(cs: list[Claim]) -> list[dict[str, Any]]:
            return [{"text": render_refs(c.text), "notes": c.notes} for c in cs]
        return {"title": self.title, "actor": self.actor, "issue": self.issue,
                "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None, "include_undated": self.include_undated,
                "parties": [{"name": s.name, "label": s.label or s.name, "members": s.members,
                             "current": claims(s.current), "new_terms": claims(s.new_terms),
                             "undated_left_out": s.undated} for s in self.parties],
                "shifts": claims(self.shifts), "clashes": claims(self.clashes),
                "common_ground": claims(self.common_ground), "zopa": claims(self.zopa),
                "not_compared": self.not_compared, "notes": self.notes.to_list()}


def _parties(ledger: Ledger, actor: str | ActorMatch | None) -> list[tuple[str, list[str]]]:
    """Parties = sides with their members, plus actors whose side no article gives (each its own party)."""
    present = {p.actor for p in ledger.positions}
    groups: dict[str, list[str]] = {}
    weight: dict[str, int] = {}
    for r in ledger.records:
        if r.name not in present:
            continue
        side = r.side if r.side and r.side != r.name else r.name
        groups.setdefault(side, [])
        if r.name not in groups[side]:
            groups[side].append(r.name)
        weight[side] = weight.get(side, 0) + r.mentions
    out = sorted(groups.items(), key=lambda kv: (-weight[kv[0]], kv[0]))
    if actor:
        m = ledger.lookup(actor)
        rec = m.record
        side = rec.side if rec.side and rec.side in groups else rec.name
        first = [(side, groups.get(side, ledger.members_of(m)))]
        out = first + [kv for kv in out if kv[0] != side]
    return out[:MAX_PARTIES]


def build_report(ledger: Ledger, actor: str | ActorMatch | None = None, issue: str | None = None,
                 since: date | None = None, charts: bool = False, until: date | None = None,
                 include_undated: bool = False,
                 shifts: list[Shift] | None = None, max_items: int = 0, shifts_more: int = 0) -> Report:
    """A briefing over the whole ledger or one actor/issue; ``since``/``until`` select the new terms and
    shifts (dated ones; undated ones too with ``include_undated``, which also puts them on the charts).
    ``shifts``: the shifts to report (the kept ones, selected by date and issue already); detected
    from the ledger when None (``shifts_more``: how many more the caller left out). ``max_items`` (0: no limit) keeps the most recent items of each list
    (current positions and new terms per party, shifts; a chart draws at most three times as many
    points) and says how many it left out."""
    check_range(since, until)
    notes = Notes()
    parties = _parties(ledger, actor)
    if actor and not parties:
        raise AnalysisError("E501", name=str(actor))
    sections: list[PartySection] = []
    for name, members in parties:
        sec = PartySection(name, members, label=ledger.party_label(name))
        ps = [p for p in ledger.of(members) if issue is None or p.issue == issue]
        ps.sort(key=ledger.order_key)
        latest: dict[tuple[str, str], list[Position]] = {}
        for p in ps:
            k = (p.actor, p.issue)
            if k in latest and latest[k][-1].article_id != p.article_id:
                latest[k] = []
            latest.setdefault(k, []).append(p)
        keys = sorted(latest)
        if max_items and sum(len(v) for v in latest.values()) > max_items:
            # the most recent (actor, issue) pairs, shown in the usual order
            recent = sorted(keys, key=lambda k: ledger.order_key(latest[k][-1]), reverse=True)
            kept_keys: list[tuple[str, str]] = []
            n_kept = 0
            for k in recent:
                if n_kept + len(latest[k]) > max_items and kept_keys:
                    continue
                kept_keys.append(k)
                n_kept += len(latest[k])
            sec.current_more = sum(len(v) for v in latest.values()) - n_kept
            keys = sorted(kept_keys)
        for k in keys:
            for p in latest[k]:
                n = notes.ref(ledger.cite(p))
                sec.current.append(Claim(describe(ledger, p, notes), [n]))
        terms = []
        for p in ps:
            d, _ = ledger.when(p)
            if d is None:
                sec.undated += 1
            if (p.conditions or p.red_line) and in_range(d, since, until, include_undated):
                terms.append((p, d))
        if max_items and len(terms) > max_items:
            sec.new_terms_more = len(terms) - max_items
            terms = terms[-max_items:]
        for p, d in terms:
            what = "red line" if p.red_line else "conditions"
            n = notes.ref(ledger.cite(p))
            sec.new_terms.append(Claim(f"{what} ({d.isoformat() if d else 'undated'}): "
                                       f"{describe(ledger, p, notes)}", [n]))
        if charts and ps:
            from .timeline import Timeline, TimelinePoint, plot_timeline

            tl = Timeline(sec.label)
            for p in ps:
                d, dated = ledger.when(p)
                if d is None and not include_undated:
                    tl.undated_left_out += 1
                    continue
                tl.points.append(TimelinePoint(p.actor, p.issue, p.stance, d, dated, p.red_line, p.conditions,
                                               p.proposition, ledger.cite(p)))
            if max_items and len(tl.points) > 3 * max_items:
                sec.chart_more = len(tl.points) - 3 * max_items
                tl.points = tl.points[-3 * max_items:]
            if tl.points:
                sec.chart, sec.chart_numbers = tl, [notes.ref(pt.citation) for pt in tl.points]
                sec.chart_png = plot_timeline(tl, fmt="png", numbers=sec.chart_numbers)
        sections.append(sec)

    if shifts is None:
        shifts = detect_shifts(ledger, since=since, issue=issue, until=until, include_undated=include_undated)
    names = {m for _, ms in parties for m in ms}
    if actor:
        shifts = [s for s in shifts if s.actor in names]
    shift_claims = []
    if max_items and len(shifts) > max_items:
        dated = [s for s in shifts if s.date_after is not None]
        undated = [s for s in shifts if s.date_after is None]
        keep = (dated[-max_items:] if len(dated) >= max_items else dated + undated[:max_items - len(dated)])
        shifts_more += len(shifts) - len(keep)
        shifts = keep
    for s in shifts:
        nb = notes.ref(_cite_ev(ledger, s.evidence_before)) if s.evidence_before else None
        na = notes.ref(_cite_ev(ledger, s.evidence_after))
        when = f"{s.date_before or 'undated'} → {s.date_after or 'undated'}"
        kind = "announced in the article" if s.announced else "detected across articles"
        shift_claims.append(Claim(f"{s.actor} on {s.issue}: {s.before} → {s.after} ({when}; {kind})",
                                  [n for n in (nb, na) if n is not None]))

    clashes, common, zopa, comps = [], [], [], []
    pairs = list(combinations(parties, 2))
    if actor:
        pairs = [(parties[0], o) for o in parties[1:]]
    # parties no article places on a side; compared only when the briefing is on that actor (--actor)
    unplaced = [s.name for s in sections if s.label != s.name]
    arts_of: dict[str, set[str | None]] = {}
    for p in ledger.positions:
        arts_of.setdefault(p.actor, set()).add(p.article_id)
    for (an, am), (bn, bm) in pairs:
        # only parties of one dispute: named together in at least one article
        if not set().union(*(arts_of.get(m, set()) for m in am)) & set().union(*(arts_of.get(m, set()) for m in bm)):
            continue
        if ledger.resolution.same_side(an, bn) or set(am) & set(bm):
            continue            # never oppose an actor to its own side
        if not (actor and an == parties[0][0]) and (an in unplaced or bn in unplaced):
            continue            # whose side no article gives could be the other's own: not compared
        comp = compare_parties(ledger, an, am, bn, bm, issue, notes=notes)
        if not any(ic.a and ic.b for ic in comp.issues):
            continue
        comps.append(comp)
        al, bl = comp.a_label, comp.b_label
        for ic in comp.issues:
            if not (ic.a and ic.b):
                continue
            for c in ic.clashes:
                clashes.append(Claim(f"{al} vs {bl}, {ic.issue}: {c.explanation}.",
                                     [comp.ref(c.red), comp.ref(c.other)]))
            if ic.common_ground:
                common.append(Claim(f"{al} and {bl}, {ic.issue}: {ic.common_ground}.",
                                    [comp.ref(p) for p in ic.a + ic.b]))
            zopa.append(Claim(f"{al} / {bl}: {ic.zopa}", []))
    shown_actor = actor.label if isinstance(actor, ActorMatch) else actor
    rep_ = Report("", shown_actor, issue, since, sections, shift_claims, clashes, common, zopa,
                  notes, shifts, comps, until, include_undated,
                  [u for u in unplaced if not (actor and u == parties[0][0])], shifts_more, max_items)
    rep_.title = "Parley briefing" + (f": {sections[0].label}" if actor and sections else "") + \
        (f", {issue}" if issue else "") + (f",{rep_.window}" if rep_.window else "")
    return rep_


def audit_report(r: Report, ledger: Ledger) -> list[str]:
    """What in ``r`` would state something false: an actor opposed to its own side, an undated or
    out-of-range item among the "new" ones, a footnote number with no source. [] when none."""
    problems: list[str] = []
    res = ledger.resolution
    n_notes = len(r.notes.items)
    for comp in r.comparisons:
        if res.same_side(comp.a, comp.b):
            problems.append(f"{comp.a} is compared with {comp.b}, on one side ({res.same_side(comp.a, comp.b)})")
        for ic in comp.issues:
            for c in ic.clashes:
                side = res.same_side(c.red.actor, c.other.actor)
                if side:
                    problems.append(f"clash on {ic.issue}: {c.red.actor} opposed to {c.other.actor}, both {side}")
    for s in r.parties:
        for c in s.new_terms:
            cite = r.notes.items[c.notes[0] - 1]
            if not in_range(cite.published, r.since, r.until, r.include_undated) or (
                    cite.published is None and not r.include_undated and (r.since or r.until)):
                problems.append(f"new term of {s.name} dated {cite.date_label}: outside {r.window.strip()}")
    for sh in r.shift_objects:
        if not in_range(sh.date_after, r.since, r.until, r.include_undated):
            problems.append(f"shift of {sh.actor} on {sh.issue} dated {sh.date_after or 'undated'}: "
                            f"outside {r.window.strip()}")
    for claim in [c for s in r.parties for c in s.current + s.new_terms] + r.shifts + r.clashes + r.common_ground:
        for n in claim.notes:
            if not 1 <= n <= n_notes:
                problems.append(f"footnote [{n}] has no source")
    return problems


def _cite_ev(ledger: Ledger, ev: Evidence) -> Citation:
    return ledger.cite_span(ev.article_id or "?", ev.start, ev.end, ev.text)


def _link_notes(text: str) -> Markup:
    """Escape ``text``, then turn its inline references into links to the sources."""
    return Markup(render_refs(text, "html"))


_MD_PUNCT = re.compile(r"([\\`*_\[\]])")


def md_escape(text: object) -> str:
    """Article-derived text as inert Markdown: on one line, without control characters or escape
    sequences, HTML special characters as entities (no raw HTML can reach a CommonMark renderer),
    and the characters that open links, images, emphasis, code and footnotes backslash-escaped."""
    from ..textsafe import strip_controls

    flat = " ".join(strip_controls(str(text), keep_newlines=False).split())
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_PUNCT.sub(r"\\\1", flat)


def render_markdown(r: Report) -> str:
    """The report as Markdown with ``[^n]`` footnotes (article title, outlet, date, URL, id, sentence).

    Every interpolated string passes through :func:`md_escape` (names, claims, titles and
    sentences all come from articles); inline references are turned into footnotes after escaping."""
    md = md_escape
    out = [f"# {md(r.title)}", ""]

    def line(c: Claim) -> str:
        return f"- {render_refs(md(c.text), 'md')} {render_refs(refs(c.notes), 'md')}".rstrip()

    def claims(title: str, cs: list[Claim], empty: str, note: str = "") -> None:
        out.append(f"## {md(title)}")
        out.append("")
        out.extend([line(c) for c in cs] or [f"_{empty}_"])
        out.append("")
        if note:
            out.extend([f"_{note}_", ""])

    out += ["## Current positions", ""]
    for s in r.parties:
        others = [m for m in s.members if m != s.name]
        out.append(f"### {md(s.label or s.name)}" + (f" ({md(', '.join(others))})" if others else ""))
        out.append("")
        out.extend(line(c) for c in s.current)
        out.append("")
        if s.current_more:
            out.extend([f"_{r.more_note(s.current_more)}_", ""])
    terms = [c for s in r.parties for c in s.new_terms]
    more_terms = sum(s.new_terms_more for s in r.parties)
    claims("New conditions and red lines" + r.window, terms, "none",
           " ".join(x for x in (r.undated_note, r.more_note(more_terms)) if x))
    claims("Shifts" + r.window, r.shifts, "no shift found", r.more_note(r.shifts_more))
    claims("Red-line clashes", r.clashes, "no clash found", r.compare_note_with(md))
    claims("Common ground", r.common_ground, "no issue where both sides support")
    claims("Zone of possible agreement, per issue", r.zopa, "no issue on which two parties both have positions")
    out.append("## Sources")
    out.append("")
    for i, c in enumerate(r.notes.items, 1):
        out.append(f"[^{i}]: {md(c.label())}: \"{md(c.sentence)}\"")
    return "\n".join(out) + "\n"


def _safe_url(url: str | None) -> str | None:
    """A URL that may be a link (http/https only), else None."""
    if url and url.lower().startswith(("http://", "https://")):
        return url
    return None


def render_html(r: Report) -> str:
    """The report as one self-contained HTML page (Jinja2, autoescape on, charts as base64 PNG)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).with_name("templates"))),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["link_notes"] = _link_notes
    env.filters["safe_url"] = _safe_url
    tpl = env.get_template("report.html.j2")
    charts = {s.name: base64.b64encode(s.chart_png).decode("ascii") for s in r.parties if s.chart_png}
    return tpl.render(r=r, charts=charts)


def write_report(r: Report, fmt: str, path: str | Path | None = None) -> str:
    """Render ``r`` as ``md`` or ``html``; write it to ``path`` when given; return the text."""
    if fmt not in ("md", "html"):
        raise UsageError("E901", arg=Arg("fmt"), value=fmt, known="md, html")
    text = render_markdown(r) if fmt == "md" else render_html(r)
    if path:
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise AnalysisError("E504", item=str(path), detail=exc.strerror or str(exc)) from None
    return text
