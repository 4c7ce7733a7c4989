"""Turn a committee activity report into draft cases: one draft per opinion listed under a theme heading.

Reports are PDFs whose text we extract, so the parser relies only on layout cues that survive extraction,
never on a given report's sentences:

- the opinions section is a run of short heading lines (a theme name, the same numbering style for all),
  each followed by a list of items; of such runs, the one whose items read most like opinions (someone
  asks: a question, "se demande", "s'interroge"; the bureau answers: "nous avons conseillé", "le
  bureau", "avis"), less those that read like trainings or meetings given ("Formation de deux jours...",
  "nous avons animé une formation", "24 participants"), then the one whose headings best match the known
  themes: a list of trainings under theme headings has the section's shape, not its content. The run
  stops at the first heading that breaks the pattern (another numbering style, or, under a heading that
  names no known theme, prose instead of a list or a list of trainings);
- items start with a bullet glyph (o, •, ➢, ü, Ø, -, numbers...) or, in reports without bullets, are
  paragraphs separated by blank lines; lines of an item broken by the PDF (even across a blank line or a
  page number) are joined, words hyphenated at a line end are mended;
- page numbers and running headers/footers (short lines repeated on many pages) are dropped first.

Pure functions over text, no database and no spaCy: the CLI and the web layer build cases from the drafts.
A report is untrusted input, so reading is bounded (pages, content, text, opinions); the app runs it in
a child process limited in time and memory (kb.report_sandbox).
"""
from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from frenchtext.folding import strip_accents
from frenchtext.sentences import split_sentences
from frenchtext.stopwords import ARTICLES_AND_PREPOSITIONS

__all__ = [
    "NotAReport",
    "ParsedReport",
    "ReportDraft",
    "extract_text",
    "extract_text_from",
    "find_period",
    "match_theme",
    "parse_report",
]

TITLE_MAX = 120
MATCH_THRESHOLD = 0.5  # weighted Dice score between a heading's words and a theme label's words
_SUPPORTED = ".pdf, .txt, .md"
# Bounds on what one report may cost to read. A report of several years holds some 50 opinions in
# 50,000 characters over 20 to 40 pages; a page of text is a content stream of 5 to 50 kB.
MAX_PAGES = 500
MAX_PAGE_CONTENT_BYTES = 4_000_000  # decoded content stream(s) of one page
MAX_CONTENT_BYTES = 32_000_000  # all pages together
MAX_TEXT_CHARS = 1_000_000
MAX_OPINIONS = 1_000


class NotAReport(ValueError):
    """The file or text cannot be read as a report; the message is for the user (French / English),
    `reason` for the program ("encrypted", "too-heavy", "unreadable", "not-a-report"...)."""

    def __init__(self, message: str, reason: str = "not-a-report") -> None:
        super().__init__(message)
        self.reason = reason


def too_heavy(name: str, reason: str = "too-heavy") -> NotAReport:
    """The refusal of a report that costs too much to read (content, time or memory)."""
    kind = "Le PDF" if Path(name).suffix.lower() == ".pdf" else "Le fichier"
    return NotAReport(
        f"{kind} {name} est trop lourd à lire : son contenu est trop volumineux ou trop long à analyser. "
        "Exportez à nouveau le rapport depuis le traitement de texte (PDF ou texte .txt), "
        "ou n'importez que la partie qui contient les avis. "
        f"/ {name} is too heavy to read (content too large or too slow to parse): export it again "
        "(PDF or .txt) or import only the part that holds the opinions.",
        reason,
    )


@dataclass(frozen=True)
class ReportDraft:
    """One opinion of the report, ready to become a draft case the bureau reviews."""

    theme_slug: str | None
    theme_heading: str
    proposed_theme: str | None
    year_from: int | None
    year_to: int | None
    title: str
    situation: str
    opinion: str
    fingerprint: str


@dataclass
class ParsedReport:
    """What a report yields: its period, the drafts, and the items under a catch-all heading kept apart."""

    period: tuple[int, int] | None
    drafts: list[ReportDraft]
    # Items under a catch-all heading ("Divers", "Autres") are meetings and requests for collaboration
    # rather than opinions on a situation; they are kept here, not dropped, so a caller can offer them.
    set_aside: list[ReportDraft] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# Reading files


def extract_text(path: Path) -> str:
    """Text of a report file on disk (the command line)."""
    path = Path(path)
    return extract_text_from(path.name, path.read_bytes())


def extract_text_from(name: str, data: bytes) -> str:
    """Text of a report held in memory (an upload is never written to a temporary file): PDF text
    layer, or a UTF-8 text/Markdown file; anything else is refused with a message naming the file."""
    suffix = Path(name).suffix.lower()
    if suffix == ".pdf":
        text = _pdf_text(name, data)
    elif suffix in {".txt", ".md"}:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise NotAReport(
                f"Le fichier {name} n'est pas un texte UTF-8. / {name} is not UTF-8 text.", "unreadable"
            ) from exc
    else:
        raise NotAReport(
            f"Type de fichier non pris en charge : {name} (attendu : {_SUPPORTED}). "
            f"/ Unsupported file type: {name} (expected {_SUPPORTED}).",
            "unsupported",
        )
    if len(text) > MAX_TEXT_CHARS:
        raise _too_much_text(name)
    return text


def unreadable(name: str) -> NotAReport:
    """The refusal of a file that a reader could not make sense of."""
    if Path(name).suffix.lower() == ".pdf":
        return NotAReport(f"PDF illisible : {name}. / Unreadable PDF: {name}.", "unreadable")
    return NotAReport(f"Fichier illisible : {name}. / Unreadable file: {name}.", "unreadable")


def _too_much_text(name: str) -> NotAReport:
    limit = f"{MAX_TEXT_CHARS:,}".replace(",", " ")
    return NotAReport(
        f"Le fichier {name} contient plus de {limit} caractères de texte : il est trop lourd à lire. "
        "N'importez que la partie qui contient les avis. "
        f"/ {name} holds more than {limit} characters of text: too heavy to read.",
        "too-heavy",
    )


def _encrypted(name: str) -> NotAReport:
    return NotAReport(
        f"Le PDF {name} est chiffré (protégé par un mot de passe) : il ne peut pas être lu. "
        "Enregistrez-en une copie sans protection, puis importez cette copie. "
        f"/ The PDF {name} is encrypted (password-protected): save a copy without protection and import it.",
        "encrypted",
    )


def _pdf_text(name: str, data: bytes) -> str:
    """Text layer of every page, pages separated by a newline (page numbers are removed later).
    Refused: an encrypted PDF (unless it opens without a password), more than MAX_PAGES pages, page
    contents over MAX_PAGE_CONTENT_BYTES (or MAX_CONTENT_BYTES in all), text over MAX_TEXT_CHARS."""
    try:
        from pypdf import PdfReader
        from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError
        from pypdf.generic import ArrayObject
    except ImportError as exc:  # pragma: no cover - pypdf is a pinned dependency
        raise NotAReport("La lecture des PDF demande pypdf. / Reading PDFs needs pypdf.", "unreadable") from exc
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # restrictions only (printing, copying): it opens without a password
            except (DependencyError, NotImplementedError, PyPdfError) as exc:  # e.g. AES needs `cryptography`
                raise _encrypted(name) from exc
            if not opened:
                raise _encrypted(name)
        if len(reader.pages) > MAX_PAGES:
            raise NotAReport(
                f"Le PDF {name} compte plus de {MAX_PAGES} pages : il est trop lourd à lire. "
                "N'importez que la partie qui contient les avis. "
                f"/ The PDF {name} has more than {MAX_PAGES} pages: too heavy to read.",
                "too-heavy",
            )
        pages, content, chars = [], 0, 0
        for page in reader.pages:
            contents = page.get("/Contents")
            contents = contents.get_object() if contents is not None else None
            streams = contents if isinstance(contents, ArrayObject) else [contents] if contents is not None else []
            size = 0
            for stream in streams:
                size += len(stream.get_object().get_data())
                if size > MAX_PAGE_CONTENT_BYTES:
                    raise too_heavy(name)
            content += size
            if content > MAX_CONTENT_BYTES:
                raise too_heavy(name)
            text = page.extract_text() or ""
            chars += len(text)
            if chars > MAX_TEXT_CHARS:
                raise _too_much_text(name)
            pages.append(text)
    except FileNotDecryptedError as exc:
        raise _encrypted(name) from exc
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        if isinstance(exc, NotAReport):
            raise
        raise unreadable(name) from exc
    text = "\n".join(pages)
    if not text.strip():
        raise NotAReport(
            f"Le PDF {name} ne contient pas de texte (document scanné ?). "
            f"/ The PDF {name} has no text layer (scanned?).",
            "no-text",
        )
    return text


# --------------------------------------------------------------------------------------------------
# Words and theme matching

# Words shared by several labels ("... du travail social"): they count little and never match alone.
_GENERIC = {"travail", "social", "sociale", "travailleur", "travailleuse"}
_GENERIC_WEIGHT = 0.3
_CATCH_ALL = {"divers", "diverses", "autre", "autres", "varia", "miscellaneous"}
_CATCH_ALL_COMPANIONS = {"question", "questions", "sujet", "sujets", "demande", "demandes", "point", "points"}


def _singular(word: str) -> str:
    """Crude French singular: enough to make "instances"/"instance" and "sociaux"/"social" meet."""
    if len(word) > 4 and word.endswith("aux"):
        return word[:-3] + "al"
    if len(word) > 3 and word[-1] in "sx":
        return word[:-1]
    return word


@lru_cache(maxsize=4096)
def _content_words(text: str) -> tuple[str, ...]:
    """Folded, singular, meaningful words of a heading or label (cached: labels are read for every line)."""
    words = re.findall(r"[a-z0-9]+", strip_accents(text))
    return tuple(_singular(w) for w in words if w not in ARTICLES_AND_PREPOSITIONS and len(w) > 1)


@lru_cache(maxsize=16384)
def _same_word(a: str, b: str) -> bool:
    """Equal, or sharing a long prefix ("deontologique"/"deontologie") but not a mere stem ("fonction")."""
    if a == b:
        return True
    common = len(_common_prefix(a, b))
    return common >= 5 and common >= 0.75 * max(len(a), len(b))


def _common_prefix(a: str, b: str) -> str:
    """Longest shared beginning of two words."""
    size = 0
    for x, y in zip(a, b):
        if x != y:
            break
        size += 1
    return a[:size]


@lru_cache(maxsize=4096)
def _weight(word: str) -> float:
    """Generic words weigh little, so "travail social" alone matches no theme."""
    return _GENERIC_WEIGHT if any(_same_word(word, g) for g in _GENERIC) else 1.0


def _overlap_score(heading: tuple[str, ...], label: tuple[str, ...]) -> tuple[float, int]:
    """Weighted Dice score, and how many specific (non-generic) label words the heading shares."""
    if not heading or not label:
        return 0.0, 0
    shared = [w for w in label if any(_same_word(w, h) for h in heading)]
    specific = sum(1 for w in shared if _weight(w) == 1.0)
    total = sum(_weight(w) for w in heading) + sum(_weight(w) for w in label)
    return 2 * sum(_weight(w) for w in shared) / total, specific


def match_theme(heading: str, known_themes: dict[str, str]) -> str | None:
    """Slug of the known theme a heading names (tolerant word overlap), or None for a new theme."""
    words = _content_words(_strip_numbering(heading))
    best: tuple[float, int] = (0.0, 0)
    best_slug: str | None = None
    for slug, label in known_themes.items():
        for variant in (label, slug.replace("-", " ")):
            score, specific = _overlap_score(words, _content_words(variant))
            if specific and score >= MATCH_THRESHOLD and (score, specific) > best:
                best, best_slug = (score, specific), slug
    return best_slug


def _is_catch_all(heading: str) -> bool:
    """A heading such as "Divers" or "Questions diverses": a miscellany, not a theme of opinions."""
    words = set(re.findall(r"[a-z]+", strip_accents(heading))) - ARTICLES_AND_PREPOSITIONS
    return bool(words & _CATCH_ALL) and words <= _CATCH_ALL | _CATCH_ALL_COMPANIONS


# --------------------------------------------------------------------------------------------------
# Lines

_TERMINAL = ".!?…:»)\"”"
_CONNECTORS = {"a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "ou", "par", "pour", "sur"}
_ANY_BULLET = "•●◦▪▫■□►▶▸➢➣➤➔→✓✔❖◆◇⁃∙·"
_BULLET_RE = re.compile(rf"^(?P<glyph>[{_ANY_BULLET}\uf000-\uf0ff])\s*(?P<body>\S.*)$")
# Letters and dashes are bullets only before a capital, a digit or a quote: "o Un assistant social...".
_LETTER_BULLET_RE = re.compile(r"^(?P<glyph>[oüØ§*\-–—])\s+(?P<body>[«\"“(0-9A-ZÀ-ÝŒ].*)$")
_NUMBER_RE = re.compile(
    r"^(?P<num>\d{1,2}(?:\.\d{1,2})*|[IVX]{1,5})\s*[.)\-–—:]\s*(?P<body>\S.*)$"
    r"|^(?P<letter>[A-Za-z])\s*[.)]\s*(?P<lbody>\S.*)$"
)
_PAGE_NUMBER_RE = re.compile(
    r"^(?:page\s*)?[-–—]?\s*\d{1,3}\s*[-–—]?(?:\s*(?:/|sur)\s*\d{1,3})?$", re.IGNORECASE
)


@dataclass
class _Line:
    """One line of the report after clean-up, with its bullet or numbering recognised."""

    text: str
    kind: str  # "blank", "bullet" or "text"
    glyph: str = ""  # bullet glyph; "num" for "1." "a)" "II -" items
    body: str = ""  # the text without glyph or numbering
    number: str = ""  # the numbering, for numbered lines


def _normalise(text: str) -> str:
    """Unify line ends, spaces and ligatures that PDF extraction leaves around."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\t", " ")
    for odd in ("\u00a0", "\u202f", "\u2009", "\u2007"):
        text = text.replace(odd, " ")
    for gone in ("\u00ad", "\u200b", "\u200c", "\u200d", "\ufeff"):
        text = text.replace(gone, "")
    for lig, plain in (("ﬀ", "ff"), ("ﬁ", "fi"), ("ﬂ", "fl"), ("ﬃ", "ffi"), ("ﬄ", "ffl"), ("ﬅ", "st")):
        text = text.replace(lig, plain)
    return text


def _classify(raw: str) -> _Line:
    """Recognise blank lines, bullet items and numbered lines."""
    text = raw.strip()
    if not text:
        return _Line(text="", kind="blank")
    match = _BULLET_RE.match(text) or _LETTER_BULLET_RE.match(text)
    if match:
        glyph = match["glyph"]
        return _Line(text=text, kind="bullet", glyph="-" if glyph in "-–—" else glyph, body=match["body"].strip())
    match = _NUMBER_RE.match(text)
    if match:
        number = match["num"] or match["letter"]
        body = (match["body"] or match["lbody"]).strip()
        if body[:1].isupper():
            return _Line(text=text, kind="bullet", glyph="num", body=body, number=number)
    return _Line(text=text, kind="text", body=text)


def _is_page_furniture(text: str, repeated: set[str]) -> bool:
    """Page numbers, running headers/footers (short lines seen on at least three pages) and a short
    line naming the report ("Rapport d'activités 2019"), which is a header wherever it stands."""
    return (
        bool(_PAGE_NUMBER_RE.match(text))
        or _digits_blurred(text) in repeated
        or (len(text) <= 80 and bool(_TITLE_PERIOD_RE.search(text)))
    )


def _digits_blurred(text: str) -> str:
    """A line with its numbers blurred, so "Rapport 2021 - page 4" and "... page 5" compare equal."""
    return re.sub(r"\d+", "#", strip_accents(text))


def _repeated_lines(lines: list[str], known_themes: dict[str, str]) -> set[str]:
    """Short non-item lines occurring three times or more: running headers and footers."""
    counts: dict[str, int] = {}
    for raw in lines:
        line = _classify(raw)
        if line.kind != "text" or len(line.text) > 80:
            continue
        key = _digits_blurred(line.text)
        counts[key] = counts.get(key, 0) + 1
    return {
        key for key, n in counts.items()
        if n >= 3 and re.search(r"[a-z]", key) and not match_theme(key, known_themes)
    }


def _prepare_lines(text: str, known_themes: dict[str, str]) -> list[_Line]:
    """Clean lines with page furniture removed (a removed line leaves a blank, as a page break does)."""
    raw_lines = _normalise(text).split("\n")
    repeated = _repeated_lines(raw_lines, known_themes)
    lines = []
    for raw in raw_lines:
        line = _classify(raw)
        if line.kind != "blank" and _is_page_furniture(line.text, repeated):
            line = _Line(text="", kind="blank")
        lines.append(line)
    return lines


# --------------------------------------------------------------------------------------------------
# Headings


@dataclass
class _Heading:
    """A short title line (possibly split over two lines) and what follows it."""

    first: int
    last: int
    text: str
    style: str  # "none", "arabic" or "alpha": the numbering kind, shared by the headings of one section
    blanks_before: int
    after_sentence: bool  # the previous text line ended a sentence
    slug: str | None = None


def _strip_numbering(text: str) -> str:
    """A heading without "1.", "A)", "II -" and without a trailing colon."""
    text = text.strip()
    match = _NUMBER_RE.match(text)
    if match:
        text = match["body"] or match["lbody"]
    return re.sub(r"\s+", " ", text).strip().rstrip(":").strip()


def _numbering_style(line: _Line) -> str:
    """Kind of numbering of a heading line."""
    if line.glyph != "num":
        return "none"
    return "arabic" if line.number[0].isdigit() else "alpha"


def _looks_like_title(text: str) -> bool:
    """Short, starts with a capital, mostly letters, no link: the shape of a heading line."""
    words = text.split()
    letters = sum(ch.isalpha() for ch in text)
    return (
        2 <= len(text) <= 90
        and len(words) <= 10
        and text[0].isupper()
        and letters >= 0.6 * len(text.replace(" ", ""))
        and "http" not in text.lower()
        and "www." not in text.lower()
    )


def _ends_cleanly(text: str) -> bool:
    """A finished heading ends neither a sentence nor on a connector word ("Justice, police et")."""
    text = text.rstrip().rstrip(":").rstrip()
    if not text or text[-1] in ".,;!?…-–":
        return False
    last = re.findall(r"[a-z0-9]+", strip_accents(text))
    return not last or last[-1] not in _CONNECTORS


def _heading_at(lines: list[_Line], i: int, known_themes: dict[str, str]) -> _Heading | None:
    """The heading starting at line i, joined with its second line when the PDF split it, or None."""
    line = lines[i]
    if line.kind == "blank" or (line.kind == "bullet" and line.glyph != "num"):
        return None
    body = line.body
    if not _looks_like_title(body):
        return None
    blanks, previous = _before(lines, i)
    after_sentence = previous is None or previous.text.rstrip()[-1:] in _TERMINAL
    if blanks == 0 and not after_sentence and not _names_theme_over_list(lines, i, known_themes):
        return None  # the tail of a sentence broken by the PDF
    if body.rstrip()[-1] in ".!?…;":
        return None  # a sentence, however short
    last, text = i, body
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    broken = not _ends_cleanly(body)
    if broken or (nxt is not None and nxt.kind == "text" and not nxt.text[0].isupper()):
        joined = _join_split_heading(lines, i, across_blank=broken)
        if joined is None:
            return None
        last, text = joined
    following = lines[last + 1] if last + 1 < len(lines) else None
    if following is not None and following.kind == "text" and not following.text[0].isupper():
        return None  # the sentence goes on: prose, not a heading
    return _Heading(
        first=i, last=last, text=_strip_numbering(text), style=_numbering_style(line),
        blanks_before=blanks, after_sentence=after_sentence,
    )


def _names_theme_over_list(lines: list[_Line], i: int, known_themes: dict[str, str]) -> bool:
    """A known theme's name right above a bullet: a heading even when glued to the previous item."""
    j = i + 1
    while j < len(lines) and lines[j].kind == "blank":
        j += 1
    following = lines[j] if j < len(lines) else None
    return (
        following is not None and following.kind == "bullet" and following.glyph != "num"
        and match_theme(lines[i].body, known_themes) is not None
    )


def _before(lines: list[_Line], i: int) -> tuple[int, _Line | None]:
    """Blank lines just above line i, and the last non-blank line above it."""
    blanks, j = 0, i - 1
    while j >= 0 and lines[j].kind == "blank":
        blanks, j = blanks + 1, j - 1
    return blanks, (lines[j] if j >= 0 else None)


def _join_split_heading(lines: list[_Line], i: int, across_blank: bool) -> tuple[int, str] | None:
    """Second half of a heading broken over two lines: after a dangling "de"/"et"/"," (even one blank
    line further), or a short lower-case line right below ("... et partage" / "d'informations")."""
    j = i + 1
    if across_blank and j < len(lines) and lines[j].kind == "blank":
        j += 1
    if j >= len(lines) or lines[j].kind != "text":
        return None
    tail = lines[j].body
    if tail[0].isupper() and (j > i + 1 or not across_blank):
        return None  # a capital after a blank line, or under a complete line, starts something new
    text = f"{lines[i].body.rstrip()} {tail}"
    if len(tail.split()) > 5 or len(text.split()) > 14 or not _ends_cleanly(tail):
        return None
    return j, text


def _find_headings(lines: list[_Line], known_themes: dict[str, str]) -> list[_Heading]:
    """Every heading-shaped line of the report, in order, with the known theme it names if any."""
    headings: list[_Heading] = []
    i = 0
    while i < len(lines):
        heading = _heading_at(lines, i, known_themes)
        if heading is not None and not _continues_numbered_list(lines, i, headings):
            heading.slug = match_theme(heading.text, known_themes)
            headings.append(heading)
            i = heading.last + 1
        else:
            i += 1
    return headings


def _continues_numbered_list(lines: list[_Line], i: int, headings: list[_Heading]) -> bool:
    """A short "3. ..." right after item "2. ..." is the next item of a numbered list, not a heading."""
    line = lines[i]
    if line.glyph != "num" or not line.number.isdigit():
        return False
    floor = headings[-1].last if headings else -1
    for j in range(i - 1, floor, -1):
        if lines[j].glyph == "num":
            return lines[j].number.isdigit() and int(lines[j].number) == int(line.number) - 1
    return False


# --------------------------------------------------------------------------------------------------
# Items under a heading


@dataclass
class _Block:
    """The lines under one heading, split into items."""

    items: list[list[str]]
    bulleted: bool


def _block(lines: list[_Line], closing: bool) -> _Block:
    """Items under a heading: bullet items when there are bullets, otherwise paragraphs."""
    if any(line.kind == "bullet" for line in lines):
        return _Block(items=_bullet_items(lines, closing), bulleted=True)
    return _Block(items=_paragraph_items(lines), bulleted=False)


def _bullet_items(lines: list[_Line], closing: bool) -> list[list[str]]:
    """One item per bullet of the block's main glyph; other glyphs are sub-points of the current item.

    A line after a blank goes on the current item (PDF extraction puts blanks inside sentences), except a
    new paragraph after the last item of the section's last block: that is the report going on.
    """
    main = next(line.glyph for line in lines if line.kind == "bullet")
    items: list[list[str]] = []
    current: list[str] | None = None
    after_blank = False
    for index, line in enumerate(lines):
        if line.kind == "blank":
            after_blank = current is not None
            continue
        if line.kind == "bullet" and line.glyph == main:
            current = [line.body]
            items.append(current)
        elif current is not None:
            new_paragraph = after_blank and line.body[0].isupper() and current[-1].rstrip()[-1:] in _TERMINAL
            if new_paragraph and closing and not _has_bullet(lines[index:], main):
                break
            current.append(line.body)
        after_blank = False
    return items


def _has_bullet(lines: list[_Line], glyph: str) -> bool:
    """Whether another item of the block's main glyph follows."""
    return any(line.kind == "bullet" and line.glyph == glyph for line in lines)


def _paragraph_items(lines: list[_Line]) -> list[list[str]]:
    """Paragraphs separated by blank lines, re-joining the ones a page break or blank cut mid-sentence."""
    items: list[list[str]] = []
    current: list[str] = []
    for line in lines + [_Line(text="", kind="blank")]:
        if line.kind != "blank":
            current.append(line.body)
            continue
        if not current:
            continue
        broken = items and (items[-1][-1].rstrip()[-1:] not in _TERMINAL or not current[0][0].isupper())
        if broken:
            items[-1].extend(current)
        else:
            items.append(current)
        current = []
    return [item for item in items if len(" ".join(item).split()) >= 8]


def _opinion_like(block: _Block) -> bool:
    """Items long enough to be described situations, not a list of dates or names."""
    if not block.items:
        return False
    sizes = [len(" ".join(item).split()) for item in block.items]
    return max(sizes) >= 8 and sum(sizes) / len(sizes) >= 8


# What an opinion reads like, wherever it sits: someone asks (a question, "se demande", "s'interroge"),
# the bureau answers ("nous avons conseillé", "le bureau", "avis"). Folded text (no accents, lower case).
_ASKING_RE = re.compile(
    r"\?|\b(?:se demande(?:nt)?|s['’]interroge(?:nt)?|nous (?:demande|interroge|interpelle|sollicite)(?:nt)?"
    r"|nous a (?:demande|interroge|interpelle|sollicite|contacte)s?|nous ont (?:demande|interroge|interpelle|sollicite|contacte)s?"
    r"|demande(?:nt)? (?:si|s['’]il|s['’]ils|conseil|avis|notre avis)|hesite(?:nt)?|souhaite(?:nt)? savoir"
    r"|ne sai(?:t|ent) pas|peut-(?:il|elle|on)|doit-(?:il|elle|on)|a-t-(?:il|elle|on)|est-ce que)\b"
)
_ANSWERING_RE = re.compile(
    r"\b(?:nous (?:(?:lui|leur|l['’]|le|la|les|y|en)\s*)?(?:avons (?:conseill|recommand|rappel|repondu|sugg|propos|invit"
    r"|orient|renvoy|insist|souligne|precise|explique|dit)|conseill|recommand|renvoy|rappel|orient|sugg|invit)"
    r"|le (?:bureau|comite|cvts)|notre avis|avis|conseill\w*|recommand\w*)\b"
)
# What a training, a talk or a meeting is: an activity of the committee, not an opinion. Named at the
# item's opening ("Formation de deux jours...", "Une séance d'information..."), or told as given
# ("nous avons animé une formation", "24 participants"); a word "formation" in passing is not enough.
_ACTIVITY_NOUNS = (r"(?:formations?|modules?|seances?|ateliers?|journees? d['’]etude|colloques?|conferences?|webinaires?"
                   r"|sensibilisations?|animations?|interventions?|cours|exposes?|presentations?)")
_ACTIVITY_OPENING_RE = re.compile(rf"^(?:\S+\s+){{0,3}}{_ACTIVITY_NOUNS}\b")
_ACTIVITY_TOLD_RE = re.compile(
    rf"\b(?:avons|a|ont|sommes|est|sont)\s+(?:anime|donne|organise|assure|presente|dispense|intervenus?|intervenue?s?)"
    rf"\s+(?:(?:une|un|des|la|le|l['’]|deux|trois|plusieurs)\s+)?(?:\S+\s+)?{_ACTIVITY_NOUNS}\b"
    rf"|\b\d+\s+(?:participants?|inscrits?|personnes presentes)\b"
)


def _reads_like_activity(text: str) -> bool:
    """A training given, a talk or a meeting held, with nobody asking anything."""
    folded = strip_accents(text)
    if _ASKING_RE.search(folded):
        return False
    return bool(_ACTIVITY_OPENING_RE.match(folded) or _ACTIVITY_TOLD_RE.search(folded))


def _reads_like_opinion(text: str) -> bool:
    """An item that tells a situation someone asked about, or the advice given: not a training given,
    a meeting held or a figure. Judged on the words of the item, not on where it stands."""
    folded = strip_accents(text)
    if _reads_like_activity(text):
        return False
    return bool(_ASKING_RE.search(folded) or _ANSWERING_RE.search(folded))


def _content_score(block: _Block) -> int:
    """Items that read like opinions, less those that read like activities (trainings, meetings)."""
    texts = [" ".join(item) for item in block.items]
    return sum(_reads_like_opinion(t) for t in texts) - sum(_reads_like_activity(t) for t in texts)


def _not_activities(block: _Block) -> bool:
    """Opinion-like items (long enough), most of which are not trainings or meetings."""
    activities = sum(_reads_like_activity(" ".join(item)) for item in block.items)
    return _opinion_like(block) and 2 * activities < len(block.items)


# --------------------------------------------------------------------------------------------------
# The section of opinions


def _blocks(lines: list[_Line], headings: list[_Heading]) -> list[_Block]:
    """Block under each heading, up to the next heading (the last one up to the text's end)."""
    blocks = []
    for k, heading in enumerate(headings):
        stop = headings[k + 1].first if k + 1 < len(headings) else len(lines)
        blocks.append(_block(lines[heading.last + 1 : stop], closing=False))
    return blocks


def _belongs(heading: _Heading, block: _Block, anchor: _Heading, anchor_block: _Block) -> bool:
    """Whether a heading next to the section goes on with it: same numbering, and either a known theme
    or (a new theme) a clear heading over opinion-like items of the same kind (bullets or paragraphs)."""
    if heading.style != anchor.style:
        return False
    if heading.slug is not None:
        return True
    clear = heading.after_sentence or heading.blanks_before >= 2 or heading.style != "none"
    return clear and block.bulleted == anchor_block.bulleted and _not_activities(block)


def _section(headings: list[_Heading], blocks: list[_Block]) -> list[int]:
    """Indexes of the headings of the opinions section: the run whose items most read like opinions
    (a situation asked about, an advice given), then the one naming the most known themes. A list of
    trainings or meetings under theme headings has the shape of the section but not its content."""
    best: list[int] = []
    best_score: tuple[int, int, int] | None = None
    for a, anchor in enumerate(headings):
        if anchor.slug is None or not _opinion_like(blocks[a]):
            continue
        run = [a]
        k = a + 1
        while k < len(headings) and _belongs(headings[k], blocks[k], anchor, blocks[a]):
            run.append(k)
            k += 1
        k = a - 1
        while k >= 0 and _belongs(headings[k], blocks[k], anchor, blocks[a]):
            run.insert(0, k)
            k -= 1
        score = (sum(_content_score(blocks[k]) for k in run), sum(headings[k].slug is not None for k in run),
                 sum(len(blocks[k].items) for k in run))
        if best_score is None or score > best_score:
            best, best_score = run, score
    return best


# --------------------------------------------------------------------------------------------------
# Cleaning an item's text


def _vocabulary(text: str) -> tuple[set[str], set[str]]:
    """Words and hyphenated compounds written whole somewhere in the report, to mend line-end hyphens."""
    unbroken = re.sub(r"[^\W\d_]+-[ \t]*\n\s*[^\W\d_]+", " ", text)
    words = {w.casefold() for w in re.findall(r"[^\W\d_]+", unbroken)}
    compounds = {w.casefold() for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)+", unbroken)}
    return words, compounds


_COMPOUND_HEADS = {
    "après", "arrière", "au", "avant", "c", "celle", "celles", "celui", "contre", "demi", "en", "ex", "grand",
    "grande", "mi", "non", "peut", "porte", "quasi", "semi", "soi", "sous", "vice",
}
_COMPOUND_TAILS = {
    "ce", "ci", "clé", "clés", "delà", "dessous", "dessus", "elle", "elles", "il", "ils", "je", "là", "même",
    "mêmes", "midi", "nous", "on", "t", "tu", "vous",
}


def _keeps_hyphen(left: str, right: str, vocabulary: tuple[set[str], set[str]]) -> bool:
    """Whether "left-" at a line end and "right" on the next line form a real compound (après-midi)
    rather than one word the typesetter cut (confi-dentialité)."""
    words, compounds = vocabulary
    if not left or not right or not left[-1].isalpha() or not right[0].isalpha() or right[0].isupper():
        return True
    lower_left, lower_right = left.casefold(), right.casefold()
    if f"{lower_left}-{lower_right}" in compounds:
        return True
    if lower_left + lower_right in words:
        return False
    if lower_left in _COMPOUND_HEADS or lower_right in _COMPOUND_TAILS:
        return True
    return len(left) >= 4 and len(right) >= 4 and lower_left in words and lower_right in words


def _join_lines(parts: list[str], vocabulary: tuple[set[str], set[str]]) -> str:
    """One clean paragraph from an item's lines: hyphens at line ends mended, spaces collapsed."""
    text = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if text.endswith("-") and len(text) > 1 and text[-2].isalnum():
            left = re.search(r"([^\W_]+)-$", text)
            right = re.match(r"[^\W_]+", part)
            keep = _keeps_hyphen(left[1] if left else "", right[0] if right else "", vocabulary)
            text = text + part if keep else text[:-1] + part
        else:
            text = f"{text} {part}" if text else part
    return re.sub(r"\s+", " ", text).strip()


# --------------------------------------------------------------------------------------------------
# Title, advice, fingerprint

_ADVICE_RE = re.compile(
    r"^(?:nous\s+(?:(?:lui|leur|l['’]|le|la|les|y|en)\s*)?"
    r"(?:avons|conseill|recommand|renvoy|rappel|orient|propos|sugg|invit)"
    r"|le\s+(?:bureau|comit[ée]|cvts)\b"
    r"|(?:notre\s+)?avis\s*:|conseil\s*:|recommandations?\s*:"
    r"|il\s+(?:(?:lui|leur)\s+)?a\s+[ée]t[ée]\s+(?:conseill|recommand|sugg|propos|rappel))",
    re.IGNORECASE,
)


def _split_advice(text: str) -> tuple[str, str]:
    """(situation, opinion): the opinion is the part from the first sentence that states the advice
    ("Nous avons conseillé...", "Le bureau...", "Avis : ..."); never the first sentence."""
    sentences = split_sentences(text)
    for k in range(1, len(sentences)):
        if _ADVICE_RE.match(sentences[k]):
            return " ".join(sentences[:k]), " ".join(sentences[k:])
    return text, ""


def _title(situation: str) -> str:
    """First sentence, cut at a clause (then a word) boundary to fit TITLE_MAX, with no dangling word."""
    sentence = (split_sentences(situation) or [situation])[0].strip()
    if sentence.endswith(".") and not sentence.endswith(".."):
        sentence = sentence[:-1].rstrip()
    if len(sentence) <= TITLE_MAX:
        return sentence
    room = sentence[: TITLE_MAX - 1]
    # A clause boundary only when it keeps most of the room; otherwise the title would lose its verb.
    cuts = [m.start() for m in re.finditer(r",\s|\s;\s|\s:\s|\s[–—]\s|\s\(", room) if m.start() >= 0.6 * TITLE_MAX]
    cut = cuts[-1] if cuts else room.rfind(" ")
    head = room[: cut if cut > 0 else len(room)].rstrip(" ,;:–—(")
    if head.count("«") > head.count("»") and head.rfind(" «") >= 40:
        head = head[: head.rfind(" «")]  # never leave a quotation open
    words = head.split()
    while len(words) > 1 and _dangles(words[-1]):
        words.pop()
    return " ".join(words).rstrip(" ,;:–—(") + "…"


_DANGLING = ARTICLES_AND_PREPOSITIONS | _CONNECTORS | {
    "afin", "car", "ce", "ces", "cet", "cette", "chez", "comme", "dont", "lors", "mais", "n", "ne", "plus",
    "qu", "quant", "que", "qui", "s", "sans", "se", "si", "sous", "tres", "vers", "y",
}


def _dangles(word: str) -> bool:
    """A word a title cannot end on ("de", "d'un", "qui", "sous")."""
    parts = [part for part in re.split(r"['’]", strip_accents(word)) if part]
    return not parts or parts[-1] in _DANGLING


def _fingerprint(text: str) -> str:
    """Hash of the item's words only (no case, accents, punctuation, spacing): the same opinion read
    twice, even from a re-extracted PDF, gets the same fingerprint."""
    normal = " ".join(re.findall(r"[a-z0-9]+", strip_accents(text)))
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:32]


# --------------------------------------------------------------------------------------------------
# Period

_YEAR = r"(?:19[89]\d|20\d\d)"
_TITLE_PERIOD_RE = re.compile(
    rf"rapports?\s+(?:annuels?\s+)?d['’]\s*activit[ée]s?\s*(?:annuels?\s*)?"
    rf"(?:(?:de\s+l['’]ann[ée]e|des\s+ann[ée]es|pour|de|en)\s+)?\(?\s*({_YEAR})"
    rf"(?:\s*(?:-|–|—|/|à|au|et)\s*({_YEAR}))?",
    re.IGNORECASE,
)
_RANGE_RE = re.compile(rf"(?<!\d)({_YEAR})\s*(?:-|–|—|/|à|au)\s*({_YEAR})(?!\d)")
_LIST_RE = re.compile(rf"(?<!\d){_YEAR}(?:\s*(?:,|et|&)\s*{_YEAR})+(?!\d)")


def _period_in(text: str, single_ok: bool) -> tuple[int, int] | None:
    """A range ("2021-2023", "2021 à 2023") or an enumeration ("2021, 2022 et 2023"); a lone year if allowed."""
    for match in _RANGE_RE.finditer(text):
        start, end = int(match[1]), int(match[2])
        if 0 <= end - start <= 10:
            return start, end
    for match in _LIST_RE.finditer(text):
        years = [int(y) for y in re.findall(r"\d{4}", match[0])]
        if max(years) - min(years) <= 10:
            return min(years), max(years)
    if single_ok:
        years = {int(y) for y in re.findall(rf"(?<!\d){_YEAR}(?!\d)", text)}
        if len(years) == 1:
            year = years.pop()
            return year, year
    return None


def find_period(text: str, section_intro: str = "") -> tuple[int, int] | None:
    """The years a report covers: its title ("Rapport d'activités 2021-2023"), else the sentence that
    introduces the opinions ("les avis rendus durant 2021, 2022 et 2023"), else a range near the start."""
    text = _normalise(text)
    match = _TITLE_PERIOD_RE.search(text)
    if match:
        start = int(match[1])
        end = int(match[2]) if match[2] else start
        if 0 <= end - start <= 10:
            return start, end
    return _period_in(re.sub(r"\s+", " ", section_intro), single_ok=True) or _period_in(
        re.sub(r"\s+", " ", text[:2000]), single_ok=False
    )


def _intro_before(lines: list[_Line], first: int, size: int = 6) -> str:
    """The few text lines just above the section's first heading: where a report says what it lists."""
    kept: list[str] = []
    j = first - 1
    while j >= 0 and len(kept) < size:
        if lines[j].kind != "blank":
            kept.insert(0, lines[j].text)
        j -= 1
    return " ".join(kept)


# --------------------------------------------------------------------------------------------------
# Entry point


def parse_report(
    text: str,
    known_themes: dict[str, str],
    *,
    include_miscellaneous: bool = False,
    default_period: tuple[int, int] | None = None,
) -> ParsedReport:
    """Drafts for every opinion of the report's section of opinions grouped by theme.

    Items under a catch-all heading ("Divers") go to `set_aside` unless `include_miscellaneous`.
    `default_period` (for example read from the file name) is used when the text states no period.
    Raises NotAReport when no such section is found.
    """
    if not text or not text.strip() or "\x00" in text:
        raise NotAReport(_not_a_report_message())
    lines = _prepare_lines(text, known_themes)
    headings = _find_headings(lines, known_themes)
    blocks = _blocks(lines, headings)
    run = _section(headings, blocks)
    if not run:
        raise NotAReport(_not_a_report_message())
    section_end = headings[run[-1] + 1].first if run[-1] + 1 < len(headings) else len(lines)
    period = find_period(text, _intro_before(lines, headings[run[0]].first)) or default_period
    vocabulary = _vocabulary(_normalise(text))
    report = ParsedReport(period=period, drafts=[])
    for position, k in enumerate(run):
        heading = headings[k]
        stop = headings[k + 1].first if position + 1 < len(run) else section_end
        block = _block(lines[heading.last + 1 : stop], closing=position == len(run) - 1)
        aside = _is_catch_all(heading.text) and not include_miscellaneous
        _check_opinion_count(len(report.drafts) + len(report.set_aside) + len(block.items))
        for item in block.items:
            draft = _draft(heading, _join_lines(item, vocabulary), period)
            (report.set_aside if aside else report.drafts).append(draft)
    if not report.drafts and not report.set_aside:
        raise NotAReport(_not_a_report_message())
    return report


def _check_opinion_count(count: int) -> None:
    if count > MAX_OPINIONS:
        raise NotAReport(
            f"Le rapport compte plus de {MAX_OPINIONS} avis : il est trop lourd à lire en une fois. "
            "Importez-le en plusieurs parties. "
            f"/ The report holds more than {MAX_OPINIONS} opinions: import it in parts.",
            "too-heavy",
        )


def _draft(heading: _Heading, text: str, period: tuple[int, int] | None) -> ReportDraft:
    """One draft from an item's clean text and its heading."""
    situation, opinion = _split_advice(text)
    return ReportDraft(
        theme_slug=heading.slug,
        theme_heading=heading.text,
        proposed_theme=None if heading.slug else heading.text,
        year_from=period[0] if period else None,
        year_to=period[1] if period else None,
        title=_title(situation),
        situation=situation,
        opinion=opinion,
        fingerprint=_fingerprint(text),
    )


def _not_a_report_message() -> str:
    """Why a text was refused, for the bureau (French) and the logs (English)."""
    return (
        "Aucune section d'avis classés par thème n'a été trouvée : est-ce bien un rapport d'activités ? "
        "/ No section of opinions grouped by theme was found: is this an activity report?"
    )
