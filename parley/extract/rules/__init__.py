"""The rule-based extractor (0.23): hand-written spaCy components and lexicons.

Kept as ``get_extractor("rules")``: the baseline row (i) of the ablation in
``docs/quality.md``. The default extractor is the learned one (:mod:`parley.extract.learned`).
"""
from .extractor import RulesExtractor

__all__ = ["RulesExtractor"]
