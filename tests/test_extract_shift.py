"""Shifts of stance."""
from __future__ import annotations

from extract_helpers import run

from parley.model import Article


def test_shift_gives_previous_stance(extractor):
    text = ("Tomas Brell leads the Kestrel Federation. While he previously dismissed talks as pointless, "
            "he now appears open to dialogue with Vardenia.")
    ps = run(extractor, text)
    talks = [p for p in ps if p.issue == "talks"]
    assert [(p.actor, p.stance, p.previous_stance) for p in talks] == [("Tomas Brell", "support", "oppose")]


def test_announced_change_across_sentences_replaces_the_earlier_stance(extractor):
    text = ("The Kestrel Federation rejected any prisoner exchange with Vardenia on Monday. "
            "The Kestrel Federation now supports a prisoner exchange, its envoy said.")
    ps = [p for p in run(extractor, text) if p.issue == "prisoners"]
    assert [(p.stance, p.previous_stance) for p in ps] == [("support", "oppose")]
    assert ps[0].evidence.text.startswith("The Kestrel Federation now supports")


def test_dated_past_act_becomes_the_previous_stance(extractor):
    text = ("The Kestrel Federation said two years ago it would join the peace talks. "
            "On Monday the Kestrel Federation rejected the peace talks.")
    ps = [p for p in extractor.extract(Article.create(text)) if p.issue == "talks"]
    assert [p.stance for p in ps] == ["oppose"], [(p.actor, p.stance) for p in ps]
    assert ps[0].previous_stance == "support"


def test_backed_off_is_a_phrasal_refusal_with_an_earlier_stance(extractor):
    text = ("Tomas Brell threatened in March to close the border to Kestrel trucks if the rebels did not halt "
            "the raids during the talks. A few days later, Brell backed off the threat to close the border, "
            "saying he was pleased with the talks.")
    ps = [p for p in extractor.extract(Article.create(text)) if p.stance == "oppose"]
    assert ps and ps[0].previous_stance == "conditional", [(p.issue, p.stance, p.previous_stance) for p in ps]


def test_previously_insisted_is_the_earlier_stance_of_a_later_sentence(extractor):
    text = ("The Kestrel Federation had previously insisted it would never join talks with the rebels. "
            "On Monday the Kestrel Federation agreed to join talks with the rebels.")
    ps = [p for p in extractor.extract(Article.create(text)) if p.issue == "talks"]
    assert [(p.stance, p.previous_stance) for p in ps] == [("support", "oppose")]
