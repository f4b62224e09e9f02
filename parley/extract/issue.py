"""Component ``parley_issue``: label each claim with an issue from the taxonomy data file.

Scores the lemmas (and phrases) of the claim's content words against each
label's lists; the cue word itself counts too ("negotiate"). Falls back to the
whole sentence with half weight, then to the taxonomy's default label. Also
fills ``proposition`` (the content span, shortened).
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from .claims import register_extensions
from .lexicon import Taxonomy, load_taxonomy

MAX_PROP_TOKENS = 14
SENTENCE_WEIGHT = 0.3   # the rest of the sentence, used only when the content names no issue


def _key(tax: Taxonomy, tok) -> str:
    """One word per token: its lemma, or its surface form when only that is listed ("borders")."""
    lemma = tok.lemma_.lower()
    if any(lemma in lem for lem, _ in tax.labels.values()):
        return lemma
    return tok.lower_


def label_issue(tax: Taxonomy, doc: Doc, span: tuple[int, int], cue_i: int,
                skip: set[int] | None = None) -> tuple[str, list[str], bool, dict[str, float]]:
    """(best label, labels with hits best first, whether the content itself had a hit, scores).

    ``skip``: token indices that say nothing about the issue (the holder's own name,
    the condition clauses: "talks ... if X gives up its nuclear weapons" is about talks).
    """
    skip = skip or set()
    toks = [t for t in doc[span[0]:span[1]] if t.i not in skip] + [doc[cue_i]]
    # the clause heads of the content ("negotiate" in "it won't negotiate over X") count twice
    heads = [t for t in doc[span[0]:span[1]] if t.i not in skip and (not (span[0] <= t.head.i < span[1]) or t.head.i == t.i)]
    heads += [c for h in heads for c in h.children if c.dep_ in ("dobj", "xcomp", "attr", "nsubjpass")]
    lemmas = [_key(tax, t) for t in toks + heads]
    text = " ".join(t.text for t in toks)
    scores = tax.score(lemmas, text)
    hit = bool(scores)
    if not scores and SENTENCE_WEIGHT:
        rest = [t for t in doc if t.i not in skip]
        whole = tax.score([_key(tax, t) for t in rest], " ".join(t.text for t in rest))
        scores = {k: SENTENCE_WEIGHT * v for k, v in whole.items() if v}
    if not scores:
        return tax.default, [], False, {}
    ranked = sorted(scores, key=lambda k: -scores[k])
    return ranked[0], ranked, hit, scores


class IssueLabeller:
    def __init__(self, taxonomy: str | None = None) -> None:
        register_extensions()
        self.taxonomy = load_taxonomy(taxonomy or None)
        self.topical = self.taxonomy.topical

    def __call__(self, doc: Doc) -> Doc:
        for c in doc._.parley_claims or ():
            span = c.content or (0, len(doc))
            skip = {i for a, b in c.condition_spans for i in range(a, b)}
            if c.holder is not None:
                h = doc[c.holder.end - 1]
                skip.update(range(h.left_edge.i, h.i + 1))
                for ch in h.children:  # "the unions which met the minister": not the issue
                    if ch.dep_ in ("relcl", "acl", "prep") and ch.i > h.i:
                        skip.update(range(ch.left_edge.i, ch.right_edge.i + 1))
            c.issue, c.issues, c.issue_hit, c.issue_scores = label_issue(self.taxonomy, doc, span, c.cue_i, skip)
            c.topical = sum(1 for t in doc[span[0]:span[1]] if t.i not in skip and t.lemma_.lower() in self.topical)
            toks = [t for t in doc[span[0]:span[1]] if not t.is_space]
            while toks and (toks[0].is_punct or toks[0].lower_ in ("that", "to")):
                toks = toks[1:]
            while toks and toks[-1].is_punct:
                toks = toks[:-1]
            if toks:
                end = toks[min(len(toks), MAX_PROP_TOKENS) - 1]
                c.proposition = doc.text[toks[0].idx:end.idx + len(end.text)]
        return doc


@Language.factory("parley_issue", requires=["doc._.parley_claims"], assigns=["doc._.parley_claims"],
                  default_config={"taxonomy": None})
def make_issue(nlp: Language, name: str, taxonomy: str | None) -> IssueLabeller:
    return IssueLabeller(taxonomy)
