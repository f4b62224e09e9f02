"""MinHash signatures, the near-duplicate index, and ingest_into against the real SQLite store."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from parley.config import settings as current_settings
from parley.errors import InputError
from parley.ingest import NearDuplicateIndex, ingest_into, minhash_signature
from parley.ingest.dedup import estimated_jaccard, shingles
from parley.model import article_id_for

PERM = 64

STORY = """Rail unions and operators agree to resume talks

By Lena Forsk, transport correspondent

The three rail unions and the national operator agreed on Wednesday to resume talks over the new
timetable, two weeks after negotiations broke down over weekend working. The unions said they would
suspend the planned strike days while the talks went on, provided the operator withdrew its notice of
changes to rest periods. The operator's chief executive, Oren Vale, said the company was ready to
discuss rest periods but would not reopen the pay settlement reached last year, which he described as
final. Passenger groups welcomed the announcement and urged both sides to reach a deal before the
summer holidays, when the network carries its heaviest traffic. The transport ministry, which has
stayed out of the dispute so far, said it would offer a mediator if either side asked for one. The
first meeting is planned for Monday at the operator's headquarters, and both sides said they expected
the talks to take several weeks. Union leaders have said that any agreement will be put to a vote of
members before it takes effect, and the operator has said it will publish the revised timetable only
after that vote.

The dispute began in the autumn, when the operator proposed to shorten the minimum rest between two
shifts on weekends from twelve hours to ten. The unions argued that the change would leave drivers
tired on the busiest days of the week and that it had been announced without consultation. The
operator replied that the shorter rest applied only to a small number of rostered turns and that it
was needed to run the extra weekend services promised in its contract with the ministry. Since then,
drivers have held four one-day strikes, and the operator has cancelled about a fifth of its weekend
trains. Regional councils along the busiest lines have written to both sides asking them to settle
quickly, saying that local businesses had lost customers on every strike day.
"""

VARIANT = (STORY
           .replace("By Lena Forsk, transport correspondent", "By Arno Petty, staff reporter")
           .replace("Passenger groups welcomed the announcement and urged both sides to reach a deal",
                    "Passenger groups gave the news a cautious welcome and asked both sides to agree"))

OTHER = """Fishing fleets protest quota cuts

Hundreds of fishing boats blocked the harbour entrance on Friday in protest at the quota cuts announced
by the fisheries agency last month. The fleet owners' association said it would lift the blockade only
if the agency agreed to an independent review of the stock surveys on which the cuts are based. The
agency said the surveys had been checked twice and that it had no plans to change the quotas this year.
"""


def test_signature_shape_and_determinism():
    sig = minhash_signature(STORY, PERM)
    assert isinstance(sig, bytes) and len(sig) == 8 * PERM
    assert minhash_signature(STORY, PERM) == sig
    # the same text with other whitespace and quotes gives the same signature
    assert minhash_signature(STORY.replace("\n", " ").replace("'", "\u2019"), PERM) == sig
    assert len(minhash_signature(STORY, 128)) == 8 * 128


def test_shingles_are_word_5grams():
    assert shingles("One two three four five six") == {"one two three four five", "two three four five six"}
    assert shingles("Too short") == {"too short"}


def test_similarity_separates_variant_from_other_story():
    base, variant, other = (minhash_signature(t, PERM) for t in (STORY, VARIANT, OTHER))
    assert article_id_for(STORY) != article_id_for(VARIANT)
    assert estimated_jaccard(base, variant) >= 0.8
    assert estimated_jaccard(base, other) < 0.2


def test_index_returns_earliest_match_and_verifies_threshold():
    index = NearDuplicateIndex(threshold=0.8, num_perm=PERM)
    base, variant, other = (minhash_signature(t, PERM) for t in (STORY, VARIANT, OTHER))
    assert index.query(variant) is None
    assert index.add("first", base)
    assert index.add("second", variant)         # a second copy indexed later
    assert not index.add("first", base)         # same id twice: ignored
    assert index.query(variant) == "first"
    assert index.query(base) == "first"
    assert index.query(other) is None
    assert len(index) == 2 and "second" in index


def test_index_rejects_wrong_signature_size():
    index = NearDuplicateIndex(threshold=0.8, num_perm=PERM)
    assert not index.add("x", minhash_signature(STORY, 32))
    assert len(index) == 0
    with pytest.raises(ValueError):
        index.query(minhash_signature(STORY, 32))


# --- ingest_into against the real store ------------------------------------------------

store_mod = pytest.importorskip("parley.store")


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    (folder / "b").mkdir(parents=True)
    (folder / "a_story.txt").write_text(STORY, encoding="utf-8")
    (folder / "b" / "copy.txt").write_text(STORY.replace("\n", "\r\n"), encoding="utf-8")   # exact dup
    (folder / "c_variant.txt").write_text(VARIANT, encoding="utf-8")                          # near dup
    (folder / "d_other.txt").write_text(OTHER, encoding="utf-8")
    (folder / "e_empty.txt").write_text("", encoding="utf-8")
    return folder


def test_ingest_into_dedups_and_is_idempotent(corpus, db_path):
    seen: list[InputError] = []
    with store_mod.open_store(str(db_path)) as store:
        report = ingest_into(store, [str(corpus)], on_error=seen.append)
        assert (report.inserted, report.duplicates, report.near_duplicates) == (2, 1, 1)
        assert [e.code for e in report.errors] == ["E101"] and seen == report.errors
        story_id, variant_id, other_id = (article_id_for(t) for t in (STORY, VARIANT, OTHER))
        assert report.article_ids == [story_id, story_id, variant_id, other_id]
        assert store.count_articles() == 3
        assert store.get_article(variant_id).duplicate_of == story_id
        assert store.get_article(story_id).duplicate_of is None
        assert dict(store.signatures()).keys() == {story_id, other_id}

    # a second run over the same folder, in a new process-like fresh store handle, changes nothing
    with store_mod.open_store(str(db_path)) as store:
        again = ingest_into(store, [str(corpus)])
        assert (again.inserted, again.near_duplicates, again.duplicates) == (0, 0, 4)
        assert store.count_articles() == 3


def test_near_duplicate_found_from_signatures_of_earlier_run(tmp_path, db_path, capsys):
    first, second = tmp_path / "one.txt", tmp_path / "two.txt"
    first.write_text(STORY, encoding="utf-8")
    second.write_text(VARIANT, encoding="utf-8")
    with store_mod.open_store(str(db_path)) as store:
        assert ingest_into(store, [str(first)]).inserted == 1
    with store_mod.open_store(str(db_path)) as store:
        report = ingest_into(store, [str(second)], progress=True)
        assert report.near_duplicates == 1
        assert "ingest" in capsys.readouterr().err          # the progress bar goes to stderr
        assert store.get_article(article_id_for(VARIANT)).duplicate_of == article_id_for(STORY)


def test_threshold_setting_is_used(tmp_path, db_path):
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "b.txt").write_text(VARIANT, encoding="utf-8")
    strict = dataclasses.replace(current_settings(), near_duplicate_threshold=0.999)
    with store_mod.open_store(str(db_path)) as store:
        report = ingest_into(store, [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], settings=strict)
        assert (report.inserted, report.near_duplicates) == (2, 0)


def test_jsonl_records_keep_external_ids_in_store(tmp_path, db_path):
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(json.dumps({"id": f"rec-{i}", "text": t, "published": "2021-05-0%d" % (i + 1)})
                              for i, t in enumerate([STORY, OTHER])) + "\n{bad\n", encoding="utf-8")
    with store_mod.open_store(str(db_path)) as store:
        report = ingest_into(store, [str(path)])
        assert report.inserted == 2 and report.errors[0].code == "E106"
        art = store.get_article(article_id_for(OTHER))
        assert art.external_id == "rec-1" and art.published.isoformat() == "2021-05-02"


def _ingest_texts(store, tmp_path: Path, name: str, texts: list[str]):
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts), encoding="utf-8")
    return ingest_into(store, [str(path)])


def _stored_index_finds_near_copies(url: str, tmp_path: Path) -> None:
    """Issue 12: the near-duplicate index kept in the database (minhash_bands) finds a near-copy in
    the same batch, in a later ingest, and after its bands were lost or built under another scheme."""
    import sqlalchemy as sa

    from parley.store import open_store

    with open_store(url) as store:
        first = _ingest_texts(store, tmp_path, "a", [STORY, OTHER, VARIANT])      # one batch
        assert (first.inserted, first.near_duplicates) == (2, 1)
        later = _ingest_texts(store, tmp_path, "b", [STORY.replace("Monday", "Tuesday")])
        assert later.near_duplicates == 1 and later.not_extracted[0][0].endswith(f"(of {article_id_for(STORY)})")
        with store.engine.begin() as conn:
            bands = conn.execute(sa.text("select count(*), count(distinct article_id) from minhash_bands")).one()
            assert bands[1] == 2 and bands[0] == 2 * 12          # canonical articles only, 12 bands each
            conn.execute(sa.text("delete from minhash_bands"))  # e.g. a ledger ingested before migration 12
        again = _ingest_texts(store, tmp_path, "c", [STORY.replace("Monday", "Friday")])
        assert again.near_duplicates == 1                       # the bands were rebuilt from the signatures
        cfg = dataclasses.replace(current_settings(), near_duplicate_threshold=0.6)
        path = tmp_path / "d.jsonl"
        path.write_text(json.dumps({"text": STORY.replace("Monday", "Sunday")}) + "\n", encoding="utf-8")
        assert ingest_into(store, [str(path)], settings=cfg).near_duplicates == 1
        with store.engine.connect() as conn:
            schemes = {r[0] for r in conn.execute(sa.text("select distinct scheme from minhash_bands"))}
        assert len(schemes) == 1 and schemes.pop().startswith("t0.6-")


def test_stored_near_duplicate_index_sqlite(tmp_path):
    _stored_index_finds_near_copies(str(tmp_path / "nd.db"), tmp_path)


def test_stored_near_duplicate_index_postgres(tmp_path, pg_url):
    _stored_index_finds_near_copies(pg_url, tmp_path)


def test_a_report_of_many_bad_records_stays_small(tmp_path):
    from parley.ingest.pipeline import KEPT
    from parley.store import open_store

    path = tmp_path / "bad.jsonl"
    n = KEPT + 250
    path.write_text("".join("{not json\n" if i % 2 else json.dumps({"text": f"Item {i} of the feed."}) + "\n"
                            for i in range(2 * n)), encoding="utf-8")
    with open_store(str(tmp_path / "bad.db")) as store:
        report = ingest_into(store, [str(path)], keep_ids=False)
    assert report.failed == n and len(report.errors) == KEPT and report.inserted == n
    assert report.article_ids == [] and f"{n} errors" in report.summary()
