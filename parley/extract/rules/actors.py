"""Component ``parley_actors``: spans that can hold a position.

Named entities (PERSON, ORG, GPE, NORP as a plural group), collective noun
phrases ("Palestinian negotiators", "the union", "some European diplomats"),
descriptions ("Ukraine's leader", "the Russian leader") and personal pronouns.
Sets ``doc._.parley_mentions``; cross-sentence resolution (surnames, pronouns,
descriptions -> fullest name) happens per article in :mod:`parley.extract.resolve`.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from .claims import Mention, MentionKind, register_extensions
from .lexicon import Cues, load_cues

_KIND: dict[str, MentionKind] = {"PERSON": "person", "ORG": "org", "GPE": "state", "NORP": "group"}
PRONOUNS = {"he": "person", "she": "person", "him": "person", "her": "person",
            "they": "group", "them": "group", "it": "state", "we": "speaker", "i": "speaker"}
_POSSESSIVES = {"his": "he", "her": "she", "its": "it", "their": "they", "our": "we", "my": "i", "your": "you"}
_OFFICE_NOUNS = {"secretary", "chairman", "chairwoman", "governor", "chancellor", "premier", "minister"}
_OFFICE_WORDS = {"foreign", "prime", "deputy", "vice", "defence", "defense", "finance", "interior", "home",
                 "trade", "state", "general", "chief", "executive", "first"}
_STRIP = {"the", "a", "an", "some", "several", "many", "other", "both", "all", "its", "their", "his", "her"}


def _clean(span: Span) -> tuple[int, int]:
    s, e = span.start, span.end
    doc = span.doc
    while s < e and (doc[s].lower_ in _STRIP or doc[s].is_punct):
        s += 1
    while e > s and (doc[e - 1].is_punct or doc[e - 1].tag_ == "POS"):
        e -= 1
    return s, e


class ActorFinder:
    def __init__(self, lexicon: str | None = None) -> None:
        register_extensions()
        self.cues: Cues = load_cues(lexicon)

    def _commentator(self, tok: Token) -> bool:
        """'X, a Middle East expert at ...': analysts are not actors (labelling rules)."""
        for ch in tok.children:
            if ch.dep_ == "appos" and ch.lemma_.lower() in self.cues.commentators:
                return True
        for t in tok.doc[max(0, tok.i - 6):tok.i]:
            if t.lemma_.lower() in self.cues.commentators and t.head.i in range(tok.i - 6, tok.i + 1):
                return True
        return False

    def __call__(self, doc: Doc) -> Doc:
        mentions: list[Mention] = []
        taken: set[int] = set()
        for ent in doc.ents:
            kind = _KIND.get(ent.label_)
            if kind is None:
                continue
            s, e = _clean(ent)
            if kind == "person":
                # "Moon Jae-in": the recogniser may stop inside a hyphenated given name
                while e + 1 < len(doc) and doc[e].text == "-" and not doc[e - 1].whitespace_ \
                        and not doc[e].whitespace_ and doc[e + 1].is_alpha:
                    e += 2
                # "Labour's Jeremy Corbyn": the party is an affiliation, not part of the name
                for k in range(s, e - 1):
                    if doc[k].tag_ == "POS" or doc[k].lower_ in ("'s", "’s"):
                        s = k + 1
            if s >= e or doc[s:e].text.lower() in PRONOUNS or doc[s:e].text.lower() in _STRIP \
                    or doc[s:e].text.lower() in self.cues.not_actors:
                continue
            if kind == "group" and not doc[e - 1].text.endswith("s"):
                continue  # "Ukrainian" as an adjective is no actor; "Democrats", "Palestinians" are
            aff = None
            if kind == "person":
                for t in doc[max(0, s - 4):s]:
                    if t.ent_type_ in ("NORP", "GPE") or t.tag_ == "POS":
                        aff = (t.head if t.tag_ == "POS" else t).text
            text = doc[s:e].text
            men = Mention(s, e, text, kind, affiliation=aff, plural=kind == "group",
                          commentator=kind == "person" and self._commentator(doc[e - 1]))
            if kind == "org":
                # "Iran's Foreign Ministry" -> Iran
                for ch in doc[e - 1].children:
                    # a possessor before the name ("Iran's Foreign Ministry"), not one inside it
                    # ("the Harbour Workers' Union")
                    if ch.dep_ == "poss" and ch.i < s and ch.ent_type_ in ("GPE", "PERSON", "ORG") and ch.lower_ not in PRONOUNS:
                        men.principal = doc[ch.left_edge.i:ch.i + 1].text
                for t in doc[max(0, s - 2):s]:
                    if t.tag_ == "POS" and t.head.i < s and t.head.ent_type_ in ("GPE",):
                        men.principal = t.head.text
            mentions.append(men)
            taken.update(range(s, e))
        for chunk in doc.noun_chunks:
            root = chunk.root
            if root.i in taken:
                continue
            lem = root.lemma_.lower()
            if root.lower_ in PRONOUNS:
                mentions.append(Mention(root.i, root.i + 1, root.text, "pronoun", plural=root.lower_ in ("they", "them", "we")))
                continue
            if lem in self.cues.group_nouns or root.lower_ in self.cues.group_nouns:
                s, e = _clean(chunk)
                if s >= e:
                    continue
                m = Mention(s, e, doc[s:e].text, "group", plural=root.tag_ in ("NNS", "NNPS"))
                m.named = any(t.pos_ == "PROPN" or t.ent_type_ in ("NORP", "GPE", "ORG", "CARDINAL") or t.like_num
                              for t in doc[s:e])
                # "Iran's Foreign Ministry", "May's spokesman", "a spokesman for Mr X"
                for child in root.children:
                    if child.dep_ == "nmod" and any(g.dep_ == "case" for g in child.children):
                        child_dep = "poss"  # "May's spokesman" parsed as nmod + case
                    else:
                        child_dep = child.dep_
                    if child_dep == "poss" and child.lower_ in _POSSESSIVES:
                        # "its envoy", "his spokesman": the principal is whoever the pronoun means
                        m.principal = _POSSESSIVES[child.lower_]
                    elif child_dep == "poss" and child.lower_ not in PRONOUNS:
                        m.principal = doc[child.left_edge.i:child.i + 1].text
                    elif child.dep_ == "prep" and child.lower_ in ("for", "of") and (
                            lem in self.cues.relay_nouns or lem in self.cues.metonym_heads):
                        for pobj in child.children:
                            if pobj.dep_ == "pobj" and pobj.ent_type_ in ("PERSON", "ORG", "GPE"):
                                ps, pe = _clean(doc[pobj.left_edge.i:pobj.i + 1])
                                m.principal = doc[ps:pe].text
                                m.text = doc[s:pe].text
                if (lem in self.cues.leader_nouns or lem in _OFFICE_NOUNS) and m.principal is None:
                    # "the Russian leader" -> affiliation for description resolution
                    for t in doc[s:root.i]:
                        if t.ent_type_ in ("NORP", "GPE"):
                            m.affiliation = t.text
                    # "the prime minister", "the Chancellor": one office holder, named elsewhere
                    office = root.tag_ in ("NN", "NNP") and chunk[0].lower_ == "the" and all(
                        t.lower_ in _OFFICE_WORDS or t.lemma_.lower() in self.cues.leader_nouns
                        or t.lemma_.lower() in _OFFICE_NOUNS for t in doc[s:e])
                    m.kind = "description" if m.affiliation or office or root.lower_ in ("president", "leader") \
                        else "group"
                    if office:
                        m.named = True   # one particular office holder
                elif lem in self.cues.leader_nouns and m.principal:
                    m.kind = "description"
                    m.affiliation = m.principal
                    m.principal = None
                mentions.append(m)
                taken.update(range(s, e))
        # proper-noun subjects the entity recogniser missed ("Brell demanded ...")
        for t in doc:
            if t.dep_ in ("nsubj", "nsubjpass") and t.pos_ == "PROPN" and t.i not in taken:
                s, e = _clean(doc[t.left_edge.i:t.i + 1])
                if s < e and all(x.pos_ == "PROPN" or x.tag_ == "POS" or x.text in ("'", "’") for x in doc[s:e]) \
                        and doc[s:e].text.lower() not in PRONOUNS \
                        and doc[s].lower_ not in _POSSESSIVES:
                    mentions.append(Mention(s, e, doc[s:e].text, "name"))  # person or organisation: resolve decides
                    taken.update(range(s, e))
        # lone pronoun subjects not in a noun chunk
        for t in doc:
            if t.lower_ in PRONOUNS and t.i not in taken and t.dep_ in ("nsubj", "nsubjpass") \
                    and not any(m.start == t.i for m in mentions):
                mentions.append(Mention(t.i, t.i + 1, t.text, "pronoun", plural=t.lower_ in ("they", "we")))
        mentions.sort(key=lambda m: m.start)
        doc._.parley_mentions = mentions
        return doc


@Language.factory("parley_actors", requires=["doc.ents", "token.dep"], assigns=["doc._.parley_mentions"],
                  default_config={"lexicon": None})
def make_actors(nlp: Language, name: str, lexicon: str | None) -> ActorFinder:
    return ActorFinder(lexicon)
