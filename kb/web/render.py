"""Turning stored text into HTML: escape, then add only the few tags we put there ourselves (bleach)."""
from __future__ import annotations

import re
import secrets
import threading
from collections import OrderedDict
from functools import lru_cache

import bleach
from flask import Flask
from markupsafe import Markup, escape

SNIPPET_TAGS = {"mark"}
TEXT_TAGS = {"p", "br"}
PLACEHOLDER = re.compile(r"\[[A-ZÀ-Ýa-zà-ÿ][^\[\]\n]{0,40}\]")


def clean(html: str, tags: set[str]) -> Markup:
    return Markup(bleach.clean(html, tags=tags, attributes={}, strip=True))


@lru_cache(maxsize=512)
def paragraphs(text: str) -> Markup:
    """Stored plain text as paragraphs; the text is escaped before any tag is added."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text or "") if b.strip()]
    html = "".join(f"<p>{escape(b)}</p>".replace("\n", "<br>") for b in blocks)
    return clean(html, TEXT_TAGS)


def snippet(html: str) -> Markup:
    """Index snippets are escaped text with <mark> around matches; keep nothing else."""
    return clean(html or "", SNIPPET_TAGS)


def marked(text: str) -> Markup:
    """Anonymised text with each placeholder marked, for the reviewer's eye (escaped first)."""
    escaped = str(escape(text or ""))
    html = PLACEHOLDER.sub(lambda m: f'<mark class="placeholder">{m.group(0)}</mark>', escaped)
    html = "".join(f"<p>{b.strip()}</p>".replace("\n", "<br>") for b in re.split(r"\n\s*\n", html) if b.strip())
    return Markup(bleach.clean(html, tags=TEXT_TAGS | SNIPPET_TAGS, attributes={"mark": ["class"]}, strip=True))


class SnippetCache:
    """Cleaned snippets of recent result pages (paging back, a repeated or popular query): bleach's
    HTML parser is the largest cost of a results page. Bounded, in memory, anonymised text only."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._cleaned: OrderedDict[str, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def clean(self, htmls: list[str]) -> list[Markup]:
        htmls = [h or "" for h in htmls]
        with self._lock:
            known = {h: self._cleaned[h] for h in htmls if h in self._cleaned}
        missing = [h for h in dict.fromkeys(htmls) if h not in known]
        known.update(zip(missing, _clean_together(missing)))
        with self._lock:
            for h in missing:
                self._cleaned[h] = known[h]
            while len(self._cleaned) > self.size:
                self._cleaned.popitem(last=False)
        return [known[h] for h in htmls]


def _clean_together(htmls: list[str]) -> list[Markup]:
    """Many snippets through bleach in one call (its HTML parser costs ~2 ms a call, whatever the
    length), cut apart again at a separator nobody can type: a per-process random token."""
    if not htmls:
        return []
    cleaned = bleach.clean(_SEPARATOR.join(htmls), tags=SNIPPET_TAGS, attributes={}, strip=True)
    parts = cleaned.split(_SEPARATOR)
    if len(parts) != len(htmls):  # the separator was typed after all: fall back to one call each
        return [snippet(h) for h in htmls]
    return [Markup(p) for p in parts]


snippets = SnippetCache().clean
_SEPARATOR = f"\u2063{secrets.token_hex(8)}\u2063"


def register_filters(app: Flask) -> None:
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["snippet"] = snippet
    app.jinja_env.filters["marked"] = marked
