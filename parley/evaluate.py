"""Scorer of ``shared/docs/evaluation.md``: produced positions against a labelled set.

Public API::

    load_gold(dir_or_file) -> list[GoldArticle]       # folder of *.json, or one file (E401/E403)
    load_predictions(jsonl_path) -> dict[str, list[dict]]   # {"id", "title", "positions"} lines (E402/E404)
    predict(gold, extractor=None) -> dict[str, list[Position]]   # run an Extractor over the gold texts
    score(gold, predicted) -> EvalReport              # predicted: {article id: [Position | dict]}
    EvalReport.figures      # {"triple"|"pair"|"conditions"|"red_lines": {precision, recall, f1,
                            #   tp, produced, labelled}, "shifts_recall", "evidence_agreement", ...}
    EvalReport.per_article  # one row per labelled article
    EvalReport.errors       # missed and spurious positions (triple level) with their sentences
    EvalReport.to_dict(), EvalReport.format_table(errors=False)

Matching (evaluation.md): names are normalised (lower case, straight quotes, no
possessive ``'s``, ``U.S.``/``U.K.``/``U.N.`` -> ``us``/``uk``/``un``, other
punctuation -> space); a name's tokens are its words minus the titles and
function words listed there (all its words when nothing is left). A produced
actor matches a labelled position when its tokens are a subset or superset of
the tokens of the labelled actor or one of its aliases (pronoun aliases are
ignored). Labelled positions are taken in order; each takes one still
unmatched produced position of the same article, preferring one whose evidence
overlaps the labelled evidence sentence, otherwise the first candidate.

Choices evaluation.md leaves open, fixed here:

* A ratio whose denominator is 0 is 1.0 when its numerator side is empty too
  (nothing labelled and nothing produced) and 0.0 otherwise; so an article
  with no output has precision 0 when it has labels, and gold scored against
  itself gives 1.0 everywhere.
* Condition tokens: lower-cased words (same normalisation as names) minus
  English function words (:data:`CONDITION_STOPWORDS`); all words when nothing
  is left. Overlap F1 counts tokens as a multiset. Each labelled condition (in
  order) takes the unused produced condition with the highest F1 >= 0.5.
* ``shifts_recall`` = labelled positions with a ``previous_stance`` whose
  pair-matched produced position gives the same ``previous_stance`` / all
  labelled positions with a ``previous_stance``.
* Labelled evidence (a sentence string) is located in the article text:
  exactly, then ignoring curly/straight quote differences, then ignoring
  whitespace differences. A sentence that cannot be found overlaps nothing.
"""
from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import EvalError
from .model import Article, Evidence, Position, article_id_for

log = logging.getLogger(__name__)

__all__ = [
    "GoldArticle", "EvalReport", "load_gold", "load_predictions", "predict", "score",
    "normalise_name", "name_tokens", "actor_matches", "condition_tokens", "token_f1",
    "locate_sentence", "NAME_STOPWORDS", "PRONOUNS", "CONDITION_STOPWORDS",
]

# --- names -------------------------------------------------------------------

#: Titles and function words removed from a name's tokens (evaluation.md, verbatim).
NAME_STOPWORDS = frozenset(
    "the of president minister foreign prime leader spokesman spokeswoman spokesperson "
    "secretary general chief official officials government state deputy mr ms mrs former "
    "head representative ambassador envoy".split()
)

#: Aliases that are pronouns are ignored (labelled sets never rely on them).
PRONOUNS = frozenset(
    "i me my we us our ours you your he him his she her hers it its they them their theirs "
    "himself herself itself themselves ourselves this that these those who".split()
)

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                         "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"'})
_POSSESSIVE = re.compile(r"'s\b")
_ABBREV = re.compile(r"\bu\.\s?([skn])\.?(?![a-z])")


def normalise_name(name: str) -> str:
    """The normal form of a name: ``"Britain’s U.K. Govt."`` -> ``"britain uk govt"``."""
    s = name.lower().translate(_QUOTES)
    s = _POSSESSIVE.sub("", s)
    s = _ABBREV.sub(r"u\1", s)
    s = "".join(ch if ch.isalnum() or ch == " " else " " for ch in s)
    return " ".join(s.split())


def _is_pronoun(name: str) -> bool:
    raw = name.strip()
    # "US" (the country) is not the pronoun "us"
    return raw.lower() in PRONOUNS and not (len(raw) > 1 and raw.isupper())


def name_tokens(name: str) -> frozenset[str]:
    """A name's tokens: its normalised words minus titles/function words (all words if none left)."""
    if _is_pronoun(name):
        return frozenset()
    words = normalise_name(name).split()
    kept = [w for w in words if w not in NAME_STOPWORDS]
    return frozenset(kept or words)


def _label_token_sets(actor: str, aliases: Iterable[str]) -> list[frozenset[str]]:
    sets = [name_tokens(n) for n in (actor, *aliases)]
    return [s for s in sets if s]


def actor_matches(produced_actor: str, actor: str, aliases: Iterable[str] = ()) -> bool:
    """Whether ``produced_actor`` matches the labelled ``actor`` or one of its ``aliases``."""
    return _tokens_match(name_tokens(produced_actor), _label_token_sets(actor, aliases))


def _tokens_match(produced: frozenset[str], labelled: Sequence[frozenset[str]]) -> bool:
    if not produced:
        return False
    return any(produced <= t or produced >= t for t in labelled)


# --- conditions --------------------------------------------------------------

#: Function words dropped from conditions before token overlap.
CONDITION_STOPWORDS = frozenset(
    """a an the and or but nor so yet if unless until only provided providing that as long when
    whether then than of in on at to for from by with without into onto upon over under about
    against between through during before after above below up down out off again further once
    be is are was were been being am do does did doing done have has had having will would shall
    should can could may might must ought not no it its it's they them their theirs he him his she
    her hers we us our ours you your yours i me my this these those there here which who whom
    whose what such any all both each either neither some own same also just very too more most
    s t""".split()
)


def condition_tokens(text: str) -> Counter[str]:
    """Content-word tokens of a condition (multiset); all words when only function words."""
    words = normalise_name(text).split()
    kept = [w for w in words if w not in CONDITION_STOPWORDS]
    return Counter(kept or words)


def token_f1(a: Counter[str] | str, b: Counter[str] | str) -> float:
    """Token-overlap F1 between two conditions (strings or :func:`condition_tokens` bags)."""
    ca = condition_tokens(a) if isinstance(a, str) else a
    cb = condition_tokens(b) if isinstance(b, str) else b
    common = sum((ca & cb).values())
    if not common:
        return 0.0
    p, r = common / sum(cb.values()), common / sum(ca.values())
    return 2 * p * r / (p + r)


CONDITION_THRESHOLD = 0.5


def _match_conditions(labelled: Sequence[str], produced: Sequence[str]) -> int:
    """Number of labelled conditions found, one-to-one, F1 >= threshold."""
    bags = [condition_tokens(c) for c in produced]
    used: set[int] = set()
    found = 0
    for cond in labelled:
        lbag = condition_tokens(cond)
        scored = [(token_f1(lbag, pbag), -j) for j, pbag in enumerate(bags) if j not in used]
        f1, neg_j = max(scored, default=(0.0, 0))  # best F1, the earliest on ties
        if f1 >= CONDITION_THRESHOLD:
            used.add(-neg_j)
            found += 1
    return found


# --- evidence ----------------------------------------------------------------

def locate_sentence(text: str, sentence: str) -> tuple[int, int] | None:
    """Offsets of ``sentence`` in ``text``: exact, then quote-insensitive, then whitespace-insensitive."""
    sentence = sentence.strip()
    if not sentence:
        return None
    i = text.find(sentence)
    if i >= 0:
        return i, i + len(sentence)
    folded_text, folded = text.translate(_QUOTES), sentence.translate(_QUOTES)  # length-preserving
    i = folded_text.find(folded)
    if i >= 0:
        return i, i + len(folded)
    pattern = r"\s+".join(re.escape(w) for w in folded.split())
    m = re.search(pattern, folded_text)
    return (m.start(), m.end()) if m else None


def _span(ev: Evidence, text: str) -> tuple[int, int] | None:
    if 0 <= ev.start < ev.end <= len(text):
        return ev.start, ev.end
    return locate_sentence(text, ev.text) if ev.text else None


def _overlaps(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


# --- loading -----------------------------------------------------------------

#: What Position.from_dict raises on a malformed position.
_BAD_POSITION = (KeyError, TypeError, ValueError, AttributeError)

@dataclass(frozen=True)
class GoldArticle:
    """One labelled article. Gold positions carry located evidence offsets (-1 when not found)."""

    id: str
    text: str
    positions: tuple[Position, ...]
    title: str | None = None
    source: str | None = None
    path: str | None = None

    def article(self) -> Article:
        """The article as an extractor sees it (gold ``id`` as ``external_id``)."""
        return Article.create(self.text, title=self.title, source=self.source,
                              origin=self.path, external_id=self.id)


def _gold_from_dict(d: Any, item: str) -> GoldArticle:
    if not isinstance(d, dict):
        raise EvalError("E401", item=item, detail=f"top level is {type(d).__name__}, not an object")
    missing = [k for k in ("id", "text", "positions") if k not in d]
    if missing:
        raise EvalError("E401", item=item, detail="missing " + ", ".join(map(repr, missing)))
    text, aid = d["text"], str(d["id"])
    if not isinstance(text, str) or not isinstance(d["positions"], list):
        raise EvalError("E401", item=item, detail="'text' must be a string and 'positions' a list")
    positions = []
    for n, p in enumerate(d["positions"]):
        try:
            pos = Position.from_dict(p, article_id=aid)
        except _BAD_POSITION as exc:
            raise EvalError("E401", item=item, detail=f"position {n}: {type(exc).__name__}: {exc}") from None
        span = _span(pos.evidence, text)
        if span is None:
            log.warning("%s: position %d: evidence sentence not found in the text", item, n)
            span = (-1, -1)
        positions.append(pos.with_(evidence=Evidence(span[0], span[1], pos.evidence.text, aid)))
    return GoldArticle(id=aid, text=text, positions=tuple(positions), title=d.get("title"),
                       source=d.get("source"), path=item)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EvalError("E401", item=str(path), detail=f"{type(exc).__name__}: {exc}") from None


def load_gold(source: str | Path) -> list[GoldArticle]:
    """Labelled articles from a folder of ``*.json`` (one article each) or from one JSON file.

    A file may hold one article object or a list of them. Raises ``EvalError``
    E401 (unreadable / not a labelled article) or E403 (folder without ``*.json``).
    """
    path = Path(source)
    if path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            raise EvalError("E403", item=str(path))
    elif path.is_file():
        files = [path]
    else:
        raise EvalError("E401", item=str(path), detail="no such file or directory")
    out: list[GoldArticle] = []
    for f in files:
        data = _read_json(f)
        items = data if isinstance(data, list) else [data]
        for k, d in enumerate(items):
            out.append(_gold_from_dict(d, str(f) if len(items) == 1 else f"{f}[{k}]"))
    return out


def load_predictions(path: str | Path) -> dict[str, list[dict[str, Any]]]:
    """Produced positions from a JSON Lines file: ``{"id", "title", "positions": [...]}`` per line.

    Lines with the same ``id`` are concatenated; blank lines are skipped. A bad
    line raises ``EvalError`` E402 (with its number), an unreadable file E404.
    """
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalError("E404", item=str(path), detail=f"{type(exc).__name__}: {exc}") from None
    out: dict[str, list[dict[str, Any]]] = {}
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalError("E402", item=str(path), line=no, detail=f"malformed JSON ({exc})") from None
        if not isinstance(rec, dict) or "id" not in rec or not isinstance(rec.get("positions"), list):
            raise EvalError("E402", item=str(path), line=no,
                            detail="expected an object with 'id' and a 'positions' list")
        for n, p in enumerate(rec["positions"]):
            try:
                Position.from_dict(p)
            except _BAD_POSITION as exc:
                raise EvalError("E402", item=str(path), line=no,
                                detail=f"position {n}: {type(exc).__name__}: {exc}") from None
        out.setdefault(str(rec["id"]), []).extend(rec["positions"])
    return out


def predict(gold: Sequence[GoldArticle], extractor: Any = None, *,
            progress: bool = False) -> dict[str, list[Position]]:
    """Run ``extractor`` (default :func:`parley.extract.get_extractor`) over the gold texts.

    The result is keyed by the gold ``id`` (passed to the extractor as
    ``Article.external_id``); every gold article gets an entry.
    """
    if extractor is None:
        from .extract import get_extractor

        extractor = get_extractor()
    articles = [g.article() for g in gold]
    by_id = {a.id: a.external_id for a in articles}
    out: dict[str, list[Position]] = {g.id: [] for g in gold}
    pairs = extractor.extract_many(iter(articles))
    if progress:
        from tqdm import tqdm

        pairs = tqdm(pairs, total=len(gold), desc="extract", unit="article")
    for article, positions in pairs:
        key = article.external_id or by_id.get(article.id, article.id)
        out.setdefault(key, []).extend(positions)
    return out


# --- scoring -----------------------------------------------------------------

@dataclass
class _Count:
    tp: int = 0
    produced: int = 0
    labelled: int = 0

    def add(self, other: _Count) -> None:
        self.tp += other.tp
        self.produced += other.produced
        self.labelled += other.labelled

    def figures(self) -> dict[str, float | int]:
        p, r = _ratio(self.tp, self.produced, self.labelled), _ratio(self.tp, self.labelled, self.produced)
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": p, "recall": r, "f1": f1,
                "tp": self.tp, "produced": self.produced, "labelled": self.labelled}


def _ratio(num: int, den: int, other_side: int = 0) -> float:
    if den:
        return num / den
    return 1.0 if other_side == 0 else 0.0


_KINDS = ("triple", "pair", "conditions", "red_lines", "shifts", "evidence")


@dataclass
class _ArticleResult:
    counts: dict[str, _Count]
    errors: list[dict[str, Any]]


@dataclass
class _Produced:
    pos: Position
    tokens: frozenset[str]
    span: tuple[int, int] | None


def _as_position(p: Position | Mapping[str, Any], article_id: str) -> Position:
    if isinstance(p, Position):
        return p
    try:
        return Position.from_dict(dict(p), article_id=article_id)
    except _BAD_POSITION as exc:
        raise EvalError("E405", item=article_id,
                        detail=f"{type(exc).__name__}: {exc}") from None


def _greedy(gold: GoldArticle, produced: list[_Produced], with_stance: bool) -> list[int | None]:
    """For each labelled position (in order) the index of its produced match, or None."""
    taken: set[int] = set()
    result: list[int | None] = []
    for lp in gold.positions:
        label_sets = _label_token_sets(lp.actor, lp.aliases)
        lspan = (lp.evidence.start, lp.evidence.end) if lp.evidence.start >= 0 else None
        first = overlapping = None
        for j, pp in enumerate(produced):
            if j in taken or pp.pos.issue != lp.issue:
                continue
            if with_stance and pp.pos.stance != lp.stance:
                continue
            if not _tokens_match(pp.tokens, label_sets):
                continue
            if first is None:
                first = j
            if _overlaps(pp.span, lspan):
                overlapping = j
                break
        chosen = overlapping if overlapping is not None else first
        if chosen is not None:
            taken.add(chosen)
        result.append(chosen)
    return result


def _score_article(gold: GoldArticle, predicted: Sequence[Position | Mapping[str, Any]]) -> _ArticleResult:
    produced = []
    for p in predicted:
        pos = _as_position(p, gold.id)
        produced.append(_Produced(pos, name_tokens(pos.actor), _span(pos.evidence, gold.text)))
    triple = _greedy(gold, produced, with_stance=True)
    pair = _greedy(gold, produced, with_stance=False)
    c = {k: _Count() for k in _KINDS}
    c["triple"] = _Count(sum(j is not None for j in triple), len(produced), len(gold.positions))
    c["pair"] = _Count(sum(j is not None for j in pair), len(produced), len(gold.positions))
    c["red_lines"].produced = sum(pp.pos.red_line for pp in produced)
    for lp, tj, pj in zip(gold.positions, triple, pair):
        if tj is not None:
            pp = produced[tj]
            c["evidence"].labelled += 1
            c["evidence"].tp += _overlaps(pp.span, (lp.evidence.start, lp.evidence.end)
                                          if lp.evidence.start >= 0 else None)
            if lp.stance == "conditional":
                c["conditions"].labelled += len(lp.conditions)
                c["conditions"].produced += len(pp.pos.conditions)
                c["conditions"].tp += _match_conditions(lp.conditions, pp.pos.conditions)
        if lp.red_line:
            c["red_lines"].labelled += 1
            c["red_lines"].tp += pj is not None and produced[pj].pos.red_line
        if lp.previous_stance:
            c["shifts"].labelled += 1
            c["shifts"].tp += pj is not None and produced[pj].pos.previous_stance == lp.previous_stance
    errors: list[dict[str, Any]] = []
    pair_of = {j: i for i, j in enumerate(pair) if j is not None}
    for i, (lp, tj) in enumerate(zip(gold.positions, triple)):
        if tj is None:
            pj = pair[i]
            note = (f"pair-matched a produced {produced[pj].pos.stance!r} position ({produced[pj].pos.actor})"
                    if pj is not None else "")
            errors.append(_error("missed", gold, lp, note))
    matched = {j for j in triple if j is not None}
    for j, pp in enumerate(produced):
        if j not in matched:
            note = ""
            if j in pair_of:
                note = f"pair-matches labelled {gold.positions[pair_of[j]].stance!r} position"
            errors.append(_error("spurious", gold, pp.pos, note, pp.span))
    return _ArticleResult(c, errors)


def _error(kind: str, gold: GoldArticle, pos: Position, note: str,
           span: tuple[int, int] | None = None) -> dict[str, Any]:
    if span is None and pos.evidence.start >= 0:
        span = (pos.evidence.start, pos.evidence.end)
    sentence = gold.text[span[0]:span[1]] if span else pos.evidence.text
    return {"article": gold.id, "kind": kind, "actor": pos.actor, "issue": pos.issue, "stance": pos.stance,
            "proposition": pos.proposition, "conditions": list(pos.conditions), "red_line": pos.red_line,
            "previous_stance": pos.previous_stance, "sentence": sentence,
            "start": span[0] if span else None, "end": span[1] if span else None, "note": note}


@dataclass
class EvalReport:
    """Figures of one scoring run: micro-averaged ``figures``, ``per_article`` rows and ``errors``."""

    figures: dict[str, Any]
    per_article: list[dict[str, Any]]
    errors: list[dict[str, Any]] = field(default_factory=list)
    unknown_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"figures": self.figures, "per_article": self.per_article, "errors": self.errors,
                "unknown_ids": self.unknown_ids}

    def format_table(self, errors: bool = False, titles: bool = True) -> str:
        """Plain-text report: every figure, the per-article table, optionally the errors.

        ``titles=False`` leaves the articles' titles out (for docs kept in the repo:
        the labelled articles are third-party text).
        """
        f = self.figures
        lines = [f"{'figure':<12} {'precision':>9} {'recall':>7} {'F1':>6} {'tp':>5} {'produced':>8} {'labelled':>8}"]
        for k in ("triple", "pair", "conditions", "red_lines"):
            x = f[k]
            p, r = _show(x["precision"], x["produced"]), _show(x["recall"], x["labelled"])
            lines.append(f"{k:<12} {p:>9} {r:>7} {_show(x['f1'], x['produced'] + x['labelled']):>6} "
                         f"{x['tp']:>5} {x['produced']:>8} {x['labelled']:>8}")
        s, e = f["shifts"], f["evidence"]
        lines.append(f"shifts_recall       {_show(f['shifts_recall'], s['labelled'])}  ({s['tp']}/{s['labelled']})")
        lines.append(f"evidence_agreement  {_show(f['evidence_agreement'], e['labelled'])}  "
                     f"({e['tp']}/{e['labelled']} triple matches)")
        lines.append(f"articles            {f['articles']}  (headline: triple F1 {f['triple']['f1']:.3f})")
        lines.append("")
        head = (f"{'file':<6} {'article':<22} {'lab':>4} {'prod':>4} {'tp':>3} {'P':>5} {'R':>5} {'F1':>5} "
                f"{'pairF1':>6} {'cond':>5} {'red':>5} {'shift':>5} {'ev':>5}" + ("  title" if titles else ""))
        lines.append(head)
        lines.append("-" * len(head))
        for row in self.per_article:
            lines.append(
                f"{row['file'][:6]:<6} {row['id'][:22]:<22} {row['labelled']:>4} {row['produced']:>4} "
                f"{row['triple_tp']:>3} {row['triple_precision']:>5.2f} {row['triple_recall']:>5.2f} "
                f"{row['triple_f1']:>5.2f} {row['pair_f1']:>6.2f} {row['conditions']:>5} {row['red_lines']:>5} "
                f"{row['shifts']:>5} {row['evidence']:>5}" + (f"  {(row['title'] or '')[:50]}" if titles else ""))
        if self.unknown_ids:
            lines.append("")
            lines.append(f"ignored predictions for {len(self.unknown_ids)} unlabelled id(s): "
                         + ", ".join(self.unknown_ids[:10]))
        if errors:
            lines.append("")
            lines.extend(self.format_errors())
        return "\n".join(lines)

    def format_errors(self) -> list[str]:
        lines = [f"errors: {sum(e['kind'] == 'missed' for e in self.errors)} missed, "
                 f"{sum(e['kind'] == 'spurious' for e in self.errors)} spurious"]
        for e in self.errors:
            extra = f" conditions={e['conditions']}" if e["conditions"] else ""
            extra += " red_line" if e["red_line"] else ""
            extra += f" previous={e['previous_stance']}" if e["previous_stance"] else ""
            lines.append(f"[{e['article']}] {e['kind'].upper():<8} {e['actor']} / {e['issue']} / {e['stance']}{extra}")
            if e["note"]:
                lines.append(f"    note: {e['note']}")
            lines.append(f"    sentence: {e['sentence']}")
        return lines


def _show(value: float, denominator: int) -> str:
    """A figure for the table; '-' when it is vacuous (nothing to count)."""
    return f"{value:.3f}" if denominator else "-"


def _row(g: GoldArticle, c: dict[str, _Count]) -> dict[str, Any]:
    t, p = c["triple"].figures(), c["pair"].figures()

    def frac(x: _Count) -> str:
        return f"{x.tp}/{x.labelled}"

    return {"id": g.id, "file": Path(g.path).stem if g.path else "", "title": g.title, "labelled": t["labelled"], "produced": t["produced"],
            "triple_tp": t["tp"], "triple_precision": t["precision"], "triple_recall": t["recall"],
            "triple_f1": t["f1"], "pair_tp": p["tp"], "pair_f1": p["f1"],
            "conditions": frac(c["conditions"]), "red_lines": frac(c["red_lines"]),
            "red_lines_produced": c["red_lines"].produced, "shifts": frac(c["shifts"]),
            "evidence": frac(c["evidence"])}


def score(gold: Sequence[GoldArticle],
          predicted: Mapping[str, Sequence[Position | Mapping[str, Any]]]) -> EvalReport:
    """Score ``predicted`` (keyed by gold article id) against ``gold`` (evaluation.md).

    ``predicted`` may also be keyed by Parley's article id (the hash of the
    text, ``Article.id``). A gold article missing from ``predicted`` counts
    with zero produced positions; predictions for ids not in ``gold`` are ignored (listed in
    ``EvalReport.unknown_ids``).
    """
    total = {k: _Count() for k in _KINDS}
    rows, errors = [], []
    used_keys = set()
    for g in gold:
        key = g.id if g.id in predicted else article_id_for(g.text)  # gold id, else Parley's article id
        used_keys.add(key)
        res = _score_article(g, predicted.get(key, ()))
        for k in _KINDS:
            total[k].add(res.counts[k])
        rows.append(_row(g, res.counts))
        errors.extend(res.errors)
    figures: dict[str, Any] = {k: total[k].figures() for k in ("triple", "pair", "conditions", "red_lines")}
    sh, ev = total["shifts"], total["evidence"]
    figures["shifts_recall"] = _ratio(sh.tp, sh.labelled)
    figures["evidence_agreement"] = _ratio(ev.tp, ev.labelled)
    figures["shifts"] = {"tp": sh.tp, "labelled": sh.labelled}
    figures["evidence"] = {"tp": ev.tp, "labelled": ev.labelled}
    figures["articles"] = len(gold)
    unknown = sorted(k for k in predicted if k not in used_keys)
    if unknown:
        log.warning("ignoring predictions for %d id(s) not in the labelled set", len(unknown))
    return EvalReport(figures, rows, errors, unknown)
