"""Features of a candidate (sentence, holder) for the learned heads.

Sparse string features only describe English: dependency labels, lemmas of common words,
pattern labels (``patterns/*.yml``), counts. Names never enter a feature: a proper noun,
number or entity token is replaced by its entity label ("PERSON", "GPE") before any word
feature is formed, and the text given to a sentence encoder is masked the same way
(:func:`masked_text`). So no model can learn that "Iran" means ``nuclear``; it can learn
that "enrichment" does.
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token

from ..lexicon import roles
from .structure import Candidate, Named, Sentence

_CONTENT_POS = {"NOUN", "VERB", "ADJ", "ADV", "AUX", "ADP", "PART", "SCONJ", "NUM", "PRON", "DET", "CCONJ", "INTJ"}
_MASK_WORDS = {"PERSON": "someone", "ORG": "an organisation", "GPE": "a country", "NORP": "a nation",
               "LOC": "a region", "FAC": "a place", "DATE": "a date", "TIME": "a time", "MONEY": "an amount",
               "PERCENT": "a percentage", "CARDINAL": "a number", "QUANTITY": "a quantity", "ORDINAL": "an ordinal",
               "EVENT": "an event", "LAW": "a law", "PRODUCT": "a product", "WORK_OF_ART": "a work",
               "LANGUAGE": "a language"}
_DEP_PRIORITY = {"nsubj": 0, "nsubjpass": 1, "pobj": 3, "poss": 2, "conj": 2}


def word(tok: Token) -> str:
    """A token as a feature word: its lemma, or its entity label for names and numbers."""
    if tok.ent_type_:
        return tok.ent_type_
    if tok.pos_ == "PROPN":
        return "PROPN"
    common = tok.doc.user_data.get("parley_common")
    if common is not None and tok.text[:1].isupper() and tok.lower_ not in common and not tok.is_stop:
        return "PROPN"          # a name the tagger missed: the article never writes it in lower case
    if tok.like_num:
        return "NUM"
    return tok.lemma_.lower()


def masked_text(doc: Doc, holder: tuple[int, int] | None = None) -> str:
    """The sentence with every entity replaced by a generic phrase, and the holder (if given) by
    "the holder": the input of a sentence encoder, free of names."""
    out: list[str] = []
    i = 0
    while i < len(doc):
        tok = doc[i]
        if holder and holder[0] <= i < holder[1]:
            if i == holder[1] - 1:
                out.append("the holder" + tok.whitespace_)
            i += 1
            continue
        if tok.ent_type_ and tok.ent_iob_ == "B":
            end = i + 1
            while end < len(doc) and doc[end].ent_iob_ == "I":
                end += 1
            out.append(_MASK_WORDS.get(tok.ent_type_, "something") + doc[end - 1].whitespace_)
            i = end
            continue
        if tok.ent_type_:
            i += 1
            continue
        out.append(tok.text_with_ws if word(tok) != "PROPN" else "someone" + tok.whitespace_)
        i += 1
    return "".join(out).strip()


def best_mention(cand: Candidate, doc: Doc) -> Named | None:
    """The mention that best presents the holder: one with a holder pattern, a subject, the first."""
    if not cand.mentions:
        return None
    return min(cand.mentions, key=lambda n: (not n.mention.roles,
                                             _DEP_PRIORITY.get(doc[n.mention.head].dep_, 5), n.mention.start))


def _ancestors(tok: Token, limit: int = 4) -> list[Token]:
    out: list[Token] = []
    while tok.head is not tok and len(out) < limit:
        tok = tok.head
        out.append(tok)
    return out


@dataclass(frozen=True)
class ArticleContext:
    """Per-article facts the features use."""

    title_words: frozenset[str]
    actor_sentences: dict[str, int]       # actor -> number of sentences with a candidate of it
    n_sentences: int


def candidate_features(cand: Candidate, sent: Sentence, ctx: ArticleContext) -> list[str]:
    """Sparse string features of one candidate (module docstring)."""
    doc = sent.doc
    assert doc is not None
    f: list[str] = [f"kind={cand.kind}", f"via={cand.via}", "bias"]
    lex = roles()
    n_act = ctx.actor_sentences.get(cand.actor, 1)
    f.append(f"actor_sents={min(n_act, 5)}")
    f.append(f"sent_pos={min(sent.index, 6)}")
    f.append(f"quote={round(sent.quote_share * 2) / 2}")
    f.append(f"len={min(len(doc) // 10, 6)}")
    f.append(f"n_mentions={min(len(cand.mentions), 3)}")
    if cand.borrowed:
        f.append("borrowed_speaker")
    if any(t.lower_ in ("?",) for t in doc):
        f.append("question")
    best = best_mention(cand, doc)
    clause_root: Token | None = None
    if best is not None:
        m = best.mention
        head = doc[m.head]
        f += [f"m_kind={m.kind}", f"m_label={m.label}", f"m_dep={head.dep_}", f"m_inquote={m.in_quote}",
              f"m_first={m.start == 0}", f"via_dist={min(best.distance, 3)}"]
        if m.affiliation:
            f.append("m_affiliated")
        hw = m.text.split()[-1].lower()
        for name, words in (("group", lex.groups), ("gov", lex.government), ("relay", lex.relays),
                            ("title", lex.titles), ("comment", lex.commentators)):
            if hw in words:
                f.append(f"m_head_{name}")
        # a commentator described next to the name ("analyst Jane Roe", "Roe, an analyst at ...")
        near = {t.lemma_.lower() for t in doc[max(0, m.start - 3):min(len(doc), m.end + 4)]}
        if near & lex.commentators:
            f.append("m_commentator_near")
        for r in sorted(m.roles):
            f.append(f"role={r}")
        if m.kind == "pron":
            f.append(f"pron={m.text.lower()}")
        chain = _ancestors(head)
        for k, anc in enumerate(chain[:3]):
            f.append(f"anc{k}={anc.dep_}:{word(anc)}")
            f.append(f"anc={word(anc)}")
        if chain:
            f.append(f"dep_head={head.dep_}|{word(chain[0])}")
            clause_root = chain[0]
        if len(chain) >= 2:
            f.append(f"head2={word(chain[0])}>{word(chain[1])}")
    pred = content_predicate(best, doc)
    if pred is not None:
        f += predicate_features(pred, sent, "pred")
    # words of the holder's clause: what the holder's verb governs
    if clause_root is not None:
        for t in clause_root.subtree:
            if best is not None and best.mention.start <= t.i < best.mention.end:
                continue
            if t.pos_ in _CONTENT_POS and not t.is_punct:
                f.append(f"cl={word(t)}")
            if t.dep_ == "neg":
                f.append(f"cl_neg={word(t.head)}")
        for c in clause_root.children:
            if c.dep_ in ("aux", "neg", "advmod", "acomp", "xcomp", "ccomp", "dobj", "prep"):
                f.append(f"child={c.dep_}:{word(c)}")
    # the whole sentence
    sent_words = [word(t) for t in doc if not t.is_punct and not t.is_space]
    f += [f"w={w}" for w in sent_words]
    f += [f"bg={a}_{b}" for a, b in zip(sent_words, sent_words[1:])]
    span = (clause_root.left_edge.i, clause_root.right_edge.i + 1) if clause_root is not None else (0, len(doc))
    for mt in sent.matches:
        if mt.action == "holder":
            continue
        f.append(f"cue={mt.label}")
        if span[0] <= mt.start < span[1]:
            f.append(f"cue_cl={mt.label}")
        if best is not None and mt.start > best.mention.start:
            f.append(f"cue_after={mt.label}")
    f += [f"t={w}" for w in ctx.title_words]
    return f


_REPORTING = frozenset("""say tell state announce add note stress emphasize emphasise argue assert claim declare
    insist warn reiterate repeat confirm indicate explain tweet write reply respond signal suggest acknowledge
    maintain contend believe hint predict concede admit affirm caution counter retort underline underscore
    observe remark comment report""".split())


def content_predicate(best: Named | None, doc: Doc) -> Token | None:
    """The word that carries the holder's stance: the verb (or adjective) whose subject the holder
    is; through a reporting verb, the reported clause's head ("X said it would reject ..." -> reject);
    with no mention (a borrowed quotation speaker), the sentence's root."""
    if best is None:
        roots = [t for t in doc if t.dep_ == "ROOT"]
        return roots[0] if roots else None
    head = doc[best.mention.head]
    gov = head.head if head.head is not head else head
    if gov.lemma_.lower() in _REPORTING:
        for dep in ("ccomp", "xcomp", "parataxis"):
            inner = [c for c in gov.children if c.dep_ == dep]
            if inner:
                return inner[0]
        # "'We will not accept it,' X said": the quotation is the root's other clause
        outer = [c for c in gov.children if c.dep_ in ("ccomp", "advcl", "conj") and c.i < best.mention.start]
        if outer:
            return outer[0]
    if gov.pos_ == "AUX":
        comp = [c for c in gov.children if c.dep_ in ("acomp", "attr", "xcomp")]
        if comp:
            return comp[0]
    return gov


def clause_text(cand: Candidate, doc: Doc) -> str:
    """The masked text of the holder's predicate and what it governs (the stance's clause)."""
    best = best_mention(cand, doc)
    pred = content_predicate(best, doc)
    if pred is None:
        return masked_text(doc)
    span = doc[pred.left_edge.i:pred.right_edge.i + 1]
    holder = (best.mention.start - span.start, best.mention.end - span.start) if best is not None \
        and span.start <= best.mention.start and best.mention.end <= span.end else None
    clause = span.as_doc()
    clause.user_data["parley_common"] = doc.user_data.get("parley_common")
    return masked_text(clause, holder) or masked_text(doc)


def predicate_features(pred: Token, sent: Sentence, prefix: str) -> list[str]:
    """The predicate, its negation, modality, object, complement and attached condition/cue patterns."""
    f = [f"{prefix}={word(pred)}", f"{prefix}_pos={pred.pos_}"]
    xcomp = None
    for c in pred.children:
        if c.dep_ == "neg":
            f.append(f"{prefix}_neg")
        elif c.dep_ == "aux" and c.tag_ == "MD":
            f.append(f"{prefix}_modal={c.lower_}")
        elif c.dep_ in ("dobj", "pobj", "attr", "acomp", "nsubjpass"):
            f.append(f"{prefix}_{c.dep_}={word(c)}")
        elif c.dep_ in ("xcomp", "ccomp") and xcomp is None:
            xcomp = c
        elif c.dep_ == "prt":
            f.append(f"{prefix}_prt={c.lower_}")
        elif c.dep_ == "advmod":
            f.append(f"{prefix}_adv={c.lower_}")
        elif c.dep_ == "prep":
            f.append(f"{prefix}_prep={c.lower_}")
        elif c.dep_ == "advcl":
            marks = [g.lower_ for g in c.children if g.dep_ == "mark"]
            f.append(f"{prefix}_advcl={marks[0] if marks else word(c)}")
    if xcomp is not None:
        f.append(f"{prefix}_x={word(xcomp)}")
        if any(c.dep_ == "neg" for c in xcomp.children):
            f.append(f"{prefix}_x_neg")
    near = {pred.i} | ({xcomp.i} if xcomp is not None else set())
    scope = set(range(pred.left_edge.i, pred.right_edge.i + 1))
    for mt in sent.matches:
        if mt.action == "holder":
            continue
        toks = set(mt.nodes.values()) or set(range(mt.start, mt.end))
        if toks & near:
            f.append(f"{prefix}_cue={mt.label}")
        elif toks & scope:
            f.append(f"{prefix}_scope={mt.label}")
    return f


def article_context(title_doc: Doc | None, candidates: list[Candidate], n_sentences: int) -> ArticleContext:
    counts: dict[str, set[int]] = {}
    for c in candidates:
        counts.setdefault(c.actor, set()).add(c.sent)
    title = frozenset(word(t) for t in title_doc if not t.is_punct and not t.is_stop) if title_doc is not None else frozenset()
    return ArticleContext(title_words=title, actor_sentences={a: len(s) for a, s in counts.items()},
                          n_sentences=n_sentences)
