"""Plain-text helpers every format shares: cleaning stored text, paragraphs, sentences, French labels.

Each renderer (Markdown, DOCX, PDF) escapes for its own syntax; what is said, and in which words, is
decided here once so the three formats never drift apart.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from frenchtext.sentences import split_sentences as sentences_of

from .models import PARTICIPANTS, TRAINER, HandoutCase, ReportEntry

SITUATION = "Situation"
OPINION = "Avis du bureau"
LEGAL_REFS = "Références légales"
NOTE = "Note du formateur"
QUESTIONS = "Questions pour la discussion"
CONTENTS = "Cas présentés"
REPORT_SECTION = "Les avis rendus, regroupés par thème"
NO_OPINION = "Sans avis"  # a case approved on purpose without the bureau's opinion
NO_THEME = "Autres questions"
UNTITLED = "Sans titre"
AUDIENCE_LABELS = {PARTICIPANTS: "Document pour les participants", TRAINER: "Document du formateur"}
AUDIENCE_NOTES = {PARTICIPANTS: "", TRAINER: "Contient les notes du formateur et l’avis du bureau : à ne pas distribuer."}
# The sections of a case, in reading order. Participants read the situation and discuss the questions
# before they see the bureau's opinion (when the trainer hands it out at all).
SECTION_ORDER = {
    TRAINER: ("situation", "opinion", "legal_refs", "note", "questions"),
    PARTICIPANTS: ("situation", "questions", "opinion", "legal_refs"),
}

# C0/C1 controls, lone surrogates and non-characters: invalid in XML (DOCX) and meaningless in print.
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")
_SPACES = re.compile(r"\s+")


def clean_text(text: str | None) -> str:
    """Normalise newlines and accents (NFC), drop characters no document format can hold."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n").replace("\t", " ")
    return unicodedata.normalize("NFC", _INVALID.sub("", text))


def one_line(text: str | None) -> str:
    """A title, label or reference on a single line: any run of whitespace becomes one space."""
    return _SPACES.sub(" ", clean_text(text)).strip()


def paragraphs(text: str | None) -> list[str]:
    """Blank-line separated blocks; single newlines stay inside a block (addresses, lists the author typed)."""
    blocks = _BLANK_LINE.split(clean_text(text))
    result = []
    for block in blocks:
        lines = [" ".join(line.split()) for line in block.split("\n")]
        joined = "\n".join(line for line in lines if line)
        if joined:
            result.append(joined)
    return result


def items(values: Iterable[str] | None) -> list[str]:
    """Non-empty list entries (themes, legal references, questions) on one line each."""
    return [v for v in (one_line(x) for x in (values or ())) if v]


# --- sentences ---------------------------------------------------------------------------------------

def split_sentences(text: str | None) -> list[str]:
    """Sentences of a French text; paragraph breaks always end a sentence.

    Copes with the abbreviations of the bureau's texts ("art. 458", "M. X", "Mme", "n°", "c.-à-d.",
    "C.P.A.S.", "Cass.") by not splitting after them, and only splits before a capital letter.
    """
    return [s for block in paragraphs(text) for s in sentences_of(" ".join(block.split()))]


def _shorten(text: str, max_chars: int) -> str:
    """Cut at a word boundary and mark the cut, for a sentence too long to quote whole."""
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - 1].rsplit(" ", 1)[0].rstrip(" ,;:–-")
    return cut + "…"


def lead_sentences(text: str | None, max_sentences: int, max_chars: int) -> str:
    """The first sentences of a text, as many as fit in max_chars (always at least a shortened first one)."""
    sentences = split_sentences(text)[:max_sentences]
    if not sentences:
        return ""
    kept = sentences[0]
    for sentence in sentences[1:]:
        if len(kept) + 1 + len(sentence) > max_chars:
            break
        kept = f"{kept} {sentence}"
    return _shorten(kept, max_chars)


def summarize_case(
    situation: str, opinion: str, max_sentences: int = 2, *, max_chars: int = 600
) -> tuple[str, str]:
    """Default report summary when the bureau wrote none: the opening sentences of situation and opinion.

    Returns (summary, advice). The texts usually open with the facts and the bureau's main point, so the
    first sentences are the best cheap summary; max_chars keeps one run-on sentence from filling a page.
    """
    if max_sentences < 1:
        raise ValueError("max_sentences must be at least 1")
    if max_chars < 20:
        raise ValueError("max_chars must be at least 20")
    return (
        lead_sentences(situation, max_sentences, max_chars),
        lead_sentences(opinion, max_sentences, max_chars),
    )


# --- wording shared by the formats -------------------------------------------------------------------


def case_meta(case: HandoutCase) -> str:
    """'Réf. X · 2019 · Thèmes : a, b' — what identifies a case on a handout, without any person."""
    parts = [f"Réf. {one_line(case.ref)}"] if one_line(case.ref) else []
    if case.year is not None:
        parts.append(str(case.year))
    themes = items(case.themes)
    if themes:
        parts.append(("Thème : " if len(themes) == 1 else "Thèmes : ") + ", ".join(themes))
    return " · ".join(parts)


def title_of(text: str | None) -> str:
    """A heading never comes out empty."""
    return one_line(text) or UNTITLED


def check_period(period: tuple[int, int]) -> tuple[int, int]:
    """A report covers whole years, first ≤ last."""
    first, last = period
    if first > last:
        raise ValueError("period must be (first_year, last_year) with first_year <= last_year")
    return int(first), int(last)


def period_label(period: tuple[int, int]) -> str:
    """'Année 2023' or 'Années 2021 à 2023', under the report's title."""
    first, last = check_period(period)
    return f"Année {first}" if first == last else f"Années {first} à {last}"


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def report_intro(period: tuple[int, int], entries: list[ReportEntry]) -> str:
    """The sentence opening the section: how many opinions, over which years, in how many themes."""
    first, last = check_period(period)
    when = f"en {first}" if first == last else f"de {first} à {last}"
    if not entries:
        return f"Aucun avis n’a été rendu {when}."
    cases = len({one_line(e.ref) for e in entries if not e.no_opinion})
    without = len({one_line(e.ref) for e in entries if e.no_opinion})
    themes = len(group_by_theme(entries))
    grouped = f"regroupés ci-dessous en {_plural(themes, 'thème', 'thèmes')}"
    if not without:
        return f"Le bureau a rendu {_plural(cases, 'avis', 'avis')} {when}, {grouped}."
    rest = f"{_plural(without, 'situation est restée', 'situations sont restées')} {NO_OPINION.lower()}"
    if not cases:
        return f"Le bureau n’a rendu aucun avis {when} : {rest}, {grouped.replace('regroupés', 'regroupées')}."
    return f"Le bureau a rendu {_plural(cases, 'avis', 'avis')} {when} et {rest}, {grouped}."


def group_by_theme(entries: Iterable[ReportEntry]) -> list[tuple[str, list[ReportEntry]]]:
    """Entries under their theme, themes in the order of their first appearance, entries in given order."""
    groups: dict[str, list[ReportEntry]] = {}
    for entry in entries:
        groups.setdefault(one_line(entry.theme_label) or NO_THEME, []).append(entry)
    return list(groups.items())


def _sentence(text: str) -> str:
    """A summary read in running prose ends with punctuation."""
    text = " ".join(clean_text(text).split())
    return text if not text or text[-1] in ".!?…»”)" else text + "."


def entry_parts(entry: ReportEntry) -> tuple[str, str]:
    """(lead, body) of a report paragraph: 'Réf. X (2021).' then the situation and the advice."""
    ref = one_line(entry.ref)
    lead = f"Réf. {ref}" if ref else ""
    if entry.year is not None:
        lead = f"{lead} ({entry.year})" if lead else str(entry.year)
    advice = f"{NO_OPINION}." if entry.no_opinion else _sentence(entry.advice)
    body = " ".join(s for s in (_sentence(entry.summary), advice) if s)
    return (lead + "." if lead else ""), body


def audience_line(audience: str) -> str:
    """'Document pour les participants' or 'Document du formateur — …', under a handout's title."""
    note = AUDIENCE_NOTES[audience]
    return f"{AUDIENCE_LABELS[audience]} — {note}" if note else AUDIENCE_LABELS[audience]


def slug(text: str | None, max_length: int = 60) -> str:
    """A file name part from a title: lower-case words joined by '-', accents kept ('éthique')."""
    words = re.findall(r"[^\W_]+", one_line(text).lower())
    joined = "-".join(words)[:max_length].strip("-")
    return joined or "sans-titre"


_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l"})


def ascii_slug(text: str | None, max_length: int = 60) -> str:
    """The same slug in ASCII letters only, for the plain filename= of a download."""
    folded = unicodedata.normalize("NFKD", slug(text, max_length).translate(_LIGATURES))
    ascii_only = re.sub(r"[^a-z0-9-]+", "", folded.encode("ascii", "ignore").decode())
    return re.sub(r"-{2,}", "-", ascii_only).strip("-") or "sans-titre"
