"""Subprocesses of a sabotaged test run get the same sabotaged extractors (see sabotage.py)."""
import os

if os.environ.get("PARLEY_SABOTAGE"):
    import sabotage

    sabotage.install()
