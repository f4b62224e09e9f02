"""Text spans a position shows: its condition spans and its proposition, as whole phrases.

* :func:`condition_spans` turns the sentence's ``condition`` pattern matches (``patterns/
  conditions.yml``) into :class:`ConditionSpan` s: the clause's subtree, the introducing marker
  left out unless the row keeps it ("unless", "until"), a leading "only" dropped. Whether a
  span is a condition of a given position is a learned decision (:mod:`.heads`); the span's
  facts are its features (:func:`condition_features`).
* :func:`proposition` is what the stance is about: the holder's predicate with its object or
  complement, cut at phrase boundaries (a relative clause or a prepositional phrase goes whole,
  never a word in the middle), condition clauses left out.
"""
from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Token

from .matching import Match

MAX_PROPOSITION_TOKENS = 16
#: words a cut condition can leave at the end of a proposition ("... for transferred staff as long")
_DROP_TAIL = {"as", "long", "so", "provided", "providing", "unless", "once", "until", "when", "while", "because",
              "after", "before", "on", "the", "a", "an", "of", "to", "with", "for"}
_DROP_EDGE = {"only", "even", "just", ",", ";", ":", "-", "\u2014", "\u2013", "and", "but", "or", "that", "if"}


@dataclass(frozen=True)
class ConditionSpan:
    label: str
    start: int            # token offsets in the sentence doc
    end: int
    marker: int           # the marker token's index
    clause: int           # the clause head's index
    outer: tuple[int, int] = (0, 0)   # marker and clause together: what a proposition leaves out

    def text(self, doc: Doc) -> str:
        return doc[self.start:self.end].text


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    while start < end and (doc[start].is_punct or doc[start].lower_ in _DROP_EDGE or doc[start].is_space):
        start += 1
    while end > start and ((doc[end - 1].is_punct and doc[end - 1].text not in ")\u201d\"'") or doc[end - 1].is_space
                           or doc[end - 1].lower_ in _DROP_EDGE):
        end -= 1
    return start, end


def condition_spans(doc: Doc, matches: list[Match]) -> list[ConditionSpan]:
    """Condition spans of a sentence, one per (clause), longest match first; overlapping duplicates dropped."""
    out: list[ConditionSpan] = []
    seen: set[tuple[int, int]] = set()
    for m in matches:
        if m.action != "condition" or "clause" not in m.nodes:
            continue
        clause = doc[m.nodes["clause"]]
        marker = doc[m.nodes["marker"]] if "marker" in m.nodes else clause
        toks = sorted({t.i for t in clause.subtree})
        if not m.keep_marker:
            drop = {marker.i} | {t.i for t in marker.subtree if t.i < clause.left_edge.i} if marker.i != clause.i else set()
            drop |= {c.i for c in clause.children if c.dep_ == "mark" and c.i < clause.i}
            toks = [t for t in toks if t not in drop or marker.lower_ in ("unless", "until", "till")]
        elif marker.i not in toks:
            toks = sorted(set(toks) | {marker.i})
        if not toks:
            continue
        start, end = _trim(doc, toks[0], toks[-1] + 1)
        if end - start < 1 or (start, end) in seen:
            continue
        seen.add((start, end))
        every = [t.i for t in clause.subtree] + [marker.i]
        if "only" in m.nodes:
            every.append(m.nodes["only"])
        out.append(ConditionSpan(m.label, start, end, marker.i, clause.i, (min(every), max(every) + 1)))
    return out


def condition_features(span: ConditionSpan, doc: Doc, pred: Token | None, holder: tuple[int, int] | None) -> list[str]:
    """Facts about one condition span relative to a position's predicate and holder."""
    f = [f"c_label={span.label}", f"c_marker={doc[span.marker].lower_}", f"c_len={min((span.end - span.start) // 4, 5)}",
         "c_bias"]
    clause = doc[span.clause]
    if pred is not None:
        anc = {a.i for a in clause.ancestors}
        f.append(f"c_under_pred={pred.i in anc or clause.i == pred.i}")
        f.append(f"c_head_is_pred={clause.head.i == pred.i}")
        f.append(f"c_after_pred={span.start > pred.i}")
        f.append(f"c_dep={clause.dep_}")
        f.append(f"c_headpos={clause.head.pos_}")
    if holder is not None:
        f.append(f"c_holder_inside={holder[0] >= span.start and holder[1] <= span.end}")
    if doc[span.marker].lower_ in ("when", "after", "once", "before") and clause.tag_ in ("VBD", "VBN"):
        f.append("c_past_clause")
    if any(t.lower_ in ("ask", "asked", "wonder", "wondered", "whether") for t in doc[max(0, span.start - 3):span.start]):
        f.append("c_question_like")
    return f


# ------------------------------------------------------------------------------- propositions

def _phrase(tok: Token, drop: set[int]) -> list[int]:
    """The token's subtree minus dropped tokens; too long: trailing modifiers removed whole."""
    toks = sorted(t.i for t in tok.subtree if t.i not in drop)
    if len(toks) <= MAX_PROPOSITION_TOKENS:
        return toks
    # remove right-hand dependents (relative clauses, prepositional phrases, appositions) whole,
    # the farthest first, until the phrase fits
    removable = sorted((c for c in tok.subtree if c.head.i in toks and c.i > tok.i
                        and c.dep_ in ("relcl", "acl", "prep", "appos", "advcl", "conj", "cc", "punct", "ccomp", "npadvmod")),
                       key=lambda c: -c.i)
    kept = set(toks)
    for c in removable:
        if len(kept) <= MAX_PROPOSITION_TOKENS:
            break
        kept -= {t.i for t in c.subtree}
    return sorted(kept)


def proposition(doc: Doc, pred: Token | None, conditions: list[ConditionSpan], holder: tuple[int, int] | None) -> str:
    """What the stance is about, as a whole phrase of the sentence (module docstring)."""
    if pred is None:            # no content predicate found: the sentence's main clause
        roots = [t for t in doc if t.dep_ == "ROOT"]
        if not roots:
            return ""
        pred = roots[0]
    # a preposition or a noun is no predicate ("... a strike at Corvane Air": the holder's head is
    # "at"): the clause it belongs to is
    while pred.pos_ not in ("VERB", "AUX", "ADJ") and pred.dep_ != "ROOT" and pred.head is not pred:
        pred = pred.head
    drop: set[int] = set()
    for c in conditions:
        if c.outer[0] <= pred.i < c.outer[1]:     # the holder's own clause is never a condition of it
            continue
        drop |= set(range(*c.outer))
        if c.outer[0] > 0 and doc[c.outer[0] - 1].lower_ in ("only", ",", "but"):
            drop.add(c.outer[0] - 1)
    if holder is not None:
        drop |= set(range(holder[0], holder[1]))
    # the predicate's whole clause (its subject too, unless that is the holder): "longer shifts
    # were needed to restore the timetable", "would accept automation", not "longer shifts"
    toks = _phrase(pred, drop)
    head_words = [pred.i] if pred.i not in drop else []
    ids = sorted(set(toks) | set(head_words))
    if not ids:
        return ""
    # contiguous runs only: a gap means a dropped clause; keep the longest run that holds the head
    runs: list[list[int]] = [[ids[0]]]
    for i in ids[1:]:
        if i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    # the text shown is always one stretch of the sentence: the longest run, joined with its
    # neighbours across gaps of at most two dropped tokens (an adverb, "only", a comma)
    best = max(runs, key=len)
    if head_words:
        best = next(r for r in runs if head_words[0] in r)
    k = runs.index(best)
    lo, hi = best[0], best[-1]
    for r in runs[k + 1:]:
        if r[0] - hi > 3:
            break
        hi = r[-1]
    for r in reversed(runs[:k]):
        if lo - r[-1] > 3:
            break
        lo = r[0]
    text = _clean_edges(doc[lo:hi + 1].text)
    if len(text.split()) < 2 and len(runs) > 1:      # a head word alone: the longest run instead
        longest = max(runs, key=len)
        text = _clean_edges(doc[longest[0]:longest[-1] + 1].text) or text
    return text


def _clean_edges(text: str) -> str:
    words = text.split()
    while words and (words[0].lower() in _DROP_EDGE or words[0] in "\"\u201c\u201d'"):
        words = words[1:]
    while words and (words[-1].lower() in _DROP_EDGE | _DROP_TAIL or words[-1] in "\"\u201c\u201d',;:"):
        words = words[:-1]
    return balance_quotes(" ".join(words).strip(" ,;:"))


def balance_quotes(text: str) -> str:
    """Drop quotation marks that a cut left unpaired ("the plan is “dead" -> "the plan is dead")."""
    if text.count("\u201c") != text.count("\u201d"):
        text = text.replace("\u201c", "").replace("\u201d", "")
    if text.count('"') % 2:
        text = text.replace('"', "")
    return " ".join(text.split())

