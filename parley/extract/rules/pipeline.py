"""Build the spaCy pipeline: the configured model plus the parley_* components."""
from __future__ import annotations

import spacy
from spacy.language import Language

from ...config import settings
from ...errors import ExtractError

# importing the modules registers their factories
from . import actors, attribution, conditions, cues, issue, redline, shift, stance  # noqa: F401

COMPONENTS = ("parley_cues", "parley_actors", "parley_attribution", "parley_conditions",
              "parley_issue", "parley_stance", "parley_redline", "parley_shift")


def build_pipeline(taxonomy: str | None = None, model: str | None = None) -> Language:
    """A fresh pipeline: the spaCy model's components followed by Parley's."""
    model = model or settings().spacy_model
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ExtractError("E301", model=model) from exc
    add_components(nlp, taxonomy)
    return nlp


def add_components(nlp: Language, taxonomy: str | None = None) -> Language:
    """Append the parley_* components to ``nlp`` (which must tag, parse and find entities)."""
    for name in COMPONENTS:
        cfg = {"taxonomy": taxonomy} if name == "parley_issue" else {}
        nlp.add_pipe(name, config=cfg)
    return nlp
