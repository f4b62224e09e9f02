"""Language identification for ingested articles.

Extraction only runs on English, so all we need is a dependable "English or
which other language" answer. A stopword vote over a few European languages
decides when one language clearly leads (fast, and very reliable on news
prose); otherwise ``py3langid`` (a packaged n-gram model, no download) decides
when it is installed. Text with too few letters, or no clear answer, is
``"und"``.
"""
from __future__ import annotations

import logging
import re
from collections import Counter

log = logging.getLogger(__name__)

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_MIN_LETTERS = 20          # below this, we do not guess
_SAMPLE_CHARS = 3000       # the head of a long article is enough

# Frequent function words; a language needs a clear lead to win.
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the of and to in is that for it was on with as his he be by at from are this have not but had they which".split()),
    "de": frozenset("der die und das ist nicht ein eine den mit von zu dem sich des auf für im auch es als wird sie bei hat".split()),
    "fr": frozenset("le la les des et est une un du que dans pour qui pas sur au avec il elle ne se ce sont aux par".split()),
    "es": frozenset("el la los las de y que en un una es por con para del se no su al lo como más pero".split()),
    "it": frozenset("il di che la per un una sono non del della gli le con nel alla anche si ha è dei".split()),
    "nl": frozenset("de het een en van is dat niet op te met voor zijn er maar ook als aan bij door".split()),
    "pt": frozenset("o a os as de do da que em um uma para com não por se no na dos mais".split()),
}

try:  # optional dependency: better coverage of non-European languages
    import py3langid as _langid
except ImportError:  # pragma: no cover - depends on the environment
    _langid = None


def _by_stopwords(words: list[str]) -> str:
    counts = Counter(w.lower() for w in words)
    scores = {lang: sum(counts[w] for w in sw) for lang, sw in _STOPWORDS.items()}
    best = max(scores, key=scores.__getitem__)
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] < 3 or ranked[0] < 0.08 * len(words) or ranked[0] < 2 * ranked[1]:
        return "und"
    return best


def detect_language(text: str) -> str:
    """ISO 639-1 code of ``text``'s language ("en", "de", ...), or ``"und"`` when unsure."""
    sample = text[:_SAMPLE_CHARS]
    words = _WORD.findall(sample)
    if sum(len(w) for w in words) < _MIN_LETTERS:
        return "und"
    lang = _by_stopwords(words)
    if lang == "und" and _langid is not None:
        lang = str(_langid.classify(sample)[0])
    return lang


__all__ = ["detect_language"]
