"""Component ``parley_issue``: label each claim with an issue from the taxonomy data file.

What a claim is about is read from its own words first, weighted by their place
in the parse, then from its condition clauses, then from the rest of the sentence:

* the content (what the stance is taken on) minus the holder's own name, the
  condition clauses and evaluations ("called the plan 'hostage taking'": an
  object predicate judges, it names no issue); the heads of the content count
  twice, words inside a relative or adverbial clause half;
* *process* labels (``process:`` in the taxonomy, by default ``talks``) name how
  parties bargain, not what about. A process word whose object names a topic
  yields to it ("negotiate a ceasefire" is about the ceasefire); the subject
  matter of a process word ("would not negotiate over its nuclear programme",
  "nuclear talks") counts only a quarter, since the position is about talking;
  at equal scores a topic label beats a process label;
* when the content names no issue: the rest of the sentence but the condition
  clauses (0.3), without process words when the content has a noun of its own:
  "Speaking after the summit, she said the levy was fixed for good" is about the
  rebate, not the summit; otherwise the taxonomy's default label.

``issue_hit`` (the claim is about something definite, which the stance step reads
as support for its confidence) is also set for a content that names a bargaining
topic the default label covers (the cue lexicon's bargaining nouns: "the pension
scheme", "the rebate", "pay").

Also fills ``proposition`` (the content span, shortened) and ``topical``: the
generic agreement words ("the deal") of the content that name no topic of
their own, which the article step gives the article's dominant issue.
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Token

from .claims import register_extensions
from .lexicon import Taxonomy, load_cues, load_taxonomy

MAX_PROP_TOKENS = 14
SENTENCE_WEIGHT = 0.3   # the rest of the sentence, used only when neither names one
HEAD_BONUS = 1.0        # the heads of the content count twice
CLAUSE_WEIGHT = 0.5     # words inside a relative / adverbial clause of the content
SUBJECT_MATTER = 0.25   # what a process word ("talks") is about
_CLAUSES = ("relcl", "advcl", "acl")
_OBJECTS = ("dobj", "nsubjpass", "attr", "oprd")
_OCCASION = {"after", "because", "since", "as", "while", "when", "though", "although", "whereas"}
_NAMING = {"call", "describe", "label", "brand", "dub", "term"}
_ABOUT = {"on", "over", "about", "regarding", "concerning", "with", "under"}


def _key(tax: Taxonomy, tok: Token) -> str:
    """One word per token: its lemma, or its surface form when only that is listed ("borders")."""
    lemma = tok.lemma_.lower()
    if any(lemma in lem for lem, _ in tax.labels.values()):
        return lemma
    return tok.lower_


def _labels_of(tax: Taxonomy, key: str) -> list[str]:
    return [label for label, (lem, _p) in tax.labels.items() if key in lem]


def _score(tax: Taxonomy, doc: Doc, weights: dict[int, float], exclude: frozenset[str] = frozenset()) -> dict[str, float]:
    """Weighted lemma hits plus phrase hits (1.5 x the highest weight of the words they cover)."""
    out: dict[str, float] = {}
    for i, w in weights.items():
        if w <= 0:
            continue
        for label in _labels_of(tax, _key(tax, doc[i])):
            if label not in exclude:
                out[label] = out.get(label, 0.0) + w
    # phrases over the text of the weighted tokens (consecutive tokens keep their spacing)
    idx = sorted(weights)
    parts: list[str] = []
    owner: list[int] = []
    for n, i in enumerate(idx):
        t = doc[i]
        sep = t.whitespace_ if n + 1 < len(idx) and idx[n + 1] == i + 1 else " "
        parts.append(t.text.lower() + sep)
        owner.extend([i] * (len(t.text) + len(sep)))
    text = "".join(parts)
    for label, rx in tax.phrase_re.items():
        if label in exclude:
            continue
        for m in rx.finditer(text):
            covered = {owner[k] for k in range(m.start(), m.end()) if k < len(owner)}
            w = max((weights[i] for i in covered), default=0.0)
            if w > 0:
                out[label] = out.get(label, 0.0) + 1.5 * w
    return {k: v for k, v in out.items() if v > 0}


def _rank(tax: Taxonomy, scores: dict[str, float]) -> list[str]:
    """Best first; at equal scores a topic label before a process label."""
    return sorted(scores, key=lambda k: (-round(scores[k], 6), k in tax.process))


def _subtree(tok: Token, allowed: set[int]) -> list[int]:
    return [t.i for t in tok.subtree if t.i in allowed]


def content_weights(tax: Taxonomy, doc: Doc, span: tuple[int, int], cue_i: int, skip: set[int]) -> dict[int, float]:
    """Weight of each content word for the issue (see module docstring)."""
    toks = [t for t in doc[span[0]:span[1]] if t.i not in skip]
    allowed = {t.i for t in toks}
    weights = {t.i: 1.0 for t in toks}
    for t in toks:  # evaluations of an object name no issue
        if t.dep_ == "oprd":
            for i in _subtree(t, allowed):
                weights[i] = 0.0
    heads = [t for t in toks if t.head.i not in allowed or t.head.i == t.i]
    for t in toks:
        # a relative or adverbial clause inside the content, or one beside it that explains
        # the stance ("..., citing past instances where ..."): half weight
        if t.dep_ in _CLAUSES and (t.head.i in allowed or len([h for h in heads if not h.is_punct]) > 1):
            # "after rocket fire resumed", "because ...": the occasion, a quarter
            why = t.dep_ == "advcl" and any(ch.dep_ == "mark" and ch.lower_ in _OCCASION for ch in t.children)
            for i in _subtree(t, allowed):
                weights[i] *= CLAUSE_WEIGHT / 2 if why else CLAUSE_WEIGHT
    heads += [c for h in heads for c in h.children if c.dep_ in ("dobj", "xcomp", "attr", "nsubjpass") and c.i in allowed]
    for h in heads:
        if weights.get(h.i):
            weights[h.i] += HEAD_BONUS
    if cue_i not in weights and cue_i not in skip:
        weights[cue_i] = 1.0
    # process words: the negotiated object wins; the subject matter of talks counts little
    if tax.process:
        for t in toks:
            if not weights.get(t.i) or not (set(_labels_of(tax, _key(tax, t))) & tax.process):
                continue
            for ch in t.children:
                if ch.i not in allowed:
                    continue
                sub = _subtree(ch, allowed)
                topic = any(set(_labels_of(tax, _key(tax, doc[i]))) - tax.process for i in sub)
                if ch.dep_ in ("dobj", "nsubjpass") and topic and t.pos_ == "VERB":
                    weights[t.i] = 0.0
                elif ch.dep_ in ("amod", "compound", "nmod") or (ch.dep_ == "prep" and ch.lower_ in _ABOUT):
                    for i in sub:
                        weights[i] *= SUBJECT_MATTER
    return weights


def _evaluation(cue: Token, span: tuple[int, int]) -> set[int]:
    """'called the proposals "unacceptable" and "hostage taking"': after the object of a
    naming verb comes the speaker's judgement of it, which names no issue."""
    if cue.lemma_.lower() not in _NAMING or any(ch.dep_ in ("prep", "prt") and ch.lower_ in ("for", "on", "upon")
                                                   for ch in cue.children):
        return set()
    for ch in cue.children:
        if ch.dep_ == "dobj":
            return {i for i in range(ch.i + 1, span[1]) if i > cue.i}
    return set()


def label_issue(tax: Taxonomy, doc: Doc, span: tuple[int, int], cue_i: int,
                skip: set[int] | None = None) -> tuple[str, list[str], bool, dict[str, float]]:
    """(best label, labels with hits best first, whether the content itself had a hit, scores).

    ``skip``: token indices that say nothing about the issue (the holder's own name,
    the condition clauses: "talks ... if X gives up its nuclear weapons" is about talks).
    """
    skip = set(skip or ())
    skip |= {i for t in doc[span[0]:span[1]] if t.dep_ == "oprd" for i in (x.i for x in t.subtree)} - {cue_i}
    skip |= _evaluation(doc[cue_i], span)
    scores = _score(tax, doc, content_weights(tax, doc, span, cue_i, skip))
    hit = bool(scores)
    if not scores and SENTENCE_WEIGHT:
        # the rest of the sentence, without the condition clauses ("X in exchange for funding":
        # a price named in a condition does not make X an aid position)
        w = {t.i: SENTENCE_WEIGHT for t in doc if t.i not in skip}
        # process words around a content with a subject of its own ("the levy is fixed for good")
        # are the setting; around an elliptical one ("asked if he would sit down ..., he said he
        # would") they are what it is about
        own = any(t.pos_ == "NOUN" for t in doc[span[0]:span[1]] if t.i not in skip)
        scores = _score(tax, doc, w, exclude=tax.process if own else frozenset())
    if not scores:
        return tax.default, [], False, {}
    ranked = _rank(tax, scores)
    return ranked[0], ranked, hit, scores


def own_topic(tok: Token) -> bool:
    """'an agreement on its finances', 'the trade deal', 'a deal bringing X closer to Y': the
    agreement names its own subject (a relative clause only judges it: 'a deal that is good
    for both ports'); in 'a no-deal option' it is no agreement at all."""
    if tok.dep_ in ("compound", "amod", "nmod"):
        return True
    if tok.dep_ == "nsubj" and any(ch.dep_ == "dobj" for ch in tok.head.children):
        return True   # "any accord to contain a pledge that ...": the deal's content is given
    for ch in tok.children:
        if ch.dep_ in ("compound", "acl") or (ch.dep_ == "prep" and ch.lower_ in _ABOUT - {"with", "under"}):
            return True
        if ch.dep_ == "relcl" and ch.lemma_.lower() not in ("be", "have", "seem", "look", "sound", "remain") \
                and any(g.dep_ == "dobj" for g in ch.children):
            return True   # "any deal that left soldiers in the valley": what the deal would do
    return False


class IssueLabeller:
    def __init__(self, taxonomy: str | None = None) -> None:
        register_extensions()
        self.taxonomy = load_taxonomy(taxonomy or None)
        self.topical = self.taxonomy.topical
        # bargaining topics the default label covers ("the pension scheme", "the rebate", "pay"):
        # a content naming one is about something, even with no label of its own
        stems = [str(w) for w in load_cues().raw.get("bargaining") or ()
                 if not any(str(w).startswith(x) for x in ("reject", "refus", "insist", "veto", "threat",
                                                          "boycott", "demand", "offer", "propos", "condition"))]
        self.bargaining = re.compile(r"\b(?:" + "|".join(stems) + r")\b", re.I) if stems else None

    def __call__(self, doc: Doc) -> Doc:
        for c in doc._.parley_claims or ():
            span = c.content or (0, len(doc))
            skip = {i for a, b in c.condition_spans for i in range(a, b)}
            # the words of a red-line idiom name no issue ("off the table" is not about talks)
            skip |= {i for fam, _p, a, b, _x in doc._.parley_cues or () if fam == "red_line"
                     for i in range(a, b) if i != c.cue_i and doc[i].pos_ == "NOUN"}
            if c.holder is not None:
                h = doc[c.holder.end - 1]
                skip.update(range(h.left_edge.i, h.i + 1))
                for ch in h.children:  # "the unions which met the minister": not the issue
                    if ch.dep_ in ("relcl", "acl", "prep") and ch.i > h.i:
                        skip.update(range(ch.left_edge.i, ch.right_edge.i + 1))
            c.issue, c.issues, c.issue_hit, c.issue_scores = label_issue(self.taxonomy, doc, span, c.cue_i, skip)
            if not c.issue_hit and self.bargaining is not None and c.issue == self.taxonomy.default:
                own = " ".join(t.text for t in doc[span[0]:span[1]] if t.i not in skip and t.pos_ in ("NOUN", "PROPN"))
                c.issue_hit = bool(self.bargaining.search(own))
            c.topical = sum(1 for t in doc[span[0]:span[1]]
                            if t.i not in skip and t.lemma_.lower() in self.topical and not own_topic(t))
            toks = [t for t in doc[span[0]:span[1]] if not t.is_space]
            while toks and (toks[0].is_punct or toks[0].lower_ in ("that", "to")):
                toks = toks[1:]
            while toks and toks[-1].is_punct:
                toks = toks[:-1]
            toks = _whole_phrase(toks)
            if toks:
                c.proposition = doc.text[toks[0].idx:toks[-1].idx + len(toks[-1].text)]
        return doc


_TAIL_POS = ("ADP", "DET", "CCONJ", "SCONJ", "PART", "AUX")
#: words a cut condition leaves at the end ("... crossing its territory provided")
_TAIL_WORDS = frozenset({"that", "a", "an", "the", "provided", "providing", "unless", "if", "once", "until", "whether"})


def _whole_phrase(toks: list[Token]) -> list[Token]:
    """At most MAX_PROP_TOKENS tokens, cut where a phrase ends (before a comma, a preposition, a
    conjunction or a subordinate clause) and never on a function word ("... a sharp change of",
    "... provided that a")."""
    # a leading date says when, not what ("on Monday rejected any negotiations ...")
    while toks and (toks[0].ent_type_ in ("DATE", "TIME") or (toks[0].pos_ == "ADP" and len(toks) > 1
                    and toks[1].ent_type_ in ("DATE", "TIME"))):
        toks = toks[1:]
    if len(toks) > MAX_PROP_TOKENS:
        cut = MAX_PROP_TOKENS
        for k in range(MAX_PROP_TOKENS, MAX_PROP_TOKENS // 2, -1):
            t = toks[k]
            if t.is_punct or t.pos_ in ("ADP", "CCONJ", "SCONJ") or t.dep_ in ("mark", "relcl", "acl", "advcl", "cc"):
                cut = k
                break
        toks = toks[:cut]
    while toks:
        if toks[-1].is_punct or toks[-1].pos_ in _TAIL_POS or toks[-1].lower_ in _TAIL_WORDS:
            toks = toks[:-1]
        elif len(toks) > 1 and toks[-1].lower_ == "long" and toks[-2].lower_ in ("as", "so"):
            toks = toks[:-2]            # a cut "as long as ..." condition
        else:
            break
    return toks


@Language.factory("parley_issue", requires=["doc._.parley_claims"], assigns=["doc._.parley_claims"],
                  default_config={"taxonomy": None})
def make_issue(nlp: Language, name: str, taxonomy: str | None) -> IssueLabeller:
    return IssueLabeller(taxonomy)
