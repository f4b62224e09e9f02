"""Reading an article: sentences -> (prefilter) -> spaCy parse -> candidates with features.

The same path serves training (:mod:`.training`, every sentence parsed) and extraction
(:mod:`.learned`, only the sentences the prefilter keeps). Articles are parsed in batches
with ``nlp.pipe`` over sentence texts, so memory stays flat in the number of articles.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from .features import ArticleContext, article_context, candidate_features
from .prefilter import common_words
from .sentences import split_sentences
from .structure import ArticleActors, Candidate, Sentence, attach_doc, candidates, sentence_frame

#: decides which sentences of an article are parsed: (text, sentences, the article's lower-case
#: words) -> kept indices
SentenceFilter = Callable[[str, list[Sentence], frozenset[str]], Sequence[int]]
_Item = tuple[str, str | None, list[Sentence], list[int], Any, frozenset[str]]


@dataclass
class ReadArticle:
    """One article read: its sentences (parsed or not), named candidates and their features."""

    text: str
    title: str | None
    sentences: list[Sentence]
    title_doc: Doc | None
    actors: ArticleActors
    candidates: list[Candidate]
    context: ArticleContext
    features: list[list[str]]
    key: Any = None                  # what the caller passed along with the text (an Article)
    common: frozenset[str] = frozenset()   # words the article writes in lower case (name masking)


def read_articles(nlp: Language, items: Iterable[tuple[str, str | None, Any]], *, keep: SentenceFilter | None = None,
                  batch_size: int = 16) -> Iterator[ReadArticle]:
    """Read ``(text, title, key)`` triples in order, ``batch_size`` articles per ``nlp.pipe`` call;
    each :class:`ReadArticle` carries its ``key``."""
    batch: list[_Item] = []
    for text, title, key in items:
        frame = sentence_frame(text, split_sentences(text))
        common = common_words(text)
        chosen = list(keep(text, frame, common)) if keep is not None else list(range(len(frame)))
        batch.append((text, title, frame, chosen, key, common))
        if len(batch) >= batch_size:
            yield from _read_batch(nlp, batch)
            batch = []
    if batch:
        yield from _read_batch(nlp, batch)


def _read_batch(nlp: Language, batch: list[_Item]) -> Iterator[ReadArticle]:
    jobs: list[tuple[str, tuple[int, int]]] = []
    for k, (text, title, frame, chosen, _, _) in enumerate(batch):
        jobs.append((title or "", (k, -1)))
        for i in chosen:
            s = frame[i]
            jobs.append((text[s.text_start:s.end], (k, i)))
    titles: dict[int, Doc] = {}
    for doc, (k, i) in nlp.pipe(jobs, as_tuples=True, batch_size=256):
        text, _, frame, _, _, common = batch[k]
        doc.user_data["parley_common"] = common
        if i < 0:
            titles[k] = doc
        else:
            attach_doc(frame[i], doc, text)
    for k, (text, title, frame, _, key, common) in enumerate(batch):
        read = read_parsed(text, title, frame, titles.get(k))
        read.key = key
        read.common = common
        yield read


def read_parsed(text: str, title: str | None, frame: list[Sentence], title_doc: Doc | None) -> ReadArticle:
    """Candidates and features of an article whose kept sentences carry their parse."""
    actors = ArticleActors(text, title)
    for doc in [title_doc] + [s.doc for s in frame]:
        if doc is not None:
            for ent in doc.ents:
                if ent.label_ == "PERSON":
                    actors.add_person(ent.text)
    cands = candidates(frame, actors)
    ctx = article_context(title_doc, cands, len(frame))
    feats = [candidate_features(c, frame[c.sent], ctx) for c in cands]
    return ReadArticle(text=text, title=title, sentences=frame, title_doc=title_doc, actors=actors,
                       candidates=cands, context=ctx, features=feats)
