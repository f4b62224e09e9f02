"""Analysis commands: actors, timeline, shifts, compare, report.

Thin: each opens the store, builds a :class:`~parley.analyze.ledger.Ledger`
and calls a pure function of :mod:`parley.analyze`. Every actor name goes
through the one resolver (:meth:`parley.analyze.actors.Resolution.lookup`):
exact first, a fuzzy match said on stderr, ambiguity an error (E506).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ._util import check_output_path, db_option, force_option, handle_errors, render_table, say

if TYPE_CHECKING:
    from ..analyze.actors import ActorMatch
    from ..analyze.ledger import Ledger
    from ..store.sql import SqlStore

F = TypeVar("F", bound=Callable[..., Any])


def _open(db: str | None) -> SqlStore:
    from ..store import open_store

    return open_store(db, must_exist=True)


def _ledger(store: SqlStore, taxonomy: str | None = None, actors: list[str] | None = None,
            everything: bool = False) -> Ledger:
    """The kept ledger (:mod:`parley.analyze.kept`): the whole resolution, and the positions of the
    canonical ``actors`` given (every position with ``everything``)."""
    from ..analyze import kept
    from ..analyze.ledger import Ledger

    tax = store.choose_taxonomy(taxonomy)
    if tax is None:
        return Ledger.build([])
    return kept.ledger(store, tax, None if everything else (actors or []))


def _curated(store: SqlStore, taxonomy: str | None, *names: str) -> None:
    """Re-resolve the kept actors these names belong to (after their curated links changed)."""
    from ..analyze import kept

    tax = store.choose_taxonomy(taxonomy) if taxonomy else None
    kept.curate(store, tax, names)


def _day(value: str | None, argument: str) -> date | None:
    from ..analyze.ledger import parse_day

    return parse_day(value, argument)


def _resolve(ledger: Ledger, name: str, match: str = "exact") -> ActorMatch:
    """The one resolver; a match that is not exact is said on stderr (never a silent substitution)."""
    m = ledger.lookup(name, match)  # type: ignore[arg-type]
    note = m.notice()
    if note:
        say(note, err=True)
    return m


def format_option(*choices: str, default: str = "text") -> Callable[[F], F]:
    """``--format`` (every command's one name for its output format), plus ``--json`` kept hidden as
    a deprecated spelling of ``--format json``."""
    def deco(f: F) -> F:
        f = click.option("--json", "as_json", is_flag=True, hidden=True,
                         help="Deprecated: use --format json.")(f)
        return click.option("--format", "fmt", type=click.Choice(list(choices)), default=default,
                            show_default=True, help="Output format.")(f)
    return deco


def _fmt(fmt: str, as_json: bool) -> str:
    return "json" if as_json else fmt


taxonomy_option = click.option(
    "--taxonomy", default=None, metavar="NAME|FILE",
    help="Positions of this taxonomy (its name, or its file) [default: the configured one, or the only one "
         "stored].")
match_option = click.option(
    "--match", type=click.Choice(["exact", "substring"]), default="exact", show_default=True,
    help="How --actor / names are matched: the actor's name or alias (then a reported close spelling), "
         "or every actor whose name or alias contains it.")
until_option = click.option("--until", default=None, metavar="YYYY-MM-DD", help="Only up to this day.")
undated_option = click.option("--include-undated", is_flag=True,
                              help="Also undated articles (left out of date ranges and time axes otherwise).")


def _dump(obj: Any) -> None:
    click.echo(json.dumps(obj, indent=2, ensure_ascii=False, default=str))


# ---------------------------------------------------------------------------- actors

@click.group("actors", invoke_without_command=True)
@db_option
@format_option("text", "json")
@taxonomy_option
@click.pass_context
@handle_errors
def actors_cmd(ctx: click.Context, db: str | None, fmt: str, as_json: bool, taxonomy: str | None) -> None:
    """List actors across articles: one record per real-world actor, with mention counts, aliases and side.

    Names are merged by title stripping, fuzzy matching and co-occurrence; each
    merge has a confidence. A side is shown only when an article says it (JSON
    gives the evidence); otherwise it is blank (unknown). Undo a wrong merge with
    `parley actors split`, set a side with `parley actors side`.

    \b
    Example:
      parley actors --db demo.db
    """
    if ctx.invoked_subcommand is not None:
        return
    with _open(db) as store:
        ledger = _ledger(store, taxonomy)
    recs = ledger.records
    if _fmt(fmt, as_json) == "json":
        _dump([r.to_dict() for r in recs])
        return
    if not recs:
        click.echo("no actors (extract some positions first: parley run FILES)")
        return
    rows = [(r.name, r.kind, r.side or "", r.mentions, r.articles, f"{r.confidence:.2f}", "; ".join(r.aliases))
            for r in recs]
    click.echo(render_table(["actor", "kind", "side", "mentions", "articles", "conf", "aliases"], rows,
                            [40, 7, 24, 8, 8, 5, 70]))


@actors_cmd.command("show")
@click.argument("name")
@db_option
@format_option("text", "json")
@taxonomy_option
@handle_errors
def actors_show(name: str, db: str | None, fmt: str, as_json: bool, taxonomy: str | None) -> None:
    """One actor: kind, aliases, side with the words that say it, members, merges.

    \b
    Example:
      parley actors show "Anton Brask"
    """
    with _open(db) as store:
        ledger = _ledger(store, taxonomy)
    rec = _resolve(ledger, name).record
    members = [m for m in ledger.resolution.members(rec.name) if m != rec.name]
    if _fmt(fmt, as_json) == "json":
        _dump({**rec.to_dict(), "members": members})
        return
    say(f"{rec.name}  ({rec.kind}; {rec.mentions} positions in {rec.articles} articles)")
    if rec.aliases:
        say(f"aliases:  {'; '.join(rec.aliases)}")
    if rec.side == rec.name:
        say("side:     is a side")
    elif rec.side:
        say(f"side:     {rec.side}")
    else:
        say("side:     unknown" + (f" ({rec.side_note})" if rec.side_note else " (no article says)"))
    for e in rec.side_evidence:
        if e.how != "is the side":
            say(f"  - {e.describe()}")
    if members:
        say(f"members:  {', '.join(members)}")
    for mg in rec.merges:
        say(f"merged:   {mg.a} ~ {mg.b} ({mg.reason}, {mg.confidence:.2f})")


def _said(result: Any) -> None:
    for note in result.notices:
        say(note, err=True)
    say(result.message)


@actors_cmd.command("merge")
@click.argument("a")
@click.argument("b")
@db_option
@taxonomy_option
@handle_errors
def actors_merge(a: str, b: str, db: str | None, taxonomy: str | None) -> None:
    """Merge actor B into actor A (A's name is kept); removes any split between them.

    B keeps every alias and mention on A's record; merging twice changes nothing;
    `parley actors split A B` or `parley actors unlink A B` undoes it. B may also be
    a form the extractor used ("Vardenian leader"): it then counts as A everywhere.

    \b
    Example:
      parley actors merge "Volodymyr Zelensky" "Zelenskyy"
    """
    from ..analyze.curation import merge

    with _open(db) as store:
        _said(merge(store, a, b, taxonomy))


@actors_cmd.command("split")
@click.argument("a")
@click.argument("b")
@db_option
@taxonomy_option
@handle_errors
def actors_split(a: str, b: str, db: str | None, taxonomy: str | None) -> None:
    """Keep actors A and B apart (undoes a wrong merge; wins over automatic merging).

    Each keeps its own aliases and mentions; splitting twice changes nothing;
    `parley actors unlink A B` undoes it.

    \b
    Example:
      parley actors split "Donald Trump" "Donald Trump Jr."
    """
    from ..analyze.curation import split

    with _open(db) as store:
        _said(split(store, a, b, taxonomy))


@actors_cmd.command("unlink")
@click.argument("a")
@click.argument("b")
@db_option
@handle_errors
def actors_unlink(a: str, b: str, db: str | None) -> None:
    """Forget the curated merge or split between A and B: automatic resolution decides again.

    \b
    Example:
      parley actors unlink "Aldo Varga" "Varga"
    """
    from ..analyze.curation import unlink

    with _open(db) as store:
        _said(unlink(store, a, b))


@actors_cmd.command("side")
@click.argument("name")
@click.argument("side")
@db_option
@taxonomy_option
@handle_errors
def actors_side(name: str, side: str, db: str | None, taxonomy: str | None) -> None:
    """Curate the side of actor NAME (kept as the evidence "curated"); SIDE `-` removes the curated side.

    \b
    Example:
      parley actors side "Tom Hale" "Meridian Ports"
    """
    from ..analyze.curation import set_side

    with _open(db) as store:
        _said(set_side(store, name, side, taxonomy))


@actors_cmd.command("export")
@click.argument("file", type=click.Path())
@force_option
@db_option
@taxonomy_option
@handle_errors
def actors_export(file: str, force: bool, db: str | None, taxonomy: str | None) -> None:
    """Write an editable YAML alias file (actors, aliases, sides, splits) to FILE.

    FILE is never the database; an existing FILE is replaced only with --force.

    \b
    Example:
      parley actors export aliases.yml
    """
    from ..analyze.actors import export_aliases
    from ..outfile import write_text

    check_output_path(file, force=force, db=db)
    with _open(db) as store:
        ledger = _ledger(store, taxonomy)
        text = export_aliases(ledger.records, store.actor_links())
    write_text(file, text)
    say(f"wrote {len(ledger.records)} actors to {file}")


@actors_cmd.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@db_option
@handle_errors
def actors_import(file: str, db: str | None) -> None:
    """Read a YAML alias file (as written by `parley actors export`) into curated links.

    \b
    Example:
      parley actors import aliases.yml
    """
    from ..analyze.actors import parse_alias_file, store_link
    from ..errors import AnalysisError

    try:
        text = Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AnalysisError("E502", item=file, detail=getattr(exc, "strerror", None) or str(exc)) from None
    links = parse_alias_file(text, file)
    from ..analyze.curation import _delete

    with _open(db) as store:
        for ln in links:
            if ln.kind == "merge":
                _delete(store, ln.alias, ln.canonical, "split")
            elif ln.kind == "split":
                _delete(store, ln.alias, ln.canonical, "merge")
            store.set_actor_link(store_link(ln))
        _curated(store, None, *[n for ln in links for n in (ln.alias, ln.canonical)])
    kinds = {k: sum(1 for ln in links if ln.kind == k) for k in ("merge", "split", "side")}
    click.echo(f"imported {kinds['merge']} aliases, {kinds['split']} splits, {kinds['side']} sides from {file}")


# ---------------------------------------------------------------------------- timeline / shifts / compare

@click.command("timeline")
@click.option("--actor", required=True, help="Actor name, alias or side.")
@match_option
@click.option("--issue", default=None, help="Only this issue.")
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="Only from this day.")
@until_option
@undated_option
@click.option("--plot", "plot", type=click.Path(), default=None,
              help="Also draw the chart to FILE.png or FILE.svg.")
@force_option
@format_option("text", "json")
@taxonomy_option
@db_option
@handle_errors
def timeline_cmd(actor: str, match: str, issue: str | None, since: str | None, until: str | None,
                 include_undated: bool, plot: str | None, force: bool, fmt: str, as_json: bool,
                 taxonomy: str | None, db: str | None) -> None:
    """An actor's stances per issue over time, each point citing its article and sentence.

    Undated articles have no place on a time axis: they are left out (and counted)
    unless --include-undated, which shows them in an "undated" column.

    \b
    Example:
      parley timeline --actor "Ivo Renner" --issue talks --plot renner.png
    """
    from ..analyze.timeline import build_timeline, plot_timeline, render_text
    from ..outfile import write_bytes

    d0, d1 = _day(since, "since"), _day(until, "until")
    check_output_path(plot, force=force, db=db)
    with _open(db) as store:
        names = _ledger(store, taxonomy)
        m = _resolve(names, actor, match)
        ledger = _ledger(store, taxonomy, names.members_of(m))
        tl = build_timeline(ledger, m, issue, d0, d1, include_undated)
    if plot:
        write_bytes(plot, plot_timeline(tl, fmt=Path(plot).suffix.lstrip(".").lower() or "png"))
    if _fmt(fmt, as_json) == "json":
        _dump(tl.to_dict())
    else:
        say(render_text(tl), nl=False)
        if plot:
            click.echo(f"chart: {plot}")


@click.command("shifts")
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="Only shifts dated on or after this day.")
@until_option
@undated_option
@click.option("--actor", default=None, help="Only this actor (or side).")
@match_option
@click.option("--issue", default=None, help="Only this issue.")
@format_option("text", "json")
@taxonomy_option
@db_option
@handle_errors
def shifts_cmd(since: str | None, until: str | None, include_undated: bool, actor: str | None, match: str,
               issue: str | None, fmt: str, as_json: bool, taxonomy: str | None, db: str | None) -> None:
    """Changes of stance by the same actor on the same issue across articles, cited before and after.

    Undated articles take no part in detected shifts; an announced shift in an
    undated article is left out of --since/--until unless --include-undated.

    \b
    Example:
      parley shifts --since 2026-06-01 --actor Renner
    """
    from ..analyze.kept import kept_shifts
    from ..analyze.shifts import shift_to_dict

    d0, d1 = _day(since, "since"), _day(until, "until")
    with _open(db) as store:
        names = _ledger(store, taxonomy)
        m = _resolve(names, actor, match) if actor else None
        tax = store.choose_taxonomy(taxonomy)
        shifts = [] if tax is None else kept_shifts(store, tax, names.members_of(m) if m else None, issue, d0, d1,
                                                    include_undated)
    if _fmt(fmt, as_json) == "json":
        _dump([shift_to_dict(s) for s in shifts])
        return
    if not shifts:
        click.echo("no shifts found")
        return
    for s in shifts:
        how = "announced" if s.announced else "detected"
        say(f"{s.actor} on {s.issue}: {s.before} -> {s.after} "
                   f"({s.date_before or 'undated'} -> {s.date_after or 'undated'}, {how})")
        if s.evidence_before is not None:
            say(f"  before [{s.evidence_before.article_id}]: \"{s.evidence_before.text}\"")
        say(f"  after  [{s.evidence_after.article_id}]: \"{s.evidence_after.text}\"")


@click.command("compare")
@click.argument("a")
@click.argument("b")
@match_option
@click.option("--issue", default=None, help="Only this issue.")
@format_option("text", "json")
@taxonomy_option
@db_option
@handle_errors
def compare_cmd(a: str, b: str, match: str, issue: str | None, fmt: str, as_json: bool, taxonomy: str | None,
                db: str | None) -> None:
    """Two parties side by side per issue: latest positions, conditions met/contradicted/ignored,
    red-line clashes, common ground and a one-line zone of possible agreement, with citations.

    Two parties on one side (an actor and its own side) are refused (E508); a party
    whose side no article gives is shown "(side unknown)".

    \b
    Example:
      parley compare Vardenia "Kestrel Federation" --issue territory
    """
    from ..analyze.compare import compare
    from ..analyze.sources import render_refs

    with _open(db) as store:
        names = _ledger(store, taxonomy)
        from ..analyze.kept import compare_ledger

        ma, mb = _resolve(names, a, match), _resolve(names, b, match)
        tax = store.choose_taxonomy(taxonomy)
        ledger = compare_ledger(store, tax, [names.members_of(ma), names.members_of(mb)]) if tax else names
        comp = compare(ledger, ma, mb, issue)
    if _fmt(fmt, as_json) == "json":
        _dump(comp.to_dict())
        return
    say(f"{comp.a_label}  vs  {comp.b_label}")
    if not comp.issues:
        say("no positions on any shared issue")
    for ic in comp.issues:
        say(f"\n== {ic.issue}")
        for name, label, ps in ((comp.a, comp.a_label, ic.a), (comp.b, comp.b_label, ic.b)):
            if not ps:
                say(f"  {label}: (no stated position)")
            for p in ps:
                text = render_refs(comp.describe(p, actor=p.actor != name))
                if p.red_line:
                    text = text.replace(" (red line)", " RED LINE", 1)
                say(f"  {label}: {text} [{comp.ref(p)}]")
        for c in ic.conditions:
            say(f"  condition of {c.holder}: \"{render_refs(c.shown or c.condition)}\" -> {c.verdict} "
                       f"({c.reason})" + "".join(f" [{comp.ref(r)}]" for r in c.relevant))
        for c in ic.clashes:
            say(f"  CLASH: {render_refs(c.explanation)} [{comp.ref(c.red)}][{comp.ref(c.other)}]")
        if ic.common_ground:
            say(f"  common ground: {ic.common_ground}")
        say(f"  => {render_refs(ic.zopa)}")
    if comp.notes.items:
        say("\nSources:")
        for i, c in enumerate(comp.notes.items, 1):
            say(f"[{i}] {c.label()}\n    \"{c.sentence}\"")


@click.command("report")
@click.option("--actor", default=None, help="Brief on this actor (or side) against the others.")
@match_option
@click.option("--issue", default=None, help="Only this issue.")
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="Shifts, conditions and red lines since this day.")
@until_option
@undated_option
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True,
              help="Output format.")
@click.option("-o", "--output", type=click.Path(allow_dash=True), default=None,
              help="Write to FILE (default stdout); never the database, an existing FILE only with --force.")
@click.option("--max-items", type=click.IntRange(min=0), default=25, show_default=True,
              help="At most this many items per list (the most recent; a chart draws three times as many "
                   "points), saying how many are left out; 0 lists everything.")
@force_option
@taxonomy_option
@db_option
@handle_errors
def report_cmd(actor: str | None, match: str, issue: str | None, since: str | None, until: str | None,
               include_undated: bool, fmt: str, output: str | None, max_items: int, force: bool,
               taxonomy: str | None, db: str | None) -> None:
    """A briefing: current positions of each party, new conditions and red lines, shifts, clashes and
    common ground, every claim footnoted to its article (title, outlet, date, URL, id) and sentence.

    "New" (--since/--until) counts dated articles only, unless --include-undated.
    HTML is one self-contained file (escaped text, timeline charts embedded as PNG,
    chart points numbered like the footnotes).

    \b
    Example:
      parley report --since 2026-06-01 --format html -o briefing.html
    """
    from ..analyze.report import build_report, write_report
    from ..outfile import write_text

    d0, d1 = _day(since, "since"), _day(until, "until")
    check_output_path(output, force=force, db=db)
    from ..analyze.kept import report_shifts

    with _open(db) as store:
        ledger = _ledger(store, taxonomy, everything=True)
        m = _resolve(ledger, actor, match) if actor else None
        shifts, more = report_shifts(store, ledger.taxonomy, issue, d0, d1, include_undated,
                                     None if m else max_items)
        rep = build_report(ledger, actor=m, issue=issue, since=d0, charts=(fmt == "html"), until=d1,
                           include_undated=include_undated, shifts=shifts, max_items=max_items, shifts_more=more)
        text = write_report(rep, fmt)
    if output == "-":
        output = None
    if output:
        write_text(output, text)
        click.echo(f"wrote {output} ({len(rep.footnotes)} sources)")
    else:
        say(text, nl=False)


@click.command("rebuild")
@click.option("--taxonomy", default=None, metavar="NAME|FILE",
              help="Only this taxonomy's ledger [default: every stored taxonomy].")
@db_option
@handle_errors
def rebuild_cmd(taxonomy: str | None, db: str | None) -> None:
    """Resolve actors, timelines and shifts again from every stored position (the kept ledger).

    Positions are added to the kept ledger as they are stored (`parley run`,
    `parley extract`, the API): new names are resolved against the actors already
    kept, and an update never merges or splits those. A rebuild reconsiders
    everything, with the curated merges, splits and sides; actors keep their ids
    where their names survive. It is also done on its own when the curated links
    were changed by something other than Parley's commands.

    \b
    Example:
      parley rebuild --db corpus.db
    """
    from ..analyze import kept
    from ..store.base import taxonomy_name

    with _open(db) as store:
        reports = kept.rebuild(store, taxonomy_name(taxonomy) if taxonomy else None)
    for rep in reports:
        click.echo(rep.summary())
    if not reports:
        click.echo("no positions: nothing to resolve")


COMMANDS = [actors_cmd, timeline_cmd, shifts_cmd, compare_cmd, report_cmd, rebuild_cmd]
