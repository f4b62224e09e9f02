"""Charts drawn on the server as SVG, from the data the page already has.

Why SVG from the server rather than a charting library in the browser: the dashboard then needs no
JavaScript at all (the Content-Security-Policy allows none inline, and none is served), a chart is
part of the page (readable without scripts, printable, its marks are links to the cited sentence
and carry the sentence as a tooltip), and nothing has to be vendored and kept up to date. Every
string that comes from an article is escaped (markupsafe); colours and shapes are attributes, not
inline styles, so the page's CSP needs no ``unsafe-inline``.

* :func:`timeline_svg`: one row per issue, time across, a mark per stance (circle support, cross
  oppose, diamond conditional, square mixed; black outline: red line; hollow: undated, in a column
  of its own). Marks of one issue, stance and day (then week, then month, when there are many)
  share one mark whose size grows with their number.
* :func:`months_svg`: positions per month, stacked by stance.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

__all__ = ["ChartPoint", "timeline_svg", "months_svg", "COLOURS", "MAX_MARKS"]

COLOURS = {"support": "#2a9d3a", "oppose": "#c0392b", "conditional": "#d08c00", "mixed": "#7f7f7f"}
STANCES = ("support", "oppose", "conditional", "mixed")
MAX_MARKS = 600          # marks per chart before days are grouped into weeks, then months
WIDTH = 960
LEFT, RIGHT, TOP, ROW = 150, 20, 34, 30


@dataclass(frozen=True)
class ChartPoint:
    issue: str
    day: date | None
    stance: str
    red_line: bool
    href: str
    title: str          # the tooltip: date, stance, the cited sentence (escaped when drawn)


def _bucket(d: date, grain: str) -> date:
    if grain == "week":
        return d - timedelta(days=d.weekday())
    if grain == "month":
        return d.replace(day=1)
    return d


def _clip(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


def _mark(stance: str, x: float, y: float, r: float, red: bool, hollow: bool) -> str:
    colour = COLOURS.get(stance, "#555")
    fill = "none" if hollow else colour
    stroke = "#000" if red else colour
    sw = "2.2" if red else "1.4"
    if stance == "oppose":
        d = f"M{x - r:.1f},{y - r:.1f}L{x + r:.1f},{y + r:.1f}M{x - r:.1f},{y + r:.1f}L{x + r:.1f},{y - r:.1f}"
        out = f'<path d="{d}" stroke="{colour}" stroke-width="{3 if not hollow else 1.6}" fill="none"/>'
        if red:
            out = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r + 2:.1f}" fill="none" stroke="#000" '
                   f'stroke-width="1.6"/>') + out
        return out
    if stance == "conditional":
        pts = f"{x:.1f},{y - r - 1:.1f} {x + r + 1:.1f},{y:.1f} {x:.1f},{y + r + 1:.1f} {x - r - 1:.1f},{y:.1f}"
        return f'<polygon points="{pts}" fill="{fill}" stroke="{stroke}" stroke-width="{sw}"/>'
    if stance == "mixed":
        return (f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" fill="{fill}" '
                f'stroke="{stroke}" stroke-width="{sw}"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{fill}" stroke="{stroke}" stroke-width="{sw}"/>'


def _ticks(first: date, last: date) -> list[date]:
    """About six tick dates: months or years, whichever fits."""
    span = (last - first).days
    if span <= 0:
        return [first]
    months = span / 30.4
    step = max(1, math.ceil(months / 6))
    if months > 36:
        years = list(range(first.year + (first.month > 1 or first.day > 1), last.year + 1))
        ystep = max(1, math.ceil(len(years) / 6))
        return [date(y, 1, 1) for y in years[::ystep]] or [first]
    out, d = [], first.replace(day=1)
    if d < first:
        d = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    while d <= last:
        out.append(d)
        m = d.month - 1 + step
        d = date(d.year + m // 12, m % 12 + 1, 1)
    return out or [first]


def timeline_svg(points: Sequence[ChartPoint], title: str) -> Markup:
    """The stance timeline of one actor (see the module docstring)."""
    if not points:
        return Markup('<p class="empty">No positions to chart.</p>')
    issues = sorted({p.issue for p in points})
    dated = [p.day for p in points if p.day is not None]
    has_undated = any(p.day is None for p in points)
    grain = "day"
    for grain in ("day", "week", "month"):
        if len({(p.issue, p.stance, _bucket(p.day, grain) if p.day else None) for p in points}) <= MAX_MARKS:
            break
    groups: dict[tuple[str, str, date | None], list[ChartPoint]] = {}
    for p in points:
        groups.setdefault((p.issue, p.stance, _bucket(p.day, grain) if p.day else None), []).append(p)
    height = TOP + ROW * len(issues) + 46
    undated_w = 70 if has_undated else 0
    x0, x1 = LEFT + 10, WIDTH - RIGHT - undated_w - 10
    first, last = (min(dated), max(dated)) if dated else (date.today(), date.today())
    span = max((last - first).days, 1)

    def xof(d: date) -> float:
        return x0 + (x1 - x0) * ((d - first).days / span) if last > first else (x0 + x1) / 2

    out = [f'<svg class="chart timeline" viewBox="0 0 {WIDTH} {height}" role="img" '
           f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
           f'<title>{escape(title)}</title>']
    for i, issue in enumerate(issues):
        y = TOP + ROW * i + ROW / 2
        if i % 2 == 0:
            out.append(f'<rect x="{LEFT}" y="{TOP + ROW * i}" width="{WIDTH - LEFT - RIGHT}" height="{ROW}" '
                       f'fill="#f6f6f4"/>')
        out.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" class="axis">'
                   f'{escape(_clip(issue, 22))}</text>')
    axis_y = TOP + ROW * len(issues)
    out.append(f'<line x1="{LEFT}" y1="{axis_y}" x2="{WIDTH - RIGHT}" y2="{axis_y}" stroke="#999"/>')
    if dated:
        for tk in _ticks(first, last):
            if first <= tk <= last:
                x = xof(tk)
                out.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{axis_y}" stroke="#e2e2e2"/>')
                label = tk.strftime("%Y") if (tk.month == 1 and (last - first).days > 1100) else tk.strftime("%b %Y")
                out.append(f'<text x="{x:.1f}" y="{axis_y + 16}" text-anchor="middle" class="axis">{label}</text>')
    if has_undated:
        ux = WIDTH - RIGHT - undated_w / 2
        out.append(f'<line x1="{WIDTH - RIGHT - undated_w}" y1="{TOP}" x2="{WIDTH - RIGHT - undated_w}" '
                   f'y2="{axis_y}" stroke="#bbb" stroke-dasharray="3 3"/>')
        out.append(f'<text x="{ux:.1f}" y="{axis_y + 16}" text-anchor="middle" class="axis">undated</text>')
    offsets = {s: (k - 1.5) * 3.0 for k, s in enumerate(STANCES)}     # stances of one day side by side
    for (issue, stance, day), ps in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][2] or date.max,
                                                                         kv[0][1])):
        y = TOP + ROW * issues.index(issue) + ROW / 2
        x = (xof(day) if day is not None else WIDTH - RIGHT - undated_w / 2) + offsets.get(stance, 0)
        r = 4.0 + min(5.0, math.log2(len(ps))) if len(ps) > 1 else 4.5
        red = any(p.red_line for p in ps)
        head = ps[-1]
        when = day.isoformat() if day else "undated"
        if grain != "day" and day is not None:
            when = f"{grain} of {when}"
        tip = f"{when} · {stance}{' (red line)' if red else ''} on {issue}" + \
              (f" · {len(ps)} positions" if len(ps) > 1 else "") + f"\n{head.title}"
        out.append(f'<a href="{escape(head.href)}"><title>{escape(tip)}</title>'
                   f'{_mark(stance, x, y, r, red, day is None)}</a>')
    ly = height - 12
    lx = LEFT
    for stance in STANCES:
        out.append(_mark(stance, lx + 6, ly - 4, 4.5, False, False))
        out.append(f'<text x="{lx + 16}" y="{ly}" class="legend">{stance}</text>')
        lx += 110
    out.append(_mark("support", lx + 6, ly - 4, 4.5, True, False))
    out.append(f'<text x="{lx + 16}" y="{ly}" class="legend">red line (black outline)</text>')
    lx += 190
    out.append(_mark("support", lx + 6, ly - 4, 4.5, False, True))
    out.append(f'<text x="{lx + 16}" y="{ly}" class="legend">undated (hollow)</text>')
    if grain != "day":
        out.append(f'<text x="{WIDTH - RIGHT}" y="{ly}" text-anchor="end" class="legend">one mark per {grain}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def months_svg(rows: Iterable[dict[str, int | str]], title: str) -> Markup:
    """Positions per month (``{"month": "2024-05", "support": 3, ...}``), stacked by stance."""
    data = [r for r in rows]
    if not data:
        return Markup('<p class="empty">No positions to chart.</p>')
    height, top, bottom = 220, 16, 40
    n = len(data)
    inner = WIDTH - 60 - RIGHT
    bw = inner / n
    peak = max(sum(int(r.get(s, 0) or 0) for s in STANCES) for r in data) or 1
    scale = (height - top - bottom) / peak
    out = [f'<svg class="chart months" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
           f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    base = height - bottom
    out.append(f'<line x1="60" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#999"/>')
    out.append(f'<text x="54" y="{top + 8}" text-anchor="end" class="axis">{peak}</text>')
    every = max(1, math.ceil(n / 12))
    for i, r in enumerate(data):
        x = 60 + i * bw
        y = float(base)
        parts = []
        for s in STANCES:
            v = int(r.get(s, 0) or 0)
            if not v:
                continue
            h = v * scale
            y -= h
            out.append(f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(bw - 2, 1):.1f}" height="{h:.1f}" '
                       f'fill="{COLOURS[s]}"/>')
            parts.append(f"{v} {s}")
        month = str(r.get("month", ""))
        out.append(f'<rect x="{x:.1f}" y="{top}" width="{bw:.1f}" height="{base - top}" fill="transparent">'
                   f'<title>{escape(month)}: {escape(", ".join(parts))}</title></rect>')
        if i % every == 0:
            out.append(f'<text x="{x + bw / 2:.1f}" y="{base + 16}" text-anchor="middle" class="axis">'
                       f'{escape(month)}</text>')
    lx = 60
    for s in STANCES:
        out.append(f'<rect x="{lx}" y="{height - 14}" width="10" height="10" fill="{COLOURS[s]}"/>'
                   f'<text x="{lx + 14}" y="{height - 5}" class="legend">{s}</text>')
        lx += 110
    out.append("</svg>")
    return Markup("".join(out))
