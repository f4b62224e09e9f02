"""An invented ledger built from hand-made positions through the store (no extractor involved), for
the kept-ledger, API and dashboard tests: two parties (Osvania, Teral) with conditions, red lines,
a shift, an undated article, and an article whose title, text and URL hold script."""
from __future__ import annotations

from datetime import date

from parley.model import Article, Evidence, Position

XSS_TITLE = '<script>window.__xss=1</script> Harbour <b>deal</b> <img src=x onerror="window.__xss=6">'
XSS_TEXT = ('The port authority said <img src=x onerror="window.__xss=2"> it backs the deal. See '
            '<a href="javascript:window.__xss=3">the terms</a>. Lena Marsh said she supports the harbour deal '
            '<script>window.__xss=4</script> as signed.')
XSS_URL = "javascript:window.__xss=5"

ARTICLES = [
    ("a1", "Osvania rejects talks over the Ardel basin", date(2025, 1, 10), "Ardel Post",
     "Osvanian President Lena Marsh said Osvania would never join talks while Teral troops stayed in the "
     "Ardel basin. Teral Chancellor Omar Vey said Teral would support a ceasefire if Osvania released the "
     "prisoners taken in the basin."),
    ("a2", "Marsh softens on talks", date(2025, 2, 14), "Ardel Post",
     "Osvanian President Lena Marsh said Osvania could join talks if Teral withdrew its troops from the basin. "
     "Teral Chancellor Omar Vey said the Ardel basin was not negotiable and would stay Teral land."),
    ("a3", "Both back a monitored ceasefire", date(2025, 3, 20), "Basin Herald",
     "Lena Marsh said Osvania supports a ceasefire monitored by observers. Omar Vey said Teral supports the "
     "monitored ceasefire as well. The government of Teral said it would back the truce."),
    ("a4", "Marsh wants talks soon", None, None,
     "Lena Marsh said talks should start before the winter, a spokesman for Osvania added."),
    ("xss", XSS_TITLE, date(2025, 4, 2), "Port <i>Wire</i>", XSS_TEXT),
]


def _ev(text: str, needle: str, aid: str) -> Evidence:
    start = text.index(needle)
    end = text.index(".", start + len(needle) - 1) + 1
    return Evidence(start, end, text[start:end], aid)


def _span(text: str, first: str, last: str, aid: str) -> Evidence:
    start, end = text.index(first), text.index(last) + len(last)
    return Evidence(start, end, text[start:end], aid)


def articles() -> dict[str, Article]:
    out = {}
    for key, title, published, source, text in ARTICLES:
        url = XSS_URL if key == "xss" else f"https://news.example/{key}"
        out[key] = Article.create(text, title=title, published=published, source=source, url=url)
    return out


def positions(arts: dict[str, Article]) -> dict[str, list[Position]]:
    t = {k: a.text for k, a in arts.items()}
    P = Position
    return {
        "a1": [P("Lena Marsh", "talks", "oppose", _ev(t["a1"], "Osvanian President", arts["a1"].id),
                 aliases=("Osvanian President Lena Marsh",), red_line=True,
                 proposition="join talks while Teral troops stay in the basin"),
               P("Omar Vey", "ceasefire", "conditional", _ev(t["a1"], "Teral Chancellor", arts["a1"].id),
                 aliases=("Teral Chancellor Omar Vey",), conditions=("Osvania released the prisoners",),
                 proposition="a ceasefire")],
        "a2": [P("Lena Marsh", "talks", "conditional", _ev(t["a2"], "Osvanian President", arts["a2"].id),
                 aliases=("Osvanian President Lena Marsh",), conditions=("Teral withdrew its troops from the basin",),
                 previous_stance="oppose", proposition="join talks"),
               P("Omar Vey", "territory", "oppose", _ev(t["a2"], "Teral Chancellor", arts["a2"].id),
                 aliases=("Teral Chancellor Omar Vey",), red_line=True,
                 proposition="negotiating the Ardel basin")],
        "a3": [P("Lena Marsh", "ceasefire", "support", _ev(t["a3"], "Lena Marsh", arts["a3"].id),
                 proposition="a ceasefire monitored by observers"),
               P("Omar Vey", "ceasefire", "support", _ev(t["a3"], "Omar Vey", arts["a3"].id),
                 proposition="the monitored ceasefire"),
               P("Teral", "ceasefire", "support", _ev(t["a3"], "The government of Teral", arts["a3"].id),
                 aliases=("The government of Teral",), proposition="the truce")],
        "a4": [P("Lena Marsh", "talks", "support", _ev(t["a4"], "Lena Marsh", arts["a4"].id),
                 proposition="talks before the winter")],
        "xss": [P("Lena Marsh", "trade", "support", _span(t["xss"], "Lena Marsh", "as signed.", arts["xss"].id),
                  proposition="the harbour deal <script>window.__xss=7</script>")],
    }


def build(store, keys: list[str] | None = None) -> dict[str, Article]:
    """Store the invented articles (all, or ``keys``) and their positions; returns the articles."""
    arts = articles()
    pos = positions(arts)
    for k in keys or list(arts):
        store.add_article(arts[k])
        store.save_positions(arts[k].id, "hand", "1", pos[k])
    return arts
