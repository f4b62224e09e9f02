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


def raw_words(sentence: str) -> list[str]:
    """Lower-cased words with names masked: capitalised words after the first become ``CAP``."""
    out: list[str] = []
    for k, m in enumerate(_WORD.finditer(sentence)):
        w = m.group(0)
        if w[0].isupper() and k > 0 and not w.isupper() or (w.isupper() and len(w) > 1 and k > 0):
            out.append("CAP")
        elif w.isdigit():
            out.append("NUM")
        else:
            out.append(w.lower())
    return out


def masked_raw(sentence: str) -> str:
    """The sentence as an encoder sees it before parsing: names masked as "someone"."""
    return " ".join("someone" if w == "CAP" else w for w in raw_words(sentence))


def sentence_features(sentence: str, index: int, quote_share: float) -> list[str]:
    words = raw_words(sentence)
    f = [f"p_w={w}" for w in words if w not in STOP]
    f += [f"p_b={a}_{b}" for a, b in zip(words, words[1:])]
    f += [f"p_len={min(len(words) // 8, 6)}", f"p_idx={min(index, 5)}", f"p_quote={round(quote_share * 2) / 2}",
          f"p_caps={min(words.count('CAP'), 4)}", "p_bias"]
    return f


def opens_with_pronoun(sentence: str) -> bool:
    return bool(_PRONOUN_START.match(sentence))
