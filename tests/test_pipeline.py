"""parley.pipeline: the one run (ingest -> extract -> store) behind the CLI, the API and the Dask runner."""
from __future__ import annotations

from pathlib import Path

import pytest

from parley import pipeline
from parley.errors import UsageError
from parley.store import open_store

TEXT_1 = ("Harbour talks resume\n\nUnion leader Mara Voss rejected the latest offer from the port operator "
          "on Tuesday.")
TEXT_2 = ("Border commission meets\n\nThe Ostrian government said it will join the border commission only if "
          "patrols are withdrawn first.")


def test_run_ingests_then_extracts_and_a_second_run_stores_nothing_new(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT_1, encoding="utf-8")
    (folder / "b.txt").write_text(TEXT_2, encoding="utf-8")
    seen = []
    with open_store(str(tmp_path / "p.db")) as store:
        first = pipeline.run(store, [str(folder)], on_ingested=seen.append)
        assert seen == [first.ingest] and first.ingest.inserted == 2 and not first.failed
        assert first.extract.articles == 2 and first.extract.positions == store.count_positions() >= 2
        assert first.extract.run_id is not None and store.runs()[0]["status"] == "finished"
        again = pipeline.run(store, [str(folder)])
        assert again.ingest.inserted == 0 and again.ingest.duplicates == 2
        assert again.extract.articles == 0 and again.extract.run_id is None      # nothing pending: no run
        assert store.count_positions() == first.extract.positions


def test_a_bad_input_fails_the_run_and_the_rest_is_stored(tmp_path: Path) -> None:
    good = tmp_path / "a.txt"
    good.write_text(TEXT_1, encoding="utf-8")
    errors = []
    with open_store(str(tmp_path / "p.db")) as store:
        done = pipeline.run(store, [str(good), str(tmp_path / "missing.txt")], on_error=errors.append)
        assert done.failed and [e.code for e in errors] == ["E110"]
        assert done.ingest.inserted == 1 and done.extract.articles == 1 and store.count_positions() >= 1


def test_extract_takes_an_extractor_or_a_name_and_force_replaces(tmp_path: Path) -> None:
    from parley.extract import get_extractor

    with open_store(str(tmp_path / "p.db")) as store:
        pipeline.ingest(store, [], items=[])
        pipeline.run(store, [])                                       # nothing at all: fine
        (tmp_path / "a.txt").write_text(TEXT_2, encoding="utf-8")
        pipeline.ingest(store, [str(tmp_path / "a.txt")])
        first = pipeline.extract(store, "rules")
        ids = {p.id for p in store.positions()}
        again = pipeline.extract(store, get_extractor("rules"), force=True)
        assert first.articles == again.articles == 1 and first.positions == again.positions >= 1
        assert {p.id for p in store.positions()} == ids               # replaced, never doubled
        assert len(store.runs()) == 2


def test_cluster_options_are_checked_before_any_work(tmp_path: Path) -> None:
    from parley.extract import get_extractor

    with open_store(str(tmp_path / "p.db")) as store:
        cases = [
            (dict(workers=1, scheduler="tcp://127.0.0.1:1"), "E907", "`workers` and `scheduler`"),
            (dict(partition_size=10), "E908", "`partition_size`"),
            (dict(extractor=get_extractor("rules"), workers=1), "E906", "RulesExtractor"),
        ]
        for kw, code, words in cases:
            with pytest.raises(UsageError) as err:
                pipeline.extract(store, **kw)
            assert err.value.code == code and words in err.value.message, err.value.message
        assert store.runs() == []
