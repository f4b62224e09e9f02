"""Per-article actor resolution: every mention to the fullest name the article uses.

Surnames and "Mr X" -> the longest full name ending in that surname (searched in
the whole text, cheaply, with a regex, so names in unparsed sentences count);
"he"/"she" -> the last person mentioned; "they" -> the last group/organisation;
"it" -> the last state/organisation; descriptions ("Ukraine's leader", "the
Russian leader") -> the last person with that affiliation; seats of power
("Moscow", "the Kremlin") -> their state; relayed statements ("a spokesman for
X", "X's foreign ministry") -> the principal X, with the speaker kept.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..sentences import split_sentences
from .claims import Mention
from .lexicon import Cues, Places, load_places

TITLES = {"president", "minister", "secretary", "senator", "sen", "rep", "mr", "mrs", "ms", "dr", "chancellor",
          "premier", "leader", "spokesman", "spokeswoman", "spokesperson", "general", "gen", "governor",
          "gov", "king", "prince", "foreign", "prime", "deputy", "state", "chief", "ambassador", "envoy",
          "adviser", "advisor", "chairman", "chair", "head", "the", "but", "and", "when", "while", "if",
          "former", "vice", "representative", "commissioner", "shadow", "supreme", "summit", "opposition",
          "secretary-general", "mr.", "mrs.", "ms.", "dr.", "sen.", "gov.", "gen.", "rep.", "lt.", "col.",
          "by", "for", "of", "with", "to", "in", "on", "at", "as", "after", "said", "says", "told"}
_TITLE_WORDS = ("President", "Minister", "Secretary", "Senator", "Sen", "Chancellor", "Premier",
                "Leader", "Spokesman", "Spokeswoman", "General", "Governor", "Ambassador", "Envoy", "Chairman")
_US = {"u.s.", "us", "u.s", "america", "united states", "the united states", "the u.s."}
_BARE_INSTITUTIONS = {"government", "regime", "administration", "authorities"}
_DEMONYMS = "|".join(sorted((re.escape(d.title()) for d in load_places().demonyms if " " not in d), key=len, reverse=True))
_NATIONAL = re.compile(r"\b(" + _DEMONYMS + r"|[A-Z][a-z]+(?:ian|ese|ish|an|i))\s+(government|officials|authorities|regime|administration|ministers?)\b")
_INSTITUTIONS = ("Institute", "Institution", "University", "College", "Foundation", "School", "Think-Tank")
_POSSESSED_NAME = re.compile(r"^([A-Z][\w\-]+(?:\s[A-Z][\w\-]+)?)['’]s\s+((?:[A-Z][\w'’\-]+\s)+[A-Z][\w'’\-]+)$")
_PLACE_PREP = r"(?:in|at|near|outside|across|around)\s+(?:the\s+)?"
_TITLE_RE = re.compile(r"\b(?:" + "|".join(_TITLE_WORDS + ("Chancellor", "Premier", "Mr", "Mrs", "Ms", "Dr", "Minister",
                                                            "Spokeswoman", "Spokesperson", "King", "Queen", "Prince"))
                       + r")\.?\s+((?:[A-Z][\w'’\-]+\s?){1,3})")
_WORD = re.compile(r"[A-Z][\w'’.\-]*")


def _norm(s: str) -> str:
    return s.replace("\u2019", "'").strip()


@dataclass
class ActorRegistry:
    """Actors seen so far in one article, in order, for pronoun and name resolution."""

    text: str
    cues: Cues
    title: str = ""
    persons: list[tuple[str, str | None]] = field(default_factory=list)   # (canonical, affiliation)
    groups: list[str] = field(default_factory=list)
    states: list[str] = field(default_factory=list)
    aliases: dict[str, set[str]] = field(default_factory=dict)
    subjects: list[str] = field(default_factory=list)   # persons seen as grammatical subjects
    subject_states: list[tuple[str, int]] = field(default_factory=list)  # (state/organisation, sentence)
    sentence: int = 0   # index of the sentence being resolved
    places: Places = field(default_factory=load_places)
    _full: dict[str, str] = field(default_factory=dict)
    _spans: list[tuple[int, int]] | None = None
    _place: dict[str, bool] = field(default_factory=dict)
    _comment: dict[str, bool] = field(default_factory=dict)
    person_at: dict[str, int] = field(default_factory=dict)   # person -> last sentence seen

    # -- names ------------------------------------------------------------------------
    @staticmethod
    def strip_titles(name: str) -> str:
        """'Kestrel Federation Chancellor Ivo Renner' -> 'Ivo Renner': a name follows its last title."""
        words = name.split()
        last = -1
        for k, w in enumerate(words[:-1]):
            if w.lower() in TITLES and w.lower() not in ("the", "but", "and", "by", "for", "of", "with", "to", "in",
                                                          "on", "at", "as", "after", "when", "while", "if",
                                                          "said", "says", "told", "state", "foreign", "prime",
                                                          "deputy", "former", "vice", "chief", "head", "shadow",
                                                          "supreme", "summit", "opposition"):
                last = k
        return " ".join(words[last + 1:]) if last >= 0 else name

    def is_place(self, name: str) -> bool:
        """A one-word name the article uses as a location ("a rally in Orsk") and never with a
        given name: a town or capital, not a person."""
        if name in self._place:
            return self._place[name]
        out = False
        if " " not in name and name[:1].isupper():
            src = self.text + "\n" + self.title
            loc = re.search(r"\b" + _PLACE_PREP + re.escape(name) + r"\b(?!['’]s)", src)
            given = re.search(r"\b[A-Z][a-z]+\s+" + re.escape(name) + r"\b", src)
            out = bool(loc) and not (given and given.group(0).split()[0].lower() not in
                                     ("in", "at", "near", "outside", "across", "around", "the", "from", "to"))
        self._place[name] = out
        return out

    def _office_holder(self, description: str) -> str | None:
        """'the prime minister' -> the person the article introduces as 'Prime Minister X' (the
        last such before this sentence)."""
        words = [w for w in description.split() if w.lower() not in ("the", "a", "an")]
        if not words or any(w.lower() not in TITLES and w.lower() not in ("chairwoman",) for w in words):
            return None
        if self._spans is None:
            self._spans = split_sentences(self.text)
        upto = self._spans[self.sentence][0] if self.sentence < len(self._spans) else len(self.text)
        rx = re.compile(r"\b" + r"\s+".join(re.escape(w) for w in words) + r"\.?\s+((?:[A-Z][\w'’\-]+\s?){1,3})",
                        re.IGNORECASE)
        found = None
        for m in rx.finditer(self.text[:upto] or self.text):
            if re.search(r"\b(?:former|ex|late|then)[\s-]+$", self.text[max(0, m.start() - 12):m.start()], re.I):
                continue  # "former President X" no longer holds the office
            names = [w for w in m.group(1).split() if w[:1].isupper() and w.lower() not in TITLES]
            if names and names[0][:1].isupper() and m.group(1)[:1].isupper():
                found = " ".join(names)
        return self.full_name(found) if found else None

    def is_word(self, name: str) -> bool:
        """A one-word 'name' the article also uses inside hyphenated compounds ("pro-Brexit",
        "Brexit-supporters") and never after a title nor with a given name: a thing, no person."""
        if " " in name or not name[:1].isupper():
            return False
        src = self.text + "\n" + self.title
        if not re.search(r"(?:\w-" + re.escape(name) + r"\b|\b" + re.escape(name) + r"-\w)", src):
            return False
        if _TITLE_RE.search(src) and any(m.group(1).split()[0] == name for m in _TITLE_RE.finditer(src)):
            return False
        return self.full_name(name) == name

    def state_form(self, state: str) -> str:
        """How the article names a state: its canonical name when used, else its most used name."""
        src = self.text + "\n" + self.title
        forms = self.places.forms.get(state, (state,))
        counts = {f: len(re.findall(r"(?<![\w.])" + re.escape(f) + r"(?![\w])", src)) for f in forms}
        if counts.get(state):
            return state
        best = max(forms, key=lambda f: counts[f])
        return best if counts[best] else state

    def _sentences(self) -> list[tuple[int, int]]:
        if self._spans is None:
            self._spans = split_sentences(self.text)
        return self._spans

    @staticmethod
    def _pronoun_gender(sent: str) -> str | None:
        fem = len(re.findall(r"\b(?:she|her|hers|herself)\b", sent, re.I))
        masc = len(re.findall(r"\b(?:he|his|him|himself)\b", sent, re.I))
        return "f" if fem and not masc else "m" if masc and not fem else None

    def _gender_here(self) -> str | None:
        """The gender of the third-person pronouns of the sentence being resolved, if only one."""
        spans = self._sentences()
        if not 0 <= self.sentence < len(spans):
            return None
        return self._pronoun_gender(self.text[spans[self.sentence][0]:spans[self.sentence][1]])

    def gender(self, name: str) -> str | None:
        """'f' / 'm' from the pronouns of sentences naming this person and no other known person."""
        surname = name.split()[-1]
        others = {p.split()[-1] for p, _a in self.persons if p != name}
        votes = {"f": 0, "m": 0}
        for a, b in self._sentences():
            sent = self.text[a:b]
            if re.search(r"\b" + re.escape(surname) + r"\b", sent) and not any(
                    re.search(r"\b" + re.escape(o) + r"\b", sent) for o in others):
                g = self._pronoun_gender(sent)
                if g:
                    votes[g] += 1
        if votes["f"] == votes["m"]:
            return None
        return "f" if votes["f"] > votes["m"] else "m"

    def _person_before(self) -> str | None:
        """The titled person opening one of the two sentences before this one when those were
        not parsed ("Vardenian President Mila Toren answered within hours. ... she said")."""
        if self._spans is None:
            self._spans = split_sentences(self.text)
        for k in (self.sentence - 1, self.sentence - 2):
            if k < 0 or k >= len(self._spans):
                return None
            if any(at >= k for at in self.person_at.values()):
                return None  # the parsed sentences already name a person that recent
            sent = self.text[self._spans[k][0]:self._spans[k][1]]
            first = re.match(r"\s*([A-Z][\w'’\-]+)\s+(?:was|is|has|had|remained|remains|did|does|went)\b", sent)
            if first:  # "Toren was blunter. ..., she said": a known person by surname, as subject
                known = [p for p, _a in reversed(self.persons) if p.split()[-1] == first.group(1)]
                if known:
                    return known[0]
            m = _TITLE_RE.search(sent[:80])
            if m:
                words = [w for w in m.group(1).split() if w[:1].isupper()]
                if len(words) >= 2:
                    return self.full_name(" ".join(words))
        return None

    def full_name(self, name: str) -> str:
        """Fullest form of a person's name in the article (text and title)."""
        name = self.strip_titles(name)
        words = [w for w in name.split() if w.lower().strip(".") not in TITLES and w.lower() not in TITLES]
        if not words:
            return name
        surname = words[-1]
        key = surname
        if key in self._full:
            best = self._full[key]
            return best if len(best.split()) >= len(words) else " ".join(words)
        best = " ".join(words)
        for src, most in ((self.text, 2), (self.title, 1)):
            for m in re.finditer(r"((?:(?:[A-Z]\.|[A-Z][\w'’\-]+)\s){1,3})" + re.escape(surname) + r"\b(?!-\w)", src):
                pre = m.group(1).split()
                if src is self.title and pre and pre[-1].endswith("s"):
                    continue  # headline verbs ("Mexico Hits Trump") are no first names
                keep: list[str] = []
                for w in reversed(pre):
                    if w.lower() in TITLES or w.lower().strip(".") in TITLES or w.endswith((",", ":")):
                        break
                    if w.isupper() and len(w) > 1 and "." not in w:
                        break  # acronyms ("PCS leader") are no first names
                    if w.endswith(("'s", "’s")):
                        break  # "the Guild's Mara Voss": a possessor, not a first name
                    keep.insert(0, w)
                    if len(keep) == most:
                        break
                # demonyms directly before a name ("Ukrainian Volodymyr") are no names
                while keep and re.search(r"(ian|ese|ish|ean)$", keep[0]) and len(keep) > 1:
                    keep = keep[1:]
                cand = " ".join(keep + [surname])
                if len(cand.split()) > len(best.split()) and cand.split()[-len(words):] == words[-len(cand.split()):][-len(words):]:
                    best = cand
        if len(best.split()) == 1:
            # family name first ("Minister Ri Yong Ho" ... "Ri said"): title + name + given names
            given = re.search(r"\b(?:" + "|".join(_TITLE_WORDS) + r")\.?\s+" + re.escape(surname)
                              + r"((?:\s[A-Z][a-z\-]+){1,2})\b", self.text)
            if given:
                best = surname + given.group(1)
        self._full[key] = best
        return best

    def state(self, name: str) -> str:
        """A state's actor name: a capital or seat of power ("Moscow", "the Kremlin") becomes its
        state as the article names it; a state's own name stays as written unless the article also
        uses the state's full name ("U.S." -> "United States")."""
        low = _norm(name).lower()
        low = re.sub(r"^the\s+", "", low)
        if low in _US or low.replace("the ", "") in _US:
            return "United States"
        if low in self.cues.metonyms:
            st = self.cues.metonyms[low]
            if st == "United States":
                return st   # as every form of the United States
            return self.state_form(st) if st in self.places.forms else st
        named = self.places.names.get(low)
        st = named or ""
        if named and st != re.sub(r"^[Tt]he\s+", "", _norm(name)):
            form = self.state_form(st)
            if form == st:
                return st
        return re.sub(r"^[Tt]he\s+", "", _norm(name))

    def resolve(self, m: Mention) -> str | None:
        """Canonical actor for a mention, updating the registry (None when unresolvable, or when
        the article presents the actor as a commentator: an analyst, a scholar, a think tank)."""
        name = self._resolve(m)
        if name and self.is_commentator(name):
            return None
        return name

    def is_commentator(self, name: str) -> bool:
        """'analyst Nick Edwards', 'Ann Roe, a senior fellow at the X Institute', 'X, a
        trade lawyer', the X Institute itself: the labelling rules keep analysts, think tanks
        and outside experts out of the actors."""
        if name in self._comment:
            return self._comment[name]
        words = name.split()
        out = False
        if words and words[-1] in _INSTITUTIONS:
            out = True
        elif words and words[0][:1].isupper() and any(p == name for p, _a in self.persons):
            key = re.escape(words[-1])
            nouns = "|".join(sorted(self.cues.commentators | {"lawyer", "attorney", "consultant"}))
            src = self.text
            titles = "|".join(sorted(self.cues.commentators - {"reporter", "correspondent", "editor"}))
            before = re.search(r"\b(?:" + titles + r")\s+(?:[A-Z][\w.'’-]+\s+){0,3}" + key + r"\b", src)
            after = re.search(key + r",\s+(?:a|an|the)\s+(?:[\w.’'-]+\s+){0,6}?(?:" + nouns
                              + r")\b(?!\s+(?:for|representing|to)\b)", src)
            inst = re.search(key + r",\s+(?:a|an|the)\s+[^.;\n]{0,80}?\b(?:at|of)\s+(?:the\s+)?(?:[A-Z][\w.'’-]*\s+){0,5}(?:"
                             + "|".join(_INSTITUTIONS) + r")\b", src)
            out = bool(before or after or inst)
        self._comment[name] = out
        return out

    def _resolve(self, m: Mention) -> str | None:
        if m.principal:
            if m.principal in ("he", "she", "it", "they", "we", "i", "you"):
                who = self._resolve(Mention(m.start, m.end, m.principal, "pronoun"))
                head = m.text.split()[-1].lower() if m.text else ""
                if who and head in self.cues.party_nouns | {"party"}:
                    # "his party": the party the article ties that person to ("Labour's Jeremy Corbyn")
                    aff = next((a for p, a in reversed(self.persons) if p == who and a), None)
                    if aff and not self.places.state_of(aff):
                        return aff
                return who
            return self._named(m.principal, None)
        poss = _POSSESSED_NAME.match(m.text) if m.kind in ("org", "name", "group") else None
        if poss:
            # "Labour's Jeremy Corbyn" recognised as one organisation: the person, tied to the party
            name = self.full_name(poss.group(2))
            self._add_person(name, poss.group(1))
            return name
        if m.kind == "person" and self.is_word(m.text):
            return None
        if m.kind == "pronoun":
            w = m.text.lower()
            if w in ("he", "she", "him", "her"):
                before = self._person_before()
                if before:
                    self._add_person(before, None)
                    return before
                if self.subjects:
                    return self.subjects[-1]
                return self.persons[-1][0] if self.persons else None
            if w in ("they", "them"):
                return self.groups[-1] if self.groups else (self.states[-1] if self.states else None)
            if w == "it":
                # only a state or organisation that was the subject in this or the previous
                # sentence ("Russia said ... It rejected ..."); "it" is too often a treaty or a plan
                if self.subject_states and self.sentence - self.subject_states[-1][1] <= 1:
                    return self.subject_states[-1][0]
                return None
            return None
        if m.kind == "description":
            titled = self._office_holder(m.text)
            if titled:
                self._add_person(titled, m.affiliation)
                return titled
            for name, a in reversed(self.persons):
                if not m.affiliation or (a and self._same_place(a, m.affiliation)):
                    return name
            # "President X ... The Vardenian leader": a head of state or government whose place is unknown
            # (one tied to another place is not meant)
            if m.affiliation and m.text.split()[-1].lower() in ("leader", "president", "premier", "chancellor"):
                want = self._gender_here()
                known = [(n, a) for n, a in reversed(self.persons) if want and self.gender(n) == want]
                for name, a in known + [(n, a) for n, a in reversed(self.persons) if (n, a) not in known]:
                    if want and self.gender(name) not in (None, want):
                        continue
                    if a is None and not any(pa for pn, pa in self.persons if pn == name) and re.search(
                            r"\b(?:President|Premier|Chancellor|Prime Minister|King|Queen)\s+" + re.escape(name),
                            self.text):
                        return name
            # "President X struck a softer tone. The Vardenian leader said ...": the titled person
            # who opens the sentence before, though that sentence was not parsed
            before = self._person_before()
            if before:
                self._add_person(before, m.affiliation)
                return before
            return None
        if m.kind == "name":
            bare = self.strip_titles(m.text)
            full = self.full_name(m.text)
            if len(full.split()) > len(m.text.split()) or (bare != m.text and len(full.split()) > 1):
                # a longer name in the article, or a title before the name: a person
                aff = m.text[:len(m.text) - len(bare)].split()[0] if bare != m.text else None
                self._add_person(full, aff)
                return full
            m = Mention(m.start, m.end, m.text, "org")
        if m.kind in ("person", "name", "org") and self.is_place(m.text) and not self._known_person(m.text):
            m = Mention(m.start, m.end, m.text, "state")  # "talks with Orsk": a capital, not a person
        if m.kind in ("state", "org", "group") and len(m.text.split()) <= 2:
            # "Marsh said ..." tagged as an organisation: a known person's surname wins
            last = m.text.split()[-1]
            for name, _a in reversed(self.persons):
                if name.split()[-1] == last:
                    return name
        if m.kind == "person":
            words = self.strip_titles(m.text).split()
            if len(words) == 1:
                # "Ri" after "Ri Yong Ho": a single name inside one known full name
                holders = {p for p, _a in self.persons if words[0] in p.split() and len(p.split()) > 1}
                if len(holders) == 1:
                    name = holders.pop()
                    self._add_person(name, m.affiliation)
                    return name
            name = self.full_name(m.text)
            self._add_person(name, m.affiliation)
            return name
        if m.kind == "state":
            name = self.state(m.text)
            self.states.append(name)
            return name
        name = re.sub(r"^[Tt]he\s+", "", m.text)
        low = name.lower()
        if low in _BARE_INSTITUTIONS:
            return self.national(low)
        nat = _NATIONAL.fullmatch(name)
        if nat and nat.group(2).lower() in ("officials", "authorities", "ministers", "minister"):
            name = f"{nat.group(1)} government"   # "Syrian officials" speak for the Syrian government
            self.groups.append(name)
            return name
        if low in self.cues.metonyms:
            name = self.cues.metonyms[low]
            self.states.append(name)
            return name
        self.groups.append(name)
        return name

    def _add_person(self, name: str, aff: str | None) -> None:
        self.persons.append((name, aff))
        self.person_at[name] = self.sentence

    def _known_person(self, name: str) -> bool:
        return any(p.split()[-1] == name for p, _a in self.persons)

    def _same_place(self, a: str, b: str) -> bool:
        """'Ukrainian' and "Ukraine's" name one place (gazetteer, else a shared stem)."""
        sa, sb = self.places.state_of(a), self.places.state_of(b)
        if sa and sb:
            return sa == sb
        return a.lower()[:4] == b.lower()[:4]

    def _named(self, text: str, aff: str | None) -> str:
        low = re.sub(r"^the\s+", "", _norm(text).lower())
        low = re.sub(r"'s$", "", low)
        if low in _US or low in self.cues.metonyms:
            name = self.state(low)
            self.states.append(name)
            return name
        words = [w for w in re.sub(r"['’]s$", "", text).split() if w.lower().strip(".") not in TITLES]
        if len(words) >= 1 and all(w[:1].isupper() for w in words):
            # a person when the article gives a longer name ending with it, else keep
            full = self.full_name(" ".join(words))
            if len(full.split()) > 1 or len(words) == 1:
                if len(full.split()) > len(words) or any(p[0] == full for p in self.persons):
                    self._add_person(full, aff)
                    return full
        name = re.sub(r"^[Tt]he\s+", "", re.sub(r"['’]s$", "", text))
        self.states.append(name)
        return name

    def national(self, head: str) -> str | None:
        """'the government' -> 'Nigerian government': the nationality the article pairs with it most."""
        counts: dict[str, int] = {}
        for m in _NATIONAL.finditer(self.text):
            if m.group(2).lower() == head or head in ("government", "regime", "authorities"):
                counts[m.group(1)] = counts.get(m.group(1), 0) + 1
        if not counts:
            return None
        best = max(counts, key=lambda k: counts[k])
        name = f"{best} {head}"
        self.groups.append(name)
        return name

    def well_named(self, actor: str) -> bool:
        """Whether the article introduces ``actor`` by a full name: a person with given and family
        name ("Hans Stihl"), or a named group of people ("European diplomats", "Vardenian
        negotiators"). A hook for the salience filter: an actor introduced this way is a party the
        article means, even when it is named only once; bare surnames, pronouns, "officials" and
        lone nouns are not."""
        words = actor.split()
        if len(words) < 2:
            return False
        if any(p == actor for p, _a in self.persons):
            return all(w[:1].isupper() for w in words)
        if actor in self.groups:
            return words[0][:1].isupper() and words[-1].lower() in self.cues.group_nouns \
                and words[-1].lower().endswith("s") and words[-1].lower() not in ("officials",)
        return False

    def note_subject(self, name: str) -> None:
        """A person who was the subject of a clause: the preferred antecedent of he/she."""
        if any(p[0] == name for p in self.persons):
            self.subjects.append(name)
        elif name in self.states or name in self.groups:
            self.subject_states.append((name, self.sentence))

    def note_alias(self, actor: str, surface: str) -> None:
        surface = surface.strip()
        if surface and surface != actor and surface.lower() not in ("he", "she", "they", "it", "we", "i", "him", "her", "them"):
            self.aliases.setdefault(actor, set()).add(surface)
