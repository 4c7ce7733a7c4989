"""Markdown versions of handouts and annual reports (CommonMark / GFM).

Stored text is data, never markup: every character that could start a link, an image, raw HTML, code or
emphasis is escaped, so a case text like `[clic](javascript:…)` or `<script>` renders as those characters.
`<`, `>` and `&` become entities rather than backslash escapes because every Markdown dialect honours
entities, while some (Python-Markdown) would pass `\\<script>` through as HTML.
"""
from __future__ import annotations

import re

from . import text as t
from .models import Handout, HandoutCase, ReportEntry

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ANYWHERE = re.compile(r"[\\`*_\[\]#~|&<>]")
# Block constructs that only count at the start of a line: lists, setext underlines, quotes.
_LINE_START = re.compile(r"^([-+=])|^(\d+)([.)])", re.MULTILINE)


def _escape_char(match: re.Match[str]) -> str:
    char = match.group(0)
    return _ENTITIES.get(char, "\\" + char)


def _escape_line_start(match: re.Match[str]) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return f"{match.group(2)}\\{match.group(3)}"


def escape(text: str) -> str:
    """Make stored text literal in Markdown; newlines are left for the caller to turn into breaks."""
    return _LINE_START.sub(_escape_line_start, _ANYWHERE.sub(_escape_char, text))


def inline(text: str | None) -> str:
    """One escaped line, for headings, list items and references."""
    return escape(t.one_line(text))


def block(text: str | None) -> str:
    """Escaped paragraphs; a single newline the author typed stays a line break (backslash break)."""
    return "\n\n".join(escape(p).replace("\n", "\\\n") for p in t.paragraphs(text))


def _section(heading: str, body: str) -> list[str]:
    return [f"### {heading}", "", body, ""] if body else []


def _numbered(values: list[str]) -> str:
    return "\n".join(f"{i}. {inline(v)}" for i, v in enumerate(values, 1))


def _bulleted(values: list[str]) -> str:
    return "\n".join(f"- {inline(v)}" for v in values)


def _case(case: HandoutCase, audience: str) -> list[str]:
    """One case: heading, identification line, then its sections in the audience's reading order."""
    lines = [f"## {inline(t.title_of(case.title))}", ""]
    meta = t.case_meta(case)
    if meta:
        lines += [f"*{escape(meta)}*", ""]
    sections = {
        "situation": lambda: _section(t.SITUATION, block(case.situation)),
        "opinion": lambda: _section(t.OPINION, block(case.opinion)),
        "legal_refs": lambda: _section(t.LEGAL_REFS, _bulleted(t.items(case.legal_refs))),
        "note": lambda: _section(t.NOTE, block(case.note)),
        "questions": lambda: _section(t.QUESTIONS, _numbered(t.items(case.questions))),
    }
    for key in t.SECTION_ORDER[audience]:
        lines += sections[key]()
    return lines


def handout_markdown(handout: Handout) -> str:
    """The selection as one Markdown file: title, description, then each case separated by a rule."""
    lines = [f"# {inline(t.title_of(handout.title))}", "", f"*{escape(t.audience_line(handout.audience))}*", ""]
    description = block(handout.description)
    if description:
        lines += [description, ""]
    for case in handout.cases:
        lines += ["---", ""] + _case(case, handout.audience)
    return "\n".join(lines).rstrip("\n") + "\n"


def annual_report_markdown(title: str, period: tuple[int, int], entries: list[ReportEntry]) -> str:
    """The report's section 'Les avis rendus, regroupés par thème': a heading per theme, a paragraph per case."""
    lines = [f"# {inline(t.title_of(title))}", "", f"*{escape(t.period_label(period))}*", ""]
    lines += [f"## {t.REPORT_SECTION}", "", escape(t.report_intro(period, entries)), ""]
    for theme, group in t.group_by_theme(entries):
        lines += [f"### {inline(theme)}", ""]
        for entry in group:
            lead, body = t.entry_parts(entry)
            paragraph = " ".join(p for p in (f"**{inline(lead)}**" if lead else "", inline(body)) if p)
            lines += [paragraph, ""]
    return "\n".join(lines).rstrip("\n") + "\n"
