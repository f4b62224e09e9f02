"""Cheap cue pass: choose the sentences worth a full parse.

Runs on plain text with one compiled regex per cue family (built from the cue
lexicon), so an article with no candidate sentence costs a regex scan only.
A sentence is a candidate when it holds a *strong* cue (a stance verb, stance
adjective, condition marker, red-line, mixed or shift phrase), or a reporting
verb together with a *modal* cue (must/should/will not/never/...). Context
sentences are added where attribution needs them: the sentence before a
quotation without its own speaker, and the one after it (``"...," he said``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import Cues

_IRREGULAR = {
    "say": ["said", "says"], "tell": ["told"], "seek": ["sought"], "write": ["wrote", "written"],
    "withdraw": ["withdrew", "withdrawn"], "fight": ["fought"], "hold": ["held"], "quit": ["quit"],
    "bar": ["barred", "barring"], "ban": ["banned", "banning"], "plan": ["planned", "planning"],
    "commit": ["committed", "committing"], "admit": ["admitted"], "regret": ["regretted"],
    "veto": ["vetoed", "vetoes"], "deny": ["denied", "denies"], "reply": ["replied", "replies"],
    "stop": ["stopped"], "mean": ["meant"], "spurn": ["spurned"], "rebuff": ["rebuffed"],
}


def _forms(lemma: str) -> list[str]:
    forms = {lemma, lemma + "s", lemma + "ed", lemma + "ing", lemma + "d"}
    if lemma.endswith("e"):
        forms |= {lemma[:-1] + "ing"}
    if lemma.endswith("y"):
        forms |= {lemma[:-1] + "ied", lemma[:-1] + "ies"}
    if lemma.endswith(("sh", "ch", "ss", "x")):
        forms.add(lemma + "es")
    forms.update(_IRREGULAR.get(lemma, []))
    return sorted(forms, key=len, reverse=True)


def _words_re(words: list[str]) -> re.Pattern[str]:
    words = sorted(set(words), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w-])", re.I)


_MODAL = re.compile(r"\b(?:must|should|will|would|won[’']t|wouldn[’']t|can[’']t|cannot|not|never|no|needs? to|has to|have to|wants?|ready|willing)\b", re.I)
MIN_TOPIC_HITS = 2    # fewer bargaining words than this in an article: nothing is parsed
ON_TOPIC_HITS = 10    # this many: every cue sentence counts, topic word or not
_PRONOUN_START = re.compile(r"^(?:\W*\w+\W+){0,3}?(?:he|she|they|it)\b", re.I)
_QUOTE_OPEN = re.compile(r"^[\"“‘']")


@dataclass
class Prefilter:
    """Compiled cue regexes; :meth:`select` returns indices of sentences to parse."""

    strong: re.Pattern[str]
    report: re.Pattern[str]
    topic: re.Pattern[str] | None = None
    phrases: re.Pattern[str] | None = None
    patterns: re.Pattern[str] | None = None   # red lines written as constructions ("would never give up")

    @classmethod
    def from_cues(cls, cues: Cues) -> Prefilter:
        strong: list[str] = []
        phrases: list[str] = []
        for lemma in cues.stance_verbs:
            if lemma in ("must", "need", "like", "plan", "hope", "consider", "question", "aim", "help"):
                continue  # too common alone; they count with a reporting verb + modal
            strong += _forms(lemma)
        for a, b in cues.phrasal:
            strong += [f"{f} {b}" for f in _forms(a)]
        strong += [a for a in cues.adjectives if a not in ("open", "happy", "against", "confident")]
        phrases += [m for m, _ in cues.condition_markers if m not in ("if", "until")]
        phrases += [p for p, _ in cues.red_lines]
        phrases += list(cues.mixed) + [s for s, _ in cues.shifts if " " in s]
        strong += ["if", "until"]
        strong += [w for w, pol in cues.evaluative.items() if pol == "oppose" and w not in ("aggression",)]
        # verdicts in favour that are rarely idle ("an opportunity for a ceasefire", "progress")
        strong += [w for w in ("opportunity", "progress", "breakthrough", "constructive", "workable", "accurate")
                   if cues.evaluative.get(w) == "support"]
        report: list[str] = []
        for lemma in cues.reporting:
            report += _forms(lemma)
        report += ["according to"]
        words = list(cues.raw.get("bargaining") or [])
        topic = re.compile(r"\b(?:" + "|".join(words) + r")\b", re.I) if words else None
        pats = [str(p) for ps in (cues.raw.get("red_line_patterns") or {}).values() for p in ps or ()]
        patterns = re.compile("|".join(f"(?:{p})" for p in pats), re.I) if pats else None
        return cls(strong=_words_re(strong), report=_words_re(report), topic=topic, phrases=_words_re(phrases),
                   patterns=patterns)

    def is_candidate(self, sent: str, on_topic: bool = False) -> bool:
        """``on_topic``: the article is plainly about bargaining, so no topic word is needed here."""
        if self.phrases is not None and self.phrases.search(sent):
            return True  # conditions, red lines, mixed signals, shifts: always worth a parse
        if self.patterns is not None and self.patterns.search(sent.replace("\u2019", "'")):
            return True
        if not on_topic and self.topic is not None and not self.topic.search(sent):
            return False
        return bool(self.strong.search(sent) or (self.report.search(sent) and _MODAL.search(sent)))

    def select(self, text: str, spans: list[tuple[int, int]]) -> list[int]:
        """Indices (sorted) of the sentences to parse, context included."""
        chosen: set[int] = set()
        hits = len(self.topic.findall(text)) if self.topic is not None else ON_TOPIC_HITS
        if hits < min(MIN_TOPIC_HITS, len(spans)):
            return []  # (almost) no bargaining vocabulary: not about negotiations
        on_topic = hits >= ON_TOPIC_HITS
        for i, (s, e) in enumerate(spans):
            sent = text[s:e]
            if not self.is_candidate(sent, on_topic):
                continue
            chosen.add(i)
            if i > 0 and _PRONOUN_START.match(sent):
                chosen.add(i - 1)  # the antecedent of a leading pronoun
            if not self.report.search(sent) and (_QUOTE_OPEN.match(sent) or sent.count("\"") % 2 or sent.count("“") != sent.count("”")):
                # a quotation without its own reporting verb: its speaker is near
                if i > 0:
                    chosen.add(i - 1)
                    # a quotation running over sentences: its speaker may be two back, same paragraph
                    if i > 1 and not self.report.search(text[spans[i - 1][0]:spans[i - 1][1]]) \
                            and "\n" not in text[spans[i - 2][1]:s]:
                        chosen.add(i - 2)
                if i + 1 < len(spans):
                    chosen.add(i + 1)
        return sorted(chosen)
