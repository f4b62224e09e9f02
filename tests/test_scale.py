"""Issue 12, extraction on a real Dask LocalCluster (2 worker processes) into SQLite and PostgreSQL:
the positions are exactly those one process stores with the same extractor; a worker killed with
SIGKILL mid-partition has its partition redone elsewhere and nothing is lost or doubled; Ctrl-C
cancels cleanly and the next run does exactly the rest."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from itertools import islice
from pathlib import Path

import pytest
import scale_extractor
from click.testing import CliRunner

from parley.cli import main
from parley.errors import ScaleError
from parley.ingest.pipeline import ingest_into
from parley.model import Article
from parley.scale import extract_on_cluster
from parley.store import open_store
from parley.store.runner import extract_into

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo"
CORPUS_SLICE = 24


def snapshot(store) -> list[tuple]:
    """Every stored position, whole (id, content, offsets, conditions...), sorted: the comparison key."""
    return sorted((p.id, p.article_id, json.dumps(p.to_dict(), sort_keys=True)) for p in store.positions())


def extraction_rows(store) -> list[tuple]:
    with store.engine.connect() as conn:
        return sorted(tuple(r) for r in conn.exec_driver_sql(
            "select article_id, extractor, taxonomy, version, positions from extractions"))


def _fill(store, n: int) -> None:
    for text in scale_extractor.texts(n):
        store.add_article(Article.create(text, title=text[:20]))


def _reference(tmp_path: Path, n: int):
    with open_store(str(tmp_path / "reference.db")) as ref:
        _fill(ref, n)
        report = extract_into(ref, scale_extractor.fast())
        return report, snapshot(ref), extraction_rows(ref)


def _corpus_slice(tmp_path: Path) -> list[str]:
    src = ROOT.parent / "shared" / "data" / "corpus" / "articles.jsonl"
    if not src.exists():
        return []
    part = tmp_path / "slice.jsonl"
    with src.open(encoding="utf-8") as fh:
        part.write_text("".join(islice(fh, CORPUS_SLICE)), encoding="utf-8")
    return [str(part)]


def test_two_workers_store_exactly_the_single_process_positions(tmp_path, dask_cluster, extractor):
    """The rules extractor over the demo and a slice of the corpus (when ../shared is there): the cluster's
    positions, extractions rows and run counts equal one process's."""
    sources = [str(DEMO), *_corpus_slice(tmp_path)]
    with open_store(str(tmp_path / "single.db")) as one:
        ingest_into(one, sources)
        single = extract_into(one, extractor)
        want, want_rows = snapshot(one), extraction_rows(one)
    with open_store(str(tmp_path / "cluster.db")) as many:
        ingest_into(many, sources)
        seen = []
        got = extract_on_cluster(many, extractor="rules", cluster=dask_cluster, partition_size=4,
                                 on_partition=lambda r: seen.append(r.worker))
        assert snapshot(many) == want and extraction_rows(many) == want_rows
        assert (got.articles, got.positions, got.status) == (single.articles, single.positions, "finished")
        assert got.version == single.version and got.partitions == got.partitions_total == -(-single.articles // 4)
        run = many.runs()[0]
        assert (run["articles"], run["positions"], run["status"]) == (single.articles, single.positions, "finished")
        assert len(set(seen)) == 2                       # both worker processes did partitions
        again = extract_on_cluster(many, extractor="rules", cluster=dask_cluster)
        assert again.run_id is None and snapshot(many) == want      # nothing pending: nothing done
    assert want and single.articles >= 10


def _kill_mid_run(store, cluster, partition_size: int = 4):
    """Run the slow test extractor on the cluster and SIGKILL the worker process that is inside a
    partition as soon as the first partition is saved; returns (report, the killed pid)."""
    pids = cluster.worker_pids()
    killed: list[int] = []

    def on_partition(_res) -> None:
        if killed:
            return
        busy = {addr for addr, keys in cluster.client.processing().items() if keys}
        victim = next((addr for addr in pids if addr in busy), None)
        assert victim is not None, "no worker inside a partition"
        os.kill(pids[victim], signal.SIGKILL)
        killed.append(pids[victim])

    report = extract_on_cluster(store, factory="scale_extractor:slow", cluster=cluster,
                                partition_size=partition_size, on_partition=on_partition)
    return report, killed


def _wait_for_workers(cluster, n: int = 2) -> None:
    cluster.client.wait_for_workers(n, timeout=60)


N_KILL = 48


def _check_killed_run(store, cluster, report, killed, reference) -> None:
    ref_report, ref_positions, ref_rows = reference
    assert killed and killed[0] not in cluster.worker_pids().values()      # it was killed, and replaced
    assert report.status == "finished" and not report.failed_partitions and not report.failures
    assert (report.articles, report.positions) == (ref_report.articles, ref_report.positions) == \
        (N_KILL, ref_report.positions)
    assert snapshot(store) == ref_positions and extraction_rows(store) == ref_rows
    run = store.runs()[0]
    assert (run["articles"], run["positions"], run["status"]) == (N_KILL, ref_report.positions, "finished")
    assert store.count_pending("scale-test", "1") == 0


@pytest.mark.timeout(240)
def test_a_worker_killed_mid_run_loses_and_doubles_nothing(tmp_path, dask_cluster):
    _wait_for_workers(dask_cluster)
    reference = _reference(tmp_path, N_KILL)
    with open_store(str(tmp_path / "killed.db")) as store:
        _fill(store, N_KILL)
        report, killed = _kill_mid_run(store, dask_cluster)
        _wait_for_workers(dask_cluster)
        _check_killed_run(store, dask_cluster, report, killed, reference)


@pytest.mark.timeout(240)
def test_a_worker_killed_mid_run_on_postgres(tmp_path, pg_url, dask_cluster):
    _wait_for_workers(dask_cluster)
    reference = _reference(tmp_path, N_KILL)
    with open_store(pg_url) as store:
        _fill(store, N_KILL)
        report, killed = _kill_mid_run(store, dask_cluster)
        _wait_for_workers(dask_cluster)
        _check_killed_run(store, dask_cluster, report, killed, reference)


@pytest.mark.timeout(240)
def test_cluster_on_postgres_stores_the_single_process_positions(tmp_path, pg_url, dask_cluster, extractor):
    with open_store(str(tmp_path / "single.db")) as one:
        ingest_into(one, [str(DEMO)])
        single = extract_into(one, extractor)
        want = [(i, a, d) for i, a, d in snapshot(one)]
        assert single.positions >= single.articles > 0     # the demo articles state positions: a real comparison
    with open_store(pg_url) as store:
        ingest_into(store, [str(DEMO)])
        got = extract_on_cluster(store, extractor="rules", cluster=dask_cluster, partition_size=3)
        assert snapshot(store) == want and (got.articles, got.positions) == (single.articles, single.positions)
        forced = extract_on_cluster(store, extractor="rules", cluster=dask_cluster, partition_size=2, force=True)
        # --force on the cluster: every article again, replaced and never doubled, the same ids
        assert forced.articles == single.articles and snapshot(store) == want
        assert store.run_counts(forced.run_id) == (single.articles, single.positions)


def test_cli_extract_and_run_with_workers(tmp_path):
    db = str(tmp_path / "cli.db")
    runner = CliRunner()
    res = runner.invoke(main, ["run", "--db", db, "--workers", "2", "-q", str(DEMO)])
    assert res.exit_code == 0, res.output
    assert "on 2 workers" in res.output
    with open_store(db) as s:
        n = s.count_positions()
        assert n > 0 and s.runs()[0]["status"] == "finished" and s.count_pending(*_rules_id(s)) == 0
    res = runner.invoke(main, ["extract", "--db", db, "--workers", "2", "-q"])
    assert res.exit_code == 0 and "nothing pending" in res.output
    bad = runner.invoke(main, ["extract", "--db", db, "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"])
    assert bad.exit_code == 2 and "exclude each other" in bad.output
    bad = runner.invoke(main, ["extract", "--db", db, "--partition-size", "3"])
    assert bad.exit_code == 2


@pytest.mark.timeout(240)
def test_workers_load_the_extractor_of_the_clients_settings(tmp_path, monkeypatch, dask_cluster):
    """The workers were started before, elsewhere, without the client's PARLEY_* variables: they load the
    taxonomy the client's settings name (a relative path, made absolute on the client), not their own."""
    import shutil

    from parley.config import settings
    from parley.extract import get_extractor

    (tmp_path / "tax").mkdir()
    shutil.copy(ROOT / "examples" / "labour_taxonomy.yml", tmp_path / "tax" / "labour.yml")
    with open_store(str(tmp_path / "one.db")) as one:
        ingest_into(one, [str(DEMO)])
        single = extract_into(one, get_extractor("rules", taxonomy=str(tmp_path / "tax" / "labour.yml")))
        want = snapshot(one)
        assert single.positions > 0                        # the comparison below is of real positions
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PARLEY_TAXONOMY", "tax/labour.yml")
    settings.cache_clear()
    try:
        with open_store(str(tmp_path / "many.db")) as many:
            ingest_into(many, [str(DEMO)])
            got = extract_on_cluster(many, cluster=dask_cluster, partition_size=3)
            assert got.taxonomy == single.taxonomy and got.version == single.version
            assert snapshot(many) == want and got.positions == single.positions
    finally:
        settings.cache_clear()
    # the labour taxonomy is not the built-in one: workers that loaded their own would have differed
    assert single.taxonomy == "labour"


def _rules_id(store) -> tuple[str, str]:
    run = store.runs()[0]
    return run["extractor"], run["version"]


def test_unreachable_scheduler_and_unshareable_database(tmp_path):
    from parley.scale import start_cluster

    with pytest.raises(ScaleError) as err:
        start_cluster(scheduler="tcp://127.0.0.1:9", connect_timeout=2)
    assert err.value.code == "E801" and "dask scheduler" in err.value.message
    with open_store(":memory:") as mem:
        with pytest.raises(ScaleError) as err:
            extract_on_cluster(mem, workers=1)
        assert err.value.code == "E803"


def test_workers_that_cannot_load_the_extractor_are_an_error(tmp_path, dask_cluster):
    with open_store(str(tmp_path / "x.db")) as store:
        _fill(store, 3)
        with pytest.raises(ScaleError) as err:
            extract_on_cluster(store, factory="scale_extractor:no_such_factory", cluster=dask_cluster)
        assert err.value.code == "E804" and "no_such_factory" in err.value.message
        assert store.runs() == []                       # no run was started


CTRL_C_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from parley.store import open_store
from parley.scale import extract_on_cluster
if __name__ == "__main__":
    with open_store({db!r}) as store:
        try:
            extract_on_cluster(store, factory="scale_extractor:slow", workers=2, partition_size=3, progress=True)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(130)
"""


def _sigint_as_from_a_shell() -> None:
    """In the child before exec: SIGINT neither ignored nor blocked (both are inherited)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@pytest.mark.timeout(240)
def test_ctrl_c_cancels_cleanly_and_the_next_run_does_the_rest(tmp_path):
    import psutil

    n = 60
    reference = _reference(tmp_path, n)
    db = str(tmp_path / "ctrlc.db")
    with open_store(db) as store:
        _fill(store, n)
    script = tmp_path / "run.py"
    script.write_text(CTRL_C_SCRIPT.format(tests=str(Path(__file__).parent), db=db), encoding="utf-8")
    # as from an interactive shell: SIGINT at its default disposition in the child, whatever the test
    # process inherited (under the full suite, in CI, the child was started with SIGINT ignored and
    # ran to the end: 2 of 3 full runs)
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_sigint_as_from_a_shell)
    try:
        deadline = time.monotonic() + 120
        done = 0
        while time.monotonic() < deadline and done == 0:
            time.sleep(0.2)
            try:
                with sqlite3.connect(db, timeout=5) as con:
                    done = con.execute("select count(*) from extractions").fetchone()[0]
            except sqlite3.OperationalError:
                continue
        assert done > 0, "no partition was saved"
        children = psutil.Process(proc.pid).children(recursive=True)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130 and "interrupted" in out, err[-2000:]
    _gone, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, f"worker processes left behind: {alive}"
    with open_store(db) as store:
        [run] = store.runs()
        assert run["status"] == "interrupted"
        assert (run["articles"], run["positions"]) == store.run_counts(run["id"])
        assert 0 < run["articles"] < n
        rest = extract_on_cluster(store, factory="scale_extractor:fast", workers=1)
        assert rest.articles == n - run["articles"]
        assert snapshot(store) == reference[1]


@pytest.mark.timeout(240)
def test_cli_extract_on_an_external_cluster_started_with_dask_scheduler_and_dask_worker(tmp_path, extractor):
    """`dask scheduler` and `dask worker` as a user starts them, then `parley extract --scheduler`."""
    bin_dir = Path(sys.executable).parent
    sched_file = tmp_path / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    procs = [subprocess.Popen([str(bin_dir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard", "--scheduler-file", str(sched_file)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not sched_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(sched_file.read_text())["address"]
        procs.append(subprocess.Popen([str(bin_dir / "dask"), "worker", address, "--nworkers", "2", "--nthreads", "1",
                                       "--no-dashboard"], env=env, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
        db = str(tmp_path / "ext.db")
        with open_store(str(tmp_path / "one.db")) as one:
            ingest_into(one, [str(DEMO)])
            extract_into(one, extractor)
            want = snapshot(one)
        runner = CliRunner()
        assert runner.invoke(main, ["ingest", "--db", db, "-q", str(DEMO)]).exit_code == 0
        res = runner.invoke(main, ["extract", "--db", db, "--scheduler", address, "--partition-size", "3", "-q"])
        assert res.exit_code == 0, res.output
        assert "on 2 workers" in res.output
        with open_store(db) as s:
            assert snapshot(s) == want and s.runs()[0]["status"] == "finished"
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
