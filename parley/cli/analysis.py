"""Analysis commands: actors, timeline, shifts, compare, report.

Thin: each opens the store, builds a :class:`~parley.analyze.ledger.Ledger`
and calls a pure function of :mod:`parley.analyze`.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ._util import check_output_path, db_option, force_option, handle_errors, render_table, say


def _open(db: str | None) -> Any:
    from ..store import open_store

    return open_store(db, must_exist=True)


def _ledger(store: Any) -> Any:
    from ..analyze.ledger import Ledger

    return Ledger.from_store(store)


def _since(value: str | None):
    from ..analyze.ledger import parse_since

    return parse_since(value)


# ---------------------------------------------------------------------------- actors

@click.group("actors", invoke_without_command=True)
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON (records with aliases, side, merges).")
@click.pass_context
@handle_errors
def actors_cmd(ctx: click.Context, db: str | None, as_json: bool) -> None:
    """List actors across articles: one record per real-world actor, with mention counts, aliases and side.

    Names are merged by title stripping, fuzzy matching and co-occurrence; each
    merge has a confidence. Undo a wrong merge with `parley actors split`.

    \b
    Example:
      parley actors --db demo.db
    """
    if ctx.invoked_subcommand is not None:
        return
    with _open(db) as store:
        ledger = _ledger(store)
    recs = ledger.records
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in recs], indent=2, ensure_ascii=False))
        return
    if not recs:
        click.echo("no actors (extract some positions first: parley run FILES)")
        return
    rows = [(r.name, r.kind, r.side or "", r.mentions, r.articles, f"{r.confidence:.2f}", "; ".join(r.aliases))
            for r in recs]
    click.echo(render_table(["actor", "kind", "side", "mentions", "articles", "conf", "aliases"], rows,
                            [40, 7, 24, 8, 8, 5, 70]))


def _pair_names(ledger: Any, a: str, b: str) -> tuple[str, str]:
    ra, rb = ledger.resolution.find(a), ledger.resolution.find(b)
    return ra.name, rb.name


@actors_cmd.command("merge")
@click.argument("a")
@click.argument("b")
@db_option
@handle_errors
def actors_merge(a: str, b: str, db: str | None) -> None:
    """Merge actor B into actor A (A's name is kept); removes any split between them.

    \b
    Example:
      parley actors merge "Volodymyr Zelensky" "Zelenskyy"
    """
    from ..store.base import ActorLink

    with _open(db) as store:
        ledger = _ledger(store)
        ca, cb = _pair_names(ledger, a, b)
        for x, y in ((a, b), (b, a), (ca, cb), (cb, ca)):
            _delete(store, x, y, "split")
        # the record keeps A's name as typed (its canonical spelling when only the case differs)
        store.set_actor_link(ActorLink(b, ca if a.casefold() == ca.casefold() else a, "merge", "manual", 1.0))
    say(f"merged {b!r} into {a!r}")


@actors_cmd.command("split")
@click.argument("a")
@click.argument("b")
@db_option
@handle_errors
def actors_split(a: str, b: str, db: str | None) -> None:
    """Keep actors A and B apart (undoes a wrong merge; wins over automatic merging).

    \b
    Example:
      parley actors split "Donald Trump" "Donald Trump Jr."
    """
    from ..store.base import ActorLink

    with _open(db) as store:
        ledger = _ledger(store)
        _pair_names(ledger, a, b)     # both must exist (E501)
        for x, y in ((a, b), (b, a)):
            _delete(store, x, y, "merge")
        store.set_actor_link(ActorLink(b, a, "split", "manual", 1.0))
    say(f"split {b!r} from {a!r}")


def _delete(store: Any, alias: str, canonical: str, kind: str) -> None:
    for ln in store.actor_links():
        if ln.alias == alias and ln.canonical == canonical and ln.kind == kind:
            store.delete_actor_link(alias, canonical)


@actors_cmd.command("export")
@click.argument("file", type=click.Path())
@force_option
@db_option
@handle_errors
def actors_export(file: str, force: bool, db: str | None) -> None:
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
        ledger = _ledger(store)
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
    with _open(db) as store:
        for ln in links:
            if ln.kind == "merge":
                _delete(store, ln.alias, ln.canonical, "split")
            elif ln.kind == "split":
                _delete(store, ln.alias, ln.canonical, "merge")
            store.set_actor_link(store_link(ln))
    kinds = {k: sum(1 for ln in links if ln.kind == k) for k in ("merge", "split", "side")}
    click.echo(f"imported {kinds['merge']} aliases, {kinds['split']} splits, {kinds['side']} sides from {file}")


# ---------------------------------------------------------------------------- timeline / shifts / compare

@click.command("timeline")
@click.option("--actor", required=True, help="Actor name, alias or side.")
@click.option("--issue", default=None, help="Only this issue.")
@click.option("--plot", "plot", type=click.Path(), default=None,
              help="Also draw the chart to FILE.png or FILE.svg.")
@force_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of the text chart.")
@db_option
@handle_errors
def timeline_cmd(actor: str, issue: str | None, plot: str | None, force: bool, as_json: bool,
                 db: str | None) -> None:
    """An actor's stances per issue over time, each point citing its article and sentence.

    Undated articles are placed at their ingestion date and marked with *.

    \b
    Example:
      parley timeline --actor "Ivo Renner" --issue talks --plot renner.png
    """
    from ..analyze.timeline import build_timeline, plot_timeline, render_text
    from ..outfile import write_bytes

    check_output_path(plot, force=force, db=db)
    with _open(db) as store:
        ledger = _ledger(store)
    tl = build_timeline(ledger, actor, issue)
    if plot:
        write_bytes(plot, plot_timeline(tl, fmt=Path(plot).suffix.lstrip(".").lower() or "png"))
    if as_json:
        click.echo(json.dumps(tl.to_dict(), indent=2, ensure_ascii=False))
    else:
        say(render_text(tl), nl=False)
        if plot:
            click.echo(f"chart: {plot}")


@click.command("shifts")
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="Only shifts dated on or after this day.")
@click.option("--actor", default=None, help="Only this actor (or side).")
@click.option("--issue", default=None, help="Only this issue.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_option
@handle_errors
def shifts_cmd(since: str | None, actor: str | None, issue: str | None, as_json: bool, db: str | None) -> None:
    """Changes of stance by the same actor on the same issue across articles, cited before and after.

    \b
    Example:
      parley shifts --since 2026-06-01 --actor Renner
    """
    from ..analyze.shifts import detect_shifts, shift_to_dict

    d = _since(since)
    with _open(db) as store:
        ledger = _ledger(store)
    shifts = detect_shifts(ledger, since=d, actor=actor, issue=issue)
    if as_json:
        click.echo(json.dumps([shift_to_dict(s) for s in shifts], indent=2, ensure_ascii=False))
        return
    if not shifts:
        click.echo("no shifts found")
        return
    for s in shifts:
        how = "announced" if s.announced else "detected"
        say(f"{s.actor} on {s.issue}: {s.before} -> {s.after} "
                   f"({s.date_before or '?'} -> {s.date_after or '?'}, {how})")
        if s.evidence_before is not None:
            say(f"  before [{s.evidence_before.article_id}]: \"{s.evidence_before.text}\"")
        say(f"  after  [{s.evidence_after.article_id}]: \"{s.evidence_after.text}\"")


@click.command("compare")
@click.argument("a")
@click.argument("b")
@click.option("--issue", default=None, help="Only this issue.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@db_option
@handle_errors
def compare_cmd(a: str, b: str, issue: str | None, as_json: bool, db: str | None) -> None:
    """Two parties side by side per issue: latest positions, conditions met/contradicted/ignored,
    red-line clashes, common ground and a one-line zone of possible agreement, with citations.

    \b
    Example:
      parley compare Vardenia "Kestrel Federation" --issue territory
    """
    from ..analyze.compare import compare

    with _open(db) as store:
        ledger = _ledger(store)
    comp = compare(ledger, a, b, issue)
    if as_json:
        click.echo(json.dumps(comp.to_dict(), indent=2, ensure_ascii=False, default=str))
        return
    say(f"{comp.a}  vs  {comp.b}")
    if not comp.issues:
        click.echo("no positions on any shared issue")
    for ic in comp.issues:
        say(f"\n== {ic.issue}")
        for label, ps in ((comp.a, ic.a), (comp.b, ic.b)):
            if not ps:
                say(f"  {label}: (no stated position)")
            for p in ps:
                extra = " RED LINE" if p.red_line else ""
                cond = f" {p.condition_phrase()}" if p.conditions else ""
                who = "" if p.actor == label else f"({p.actor}) "
                what = f": {p.proposition}" if p.proposition else ""
                say(f"  {label}: {who}{p.stance}{extra}{what}{(',' + cond) if cond else ''} [{comp.ref(p)}]")
        for c in ic.conditions:
            say(f"  condition of {c.holder}: \"{c.condition}\" -> {c.verdict} ({c.reason})"
                       + "".join(f" [{comp.ref(r)}]" for r in c.relevant))
        for c in ic.clashes:
            say(f"  CLASH: {c.explanation} [{comp.ref(c.red)}][{comp.ref(c.other)}]")
        if ic.common_ground:
            say(f"  common ground: {ic.common_ground}")
        say(f"  => {ic.zopa}")
    if comp.notes.items:
        click.echo("\nSources:")
        for i, c in enumerate(comp.notes.items, 1):
            say(f"[{i}] {c.label()}\n    \"{c.sentence}\"")


@click.command("report")
@click.option("--actor", default=None, help="Brief on this actor (or side) against the others.")
@click.option("--issue", default=None, help="Only this issue.")
@click.option("--since", default=None, metavar="YYYY-MM-DD", help="Shifts, conditions and red lines since this day.")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
@click.option("-o", "--output", type=click.Path(allow_dash=True), default=None,
              help="Write to FILE (default stdout); never the database, an existing FILE only with --force.")
@force_option
@db_option
@handle_errors
def report_cmd(actor: str | None, issue: str | None, since: str | None, fmt: str, output: str | None,
               force: bool, db: str | None) -> None:
    """A briefing: current positions of each party, new conditions and red lines, shifts, clashes and
    common ground, every claim footnoted to its article (title, date, id) and sentence.

    HTML is one self-contained file (escaped text, timeline charts embedded as PNG).

    \b
    Example:
      parley report --since 2026-06-01 --format html -o briefing.html
    """
    from ..analyze.report import build_report, write_report
    from ..outfile import write_text

    d = _since(since)
    check_output_path(output, force=force, db=db)
    with _open(db) as store:
        ledger = _ledger(store)
    rep = build_report(ledger, actor=actor, issue=issue, since=d, charts=(fmt == "html"))
    text = write_report(rep, fmt)
    if output == "-":
        output = None
    if output:
        write_text(output, text)
        click.echo(f"wrote {output} ({len(rep.footnotes)} sources)")
    else:
        say(text, nl=False)


COMMANDS = [actors_cmd, timeline_cmd, shifts_cmd, compare_cmd, report_cmd]
