"""Briefings: current positions, new conditions and red lines, shifts, clashes and common ground.

:func:`build_report` returns a :class:`Report` (plain data, every claim
carrying footnote numbers); :func:`render_markdown` and :func:`render_html`
turn it into text. The HTML is one self-contained file: a Jinja2 template with
autoescape on (article text is never trusted) and timeline charts embedded as
base64 PNG.
"""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from pathlib import Path

from markupsafe import Markup, escape

from ..errors import AnalysisError
from ..model import Position, Shift
from .compare import Comparison, compare_parties
from .ledger import Citation, Ledger, Notes
from .shifts import detect_shifts

__all__ = ["Report", "build_report", "render_markdown", "render_html", "write_report"]

MAX_PARTIES = 8


@dataclass
class Claim:
    text: str
    notes: list[int]


@dataclass
class PartySection:
    name: str
    members: list[str]
    current: list[Claim] = field(default_factory=list)          # latest stance per (actor, issue)
    new_terms: list[Claim] = field(default_factory=list)        # conditions and red lines (since the date)
    chart_png: bytes | None = None


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

    @property
    def footnotes(self) -> list[Citation]:
        return self.notes.items

    def to_dict(self) -> dict:
        """JSON-ready form (for the API): claims carry footnote numbers into ``notes``."""
        def claims(cs: list[Claim]) -> list[dict]:
            return [{"text": c.text, "notes": c.notes} for c in cs]
        return {"title": self.title, "actor": self.actor, "issue": self.issue,
                "since": self.since.isoformat() if self.since else None,
                "parties": [{"name": s.name, "members": s.members, "current": claims(s.current),
                             "new_terms": claims(s.new_terms)} for s in self.parties],
                "shifts": claims(self.shifts), "clashes": claims(self.clashes),
                "common_ground": claims(self.common_ground), "zopa": claims(self.zopa),
                "notes": self.notes.to_list()}


def _parties(ledger: Ledger, actor: str | None) -> list[tuple[str, list[str]]]:
    """Parties = sides with their members, plus actors that belong to no side present in the ledger."""
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
        rec = ledger.resolution.find(actor)
        side = rec.side if rec.side and rec.side in groups else rec.name
        first = [(side, groups.get(side, [rec.name]))]
        out = first + [kv for kv in out if kv[0] != side]
    return out[:MAX_PARTIES]


def _desc(p: Position) -> str:
    s = f"{p.actor}: {p.stance}"
    if p.red_line:
        s += " (red line)"
    s += f" on {p.issue}"
    if p.proposition:
        s += f" — {p.proposition}"
    if p.conditions:
        s += f", {p.condition_phrase()}"
    return s


def build_report(ledger: Ledger, actor: str | None = None, issue: str | None = None,
                 since: date | None = None, charts: bool = False) -> Report:
    """A briefing over the whole ledger or one actor/issue; ``since`` filters shifts and new terms."""
    notes = Notes()
    parties = _parties(ledger, actor)
    if actor and not parties:
        raise AnalysisError("E501", name=actor)
    sections: list[PartySection] = []
    for name, members in parties:
        sec = PartySection(name, members)
        ps = [p for p in ledger.positions if p.actor in members and (issue is None or p.issue == issue)]
        ps.sort(key=ledger.order_key)
        latest: dict[tuple[str, str], list[Position]] = {}
        for p in ps:
            k = (p.actor, p.issue)
            if k in latest and latest[k][-1].article_id != p.article_id:
                latest[k] = []
            latest.setdefault(k, []).append(p)
        for k in sorted(latest):
            for p in latest[k]:
                sec.current.append(Claim(_desc(p), [notes.ref(ledger.cite(p))]))
        for p in ps:
            d, _ = ledger.when(p)
            if (p.conditions or p.red_line) and (since is None or (d is not None and d >= since)):
                what = "red line" if p.red_line else "conditions"
                sec.new_terms.append(Claim(f"{what} ({d.isoformat() if d else 'undated'}): {_desc(p)}",
                                           [notes.ref(ledger.cite(p))]))
        if charts and ps:
            from .timeline import Timeline, TimelinePoint, plot_timeline

            tl = Timeline(name)
            for p in ps:
                d, dated = ledger.when(p)
                tl.points.append(TimelinePoint(p.actor, p.issue, p.stance, d, dated, p.red_line, p.conditions,
                                               p.proposition, ledger.cite(p)))
            sec.chart_png = plot_timeline(tl, fmt="png")
        sections.append(sec)

    shifts = detect_shifts(ledger, since=since, issue=issue)
    names = {m for _, ms in parties for m in ms}
    if actor:
        shifts = [s for s in shifts if s.actor in names]
    shift_claims = []
    for s in shifts:
        nb = notes.ref(_cite_ev(ledger, s.evidence_before)) if s.evidence_before else None
        na = notes.ref(_cite_ev(ledger, s.evidence_after))
        when = f"{s.date_before or '?'} → {s.date_after or '?'}"
        kind = "announced in the article" if s.announced else "detected across articles"
        shift_claims.append(Claim(f"{s.actor} on {s.issue}: {s.before} → {s.after} ({when}; {kind})",
                                  [n for n in (nb, na) if n is not None]))

    clashes, common, zopa, comps = [], [], [], []
    pairs = list(combinations(parties, 2))
    if actor:
        pairs = [(parties[0], o) for o in parties[1:]]
    arts_of: dict[str, set] = {}
    for p in ledger.positions:
        arts_of.setdefault(p.actor, set()).add(p.article_id)
    for (an, am), (bn, bm) in pairs:
        # only parties of one dispute: named together in at least one article
        if not set().union(*(arts_of.get(m, set()) for m in am)) & set().union(*(arts_of.get(m, set()) for m in bm)):
            continue
        comp = compare_parties(ledger, an, am, bn, bm, issue, notes=notes)
        if not any(ic.a and ic.b for ic in comp.issues):
            continue
        comps.append(comp)
        for ic in comp.issues:
            if not (ic.a and ic.b):
                continue
            for c in ic.clashes:
                clashes.append(Claim(f"{an} vs {bn}, {ic.issue}: {c.explanation}.",
                                     [comp.ref(c.red), comp.ref(c.other)]))
            if ic.common_ground:
                common.append(Claim(f"{an} and {bn}, {ic.issue}: {ic.common_ground}.",
                                    [comp.ref(p) for p in ic.a + ic.b]))
            zopa.append(Claim(f"{an} / {bn}: {ic.zopa}", []))
    title = "Parley briefing" + (f": {parties[0][0]}" if actor else "") + (f", {issue}" if issue else "") + \
        (f", since {since.isoformat()}" if since else "")
    return Report(title, actor, issue, since, sections, shift_claims, clashes, common, zopa, notes, shifts, comps)


def _cite_ev(ledger: Ledger, ev) -> Citation:
    art = ledger.articles.get(ev.article_id or "")
    fake = Position(actor="", issue="", stance="support", evidence=ev, article_id=ev.article_id)
    c = ledger.cite(fake)
    return Citation(c.article_id, art.title if art else None, c.published, c.dated, ev.text, ev.start, ev.end)


_INLINE = re.compile(r"\[(\d+)\]")


def _link_notes(text: str) -> Markup:
    """Escape ``text``, then turn its inline ``[n]`` into links to the sources (digits only are inserted)."""
    return Markup(_INLINE.sub(r'<sup><a href="#note-\1">[\1]</a></sup>', str(escape(text))))


def _fn(ns: list[int], fmt: str) -> str:
    if fmt == "md":
        return "".join(f"[^{n}]" for n in ns)
    return "".join(f"[{n}]" for n in ns)


_MD_PUNCT = re.compile(r"([\\`*_\[\]])")
_MD_INLINE = re.compile(r"\\\[(\d+)\\\]")      # an escaped "[n]" citation marker


def md_escape(text: object) -> str:
    """Article-derived text as inert Markdown: on one line, without control characters or escape
    sequences, HTML special characters as entities (no raw HTML can reach a CommonMark renderer),
    and the characters that open links, images, emphasis, code and footnotes backslash-escaped."""
    from ..textsafe import strip_controls

    flat = " ".join(strip_controls(str(text), keep_newlines=False).split())
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_PUNCT.sub(r"\\\1", flat)


def render_markdown(r: Report) -> str:
    """The report as Markdown with ``[^n]`` footnotes (article title, date, id, sentence).

    Every interpolated string passes through :func:`md_escape` (names, claims, titles and
    sentences all come from articles)."""
    md = md_escape
    out = [f"# {md(r.title)}", ""]

    def claims(title: str, cs: list[Claim], empty: str) -> None:
        out.append(f"## {md(title)}")
        out.append("")
        out.extend([f"- {md(c.text)} {_fn(c.notes, 'md')}".rstrip() for c in cs] or [f"_{empty}_"])
        out.append("")

    out += ["## Current positions", ""]
    for s in r.parties:
        others = [m for m in s.members if m != s.name]
        out.append(f"### {md(s.name)}" + (f" ({md(', '.join(others))})" if others else ""))
        out.append("")
        out.extend(f"- {md(c.text)} {_fn(c.notes, 'md')}" for c in s.current)
        out.append("")
    terms = [c for s in r.parties for c in s.new_terms]
    claims("New conditions and red lines" + (f" since {r.since}" if r.since else ""), terms, "none")
    claims("Shifts" + (f" since {r.since}" if r.since else ""), r.shifts, "no shift found")
    claims("Red-line clashes", r.clashes, "no clash found")
    claims("Common ground", r.common_ground, "no issue where both sides support")
    out.append("## Zone of possible agreement, per issue")
    out.append("")
    # inline [n] citation markers -> footnotes, after escaping (which turned them into \[n\])
    zopa = [_MD_INLINE.sub(r"[^\1]", md(c.text)) + " " + _fn(c.notes, "md") for c in r.zopa]
    out.extend([f"- {z}".rstrip() for z in zopa] or ["_no issue on which two parties both have positions_"])
    out.append("")
    out.append("## Sources")
    out.append("")
    for i, c in enumerate(r.notes.items, 1):
        out.append(f"[^{i}]: {md(c.label())}: \"{md(c.sentence)}\"")
    return "\n".join(out) + "\n"


def render_html(r: Report) -> str:
    """The report as one self-contained HTML page (Jinja2, autoescape on, charts as base64 PNG)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).with_name("templates"))),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["link_notes"] = _link_notes
    tpl = env.get_template("report.html.j2")
    charts = {s.name: base64.b64encode(s.chart_png).decode("ascii") for s in r.parties if s.chart_png}
    return tpl.render(r=r, charts=charts)


def write_report(r: Report, fmt: str, path: str | Path | None = None) -> str:
    """Render ``r`` as ``md`` or ``html``; write it to ``path`` when given; return the text."""
    if fmt not in ("md", "html"):
        raise AnalysisError("E505", item="--format", detail=f"unknown format {fmt!r}; use md or html")
    text = render_markdown(r) if fmt == "md" else render_html(r)
    if path:
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise AnalysisError("E504", item=str(path), detail=exc.strerror or str(exc)) from None
    return text
