"""The sentence splitter that aligns evidence with the labelled sets."""
from parley.extract.sentences import split_sentences


def texts(t):
    return [t[s:e] for s, e in split_sentences(t)]


def test_splits_on_terminal_punctuation_and_keeps_offsets():
    t = "The Guild rejected the offer. Talks resume Friday!  Will they agree?"
    assert texts(t) == ["The Guild rejected the offer.", "Talks resume Friday!", "Will they agree?"]


def test_abbreviations_and_initials_do_not_split():
    t = "U.S. envoy Mr. Ansel J. Korr met Dr. Vey in Jan. 2024. He left."
    assert texts(t) == ["U.S. envoy Mr. Ansel J. Korr met Dr. Vey in Jan. 2024.", "He left."]


def test_closing_quote_stays_with_its_sentence_and_lines_split():
    t = '"We will never sign." The envoy left.\nNew paragraph here'
    assert texts(t) == ['"We will never sign."', "The envoy left.", "New paragraph here"]
