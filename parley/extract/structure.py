"""Structure of an article from spaCy: sentences, quotations, holder mentions, candidates.

This is the recall-oriented half of the learned extractor. Nothing here decides whether a
position exists: it proposes *candidates*, one per (sentence, holder), with the syntactic
facts the learned heads (:mod:`.heads`) need to decide.

1. Sentences come from :func:`.sentences.split_sentences` (the labelled sets' granularity);
   a dateline ("KABUL (AP) —") is left out of the parse, offsets kept.
2. Each sentence is parsed by the configured spaCy model; the ``parley_structure``
   component (:func:`make_structure`) runs the pattern files (``patterns/*.yml``) and sets
   ``doc._.parley_matches``.
3. :func:`find_mentions` lists holder mentions: named entities, noun phrases that are
   subjects, agents or possessors (an entity that only modifies an institution noun,
   "Iran's foreign ministry", "GM workers", becomes that noun phrase), and pronouns.
   Coordinated holders are separate mentions.
4. :class:`ArticleActors` names them for the whole article: the fullest form of a person's
   name the article (or its title) uses, a state as the article names it (a capital or seat
   of power is the state when the article names the state), a description ("the prime
   minister", "Russia's leader") as the person introduced with that title, pronouns as the
   last compatible holder, "I"/"we" in a quotation as its speaker.
5. :func:`candidates` groups the named mentions of each sentence by actor; a quotation with no
   speaker of its own borrows the speaker of the sentence that attributes it.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from ..lexicon import Places, Roles, places, roles
from .matching import Match, PatternSet

MentionKind = Literal["ent", "chunk", "pron"]
ActorKind = Literal["person", "org", "state", "group", "other"]

HOLDER_ENTS = ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC")
NOT_HOLDERS = frozenset({"DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL", "QUANTITY"})
SUBJECT_DEPS = ("nsubj", "nsubjpass")
HOLDER_DEPS = ("nsubj", "nsubjpass", "poss", "pobj", "conj", "appos", "ROOT", "npadvmod", "dobj", "attr")
PRONOUNS = {"he": "person", "she": "person", "him": "person", "her": "person", "his": "person",
            "they": "plural", "them": "plural", "their": "plural", "it": "thing", "its": "thing",
            "we": "speaker", "our": "speaker", "us": "speaker", "i": "speaker", "my": "speaker", "me": "speaker"}
_QUOTE_OPEN = "\u201c\u00ab\u2018"
_QUOTE_CLOSE = "\u201d\u00bb\u2019"
_DATELINE = re.compile(r"^[A-Z][A-Z.'/ -]{2,}(?:,\s*[A-Z][\w.' -]+)?\s*(?:\([\w .]+\))?\s*[\u2014\u2013-]{1,2}\s+(?=[A-Z\"\u201c])")
# a run of capitalised words (initials "J." allowed inside; a word's final period ends the run)
_NAME_WORD = r"(?:[A-Z]\.|[A-Z][\w'\u2019\-]*(?:\.[A-Z][\w'\u2019\-]*)*)"
_CAPSEQ = re.compile(r"\b" + _NAME_WORD + r"(?:[ \t]+(?:" + _NAME_WORD + r"|de|al|bin|van|von|la|le|du|da|el|di)(?![\w'\u2019]))*")

if not Doc.has_extension("parley_matches"):
    Doc.set_extension("parley_matches", default=None)


@Language.factory("parley_structure", requires=["token.dep", "token.lemma", "doc.ents"],
                  assigns=["doc._.parley_matches"],
                  default_config={"pattern_files": ["holders", "conditions", "cues", "stance"]})
def make_structure(nlp: Language, name: str, pattern_files: list[str]) -> StructureComponent:
    return StructureComponent(nlp, tuple(pattern_files))


class StructureComponent:
    """Runs the pattern files over a sentence ``Doc``: ``doc._.parley_matches``."""

    def __init__(self, nlp: Language, pattern_files: tuple[str, ...]) -> None:
        self.patterns = PatternSet(nlp.vocab, pattern_files)

    def __call__(self, doc: Doc) -> Doc:
        doc._.parley_matches = self.patterns(doc)
        return doc


# ---------------------------------------------------------------------------------------- sentences

@dataclass
class Sentence:
    """One sentence of the article: offsets into the article text and its parse (or None)."""

    index: int
    start: int
    end: int
    para: int
    text_start: int                 # where the parsed text starts (after a dateline)
    quote_share: float = 0.0        # share of the sentence's letters inside quotation marks
    doc: Doc | None = None
    in_quote: list[bool] = field(default_factory=list)   # per token of ``doc``

    @property
    def matches(self) -> list[Match]:
        return (self.doc._.parley_matches or []) if self.doc is not None else []


def quote_mask(text: str) -> list[bool]:
    """Per character of one paragraph: inside a quotation? Curly and guillemet quotes nest
    by direction; straight double quotes toggle."""
    mask = [False] * len(text)
    depth = 0
    straight = False
    for i, ch in enumerate(text):
        if ch in "\u201c\u00ab":
            depth += 1
        elif ch in "\u201d\u00bb":
            depth = max(0, depth - 1)
        elif ch == '"':
            straight = not straight
        mask[i] = depth > 0 or straight or ch in '"\u201c\u201d\u00ab\u00bb'
    return mask


def sentence_frame(text: str, spans: Sequence[tuple[int, int]]) -> list[Sentence]:
    """Sentences with paragraph numbers, dateline offsets and quotation shares (no parse yet)."""
    out: list[Sentence] = []
    para_starts = [0] + [m.end() for m in re.finditer(r"\n+", text)]
    masks: dict[int, tuple[int, list[bool]]] = {}
    for i, (s, e) in enumerate(spans):
        para = max(k for k, ps in enumerate(para_starts) if ps <= s)
        if para not in masks:
            pstart = para_starts[para]
            pend = para_starts[para + 1] if para + 1 < len(para_starts) else len(text)
            masks[para] = (pstart, quote_mask(text[pstart:pend]))
        pstart, mask = masks[para]
        letters = [mask[k - pstart] for k in range(s, e) if text[k].isalpha()]
        m = _DATELINE.match(text[s:e]) if i < 3 else None
        out.append(Sentence(index=i, start=s, end=e, para=para, text_start=s + (m.end() if m else 0),
                            quote_share=(sum(letters) / len(letters)) if letters else 0.0))
    return out


def attach_doc(sent: Sentence, doc: Doc, text: str) -> None:
    """Attach the parse of ``text[sent.text_start:sent.end]`` and its per-token quote flags."""
    sent.doc = doc
    para_start = text.rfind("\n", 0, sent.start) + 1
    pend = text.find("\n", sent.end)
    mask = quote_mask(text[para_start:pend if pend >= 0 else len(text)])
    base = sent.text_start - para_start
    sent.in_quote = [mask[base + t.idx] if 0 <= base + t.idx < len(mask) else False for t in doc]


# ---------------------------------------------------------------------------------------- mentions

@dataclass
class Mention:
    """A possible holder in one sentence (token offsets into that sentence's doc)."""

    sent: int
    start: int
    end: int
    head: int
    text: str
    kind: MentionKind
    label: str                       # entity label, "NOUN" for a noun phrase, "PRON"
    roles: frozenset[str] = frozenset()
    in_quote: bool = False
    affiliation: str | None = None   # an entity inside the phrase ("Iran" in "Iran's ministry")


def _holder_roles(doc: Doc) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for m in doc._.parley_matches or []:
        if m.action == "holder" and "holder" in m.nodes:
            out.setdefault(m.nodes["holder"], set()).add(m.label)
    return out


def _clean_span(span: Span) -> Span:
    """Drop leading determiners/function words and trailing punctuation or possessive marks."""
    start, end = span.start, span.end
    doc = span.doc
    noise = roles().leading_noise
    while start < end - 1 and (doc[start].lower_ in noise or doc[start].is_punct or doc[start].pos_ == "DET"):
        start += 1
    while end > start + 1 and (doc[end - 1].is_punct or doc[end - 1].tag_ == "POS"):
        end -= 1
    return doc[start:end]


def holder_noun(tok: Token) -> bool:
    """A noun that names people or an institution ("union", "ministry", "officials", "president")."""
    lex = roles()
    low = tok.lemma_.lower()
    return tok.pos_ == "PROPN" or low in lex.groups or low in lex.government or low in lex.relays \
        or low in lex.titles or tok.lower_ in lex.groups


def find_mentions(sent: Sentence) -> list[Mention]:
    """Holder mentions of one parsed sentence (see the module docstring)."""
    doc = sent.doc
    if doc is None:
        return []
    role_of = _holder_roles(doc)
    taken: set[int] = set()
    out: list[Mention] = []
    lex = roles()

    def add(span: Span, kind: MentionKind, label: str, affiliation: str | None = None) -> None:
        span = _clean_span(span)
        if not span.text.strip() or span.text.lower() in lex.news_agencies:
            return
        head = span.root.i
        rs: set[str] = set()
        for t in span:
            rs |= role_of.get(t.i, set())
        out.append(Mention(sent=sent.index, start=span.start, end=span.end, head=head, text=span.text, kind=kind,
                           label=label, roles=frozenset(rs), in_quote=bool(sent.in_quote and sent.in_quote[head]),
                           affiliation=affiliation))
        taken.update(range(span.start, span.end))

    chunks = {c.root.i: c for c in doc.noun_chunks}
    for ent in doc.ents:
        if ent.label_ not in HOLDER_ENTS:
            continue
        root = ent.root
        # an entity inside a title before a person ("Interior Minister Lena Varo", "Iranian Foreign
        # Minister ..."): the person holds the position, the entity only says whose minister
        if root.dep_ in ("compound", "amod") and root.head.lower_ in lex.titles \
                and any(t.ent_type_ == "PERSON" for t in root.head.head.subtree if t.i > root.head.i):
            continue
        # an entity modifying a common noun ("Iranian officials", "Iran's foreign ministry", "GM workers")
        # stands for that noun phrase, the institution or group
        host = root.head if root.dep_ in ("compound", "amod", "poss", "nmod") else None
        # -- but the possessor of a view noun is the holder itself ("Zelensky's position")
        if host is not None and host.pos_ == "NOUN" and host.i not in range(ent.start, ent.end) \
                and host.i in chunks and not host.ent_type_ and "POSS_VIEW" not in role_of.get(root.i, ()):
            ch = chunks[host.i]
            add(doc[min(ch.start, ent.start):ch.end], "chunk", "NOUN", affiliation=ent.text)
            continue
        add(ent, "ent", ent.label_)
    for root_i, ch in chunks.items():
        if any(i in taken for i in range(ch.start, ch.end)):
            continue
        root = doc[root_i]
        if root.ent_type_ in NOT_HOLDERS:        # "on Tuesday", "3 percent": never a holder
            continue
        if root.pos_ == "PRON":
            low = root.lower_
            if low in PRONOUNS and root.dep_ in ("nsubj", "nsubjpass", "poss", "pobj", "conj"):
                add(doc[root_i:root_i + 1], "pron", "PRON")
            continue
        if root.pos_ not in ("NOUN", "PROPN"):
            continue
        subject = root.dep_ in SUBJECT_DEPS or (root.dep_ == "conj" and root.head.dep_ in SUBJECT_DEPS)
        if root_i in role_of or subject or holder_noun(root):
            add(ch, "chunk", "NOUN")
    # possessive pronouns before a view noun ("his proposal") and pronoun subjects the chunker missed
    for t in doc:
        if t.i in taken or t.lower_ not in PRONOUNS:
            continue
        if t.dep_ in ("nsubj", "nsubjpass", "poss") or t.i in role_of:
            add(doc[t.i:t.i + 1], "pron", "PRON")
    out.sort(key=lambda m: m.start)
    return out


# ---------------------------------------------------------------------------------------- naming

@dataclass
class Named:
    """A mention with the actor the article means by it."""

    mention: Mention
    actor: str
    kind: ActorKind
    via: Literal["name", "pronoun", "description", "speaker"]
    distance: int = 0                 # sentences back to the antecedent (pronouns, descriptions)


def _norm(s: str) -> str:
    return s.replace("\u2019", "'").strip()


def _words(s: str) -> list[str]:
    return re.findall(r"[\w'\-.]+", _norm(s))


class ArticleActors:
    """Names every mention of one article with the actor it stands for (module docstring, step 4)."""

    def __init__(self, text: str, title: str | None, lex_places: Places | None = None,
                 lex_roles: Roles | None = None) -> None:
        self.text = text
        self.title = title or ""
        self.places = lex_places or places()
        self.roles = lex_roles or roles()
        self.persons: dict[str, int] = {}          # full person names seen -> count
        self.titled: list[tuple[int, str, str]] = []  # (char offset, title word, person) in text order
        # (sentence, token, actor, kind, plural, salient: the subject of a holder pattern)
        self.history: list[tuple[int, int, str, ActorKind, bool, bool]] = []
        self.aliases: dict[str, set[str]] = {}
        self.speakers: dict[int, str] = {}        # sentence -> speaker actor
        self._forms: dict[str, str] = {}
        self._scan()

    # -- the article's names ------------------------------------------------------------
    def _scan(self) -> None:
        """Capitalised name sequences of the whole text and title (cheap: no parse needed)."""
        titles = self.roles.titles
        for source, base in ((self.title, -1), (self.text, 0)):
            for m in _CAPSEQ.finditer(source):
                words = m.group(0).split()
                # a name follows its last title: "Earlier Foreign Minister Ana Kuleba" -> "Ana Kuleba"
                k = 0
                for j, w in enumerate(words[:-1]):
                    if w.lower().rstrip(".") in titles or self.places.state_of(re.sub(r"['\u2019]s$", "", w)):
                        k = j + 1
                name = [w for w in words[k:] if w.lower() not in self.roles.leading_noise]
                if 2 <= len(name) <= 4 and all(w[0].isupper() for w in name):
                    full = " ".join(name).rstrip(".,")
                    if self.places.state_of(full) is None:
                        self.persons[full] = self.persons.get(full, 0) + 1
                        for w in words[:k]:
                            if w.lower().rstrip(".") in titles and base >= 0:
                                self.titled.append((m.start(), w.lower().rstrip("."), full))

    def add_person(self, name: str) -> None:
        name = self.strip_title(name)
        if len(name.split()) >= 2:
            self.persons[name] = self.persons.get(name, 0) + 1

    def strip_title(self, name: str) -> str:
        words = _norm(name).split()
        if words and words[-1].lower() in ("'s", "s"):
            words = words[:-1]
        k = 0
        while k < len(words) - 1 and (words[k].lower().rstrip(".") in self.roles.titles
                                      or words[k].lower() in self.roles.leading_noise):
            k += 1
        out = " ".join(words[k:])
        return re.sub(r"'s$", "", out)

    def full_person(self, name: str) -> str:
        """The fullest name the article uses for a person mention ("Pelosi" -> "Nancy Pelosi")."""
        short = self.strip_title(name)
        sw = short.split()
        if not sw:
            return short
        last = sw[-1].lower()
        best = short
        best_key = (len(sw), 0)
        for full, n in self.persons.items():
            fw = full.split()
            if fw[-1].lower() == last and set(w.lower() for w in sw) <= set(w.lower() for w in fw):
                key = (len(fw), n)
                if key > best_key:
                    best, best_key = full, key
        return best

    def state_form(self, state: str) -> str:
        """A state named as the article names it: its name the text uses most (the longer on ties)."""
        if state not in self._forms:
            counts = {f: len(re.findall(r"(?<![\w.])" + re.escape(f) + r"(?![\w])", self.text))
                      for f in self.places.forms.get(state, (state,))}
            used = {f: n for f, n in counts.items() if n}
            self._forms[state] = max(used, key=lambda f: (used[f], len(f))) if used else state
        return self._forms[state]

    def _is_seat(self, name: str) -> bool:
        return re.sub(r"^the\s+", "", _norm(name).lower()) in self.places.seats

    def _state_named(self, state: str) -> bool:
        return any(re.search(r"(?<![\w])" + re.escape(f) + r"(?![\w])", self.text)
                   for f in self.places.forms.get(state, (state,)))

    # -- naming mentions ------------------------------------------------------------------
    def name(self, m: Mention, sent: Sentence) -> Named | None:
        if m.kind == "pron":
            found = self.pronoun(m, sent)
            return found[0] if found else None
        text = _norm(m.text)
        if m.kind != "ent" or m.label != "PERSON":
            # a surname the small model tags otherwise ("Mure said", an ORG): the person the article
            # introduced with that surname, when it did and the word is no place
            bare = re.sub(r"^the\s+", "", text, flags=re.I)
            if re.fullmatch(r"[A-Z][\w'\u2019-]+", bare) and self.places.state_of(bare) is None:
                full = self.full_person(bare)
                if full != bare and len(full.split()) >= 2:
                    return self._note(Named(m, full, "person", "name"), text)
        if m.kind == "ent" and m.label == "PERSON":
            actor = self.full_person(text)
            return self._note(Named(m, actor, "person", "name"), text)
        if m.kind == "ent" and m.label in ("GPE", "LOC", "FAC"):
            state = self.places.state_of(text)
            # a capital stands for its state when the article names the state; a seat of power
            # ("White House", "Kremlin") is an institution of its own (as the labelled sets have it)
            if state and not self._is_seat(text) and (not self.places.is_metonym(text) or self._state_named(state)):
                return self._note(Named(m, self.state_form(state), "state", "name"), text)
            return self._note(Named(m, re.sub(r"^the\s+", "", text, flags=re.I), "state" if m.label == "GPE" else "other",
                                    "name"), text)
        if m.kind == "ent":
            state = self.places.state_of(text) if m.label in ("ORG", "NORP") and not self._is_seat(text) else None
            if state and m.label == "ORG" and self._state_named(state):
                return self._note(Named(m, self.state_form(state), "state", "name"), text)
            kind: ActorKind = "org" if m.label == "ORG" else "group"
            return self._note(Named(m, re.sub(r"^the\s+", "", text, flags=re.I), kind, "name"), text)
        # a noun phrase
        words = [w.lower().rstrip(".") for w in text.split()]
        head = words[-1] if words else ""
        if head in self.roles.titles and sent.doc is not None:
            # "the trust's chief executive, Helen Varga, insisted": the person in apposition
            for c in sent.doc[m.head].children:
                if c.dep_ == "appos" and c.ent_type_ == "PERSON":
                    ent = next((e for e in sent.doc.ents if e.start <= c.i < e.end), None)
                    if ent is not None:
                        return self._note(Named(m, self.full_person(_norm(ent.text)), "person", "name"), text)
        if (head in self.roles.titles and m.affiliation is None) or (head in self.roles.titles and len(words) <= 3):
            person = self._described(words, sent)
            if person:
                return self._note(Named(m, person[0], "person", "description", person[1]), text)
        if len(words) == 1 or (len(words) == 2 and words[0] == "the"):
            # "the trust" after "the Kelbridge Health Trust": the named organisation it shortens
            for _si, _start, actor, akind, _plural, _sal in reversed(self.history):
                if akind in ("org", "group") and len(actor.split()) > 1 and actor.split()[-1].lower() == head:
                    return self._note(Named(m, actor, akind, "name"), text)
        if m.affiliation:
            kind = "org" if head in self.roles.government else "group"
            return self._note(Named(m, text, kind, "name"), text)
        kind = "org" if head in self.roles.government else "group"
        return self._note(Named(m, text, kind, "name"), text)

    def _described(self, words: list[str], sent: Sentence) -> tuple[str, int] | None:
        """The person a title description means: introduced with that title before this sentence,
        the most recent first; an affiliation word ("Russian", "Ukraine's") must match the intro."""
        title_words = [w for w in words if w in self.roles.titles]
        if not title_words:
            return None
        affil = [self.places.state_of(w.replace("'s", "")) for w in words if self.places.state_of(w.replace("'s", ""))]
        best = None
        for off, word, person in self.titled:
            if off > sent.end or word not in title_words:
                continue
            if affil:
                intro = self.text[max(0, off - 40):off + len(word) + 40]
                if not any(re.search(re.escape(f), intro, re.I) for a in affil for f in
                           (*self.places.forms.get(a or "", ()),
                            *(d for d, s in self.places.demonyms.items() if s == a))):
                    continue
            best = (person, off)
        if best is None:
            return None
        dist = self.text.count("\n", best[1], sent.start)
        return self.full_person(best[0]), dist

    def pronoun(self, m: Mention, sent: Sentence, limit: int = 2) -> list[Named]:
        """Up to ``limit`` antecedents of a pronoun, nearest first: a person for he/she, a group,
        organisation or state for they/it, the quotation's speaker for I/we inside a quotation."""
        low = m.text.lower()
        want = PRONOUNS.get(low)
        if want == "speaker":
            spk = self.speakers.get(sent.index)
            if spk and m.in_quote:
                return [Named(m, spk, "person", "speaker")]
            if low not in ("we", "our", "us"):
                return []
            want = "plural"
        out: list[Named] = []
        # nearest first, but within the window a holder (the subject of a reporting or stance
        # verb) before a mere mention: "Zelensky said he would meet Putin ... He rejected" is Zelensky
        window = []
        for h in reversed(self.history):
            if sent.index - h[0] > 3:
                break
            window.append(h)
        ranked = sorted(window, key=lambda h: (sent.index - h[0] > 0 and not h[5], sent.index - h[0]))
        for si, start, actor, kind, plural, _sal in ranked:
            if (si == sent.index and start >= m.start) or any(n.actor == actor for n in out):
                continue
            ok = ((want == "person" and kind == "person")
                  or (want == "plural" and kind != "person" and (plural or kind in ("org", "state")))
                  or (want == "thing" and kind in ("org", "state", "group") and not plural))
            if ok:
                out.append(Named(m, actor, kind, "pronoun", sent.index - si))
                if len(out) >= limit or (_sal and si < sent.index):     # a holder before: no second guess
                    break
        return out

    def _note(self, named: Named, surface: str) -> Named:
        self.aliases.setdefault(named.actor, set()).add(surface)
        return named

    def remember(self, named: Named) -> None:
        """Keep a named holder-like mention as a possible antecedent of later pronouns."""
        m = named.mention
        if named.via in ("pronoun", "speaker"):
            return
        if m.kind == "chunk" and not (m.roles or m.affiliation):
            if m.label == "NOUN" and m.text.split()[-1].lower() not in roles().groups | roles().government:
                return
        plural = m.label == "NORP" or (m.kind == "chunk" and m.text.lower().endswith("s"))
        self.history.append((m.sent, m.start, named.actor, named.kind, plural, bool(m.roles)))


# ---------------------------------------------------------------------------------------- candidates

@dataclass
class Candidate:
    """One (sentence, actor): the unit the learned heads decide on."""

    sent: int
    actor: str
    kind: ActorKind
    mentions: list[Named]
    borrowed: bool = False          # a quotation's speaker from a neighbouring sentence

    @property
    def via(self) -> str:
        return self.mentions[0].via if self.mentions else "speaker"


def _speaker_of(sent: Sentence, named: list[Named]) -> str | None:
    """The actor this sentence presents as speaking: the subject of a reporting verb outside quotes."""
    for n in named:
        if "REPORT_SUBJ" in n.mention.roles and not n.mention.in_quote:
            return n.actor
    return None


def candidates(sentences: list[Sentence], actors: ArticleActors) -> list[Candidate]:
    """Every (sentence, actor) candidate of an article, in sentence order."""
    per_sent: dict[int, list[Named]] = {}
    speakers: dict[int, str] = {}
    mentions_of: dict[int, list[Mention]] = {}
    named_of: dict[int, list[Named]] = {}

    def named_in(sent: Sentence) -> list[Named]:
        if sent.index not in named_of:
            ms = mentions_of.setdefault(sent.index, find_mentions(sent))
            named_of[sent.index] = [n for n in (actors.name(m, sent) for m in ms if m.kind != "pron") if n is not None]
        return named_of[sent.index]

    for sent in sentences:
        if sent.doc is None:
            continue
        named = list(named_in(sent))
        # the speaker first, so that "I"/"we" in its quotation resolve to it
        spk = _speaker_of(sent, named)
        if spk is None and sent.quote_share > 0.5:
            nxt = sentences[sent.index + 1] if sent.index + 1 < len(sentences) else None
            if nxt is not None and nxt.doc is not None and nxt.para == sent.para:
                spk = _speaker_of(nxt, named_in(nxt))
            for j in (sent.index - 1, sent.index - 2):
                if spk is None and j in speakers and sentences[j].quote_share > 0:
                    spk = speakers[j]
        if spk:
            speakers[sent.index] = spk
        actors.speakers = speakers
        for n in named:
            actors.remember(n)
        for m in mentions_of[sent.index]:
            if m.kind == "pron":
                named.extend(actors.pronoun(m, sent))
        per_sent[sent.index] = named
    out: list[Candidate] = []
    for si, named in per_sent.items():
        groups: dict[str, list[Named]] = {}
        for n in named:
            groups.setdefault(n.actor, []).append(n)
        for actor, ns in groups.items():
            out.append(Candidate(sent=si, actor=actor, kind=ns[0].kind, mentions=ns))
        spk = speakers.get(si)
        if spk and spk not in groups:
            out.append(Candidate(sent=si, actor=spk, kind="person", mentions=[], borrowed=True))
    return out
