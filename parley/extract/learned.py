"""The learned extractor (the default): spaCy structure, learned decisions.

::

    ex = LearnedExtractor()                       # the bundled model (models/default)
    ex = LearnedExtractor(model="my-model/")      # one trained by `parley train`
    ex.extract(article) -> list[Position]
    ex.extract_many(articles) -> Iterator[(Article, list[Position])]   # streamed, batched

Per batch of articles: sentences (:mod:`.sentences`) -> the learned prefilter keeps the
sentences worth parsing -> ``nlp.pipe`` over those (spaCy model + ``parley_structure``) ->
candidates (:mod:`.structure`) -> the learned heads (:mod:`.decisions`) -> positions.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path

from spacy.language import Language

from ..config import settings
from ..errors import ExtractError
from ..model import Article, Position
from .decisions import Heads, decide
from .encoders import Encoder, load_encoder
from .matching import PATTERN_DIR
from .model_io import BUNDLED, ModelInfo, load_heads, read_info
from .prefilter import masked_raw, opens_with_pronoun, sentence_features
from .reading import read_articles
from .structure import Sentence
from .taxonomy import Taxonomy, load_taxonomy

log = logging.getLogger(__name__)

VERSION = "1.0.0"
_LEXICON_DIR = Path(__file__).resolve().parents[1] / "lexicon"


def _data_fingerprint() -> str:
    """Pattern and lexicon files: the data that decides what the structure layer proposes, as the
    data they parse to (YAML comments and layout do not change the version)."""
    from .rules.version import file_digest

    digest = hashlib.sha256()
    for path in sorted([*PATTERN_DIR.glob("*.yml"), *_LEXICON_DIR.glob("*.yaml")]):
        digest.update(f"{path.name}:{file_digest(path, code=False)}".encode())
    return digest.hexdigest()[:8]


def load_spacy(model: str | None = None) -> Language:
    import spacy

    name = model or settings().spacy_model
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ExtractError("E301", model=name) from exc
    nlp.add_pipe("parley_structure")
    return nlp


class LearnedExtractor:
    name = "learned"

    def __init__(self, model: str | Path | None = None, taxonomy: str | None = None, nlp: Language | None = None,
                 use_prefilter: bool = True) -> None:
        path = Path(model) if model else (Path(settings().model) if settings().model else BUNDLED)
        self.info: ModelInfo = read_info(path)
        self.taxonomy: Taxonomy = load_taxonomy(taxonomy)
        if list(self.taxonomy.labels) != list(self.info.labels):
            raise ExtractError("E312", item=str(path), model_labels=", ".join(self.info.labels),
                               labels=", ".join(self.taxonomy.labels))
        self.version = f"{VERSION}+{self.info.fingerprint}{_data_fingerprint()}"
        self.use_prefilter = use_prefilter
        self._nlp = nlp

    @cached_property
    def heads(self) -> Heads:
        return load_heads(self.info)

    @cached_property
    def encoder(self) -> Encoder:
        return load_encoder(self.info.encoder, self.info.path)

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            self._nlp = load_spacy()
        return self._nlp

    def _keep(self, text: str, frame: list[Sentence], common: frozenset[str]) -> Sequence[int]:
        """Indices of the sentences the prefilter keeps (and the sentence before a kept one that
        opens with a pronoun, where its antecedent is)."""
        head = self.heads.prefilter
        th = self.heads.thresholds.prefilter
        if not self.use_prefilter or head is None or th <= 0 or not frame:
            return range(len(frame))
        raws = [text[s.start:s.end] for s in frame]
        rows = [sentence_features(r, i, s.quote_share, common) for i, (r, s) in enumerate(zip(raws, frame))]
        dense = self.encoder.encode([masked_raw(r, common) for r in raws]) * 3.0 if head.dense_dim else None
        scores = head.prob(rows, "True", dense)
        keep = {i for i, sc in enumerate(scores) if sc >= th}
        for i in sorted(keep):
            if i > 0 and opens_with_pronoun(raws[i]):
                keep.add(i - 1)
        return sorted(keep)

    def extract(self, article: Article) -> list[Position]:
        for _, positions in self.extract_many([article]):
            return positions
        return []

    def extract_many(self, articles: Iterable[Article], batch_size: int = 16) -> Iterator[tuple[Article, list[Position]]]:
        items = ((a.text or "", a.title, a) for a in articles)
        try:
            for read in read_articles(self.nlp, items, keep=self._keep, batch_size=batch_size):
                art: Article = read.key
                try:
                    found = decide(read, self.heads, self.encoder, art.id)
                except ExtractError:
                    raise
                except Exception as exc:       # one article's failure, named
                    raise ExtractError("E305", item=art.id, detail=repr(exc)) from exc
                yield art, [p.with_(extractor=self.name, extractor_version=self.version) for p in found]
        except ExtractError:
            raise
        except Exception as exc:
            raise ExtractError("E305", item="batch", detail=repr(exc)) from exc
