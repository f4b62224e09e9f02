"""The cheap cue pass that decides which sentences are parsed."""
from parley.extract.rules.lexicon import load_cues
from parley.extract.rules.prefilter import Prefilter
from parley.extract.sentences import split_sentences


def select(text):
    pf = Prefilter.from_cues(load_cues())
    spans = split_sentences(text)
    return [text[spans[i][0]:spans[i][1]] for i in pf.select(text, spans)]


def test_article_without_bargaining_words_costs_nothing():
    assert select("The festival opened on Friday. Crowds enjoyed the music. It rained later.") == []


def test_cue_sentences_are_chosen_and_plain_ones_skipped():
    text = ("The harbour was quiet on Monday. The Dockworkers' Guild rejected the pay offer. "
            "Boats came and went. The union will strike unless wages rise.")
    assert select(text) == ["The Dockworkers' Guild rejected the pay offer.",
                            "The union will strike unless wages rise."]


def test_leading_pronoun_brings_its_antecedent_sentence():
    text = "Tomas Brell arrived in the capital for the summit. He rejected the truce. The weather was fine."
    assert select(text) == ["Tomas Brell arrived in the capital for the summit.", "He rejected the truce."]


def test_favourable_verdict_sentences_are_candidates():
    from parley.extract.rules.lexicon import load_cues
    from parley.extract.rules.prefilter import Prefilter
    pf = Prefilter.from_cues(load_cues())
    assert pf.is_candidate("Ilona Marsh said earlier there is an opportunity for a permanent ceasefire.")


def test_red_line_constructions_make_a_candidate():
    from parley.extract.rules.lexicon import load_cues as _lc
    from parley.extract.rules.prefilter import Prefilter as _P
    pf = _P.from_cues(_lc())
    assert pf.is_candidate("Vance said Drevia would never surrender the river province.")


def test_would_never_give_up_land_is_a_territorial_red_line(extractor):
    from parley.model import Article as _A
    text = ("Premier Otto Vance of Drevia rejected the truce talks. Vance said Drevia would never give up the "
            "river province and that its future would be decided \"in Drevport, not abroad.\"")
    ps = [p for p in extractor.extract(_A.create(text)) if p.red_line]
    assert [(p.actor, p.issue, p.stance) for p in ps] == [("Otto Vance", "territory", "oppose")]


def test_preconditions_is_bargaining_vocabulary():
    from parley.extract.rules.lexicon import load_cues as _lc
    from parley.extract.rules.prefilter import Prefilter as _P
    pf = _P.from_cues(_lc())
    assert pf.is_candidate("Lars Emmet urged the two presidents to meet without preconditions.")
