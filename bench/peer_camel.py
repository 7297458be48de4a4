#!/usr/bin/env python3
"""The Python peer for `marsad scan-text` (docs/PERFORMANCE.md): CAMeL Tools' normalisation
(normalize_unicode, dediac_ar, alef / alef-maksura / teh-marbuta normalisation) and one regex
alternation of the same lexicon terms, normalised the same way. It does less than Marsad: no
joined / skeleton / Arabizi keys, no clitic rules, no contexts, no entities, no language id.

Usage: peer_camel.py LEXICON_DIR < posts.jsonl > matches.jsonl
"""
import csv
import json
import os
import sys

import regex
from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
    normalize_unicode,
)


def norm(s):
    s = normalize_unicode(s)
    s = dediac_ar(s)
    s = normalize_alef_ar(s)
    s = normalize_alef_maksura_ar(s)
    s = normalize_teh_marbuta_ar(s)
    return s.lower()


def main():
    lex_dir = sys.argv[1]
    terms = {}
    for name in sorted(os.listdir(lex_dir)):
        if not name.endswith(".csv"):
            continue
        with open(os.path.join(lex_dir, name), encoding="utf-8") as f:
            for row in csv.DictReader(f):
                t = norm(row["term"]).strip()
                if t:
                    terms.setdefault(t, row["category"])
    alternation = "|".join(regex.escape(t) for t in sorted(terms, key=len, reverse=True))
    pattern = regex.compile(r"(?<!\w)(?:" + alternation + r")(?!\w)")
    out = sys.stdout
    for line in sys.stdin:
        post = json.loads(line)
        text = norm(post["text"])
        matches = [
            {"term": m.group(0), "category": terms[m.group(0)], "start": m.start(), "end": m.end()}
            for m in pattern.finditer(text)
        ]
        out.write(json.dumps({"id": post["id"], "matches": matches}, ensure_ascii=False))
        out.write("\n")


if __name__ == "__main__":
    main()
