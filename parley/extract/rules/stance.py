"""Component ``parley_stance``: support / oppose / conditional / mixed per claim.

Order of evidence: a mixed/undecided phrase -> mixed; a condition -> conditional;
otherwise the cue's own polarity (refusal verbs oppose, demands and offers
support), flipped by negation ("did not accept", "won't sign"); for neutral
reporting cues the content decides: negated or "never" -> oppose, a demand
modal ("must", "should") or commitment ("will") -> support, evaluative words
("unacceptable", "constructive") by majority. A claim with no stance signal is
dropped (it is reporting, not a position).
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from .claims import Claim, Cue, head_chain, register_extensions
from .lexicon import Cues, load_cues

_FLIP = {"support": "oppose", "oppose": "support"}
_NEG_WORDS = {"not", "n't", "never", "no", "nobody", "nothing", "neither", "nor", "cannot"}
# words that deny what follows them ("lacks sincerity", "no value", "not a credible offer")
_PRIVATIVE = {"no", "not", "n't", "never", "without", "lack", "lacks", "lacked", "lacking", "little", "nor"}
_MODALS = {"will", "would", "'ll", "can", "could", "should", "must", "shall", "may", "might", "ca", "wo"}
_ROLE_NOUNS = {"advocate", "proponent", "champion", "opponent", "critic", "ultimatum", "demand", "proposal",
               "offer", "request", "refusal", "rejection", "insistence"}
_REASON_MARKS = {"because", "since", "after", "when", "once", "as", "while", "although", "though"}
_QUOTES = {'"', "\u201c", "\u201d"}


def negated(tok: Token) -> bool:
    return any(c.dep_ == "neg" or c.lower_ in ("never",) for c in tok.children) or (
        tok.dep_ in ("xcomp", "acomp") and tok.head.pos_ in ("AUX", "VERB")
        and any(c.dep_ == "neg" for c in tok.head.children) and tok.head.lemma_ in ("be", "remain", "seem"))


def denied(doc: Doc, t: Token) -> bool:
    """An evaluative word under negation: its verb is negated, or a privative word stands
    at most three tokens before it in the same phrase ("not a credible offer", "lacks sincerity")."""
    if negated(t) or (t.dep_ == "dobj" and t.head.lemma_ == "lack"):
        return True
    for k in range(t.i - 1, max(-1, t.i - 4), -1):
        w = doc[k]
        if w.lower_ in _PRIVATIVE or w.lemma_ == "lack":
            return True
        if (w.is_punct and w.text not in _QUOTES) or w.pos_ == "VERB":
            break
    return False


def _never_adverbial(tok: Token) -> bool:
    """'would under no circumstances accept', 'will in no way accept': a negated adverbial."""
    for ch in tok.children:
        if ch.dep_ == "prep" and ch.i < tok.i:
            for p in ch.children:
                if p.dep_ == "pobj" and any(d.lower_ == "no" and d.dep_ == "det" for d in p.children):
                    return True
    return False


def quoted(doc: Doc, t: Token) -> bool:
    """True when ``t`` lies between quotation marks of its sentence."""
    inside = False
    for w in doc[: t.i]:
        if w.text == '"':
            inside = not inside
        elif w.text == "\u201c":
            inside = True
        elif w.text == "\u201d":
            inside = False
    return inside


class StanceClassifier:
    def __init__(self, lexicon: str | None = None) -> None:
        register_extensions()
        self.cues: Cues = load_cues(lexicon)
        self._hostilities = frozenset(self.cues.raw.get("hostilities") or ())

    def content_polarity(self, doc: Doc, span: Span, cue: Token) -> tuple[str | None, float]:
        c = self.cues
        sup = opp = 0.0
        skip: set[int] = set()
        for t in span:  # "... after X issued an ultimatum to repair 'grave defects'": reasons, not the stance
            if (t.dep_ == "advcl" and any(m.dep_ in ("mark", "advmod") and m.lower_ in _REASON_MARKS for m in t.children)) \
                    or (t.dep_ == "prep" and t.lower_ in ("given", "despite") and t.head.i != cue.i):
                skip.update(x.i for x in t.subtree)
        for t in span:
            if t.i in skip:
                continue
            w = t.lemma_.lower()
            pol = c.evaluative.get(w) or c.evaluative.get(t.lower_)
            if pol is None and t.pos_ == "VERB" and t.i != cue.i and t.dep_ in ("ccomp", "xcomp", "ROOT", "conj") \
                    and not any(a.dep_ == "aux" and a.lower_ in c.demand_modals for a in t.children):
                pol = c.stance_verbs.get(w) if w in c.stance_verbs and w not in c.reporting else None
            if pol is None:
                continue
            weight = 1.0
            if t.i != cue.i and t.lemma_.lower() in c.evaluative and (
                    quoted(doc, t) or t.dep_ in ("acomp", "attr", "oprd")):
                weight = 2.0  # a quoted verdict or a predicate ("called it 'unjustified'")
            if denied(doc, t):
                pol = _FLIP[pol]
            if pol == "support":
                sup += weight
            else:
                opp += weight
        heads = [t for t in span if (t.dep_ in ("ccomp", "xcomp", "ROOT", "conj") and t.pos_ in ("VERB", "AUX")
                 and t.head.i in (cue.i, t.i)) or (t.head.i == cue.i and t.pos_ in ("VERB", "AUX"))]
        # a coordinated clause with its own subject speaks too ("they wanted X and we couldn't do that")
        heads += [cj for h in heads[:2] for cj in h.children if cj.dep_ == "conj" and cj.pos_ in ("VERB", "AUX")
                  and span.start <= cj.i < span.end and any(g.dep_ in ("nsubj", "nsubjpass") for g in cj.children)]
        for h in heads[:3]:
            aux = {a.lower_ for a in h.children if a.dep_ in ("aux", "neg", "advmod", "auxpass")}
            if (negated(h) or aux & _NEG_WORDS) and h.tag_ in ("VBD", "VBN") and not aux & _MODALS \
                    and h.lemma_.lower() not in c.stance_verbs:
                continue  # "the envoy was not detained at the border": a past fact denied, no stance
            if negated(h) or aux & _NEG_WORDS:
                opp += 1.5
            elif aux & {"must", "should", "need", "ought"} or any(
                    a.lemma_ in ("have", "need") and any(g.lower_ == "to" for g in a.children) for a in h.children):
                sup += 1.0
            elif aux & {"will", "would", "'ll", "can", "could"}:
                sup += 0.5
        if not sup and not opp:
            return None, 0.0
        return ("support" if sup > opp else "oppose" if opp > sup else None), max(sup, opp)

    @staticmethod
    def _governs_mixed(doc: Doc, cl: Claim) -> bool:
        for fam, _p, s, _e, _x in doc._.parley_cues or ():
            if fam == "mixed":
                if any(t.i == cl.cue_i for t in head_chain(doc[s], 8)):
                    return True
        return False

    @staticmethod
    def _red_line_polarity(doc: Doc, cl: Claim) -> str | None:
        """The polarity of a red-line phrase this claim governs ("X is non-negotiable")."""
        cues: list[Cue] = doc._.parley_cues or []
        for fam, _p, s, _e, pol in cues:
            if fam == "red_line" and not any(a <= s < b for a, b in cl.condition_spans):
                polarity = pol if isinstance(pol, str) else None     # a red line's extra is its polarity
                if cl.content and cl.content[0] <= s < cl.content[1]:
                    return polarity
                if any(t.i == cl.cue_i for t in head_chain(doc[s], 8)):
                    return polarity
        return None

    def __call__(self, doc: Doc) -> Doc:
        kept: list[Claim] = []
        fams = {f for f, *_ in doc._.parley_cues or ()}
        for cl in doc._.parley_claims or ():
            cue = doc[cl.cue_i]
            span = doc[cl.content[0]:cl.content[1]] if cl.content else doc[cue.i:]
            if cl.kind == "report" and negated(cue):
                continue  # "they did not say ..." reports nothing
            if cl.kind == "mixed" or ("mixed" in fams and self._governs_mixed(doc, cl)):
                cl.stance, cl.confidence = "mixed", 0.75
            elif cl.conditions and (cl.kind != "noun" or cl.cue == "ultimatum"):
                cl.stance, cl.confidence = "conditional", 0.8
            else:
                pol = cl.polarity
                strength = 1.0
                if pol is not None:
                    if negated(cue) or any(c.lower_ in ("longer",) for c in cue.children) or _never_adverbial(cue):
                        pol = _FLIP[pol]
                        if cl.polarity == "oppose" and cl.cue.endswith(" out") and any(
                                t.lower_ in ("but", "though", "although", "however") for t in doc[cue.i + 1:]):
                            # "X has not ruled out A, but ...": an open door with a reservation
                            cl.stance, cl.confidence = "mixed", 0.75
                            kept.append(cl)
                            continue
                    if cl.polarity == "oppose" and any(
                            o.dep_ == "dobj" and o.lemma_.lower() in self._hostilities for o in cue.children):
                        pol = _FLIP[pol]  # "halt its assault", "end the fighting": for a ceasefire
                    inner, st = self.content_polarity(doc, span, cue)
                    if inner == "oppose" and cl.kind in ("stance", "adjective") and pol == "support" and st >= 1.5 \
                            and cue.lemma_ in ("say", "warn", "insist", "want"):
                        pol = "oppose"
                else:
                    pol, strength = self.content_polarity(doc, span, cue)
                    red = self._red_line_polarity(doc, cl)
                    if red is not None:
                        pol, strength = red, 2.0
                if pol is None:
                    continue
                cl.stance = pol
                if cl.kind in ("stance", "adjective") or (cl.cue in _ROLE_NOUNS and not cl.embedded):
                    cl.confidence = 0.8 if cl.issue_hit else 0.6
                else:
                    cl.confidence = min(0.75, 0.4 + 0.1 * min(strength, 2.0) + (0.1 if cl.issue_hit else 0.0)
                                        + (0.1 if strength >= 2.0 else 0.0))  # a verdict ("was unacceptable")
            kept.append(cl)
        doc._.parley_claims = kept
        return doc


@Language.factory("parley_stance", requires=["doc._.parley_claims"], assigns=["doc._.parley_claims"],
                  default_config={"lexicon": None})
def make_stance(nlp: Language, name: str, lexicon: str | None) -> StanceClassifier:
    return StanceClassifier(lexicon)
