"""Component ``parley_conditions``: the condition clauses a claim depends on.

For each condition marker found by ``parley_cues`` ("only if", "unless",
"provided", "as long as", "in exchange for", "until", ...), the clause it
introduces is read off the dependency parse: the subtree of the marked verb
(subordinators) or of the marker's object (prepositions). Embedded questions
("asked if he would ...") and concessives ("even if") are not conditions.
Coordinated clauses with their own subjects are split. Each condition goes to
the claim whose cue governs the marker, else to the nearest claim (not across a
contrasting "but if" clause).

Not conditions: rhetorical and belief clauses ("if anybody believes ...", "if X
thinks ..."), counterfactuals ("if X had been told"), past exchanges ("were
returned in exchange for"), impositions ("making X subject to sanctions") and
participles with an object ("providing a window").

Constructions read as conditions besides the markers: a refusal with a demand
attached ("refused X, saying it wants Y first"), ultimatums ("gave Y a week to
A or face B": B conditional on A), "only A would pave the way for B", "there can
be no deal which does not A", and "sought A in exchange for B" (the position is
on B, conditional on A).
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Token

from .claims import Claim, head_chain, register_extensions
from .lexicon import Cues, load_cues

_TRIM = set("\"'“”‘’,.;:—–-()[] ")
_OPENING_VERBS = {"pave", "open", "lead", "allow", "enable", "bring", "permit", "persuade", "convince", "make"}
_REFUSALS = {"refuse", "reject", "decline", "rebuff", "spurn", "dismiss"}
_NOT_CONDITION_BEFORE = {"even", "as", "whether", "what"}


def _text(doc: Doc, start: int, end: int) -> str:
    if start >= end:
        return ""
    s = doc[start].idx
    e = doc[end - 1].idx + len(doc[end - 1].text)
    return doc.text[s:e].strip("".join(_TRIM))


def condition_clauses(doc: Doc, cues: Cues, start: int, end: int, keep: bool) -> tuple[Token, list[str], tuple[int, int]]:
    """(anchor token, clause texts, clause token range) of the condition marked by tokens [start, end)."""
    last = doc[end - 1]
    if last.pos_ == "VERB" and last.lower_ in ("provided", "providing"):
        kids = [c for c in last.children if c.dep_ in ("ccomp", "advcl", "xcomp")]
        head = kids[0] if kids else last
    elif any(c.dep_ in ("pobj", "pcomp") for c in last.children):
        head = next(c for c in last.children if c.dep_ in ("pobj", "pcomp"))
    elif last.dep_ in ("mark", "advmod", "prep", "cc") and last.head.i >= end:
        head = last.head
    else:
        head = last.head if last.head.i != last.i else last
    toks = [t for t in head.subtree if t.i >= end]
    if not toks and end < len(doc):
        # the parser hung the clause elsewhere: take the largest clause right of the marker
        head = doc[end]
        while head.head.i != head.i and head.head.i >= end:
            head = head.head
        toks = [t for t in head.subtree if t.i >= end]
    if not toks:
        return head, [], (end, end)
    right = max(t.i for t in toks) + 1
    # split coordinated clauses that have their own subjects
    pieces: list[tuple[int, int]] = []
    cut = end
    for conj in (c for c in head.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")):
        if any(g.dep_ in ("nsubj", "nsubjpass") for g in conj.children):
            cc = next((g for g in head.children if g.dep_ == "cc" and g.i < conj.i), None)
            stop = cc.i if cc is not None else conj.left_edge.i
            pieces.append((cut, stop))
            cut = conj.left_edge.i
            # drop a repeated marker ("and if ...")
            while cut < right and doc[cut].lower_ in ("if", "unless", "that", "provided"):
                cut += 1
    pieces.append((cut, right))
    texts = []
    for k, (s, e) in enumerate(pieces):
        if keep and k == 0:
            s = start
            while s < end and doc[s].lower_ in ("only", "but"):
                s += 1
        t = _text(doc, s, e)
        if len(t.split()) >= 2:
            texts.append(t)
    return doc[start], texts, (end, right)


def _skip(doc: Doc, cues: Cues, start: int, end: int, phrase: str) -> bool:
    first = doc[start]
    if start > 0 and doc[start - 1].lower_ in _NOT_CONDITION_BEFORE and phrase in ("if", "provided"):
        return True
    if phrase in ("if", "unless", "in exchange for", "in return for", "subject to") and _not_a_condition(doc, start, end):
        return True
    if phrase == "if":
        h = first.head
        if h.dep_ in ("ccomp", "xcomp") and h.head.lemma_.lower() in cues.question_verbs:
            return True
        if start > 0 and doc[start - 1].lemma_.lower() in cues.question_verbs:
            return True
        nxt = doc[end] if end < len(doc) else None
        if nxt is not None and nxt.lower_ in ("any", "necessary", "possible", "so", "not", "at"):
            return True
    if phrase in ("provided", "providing") and first.pos_ == "VERB" and any(
            c.dep_ in ("dobj", "dative") for c in first.children):
        return True  # "agreed to a truce, providing a window for talks": a participle with an object
    if phrase in ("until", "only after"):
        toks = [t for t in doc[end:min(len(doc), end + 8)]]
        if toks and (toks[0].ent_type_ in ("DATE", "TIME") or toks[0].lower_ in ("now", "recently", "then")):
            return True
    return False


_BELIEF = {"believe", "think", "assume", "imagine", "suppose", "say"}
_BELIEF_NOUNS = {"expectation", "assumption", "idea", "belief", "view", "notion", "impression", "argument"}
_INDEFINITE = {"anybody", "anyone", "someone", "somebody", "everybody", "everyone", "people"}


def _not_a_condition(doc: Doc, start: int, end: int) -> bool:
    """Marked clauses that attach no condition to a position: rhetorical ones ("if anybody believes
    ..., they are wrong", "if the expectation is ..."), counterfactuals ("if X had been told ...",
    "if we had known"), and descriptions of past exchanges ("were returned in exchange for ...",
    "found themselves subject to criticism")."""
    marker = doc[start]
    phrase = doc[start:end].text.lower()
    if phrase in ("if", "unless"):
        verb = marker.head if marker.head.i != marker.i else None
        if verb is None:
            return False
        subj = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
        if verb.lemma_.lower() in _BELIEF and subj and (subj[0].lower_ in _INDEFINITE or verb.lemma_ != "say"):
            return True  # "if X thinks it has worn us down, it is wrong": a belief, not a condition
        if subj and subj[0].lemma_.lower() in _BELIEF_NOUNS and verb.lemma_ == "be":
            return True
        aux = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
        if any(a.lower_ in ("had", "'d") for a in aux) and verb.tag_ == "VBN":
            return True  # past perfect in an if-clause: a counterfactual
        return False
    # prepositional markers: the clause they modify is a past event or a state, not a proposal
    head = doc[start].head
    while head.dep_ == "prep" and head.head.i != head.i:
        head = head.head
    if head.pos_ in ("VERB", "AUX"):
        aux_words = {c.lower_ for c in head.children if c.dep_ in ("aux", "auxpass")}
        passive = any(c.dep_ == "auxpass" for c in head.children)
        if passive and head.tag_ == "VBN" and aux_words & {"had", "was", "were", "been"} and not aux_words & {"will", "would", "could", "should", "must"}:
            return True
        if phrase == "subject to" and (head.lemma_ in ("find", "become", "remain", "come", "make", "leave") or any(
                c.dep_ == "dobj" and c.tag_ == "PRP" for c in head.children)):
            return True
    return False


def _inside_relative_clause(tok: Token, claims: list[Claim]) -> bool:
    """True when a relative/adnominal clause lies between ``tok`` and every claim cue above it."""
    cues = {c.cue_i for c in claims}
    start = tok
    if tok.lower_ in ("provided", "providing") and tok.dep_ in ("acl", "relcl"):
        start = tok.head  # "talks provided that ...": the parser's reduced relative is the marker itself
    for t in head_chain(start, 10):
        if t.i in cues:
            return False
        if t.dep_ in ("relcl", "acl"):
            return True
    return False


def attach(claims: list[Claim], anchor: Token) -> Claim | None:
    if not claims:
        return None
    by_i = {c.cue_i: c for c in claims}
    t = anchor
    for _ in range(8):
        if t.i in by_i:
            return by_i[t.i]
        if t.head.i == t.i:
            break
        if t.dep_ == "conj" and t.head.i in by_i and t.pos_ in ("VERB", "AUX") and any(
                g.dep_ in ("nsubj", "nsubjpass", "expl") for g in t.children) and any(
                g.dep_ == "cc" and g.lower_ in ("but", "yet") and g.i < t.i for g in t.head.children):
            return None  # "I hope X, but if Y it's time to Z": the condition qualifies the other clause
        t = t.head
    return min(claims, key=lambda c: abs(c.cue_i - anchor.i))


class ConditionFinder:
    def __init__(self, lexicon: str | None = None) -> None:
        register_extensions()
        self.cues = load_cues(lexicon)

    def _demand(self, doc: Doc, claim: Claim) -> bool:
        cue = doc[claim.cue_i]
        if cue.lemma_.lower() in self.cues.raw.get("demand_verbs", ()):
            return True
        if claim.content is None:
            return False
        return any(ch.dep_ == "aux" and ch.lower_ in self.cues.demand_modals
                   for t in doc[claim.content[0]:claim.content[1]] for ch in t.children)

    def _swap_exchange(self, doc: Doc, claim: Claim, s: int, e: int, hi: int) -> bool:
        """'X sought A in exchange for B': X gives B if it gets A -> the position is on B, conditional
        on A (after a demand verb only; 'X agreed to A in exchange for B' keeps B as the condition)."""
        v = doc[s].head
        for _ in range(3):
            if v.pos_ in ("VERB", "AUX") or v.head.i == v.i:
                break
            v = v.head
        if v.lemma_.lower() not in ("seek", "want", "demand", "ask", "request") or claim.content is None:
            return False
        objs = [c for c in v.children if c.dep_ in ("dobj", "xcomp", "ccomp") and c.i < s]
        if not objs:
            return False
        a = objs[0].left_edge.i
        if not claim.content[0] <= a < s <= claim.content[1]:
            return False
        while a < s and doc[a].lower_ in ("only", "just", "merely"):
            a += 1
        text = _text(doc, a, s)
        if len(text.split()) < 2:
            return False
        claim.conditions.append(text)
        claim.condition_spans.append((a, s))
        claim.content = (e, hi)
        claim.condition_spans.append((s, e))  # the marker names no issue
        return True

    def _refusal_with_demand(self, doc: Doc, claims: list[Claim]) -> list[Claim]:
        """'X refused to extend the truce, saying it wants guarantees first' / 'X rejected the plan,
        demanding Y': the refusal holds until the demand is met -> a condition of the refused thing."""
        demands = set(self.cues.raw.get("demand_verbs", ()))
        out = list(claims)
        for ref in claims:
            cue = doc[ref.cue_i]
            if ref.polarity != "oppose" or cue.lemma_.lower() not in _REFUSALS:
                continue
            for dem in claims:
                d = doc[dem.cue_i]
                if dem is ref or dem.content is None or d.lemma_.lower() not in demands or not (
                        cue.left_edge.i <= d.i <= cue.right_edge.i) or d.i < cue.i:
                    continue
                same = dem.holder is None or dem.holder.kind == "pronoun" or (
                    ref.holder is not None and dem.holder.text == ref.holder.text)
                # the demand hangs on a participle of the refusal ("saying it wants", "demanding")
                part = d if d.tag_ == "VBG" else d.head
                if not same or part.tag_ != "VBG" or part.head.i != cue.i:
                    continue
                words = {t.lower_ for t in doc[dem.content[0]:min(len(doc), dem.content[1] + 2)]}
                if d.tag_ != "VBG" and not words & {"first", "beforehand", "before"}:
                    continue
                a, b = dem.content
                text = _text(doc, a, b)
                if len(text.split()) < 2:
                    continue
                ref.conditions.append(text)
                ref.condition_spans.append((part.left_edge.i, part.right_edge.i + 1))
                if ref.content and ref.content[1] > part.left_edge.i >= ref.content[0]:
                    ref.content = (ref.content[0], part.left_edge.i)
                out = [c for c in out if c is not dem]
        return out

    def _or_face(self, doc: Doc, claims: list[Claim]) -> None:
        """Ultimatums: 'X gave Y a week to A or face B', 'Y must A or face B' -> X's stance on B
        (the threatened measure) is conditional on A."""
        for b in doc:
            if b.lemma_.lower() not in ("face", "risk", "suffer") or b.dep_ != "conj":
                continue
            a = b.head
            cc = [g for g in a.children if g.dep_ == "cc" and g.lower_ == "or" and g.i < b.i]
            if not cc or a.pos_ != "VERB":
                continue
            claim = attach(claims, a)
            if claim is None or claim.conditions:
                continue
            start = a.i
            lo = min([a.i] + [g.i for g in a.children if g.i < a.i and g.dep_ not in ("aux", "nsubj", "mark")])
            start = lo
            text = _text(doc, start, cc[0].i)
            objs = [g for g in b.children if g.dep_ in ("dobj", "attr")]
            if len(text.split()) < 2 or not objs:
                continue
            claim.conditions.append(text)
            claim.condition_spans.append((start, b.i + 1))
            claim.content = (objs[0].left_edge.i, objs[0].right_edge.i + 1)

    def _only_subject(self, doc: Doc, claims: list[Claim]) -> None:
        """'only A and B would pave the way for / lead to / allow C': A and B are the conditions of C."""
        for only in doc:
            if only.lower_ != "only" or only.dep_ != "advmod":
                continue
            h = only.head
            if h.dep_ not in ("csubj", "nsubj") or h.head.lemma_.lower() not in _OPENING_VERBS:
                continue
            v = h.head
            claim = attach(claims, v)
            objs = [g for g in v.children if g.dep_ in ("dobj", "xcomp", "ccomp", "prep")]
            if claim is None or claim.conditions or not objs:
                continue
            parts = [h] + [c for c in h.children if c.dep_ == "conj"]
            for part in parts:
                skip = {t.i for c in part.children if c.dep_ in ("conj", "cc") for t in c.subtree} | {only.i}
                toks = [t.i for t in part.subtree if t.i not in skip]
                text = _text(doc, min(toks), max(toks) + 1) if toks else ""
                if len(text.split()) >= 2:
                    claim.conditions.append(text)
            claim.condition_spans.append((h.left_edge.i, h.right_edge.i + 1))
            claim.content = (v.i, max(o.right_edge.i for o in objs) + 1)

    def _no_x_without(self, doc: Doc, claims: list[Claim]) -> None:
        """'There can be no deal which does not protect X' / 'no agreement that fails to Y':
        a deal is acceptable only if it does -> conditional on the relative clause, negation dropped."""
        for det in doc:
            if det.lower_ != "no" or det.dep_ != "det":
                continue
            n = det.head
            rel = next((c for c in n.subtree if c.dep_ == "relcl"), None)  # "no deal on X which does not"
            if rel is None or not any(c.dep_ == "neg" for c in rel.children):
                continue
            claim = attach(claims, n)
            if claim is None or claim.conditions:
                continue
            drop = {c.i for c in rel.children if c.dep_ in ("nsubj", "aux", "neg") and c.i < rel.i}
            toks = [t.i for t in rel.subtree if t.i not in drop and t.i >= rel.i]
            text = _text(doc, min(toks), max(toks) + 1) if toks else ""
            if len(text.split()) < 2:
                continue
            claim.conditions.append(text)
            claim.condition_spans.append((rel.left_edge.i, rel.right_edge.i + 1))
            claim.content = (n.left_edge.i, rel.left_edge.i)

    def _before_demand(self, doc: Doc, claims: list[Claim]) -> None:
        """'Before any talks, B must do A and do C': talks only after A and C -> the claim holding
        the demand is about the talks, conditional on the demanded acts."""
        for v in doc:
            if v.pos_ not in ("VERB", "AUX") or not any(ch.dep_ == "aux" and ch.lower_ in self.cues.demand_modals
                                                         for ch in v.children):
                continue
            before = next((ch for ch in v.children if ch.dep_ == "prep" and ch.lower_ == "before" and ch.i < v.i), None)
            obj = next((g for g in before.children if g.dep_ == "pobj"), None) if before is not None else None
            if before is None or obj is None:
                continue
            claim = attach(claims, v)
            if claim is None or claim.conditions or not claim.content or not (
                    claim.content[0] <= v.i < claim.content[1]):
                continue
            parts = [v] + [c for c in v.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")]
            for n, part in enumerate(parts):
                skip = {t.i for c in part.children if c.dep_ in ("conj", "cc", "punct") or c.i == before.i
                        for t in c.subtree}
                if n == 0:
                    skip |= {t.i for c in part.children if c.dep_ == "prep" and c.i == before.i for t in c.subtree}
                toks = [t.i for t in part.subtree if t.i not in skip]
                text = _text(doc, min(toks), max(toks) + 1) if toks else ""
                if len(text.split()) >= 2:
                    claim.conditions.append(text)
            if claim.conditions:
                claim.condition_spans.append((max(v.left_edge.i, before.right_edge.i + 1), v.right_edge.i + 1))
                claim.content = (obj.left_edge.i, obj.right_edge.i + 1)

    def __call__(self, doc: Doc) -> Doc:
        claims = self._refusal_with_demand(doc, doc._.parley_claims or [])
        self._before_demand(doc, claims)
        self._or_face(doc, claims)
        self._only_subject(doc, claims)
        self._no_x_without(doc, claims)
        doc._.parley_claims = claims
        used: set[int] = set()
        for fam, phrase, s, e, keep in sorted(doc._.parley_cues or (), key=lambda c: (c[2], -(c[3] - c[2]))):
            if fam == "precondition":
                # "X wants A before B": a demand made a precondition (only after demand cues)
                claim = attach(claims, doc[s])
                if claim is not None and self._demand(doc, claim) and claim.content and s >= claim.content[0]:
                    cue = doc[claim.cue_i]
                    passive = [ch for ch in cue.children if ch.dep_ == "nsubjpass"]
                    a, b = ((passive[0].left_edge.i, passive[0].right_edge.i + 1) if passive
                            else (claim.content[0], s))
                    first = doc[a:b]
                    text = _text(doc, a, b)
                    if text and len(first) >= 2 and first[0].lower_ != "by" and text not in claim.conditions:
                        claim.conditions.append(text)
                        claim.condition_spans.append((s, s + 1))
                continue
            if fam != "condition" or s in used:
                continue
            used.update(range(s, e))
            if _skip(doc, self.cues, s, e, phrase):
                continue
            if _inside_relative_clause(doc[s], claims):
                continue  # "a deal which curbed X in return for Y" describes the deal
            anchor, texts, (lo, hi) = condition_clauses(doc, self.cues, s, e, bool(keep))
            # a cue inside the condition ("if X halts its shelling") is part of it, not a claim
            claims = [c for c in claims if not (lo <= c.cue_i < hi) or c.kind == "quote"]
            doc._.parley_claims = claims
            claim = attach(claims, anchor)
            if claim is None:
                continue
            if texts and phrase in ("in exchange for", "in return for") and self._swap_exchange(doc, claim, s, e, hi):
                continue
            if texts:
                claim.condition_spans.append((s, hi))  # marker included: "in exchange for" is no issue word
            for t in texts:
                if t not in claim.conditions:
                    claim.conditions.append(t)
        return doc


@Language.factory("parley_conditions", requires=["doc._.parley_claims", "doc._.parley_cues"],
                  assigns=["doc._.parley_claims"], default_config={"lexicon": None})
def make_conditions(nlp: Language, name: str, lexicon: str | None) -> ConditionFinder:
    return ConditionFinder(lexicon)
