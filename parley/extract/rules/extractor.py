"""The rule-based extractor: cue prefilter -> spaCy pipeline on candidate sentences -> positions.

1. Split the article into sentences (:mod:`.sentences`, the labelled sets' granularity).
2. :class:`.prefilter.Prefilter` picks candidate sentences with a regex cue pass.
3. Only those go through ``nlp.pipe`` (tagger, parser, NER + the parley_* components),
   batched across articles; offsets map back by the sentence's start.
4. Per article, holders are resolved to actors (:mod:`.resolve`), claims become
   :class:`~parley.model.Position` s and duplicates (actor, issue, stance) merge.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from ...errors import ExtractError
from ...model import Article, Evidence, Position
from ..sentences import split_sentences
from .claims import Claim
from .lexicon import load_cues, load_taxonomy
from .prefilter import Prefilter
from .resolve import ActorRegistry
from .version import rules_version

log = logging.getLogger(__name__)

MAX_PER_ARTICLE = 8
MIN_CONFIDENCE = 0.56
TOPIC_SHARE = 0.4          # an article's dominant issue holds at least this share of its issue words
SALIENT_CONFIDENCE = 0.7   # at least this confident: kept even for an actor named once
SALIENCE_MIN_SENTENCES = 6  # shorter texts have no room for an actor to recur
MIN_MENTIONS = 2           # otherwise the actor must be named this often in the article


#: (sentence index, claim, actor name, the holder's words in the text or None)
_Raw = tuple[int, Claim, str, "str | None"]


@dataclass
class _Job:
    article: Article
    spans: list[tuple[int, int]]
    chosen: list[int]


_COMMON = {"rebels", "militants", "insurgents", "separatists", "unions", "employers", "democrats", "republicans",
           "protesters", "strikers", "workers", "officials", "negotiators", "diplomats", "lawmakers"}
_CONTRAST = re.compile(r"\b(?:later\b.{0,40}\bhowever|now|no longer|since then|reversed|changed course|changed (?:his|her|its|their) (?:mind|position)|u-turn|backed (?:off|down)|softened|hardened)\b")
_DATELINE = re.compile(r"^[A-Z][A-Z.'/ -]{2,}(?:,\s*[A-Z][\w.' -]+)?\s*(?:\([\w .]+\))?\s*[—–-]{1,2}\s+(?=[A-Z\"“])")


def _strip_dateline(sentence: str) -> str:
    """'KABUL, Afghanistan (AP) — The council agreed' -> 'The council agreed' (the parse only)."""
    m = _DATELINE.match(sentence)
    return sentence[m.end():] if m else sentence


def _is_headline(art: Article, span: tuple[int, int]) -> bool:
    """The first line is the title (or a title-like line without final punctuation)."""
    line = art.text[span[0]:span[1]]
    if art.title and line.strip() == art.title.strip():
        return True
    ends_line = span[1] == len(art.text) or art.text[span[1]] == "\n"
    alone = (span[0] == 0 or art.text[span[0] - 1] == "\n") and ends_line
    unpunctuated = not line.rstrip("\"'”’").endswith((".", "!", "?", ":", ";", ","))
    # a short unpunctuated tail of a line after a caption ("... with Abbas. Obama urges X on peace")
    tail = ends_line and len(line.split()) <= 8 and not any(q in line for q in "\"“”")
    return unpunctuated and ((alone and len(line.split()) <= 16) or tail)


class RulesExtractor:
    """Rule-based extractor over a spaCy pipeline (see module docstring)."""

    name = "rules"

    def __init__(self, taxonomy: str | None = None, nlp: Language | None = None,
                 use_prefilter: bool = True) -> None:
        """``use_prefilter=False`` parses every sentence (slow; for checking that the
        cue prefilter costs no quality: benchmarks/prefilter_scores.py)."""
        self.version = rules_version(taxonomy)
        self.use_prefilter = use_prefilter
        self.taxonomy_path = taxonomy
        self.taxonomy = load_taxonomy(taxonomy)  # validate early (E302)
        self.cues = load_cues()
        self.prefilter = Prefilter.from_cues(self.cues)
        self._nlp = nlp

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            from .pipeline import build_pipeline

            self._nlp = build_pipeline(self.taxonomy_path)
        return self._nlp

    # -- public API -------------------------------------------------------------------
    def extract(self, article: Article) -> list[Position]:
        return next(self.extract_many([article]))[1]

    def extract_many(self, articles: Iterable[Article], batch_size: int = 32) -> Iterator[tuple[Article, list[Position]]]:
        """Stream (article, positions); ``batch_size`` articles are parsed together."""
        batch: list[_Job] = []
        for art in articles:
            spans = split_sentences(art.text or "")
            candidates = self.prefilter.select(art.text or "", spans) if self.use_prefilter else range(len(spans))
            chosen = [i for i in candidates if not _is_headline(art, spans[i])]
            batch.append(_Job(art, spans, chosen))
            if len(batch) >= batch_size:
                yield from self._run(batch)
                batch = []
        if batch:
            yield from self._run(batch)

    # -- internals --------------------------------------------------------------------
    def _run(self, jobs: list[_Job]) -> Iterator[tuple[Article, list[Position]]]:
        items = [(_strip_dateline(job.article.text[job.spans[i][0]:job.spans[i][1]]), (k, i))
                 for k, job in enumerate(jobs) for i in job.chosen]
        docs: dict[int, list[tuple[int, Doc]]] = {k: [] for k in range(len(jobs))}
        try:
            for doc, (k, i) in self.nlp.pipe(items, as_tuples=True, batch_size=256):
                docs[k].append((i, doc))
        except ExtractError:
            raise
        except Exception as exc:  # wrap spaCy failures
            raise ExtractError("E305", item=f"batch of {len(jobs)} articles", detail=repr(exc)) from exc
        for k, job in enumerate(jobs):
            try:
                yield job.article, self._assemble(job, docs[k])
            except ExtractError:
                raise
            except Exception as exc:
                raise ExtractError("E305", item=job.article.id, detail=repr(exc)) from exc

    def _assemble(self, job: _Job, docs: list[tuple[int, Doc]]) -> list[Position]:
        art = job.article
        reg = ActorRegistry(text=art.text, cues=self.cues, title=art.title or "")
        last_actor: dict[int, tuple[str, str | None]] = {}
        raw: list[_Raw] = []
        pending: list[tuple[int, Claim]] = []
        for i, doc in docs:
            reg.sentence = i
            resolved: dict[int, str | None] = {}
            for m in doc._.parley_mentions or ():
                name = reg.resolve(m)
                resolved[id(m)] = name
                if name and m.kind != "pronoun" and not m.principal:
                    reg.note_alias(name, m.text)
                if (name and doc[m.end - 1].dep_ in ("nsubj", "nsubjpass")) or (name and m.kind == "description"):
                    reg.note_subject(name)
                head = doc[m.end - 1].head
                if name and m.kind != "pronoun" and doc[m.end - 1].dep_ == "nsubj" and not m.commentator \
                        and head.lemma_.lower() in self.cues.reporting and i not in last_actor:
                    last_actor[i] = (name, m.text)  # 'X responded: "..."': the speaker of what follows
            for c in doc._.parley_claims or ():
                if c.holder is not None and c.holder.kind == "pronoun" and c.holder.text.lower() in ("i", "we") \
                        and any(q in doc.text for q in "\"“”"):
                    c.holder = None  # "I am inviting ..." inside a quotation: its speaker holds it
                if c.holder is None:
                    pending.append((i, c))
                    continue
                name = resolved.get(id(c.holder))
                if name is None:
                    name = reg.resolve(c.holder)
                if not name:
                    continue
                if c.holder.principal:
                    c.speaker = c.holder.text
                raw.append((i, c, name, c.holder.text))
                last_actor[i] = (name, c.holder.text)
        for i, c in pending:  # quotations without their own speaker: the adjacent one
            prev = art.text[job.spans[i - 1][0]:job.spans[i - 1][1]] if i > 0 else ""
            sent = art.text[job.spans[i][0]:job.spans[i][1]]
            opens = sent[:1] in "\"“‘"
            # a quotation that opens here is attributed after it; one that continues, before it
            order = (i + 1, i - 1) if opens and not any(q in prev for q in "\"“”") else (i - 1, i + 1)
            # a speaker is looked for in the same paragraph only
            same_para = [j for j in order if 0 <= j < len(job.spans) and "\n" not in art.text[
                min(job.spans[j][1], job.spans[i][1]):max(job.spans[j][0], job.spans[i][0])]]
            src = next((last_actor[j] for j in same_para if j in last_actor), None)
            k = i - 2
            while src is None and k >= max(0, i - 3) and "\n" not in art.text[job.spans[k][1]:job.spans[i][0]]:
                src = last_actor.get(k)  # a quotation running over several sentences
                k -= 1
            if src:
                last_actor.setdefault(i, src)
            if src:
                raw.append((i, c, src[0], src[1]))
        raw.sort(key=lambda r: (r[0], r[1].cue_i))
        self._apply_topic_prior(art, docs, [r[1] for r in raw])
        return self._positions(art, job.spans, raw, reg)

    @staticmethod
    def _salient(art: Article, p: Position, reg: ActorRegistry) -> bool:
        """Keep a weakly supported position only when its actor recurs in the article.

        A party to a negotiation is usually named more than once (or in the title);
        bystanders quoted once with a weak cue are mostly noise.
        """
        if p.confidence >= SALIENT_CONFIDENCE:
            return True
        return reg.well_named(p.actor) or RulesExtractor._mentions(art, p, reg) >= MIN_MENTIONS

    @staticmethod
    def _mentions(art: Article, p: Position, reg: ActorRegistry) -> int:
        """How often the article (and its title) names the position's actor."""
        forms = {p.actor, *reg.aliases.get(p.actor, ())}
        keys = {f.split()[-1] for f in forms if f}
        text = art.text + "\n" + (art.title or "")
        # a common noun capitalised at a sentence start ("Rebels said") is still a common noun
        common = {k for k in keys if len(forms) == 1 and len(p.actor.split()) == 1 and k.lower() in _COMMON}
        return sum(len(re.findall(r"\b" + re.escape(k) + r"\b", text,
                                  flags=0 if k[:1].isupper() and k not in common else re.I))
                   for k in keys)

    def _apply_topic_prior(self, art: Article, docs: list[tuple[int, Doc]], claims: list[Claim]) -> None:
        """Between issues a claim's words name, prefer the article's dominant one.

        "the deal is not renegotiable" in an article about a nuclear accord is about
        the accord (nuclear), not about talks.
        """
        # the whole text, unparsed: lower-cased words plus a crude singular (cheap, no lemmatizer)
        low = art.text.lower()
        words = re.findall(r"[a-z][a-z-]+", low)
        words += [w[:-1] for w in words if w.endswith("s") and len(w) > 3]
        scores: dict[str, float] = dict(self.taxonomy.score(words, low))
        if art.title:
            low = art.title.lower()
            for k, v in self.taxonomy.score(low.split(), low).items():
                scores[k] = scores.get(k, 0.0) + 2 * v
        if not scores:
            return
        topic = max(scores, key=lambda k: scores[k])
        if scores[topic] < TOPIC_SHARE * sum(scores.values()):
            return
        for c in claims:
            if (c.topical and c.issue in (topic, self.taxonomy.default)) or (
                    c.topical and c.issue_scores.get(c.issue or "", 0) <= c.topical):
                c.issue_scores = {**c.issue_scores, topic: c.issue_scores.get(topic, 0) + c.topical}
                c.issues = sorted(c.issue_scores, key=lambda k: -c.issue_scores[k])
                c.issue, c.issue_hit = c.issues[0], True
            sc = c.issue_scores
            if c.issue_hit and topic in c.issues and c.issue != topic and sc.get(topic, 0) >= 0.5 * sc.get(c.issue or "", 0):
                c.issue = topic

    @staticmethod
    def _announced_shifts(art: Article, spans: list[tuple[int, int]], raw: list[_Raw]) -> None:
        """A later, different stance of the same actor on the same issue, introduced by a
        contrast ("however", "now", "later", "no longer"), replaces the earlier one, which
        becomes its ``previous_stance`` (the earlier claim is dropped)."""
        seen: dict[tuple[str, str | None], tuple[int, Claim]] = {}
        drop: set[int] = set()
        for n, (i, c, actor, _s) in enumerate(raw):
            if c.stance is None or c.confidence < MIN_CONFIDENCE:
                continue
            key = (actor, c.issue)
            if key in seen:
                m, first = seen[key]
                sent = art.text[spans[i][0]:spans[i][1]].lower()
                if first.stance != c.stance and _CONTRAST.search(sent) and not c.previous_stance:
                    c.previous_stance = first.stance
                    drop.add(m)
            seen[key] = (n, c)
        for n in sorted(drop, reverse=True):
            del raw[n]

    @staticmethod
    def _history(raw: list[_Raw]) -> None:
        """Dated past acts are no positions; a different stance of the same actor on the same
        issue that the article reports as current takes them as its ``previous_stance``."""
        past = [r for r in raw if r[1].historical and r[1].stance]
        if not past:
            return
        for _i, c, actor, _s in raw:
            if c.historical or c.previous_stance or c.stance is None:
                continue
            for _pi, pc, pactor, _ps in past:
                if pactor == actor and pc.issue == c.issue and pc.stance != c.stance:
                    c.previous_stance = pc.stance
                    break
        current: dict[str, list[Claim]] = {}
        for r in raw:
            if not r[1].historical and r[1].stance and r[1].confidence >= MIN_CONFIDENCE:
                current.setdefault(r[2], []).append(r[1])
        for _pi, pc, pactor, _ps in past:  # else the actor's first current stance, whatever its issue word
            now = current.get(pactor, [])
            if now and not any(c.previous_stance for c in now) and now[0].stance != pc.stance \
                    and not any(c.issue == pc.issue for c in now):
                now[0].previous_stance = pc.stance
        raw[:] = [r for r in raw if not r[1].historical]

    def _positions(self, art: Article, spans: list[tuple[int, int]], raw: list[_Raw],
                   reg: ActorRegistry) -> list[Position]:
        self._history(raw)
        self._announced_shifts(art, spans, raw)
        merged: dict[tuple[str, str, str], Position] = {}
        order: list[tuple[str, str, str]] = []
        for i, c, actor, _surface in raw:
            if c.stance is None or c.confidence < MIN_CONFIDENCE:
                continue
            s, e = spans[i]
            if c.previous_stance:  # an announced change of stance is news: ranks higher under the cap
                c.confidence = min(1.0, c.confidence + 0.1)
            key = (actor, c.issue or self.taxonomy.default, c.stance)
            conds = tuple(c.conditions) if c.stance == "conditional" else ()
            if key in merged:
                p = merged[key]
                extra = {}
                if c.confidence > p.confidence + 1e-9:  # the strongest statement is the evidence
                    extra = dict(evidence=Evidence(s, e, art.text[s:e], art.id, c.cue), speaker=c.speaker,
                                 proposition=c.proposition or p.proposition)
                merged[key] = p.with_(
                    conditions=p.conditions + tuple(x for x in conds if x not in p.conditions),
                    red_line=p.red_line or c.red_line,
                    previous_stance=p.previous_stance or c.previous_stance,
                    confidence=max(p.confidence, c.confidence), **extra)
                continue
            merged[key] = Position(
                actor=actor, issue=key[1], stance=c.stance,
                evidence=Evidence(s, e, art.text[s:e], art.id, c.cue),
                proposition=c.proposition, conditions=conds, red_line=c.red_line,
                previous_stance=c.previous_stance, confidence=round(c.confidence, 3),
                speaker=c.speaker, extractor=self.name, extractor_version=self.version, article_id=art.id)
            order.append(key)
        short = len(spans) < SALIENCE_MIN_SENTENCES
        out = [merged[k] for k in order if short or self._salient(art, merged[k], reg)]
        out = [p.with_(aliases=tuple(sorted(reg.aliases.get(p.actor, ())))) for p in out]
        if len(out) > MAX_PER_ARTICLE:
            keep = sorted(range(len(out)), key=lambda j: -out[j].confidence)[:MAX_PER_ARTICLE]
            out = [out[j] for j in sorted(keep)]
        return out
