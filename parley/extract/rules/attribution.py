"""Component ``parley_attribution``: who says / holds what in a sentence.

A claim is made by a *cue* whose holder is an actor mention:
reporting verbs ("said", "warned") with their subject, stance verbs ("rejected",
"called for", "ruled out"), stance adjectives ("X is willing to", "X remains
wary of"), "according to X", "For X, ...", and nouns of proposal ("proposals
from X"). A stance verb inside a reporting verb's complement gives one claim:
the reporter's when the inner subject is the same actor or a pronoun ("A said
they accepted" -> A accepted), the inner actor's otherwise ("A said B rejected").
Sentences with a stance cue but no speaker (continued quotations) get a
``quote`` claim with no holder; the article step gives them the nearby speaker.
Sets ``doc._.parley_claims``.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Token

from .claims import Claim, ClaimKind, Mention, head_chain, register_extensions
from .lexicon import Cues, load_cues
from .stance import quoted

_CONTENT_DEPS = {"ccomp", "xcomp", "dobj", "attr", "acomp", "oprd", "dative", "prep", "pcomp"}
_MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december"}
_EXPLANATORY_MARKS = {"because", "since", "after", "when", "once", "before"}
_CONTENT_PREPS = {"to", "for", "on", "of", "against", "about", "with", "over", "into", "from"}
_ALLEGATIONS = {"allegation", "accusation", "charge", "claim", "report", "rumour", "rumor", "involvement",
                "responsibility", "wrongdoing", "existence", "knowledge"}
_THIRD = {"he", "she", "they", "him", "her", "them"}
_POSS_PRONOUNS = {"he", "she", "it", "they", "we", "i", "you", "his", "her", "its", "their", "our", "my", "your"}
_SPOKES = {"spokesman", "spokeswoman", "spokesperson", "spokespeople", "spokesmen", "spokeswomen"}
_PROPOSAL_NOUNS = {"proposal": "support", "demand": "support", "offer": "support", "call": "support",
                   "plan": "support", "refusal": "oppose", "rejection": "oppose", "opposition": "oppose",
                   "insistence": "support", "position": None, "request": "support", "ultimatum": "support",
                   "advocate": "support", "proponent": "support", "champion": "support",
                   "opponent": "oppose", "critic": "oppose"}
# verbs whose subject makes the proposal named by their object ("X issued an ultimatum", "X tabled a plan")
_PROPOSING_VERBS = {"give", "issue", "set", "deliver", "send", "present", "make", "table", "submit", "put",
                    "unveil", "lay", "float", "extend"}


class Attributor:
    def __init__(self, lexicon: str | None = None) -> None:
        register_extensions()
        self.cues: Cues = load_cues(lexicon)

    # -- cue detection ---------------------------------------------------------
    def cue_of(self, tok: Token) -> tuple[ClaimKind, str, str | None] | None:
        """(kind, cue text, polarity) when ``tok`` is a cue, else None."""
        c = self.cues
        lemma = self._lemma(tok)
        if tok.dep_ in ("amod", "compound", "relcl", "acl", "nmod") and tok.pos_ != "ADJ" and not self._misparsed_report(tok):
            return None
        if tok.pos_ in ("VERB", "AUX") or (tok.pos_ == "NOUN" and tok.dep_ == "ROOT" and lemma in c.reporting):
            parts = {ch.lower_ for ch in tok.children if ch.dep_ in ("prt", "prep", "advmod")}
            naming = lemma == "call" and any(ch.dep_ in ("dobj", "oprd") for ch in tok.children)
            for p in parts:
                pol = None if naming else c.phrasal.get((lemma, p))
                if pol:
                    return "stance", f"{tok.text} {p}", pol
            if lemma == "make" and any(ch.lower_ == "clear" for ch in tok.children):
                return "report", "made clear", None
            if lemma == "call":
                # "calling the region 'our soil' for centuries" names, it calls for nothing
                if parts & {"for", "on", "upon"} and not any(ch.dep_ in ("dobj", "oprd") for ch in tok.children):
                    return "stance", tok.text + " for", "support"
                return "report", tok.text, None
            if lemma in c.stance_verbs and lemma not in ("must",):
                if lemma in c.reporting and not any(ch.dep_ in ("dobj", "xcomp") for ch in tok.children):
                    return "report", tok.text, None
                return "stance", tok.text, c.stance_verbs[lemma]
            if lemma in c.reporting:
                return "report", tok.text, None
            return None
        if tok.pos_ == "ADJ" and lemma in c.raw.get("report_adjectives", ()) and tok.dep_ in ("acomp", "ROOT", "oprd"):
            return "report", tok.text, None
        if tok.pos_ == "ADJ" and lemma in c.adjectives and tok.dep_ in ("acomp", "ROOT", "oprd", "xcomp", "ccomp"):
            return "adjective", tok.text, c.adjectives[lemma]
        return None

    def _lemma(self, tok: Token) -> str:
        """The token's lemma, or a cue verb its surface form inflects when the tagger's lemma is
        off ("hopes" -> "hop")."""
        lemma = tok.lemma_.lower()
        c = self.cues

        def known(w: str) -> bool:
            return w in c.stance_verbs or w in c.reporting

        if known(lemma) or tok.pos_ not in ("VERB", "AUX"):
            return lemma
        w = tok.lower_
        for cand in (w[:-1], w[:-2], w[:-1] + "e" if w.endswith("ed") else "", w[:-3], w[:-3] + "e"):
            if cand and len(cand) > 2 and known(cand) and w.startswith(cand.rstrip("e")):
                return cand
        return lemma

    @staticmethod
    def _dated_past(v: Token) -> bool:
        """A past-tense verb dated to a year or month ("in 2011"), or to years/months ago."""
        for ch in v.children:
            if ch.dep_ == "prep" and ch.lower_ == "in":
                for p in ch.children:
                    if p.dep_ == "pobj" and p.ent_type_ == "DATE" and any(
                            (t.like_num and len(t.text) == 4) or t.lower_ in _MONTHS for t in p.subtree):
                        return True
            if ch.dep_ in ("advmod", "npadvmod") and ch.lower_ == "ago" and any(
                    t.lemma_.lower() in ("year", "month", "decade") for t in ch.subtree):
                return True
            if ch.dep_ == "advcl" and any(m.lower_ == "when" for m in ch.children) and v.tag_ == "VBD" \
                    and Attributor._dated_past(ch):
                return True  # "When X finalized the deal in 2015, it committed ..."
            if ch.dep_ == "npadvmod" and ch.lemma_.lower() in ("year", "decade") and any(
                    d.lower_ == "last" for d in ch.children) and v.tag_ == "VBD":
                return True  # "walked away last year"; last month is still news
        return False

    @classmethod
    def _historical(cls, tok: Token) -> bool:
        """'In 2011 X agreed to ...', 'X signalled six months ago it would ...': a past act dated
        to a year, a month or years/months ago is history, not a current position."""
        chain = [tok]
        while chain[-1].dep_ in ("ccomp", "xcomp", "conj") and chain[-1].head.i != chain[-1].i and len(chain) < 4:
            chain.append(chain[-1].head)  # "X said six months ago it would pull out": the report dates it
        if not any(t.tag_ == "VBD" for t in chain):
            return False
        if any(cls._dated_past(t) for t in chain):
            return True
        return tok.tag_ == "VBD" and any(ch.dep_ in ("ccomp", "xcomp") and cls._dated_past(ch) for ch in tok.children)

    def _asked(self, tok: Token) -> bool:
        """A cue inside an embedded question ("we will see if the rebels are willing to ...")."""
        return any(any(m.dep_ == "mark" and m.lower_ in ("if", "whether") for m in t.children)
                   and t.head.lemma_.lower() in self.cues.question_verbs and t.head.i != t.i
                   for t in head_chain(tok, 6))

    def _speculative(self, tok: Token) -> bool:
        """Not an attributed stance: a guess about an actor ('X might have intended to ...',
        'if it joins, X may have to accept ...'), or an act named as a noun ('the president
        walking away from the talks was better than ...')."""
        if tok.tag_ == "VBG" and tok.dep_ in ("csubj", "nsubj", "nsubjpass", "pobj", "dobj"):
            return True
        aux = {c.lower_ for c in tok.children if c.dep_ == "aux"}
        if not aux & {"may", "might"}:
            t = tok  # "may have to accept": the modal sits on 'have'
            if t.dep_ == "xcomp" and t.head.lemma_ == "have":
                aux = {c.lower_ for c in t.head.children if c.dep_ == "aux"}
        if not aux & {"may", "might"}:
            return False
        # hedged by the speaker himself ("X said it may accept") is still his
        return not any(t.dep_ in ("ccomp", "xcomp") and self._lemma(t.head) in self.cues.reporting
                       for t in head_chain(tok, 4))

    @staticmethod
    def _in_subject(tok: Token, top: Token) -> bool:
        """True when ``tok`` sits in a subject clause below ``top`` ("what the U.S. said is ...")."""
        for t in head_chain(tok, 6):
            if t.i == top.i or t.head.i == t.i:
                return False
            if t.dep_ in ("csubj", "nsubj", "nsubjpass", "relcl"):
                return True
        return False

    @staticmethod
    def _in_condition(tok: Token, top: Token) -> bool:
        """True when ``tok`` sits in an if/unless clause below ``top``."""
        for t in head_chain(tok, 6):
            if t.i == top.i or t.head.i == t.i:
                return False
            if t.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "unless") for m in t.children):
                return True
        return False

    @staticmethod
    def _denial(tok: Token) -> bool:
        """'X denied this / the allegations / that it was involved': a denial of facts, no position."""
        if tok.lemma_.lower() != "deny":
            return False
        for ch in tok.children:
            if ch.dep_ == "ccomp":
                return True
            if ch.dep_ == "dobj" and (ch.pos_ in ("PRON", "DET") or ch.lemma_.lower() in _ALLEGATIONS):
                return True
        return False

    @staticmethod
    def _explanatory(tok: Token) -> bool:
        """A cue inside a 'because/since/after/when' clause explains, it states no position."""
        return any(t.dep_ in ("advcl", "ccomp", "conj") and any(
                   m.dep_ == "mark" and m.lower_ in _EXPLANATORY_MARKS for m in t.children)
                   for t in head_chain(tok, 6))

    def _party_noun(self, doc: Doc, m: Mention) -> bool:
        """Collective nouns that name a side by themselves ("rebels", "the union")."""
        head = doc[m.end - 1].lemma_.lower()
        return head in self.cues.party_nouns or (m.text.lower() in ("government", "regime", "administration", "authorities"))

    def _misparsed_report(self, tok: Token) -> bool:
        """'X, an adviser to Y, tweeted that ...' parsed as a reduced relative of a verbless root."""
        return (tok.dep_ == "acl" and tok.head.dep_ == "ROOT" and tok.head.pos_ == "PROPN"
                and tok.tag_ in ("VBD", "VBN") and self._lemma(tok) in self.cues.reporting
                and any(c.dep_ in ("ccomp", "prep") for c in tok.children))

    def subject_of(self, tok: Token) -> Token | None:
        if self._misparsed_report(tok):
            return tok.head
        t = tok
        for _ in range(4):
            for ch in t.children:  # "X was demanded by Washington": the agent holds it
                if ch.dep_ == "agent":
                    for p in ch.children:
                        if p.dep_ == "pobj":
                            return p
            for ch in t.children:
                if ch.dep_ in ("nsubj", "nsubjpass", "expl") and ch.dep_ != "expl":
                    if ch.dep_ == "nsubjpass" and t.i == tok.i and tok.pos_ == "VERB":
                        return None  # "the offer was rejected": the holder is not the subject
                    if ch.tag_ in ("WDT", "WP") and t.dep_ == "relcl":
                        return None  # "Bashir, who refused to ...": a description, background
                    for ap in ch.children:  # "X's ambassador, Zhang Jun, said": the person
                        if ap.dep_ == "appos" and ap.ent_type_ == "PERSON":
                            return ap
                    return ch
            if t.dep_ in ("xcomp", "conj", "advcl", "acomp", "oprd") and t.head.i != t.i:
                t = t.head
                continue
            break
        return None

    def mention_at(self, doc: Doc, tok: Token) -> Mention | None:
        mentions: list[Mention] = doc._.parley_mentions or []
        for m in mentions:
            if m.start <= tok.i < m.end:
                return m
        # the subject's own subtree may hold the mention ("a spokesman for Mr X")
        for m in mentions:
            if tok.left_edge.i <= m.start and m.end - 1 <= tok.right_edge.i and doc[m.start].head.i in (tok.i, m.end - 1):
                return m
        return None

    def content_of(self, tok: Token) -> tuple[int, int] | None:
        kids = [ch for ch in tok.children if (ch.dep_ in _CONTENT_DEPS and ch.dep_ != "prep")
                or (ch.dep_ == "prep" and ch.lower_ in _CONTENT_PREPS)]
        kids = [k for k in kids if not (k.dep_ == "advcl" and any(g.dep_ == "mark" for g in k.children))]
        if self._lemma(tok) in self.cues.reporting:
            # '"Before any talks, B must ...," A told parliament': the quotation before the verb,
            # parsed as a clause modifying it, is what A says
            kids += [k for k in tok.children if k.dep_ in ("advcl", "parataxis", "ccomp") and k.i < tok.i
                     and k not in kids and k.pos_ in ("VERB", "AUX") and quoted(tok.doc, k)]
        if not kids:
            # "hope and pray the talks continue": the content hangs on a coordinated verb
            for cj in tok.children:
                if cj.dep_ == "conj" and cj.pos_ == "VERB" and not any(
                        g.dep_ in ("nsubj", "nsubjpass") for g in cj.children):
                    inner = self.content_of(cj)
                    if inner is not None:
                        return inner
            return None
        return min(k.left_edge.i for k in kids), max(k.right_edge.i for k in kids) + 1

    # -- the component ------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        claims: list[Claim] = []
        if doc.text.rstrip().endswith("?") and doc.text.lstrip()[:1] not in "\"“‘":
            doc._.parley_claims = []  # a question asks, it takes no position
            return doc
        for tok in doc:
            cue = self.cue_of(tok)
            if cue is None:
                continue
            kind, text, pol = cue
            if self._explanatory(tok) or self._asked(tok) or self._denial(tok) or self._speculative(tok):
                continue
            past = self._historical(tok)
            subj = self.subject_of(tok)
            if subj is None:
                continue
            m = self.mention_at(doc, subj)
            if m is None or m.commentator or not (m.named or m.principal or self._party_noun(doc, m)):
                continue
            claims.append(Claim(holder=m, cue=text.lower(), cue_i=tok.i, kind=kind, polarity=pol,
                                content=self.content_of(tok) or (tok.i + 1, len(doc)), historical=past))
        claims += self._according_to(doc) + self._for_x(doc) + self._proposal_nouns(doc) + self._mixed(doc, claims)
        claims = self._nest(doc, claims)
        if not claims and any(q in doc.text for q in "\"“”"):
            fams = {c[0] for c in doc._.parley_cues or ()}
            if fams & {"condition", "red_line", "mixed"} or any(
                    t.lemma_.lower() in self.cues.evaluative or t.lower_ in self.cues.evaluative for t in doc):
                root = next((t for t in doc if t.dep_ == "ROOT"), doc[0])
                holder, said = self._speaker_outside_quotes(doc)
                claims.append(Claim(holder=holder, cue=said or "quote", cue_i=root.i, kind="quote",
                                    content=(0, len(doc))))
        doc._.parley_claims = claims
        return doc

    def _speaker_outside_quotes(self, doc: Doc) -> tuple[Mention | None, str | None]:
        """When the parse lost the link ('"...," Moon Sang-gyun, a spokesman, said'): the one
        person named outside the quotation marks of a sentence with a reporting verb."""
        verbs = [t for t in doc if t.lemma_.lower() in self.cues.reporting and t.pos_ in ("VERB", "AUX")]
        if not verbs:
            return None, None
        inside = False
        outside: set[int] = set()
        for t in doc:
            if t.text in ('"', "“", "”"):
                inside = (t.text == "“") if t.text != '"' else not inside
                continue
            if not inside:
                outside.add(t.i)
        persons = [m for m in doc._.parley_mentions or () if m.kind == "person" and m.start in outside
                   and not m.commentator]
        if len(persons) != 1:
            return None, None
        return persons[0], verbs[0].text.lower()

    def _mixed(self, doc: Doc, claims: list[Claim]) -> list[Claim]:
        """'X has sent mixed signals', 'X is keeping its options open', 'X is undecided'."""
        out = []
        for fam, phrase, s, e, _ in doc._.parley_cues or ():
            if fam != "mixed":
                continue
            t = doc[s:e].root
            for _ in range(4):
                if any(ch.dep_ in ("nsubj", "nsubjpass") for ch in t.children) or t.head.i == t.i:
                    break
                t = t.head
            if any(c.cue_i == t.i for c in claims):
                continue
            subj = self.subject_of(t)
            m = self.mention_at(doc, subj) if subj is not None else None
            if m is not None:
                out.append(Claim(holder=m, cue=phrase, cue_i=t.i, kind="mixed", polarity=None,
                                 content=(t.i + 1, t.right_edge.i + 1)))
        return out

    def _according_to(self, doc: Doc) -> list[Claim]:
        out = []
        for tok in doc[:-1]:
            if tok.lower_ == "according" and doc[tok.i + 1].lower_ == "to":
                for p in doc[tok.i + 1].children:
                    m = self.mention_at(doc, p) if p.dep_ == "pobj" else None
                    if m is not None:
                        root = tok.head if tok.head.i != tok.i else tok
                        while root.head.i != root.i:
                            root = root.head
                        out.append(Claim(holder=m, cue="according to", cue_i=root.i, kind="report",
                                         content=(0, tok.i)))
        return out

    def _for_x(self, doc: Doc) -> list[Claim]:
        """'For X, the restoration of ... is non-negotiable.'"""
        first = next((t for t in doc if not t.is_punct and not t.is_space), None)
        if first is None or first.lower_ != "for":
            return []
        for p in first.children:
            if p.dep_ == "pobj":
                m = self.mention_at(doc, p)
                if m is not None:
                    root = first.head
                    start = m.end + 1 if m.end < len(doc) and doc[m.end].is_punct else m.end
                    return [Claim(holder=m, cue="for", cue_i=root.i, kind="for", content=(start, len(doc)))]
        return []

    def _proposal_nouns(self, doc: Doc) -> list[Claim]:
        """'proposals from X suggesting ...', 'X's demand for ...'."""
        out = []
        for tok in doc:
            lemma = tok.lemma_.lower()
            if tok.pos_ != "NOUN" or lemma not in _PROPOSAL_NOUNS or _PROPOSAL_NOUNS[lemma] is None:
                continue
            holder = None
            h = tok.head
            if tok.dep_ == "dobj" and h.lemma_.lower() in _PROPOSING_VERBS and lemma in (
                    "proposal", "offer", "demand", "ultimatum", "plan", "request", "call"):
                subj = self.subject_of(h)
                holder = self.mention_at(doc, subj) if subj is not None and not any(
                    c.dep_ == "neg" for c in h.children) else None
                if holder is None:
                    continue  # "X has not made an offer"
            if tok.dep_ in ("attr",) and h.lemma_ == "be" and lemma in ("advocate", "proponent", "champion",
                                                                       "opponent", "critic"):
                subj = self.subject_of(h)  # "X has been a leading advocate of Y"
                holder = self.mention_at(doc, subj) if subj is not None else None
            for ch in tok.children:
                if ch.dep_ == "compound" and ch.pos_ == "PROPN" and holder is None:
                    holder = self.mention_at(doc, ch)  # "an EU demand for ..."
                if ch.dep_ == "poss":
                    holder = self.mention_at(doc, ch)
                elif ch.dep_ == "prep" and ch.lower_ in ("from", "by"):
                    for p in ch.children:
                        if p.dep_ == "pobj":
                            holder = self.mention_at(doc, p)
            if holder is None or holder.kind == "pronoun":
                continue
            out.append(Claim(holder=holder, cue=lemma, cue_i=tok.i, kind="noun", polarity=_PROPOSAL_NOUNS[lemma],
                             content=(tok.i + 1, tok.right_edge.i + 1), confidence=0.4))
        return out

    def _demanded(self, tok: Token) -> bool:
        for ch in tok.children:
            if ch.dep_ == "aux" and ch.lower_ in self.cues.demand_modals:
                return True
            if ch.dep_ == "aux" and ch.lower_ == "to" and tok.head.lemma_ in ("have", "need", "ought"):
                return True
        return False

    def _nest(self, doc: Doc, claims: list[Claim]) -> list[Claim]:
        """Fold a claim found inside another claim's content into one."""
        dropped: set[int] = set()
        for i, outer in enumerate(claims):
            if outer.content is None:
                continue
            for j, inner in enumerate(claims):
                if i == j or j in dropped or i in dropped:
                    continue
                if not (outer.content[0] <= inner.cue_i < outer.content[1]):
                    continue
                if self._in_condition(doc[inner.cue_i], doc[outer.cue_i]):
                    continue  # "A said the door is open if B withdrew": B's act is A's condition
                if inner.kind == "report" and self._in_subject(doc[inner.cue_i], doc[outer.cue_i]):
                    continue  # "A said what B said is accurate": B's words are what A judges
                same = inner.holder is None or inner.holder.kind == "pronoun" or (
                    outer.holder is not None and inner.holder.text == outer.holder.text)
                if outer.kind == "report" and outer.cue == "according to":
                    dropped.add(i)  # the inner cue has its own holder; the source only relays it
                    if inner.holder is not None and inner.holder.kind == "pronoun" and outer.holder is not None \
                            and inner.holder.text.lower() in ("he", "she"):
                        # "He said ..., according to a Moon spokesman": Moon
                        src = outer.holder
                        person = next((m for m in doc._.parley_mentions or () if m.kind == "person"
                                       and src.start <= m.start and m.end <= src.end and m is not src), None)
                        if src.principal or person is not None:
                            inner.holder = person or src
                    continue
                if inner.kind == "noun" and not same and outer.kind != "noun":
                    inner.embedded = True
                    continue  # "A called B's demand 'unjustified'": both stand, each with its holder
                if outer.kind == "report" and inner.holder is not None and inner.holder.text.lower() in _THIRD \
                        and quoted(doc, doc[inner.cue_i]) and not quoted(doc, doc[outer.cue_i]):
                    dropped.add(j)  # '"They wanted X and we couldn't do that," A said': A's view of their demand
                    continue
                if outer.kind == "report":
                    # "A said B must withdraw" -> A's demand; "A said they accepted" -> A accepted;
                    # "A said B is willing to ..." -> A's position as the labelled sets read it
                    if not same and self._demanded(doc[inner.cue_i]):
                        dropped.add(j)
                        continue
                    weak_outer = outer.holder is None or outer.holder.kind == "pronoun" or (
                        not outer.holder.named and not outer.holder.principal)
                    relayed = None if same else self._relayed(doc, outer.holder, inner.holder)
                    if relayed is not None:
                        inner.holder = relayed  # "X, his spokeswoman, said the Chancellor wanted ...": his
                    elif same or not weak_outer:
                        inner.holder = outer.holder
                    inner.speaker = inner.speaker or outer.speaker
                    dropped.add(i)
                elif same and inner.kind not in ("mixed",):
                    if outer.kind in ("for", "noun"):
                        dropped.add(i)
                    else:
                        dropped.add(j)
        out = [c for k, c in enumerate(claims) if k not in dropped]
        for c in out:  # "a spokeswoman for X said the Chancellor would under no circumstances ...": X's
            if c.kind == "report" and c.holder is not None:
                for ch in doc[c.cue_i].children:
                    if ch.dep_ != "ccomp":
                        continue
                    if self._demanded(ch):
                        continue  # "a spokesman said B must ...": the spokesman's side demands it
                    subj = next((g for g in ch.children if g.dep_ in ("nsubj", "nsubjpass")), None)
                    m = self.mention_at(doc, subj) if subj is not None else None
                    relayed = self._relayed(doc, c.holder, m) if m is not None and m is not c.holder else None
                    if relayed is not None:
                        c.speaker = c.speaker or c.holder.text
                        c.holder = relayed
        return out

    @staticmethod
    def _spokes(tok: Token) -> bool:
        return tok.lemma_.lower() in _SPOKES or tok.lower_ in _SPOKES

    def _relay_source(self, doc: Doc, m: Mention) -> tuple[bool, Mention | None]:
        """(whether ``m`` speaks for someone else, the mention naming that principal if any):
        "a spokesman for X", "Y, a spokeswoman for X", "Y, his spokeswoman", "spokeswoman Y"."""
        head = doc[m.end - 1]
        if m.principal and self._spokes(head):
            return True, m
        for ch in head.children:
            if ch.dep_ == "appos" and self._spokes(ch):
                pm = self.mention_at(doc, ch)
                return True, (pm if pm is not None and pm.principal else None)
        if any(self._spokes(t) for t in doc[m.start:m.end]) or any(
                ch.dep_ == "compound" and self._spokes(ch) for ch in head.children):
            return True, None
        return False, None

    def _relayed(self, doc: Doc, outer: Mention | None, inner: Mention | None) -> Mention | None:
        """The holder of what a spokesperson reports when the reported clause's subject is the
        principal (a pronoun or a title: the principal; a name: that name), else None: a
        spokesperson speaking for themselves keeps it."""
        if outer is None or inner is None:
            return None
        relay, principal = self._relay_source(doc, outer)
        if not relay:
            return None
        if inner.kind == "pronoun":
            # "a spokesman for May said she ...": May; "a spokeswoman ... said she ...": herself
            own = {"he": ("spokesman", "spokesmen"), "she": ("spokeswoman", "spokeswomen")}.get(inner.text.lower())
            nouns = {t.lower_ for t in doc if self._spokes(t)}
            if own and principal is not None and principal is not outer and not nouns & set(own) \
                    and nouns - {"spokesperson", "spokespeople"}:
                return principal
            return None
        if inner.kind == "description":  # "the Chancellor": the one a spokesman "for X" names, or the title
            named = principal is not None and principal is not outer and principal.principal not in _POSS_PRONOUNS
            return principal if named else inner
        if inner.kind in ("person", "name"):  # the principal by name, or a person the spokesman reports on
            words = set((principal.principal or "").lower().split()) if principal is not None else set()
            if words & set(inner.text.lower().split()) or (inner.kind == "person" and not words):
                return inner
        return None


@Language.factory("parley_attribution", requires=["doc._.parley_mentions", "token.dep"],
                  assigns=["doc._.parley_claims"], default_config={"lexicon": None})
def make_attribution(nlp: Language, name: str, lexicon: str | None) -> Attributor:
    return Attributor(lexicon)
