"""Bootstrap from the archive: activity reports become anonymised drafts in the bureau's review queue."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from sqlalchemy import select

from ..anonymization import anonymize_cases
from ..models import Draft
from ..report_parser import ParsedReport, ReportDraft
from ..report_sandbox import read_report_bounded
from . import audit
from .knowledge_base import KnowledgeBase


@dataclass
class AnonymizedDraft:
    source: ReportDraft
    title: str
    situation: str
    opinion: str

    def as_json(self) -> dict:
        d = self.source
        return {"theme": d.theme_slug, "proposed_theme": d.proposed_theme,
                "year": d.year_from if d.year_from == d.year_to else None,
                "period": [d.year_from, d.year_to] if d.year_from else None,
                "title": self.title, "situation": self.situation, "opinion": self.opinion}


@dataclass
class ReportImport:
    period: tuple[int, int] | None
    drafts: list[AnonymizedDraft]
    set_aside: list[ReportDraft]
    created: int = 0
    already_known: int = 0
    proposals: list[str] = field(default_factory=list)


def read_report(name: str, data: bytes, kb: KnowledgeBase, include_miscellaneous: bool = False) -> ParsedReport:
    """Extract and parse, in a child process bounded in time and memory (the bytes go through a pipe,
    never a file); raises NotAReport with a message for the user."""
    with kb.db.session() as session:
        themes = kb.theme_labels(session, include_retired=False)
    return read_report_bounded(name, data, themes, include_miscellaneous)


ANONYMIZE_BATCH = 16  # drafts anonymised per call, so that a progress bar moves


def anonymize_report(parsed: ParsedReport, progress: Callable[[int], None] | None = None) -> list[AnonymizedDraft]:
    """Nothing of a report is stored before this step."""
    cleaned = []
    for start in range(0, len(parsed.drafts), ANONYMIZE_BATCH):
        part = parsed.drafts[start:start + ANONYMIZE_BATCH]
        cleaned += anonymize_cases([{"title": d.title, "situation": d.situation, "opinion": d.opinion,
                                     "heading": [d.proposed_theme] if d.proposed_theme else []} for d in part],
                                   list_fields=("heading",))
        if progress:
            progress(len(part))
    return [AnonymizedDraft(replace(d, proposed_theme=(c.lists["heading"] or [None])[0]),
                            c.fields["title"], c.fields["situation"], c.fields["opinion"])
            for d, c in zip(parsed.drafts, cleaned)]


def neutral_label(period: tuple[int, int] | None, today: date | None = None) -> str:
    """What the drafts and the audit trail say of their source: never the file's name, which is often
    a person's or a service's."""
    when = (today or date.today()).isoformat()
    span = "" if not period else f" {period[0]}" if period[0] == period[1] else f" {period[0]}-{period[1]}"
    return f"rapport d'activités{span} importé le {when}"


def import_report(kb: KnowledgeBase, path: Path, include_miscellaneous: bool = False,
                  dry_run: bool = False, actor: str = "cli",
                  progress: Callable[[int | None, int], None] | None = None) -> ReportImport:
    return import_report_data(kb, path.name, path.read_bytes(), include_miscellaneous, dry_run, actor, progress)


def import_report_data(kb: KnowledgeBase, name: str, data: bytes, include_miscellaneous: bool = False,
                       dry_run: bool = False, actor: str = "cli",
                       progress: Callable[[int | None, int], None] | None = None) -> ReportImport:
    """A report's bytes (a file read by the command line, or an upload held in memory) to drafts.
    ``progress(total, done)`` is told the number of opinions found, then each batch anonymised."""
    parsed = read_report(name, data, kb, include_miscellaneous)
    if progress:
        progress(len(parsed.drafts), 0)
    step = (lambda n: progress(None, n)) if progress else None
    result = ReportImport(parsed.period, anonymize_report(parsed, step), parsed.set_aside)
    result.proposals = sorted({d.source.proposed_theme for d in result.drafts if d.source.proposed_theme})
    if dry_run:
        return result
    result.created, result.already_known = queue_drafts(kb, result.drafts, parsed.period, actor)
    return result


def queue_drafts(kb: KnowledgeBase, drafts: list[AnonymizedDraft], period: tuple[int, int] | None,
                 actor: str) -> tuple[int, int]:
    """Add anonymised drafts to the review queue, skipping the fingerprints already known (pending,
    approved or rejected): (created, already known). Reads only the anonymised fields and the
    fingerprint, never the source's text."""
    label = neutral_label(period)
    created = already_known = 0
    with kb.db.session() as session:
        known = set(session.scalars(select(Draft.fingerprint)))
        for draft in drafts:
            d = draft.source
            if d.fingerprint in known:
                already_known += 1
                continue
            known.add(d.fingerprint)
            session.add(Draft(fingerprint=d.fingerprint, theme_slug=d.theme_slug, proposed_theme=d.proposed_theme,
                              year_from=d.year_from, year_to=d.year_to, title=draft.title[:300],
                              situation=draft.situation, opinion=draft.opinion, source=label))
            created += 1
        audit.record(session, actor, "import-report", detail=f"{label}: {created} draft(s), {already_known} known")
        session.commit()
    return created, already_known


# The anonymised fields of a draft that a preview page carries back (signed) to be imported.
PREVIEW_FIELDS = ("title", "situation", "opinion", "theme_slug", "proposed_theme", "year_from", "year_to", "fingerprint")


def preview_fields(draft: AnonymizedDraft) -> dict:
    """What a preview may hold of a draft: its anonymised text, theme, period and fingerprint; never the
    report's own text (the source's title, situation, opinion and heading are raw)."""
    d = draft.source
    return {"title": draft.title, "situation": draft.situation, "opinion": draft.opinion, "theme_slug": d.theme_slug,
            "proposed_theme": d.proposed_theme, "year_from": d.year_from, "year_to": d.year_to,
            "fingerprint": d.fingerprint}


def draft_from_preview(fields: dict) -> AnonymizedDraft:
    """An anonymised draft back from the fields of preview_fields (already verified as ours)."""
    source = ReportDraft(theme_slug=fields["theme_slug"], theme_heading=fields["proposed_theme"] or "",
                         proposed_theme=fields["proposed_theme"], year_from=fields["year_from"],
                         year_to=fields["year_to"], title=fields["title"], situation=fields["situation"],
                         opinion=fields["opinion"], fingerprint=fields["fingerprint"])
    return AnonymizedDraft(source, fields["title"], fields["situation"], fields["opinion"])
