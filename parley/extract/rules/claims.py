"""The per-sentence record the components fill in, and the Doc extensions that hold it."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from spacy.tokens import Doc, Token

from ...model import Stance


def head_chain(tok: Token, limit: int) -> Iterator[Token]:
    """``tok`` and its heads upwards, at most ``limit`` tokens, ending at the root."""
    for _ in range(limit):
        yield tok
        if tok.head.i == tok.i:
            return
        tok = tok.head


#: what a mention names: a person, an organisation, a state, a named group, a description of a
#: party ("the unions"), a name the recogniser could not type ("name"), or a pronoun
MentionKind = Literal["person", "org", "state", "group", "description", "name", "pronoun"]
#: how a claim was found: a reporting verb ("said"), a stance verb ("rejected"), a stance adjective
#: ("willing to"), "according to" / "for X" frames, a quotation, a mixed-view phrase, a proposal noun
ClaimKind = Literal["report", "stance", "adjective", "for", "quote", "mixed", "noun"]
#: one cue found in a sentence: (family, matched text, token start, token end, extra): the extra is
#: the polarity of a red line or shift ("support" | "oppose" | None), a condition marker's keep flag
Cue = tuple[str, str, int, int, "str | bool | None"]


@dataclass
class Mention:
    """A span naming a possible actor (``kind``: :data:`MentionKind`)."""

    start: int            # token offsets in the Doc
    end: int
    text: str
    kind: MentionKind
    principal: str | None = None   # "Iran's Foreign Ministry" -> "Iran"; "May's spokesman" -> "May"
    affiliation: str | None = None  # "Ukrainian President X" -> "Ukrainian"
    plural: bool = False
    named: bool = True              # a group phrase with a proper noun/nationality/number in it
    commentator: bool = False       # an analyst or correspondent, not a party


@dataclass
class Claim:
    """One attributed statement in a sentence, filled step by step by the components."""

    holder: Mention | None
    cue: str                      # the cue that fired (lemma or phrase)
    cue_i: int                    # token index of the cue
    kind: ClaimKind
    polarity: str | None = None   # support | oppose from the cue itself, None when neutral
    content: tuple[int, int] | None = None   # token span of what the stance is about
    speaker: str | None = None    # who uttered it when relayed for a principal
    issue: str | None = None
    issues: list[str] = field(default_factory=list)
    issue_scores: dict[str, float] = field(default_factory=dict)
    proposition: str = ""
    stance: Stance | None = None
    conditions: list[str] = field(default_factory=list)
    red_line: bool = False
    previous_stance: Stance | None = None
    confidence: float = 0.5
    condition_spans: list[tuple[int, int]] = field(default_factory=list)  # token ranges of the conditions
    topical: int = 0              # generic agreement words ("the deal") that take the article's topic
    issue_hit: bool = False       # the content itself named an issue of the taxonomy
    embedded: bool = False        # named inside another holder's statement ("A rejected B's demand")
    historical: bool = False      # a dated past act ("in 2011", "six months ago"): an earlier stance only


def register_extensions() -> None:
    """Doc._.parley_mentions / parley_claims / parley_cues (idempotent)."""
    for name in ("parley_mentions", "parley_claims", "parley_cues"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
