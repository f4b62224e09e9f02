"""The SQLite store: articles, positions, search, runs, actor links, interruption safety."""
from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from parley.errors import StoreError
from parley.model import Article, Evidence, Position
from parley.store import SCHEMA_VERSION, ActorLink, SqlStore, open_store

TEXT_A = ("Teldor's foreign minister Ana Prell said on Monday that her government would join "
          "talks with Marvia only if the blockade of the northern ports is lifted. "
          "Marvian officials rejected any ceasefire while Teldorian troops remain near the river.")
TEXT_B = ("The Union of Harbour Pilots will never accept the new pension formula, its leader "
          "Joss Kendrick told reporters. The port authority said it supports mediation.")
TEXT_C = "Officials in Quessa welcomed the prisoner exchange announced by both sides on Friday."


def sentence_evidence(text: str, needle: str) -> Evidence:
    """Evidence for the sentence of ``text`` that contains ``needle`` (offsets exact)."""
    i = text.index(needle)
    start = text.rfind(". ", 0, i)
    start = 0 if start < 0 else start + 2
    end = text.find(".", i) + 1
    return Evidence(start=start, end=end, text=text[start:end])


def pos(text: str, needle: str, actor: str, issue: str, stance: str, **kw) -> Position:
    return Position(actor=actor, issue=issue, stance=stance, evidence=sentence_evidence(text, needle), **kw)


@pytest.fixture
def store(db_path: Path) -> SqlStore:
    with open_store(str(db_path)) as s:
        yield s


@pytest.fixture
def filled(store: SqlStore) -> SqlStore:
    a = Article.create(TEXT_A, title="Teldor sets terms", published=date(2024, 3, 4))
    b = Article.create(TEXT_B, title="Pilots dig in", published=date(2024, 1, 10))
    store.add_article(a)
    store.add_article(b)
    store.save_positions(a.id, "rules", "1", [
        pos(TEXT_A, "join", "Ana Prell", "talks", "conditional", aliases=("Prell", "Teldor's foreign minister"),
            conditions=("the blockade of the northern ports is lifted",)),
        pos(TEXT_A, "rejected", "Marvia", "ceasefire", "oppose"),
    ])
    store.save_positions(b.id, "rules", "1", [
        pos(TEXT_B, "never accept", "Union of Harbour Pilots", "other", "oppose", red_line=True,
            speaker="Joss Kendrick"),
        pos(TEXT_B, "supports mediation", "port authority", "talks", "support"),
    ])
    return store


# ----------------------------------------------------------------------------- opening

def test_open_creates_file_with_wal_and_foreign_keys(db_path: Path) -> None:
    with open_store(str(db_path)) as s:
        assert s.schema_version() == SCHEMA_VERSION == 12
        with s.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert db_path.exists()


def test_open_accepts_sqlite_url_and_memory(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'u.db'}") as s:
        s.add_article(Article.create(TEXT_C))
    with open_store(str(tmp_path / "u.db")) as s:
        assert s.count_articles() == 1
    with open_store(":memory:") as s:
        assert s.count_articles() == 0


def test_open_uses_parley_db_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from parley.config import settings

    monkeypatch.setenv("PARLEY_DB", str(tmp_path / "env.db"))
    settings.cache_clear()
    try:
        with open_store() as s:
            assert s.url.endswith("env.db")
    finally:
        settings.cache_clear()
    assert (tmp_path / "env.db").exists()


@pytest.mark.parametrize("url", ["mysql://u:p@h/db", "oracle://x", "://nothing"])
def test_bad_url_is_e206(url: str) -> None:
    with pytest.raises(StoreError) as err:
        open_store(url)
    assert err.value.code == "E206"


def test_unreachable_postgres_is_e201() -> None:
    with pytest.raises(StoreError) as err:
        open_store("postgresql+psycopg://nobody:secret@127.0.0.1:1/parley")
    assert err.value.code == "E201"
    assert "secret" not in err.value.message            # the password is never shown


def test_missing_directory_is_e201(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as err:
        open_store(str(tmp_path / "no" / "such" / "dir" / "x.db"))
    assert err.value.code == "E201"


def test_not_a_database_is_wrapped(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"this is not a sqlite database at all, just some bytes " * 50)
    with pytest.raises(StoreError) as err:
        open_store(str(bogus))
    assert err.value.code in ("E201", "E202")


# ----------------------------------------------------------------------------- articles

def test_add_article_is_idempotent(store: SqlStore) -> None:
    a = Article.create(TEXT_A, title="first title")
    assert store.add_article(a, signature=b"\x01\x02").status == "inserted"
    again = Article.create(TEXT_A, title="another title", source="elsewhere")
    res = store.add_article(again)
    assert res.status == "duplicate" and res.article_id == a.id
    assert store.count_articles() == 1
    assert store.get_article(a.id).title == "first title"   # nothing rewritten
    assert list(store.signatures()) == [(a.id, b"\x01\x02")]


def test_article_round_trip(store: SqlStore) -> None:
    a = Article.create(TEXT_B, title="Pilots", url="https://example.invalid/p", source="Example",
                       published=date(2023, 12, 31), origin="p.txt", external_id="ext-7")
    store.add_article(a)
    got = store.get_article(a.id)
    assert (got.text, got.title, got.url, got.source, got.published, got.origin, got.external_id) == \
        (a.text, a.title, a.url, a.source, a.published, a.origin, a.external_id)
    assert got.ingested_at == a.ingested_at


def test_near_duplicate_status_and_not_pending(store: SqlStore) -> None:
    a = Article.create(TEXT_A)
    near = Article.create(TEXT_A + " Updated at noon.", duplicate_of=a.id)
    store.add_article(a, signature=b"sig-a")
    res = store.add_article(near, signature=b"sig-near")
    assert res.status == "near_duplicate" and res.duplicate_of == a.id
    assert store.get_article(near.id).duplicate_of == a.id
    assert [x.id for x in store.pending_articles("rules", "1")] == [a.id]
    assert [i for i, _ in store.signatures()] == [a.id]          # only canonical articles


def test_near_duplicate_of_unknown_article_is_a_store_error(store: SqlStore) -> None:
    with pytest.raises(StoreError) as err:
        store.add_article(Article.create(TEXT_C, duplicate_of="0000000000000000"))
    assert err.value.code == "E204"
    assert store.count_articles() == 0


def test_pending_skips_non_english_and_extracted(store: SqlStore) -> None:
    en = Article.create(TEXT_A)
    fr = Article.create("Les ministres ont rejeté toute trêve pendant les pourparlers.", language="fr")
    other = Article.create(TEXT_C)
    for x in (en, fr, other):
        store.add_article(x)
    assert {x.id for x in store.pending_articles("rules", "1")} == {en.id, other.id}
    assert store.count_pending("rules", "1") == 2
    store.save_positions(en.id, "rules", "1", [])           # zero positions still counts as done
    assert [x.id for x in store.pending_articles("rules", "1")] == [other.id]
    assert {x.id for x in store.pending_articles("rules", "2")} == {en.id, other.id}   # new version
    assert {x.id for x in store.pending_articles("ml", "1")} == {en.id, other.id}      # other extractor


def test_pending_streams_beyond_one_page(store: SqlStore) -> None:
    texts = [f"Delegation number {i} said it supports talks on item {i}." for i in range(450)]
    for x in texts:
        store.add_article(Article.create(x))
    seen = []
    for art in store.pending_articles("rules", "1"):     # saving while iterating is allowed
        store.save_positions(art.id, "rules", "1", [])
        seen.append(art.id)
    assert len(seen) == len(set(seen)) == 450
    assert store.count_pending("rules", "1") == 0


def test_find_article_by_prefix(store: SqlStore) -> None:
    ids = []
    for i in range(40):
        a = Article.create(f"Statement {i}: the council opposes new tariffs.")
        store.add_article(a)
        ids.append(a.id)
    target = ids[0]
    assert store.find_article(target).id == target
    unique = next(n for n in range(1, 17) if sum(x.startswith(target[:n]) for x in ids) == 1)
    assert store.find_article(target[:unique]).id == target
    shared = next(x[:1] for x in ids if sum(y.startswith(x[:1]) for y in ids) > 1)
    with pytest.raises(StoreError) as err:
        store.find_article(shared)
    assert err.value.code == "E207"
    with pytest.raises(StoreError) as err:
        store.find_article("zz")
    assert err.value.code == "E203"


def test_get_missing_article_is_e203(store: SqlStore) -> None:
    with pytest.raises(StoreError) as err:
        store.get_article("nope")
    assert err.value.code == "E203" and "nope" in err.value.message


def test_articles_listing_order_and_limit(filled: SqlStore) -> None:
    undated = Article.create(TEXT_C)
    filled.add_article(undated)
    listed = [a.title for a in filled.articles()]
    assert listed == ["Pilots dig in", "Teldor sets terms", None]
    assert len(list(filled.articles(limit=2))) == 2
    assert [a.title for a in filled.articles(since=date(2024, 2, 1))] == ["Teldor sets terms"]


# ----------------------------------------------------------------------------- positions

def test_positions_have_article_fields_and_exact_evidence(filled: SqlStore) -> None:
    ps = filled.positions()
    assert len(ps) == 4
    assert [p.published for p in ps] == sorted(p.published for p in ps)     # ordered by date
    for p in ps:
        text = filled.get_article(p.article_id).text
        assert text[p.evidence.start:p.evidence.end] == p.evidence.text
        assert p.evidence.article_id == p.article_id
        assert p.id is not None and p.extractor == "rules" and p.extractor_version == "1"
    prell = next(p for p in ps if p.actor == "Ana Prell")
    assert prell.conditions == ("the blockade of the northern ports is lifted",)
    assert prell.aliases == ("Prell", "Teldor's foreign minister")
    pilots = next(p for p in ps if p.actor.startswith("Union"))
    assert pilots.red_line is True and pilots.speaker == "Joss Kendrick"


def test_position_filters(filled: SqlStore) -> None:
    assert [p.actor for p in filled.positions(actor="PRELL")] == ["Ana Prell"]
    assert [p.actor for p in filled.positions(actor="foreign minister")] == ["Ana Prell"]   # alias
    assert [p.actor for p in filled.positions(actor="%")] == []        # LIKE wildcards are literal
    assert {p.actor for p in filled.positions(issue="talks")} == {"Ana Prell", "port authority"}
    assert {p.actor for p in filled.positions(stance="oppose")} == {"Marvia", "Union of Harbour Pilots"}
    assert {p.actor for p in filled.positions(since=date(2024, 3, 4))} == {"Ana Prell", "Marvia"}
    aid = Article.create(TEXT_B).id
    assert {p.actor for p in filled.positions(article_id=aid)} == {"Union of Harbour Pilots", "port authority"}
    assert filled.positions(issue="talks", stance="oppose") == []


def test_reextract_replaces_never_duplicates(filled: SqlStore) -> None:
    aid = Article.create(TEXT_A).id
    before = filled.count_positions()
    new = [pos(TEXT_A, "rejected", "Marvian officials", "ceasefire", "oppose")]
    assert filled.save_positions(aid, "rules", "2", new) == 1
    assert filled.save_positions(aid, "rules", "2", new) == 1
    mine = filled.positions(article_id=aid)
    assert [(p.actor, p.extractor_version) for p in mine] == [("Marvian officials", "2")]
    assert filled.count_positions() == before - 2 + 1
    # another extractor's positions on the same article live beside them
    filled.save_positions(aid, "other", "9", new)
    assert len(filled.positions(article_id=aid)) == 2
    assert len(filled.positions(article_id=aid, extractor="rules")) == 1
    # the old positions are gone from the evidence search index too
    assert not [h for h in filled.search("blockade") if h.kind == "evidence"]


def test_save_positions_rejects_bad_offsets_and_keeps_old(filled: SqlStore) -> None:
    aid = Article.create(TEXT_A).id
    bad = Position(actor="X", issue="talks", stance="support", evidence=Evidence(0, 5, "wrong"))
    with pytest.raises(StoreError) as err:
        filled.save_positions(aid, "rules", "2", [pos(TEXT_A, "join", "Y", "talks", "support"), bad])
    assert err.value.code == "E208"
    assert len(filled.positions(article_id=aid)) == 2                 # transaction rolled back
    assert filled.count_pending("rules", "2") == 2


def test_save_positions_for_unknown_article_is_e203(store: SqlStore) -> None:
    with pytest.raises(StoreError) as err:
        store.save_positions("feedfeedfeedfeed", "rules", "1", [])
    assert err.value.code == "E203"


# ----------------------------------------------------------------------------- search

def test_search_articles_and_evidence(filled: SqlStore) -> None:
    hits = filled.search("blockade")
    kinds = {(h.kind, h.article_id) for h in hits}
    aid = Article.create(TEXT_A).id
    assert ("article", aid) in kinds and ("evidence", aid) in kinds
    ev = next(h for h in hits if h.kind == "evidence")
    assert "[[blockade]]" in ev.snippet and ev.position_id is not None
    assert filled.search("pension formula", kind="article")[0].title == "Pilots dig in"
    assert filled.search('"formula pension"') == []                   # phrase order matters
    assert filled.search("nonexistentword") == []
    assert filled.search("") == []


def test_search_survives_punctuation(filled: SqlStore) -> None:
    for q in ['"unterminated', "a AND OR", "NEAR(", "col:umn", "pil*", "-)(*"]:
        filled.search(q)   # must not raise a syntax error
    assert filled.search("pil*")


# ----------------------------------------------------------------------------- runs, links, stats

def test_runs_and_stats(filled: SqlStore) -> None:
    rid = filled.start_run("rules", "1")
    filled.finish_run(rid, articles=2, positions=4)
    run = filled.runs()[0]
    assert (run["id"], run["articles"], run["positions"]) == (rid, 2, 4) and run["finished_at"]
    st = filled.stats()
    assert st["articles"] == 2 and st["positions"] == 4 and st["runs"] == 1
    assert st["positions_by_stance"]["oppose"] == 2 and st["positions_by_issue"]["talks"] == 2
    assert st["schema_version"] == SCHEMA_VERSION and st["extracted_articles"] == 2


def test_save_positions_records_run(filled: SqlStore) -> None:
    rid = filled.start_run("rules", "3")
    aid = Article.create(TEXT_C).id
    filled.add_article(Article.create(TEXT_C))
    filled.save_positions(aid, "rules", "3", [pos(TEXT_C, "welcomed", "Quessa", "prisoners", "support")],
                          run_id=rid)
    con = sqlite3.connect(filled.url.removeprefix("sqlite:///"))
    assert con.execute("select run_id, version, positions from extractions where article_id=?",
                       (aid,)).fetchone() == (rid, "3", 1)
    assert con.execute("select run_id from positions where article_id=?", (aid,)).fetchone() == (rid,)
    con.close()


def test_actor_links(store: SqlStore) -> None:
    store.set_actor_link(ActorLink("Prell", "Ana Prell", "merge"))
    store.set_actor_link(ActorLink("Prell", "Ana Prell", "merge", source="file", confidence=0.5))
    store.set_actor_link(ActorLink("Marvia", "Teldor", "split"))
    links = store.actor_links()
    assert links == [ActorLink("Prell", "Ana Prell", "merge", "file", 0.5), ActorLink("Marvia", "Teldor", "split")]
    assert store.delete_actor_link("Prell") == 1
    assert store.delete_actor_link("Prell") == 0
    assert [x.alias for x in store.actor_links()] == ["Marvia"]


# ----------------------------------------------------------------------------- interruption

class Boom(Exception):
    pass


def test_interrupted_ingest_keeps_earlier_articles(db_path: Path) -> None:
    texts = [f"Negotiator {i} said the committee supports a truce in sector {i}." for i in range(6)]

    def batch(stop_at: int | None):
        with open_store(str(db_path)) as s:
            for i, x in enumerate(texts):
                if i == stop_at:
                    raise Boom()
                s.add_article(Article.create(x))

    with pytest.raises(Boom):
        batch(stop_at=3)
    with open_store(str(db_path)) as s:
        assert s.count_articles() == 3
    batch(stop_at=None)                                   # rerun: the rest is added, nothing doubled
    with open_store(str(db_path)) as s:
        assert s.count_articles() == 6


def test_interrupted_extraction_resumes_without_doubling(db_path: Path) -> None:
    texts = [f"Envoy {i} said the alliance opposes sanctions relief number {i}." for i in range(5)]
    with open_store(str(db_path)) as s:
        for x in texts:
            s.add_article(Article.create(x))

    def extract(s: SqlStore, crash_after: int | None) -> None:
        for n, art in enumerate(s.pending_articles("rules", "1")):
            if n == crash_after:
                raise Boom()
            s.save_positions(art.id, "rules", "1", [pos(art.text, "opposes", art.text.split(" said")[0],
                                                        "sanctions", "oppose")])

    with open_store(str(db_path)) as s, pytest.raises(Boom):
        extract(s, crash_after=2)
    with open_store(str(db_path)) as s:
        assert s.count_positions() == 2 and s.count_pending("rules", "1") == 3
        extract(s, crash_after=None)
        assert s.count_positions() == 5 and s.count_pending("rules", "1") == 0
        assert len({p.article_id for p in s.positions()}) == 5


class FlakyExtractor:
    """A stand-in engine that finds one position per article and raises ``error`` on the third article
    (in ``extract_many``; ``extract`` of that article raises it too when ``always``)."""

    name = "flaky"
    version = "0.1"

    def __init__(self, fail_on: int | None = 2, error: type[BaseException] = KeyboardInterrupt,
                 always: bool = False) -> None:
        self.fail_on = fail_on
        self.error = error
        self.always = always
        self.bad: str | None = None

    def extract(self, article: Article) -> list[Position]:
        if self.always and article.id == self.bad:
            raise self.error()
        end = article.text.index(".") + 1
        return [Position(actor="Someone", issue="talks", stance="support",
                         evidence=Evidence(0, end, article.text[:end]))]

    def extract_many(self, articles):
        for n, article in enumerate(articles):
            if n == self.fail_on:
                self.bad = article.id
                raise self.error()
            yield article, self.extract(article)


def test_extract_into_records_run_and_survives_a_crash(store: SqlStore) -> None:
    from parley.store.runner import extract_into

    for i in range(5):
        store.add_article(Article.create(f"Speaker {i} backed the talks. Nothing else happened on day {i}."))
    with pytest.raises(KeyboardInterrupt):
        extract_into(store, FlakyExtractor(fail_on=2))
    run = store.runs()[0]
    assert (run["articles"], run["positions"]) == (2, 2) and run["finished_at"] is not None
    assert run["status"] == "interrupted"
    assert store.count_pending("flaky", "0.1") == 3
    report = extract_into(store, FlakyExtractor(fail_on=None))
    assert (report.articles, report.positions) == (3, 3)
    assert store.count_positions() == 5 and store.count_pending("flaky", "0.1") == 0
    again = extract_into(store, FlakyExtractor(fail_on=None))
    assert again.run_id is None and again.articles == 0
    assert len(store.runs()) == 2 and store.runs()[0]["status"] == "finished"


def test_one_failing_article_is_reported_and_the_batch_goes_on(store: SqlStore) -> None:
    """An exception for one article (not an interruption) fails that article only (E307): it stays
    pending, the others are stored, the run is finished with failed = 1."""
    from parley.store.runner import extract_into

    for i in range(5):
        store.add_article(Article.create(f"Speaker {i} backed the talks. Nothing else happened on day {i}."))
    seen = []
    report = extract_into(store, FlakyExtractor(fail_on=2, error=Boom, always=True), on_error=seen.append)
    assert [e.code for e in report.failures] == [e.code for e in seen] == ["E307"]
    assert "Boom" in report.failures[0].message and "1 articles failed" in report.summary()
    assert (report.articles, report.positions) == (4, 4)
    assert store.count_pending("flaky", "0.1") == 1
    run = store.runs()[0]
    assert (run["status"], run["articles"], run["positions"], run["failed"]) == ("finished", 4, 4, 1)
    # a batch failure that the article alone does not repeat loses nothing
    store.add_article(Article.create("Speaker 9 backed the talks. Another day."))
    again = extract_into(store, FlakyExtractor(fail_on=0, error=Boom, always=False))
    assert again.failures == [] and again.articles == 2 and store.count_pending("flaky", "0.1") == 0


class _Taxonomy:
    def __init__(self, source: str) -> None:
        self.source = source


class TaxonomyExtractor:
    """Labels the first sentence of each article with ``issue`` under a taxonomy named by ``source``."""

    name, version = "standin", "1"

    def __init__(self, source: str = "built-in", issue: str = "talks", stance: str = "support") -> None:
        self.taxonomy = _Taxonomy(source)
        self.issue, self.stance = issue, stance

    def extract(self, article: Article) -> list[Position]:
        end = article.text.index(".") + 1
        return [Position(actor="Someone", issue=self.issue, stance=self.stance,
                         evidence=Evidence(0, end, article.text[:end]))]

    def extract_many(self, articles):
        for article in articles:
            yield article, self.extract(article)


def test_force_replaces_one_taxonomy_never_doubles_and_keeps_stable_ids(store: SqlStore, db_path: Path,
                                                                       tmp_path: Path) -> None:
    """extract --force (issue 13) with content-derived ids and taxonomies side by side (issue 8)."""
    from parley.lexicon import TAXONOMY
    from parley.store.runner import extract_into, extractor_taxonomy

    for i in range(3):
        store.add_article(Article.create(f"Speaker {i} backed the talks. Nothing else happened on day {i}."))
    default = extract_into(store, TaxonomyExtractor())
    labour = extract_into(store, TaxonomyExtractor(str(tmp_path / "labour.yaml"), issue="strike"))
    assert (default.taxonomy, labour.taxonomy) == ("default", "labour")
    assert extractor_taxonomy(TaxonomyExtractor(str(TAXONOMY))) == "default"   # the built-in file by its path
    ids = {p.id for p in store.positions()}
    assert store.taxonomies() == {"default": 3, "labour": 3} and len(ids) == 6

    forced = extract_into(store, TaxonomyExtractor(), force=True)
    assert forced.articles == 3 and forced.taxonomy == "default"
    assert store.taxonomies() == {"default": 3, "labour": 3}               # replaced, never doubled
    assert ids == {p.id for p in store.positions()}                        # unchanged positions keep their ids
    con = sqlite3.connect(db_path)
    by_tax = dict(con.execute("select taxonomy, group_concat(distinct run_id) from positions group by taxonomy"))
    con.close()
    assert by_tax == {"default": str(forced.run_id), "labour": str(labour.run_id)}   # the other taxonomy untouched
    assert extract_into(store, TaxonomyExtractor()).run_id is None         # nothing pending after --force

    # a forced run that finds another stance: those positions get new ids, the old ids are gone
    before = {p.id for p in store.positions(taxonomy="default")}
    changed = extract_into(store, TaxonomyExtractor(stance="oppose"), force=True)
    after = {p.id for p in store.positions(taxonomy="default")}
    assert changed.articles == 3 and len(after) == 3 and not before & after
    with pytest.raises(StoreError) as err:
        store.find_position(next(iter(before)))
    assert err.value.code == "E220"
    assert len(store.positions(taxonomy="labour")) == 3


def test_two_connections_interleave(db_path: Path) -> None:
    """An extractor streaming pending articles while an ingester adds more: no lock errors, no doubles."""
    with open_store(str(db_path)) as reader, open_store(str(db_path)) as writer:
        for i in range(3):
            writer.add_article(Article.create(f"Minister {i} said the party supports early elections."))
        done = []
        for art in reader.pending_articles("rules", "1"):
            writer.add_article(Article.create(f"Late item {len(done)}: the mayor opposes the curfew."))
            reader.save_positions(art.id, "rules", "1", [])
            done.append(art.id)
        assert len(done) == len(set(done)) >= 3
        assert reader.count_articles() == 3 + len(done)
        assert reader.count_pending("rules", "1") == reader.count_articles() - len(done)


def test_add_articles_batch(store: SqlStore) -> None:
    a, b = Article.create(TEXT_A), Article.create(TEXT_B)
    near = Article.create(TEXT_B + " Correction appended.", duplicate_of=b.id)
    res = store.add_articles([(a, b"s1"), (b, b"s2"), (a, None), (near, b"s3")])
    assert [r.status for r in res] == ["inserted", "inserted", "duplicate", "near_duplicate"]
    assert store.count_articles() == 3
    bad = Article.create(TEXT_C, duplicate_of="0000000000000000")
    with pytest.raises(StoreError):
        store.add_articles([(Article.create("A brand new statement on tariffs."), None), (bad, None)])
    assert store.count_articles() == 3                     # all or nothing


# ----------------------------------------------------------------------------- stable ids, taxonomies, dates

def test_position_ids_are_content_derived_and_survive_reextraction(filled: SqlStore) -> None:
    aid = Article.create(TEXT_A).id
    before = {p.actor: p.id for p in filled.positions(article_id=aid)}
    assert all(isinstance(i, str) and len(i) == 12 for i in before.values())
    # a new extractor version: Prell's position reworded (same content), Marvia's stance changed
    again = [pos(TEXT_A, "join", "Ana Prell", "talks", "conditional", proposition="joining the talks",
                 conditions=("the blockade is lifted",)),
             pos(TEXT_A, "rejected", "Marvia", "ceasefire", "mixed")]
    filled.save_positions(aid, "rules", "2", again)
    after = {p.actor: p.id for p in filled.positions(article_id=aid)}
    assert after["Ana Prell"] == before["Ana Prell"]          # unchanged position: same id
    assert after["Marvia"] != before["Marvia"]                # another stance: another position
    assert filled.find_position(after["Ana Prell"][:6]).proposition == "joining the talks"
    hit = next(h for h in filled.search("blockade") if h.kind == "evidence")
    assert hit.position_id == after["Ana Prell"]
    # two positions of identical content in one save get distinct ids, stable by their order
    twice = [again[0], again[0]]
    filled.save_positions(aid, "rules", "3", twice)
    ids = [p.id for p in filled.positions(article_id=aid)]
    assert len(set(ids)) == 2 and ids[0] == before["Ana Prell"]


def test_find_position_errors(filled: SqlStore) -> None:
    for prefix, code in (("zzzz", "E220"), ("", "E220")):
        with pytest.raises(StoreError) as err:
            filled.find_position(prefix)
        assert err.value.code == code
    ids = sorted(p.id for p in filled.positions())
    common = next((i for i in range(12) if len({x[:i + 1] for x in ids}) > 1), 0)
    if common:   # a prefix shared by several ids is ambiguous
        with pytest.raises(StoreError) as err:
            filled.find_position(ids[0][:common])
        assert err.value.code == "E221"


def test_positions_of_two_taxonomies_live_side_by_side(filled: SqlStore) -> None:
    aid = Article.create(TEXT_A).id
    labour = [pos(TEXT_A, "join", "Ana Prell", "blockade", "conditional", conditions=("ports reopen",))]
    filled.save_positions(aid, "rules", "1", labour, taxonomy="labour")
    assert filled.taxonomies() == {"default": 4, "labour": 1}
    assert len(filled.positions(article_id=aid)) == 3
    assert [p.issue for p in filled.positions(article_id=aid, taxonomy="labour")] == ["blockade"]
    assert {p.issue for p in filled.positions(article_id=aid, taxonomy="default")} == {"talks", "ceasefire"}
    # re-extracting one taxonomy leaves the other alone; pending is per taxonomy
    filled.save_positions(aid, "rules", "2", [], taxonomy="labour")
    assert len(filled.positions(article_id=aid, taxonomy="default")) == 2
    assert filled.count_pending("rules", "2", "labour") == 1           # the other article
    assert filled.count_pending("rules", "1", "default") == 0
    rid = filled.start_run("rules", "2", "labour")
    assert filled.runs()[0]["id"] == rid and filled.runs()[0]["taxonomy"] == "labour"
    assert filled.stats()["positions_by_taxonomy"] == {"default": 4}


def test_since_until_and_undated_articles(filled: SqlStore) -> None:
    undated = Article.create(TEXT_C)
    filled.add_article(undated)
    filled.save_positions(undated.id, "rules", "1", [pos(TEXT_C, "welcomed", "Quessa", "prisoners", "support")])
    assert {p.actor for p in filled.positions(until=date(2024, 2, 1))} == {"Union of Harbour Pilots",
                                                                           "port authority"}
    assert {p.actor for p in filled.positions(since=date(2024, 1, 1), until=date(2024, 3, 31))} == \
        {"Union of Harbour Pilots", "port authority", "Ana Prell", "Marvia"}
    assert "Quessa" in {p.actor for p in filled.positions(since=date(2024, 3, 1), include_undated=True)}
    assert filled.positions()[-1].actor == "Quessa" and filled.positions()[-1].published is None
    assert [a.title for a in filled.articles(until=date(2024, 2, 1))] == ["Pilots dig in"]
    assert len(list(filled.articles(since=date(2024, 1, 1), include_undated=True))) == 3


def test_a_dateline_dates_an_undated_article_and_is_kept_apart(store: SqlStore) -> None:
    text = "ORSKA, March 3, 2025 (Northgate Wire) - " + TEXT_C
    art = Article.create(text)
    store.add_article(art)
    store.add_article(Article.create("ORSKA, March 3, 2025 - " + TEXT_A, published=date(2025, 3, 5)))
    assert store.get_article(art.id).published is None                 # the source gave no date
    assert store.datelines() == {art.id: date(2025, 3, 3)}             # the text's dateline did
    store.save_positions(art.id, "rules", "1", [Position(
        actor="Quessa", issue="prisoners", stance="support",
        evidence=Evidence(text.index("Officials"), len(text), text[text.index("Officials"):]))])
    assert store.positions(since=date(2025, 3, 1))[0].published == date(2025, 3, 3)
    assert [a.id for a in store.articles(since=date(2025, 3, 1), until=date(2025, 3, 4))] == [art.id]
