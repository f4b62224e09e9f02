"""Analysis: pure functions over stored positions (actors, timelines, shifts, comparison, briefings).

See ``docs/analysis.md``. Build a :class:`Ledger` (``Ledger.from_store(store)`` or
``Ledger.build(positions, articles, links)``) and pass it to the functions below.
"""
from .actors import (
    ActorMatch,
    ActorRecord,
    Resolution,
    actor_mapping,
    export_aliases,
    parse_alias_file,
    resolve,
    resolve_actors,
)
from .compare import Comparison, compare
from .ledger import Citation, Ledger
from .report import Report, audit_report, build_report, render_html, render_markdown, write_report
from .shifts import detect_shifts
from .sides import SideEvidence
from .timeline import Timeline, build_timeline, plot_timeline, render_text

__all__ = [
    "ActorMatch", "ActorRecord", "Citation", "Comparison", "Ledger", "Report", "Resolution", "SideEvidence",
    "Timeline", "actor_mapping", "audit_report", "build_report", "build_timeline", "compare", "detect_shifts", "export_aliases",
    "parse_alias_file", "plot_timeline", "render_html", "render_markdown", "render_text", "resolve",
    "resolve_actors", "write_report",
]
