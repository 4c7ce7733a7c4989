"""Documents made from stored cases: trainers' handouts (Markdown, DOCX, PDF) and the annual report's
section of opinions grouped by theme (Markdown, DOCX).

Pure functions from plain values to text or bytes: no database, no request, no user. The web layer
decides who may ask for what; these functions only see anonymised case text.
"""
from .markdown import annual_report_markdown, handout_markdown
from .models import AUDIENCES, PARTICIPANTS, TRAINER, Handout, HandoutCase, ReportEntry
from .pdf import handout_pdf
from .text import split_sentences, summarize_case
from .word import annual_report_docx, handout_docx

__all__ = [
    "AUDIENCES",
    "PARTICIPANTS",
    "TRAINER",
    "Handout",
    "HandoutCase",
    "ReportEntry",
    "annual_report_docx",
    "annual_report_markdown",
    "handout_docx",
    "handout_markdown",
    "handout_pdf",
    "split_sentences",
    "summarize_case",
]
