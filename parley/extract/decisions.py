"""The learned decisions over a read article's candidates, and turning them into positions.

:class:`Heads` holds one :class:`~.heads.LinearHead` per decision of issue 7's design:

========== ========================================= ====================================
head        decides                                  trained on
========== ========================================= ====================================
prefilter   is the sentence worth parsing            every sentence of train/
position    does this candidate hold a position      every candidate (an actor's sentence
                                                     with no label but labels elsewhere
                                                     in the article is left out)
issue       which taxonomy label(s)                  positive candidates
stance      support / oppose / conditional / mixed   (positive candidate, issue) pairs
condition   is this condition span one of its        condition spans of positive candidates
            conditions (keep / trim)
red_line    absolute wording                         positive candidates
shift       the earlier stance ("none" if no shift)  positive candidates
========== ========================================= ====================================

:func:`decide` applies them to one article; positions of one (actor, issue, stance) merge
(the most confident evidence kept, conditions unioned).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..model import Evidence, Position, as_stance
from .encoders import Encoder
from .features import best_mention, clause_text, content_predicate, masked_text, word
from .heads import LinearHead
from .prefilter import masked_raw
from .reading import ReadArticle
from .spans import ConditionSpan, balance_quotes, condition_features, condition_spans, proposition

DENSE = {"position": ("sentence", "holder"), "sentence": ("sentence",), "issue": ("sentence", "clause", "article"),
         "stance": ("holder", "clause"), "prefilter": ("raw",)}
ISSUE_FEATURES = ("w=", "bg=", "t=", "a=", "cl=", "bias")
SENTENCE_FEATURES = ("w=", "bg=", "cue=", "t=", "bias")
STANCE_FEATURES = ("pred", "cue", "role", "cl=", "cl_neg", "child", "w=", "bias", "via=", "kind=")
REDLINE_FEATURES = ("pred", "cue", "cl=", "w=", "bias")
SHIFT_FEATURES = ("pred", "cue", "cl=", "w=", "bias", "child")
NO_SHIFT = "none"


@dataclass
class Thresholds:
    position: float = 0.4
    second_issue: float = 0.3
    condition: float = 0.5
    red_line: float = 0.5
    shift: float = 0.5
    prefilter: float = 0.0          # sentence score below this: not parsed (0 parses everything)

    def to_dict(self) -> dict[str, float]:
        return dict(self.__dict__)


@dataclass
class Heads:
    labels: list[str]
    position: LinearHead
    issue: LinearHead
    stance: LinearHead
    condition: LinearHead
    red_line: LinearHead
    shift: LinearHead
    prefilter: LinearHead | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    #: two-stage position decision: P(the sentence holds a position) x P(this holder | it does);
    #: without it ``position`` alone scores each candidate
    sentence: LinearHead | None = None


def select(features: Sequence[str], prefixes: tuple[str, ...]) -> list[str]:
    return [f for f in features if f.startswith(prefixes)]


def article_words(read: ReadArticle) -> list[str]:
    """The article's content words (lower-case, no names): its topic for the issue head."""
    words: set[str] = set()
    for s in read.sentences:
        if s.doc is None:
            continue
        for t in s.doc:
            if t.pos_ in ("NOUN", "VERB", "ADJ") and not t.is_stop and not t.ent_type_:
                w = word(t)
                if not w.isupper():              # names (PROPN) and entity labels stay out
                    words.add(w)
    return [f"a={w}" for w in sorted(words)]


def article_text(read: ReadArticle) -> str:
    """What the encoder reads for the article vector: the masked title and first sentences."""
    parts = [masked_text(read.title_doc)] if read.title_doc is not None else []
    for s in read.sentences[:6]:
        parts.append(masked_text(s.doc) if s.doc is not None else masked_raw(read.text[s.start:s.end], read.common))
    return " ".join(p for p in parts if p)


@dataclass
class CandidateView:
    """Everything the heads read about one candidate (built once, used by training and decoding)."""

    index: int
    sentence: int
    actor: str
    features: list[str]
    texts: dict[str, str]
    spans: list[ConditionSpan]
    span_features: list[list[str]]
    span_texts: list[str]


def candidate_views(read: ReadArticle) -> list[CandidateView]:
    out = []
    for k, (cand, feats) in enumerate(zip(read.candidates, read.features)):
        sent = read.sentences[cand.sent]
        doc = sent.doc
        assert doc is not None
        best = best_mention(cand, doc)
        holder = (best.mention.start, best.mention.end) if best is not None else None
        pred = content_predicate(best, doc)
        spans = condition_spans(doc, sent.matches)
        texts = {"sentence": masked_text(doc), "holder": masked_text(doc, holder), "clause": clause_text(cand, doc)}
        out.append(CandidateView(k, cand.sent, cand.actor, feats, texts, spans,
                                 [condition_features(sp, doc, pred, holder) for sp in spans],
                                 [balance_quotes(sp.text(doc)) for sp in spans]))
    return out


def dense_block(kind: str, views: Sequence[CandidateView], vectors: dict[str, np.ndarray],
                article_vec: np.ndarray | None) -> np.ndarray | None:
    parts = []
    for name in DENSE[kind]:
        if name == "article":
            if article_vec is None or not article_vec.size:
                continue
            parts.append(np.repeat(article_vec[None, :], len(views), axis=0))
        else:
            found = [vectors.get(v.texts[name]) for v in views]
            rows = [r for r in found if r is not None]
            if not rows or len(rows) < len(found) or not rows[0].size:
                continue
            parts.append(np.stack(rows))
    if not parts:
        return None
    return np.hstack(parts) * DENSE_SCALE


DENSE_SCALE = 3.0


def embed_views(encoder: Encoder, views: Sequence[CandidateView]) -> dict[str, np.ndarray]:
    """Vectors of every distinct text of the views (one encoder call)."""
    if not encoder.dim:
        return {}
    texts = sorted({t for v in views for t in v.texts.values()})
    vecs = encoder.encode(texts)
    return dict(zip(texts, vecs))


def sentence_rows(views: Sequence[CandidateView]) -> tuple[list[int], list[list[str]], list[CandidateView]]:
    """One row per sentence with candidates: (sentence indices, sentence features, a view of each)."""
    firsts: dict[int, CandidateView] = {}
    counts: dict[int, int] = {}
    for v in views:
        firsts.setdefault(v.sentence, v)
        counts[v.sentence] = counts.get(v.sentence, 0) + 1
    order = sorted(firsts)
    rows = [select(firsts[s].features, SENTENCE_FEATURES) + [f"s_cands={min(counts[s], 5)}"] for s in order]
    return order, rows, [firsts[s] for s in order]


def sentence_probs(head: LinearHead, views: Sequence[CandidateView], vectors: dict[str, np.ndarray],
                   article_vec: np.ndarray | None) -> np.ndarray:
    order, rows, firsts = sentence_rows(views)
    probs = head.prob(rows, "True", dense_block("sentence", firsts, vectors, article_vec))
    by_sentence = dict(zip(order, probs))
    return np.array([by_sentence[v.sentence] for v in views], dtype=np.float32)


def decide(read: ReadArticle, heads: Heads, encoder: Encoder, article_id: str | None = None,
           views: list[CandidateView] | None = None, vectors: dict[str, np.ndarray] | None = None,
           article_vec: np.ndarray | None = None) -> list[Position]:
    """Positions of one read article (module docstring)."""
    if not read.candidates:
        return []
    views = views if views is not None else candidate_views(read)
    if vectors is None:
        vectors = embed_views(encoder, views)
    if article_vec is None and encoder.dim:
        article_vec = encoder.encode([article_text(read)])[0]
    th = heads.thresholds
    feats = [v.features for v in views]
    p_pos = heads.position.prob(feats, "True", dense_block("position", views, vectors, article_vec))
    if heads.sentence is not None:
        p_pos = p_pos * sentence_probs(heads.sentence, views, vectors, article_vec)
    keep = [k for k in range(len(views)) if p_pos[k] >= th.position]
    if not keep:
        return []
    kv = [views[k] for k in keep]
    words = article_words(read)
    iss_rows = [select(v.features, ISSUE_FEATURES) + words for v in kv]
    p_iss = heads.issue.scores(iss_rows, dense_block("issue", kv, vectors, article_vec))
    chosen: list[tuple[int, str, float]] = []
    for j in range(len(kv)):
        order = np.argsort(-p_iss[j])
        chosen.append((j, heads.issue.classes[order[0]], float(p_iss[j][order[0]])))
        for o in order[1:]:
            if p_iss[j][o] >= th.second_issue:
                chosen.append((j, heads.issue.classes[o], float(p_iss[j][o])))
    st_rows = [select(kv[j].features, STANCE_FEATURES) + [f"iss={i}"] for j, i, _ in chosen]
    st_views = [kv[j] for j, _, _ in chosen]
    p_st = heads.stance.scores(st_rows, dense_block("stance", st_views, vectors, article_vec))
    red = heads.red_line.prob([select(v.features, REDLINE_FEATURES) for v in st_views], "True")
    shift = heads.shift.scores([select(v.features, SHIFT_FEATURES) for v in st_views])
    merged: dict[tuple[str, str, str], Position] = {}
    for n, (j, issue, p_issue) in enumerate(chosen):
        v = kv[j]
        cand = read.candidates[v.index]
        sent = read.sentences[v.sentence]
        doc = sent.doc
        assert doc is not None
        probs = dict(zip(heads.stance.classes, p_st[n]))
        kept = _kept_conditions(v, heads, th.condition)
        stance = max(probs, key=lambda s: probs[s])
        if stance == "conditional" and not kept:
            stance = max((s for s in probs if s != "conditional"), key=lambda s: probs[s])
        conds = tuple(kept) if stance == "conditional" else ()
        best = best_mention(cand, doc)
        holder = (best.mention.start, best.mention.end) if best is not None else None
        spans_used = [sp for sp, t in zip(v.spans, v.span_texts) if t in kept] if conds else v.spans
        prop = balance_quotes(proposition(doc, content_predicate(best, doc), spans_used, holder))
        prev_i = int(np.argmax(shift[n]))
        prev = heads.shift.classes[prev_i]
        previous = prev if prev != NO_SHIFT and shift[n][prev_i] >= th.shift and prev != stance else None
        conf = float(p_pos[keep[j]] * p_issue * probs[stance])
        ev = Evidence(sent.start, sent.end, read.text[sent.start:sent.end], article_id,
                      cue=_cue(best.mention.roles if best else frozenset()))
        aliases = tuple(sorted(a for a in read.actors.aliases.get(cand.actor, set()) if a != cand.actor))
        pos = Position(actor=cand.actor, issue=issue, stance=as_stance(stance), evidence=ev, proposition=prop,
                       aliases=aliases, conditions=conds, red_line=bool(red[n] >= th.red_line),
                       previous_stance=as_stance(previous) if previous else None, confidence=conf, article_id=article_id)
        key = (cand.actor, issue, stance)
        old = merged.get(key)
        if old is None:
            merged[key] = pos
        else:
            merged[key] = _merge(old, pos)
    return sorted(merged.values(), key=lambda p: (p.evidence.start, p.actor, p.issue))


def _cue(roles: frozenset[str]) -> str | None:
    return sorted(roles)[0].lower() if roles else None


def _kept_conditions(v: CandidateView, heads: Heads, threshold: float) -> list[str]:
    if not v.spans:
        return []
    p = heads.condition.prob(v.span_features, "True")
    out: list[str] = []
    seen: set[str] = set()
    for k in sorted(range(len(v.spans)), key=lambda k: -p[k]):
        if p[k] < threshold:
            break
        text = v.span_texts[k]
        norm = " ".join(text.lower().split())
        # a span inside one already kept says the same thing twice
        if any(norm in s or s in norm for s in seen):
            continue
        seen.add(norm)
        out.append(text)
    return out


def _merge(a: Position, b: Position) -> Position:
    first, second = (a, b) if a.confidence >= b.confidence else (b, a)
    conds = list(first.conditions)
    for c in second.conditions:
        if not any(c.lower() in x.lower() or x.lower() in c.lower() for x in conds):
            conds.append(c)
    return first.with_(conditions=tuple(conds), red_line=a.red_line or b.red_line,
                       previous_stance=first.previous_stance or second.previous_stance,
                       aliases=tuple(sorted(set(a.aliases) | set(b.aliases))))
