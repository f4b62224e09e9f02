"""Timelines, shifts, comparison and reports as pure functions of hand-built positions and articles."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from parley.analyze.compare import check_condition, compare
from parley.analyze.ledger import Ledger
from parley.analyze.names import content_tokens
from parley.analyze.report import build_report, render_html, render_markdown
from parley.analyze.shifts import detect_shifts
from parley.analyze.sources import render_refs
from parley.analyze.timeline import build_timeline, plot_timeline, render_text
from parley.errors import AnalysisError
from parley.model import Article, Evidence, Position

# A made-up dispute: Belmora (President Aldo Varga) and Corvalis (Prime Minister Rena Holt).
TEXTS = {
    "a1": ("Belmora rules out talks", date(2026, 1, 10),
           "Belmoran President Aldo Varga rejected any talks with Corvalis. "
           "Varga said the return of the Lindar coast was non-negotiable. "
           "Corvalan Prime Minister Rena Holt said Corvalis would never give up the Lindar coast. "
           "Holt said she supported an exchange of prisoners."),
    "a2": ("Varga sets terms", date(2026, 3, 5),
           "Varga said Belmora supported an exchange of prisoners. "
           "Varga said Belmora would join talks only if Corvalis withdrew its tanks from the border. "
           "Holt said Corvalis rejected any withdrawal of its tanks from the border."),
    "a3": ("Varga ready for talks", None,
           "Aldo Varga said he was ready to hold talks with Corvalis. "
           "Holt said she backed talks if Belmora released the fishing boats."),
}


def _articles() -> list[Article]:
    out = []
    for aid, (title, pub, text) in TEXTS.items():
        out.append(Article(id=aid, text=text, title=title, published=pub,
                           ingested_at=datetime(2026, 6, 1, tzinfo=UTC)))
    return out


def _pos(aid: str, needle: str, actor: str, issue: str, stance: str, **kw) -> Position:
    text = TEXTS[aid][2]
    start = text.index(needle)
    # the sentence containing needle
    s = text.rfind(". ", 0, start)
    s = 0 if s < 0 else s + 2
    e = text.find(". ", start)
    e = len(text) if e < 0 else e + 1
    return Position(actor=actor, issue=issue, stance=stance, evidence=Evidence(s, e, text[s:e], aid),
                    article_id=aid, published=TEXTS[aid][1], **kw)


def ledger() -> Ledger:
    ps = [
        _pos("a1", "rejected any talks", "Belmoran President Aldo Varga", "talks", "oppose",
             proposition="talks with Corvalis"),
        _pos("a1", "return of the Lindar", "Varga", "territory", "support", red_line=True,
             proposition="return of the Lindar coast"),
        _pos("a1", "never give up", "Corvalan Prime Minister Rena Holt", "territory", "oppose", red_line=True,
             proposition="giving up the Lindar coast"),
        _pos("a1", "supported an exchange", "Holt", "prisoners", "support", proposition="exchange of prisoners"),
        _pos("a2", "Belmora supported an exchange", "Varga", "prisoners", "support",
             proposition="exchange of prisoners"),
        _pos("a2", "only if Corvalis", "Varga", "talks", "conditional", proposition="talks",
             conditions=("Corvalis withdrew its tanks from the border",)),
        _pos("a2", "rejected any withdrawal", "Holt", "withdrawal", "oppose",
             proposition="withdrawal of its tanks from the border"),
        _pos("a3", "ready to hold talks", "Aldo Varga", "talks", "support", previous_stance="oppose",
             proposition="talks with Corvalis"),
        _pos("a3", "backed talks", "Holt", "talks", "conditional", proposition="talks",
             conditions=("Belmora released the fishing boats",)),
    ]
    return Ledger.build(ps, _articles())


def test_actors_resolve_across_articles_with_sides():
    lg = ledger()
    names = {p.actor for p in lg.positions}
    assert names == {"Aldo Varga", "Rena Holt"}


def test_timeline_orders_by_date_leaves_out_undated_and_cites():
    tl = build_timeline(ledger(), "Varga")
    assert tl.actor == "Aldo Varga"
    # a3 has no date: never placed at its ingestion date (2026-06-01), left out unless asked for
    assert [p.citation.article_id for p in tl.points] == ["a1", "a1", "a2", "a2"] and tl.undated_left_out == 1
    text = render_text(tl)
    assert "2026-06-01" not in text and "1 undated positions not shown" in text
    tl = build_timeline(ledger(), "Varga", include_undated=True)
    assert [p.citation.article_id for p in tl.points] == ["a1", "a1", "a2", "a2", "a3"]
    last = tl.points[-1]
    assert not last.dated and last.when is None and not last.citation.dated
    text = render_text(tl)
    assert "undated" in text.splitlines()[2] and "+!" in text and "-[1]" in text and "2026-06-01" not in text
    assert "Varga ready for talks, undated, article a3" in text
    assert [p.citation.article_id for p in build_timeline(ledger(), "Varga", since=date(2026, 2, 1)).points] \
        == ["a2", "a2"]
    only = build_timeline(ledger(), "Aldo Varga", issue="talks")
    assert {p.issue for p in only.points} == {"talks"}


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_timeline_plot(tmp_path, fmt):
    path = tmp_path / f"t.{fmt}"
    data = plot_timeline(build_timeline(ledger(), "Holt"), path)
    assert path.read_bytes() == data
    assert data.startswith(b"\x89PNG") if fmt == "png" else b"<svg" in data


def test_plot_rejects_unknown_format(tmp_path):
    with pytest.raises(AnalysisError) as exc:
        plot_timeline(build_timeline(ledger(), "Holt"), tmp_path / "t.gif")
    assert exc.value.code == "E504"


def test_unknown_actor_is_E501():
    with pytest.raises(AnalysisError) as exc:
        build_timeline(ledger(), "Nobody Known")
    assert exc.value.code == "E501"


def test_shifts_detected_across_articles_and_announced():
    shifts = detect_shifts(ledger(), actor="Varga")
    talks = [s for s in shifts if s.issue == "talks"]
    # the second is announced by the article ("ready to ..." with previous_stance oppose): its "before"
    # is the earlier article where Varga opposed talks
    assert [(s.before, s.after) for s in talks] == [("oppose", "conditional"), ("oppose", "support")]
    assert talks[0].evidence_before.article_id == "a1" and talks[0].evidence_after.article_id == "a2"
    assert not talks[0].announced and talks[1].announced
    assert talks[1].evidence_before.article_id == "a1"
    assert "ready to hold talks" in talks[1].evidence_after.text
    # the announced shift is in an undated article: not "new since" anything unless undated ones are asked for
    assert talks[1].date_after is None
    assert detect_shifts(ledger(), since=date(2026, 4, 1), actor="Varga") == []
    assert detect_shifts(ledger(), since=date(2026, 4, 1), actor="Varga", include_undated=True) == talks[1:]
    assert detect_shifts(ledger(), until=date(2026, 3, 31), actor="Varga") == talks[:1]
    assert all(s.issue != "prisoners" for s in shifts)   # same stance twice is no shift


def test_compare_clash_common_ground_conditions_and_zopa():
    comp = compare(ledger(), "Aldo Varga", "Rena Holt")
    by = {ic.issue: ic for ic in comp.issues}
    terr = by["territory"]
    assert terr.clashes and terr.clashes[0].red.red_line
    assert terr.zopa.startswith("No zone of agreement on territory") and "[" in render_refs(terr.zopa)
    assert by["prisoners"].common_ground == "both support"
    assert by["prisoners"].zopa.startswith("Zone of agreement on prisoners")
    talks = by["talks"]
    assert [p.article_id for p in talks.a] == ["a3"] and [p.article_id for p in talks.b] == ["a3"]
    assert talks.common_ground and "fishing boats" in talks.zopa
    verdicts = {c.condition: c.verdict for ic in comp.issues for c in ic.conditions}
    assert verdicts["Belmora released the fishing boats"] == "ignored"
    # every footnote cites a real sentence of a real article
    for c in comp.notes.items:
        assert TEXTS[c.article_id][2][c.start:c.end] == c.sentence


def test_condition_check_is_explainable():
    holt = _pos("a2", "rejected any withdrawal", "Rena Holt", "withdrawal", "oppose",
                proposition="withdrawal of its tanks from the border")
    cond = "Corvalis agreed to a withdrawal of its tanks from the border"
    v, why, rel = check_condition(cond, [holt], content_tokens("Corvalis"))
    assert v == "contradicted" and "tank" in why and "corvali" not in why and rel == [holt]
    support = holt.with_(stance="support")
    assert check_condition(cond, [support], set())[0] == "met"
    # a cessation word the other side's position does not share: polarity unreadable
    assert check_condition("Corvalis removed its tanks from the border", [support], set())[0] == "ambiguous"
    assert check_condition("the fishing fleet is returned", [holt], set())[0] == "ignored"
    assert check_condition("tanks are not on the border", [holt], set())[0] == "ambiguous"
    mixed = [holt, support]
    assert check_condition(cond, mixed, set())[0] == "ambiguous"


def test_report_markdown_and_html_cite_everything():
    lg = ledger()
    rep = build_report(lg, since=date(2026, 2, 1), charts=True)
    md = render_markdown(rep)
    assert "## Shifts since 2026-02-01" in md and "Aldo Varga on talks: oppose → conditional" in md
    assert "## Red-line clashes" in md and "territory" in md.split("## Red-line clashes")[1].split("##")[0]
    assert "prisoners: both support" in md
    n = len(rep.footnotes)
    for i in range(1, n + 1):
        assert f"[^{i}]:" in md
    d = rep.to_dict()
    assert d["since"] == "2026-02-01" and len(d["notes"]) == n and d["shifts"][0]["notes"]
    html = render_html(rep)
    assert html.count("data:image/png;base64,") == len([s for s in rep.parties if s.chart_png]) >= 2
    assert "Varga ready for talks" in html


def test_report_for_one_actor_and_issue():
    rep = build_report(ledger(), actor="Holt", issue="talks")
    # the briefing is on Holt's side: Corvalis, named by the text ("Corvalan Prime Minister ...", "Corvalis")
    assert rep.parties[0].name == "Corvalis" and "Rena Holt" in rep.parties[0].members
    md = render_markdown(rep)
    assert "territory" not in md.split("## Sources")[0]


def test_html_escapes_text_everywhere_including_zone_of_agreement_lines():
    lg = ledger()
    evil = [p.with_(proposition="<script>alert(1)</script>") for p in lg.raw_positions]
    lg = Ledger.build(evil, [a for a in _articles()])
    html = render_html(build_report(lg))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<sup><a href="#note-' in html.split("Zone of possible agreement")[1]


def test_red_line_against_same_stance_on_the_opposite_thing_is_a_possible_clash():
    ps = [_pos("a1", "return of the Lindar", "Aldo Varga", "territory", "support", red_line=True,
               proposition="return of the Lindar coast"),
          _pos("a1", "never give up", "Rena Holt", "territory", "support",
               proposition="no return of the Lindar coast")]
    comp = compare(Ledger.build(ps, _articles()), "Varga", "Holt")
    clash = comp.issues[0].clashes[0]
    assert clash.explanation.startswith("possible clash (ambiguous)") and "no" in clash.explanation
    assert comp.issues[0].zopa.startswith("Unclear whether there is a zone of agreement on territory")
    assert "possible red-line clash" in comp.issues[0].common_ground


# ---------------------------------------------------------------------------- citations that hold

def test_a_condition_from_another_sentence_is_cited_on_its_own():
    text = ("Varga said Belmora would join talks. The talks depend on the withdrawal of the tanks. "
            "Holt rejected any withdrawal of the tanks.")
    art = Article(id="c1", text=text, title="Terms", published=date(2026, 2, 2), source="Northgate Wire",
                  url="https://news.example/terms")
    first = text[:36]
    ps = [Position(actor="Aldo Varga", issue="talks", stance="conditional", evidence=Evidence(0, 36, first, "c1"),
                   article_id="c1", proposition="joining talks",
                   conditions=("the withdrawal of the tanks", "a vote in the senate")),
          Position(actor="Rena Holt", issue="withdrawal", stance="oppose", article_id="c1",
                   evidence=Evidence(text.index("Holt"), len(text), text[text.index("Holt"):], "c1"))]
    lg = Ledger.build(ps, [art])
    comp = compare(lg, "Aldo Varga", "Rena Holt")
    shown = {c.condition: c.shown for ic in comp.issues for c in ic.conditions}
    # not in the evidence sentence, in another one: its own footnote, pointing at that sentence
    n = int(render_refs(shown["the withdrawal of the tanks"]).rsplit("[", 1)[1].rstrip("]"))
    assert comp.notes.items[n - 1].sentence == "The talks depend on the withdrawal of the tanks."
    assert "not in the article's words" in shown["a vote in the senate"]          # in no sentence: said so
    md = render_markdown(build_report(lg))
    assert "[^" in md.split("## Current positions")[1].split("## New")[0].split("withdrawal of the tanks")[1][:8]
    # every source says outlet, date and URL
    assert "Terms, Northgate Wire, 2026-02-02, https://news.example/terms, article c1" in md
    html = render_html(build_report(lg))
    assert '<a href="https://news.example/terms" rel="noreferrer">' in html and "Northgate Wire" in html


def test_report_chart_points_share_the_footnote_numbers():
    rep = build_report(ledger(), charts=True)
    charted = [s for s in rep.parties if s.chart is not None]
    assert charted
    for s in charted:
        assert len(s.chart_numbers) == len(s.chart.points)
        for pt, n in zip(s.chart.points, s.chart_numbers):
            assert rep.notes.items[n - 1].key() == pt.citation.key()      # point n is footnote n


def test_crowded_chart_labels_never_overprint():
    from parley.analyze.ledger import Citation
    from parley.analyze.timeline import Timeline, TimelinePoint, chart_figure, overlapping_labels

    tl = Timeline("Crowd")
    c = Citation("x", "t", date(2026, 1, 1), True, "s", 0, 1)
    for i in range(60):                      # 60 points over 3 issues and 12 days: labels must make room
        d = date(2026, 1, 1 + (i % 12))
        tl.points.append(TimelinePoint("A", ("talks", "ceasefire", "trade")[i % 3], "support", d, True, False, (),
                                       "", c))
    fig, anns = chart_figure(tl, list(range(101, 161)))
    assert overlapping_labels(fig, anns) == []
    shown = set()
    for a in anns:
        for part in a.get_text().split(","):
            if "–" in part:
                lo, hi = part.split("–")
                shown |= set(range(int(lo), int(hi) + 1))
            else:
                shown.add(int(part))
    assert shown == set(range(101, 161))     # every number is shown somewhere
