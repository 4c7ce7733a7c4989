"""HTML from stored text: escaped, then only our own tags; the snippet cache never changes the answer."""
from __future__ import annotations

from kb.web import render
from kb.web.render import SnippetCache, paragraphs


def test_snippets_keep_marks_only_in_order_with_repeats_and_cache_hits() -> None:
    cache = SnippetCache(size=2)
    pages = ["un <mark>policier</mark> demande", "<script>alert(1)</script><mark>x</mark>",
             'voir <a href="javascript:x">ici</a>', "un <mark>policier</mark> demande"]
    first = cache.clean(pages)
    assert [str(s) for s in first] == ["un <mark>policier</mark> demande", "alert(1)<mark>x</mark>",
                                       "voir ici", "un <mark>policier</mark> demande"]
    assert len(cache._cleaned) == 2  # bounded: the oldest entries leave first
    assert [str(s) for s in cache.clean(pages[::-1])] == [str(s) for s in first[::-1]]


def test_a_typed_separator_falls_back_to_one_call_each() -> None:
    sneaky = f"avant{render._SEPARATOR}après <b>gras</b>"
    assert [str(s) for s in SnippetCache().clean([sneaky, "<mark>ok</mark>"])] == [
        f"avant{render._SEPARATOR}après gras", "<mark>ok</mark>"]


def test_paragraphs_escape_before_adding_tags() -> None:
    assert str(paragraphs("a <img src=x onerror=alert(1)>\n\nb\nc")) == "<p>a &lt;img src=x onerror=alert(1)&gt;</p><p>b<br>c</p>"
