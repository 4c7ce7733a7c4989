"""Bootstrap from the archive: activity reports become anonymised drafts in the bureau's review queue."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from sqlalchemy import select

from .anonymization import anonymize_cases
from .models import AuditEvent, Draft
from .report_parser import ParsedReport, ReportDraft
from .report_sandbox import read_report_bounded
from .services import KnowledgeBase


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


def anonymize_report(parsed: ParsedReport) -> list[AnonymizedDraft]:
    """Nothing of a report is stored before this step."""
    cleaned = anonymize_cases([{"title": d.title, "situation": d.situation, "opinion": d.opinion,
                                "heading": [d.proposed_theme] if d.proposed_theme else []} for d in parsed.drafts],
                              list_fields=("heading",))
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
                  dry_run: bool = False, actor: str = "cli") -> ReportImport:
    return import_report_data(kb, path.name, path.read_bytes(), include_miscellaneous, dry_run, actor)


def import_report_data(kb: KnowledgeBase, name: str, data: bytes, include_miscellaneous: bool = False,
                       dry_run: bool = False, actor: str = "cli") -> ReportImport:
    """A report's bytes (a file read by the command line, or an upload held in memory) to drafts."""
    parsed = read_report(name, data, kb, include_miscellaneous)
    result = ReportImport(parsed.period, anonymize_report(parsed), parsed.set_aside)
    result.proposals = sorted({d.source.proposed_theme for d in result.drafts if d.source.proposed_theme})
    label = neutral_label(parsed.period)
    if dry_run:
        return result
    with kb.db.session() as session:
        known = set(session.scalars(select(Draft.fingerprint)))
        for draft in result.drafts:
            d = draft.source
            if d.fingerprint in known:
                result.already_known += 1
                continue
            known.add(d.fingerprint)
            session.add(Draft(fingerprint=d.fingerprint, theme_slug=d.theme_slug, proposed_theme=d.proposed_theme,
                              year_from=d.year_from, year_to=d.year_to, title=draft.title[:300],
                              situation=draft.situation, opinion=draft.opinion, source=label))
            result.created += 1
        session.add(AuditEvent(actor=actor, action="import-report",
                               detail=f"{label}: {result.created} draft(s), {result.already_known} known"))
        session.commit()
    return result
