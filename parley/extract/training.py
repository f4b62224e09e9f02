"""``parley train``: fit the learned heads on a labelled folder; cross-validate; save a model.

1. :func:`.labels.load_labelled` reads and checks the folder against the taxonomy.
2. Every sentence is parsed (:func:`.reading.read_articles`, no prefilter) and every
   candidate is matched to the labelled positions of its sentence (actor match as
   ``parley eval`` matches actors): :func:`examples`.
3. :func:`fit_heads` fits each head of :class:`.decisions.Heads` with a fixed seed.
4. With ``folds > 1`` the articles are split into folds (seeded); each fold is decided by heads
   fitted on the others, and the pooled predictions are scored with ``parley eval``'s scorer:
   the cross-validated figures, and the position threshold that maximises triple F1.
5. :func:`.model_io.save_model` writes the model directory.
"""
from __future__ import annotations

import logging
import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..evaluate import actor_matches, condition_tokens, token_f1
from ..model import Position
from .decisions import (
    ISSUE_FEATURES,
    NO_SHIFT,
    REDLINE_FEATURES,
    SHIFT_FEATURES,
    STANCE_FEATURES,
    CandidateView,
    Heads,
    Thresholds,
    article_text,
    article_words,
    candidate_views,
    decide,
    dense_block,
    embed_views,
    select,
    sentence_rows,
)
from .encoders import Encoder
from .heads import LinearHead
from .labels import LabelledArticle, LabelledPosition
from .prefilter import masked_raw, sentence_features
from .reading import ReadArticle

log = logging.getLogger(__name__)

POSITION_THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6)
#: a second issue for one candidate when its probability reaches this (1.0: never)
SECOND_ISSUE_THRESHOLDS = (0.25, 0.35, 0.5, 1.0)
PREFILTER_RECALL = 0.97


@dataclass
class TrainConfig:
    """Hyper-parameters (``model.json`` records them); defaults chosen by the ablation in docs/quality.md."""

    encoder: str = "model2vec"
    two_stage: bool = False     # sentence head x holder head: CV 0.313 against 0.330 (docs/quality.md)
    seed: int = 0
    folds: int = 5
    min_count: int = 2
    C_position: float = 0.1
    C_issue: float = 0.3
    C_stance: float = 0.3
    C_condition: float = 0.5
    C_red_line: float = 0.3
    C_shift: float = 0.3
    C_prefilter: float = 0.3
    prefilter_recall: float = PREFILTER_RECALL
    thresholds: Thresholds = field(default_factory=Thresholds)

    def to_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in self.__dict__.items() if k != "thresholds"}
        d["thresholds"] = self.thresholds.to_dict()
        return d


@dataclass
class ArticleData:
    """One labelled article, read, with its candidate views, labels and vectors."""

    labelled: LabelledArticle
    read: ReadArticle
    views: list[CandidateView]
    gold: list[list[LabelledPosition]]       # per candidate: labelled positions of its sentence
    ambiguous: list[bool]                    # no label here, but the actor holds positions elsewhere
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    article_vec: np.ndarray | None = None
    sentence_vecs: np.ndarray | None = None  # raw (unparsed) sentence vectors, for the prefilter


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def examples(labelled: LabelledArticle, read: ReadArticle) -> ArticleData:
    views = candidate_views(read)
    gold, amb = [], []
    for v in views:
        s = read.sentences[v.sentence]
        mine = [p for p in labelled.positions if actor_matches(v.actor, p.actor, p.aliases)]
        here = [p for p in mine if _overlaps(p.span, (s.start, s.end))]
        gold.append(here)
        amb.append(not here and bool(mine))
    return ArticleData(labelled, read, views, gold, amb)


def embed(data: Sequence[ArticleData], encoder: Encoder) -> None:
    """Vectors for every candidate text, article and raw sentence (one encoder pass per article)."""
    if not encoder.dim:
        return
    for d in data:
        d.vectors = embed_views(encoder, d.views)
        d.article_vec = encoder.encode([article_text(d.read)])[0]
        raws = [masked_raw(d.read.text[s.start:s.end], d.read.common) for s in d.read.sentences]
        d.sentence_vecs = encoder.encode(raws)


def _main_issue(ps: Sequence[LabelledPosition]) -> str:
    return Counter(p.issue for p in ps).most_common(1)[0][0]


def _stack(blocks: Sequence[np.ndarray | None]) -> np.ndarray | None:
    real = [b for b in blocks if b is not None and len(b)]
    return np.vstack(real) if real else None


def _condition_label(text: str, gold: Iterable[str]) -> bool:
    bag = condition_tokens(text)
    return any(token_f1(condition_tokens(g), bag) >= 0.5 for g in gold)


def fit_heads(data: Sequence[ArticleData], labels: Sequence[str], cfg: TrainConfig,
              progress: Callable[[str], None] = lambda s: None) -> Heads:
    """Fit every head on ``data`` (see :mod:`.decisions` for what each is trained on)."""
    seed = cfg.seed
    pos_rows: list[list[str]] = []
    pos_y: list[str] = []
    pos_dense: list[np.ndarray | None] = []
    iss_rows, iss_y, iss_dense = [], [], []
    st_rows, st_y, st_dense = [], [], []
    red_rows, red_y, sh_rows, sh_y = [], [], [], []
    cond_rows, cond_y = [], []
    pre_rows, pre_y, pre_dense = [], [], []
    sent_rows, sent_y, sent_dense = [], [], []
    for d in data:
        positive_sentences = {v.sentence for k, v in enumerate(d.views) if d.gold[k]}
        keep = [k for k in range(len(d.views)) if d.gold[k] or not d.ambiguous[k]]
        if cfg.two_stage:       # the holder head learns only where the sentence holds a position
            keep = [k for k in keep if d.views[k].sentence in positive_sentences]
            order, rows, firsts = sentence_rows(d.views)
            sent_rows += rows
            sent_y += [str(s in positive_sentences) for s in order]
            sent_dense.append(dense_block("sentence", firsts, d.vectors, d.article_vec))
        kv = [d.views[k] for k in keep]
        pos_rows += [v.features for v in kv]
        pos_y += [str(bool(d.gold[k])) for k in keep]
        pos_dense.append(dense_block("position", kv, d.vectors, d.article_vec))
        words = article_words(d.read)
        positives = [k for k in range(len(d.views)) if d.gold[k]]
        pv = [d.views[k] for k in positives]
        iss_rows += [select(v.features, ISSUE_FEATURES) + words for v in pv]
        iss_y += [_main_issue(d.gold[k]) for k in positives]
        iss_dense.append(dense_block("issue", pv, d.vectors, d.article_vec))
        pairs = [(k, p) for k in positives for p in {(q.issue, q.stance): q for q in d.gold[k]}.values()]
        sv = [d.views[k] for k, _ in pairs]
        st_rows += [select(d.views[k].features, STANCE_FEATURES) + [f"iss={p.issue}"] for k, p in pairs]
        st_y += [p.stance for _, p in pairs]
        st_dense.append(dense_block("stance", sv, d.vectors, d.article_vec))
        for k in positives:
            v = d.views[k]
            red_rows.append(select(v.features, REDLINE_FEATURES))
            red_y.append(str(any(p.red_line for p in d.gold[k])))
            sh_rows.append(select(v.features, SHIFT_FEATURES))
            prevs = [p.previous_stance for p in d.gold[k] if p.previous_stance]
            sh_y.append(prevs[0] if prevs else NO_SHIFT)
            conds = [c for p in d.gold[k] if p.stance == "conditional" for c in p.conditions]
            for text, f in zip(v.span_texts, v.span_features):
                cond_rows.append(f)
                cond_y.append(str(bool(conds) and _condition_label(text, conds)))
        cited = [(p.span) for p in d.labelled.positions]
        for i, s in enumerate(d.read.sentences):
            pre_rows.append(sentence_features(d.read.text[s.start:s.end], i, s.quote_share, d.read.common))
            pre_y.append(str(any(_overlaps(c, (s.start, s.end)) for c in cited)))
        if d.sentence_vecs is not None:
            pre_dense.append(d.sentence_vecs * 3.0)
    mc = cfg.min_count
    progress("position")
    position = LinearHead.fit(pos_rows, pos_y, dense=_stack(pos_dense), C=cfg.C_position, min_count=mc, seed=seed)
    sentence = LinearHead.fit(sent_rows, sent_y, dense=_stack(sent_dense), C=cfg.C_position, min_count=mc,
                              seed=seed) if cfg.two_stage and sent_rows else None
    progress("issue")
    issue = LinearHead.fit(iss_rows, iss_y, dense=_stack(iss_dense), C=cfg.C_issue, min_count=mc, seed=seed)
    progress("stance")
    stance = LinearHead.fit(st_rows, st_y, dense=_stack(st_dense), C=cfg.C_stance, min_count=mc, seed=seed)
    progress("conditions, red lines, shifts")
    condition = LinearHead.fit(cond_rows or [["c_bias"]], cond_y or ["False"], C=cfg.C_condition, min_count=mc, seed=seed)
    # rare labels (red lines, shifts: ~2% of positions) are weighted up to balance them
    red_line = LinearHead.fit(red_rows or [["bias"]], red_y or ["False"], C=cfg.C_red_line, min_count=mc, seed=seed,
                              class_weight="balanced")
    shift = LinearHead.fit(sh_rows or [["bias"]], sh_y or [NO_SHIFT], C=cfg.C_shift, min_count=mc, seed=seed,
                           class_weight="balanced")
    progress("prefilter")
    prefilter = LinearHead.fit(pre_rows, pre_y, dense=_stack(pre_dense), C=cfg.C_prefilter, min_count=mc, seed=seed)
    return Heads(labels=list(labels), position=position, issue=issue, stance=stance, condition=condition,
                 red_line=red_line, shift=shift, prefilter=prefilter, sentence=sentence,
                 thresholds=Thresholds(**cfg.thresholds.to_dict()))


def prefilter_scores(heads: Heads, d: ArticleData) -> np.ndarray:
    assert heads.prefilter is not None
    rows = [sentence_features(d.read.text[s.start:s.end], i, s.quote_share, d.read.common)
            for i, s in enumerate(d.read.sentences)]
    dense = d.sentence_vecs * 3.0 if d.sentence_vecs is not None and heads.prefilter.dense_dim else None
    return heads.prefilter.prob(rows, "True", dense)


def folds_of(n: int, k: int, seed: int) -> list[list[int]]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [sorted(order[f::k]) for f in range(k)]


@dataclass
class CrossValidation:
    """Pooled out-of-fold predictions at each position threshold, and the prefilter's scores."""

    predictions: dict[tuple[float, float], dict[str, list[Position]]]   # (position, second issue) ->
    prefilter: list[tuple[float, bool]]          # (score, cited) per sentence, out of fold
    best_threshold: float = 0.4
    best_second_issue: float = 0.3
    figures: dict[str, Any] = field(default_factory=dict)


def cross_validate(data: Sequence[ArticleData], labels: Sequence[str], cfg: TrainConfig, encoder: Encoder,
                   progress: Callable[[str], None] = lambda s: None) -> CrossValidation:
    from ..evaluate import GoldArticle, score

    grid = [(t, s) for t in POSITION_THRESHOLDS for s in SECOND_ISSUE_THRESHOLDS]
    preds: dict[tuple[float, float], dict[str, list[Position]]] = {g: {} for g in grid}
    pre: list[tuple[float, bool]] = []
    for f, held in enumerate(folds_of(len(data), cfg.folds, cfg.seed)):
        progress(f"fold {f + 1}/{cfg.folds}")
        held_set = set(held)
        heads = fit_heads([d for i, d in enumerate(data) if i not in held_set], labels, cfg)
        for i in held:
            d = data[i]
            scores = prefilter_scores(heads, d)
            cited = [p.span for p in d.labelled.positions]
            pre += [(float(sc), any(_overlaps(c, (s.start, s.end)) for c in cited))
                    for sc, s in zip(scores, d.read.sentences)]
            for t, s in grid:
                heads.thresholds.position, heads.thresholds.second_issue = t, s
                preds[(t, s)][d.labelled.id] = decide(d.read, heads, encoder, d.labelled.id, d.views, d.vectors,
                                                      d.article_vec)
    gold = [GoldArticle(id=d.labelled.id, text=d.labelled.text, title=d.labelled.title,
                        positions=tuple(_as_position(p, d.labelled.id) for p in d.labelled.positions))
            for d in data]
    table = {g: score(gold, preds[g]).figures for g in grid}
    best = max(grid, key=lambda g: (table[g]["triple"]["f1"], g))
    return CrossValidation(predictions=preds, prefilter=pre, best_threshold=best[0], best_second_issue=best[1],
                           figures={"by_threshold": {f"{t}/{s}": _short(table[(t, s)]) for t, s in grid},
                                    "best": _short(table[best]) | {"threshold": best[0], "second_issue": best[1]}})


def _short(fig: dict[str, Any]) -> dict[str, float]:
    out = {}
    for k in ("triple", "pair", "conditions", "red_lines"):
        out[f"{k}.f1"] = round(float(fig[k]["f1"]), 4)
    out["triple.precision"] = round(float(fig["triple"]["precision"]), 4)
    out["triple.recall"] = round(float(fig["triple"]["recall"]), 4)
    out["shifts_recall"] = round(float(fig["shifts_recall"]), 4)
    return out


def _as_position(p: LabelledPosition, aid: str) -> Position:
    from ..model import Evidence, as_stance

    return Position(actor=p.actor, issue=p.issue, stance=as_stance(p.stance), aliases=p.aliases,
                    conditions=p.conditions, red_line=p.red_line,
                    previous_stance=as_stance(p.previous_stance) if p.previous_stance else None,
                    evidence=Evidence(p.span[0], p.span[1], p.evidence, aid), article_id=aid)


def prefilter_threshold(scores: Sequence[tuple[float, bool]], recall: float) -> tuple[float, float, float]:
    """The highest threshold keeping ``recall`` of cited sentences: (threshold, recall, share kept)."""
    pos = sorted((s for s, y in scores if y), reverse=True)
    if not pos:
        return 0.0, 1.0, 1.0
    k = max(0, min(len(pos) - 1, int(np.ceil(recall * len(pos))) - 1))
    th = pos[k]
    kept = sum(1 for s, _ in scores if s >= th) / len(scores)
    got = sum(1 for s in pos if s >= th) / len(pos)
    return float(th), float(got), float(kept)


@dataclass
class TrainReport:
    model_dir: Path
    articles: int
    positions: int
    candidates: int
    candidate_recall: float
    cv: dict[str, Any]
    prefilter: dict[str, float]


def candidate_recall(data: Sequence[ArticleData]) -> tuple[int, int]:
    """(labelled positions with a candidate of the right holder in their sentence, all labelled)."""
    hit = total = 0
    for d in data:
        for p in d.labelled.positions:
            total += 1
            hit += any(p in g for g in d.gold)
    return hit, total


def data_fingerprint(articles: Sequence[LabelledArticle]) -> str:
    import hashlib
    import json as _json

    digest = hashlib.sha256()
    for a in articles:
        digest.update(a.id.encode())
        digest.update(_json.dumps([p.__dict__ for p in a.positions], sort_keys=True, default=str).encode())
    return digest.hexdigest()[:12]


def read_labelled(articles: Sequence[LabelledArticle], nlp: Any, progress: Callable[[int], object] = lambda n: None) -> list[ArticleData]:
    from .reading import read_articles

    out = []
    for read in read_articles(nlp, ((a.text, a.title, a) for a in articles)):
        out.append(examples(read.key, read))
        progress(1)
    return out


def train(labels_dir: str | Path, out: str | Path, *, taxonomy: str | None = None, cfg: TrainConfig | None = None,
          encoder_dir: str | Path | None = None, nlp: Any = None, show_progress: bool = False) -> TrainReport:
    """Fit a model on ``labels_dir`` and write it to ``out`` (module docstring)."""
    from tqdm import tqdm

    from .encoders import load_encoder
    from .labels import load_labelled
    from .learned import load_spacy
    from .model_io import BUNDLED, save_model
    from .taxonomy import load_taxonomy

    cfg = cfg or TrainConfig()
    tax = load_taxonomy(taxonomy)
    labelled = load_labelled(labels_dir, tax.labels)
    nlp = nlp or load_spacy()
    bar = tqdm(total=len(labelled), desc="read", unit="article", disable=not show_progress)
    data = read_labelled(labelled, nlp, bar.update)
    bar.close()
    enc_dir = Path(encoder_dir) if encoder_dir else BUNDLED / "encoder"
    encoder = load_encoder(cfg.encoder, enc_dir.parent if enc_dir.name == "encoder" else enc_dir)
    embed(data, encoder)
    def say(s: str) -> None:
        if show_progress:
            tqdm.write(f"train: {s}")

    cv_fig: dict[str, Any] = {}
    pre: dict[str, float] = {}
    if cfg.folds > 1 and len(data) >= cfg.folds:
        cv = cross_validate(data, tax.labels, cfg, encoder, progress=say)
        cfg.thresholds.position = cv.best_threshold
        cfg.thresholds.second_issue = cv.best_second_issue
        th, rec, kept = prefilter_threshold(cv.prefilter, cfg.prefilter_recall)
        cfg.thresholds.prefilter = th
        cv_fig = cv.figures
        pre = {"threshold": round(th, 4), "recall": round(rec, 4), "kept": round(kept, 4)}
    say("final heads on every article")
    heads = fit_heads(data, tax.labels, cfg, progress=say)
    hit, total = candidate_recall(data)
    meta = {"config": cfg.to_dict(), "taxonomy": {"source": tax.source, "digest": tax.digest},
            "trained_on": {"folder": str(labels_dir), "articles": len(data), "positions": total,
                           "fingerprint": data_fingerprint(labelled)},
            "candidate_recall": round(hit / total, 4) if total else 1.0,
            "cross_validation": cv_fig, "prefilter": pre}
    out = Path(out)
    save_model(out, heads, cfg.encoder, meta, encoder_dir=(enc_dir if cfg.encoder == "model2vec" else None))
    return TrainReport(model_dir=out, articles=len(data), positions=total,
                       candidates=sum(len(d.views) for d in data),
                       candidate_recall=hit / total if total else 1.0, cv=cv_fig, prefilter=pre)
