"""`parley report` on the invented demo corpus (examples/): the shift, the red-line clash and the
common ground are named and cited.

Two databases, both built by ingesting examples/demo/: one with the hand-made labels of
examples/gold/ saved through the store (what the analysis must find given correct positions),
one with the rules extractor (what a user of `make demo` sees).
"""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from parley.cli import main
from parley.extract import get_extractor
from parley.ingest.pipeline import ingest_into
from parley.model import Position, normalise_text
from parley.store import open_store

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "examples" / "demo"
GOLD = ROOT / "examples" / "gold"
ALIASES = Path(__file__).parent / "data" / "analysis" / "demo_aliases.yml"

pytestmark = pytest.mark.skipif(not DEMO.is_dir() or not GOLD.is_dir(), reason="examples/ demo corpus absent")


def _find(text: str, sentence: str) -> tuple[int, int] | None:
    i = text.find(sentence)
    if i >= 0:
        return i, i + len(sentence)
    # the stored text may differ in quotes/whitespace from the label: match on the normal form
    words = [re.escape(w) for w in normalise_text(sentence).replace('"', " ").replace("'", " ").split()]
    m = re.search(r"[\s\"'\u2018\u2019\u201c\u201d]*".join(words), text)
    return (m.start(), m.end()) if m else None


def gold_db(path: Path) -> str:
    with open_store(str(path)) as store:
        ingest_into(store, [str(DEMO)])
        arts = list(store.articles())
        saved = missed = 0
        for f in sorted(GOLD.glob("*.json")):
            g = json.loads(f.read_text(encoding="utf-8"))
            art = next((a for a in arts if a.external_id == g["id"] or a.title == g.get("title")), None)
            assert art is not None, g["id"]
            ps = []
            for p in g["positions"]:
                span = _find(art.text, p["evidence"])
                if span is None:
                    missed += 1
                    continue
                d = dict(p, evidence={"start": span[0], "end": span[1], "text": art.text[span[0]:span[1]]})
                ps.append(Position.from_dict(d, art.id))
            saved += store.save_positions(art.id, "gold", "1", ps)
        assert saved >= 0.9 * (saved + missed)
    return str(path)


def run(*args):
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r.output


def _section(md: str, title: str) -> str:
    return md.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def test_demo_report_names_shift_clash_and_common_ground(tmp_path):
    db = gold_db(tmp_path / "gold.db")
    run("actors", "import", str(ALIASES), "--db", db)
    md = run("report", "--format", "md", "--db", db)
    shifts = _section(md, "Shifts")
    assert re.search(r"Ivo Renner on talks: oppose → support .*\[\^\d+\]\[\^\d+\]", shifts), shifts
    clashes = _section(md, "Red-line clashes")
    assert re.search(r"Vardenia vs Kestrel Federation, territory: .*red line.*\[\^\d+\]\[\^\d+\]", clashes), clashes
    common = _section(md, "Common ground")
    assert re.search(r"Vardenia and Kestrel Federation, prisoners: .*\[\^\d+\]", common), common
    assert re.search(r"Vardenia and Kestrel Federation, ceasefire: both support\. .*\[\^\d+\]", common), common
    # every footnote names a stored article and quotes its sentence
    with open_store(db) as store:
        ids = {a.id for a in store.articles()}
    notes = re.findall(r"^\[\^\d+\]: .*article ([0-9a-f]{16}): \"", md, flags=re.M)
    assert notes and set(notes) <= ids
    zopa = _section(md, "Zone of possible agreement, per issue")
    assert "No zone of agreement on territory" in zopa
    cmp_out = run("compare", "Vardenia", "Kestrel Federation", "--issue", "territory", "--db", db)
    assert "CLASH" in cmp_out


def test_demo_report_with_the_rules_extractor(tmp_path):
    db = str(tmp_path / "rules.db")
    with open_store(db) as store:
        ingest_into(store, [str(DEMO)])
        ex = get_extractor()
        for art in list(store.pending_articles(ex.name, ex.version)):
            store.save_positions(art.id, ex.name, ex.version, ex.extract(art))
    run("actors", "import", str(ALIASES), "--db", db)
    out = tmp_path / "demo.html"
    run("report", "--format", "html", "-o", str(out), "--db", db)
    html = out.read_text(encoding="utf-8")
    assert "Vardenia" in html and "Kestrel Federation" in html and "<h2>Shifts" in html
    md = run("report", "--format", "md", "--db", db)
    # whatever the extractor finds, every stance change of Renner's on one issue between two
    # articles must be reported as a shift
    with open_store(db) as store:
        ps = [p for p in store.positions() if "Renner" in p.actor]
    by_issue: dict[str, list] = {}
    for p in sorted(ps, key=lambda p: (p.published or date.max, p.article_id)):
        by_issue.setdefault(p.issue, []).append(p)
    changed = []          # issues where two consecutive articles share no stance (docs/analysis.md, Shifts)
    for issue, xs in by_issue.items():
        arts: list[set] = []
        last = None
        for x in xs:
            if x.article_id != last:
                arts.append(set())
                last = x.article_id
            arts[-1].add(x.stance)
        if any(a.isdisjoint(b) for a, b in zip(arts, arts[1:])):
            changed.append(issue)
    shifts = _section(md, "Shifts")
    for issue in changed:
        assert f"Ivo Renner on {issue}:" in shifts, (issue, shifts)


def _json(*args):
    return json.loads(run(*args, "--format", "json"))


def test_uncurated_demo_sides_come_from_the_text_and_no_actor_is_opposed_to_its_own(tmp_path):
    from parley.analyze.ledger import Ledger
    from parley.analyze.report import audit_report, build_report

    db = gold_db(tmp_path / "gold.db")             # no alias file imported: every side read from the text
    acts = {a["name"]: a for a in _json("actors", "--db", db)}
    assert acts["Anton Brask"]["side"] == "Vardenia"           # "Foreign Minister Anton Brask said Vardenia would"
    assert {e["how"] for e in acts["Anton Brask"]["side_evidence"]} == {"speaks for"}
    assert acts["Ivo Renner"]["side"] == "Kestrel Federation" and acts["Mila Toren"]["side"] == "Vardenia"
    for a in acts.values():
        for e in a["side_evidence"]:
            assert e["side"] == a["side"]
    md = run("report", "--format", "md", "--db", db)
    clashes = _section(md, "Red-line clashes")
    assert "Brask" not in clashes.split("against")[0] if "vs Anton Brask" in clashes else True
    assert "vs Anton Brask" not in clashes and "Anton Brask vs" not in clashes
    with open_store(db) as store:
        ledger = Ledger.from_store(store)
    assert audit_report(build_report(ledger), ledger) == []
    # comparing a side with a member of its own is refused, with the evidence
    r = CliRunner().invoke(main, ["compare", "Vardenia", "Anton Brask", "--db", db])
    assert r.exit_code == 1 and r.stderr.startswith("error: [E508]") and "speaks for" in r.stderr


def test_compare_names_the_side_asked_for_and_keeps_all_its_members(tmp_path):
    db = gold_db(tmp_path / "gold.db")
    d = _json("compare", "Vardenia", "Kestrel Federation", "--db", db)
    assert (d["a"], d["b"]) == ("Vardenia", "Kestrel Federation")      # no silent substitution of Renner
    actors_a = {p["actor"] for ic in d["issues"] for p in ic["a"]}
    actors_b = {p["actor"] for ic in d["issues"] for p in ic["b"]}
    assert "Anton Brask" in actors_a and "Mila Toren" in actors_a and actors_b == {"Ivo Renner"}
    # a close spelling is used, and said
    r = CliRunner().invoke(main, ["compare", "Vardenia", "Kestrel Federaton", "--db", db])
    assert r.exit_code == 0 and "closest spelling 'Kestrel Federation'" in r.stderr


def test_merge_of_a_description_then_timeline_and_counts_agree(tmp_path):
    db = gold_db(tmp_path / "gold.db")
    before = {a["name"]: a for a in _json("actors", "--db", db)}
    run("actors", "merge", "Mila Toren", "The Vardenian leader", "--db", db)
    run("actors", "merge", "Mila Toren", "The Vardenian leader", "--db", db)        # idempotent
    acts = _json("actors", "--db", db)
    names = [a["name"] for a in acts]
    assert len(names) == len(set(names)) and "Toren" not in names
    toren = next(a for a in acts if a["name"] == "Mila Toren")
    assert toren["mentions"] == before["Mila Toren"]["mentions"] and "Toren" in toren["aliases"]
    tl = _json("timeline", "--actor", "Toren", "--db", db)
    assert tl["actor"] == "Mila Toren" and len(tl["points"]) == toren["mentions"]
    stats = json.loads(run("stats", "--format", "json", "--db", db))
    assert stats["actors"] == len(acts)
    # split, then undo the split: back to the automatic records
    run("actors", "split", "Mila Toren", "Toren", "--db", db)
    assert {a["name"] for a in _json("actors", "--db", db)} == set(names)       # no 0-mention "Toren" listed
    r = CliRunner().invoke(main, ["timeline", "--actor", "Toren", "--db", db])
    assert r.exit_code == 1 and r.stderr.startswith("error: [E507]")
    run("actors", "unlink", "Mila Toren", "Toren", "--db", db)
    assert _json("timeline", "--actor", "Toren", "--db", db)["actor"] == "Mila Toren"
