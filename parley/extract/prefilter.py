"""A learned sentence prefilter: which sentences are worth parsing at all.

Parsing is the extractor's largest cost, and most news sentences hold no position. The
prefilter reads the raw sentence (no parse): its lower-cased words and word pairs, with every
capitalised word inside the sentence replaced by ``CAP`` (so no name is ever a feature), a few
shape facts, and the sentence's static vector when the model has an encoder. A logistic
regression trained on ``train/`` ("does a labelled position cite this sentence?") scores each
sentence; the threshold is chosen at training time for a recall target on cross-validation.
The sentence before a kept sentence that opens with a pronoun is kept too (its antecedent).
"""
from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019\-]*|\d+|[\"\u201c\u201d?:]")
_PRONOUN_START = re.compile(r"^\W*(?:he|she|they|it|we|i|his|her|their|its)\b", re.I)
STOP = frozenset("the a an of to in on at for and or by with as is was be are were from that this it its".split())


_LOWER = re.compile(r"(?<![A-Za-z'\u2019\-])[a-z][a-z'\u2019\-]*")


def common_words(text: str) -> frozenset[str]:
    """The words an article writes in lower case somewhere: a capitalised word whose lower-case
    form is not among them is taken for a name (so a name opening a sentence or a title, which
    capitalisation alone cannot tell, is masked too)."""
    return frozenset(_LOWER.findall(text))


def raw_words(sentence: str, common: frozenset[str] | None = None) -> list[str]:
    """Lower-cased words with names masked: capitalised words after the first become ``CAP``, and
    the first too when the article never writes it in lower case (``common``)."""
    out: list[str] = []
    for k, m in enumerate(_WORD.finditer(sentence)):
        w = m.group(0)
        if k == 0 and common is not None and w[0].isupper() and w.lower() not in common and w.lower() not in STOP:
            out.append("CAP")
        elif (w[0].isupper() and k > 0 and not w.isupper()) or (w.isupper() and len(w) > 1 and k > 0):
            out.append("CAP")
        elif w.isdigit():
            out.append("NUM")
        else:
            out.append(w.lower())
    return out


def masked_raw(sentence: str, common: frozenset[str] | None = None) -> str:
    """The sentence as an encoder sees it before parsing: names masked as "someone"."""
    return " ".join("someone" if w == "CAP" else w for w in raw_words(sentence, common))


def sentence_features(sentence: str, index: int, quote_share: float, common: frozenset[str] | None = None) -> list[str]:
    words = raw_words(sentence, common)
    f = [f"p_w={w}" for w in words if w not in STOP]
    f += [f"p_b={a}_{b}" for a, b in zip(words, words[1:])]
    f += [f"p_len={min(len(words) // 8, 6)}", f"p_idx={min(index, 5)}", f"p_quote={round(quote_share * 2) / 2}",
          f"p_caps={min(words.count('CAP'), 4)}", "p_bias"]
    return f


def opens_with_pronoun(sentence: str) -> bool:
    return bool(_PRONOUN_START.match(sentence))
