"""Timelines: an actor's (resolved) stances per issue over time, each point cited.

Points are dated by the article's published date; undated articles are placed
at their ingestion date and marked (``dated=False``, ``*`` in the text chart,
hollow markers in the plot).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import AnalysisError
from ..model import condition_phrase
from .ledger import Citation, Ledger

__all__ = ["TimelinePoint", "Timeline", "build_timeline", "render_text", "plot_timeline", "STANCE_SYMBOL"]

STANCE_SYMBOL = {"support": "+", "oppose": "-", "conditional": "?", "mixed": "~"}
STANCE_LEVEL = {"oppose": -1.0, "mixed": 0.0, "conditional": 0.5, "support": 1.0}


@dataclass(frozen=True)
class TimelinePoint:
    actor: str                  # canonical actor (a member when the timeline is for a side)
    issue: str
    stance: str
    when: date | None
    dated: bool
    red_line: bool
    conditions: tuple[str, ...]
    proposition: str
    citation: Citation

    def to_dict(self) -> dict:
        return {"actor": self.actor, "issue": self.issue, "stance": self.stance,
                "date": self.when.isoformat() if self.when else None, "dated": self.dated,
                "red_line": self.red_line, "conditions": list(self.conditions), "proposition": self.proposition,
                "citation": self.citation.to_dict()}


@dataclass
class Timeline:
    actor: str
    points: list[TimelinePoint] = field(default_factory=list)

    @property
    def issues(self) -> list[str]:
        return sorted({p.issue for p in self.points})

    def to_dict(self) -> dict:
        return {"actor": self.actor, "issues": self.issues, "points": [p.to_dict() for p in self.points]}


def build_timeline(ledger: Ledger, actor: str, issue: str | None = None) -> Timeline:
    """The timeline of ``actor`` (a name, alias or side; E501 when unknown), optionally one issue."""
    rec = ledger.resolution.find(actor)
    names = set(ledger.resolution.members(rec.name))
    pts = [p for p in ledger.positions if p.actor in names and (issue is None or p.issue == issue)]
    pts.sort(key=ledger.order_key)
    out = Timeline(rec.name)
    for p in pts:
        d, dated = ledger.when(p)
        out.points.append(TimelinePoint(p.actor, p.issue, p.stance, d, dated, p.red_line, p.conditions,
                                        p.proposition, ledger.cite(p)))
    return out


def render_text(tl: Timeline) -> str:
    """A terminal chart: one row per issue, one column per date, then the numbered citations.

    Symbols: ``+`` support, ``-`` oppose, ``?`` conditional, ``~`` mixed; ``!`` after a
    symbol = red line; ``*`` after a date = undated article (ingestion date).
    """
    if not tl.points:
        return f"{tl.actor}: no positions.\n"
    cols: list[tuple[date | None, bool]] = []
    for p in tl.points:
        c = (p.when, p.dated)
        if c not in cols:
            cols.append(c)
    heads = [(d.isoformat() if d else "????-??-??") + ("" if dated else "*") for d, dated in cols]
    width = max(len(h) for h in heads) + 1
    iw = max(len(i) for i in tl.issues) + 1
    lines = [f"Timeline of {tl.actor}  (+ support, - oppose, ? conditional, ~ mixed, ! red line, "
             f"* undated: ingestion date)", ""]
    lines.append(" " * iw + "".join(h.ljust(width) for h in heads))
    numbers = {id(p): i for i, p in enumerate(tl.points, 1)}
    for issue in tl.issues:
        cells = []
        for c in cols:
            here = [p for p in tl.points if p.issue == issue and (p.when, p.dated) == c]
            cell = ",".join(f"{STANCE_SYMBOL[p.stance]}{'!' if p.red_line else ''}[{numbers[id(p)]}]"
                            for p in here)
            cells.append(cell.ljust(width))
        lines.append(issue.ljust(iw) + "".join(cells).rstrip())
    lines.append("")
    for i, p in enumerate(tl.points, 1):
        who = "" if p.actor == tl.actor else f"{p.actor}: "
        cond = f" {condition_phrase(p.conditions)}" if p.conditions else ""
        lines.append(f"[{i}] {who}{p.stance}{' (red line)' if p.red_line else ''} on {p.issue}{cond}")
        lines.append(f"    {p.citation.label()}")
        lines.append(f"    \"{p.citation.sentence}\"")
    return "\n".join(lines) + "\n"


def plot_timeline(tl: Timeline, path: str | Path | None = None, fmt: str | None = None) -> bytes:
    """Draw the timeline with matplotlib (Agg) as PNG or SVG; write to ``path`` when given, return the bytes.

    One row per issue; marker shape/colour per stance, a black edge for red lines,
    hollow markers for undated articles; each point is labelled with its citation number.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    if fmt is None:
        fmt = Path(path).suffix.lstrip(".").lower() if path else "png"
    if fmt not in ("png", "svg"):
        raise AnalysisError("E504", item=str(path or fmt), detail="the chart format must be .png or .svg")
    issues = tl.issues or ["(none)"]
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.6 * len(issues)), dpi=100)
    style = {"support": ("o", "#2a9d3a"), "oppose": ("X", "#c0392b"), "conditional": ("D", "#e0a000"),
             "mixed": ("s", "#7f7f7f")}
    seen = set()
    for i, p in enumerate(tl.points, 1):
        if p.when is None:
            continue
        marker, colour = style[p.stance]
        y = issues.index(p.issue)
        ax.scatter([p.when], [y], marker=marker, s=90, facecolors=colour if p.dated else "none",
                   edgecolors="black" if p.red_line else colour, linewidths=2 if p.red_line else 1.2, zorder=3)
        seen.add(p.stance)
        ax.annotate(str(i), (mdates.date2num(p.when), y), textcoords="offset points", xytext=(0, 8),
                    ha="center", fontsize=7)
    ax.set_yticks(range(len(issues)))
    ax.set_yticklabels(issues)
    ax.set_ylim(-0.7, len(issues) - 0.3)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    fig.autofmt_xdate()
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"Stances of {tl.actor} (black edge: red line; hollow: undated)", fontsize=9)
    if seen:
        from matplotlib.lines import Line2D

        handles = [Line2D([], [], linestyle="none", marker=style[s][0], color=style[s][1], markersize=7, label=s)
                   for s in STANCE_SYMBOL if s in seen]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format=fmt, metadata={"Date": None} if fmt == "svg" else None)
    plt.close(fig)
    data = buf.getvalue()
    if path:
        try:
            Path(path).write_bytes(data)
        except OSError as exc:
            raise AnalysisError("E504", item=str(path), detail=exc.strerror or str(exc)) from None
    return data
