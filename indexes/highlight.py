"""Snippets: the best window of a stored field, HTML-escaped first, matched words then marked.

Done here rather than with whoosh.highlight so that escaping order and the chosen field are ours.
"""
from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from indexes.analysis import TOKEN_PATTERN, folded, stems

SNIPPET_CHARS = 240


@dataclass(frozen=True)
class Marks:
    """What to mark: stems of the query and its expansions, and folded words of exact phrases."""

    stems: frozenset[str]
    words: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.stems or self.words)


_TOKEN = re.compile(TOKEN_PATTERN)


@lru_cache(maxsize=200_000)
def _keys(token: str) -> tuple[str, str, int]:
    """(stem or "", folded word, offset of the word after an elision) of one token, cached:
    analysing whole stored texts per hit would dominate the time of a results page."""
    st = stems(token)
    fo = folded(token)
    word = fo[-1] if fo else ""
    low = token.lower().replace("\u2019", "'")
    cut = low.find("'") + 1 if "'" in low and word and not low.startswith(word) else 0
    return (st[-1] if st else ""), word, cut


def _spans(text: str, marks: Marks) -> list[tuple[int, int, str]]:
    """(start, end, key) of each matched word in ``text``."""
    found = []
    for m in _TOKEN.finditer(text):
        stem, word, cut = _keys(m.group())
        if stem and stem in marks.stems:
            found.append((m.start() + cut, m.end(), stem))
        elif word and word in marks.words:
            found.append((m.start() + cut, m.end(), word))
    return found


def _best_window(spans: list[tuple[int, int, str]], size: int) -> tuple[int, int]:
    """The window of ``size`` chars holding the most distinct matched words (then the most marks)."""
    best = (0, 0, 0)
    for i, (start, _, _) in enumerate(spans):
        keys = set()
        n = 0
        for _, e, k in spans[i:]:
            if e - start > size:
                break
            keys.add(k)
            n += 1
        if (len(keys), n) > best[:2]:
            best = (len(keys), n, start)
    return best[2], best[2] + size


def snippet(texts: Sequence[str], marks: Marks, size: int = SNIPPET_CHARS) -> str:
    """A safe HTML fragment around the matches of the text matching the most distinct query words
    (the first text on ties, or the beginning of the first text when nothing matches)."""
    best_text, best_spans, best_n = texts[0] if texts else "", [], 0
    if marks:
        want = len(marks.stems) + len(marks.words)
        for text in texts:
            spans = _spans(text, marks)
            n = len({k for _, _, k in spans})
            if n > best_n:
                best_text, best_spans, best_n = text, spans, n
            if best_n >= min(want, 3):  # good enough: spare analysing the other texts
                break
    if not best_spans:
        return _clip(best_text, 0, size, [])
    lo, _ = _best_window(best_spans, size)
    start = max(0, lo - size // 5)
    return _clip(best_text, start, start + size, best_spans)


def _clip(text: str, start: int, end: int, spans: list[tuple[int, int, str]]) -> str:
    if start > 0:
        cut = text.rfind(" ", 0, start)
        start = cut + 1 if cut >= 0 and start - cut < 30 else start
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > start else end
    else:
        end = len(text)
    out = ["\u2026 " if start > 0 else ""]
    pos = start
    for s, e, _ in spans:
        if s < pos or e > end:
            continue
        out.append(html.escape(text[pos:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    if end < len(text):
        out.append(" \u2026")
    return "".join(out)
