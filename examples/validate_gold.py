#!/usr/bin/env python3
"""Check examples/gold/*.json against the dev-set schema and the demo articles.

Usage: python examples/validate_gold.py [GOLD_DIR]

Checks (the same rules as shared/data/dev/README.md "Validation", plus a
cross-check with the source files in examples/demo/):
  * exact key sets, labels in the allowed sets, published YYYY-MM-DD or null;
  * `text` equals the article body as stored in its origin file (when that is a local file)
    (.jsonl: the record's `text`; .txt: everything after the title line and the
    blank line, trailing newline stripped; .html: the <article> <p> texts joined with "\n");
  * evidence is a verbatim substring of text and does not cross a paragraph break;
  * every condition and alias is verbatim in text, the actor occurs in text or title;
  * conditional <=> non-empty conditions, red_line is a bool;
  * no duplicate (actor, issue, stance); 3-8 positions per article.
Only the standard library is used. Exit status 1 when anything fails.
"""
from __future__ import annotations

import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ISSUES = {"talks", "ceasefire", "territory", "security_guarantees", "support", "sanctions", "prisoners",
          "withdrawal", "nuclear", "trade", "governance", "accountability", "other"}
STANCES = {"support", "oppose", "conditional", "mixed"}
TOP_KEYS = {"id", "title", "url", "source", "published", "origin", "text", "positions"}
POS_KEYS = {"actor", "aliases", "issue", "proposition", "stance", "conditions", "red_line",
            "previous_stance", "evidence"}
POS_OPTIONAL = {"previous_note"}


class _ArticleParagraphs(HTMLParser):
    """Collects the text of <p> elements inside <article>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_article = 0
        self.in_p = False
        self.buf: list[str] = []
        self.paras: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.in_article += 1
        elif tag == "p" and self.in_article:
            self.in_p, self.buf = True, []

    def handle_endtag(self, tag):
        if tag == "article":
            self.in_article -= 1
        elif tag == "p" and self.in_p:
            self.in_p = False
            self.paras.append(" ".join("".join(self.buf).split()))

    def handle_data(self, data):
        if self.in_p:
            self.buf.append(data)


def source_text(origin: str, gid: str) -> str | None:
    path = REPO / origin
    if not path.exists():
        return None
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        for line in raw.splitlines():
            if line.strip():
                rec = json.loads(line)
                if rec.get("id") == gid:
                    return rec["text"]
        return None
    if path.suffix == ".txt":
        _title, sep, body = raw.partition("\n\n")
        return body.rstrip("\n") if sep else None
    if path.suffix in {".html", ".htm"}:
        p = _ArticleParagraphs()
        p.feed(raw)
        return "\n".join(p.paras)
    return None


def check(path: Path) -> tuple[list[str], list[str]]:
    errors: list[str] = []
    warnings: list[str] = []
    d = json.loads(path.read_text(encoding="utf-8"))
    if set(d) != TOP_KEYS:
        errors.append(f"top-level keys {sorted(set(d) ^ TOP_KEYS)}")
    text, title = d.get("text", ""), d.get("title") or ""
    pub = d.get("published")
    if pub is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", pub):
        errors.append(f"published {pub!r}")
    origin = d.get("origin") or ""
    src = source_text(origin, d.get("id"))
    if src is None:
        if origin and (REPO / origin).exists():
            errors.append(f"origin {origin!r}: article not found in it")
        else:
            warnings.append(f"origin {origin!r} is not a local file; text not cross-checked")
    elif src != text:
        errors.append("text differs from the origin file's body")
    positions = d.get("positions", [])
    if not 3 <= len(positions) <= 8:
        warnings.append(f"{len(positions)} positions (expected 3-8)")
    seen = set()
    for i, p in enumerate(positions):
        tag = f"#{i} {p.get('actor')}/{p.get('issue')}/{p.get('stance')}"
        keys = set(p)
        if not POS_KEYS <= keys or keys - POS_KEYS - POS_OPTIONAL:
            errors.append(f"{tag}: keys {sorted(keys ^ POS_KEYS)}")
        if p.get("issue") not in ISSUES:
            errors.append(f"{tag}: issue")
        if p.get("stance") not in STANCES:
            errors.append(f"{tag}: stance")
        if p.get("previous_stance") not in STANCES | {None}:
            errors.append(f"{tag}: previous_stance")
        if not isinstance(p.get("red_line"), bool):
            errors.append(f"{tag}: red_line not bool")
        conds = p.get("conditions", [])
        if (p.get("stance") == "conditional") != bool(conds):
            errors.append(f"{tag}: conditional <=> conditions")
        for c in conds:
            if c not in text:
                warnings.append(f"{tag}: condition not verbatim: {c!r}")
        ev = p.get("evidence", "")
        if ev not in text:
            errors.append(f"{tag}: evidence not verbatim: {ev[:60]!r}")
        elif "\n" in ev:
            errors.append(f"{tag}: evidence crosses a paragraph break")
        for c in conds:
            if c in text and c not in ev:
                warnings.append(f"{tag}: condition not in the evidence sentence: {c!r}")
        for a in p.get("aliases", []):
            if a not in text:
                errors.append(f"{tag}: alias not in text: {a!r}")
        if p.get("actor", "") not in text and p.get("actor", "") not in title:
            errors.append(f"{tag}: actor not in text or title")
        key = (p.get("actor"), p.get("issue"), p.get("stance"))
        if key in seen:
            errors.append(f"{tag}: duplicate (actor, issue, stance)")
        seen.add(key)
    return errors, warnings


def main(argv: list[str]) -> int:
    gold_dir = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent / "gold"
    files = sorted(gold_dir.glob("*.json"))
    failing = n_pos = 0
    for f in files:
        errors, warnings = check(f)
        n_pos += len(json.loads(f.read_text(encoding="utf-8"))["positions"])
        for e in errors:
            print(f"ERROR {f.name}: {e}")
        for w in warnings:
            print(f"warning {f.name}: {w}")
        failing += bool(errors)
    print(f"{len(files)} files, {n_pos} positions, {failing} failing")
    return 1 if failing or not files else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
