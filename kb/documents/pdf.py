"""Printable PDF handouts (A4), laid out with ReportLab's Platypus so long texts wrap and flow across pages.

The font is Bitstream Vera, which ships inside the reportlab wheel: no system font and no network are
needed, and it has every glyph French needs (accents, œ, « », ’, –, …). Characters it lacks are replaced
by a close equivalent (narrow no-break space → no-break space, a rare accented letter → its base letter),
never drawn as an empty box.
"""
from __future__ import annotations

import functools
import io
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, CondPageBreak, Flowable, Frame, PageBreak, PageTemplate
from reportlab.platypus import Paragraph, Spacer

from . import text as t
from .models import Handout, HandoutCase

FONT = "KbSans"
_FONT_FILES = {FONT: "Vera.ttf", f"{FONT}-Bold": "VeraBd.ttf", f"{FONT}-Italic": "VeraIt.ttf",
               f"{FONT}-BoldItalic": "VeraBI.ttf"}
MARGIN = 2.2 * cm
LANGUAGE = "fr-BE"
INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
ACCENT = colors.HexColor("#1f4e79")

# What to print for a character the font lacks, before falling back to its decomposition.
_SUBSTITUTES = {"\u202f": "\u00a0", "\u2007": "\u00a0", "\u2009": " ", "\u200a": " ", "\u2010": "-",
                "\u2011": "-", "\u2012": "–", "\u2212": "-", "\u200b": "", "\u200c": "", "\u200d": "",
                "\u2060": "", "\ufeff": "", "\u00ad": ""}


@functools.cache
def _glyphs() -> frozenset[int]:
    """Register the bundled Vera faces once per process; return the code points they can draw."""
    font_dir = Path(reportlab.__file__).parent / "fonts"
    for name, filename in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(font_dir / filename)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=f"{FONT}-Bold", italic=f"{FONT}-Italic",
                                  boldItalic=f"{FONT}-BoldItalic")
    return frozenset(pdfmetrics.getFont(FONT).face.charToGlyph)


def printable(text: str) -> str:
    """Replace characters the font cannot draw with the closest ones it can (or '?')."""
    glyphs = _glyphs()
    out = []
    for char in text:
        if char == "\n" or ord(char) in glyphs:
            out.append(char)
        elif char in _SUBSTITUTES:
            out.append(_SUBSTITUTES[char])
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if ord(c) in glyphs)
            out.append(base or "?")
    return "".join(out)


def markup(text: str) -> str:
    """Stored text as Platypus paragraph markup: XML-escaped, so it can never add tags of its own."""
    return xml_escape(printable(text)).replace("\n", "<br/>")


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    """The handout's typography: 10.5 pt body on 15 pt leading, bold headings kept with what follows."""
    _glyphs()
    body = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=15, textColor=INK, spaceAfter=6)
    return {
        "body": body,
        "title": ParagraphStyle("title", body, fontName=f"{FONT}-Bold", fontSize=22, leading=28,
                                textColor=ACCENT, spaceAfter=14),
        "lede": ParagraphStyle("lede", body, fontSize=12, leading=17, spaceAfter=8),
        "case": ParagraphStyle("case", body, fontName=f"{FONT}-Bold", fontSize=16, leading=21,
                               textColor=ACCENT, spaceAfter=4, keepWithNext=1),
        "meta": ParagraphStyle("meta", body, fontName=f"{FONT}-Italic", fontSize=9.5, leading=13,
                               textColor=MUTED, spaceAfter=8, keepWithNext=1),
        "section": ParagraphStyle("section", body, fontName=f"{FONT}-Bold", fontSize=11.5, leading=15,
                                  textColor=ACCENT, spaceBefore=8, spaceAfter=4, keepWithNext=1),
        "item": ParagraphStyle("item", body, leftIndent=18, bulletIndent=2, spaceAfter=3),
        "note": ParagraphStyle("note", body, fontName=f"{FONT}-Italic", leftIndent=10, rightIndent=6,
                               borderPadding=(4, 6),
                               backColor=colors.HexColor("#f1f4f8"), spaceBefore=2, spaceAfter=8),
    }


def _paragraphs(text: str, style: str) -> list[Flowable]:
    styles = _styles()
    return [Paragraph(markup(p), styles[style]) for p in t.paragraphs(text)]


def _list(values: list[str], numbered: bool) -> list[Flowable]:
    """A list whose items wrap under their text, not under the number."""
    style = _styles()["item"]
    return [Paragraph(markup(v), style, bulletText=f"{i}." if numbered else "•")
            for i, v in enumerate(values, 1)]


def _section(heading: str, content: list[Flowable]) -> list[Flowable]:
    return [Paragraph(markup(heading), _styles()["section"]), *content] if content else []


def _case(case: HandoutCase, audience: str) -> list[Flowable]:
    """A case in the audience's reading order; headings stay with their first lines, long texts split."""
    styles = _styles()
    flow: list[Flowable] = [Paragraph(markup(t.title_of(case.title)), styles["case"])]
    meta = t.case_meta(case)
    flow.append(Paragraph(markup(meta), styles["meta"]) if meta else Spacer(1, 6))
    sections = {
        "situation": lambda: _section(t.SITUATION, _paragraphs(case.situation, "body")),
        "opinion": lambda: _section(t.OPINION, _paragraphs(case.opinion, "body")),
        "legal_refs": lambda: _section(t.LEGAL_REFS, _list(t.items(case.legal_refs), numbered=False)),
        "note": lambda: _section(t.NOTE, _paragraphs(case.note, "note")),
        "questions": lambda: _section(t.QUESTIONS, _list(t.items(case.questions), numbered=True)),
    }
    for key in t.SECTION_ORDER[audience]:
        flow += sections[key]()
    return flow


def _title_page(handout: Handout) -> list[Flowable]:
    """Title, description and the list of cases, so a printed set can be checked at a glance."""
    styles = _styles()
    flow: list[Flowable] = [Spacer(1, 2 * cm), Paragraph(markup(t.title_of(handout.title)), styles["title"]),
                            Paragraph(markup(t.audience_line(handout.audience)), styles["meta"])]
    flow += _paragraphs(handout.description, "lede")
    titles = [t.title_of(c.title) for c in handout.cases]
    flow += _section(t.CONTENTS, _list(titles, numbered=True))
    return flow


class _NumberedCanvas(Canvas):
    """Defers drawing footers until the end, so each page can say 'Page n sur N'."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 (ReportLab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._footer(total)
            super().showPage()
        super().save()

    def _footer(self, total: int) -> None:
        self.saveState()
        self.setFont(FONT, 9)
        self.setFillColor(MUTED)
        self.drawCentredString(A4[0] / 2, MARGIN / 2, f"Page {self.getPageNumber()} sur {total}")
        self.restoreState()


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> str:
    """Shorten a running header to the line it has, with an ellipsis."""
    if canvas.stringWidth(text, font, size) <= width:
        return text
    while text and canvas.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _running_header(title: str):
    """After the title page, every page recalls which selection it belongs to."""
    def draw(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(f"{FONT}-Italic", 8.5)
        canvas.setFillColor(MUTED)
        width = A4[0] - 2 * MARGIN
        canvas.drawString(MARGIN, A4[1] - MARGIN / 2 - 4, _fit(canvas, title, f"{FONT}-Italic", 8.5, width))
        canvas.setStrokeColor(colors.HexColor("#cccccc"))
        canvas.line(MARGIN, A4[1] - MARGIN / 2 - 8, A4[0] - MARGIN, A4[1] - MARGIN / 2 - 8)
        canvas.restoreState()
    return draw


def _document(buffer: io.BytesIO, handout: Handout) -> BaseDocTemplate:
    title = printable(t.title_of(handout.title))
    doc = BaseDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                          bottomMargin=MARGIN, title=title, subject=printable(t.one_line(handout.description)),
                          author="", creator="kb-secret-professionnel", lang=LANGUAGE,
                          keywords=[t.AUDIENCE_LABELS[handout.audience]])
    frame = Frame(MARGIN, MARGIN, A4[0] - 2 * MARGIN, A4[1] - 2 * MARGIN, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate("first", [frame], autoNextPageTemplate="later"),
                          PageTemplate("later", [frame], onPage=_running_header(title))])
    return doc


def handout_pdf(handout: Handout, *, case_per_page: bool = True) -> bytes:
    """The selection for printing: a title page, then each case (on its own page unless asked otherwise)."""
    flow = _title_page(handout)
    for index, case in enumerate(handout.cases):
        if case_per_page or index == 0:
            flow.append(PageBreak())
        else:
            flow += [CondPageBreak(6 * cm), Spacer(1, 14)]
        flow += _case(case, handout.audience)
    buffer = io.BytesIO()
    _document(buffer, handout).build(flow, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()
