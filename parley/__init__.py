"""Parley: a citable, time-stamped ledger of negotiating positions from the news."""
from .errors import ParleyError
from .model import Actor, Article, Evidence, Position, Shift

__version__ = "0.1.0"

__all__ = ["Actor", "Article", "Evidence", "ParleyError", "Position", "Shift", "__version__"]
