"""Editable DOCX versions of handouts and annual reports (python-docx).

Built from Word's own styles (Title, Heading 1–2, List Number, List Bullet) so a trainer who edits the
file keeps a consistent document; A4, French proofing language, page numbers in the footer.
"""
from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from . import text as t
from .models import Handout, HandoutCase, ReportEntry

LANGUAGE = "fr-BE"
MUTED = RGBColor(0x55, 0x55, 0x55)


def _set_language(document: DocxDocument) -> None:
    """Spell-checking in French for every style that inherits from Normal."""
    rpr = document.styles["Normal"].element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), LANGUAGE)
    rpr.append(lang)


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that the word processor updates when it lays out the pages."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _new_document(title: str, subject: str) -> DocxDocument:
    """An empty A4 document with metadata that names no one (python-docx's template says 'python-docx')."""
    document = Document()
    props = document.core_properties
    props.title, props.subject, props.language = title, subject, LANGUAGE
    props.author, props.last_modified_by, props.comments, props.keywords = "", "", "", ""
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.2))
    _set_language(document)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    _field(footer, "PAGE")
    footer.add_run(" sur ")
    _field(footer, "NUMPAGES")
    return document


def _to_bytes(document: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _add_paragraphs(document: DocxDocument, blocks: list[str], style: str | None = None) -> list[Paragraph]:
    """One Word paragraph per stored paragraph; a typed single newline stays a line break."""
    return [document.add_paragraph(block, style=style) for block in blocks]


def _restart_numbering(document: DocxDocument, paragraphs: list[Paragraph]) -> None:
    """Make a 'List Number' list start again at 1 (Word otherwise continues the previous case's list)."""
    if not paragraphs:
        return
    numbering = document.part.numbering_part.numbering_definitions._numbering
    style_num_id = document.styles["List Number"].element.pPr.numPr.numId.val
    abstract_id = numbering.num_having_numId(style_num_id).abstractNumId.val
    num = numbering.add_num(abstract_id)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    for paragraph in paragraphs:
        num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = 0
        num_pr.get_or_add_numId().val = num.numId


def _add_list(document: DocxDocument, values: list[str], numbered: bool) -> list[Paragraph]:
    paragraphs = _add_paragraphs(document, values, "List Number" if numbered else "List Bullet")
    if numbered:
        _restart_numbering(document, paragraphs)
    return paragraphs


def _add_section(document: DocxDocument, heading: str, values: list[str], style: str | None = None) -> None:
    """A level-2 heading and its content; a section with nothing to say is left out."""
    if not values:
        return
    document.add_heading(heading, level=2)
    if style in ("List Number", "List Bullet"):
        _add_list(document, values, numbered=style == "List Number")
    else:
        _add_paragraphs(document, values, style)


def _add_meta(document: DocxDocument, text: str) -> None:
    """The grey, italic identification line under a heading."""
    run = document.add_paragraph().add_run(text)
    run.italic = True
    run.font.size = Pt(9.5)
    run.font.color.rgb = MUTED


def _add_case(document: DocxDocument, case: HandoutCase, audience: str) -> None:
    """A case starts a new page, as in the printed handout; sections in the audience's reading order."""
    heading = document.add_heading(t.title_of(case.title), level=1)
    heading.paragraph_format.page_break_before = True
    meta = t.case_meta(case)
    if meta:
        _add_meta(document, meta)
    sections = {
        "situation": (t.SITUATION, t.paragraphs(case.situation), None),
        "opinion": (t.OPINION, t.paragraphs(case.opinion), None),
        "legal_refs": (t.LEGAL_REFS, t.items(case.legal_refs), "List Bullet"),
        "note": (t.NOTE, t.paragraphs(case.note), "Quote"),
        "questions": (t.QUESTIONS, t.items(case.questions), "List Number"),
    }
    for key in t.SECTION_ORDER[audience]:
        _add_section(document, *sections[key])


def handout_docx(handout: Handout) -> bytes:
    """The selection as an editable Word document: title page with the list of cases, then one case per page."""
    title = t.title_of(handout.title)
    document = _new_document(title, t.one_line(handout.description))
    document.add_heading(title, level=0)
    _add_meta(document, t.audience_line(handout.audience))
    _add_paragraphs(document, t.paragraphs(handout.description))
    if handout.cases:
        document.add_heading(t.CONTENTS, level=2)
        _add_list(document, [t.title_of(c.title) for c in handout.cases], numbered=True)
    for case in handout.cases:
        _add_case(document, case, handout.audience)
    return _to_bytes(document)


def _add_entry(document: DocxDocument, entry: ReportEntry) -> None:
    """One paragraph per case: the reference in bold, then the situation and what was advised."""
    lead, body = t.entry_parts(entry)
    paragraph = document.add_paragraph()
    if lead:
        paragraph.add_run(lead).bold = True
        paragraph.add_run(" ")
    paragraph.add_run(body)


def annual_report_docx(title: str, period: tuple[int, int], entries: list[ReportEntry]) -> bytes:
    """The report's section 'Les avis rendus, regroupés par thème', ready to paste into the activity report."""
    title = t.title_of(title)
    document = _new_document(title, t.REPORT_SECTION)
    document.add_heading(title, level=0)
    _add_meta(document, t.period_label(period))
    document.add_heading(t.REPORT_SECTION, level=1)
    document.add_paragraph(t.report_intro(period, entries))
    for theme, group in t.group_by_theme(entries):
        document.add_heading(theme, level=2)
        for entry in group:
            _add_entry(document, entry)
    return _to_bytes(document)
