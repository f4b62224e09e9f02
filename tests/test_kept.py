"""The kept ledger (parley/analyze/kept.py): actors, timelines and shifts computed when positions are
stored, kept in tables, on SQLite and PostgreSQL; updated incrementally; curated links authoritative;
the CLI's analysis commands read the tables."""
from __future__ import annotations

import json
from datetime import date

import ledger_data
import pytest
from click.testing import CliRunner

from parley.analyze import curation, kept
from parley.analyze.ledger import Ledger
from parley.analyze.shifts import detect_shifts
from parley.cli import main
from parley.model import Article, Evidence, Position
from parley.store import open_store
from parley.store.ledger import LedgerChange, StaleLedger


@pytest.fixture(params=["sqlite", "pg"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "kept.db")
    return request.getfixturevalue("pg_url")


def _records(res):
    return sorted((r.name, r.kind, r.side, r.mentions, r.articles, tuple(sorted(r.aliases))) for r in res.records)


def _attribution(store, tax="default"):
    return {pt.position.id: pt.actor for pt in store.ledger.points(tax)}


def _article(text: str, title: str, day: date | None) -> Article:
    return Article.create(text, title=title, published=day)


def _pos(actor: str, issue: str, stance: str, art: Article, needle: str, **kw) -> Position:
    s = art.text.index(needle)
    e = art.text.index(".", s) + 1
    return Position(actor, issue, stance, Evidence(s, e, art.text[s:e], art.id), **kw)


def test_a_rebuild_keeps_what_the_resolver_computes(url):
    with open_store(url) as s:
        ledger_data.build(s)
        [rep] = kept.refresh(s)
        assert rep.mode == "rebuild" and rep.added == s.count_positions()
        fresh = Ledger.from_store(s, taxonomy="default")
        res, ids = kept.resolution(s, "default")
        assert _records(res) == _records(fresh.resolution)
        assert {n: r.side for n, r in ((r.name, r) for r in res.records)}["Omar Vey"] == "Teral"
        assert _attribution(s) == {p.id: p.actor for p in fresh.positions}
        want = sorted((x.actor, x.issue, x.before, x.after, x.after_id) for x in detect_shifts(fresh, include_undated=True))
        got = sorted((x.actor, x.issue, x.before, x.after, x.after_id)
                     for x in kept.kept_shifts(s, "default", include_undated=True))
        assert got == want and ("Lena Marsh", "talks", "oppose", "conditional") in {g[:4] for g in got}
        # the timeline of an actor is its kept points in date order, undated last
        days = [pt.day for pt in s.ledger.points("default", [ids["Lena Marsh"]])]
        assert days[-1] is None and days[:-1] == sorted(d for d in days if d)


def test_an_update_resolves_new_names_against_the_kept_actors(url):
    with open_store(url) as s:
        arts = ledger_data.build(s, ["a1", "a2", "a3", "a4"])
        kept.refresh(s)
        before = kept.resolution(s, "default")[1]
        new = _article("Osvanian Foreign Minister Ines Dal said Osvania would accept observers. Vey said Teral "
                       "would not.", "Dal backs observers", date(2025, 5, 1))
        s.add_article(new)
        s.save_positions(new.id, "hand", "1", [
            _pos("Ines Dal", "ceasefire", "support", new, "Osvanian Foreign", aliases=("Osvanian Foreign Minister Ines Dal",)),
            _pos("Vey", "ceasefire", "oppose", new, "Vey said")])
        [rep] = kept.refresh(s)
        assert rep.mode == "update" and rep.added == 2 and rep.new_actors == 1
        res, ids = kept.resolution(s, "default")
        assert {k: v for k, v in ids.items() if k in before} == before          # kept actors keep their ids
        dal = res.record("Ines Dal")
        assert dal is not None and dal.side == "Osvania" and dal.mentions == 1
        assert res.record("Omar Vey").mentions == 4                           # "Vey" joined Omar Vey
        updated = _attribution(s)
        kept.rebuild(s, "default")
        assert _attribution(s) == updated                                     # as a rebuild attributes them
        # the new shift of Omar Vey on the ceasefire (support -> oppose) was computed by the update
        assert ("Omar Vey", "ceasefire", "support", "oppose") in {
            (x.actor, x.issue, x.before, x.after) for x in kept.kept_shifts(s, "default")}
        del arts


def test_an_update_does_not_resolve_the_whole_ledger_again(tmp_path, monkeypatch):
    """Adding one article to a ledger of 120 resolves its names against the few kept actors they could
    join, not every position."""
    seen: list[int] = []
    real = kept.resolve

    def spy(positions, *a, **kw):
        seen.append(len(positions))
        return real(positions, *a, **kw)

    monkeypatch.setattr(kept, "resolve", spy)
    with open_store(str(tmp_path / "big.db")) as s:
        ledger_data.build(s)
        surnames = ["Abel", "Brook", "Carver", "Dunn", "Ellis", "Frost", "Grove", "Hale", "Irwin", "Jarvis"]
        for i in range(120):
            name = f"{['Anna', 'Boris', 'Clara', 'Dmitri'][i % 4]} {surnames[i % 10]}{'ton' * (i // 10)}"
            a = _article(f"Mayor {name} said the city supports the plan number {i}.", f"Plan {i}", date(2025, 6, 1))
            s.add_article(a)
            s.save_positions(a.id, "hand", "1", [_pos(name, "plan", "support", a, "Mayor")])
        kept.refresh(s)
        total = s.count_positions()
        assert seen[-1] == total                       # the first build resolves everything
        a = _article("Omar Vey said Teral opposes the plan.", "Vey on the plan", date(2025, 7, 1))
        s.add_article(a)
        s.save_positions(a.id, "hand", "1", [_pos("Omar Vey", "plan", "oppose", a, "Omar Vey")])
        [rep] = kept.refresh(s)
        assert rep.mode == "update" and rep.added == 1 and rep.touched_actors <= 2
        assert seen[-1] < 10 < total                   # its name, and the kept actor it joins
        assert kept.resolution(s, "default")[0].record("Omar Vey").mentions == 4


def test_curated_merges_and_splits_stay_authoritative(url):
    with open_store(url) as s:
        ledger_data.build(s, ["a1", "a2", "a3"])
        kept.refresh(s)

        def add(text: str, actor: str, day: date) -> None:
            a = _article(text, "More", day)
            s.add_article(a)
            s.save_positions(a.id, "hand", "1", [_pos(actor, "talks", "support", a, actor)])

        add("Marsh said talks could start in May.", "Marsh", date(2025, 4, 1))
        kept.refresh(s)
        res, _ = kept.resolution(s, "default")
        assert res.record("Lena Marsh").mentions == 4 and "Marsh" in res.record("Lena Marsh").aliases
        curation.split(s, "Lena Marsh", "Marsh")
        res, _ = kept.resolution(s, "default")
        assert res.record("Lena Marsh").mentions == 3 and res.record("Marsh").mentions == 1
        add("Marsh said talks could start in June.", "Marsh", date(2025, 4, 9))
        [rep] = kept.refresh(s)
        assert rep.mode == "update"
        res, _ = kept.resolution(s, "default")
        assert res.record("Marsh").mentions == 2 and res.record("Lena Marsh").mentions == 3   # the split holds
        kept.rebuild(s, "default")
        assert kept.resolution(s, "default")[0].record("Marsh").mentions == 2               # also in a rebuild
        curation.merge(s, "Lena Marsh", "Marsh")
        add("Marsh said talks could start in July.", "Marsh", date(2025, 4, 20))
        kept.refresh(s)
        res, _ = kept.resolution(s, "default")
        assert res.record("Lena Marsh").mentions == 6 and res.record("Marsh") is None
        assert s.ledger.state("default").links_hash == kept.links_hash(s.actor_links())


def test_re_extraction_drops_the_old_points_and_recomputes_the_shifts(url):
    with open_store(url) as s:
        arts = ledger_data.build(s)
        kept.refresh(s)
        a2 = arts["a2"]
        old = s.positions(article_id=a2.id)
        s.save_positions(a2.id, "hand", "2", [old[0].with_(stance="support", conditions=(), previous_stance=None)])
        [rep] = kept.refresh(s)
        assert rep.mode == "update" and rep.removed == 2 and rep.added == 1
        assert s.ledger.orphans("default") == [] and s.ledger.count_pending("default") == 0
        marsh = {(x.before, x.after) for x in kept.kept_shifts(s, "default", ["Lena Marsh"], "talks")}
        assert marsh == {("oppose", "support")}
        assert ("Omar Vey", "territory") not in {(pt.actor, pt.position.issue) for pt in s.ledger.points("default")}


def test_actor_ids_survive_a_rebuild_and_a_stale_change_is_refused(tmp_path):
    with open_store(str(tmp_path / "ids.db")) as s:
        ledger_data.build(s)
        kept.refresh(s)
        ids = dict(kept.resolution(s, "default")[1])
        kept.rebuild(s, "default")
        assert kept.resolution(s, "default")[1] == ids
        st = s.ledger.state("default")
        with pytest.raises(StaleLedger):
            s.ledger.apply(LedgerChange("default", st.version - 1, st.links_hash, "update"))


def test_links_changed_behind_its_back_are_applied_at_the_next_read(tmp_path):
    from parley.store.base import ActorLink

    with open_store(str(tmp_path / "links.db")) as s:
        ledger_data.build(s)
        kept.refresh(s)
        s.set_actor_link(ActorLink("Omar Vey", "Lena Marsh", "merge"))        # not through Parley's commands
        kept.ensure(s, "default")
        assert s.ledger.state("default").last_mode == "rebuild"
        assert kept.resolution(s, "default")[0].record("Lena Marsh").mentions == 8


def test_the_analysis_commands_read_the_kept_tables(tmp_path):
    db = str(tmp_path / "cli.db")
    with open_store(db) as s:
        ledger_data.build(s)                       # stored without a refresh: the first read catches up
    run = CliRunner()
    r = run.invoke(main, ["actors", "--format", "json", "--db", db])
    assert r.exit_code == 0, r.output
    assert {a["name"]: a["side"] for a in json.loads(r.output)}["Omar Vey"] == "Teral"
    with open_store(db) as s:                      # what is kept is what is shown, not a recomputation
        with s.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE ledger_actors SET side = 'Nowhere' WHERE name = 'Omar Vey'")
            conn.exec_driver_sql("UPDATE ledger_state SET version = version + 1")     # readers cache on it
    r = run.invoke(main, ["actors", "--format", "json", "--db", db])
    assert {a["name"]: a["side"] for a in json.loads(r.output)}["Omar Vey"] == "Nowhere"
    r = run.invoke(main, ["shifts", "--format", "json", "--db", db])
    assert r.exit_code == 0, r.output
    assert {(x["actor"], x["before"], x["after"]) for x in json.loads(r.output)} >= {("Lena Marsh", "oppose", "conditional")}
    r = run.invoke(main, ["timeline", "--actor", "Marsh", "--format", "json", "--db", db])
    assert r.exit_code == 0 and json.loads(r.stdout)["actor"] == "Lena Marsh" and "Lena Marsh" in r.stderr
    r = run.invoke(main, ["rebuild", "--db", db])
    assert r.exit_code == 0 and "rebuild" in r.output
    r = run.invoke(main, ["actors", "--format", "json", "--db", db])
    assert {a["name"]: a["side"] for a in json.loads(r.output)}["Omar Vey"] == "Teral"


def test_compare_reads_each_partys_last_day_and_says_what_the_whole_ledger_says(url):
    from parley.analyze.compare import compare

    with open_store(url) as s:
        arts = ledger_data.build(s)
        later = _article("Lena Marsh said Osvania opposes a ceasefire now. Omar Vey said Teral backs talks.",
                         "Later", date(2025, 5, 1))
        s.add_article(later)
        s.save_positions(later.id, "hand", "1", [_pos("Lena Marsh", "ceasefire", "oppose", later, "Lena Marsh"),
                                                 _pos("Omar Vey", "talks", "support", later, "Omar Vey")])
        kept.refresh(s)
        _res, ids = kept.resolution(s, "default")
        uids = {pt.position_id: pt.position.id for pt in s.ledger.points("default")}
        by_uid = {p.id: (p.issue, p.published, p.article_id)
                  for p in kept.ledger(s, "default").positions}
        marsh = [uids[i] for i in s.ledger.last_day_points("default", [ids["Lena Marsh"]])]
        # talks: an undated article (a4) counts as after every dated one; ceasefire: only the later day
        assert sorted((by_uid[u][0], by_uid[u][2]) for u in marsh) == sorted(
            [("talks", arts["a4"].id), ("ceasefire", later.id), ("trade", arts["xss"].id)])
        assert s.ledger.last_day_points("default", []) == []
        whole = kept.ledger(s, "default")
        for a, b, issue in (("Osvania", "Teral", None), ("Lena Marsh", "Omar Vey", None),
                            ("Osvania", "Teral", "ceasefire"), ("Teral", "Lena Marsh", "talks")):
            ma, mb = whole.lookup(a), whole.lookup(b)
            small = kept.compare_ledger(s, "default", [whole.members_of(ma), whole.members_of(mb)])
            assert len(small.positions) < len(whole.positions)
            assert compare(small, a, b, issue).to_dict() == compare(whole, a, b, issue).to_dict()
