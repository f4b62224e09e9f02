"""Timelines: an actor's (resolved) stances per issue over time, each point cited.

Points are dated by the article's published date (or its dateline). Undated
articles have no place on a time axis: they are left out (and counted) unless
asked for (``include_undated``), and then shown apart, in an "undated" column
after the last date, never at the ingestion date.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import AnalysisError
from ..model import condition_phrase
from .actors import ActorMatch
from .ledger import Citation, Ledger, check_range, in_range

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.text import Annotation

__all__ = ["TimelinePoint", "Timeline", "build_timeline", "render_text", "plot_timeline", "chart_figure",
           "overlapping_labels", "STANCE_SYMBOL"]

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

    def to_dict(self) -> dict[str, Any]:
        return {"actor": self.actor, "issue": self.issue, "stance": self.stance,
                "date": self.when.isoformat() if self.when else None, "dated": self.dated,
                "red_line": self.red_line, "conditions": list(self.conditions), "proposition": self.proposition,
                "citation": self.citation.to_dict()}


@dataclass
class Timeline:
    actor: str
    points: list[TimelinePoint] = field(default_factory=list)
    undated_left_out: int = 0          # undated positions not shown (include_undated=False)

    @property
    def issues(self) -> list[str]:
        return sorted({p.issue for p in self.points})

    def to_dict(self) -> dict[str, Any]:
        return {"actor": self.actor, "issues": self.issues, "points": [p.to_dict() for p in self.points],
                "undated_left_out": self.undated_left_out}


def build_timeline(ledger: Ledger, actor: str | ActorMatch, issue: str | None = None,
                   since: date | None = None, until: date | None = None,
                   include_undated: bool = False) -> Timeline:
    """The timeline of ``actor`` (a name, alias or side, or an :class:`ActorMatch`; E501 when unknown),
    optionally one issue and a date range; undated positions only with ``include_undated``."""
    check_range(since, until)
    m = ledger.lookup(actor)
    names = set(ledger.members_of(m))
    pts = [p for p in ledger.positions if p.actor in names and (issue is None or p.issue == issue)]
    pts.sort(key=ledger.order_key)
    out = Timeline(m.label)
    for p in pts:
        d, dated = ledger.when(p)
        if d is None and not include_undated:
            out.undated_left_out += 1
            continue
        if d is not None and not in_range(d, since, until):
            continue
        out.points.append(TimelinePoint(p.actor, p.issue, p.stance, d, dated, p.red_line, p.conditions,
                                        p.proposition, ledger.cite(p)))
    return out


def render_text(tl: Timeline) -> str:
    """A terminal chart: one row per issue, one column per date (then one "undated" column), then the
    numbered citations.

    Symbols: ``+`` support, ``-`` oppose, ``?`` conditional, ``~`` mixed; ``!`` after a
    symbol = red line.
    """
    if not tl.points:
        more = f" ({tl.undated_left_out} undated; show them with --include-undated)" if tl.undated_left_out else ""
        return f"{tl.actor}: no dated positions{more}.\n" if tl.undated_left_out else f"{tl.actor}: no positions.\n"
    cols: list[date | None] = []
    for p in tl.points:
        if p.when not in cols:
            cols.append(p.when)
    cols.sort(key=lambda d: (d is None, d or date.min))
    heads = [d.isoformat() if d else "undated" for d in cols]
    width = max(len(h) for h in heads) + 1
    iw = max(len(i) for i in tl.issues) + 1
    lines = [f"Timeline of {tl.actor}  (+ support, - oppose, ? conditional, ~ mixed, ! red line)", ""]
    lines.append(" " * iw + "".join(h.ljust(width) for h in heads))
    numbers = {id(p): i for i, p in enumerate(tl.points, 1)}
    for issue in tl.issues:
        cells = []
        for c in cols:
            here = [p for p in tl.points if p.issue == issue and p.when == c]
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
    if tl.undated_left_out:
        lines.append("")
        lines.append(f"({tl.undated_left_out} undated positions not shown; --include-undated shows them)")
    return "\n".join(lines) + "\n"


_STYLE = {"support": ("o", "#2a9d3a"), "oppose": ("X", "#c0392b"), "conditional": ("D", "#e0a000"),
          "mixed": ("s", "#7f7f7f")}
_LABEL_OFFSETS = (8, -15, 19, -26, 30, -37)      # points above/below a marker tried in turn


def chart_figure(tl: Timeline, numbers: Sequence[int] | None = None) -> tuple[Figure, list[Annotation]]:
    """The timeline as a matplotlib figure (Agg) and its point labels, laid out so that no two overprint.

    ``numbers`` are the labels of ``tl.points`` (default 1, 2, ...: the timeline's own citation list;
    a report passes its footnote numbers, so chart and footnotes share one numbering). Points at the
    same date on one issue share one label ("3,4"); labels that would touch move above/below their
    point, and merge with their neighbour when there is no room.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    nums = list(numbers) if numbers is not None else list(range(1, len(tl.points) + 1))
    if len(nums) != len(tl.points):
        raise ValueError("numbers must label every point")
    issues = tl.issues or ["(none)"]
    fig, ax = plt.subplots(figsize=(9, 1.4 + 0.7 * len(issues)), dpi=100)
    dated = [p.when for p in tl.points if p.when is not None]
    first, last = (min(dated), max(dated)) if dated else (date.today(), date.today())
    span = max((last - first).days, 1)
    undated_x = last + timedelta(days=max(3, round(span * 0.12)))   # the "undated" column, apart
    seen = set()
    spots: dict[tuple[int, date], list[int]] = {}
    for p, n in zip(tl.points, nums):
        marker, colour = _STYLE[p.stance]
        y = issues.index(p.issue)
        x = p.when if p.when is not None else undated_x
        ax.scatter([x], [y], marker=marker,  # type: ignore[arg-type]  # dates go through matplotlib's converter s=90, facecolors=colour if p.when is not None else "none",
                   edgecolors="black" if p.red_line else colour, linewidths=2 if p.red_line else 1.2, zorder=3)
        seen.add(p.stance)
        spots.setdefault((y, x), [])
        if n not in spots[(y, x)]:
            spots[(y, x)].append(n)
    ax.set_yticks(range(len(issues)))
    ax.set_yticklabels(issues)
    ax.set_ylim(-0.7, len(issues) - 0.3)
    pad = timedelta(days=max(1, round(span * 0.04)))
    right = undated_x if any(p.when is None for p in tl.points) else last
    ax.set_xlim(mdates.date2num(first - pad), mdates.date2num(right + pad))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    if any(p.when is None for p in tl.points):
        ax.axvline(mdates.date2num(last + (undated_x - last) / 2), color="#999", linestyle=":", linewidth=1)
        ax.text(mdates.date2num(undated_x), len(issues) - 0.35, "undated", ha="center", va="top", fontsize=7,
                color="#555")
    fig.autofmt_xdate()
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"Stances of {tl.actor} (black edge: red line; hollow: undated)", fontsize=9)
    if seen:
        from matplotlib.lines import Line2D

        handles = [Line2D([], [], linestyle="none", marker=_STYLE[s][0], color=_STYLE[s][1], markersize=7, label=s)
                   for s in STANCE_SYMBOL if s in seen]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    fig.tight_layout()
    anns = _place_labels(fig, ax, spots, mdates.date2num)
    return fig, anns


def _label_text(ns: list[int]) -> str:
    ns = sorted(ns)
    if len(ns) > 3 and ns == list(range(ns[0], ns[-1] + 1)):
        return f"{ns[0]}–{ns[-1]}"
    return ",".join(map(str, ns))


def _place_labels(fig: Any, ax: Any, spots: dict[tuple[int, date], list[int]], date2num: Any) -> list[Any]:
    """Annotate every spot; move labels that would overlap a placed one, merge them when nothing fits.

    One pass over the spots (row by row, left to right): a label tries each offset of
    ``_LABEL_OFFSETS`` that keeps it inside its issue's row and the axes; when none is free it is
    merged with a label it collides with, which is then placed again. Each merge removes a label,
    so this ends; boxes are kept in 64-pixel buckets so a check looks at neighbours only."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    row_px = abs(ax.transData.transform((0, 1))[1] - ax.transData.transform((0, 0))[1])
    pt = fig.dpi / 72.0
    axes_box = ax.get_window_extent(renderer)
    offsets = [o for o in _LABEL_OFFSETS if abs(o * pt) + 6 * pt <= row_px / 2 + 2] or [_LABEL_OFFSETS[0]]
    pending: list[tuple[int, date, list[int]]] = [(y, x, list(ns)) for (y, x), ns in
                                                  sorted(spots.items(), key=lambda kv: (kv[0][0], kv[0][1]))]
    placed: dict[int, tuple[Any, tuple[float, float, float, float], tuple[int, date, list[int]]]] = {}
    buckets: dict[int, set[int]] = {}
    serial = 0

    def cells(box: tuple[float, float, float, float]) -> range:
        return range(int(box[0] // 64), int(box[1] // 64) + 1)

    def hits(box: tuple[float, float, float, float]) -> list[int]:
        near = {k for c in cells(box) for k in buckets.get(c, ())}
        return [k for k in near if not (box[1] <= placed[k][1][0] or placed[k][1][1] <= box[0]
                                         or box[3] <= placed[k][1][2] or placed[k][1][3] <= box[2])]

    while pending:
        y, x, ns = pending.pop(0)
        ann = ax.annotate(_label_text(ns), (date2num(x), y), textcoords="offset points", xytext=(0, offsets[0]),
                          ha="center", fontsize=7, zorder=4)
        base = ann.get_window_extent(renderer)
        w_pad, h_pad = base.width * 0.025 + 0.5, base.height * 0.05 + 0.5
        chosen = None
        first_hit: list[int] = []
        for off in offsets:
            dy = (off - offsets[0]) * pt
            box = (base.x0 - w_pad, base.x1 + w_pad, base.y0 + dy - h_pad, base.y1 + dy + h_pad)
            if box[3] > axes_box.y1 or box[2] < axes_box.y0:
                continue
            found = hits(box)
            if not found:
                chosen = (off, box)
                break
            first_hit = first_hit or found
        if chosen is None and first_hit:
            # no room: merge with a label it collides with (its own row first) and place that again
            same_row = [k for k in first_hit if placed[k][2][0] == y]
            k = (same_row or first_hit)[0]
            old_ann, old_box, (oy, ox, ons) = placed.pop(k)
            for c in cells(old_box):
                buckets[c].discard(k)
            old_ann.remove()
            ann.remove()
            pending.insert(0, (oy, ox, sorted(set(ons) | set(ns))))
            continue
        if chosen is None:          # nowhere inside the row (a very short axis): keep the first offset
            chosen = (offsets[0], (base.x0, base.x1, base.y0, base.y1))
        ann.xyann = (0, chosen[0])
        serial += 1
        placed[serial] = (ann, chosen[1], (y, x, ns))
        for c in cells(chosen[1]):
            buckets.setdefault(c, set()).add(serial)
    return [v[0] for _, v in sorted(placed.items())]


def overlapping_labels(fig: Any, anns: list[Any]) -> list[tuple[str, str]]:
    """Pairs of point labels whose drawn boxes overlap (the layout promises none)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [(a.get_text(), a.get_window_extent(renderer)) for a in anns]
    out = []
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            if boxes[i][1].overlaps(boxes[j][1]):
                out.append((boxes[i][0], boxes[j][0]))
    return out


def plot_timeline(tl: Timeline, path: str | Path | None = None, fmt: str | None = None,
                  numbers: Sequence[int] | None = None) -> bytes:
    """Draw the timeline (:func:`chart_figure`) as PNG or SVG; write to ``path`` when given, return the bytes.

    One row per issue; marker shape/colour per stance, a black edge for red lines,
    hollow markers in a separate "undated" column; each point is labelled with its citation number.
    """
    import matplotlib.pyplot as plt

    if fmt is None:
        fmt = Path(path).suffix.lstrip(".").lower() if path else "png"
    if fmt not in ("png", "svg"):
        raise AnalysisError("E504", item=str(path or fmt), detail="the chart format must be .png or .svg")
    fig, _ = chart_figure(tl, numbers)
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
